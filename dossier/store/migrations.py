"""The store's schema, as named migrations applied in order (each once, each in its own transaction).

Never edit a migration that has shipped: add a new one at the end of MIGRATIONS.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

Migration = tuple[str, Callable[[sqlite3.Connection], None]]


def script(db: sqlite3.Connection, sql: str) -> None:
    """Run several statements inside the caller's transaction (``executescript`` would commit it)."""
    buf = ""
    for line in sql.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            db.execute(buf)
            buf = ""
    if buf.strip():
        raise ValueError(f"incomplete SQL statement in migration: {buf.strip()[:60]}")


def m001_documents(db: sqlite3.Connection) -> None:
    script(db, """
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        command TEXT NOT NULL,
        started TEXT NOT NULL,
        finished TEXT,
        status TEXT NOT NULL DEFAULT 'running',     -- running | done | interrupted | failed
        summary TEXT                                -- JSON: counts of the run
    );
    CREATE TABLE documents (
        id TEXT PRIMARY KEY,                        -- "d" + first 16 hex of hash
        hash TEXT NOT NULL UNIQUE,                  -- sha256 of the input content
        source TEXT NOT NULL,                       -- input as given: path, path#L3, path#2, -
        format TEXT NOT NULL,                       -- text | html | jsonl | warc | feed
        input_id TEXT,                              -- JSON of the JSON Lines "id" (keeps number vs string)
        url TEXT,
        outlet TEXT,
        title TEXT,
        authors TEXT NOT NULL DEFAULT '[]',         -- JSON list
        language TEXT,
        translated_from TEXT,
        published_date TEXT,
        published_after TEXT,
        published_before TEXT,
        published_basis TEXT,
        text TEXT NOT NULL,
        removed TEXT NOT NULL DEFAULT '[]',         -- JSON list of {text, reason, at}
        changes TEXT NOT NULL DEFAULT '[]',         -- JSON list of {kind, detail}
        metadata TEXT NOT NULL DEFAULT '{}',        -- JSON object
        version_of TEXT REFERENCES documents(id),
        story TEXT,
        stages TEXT NOT NULL DEFAULT '[]',          -- JSON list of the stages that ran on it
        run_id INTEGER REFERENCES runs(id),
        ingested TEXT NOT NULL,
        updated TEXT NOT NULL
    );
    CREATE INDEX documents_published ON documents(published_date);
    CREATE INDEX documents_version_of ON documents(version_of);
    CREATE TABLE raw (
        document_id TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
        format TEXT NOT NULL,
        media TEXT NOT NULL,                        -- text | html
        given TEXT NOT NULL DEFAULT '{}',           -- JSON: fields that came with the content
        content BLOB NOT NULL                       -- zlib-compressed input content
    );
    CREATE TABLE inputs (
        source TEXT PRIMARY KEY,
        outcome TEXT NOT NULL CHECK (outcome IN ('stored', 'duplicate', 'rejected')),
        document_id TEXT REFERENCES documents(id),
        reason TEXT,
        run_id INTEGER REFERENCES runs(id),
        at TEXT NOT NULL
    );
    CREATE INDEX inputs_outcome ON inputs(outcome);
    """)


MIGRATIONS: list[Migration] = [
    ("001_documents", m001_documents),
]
