"""Ingest of every input format, the real corpora, idempotence, duplicates and kill-and-resume."""

from __future__ import annotations

import gzip
import json
import os
import random
import signal
import string
import subprocess
import time
import unicodedata

import pytest

import dossier
from dossier.ingest import read

from .conftest import EXAMPLES, run_cli, shared


def docs_of(db):
    with dossier.open(db) as store:
        return list(store.documents())


def test_examples_every_format(db):
    report = dossier.ingest([str(EXAMPLES)], db=db)
    assert (report.stored, report.duplicates, dict(report.rejected)) == (
        15, 0, {"WARC record is not an HTML page": 1})
    docs = {d.source.removeprefix(str(EXAMPLES) + "/"): d for d in docs_of(db)}
    assert {d.format for d in docs.values()} == {"text", "html", "jsonl", "warc", "feed"}
    jl = [d for s, d in docs.items() if s.startswith("feed.jsonl#L")]
    assert len(jl) == 5 and all(d.input_id and d.published.date and d.published.basis == "metadata" for d in jl)
    assert any("section" in d.metadata for d in jl)
    html_line = next(d for d in jl if d.source.endswith("#L5"))          # the line that gives "html", not "text"
    assert "<" not in html_line.text and len(html_line.text) > 200
    feed = [d for s, d in docs.items() if s.startswith("feed.rss#")]
    assert len(feed) == 3 and all(d.url and d.title and d.authors and d.published.date for d in feed)
    warc = [d for s, d in docs.items() if s.startswith("crawl.warc.gz#")]
    assert sorted(d.source.rsplit("#", 1)[1] for d in warc) == ["1", "3"]
    assert all(d.url.startswith("http") and d.metadata.get("warc_date") for d in warc)
    page = next(d for s, d in docs.items() if s.startswith("html/"))
    assert page.title and "<" not in page.text and page.published.date == "2025-03-10"
    assert "cookie" not in page.text.lower()
    plain = docs["relative_dates.txt"]
    assert plain.published.date is None and plain.format == "text"


def test_sources_keep_the_path_as_given(db, tmp_path, monkeypatch):
    monkeypatch.chdir(EXAMPLES.parent)
    dossier.ingest(["examples/wire"], db=db)
    assert sorted(d.source for d in docs_of(db)) == sorted(
        f"examples/wire/{f}" for f in os.listdir(EXAMPLES / "wire"))


def test_glob_and_gzip(db, tmp_path):
    src = EXAMPLES / "feed.jsonl"
    with gzip.open(tmp_path / "feed.jsonl.gz", "wb") as fh:
        fh.write(src.read_bytes())
    (tmp_path / "note.txt.gz").write_bytes(gzip.compress(b"The ministry said output rose 3% in March."))
    report = dossier.ingest([str(tmp_path / "*.gz")], db=db)
    assert report.stored == 6
    assert {d.format for d in docs_of(db)} == {"jsonl", "text"}
    # the same articles plain: duplicates of what the gzip gave, not new documents
    again = dossier.ingest([str(src)], db=db)
    assert (again.stored, again.duplicates) == (0, 5)
    with dossier.open(db) as store:
        row = store.conn.execute("SELECT reason FROM inputs WHERE source = ?", (f"{src}#L3",)).fetchone()
    assert row["reason"].startswith("same content as ") and row["reason"].endswith("#L3")


def test_no_match_for_glob_is_reported(db, tmp_path):
    items = list(read([str(tmp_path / "nothing-*.txt")]))
    assert len(items) == 1 and "no file matches" in str(items[0])


def test_content_decides_over_extension(db, tmp_path):
    (tmp_path / "page.txt").write_text("<!doctype html><html><head><title>Oil talks</title></head><body><article>"
                                       "<p>" + "Ministers met in Vienna on Monday to discuss output. " * 8 +
                                       "</p></article></body></html>")
    (tmp_path / "lines.dat").write_text('{"text": "Brent rose 2% on Friday after the OPEC meeting."}\n')
    dossier.ingest([str(tmp_path)], db=db)
    by = {os.path.basename(d.source): d for d in docs_of(db)}
    assert by["page.txt"].format == "html" and "<" not in by["page.txt"].text
    assert by["lines.dat#L1"].format == "jsonl"


def test_seeds(db):
    report = dossier.ingest([str(shared("corpus", "seeds"))], db=db)
    assert report.stored == 5 and not report.rejected
    docs = docs_of(db)
    assert all(d.text and d.format == "text" and d.stages[:3] == ["ingest", "clean", "meta"] for d in docs)
    assert all({"dedup", "stories"} <= set(d.stages) for d in docs)
    raw = {f: (shared("corpus", "seeds") / f).read_text() for f in os.listdir(shared("corpus", "seeds"))}
    for d in docs:  # nothing lost silently: every line of the input is in the text or recorded as removed
        text = unicodedata.normalize("NFC", raw[os.path.basename(d.source)])
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        gone = " ".join(r.text for r in d.removed)
        drop_caps = [c.detail for c in d.changes if c.kind == "drop_cap"]
        for ln in lines:
            split = any(ln.startswith(r.text) and ln[len(r.text):].strip() in d.text for r in d.removed)
            capped = bool(drop_caps) and (len(ln) == 1 or any((c + ln)[:40] in d.text for c in string.ascii_uppercase))
            assert ln in d.text or ln in gone or split or capped, ln
        assert all(r.reason and 0 <= r.at <= len(d.text) for r in d.removed)


def test_guardian_clean_bodies_untouched(db):
    path = shared("corpus", "guardian", "guardian.jsonl")
    report = dossier.ingest([str(path)], db=db, stages=["clean", "meta"])  # what ingest and cleaning do to the text
    assert report.stored == 233 and not report.rejected and not report.duplicates
    originals = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    docs = docs_of(db)
    assert [d.text for d in docs] == [o["text"].strip() for o in originals]
    assert all(not d.changes and d.outlet == "The Guardian" and d.published.date for d in docs)
    assert [d.input_id for d in docs] == [o["id"] for o in originals]


def test_india_police_mojibake_repaired_and_recorded(db):
    path = shared("corpus", "india_police", "india_police.jsonl")
    report = dossier.ingest([str(path)], db=db, stages=["clean", "meta"])  # decoding and repair happen in ingest
    assert report.stored == 591 and not report.rejected
    docs = docs_of(db)
    repaired = [d for d in docs if any(c.kind == "mojibake" for c in d.changes)]
    assert len(repaired) == 240  # shared/corpus/README.md: 240 articles hold a mojibake sequence
    assert not any("â€" in d.text or "Â " in d.text for d in docs)
    assert any("’" in d.text for d in repaired)
    with dossier.open(db) as store:  # the raw input keeps the mojibake, byte for byte
        item = store.raw_item(repaired[0].id, repaired[0].source)
    assert "â€" in item.content.decode("utf-8") or "Â" in item.content.decode("utf-8")


def test_ids_stable_across_stores(tmp_path):
    a, b = str(tmp_path / "a.db"), str(tmp_path / "b.db")
    dossier.ingest([str(EXAMPLES)], db=a)
    dossier.ingest([str(EXAMPLES / "feed.jsonl"), str(EXAMPLES)], db=b)
    assert {(d.id, d.text) for d in docs_of(a)} == {(d.id, d.text) for d in docs_of(b)}


def test_reingest_adds_nothing(db):
    first = dossier.ingest([str(EXAMPLES)], db=db)
    before = [(d.id, d.source, d.text) for d in docs_of(db)]
    second = dossier.ingest([str(EXAMPLES)], db=db)
    assert (second.stored, second.unchanged, second.duplicates) == (0, first.stored, 0)
    assert [(d.id, d.source, d.text) for d in docs_of(db)] == before


# The resume tests check ingest's own mechanics (commits, ids, outcomes): the cheap stages are enough, and keep them
# quick enough to kill at random points many times over.
MECHANICS = ("--stages", "clean,meta")


def _corpus(path, n: int) -> None:
    """n distinct articles from the Guardian corpus (cycled, with a counter to keep them apart)."""
    src = [json.loads(line) for line in shared("corpus", "guardian", "guardian.jsonl").read_text().splitlines()]
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            a = src[i % len(src)]
            fh.write(json.dumps({"id": f"{a['id']}-{i}", "date": a["date"], "outlet": a["outlet"],
                                 "text": f"{a['text']} [copy {i}]"}) + "\n")
    with open(os.path.join(os.path.dirname(path), "bad.jsonl"), "w") as fh:
        fh.write('{"text": "One good line about oil."}\nnot json\n{"title": "no text"}\n')


def _state(db):
    with dossier.open(db) as store:
        docs = sorted(tuple(r) for r in store.conn.execute("SELECT id, source, text FROM documents"))
        inputs = sorted(tuple(r) for r in store.conn.execute("SELECT source, outcome, document_id, reason FROM inputs"))
    return docs, inputs


@pytest.mark.slow
def test_kill_and_resume_gives_exactly_a_clean_run(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _corpus(corpus / "articles.jsonl", 4000)
    clean_db = str(tmp_path / "clean.db")
    assert run_cli("ingest", str(corpus), "--db", clean_db, "-q", *MECHANICS).returncode == 0
    expected = _state(clean_db)
    assert len(expected[0]) == 4001

    db = str(tmp_path / "killed.db")
    rng = random.Random(7)
    exe = run_cli.__globals__["DOSSIER"]
    kills = 0
    for _ in range(4):  # kill -9 at random points, several times over
        p = subprocess.Popen([str(exe), "ingest", str(corpus), "--db", db, "-q", "--batch-size", "50", *MECHANICS],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(600):  # the kill falls while ingesting: once the store exists (start-up time varies)
            if os.path.exists(db) or p.poll() is not None:
                break
            time.sleep(0.1)
        time.sleep(rng.uniform(0.2, 1.2))
        if p.poll() is None:
            p.send_signal(signal.SIGKILL)
            kills += 1
        p.wait()
    assert kills >= 1
    partial = _state(db)[0]
    assert len(partial) < 4001 or kills < 4
    final = run_cli("ingest", str(corpus), "--db", db, "-q", *MECHANICS)
    assert final.returncode == 0
    assert _state(db) == expected


def test_ctrl_c_keeps_what_was_stored(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _corpus(corpus / "articles.jsonl", 3000)
    db = str(tmp_path / "int.db")
    p = subprocess.Popen([str(run_cli.__globals__["DOSSIER"]), "ingest", str(corpus), "--db", db, "-q", *MECHANICS],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    for _ in range(600):  # interrupt while ingesting: once the store exists (start-up time varies)
        if os.path.exists(db) or p.poll() is not None:
            break
        time.sleep(0.1)
    time.sleep(0.5)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=60)
    if p.returncode == 130:
        assert b"interrupted" in err
        with dossier.open(db) as store:
            assert store.conn.execute("SELECT status FROM runs").fetchone()[0] == "interrupted"
    assert run_cli("ingest", str(corpus), "--db", db, "-q", *MECHANICS).returncode == 0
    assert len(_state(db)[0]) == 3001


def test_atom_feed(db, tmp_path):
    (tmp_path / "news.atom").write_text("""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Energy Desk</title>
  <entry><title>Refinery restarts</title><link href="https://desk.example/a1"/><id>urn:a1</id>
    <updated>2025-03-02T08:00:00Z</updated><author><name>J. Doe</name></author>
    <content type="html">&lt;p&gt;The refinery restarted on Sunday after a two-week outage.&lt;/p&gt;</content></entry>
  <entry><title>No body</title><id>urn:a2</id><updated>2025-03-03T08:00:00Z</updated></entry>
</feed>
""")
    report = dossier.ingest([str(tmp_path / "news.atom")], db=db)
    assert report.stored == 1 and dict(report.rejected) == {"feed entry has no content": 1}
    [doc] = docs_of(db)
    assert (doc.format, doc.title, doc.url, doc.authors, doc.outlet) == (
        "feed", "Refinery restarts", "https://desk.example/a1", ["J. Doe"], "Energy Desk")
    assert doc.published.date == "2025-03-02" and doc.text.startswith("The refinery restarted")
    assert doc.source.endswith("news.atom#1") and doc.metadata["entry_id"] == "urn:a1"
