"""The dedup stage: versions (copies) of one wire story, and honest source counts.

Two halves, as the pipeline's rules ask:

- **Per document** (``dedup`` stage, a pure function of a Document, may run on a worker): the text is split into
  sentences, each sentence normalised (case, punctuation, "U.S." = "US", wire datelines dropped) and hashed to 64
  bits, with two fuzzy keys (its first and last words) for lightly edited sentences; a MinHash signature (datasketch)
  of the word 3-shingles stands for the whole document. All of it goes to ``doc.annotations["dedup"]`` and the
  writer persists it in table ``dedup_docs``.
- **Per corpus** (:func:`link`, in the single writer process, incremental): each document not yet linked looks up
  its candidates in two persistent indexes, the sentence-hash postings (``dedup_sentences``) and the MinHash LSH
  buckets (``dedup_bands``), both capped per key so a lookup costs the same at any corpus size. Each candidate is
  scored by a calibrated logistic model on sentence containment, shared lead and MinHash Jaccard
  (``data/dedup.json``); a version joins its group (connected components of accepted pairs, so the grouping does not
  depend on ingest order), and the group's canonical document is the most complete, then the earliest, then the
  smallest id. ``documents.version_of`` points to it.

What a version adds and lacks compared with its canonical is a sentence-level diff (:func:`diff`), computed when
exported or shown. Versions count once: :func:`independent_sources`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
import sqlite3
import unicodedata
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from .document import Document, Published
from .pipeline import CorpusStage, register, register_corpus
from .store import transaction

STAGE = "dedup"
NO_DAY = 99_999_999  # sort key of an undated document: after every dated one


# -- configuration ---------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def config() -> dict:
    cfg = json.loads(resources.files("dossier").joinpath("data/dedup.json").read_text("utf-8"))
    abbr = "|".join(re.escape(a) for a in sorted(cfg["abbreviations"], key=len, reverse=True))
    cfg["_abbr"] = re.compile(r"(?:\b(?:" + abbr + r")|(?:^|[\s(])(?:[A-Za-z]\.){1,3}[A-Za-z]?)\.?$")
    cfg["_datelines"] = [re.compile(p) for p in cfg["datelines"]]
    return cfg


@lru_cache(maxsize=1)
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    from datasketch import MinHash

    cfg = config()
    a, b = MinHash(num_perm=cfg["num_perm"], seed=cfg["seed"]).permutations
    return a.astype(np.uint64), b.astype(np.uint64)


@lru_cache(maxsize=1)
def _bands() -> tuple[int, int]:
    from datasketch.lsh import _optimal_param

    cfg = config()
    return _optimal_param(cfg["lsh_threshold"], cfg["num_perm"], 0.5, 0.5)


# -- sentences -------------------------------------------------------------------------------------------------
_BOUNDARY = re.compile(r"(?<=[.!?…])[\"”’)\]]*[ \t\u00a0]+(?=[\"“‘(\[]?[A-Z0-9À-Þ])|\n\s*")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "“": '"', "”": '"'})
_ACRONYM_DOTS = re.compile(r"\b((?:[A-Za-z]\.){2,})")
_POSSESSIVE = re.compile(r"'s\b")


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` of a text: at sentence punctuation followed by a capital, and at line breaks;
    never after an abbreviation ("Mr.", "U.S.", "Jan.") inside a line. Spans are stripped of outer whitespace."""
    abbr = config()["_abbr"]
    spans = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        if "\n" not in m.group(0) and abbr.search(text, max(start, m.start() - 12), m.start()):
            continue
        _add_span(text, start, m.start(), spans)
        start = m.end()
    _add_span(text, start, len(text), spans)
    return spans


def _add_span(text: str, a: int, b: int, spans: list) -> None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    if b > a:
        spans.append((a, b))


def normalise(sentence: str) -> str:
    """The comparable form of a sentence: wire dateline off, NFKC, case-folded, "U.S." -> "us", punctuation off."""
    head = sentence[:60]
    if "(" in head or "-" in head or "–" in head or "—" in head or ":" in head:  # the only places a dateline is
        for rx in config()["_datelines"]:
            sentence = rx.sub("", sentence, count=1)
    s = unicodedata.normalize("NFKC", sentence).translate(_QUOTES)
    s = _ACRONYM_DOTS.sub(lambda m: m.group(1).replace(".", ""), s)
    return " ".join(_WORD.findall(_POSSESSIVE.sub("", s.casefold()).replace("'", "")))


def _h64(s: str) -> int:
    return int.from_bytes(hashlib.blake2b(s.encode("utf-8"), digest_size=8).digest(), "little", signed=True)


# -- per-document features -------------------------------------------------------------------------------------
def day_span(p: Published) -> tuple[int | None, int | None]:
    """Publication as ordinal days ``(lo, hi)``: the date, else the after..before interval (either may be None)."""
    def d(s: str | None) -> int | None:
        try:
            return dt.date.fromisoformat(s[:10]).toordinal() if s else None
        except ValueError:
            return None

    if d(p.date) is not None:
        return d(p.date), d(p.date)
    return d(p.after), d(p.before)


def day_point(lo: int | None, hi: int | None) -> int | None:
    """One day for a span: the date, the midpoint of after..before, the one bound known, or None."""
    if lo is not None and hi is not None:
        return (lo + hi) // 2
    return lo if lo is not None else hi


def features(text: str) -> dict[str, Any]:
    """What the linker needs of one text: sentence hashes (in order), fuzzy keys, MinHash, size."""
    cfg = config()
    min_words, k = cfg["min_words"], cfg["fuzzy_words"]
    hashes, fuzzy = [], []
    normed: list[str] = []
    for a, b in sentences(text):
        norm = normalise(text[a:b])
        normed.append(norm)
        words = norm.split()
        if len(words) < min_words:
            continue
        hashes.append(_h64(norm))
        if len(words) >= 2 * k - 2:
            fuzzy.append((_h64("<" + " ".join(words[:k])), _h64(">" + " ".join(words[-k:]))))
        else:
            fuzzy.append((0, 0))
    return {"hashes": np.asarray(hashes, dtype=np.int64).tobytes(),
            "fuzzy": np.asarray(fuzzy, dtype=np.int64).reshape(-1, 2).tobytes(),
            "minhash": minhash(" ".join(normed)).tobytes(), "n_sent": len(hashes), "chars": len(text)}


_MERSENNE = np.uint64((1 << 61) - 1)
_MAX_HASH = np.uint64((1 << 32) - 1)


def minhash(normalised_text: str) -> np.ndarray:
    """MinHash of the word shingles of a normalised text, as uint32 values: datasketch's permutations and its
    (legacy scheme) arithmetic, vectorised over the shingles (``MinHash(hashvalues=...)`` reads it back)."""
    cfg = config()
    n = cfg["shingle"]
    toks = normalised_text.encode("utf-8").split()
    if not toks:
        return np.full(cfg["num_perm"], 0xFFFFFFFF, dtype=np.uint32)
    w = np.fromiter(map(zlib.crc32, toks), dtype=np.uint64, count=len(toks))
    if len(w) >= n:
        sh = w[: len(w) - n + 1].copy()
        for i in range(1, n):
            sh = (sh * np.uint64(1_000_003) + w[i: len(w) - n + 1 + i]) & _MAX_HASH
    else:
        sh = w
    a, b = _permutations()
    phv = ((np.unique(sh)[:, None] * a + b) % _MERSENNE) & _MAX_HASH
    return phv.min(axis=0).astype(np.uint32)


@register(STAGE, requires=("text",), assigns=("annotations",), mark=False)
def dedup(doc: Document) -> Document:
    """Per-document half of dedup: features into ``doc.annotations["dedup"]`` (the linker marks the stage done)."""
    doc.annotations[STAGE] = [features(doc.text)]
    return doc


# -- the pair decision -----------------------------------------------------------------------------------------
class Sig:
    """A document's stored features, unpacked."""

    __slots__ = ("doc", "hashes", "hset", "fuzzy", "keys", "karr", "mh", "n")

    def __init__(self, doc: str, hashes: bytes, fuzzy: bytes, mh: bytes):
        self.doc = doc
        self.hashes = np.frombuffer(hashes, dtype=np.int64)
        self.hset = set(self.hashes.tolist())
        self.fuzzy = np.frombuffer(fuzzy, dtype=np.int64).reshape(-1, 2)
        self.keys = set(self.fuzzy.ravel().tolist()) - {0}
        self.karr = np.fromiter(self.keys, dtype=np.int64, count=len(self.keys))
        self.mh = np.frombuffer(mh, dtype=np.uint32)
        self.n = len(self.hset)


def pair_features(x: Sig, y: Sig) -> dict[str, float]:
    """Sentence containment both ways, shared lead, MinHash Jaccard of two documents."""
    exact = x.hset & y.hset
    fx = _fuzzy_matches(x, y, exact)
    fy = _fuzzy_matches(y, x, exact)
    shared = len(exact) + min(len(fx), len(fy))
    lo, hi = max(1, min(x.n, y.n)), max(1, x.n, y.n)
    lead_n = config()["lead"]

    def lead(a: Sig, fa: set[int]) -> float:
        first = [i for i in range(min(lead_n, len(a.hashes)))]
        if not first:
            return 0.0
        return sum(1 for i in first if int(a.hashes[i]) in exact or i in fa) / len(first)

    return {"shared": float(shared), "exact": float(len(exact)), "c_min": min(1.0, shared / lo),
            "c_max": min(1.0, shared / hi), "lead": max(lead(x, fx), lead(y, fy)),
            "jaccard": float(np.mean(x.mh == y.mh)) if len(x.mh) == len(y.mh) else 0.0}


def _fuzzy_matches(a: Sig, b: Sig, exact: set[int]) -> set[int]:
    """Positions of sentences of ``a`` not shared exactly that share a fuzzy key with ``b``."""
    if not b.keys or not len(a.hashes):
        return set()
    hit = np.isin(a.fuzzy, b.karr).any(axis=1)
    if exact:
        hit &= ~np.isin(a.hashes, np.fromiter(exact, dtype=np.int64, count=len(exact)))
    return set(np.flatnonzero(hit).tolist())


def decide(f: dict[str, float]) -> float:
    """Probability that two documents are versions of one story (the calibrated model of data/dedup.json)."""
    m = config()["model"]
    if f["shared"] < m["min_shared"] and f["jaccard"] < 0.8:
        return 0.0
    z = m["bias"] + sum(w * f[k] for k, w in zip(m["features"], m["weights"], strict=True))
    return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))


def similarity(x: Sig, y: Sig) -> float:
    return decide(pair_features(x, y))


# -- persistence (the writer calls save inside its batch transaction) ------------------------------------------
def save(c: sqlite3.Connection, docs: list[Document]) -> None:
    rows = []
    for doc in docs:
        f = (doc.annotations.get(STAGE) or [None])[0]
        if f is None:
            continue
        lo, hi = day_span(doc.published)
        point = day_point(lo, hi)
        rows.append((doc.id, point, NO_DAY if point is None else point, f["n_sent"], f["chars"], f["hashes"],
                     f["fuzzy"], f["minhash"]))
    if rows:
        c.executemany("INSERT OR REPLACE INTO dedup_docs (doc, point, ord, n_sent, chars, hashes, fuzzy, minhash, "
                      "grp, score, linked) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, 0)", rows)


def reset(c: sqlite3.Connection) -> None:
    """Forget the index and the groups (reprocess re-links every document from its features)."""
    c.execute("DELETE FROM dedup_sentences")
    c.execute("DELETE FROM dedup_bands")
    c.execute("UPDATE dedup_docs SET linked = 0, grp = NULL, score = NULL")


# -- the corpus-level linker -----------------------------------------------------------------------------------
def _mark(c: sqlite3.Connection, doc_id: str, stage: str) -> None:
    c.execute("UPDATE documents SET stages = json_insert(stages, '$[#]', ?) WHERE id = ? AND NOT EXISTS "
              "(SELECT 1 FROM json_each(documents.stages) WHERE value = ?)", (stage, doc_id, stage))


def _band_keys(mh: np.ndarray) -> list[int]:
    b, r = _bands()
    return [_h64(f"{i}:" + mh[i * r:(i + 1) * r].tobytes().hex()) for i in range(b)]


def _in(n: int) -> str:
    return ",".join("?" * n)


def pending(c: sqlite3.Connection) -> int:
    return c.execute("SELECT count(*) FROM dedup_docs WHERE linked = 0").fetchone()[0]


def link(store, on_progress: Callable[[str, int], None] | None = None, batch: int = 1000) -> dict[str, int]:
    """Link every document not yet linked to its versions, in (day, id) order, committing every ``batch``."""
    c = store.conn
    counts = Counter()
    while True:
        rows = c.execute("SELECT doc, hashes, fuzzy, minhash FROM dedup_docs WHERE linked = 0 "
                         "ORDER BY ord, doc LIMIT ?", (batch,)).fetchall()
        if not rows:
            break
        with transaction(c):
            batch_index = _Pending()
            for r in rows:
                _link_one(c, Sig(r[0], r[1], r[2], r[3]), counts, batch_index)
            batch_index.flush(c)
        if on_progress:
            on_progress(STAGE, len(rows))
    return dict(counts)


class _Pending:
    """Postings of the documents linked in the current batch, written with the batch (one statement per table);
    lookups see them too. Bounded by the batch size."""

    def __init__(self):
        self.sent: dict[int, list[str]] = {}
        self.bands: dict[int, list[str]] = {}

    def flush(self, c: sqlite3.Connection) -> None:
        c.executemany("INSERT OR IGNORE INTO dedup_sentences (hash, doc) VALUES (?, ?)",
                      [(h, d) for h, ds in self.sent.items() for d in ds])
        c.executemany("INSERT OR IGNORE INTO dedup_bands (key, doc) VALUES (?, ?)",
                      [(k, d) for k, ds in self.bands.items() for d in ds])


def _lookup(c, table: str, col: str, keys: list[int], extra: dict[int, list[str]], doc: str,
            weight: int, votes: Counter) -> Counter:
    """Postings of ``keys`` (stored and pending): votes per document, and the posting count per key."""
    per: Counter = Counter()
    if not keys:
        return per
    rows = c.execute(f"SELECT {col}, doc FROM {table} WHERE {col} IN ({_in(len(keys))})", keys).fetchall()
    rows += [(k, d) for k in keys for d in extra.get(k, ())]
    for k, d in rows:
        per[k] += 1
        if d != doc:
            votes[d] += weight
    return per


def _link_one(c: sqlite3.Connection, x: Sig, counts: Counter, pend: _Pending) -> None:
    cfg = config()
    cap = cfg["posting_cap"]
    hashes = sorted(x.hset)
    bands = _band_keys(x.mh)
    votes: Counter = Counter()
    per_hash = _lookup(c, "dedup_sentences", "hash", hashes, pend.sent, x.doc, 2, votes)
    per_band = _lookup(c, "dedup_bands", "key", bands, pend.bands, x.doc, 1, votes)
    matched: dict[str, float] = {}  # group -> best score
    best = 0.0
    cands = [d for d, _ in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))[: cfg["max_candidates"]]]
    rows = {r[4]: r for r in c.execute("SELECT hashes, fuzzy, minhash, grp, doc FROM dedup_docs WHERE doc IN "
                                       f"({_in(len(cands))}) AND linked = 1", cands)} if cands else {}
    for d in cands:
        row = rows.get(d)
        if row is None:
            continue
        grp = row[3]  # read after the batch's earlier merges: the same connection sees its own writes
        if grp in matched:
            continue
        s = similarity(x, Sig(d, row[0], row[1], row[2]))
        if s >= cfg["model"]["threshold"]:
            matched[grp] = max(s, matched.get(grp, 0.0))
            best = max(best, s)
            c.execute("UPDATE dedup_docs SET score = max(coalesce(score, 0), ?) WHERE doc = ?", (s, d))
    for h in hashes:
        if per_hash[h] < cap:
            pend.sent.setdefault(h, []).append(x.doc)
    for k in bands:
        if per_band[k] < cap:
            pend.bands.setdefault(k, []).append(x.doc)
    counts["linked"] += 1
    if not matched:
        c.execute("UPDATE dedup_docs SET grp = ?, linked = 1 WHERE doc = ?", (x.doc, x.doc))
        c.execute("UPDATE documents SET version_of = NULL WHERE id = ? AND version_of IS NOT NULL", (x.doc,))
    else:
        grp = min([x.doc, *matched])
        c.execute("UPDATE dedup_docs SET grp = ?, linked = 1, score = ? WHERE doc = ?", (grp, best, x.doc))
        others = [g for g in matched if g != grp]
        if others:
            c.execute(f"UPDATE dedup_docs SET grp = ? WHERE grp IN ({_in(len(others))})", (grp, *others))
        _set_canonical(c, grp)
        counts["versions"] += 1
    _mark(c, x.doc, STAGE)


def _set_canonical(c: sqlite3.Connection, grp: str) -> None:
    """The most complete member (sentences, then characters), then the earliest, then the smallest id."""
    canon = c.execute("SELECT doc FROM dedup_docs WHERE grp = ? ORDER BY n_sent DESC, chars DESC, ord, doc LIMIT 1",
                      (grp,)).fetchone()[0]
    c.execute("UPDATE documents SET version_of = CASE WHEN id = ?1 THEN NULL ELSE ?1 END "
              "WHERE id IN (SELECT doc FROM dedup_docs WHERE grp = ?2) "
              "AND version_of IS NOT (CASE WHEN id = ?1 THEN NULL ELSE ?1 END)", (canon, grp))


register_corpus(CorpusStage(STAGE, save=save, link=link, reset=reset, pending=pending))


# -- what a version adds and lacks -----------------------------------------------------------------------------
def diff(version_text: str, canonical_text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]], int]:
    """Sentence-level diff: spans of the version the canonical lacks, spans of the canonical the version lacks,
    and the number of sentences they share (after normalisation)."""
    def keyed(text: str) -> list[tuple[int, int, str]]:
        out = []
        for a, b in sentences(text):
            k = normalise(text[a:b])
            if k:
                out.append((a, b, k))
        return out

    v, c = keyed(version_text), keyed(canonical_text)
    vk, ck = {k for _, _, k in v}, {k for _, _, k in c}
    adds = [(a, b) for a, b, k in v if k not in ck]
    lacks = [(a, b) for a, b, k in c if k not in vk]
    return adds, lacks, len(vk & ck)


def span(doc_id: str, text: str, a: int, b: int) -> dict[str, Any]:
    return {"doc": doc_id, "start": a, "end": b, "text": text[a:b]}


def version_lines(store) -> Iterator[dict[str, Any]]:
    """versions.jsonl: one line per document whose version_of is set (streamed; canonical texts cached)."""
    c = store.conn
    cache: dict[str, str] = {}
    last = 0
    while True:
        rows = c.execute("SELECT d.rowid, d.id, d.text, d.version_of, x.score FROM documents d "
                         "LEFT JOIN dedup_docs x ON x.doc = d.id WHERE d.version_of IS NOT NULL AND d.rowid > ? "
                         "ORDER BY d.rowid LIMIT 200", (last,)).fetchall()
        if not rows:
            return
        for r in rows:
            canon = r["version_of"]
            if canon not in cache:
                if len(cache) > 256:
                    cache.clear()
                cache[canon] = c.execute("SELECT text FROM documents WHERE id = ?", (canon,)).fetchone()[0]
            ctext = cache[canon]
            adds, lacks, shared = diff(r["text"], ctext)
            yield {"document": r["id"], "canonical": canon, "shared_sentences": shared,
                   "similarity": None if r["score"] is None else round(r["score"], 4),
                   "adds": [span(r["id"], r["text"], a, b) for a, b in adds],
                   "lacks": [span(canon, ctext, a, b) for a, b in lacks]}
        last = rows[-1]["rowid"]


def group_of(doc_id: str, version_of: str | None) -> str:
    """A document's version group: its canonical, or itself."""
    return version_of or doc_id


def independent_sources(pairs: Iterable[tuple[str, str | None]]) -> int:
    """Number of independent sources among documents given as ``(id, version_of)``: copies count once."""
    return len({group_of(d, v) for d, v in pairs})
