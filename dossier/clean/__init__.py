"""The clean stage: the article text of a document, and what was removed from it.

HTML inputs: trafilatura's main text (dossier.clean.html), with the page's title, byline, site name and canonical
URL filling what the input did not give (dates are the meta stage's). Plain text: the scrape cleaner
(dossier.clean.text) removes page furniture, each block recorded in ``removed`` with its reason. The language is
detected here, because the cleaner needs the language's stopwords.
"""

from __future__ import annotations

import re

from ..document import Document
from ..errors import Rejected
from ..meta.language import detect, stopwords
from ..pipeline import register
from .html import html_to_text
from .text import clean_plain

_TRAILING_WS = re.compile(r"[ \t\u00a0]+\n")
_BLANK_RUNS = re.compile(r"\n{3,}")


def tidy(text: str) -> str:
    """Trailing spaces off every line, at most one blank line between paragraphs, no outer whitespace."""
    if " \n" in text or "\t\n" in text or "\u00a0\n" in text:  # the regexes are the slow part: skip when idle
        text = _TRAILING_WS.sub("\n", text)
    if "\n\n\n" in text:
        text = _BLANK_RUNS.sub("\n\n", text)
    return text.strip()


@register("clean", requires=("text", "html"),
          assigns=("text", "removed", "changes", "language", "title", "authors", "outlet", "url"))
def clean(doc: Document) -> Document:
    if doc.html is not None:
        text, meta = html_to_text(doc.html)
        doc.text = tidy(text)
        doc.title = doc.title or meta.get("title") or None
        doc.url = doc.url or meta.get("url") or None
        doc.outlet = doc.outlet or meta.get("sitename") or None
        if not doc.authors and meta.get("author"):
            doc.authors = [a.strip() for a in meta["author"].split(";") if a.strip()]
        doc.language = doc.language or detect(doc.text)
    else:
        doc.language = doc.language or detect(doc.text)
        text, removed, title, changes = clean_plain(doc.text, stopwords(doc.language))
        doc.text, doc.removed = text, removed
        doc.changes.extend(changes)
        doc.title = doc.title or title
    if not doc.text:
        raise Rejected("no text left after cleaning")
    return doc
