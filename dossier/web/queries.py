"""The reads behind each page. Every query is an index lookup, bounded by a LIMIT or by the size of one document,
story or entity; the few whole-store aggregates (counts, the month histogram, the actor graph's edges) are cached
until the store changes (:class:`dossier.web.db.Cache`)."""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from typing import Any

from ..document import Document
from ..store import row_to_document
from .db import Database
from .views import Point, Span

PAGE = 25


def _rows(conn: sqlite3.Connection, sql: str, args: tuple | list = ()) -> list[dict]:
    return [dict(r) for r in conn.execute(sql, args).fetchall()]


# -- overview -----------------------------------------------------------------------------------------------------

def counts(db: Database) -> dict[str, int]:
    def compute() -> dict[str, int]:
        c = db.conn()
        out = {"documents": c.execute("SELECT count(*) FROM documents").fetchone()[0]}
        for name, table in (("storylines", "stories"), ("entities", "entities"), ("events", "events")):
            if db.has(table):
                out[name] = c.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        return out

    return db.cache.get("counts", compute)


DOC_COLS = ("id, title, outlet, url, published_date, published_after, published_before, story, version_of, "
            "substr(text, 1, 240) AS head")


def recent_documents(db: Database, limit: int = PAGE, offset: int = 0) -> list[dict]:
    """Documents newest first (undated last), a page."""
    return _rows(db.conn(), f"SELECT {DOC_COLS} FROM documents ORDER BY published_date DESC LIMIT ? OFFSET ?",
                 (limit, offset))


def recent_stories(db: Database, limit: int = 10) -> list[dict]:
    """The storylines of the most recent documents (index on publication date, then one lookup per storyline)."""
    if not db.has("stories"):
        return []
    c = db.conn()
    seen: list[str] = []
    for (sid,) in c.execute("SELECT story FROM documents WHERE story IS NOT NULL ORDER BY published_date DESC "
                            "LIMIT 500"):
        if sid not in seen:
            seen.append(sid)
            if len(seen) >= limit:
                break
    return [s for s in (story_head(db, sid) for sid in seen) if s]


def top_entities(db: Database, limit: int = 20) -> list[dict]:
    if not db.has("entities"):
        return []
    return db.cache.get(("top_entities", limit), lambda: _rows(
        db.conn(), "SELECT id, name, type, country, mention_count, document_count FROM entities "
                   "ORDER BY mention_count DESC, seq LIMIT ?", (limit,)))


def event_types(db: Database) -> list[tuple[str, int]]:
    if not db.has("events"):
        return []
    return db.cache.get("event_types", lambda: [tuple(r) for r in db.conn().execute(
        "SELECT type, count(*) AS n FROM events GROUP BY type ORDER BY n DESC, type")])


# -- one document -----------------------------------------------------------------------------------------------

def document(db: Database, ref: str) -> Document | None:
    """A document by id (primary key); an unambiguous id prefix of 4+ characters also finds it (index range)."""
    c = db.conn()
    row = c.execute("SELECT * FROM documents WHERE id = ?", (ref,)).fetchone()
    if row is None and len(ref) >= 4 and ref.isalnum():
        rows = c.execute("SELECT * FROM documents WHERE id >= ? AND id < ? ORDER BY id LIMIT 2",
                         (ref, ref + "\U0010ffff")).fetchall()
        row = rows[0] if len(rows) == 1 else None
    return row_to_document(row) if row else None


def document_facts(db: Database, doc: Document) -> dict[str, list[dict]]:
    """Entity mentions, times, quantities and event reports of one document, by offset."""
    c = db.conn()
    out: dict[str, list[dict]] = {"entities": [], "times": [], "quantities": [], "events": []}
    if db.has("entity_mentions", "entities"):
        out["entities"] = _rows(c, """
            SELECT m.span_start AS start, m.span_end AS "end", m.text, m.entity, e.name, e.type, m.country,
                   m.sector, m.acts_for, a.name AS acts_for_name
            FROM entity_mentions m JOIN entities e ON e.id = m.entity LEFT JOIN entities a ON a.id = m.acts_for
            WHERE m.doc = ? ORDER BY m.span_start""", (doc.id,))
    for kind in ("times", "quantities"):
        for r in c.execute('SELECT n, start, "end", text, data FROM annotations WHERE doc_id = ? AND kind = ? '
                           "ORDER BY n", (doc.id, kind)):
            out[kind].append({"n": r["n"], "start": r["start"], "end": r["end"], "text": r["text"],
                              **json.loads(r["data"])})
    linked = {}
    if db.has("event_mentions", "events"):
        for r in c.execute("""
                SELECT m.n, m.event, e.type, e.mode, e.date_value, e.negated, e.hypothetical,
                       coalesce(se.name, e.source_text) AS source, coalesce(te.name, e.target_text) AS target
                FROM event_mentions m JOIN events e ON e.id = m.event
                LEFT JOIN entities se ON se.id = coalesce(e.source_entity, e.source_acts_for)
                LEFT JOIN entities te ON te.id = coalesce(e.target_entity, e.target_acts_for)
                WHERE m.doc = ?""", (doc.id,)):
            linked[r["n"]] = dict(r)
    for r in c.execute('SELECT n, start, "end", text, data FROM annotations WHERE doc_id = ? AND kind = ? '
                       "ORDER BY n", (doc.id, "events")):
        data = json.loads(r["data"])
        ev = linked.get(r["n"], {})
        out["events"].append({
            "n": r["n"], "start": r["start"], "end": r["end"], "text": r["text"],
            "event": ev.get("event"), "type": ev.get("type") or data.get("type"),
            "mode": ev.get("mode") or data.get("mode"),
            "source": ev.get("source") or (data.get("source") or {}).get("text"),
            "target": ev.get("target") or (data.get("target") or {}).get("text"),
            "date": ev.get("date_value") or (data.get("date") or {}).get("value"),
            "negated": bool(ev.get("negated", data.get("negated"))),
            "hypothetical": bool(ev.get("hypothetical", data.get("hypothetical")))})
    return out


def spans(doc: Document, facts: dict[str, list[dict]], cite: tuple[int, int] | None) -> list[Span]:
    """Highlight spans for the document view."""
    out: list[Span] = []
    n = len(doc.text)
    if cite and 0 <= cite[0] < cite[1] <= n:
        out.append(Span(cite[0], cite[1], "cite", title="cited span", id=f"c-{cite[0]}-{cite[1]}"))
    for m in facts["entities"]:
        tip = f"{m['name']} ({m['type']}" + (f", {m['country']}" if m["country"] else "") + ")"
        if m["acts_for_name"] and m["acts_for"] != m["entity"]:
            tip += f", acts for {m['acts_for_name']}"
        out.append(Span(m["start"], m["end"], "entity", title=tip, href=f"/entities/{m['entity']}",
                        attrs={"type": m["type"] or "", "entity": m["entity"]}))
    for t in facts["times"]:
        out.append(Span(t["start"], t["end"], "time", title=f"{t.get('type') or 'TIME'} {t.get('value') or '?'}",
                        attrs={"value": str(t.get("value") or "")}))
    for q in facts["quantities"]:
        out.append(Span(q["start"], q["end"], "quantity", title=quantity_label(q)))
    for e in facts["events"]:
        tip = event_label(e)
        out.append(Span(e["start"], e["end"], "event", title=tip,
                        attrs={"type": e["type"] or "", **({"event": e["event"]} if e["event"] else {})}))
    return out


def removed_points(doc: Document) -> list[Point]:
    return [Point(r.at or 0, r.text, r.reason) for r in doc.removed]


def quantity_label(q: dict) -> str:
    if q.get("low") is not None or q.get("high") is not None:
        v = f"{_num(q.get('low'))}–{_num(q.get('high'))}"
    else:
        v = _num(q.get("value"))
    parts = [v, q.get("unit") or ""]
    if q.get("bound") and q["bound"] != "exact":
        parts.insert(0, q["bound"])
    if q.get("change"):
        parts.append(f"({q['change']})")
    if q.get("about"):
        parts.append(f"of {q['about']}")
    return " ".join(p for p in parts if p)


def _num(v: Any) -> str:
    if v is None:
        return "?"
    if isinstance(v, float) and v.is_integer():
        return f"{int(v):,}"
    return f"{v:,}" if isinstance(v, int | float) else str(v)


def event_label(e: dict, with_type: bool = True) -> str:
    who = e.get("source") or "?"
    whom = e.get("target")
    head = f"{e.get('type') or 'EVENT'}{'/' + e['mode'] if e.get('mode') else ''}: " if with_type else \
        (f"{e['mode']}: " if e.get("mode") else "")
    s = f"{head}{who}"
    if whom:
        s += f" → {whom}"
    if e.get("date"):
        s += f", {e['date']}"
    if e.get("negated"):
        s += " (negated)"
    if e.get("hypothetical"):
        s += " (hypothetical)"
    return s


def versions(db: Database, doc: Document) -> list[dict]:
    """The version group of a document (canonical first), at most 50."""
    c = db.conn()
    canon = doc.version_of or doc.id
    rows = _rows(c, f"SELECT {DOC_COLS} FROM documents WHERE id = ?", (canon,))
    rows += _rows(c, f"SELECT {DOC_COLS} FROM documents WHERE version_of = ? ORDER BY id LIMIT 50", (canon,))
    return rows if len(rows) > 1 else []


# -- storylines ---------------------------------------------------------------------------------------------------

def _iso(day: int | None) -> str | None:
    import datetime as dt

    return dt.date.fromordinal(day).isoformat() if day else None


def story_head(db: Database, story_id: str) -> dict | None:
    """A storyline's id, title (its most central document's), first and last day, number of documents."""
    if not db.has("stories"):
        return None
    c = db.conn()
    r = c.execute("SELECT id, first_day, last_day, n, center FROM stories WHERE id = ?", (story_id,)).fetchone()
    if r is None:
        return None
    title = None
    if r["center"]:
        t = c.execute("SELECT title FROM documents WHERE id = ?", (r["center"],)).fetchone()
        title = t[0] if t else None
    if not title:
        t = c.execute("SELECT title FROM documents WHERE story = ? AND title IS NOT NULL AND title != '' LIMIT 1",
                      (story_id,)).fetchone()
        title = t[0] if t else None
    return {"id": r["id"], "title": title, "first": _iso(r["first_day"]), "last": _iso(r["last_day"]), "n": r["n"]}


def story_documents(db: Database, story_id: str, limit: int = PAGE, offset: int = 0) -> list[dict]:
    return _rows(db.conn(), f"SELECT {DOC_COLS} FROM documents WHERE story = ? "
                            "ORDER BY published_date IS NULL, published_date, id LIMIT ? OFFSET ?",
                 (story_id, limit, offset))


def story_stats(db: Database, story_id: str) -> dict:
    """Documents per day (dated) and per publication interval (undated: between after and before) of one
    storyline, and its independent sources (copies of one wire story count once)."""
    c = db.conn()
    days, ranges = [], []
    for d, a, b, n in c.execute(
            "SELECT published_date, published_after, published_before, count(*) FROM documents WHERE story = ? "
            "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3", (story_id,)):
        if d:
            days.append((d, n))
        elif a or b:
            ranges.append((a, b, n))
    merged: dict[str, int] = {}
    for d, n in days:
        merged[d] = merged.get(d, 0) + n
    r = c.execute("SELECT count(*), count(DISTINCT coalesce(version_of, id)) FROM documents WHERE story = ?",
                  (story_id,)).fetchone()
    return {"days": sorted(merged.items()), "ranges": ranges, "documents": r[0], "independent_sources": r[1]}


def story_events(db: Database, story_id: str, limit: int = 100, mentions: bool = True) -> list[dict]:
    """Events told by the documents of one storyline, by date."""
    if not db.has("event_mentions", "events"):
        return []
    c = db.conn()
    ids = [r[0] for r in c.execute(
        "SELECT DISTINCT m.event FROM documents d JOIN event_mentions m ON m.doc = d.id WHERE d.story = ? LIMIT 2000",
        (story_id,))]
    return events_by_id(db, ids, limit, mentions=mentions)


# -- events -------------------------------------------------------------------------------------------------------

EVENT_COLS = """e.id, e.type, e.mode, e.seq, e.first_day, e.last_day, e.date_value, e.date_precision, e.date_basis,
    e.negated, e.hypothetical, e.reports, e.location_text, e.source_text, e.target_text, e.source_entity,
    e.source_acts_for, e.target_entity, e.target_acts_for,
    coalesce(e.source_entity, e.source_acts_for) AS source_id,
    coalesce(e.target_entity, e.target_acts_for) AS target_id,
    coalesce(se.name, e.source_text) AS source, coalesce(te.name, e.target_text) AS target"""
EVENT_FROM = """events e LEFT JOIN entities se ON se.id = coalesce(e.source_entity, e.source_acts_for)
    LEFT JOIN entities te ON te.id = coalesce(e.target_entity, e.target_acts_for)"""


def events_by_id(db: Database, ids: list[str], limit: int = 100, mentions: bool = True) -> list[dict]:
    if not ids:
        return []
    c = db.conn()
    out: list[dict] = []
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        out += _rows(c, f"SELECT {EVENT_COLS} FROM {EVENT_FROM} WHERE e.id IN ({','.join('?' * len(chunk))}) "
                        "AND e.reports > 0", chunk)
    out.sort(key=lambda e: (e["first_day"] is None, e["first_day"] or "", e["seq"]))
    return with_mentions(db, out[:limit]) if mentions else out[:limit]


def with_mentions(db: Database, events: list[dict], per_event: int = 3) -> list[dict]:
    """Add each event's first reports (doc, span, text, outlet, date) and its independent sources."""
    c = db.conn()
    for e in events:
        e["mentions"] = _rows(c, """
            SELECT m.doc, m.start, m."end", m.text, d.outlet, d.title, d.published_date AS date
            FROM event_mentions m JOIN documents d ON d.id = m.doc WHERE m.event = ? ORDER BY m.doc, m.n LIMIT ?""",
                              (e["id"], per_event))
        e["independent_sources"] = max(1, c.execute(
            "SELECT count(DISTINCT coalesce(d.version_of, d.id)) FROM event_mentions m JOIN documents d "
            "ON d.id = m.doc WHERE m.event = ?", (e["id"],)).fetchone()[0])
    return events


def entity_ids(db: Database, ref: str) -> list[str]:
    """An entity id as given, else the entities whose name or alias matches."""
    if not db.has("entities"):
        return []
    c = db.conn()
    if c.execute("SELECT 1 FROM entities WHERE id = ?", (ref,)).fetchone():
        return [ref]
    from ..events.store import entity_ids as by_name

    return by_name(c, ref) if db.has("entity_aliases") else []


RARE_MENTIONS = 5000  # an actor with at most this many mentions: its events are found through its mentions
RARE_TYPE = 20000  # an event type with at most this many events: read through the type's index, sorted here


def timeline(db: Database, *, entity: str | None = None, type_: str | None = None, since: str | None = None,
             until: str | None = None, story: str | None = None, after: tuple[str, int] | None = None,
             limit: int = 50) -> tuple[list[dict], tuple[str, int] | None]:
    """Dated events in date order, a page at a time (keyset: the page after ``(first_day, seq)``); returns the
    page and the key of the next one (None at the end).

    Plain pages walk the index on ``first_day``. An actor's events: for an actor in few documents, the events told
    by the documents that mention it (an event's actor entity always comes from a mention in a document telling
    it) plus those of the people acting for it (index on ``acts_for``), checked and sorted here; for a frequent
    actor, the walk in date order finds a page quickly."""
    if not db.has("events"):
        return [], None
    ids: list[str] = []
    if entity:
        ids = entity_ids(db, entity)
        if not ids:
            return [], None
    if story:
        return _page(db, story_events(db, story, limit=2000, mentions=False), ids, type_, since, until, after, limit)
    c = db.conn()
    if ids:
        q = ",".join("?" * len(ids))
        mentions = c.execute(f"SELECT count(*) FROM (SELECT 1 FROM entity_mentions WHERE entity IN ({q}) LIMIT ?)",
                             (*ids, RARE_MENTIONS + 1)).fetchone()[0] if db.has("entity_mentions") else 0
        if mentions <= RARE_MENTIONS and db.has("entity_mentions", "event_mentions"):
            cand = [r[0] for r in c.execute(f"""
                SELECT DISTINCT m.event FROM entity_mentions em JOIN event_mentions m ON m.doc = em.doc
                WHERE em.entity IN ({q}) LIMIT 20000""", ids)]
            for side in ("source", "target"):
                cand += [r[0] for r in c.execute(
                    f"SELECT id FROM events WHERE {side}_acts_for IN ({q}) LIMIT 5000", ids)]
            return _page(db, events_by_id(db, list(dict.fromkeys(cand)), limit=10**6, mentions=False), ids, type_,
                         since, until, after, limit)
    where, args = ["e.reports > 0", "e.first_day IS NOT NULL"], []
    if ids:
        q = ",".join("?" * len(ids))
        where.append(f"(+e.source_entity IN ({q}) OR +e.source_acts_for IN ({q}) OR +e.target_entity IN ({q}) "
                     f"OR +e.target_acts_for IN ({q}))")
        args += ids * 4
    index = "events_first_day"  # walk the dates in order: a page is found after a few rows
    if type_:
        if dict(event_types(db)).get(type_.upper(), 0) <= RARE_TYPE:
            index = "events_type"  # a rare type: its few events, sorted
            where.append("e.type = ?")
        else:
            where.append("+e.type = ?")
        args.append(type_.upper())
    if until:
        where.append("e.first_day <= ?")
        args.append(until)
    if after:
        where.append("(e.first_day > ? OR e.seq > ?)")
        args += [after[0], after[1]]
    sql = (f"SELECT {EVENT_COLS} FROM events e INDEXED BY {{index}} "
           "LEFT JOIN entities se ON se.id = coalesce(e.source_entity, e.source_acts_for) "
           "LEFT JOIN entities te ON te.id = coalesce(e.target_entity, e.target_acts_for) "
           "WHERE {where} ORDER BY e.first_day, e.seq LIMIT ?")
    lo = max(x for x in (since, after and after[0]) if x) if (since or after) else None
    main = where + (["e.first_day >= ?"] if lo else [])
    rows = _rows(c, sql.format(index=index, where=" AND ".join(main)), (*args, *([lo] if lo else []), limit + 1))
    if since and (not after or after[0] < since):
        # events told at a coarser precision (a week, month, quarter, year, decade) that began before `since` and
        # overlap it: they begin on one of a few days, looked up in the date index
        days = _period_starts(since)
        if days:
            early = where + ["e.last_day >= ?", f"e.first_day IN ({','.join('?' * len(days))})"]
            extra = [since, *days]
            if after:
                early.append("e.first_day >= ?")
                extra.append(after[0])
            rows += _rows(c, sql.format(index=index, where=" AND ".join(early)), (*args, *extra, limit + 1))
            rows.sort(key=lambda e: (e["first_day"], e["seq"]))
            rows = rows[:limit + 1]
    nxt = (rows[limit - 1]["first_day"], rows[limit - 1]["seq"]) if len(rows) > limit else None
    return with_mentions(db, rows[:limit]), nxt


def _period_starts(day: str) -> list[str]:
    """The first days, before ``day``, of the periods that contain it: the six days before (weeks), its month,
    quarter, year and decade."""
    import datetime as dt

    try:
        d = dt.date.fromisoformat(day)
    except ValueError:
        return []
    out = {(d - dt.timedelta(days=i)).isoformat() for i in range(1, 7)}
    out |= {dt.date(d.year, d.month, 1).isoformat(), dt.date(d.year, 3 * ((d.month - 1) // 3) + 1, 1).isoformat(),
            dt.date(d.year, 1, 1).isoformat(), dt.date(d.year - d.year % 10, 1, 1).isoformat()}
    return sorted(x for x in out if x < day)


def _page(db: Database, events: list[dict], ids: list[str], type_, since, until, after, limit):
    """Filter and page a bounded list of events in memory (a storyline's, a rare actor's)."""
    idset = set(ids)
    out = []
    for e in events:
        if not e["first_day"]:
            continue
        if idset and not idset & {e["source_id"], e["target_id"], e.get("source_acts_for"), e.get("target_acts_for"),
                                  e.get("source_entity"), e.get("target_entity")}:
            continue
        if type_ and e["type"] != type_.upper():
            continue
        if since and (e["last_day"] or e["first_day"]) < since:
            continue
        if until and e["first_day"] > until:
            continue
        if after and (e["first_day"], e["seq"]) <= after:
            continue
        out.append(e)
    out.sort(key=lambda e: (e["first_day"], e["seq"]))
    page = out[:limit]
    nxt = (page[-1]["first_day"], page[-1]["seq"]) if len(out) > limit else None
    return with_mentions(db, page), nxt


def months(db: Database) -> list[tuple[str, int]]:
    """Events per month over the whole store (the timeline's overview strip), cached."""
    if not db.has("events"):
        return []
    return db.cache.get("months", lambda: [tuple(r) for r in db.conn().execute(
        "SELECT substr(first_day, 1, 7) AS m, count(*) FROM events WHERE first_day IS NOT NULL "
        "GROUP BY m ORDER BY m")])


# -- entities and the actor graph -----------------------------------------------------------------------------------

def entity(db: Database, eid: str) -> dict | None:
    if not db.has("entities"):
        return None
    c = db.conn()
    r = c.execute("SELECT id, name, type, country, sector, wiki, known, mention_count, document_count FROM entities "
                  "WHERE id = ?", (eid,)).fetchone()
    if r is None:
        return None
    out = dict(r)
    out["aliases"] = [a for (a,) in c.execute(
        "SELECT alias FROM entity_aliases WHERE entity = ? AND n > 0 ORDER BY n DESC, alias LIMIT 30", (eid,))]
    out["roles"] = _rows(c, """
        SELECT r.role, o.name AS of_name, r.of, r.valid_from, r.valid_until, r.ended_by
        FROM entity_roles r LEFT JOIN entities o ON o.id = r.of WHERE r.entity = ? LIMIT 30""", (eid,)) \
        if db.has("entity_roles") else []
    return out


def entity_mentions(db: Database, eid: str, limit: int = PAGE, offset: int = 0) -> list[dict]:
    return _rows(db.conn(), """
        SELECT m.doc, m.span_start AS start, m.span_end AS "end", m.text, d.title, d.outlet, d.published_date AS date,
               substr(d.text, max(1, m.span_start - 79), m.span_end - m.span_start + 160) AS context,
               max(0, m.span_start - 80) AS context_start
        FROM entity_mentions m JOIN documents d ON d.id = m.doc WHERE m.entity = ? LIMIT ? OFFSET ?""",
                 (eid, limit, offset))


class Edges:
    """Actor pairs of events (source → target) with their number of events and types, indexed by actor."""

    def __init__(self, pairs: list[tuple[str, str, int, str]]):
        self.pairs = pairs  # (source, target, events, "TYPE n, TYPE n")
        self.by_node: dict[str, list[int]] = defaultdict(list)
        self.index: dict[tuple[str, str], int] = {}
        for i, (s, t, _n, _types) in enumerate(pairs):
            self.by_node[s].append(i)
            self.by_node[t].append(i)
            self.index[(s, t)] = i

    def of(self, node: str) -> list[tuple[str, str, int, str]]:
        return [self.pairs[i] for i in self.by_node.get(node, ())]

    def among(self, nodes: list[str]) -> list[tuple[str, str, int, str]]:
        """The edges between these nodes (a few dozen: every ordered pair looked up)."""
        return [self.pairs[self.index[(a, b)]] for a in nodes for b in nodes if (a, b) in self.index]


def edges(db: Database) -> Edges:
    """The actor graph's edges over the whole store, cached until the store changes. The rules of
    ``dossier.graph.actor_graph`` (an event's actor is its entity, else the state it acts for; negated and
    hypothetical events left out), read in one grouped pass over the events table: building the networkx
    multigraph with its per-edge source counts takes ten times longer on a large store, and the page needs only
    pairs, counts and types."""
    if not db.has("events", "entities"):
        return Edges([])

    def compute() -> Edges:
        rows = db.conn().execute("""
            SELECT s, t, sum(n), group_concat(type || ' ' || n, ', ') FROM (
                SELECT coalesce(source_entity, source_acts_for) AS s, coalesce(target_entity, target_acts_for) AS t,
                       type, count(*) AS n
                FROM events WHERE reports > 0 AND negated = 0 AND hypothetical = 0
                GROUP BY 1, 2, 3 ORDER BY 1, 2, n DESC, type)
            WHERE s IS NOT NULL AND t IS NOT NULL AND s != t GROUP BY s, t""").fetchall()
        return Edges([tuple(r) for r in rows])

    return db.cache.get("edges", compute)


def warm(db: Database) -> None:
    """Compute the cached whole-store values (counts, lists, the month strip, the graph's edges) ahead of the
    first request."""
    try:
        counts(db)
        top_entities(db)
        event_types(db)
        months(db)
        edges(db)
    except Exception:  # noqa: BLE001  (a warm-up never fails the app; the request computes it again)
        pass


def names(db: Database, ids: list[str]) -> dict[str, dict]:
    c = db.conn()
    out = {}
    ids = list(dict.fromkeys(ids))
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        for r in c.execute(f"SELECT id, name, type, country FROM entities WHERE id IN ({','.join('?' * len(chunk))})",
                           chunk):
            out[r["id"]] = dict(r)
    return out
