"""Cross-document entity resolution: one entity per real-world referent across the whole store, incrementally.

Each document's mentions arrive with a key from the actors stage (dossier.actors.mentions). A *strong* key names a
known referent (``C:VEN``, ``P:nicolas-maduro``, ``O:...``): every document's mentions of it join the same entity.
A *weak* key is a name (``p:alexander frolov``, ``ps:blokhin``, ``o:finam financial group``): it joins an entity
that already holds the same key, else one found through **blocking keys** (the folded full name, the surname,
the initials, the sorted words) and confirmed by rapidfuzz scores and constraints (same type; surnames equal and
given names compatible for people; countries not in conflict), else it founds a new entity. Only the entities that
share a blocking key with the new name are compared, never all pairs, so resolving a document costs the same at any
corpus size (a block holding very many entities is read up to a cap, most mentioned first).

Entity ids are a hash of the founding key: the same input gives the same ids. Names improve as aliases arrive
(a full name with its accents beats a surname; the curated name of a known referent beats all). Counts are kept per
entity and re-counted from the mention links whenever a document is resolved again, so ``mention_count`` and
``document_count`` always agree with mentions.jsonl.

Tables (made by :func:`migration`): ``entities``, ``entity_aliases``, ``entity_blocks``, ``entity_mentions``,
``entity_roles``, ``entity_role_evidence``, ``entity_codes`` and the views ``entity_mentions_named`` and
``entity_roles_named`` (readable in Datasette).
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from functools import lru_cache

from ..document import Document
from .kb import fold, kb

STRONG = ("C:", "N:", "P:", "O:", "S:", "G:", "R:", "L:")
BLOCK_CAP = 50          # candidates read per blocking key
CHUNK = 500             # entities per statement when the touched ones are re-counted (SQLite's variable limit)
PERSON_MIN = 88         # rapidfuzz token_sort_ratio for two full names of one person
ORG_MIN = 92            # ... of one organisation
GIVEN_MIN = 80          # given names: "Sergei" / "Sergey"
TYPES_TOGETHER = {"ORG": "ORG", "FAC": "ORG", "GPE": "GPE", "LOC": "GPE"}

SCHEMA = [
    """CREATE TABLE entities (
        id TEXT PRIMARY KEY,                     -- "e" + hash of the founding key: stable
        key TEXT NOT NULL UNIQUE,                -- the founding key (C:VEN, P:nicolas-maduro, p:alexander frolov)
        name TEXT NOT NULL,
        type TEXT NOT NULL,                      -- PERSON ORG GPE LOC NORP FAC EVENT LAW PRODUCT WORK_OF_ART OTHER
        country TEXT,                            -- ISO-3 when known from the tables (else from the mentions)
        sector TEXT,                             -- PLOVER code when known from the tables (else from the mentions)
        wiki TEXT,
        known INTEGER NOT NULL DEFAULT 0,        -- 1: a referent of the curated tables (its name is final)
        mention_count INTEGER NOT NULL DEFAULT 0,
        document_count INTEGER NOT NULL DEFAULT 0,
        seq INTEGER NOT NULL                     -- creation order, for a stable export order
    )""",
    "CREATE INDEX entities_seq ON entities(seq)",
    """CREATE TABLE entity_aliases (
        entity TEXT NOT NULL REFERENCES entities(id),
        alias TEXT NOT NULL,                     -- a surface form, NFC, as written
        folded TEXT NOT NULL,
        n INTEGER NOT NULL DEFAULT 0,            -- mentions written so
        PRIMARY KEY (entity, alias)
    ) WITHOUT ROWID""",
    "CREATE INDEX entity_aliases_folded ON entity_aliases(folded)",
    """CREATE TABLE entity_blocks (              -- blocking key -> entities: the only candidates ever compared
        key TEXT NOT NULL,
        entity TEXT NOT NULL REFERENCES entities(id),
        PRIMARY KEY (key, entity)
    ) WITHOUT ROWID""",
    """CREATE TABLE entity_mentions (
        id TEXT PRIMARY KEY,                     -- "m" + hash of document and span
        doc TEXT NOT NULL,
        span_start INTEGER NOT NULL,
        span_end INTEGER NOT NULL,
        text TEXT NOT NULL,
        entity TEXT NOT NULL REFERENCES entities(id),
        acts_for TEXT REFERENCES entities(id),
        country TEXT,
        sector TEXT,
        label TEXT,
        nominal INTEGER NOT NULL DEFAULT 0       -- 1: a description ("the Venezuelan president"), not a name
    )""",
    "CREATE INDEX entity_mentions_entity ON entity_mentions(entity)",
    "CREATE INDEX entity_mentions_doc ON entity_mentions(doc, span_start)",
    """CREATE TABLE entity_codes (               -- actor codings of an entity's mentions, counted
        entity TEXT NOT NULL REFERENCES entities(id),
        country TEXT NOT NULL DEFAULT '',
        sector TEXT NOT NULL DEFAULT '',
        n INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (entity, country, sector)
    ) WITHOUT ROWID""",
    """CREATE TABLE entity_roles (
        id TEXT PRIMARY KEY,                     -- "r" + hash of holder, role, of and validity
        entity TEXT NOT NULL REFERENCES entities(id),
        role TEXT NOT NULL,
        of TEXT REFERENCES entities(id),
        country TEXT,
        sector TEXT,
        valid_from TEXT,
        valid_until TEXT,
        ended_by TEXT                            -- "former X": the office had ended by this day
    )""",
    "CREATE INDEX entity_roles_entity ON entity_roles(entity)",
    """CREATE TABLE entity_role_evidence (
        role TEXT NOT NULL REFERENCES entity_roles(id),
        doc TEXT NOT NULL,
        span_start INTEGER NOT NULL,
        span_end INTEGER NOT NULL,
        text TEXT NOT NULL,
        PRIMARY KEY (role, doc, span_start, span_end)
    ) WITHOUT ROWID""",
    "CREATE INDEX entity_role_evidence_doc ON entity_role_evidence(doc)",
    """CREATE VIEW entity_mentions_named AS
        SELECT m.id, m.doc, m.span_start, m.span_end, m.text, e.name AS entity_name, e.type AS entity_type,
               s.name AS acts_for_name, m.country, m.sector, m.entity, m.acts_for
        FROM entity_mentions m JOIN entities e ON e.id = m.entity LEFT JOIN entities s ON s.id = m.acts_for""",
    """CREATE VIEW entity_roles_named AS
        SELECT r.id, e.name AS holder, r.role, o.name AS of_name, r.country, r.sector, r.valid_from, r.valid_until,
               r.ended_by, r.entity, r.of
        FROM entity_roles r JOIN entities e ON e.id = r.entity LEFT JOIN entities o ON o.id = r.of""",
]


def migration(db: sqlite3.Connection) -> None:
    """Create the tables of cross-document resolution (one statement at a time, inside the caller's transaction)."""
    for stmt in SCHEMA:
        db.execute(stmt)


def _hash(*parts: object, n: int = 12) -> str:
    return hashlib.sha1("\x1f".join("" if p is None else str(p) for p in parts).encode("utf-8")).hexdigest()[:n]


def _mention_hash(doc_id: str, start: int, end: int) -> str:
    """``_hash(doc_id, start, end)`` without the generic joining (one per mention)."""
    return hashlib.sha1(f"{doc_id}\x1f{start}\x1f{end}".encode()).hexdigest()[:12]


def _nfc(s: str) -> str:
    return " ".join(unicodedata.normalize("NFC", s).split())


# -- blocking keys -------------------------------------------------------------------------------------------------


def _tokens(name: str) -> list[str]:
    return [t for t in fold(name).split() if t]


def blocking_keys(name: str, type_: str) -> list[str]:
    """Keys under which an entity of this name is filed (and a new name looked up)."""
    toks = _tokens(name)
    if not toks:
        return []
    t = TYPES_TOGETHER.get(type_, type_)
    keys = [f"n:{t}:{' '.join(toks)}"]
    if type_ == "PERSON":
        keys.append(f"s:{toks[-1]}")
        if len(toks) >= 2:
            keys.append(f"i:{toks[0][0]}:{toks[-1]}")
    else:
        keys.append(f"w:{t}:{' '.join(sorted(toks))}")
        sig = [w for w in toks if w not in ("of", "the", "and", "de", "for", "la", "del", "s", "a")]
        if len(sig) >= 2:
            keys.append(f"a:{''.join(w[0] for w in sig)}")
        if len(toks) == 1 and 2 <= len(toks[0]) <= 8 and name.replace(".", "").isupper():
            keys.append(f"a:{toks[0].lower()}")
    return keys


@lru_cache(maxsize=65536)
def _blocking_keys(name: str, type_: str) -> tuple[str, ...]:
    """:func:`blocking_keys`, cached: the same names come back in every document."""
    return tuple(blocking_keys(name, type_))


# -- resolution ----------------------------------------------------------------------------------------------------


class _Resolver:
    def __init__(self, conn: sqlite3.Connection):
        self.c = conn
        self.k = kb()
        row = conn.execute("SELECT coalesce(max(seq), 0) FROM entities").fetchone()
        self.seq = row[0]
        self.touched: set[str] = set()
        # key -> entity id of the entities met so far, and the keys known to have no entity yet: an entity keeps its
        # key and its id, and only this resolver adds entities while it runs (in the writer's transaction), so a key
        # looked up once need not be looked up again (create() moves a key from absent to ids)
        self.ids: dict[str, str] = {}
        self.absent: set[str] = set()
        self.blocked: set[tuple[str, str]] = set()  # (blocking key, entity) rows this resolver has written

    # entities ------------------------------------------------------------------------------------------------
    def by_key(self, key: str) -> str | None:
        eid = self.ids.get(key)
        if eid is not None or key in self.absent:
            return eid
        r = self.c.execute("SELECT id FROM entities WHERE key = ?", (key,)).fetchone()
        if r is None:
            self.absent.add(key)
            return None
        self.ids[key] = r[0]
        return r[0]

    def create(self, key: str, name: str, type_: str, country: str | None, sector: str | None, wiki: str | None,
               known: bool) -> str:
        eid = "e" + _hash(key)
        n = 0
        while self.c.execute("SELECT 1 FROM entities WHERE id = ?", (eid,)).fetchone():
            n += 1
            eid = "e" + _hash(key, n)
        self.seq += 1
        self.c.execute("INSERT INTO entities (id, key, name, type, country, sector, wiki, known, seq) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (eid, key, name, type_, country, sector, wiki, int(known), self.seq))
        self.ids[key] = eid
        self.absent.discard(key)
        self.block(eid, name, type_)
        return eid

    def block(self, eid: str, name: str, type_: str) -> None:
        for bk in _blocking_keys(name, type_):
            if (bk, eid) not in self.blocked:  # written already: the INSERT OR IGNORE would change nothing
                self.blocked.add((bk, eid))
                self.c.execute("INSERT OR IGNORE INTO entity_blocks (key, entity) VALUES (?, ?)", (bk, eid))

    def state(self, iso3: str) -> str:
        """The entity of a state, created when first needed (a metonym may name it before the state is named)."""
        key = f"C:{iso3}"
        eid = self.by_key(key)
        if eid is None:
            eid = self.create(key, self.k.country_name.get(iso3, iso3), "GPE", iso3, None, None, True)
        return eid

    def strong(self, key: str, cl: dict) -> str:
        eid = self.by_key(key)
        if eid is not None:
            return eid
        known = key.startswith(("C:", "P:", "O:", "S:", "R:", "G:"))
        country = cl["country"]
        sector = cl["sector"] if key.startswith(("O:", "S:")) else None
        if key.startswith("C:"):
            country, sector = key[2:], None
        wiki = cl.get("wiki") if key.startswith(("P:", "O:", "S:", "G:", "R:")) else None
        if key.startswith("P:"):
            p = self.k.people.get(key[2:])
            if p is not None:
                wiki = p.wiki
        return self.create(key, cl["name"], cl["type"], country, sector, wiki, known)

    def weak(self, key: str, cl: dict) -> str:
        eid = self.by_key(key)
        if eid is not None:
            return eid
        name, type_ = cl["name"], cl["type"]
        toks = _tokens(name)
        cands: dict[str, tuple] = {}
        keys = _blocking_keys(name, type_) + ((f"s:{toks[-1]}",) if type_ == "PERSON" and toks else ())
        for bk in dict.fromkeys(keys):  # a key asked twice would read the same rows again (the surname key)
            for row in self.c.execute(
                    "SELECT e.id, e.name, e.type, e.country, e.mention_count, e.key FROM entity_blocks b "
                    "JOIN entities e ON e.id = b.entity WHERE b.key = ? ORDER BY e.mention_count DESC LIMIT ?",
                    (bk, BLOCK_CAP)):
                cands[row[0]] = tuple(row)
        best = self.pick(cl, list(cands.values()))
        if best is not None:
            return best
        return self.create(key, name, type_, cl["country"] if type_ != "PERSON" else None,
                           cl["sector"] if type_ not in ("PERSON",) else None, None, False)

    def pick(self, cl: dict, cands: list[tuple]) -> str | None:
        from rapidfuzz import fuzz

        name, type_ = cl["name"], cl["type"]
        t = TYPES_TOGETHER.get(type_, type_)
        toks = _tokens(name)
        if not toks or not cands:
            return None
        cands = [c for c in cands if TYPES_TOGETHER.get(c[2], c[2]) == t]
        if cl["country"]:
            cands = [c for c in cands if not c[3] or c[3] == cl["country"]]
        if type_ == "PERSON":
            if len(toks) == 1:  # a surname alone: the one person of that surname, or a clearly dominant one
                full = [c for c in cands if _tokens(c[1])[-1:] == toks]
                if len(full) == 1:
                    return full[0][0]
                if len(full) > 1:
                    full.sort(key=lambda c: -c[4])
                    if full[0][4] >= 3 * max(1, full[1][4]):
                        return full[0][0]
                return None
            scored = []
            for c in cands:
                ct = _tokens(c[1])
                if len(ct) == 1:
                    continue
                if ct[-1] != toks[-1] and fuzz.ratio(ct[-1], toks[-1]) < 90:
                    continue
                if not (ct[0] == toks[0] or fuzz.ratio(ct[0], toks[0]) >= GIVEN_MIN or
                        (len(ct[0]) == 1 or len(toks[0]) == 1) and ct[0][0] == toks[0][0]):
                    continue
                s = fuzz.token_sort_ratio(" ".join(ct), " ".join(toks))
                if s >= PERSON_MIN or ct[-1] == toks[-1] and ct[0][0] == toks[0][0] and s >= 80:
                    scored.append((s, c[4], c[0]))
            return max(scored)[2] if scored else None
        scored = []
        acro = len(toks) == 1 and name.replace(".", "").isupper()
        for c in cands:
            ct = _tokens(c[1])
            s = fuzz.token_sort_ratio(" ".join(ct), " ".join(toks))
            if s >= ORG_MIN:
                scored.append((s, c[4], c[0]))
            elif acro and len(ct) >= 2 and "".join(w[0] for w in ct if w not in ("of", "the", "and", "de", "for")) \
                    == toks[0]:
                scored.append((90, c[4], c[0]))
        return max(scored)[2] if scored else None

    # documents ------------------------------------------------------------------------------------------------
    def forget(self, doc_id: str) -> None:
        """Remove what an earlier resolution of this document left (reprocessing it)."""
        c = self.c
        old = c.execute("SELECT entity, country, sector FROM entity_mentions WHERE doc = ?", (doc_id,)).fetchall()
        if not old:
            c.execute("DELETE FROM entity_role_evidence WHERE doc = ?", (doc_id,))
            return
        for ent, country, sector in old:
            self.touched.add(ent)
            c.execute("UPDATE entity_codes SET n = n - 1 WHERE entity = ? AND country = ? AND sector = ?",
                      (ent, country or "", sector or ""))
        for ent, text in c.execute("SELECT entity, text FROM entity_mentions WHERE doc = ?", (doc_id,)).fetchall():
            c.execute("UPDATE entity_aliases SET n = n - 1 WHERE entity = ? AND alias = ?", (ent, _alias(text)))
        c.execute("DELETE FROM entity_mentions WHERE doc = ?", (doc_id,))
        c.execute("DELETE FROM entity_role_evidence WHERE doc = ?", (doc_id,))

    def document(self, doc: Document) -> None:
        ann = doc.annotations
        if "mentions" in ann and ann["mentions"] and "key" not in ann["mentions"][0]:
            from .mentions import annotate

            annotate(doc)
        seen: set[tuple[int, int]] = set()
        mentions = []
        for m in ann.get("mentions") or []:
            if m.get("key") and (m["start"], m["end"]) not in seen:
                seen.add((m["start"], m["end"]))
                mentions.append(m)
        self.forget(doc.id)
        clusters: dict[str, dict] = {}
        for m in mentions:
            cl = clusters.get(m["key"])
            if cl is None:  # the first mention of a key gives its type and wiki
                cl = clusters[m["key"]] = {"name": None, "type": m.get("type") or "OTHER", "country": None,
                                           "sector": None, "wiki": m.get("wiki"), "forms": {}, "codes": {}}
            alias = _alias(m["text"])
            if not m.get("nominal"):
                forms = cl["forms"]
                forms[alias] = forms.get(alias, 0) + 1
            country, sector = m.get("country"), m.get("sector")
            if country or sector:
                codes = cl["codes"]
                codes[(country, sector)] = codes.get((country, sector), 0) + 1
            cand = m.get("name") or alias
            if cl["name"] is None or _better(cand, cl["name"]):
                cl["name"] = cand
        ids: dict[str, str] = {}
        aliases = []  # written once for the document: nothing reads entity_aliases before finish()
        for key, cl in clusters.items():
            if cl["codes"]:  # the most frequent coding, the first met of equals (as Counter.most_common)
                cl["country"], cl["sector"] = max(cl["codes"].items(), key=lambda kv: kv[1])[0]
            cl["name"] = cl["name"] or key.split(":", 1)[-1]
            eid = self.strong(key, cl) if key.startswith(STRONG) else self.weak(key, cl)
            ids[key] = eid
            self.touched.add(eid)
            blocked = not key.startswith(STRONG) or key.startswith("G:")
            for form, n in cl["forms"].items():
                aliases.append((eid, form, fold(form), n))
                if blocked:  # at once: a weak key later in this document may find the entity by these names
                    self.block(eid, form, cl["type"])
        self.c.executemany("INSERT INTO entity_aliases (entity, alias, folded, n) VALUES (?, ?, ?, ?) "
                           "ON CONFLICT(entity, alias) DO UPDATE SET n = n + excluded.n", aliases)
        rows = []
        codes: dict[tuple[str, str, str], int] = {}
        doc_id = doc.id
        for m in mentions:
            eid = ids[m["key"]]
            acts = None
            af = m.get("acts_for")
            if af and af.startswith("C:"):
                acts = self.state(af[2:])
            elif af:
                acts = self.by_key(af)
            if acts == eid:
                acts = None
            country = m.get("country")
            country = country if country and _ISO3.fullmatch(country) and country not in (
                "UNO", "EUR", "IGO") else None
            sector = m.get("sector") or None
            start, end = m["start"], m["end"]
            rows.append(("m" + _mention_hash(doc_id, start, end), doc_id, start, end, m["text"], eid, acts, country,
                         sector, m.get("label"), int(bool(m.get("nominal")))))
            code = (eid, country or "", sector or "")
            codes[code] = codes.get(code, 0) + 1
        self.c.executemany("INSERT INTO entity_codes (entity, country, sector, n) VALUES (?, ?, ?, ?) "
                           "ON CONFLICT(entity, country, sector) DO UPDATE SET n = n + excluded.n",
                           [(*k, n) for k, n in codes.items()])
        self.c.executemany("INSERT OR REPLACE INTO entity_mentions (id, doc, span_start, span_end, text, entity, "
                           "acts_for, country, sector, label, nominal) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        for r in ann.get("roles") or []:
            self.role(doc, r, ids)

    def role(self, doc: Document, r: dict, ids: dict[str, str]) -> None:
        holder = ids.get(r["holder"])
        if holder is None:
            return
        of = None
        if r.get("of"):
            of = ids.get(r["of"])
            if of is None and r["of"].startswith("C:"):
                of = self.state(r["of"][2:])
            elif of is None:
                of = self.by_key(r["of"])
        rid = "r" + _hash(holder, r["role"], of, r.get("valid_from"), r.get("valid_until"))
        self.c.execute("INSERT OR IGNORE INTO entity_roles (id, entity, role, of, country, sector, valid_from, "
                       "valid_until, ended_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (rid, holder, r["role"], of, r.get("country"), r.get("sector"), r.get("valid_from"),
                        r.get("valid_until"), r.get("ended_by")))
        if r.get("ended_by"):
            self.c.execute("UPDATE entity_roles SET ended_by = min(coalesce(ended_by, ?), ?) WHERE id = ?",
                           (r["ended_by"], r["ended_by"], rid))
        self.c.execute("INSERT OR IGNORE INTO entity_role_evidence (role, doc, span_start, span_end, text) "
                       "VALUES (?, ?, ?, ?, ?)", (rid, doc.id, r["start"], r["end"], r["text"]))

    def finish(self) -> None:
        """Re-count the entities touched, and give each its best name (a few statements per CHUNK entities, not
        a few per entity)."""
        c = self.c
        touched = list(self.touched)
        for i in range(0, len(touched), CHUNK):
            chunk = touched[i:i + CHUNK]
            marks = ", ".join("?" * len(chunk))
            counts = dict.fromkeys(chunk, (0, 0))  # an entity left without mentions counts 0
            for eid, n, d in c.execute(f"SELECT entity, count(*), count(DISTINCT doc) FROM entity_mentions "
                                       f"WHERE entity IN ({marks}) GROUP BY entity", chunk):
                counts[eid] = (n, d)
            c.executemany("UPDATE entities SET mention_count = ?, document_count = ? WHERE id = ?",
                          [(n, d, eid) for eid, (n, d) in counts.items()])
            forms: dict[str, list] = defaultdict(list)
            for eid, alias, n in c.execute(f"SELECT entity, alias, n FROM entity_aliases WHERE entity IN ({marks}) "
                                           f"AND n > 0 ORDER BY entity, alias", chunk):
                forms[eid].append((alias, n))
            names = []
            for eid, known, name in c.execute(f"SELECT id, known, name FROM entities WHERE id IN ({marks})", chunk):
                if known or eid not in forms:
                    continue
                best = name
                for alias, _n in sorted(forms[eid], key=lambda x: -x[1]):
                    if _better(alias, best):
                        best = alias
                if best != name:
                    names.append((best, eid))
            c.executemany("UPDATE entities SET name = ? WHERE id = ?", names)
        c.execute("DELETE FROM entity_codes WHERE n <= 0")
        self.touched = set()


_ISO3 = re.compile(r"[A-Z]{3}")
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_ARTICLE = re.compile(r"^(?:the|The|THE)\s+")


@lru_cache(maxsize=65536)
def _alias(text: str) -> str:
    t = _nfc(text)
    t = _POSSESSIVE.sub("", t).strip()
    return t


def _better(a: str, b: str) -> bool:
    """Whether name ``a`` is a better canonical name than ``b``: more words, then accents ("Nicolás" over
    "Nicolas"), then no leading article, then capitals."""
    return _name_score(a) > _name_score(b)


@lru_cache(maxsize=65536)
def _name_score(s: str) -> tuple:
    """The key of :func:`_better` (cached: a document offers the same names again and again)."""
    core = _ARTICLE.sub("", s)
    words = len(_tokens(core))
    accents = 0 if core.isascii() else sum(ord(ch) > 127 for ch in core)
    return (words, accents, not core.isupper() or len(core) <= 6, core == s, -abs(sum(map(str.isupper, core)) - words))


TABLES = ("entity_role_evidence", "entity_roles", "entity_codes", "entity_mentions", "entity_blocks", "entity_aliases",
          "entities")


def reset(conn: sqlite3.Connection) -> None:
    """Forget every entity (reprocess resolves all documents again; the same input gives the same ids)."""
    for t in TABLES:
        conn.execute(f"DELETE FROM {t}")


def resolve(conn: sqlite3.Connection, docs: Iterable[Document]) -> None:
    """Assign every mention of ``docs`` to an existing or a new entity; update aliases, roles and counts. Runs in
    the caller's transaction; incremental (documents resolved again replace their earlier mentions)."""
    r = _Resolver(conn)
    for doc in docs:
        r.document(doc)
    r.finish()


# -- export lines (../shared/spec/export.md) ---------------------------------------------------------------------


ENTITY_COLS = "id, name, type, country, sector, wiki, seq, known"


def export_entities(conn: sqlite3.Connection) -> Iterator[dict]:
    """entities.jsonl lines, in creation order. ``country``/``sector``: the curated value, else the most frequent
    coding of the entity's mentions."""
    last = -1
    while True:
        rows = conn.execute(f"SELECT {ENTITY_COLS} FROM entities WHERE seq > ? ORDER BY seq LIMIT 500",
                            (last,)).fetchall()
        if not rows:
            return
        for row in rows:
            last = row[6]
            yield _entity_line(conn, tuple(row))


def _entity_line(conn: sqlite3.Connection, row: tuple) -> dict:
    eid, name, type_, country, sector, wiki, _seq, known = row
    n, d = conn.execute("SELECT count(*), count(DISTINCT doc) FROM entity_mentions WHERE entity = ?",
                        (eid,)).fetchone()
    if not known or country is None or sector is None:
        cn, sc = Counter(), Counter()
        for ccode, scode, k in conn.execute("SELECT country, sector, n FROM entity_codes WHERE entity = ? AND n > 0",
                                            (eid,)):
            if ccode:
                cn[ccode] += k
            if scode:
                sc[scode] += k
        if country is None and cn:
            country = cn.most_common(1)[0][0]
        if sector is None and sc and type_ in ("PERSON", "ORG", "FAC"):
            sector = sc.most_common(1)[0][0]
    aliases = [a for a, _ in conn.execute(
        "SELECT alias, n FROM entity_aliases WHERE entity = ? AND n > 0 ORDER BY n DESC, alias", (eid,))]
    if name not in aliases and known:
        aliases = [name, *aliases]
    line = {"id": eid, "name": name, "type": type_, "country": country, "sector": sector,
            "aliases": list(dict.fromkeys(_nfc(a) for a in aliases)), "mention_count": n, "document_count": d}
    if wiki:
        line["wiki"] = wiki
    return line


def export_mentions(conn: sqlite3.Connection) -> Iterator[dict]:
    """mentions.jsonl lines, by document and offset."""
    last = ("", -1, "")
    while True:
        rows = conn.execute(
            "SELECT id, doc, span_start, span_end, text, entity, acts_for, country, sector FROM entity_mentions "
            "WHERE (doc, span_start, id) > (?, ?, ?) ORDER BY doc, span_start, id LIMIT 2000", last).fetchall()
        if not rows:
            return
        for mid, doc, a, b, text, ent, acts, country, sector in rows:
            last = (doc, a, mid)
            yield {"id": mid, "doc": doc, "start": a, "end": b, "text": text, "entity": ent, "acts_for": acts,
                   "country": country, "sector": sector}


def export_roles(conn: sqlite3.Connection) -> Iterator[dict]:
    """roles.jsonl lines, with their evidence spans."""
    last = ""
    while True:
        rows = conn.execute("SELECT id, entity, role, of, country, sector, valid_from, valid_until, ended_by "
                            "FROM entity_roles WHERE id > ? ORDER BY id LIMIT 500", (last,)).fetchall()
        if not rows:
            return
        for rid, ent, role, of, country, sector, vf, vu, ended in rows:
            last = rid
            ev = [{"doc": d, "start": a, "end": b, "text": t} for d, a, b, t in conn.execute(
                "SELECT doc, span_start, span_end, text FROM entity_role_evidence WHERE role = ? "
                "ORDER BY doc, span_start", (rid,))]
            if not ev:
                continue
            line = {"id": rid, "entity": ent, "role": role, "of": of, "country": country, "sector": sector,
                    "valid_from": vf, "valid_until": vu, "evidence": ev}
            if ended:
                line["ended_by"] = ended
            yield line


def entities_table(conn: sqlite3.Connection, *, limit: int | None = None, type_: str | None = None,
                   query: str | None = None) -> Iterator[dict]:
    """For ``dossier entities``: entities (entities.jsonl lines) with aliases, mention and document counts, most
    mentioned first; ``type_`` keeps one type, ``query`` the entities with an alias containing it."""
    sql = f"SELECT {ENTITY_COLS} FROM entities"
    args: list = []
    where = []
    if type_:
        where.append("type = ?")
        args.append(type_.upper())
    if query:
        where.append("id IN (SELECT entity FROM entity_aliases WHERE folded LIKE ?)")
        args.append(f"%{fold(query)}%")
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY mention_count DESC, seq"
    if limit:
        sql += f" LIMIT {int(limit)}"
    for row in conn.execute(sql, args).fetchall():
        yield _entity_line(conn, tuple(row))


def write_files(conn: sqlite3.Connection, out_dir: str) -> dict[str, int]:
    """Write entities.jsonl, mentions.jsonl and roles.jsonl into ``out_dir`` (as the export does: one JSON object
    a line, UTF-8, written to a temporary name then moved). Returns ``{file name: lines}``."""
    import json
    import os

    counts = {}
    for name, lines in (("entities.jsonl", export_entities(conn)), ("mentions.jsonl", export_mentions(conn)),
                        ("roles.jsonl", export_roles(conn))):
        path = os.path.join(out_dir, name)
        n = 0
        with open(path + ".tmp", "w", encoding="utf-8", newline="\n") as fh:
            for line in lines:
                fh.write(json.dumps(line, ensure_ascii=False, separators=(", ", ": ")))
                fh.write("\n")
                n += 1
        os.replace(path + ".tmp", path)
        counts[name] = n
    return counts
