"""Parquet export: one file per table, read back with pyarrow, row counts equal to the store's."""

from __future__ import annotations

import sqlite3

import pytest

from tests.test_search import build_seeds


@pytest.fixture(scope="session")
def seeds_db(tmp_path_factory) -> str:
    return build_seeds(tmp_path_factory)


def test_parquet_files_read_back_with_the_stores_row_counts(seeds_db, tmp_path):
    import pyarrow.parquet as pq

    from dossier.export.parquet import write_parquet

    counts = write_parquet(seeds_db, str(tmp_path / "pq"))
    expected = {
        "documents": "SELECT count(*) FROM documents",
        "sentences": "SELECT count(*) FROM annotations WHERE kind = 'sentences'",
        "times": "SELECT count(*) FROM times",
        "quantities": "SELECT count(*) FROM quantities",
        "entities": "SELECT count(*) FROM entities",
        "mentions": "SELECT count(*) FROM entity_mentions",
        "events": "SELECT count(*) FROM events WHERE reports > 0",
        "event_mentions": "SELECT count(*) FROM event_mentions",
        "stories": "SELECT count(*) FROM stories",
        "sources": "SELECT count(DISTINCT coalesce(outlet, '(unknown)')) FROM documents",
    }
    with sqlite3.connect(seeds_db) as c:
        for name, sql in expected.items():
            n = c.execute(sql).fetchone()[0]
            assert counts[name] == n, name
            table = pq.read_table(tmp_path / "pq" / f"{name}.parquet")
            assert table.num_rows == n, name
        assert counts["entities"] > 0 and counts["events"] > 0 and counts["sentences"] > 0
        docs = pq.read_table(tmp_path / "pq" / "documents.parquet").to_pylist()
        row = c.execute("SELECT id, text, published_date, coalesce(version_of, id) FROM documents "
                        "ORDER BY rowid").fetchall()
        assert [(d["id"], d["text"], d["published_date"], d["version_group"]) for d in docs] == [tuple(r) for r in row]
    q = pq.read_table(tmp_path / "pq" / "quantities.parquet")
    assert str(q.schema.field("value").type) == "double"  # integers and reals in one column stay numbers
    ev = pq.read_table(tmp_path / "pq" / "events.parquet").to_pylist()
    assert all(e["independent_sources"] >= 1 for e in ev)


def test_parquet_of_an_empty_store_and_unknown_tables(tmp_path):
    import pyarrow.parquet as pq

    from dossier.export.parquet import ExportError, write_parquet
    from dossier.store import Store

    db = str(tmp_path / "empty.db")
    Store.open(db).close()
    counts = write_parquet(db, str(tmp_path / "out"))
    assert counts["documents"] == 0
    assert pq.read_table(tmp_path / "out" / "documents.parquet").num_rows == 0
    with pytest.raises(ExportError):
        write_parquet(db, str(tmp_path / "out"), tables=["nope"])
