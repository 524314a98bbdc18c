"""Parquet export: one file per table or view of interest (pyarrow), streamed in batches, memory flat.

Column types come from the values (SQLite is dynamically typed): integers, floats, text, bytes; a column that holds
several kinds is written as text. JSON columns stay JSON text. Each file is written under a temporary name and
moved into place.
"""

from __future__ import annotations

import os
import sqlite3

from ..errors import DossierError
from ..store import Store

BATCH = 5000

# name -> (query, tables it needs); documents without the raw input, facts in readable form
QUERIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "documents": ("""SELECT id, source, format, url, outlet, title, authors, language, translated_from,
                     published_date, published_after, published_before, published_basis, text, version_of,
                     coalesce(version_of, id) AS version_group, story, changes, metadata, removed
                     FROM documents ORDER BY rowid""", ("documents",)),
    "sentences": ("""SELECT doc_id AS doc, n, start, "end", text FROM annotations WHERE kind = 'sentences'
                     ORDER BY rowid""", ("annotations",)),
    "times": ("""SELECT doc_id AS doc, n, start, "end", text, type, value, anchor, mod FROM times""", ("times",)),
    "quantities": ("""SELECT doc_id AS doc, n, start, "end", text, value, low, high, unit, bound, change, about,
                      unit_text FROM quantities""", ("quantities",)),
    "entities": ("""SELECT id, name, type, country, sector, wiki, known, mention_count, document_count
                    FROM entities ORDER BY seq""", ("entities",)),
    "aliases": ("SELECT entity, alias, n FROM entity_aliases", ("entity_aliases",)),
    "mentions": ("""SELECT m.id, m.doc, m.span_start AS start, m.span_end AS "end", m.text, m.entity,
                    e.name AS entity_name, e.type AS entity_type, m.acts_for, m.country, m.sector, m.label,
                    m.nominal FROM entity_mentions m JOIN entities e ON e.id = m.entity ORDER BY m.rowid""",
                 ("entity_mentions", "entities")),
    "roles": ("SELECT * FROM entity_roles_named", ("entity_roles_named",)),
    "events": ("""SELECT e.id, e.type, e.mode, e.source_entity, e.source_text, e.source_country, e.source_sector,
                  e.source_acts_for, e.target_entity, e.target_text, e.target_country, e.target_sector,
                  e.target_acts_for, e.date_value, e.date_precision, e.date_basis, e.first_day, e.last_day,
                  e.location_text, e.location_entity, e.location_country, e.negated, e.hypothetical, e.confidence,
                  e.reports, coalesce(g.n, 0) AS independent_sources
                  FROM events e LEFT JOIN (SELECT m.event, count(DISTINCT coalesce(d.version_of, d.id)) AS n
                    FROM event_mentions m JOIN documents d ON d.id = m.doc GROUP BY m.event) g ON g.event = e.id
                  WHERE e.reports > 0 ORDER BY e.seq""", ("events", "event_mentions")),
    "event_mentions": ("""SELECT event, doc, n, start, "end", text, said_by FROM event_mentions ORDER BY rowid""",
                       ("event_mentions",)),
    "stories": ("SELECT * FROM storylines ORDER BY first, id", ("storylines",)),
    "sources": ("SELECT * FROM sources ORDER BY documents DESC, outlet", ("sources",)),
}


class ExportError(DossierError):
    """The Parquet export cannot be written."""


def _kind(values) -> str | None:
    kinds = {type(v) for v in values if v is not None}
    if not kinds:
        return None
    if kinds <= {int, bool}:
        return "int"
    if kinds <= {int, float, bool}:
        return "float"
    if kinds == {bytes}:
        return "bytes"
    return "str"


def _arrow_type(kind: str | None):
    import pyarrow as pa

    return {"int": pa.int64(), "float": pa.float64(), "bytes": pa.binary()}.get(kind, pa.string())


def _column(values, typ):
    import pyarrow as pa

    try:
        return pa.array(values, type=typ)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):
        if pa.types.is_string(typ):
            return pa.array([None if v is None else (v.decode("utf-8", "replace") if isinstance(v, bytes)
                                                    else str(v)) for v in values], type=typ)
        if pa.types.is_binary(typ):
            return pa.array([None if v is None else (v if isinstance(v, bytes) else str(v).encode())
                             for v in values], type=typ)
        conv = int if pa.types.is_integer(typ) else float
        out = []
        for v in values:
            try:
                out.append(None if v is None else conv(v))
            except (TypeError, ValueError, OverflowError):
                out.append(None)
        return pa.array(out, type=typ)


def _widen(conn: sqlite3.Connection, sql: str, names: list[str], kinds: list[str | None]) -> list[str | None]:
    """A column whose first batch held only integers may hold reals or text further on: one pass finds out."""
    ints = [i for i, k in enumerate(kinds) if k == "int"]
    if not ints:
        return kinds
    parts = []
    for i in ints:
        q = '"' + names[i].replace('"', '""') + '"'
        parts.append(f"max(typeof({q}) = 'real'), max(typeof({q}) IN ('text', 'blob'))")
    row = conn.execute(f"SELECT {', '.join(parts)} FROM ({sql})").fetchone()
    kinds = list(kinds)
    for j, i in enumerate(ints):
        real, text = row[2 * j], row[2 * j + 1]
        kinds[i] = "str" if text else "float" if real else "int"
    return kinds


def _write(conn: sqlite3.Connection, sql: str, path: str) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    cur = conn.execute(sql)
    names = [d[0] for d in cur.description]
    writer, schema, n = None, None, 0
    tmp = path + ".tmp"
    try:
        while True:
            rows = cur.fetchmany(BATCH)
            if not rows and writer is not None:
                break
            cols = list(zip(*rows, strict=True)) if rows else [() for _ in names]
            if schema is None:  # types from the first batch, widened by a scan for integer columns
                kinds = _widen(conn, sql, names, [_kind(c) for c in cols])
                schema = pa.schema([pa.field(nm, _arrow_type(k)) for nm, k in zip(names, kinds, strict=True)])
                writer = pq.ParquetWriter(tmp, schema, compression="zstd")
            batch = pa.record_batch([_column(list(c), f.type) for c, f in zip(cols, schema, strict=True)],
                                    schema=schema)
            if rows:
                writer.write_batch(batch)
                n += len(rows)
            else:
                writer.write_table(pa.Table.from_batches([batch], schema=schema))
                break
        writer.close()
        os.replace(tmp, path)
    except BaseException:
        if writer is not None:
            writer.close()
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    return n


def write_parquet(store_or_db, out_dir: str, *, tables: list[str] | None = None) -> dict[str, int]:
    """Write ``<name>.parquet`` into ``out_dir`` for each table or view of :data:`QUERIES` the store has (or only
    ``tables``). Returns ``{name: rows}``."""
    own = not isinstance(store_or_db, Store)
    store = Store.open(store_or_db, create=False) if own else store_or_db
    try:
        conn = store.conn
        have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
        unknown = set(tables or ()) - set(QUERIES)
        if unknown:
            raise ExportError(f"unknown Parquet table(s): {', '.join(sorted(unknown))}; "
                              f"known: {', '.join(QUERIES)}")
        os.makedirs(out_dir, exist_ok=True)
        counts = {}
        for name, (sql, needs) in QUERIES.items():
            if (tables and name not in tables) or not set(needs) <= have:
                continue
            counts[name] = _write(conn, sql, os.path.join(out_dir, f"{name}.parquet"))
        return counts
    except OSError as e:
        raise ExportError(f"{out_dir}: cannot write Parquet ({e.strerror or e})") from e
    finally:
        if own:
            store.close()
