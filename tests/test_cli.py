"""The command line as a user meets it: CliRunner for the details, real subprocesses for the whole path."""

from __future__ import annotations

import json
import subprocess
import sys

from dossier.cli import app

from .conftest import EXAMPLES, run_cli, shared


def test_version(runner):
    r = runner.invoke(app, ["--version"])
    assert r.exit_code == 0 and r.stdout.startswith("dossier ")


def test_usage_errors_exit_2(runner, db):
    assert runner.invoke(app, ["ingest"]).exit_code == 2            # no PATH
    assert runner.invoke(app, ["ingest", "x", "--no-such"]).exit_code == 2
    assert runner.invoke(app, ["frobnicate"]).exit_code == 2
    assert runner.invoke(app, ["ingest", str(EXAMPLES), "--db", db, "--max-size", "0"]).exit_code == 2


def test_ingest_summary_and_idempotent_rerun(runner, db):
    r = runner.invoke(app, ["ingest", str(EXAMPLES), "--db", db])
    assert r.exit_code == 0, r.output
    assert "stored (new)" in r.stderr and "15" in r.stderr
    assert "crawl.warc.gz item 2: WARC record is not an HTML page (text/css), skipped" in r.stderr
    again = runner.invoke(app, ["ingest", str(EXAMPLES), "--db", db])
    assert again.exit_code == 0
    stats = json.loads(runner.invoke(app, ["stats", "--db", db, "--json"]).stdout)
    assert stats["tables"]["documents"] == 15
    assert stats["inputs"] == {"stored": 15, "rejected": 1}


def test_nothing_stored_exits_1(runner, db, tmp_path):
    (tmp_path / "empty.txt").write_text("")
    r = runner.invoke(app, ["ingest", str(tmp_path / "empty.txt"), "--db", db])
    assert r.exit_code == 1
    assert "empty.txt: empty file, skipped" in r.stderr


def test_env_db(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("DOSSIER_DB", str(tmp_path / "env.db"))
    assert runner.invoke(app, ["ingest", str(EXAMPLES / "relative_dates.txt")]).exit_code == 0
    assert (tmp_path / "env.db").exists()


def test_default_db_in_working_dir(tmp_path):
    r = run_cli("ingest", str(EXAMPLES / "relative_dates.txt"), "--stages", "clean,meta", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "dossier.db").exists()


def test_show_and_stats(runner, db):
    runner.invoke(app, ["ingest", str(EXAMPLES / "feed.jsonl"), "--db", db])
    stats = runner.invoke(app, ["stats", "--db", db])
    assert stats.exit_code == 0 and "documents" in stats.stdout
    r = runner.invoke(app, ["show", f"{EXAMPLES / 'feed.jsonl'}#L1", "--db", db, "--json"])
    assert r.exit_code == 0, r.output
    line = json.loads(r.stdout)
    assert line["source"].endswith("feed.jsonl#L1") and line["input_id"] and line["text"]
    short = runner.invoke(app, ["show", line["id"][:8], "--db", db])
    assert short.exit_code == 0 and line["title"] in short.stdout
    missing = runner.invoke(app, ["show", "nope", "--db", db])
    assert missing.exit_code == 1 and "no document nope" in missing.stderr


def test_missing_or_foreign_store_is_one_line(runner, tmp_path):
    r = runner.invoke(app, ["stats", "--db", str(tmp_path / "none.db")])
    assert r.exit_code == 1 and r.stderr.startswith("error: ") and "no such store" in r.stderr
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    r = runner.invoke(app, ["ingest", str(EXAMPLES), "--db", str(junk)])
    assert r.exit_code == 1 and r.stderr.count("\n") == 1 and "not a Dossier store" in r.stderr


def test_stdin(tmp_path):
    db = str(tmp_path / "s.db")
    lines = b'{"id": 7, "text": "Oil rose on Monday."}\n{"id": "b", "text": "Gas fell on Tuesday."}\n'
    r = run_cli("ingest", "-", "--db", db, "--stages", "clean,meta", stdin=lines)
    assert r.returncode == 0, r.stderr
    out = tmp_path / "out"
    assert run_cli("export", str(out), "--db", db).returncode == 0
    docs = [json.loads(x) for x in (out / "documents.jsonl").read_text().splitlines()]
    assert [(d["source"], d["input_id"]) for d in docs] == [("-#L1", 7), ("-#L2", "b")]


def test_seeds_end_to_end_against_the_scorer(seeds_store):
    """Ingest the seeds with every stage (the default), export, and the benchmark's own checker accepts the export
    and scores every section it knows: the whole pipeline as a user runs it."""
    gold = shared("gold", "seeds.json")
    out = seeds_store["export"]
    scored = subprocess.run([sys.executable, str(shared("bench", "score", "dossier.py")), out, str(gold),
                             "--json"], capture_output=True, text=True)
    assert scored.returncode == 0, scored.stdout + scored.stderr
    assert "malformed" not in scored.stdout
    result = json.loads(scored.stdout.strip().splitlines()[-1])
    with open(f"{out}/manifest.json", encoding="utf-8") as fh:
        manifest = json.load(fh)
    assert manifest["counts"]["documents.jsonl"] == 5
    assert manifest["stages"] == ["ingest", "clean", "meta", "dedup", "nlp", "actors", "timex", "quantities",
                                  "events", "stories"]
    for section in ("documents", "clean_text", "versions", "storylines", "entities", "times", "quantities"):
        assert all(v == 1.0 for v in result[section].values()), (section, result[section])
    assert result["events"]["evidence"] == 1.0 and result["events"]["full"] >= 0.857  # 12 of 14


def test_entities_lists_resolved_entities(seeds_store):
    r = run_cli("entities", "--db", seeds_store["db"], "--json", "--limit", "0")
    assert r.returncode == 0, r.stderr.decode()
    ents = [json.loads(x) for x in r.stdout.decode().splitlines()]
    maduro = next(e for e in ents if e["name"] == "Nicolás Maduro")
    assert {"Maduro", "Nicolas Maduro"} <= set(maduro["aliases"]) and maduro["document_count"] == 5
    assert (maduro["type"], maduro["country"], maduro["sector"]) == ("PERSON", "VEN", "GOV")
    counts = [e["mention_count"] for e in ents]
    assert counts == sorted(counts, reverse=True)
    r = run_cli("entities", "Putin", "--db", seeds_store["db"], "--type", "person", "--json")
    assert r.returncode == 0 and [json.loads(x)["name"] for x in r.stdout.decode().splitlines()] == ["Vladimir Putin"]
    r = run_cli("entities", "--db", seeds_store["db"], "--limit", "3")
    assert r.returncode == 0 and "United States" in r.stdout.decode() and "mentions" in r.stdout.decode()


def test_an_internal_error_is_one_line_unless_debugging(tmp_path):
    code = ("import sys, dossier.cli as c\n"
            "def boom(*a, **k):\n    raise RuntimeError('simulated bug')\n"
            "c.Store.open = boom\nsys.argv = ['dossier', 'stats']\nc.run()\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 1 and r.stderr.count("\n") == 1
    assert r.stderr.startswith("internal error: RuntimeError: simulated bug")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                       env={**__import__("os").environ, "DOSSIER_DEBUG": "1"})
    assert r.returncode == 1 and "Traceback" in r.stderr
