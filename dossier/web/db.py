"""Connections for the web app: one SQLite connection per worker thread, read-only unless asked otherwise.

FastAPI runs sync routes in a thread pool, so each thread opens its own connection once (``file:...?mode=ro``) and
keeps it; SQLite in WAL mode lets them read while ``dossier ingest`` writes. Nothing here runs migrations: the web
app never changes the store (``Store.open`` would migrate, so the app wraps its own connection in a ``Store``).

:class:`Cache` keeps a few whole-store aggregates (counts, the month histogram, the actor graph) until the store
file changes, so no page scans a big table on every request.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

from ..errors import StoreError
from ..store import Store, resolve_db


class Database:
    """The store a web app serves: per-thread connections and the set of tables present."""

    def __init__(self, db: str | os.PathLike | None, *, read_only: bool = True):
        self.path = os.path.abspath(resolve_db(db))
        self.read_only = read_only
        if not os.path.isfile(self.path):
            raise StoreError(f"{self.path}: no such store (run 'dossier ingest' first, or pass --db)")
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[sqlite3.Connection] = []
        self._watch: sqlite3.Connection | None = None
        conn = self.conn()
        try:
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{self.path}: not a Dossier store ({e})") from e
        if "documents" not in names:
            raise StoreError(f"{self.path}: not a Dossier store (no documents table)")
        self.tables = frozenset(names)
        self.cache = Cache(self.stamp)

    def _connect(self) -> sqlite3.Connection:
        if self.read_only:
            uri = "file:" + urllib.parse.quote(self.path) + "?mode=ro"
            conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
            conn.execute("PRAGMA query_only = ON")
        else:
            conn = sqlite3.connect(self.path, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA busy_timeout = 10000")
        conn.execute("PRAGMA cache_size = -16000")  # 16 MB per thread: index pages stay hot
        return conn

    def conn(self) -> sqlite3.Connection:
        c = getattr(self._local, "conn", None)
        if c is None:
            c = self._local.conn = self._connect()
            with self._lock:
                self._all.append(c)
        return c

    def store(self) -> Store:
        """A Store over this thread's connection (no migration: the app only reads)."""
        return Store(self.conn(), self.path)

    def has(self, *tables: str) -> bool:
        return all(t in self.tables for t in tables)

    def stamp(self) -> int:
        """Changes whenever another connection commits to the store (``PRAGMA data_version`` of a connection
        kept for this alone)."""
        with self._lock:
            if self._watch is None:
                self._watch = self._connect()
            return self._watch.execute("PRAGMA data_version").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            for c in self._all:
                try:
                    c.close()
                except sqlite3.Error:
                    pass
            self._all.clear()
            if self._watch is not None:
                self._watch.close()
                self._watch = None
        self._local = threading.local()


class Cache:
    """Values computed from the whole store, kept until the store changes (checked at most once a second)."""

    def __init__(self, stamp: Callable[[], Any], check_every: float = 1.0):
        self._stamp_fn = stamp
        self._stamp: Any = None
        self._checked = 0.0
        self._every = check_every
        self._values: dict[Any, Any] = {}
        self._lock = threading.Lock()
        self._busy: dict[Any, threading.Lock] = {}

    def get(self, key: Any, compute: Callable[[], Any]) -> Any:
        now = time.monotonic()
        if now - self._checked > self._every:
            try:
                stamp = self._stamp_fn()
            except sqlite3.Error:
                stamp = None
            with self._lock:
                self._checked = now
                if stamp != self._stamp:
                    self._stamp = stamp
                    self._values.clear()
        with self._lock:
            if key in self._values:
                return self._values[key]
            busy = self._busy.setdefault(key, threading.Lock())
        with busy:  # one thread computes a value; the others wait for it
            with self._lock:
                if key in self._values:
                    return self._values[key]
            value = compute()
            with self._lock:
                self._values[key] = value
                self._busy.pop(key, None)
        return value
