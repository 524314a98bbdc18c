"""The stories stage: time-aware storylines, built incrementally.

- **Per document** (``stories`` stage, pure): a bag of terms (content words; proper nouns, the cheap stand-in for
  entities until the entities stage exists, weigh more) and the publication span. :func:`entity_terms` is the one
  place to swap in resolved entities later.
- **Per corpus** (:func:`link`, single writer, incremental, in (day, id) order): a document that is a version of an
  already placed document joins that document's storyline. Any other document is weighted by tf-idf (document
  frequencies kept in table ``term_df``), looks up candidate storylines through an inverted index of each
  storyline's top centroid terms (``story_terms``; only terms rarer than ``df_cap`` are looked up, so a lookup is
  bounded at any corpus size), and joins the best one when cosine similarity times a time-proximity factor clears
  the threshold; a storyline more than ``max_gap_days`` away is out. Otherwise it founds a new storyline, whose id is
  a hash of its founding document. Centroids, spans and the most central document are updated in place: adding
  documents never recomputes the corpus. A batch's document frequencies and version groups are read once, in key
  order, when the batch starts (neither changes until it commits).

Time: the publication date, else the midpoint of after..before for matching (the whole interval for the gap), else
no time constraint.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
import sqlite3
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from .dedup import NO_DAY, day_point, day_span, sentences
from .document import Document
from .pipeline import CorpusStage, register, register_corpus
from .store import transaction

STAGE = "stories"


@lru_cache(maxsize=1)
def config() -> dict:
    cfg = json.loads(resources.files("dossier").joinpath("data/stories.json").read_text("utf-8"))
    cfg["_stop"] = frozenset(cfg["stopwords"])
    cfg["_connectors"] = frozenset(cfg["connectors"])
    return cfg


_TOKEN = re.compile(r"[^\W\d_][\w'’.-]*[^\W_]|[^\W\d_]", re.UNICODE)


@lru_cache(maxsize=200_000)
def _fold(w: str) -> str:
    """A word's comparable form: case-folded, accents off, possessive and dots off ("U.S." = "US")."""
    w = w.casefold()
    if not w.isascii():
        w = "".join(ch for ch in unicodedata.normalize("NFKD", w) if not unicodedata.combining(ch))
        w = w.replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    return w.replace(".", "").replace("'", "")


def _term_hash(t: str) -> int:
    return int.from_bytes(hashlib.blake2b(t.encode("utf-8"), digest_size=8).digest(), "little", signed=True)


def entity_terms(doc: Document, tokens: list[str]) -> set[str]:
    """Proper-noun words (a stand-in for entities): capitalised words the text never writes in lower case. Swap for
    resolved entity ids when the entities stage exists (``doc`` is there for that)."""
    stop = config()["_stop"]
    lower = {t for t in tokens if t[0].islower()}
    out = set()
    for t in {t for t in tokens if t[0].isupper()}:
        f = _fold(t)
        if len(f) >= 2 and f not in stop and t.lower() not in lower:
            out.add(f)
    return out


def doc_terms(doc: Document) -> tuple[list[int], list[float]]:
    """The document's top terms and weights: 1 + log(count), proper nouns times ``proper_weight``."""
    cfg = config()
    stop = cfg["_stop"]
    text = f"{doc.title}\n{doc.text}" if doc.title and not doc.text.startswith(doc.title) else doc.text
    tokens = _TOKEN.findall(text)
    words = Counter(f for f in map(_fold, tokens) if len(f) >= 3 and f not in stop)
    proper = entity_terms(doc, tokens)
    pw = cfg["proper_weight"]
    weights = {w: (1.0 + math.log(n)) * (pw if w in proper else 1.0) for w, n in words.items()}
    top = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[: cfg["terms_kept"]]
    return [_term_hash(w) for w, _ in top], [round(v, 4) for _, v in top]


@register(STAGE, requires=("text", "title", "published"), assigns=("annotations",), mark=False)
def stories(doc: Document) -> Document:
    """Per-document half of stories: terms and time span into ``doc.annotations["stories"]``."""
    terms, weights = doc_terms(doc)
    lo, hi = day_span(doc.published)
    doc.annotations[STAGE] = [{"terms": np.asarray(terms, dtype=np.int64).tobytes(),
                               "weights": np.asarray(weights, dtype=np.float32).tobytes(), "lo": lo, "hi": hi}]
    return doc


# -- persistence -----------------------------------------------------------------------------------------------
def save(c: sqlite3.Connection, docs: list[Document]) -> None:
    rows = []
    for doc in docs:
        f = (doc.annotations.get(STAGE) or [None])[0]
        if f is None:
            continue
        point = day_point(f["lo"], f["hi"])
        rows.append((doc.id, f["lo"], f["hi"], point, NO_DAY if point is None else point, f["terms"], f["weights"]))
    if rows:
        c.executemany("INSERT OR REPLACE INTO story_docs (doc, lo, hi, point, ord, terms, weights, vector, story, "
                      "linked) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL, 0)", rows)


def reset(c: sqlite3.Connection) -> None:
    for t in ("stories", "story_terms", "term_df", "corpus_counts"):
        c.execute(f"DELETE FROM {t}")
    c.execute("UPDATE story_docs SET linked = 0, story = NULL, vector = NULL")


def pending(c: sqlite3.Connection) -> int:
    return c.execute("SELECT count(*) FROM story_docs WHERE linked = 0").fetchone()[0]


# -- the corpus-level linker -----------------------------------------------------------------------------------
def _in(n: int) -> str:
    return ",".join("?" * n)


def story_id(founder: str) -> str:
    return "s" + hashlib.sha1(founder.encode("utf-8")).hexdigest()[:12]


class _Vec:
    __slots__ = ("terms", "w")

    def __init__(self, terms: np.ndarray, w: np.ndarray):
        self.terms, self.w = terms, w

    @classmethod
    def load(cls, terms: bytes, w: bytes) -> _Vec:
        return cls(np.frombuffer(terms, dtype=np.int64), np.frombuffer(w, dtype=np.float32).astype(np.float64))

    def norm(self) -> float:
        return float(np.sqrt((self.w ** 2).sum())) or 1.0

    def cos(self, other: _Vec) -> float:
        common, ia, ib = np.intersect1d(self.terms, other.terms, assume_unique=True, return_indices=True)
        if not len(common):
            return 0.0
        return float((self.w[ia] * other.w[ib]).sum()) / (self.norm() * other.norm())

    def add(self, other: _Vec, keep: int) -> _Vec:
        d: dict[int, float] = dict(zip(self.terms.tolist(), self.w.tolist(), strict=True))
        for t, w in zip(other.terms.tolist(), other.w.tolist(), strict=True):
            d[t] = d.get(t, 0.0) + w
        top = sorted(d.items(), key=lambda kv: (-kv[1], kv[0]))[:keep]
        return _Vec(np.asarray([t for t, _ in top], dtype=np.int64), np.asarray([w for _, w in top]))

    def dump(self) -> tuple[bytes, bytes]:
        return self.terms.tobytes(), self.w.astype(np.float32).tobytes()

    def top(self, n: int) -> list[int]:
        order = np.lexsort((self.terms, -self.w))[:n]
        return self.terms[order].tolist()


def link(store, on_progress: Callable[[str, int], None] | None = None, batch: int = 1000) -> dict[str, int]:
    """Place every document not yet placed in a storyline, in (day, id) order, committing every ``batch``."""
    c = store.conn
    counts: Counter = Counter()
    while True:
        rows = c.execute("SELECT doc, lo, hi, point, terms, weights FROM story_docs WHERE linked = 0 "
                         "ORDER BY ord, doc LIMIT ?", (batch,)).fetchall()
        if not rows:
            break
        with transaction(c):
            stats = _Stats(c, {t for r in rows for t in np.frombuffer(r[4], dtype=np.int64).tolist()})
            groups = _Groups(c, [r[0] for r in rows])
            for r in rows:
                _link_one(c, r, counts, stats, groups)
            stats.flush(c)
        if on_progress:
            on_progress(STAGE, len(rows))
    return dict(counts)


_CHUNK = 900  # host parameters per IN (...) lookup


def _chunks(keys: list, n: int = _CHUNK) -> Iterator[list]:
    for i in range(0, len(keys), n):
        yield keys[i:i + n]


class _Stats:
    """Document frequencies and the document count, with this batch's increments held until the batch commits.
    The frequencies of every term of the batch are read once, in term order, when the batch starts."""

    def __init__(self, c: sqlite3.Connection, terms: set[int]):
        r = c.execute("SELECT value FROM corpus_counts WHERE name = 'documents'").fetchone()
        self.n = r[0] if r else 0
        self.added = 0
        self.delta: Counter = Counter()
        self.cur: Counter = Counter()  # stored + delta, for the batch's terms
        for chunk in _chunks(sorted(terms)):
            self.cur.update(dict(c.execute(f"SELECT term, df FROM term_df WHERE term IN ({_in(len(chunk))})",
                                           chunk).fetchall()))

    def df(self, terms: list[int]) -> list[int]:
        cur = self.cur
        return [cur[t] for t in terms]

    def count(self, terms: list[int]) -> None:
        self.delta.update(terms)
        self.cur.update(terms)
        self.n += 1
        self.added += 1

    def flush(self, c: sqlite3.Connection) -> None:
        c.executemany("INSERT INTO term_df (term, df) VALUES (?, ?) ON CONFLICT(term) DO UPDATE SET df = df + ?2",
                      sorted(self.delta.items()))
        c.execute("INSERT INTO corpus_counts VALUES ('documents', ?1) ON CONFLICT(name) DO UPDATE SET "
                  "value = value + ?1", (self.added,))


class _Groups:
    """The version groups of a batch's documents (dedup has linked them; they do not change while stories link):
    read once per batch, so a document with no other version costs no lookup."""

    def __init__(self, c: sqlite3.Connection, docs: list[str]):
        self.grp: dict[str, str] = {}
        for chunk in _chunks(docs):
            self.grp.update(c.execute(f"SELECT doc, grp FROM dedup_docs WHERE doc IN ({_in(len(chunk))}) "
                                      "AND linked = 1 AND grp IS NOT NULL", chunk).fetchall())
        self.size: dict[str, int] = {}
        for chunk in _chunks(sorted(set(self.grp.values()))):
            self.size.update(c.execute(f"SELECT grp, count(*) FROM dedup_docs WHERE grp IN ({_in(len(chunk))}) "
                                       "GROUP BY grp", chunk).fetchall())

    def stories(self, c: sqlite3.Connection, doc: str) -> list[str]:
        """Storylines of the already placed versions of ``doc`` (its version group)."""
        g = self.grp.get(doc)
        if g is None or self.size.get(g, 0) < 2:  # a group of one: the document itself
            return []
        members = [x[0] for x in c.execute("SELECT doc FROM dedup_docs WHERE grp = ?", (g,)) if x[0] != doc]
        found = set()
        for chunk in _chunks(members, 500):
            found.update(x[0] for x in c.execute(f"SELECT story FROM story_docs WHERE doc IN ({_in(len(chunk))}) "
                                                 "AND linked = 1 AND story IS NOT NULL", chunk))
        return sorted(found)


def _link_one(c: sqlite3.Connection, r: sqlite3.Row, counts: Counter, stats: _Stats, groups: _Groups) -> None:
    cfg = config()
    doc, lo, hi, point = r[0], r[1], r[2], r[3]
    raw = _Vec.load(r[4], r[5])
    terms = raw.terms.tolist()
    n_docs = stats.n
    df = np.asarray(stats.df(terms), dtype=np.float64)
    idf = np.log((n_docs + cfg["idf_prior"]) / (df + 1.0))  # the prior keeps a small corpus from skewing idf
    vec = _Vec(raw.terms, raw.w * idf)
    vec = _Vec(vec.terms, vec.w / vec.norm())

    joined = groups.stories(c, doc)
    story = None
    if joined:
        story = joined[0]
        if len(joined) > 1:  # versions bridged two storylines: they are one
            story = _merge(c, joined)
        counts["versions"] += 1
    else:
        story, _ = _best_story(c, vec, df, lo, hi, point, cfg)
        stats.count(terms)  # copies are not more documents for df: only a group's first member is
    if story is None:
        story = story_id(doc)
        t, w = vec.dump()
        c.execute("INSERT INTO stories (id, first_point, last_point, first_day, last_day, n, terms, weights, center, "
                  "center_sim) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, 1.0)",
                  (story, point, point, lo if lo is not None else hi, hi if hi is not None else lo, t, w, doc))
        c.executemany("INSERT OR IGNORE INTO story_terms VALUES (?, ?)",
                      [(t, story) for t in vec.top(cfg["indexed_terms"])])
        counts["stories"] += 1
    else:
        _join(c, story, doc, vec, lo, hi, point, centroid=not joined)  # counts the document in (n + 1)
        counts["joined"] += 1
    t, w = vec.dump()
    c.execute("UPDATE story_docs SET story = ?, vector = ?, linked = 1 WHERE doc = ?", (story, w, doc))
    c.execute("UPDATE documents SET story = ?1, stages = CASE WHEN EXISTS (SELECT 1 FROM json_each(documents.stages) "
              "WHERE value = ?2) THEN stages ELSE json_insert(stages, '$[#]', ?2) END WHERE id = ?3",
              (story, STAGE, doc))
    counts["linked"] += 1


def _gap(lo: int | None, hi: int | None, first: int | None, last: int | None) -> int:
    """Days between a document's span and a storyline's span (0 when they overlap or either is undated)."""
    if first is None or last is None or (lo is None and hi is None):
        return 0
    lo = lo if lo is not None else hi
    hi = hi if hi is not None else lo
    return max(0, lo - last, first - hi)


def _best_story(c, vec: _Vec, df: np.ndarray, lo, hi, point, cfg) -> tuple[str | None, float]:
    order = np.lexsort((vec.terms, -vec.w))
    query = vec.terms[order[df[order] <= cfg["df_cap"]][: cfg["query_terms"]]].tolist()
    if not query:
        return None, 0.0
    hits = c.execute(f"SELECT story, count(*) AS n FROM story_terms WHERE term IN ({_in(len(query))}) "
                     "GROUP BY story ORDER BY n DESC, story LIMIT ?", (*query, cfg["max_candidates"])).fetchall()
    best, best_s = None, 0.0
    if not hits:
        return None, 0.0
    ids = [h[0] for h in hits]
    for s in c.execute(f"SELECT first_point, last_point, terms, weights, id FROM stories WHERE id IN ({_in(len(ids))}) "
                       "ORDER BY id", ids):
        story = s[4]
        gap = _gap(lo, hi, s[0], s[1])
        if gap > cfg["max_gap_days"]:
            continue
        score = vec.cos(_Vec.load(s[2], s[3])) * math.exp(-max(0, gap - cfg["grace_days"]) / cfg["tau_days"])
        if score > best_s or (score == best_s and best is not None and story < best):
            best, best_s = story, score
    return (best, best_s) if best_s >= cfg["threshold"] else (None, best_s)


def _join(c, story: str, doc: str, vec: _Vec, lo, hi, point, centroid: bool) -> None:
    cfg = config()
    s = c.execute("SELECT terms, weights, center, center_sim, first_point, last_point, first_day, last_day "
                  "FROM stories WHERE id = ?", (story,)).fetchone()
    cen = _Vec.load(s[0], s[1])
    if centroid:
        old_top = set(cen.top(cfg["indexed_terms"]))
        cen = cen.add(vec, cfg["centroid_terms"])
        new_top = set(cen.top(cfg["indexed_terms"]))
        c.executemany("DELETE FROM story_terms WHERE term = ? AND story = ?", [(t, story) for t in old_top - new_top])
        c.executemany("INSERT OR IGNORE INTO story_terms VALUES (?, ?)", [(t, story) for t in new_top - old_top])
    center, center_sim = s[2], s[3]
    if centroid:  # the most central document: the closer of the current centre and the newcomer
        crow = c.execute("SELECT terms, vector FROM story_docs WHERE doc = ?", (center,)).fetchone()
        old = cen.cos(_Vec.load(crow[0], crow[1])) if crow and crow[1] else 0.0
        new = cen.cos(vec)
        center, center_sim = (doc, new) if new > old or (new == old and doc < center) else (center, old)
    t, w = cen.dump()
    c.execute("UPDATE stories SET terms = ?, weights = ?, center = ?, center_sim = ?, first_point = ?, "
              "last_point = ?, first_day = ?, last_day = ?, n = n + 1 WHERE id = ?",
              (t, w, center, center_sim, _lo(s[4], point), _hi(s[5], point),
               _lo(s[6], lo if lo is not None else hi), _hi(s[7], hi if hi is not None else lo), story))


def _lo(a, b):
    return b if a is None else a if b is None else min(a, b)


def _hi(a, b):
    return b if a is None else a if b is None else max(a, b)


def _merge(c, ids: list[str]) -> str:
    """Merge storylines into the one with the earliest first day (then smallest id); returns it."""
    rows = {r["id"]: r for r in c.execute(f"SELECT * FROM stories WHERE id IN ({_in(len(ids))})", ids)}
    keep = min(rows.values(), key=lambda r: (r["first_point"] if r["first_point"] is not None else NO_DAY, r["id"]))
    cfg = config()
    cen = _Vec.load(keep["terms"], keep["weights"])
    fp, lp, fd, ld, n = keep["first_point"], keep["last_point"], keep["first_day"], keep["last_day"], keep["n"]
    for other, o in rows.items():
        if other == keep["id"]:
            continue
        cen = cen.add(_Vec.load(o["terms"], o["weights"]), cfg["centroid_terms"])
        fp, lp = _lo(fp, o["first_point"]), _hi(lp, o["last_point"])
        fd, ld = _lo(fd, o["first_day"]), _hi(ld, o["last_day"])
        n += o["n"]
        c.execute("UPDATE documents SET story = ? WHERE story = ?", (keep["id"], other))
        c.execute("UPDATE story_docs SET story = ? WHERE story = ?", (keep["id"], other))
        c.execute("DELETE FROM story_terms WHERE story = ?", (other,))
        c.execute("DELETE FROM stories WHERE id = ?", (other,))
    t, w = cen.dump()
    c.execute("UPDATE stories SET terms = ?, weights = ?, n = ?, first_point = ?, last_point = ?, first_day = ?, "
              "last_day = ? WHERE id = ?", (t, w, n, fp, lp, fd, ld, keep["id"]))
    c.execute("DELETE FROM story_terms WHERE story = ?", (keep["id"],))
    c.executemany("INSERT OR IGNORE INTO story_terms VALUES (?, ?)",
                  [(t, keep["id"]) for t in cen.top(cfg["indexed_terms"])])
    return keep["id"]


register_corpus(CorpusStage(STAGE, save=save, link=link, reset=reset, pending=pending))


# -- reading storylines ----------------------------------------------------------------------------------------
def _iso(day: int | None) -> str | None:
    return dt.date.fromordinal(day).isoformat() if day else None


def _title(c: sqlite3.Connection, center: str | None, docs: list[str]) -> str | None:
    """The title of the most central document; else of the first titled one; else its first sentence."""
    for d in [center, *docs]:
        if d is None:
            continue
        r = c.execute("SELECT title FROM documents WHERE id = ?", (d,)).fetchone()
        if r and r[0]:
            return r[0]
    r = c.execute("SELECT text FROM documents WHERE id = ?", (center or docs[0],)).fetchone()
    if not r or not r[0]:
        return None
    spans = sentences(r[0])
    if not spans:
        return None
    a, b = spans[0]
    t = r[0][a:b]
    return t if len(t) <= 160 else t[:157].rsplit(" ", 1)[0] + "…"


def story_line(store, story: str, row: sqlite3.Row | None = None) -> dict[str, Any] | None:
    """One stories.jsonl line: id, title, first, last, documents (publication order), independent_sources."""
    c = store.conn
    row = row or c.execute("SELECT * FROM stories WHERE id = ?", (story,)).fetchone()
    if row is None:
        return None
    members = c.execute("SELECT d.id, d.version_of, coalesce(s.ord, ?) AS o FROM documents d "
                        "LEFT JOIN story_docs s ON s.doc = d.id WHERE d.story = ? ORDER BY o, d.id",
                        (NO_DAY, story)).fetchall()
    if not members:
        return None
    ids = [m[0] for m in members]
    return {"id": story, "title": _title(c, row["center"], ids), "first": _iso(row["first_day"]),
            "last": _iso(row["last_day"]), "documents": ids,
            "independent_sources": len({m[1] or m[0] for m in members})}


def iter_stories(store, chunk: int = 200) -> Iterator[dict[str, Any]]:
    """Every storyline, ordered by first day (undated last), then id; streamed."""
    c = store.conn
    last = (-1, "")
    while True:
        rows = c.execute("SELECT *, coalesce(first_day, ?) AS k FROM stories WHERE (coalesce(first_day, ?), id) > "
                         "(?, ?) ORDER BY k, id LIMIT ?", (NO_DAY, NO_DAY, last[0], last[1], chunk)).fetchall()
        if not rows:
            return
        for r in rows:
            line = story_line(store, r["id"], r)
            if line:
                yield line
        last = (rows[-1]["k"], rows[-1]["id"])
