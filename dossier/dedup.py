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
  smallest id. ``documents.version_of`` points to it. Linking goes a batch at a time (one transaction): the batch's
  index lookups and writes are made together, in key order, and groups are followed in memory, with the same result
  as linking its documents one by one.

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


_NON_WORD = re.compile(r"[^\w\n]+")
_QUOTE_PAIRS = [(chr(k), v) for k, v in _QUOTES.items()]
_ACRONYM_HINT = re.compile(r"\.[A-Za-z]\.")  # every match of _ACRONYM_DOTS holds one


def normalise_all(texts: list[str]) -> list[str]:
    """:func:`normalise` of many sentences at once (one pass of each step over the joined text, the same result):
    sentences hold no line break (they end at one) and a line break is a normalisation boundary, so every step
    (NFKC, case folding, the substitutions) works line by line on the joined text."""
    if not texts:
        return []
    rxs = config()["_datelines"]
    pre = []
    for sentence in texts:
        head = sentence[:60]
        if "(" in head or "-" in head or "–" in head or "—" in head or ":" in head:
            for rx in rxs:
                sentence = rx.sub("", sentence, count=1)
        pre.append(sentence)
    s = unicodedata.normalize("NFKC", "\n".join(pre))
    for a, b in _QUOTE_PAIRS:  # str.replace, not str.translate: the same, many times faster
        s = s.replace(a, b)
    if _ACRONYM_HINT.search(s):  # a scan led by a literal is fast; the acronym pattern's own scan is not
        s = _ACRONYM_DOTS.sub(lambda m: m.group(1).replace(".", ""), s)
    s = _POSSESSIVE.sub("", s.casefold()).replace("'", "").replace("_", " ")
    return [line.strip(" ") for line in _NON_WORD.sub(" ", s).split("\n")]


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
    normed = normalise_all([text[a:b] for a, b in sentences(text)])
    for norm in normed:
        words = norm.split(" ") if norm else []
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
_SHIFT = np.uint64(61)
_CHUNK = 256  # shingles per block: a block's 256 x num_perm products stay in the CPU cache


def minhash(normalised_text: str) -> np.ndarray:
    """MinHash of the word shingles of a normalised text, as uint32 values: datasketch's permutations and its
    (legacy scheme) arithmetic, vectorised over the shingles (``MinHash(hashvalues=...)`` reads it back).

    ``x % (2**61 - 1)`` is computed without a division, as ``(x & M) + (x >> 61)`` less ``M`` when that is still
    ``>= M``: the same values, without numpy's slow 64-bit division."""
    cfg = config()
    n = cfg["shingle"]
    toks = normalised_text.encode("utf-8").split()
    out = np.full(cfg["num_perm"], _MAX_HASH, dtype=np.uint64)
    if not toks:
        return out.astype(np.uint32)
    w = np.fromiter(map(zlib.crc32, toks), dtype=np.uint64, count=len(toks))
    if len(w) >= n:
        sh = w[: len(w) - n + 1].copy()
        for i in range(1, n):
            sh *= np.uint64(1_000_003)
            sh += w[i: len(w) - n + 1 + i]
            sh &= _MAX_HASH
    else:
        sh = w
    a, b = _permutations()
    for i in range(0, len(sh), _CHUNK):  # a repeated shingle changes no minimum: no need to sort them unique
        x = sh[i:i + _CHUNK, None] * a  # uint64 products wrap, as datasketch's do
        x += b
        hi = x >> _SHIFT
        x &= _MERSENNE
        x += hi
        np.minimum(x, x - _MERSENNE, out=x)  # x - M wraps above x unless x >= M
        x &= _MAX_HASH
        np.minimum(out, x.min(axis=0), out=out)
    return out.astype(np.uint32)


@register(STAGE, requires=("text",), assigns=("annotations",), mark=False)
def dedup(doc: Document) -> Document:
    """Per-document half of dedup: features into ``doc.annotations["dedup"]`` (the linker marks the stage done)."""
    doc.annotations[STAGE] = [features(doc.text)]
    return doc


# -- the pair decision -----------------------------------------------------------------------------------------
class Sig:
    """A document's stored features, unpacked when first scored (as Python ints: a pair is scored with set lookups,
    which beat numpy at a few dozen sentences)."""

    __slots__ = ("doc", "_blobs", "_hashes", "_hset", "_rows", "_keys", "mh")

    def __init__(self, doc: str, hashes: bytes, fuzzy: bytes, mh: bytes):
        self.doc = doc
        self._blobs: tuple[bytes, bytes] | None = (hashes, fuzzy)
        self.mh = np.frombuffer(mh, dtype=np.uint32)

    def _unpack(self) -> None:
        hashes, fuzzy = self._blobs
        self._hashes: list[int] = np.frombuffer(hashes, dtype=np.int64).tolist()
        self._hset = set(self._hashes)
        fz: list[int] = np.frombuffer(fuzzy, dtype=np.int64).tolist()
        self._rows = list(zip(self._hashes, fz[0::2], fz[1::2], strict=True))  # (hash, first-, last-words key)
        self._keys = set(fz)
        self._keys.discard(0)
        self._blobs = None

    @property
    def hashes(self) -> list[int]:
        """Sentence hashes in text order."""
        if self._blobs is not None:
            self._unpack()
        return self._hashes

    @property
    def hset(self) -> set[int]:
        if self._blobs is not None:
            self._unpack()
        return self._hset

    @property
    def rows(self) -> list[tuple[int, int, int]]:
        if self._blobs is not None:
            self._unpack()
        return self._rows

    @property
    def keys(self) -> set[int]:
        """The fuzzy keys (first and last words of the sentences)."""
        if self._blobs is not None:
            self._unpack()
        return self._keys

    @property
    def n(self) -> int:
        return len(self.hset)

    def distinct(self) -> list[int]:
        """The distinct sentence hashes, ascending (the index lookups), without unpacking the rest."""
        if self._blobs is None:
            return sorted(self._hset)
        return np.unique(np.frombuffer(self._blobs[0], dtype=np.int64)).tolist()


def pair_features(x: Sig, y: Sig) -> dict[str, float]:
    """Sentence containment both ways, shared lead, MinHash Jaccard of two documents."""
    exact = x.hset & y.hset
    fx = _fuzzy_matches(x, y, exact)
    fy = _fuzzy_matches(y, x, exact)
    shared = len(exact) + min(len(fx), len(fy))
    lo, hi = max(1, min(x.n, y.n)), max(1, x.n, y.n)
    lead_n = config()["lead"]

    def lead(a: Sig, fa: set[int]) -> float:
        first = a.hashes[:lead_n]
        if not first:
            return 0.0
        return sum(1 for i, h in enumerate(first) if h in exact or i in fa) / len(first)

    same_size = len(x.mh) == len(y.mh) and len(x.mh)
    return {"shared": float(shared), "exact": float(len(exact)), "c_min": min(1.0, shared / lo),
            "c_max": min(1.0, shared / hi), "lead": max(lead(x, fx), lead(y, fy)),
            "jaccard": int(np.count_nonzero(x.mh == y.mh)) / len(x.mh) if same_size else 0.0}


def _fuzzy_matches(a: Sig, b: Sig, exact: set[int]) -> set[int]:
    """Positions of sentences of ``a`` not shared exactly that share a fuzzy key with ``b``."""
    bk = b.keys
    if not bk:
        return set()
    return {i for i, (h, k1, k2) in enumerate(a.rows) if (k1 in bk or k2 in bk) and h not in exact}


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
def _band_keys(mh: np.ndarray) -> list[int]:
    b, r = _bands()
    hx, w = np.ascontiguousarray(mh, dtype=np.uint32).tobytes().hex(), 8 * r  # 8 hex digits a value
    return [_h64(f"{i}:{hx[i * w:(i + 1) * w]}") for i in range(b)]


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
            _link_batch(c, [Sig(*r) for r in rows], counts)
        if on_progress:
            on_progress(STAGE, len(rows))
    return dict(counts)


_CHUNK_KEYS = 900  # host parameters per IN (...) lookup
_SCORE_CHUNK = 100  # documents whose candidates' features are read at once (bounds memory at any batch size)


def _postings(c: sqlite3.Connection, table: str, col: str, keys: Iterable[int]) -> dict[int, list[str]]:
    """The stored postings of ``keys``, looked up in key order (the index is walked forward, not at random)."""
    ks = sorted(set(keys))
    out: dict[int, list[str]] = {}
    for i in range(0, len(ks), _CHUNK_KEYS):
        chunk = ks[i:i + _CHUNK_KEYS]
        for k, d in c.execute(f"SELECT {col}, doc FROM {table} WHERE {col} IN ({_in(len(chunk))})", chunk):
            out.setdefault(k, []).append(d)
    return out


def _link_batch(c: sqlite3.Connection, sigs: list[Sig], counts: Counter) -> None:
    """Link a batch of pending documents, in order, as if one by one: each sees the stored postings and those of
    the batch's earlier documents (capped alike), and the groups as the batch's earlier merges left them.

    The batch's lookups are made once, in key order; the candidates' features are read a chunk of documents at a
    time; groups are followed in memory (a merge renames groups) and each touched group's canonical is set once at
    the end, as the last of the one-by-one updates would have left it."""
    cfg = config()
    cap, max_cand, threshold = cfg["posting_cap"], cfg["max_candidates"], cfg["model"]["threshold"]
    hashes = [x.distinct() for x in sigs]
    bands = [_band_keys(x.mh) for x in sigs]
    post_s = _postings(c, "dedup_sentences", "hash", (h for hs in hashes for h in hs))
    post_b = _postings(c, "dedup_bands", "key", (k for ks in bands for k in ks))
    new_s: tuple[list[int], list[int]] = ([], [])  # postings to write: keys, and the documents' batch positions
    new_b: tuple[list[int], list[int]] = ([], [])
    cands: list[list[str]] = []
    for i, (x, hs, bs) in enumerate(zip(sigs, hashes, bands, strict=True)):  # candidates: postings alone decide
        doc = x.doc
        votes: dict[str, int] = {}
        for keys, post, (new_k, new_i), weight in ((hs, post_s, new_s, 2), (bs, post_b, new_b, 1)):
            for k in keys:
                ds = post.get(k)  # stored postings, then the batch's (so far); a lone document as itself
                if ds is None:
                    post[k] = doc
                elif type(ds) is str:
                    if ds != doc:
                        votes[ds] = votes.get(ds, 0) + weight
                    if cap <= 1:
                        continue
                    post[k] = [ds, doc]
                else:
                    for d in ds:
                        if d != doc:
                            votes[d] = votes.get(d, 0) + weight
                    if len(ds) >= cap:
                        continue
                    ds.append(doc)
                new_k.append(k)
                new_i.append(i)
        cands.append([d for d, _ in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))[:max_cand]]
                     if votes else [])
    del post_s, post_b, hashes, bands
    ids = [x.doc for x in sigs]
    for table, col, (new_k, new_i) in (("dedup_sentences", "hash", new_s), ("dedup_bands", "key", new_b)):
        # written in key order, so each index page is visited once
        order = np.argsort(np.asarray(new_k, dtype=np.int64), kind="stable").tolist()
        c.executemany(f"INSERT OR IGNORE INTO {table} ({col}, doc) VALUES (?, ?)",
                      ((new_k[j], ids[new_i[j]]) for j in order))
    del new_s, new_b

    in_batch: dict[str, Sig | None] = dict(zip(ids, sigs, strict=True))
    later = {d for cl in cands for d in cl if d in in_batch}  # the batch's documents some other one is scored with
    done: set[str] = set()  # documents of the batch linked so far
    grp_of: dict[str, str] = {}  # a document's group as last read or set; follow `renamed` for the current one
    renamed: dict[str, str] = {}
    touched: list[str] = []

    for start in range(0, len(sigs), _SCORE_CHUNK):
        chunk = range(start, min(start + _SCORE_CHUNK, len(sigs)))
        outside = sorted({d for i in chunk for d in cands[i] if d not in in_batch})
        stored: dict[str, Sig] = {}
        for j in range(0, len(outside), _CHUNK_KEYS):
            part = outside[j:j + _CHUNK_KEYS]
            for d, h, f, m, g in c.execute("SELECT doc, hashes, fuzzy, minhash, grp FROM dedup_docs WHERE doc IN "
                                           f"({_in(len(part))}) AND linked = 1", part):
                stored[d] = Sig(d, h, f, m)
                grp_of.setdefault(d, g)
        for i in chunk:
            x, sigs[i] = sigs[i], None  # unpacked features are kept only as long as they are needed
            if x.doc not in later:
                in_batch[x.doc] = None
            matched: dict[str, float] = {}  # group -> best score
            best = 0.0
            for d in cands[i]:
                y = stored.get(d) if d not in in_batch else (in_batch[d] if d in done else None)
                if y is None:  # not linked
                    continue
                g = _follow(renamed, grp_of[d])
                if g in matched:
                    continue
                s = similarity(x, y)
                if s >= threshold:
                    matched[g] = max(s, matched.get(g, 0.0))
                    best = max(best, s)
                    c.execute("UPDATE dedup_docs SET score = max(coalesce(score, 0), ?) WHERE doc = ?", (s, d))
            counts["linked"] += 1
            done.add(x.doc)
            if not matched:
                grp_of[x.doc] = x.doc
                c.execute("UPDATE dedup_docs SET grp = ?, linked = 1 WHERE doc = ?", (x.doc, x.doc))
                c.execute("UPDATE documents SET version_of = NULL WHERE id = ? AND version_of IS NOT NULL", (x.doc,))
            else:
                g = min([x.doc, *matched])
                grp_of[x.doc] = g
                c.execute("UPDATE dedup_docs SET grp = ?, linked = 1, score = ? WHERE doc = ?", (g, best, x.doc))
                others = [o for o in matched if o != g]
                if others:
                    renamed.update((o, g) for o in others)
                    c.execute(f"UPDATE dedup_docs SET grp = ? WHERE grp IN ({_in(len(others))})", (g, *others))
                touched.append(g)
                counts["versions"] += 1
    for g in dict.fromkeys(_follow(renamed, g) for g in touched):
        _set_canonical(c, g)
    c.executemany("UPDATE documents SET stages = json_insert(stages, '$[#]', ?1) WHERE id = ?2 AND NOT EXISTS "
                  "(SELECT 1 FROM json_each(documents.stages) WHERE value = ?1)", [(STAGE, d) for d in ids])


def _follow(renamed: dict[str, str], g: str) -> str:
    """A group's current id: merges rename groups (old -> new), possibly more than once in a batch."""
    while g in renamed:
        g = renamed[g]
    return g


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
