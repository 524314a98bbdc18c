"""The pipeline: stages are functions of a Document, run in order over a stream.

A stage is an object with ``name``, ``requires`` (Document fields it reads), ``assigns`` (fields it fills) and a
``__call__(doc) -> doc``. It keeps no state between documents, so the same stage can run in another process or on
another machine. A stage that cannot handle a document raises :class:`~dossier.errors.Rejected`; any other
exception is turned into a rejection that names the stage, so one bad input never stops a batch.

Later stages (meta, dedup, nlp, actors, timex, quantities, events, stories) register themselves with
:func:`register`; :data:`ORDER` fixes where each one runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from .document import Document
from .errors import Rejected

ORDER = ("ingest", "clean", "meta", "dedup", "nlp", "actors", "timex", "quantities", "events", "stories")


@dataclass(frozen=True, slots=True)
class Stage:
    name: str
    requires: tuple[str, ...]
    assigns: tuple[str, ...]
    fn: Callable[[Document], Document]

    def __call__(self, doc: Document) -> Document:
        doc = self.fn(doc)
        doc.stages.append(self.name)
        return doc


_REGISTRY: dict[str, Stage] = {}


def register(name: str, requires: Iterable[str], assigns: Iterable[str]):
    """Decorator: make ``fn(doc) -> doc`` the stage ``name``."""
    if name not in ORDER:
        raise ValueError(f"unknown stage {name!r}; stages are {', '.join(ORDER)}")

    def wrap(fn: Callable[[Document], Document]) -> Callable[[Document], Document]:
        _REGISTRY[name] = Stage(name, tuple(requires), tuple(assigns), fn)
        return fn

    return wrap


def _load_stage_modules() -> None:
    """Import the module of every stage that exists (dossier/<stage>.py or dossier/<stage>/): importing registers."""
    import importlib

    for name in ORDER[1:]:
        try:
            importlib.import_module(f"dossier.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"dossier.{name}":  # a stage module that exists but fails to import is an error
                raise


def stages(names: Iterable[str] | None = None) -> list[Stage]:
    """The registered per-document stages (after ingest), in pipeline order; ``names`` selects some of them."""
    _load_stage_modules()

    wanted = set(names) if names is not None else None
    unknown = (wanted or set()) - set(ORDER)
    if unknown:
        raise ValueError(f"unknown stage(s): {', '.join(sorted(unknown))}")
    return [_REGISTRY[n] for n in ORDER if n in _REGISTRY and (wanted is None or n in wanted)]


def run_one(doc: Document, steps: list[Stage]) -> Document:
    """Run ``steps`` on one document. Raises Rejected (with the stage named for unexpected errors)."""
    for step in steps:
        try:
            doc = step(doc)
        except Rejected as r:
            r.source = r.source or doc.source
            raise
        except Exception as e:  # one bad input never stops a batch
            raise Rejected(f"{step.name} stage failed: {type(e).__name__}: {e}", doc.source) from e
    return doc


def run(docs: Iterable[Document | Rejected], steps: list[Stage]) -> Iterator[Document | Rejected]:
    """Stream documents through the steps; rejections pass through so the store can record them."""
    for doc in docs:
        if isinstance(doc, Rejected):
            yield doc
            continue
        try:
            yield run_one(doc, steps)
        except Rejected as r:
            yield r


def reprocess(db: str | None = None, *, names: Iterable[str] | None = None, batch_size: int = 500,
              on_doc: Callable[[str, object], None] | None = None) -> dict:
    """Re-run the per-document stages on every stored document, from its raw input alone.

    Ids, sources and ingest times stay; every derived field is recomputed. A document that now fails a stage keeps
    its old fields and is reported. Returns ``{"updated": n, "failed": n}``."""
    from .ingest import decode_item
    from .store import Store

    steps = stages(names)
    counts = {"updated": 0, "failed": 0}
    with Store.open(db, create=False) as store, store.writer(batch_size=batch_size, command="reprocess") as w:
        w.summary = lambda: dict(counts)
        reader = Store.open(store.path, create=False)  # a second connection reads while the writer commits
        try:
            for old in reader.documents():
                try:
                    doc = decode_item(reader.raw_item(old.id, old.source), steps)
                except Rejected as r:
                    counts["failed"] += 1
                    if on_doc:
                        on_doc("failed", r)
                    continue
                doc.version_of, doc.story = old.version_of, old.story  # corpus-level: their stages redo them
                w.update(doc)
                counts["updated"] += 1
                if on_doc:
                    on_doc("updated", doc)
        finally:
            reader.close()
    return counts
