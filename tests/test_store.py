"""The store: migrations, pragmas, raw inputs kept, reprocess from the store alone."""

from __future__ import annotations

import sqlite3
import zlib
from pathlib import Path

import pytest

import dossier
from dossier.errors import StoreError
from dossier.store import Store
from dossier.store.migrations import MIGRATIONS

from .conftest import EXAMPLES


def test_migrations_applied_once_in_order(db):
    with Store.open(db) as s:
        names = [n for n, _ in s.migrations()]
        assert names == [n for n, _ in MIGRATIONS]
        assert s.migrate() == []  # nothing left to do
    with Store.open(db) as s:
        assert [n for n, _ in s.migrations()] == names


def test_wal_and_foreign_keys(db):
    with Store.open(db) as s:
        assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert s.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        with pytest.raises(sqlite3.IntegrityError):
            s.conn.execute("INSERT INTO raw VALUES ('dnope', 'text', 'text', '{}', x'00')")


def test_refuses_foreign_sqlite_and_newer_store(tmp_path):
    other = tmp_path / "other.db"
    c = sqlite3.connect(other)
    c.execute("CREATE TABLE t (x)")
    c.commit()
    c.close()
    with pytest.raises(StoreError, match="not a Dossier store"):
        Store.open(str(other))
    newer = str(tmp_path / "newer.db")
    Store.open(newer).close()
    c = sqlite3.connect(newer)
    c.execute("INSERT INTO _dossier_migrations VALUES ('999_future', 'now')")
    c.commit()
    c.close()
    with pytest.raises(StoreError, match="newer Dossier"):
        Store.open(newer)


def test_raw_input_kept_compressed(db):
    dossier.ingest([str(EXAMPLES / "html")], db=db)
    with dossier.open(db) as s:
        doc = next(s.documents())
        blob = s.conn.execute("SELECT content FROM raw WHERE document_id = ?", (doc.id,)).fetchone()[0]
        page = next((EXAMPLES / "html").iterdir()).read_bytes()
        assert zlib.decompress(blob) == page and len(blob) < len(page)


def test_reprocess_from_the_store_alone(db):
    dossier.ingest([str(EXAMPLES)], db=db)
    with dossier.open(db) as s:
        before = {d.id: (d.text, d.title, d.published) for d in s.documents()}
        s.conn.execute("UPDATE documents SET text = 'damaged', title = NULL")
    counts = dossier.reprocess(db)
    assert counts == {"updated": len(before), "failed": 0}
    with dossier.open(db) as s:
        assert {d.id: (d.text, d.title, d.published) for d in s.documents()} == before
        assert s.conn.execute("SELECT status FROM runs WHERE command = 'reprocess'").fetchone()[0] == "done"


def test_failed_input_changes_nothing_stored(db, tmp_path):
    dossier.ingest([str(EXAMPLES / "wire")], db=db)
    with dossier.open(db) as s:
        before = sorted(tuple(r) for r in s.conn.execute("SELECT id, text, updated FROM documents"))
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "bad.jsonl").write_text("{broken\n")
    (bad / "img.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (bad / "copy.db").write_bytes(Path(db).read_bytes())  # a store is binary, not an article
    report = dossier.ingest([str(bad)], db=db)
    assert report.stored == 0 and dict(report.rejected) == {"not valid JSON": 1, "binary input": 2}
    with dossier.open(db) as s:
        assert sorted(tuple(r) for r in s.conn.execute("SELECT id, text, updated FROM documents")) == before
