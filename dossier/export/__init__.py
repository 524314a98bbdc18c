"""``dossier export OUT_DIR``: the export contract (../shared/spec/export.md, version 1.0).

Every file is written to a temporary name and moved into place, manifest.json last, so a reader never sees a half
export. Documents are streamed from the store: memory stays flat in corpus size.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from typing import Any

from .. import __version__
from ..document import Document
from ..pipeline import ORDER
from ..store import Store, facts, now

FORMAT = "dossier-export"
VERSION = "1.0"
FILES = ("documents.jsonl", "versions.jsonl", "stories.jsonl", "entities.jsonl", "mentions.jsonl", "roles.jsonl",
         "times.jsonl", "quantities.jsonl", "events.jsonl")


def document_line(doc: Document) -> dict[str, Any]:
    p = doc.published
    line: dict[str, Any] = {
        "id": doc.id, "source": doc.source, "input_id": doc.input_id, "url": doc.url, "outlet": doc.outlet,
        "title": doc.title, "authors": doc.authors, "language": doc.language,
        "translated_from": doc.translated_from,
        "published": {"date": p.date, "after": None if p.date else p.after, "before": None if p.date else p.before,
                      "basis": p.basis},
        "text": doc.text,
        "removed": [{"text": r.text, "reason": r.reason, **({"at": r.at} if r.at is not None else {})}
                    for r in doc.removed],
        "version_of": doc.version_of, "story": doc.story, "format": doc.format,
        "changes": [{"kind": c.kind, "detail": c.detail} for c in doc.changes],
    }
    if doc.metadata:
        line["metadata"] = doc.metadata
    return line


class _StageTally:
    """Stages that ran on every exported document, in pipeline order."""

    def __init__(self) -> None:
        self.common: set[str] | None = None

    def see(self, doc: Document) -> None:
        s = set(doc.stages)
        self.common = s if self.common is None else self.common & s

    def stages(self) -> list[str]:
        return [s for s in ORDER if s in (self.common or set())]


def _documents(store: Store, tally: _StageTally) -> Iterator[dict]:
    for doc in store.documents():
        tally.see(doc)
        yield document_line(doc)


def _versions(store: Store) -> Iterator[dict]:
    from ..dedup import version_lines

    yield from version_lines(store)


def _stories(store: Store) -> Iterator[dict]:
    yield from store.stories()


def _actors(store: Store, producer: str) -> Iterator[dict]:
    from ..actors import resolve

    yield from getattr(resolve, producer)(store.conn)


def _events(store: Store) -> Iterator[dict]:
    from ..events.store import export_events

    yield from export_events(store.conn)


def _write_jsonl(path: str, rows: Iterator[dict]) -> int:
    n = 0
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False, separators=(", ", ": ")))
            fh.write("\n")
            n += 1
    os.replace(tmp, path)
    return n


def export(db: str | None, out_dir: str, *, store: Store | None = None,
           on_file: Callable[[str, int], None] | None = None) -> dict[str, Any]:
    """Write the export of store ``db`` into ``out_dir`` (created if needed). Returns the manifest."""
    own = store is None
    store = store or Store.open(db, create=False)
    try:
        os.makedirs(out_dir, exist_ok=True)
        tally = _StageTally()
        producers: dict[str, Callable[[], Iterator[dict]]] = {
            "documents.jsonl": lambda: _documents(store, tally),
            "versions.jsonl": lambda: _versions(store),
            "stories.jsonl": lambda: _stories(store),
            **{file: (lambda kind=kind: facts.export(store.conn, kind))
               for kind, (file, _) in facts.STORED.items() if file},
            "entities.jsonl": lambda: _actors(store, "export_entities"),
            "mentions.jsonl": lambda: _actors(store, "export_mentions"),
            "roles.jsonl": lambda: _actors(store, "export_roles"),
            "events.jsonl": lambda: _events(store),
        }
        counts = {}
        for name in FILES:
            rows = producers.get(name, lambda: iter(()))()
            counts[name] = _write_jsonl(os.path.join(out_dir, name), rows)
            if on_file:
                on_file(name, counts[name])
        manifest = {"format": FORMAT, "version": VERSION, "created": now(),
                    "generator": {"name": "dossier", "version": __version__},
                    "stages": tally.stages(), "counts": counts, "store": store.path}
        tmp = os.path.join(out_dir, "manifest.json.tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(manifest, fh, ensure_ascii=False, indent=2)
            fh.write("\n")
        os.replace(tmp, os.path.join(out_dir, "manifest.json"))
        return manifest
    finally:
        if own:
            store.close()
