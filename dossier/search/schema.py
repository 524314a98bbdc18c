"""Migration 006: the FTS5 index on sentences, its triggers and counters, the readable views."""

from __future__ import annotations

import json
import os
import sqlite3

MIGRATION = [
    "CREATE TABLE search_state (name TEXT PRIMARY KEY, value INTEGER NOT NULL DEFAULT 0)",
    "INSERT INTO search_state VALUES ('sentences_inserted', 0), ('sentences_deleted', 0), ('event_reports', 0)",
    "CREATE VIRTUAL TABLE sentences_fts USING fts5(text, content='annotations', content_rowid='rowid', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    "INSERT INTO sentences_fts (rowid, text) SELECT rowid, text FROM annotations WHERE kind = 'sentences'",
    # facts.write uses INSERT OR REPLACE: take the replaced row out of the index before (delete triggers do not
    # fire for REPLACE unless recursive triggers are on)
    """CREATE TRIGGER annotations_fts_bi BEFORE INSERT ON annotations WHEN new.kind = 'sentences' BEGIN
        INSERT INTO sentences_fts (sentences_fts, rowid, text) SELECT 'delete', rowid, text FROM annotations
          WHERE doc_id = new.doc_id AND kind = new.kind AND n = new.n;
        UPDATE search_state SET value = value + (SELECT count(*) FROM annotations WHERE doc_id = new.doc_id
          AND kind = new.kind AND n = new.n) WHERE name = 'sentences_deleted';
    END""",
    """CREATE TRIGGER annotations_fts_ai AFTER INSERT ON annotations WHEN new.kind = 'sentences' BEGIN
        INSERT INTO sentences_fts (rowid, text) VALUES (new.rowid, new.text);
        UPDATE search_state SET value = value + 1 WHERE name = 'sentences_inserted';
    END""",
    """CREATE TRIGGER annotations_fts_ad AFTER DELETE ON annotations WHEN old.kind = 'sentences' BEGIN
        INSERT INTO sentences_fts (sentences_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
        UPDATE search_state SET value = value + 1 WHERE name = 'sentences_deleted';
    END""",
    """CREATE TRIGGER annotations_fts_au AFTER UPDATE ON annotations
        WHEN old.kind = 'sentences' OR new.kind = 'sentences' BEGIN
        INSERT INTO sentences_fts (sentences_fts, rowid, text) SELECT 'delete', old.rowid, old.text
          WHERE old.kind = 'sentences';
        INSERT INTO sentences_fts (rowid, text) SELECT new.rowid, new.text WHERE new.kind = 'sentences';
        UPDATE search_state SET value = value + 1 WHERE name = 'sentences_deleted';
    END""",
    """CREATE TRIGGER event_mentions_search_ai AFTER INSERT ON event_mentions BEGIN
        UPDATE search_state SET value = value + 1 WHERE name = 'event_reports'; END""",
    """CREATE TRIGGER event_mentions_search_ad AFTER DELETE ON event_mentions BEGIN
        UPDATE search_state SET value = value + 1 WHERE name = 'event_reports'; END""",
    """CREATE VIEW sentences AS
        SELECT a.rowid AS id, a.doc_id AS doc, a.n, a.start, a."end", a.text, d.outlet, d.published_date AS date,
               d.title
        FROM annotations a JOIN documents d ON d.id = a.doc_id WHERE a.kind = 'sentences'""",
    """CREATE VIEW mentions AS
        SELECT m.id, m.doc, d.outlet, d.published_date AS date, m.span_start AS start, m.span_end AS "end", m.text,
               m.entity_name, m.entity_type, m.acts_for_name, m.country, m.sector, m.entity, m.acts_for
        FROM entity_mentions_named m JOIN documents d ON d.id = m.doc""",
    """CREATE VIEW sources AS
        SELECT coalesce(outlet, '(unknown)') AS outlet, count(*) AS documents,
               count(DISTINCT coalesce(version_of, id)) AS independent_groups,
               min(published_date) AS first, max(published_date) AS last
        FROM documents GROUP BY coalesce(outlet, '(unknown)')""",
    """CREATE VIEW storylines AS
        SELECT s.id, coalesce((SELECT title FROM documents WHERE id = s.center),
                              (SELECT title FROM documents WHERE story = s.id AND title IS NOT NULL LIMIT 1)) AS title,
               date(s.first_day + 1721424.5) AS first, date(s.last_day + 1721424.5) AS last, s.n AS documents,
               (SELECT count(DISTINCT coalesce(version_of, id)) FROM documents WHERE story = s.id)
                 AS independent_sources,
               s.center
        FROM stories s""",
    """CREATE VIEW event_reports AS
        SELECT m.event, e.type, e.date_value, e.first_day, m.doc, d.outlet, d.published_date AS published,
               m.start, m."end", m.text
        FROM event_mentions m JOIN events e ON e.id = m.event JOIN documents d ON d.id = m.doc""",
    """CREATE VIEW document_list AS
        SELECT id, outlet, title, published_date AS date, published_basis AS basis, language, url, version_of,
               story, length(text) AS chars, source
        FROM documents""",
]


def migration(db: sqlite3.Connection) -> None:
    """Migration 006: the FTS5 index of sentences (kept in sync by triggers), the search marker, readable views."""
    for sql in MIGRATION:
        db.execute(sql)




# -- Datasette ----------------------------------------------------------------------------------------------------

def datasette_metadata(db_path: str) -> dict:
    """The Datasette metadata (dossier/data/datasette.json: titles, descriptions, facets, FTS of the sentences
    view, internal tables hidden), keyed by the database name Datasette gives ``db_path`` (its file stem)."""
    from importlib.resources import files

    meta = json.loads(files("dossier").joinpath("data/datasette.json").read_text(encoding="utf-8"))
    name = os.path.splitext(os.path.basename(os.fspath(db_path)))[0]
    meta["databases"] = {name: meta["databases"]["dossier"]}
    return meta
