"""The web app (``dossier serve``), server-rendered HTML over a store, read-only.

Pages: ``/`` overview (counts, latest documents, storylines, most mentioned entities, event types);
``/documents`` (newest first, paged); ``/documents/{id}`` the clean text with entities, times, quantities and
event sentences highlighted, a cited span (``?hl=START-END#c-START-END``) marked and scrolled to, the removed
boilerplate in place behind a toggle, versions and storyline; ``/stories/{id}`` a storyline over time, its documents
and events; ``/timeline`` events in date order (actor, type, dates, storyline; paged by a key); ``/graph`` the actor
graph (SVG drawn here); ``/entities/{id}``; ``/search?q=`` and ``/ask?q=`` (dossier.search) with citations that
open the document at the cited offsets.

``create_app(db, read_only=True)`` returns the FastAPI app (routes: :mod:`.app`, reads: :mod:`.queries`,
highlighting: :mod:`.views`, connections and the cache: :mod:`.db`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI


def create_app(db: str, *, read_only: bool = True, warm: bool = True) -> FastAPI:
    """The FastAPI app over the store ``db`` (see dossier.web.app). ``warm``: compute the cached whole-store
    values (counts, the month strip, the actor graph, the search index) in a background thread at once."""
    from .app import create_app as make

    return make(db, read_only=read_only, warm=warm)


__all__ = ["create_app"]
