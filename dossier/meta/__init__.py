"""The meta stage: outlet, authors, translation and publication date of a document.

Given metadata (JSON Lines fields, feed entries, WARC records, HTML meta tags) is kept; what is missing is read from
the page: the HTML's own date markup (dossier.meta.html_date), a stated date in the text's date lines, else an
inferred interval (dossier.meta.dates); the outlet from credit lines and site names (dossier.meta.outlet); the
original language from a translation footer. Language and headline come from the clean stage.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from ..document import Document, Published
from ..pipeline import register


@lru_cache(maxsize=1)
def rules() -> dict:
    return json.loads(resources.files("dossier").joinpath("data/meta.json").read_text("utf-8"))


def translated_from(doc: Document) -> str | None:
    """The original language when a translation footer says the text was translated."""
    from ..clean.text import translation_footer
    from .language import detect_short

    for r in doc.removed:
        if r.reason == "translation_footer":
            _, lang = translation_footer(r.text)
            if lang:
                return lang
            footer_lang = detect_short(r.text)
            if footer_lang and footer_lang != doc.language:
                return footer_lang
    return None


def publication(doc: Document, html: str | None) -> Published:
    from .dates import inferred_interval, stated_date

    p = doc.published
    if p.date:
        return p
    if html is not None:
        from .html_date import html_publication_date

        found = html_publication_date(html, doc.url)
        if found and (p.before is None or found[0] <= p.before):
            return Published(date=found[0], basis=found[1])
    day = stated_date(doc)
    if day and (p.before is None or day <= p.before):
        return Published(date=day, basis="stated")
    if p.after or p.before:
        return p
    return inferred_interval(doc.text) or p


@register("meta", requires=("text", "removed", "html", "url", "published", "language"),
          assigns=("outlet", "authors", "translated_from", "published"))
def meta(doc: Document) -> Document:
    from .outlet import find_authors, find_outlet

    html, doc.html = doc.html, None  # the last stage that reads the markup: documents carry text from here on
    doc.published = publication(doc, html)
    doc.outlet = doc.outlet or find_outlet(doc)
    doc.authors = doc.authors or find_authors(doc)
    doc.translated_from = doc.translated_from or translated_from(doc)
    return doc
