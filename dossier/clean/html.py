"""Main text of an HTML page: trafilatura on a tree parsed by lxml (deep nesting allowed), lxml's plain text as the
fallback when trafilatura finds nothing."""

from __future__ import annotations

from ..errors import Rejected


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
