"""Publication date of an HTML page (dossier.meta.html_date) on small hand-written pages."""

from __future__ import annotations

import json

import pytest

from dossier.meta.html_date import html_publication_date

BODY = ("<p>The energy ministry said that crude output fell by 120,000 barrels per day after the agreement with the "
        "other producers, according to two officials familiar with the talks.</p>")


def page(head: str = "", body: str = "", lang: str = "en", title: str = "Refinery output falls after deal") -> str:
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title} | Oil Courier</title>'
            f"{head}</head><body><header><nav><a href='/'>Home</a> <a href='/world'>World</a></nav></header>"
            f"<article><h1>{title}</h1>{body}{BODY}</article></body></html>")


def test_json_ld_date_published():
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Refinery output falls",
          "datePublished": "2021-05-04T09:30:00+02:00", "dateModified": "2021-06-10T12:00:00+02:00"}
    html = page(head=f'<script type="application/ld+json">{json.dumps(ld)}</script>')
    assert html_publication_date(html, "https://example.org/news/refinery-output") == ("2021-05-04", "metadata")


def test_published_time_wins_over_modified_time():
    head = ('<meta property="article:modified_time" content="2020-03-09T08:00:00+01:00">'
            '<meta property="og:updated_time" content="2020-03-09T08:00:00+01:00">'
            '<meta property="article:published_time" content="2019-11-02T17:45:00+01:00">')
    assert html_publication_date(page(head=head), None) == ("2019-11-02", "metadata")


def test_date_in_the_url_only():
    url = "https://www.example.com/2018/07/23/refinery-output-falls-after-deal/"
    assert html_publication_date(page(), url) == ("2018-07-23", "metadata")


@pytest.mark.parametrize("line, lang", [
    ("Published on 6 March 2022", "en"),
    ("Published on March 6, 2022", "en"),
    ("Veröffentlicht am 06.03.2022", "de"),
    ("Publié le 6 mars 2022", "fr"),
])
def test_visible_published_on_text(line, lang):
    html = page(body=f'<p class="byline">By Jane Roe. {line}</p>', lang=lang)
    assert html_publication_date(html, "https://example.org/articles/refinery") == ("2022-03-06", "stated")


def test_day_month_order_from_the_page_language():
    us = page(body='<div class="date">03/06/2022</div>', lang="en-US")
    de = page(body='<div class="date">03/06/2022</div>', lang="de")
    assert html_publication_date(us, None)[0] == "2022-03-06"
    assert html_publication_date(de, None)[0] == "2022-06-03"
    uk = page(body='<div class="date">03/06/2022</div>', lang="en")  # English without a region: the URL's domain
    assert html_publication_date(uk, "https://www.example.co.uk/news/refinery")[0] == "2022-06-03"
    # no language given: the page's own unambiguous numeric dates (05/25/2022 is month first) settle the order
    other = page(body='<div class="date">03/06/2022</div><p>Filed 05/25/2022 with the regulator.</p>', lang="")
    assert html_publication_date(other, None)[0] == "2022-03-06"


def test_page_without_a_date():
    assert html_publication_date(page(), "https://example.org/articles/refinery") is None
    assert html_publication_date("", None) is None


def test_copyright_year_is_not_a_publication_date():
    html = page().replace("</article>", "</article><footer><p>© 2019 Oil Courier Ltd. All rights reserved.</p>"
                                        "<p>Copyright 2015-2019</p></footer>")
    result = html_publication_date(html, "https://example.org/articles/refinery")
    assert result is None or not result[0].startswith("2019")


def test_comment_and_sidebar_dates_do_not_win():
    head = '<meta property="article:published_time" content="2020-09-20T10:00:00+02:00">'
    body = ('<p class="meta">Posted on September 20, 2020</p>'
            '<aside class="sidebar"><ul><li><a href="/other">Other story about something else entirely</a> '
            'September 28, 2020</li></ul></aside>'
            '<div class="comments"><div class="comment">Great! <time datetime="2020-09-24T08:00:00+02:00">'
            'September 24, 2020</time></div></div>')
    assert html_publication_date(page(head=head, body=body), None) == ("2020-09-20", "metadata")


def test_utc_timestamp_follows_the_local_date_shown():
    # 02:11 UTC on the 9th is the evening of the 8th in New York, as the page itself shows
    ld = {"@type": "NewsArticle", "datePublished": "2023-11-09T02:11:03+00:00"}
    body = '<time datetime="2023-11-08T21:11:03-05:00" class="pub-date">November 8, 2023</time>'
    html = page(head=f'<script type="application/ld+json">{json.dumps(ld)}</script>', body=body)
    assert html_publication_date(html, None) == ("2023-11-08", "metadata")


def test_hostile_markup_does_not_raise():
    for html in ("<html>", "<?xml version='1.0' encoding='utf-8'?><html><body>2021-02-03</body></html>",
                 "<div>" * 5000 + "Published on 6 March 2022", "\x00\x01 not html at all",
                 '<script type="application/ld+json">' + "[" * 5000 + "</script>"):
        html_publication_date(html, "not a url")
