"""Shared fixtures: paths to ../shared, a fresh store, a CLI runner."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
EXAMPLES = ROOT / "examples"
DOSSIER = Path(sys.executable).with_name("dossier")


def shared(*parts: str) -> Path:
    """A path under ../shared; the test is skipped when ../shared is not beside the repo."""
    p = SHARED.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"{p} not available")
    return p


@pytest.fixture
def db(tmp_path) -> str:
    return str(tmp_path / "test.db")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(autouse=True)
def _no_env_db(monkeypatch):
    monkeypatch.delenv("DOSSIER_DB", raising=False)


def run_cli(*args: str, cwd: str | os.PathLike | None = None, stdin: bytes | None = None, timeout: float = 300,
            env: dict | None = None):
    """Run the installed `dossier` command as a real subprocess."""
    import subprocess

    exe = [str(DOSSIER)] if DOSSIER.exists() else [sys.executable, "-m", "dossier.cli"]
    return subprocess.run([*exe, *args], cwd=cwd, input=stdin, capture_output=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


@pytest.fixture(scope="session")
def seeds_store(tmp_path_factory) -> dict:
    """The five seed articles ingested once per test session with every stage (a real `dossier ingest` subprocess)
    and exported: ``{"db": store path, "export": export folder}``. Read-only for the tests that use it."""
    seeds = shared("corpus", "seeds")
    d = tmp_path_factory.mktemp("seeds")
    db, export = str(d / "seeds.db"), str(d / "export")
    r = run_cli("ingest", str(seeds), "--db", db, "--quiet")
    assert r.returncode == 0, r.stderr.decode()
    r = run_cli("export", export, "--db", db)
    assert r.returncode == 0, r.stderr.decode()
    return {"db": db, "export": export}
