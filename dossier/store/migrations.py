"""The store's schema, as named migrations applied in order (each once, each in its own transaction).

Never edit a migration that has shipped: add a new one at the end of MIGRATIONS.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from . import facts

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


def m002_versions_stories(db: sqlite3.Connection) -> None:
    """Persistent state of the corpus-level stages (dedup: versions; stories: storylines). Every lookup table is
    keyed for index lookups, so linking one more document costs the same at any corpus size."""
    script(db, """
    CREATE TABLE dedup_docs (
        doc TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
        point INTEGER,                              -- publication day (ordinal) or NULL
        ord INTEGER NOT NULL,                       -- point, or a large number for undated: the linking order
        n_sent INTEGER NOT NULL,                    -- sentences hashed (completeness)
        chars INTEGER NOT NULL,
        hashes BLOB NOT NULL,                       -- int64 normalised sentence hashes, in text order
        fuzzy BLOB NOT NULL,                        -- int64 pairs: first-words and last-words keys per sentence
        minhash BLOB NOT NULL,                      -- uint32 MinHash of the word 3-shingles (datasketch)
        grp TEXT,                                   -- version group: smallest document id of the group
        score REAL,                                 -- best score of the pairs that made it a version
        linked INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX dedup_docs_pending ON dedup_docs(linked, ord, doc);
    CREATE INDEX dedup_docs_grp ON dedup_docs(grp);
    CREATE TABLE dedup_sentences (                  -- sentence hash -> documents (capped per hash)
        hash INTEGER NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (hash, doc)
    ) WITHOUT ROWID;
    CREATE TABLE dedup_bands (                      -- MinHash LSH bucket -> documents (capped per bucket)
        key INTEGER NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (key, doc)
    ) WITHOUT ROWID;
    CREATE TABLE story_docs (
        doc TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
        lo INTEGER, hi INTEGER,                     -- publication span (ordinal days), NULL when unbounded
        point INTEGER,
        ord INTEGER NOT NULL,
        terms BLOB NOT NULL,                        -- int64 term hashes (content words, proper nouns weigh more)
        weights BLOB NOT NULL,                      -- float32 term weights
        vector BLOB,                                -- float32 tf-idf weights at linking time (same terms)
        story TEXT,
        linked INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX story_docs_pending ON story_docs(linked, ord, doc);
    CREATE INDEX story_docs_story ON story_docs(story);
    CREATE TABLE stories (
        id TEXT PRIMARY KEY,
        first_point INTEGER, last_point INTEGER,    -- span of the documents' days, for time proximity
        first_day INTEGER, last_day INTEGER,        -- export: earliest date/after, latest date/before
        n INTEGER NOT NULL,
        terms BLOB NOT NULL, weights BLOB NOT NULL, -- centroid (sum of member vectors, top terms)
        center TEXT,                                -- most central document
        center_sim REAL
    );
    CREATE TABLE story_terms (                      -- centroid top term -> stories
        term INTEGER NOT NULL,
        story TEXT NOT NULL,
        PRIMARY KEY (term, story)
    ) WITHOUT ROWID;
    CREATE INDEX story_terms_story ON story_terms(story);
    CREATE TABLE term_df (term INTEGER PRIMARY KEY, df INTEGER NOT NULL);
    CREATE TABLE corpus_counts (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
    CREATE INDEX documents_story ON documents(story);
    """)


def m004_entities(db: sqlite3.Connection) -> None:
    """Entities resolved across documents, their aliases, mentions, codings and roles (dossier.actors.resolve)."""
    from ..actors.resolve import migration

    migration(db)


def m005_events(db: sqlite3.Connection) -> None:
    """Events merged from their reports across documents (dossier.events.store)."""
    from ..events.store import migration

    migration(db)


MIGRATIONS: list[Migration] = [
    ("001_documents", m001_documents),
    ("002_versions_stories", m002_versions_stories),
    ("003_annotations", facts.migration),
    ("004_entities", m004_entities),
    ("005_events", m005_events),
    ("006_explore", lambda db: __import__("dossier.search", fromlist=["migration"]).migration(db)),
]
