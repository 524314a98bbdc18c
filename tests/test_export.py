"""The export contract (../shared/spec/export.md): files, manifest, invariants, stable ids."""

from __future__ import annotations

import json

import dossier
from dossier.export import FILES

from .conftest import EXAMPLES

DOC_FIELDS = {"id", "source", "input_id", "url", "outlet", "title", "authors", "language", "translated_from",
              "published", "text", "removed", "version_of", "story"}


def read_jsonl(path):
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert raw == b"" or raw.endswith(b"\n")
    return [json.loads(line) for line in raw.decode("utf-8").split("\n")[:-1]]


def test_export_writes_the_contract(db, tmp_path):
    dossier.ingest([str(EXAMPLES)], db=db)
    out = tmp_path / "out"
    manifest = dossier.export(db, str(out))
    on_disk = json.loads((out / "manifest.json").read_text())
    assert on_disk == manifest
    assert manifest["format"] == "dossier-export" and manifest["version"] == "1.0"
    assert manifest["generator"]["name"] == "dossier" and manifest["created"].endswith("Z")
    assert manifest["stages"][:3] == ["ingest", "clean", "meta"] and manifest["stages"][-1] == "stories"
    assert "dedup" in manifest["stages"]
    assert set(manifest["counts"]) == set(FILES)
    assert manifest["stages"] == ["ingest", "clean", "meta", "dedup", "nlp", "actors", "timex", "quantities",
                                  "events", "stories"]
    for name in FILES:
        rows = read_jsonl(out / name)
        assert len(rows) == manifest["counts"][name]
    docs = read_jsonl(out / "documents.jsonl")
    text = {d["id"]: d["text"] for d in docs}

    def holds(span):
        body = text[span["doc"]]
        return 0 <= span["start"] <= span["end"] <= len(body) and body[span["start"]:span["end"]] == span["text"]

    for name in ("times.jsonl", "quantities.jsonl", "mentions.jsonl"):  # every span is exactly the text it points at
        rows = read_jsonl(out / name)
        assert rows and len({r["id"] for r in rows}) == len(rows)
        assert all(holds(r) for r in rows), name
    events = read_jsonl(out / "events.jsonl")
    entities = {e["id"] for e in read_jsonl(out / "entities.jsonl")}
    assert events and all(e["mentions"] and all(holds(m) for m in e["mentions"]) for e in events)
    assert all(s["span"] is None or holds(s["span"]) for e in events for s in e["said_by"])
    assert all(e[side][k] in entities for e in events for side in ("source", "target") for k in ("entity", "acts_for")
               if e[side].get(k))
    assert len(docs) == 15 and len({d["id"] for d in docs}) == 15
    for d in docs:
        assert set(d) >= DOC_FIELDS
        assert set(d["published"]) == {"date", "after", "before", "basis"}
        assert not (d["published"]["date"] and (d["published"]["after"] or d["published"]["before"]))
        for r in d["removed"]:
            assert "at" not in r or 0 <= r["at"] <= len(d["text"])
    assert not list(out.glob("*.tmp"))


def test_reexport_and_reingest_keep_ids(db, tmp_path):
    dossier.ingest([str(EXAMPLES)], db=db)
    dossier.export(db, str(tmp_path / "a"))
    dossier.export(db, str(tmp_path / "b"))
    other = str(tmp_path / "other.db")
    dossier.ingest([str(EXAMPLES)], db=other)
    dossier.export(other, str(tmp_path / "c"))
    ids = [[d["id"] for d in read_jsonl(tmp_path / x / "documents.jsonl")] for x in "abc"]
    assert ids[0] == ids[1] == ids[2]


def test_export_of_empty_store(db, tmp_path):
    dossier.open(db, create=True).close()
    manifest = dossier.export(db, str(tmp_path / "out"))
    assert manifest["counts"]["documents.jsonl"] == 0 and manifest["stages"] == []


def test_export_with_parquet_and_graphml(seeds_store, tmp_path):
    import networkx as nx
    import pyarrow.parquet as pq

    from .conftest import run_cli

    out = tmp_path / "out"
    r = run_cli("export", str(out), "--db", seeds_store["db"], "--parquet", "--graphml")
    assert r.returncode == 0, r.stderr.decode()
    manifest = json.loads((out / "manifest.json").read_text())
    for name in ("documents", "entities", "events"):
        assert pq.read_table(out / "parquet" / f"{name}.parquet").num_rows == manifest["counts"][f"{name}.jsonl"]
    g = nx.read_graphml(out / "actors.graphml")
    assert g.number_of_nodes() > 0 and g.number_of_edges() > 0
