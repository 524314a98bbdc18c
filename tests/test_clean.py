"""The clean stage as it stands: HTML main text, tidy paragraphs."""

from __future__ import annotations

import pytest

from dossier.clean import tidy
from dossier.clean.html import html_to_text
from dossier.errors import Rejected

from .conftest import EXAMPLES


def test_tidy_paragraphs():
    assert tidy("  A line.  \n\n\n\nB line.\t\n") == "A line.\n\nB line."


def test_html_main_text_without_menus_or_scripts():
    page = next((EXAMPLES / "html").glob("*.html")).read_text("utf-8")
    text, meta = html_to_text(page)
    assert meta["title"] and len(text) > 500
    assert "<script" not in text and "function(" not in text


def test_page_without_text_is_rejected():
    with pytest.raises(Rejected, match="no article text"):
        html_to_text("<html><head><script>var x = 1;</script></head><body></body></html>")
