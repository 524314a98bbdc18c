"""Storylines: time-aware, incremental, deterministic, listed by `dossier stories`."""

from __future__ import annotations

import json

import pytest

import dossier
from dossier.cli import app

from .conftest import run_cli, shared

SEEDS = {"000": "000_83705deb358a5fc3.txt", "001": "001_5e300edb8a850530.txt", "002": "002_395e19d6ee48b133.txt",
         "003": "003_8feb878d757c8972.txt", "004": "004_cf66f6befb59e769.txt"}
# the publication dates of the seeds (gold/seeds.json), given as JSON Lines fields so the test does not depend on
# date extraction: 2022 talks (001, 004) and January 2026 events (000, 003)
DATES = {"000": "2026-01-07", "001": "2022-03-05", "003": "2026-01-06", "004": "2022-03-06", "002": "2026-02-06"}


def seed_lines(tmp_path, keys, name="seeds.jsonl"):
    lines = []
    for k in keys:
        text = shared("corpus", "seeds", SEEDS[k]).read_text(encoding="utf-8")
        lines.append(json.dumps({"id": k, "date": DATES[k], "text": text}))
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def stories_of(db):
    with dossier.open(db) as store:
        return {d.input_id: d.story for d in store.documents()}, list(store.stories())


def test_storylines_follow_content_and_time(db, tmp_path):
    dossier.ingest([str(seed_lines(tmp_path, DATES))], db=db)
    story, lines = stories_of(db)
    assert story["000"] == story["003"]            # January 2026: one developing story
    assert story["001"] == story["004"]            # versions of one wire story share a storyline
    assert story["000"] != story["001"] and story["003"] != story["004"]   # 2022 vs 2026
    assert all(story.values())
    s22 = next(s for s in lines if s["id"] == story["001"])
    assert s22["first"] == "2022-03-05" and s22["last"] == "2022-03-06" and s22["independent_sources"] == 1
    assert s22["title"] in ("US officials travel to Venezuela, a Russian ally, for talks",   # most central's title
                            "U.S. officials travel to Venezuela, a Russian ally, for talks.")
    with dossier.open(db) as store:
        ids = {d.input_id: d.id for d in store.documents()}
    assert s22["documents"] == [ids["001"], ids["004"]]  # publication order
    assert sum(len(s["documents"]) for s in lines) == 5


def test_adding_documents_later_updates_storylines(db, tmp_path):
    dossier.ingest([str(seed_lines(tmp_path, ["000", "001"], "a.jsonl"))], db=db)
    first, _ = stories_of(db)
    dossier.ingest([str(seed_lines(tmp_path, ["003", "004"], "b.jsonl"))], db=db)
    story, lines = stories_of(db)
    assert story["000"] == first["000"] and story["001"] == first["001"]   # nothing recomputed, ids kept
    assert story["003"] == story["000"] and story["004"] == story["001"]
    assert {s["id"] for s in lines} == set(story.values())


def test_the_same_command_gives_the_same_export(tmp_path):
    outs = []
    for run in ("a", "b"):
        db = str(tmp_path / f"{run}.db")
        r = run_cli("ingest", str(shared("corpus", "seeds")), "--db", db, "--quiet")
        assert r.returncode == 0
        out = tmp_path / f"out-{run}"
        assert run_cli("export", str(out), "--db", db).returncode == 0
        outs.append({f: (out / f).read_text() for f in ("documents.jsonl", "versions.jsonl", "stories.jsonl")})
    assert outs[0] == outs[1]
    assert outs[0]["stories.jsonl"].count("\n") >= 2


@pytest.mark.parametrize("as_json", [False, True])
def test_cli_lists_storylines(db, tmp_path, runner, as_json):
    dossier.ingest([str(seed_lines(tmp_path, DATES))], db=db)
    r = runner.invoke(app, ["stories", "--db", db, *(["--json"] if as_json else [])])
    assert r.exit_code == 0
    if as_json:
        lines = [json.loads(x) for x in r.output.splitlines()]
        assert {"id", "title", "first", "last", "documents", "independent_sources"} <= set(lines[0])
        assert lines[0]["first"] == "2022-03-05"   # ordered by first day
    else:
        assert "2022-03-05" in r.output and "storylines in" in r.output


def test_cli_stories_on_a_missing_store_is_one_line(tmp_path, runner):
    r = runner.invoke(app, ["stories", "--db", str(tmp_path / "nope.db")])
    assert r.exit_code == 1 and "no such store" in r.output
