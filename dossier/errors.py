"""Exceptions. Each carries where (file, line) and why; the CLI turns them into one clear line."""

from __future__ import annotations

import re

_LINE_RE = re.compile(r"#L(\d+)$")
_ITEM_RE = re.compile(r"#(\d+)$")


def human_source(source: str) -> str:
    """``feed.jsonl#L2`` → ``feed.jsonl line 2``; ``crawl.warc#3`` → ``crawl.warc item 3`` (record or entry)."""
    source = _LINE_RE.sub(r" line \1", source)
    return _ITEM_RE.sub(r" item \1", source)


class DossierError(Exception):
    """Base class of every error Dossier raises on purpose."""

    exit_code = 1

    def __str__(self) -> str:  # one line, no traceback
        return " ".join(str(a) for a in self.args) or self.__class__.__name__


class UsageError(DossierError):
    """The command was called wrongly (bad option value, missing store)."""

    exit_code = 2


class StoreError(DossierError):
    """The store cannot be opened or is not a Dossier store."""


class Rejected(DossierError):
    """One input cannot become a document. The run records it and goes on (unless --strict).

    ``source`` is the input as named in documents.jsonl (``path``, ``path#L3``, ``path#2``), ``reason``
    a short human sentence such as ``empty file``.
    """

    def __init__(self, reason: str, source: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.source = source

    def __str__(self) -> str:
        where = f"{human_source(self.source)}: " if self.source else ""
        return f"{where}{self.reason}, skipped"


class StrictStop(DossierError):
    """--strict: the first problem stops the run."""
