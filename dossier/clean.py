"""The clean stage: the article text of a document.

For HTML inputs, trafilatura extracts the main text (with lxml's plain text as the fallback when it finds none), and
the page's own title, byline, site name, canonical URL and date fill what the input did not give. For every input,
runs of blank lines are collapsed and trailing spaces dropped, so paragraphs are separated by one blank line.

Boilerplate removal inside plain-text scrapes (menus, ads, prompts, footers, drop caps) is the job of the clean
issue; its removed blocks go to ``Document.removed``.
"""

from __future__ import annotations

import re

from .document import Document, Published
from .errors import Rejected
from .pipeline import register

_TRAILING_WS = re.compile(r"[ \t\u00a0]+\n")
_BLANK_RUNS = re.compile(r"\n{3,}")


def tidy(text: str) -> str:
    """Trailing spaces off every line, at most one blank line between paragraphs, no outer whitespace."""
    text = _TRAILING_WS.sub("\n", text)
    text = _BLANK_RUNS.sub("\n\n", text)
    return text.strip()


def html_to_text(html: str) -> tuple[str, dict]:
    """Main text and metadata of an HTML page. Raises Rejected when the page has no text."""
    import trafilatura

    meta: dict = {}
    text = None
    try:
        result = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False,
                                             include_tables=True, deduplicate=False)
    except Exception:  # trafilatura or lxml choking on a hostile page: fall back below
        result = None
    if result is not None:
        text = result.text
        meta = {k: getattr(result, k, None) for k in ("title", "author", "date", "sitename", "url")}
    if not text or not text.strip():
        text = _lxml_text(html)
    if not text or not text.strip():
        raise Rejected("no article text found in the HTML")
    return text, meta


def _lxml_text(html: str) -> str | None:
    try:
        import lxml.html

        root = lxml.html.fromstring(html.encode("utf-8", errors="replace"))
        for bad in root.xpath("//script|//style|//noscript"):
            bad.drop_tree()
        return "\n\n".join(t.strip() for t in root.itertext() if t.strip())
    except Exception:
        return None


@register("clean", requires=("text", "html"), assigns=("text", "title", "authors", "outlet", "url", "published"))
def clean(doc: Document) -> Document:
    if doc.html is not None:
        text, meta = html_to_text(doc.html)
        doc.text = text
        doc.title = doc.title or meta.get("title") or None
        doc.url = doc.url or meta.get("url") or None
        doc.outlet = doc.outlet or meta.get("sitename") or None
        if not doc.authors and meta.get("author"):
            doc.authors = [a.strip() for a in meta["author"].split(";") if a.strip()]
        if doc.published.date is None and meta.get("date"):
            before = doc.published.before
            if before is None or meta["date"] <= before:
                doc.published = Published(date=meta["date"], basis="metadata")
        doc.html = None  # the raw markup stays in the store's raw table; documents carry text only
    doc.text = tidy(doc.text)
    if not doc.text:
        raise Rejected("no text left after cleaning")
    return doc
