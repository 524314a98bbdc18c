"""Search (BM25 over every sentence, filters, the index kept current, the FTS5 index in sync) and ask (an
extractive, cited answer), through the API and the real `dossier` command, on the seeds ingested with every
stage. ``build_seeds`` is shared with the other explore tests (test_timeline, test_export_parquet, test_datasette)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3

import pytest

from tests.conftest import SHARED, run_cli, shared

ALL_STAGES = "clean,meta,dedup,nlp,actors,timex,quantities,events,stories"
SEED_002 = "002_395e19d6ee48b133.txt"
_BUILT: dict[str, str] = {}


def build_seeds(tmp_path_factory) -> str:
    """The seeds ingested with every stage by the real command, once per test session (named dossier.db)."""
    if "db" not in _BUILT:
        seeds = shared("corpus", "seeds")
        path = str(tmp_path_factory.mktemp("explore") / "dossier.db")
        r = run_cli("ingest", str(seeds), "--db", path, "--stages", ALL_STAGES, "-q")
        assert r.returncode == 0, r.stderr.decode()
        _BUILT["db"] = path
    return _BUILT["db"]


@pytest.fixture(scope="session")
def seeds_db(tmp_path_factory) -> str:
    return build_seeds(tmp_path_factory)


def _sources(db: str) -> dict[str, str]:
    with sqlite3.connect(db) as c:
        return {i: os.path.basename(s) for i, s in c.execute("SELECT id, source FROM documents")}


# -- search -------------------------------------------------------------------------------------------------------

def test_search_finds_sentences_with_outlet_date_and_offsets(seeds_db):
    from dossier.search import search

    hits = search(seeds_db, "Russia cooperation Venezuela", limit=5)
    assert 1 <= len(hits) <= 5
    assert {"doc", "start", "end", "text", "score", "outlet", "title", "date", "url", "source"} <= set(hits[0])
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    with sqlite3.connect(seeds_db) as c:
        for h in hits:
            text = c.execute("SELECT text FROM documents WHERE id = ?", (h["doc"],)).fetchone()[0]
            assert text[h["start"]:h["end"]] == h["text"]  # a real span of the clean text
    assert any("Russia" in h["text"] and h["outlet"] == "Izvestia" for h in hits)
    assert search(seeds_db, "zzzqqq nonexistentword") == []


def test_search_filters_dates_entity_and_event_type(seeds_db):
    from dossier.errors import UsageError
    from dossier.search import search

    before = search(seeds_db, "Venezuela officials talks", until="2022-12-31", limit=50)
    after = search(seeds_db, "Venezuela officials talks", since="2026-01-01", limit=50)
    assert before and after
    assert all(h["date"] and h["date"] <= "2022-12-31" for h in before)
    with sqlite3.connect(seeds_db) as c:
        for h in after:  # dated on or after, or undated with bounds that reach it
            d, lo, hi = c.execute("SELECT published_date, published_after, published_before FROM documents "
                                  "WHERE id = ?", (h["doc"],)).fetchone()
            assert (d or hi or "9999") >= "2026-01-01" and (d or lo or hi)

    lavrov = search(seeds_db, "Venezuela", entity="Lavrov", limit=20)
    assert lavrov and all("Lavrov" in h["text"] for h in lavrov)
    assert search(seeds_db, "Venezuela", entity="Nobody Atall") == []

    with sqlite3.connect(seeds_db) as c:
        types = [r[0] for r in c.execute("SELECT type FROM events GROUP BY type ORDER BY count(*) DESC")]
        assert types, "the seeds should have events"
        t = types[0]
        hits = search(seeds_db, "Venezuela United States Russia", type_=t, limit=50)
        assert hits
        for h in hits:  # every hit's sentence overlaps a report of an event of that type
            n = c.execute("SELECT count(*) FROM event_mentions m JOIN events e ON e.id = m.event WHERE m.doc = ? "
                          "AND m.start < ? AND m.\"end\" > ? AND e.type = ?", (h["doc"], h["end"], h["start"], t)
                          ).fetchone()[0]
            assert n, h
    with pytest.raises(UsageError):
        search(seeds_db, "x", since="last tuesday")
    with pytest.raises(UsageError):
        search(seeds_db, "x", type_="DANCE")


def test_search_index_is_extended_when_documents_are_added(tmp_path):
    from dossier import search as s

    seeds = shared("corpus", "seeds")
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    for p in sorted(seeds.iterdir()):
        shutil.copy(p, first if p.name < "003" else second)
    db = str(tmp_path / "grow.db")
    assert run_cli("ingest", str(first), "--db", db, "--stages", "clean,meta,nlp", "-q").returncode == 0
    assert s.refresh(db)["action"] == "built"
    assert not any("Gulf Coast" in h["text"] for h in s.search(db, "Gulf Coast refineries"))
    assert run_cli("ingest", str(second), "--db", db, "--stages", "clean,meta,nlp", "-q").returncode == 0
    grown = s.search(db, "Gulf Coast refineries heavy crude", limit=10)  # refreshes first
    assert any("Gulf Coast" in h["text"] for h in grown)
    meta = json.loads((tmp_path / "grow.db.search" / "meta.json").read_text())
    assert meta["n"] == sqlite3.connect(db).execute(
        "SELECT count(*) FROM annotations WHERE kind = 'sentences'").fetchone()[0]
    assert s.refresh(db)["action"] == "current"
    assert s.refresh(db, rebuild=True)["action"] == "built"
    s._CACHE.clear()
    rebuilt = s.search(db, "Gulf Coast refineries heavy crude", limit=10)
    assert [(h["doc"], h["start"], h["score"]) for h in rebuilt] == [(h["doc"], h["start"], h["score"]) for h in grown]


def test_fts_index_follows_the_sentences(tmp_path):
    from dossier.store import Store

    seeds = shared("corpus", "seeds")
    db = str(tmp_path / "fts.db")
    assert run_cli("ingest", str(seeds / SEED_002), "--db", db, "--stages", "clean,meta,nlp", "-q").returncode == 0
    with Store.open(db) as store:
        c = store.conn
        n = c.execute("SELECT count(*) FROM sentences_fts WHERE sentences_fts MATCH 'lavrov'").fetchone()[0]
        assert n == 1
        c.execute("DELETE FROM annotations WHERE kind = 'sentences' AND text LIKE '%Lavrov%'")
        assert c.execute("SELECT count(*) FROM sentences_fts WHERE sentences_fts MATCH 'lavrov'").fetchone()[0] == 0
        c.execute("INSERT INTO sentences_fts (sentences_fts) VALUES ('integrity-check')")
    assert run_cli("reprocess", "--db", db, "-q").returncode == 0
    with Store.open(db) as store:
        store.conn.execute("INSERT INTO sentences_fts (sentences_fts) VALUES ('integrity-check')")


def test_search_command(seeds_db):
    r = run_cli("search", "officials talks Venezuela", "--db", seeds_db, "--until", "2022", "--json")
    assert r.returncode == 0, r.stderr.decode()
    hits = json.loads(r.stdout)
    assert hits and all(h["date"] <= "2022-12-31" for h in hits)
    r = run_cli("search", "Russia cooperation", "--db", seeds_db, "-n", "3", env={"COLUMNS": "200"})
    assert r.returncode == 0
    assert "Izvestia" in r.stdout.decode()
    r = run_cli("search", "Russia", "--db", seeds_db, "--since", "someday")
    assert r.returncode == 2 and r.stderr.decode().startswith("error: --since")
    r = run_cli("search", "Russia", "--db", str(SHARED / "no-such.db"))
    assert r.returncode != 0 and "error:" in r.stderr.decode() and "Traceback" not in r.stderr.decode()


# -- ask ----------------------------------------------------------------------------------------------------------

def test_ask_cites_izvestia_for_the_russian_reaction(seeds_db):
    from dossier.search import ask

    res = ask(seeds_db, "What did Russia say about the US capture of Maduro?")
    assert res["claims"] and res["answer"]
    src = _sources(seeds_db)
    from_002 = [c for c in res["claims"] if any(src[x["doc"]] == SEED_002 for x in c["citations"])]
    assert from_002, res["answer"]
    assert any("Russia" in c["text"] for c in from_002)  # the Russian reaction, from the Russian paper
    for c in res["claims"]:
        assert c["independent_sources"] >= 1
        for x in c["citations"]:
            assert {"doc", "start", "end", "text", "outlet", "date", "title"} <= set(x)
    assert any(e["name"] == "Russia" for e in res["entities"])


def test_ask_counts_copies_once(seeds_db):
    from dossier.search import ask

    res = ask(seeds_db, "Why did US officials travel to Venezuela, a Russian ally?")
    groups = {}
    with sqlite3.connect(seeds_db) as c:
        for i, v in c.execute("SELECT id, coalesce(version_of, id) FROM documents"):
            groups[i] = v
    merged = [c for c in res["claims"] if len(c["citations"]) > 1]
    assert merged, "the Reuters story and its Jakarta Post copy should merge into one claim"
    for c in merged:
        assert c["independent_sources"] == len({groups[x["doc"]] for x in c["citations"]}) == 1


def test_ask_command(seeds_db):
    r = run_cli("ask", "What did Russia say about the US capture of Maduro?", "--db", seeds_db,
                env={"COLUMNS": "200"})
    assert r.returncode == 0, r.stderr.decode()
    text = r.stdout.decode()
    assert "Izvestia" in text and "Russia" in text and "independent source" in text
    r = run_cli("ask", "What did Russia say?", "--db", seeds_db, "--llm")
    assert r.returncode == 2 and "--llm-endpoint" in r.stderr.decode()
