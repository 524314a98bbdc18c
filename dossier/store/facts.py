"""Per-document facts that stages leave in ``Document.annotations`` (times, quantities, sentences), stored as rows.

One table holds them all (kind, document, position, span, the rest as JSON); a view per kind makes them readable in
Datasette. Export ids are stable: the document id and the fact's position in its document.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator

from ..document import Document

# kind in Document.annotations → (export file, id prefix); other kinds are stored but not exported
STORED = {"times": ("times.jsonl", "t"), "quantities": ("quantities.jsonl", "q"), "sentences": (None, "s"),
          "events": (None, "r")}  # events: the per-document reports; events.jsonl comes from dossier.events.store

_VIEWS = {
    "times": ("type", "value", "anchor", "mod"),
    "quantities": ("value", "low", "high", "unit", "bound", "change", "about", "unit_text"),
}


def migration(db: sqlite3.Connection) -> None:
    db.execute("""CREATE TABLE annotations (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        n INTEGER NOT NULL,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        text TEXT NOT NULL,
        data TEXT NOT NULL DEFAULT '{}',
        PRIMARY KEY (doc_id, kind, n))""")
    db.execute("CREATE INDEX annotations_kind ON annotations(kind, doc_id)")
    for kind, fields in _VIEWS.items():
        cols = ", ".join(f"json_extract(data, '$.{f}') AS {f}" for f in fields)
        db.execute(f"""CREATE VIEW {kind} AS SELECT doc_id, n, start, "end", text, {cols}
                       FROM annotations WHERE kind = '{kind}'""")


def rows(doc: Document) -> list[tuple]:
    out = []
    for kind in STORED:
        for n, fact in enumerate(doc.annotations.get(kind) or []):
            data = {k: v for k, v in fact.items() if k not in ("start", "end", "text")}
            text = fact.get("text", doc.text[fact["start"]:fact["end"]])
            out.append((doc.id, kind, n, fact["start"], fact["end"], text,
                        json.dumps(data, ensure_ascii=False, separators=(",", ":"))))
    return out


def write(conn: sqlite3.Connection, docs: list[Document], replace: bool) -> None:
    """Store the annotations of ``docs`` (inside the caller's transaction); ``replace`` drops earlier ones first."""
    if replace:
        conn.executemany("DELETE FROM annotations WHERE doc_id = ?", [(d.id,) for d in docs])
    conn.executemany("INSERT OR REPLACE INTO annotations VALUES (?, ?, ?, ?, ?, ?, ?)",
                     [r for d in docs for r in rows(d)])


def export(conn: sqlite3.Connection, kind: str, chunk: int = 2000) -> Iterator[dict]:
    """Lines of the export file of ``kind``, in document order then position, streamed in chunks."""
    prefix = STORED[kind][1]
    last = (-1, -1)
    while True:
        batch = conn.execute(
            """SELECT d.rowid AS r, a.* FROM annotations a JOIN documents d ON d.id = a.doc_id
               WHERE a.kind = ? AND (d.rowid, a.n) > (?, ?) ORDER BY d.rowid, a.n LIMIT ?""",
            (kind, *last, chunk)).fetchall()
        if not batch:
            return
        for r in batch:
            yield {"id": f"{prefix}{r['doc_id'][1:]}-{r['n']}", "doc": r["doc_id"], "start": r["start"],
                   "end": r["end"], "text": r["text"], **json.loads(r["data"])}
        last = (batch[-1]["r"], batch[-1]["n"])
