"""The record that flows through the pipeline.

A :class:`Document` is created by ingest from one input item (a file, a JSON Lines line, a WARC record, a feed
entry) and each stage reads some of its fields and fills others (see ``dossier.pipeline``). It is slotted and holds
only plain data, so it pickles cheaply to a worker and back.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

FORMATS = ("text", "html", "jsonl", "warc", "feed")


def content_id(payload: bytes) -> tuple[str, str]:
    """Return ``(document id, full sha256 hex)`` for an input's content. Same content, same id, always."""
    digest = hashlib.sha256(payload).hexdigest()
    return "d" + digest[:16], digest


@dataclass(slots=True)
class Published:
    date: str | None = None
    after: str | None = None
    before: str | None = None
    basis: str | None = None  # stated | metadata | inferred | None


@dataclass(slots=True)
class Removed:
    text: str
    reason: str
    at: int | None = None


@dataclass(slots=True)
class Change:
    kind: str
    detail: str


@dataclass(slots=True)
class Item:
    """One raw input as read, before decoding: what the store keeps so any stage can be re-run from it.

    ``given`` holds what came with the item besides its content (JSON Lines fields, WARC headers, feed entry
    fields); ``content`` is the article's bytes (text or markup) whose hash is the document id.
    """

    source: str
    format: str
    content: bytes
    given: dict[str, Any] = field(default_factory=dict)
    media: str = "text"  # "text" or "html": what content holds


@dataclass(slots=True)
class Document:
    id: str
    hash: str
    source: str
    format: str
    input_id: str | int | None = None
    url: str | None = None
    outlet: str | None = None
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    language: str | None = None
    translated_from: str | None = None
    published: Published = field(default_factory=Published)
    text: str = ""
    html: str | None = None  # decoded markup of an HTML input; the clean stage reads text out of it
    removed: list[Removed] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    version_of: str | None = None
    story: str | None = None
    stages: list[str] = field(default_factory=list)
    annotations: dict[str, list] = field(default_factory=dict)  # per-stage facts (mentions, times, ...)
    parsed: Any = field(default=None, compare=False, repr=False)  # transient: the nlp stage's spaCy Doc, for the
    # stages after it in the same process; never stored, dropped when the document is pickled to another worker

    def __getstate__(self):
        state = {k: getattr(self, k) for k in self.__slots__ if k != "parsed"}
        return state

    def __setstate__(self, state):
        for k, v in state.items():
            object.__setattr__(self, k, v)
        self.parsed = None
