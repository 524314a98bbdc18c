"""Search the knowledge base: BM25 (bm25s) over every stored sentence, with filters; and ``ask``, an extractive
answer assembled from the best sentences and events, each claim cited.

The index lives next to the store (``<db>.search/``): the bm25s files (score matrix, vocabulary, parameters,
memory-mapped on load) plus per-sentence arrays (annotations rowid, document rowid, span, date bounds, event-type
bits) and the term counts per sentence, so documents added later *extend* the index (only the new sentences are
tokenised; the BM25 weights are recomputed from the counts in numpy). A marker kept by triggers (table
``search_state``, made by migration 006 with the FTS5 index and the readable views) tells whether the index is
current, at O(1) cost: sentences inserted, sentences deleted (a deletion means a full rebuild), event reports changed
(only the event-type bits are recomputed).

Tokens: lowercase words of two or more characters, English stopwords out, a light plural fold (PyStemmer's English
stemmer when it is installed).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import threading
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np

from .errors import DossierError, UsageError
from .store import Store

INDEX_VERSION = 4  # bump when the tokens change
K1, B = 1.5, 0.75
CHUNK = 20000
UNDATED_LO, UNDATED_HI = 2**31 - 1, 0  # an undated sentence fails every date filter
OPEN_HI = 2**31 - 1
_WORD = re.compile(r"(?u)\b\w\w+\b")
_ACRONYM = re.compile(r"\b(?:[A-Z]\.){2,}")  # U.S. -> US


class SearchError(DossierError):
    """The search index cannot be built or read, or a query is not usable."""


# -- tokens -------------------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN_PLUS

    return frozenset(STOPWORDS_EN_PLUS)


@lru_cache(maxsize=1)
def _stemmer():
    try:
        import Stemmer  # PyStemmer: optional, not a dependency

        return Stemmer.Stemmer("english").stemWord
    except ImportError:
        return None


class Terms:
    """Surface token -> term id (-1: stopword); the vocabulary grows as new terms are seen."""

    def __init__(self, vocab: dict[str, int] | None = None):
        self.vocab = dict(vocab or {})
        self.cache: dict[str, int] = {}

    @property
    def stop(self) -> frozenset[str]:
        return _stopwords()

    @property
    def stem(self):
        return _stemmer()

    def norm(self, tok: str) -> str | None:
        """The term of a surface token: None for a stopword; an upper-case acronym that would be a stopword in
        lower case ("US", "IT") stays a term of its own; else a light English suffix fold (or PyStemmer)."""
        low = tok.lower()
        if low in self.stop:
            return low + "_" if tok.isupper() and len(tok) <= 3 else None
        if low.isdigit() and len(low) < 4:
            return None
        if self.stem is not None:
            return self.stem(low)
        return fold(low)

    def ids(self, text: str, grow: bool = True) -> list[int]:
        toks = _WORD.findall(_ACRONYM.sub(_undot, text) if "." in text else text)
        get = self.cache.get
        ids = [get(t, -2) for t in toks]
        if -2 in ids:
            ids = [i if i != -2 else self._new(t, grow) for t, i in zip(toks, ids, strict=True)]
        return [i for i in ids if i >= 0]

    def _new(self, tok: str, grow: bool) -> int:
        term = self.norm(tok)
        if term is None:
            t = -1
        elif term in self.vocab:
            t = self.vocab[term]
        elif grow:
            t = self.vocab[term] = len(self.vocab)
        else:
            return -1  # not cached: the term may be added later
        self.cache[tok] = t
        return t


_TERMS = Terms.__new__(Terms)  # norm() only: stopwords and stemmer, no vocabulary


def fold(w: str) -> str:
    """A light suffix fold, so that "captured", "capturing", "capture" and "captures" meet."""
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    for suf, keep in (("ing", 4), ("ed", 4), ("es", 4), ("s", 3)):
        if w.endswith(suf) and len(w) - len(suf) >= keep and not w.endswith(("ss", "us", "is")):
            w = w[:-len(suf)]
            break
    return w[:-1] if len(w) > 4 and w.endswith("e") else w


def _undot(m: re.Match) -> str:
    return m.group(0).replace(".", "")


@lru_cache(maxsize=200_000)
def _term(tok: str) -> str | None:
    return _TERMS.norm(tok)


def query_terms(text: str) -> list[str]:
    t = Terms()
    return [x for x in (t.norm(w) for w in _WORD.findall(_ACRONYM.sub(_undot, text))) if x]


# -- the migration: FTS5, markers, readable views -----------------------------------------------------------------

MIGRATION = [
    "CREATE TABLE search_state (name TEXT PRIMARY KEY, value INTEGER NOT NULL DEFAULT 0)",
    "INSERT INTO search_state VALUES ('sentences_inserted', 0), ('sentences_deleted', 0), ('event_reports', 0)",
    "CREATE VIRTUAL TABLE sentences_fts USING fts5(text, content='annotations', content_rowid='rowid', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    "INSERT INTO sentences_fts (rowid, text) SELECT rowid, text FROM annotations WHERE kind = 'sentences'",
    # facts.write uses INSERT OR REPLACE: take the replaced row out of the index before (delete triggers do not
    # fire for REPLACE unless recursive triggers are on)
    """CREATE TRIGGER annotations_fts_bi BEFORE INSERT ON annotations WHEN new.kind = 'sentences' BEGIN
        INSERT INTO sentences_fts (sentences_fts, rowid, text) SELECT 'delete', rowid, text FROM annotations
          WHERE doc_id = new.doc_id AND kind = new.kind AND n = new.n;
        UPDATE search_state SET value = value + (SELECT count(*) FROM annotations WHERE doc_id = new.doc_id
          AND kind = new.kind AND n = new.n) WHERE name = 'sentences_deleted';
    END""",
    """CREATE TRIGGER annotations_fts_ai AFTER INSERT ON annotations WHEN new.kind = 'sentences' BEGIN
        INSERT INTO sentences_fts (rowid, text) VALUES (new.rowid, new.text);
        UPDATE search_state SET value = value + 1 WHERE name = 'sentences_inserted';
    END""",
    """CREATE TRIGGER annotations_fts_ad AFTER DELETE ON annotations WHEN old.kind = 'sentences' BEGIN
        INSERT INTO sentences_fts (sentences_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
        UPDATE search_state SET value = value + 1 WHERE name = 'sentences_deleted';
    END""",
    """CREATE TRIGGER annotations_fts_au AFTER UPDATE ON annotations
        WHEN old.kind = 'sentences' OR new.kind = 'sentences' BEGIN
        INSERT INTO sentences_fts (sentences_fts, rowid, text) SELECT 'delete', old.rowid, old.text
          WHERE old.kind = 'sentences';
        INSERT INTO sentences_fts (rowid, text) SELECT new.rowid, new.text WHERE new.kind = 'sentences';
        UPDATE search_state SET value = value + 1 WHERE name = 'sentences_deleted';
    END""",
    """CREATE TRIGGER event_mentions_search_ai AFTER INSERT ON event_mentions BEGIN
        UPDATE search_state SET value = value + 1 WHERE name = 'event_reports'; END""",
    """CREATE TRIGGER event_mentions_search_ad AFTER DELETE ON event_mentions BEGIN
        UPDATE search_state SET value = value + 1 WHERE name = 'event_reports'; END""",
    """CREATE VIEW sentences AS
        SELECT a.rowid AS id, a.doc_id AS doc, a.n, a.start, a."end", a.text, d.outlet, d.published_date AS date,
               d.title
        FROM annotations a JOIN documents d ON d.id = a.doc_id WHERE a.kind = 'sentences'""",
    """CREATE VIEW mentions AS
        SELECT m.id, m.doc, d.outlet, d.published_date AS date, m.span_start AS start, m.span_end AS "end", m.text,
               m.entity_name, m.entity_type, m.acts_for_name, m.country, m.sector, m.entity, m.acts_for
        FROM entity_mentions_named m JOIN documents d ON d.id = m.doc""",
    """CREATE VIEW sources AS
        SELECT coalesce(outlet, '(unknown)') AS outlet, count(*) AS documents,
               count(DISTINCT coalesce(version_of, id)) AS independent_groups,
               min(published_date) AS first, max(published_date) AS last
        FROM documents GROUP BY coalesce(outlet, '(unknown)')""",
    """CREATE VIEW storylines AS
        SELECT s.id, coalesce((SELECT title FROM documents WHERE id = s.center),
                              (SELECT title FROM documents WHERE story = s.id AND title IS NOT NULL LIMIT 1)) AS title,
               date(s.first_day + 1721424.5) AS first, date(s.last_day + 1721424.5) AS last, s.n AS documents,
               (SELECT count(DISTINCT coalesce(version_of, id)) FROM documents WHERE story = s.id)
                 AS independent_sources,
               s.center
        FROM stories s""",
    """CREATE VIEW event_reports AS
        SELECT m.event, e.type, e.date_value, e.first_day, m.doc, d.outlet, d.published_date AS published,
               m.start, m."end", m.text
        FROM event_mentions m JOIN events e ON e.id = m.event JOIN documents d ON d.id = m.doc""",
    """CREATE VIEW document_list AS
        SELECT id, outlet, title, published_date AS date, published_basis AS basis, language, url, version_of,
               story, length(text) AS chars, source
        FROM documents""",
]


def migration(db: sqlite3.Connection) -> None:
    """Migration 006: the FTS5 index of sentences (kept in sync by triggers), the search marker, readable views."""
    for sql in MIGRATION:
        db.execute(sql)


# -- the index ----------------------------------------------------------------------------------------------------

def index_dir(db_path: str) -> str:
    return os.fspath(db_path) + ".search"


def _marker(conn: sqlite3.Connection) -> dict[str, int]:
    try:
        state = dict(conn.execute("SELECT name, value FROM search_state").fetchall())
    except sqlite3.OperationalError as e:
        raise SearchError(f"the store has no search state ({e}); open it with this Dossier to migrate it") from e
    r = conn.execute("SELECT max(rowid) FROM annotations").fetchone()
    state["max_rowid"] = r[0] or 0
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'entity_mentions'").fetchone():
        state["entity_mentions"] = conn.execute("SELECT max(rowid) FROM entity_mentions").fetchone()[0] or 0
    return state


def _day(s: str | None) -> int | None:
    if not s:
        return None
    try:
        return date.fromisoformat(s[:10]).toordinal()
    except ValueError:
        return None


class Index:
    """A loaded index: the bm25s retriever (memory-mapped) and the per-sentence arrays."""

    ARRAYS = ("rowid", "docrow", "start", "end", "lo", "hi", "types", "tf_ptr", "tf_tok", "tf_cnt", "keys", "order",
              "ent_ptr", "ent_pos")

    def __init__(self, path: str):
        import bm25s

        self.path = path
        with open(os.path.join(path, "meta.json"), encoding="utf-8") as fh:
            self.meta = json.load(fh)
        self.n = self.meta["n"]
        self.a = {k: np.load(os.path.join(path, f"{k}.npy"), mmap_mode="r") for k in self.ARRAYS}
        self.bm25 = bm25s.BM25.load(path, mmap=True, load_vocab=True) if self.n else None
        self.vocab = self.bm25.vocab_dict if self.bm25 else {}
        with open(os.path.join(path, "entities.json"), encoding="utf-8") as fh:
            self.entities = {e: i for i, e in enumerate(json.load(fh))}

    def entity_mask(self, ids: list[str]) -> np.ndarray:
        """The sentences holding a mention of one of these entities (postings kept in the index)."""
        m = np.zeros(self.n, bool)
        ptr, pos = self.a["ent_ptr"], self.a["ent_pos"]
        for e in ids:
            i = self.entities.get(e)
            if i is not None:
                m[pos[ptr[i]:ptr[i + 1]]] = True
        return m

    def positions(self, docrows: np.ndarray, starts: np.ndarray) -> np.ndarray:
        """Positions of the sentences holding these (document rowid, offset) points (-1 when none)."""
        keys, order = self.a["keys"], self.a["order"]
        if not len(keys):
            return np.full(len(docrows), -1)
        q = (np.asarray(docrows, dtype=np.int64) << 32) | np.asarray(starts, dtype=np.int64)
        i = np.searchsorted(keys, q, side="right") - 1
        ok = (i >= 0) & ((keys[np.maximum(i, 0)] >> 32) == np.asarray(docrows, dtype=np.int64))
        pos = order[np.maximum(i, 0)]
        ok &= np.asarray(starts) < self.a["end"][pos]
        return np.where(ok, pos, -1)


def _scores(tf_ptr, tf_tok, tf_cnt, n_vocab: int):
    """BM25 (Lucene variant, as bm25s) weights of every (sentence, term), as a CSC matrix (sentences x terms)."""
    import scipy.sparse as sp

    n = len(tf_ptr) - 1
    if n == 0:
        return {"data": np.zeros(0, np.float32), "indices": np.zeros(0, np.int32),
                "indptr": np.zeros(n_vocab + 1, np.int32), "num_docs": 0}
    dl = np.add.reduceat(tf_cnt.astype(np.float32), tf_ptr[:-1]) if len(tf_cnt) else np.zeros(n, np.float32)
    dl[np.diff(tf_ptr) == 0] = 0
    avgdl = max(float(dl.mean()), 1e-9)
    df = np.bincount(tf_tok, minlength=n_vocab).astype(np.float64)
    idf = np.log(1 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
    rows = np.repeat(np.arange(n, dtype=np.int32), np.diff(tf_ptr))
    tf = tf_cnt.astype(np.float32)
    w = idf[tf_tok] * tf / (K1 * ((1 - B) + B * dl[rows] / avgdl) + tf)
    m = sp.csr_matrix((w, tf_tok, tf_ptr), shape=(n, n_vocab)).tocsc()
    return {"data": m.data.astype(np.float32), "indices": m.indices.astype(np.int32),
            "indptr": m.indptr.astype(np.int64), "num_docs": n}


def _read_sentences(conn: sqlite3.Connection, after: int, terms: Terms):
    """Tokenise the sentences with annotations rowid > ``after``, in chunks; yields per-chunk arrays."""
    last = after
    while True:
        rows = conn.execute(
            "SELECT a.rowid, a.text, a.start, a.\"end\", d.rowid, d.published_date, d.published_after, "
            "d.published_before FROM annotations a JOIN documents d ON d.id = a.doc_id "
            "WHERE a.rowid > ? AND a.kind = 'sentences' ORDER BY a.rowid LIMIT ?", (last, CHUNK)).fetchall()
        if not rows:
            return
        last = rows[-1][0]
        n = len(rows)
        rowid, docrow, start, end, lo, hi = (np.zeros(n, np.int64), *(np.zeros(n, np.int32) for _ in range(5)))
        flat, lens = [], np.zeros(n, np.int64)
        for i, (rid, text, s, e, drow, pd, pa, pb) in enumerate(rows):
            rowid[i], docrow[i], start[i], end[i] = rid, drow, s, e
            d = _day(pd)
            if d is not None:
                lo[i] = hi[i] = d
            elif pa or pb:
                lo[i], hi[i] = _day(pa) or 0, _day(pb) or OPEN_HI
            else:
                lo[i], hi[i] = UNDATED_LO, UNDATED_HI
            ids = terms.ids(text)
            flat += ids
            lens[i] = len(ids)
        # term counts per sentence, vectorised: unique (row, term) keys, sorted by row then term
        keys = np.repeat(np.arange(n, dtype=np.int64), lens) * (1 << 32) + np.asarray(flat, dtype=np.int64)
        uniq, cnt = np.unique(keys, return_counts=True)
        per_row = np.bincount((uniq >> 32).astype(np.int64), minlength=n)
        yield {"rowid": rowid, "docrow": docrow, "start": start, "end": end, "lo": lo, "hi": hi,
               "tf_len": per_row.astype(np.int64), "tf_tok": (uniq & 0xFFFFFFFF).astype(np.int32),
               "tf_cnt": np.minimum(cnt, 65535).astype(np.uint16)}


def _sorted_keys(docrow: np.ndarray, start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    k = (docrow.astype(np.int64) << 32) | start.astype(np.int64)
    order = np.argsort(k, kind="stable")
    return k[order], order


def _event_types(conn: sqlite3.Connection, keys: np.ndarray, order: np.ndarray, types: list[str]) -> np.ndarray:
    """Bit mask per sentence of the event types reported in it (bit i: ``types[i]``; ``types`` grows in place)."""
    out = np.zeros(len(keys), np.int64)
    if not len(out) or not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'event_mentions'").fetchone():
        return out
    cur = conn.execute("SELECT d.rowid, m.start, m.\"end\", e.type FROM event_mentions m "
                       "JOIN events e ON e.id = m.event JOIN documents d ON d.id = m.doc")
    while rows := cur.fetchmany(50000):
        for t in sorted({r[3] for r in rows}):
            if t not in types and len(types) < 63:
                types.append(t)
        bit = {t: 1 << i for i, t in enumerate(types)}
        dr = np.array([r[0] for r in rows], np.int64)
        st = np.array([r[1] for r in rows], np.int64)
        en = np.array([max(r[2], r[1] + 1) for r in rows], np.int64)
        bits = np.array([bit.get(r[3], 0) for r in rows], np.int64)
        lo = np.searchsorted(keys, (dr << 32) | st, side="right") - 1  # the sentence holding the start ...
        hi = np.searchsorted(keys, (dr << 32) | en, side="left") - 1  # ... to the last one starting before the end
        lo = np.maximum(lo, 0)
        ok = (keys[lo] >> 32) == dr
        lo, hi, bits = lo[ok], np.maximum(hi[ok], lo[ok]), bits[ok]
        span = hi - lo + 1
        idx = np.repeat(lo, span) + (np.arange(span.sum()) - np.repeat(np.cumsum(span) - span, span))
        np.bitwise_or.at(out, order[idx], np.repeat(bits, span))
    return out


def _entity_postings(conn: sqlite3.Connection, keys: np.ndarray, order: np.ndarray
                     ) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Entity -> the sentences mentioning it (CSR: ids, pointers, sentence positions), from entity_mentions."""
    if not len(keys) or not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'entity_mentions'").fetchone():
        return [], np.zeros(1, np.int64), np.zeros(0, np.int32)
    index: dict[str, int] = {}
    ents, poss = [], []
    cur = conn.execute("SELECT d.rowid, m.span_start, m.entity FROM entity_mentions m JOIN documents d ON d.id = m.doc")
    while rows := cur.fetchmany(100000):
        dr = np.fromiter((r[0] for r in rows), np.int64, len(rows))
        st = np.fromiter((r[1] for r in rows), np.int64, len(rows))
        en = np.fromiter((index.setdefault(r[2], len(index)) for r in rows), np.int64, len(rows))
        i = np.searchsorted(keys, (dr << 32) | st, side="right") - 1
        ok = (i >= 0) & ((keys[np.maximum(i, 0)] >> 32) == dr)
        ents.append(en[ok])
        poss.append(order[np.maximum(i, 0)][ok].astype(np.int32))
    e = np.concatenate(ents) if ents else np.zeros(0, np.int64)
    p = np.concatenate(poss) if poss else np.zeros(0, np.int32)
    pairs = np.unique((e << 32) | p.astype(np.int64))
    e, p = pairs >> 32, (pairs & 0xFFFFFFFF).astype(np.int32)
    ptr = np.zeros(len(index) + 1, np.int64)
    ptr[1:] = np.cumsum(np.bincount(e, minlength=len(index)))
    return list(index), ptr, p


def _side_arrays(conn, path: str, keys, order, types: list[str]) -> dict[str, np.ndarray]:
    """The arrays that follow the event reports and the entity mentions (recomputed whole on any change)."""
    ids, ptr, pos = _entity_postings(conn, keys, order)
    with open(os.path.join(path, "entities.json"), "w", encoding="utf-8") as fh:
        json.dump(ids, fh)
    return {"types": _event_types(conn, keys, order, types), "ent_ptr": ptr, "ent_pos": pos}


_EMPTY = (("rowid", np.int64), ("docrow", np.int32), ("start", np.int32), ("end", np.int32), ("lo", np.int32),
          ("hi", np.int32), ("tf_tok", np.int32), ("tf_cnt", np.uint16))


def _write_meta(path: str, meta: dict) -> None:
    with open(os.path.join(path, "meta.json.tmp"), "w", encoding="utf-8") as fh:
        json.dump(meta, fh)
    os.replace(os.path.join(path, "meta.json.tmp"), os.path.join(path, "meta.json"))


def refresh(db: str | Store, *, rebuild: bool = False, on_progress=None) -> dict[str, Any]:
    """Bring the index of store ``db`` up to date: build it, extend it with the sentences added since, or only
    recompute the event-type bits. Returns ``{"action", "sentences", "added", "seconds"}``; ``action`` is
    ``current``, ``built``, ``extended`` or ``events``."""
    import time

    import bm25s

    t0 = time.perf_counter()
    store, own = (db, False) if isinstance(db, Store) else (Store.open(db, create=False), True)
    try:
        conn, path = store.conn, index_dir(store.path)
        marker = _marker(conn)
        old = None
        if not rebuild and os.path.exists(os.path.join(path, "meta.json")):
            with open(os.path.join(path, "meta.json"), encoding="utf-8") as fh:
                old = json.load(fh)
            if old.get("version") != INDEX_VERSION:
                old = None
        if old and old["marker"] == marker:
            return {"action": "current", "sentences": old["n"], "added": 0, "seconds": time.perf_counter() - t0}
        full = (old is None or old["marker"]["sentences_deleted"] != marker["sentences_deleted"]
                or marker["max_rowid"] < old["marker"]["max_rowid"])
        if full:
            vocab, after, types = {}, 0, []
            arrays = {k: np.zeros(0, t) for k, t in _EMPTY}
            prev_ptr = np.zeros(1, np.int64)
        else:
            ix = Index(path)
            vocab, after, types = dict(ix.vocab), old["marker"]["max_rowid"], list(old["types"])
            vocab.pop("", None)
            arrays = {k: ix.a[k] for k, _ in _EMPTY}
            prev_ptr = ix.a["tf_ptr"]
        terms = Terms(vocab)
        parts = {k: [np.asarray(v)] for k, v in arrays.items()}
        lens, added = [], 0
        for chunk in _read_sentences(conn, after, terms):
            for k in parts:
                parts[k].append(chunk[k])
            lens.append(chunk["tf_len"])
            added += len(chunk["rowid"])
            if on_progress:
                on_progress(added)
        if not full and not added and old["marker"]["sentences_inserted"] == marker["sentences_inserted"]:
            # only event reports or entity mentions changed: recompute what follows them, in place
            side_dir = f"{path}.side{os.getpid()}-{threading.get_ident()}"
            os.makedirs(side_dir, exist_ok=True)
            side = _side_arrays(conn, side_dir, ix.a["keys"], ix.a["order"], types)
            for k, v in side.items():
                np.save(os.path.join(side_dir, f"{k}.npy"), v)
            for f in [*(f"{k}.npy" for k in side), "entities.json"]:
                os.replace(os.path.join(side_dir, f), os.path.join(path, f))
            shutil.rmtree(side_dir, ignore_errors=True)
            _write_meta(path, {**old, "marker": marker, "types": types})
            _CACHE.pop(path, None)
            return {"action": "events", "sentences": old["n"], "added": 0, "seconds": time.perf_counter() - t0}
        arrays = {k: np.concatenate(v) for k, v in parts.items()}
        del parts
        new_ptr = int(prev_ptr[-1]) + np.cumsum(np.concatenate(lens)) if lens else np.zeros(0, np.int64)
        arrays["tf_ptr"] = np.concatenate([np.asarray(prev_ptr), new_ptr]).astype(np.int64)
        arrays["keys"], arrays["order"] = _sorted_keys(arrays["docrow"], arrays["start"])
        n = len(arrays["rowid"])
        tmp = f"{path}.tmp{os.getpid()}-{threading.get_ident()}"
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(tmp)
        arrays.update(_side_arrays(conn, tmp, arrays["keys"], arrays["order"], types))
        if n:
            retr = bm25s.BM25(method="lucene", k1=K1, b=B)
            vocab_all = dict(terms.vocab)
            vocab_all[""] = len(vocab_all)  # bm25s's empty token: a query with no known term
            retr.scores = _scores(arrays["tf_ptr"], arrays["tf_tok"], arrays["tf_cnt"], len(vocab_all))
            retr.vocab_dict = vocab_all
            retr.nonoccurrence_array = None
            retr.save(tmp, show_progress=False)
        for k in Index.ARRAYS:
            np.save(os.path.join(tmp, f"{k}.npy"), arrays[k])
        _write_meta(tmp, {"version": INDEX_VERSION, "marker": marker, "n": n, "types": types,
                          "vocabulary": len(terms.vocab)})
        old_dir = f"{path}.old{os.getpid()}-{threading.get_ident()}"
        shutil.rmtree(old_dir, ignore_errors=True)
        if os.path.exists(path):
            os.replace(path, old_dir)
        os.replace(tmp, path)
        shutil.rmtree(old_dir, ignore_errors=True)
        _CACHE.pop(path, None)
        return {"action": "built" if full else "extended", "sentences": n, "added": added,
                "seconds": time.perf_counter() - t0}
    except OSError as e:
        raise SearchError(f"{index_dir(store.path)}: cannot write the search index ({e.strerror or e})") from e
    finally:
        if own:
            store.close()


_CACHE: dict[str, tuple[dict, Index]] = {}
_LOCK = threading.Lock()


def load(store: Store) -> Index:
    """The current index of ``store`` (refreshed first when the store changed since), cached per process."""
    path = index_dir(store.path)
    marker = _marker(store.conn)
    hit = _CACHE.get(path)
    if hit and hit[0] == marker:
        return hit[1]
    with _LOCK:
        hit = _CACHE.get(path)
        if hit and hit[0] == marker:
            return hit[1]
        refresh(store)
        ix = Index(path)
        _CACHE[path] = (marker, ix)
        return ix


# -- searching ----------------------------------------------------------------------------------------------------

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
    if value in (None, ""):
        return None
    d = _day(value) if len(value) >= 10 else None
    if d is None and len(value) in (4, 7):  # a year or a month: its first day (since) / last day (until)
        try:
            y, m = int(value[:4]), int(value[5:7]) if len(value) == 7 else None
            first = date(y, m or 1, 1)
            if what == "until":
                last = date(y + (m or 12) // 12, (m or 12) % 12 + 1, 1) if m else date(y + 1, 1, 1)
                return last.toordinal() - 1
            return first.toordinal()
        except ValueError:
            d = None
    if d is None:
        raise UsageError(f"--{what} {value!r}: not a date (YYYY-MM-DD, YYYY-MM or YYYY)")
    return d


def event_types() -> tuple[str, ...]:
    from .events.lexicon import TYPES

    return tuple(TYPES)


def _mask(conn, ix: Index, entity, since, until, type_) -> tuple[np.ndarray | None, list[str] | None]:
    """The filter as a boolean per sentence (None: no filter) and the entity ids."""
    from .events.store import entity_ids

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


# -- ask: an extractive answer ------------------------------------------------------------------------------------

def question_entities(conn: sqlite3.Connection, question: str) -> dict[str, str]:
    """Entities named in the question (longest word n-grams first, matched on folded aliases), in the order the
    question names them: id -> name. The first is the question's subject ("What did Russia say ...")."""
    from .actors.kb import fold as kb_fold

    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'entity_aliases'").fetchone():
        return {}
    words = re.findall(r"[\w.'-]+", question)
    used, found = set(), []
    stop = _stopwords()
    for n in (4, 3, 2, 1):
        for i in range(len(words) - n + 1):
            span = set(range(i, i + n))
            if span & used:
                continue
            gram = " ".join(words[i:i + n]).strip(".'-")
            if not gram[:1].isupper() or (n == 1 and gram.lower() in stop and not gram.isupper()):
                continue
            rows = conn.execute("SELECT a.entity, e.name FROM entity_aliases a JOIN entities e ON e.id = a.entity "
                                "WHERE a.folded = ? ORDER BY e.mention_count DESC LIMIT 1",
                                (kb_fold(gram),)).fetchall()
            if rows:
                used |= span
                found.append((i, rows[0][0], rows[0][1]))
    out: dict[str, str] = {}
    for _, eid, name in sorted(found):
        out.setdefault(eid, name)
    return out


def _norm_text(t: str) -> str:
    return " ".join(_WORD.findall(t.lower()))


def _same_sentence_groups(conn, text: str, limit: int = 300) -> set[str]:
    """Version groups of every stored document carrying this very sentence (FTS5 phrase, then exact check)."""
    words = _WORD.findall(text.lower())
    if len(words) < 4:
        return set()
    key = _norm_text(text)
    phrase = '"' + " ".join(w for w in words[:24] if w.isalnum()) + '"'
    try:
        rows = conn.execute(
            "SELECT a.text, coalesce(d.version_of, d.id) FROM sentences_fts f JOIN annotations a ON a.rowid = f.rowid "
            "JOIN documents d ON d.id = a.doc_id WHERE sentences_fts MATCH ? LIMIT ?", (phrase, limit)).fetchall()
    except sqlite3.OperationalError:
        return set()
    return {g for t, g in rows if _norm_text(t) == key}


def _sentence_entities(conn, hits: list[dict], ents: dict[str, str]) -> dict[tuple, set[str]]:
    """(doc, start) of each hit -> the question entities mentioned (or acted for) inside its sentence."""
    out: dict[tuple, set[str]] = {}
    if not ents or not hits:
        return out
    ids = list(ents)
    for d in {h["doc"] for h in hits}:
        ms = conn.execute(f"SELECT span_start, entity, acts_for FROM entity_mentions WHERE doc = ? AND "
                          f"(entity IN ({','.join('?' * len(ids))}) OR acts_for IN ({','.join('?' * len(ids))}))",
                          (d, *ids, *ids)).fetchall()
        for h in hits:
            if h["doc"] == d:
                out[(d, h["start"])] = {e for s, ent, af in ms if h["start"] <= s < h["end"]
                                        for e in (ent, af) if e in ents}
    return out


def _doc_coverage(conn, ix: Index, hits: list[dict], question: str) -> dict[str, float]:
    """Share of the question's weight (idf of its terms) that each hit's whole document holds: a sentence from
    an article about every part of the question beats an equally good sentence from an article about one part."""
    indptr = ix.bm25.scores["indptr"]
    weights = {}
    for t in dict.fromkeys(query_terms(question)):
        if t in ix.vocab:
            df = int(indptr[ix.vocab[t] + 1] - indptr[ix.vocab[t]])
            weights[t] = float(np.log(1 + (ix.n - df + 0.5) / (df + 0.5)))
    total = sum(weights.values()) or 1.0
    out = {}
    for d in list(dict.fromkeys(h["doc"] for h in hits))[:40]:
        r = conn.execute("SELECT text, title FROM documents WHERE id = ?", (d,)).fetchone()
        have = {_term(t) for t in set(_WORD.findall(f"{r[1] or ''} {r[0]}"))} if r else set()
        out[d] = sum(w for t, w in weights.items() if t in have) / total
    return out


def _topic_day(conn, hits: list[dict], others: set[str]) -> str | None:
    """The date of what the question is about: the first dated event, among those reported by the best hits,
    whose actors include the question's other entities ("the US capture of Maduro")."""
    if not others or not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'event_mentions'").fetchone():
        return None
    for h in sorted(hits, key=lambda x: -x["score"])[:10]:
        for row in conn.execute(
                "SELECT e.source_entity, e.source_acts_for, e.target_entity, e.target_acts_for, e.first_day "
                "FROM event_mentions m JOIN events e ON e.id = m.event WHERE m.doc = ? AND m.start < ? "
                "AND m.\"end\" > ? AND e.first_day IS NOT NULL AND e.negated = 0", (h["doc"], h["end"], h["start"])):
            if len(set(row[:4]) & others) >= min(2, len(others)):
                return row[4]
    return None


def _subject_reports(conn, docs: list[str], subject: str, after: str | None) -> dict[str, list[tuple]]:
    """Spans of the event reports in these documents whose source, or whoever the report says said it, is the
    subject (or acts for it): what the subject did or said; each with a weight, lower when the report is dated
    before ``after`` (the question's topic: a reaction comes after)."""
    out: dict[str, list[tuple]] = {}
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'event_mentions'").fetchone():
        return out
    for d in docs:
        for start, end, said, src, acts, last in conn.execute(
                "SELECT m.start, m.\"end\", m.said_by, e.source_entity, e.source_acts_for, e.last_day "
                "FROM event_mentions m JOIN events e ON e.id = m.event WHERE m.doc = ? AND e.negated = 0", (d,)):
            speakers = {x.get("entity") for x in json.loads(said or "[]")} - {None}
            if speakers:
                marks = ",".join("?" * len(speakers))
                speakers |= {r[0] for r in conn.execute(
                    f"SELECT acts_for FROM entity_mentions WHERE doc = ? AND entity IN ({marks})",
                    (d, *speakers)) if r[0]}
            if subject in ({src, acts} | speakers):
                out.setdefault(d, []).append((start, end, 0.25 if after and last and last < after else 1.0))
    return out


def _with_sentences(conn, spans: dict[str, list[tuple[int, int]]], hits: list[dict]) -> list[dict]:
    """The stored sentences overlapping these spans, as extra candidates (score 0) when not among the hits."""
    have = {(h["doc"], h["start"]) for h in hits}
    extra = []
    for d, sp in spans.items():
        r = conn.execute("SELECT outlet, title, published_date, url, source, coalesce(version_of, id) "
                         "FROM documents WHERE id = ?", (d,)).fetchone()
        for a, b, *_ in sp:
            for s, e, t in conn.execute("SELECT start, \"end\", text FROM annotations WHERE doc_id = ? AND "
                                        "kind = 'sentences' AND start < ? AND \"end\" > ?", (d, b, a)):
                if (d, s) not in have:
                    have.add((d, s))
                    extra.append({"doc": d, "start": s, "end": e, "text": t, "score": 0.0, "outlet": r[0],
                                  "title": r[1], "date": r[2], "url": r[3], "source": r[4], "group": r[5]})
    return hits + extra


MAX_CITATIONS = 20


def _claims(conn, ix: Index, hits: list[dict], question: str, ents: dict[str, str], limit: int) -> list[dict]:
    """Rank the candidate sentences and merge copies: BM25 (relative to the best) + the share of the question's
    entities the sentence mentions + how much of the question its whole document covers + whether it reports
    what the question's subject (its first entity) did or said. The same sentence in several documents is one
    candidate (its copies become citations, at most MAX_CITATIONS listed; every version group is counted)."""
    reps: dict[str, dict] = {}
    for h in hits:
        key = _norm_text(h["text"])
        if key in reps:
            reps[key]["_copies"].append(h)
        elif len(reps) < 60:
            reps[key] = {**h, "_copies": [h]}
    hits = list(reps.values())
    docs = _doc_coverage(conn, ix, hits, question)
    subject = next(iter(ents), None)
    acts = {}
    if subject:
        best = sorted(docs, key=lambda d: -docs[d])[:5]
        acts = _subject_reports(conn, best, subject, _topic_day(conn, hits, set(ents) - {subject}))
        hits = _with_sentences(conn, acts, hits)
    top = max((h["score"] for h in hits), default=1.0) or 1.0
    found = _sentence_entities(conn, hits, ents)
    for h in hits:
        cov = len(found.get((h["doc"], h["start"]), ())) / len(ents) if ents else 0.0
        said = max((w for a, b, w in acts.get(h["doc"], ()) if a < h["end"] and b > h["start"]), default=0.0)
        h["rank"] = h["score"] / top + 0.6 * cov + 0.8 * docs.get(h["doc"], 0.0) + 0.8 * said
    claims: list[dict] = []
    for h in sorted(hits, key=lambda x: -x["rank"]):
        terms = set(query_terms(h["text"]))
        copies = h.get("_copies") or [h]
        for c in claims:  # nearly the same sentence (a copy edited): one claim, more citations
            if len(terms & c["_terms"]) >= 0.8 * max(1, min(len(terms), len(c["_terms"]))):
                c["_copies"] += copies
                break
        else:
            if len(claims) < limit:
                claims.append({"text": h["text"], "_copies": list(copies), "_terms": terms,
                               "score": round(h["rank"], 4)})
    for c in claims:
        copies, seen = c.pop("_copies"), set()
        c["citations"] = []
        for x in copies:
            if x["doc"] not in seen and len(c["citations"]) < MAX_CITATIONS:
                seen.add(x["doc"])
                c["citations"].append({k: x[k] for k in ("doc", "start", "end", "text", "outlet", "date", "title")})
        groups = {x["group"] for x in copies} | _same_sentence_groups(conn, c["text"])
        c.pop("_terms")
        c["independent_sources"] = max(1, len(groups))
    return [{"text": c["text"], "citations": c["citations"], "independent_sources": c["independent_sources"],
             "score": c["score"]} for c in claims]


def _event_brief(conn, ev: dict) -> dict:
    names = {}
    for side in ("source", "target"):
        a = ev[side]
        eid = a.get("entity") or a.get("acts_for")
        r = conn.execute("SELECT name FROM entities WHERE id = ?", (eid,)).fetchone() if eid else None
        names[side] = r[0] if r else a.get("text") or a.get("country")
    m = ev["mentions"][0] if ev["mentions"] else None
    cite = None
    if m:
        d = conn.execute("SELECT outlet, published_date, title FROM documents WHERE id = ?", (m["doc"],)).fetchone()
        cite = {**m, "outlet": d[0], "date": d[1], "title": d[2]} if d else dict(m)
    return {"id": ev["id"], "type": ev["type"], "date": ev["date"].get("value"), "source": names["source"],
            "target": names["target"], "negated": ev["negated"], "hypothetical": ev["hypothetical"],
            "citation": cite, "independent_sources": ev["independent_sources"]}


def _events_for(conn, claims: list[dict], ents: dict[str, str], n: int = 5) -> list[dict]:
    from .events.store import events_table

    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'events'").fetchone():
        return []
    docs = list(dict.fromkeys(c["doc"] for cl in claims for c in cl["citations"]))[:5]
    seen, picked = set(), []
    for d in docs:
        for ev in events_table(conn, doc=d, limit=200):
            if ev["id"] in seen:
                continue
            seen.add(ev["id"])
            actors = {ev[s].get(k) for s in ("source", "target") for k in ("entity", "acts_for")}
            hit = len(actors & set(ents)) if ents else 0
            if ents and not hit:
                continue
            told = any(m["doc"] == c["doc"] and m["start"] < c["end"] and m["end"] > c["start"]
                       for m in ev["mentions"] for cl in claims for c in cl["citations"])
            picked.append((-told, -hit, -ev["independent_sources"], ev["first_day"] or "9999", ev))
    picked.sort(key=lambda x: x[:4])
    return [_event_brief(conn, p[4]) for p in picked[:n]]


def _answer_text(claims: list[dict]) -> str:
    if not claims:
        return "No stored sentence answers this question."
    lines = []
    for i, c in enumerate(claims, 1):
        first = c["citations"][0]
        who = first["outlet"] or "an unnamed outlet"
        when = first["date"] or "undated"
        more = f"; {c['independent_sources']} independent sources" if c["independent_sources"] > 1 else ""
        lines.append(f"[{i}] {c['text']} ({who}, {when}{more})")
    return "\n".join(lines)


def ask(db, question: str, *, limit: int = 5, backend: dict | None = None) -> dict:
    """An extractive answer to ``question``: the best sentences (BM25, then reranked by the entities of the
    question they mention), copies of one sentence merged into one claim with every citation (doc, outlet, date,
    offsets) and its number of independent sources, plus the events these documents report about those entities.
    ``backend`` (``{"endpoint", "model", "key"}``, off by default) asks an OpenAI-compatible model to phrase the
    answer from the claims only; the claims and citations stay as they are."""
    if not question or not question.strip():
        raise UsageError("ask: the question is empty")
    with _Opened(db) as store:
        conn = store.conn
        ents = question_entities(conn, question)
        hits = search(store, question, limit=max(400, limit * 40))
        claims = _claims(conn, load(store), hits, question, ents, limit) if hits else []
        events = _events_for(conn, claims, ents)
    out = {"question": question, "answer": _answer_text(claims), "claims": claims, "events": events,
           "entities": [{"id": k, "name": v} for k, v in ents.items()]}
    if backend and claims:
        out["answer"] = llm_answer(question, claims, **backend)
        out["backend"] = backend.get("model")
    return out


def llm_answer(question: str, claims: list[dict], *, endpoint: str, model: str, key: str | None = None,
               timeout: float = 60) -> str:
    """Phrase an answer from the numbered claims with an OpenAI-compatible chat endpoint (stdlib urllib)."""
    import urllib.error
    import urllib.request

    ctx = "\n".join(f"[{i}] {c['text']} ({c['citations'][0]['outlet'] or 'unknown outlet'}, "
                    f"{c['citations'][0]['date'] or 'undated'})" for i, c in enumerate(claims, 1))
    body = {"model": model, "temperature": 0, "messages": [
        {"role": "system", "content": "Answer only from the numbered sentences; cite them as [n]. "
                                      "If they do not answer the question, say so."},
        {"role": "user", "content": f"Sentences:\n{ctx}\n\nQuestion: {question}"}]}
    req = urllib.request.Request(endpoint.rstrip("/") + "/chat/completions", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json",
                                          **({"Authorization": f"Bearer {key}"} if key else {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return json.load(r)["choices"][0]["message"]["content"].strip()
    except (urllib.error.URLError, OSError, KeyError, IndexError, ValueError) as e:
        raise SearchError(f"{endpoint}: the language model did not answer ({e})") from e


# -- Datasette ----------------------------------------------------------------------------------------------------

def datasette_metadata(db_path: str) -> dict:
    """The Datasette metadata (dossier/data/datasette.json: titles, descriptions, facets, FTS of the sentences
    view, internal tables hidden), keyed by the database name Datasette gives ``db_path`` (its file stem)."""
    from importlib.resources import files

    meta = json.loads(files("dossier").joinpath("data/datasette.json").read_text(encoding="utf-8"))
    name = os.path.splitext(os.path.basename(os.fspath(db_path)))[0]
    meta["databases"] = {name: meta["databases"]["dossier"]}
    return meta
