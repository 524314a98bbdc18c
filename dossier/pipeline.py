"""The pipeline: stages are functions of a Document, run in order over a stream.

A stage is an object with ``name``, ``requires`` (Document fields it reads), ``assigns`` (fields it fills) and a
``__call__(doc) -> doc``. It keeps no state between documents, so the same stage can run in another process or on
another machine. A stage that cannot handle a document raises :class:`~dossier.errors.Rejected`; any other
exception is turned into a rejection that names the stage, so one bad input never stops a batch.

Later stages (meta, dedup, nlp, actors, timex, quantities, events, stories) register themselves with
:func:`register`; :data:`ORDER` fixes where each one runs.

Some stages also have a **corpus-level** half (dedup: linking versions; stories: storylines) that needs the other
documents. It runs in the single writer process, incrementally, over the documents not yet linked: a
:class:`CorpusStage` registered with :func:`register_corpus` has ``save`` (the writer persists a batch's per-document
features in its transaction), ``link`` (the incremental pass over pending documents; it marks each document's
``stages`` itself, so a stage is listed only once its corpus half has run) and ``reset`` (reprocess re-links all).
:func:`link` runs them in pipeline order; ingest calls it at the end and reprocess after re-running the stages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from .document import Document
from .errors import Rejected, UsageError

ORDER = ("ingest", "clean", "meta", "dedup", "nlp", "actors", "timex", "quantities", "events", "stories")
# The stages a plain `dossier ingest` runs: all of them. `--stages` picks some (e.g. `clean,meta` for a fast
# ingest of text only; nlp is the slow one, and actors and events need it).
DEFAULT = ORDER[1:]


@dataclass(frozen=True, slots=True)
class Stage:
    name: str
    requires: tuple[str, ...]
    assigns: tuple[str, ...]
    fn: Callable[[Document], Document]
    mark: bool = True  # False: the stage's corpus half marks doc.stages once it has linked the document

    def __call__(self, doc: Document) -> Document:
        doc = self.fn(doc)
        if self.mark:
            doc.stages.append(self.name)
        return doc


@dataclass(frozen=True, slots=True)
class CorpusStage:
    """The corpus-level half of a stage. ``save(conn, docs)`` persists per-document features inside the writer's
    transaction; ``link(store, on_progress)`` links the pending documents (committing in batches) and returns
    counts; ``reset(conn)`` forgets the index so every document is linked again; ``pending(conn)`` counts the
    documents waiting."""

    name: str
    save: Callable
    link: Callable
    reset: Callable
    pending: Callable


_REGISTRY: dict[str, Stage] = {}
_CORPUS: dict[str, CorpusStage] = {}


def register(name: str, requires: Iterable[str], assigns: Iterable[str], *, mark: bool = True):
    """Decorator: make ``fn(doc) -> doc`` the stage ``name``."""
    if name not in ORDER:
        raise ValueError(f"unknown stage {name!r}; stages are {', '.join(ORDER)}")

    def wrap(fn: Callable[[Document], Document]) -> Callable[[Document], Document]:
        _REGISTRY[name] = Stage(name, tuple(requires), tuple(assigns), fn, mark)
        return fn

    return wrap


def register_corpus(stage: CorpusStage) -> None:
    if stage.name not in ORDER:
        raise ValueError(f"unknown stage {stage.name!r}; stages are {', '.join(ORDER)}")
    _CORPUS[stage.name] = stage


def _load() -> None:
    _load_stage_modules()


def corpus_stages(names: Iterable[str] | None = None) -> list[CorpusStage]:
    """The registered corpus-level stages, in pipeline order; ``names`` selects some of them."""
    _load()
    wanted = set(names) if names is not None else None
    return [_CORPUS[n] for n in ORDER if n in _CORPUS and (wanted is None or n in wanted)]


def link(store, *, names: Iterable[str] | None = None,
         on_progress: Callable[[str, int], None] | None = None) -> dict[str, dict]:
    """Run the corpus-level stages over every document not yet linked (incremental; memory flat). ``store`` is an
    open Store. Returns ``{stage: counts}``."""
    import time

    out = {}
    store.conn.execute("PRAGMA cache_size = -65536")  # 64 MB of pages: the indexes stay hot; bounded, not per document
    for cs in corpus_stages(names):
        t0 = time.perf_counter()
        counts = cs.link(store, on_progress)
        out[cs.name] = {**counts, "seconds": round(time.perf_counter() - t0, 3)} if counts else {}
    return out


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

    wanted = set(names) if names is not None else set(DEFAULT)
    unknown = wanted - set(ORDER)
    if unknown:
        raise ValueError(f"unknown stage(s): {', '.join(sorted(unknown))}")
    return [_REGISTRY[n] for n in ORDER if n in _REGISTRY and n in wanted]


def run_one(doc: Document, steps: list[Stage]) -> Document:
    """Run ``steps`` on one document. Raises Rejected (with the stage named for unexpected errors)."""
    for step in steps:
        try:
            doc = step(doc)
        except Rejected as r:
            r.source = r.source or doc.source
            raise
        except UsageError:
            raise  # a wrong setting is not the document's fault: it stops the run with one clear line
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
    """Re-run the per-document stages on every stored document, from its raw input alone, then the corpus-level
    stages (versions, storylines) over the whole store again.

    Ids, sources and ingest times stay; every derived field is recomputed. A document that now fails a stage keeps
    its old fields and is reported. Returns ``{"updated": n, "failed": n}``."""
    from .store import Store

    steps = stages(names)
    counts = {"updated": 0, "failed": 0}
    corpus = corpus_stages(names)
    with Store.open(db, create=False) as store:
        _reprocess(store, steps, corpus, counts, batch_size, on_doc)
        link(store, names=[cs.name for cs in corpus])
    return counts


def _reprocess(store, steps, corpus, counts, batch_size, on_doc) -> None:
    from .ingest import decode_item
    from .store import Store, transaction

    with store.writer(batch_size=batch_size, command="reprocess") as w:
        w.summary = lambda: dict(counts)
        c = store.conn
        with transaction(c):
            for cs in reversed(corpus):  # later stages first: events refer to entities
                cs.reset(c)
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
