"""Events across documents: reports (one per sentence that tells an event) merged into real-world events.

The per-document stage (:mod:`dossier.events.stage`) leaves its reports in ``doc.annotations["events"]``; the
writer stores them in table ``annotations`` (kind ``events``) like the other per-document facts. This module is the
corpus-level half, run in the single writer after dedup and actors:

- ``save``: marks the documents whose reports wait to be linked (table ``event_docs``);
- ``link``: for each pending document, in publication order, every report joins an event with the same type,
  polarity and actors (blocking key: table ``event_keys``, so a report is only ever compared with the events of its
  key, nearest dates first) whose date agrees, else founds a new event. Dates agree when the two TIMEX3 values
  agree at their common precision ("2019" and "2019-06"); a report whose text gives no date (dated by its
  publication) joins an event told by a copy of the same wire story, or one dated within ``window_days``;
- actors are entity ids from the actors stage (the mention inside the actor's words) and the state they act for;
- ``independent_sources`` counts distinct version groups (copies of one wire story count once), at read time, so
  it is right whatever dedup links later.

Knowledge: ``data/events_merge.json`` (symmetric types, the date window).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from functools import lru_cache

from ..document import Document

STAGE = "events"

SCHEMA = [
    """CREATE TABLE events (
        id TEXT PRIMARY KEY,                      -- "v" + hash of the founding report: stable
        seq INTEGER NOT NULL,                     -- creation order (export order)
        key TEXT NOT NULL,                        -- blocking key: type, polarity, actors
        type TEXT NOT NULL,
        mode TEXT,
        source_entity TEXT REFERENCES entities(id),
        source_text TEXT,
        source_country TEXT,
        source_sector TEXT,
        source_acts_for TEXT REFERENCES entities(id),
        target_entity TEXT REFERENCES entities(id),
        target_text TEXT,
        target_country TEXT,
        target_sector TEXT,
        target_acts_for TEXT REFERENCES entities(id),
        date_value TEXT,                          -- TIMEX3 date value
        date_precision TEXT,                      -- day | week | month | quarter | season | year | decade
        date_basis TEXT,                          -- text | published
        day INTEGER,                              -- first day of date_value (ordinal), for ordering and windows
        first_day TEXT,                           -- date_value's first and last day, ISO: timeline filters
        last_day TEXT,
        location_text TEXT,
        location_entity TEXT REFERENCES entities(id),
        location_country TEXT,
        negated INTEGER NOT NULL DEFAULT 0,
        hypothetical INTEGER NOT NULL DEFAULT 0,
        confidence REAL,
        reports INTEGER NOT NULL DEFAULT 0
    )""",
    "CREATE INDEX events_seq ON events(seq)",
    "CREATE INDEX events_first_day ON events(first_day, seq)",
    "CREATE INDEX events_type ON events(type, first_day)",
    "CREATE INDEX events_source_acts_for ON events(source_acts_for)",
    "CREATE INDEX events_source_entity ON events(source_entity)",
    "CREATE INDEX events_target_acts_for ON events(target_acts_for)",
    "CREATE INDEX events_target_entity ON events(target_entity)",
    """CREATE TABLE event_mentions (               -- the reports of an event: sentence spans in documents
        event TEXT NOT NULL REFERENCES events(id),
        doc TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        n INTEGER NOT NULL,                        -- the report's position in annotations (kind events)
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        text TEXT NOT NULL,
        said_by TEXT NOT NULL DEFAULT '[]',        -- JSON: [{"text", "entity", "span"}]
        PRIMARY KEY (doc, n)
    )""",
    "CREATE INDEX event_mentions_event ON event_mentions(event)",
    """CREATE TABLE event_keys (
        key TEXT NOT NULL,
        event TEXT NOT NULL REFERENCES events(id),
        day INTEGER,
        PRIMARY KEY (key, event)
    ) WITHOUT ROWID""",
    """CREATE TABLE event_docs (
        doc TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
        ord INTEGER NOT NULL,                      -- publication day (ordinal), undated last: the linking order
        linked INTEGER NOT NULL DEFAULT 0
    )""",
    "CREATE INDEX event_docs_pending ON event_docs(linked, ord, doc)",
    """CREATE VIEW events_named AS
        SELECT e.id, e.type, e.mode,
               coalesce(se.name, e.source_text) AS source, e.source_country, e.source_sector,
               coalesce(te.name, e.target_text) AS target, e.target_country, e.target_sector,
               e.date_value, e.date_precision, e.date_basis, e.location_text, e.negated, e.hypothetical,
               e.reports,
               (SELECT count(DISTINCT coalesce(d.version_of, d.id)) FROM event_mentions m
                  JOIN documents d ON d.id = m.doc WHERE m.event = e.id) AS independent_sources,
               e.source_entity, e.target_entity
        FROM events e LEFT JOIN entities se ON se.id = coalesce(e.source_entity, e.source_acts_for)
                      LEFT JOIN entities te ON te.id = coalesce(e.target_entity, e.target_acts_for)""",
]

NO_DAY = 10**7
TABLES = ("event_keys", "event_mentions", "events")


def migration(db: sqlite3.Connection) -> None:
    for sql in SCHEMA:
        db.execute(sql)


@lru_cache(maxsize=1)
def settings() -> dict:
    from ..actors.kb import data

    d = data("events_merge.json")
    d["_symmetric"] = frozenset(d["symmetric_types"])
    return d


# -- dates --------------------------------------------------------------------------------------------------------

def precision(value: str | None) -> str | None:
    """The precision of a TIMEX3 date value: "2026-01-06" day, "2026-01" month, "2026-W02" week, "2026-Q1"
    quarter, "2026-SU" season, "2026" year, "202X"/"201" decade; None for anything else."""
    if not value:
        return None
    v = value.split("T")[0]
    if len(v) == 10 and v[4] == "-" and v[7] == "-" and v.replace("-", "").isdigit():
        return "day"
    if len(v) == 7 and v[4] == "-":
        tail = v[5:]
        if tail.isdigit():
            return "month"
    if len(v) >= 7 and v[5] == "W" and v[6:8].isdigit():
        return "week"
    if len(v) == 7 and v[5] == "Q" and v[6].isdigit():
        return "quarter"
    if len(v) == 7 and v[5:] in ("SP", "SU", "FA", "WI"):
        return "season"
    if len(v) == 4 and v.isdigit():
        return "year"
    if len(v) == 4 and v[:3].isdigit() and v[3] == "X" or len(v) == 3 and v.isdigit():
        return "decade"
    return None


def bounds(value: str | None) -> tuple[date, date] | None:
    """First and last day covered by a TIMEX3 date value of a known precision, else None."""
    p = precision(value)
    if p is None:
        return None
    v = value.split("T")[0]
    y = int(v[:4]) if v[:4].isdigit() else None
    try:
        if p == "day":
            d = date.fromisoformat(v)
            return d, d
        if p == "month":
            m = int(v[5:7])
            nxt = date(y + (m == 12), m % 12 + 1, 1)
            return date(y, m, 1), date.fromordinal(nxt.toordinal() - 1)
        if p == "week":
            w = int(v[6:8])
            d = date.fromisocalendar(y, w, 1)
            return d, date.fromordinal(d.toordinal() + 6)
        if p == "quarter":
            q = int(v[6])
            first = date(y, 3 * q - 2, 1)
            nxt = date(y + (q == 4), (3 * q) % 12 + 1, 1)
            return first, date.fromordinal(nxt.toordinal() - 1)
        if p == "season":
            return date(y, 1, 1), date(y, 12, 31)
        if p == "year":
            return date(y, 1, 1), date(y, 12, 31)
        if p == "decade":
            dec = int(v[:3]) * 10
            return date(dec, 1, 1), date(dec + 9, 12, 31)
    except ValueError:
        return None
    return None


def day_bound(value: str | None, what: str) -> date | None:
    """A day given on the command line or in a URL (``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``) as the first day of its
    period (``what="since"``) or the last (``"until"``); None for no value. Raises UsageError for anything else."""
    if value in (None, ""):
        return None
    v = value.strip()
    b = bounds(v) if precision(v) in ("day", "month", "year") and "T" not in v else None
    if b is None:
        from ..errors import UsageError

        raise UsageError(f"--{what} {value!r}: not a date (YYYY-MM-DD, YYYY-MM or YYYY)")
    return b[0] if what == "since" else b[1]


def dates_agree(a: str | None, b: str | None) -> bool:
    """Two TIMEX3 date values agree when one is the other at a coarser precision (or they are equal)."""
    if not a or not b:
        return False
    a, b = a.split("T")[0], b.split("T")[0]
    if a == b:
        return True
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    if long_.startswith(short) and long_[len(short)] == "-":
        return True
    ba, bb = bounds(a), bounds(b)
    if ba and bb and precision(short) in ("week", "quarter", "decade"):
        inner, outer = (bb, ba) if short == a else (ba, bb)
        return outer[0] <= inner[0] and inner[1] <= outer[1]
    return False


# -- the corpus-level stage ---------------------------------------------------------------------------------------

def save(c: sqlite3.Connection, docs: list[Document]) -> None:
    """Mark the documents the events stage ran on as waiting to be linked (their reports are stored by
    :mod:`dossier.store.facts`); documents read again replace their earlier mentions."""
    rows = []
    for doc in docs:
        if STAGE not in doc.annotations:
            continue
        p = doc.published
        day = date.fromisoformat(p.date).toordinal() if p.date else NO_DAY
        rows.append((doc.id, day))
    if rows:
        _forget(c, [r[0] for r in rows])
        c.executemany("INSERT OR REPLACE INTO event_docs (doc, ord, linked) VALUES (?, ?, 0)", rows)


def _forget(c: sqlite3.Connection, doc_ids: list[str]) -> None:
    """Drop the mentions of these documents; events left without a mention go too."""
    for d in doc_ids:
        evs = [r[0] for r in c.execute("SELECT DISTINCT event FROM event_mentions WHERE doc = ?", (d,))]
        if not evs:
            continue
        c.execute("DELETE FROM event_mentions WHERE doc = ?", (d,))
        for e in evs:
            left = c.execute("SELECT count(*) FROM event_mentions WHERE event = ?", (e,)).fetchone()[0]
            if left:
                c.execute("UPDATE events SET reports = ? WHERE id = ?", (left, e))
            else:
                c.execute("DELETE FROM event_keys WHERE event = ?", (e,))
                c.execute("DELETE FROM events WHERE id = ?", (e,))


def reset(c: sqlite3.Connection) -> None:
    """Forget every event (reprocess links all documents again; the same input gives the same ids)."""
    for t in TABLES:
        c.execute(f"DELETE FROM {t}")
    c.execute("UPDATE event_docs SET linked = 0")


def pending(c: sqlite3.Connection) -> int:
    return c.execute("SELECT count(*) FROM event_docs WHERE linked = 0").fetchone()[0]


def link(store, on_progress: Callable[[str, int], None] | None = None, batch: int = 500) -> dict[str, int]:
    """Merge the reports of every pending document into events, in publication order, committing every batch."""
    from ..store import transaction

    c = store.conn
    counts = {"reports": 0, "events": 0, "merged": 0}
    while True:
        rows = c.execute("SELECT doc FROM event_docs WHERE linked = 0 ORDER BY ord, doc LIMIT ?",
                         (batch,)).fetchall()
        if not rows:
            break
        with transaction(c):
            linker = _Linker(c, counts)
            for (doc_id,) in rows:
                linker.document(doc_id)
            c.executemany("UPDATE event_docs SET linked = 1 WHERE doc = ?", rows)
            c.executemany("UPDATE documents SET stages = CASE WHEN EXISTS (SELECT 1 FROM json_each(documents.stages) "
                          "WHERE value = ?1) THEN stages ELSE json_insert(stages, '$[#]', ?1) END WHERE id = ?2",
                          [(STAGE, r[0]) for r in rows])
        if on_progress:
            on_progress(STAGE, len(rows))
    return counts


def _hash(*parts: object, n: int = 12) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:n]


class _Linker:
    def __init__(self, c: sqlite3.Connection, counts: dict):
        self.c, self.counts = c, counts
        self.has_entities = c.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'entity_mentions'").fetchone() is not None
        r = c.execute("SELECT max(seq) FROM events").fetchone()
        self.seq = (r[0] or 0) if r else 0

    # actors as entities ----------------------------------------------------------------------------------------
    def _mentions(self, doc_id: str) -> list[tuple]:
        if not self.has_entities:
            return []
        return self.c.execute(
            "SELECT m.span_start, m.span_end, m.entity, m.acts_for, e.type, e.country FROM entity_mentions m "
            "JOIN entities e ON e.id = m.entity WHERE m.doc = ? ORDER BY m.span_start", (doc_id,)).fetchall()

    def _state(self, iso3: str | None) -> str | None:
        if not iso3 or not self.has_entities:
            return None
        r = self.c.execute("SELECT id FROM entities WHERE key = ?", (f"C:{iso3}",)).fetchone()
        return r[0] if r else None

    def actor(self, a: dict | None, mentions: list[tuple]) -> dict:
        """An event actor (export form) from a report's actor: the entity named inside its words (the last
        person or organisation, else the last place or group) and the state it acts for."""
        if not a:
            return {"entity": None, "text": None, "country": None, "sector": None, "acts_for": None}
        inside = [m for m in mentions if m[0] >= a["start"] and m[1] <= a["end"]]
        if not inside:
            inside = [m for m in mentions if m[0] < a["end"] and m[1] > a["start"]]
        best = None
        for rank in (("PERSON", "ORG", "FAC"), ("GPE", "LOC"), ("NORP",)):
            hits = [m for m in inside if m[4] in rank]
            if hits:
                best = hits[-1]
                break
        country = a.get("country")
        entity = acts_for = None
        if best is not None:
            entity = best[2] if best[4] != "NORP" else None
            acts_for = best[3] or (best[2] if best[4] in ("GPE", "NORP") else None)
            if best[4] == "NORP" and acts_for is None:
                acts_for = self._state(country or best[5])
            country = country or best[5]
        if acts_for is None and country and (entity is None or a.get("sector") in ("GOV", "MIL", None)):
            acts_for = self._state(country)
        if entity is None and acts_for is not None and best is not None and best[4] in ("GPE", "NORP"):
            entity = acts_for
        person = best is not None and best[4] == "PERSON"
        return {"entity": entity, "text": a.get("text"), "country": country, "sector": a.get("sector"),
                "acts_for": acts_for, "_person": person}

    # linking ---------------------------------------------------------------------------------------------------
    def document(self, doc_id: str) -> None:
        c = self.c
        row = c.execute("SELECT coalesce(version_of, id), published_date FROM documents WHERE id = ?",
                        (doc_id,)).fetchone()
        if row is None:
            return
        group, published = row
        reports = c.execute("SELECT n, start, \"end\", text, data FROM annotations WHERE doc_id = ? AND kind = ? "
                            "ORDER BY n", (doc_id, STAGE)).fetchall()
        if not reports:
            return
        mentions = self._mentions(doc_id)
        c.execute("DELETE FROM event_mentions WHERE doc = ?", (doc_id,))
        for n, start, end, text, data in reports:
            r = json.loads(data)
            self.report(doc_id, group, published, n, start, end, text, r, mentions)

    def report(self, doc_id, group, published, n, start, end, text, r, mentions) -> None:
        c = self.c
        src, tgt = self.actor(r.get("source"), mentions), self.actor(r.get("target"), mentions)
        dv = (r.get("date") or {}).get("value")
        basis = (r.get("date") or {}).get("basis")
        if not dv and published:
            dv, basis = published, "published"
        b = bounds(dv)
        day = b[0].toordinal() if b else None
        key = self._key(r, src, tgt)
        said = [{"text": s.get("text"), "entity": self._entity_at(mentions, s.get("start"), s.get("end")),
                 "span": {"doc": doc_id, **s["span"]} if s.get("span") else None} for s in r.get("said_by") or []]
        ev = self._match(key, dv, basis, day, group, doc_id)
        if ev is None:
            self.seq += 1
            ev = "v" + _hash(doc_id, n)
            loc = r.get("location") or None
            c.execute(
                "INSERT OR REPLACE INTO events (id, seq, key, type, mode, source_entity, source_text, source_country,"
                " source_sector, source_acts_for, target_entity, target_text, target_country, target_sector,"
                " target_acts_for, date_value, date_precision, date_basis, day, first_day, last_day,"
                " location_text, location_entity, location_country, negated, hypothetical, confidence, reports)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,0)",
                (ev, self.seq, key, r["type"], r.get("mode"),
                 src["entity"], src["text"], src["country"], src["sector"], src["acts_for"],
                 tgt["entity"], tgt["text"], tgt["country"], tgt["sector"], tgt["acts_for"],
                 dv, precision(dv), basis if dv else None, day,
                 b[0].isoformat() if b else None, b[1].isoformat() if b else None,
                 loc and loc.get("text"), loc and self._entity_at(mentions, loc.get("start"), loc.get("end")),
                 loc and loc.get("country"), int(bool(r.get("negated"))), int(bool(r.get("hypothetical"))),
                 r.get("confidence")))
            c.execute("INSERT OR REPLACE INTO event_keys VALUES (?, ?, ?)", (key, ev, day))
            self.counts["events"] += 1
        else:
            self._improve(ev, r, src, tgt, dv, basis, day, b)
            self.counts["merged"] += 1
        c.execute("INSERT OR REPLACE INTO event_mentions VALUES (?, ?, ?, ?, ?, ?, ?)",
                  (ev, doc_id, n, start, end, text, json.dumps(said, ensure_ascii=False)))
        c.execute("UPDATE events SET reports = reports + 1 WHERE id = ?", (ev,))
        self.counts["reports"] += 1

    @staticmethod
    def _entity_at(mentions, start, end) -> str | None:
        if start is None:
            return None
        for m in mentions:
            if m[0] >= start and m[1] <= end:
                return m[2]
        return None

    @staticmethod
    def _side(a: dict) -> str:
        """The actor as the blocking key sees it: a person as themself (their coding may differ between reports:
        "opposition leader" here, "interim president" there), a place, building or group as the state it acts
        for ("Washington" and "the U.S." are one side), else the country code or the last words."""
        if a.get("_person") and a["entity"]:
            return a["entity"]
        if a["acts_for"] or a["entity"]:
            return a["acts_for"] or a["entity"]
        if a["country"]:
            return "C:" + a["country"]
        return "T:" + " ".join((a["text"] or "").lower().split()[-2:])

    def _key(self, r: dict, src: dict, tgt: dict) -> str:
        a, b = self._side(src), self._side(tgt)
        if r["type"] in settings()["_symmetric"]:
            a, b = sorted((a, b))
        return "|".join((r["type"], "N" if r.get("negated") else "", "H" if r.get("hypothetical") else "", a, b))

    def _match(self, key, dv, basis, day, group, doc_id) -> str | None:
        """The event this report tells, among the events of its key: dates agree, or a copy of the same wire
        story (another document of its version group) told it, or an undated report falls within the window."""
        c = self.c
        window = settings()["window_days"]
        near = NO_DAY if day is None else day
        cands = c.execute(
            "SELECT k.event, e.date_value, e.date_basis, e.day FROM event_keys k JOIN events e ON e.id = k.event "
            "WHERE k.key = ? ORDER BY abs(coalesce(k.day, ?) - ?) LIMIT ?",
            (key, NO_DAY, near, settings()["candidates"])).fetchall()
        best, best_rank = None, None
        for ev, cv, cbasis, cday in cands:
            same_copy = c.execute(
                "SELECT 1 FROM event_mentions m JOIN documents d ON d.id = m.doc WHERE m.event = ? "
                "AND coalesce(d.version_of, d.id) = ? AND d.id != ? LIMIT 1",
                (ev, group, doc_id)).fetchone() is not None
            if basis == "text" and cbasis == "text":
                ok = dates_agree(dv, cv)
            elif same_copy:
                ok = True
            elif day is not None and cday is not None and "published" in (basis, cbasis):
                ok = abs(day - cday) <= window and (basis != "text" or cbasis != "text")
                if ok and basis == "text":
                    ok = precision(dv) == "day" or dates_agree(dv, cv)
            else:
                ok = dv is None and cv is None
            if not ok:
                continue
            rank = (not same_copy, dv != cv)
            if best_rank is None or rank < best_rank:
                best, best_rank = ev, rank
        return best

    def _improve(self, ev, r, src, tgt, dv, basis, day, b) -> None:
        """A later report can make the event more precise: a date from the text instead of the publication, a
        finer date that agrees, an entity where the first report had only a country."""
        c = self.c
        cur = c.execute("SELECT date_value, date_basis, source_entity, target_entity, mode, location_text "
                        "FROM events WHERE id = ?", (ev,)).fetchone()
        cv, cbasis, se, te, mode, loc = cur
        better_date = basis == "text" and (cbasis != "text" or (dates_agree(dv, cv) and len(dv or "") > len(cv or "")))
        if better_date and b:
            c.execute("UPDATE events SET date_value = ?, date_precision = ?, date_basis = 'text', day = ?, "
                      "first_day = ?, last_day = ? WHERE id = ?",
                      (dv, precision(dv), day, b[0].isoformat(), b[1].isoformat(), ev))
            c.execute("UPDATE event_keys SET day = ? WHERE event = ?", (day, ev))
        for side, have, a in (("source", se, src), ("target", te, tgt)):
            if have is None and a["entity"]:
                c.execute(f"UPDATE events SET {side}_entity = ?, {side}_text = ? WHERE id = ?",
                          (a["entity"], a["text"], ev))
        if mode is None and r.get("mode"):
            c.execute("UPDATE events SET mode = ? WHERE id = ?", (r["mode"], ev))
        if loc is None and r.get("location"):
            c.execute("UPDATE events SET location_text = ?, location_country = ? WHERE id = ?",
                      (r["location"].get("text"), r["location"].get("country"), ev))


# -- reading: export lines and queries -----------------------------------------------------------------------------

COLS = ("id, type, mode, source_entity, source_text, source_country, source_sector, source_acts_for, target_entity, "
        "target_text, target_country, target_sector, target_acts_for, date_value, date_precision, date_basis, "
        "location_text, location_entity, location_country, negated, hypothetical, confidence, seq, first_day")


def _line(c: sqlite3.Connection, row: tuple) -> dict:
    (eid, type_, mode, se, stx, sc, ss, sa, te, ttx, tc, ts, ta, dv, dp, db, lt, le, lc, neg, hyp, conf, _seq,
     _first) = row
    mentions, said = [], []
    for doc, start, end, text, said_by in c.execute(
            "SELECT doc, start, \"end\", text, said_by FROM event_mentions WHERE event = ? ORDER BY doc, n", (eid,)):
        mentions.append({"doc": doc, "start": start, "end": end, "text": text})
        said.extend(json.loads(said_by))
    indep = c.execute("SELECT count(DISTINCT coalesce(d.version_of, d.id)) FROM event_mentions m "
                      "JOIN documents d ON d.id = m.doc WHERE m.event = ?", (eid,)).fetchone()[0]
    line = {
        "id": eid, "type": type_, "mode": mode,
        "source": {"entity": se, "text": stx, "country": sc, "sector": ss, "acts_for": sa},
        "target": {"entity": te, "text": ttx, "country": tc, "sector": ts, "acts_for": ta},
        "date": {"value": dv, "precision": dp, **({"basis": db} if db else {})},
        "location": {"text": lt, "entity": le, "country": lc} if lt else None,
        "negated": bool(neg), "hypothetical": bool(hyp), "said_by": said, "mentions": mentions,
        "independent_sources": max(1, indep),
    }
    if conf is not None:
        line["confidence"] = round(conf, 4)
    return line


def export_events(conn: sqlite3.Connection, chunk: int = 500) -> Iterator[dict]:
    """events.jsonl lines (../shared/spec/export.md), in creation order, streamed."""
    last = -1
    while True:
        rows = conn.execute(f"SELECT {COLS} FROM events WHERE seq > ? AND reports > 0 ORDER BY seq LIMIT ?",
                            (last, chunk)).fetchall()
        if not rows:
            return
        for row in rows:
            last = row[22]
            yield _line(conn, tuple(row))


def entity_ids(conn: sqlite3.Connection, name: str) -> list[str]:
    """Entities whose name or an alias matches ``name`` (accent- and case-folded, whole alias first)."""
    from ..actors.kb import fold

    f = fold(name)
    ids = [r[0] for r in conn.execute("SELECT DISTINCT entity FROM entity_aliases WHERE folded = ?", (f,))]
    if not ids:
        ids = [r[0] for r in conn.execute("SELECT DISTINCT entity FROM entity_aliases WHERE folded LIKE ? LIMIT 50",
                                          (f"%{f}%",))]
    return ids


def events_table(conn: sqlite3.Connection, *, actor: str | None = None, type_: str | None = None,
                 since: str | None = None, until: str | None = None, story: str | None = None,
                 doc: str | None = None, limit: int | None = None, offset: int = 0,
                 order: str = "date") -> Iterator[dict]:
    """Events as events.jsonl lines, filtered: ``actor`` (a name or alias: events where it, or a person acting for
    it, is the source or the target), ``type_`` (PLOVER type), ``since``/``until`` (ISO days: the event's date
    overlaps), ``story`` (a story id: events told by its documents), ``doc`` (told by this document). ``order``:
    ``"date"`` (dated events by day, then the undated) or ``"seq"`` (creation); ``limit``/``offset`` page through
    them. Each line also gets ``first_day``. Every filter and both orders use an index."""
    where, args = ["e.reports > 0"], []
    if actor:
        ids = entity_ids(conn, actor)
        if not ids:
            return
        q = ",".join("?" * len(ids))
        where.append(f"e.id IN (SELECT id FROM events WHERE source_entity IN ({q}) UNION "
                     f"SELECT id FROM events WHERE source_acts_for IN ({q}) UNION "
                     f"SELECT id FROM events WHERE target_entity IN ({q}) UNION "
                     f"SELECT id FROM events WHERE target_acts_for IN ({q}))")
        args += ids * 4
    if type_:
        where.append("e.type = ?")
        args.append(type_.upper())
    if since:
        where.append("e.last_day >= ?")
        args.append(since)
    if until:
        where.append("e.first_day <= ?")
        args.append(until)
    if story:
        where.append("e.id IN (SELECT m.event FROM event_mentions m JOIN documents d ON d.id = m.doc "
                     "WHERE d.story = ?)")
        args.append(story)
    if doc:
        where.append("e.id IN (SELECT event FROM event_mentions WHERE doc = ?)")
        args.append(doc)
    cols = ", ".join("e." + x.strip() for x in COLS.split(","))
    if order == "date" and not (since or until):
        parts = [("e.first_day IS NOT NULL", "e.first_day, e.seq"), ("e.first_day IS NULL", "e.seq")]
    else:
        parts = [("1", "e.first_day, e.seq" if order == "date" else "e.seq")]
    left, skip = limit, max(0, offset)
    for cond, by in parts:
        if left is not None and left <= 0:
            return
        sql = f"SELECT {cols} FROM events e WHERE {' AND '.join([*where, cond])} ORDER BY {by}"
        rows = conn.execute(f"{sql} LIMIT ? OFFSET ?", (*args, -1 if left is None else left, skip)).fetchall()
        if not rows and skip:  # the offset may reach past this part: count it to carry the rest over
            n = conn.execute(f"SELECT count(*) FROM events e WHERE {' AND '.join([*where, cond])}", args).fetchone()[0]
            skip = max(0, skip - n)
            continue
        skip = 0
        for row in rows:
            line = _line(conn, tuple(row))
            line["first_day"] = row[23]
            yield line
        if left is not None:
            left -= len(rows)


def document_events(conn: sqlite3.Connection, doc_id: str) -> Iterable[tuple]:
    """``(event id, type, start, end)`` of the event mentions in one document, by offset (for highlighting)."""
    return conn.execute("SELECT m.event, e.type, m.start, m.\"end\" FROM event_mentions m JOIN events e "
                        "ON e.id = m.event WHERE m.doc = ? ORDER BY m.start", (doc_id,)).fetchall()
