"""The store: one SQLite file (WAL, foreign keys on), its schema made by named migrations.

The store is the single writer: pipeline workers hand it finished documents, and :class:`Writer` commits them in
batches, each batch one transaction holding the documents, their raw inputs and the outcome of every input. A run
killed at any point loses at most the batch in flight, and running it again redoes exactly that.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from ..document import Change, Document, Item, Published, Removed
from ..errors import StoreError
from . import facts
from .migrations import MIGRATIONS

DEFAULT_DB = "dossier.db"
MIGRATIONS_TABLE = "_dossier_migrations"
RAW_LEVEL = 1  # zlib level for raw inputs: level 6 took 30% of ingest time for 15% less space


def now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction (BEGIN IMMEDIATE ... COMMIT), rolled back on any exception, Ctrl-C included."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def resolve_db(db: str | os.PathLike | None) -> str:
    return os.fspath(db) if db else os.environ.get("DOSSIER_DB") or DEFAULT_DB


class Store:
    def __init__(self, conn: sqlite3.Connection, path: str):
        self.conn = conn
        self.path = path

    @classmethod
    def open(cls, db: str | os.PathLike | None = None, *, create: bool = True) -> Store:
        path = resolve_db(db)
        if not create and not os.path.exists(path):
            raise StoreError(f"{path}: no such store (run 'dossier ingest' first, or pass --db)")
        if os.path.isdir(path):
            raise StoreError(f"{path}: is a folder, not a store file")
        try:
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=10000")
            store = cls(conn, path)
            store.migrate()
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{path}: not a Dossier store ({e})") from e
        return store

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- schema --------------------------------------------------------------------------------------------------
    def migrate(self) -> list[str]:
        c = self.conn
        tables = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if tables and MIGRATIONS_TABLE not in tables:
            raise StoreError(f"{self.path}: an SQLite file, but not a Dossier store (tables: "
                             f"{', '.join(sorted(tables))[:80]})")
        c.execute(f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} (name TEXT PRIMARY KEY, applied TEXT NOT NULL)")
        done = {r[0] for r in c.execute(f"SELECT name FROM {MIGRATIONS_TABLE}")}
        known = {name for name, _ in MIGRATIONS}
        if done - known:
            raise StoreError(f"{self.path}: made by a newer Dossier (unknown migrations: "
                             f"{', '.join(sorted(done - known))})")
        applied = []
        for name, fn in MIGRATIONS:
            if name in done:
                continue
            with transaction(c):
                fn(c)
                c.execute(f"INSERT INTO {MIGRATIONS_TABLE} VALUES (?, ?)", (name, now()))
            applied.append(name)
        return applied

    def migrations(self) -> list[tuple[str, str]]:
        return [tuple(r) for r in self.conn.execute(f"SELECT name, applied FROM {MIGRATIONS_TABLE} ORDER BY name")]

    # -- reading -------------------------------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        c = self.conn
        names = [r[0] for r in c.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {n: c.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}

    def outcomes(self) -> dict[str, int]:
        return dict(self.conn.execute("SELECT outcome, count(*) FROM inputs GROUP BY outcome").fetchall())

    def rejections(self, limit: int = 1000) -> list[sqlite3.Row]:
        return self.conn.execute("SELECT source, reason FROM inputs WHERE outcome='rejected' ORDER BY source LIMIT ?",
                                 (limit,)).fetchall()

    def documents(self, chunk: int = 500) -> Iterator[Document]:
        """All documents in ingest order, read in chunks (memory flat)."""
        last = 0
        while True:
            rows = self.conn.execute("SELECT rowid, * FROM documents WHERE rowid > ? ORDER BY rowid LIMIT ?",
                                     (last, chunk)).fetchall()
            if not rows:
                return
            for r in rows:
                yield row_to_document(r)
            last = rows[-1]["rowid"]

    def document(self, ref: str) -> Document | None:
        """A document by id, id prefix, or source."""
        c = self.conn
        row = c.execute("SELECT * FROM documents WHERE id = ? OR source = ?", (ref, ref)).fetchone()
        if row is None and len(ref) >= 4:
            prefix = ref.replace("%", "").replace("_", "") + "%"
            rows = c.execute("SELECT * FROM documents WHERE id LIKE ? LIMIT 2", (prefix,)).fetchall()
            row = rows[0] if len(rows) == 1 else None
        return row_to_document(row) if row else None

    def raw_item(self, doc_id: str, source: str) -> Item:
        r = self.conn.execute("SELECT * FROM raw WHERE document_id = ?", (doc_id,)).fetchone()
        if r is None:
            raise StoreError(f"{self.path}: document {doc_id} has no raw input kept")
        return Item(source=source, format=r["format"], content=zlib.decompress(r["content"]),
                    given=json.loads(r["given"]), media=r["media"])

    def document_count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM documents").fetchone()[0]

    # -- versions and storylines (the dedup and stories stages) ------------------------------------------------
    def versions(self, doc_id: str) -> list[str]:
        """Ids of the documents in the version group of ``doc_id`` (itself included), canonical first."""
        c = self.conn
        row = c.execute("SELECT id, version_of FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            return []
        canon = row["version_of"] or row["id"]
        rest = [r[0] for r in c.execute("SELECT id FROM documents WHERE version_of = ? ORDER BY id", (canon,))]
        return [canon, *rest]

    def independent_sources(self, doc_ids) -> int:
        """Number of independent sources among these documents: versions of one wire story count once."""
        groups = set()
        ids = list(dict.fromkeys(doc_ids))
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            marks = ",".join("?" * len(chunk))
            for r in self.conn.execute(f"SELECT id, version_of FROM documents WHERE id IN ({marks})", chunk):
                groups.add(r["version_of"] or r["id"])
        return len(groups)

    def stories(self, chunk: int = 200) -> Iterator[dict]:
        """Every storyline, in order of first day then id, streamed (see dossier.stories.story_line)."""
        from ..stories import iter_stories

        yield from iter_stories(self, chunk)

    def story(self, story_id: str) -> dict | None:
        from ..stories import story_line

        return story_line(self, story_id)

    # -- writing -------------------------------------------------------------------------------------------------
    def writer(self, batch_size: int = 500, command: str = "ingest", max_seconds: float = 5.0) -> Writer:
        return Writer(self, batch_size, command, max_seconds)


_DOC_COLUMNS = ("id", "hash", "source", "format", "input_id", "url", "outlet", "title", "authors", "language",
                "translated_from", "published_date", "published_after", "published_before", "published_basis",
                "text", "removed", "changes", "metadata", "version_of", "story", "stages", "run_id", "ingested",
                "updated")


def _dumps(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


def document_row(doc: Document, run_id: int | None, stamp: str) -> tuple:
    p = doc.published
    return (doc.id, doc.hash, doc.source, doc.format, None if doc.input_id is None else _dumps(doc.input_id),
            doc.url, doc.outlet, doc.title, _dumps(doc.authors), doc.language, doc.translated_from,
            p.date, p.after, p.before, p.basis, doc.text,
            _dumps([{"text": r.text, "reason": r.reason, **({"at": r.at} if r.at is not None else {})}
                    for r in doc.removed]),
            _dumps([{"kind": c.kind, "detail": c.detail} for c in doc.changes]),
            _dumps(doc.metadata), doc.version_of, doc.story, _dumps(doc.stages), run_id, stamp, stamp)


def row_to_document(r: sqlite3.Row) -> Document:
    return Document(
        id=r["id"], hash=r["hash"], source=r["source"], format=r["format"],
        input_id=None if r["input_id"] is None else json.loads(r["input_id"]),
        url=r["url"], outlet=r["outlet"], title=r["title"], authors=json.loads(r["authors"]),
        language=r["language"], translated_from=r["translated_from"],
        published=Published(r["published_date"], r["published_after"], r["published_before"], r["published_basis"]),
        text=r["text"], removed=[Removed(x["text"], x["reason"], x.get("at")) for x in json.loads(r["removed"])],
        changes=[Change(x["kind"], x["detail"]) for x in json.loads(r["changes"])],
        metadata=json.loads(r["metadata"]), version_of=r["version_of"], story=r["story"],
        stages=json.loads(r["stages"]))


class Writer:
    """Batches documents and input outcomes; one transaction per batch. Use as a context manager: leaving it
    commits what is pending (also on Ctrl-C) and closes the run record."""

    def __init__(self, store: Store, batch_size: int, command: str, max_seconds: float):
        self.store, self.batch_size, self.max_seconds = store, max(1, batch_size), max_seconds
        self.docs: list[tuple] = []
        self.raws: list[tuple] = []
        self.inputs: dict[str, tuple] = {}
        self.pending: dict[str, str] = {}  # doc id -> source, for documents not yet committed
        self.updates: list[Document] = []
        self.annotated: list[Document] = []  # documents whose per-document features corpus stages persist
        self.summary: Callable[[], dict] | None = None
        self.last_flush = time.monotonic()
        c = store.conn
        self.run_id = c.execute("INSERT INTO runs (command, started) VALUES (?, ?)", (command, now())).lastrowid

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        status = "done" if exc_type is None else ("interrupted" if issubclass(exc_type, KeyboardInterrupt)
                                                  else "failed")
        if exc_type is None or not issubclass(exc_type, sqlite3.Error):
            self.flush()
        summary = _dumps(self.summary()) if self.summary else None
        self.store.conn.execute("UPDATE runs SET finished = ?, status = ?, summary = ? WHERE id = ?",
                                (now(), status, summary, self.run_id))

    def known(self, doc_id: str) -> str | None:
        """The source of the stored (or pending) document with this id, or None."""
        if doc_id in self.pending:
            return self.pending[doc_id]
        row = self.store.conn.execute("SELECT source FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return row[0] if row else None

    def record(self, source: str, outcome: str, doc_id: str | None, reason: str | None = None) -> None:
        self.inputs[source] = (source, outcome, doc_id, reason, self.run_id, now())
        self._maybe_flush()

    def add(self, doc: Document, item: Item) -> None:
        stamp = now()
        self.docs.append(document_row(doc, self.run_id, stamp))
        self.raws.append((doc.id, item.format, item.media, _dumps(item.given), zlib.compress(item.content, RAW_LEVEL)))
        self.pending[doc.id] = doc.source
        self.inputs[item.source] = (item.source, "stored", doc.id, None, self.run_id, stamp)
        if doc.annotations:
            self.annotated.append(doc)
        self._maybe_flush()

    def update(self, doc: Document) -> None:
        """Replace the derived fields of a stored document (reprocess)."""
        self.updates.append(doc)
        if doc.annotations:
            self.annotated.append(doc)
        self._maybe_flush()

    def _maybe_flush(self) -> None:
        n = len(self.docs) + len(self.updates) + len(self.inputs)
        if n >= self.batch_size or (n and time.monotonic() - self.last_flush > self.max_seconds):
            self.flush()

    def flush(self) -> None:
        if not (self.docs or self.inputs or self.updates):
            return
        c = self.store.conn
        with transaction(c):
            c.executemany(f"INSERT OR IGNORE INTO documents ({', '.join(_DOC_COLUMNS)}) VALUES "
                          f"({', '.join('?' * len(_DOC_COLUMNS))})", self.docs)
            c.executemany("INSERT OR IGNORE INTO raw VALUES (?, ?, ?, ?, ?)", self.raws)
            stamp = now()
            for doc in self.updates:
                row = document_row(doc, self.run_id, stamp)
                cols = _DOC_COLUMNS[4:-3]  # derived fields only: never id, hash, source, format, run, ingest time
                values = row[4:-3]
                c.execute(f"UPDATE documents SET {', '.join(f'{k} = ?' for k in cols)}, updated = ? WHERE id = ?",
                          (*values, stamp, doc.id))
            c.executemany("INSERT OR REPLACE INTO inputs VALUES (?, ?, ?, ?, ?, ?)", list(self.inputs.values()))
            if self.annotated:
                from ..pipeline import corpus_stages

                for cs in corpus_stages():
                    cs.save(c, self.annotated)
                facts.write(c, self.annotated, replace=True)
        self.docs, self.raws, self.updates, self.inputs, self.pending = [], [], [], {}, {}
        self.annotated = []
        self.last_flush = time.monotonic()
