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


# -- plain-text scrapes -------------------------------------------------------------------------------------------

def _clean(text: str):
    from dossier.clean.text import clean_plain
    from dossier.meta.language import stopwords

    return clean_plain(text, stopwords("en"))


BODY = ("The energy ministry said on Monday that crude output fell by 120,000 barrels per day in March after the "
        "agreement with the other producers, according to two officials familiar with the talks.")


def test_scrape_furniture_removed_with_reasons_and_body_kept():
    page = "\n\n".join([
        "Daily Oil Courier",
        "Please update your browser for the best experience on this site.",
        "Refinery output falls after the March deal with producers",
        "Published on Mar. 4, 2025 | 15:42",
        BODY,
        "Share this article",
        "Facebook   X   WhatsApp",
        "A second paragraph of the article explains that the ministry expects exports to recover by the summer, "
        "when the new pipeline is due to open, and that the budget assumes a price of $70 a barrel.",
        "Recent Articles",
        "Gold hits record high as dollar slips",
        "Ten stocks to watch this week",
        "Subscribe to our newsletter to get the latest news in your inbox.",
        "© 2025 Daily Oil Courier. All rights reserved.",
    ])
    text, removed, title, _ = _clean(page)
    assert title == "Refinery output falls after the March deal with producers"
    assert text.startswith(title) and BODY in text and "$70 a barrel" in text
    reasons = {r.text: r.reason for r in removed}
    assert reasons["Please update your browser for the best experience on this site."] == "prompt"
    assert reasons["Share this article"] == "share"
    assert reasons["Recent Articles"] == "related"
    assert "Gold hits record high as dollar slips" in reasons and "Ten stocks to watch this week" in reasons
    assert reasons["Subscribe to our newsletter to get the latest news in your inbox."] == "prompt"
    for r in removed:
        assert r.text not in text and 0 <= r.at <= len(text)


def test_subheadings_between_paragraphs_are_kept():
    page = "\n\n".join([BODY, "Challenges ahead", BODY.replace("Monday", "Tuesday")])
    text, removed, _, _ = _clean(page)
    assert "Challenges ahead" in text and not removed


def test_drop_cap_joined_and_recorded():
    text, _, _, changes = _clean("S\n\nenior officials met on Saturday. " + BODY)
    assert text.startswith("Senior officials met on Saturday.")
    assert [c.kind for c in changes] == ["drop_cap"]


def test_repeated_standfirst_kept_once_in_the_body():
    stand = ("The visit, the first in years, came as part of an effort to isolate the rival producer and secure "
             "new supplies of heavy crude for refiners on the coast.")
    page = "\n\n".join(["Officials travel for talks on oil supplies", stand, "Agencies",
                        "S", "enior officials traveled on Saturday. " + BODY, stand, BODY.replace("Monday", "Friday")])
    text, removed, title, _ = _clean(page)
    assert text.count(stand) == 1 and text.index(stand) > text.index("Senior officials")
    assert any(r.reason == "repeated_standfirst" for r in removed)


def test_translation_footer_and_breadcrumb_menu():
    page = "\n".join(["- Статьи", "- World", "- Talks stall over oil", "Talks stall over oil", BODY,
                      "Переведено сервисом «Яндекс Переводчик»"])
    text, removed, title, _ = _clean(page)
    assert title == "Talks stall over oil" and text.count("Talks stall over oil") == 1
    assert {r.reason for r in removed} == {"menu", "translation_footer"}


def test_short_note_without_body_is_not_emptied():
    text, removed, _, _ = _clean("Oil rose 2% on Friday.")
    assert text == "Oil rose 2% on Friday." and not removed


def test_guardian_bodies_lose_no_sentence():
    import json
    import re

    from .conftest import shared

    for line in shared("corpus", "guardian", "guardian.jsonl").read_text("utf-8").splitlines()[:60]:
        body = json.loads(line)["text"]
        text, _, _, _ = _clean(body)
        norm = " ".join(text.split())
        for sentence in re.split(r"(?<=[.!?])\s+", body):
            assert " ".join(sentence.split()) in norm


# -- hostile HTML: a clear reason, no crash -----------------------------------------------------------------------

def test_bad_html_pages_get_a_clear_reason(runner, db, tmp_path):
    from dossier.cli import app

    (tmp_path / "nobody.html").write_text("<html><head><title>Only a title</title></head></html>")
    (tmp_path / "scripts.html").write_text("<html><body><script>var a = 1;</script><script>go()</script></body></html>")
    with open(tmp_path / "deep.html", "w") as fh:  # 50 MB of nested divs
        fh.write("<html><body>")
        chunk = "<div>" * 100_000
        for _ in range(100):
            fh.write(chunk)
        fh.write("<p>Deep text.</p></body></html>")
    r = runner.invoke(app, ["ingest", str(tmp_path), "--db", db])
    assert r.exit_code == 1  # nothing stored
    lines = {ln.split(":")[0].rsplit("/", 1)[-1]: ln for ln in r.stderr.splitlines() if ": " in ln}
    assert "no article text" in lines["nobody.html"]
    assert "no article text" in lines["scripts.html"]
    assert "too large" in lines["deep.html"]
    r = runner.invoke(app, ["ingest", str(tmp_path / "deep.html"), "--db", db, "--max-size", "64"])
    assert r.exit_code == 1 and "nested too deeply" in r.stderr and "Traceback" not in r.stderr
