"""``search``: BM25 over sentences with filters (entity, dates, event type)."""

from __future__ import annotations

import sqlite3

import numpy as np

from ..errors import UsageError
from ..store import Store
from .index import Index, load
from .terms import SearchError, query_terms


class _Opened:
    """A store from a path, a Store or an sqlite3 connection (closed on exit only when opened here)."""

    def __init__(self, db):
        self.db, self.own = db, False

    def __enter__(self) -> Store:
        db = self.db
        if isinstance(db, Store):
            return db
        if isinstance(db, sqlite3.Connection):
            row = db.execute("PRAGMA database_list").fetchone()
            if not row or not row[2]:
                raise SearchError("search needs a store file (not an in-memory database)")
            self.store = Store(db, row[2])
            return self.store
        self.store, self.own = Store.open(db, create=False), True
        return self.store

    def __exit__(self, *exc) -> None:
        if self.own:
            self.store.close()


def _iso_day(value: str | None, what: str) -> int | None:
    from ..events.store import day_bound

    d = day_bound(value, what)
    return d.toordinal() if d else None


def event_types() -> tuple[str, ...]:
    from ..events.lexicon import TYPES

    return tuple(TYPES)


def _mask(conn, ix: Index, entity, since, until, type_) -> tuple[np.ndarray | None, list[str] | None]:
    """The filter as a boolean per sentence (None: no filter) and the entity ids."""
    from ..events.store import entity_ids

    mask = None

    def both(m):
        return m if mask is None else (mask & m)

    s, u = _iso_day(since, "since"), _iso_day(until, "until")
    if s is not None:
        mask = both(np.asarray(ix.a["hi"]) >= s)
    if u is not None:
        mask = both(np.asarray(ix.a["lo"]) <= u)
    if type_:
        t = type_.upper()
        if t not in event_types():
            raise UsageError(f"--type {type_!r}: not a PLOVER event type ({', '.join(event_types())})")
        bit = 1 << ix.meta["types"].index(t) if t in ix.meta["types"] else 0
        mask = both((np.asarray(ix.a["types"]) & bit) != 0)
    ids = None
    if entity:
        ids = entity_ids(conn, entity)
        mask = both(ix.entity_mask(ids))
    return mask, ids


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    k = min(k, len(scores))
    if k <= 0:
        return np.zeros(0, np.int64)
    part = np.argpartition(-scores, k - 1)[:k]
    part = part[scores[part] > 0]
    return part[np.argsort(-scores[part], kind="stable")]


def _hydrate(conn, ix: Index, pos: np.ndarray, scores: np.ndarray) -> list[dict]:
    if not len(pos):
        return []
    rowids = [int(x) for x in np.asarray(ix.a["rowid"])[pos]]
    found = {}
    for i in range(0, len(rowids), 500):
        part = rowids[i:i + 500]
        for r in conn.execute(
                "SELECT a.rowid, a.doc_id, a.start, a.\"end\", a.text, d.outlet, d.title, d.published_date, d.url, "
                "d.source, coalesce(d.version_of, d.id) FROM annotations a JOIN documents d ON d.id = a.doc_id "
                f"WHERE a.rowid IN ({','.join('?' * len(part))}) AND +a.kind = 'sentences'", part):
            found[r[0]] = r
    out = []
    for rid, p in zip(rowids, pos, strict=True):
        r = found.get(rid)
        if r is None:  # deleted since the index was built
            continue
        out.append({"doc": r[1], "start": r[2], "end": r[3], "text": r[4], "score": round(float(scores[p]), 4),
                    "outlet": r[5], "title": r[6], "date": r[7], "url": r[8], "source": r[9], "group": r[10]})
    return out


def search(db_or_conn, query: str, *, entity: str | None = None, since: str | None = None,
           until: str | None = None, type_: str | None = None, limit: int = 20) -> list[dict]:
    """The ``limit`` best sentences for ``query`` (BM25), best first, filtered: ``entity`` (a name or alias: a
    mention of it inside the sentence), ``since``/``until`` (ISO day, month or year: the document's publication),
    ``type_`` (a PLOVER event type reported in the sentence). Each hit: doc, start, end, text, score, outlet,
    title, date, url, source, and group (the document's version group: copies of one wire story share it)."""
    if limit <= 0:
        return []
    _iso_day(since, "since"), _iso_day(until, "until")  # usage errors first, whatever the query
    if type_ and type_.upper() not in event_types():
        raise UsageError(f"--type {type_!r}: not a PLOVER event type ({', '.join(event_types())})")
    with _Opened(db_or_conn) as store:
        conn = store.conn
        ix = load(store)
        if not ix.n:
            return []
        ids = [ix.vocab[t] for t in dict.fromkeys(query_terms(query or "")) if t in ix.vocab]
        if not ids:
            return []
        mask, _ = _mask(conn, ix, entity, since, until, type_)
        if mask is not None and not mask.any():
            return []
        weight = None if mask is None else mask.astype(np.float32)
        scores = ix.bm25.get_scores_from_ids(ids, weight_mask=weight)
        k = limit * 2 + 10
        while True:
            hits = _hydrate(conn, ix, _top(scores, k), scores)
            if len(hits) >= limit or k >= ix.n or int((scores > 0).sum()) <= k:
                return hits[:limit]
            k *= 8
