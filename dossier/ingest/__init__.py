"""Ingest: any news input into the store.

``read(paths)`` streams :class:`~dossier.document.Item` records (one per article) and
:class:`~dossier.errors.Rejected` records out of files, folders, globs and stdin; ``ingest(paths, db)`` decodes each
item into a Document, runs the pipeline's stages on it and hands it to the store, which commits in batches. Every
input ends as stored, duplicate (of a stored document) or rejected with a reason. Documents are keyed by a hash of
their content, so running the same command again (after a crash, or on purpose) adds nothing twice.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from .. import pipeline
from ..document import Document, Item, content_id
from ..errors import Rejected, StrictStop
from ..store import Store
from .decode import to_document
from .formats import read_items, sniff
from .sources import MB, Limits, expand, open_input

__all__ = ["Limits", "Report", "ingest", "read", "decode_item", "MB"]


def read(paths: Iterable[str], limits: Limits | None = None) -> Iterator[Item | Rejected]:
    """Every article item in ``paths`` (files, folders, globs, ``-``), and every problem as a Rejected."""
    limits = limits or Limits()
    for path in expand(paths):
        if isinstance(path, Rejected):
            yield path
            continue
        try:
            stream, _ = open_input(path, limits)
        except Rejected as r:
            yield r
            continue
        try:
            try:
                head = stream.peek(8192)[:8192]
            except Rejected as r:
                yield r
                continue
            if not head:
                yield Rejected("empty file", path)
                continue
            try:
                fmt = sniff(path, head)
                yield from read_items(path, stream, fmt, limits)
            except Rejected as r:
                r.source = r.source or path
                yield r
        finally:
            if path != "-":
                stream.close()


def decode_item(item: Item, steps: list[pipeline.Stage]) -> Document:
    """Item → Document through the per-document stages. Raises Rejected."""
    try:
        doc = to_document(item)
    except Rejected as r:
        r.source = r.source or item.source
        raise
    doc.stages.append("ingest")
    return pipeline.run_one(doc, steps)


@dataclass
class Report:
    """What an ingest did. ``stored`` counts new documents, ``unchanged`` inputs already stored from the same
    source, ``duplicates`` inputs whose content another stored input already had."""

    stored: int = 0
    unchanged: int = 0
    duplicates: int = 0
    rejected: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    bytes: int = 0
    linked: dict = field(default_factory=dict)  # corpus-level stages: {stage: counts}

    @property
    def inputs(self) -> int:
        return self.stored + self.unchanged + self.duplicates + sum(self.rejected.values())

    @property
    def exit_code(self) -> int:
        return 0 if self.stored + self.unchanged else 1

    def as_dict(self) -> dict:
        return {"stored": self.stored, "unchanged": self.unchanged, "duplicates": self.duplicates,
                "rejected": dict(self.rejected), "inputs": self.inputs, "seconds": round(self.seconds, 3),
                **({"linked": self.linked} if self.linked else {})}


def _reason_key(reason: str) -> str:
    return reason.split(" (")[0].split(":")[0]


def ingest(paths: Iterable[str], db: str | None = None, *, strict: bool = False, limits: Limits | None = None,
           stages: Iterable[str] | None = None, batch_size: int = 500,
           on_event: Callable[[str, object], None] | None = None, store: Store | None = None) -> Report:
    """Ingest ``paths`` into the store ``db``. ``on_event(kind, obj)`` is told of every outcome:
    ``("stored" | "unchanged" | "duplicate", Document | Item)`` and ``("rejected", Rejected)``.
    With ``strict``, the first problem raises StrictStop (after committing what was stored before it)."""
    steps = pipeline.stages(stages)
    report = Report()
    t0 = time.perf_counter()
    own = store is None
    store = store or Store.open(db)
    notify = on_event or (lambda kind, obj: None)
    try:
        with store.writer(batch_size=batch_size, command="ingest") as w:
            for x in read(paths, limits):
                if isinstance(x, Rejected):
                    _reject(w, report, x, strict, notify)
                    continue
                report.bytes += len(x.content)
                doc_id, _ = content_id(x.content)
                known = w.known(doc_id)
                if known is not None:
                    if known == x.source:
                        report.unchanged += 1
                        w.record(x.source, "stored", doc_id)
                        notify("unchanged", x)
                    else:
                        report.duplicates += 1
                        w.record(x.source, "duplicate", doc_id, f"same content as {known}")
                        notify("duplicate", x)
                    continue
                try:
                    doc = decode_item(x, steps)
                except Rejected as r:
                    _reject(w, report, r, strict, notify)
                    continue
                w.add(doc, x)
                report.stored += 1
                notify("stored", doc)
            w.summary = report.as_dict
        # the corpus-level stages (versions, storylines) link what this run stored, and anything a killed run left
        report.linked = pipeline.link(store, names=stages)
    finally:
        report.seconds = time.perf_counter() - t0
        if own:
            store.close()
    return report


def _reject(w, report: Report, r: Rejected, strict: bool, notify) -> None:
    report.rejected[_reason_key(r.reason)] += 1
    w.record(r.source or "?", "rejected", None, r.reason)
    notify("rejected", r)
    if strict:
        w.flush()
        raise StrictStop(f"stopped at the first problem (--strict): {str(r).removesuffix(', skipped')}")
