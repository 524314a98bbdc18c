"""The BM25 index next to the store (``<db>.search/``): build, extend, load."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import threading
from datetime import date
from typing import Any

import numpy as np

from ..store import Store
from .terms import CHUNK, INDEX_VERSION, K1, OPEN_HI, UNDATED_HI, UNDATED_LO, B, SearchError, Terms


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
