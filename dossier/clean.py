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
    if " \n" in text or "\t\n" in text or "\u00a0\n" in text:  # the regexes are the slow part: skip when idle
        text = _TRAILING_WS.sub("\n", text)
    if "\n\n\n" in text:
        text = _BLANK_RUNS.sub("\n\n", text)
    return text.strip()


def html_to_text(html: str) -> tuple[str, dict]:
    """Main text and metadata of an HTML page. Raises Rejected when the page has no text."""
    import trafilatura

    tree = parse_html(html)
    meta: dict = {}
    text = None
    try:
        result = trafilatura.bare_extraction(tree, with_metadata=True, include_comments=False,
                                             include_tables=True, deduplicate=False)
    except Exception:  # trafilatura choking on a hostile page: fall back below
        result = None
    if result is not None:
        text = result.text
        meta = {k: getattr(result, k, None) for k in ("title", "author", "date", "sitename", "url")}
    if not text or not text.strip():
        text = _plain_text(parse_html(html))  # parsed again: trafilatura prunes the tree it is given
    if not text or not text.strip():
        raise Rejected("no article text found in the HTML")
    return text, meta


def parse_html(html: str):
    """Parse a page with lxml, allowing deep nesting (libxml2's default stops at depth 256 and silently drops the
    rest). A page deeper than even that (2,048) is rejected rather than stored without its text."""
    import lxml.html

    parser = lxml.html.HTMLParser(huge_tree=True, remove_comments=True)
    try:
        tree = lxml.html.document_fromstring(html.encode("utf-8", errors="replace"), parser=parser)
    except Exception as e:  # lxml.etree.ParserError on empty documents, ValueError on odd encodings
        raise Rejected(f"unreadable HTML ({type(e).__name__}: {str(e)[:60]})") from e
    if any(err.type_name == "ERR_RESOURCE_LIMIT" for err in parser.error_log):
        raise Rejected("HTML nested too deeply to read (over 2,048 levels)")
    return tree


def _plain_text(root) -> str:
    for bad in root.xpath("//script|//style|//noscript|//head"):
        bad.drop_tree()
    return "\n\n".join(t.strip() for t in root.itertext() if t.strip())


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
