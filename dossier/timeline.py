"""Timelines: events in date order, each with its actors' names, the sentence that tells it and its sources
(document, outlet, publication date, offsets), copies of one wire story counted once.

Built on :func:`dossier.events.store.events_table` (filters by actor name or alias, storyline, dates, type).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from .store import Store


@contextmanager
def connection(db) -> Iterator[sqlite3.Connection]:
    """A connection from an sqlite3 connection, a Store or a store path (opened and closed here)."""
    if isinstance(db, sqlite3.Connection):
        yield db
    elif isinstance(db, Store):
        yield db.conn
    else:
        with Store.open(db, create=False) as store:
            yield store.conn


def _check_day(value: str | None, what: str) -> str | None:
    from .events.store import day_bound

    d = day_bound(value, what)
    return d.isoformat() if d else None


class _Names:
    def __init__(self, conn: sqlite3.Connection):
        self.conn, self.cache = conn, {}

    def __call__(self, eid: str | None) -> str | None:
        if not eid:
            return None
        if eid not in self.cache:
            r = self.conn.execute("SELECT name FROM entities WHERE id = ?", (eid,)).fetchone()
            self.cache[eid] = r[0] if r else None
        return self.cache[eid]


def actor_name(names: _Names, a: dict) -> str | None:
    """How an event actor reads: its entity's name (and the state it acts for, when another), else its words."""
    ent, acts = names(a.get("entity")), names(a.get("acts_for"))
    if ent and acts and acts != ent:
        return f"{ent} ({acts})"
    return ent or acts or a.get("text") or a.get("country")


def _docs(conn: sqlite3.Connection, ids: list[str]) -> dict[str, tuple]:
    out = {}
    for i in range(0, len(ids), 500):
        part = ids[i:i + 500]
        for r in conn.execute(f"SELECT id, outlet, published_date, title, url, coalesce(version_of, id) "
                              f"FROM documents WHERE id IN ({','.join('?' * len(part))})", part):
            out[r[0]] = tuple(r[1:])
    return out


def entry(conn: sqlite3.Connection, ev: dict, names: _Names | None = None) -> dict:
    """One timeline entry from an events.jsonl-like line."""
    names = names or _Names(conn)
    docs = _docs(conn, list(dict.fromkeys(m["doc"] for m in ev["mentions"])))
    sources, seen = [], set()
    for m in ev["mentions"]:
        if m["doc"] in seen:
            continue
        seen.add(m["doc"])
        d = docs.get(m["doc"], (None,) * 5)
        sources.append({"doc": m["doc"], "outlet": d[0], "date": d[1], "title": d[2], "url": d[3], "group": d[4],
                        "start": m["start"], "end": m["end"], "text": m["text"]})
    sources.sort(key=lambda s: (s["date"] or "9999", s["doc"]))
    first = ev["mentions"][0]["text"] if ev["mentions"] else None
    return {"id": ev["id"], "date": ev["date"].get("value"), "first_day": ev.get("first_day"),
            "precision": ev["date"].get("precision"), "basis": ev["date"].get("basis"), "type": ev["type"],
            "mode": ev.get("mode"), "source": actor_name(names, ev["source"]),
            "target": actor_name(names, ev["target"]), "negated": ev["negated"], "hypothetical": ev["hypothetical"],
            "text": " ".join(first.split()) if first else None, "reports": len(ev["mentions"]),
            "independent_sources": ev["independent_sources"], "sources": sources}


def timeline(conn, *, entity: str | None = None, story: str | None = None, since: str | None = None,
             until: str | None = None, type_: str | None = None, limit: int | None = None) -> list[dict]:
    """Events in date order (undated last), filtered by ``entity`` (a name or alias: events where it, or someone
    acting for it, is the source or the target), ``story`` (a storyline id), ``since``/``until`` (ISO day, month
    or year: the event's date overlaps), ``type_`` (PLOVER type). Each entry: id, date (TIMEX3), first_day,
    precision, basis, type, mode, source, target (names), negated, hypothetical, text, reports,
    independent_sources, and sources [{doc, outlet, date, title, url, group, start, end, text}]."""
    from .events.store import events_table

    s, u = _check_day(since, "since"), _check_day(until, "until")
    with connection(conn) as c:
        if not c.execute("SELECT 1 FROM sqlite_master WHERE name = 'events'").fetchone():
            return []
        names = _Names(c)
        return [entry(c, ev, names) for ev in events_table(c, actor=entity, type_=type_, since=s, until=u,
                                                            story=story, limit=limit, order="date")]
