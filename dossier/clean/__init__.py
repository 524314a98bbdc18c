"""The clean stage: the article text of a document.

For HTML inputs, trafilatura extracts the main text (with lxml's plain text as the fallback when it finds none), and
the page's own title, byline, site name, canonical URL and date fill what the input did not give. For every input,
runs of blank lines are collapsed and trailing spaces dropped, so paragraphs are separated by one blank line.

Boilerplate removal inside plain-text scrapes (menus, ads, prompts, footers, drop caps) is the job of the clean
issue; its removed blocks go to ``Document.removed``.
"""

from __future__ import annotations

import re

from ..document import Document, Published
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
          assigns=("text", "removed", "changes", "language", "title", "authors", "outlet", "url", "published"))
def clean(doc: Document) -> Document:
    if doc.html is not None:
        text, meta = html_to_text(doc.html)
        doc.text = tidy(text)
        doc.title = doc.title or meta.get("title") or None
        doc.url = doc.url or meta.get("url") or None
        doc.outlet = doc.outlet or meta.get("sitename") or None
        if not doc.authors and meta.get("author"):
            doc.authors = [a.strip() for a in meta["author"].split(";") if a.strip()]
        if doc.published.date is None and meta.get("date"):
            before = doc.published.before
            if before is None or meta["date"] <= before:
                doc.published = Published(date=meta["date"], basis="metadata")
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
