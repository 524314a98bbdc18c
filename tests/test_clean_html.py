"""html_to_text on small hand-written pages: what a reader of the stored text sees.

Every page here is made up for the test. Each checks that the article's paragraphs all come through (in order,
separated by blank lines) and that the furniture around them (menus, cookie banners, share bars, related links,
newsletter prompts, comments, footers) does not.
"""

from __future__ import annotations

import pytest

from dossier.clean.html import filter_blocks, html_to_text, line_reason

PARAS = [
    "The energy ministry said on Tuesday that gas exports through the northern pipeline rose by twelve percent in "
    "March compared with the same month last year, as buyers in central Europe refilled storage after a cold winter.",
    "Officials attributed the increase to a new compressor station that entered service in February, which allows "
    "the operator to move larger volumes at lower pressure and reduces the number of maintenance shutdowns.",
    "Analysts at two regional banks said the figures were in line with their forecasts, but warned that prices "
    "could rise again in the autumn if the summer proves hotter than usual and demand for power generation climbs.",
    "The ministry also published its first estimate for the second quarter, expecting exports to remain stable "
    "while domestic consumption falls slightly as industrial users switch part of their demand to electricity.",
    "A spokesperson for the pipeline operator declined to comment on commercial negotiations with new customers, "
    "saying only that the company remained committed to the long-term contracts it signed in the previous decade.",
]
TITLE = "Gas exports through northern pipeline rise twelve percent"

NAV = """<header class="site-header"><nav class="main-nav"><ul>
  <li><a href="/">Home</a></li><li><a href="/world">World</a></li><li><a href="/business">Business</a></li>
  <li><a href="/energy">Energy</a></li><li><a href="/markets">Markets</a></li><li><a href="/opinion">Opinion</a></li>
</ul></nav></header>"""
COOKIES = """<div id="cookie-banner" class="cookie-consent">We use cookies to improve your experience on our site.
  By continuing to browse you accept our cookie policy. <button>Accept all cookies</button></div>"""
SHARE = """<div class="share-bar social-share"><ul>
  <li><a href="https://facebook.com/share">Share on Facebook</a></li><li><a href="https://twitter.com/share">Share on
  Twitter</a></li><li><a href="mailto:?body=x">Email this article</a></li></ul></div>"""
RELATED = """<aside class="related-articles"><h3>Related stories</h3><ul>
  <li><a href="/a1">Oil prices fall as inventories build for a third week</a></li>
  <li><a href="/a2">Coal plants to close early under new climate plan</a></li>
  <li><a href="/a3">Electricity tariffs frozen until the end of the year</a></li></ul></aside>"""
NEWSLETTER = """<div class="newsletter-signup"><p>Get the morning briefing delivered to your inbox. Sign up for our
  free newsletter.</p><form><input type="email"><button>Subscribe</button></form></div>"""
COMMENTS = """<section id="comments" class="comments-area"><h3>3 comments</h3>
  <div class="comment"><p class="comment-author">gasfan77</p><p>This is the best news I have read all week, thanks
  for the article and keep up the good work on this topic.</p></div>
  <div class="comment"><p class="comment-author">skeptic</p><p>I do not believe these figures for one second, the
  ministry always publishes whatever suits it before an election.</p></div>
  <h3>Leave a reply</h3><form><textarea></textarea><button>Post comment</button></form></section>"""
FOOTER = """<footer class="site-footer"><p>Copyright 2024 The Daily Ledger. All rights reserved.</p>
  <ul><li><a href="/about">About us</a></li><li><a href="/privacy">Privacy policy</a></li>
  <li><a href="/terms">Terms of use</a></li></ul></footer>"""

FURNITURE = ["Home", "Markets", "cookies", "Accept all", "Share on", "Email this article", "Related stories",
             "Oil prices fall", "Coal plants", "Electricity tariffs", "morning briefing", "newsletter", "Subscribe",
             "gasfan77", "best news I have read", "do not believe these figures", "Leave a reply", "Copyright",
             "All rights reserved", "Privacy policy", "About us"]


def page(body: str, *, title: str = TITLE, head: str = "", lang: str = "en") -> str:
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title} | The Daily Ledger'
            f'</title>{head}</head><body>{body}</body></html>')


def news_page(paras=PARAS, *, container: str = "article", extra_inside: str = "", title: str = TITLE,
              head: str = "", lang: str = "en") -> str:
    ps = "".join(f"<p>{p}</p>" for p in paras)
    open_tag = '<article class="story">' if container == "article" else '<div class="story-body">'
    close_tag = "</article>" if container == "article" else "</div>"
    body = (f'{NAV}{COOKIES}<main>{open_tag}<h1>{title}</h1><p class="byline">By Ana Ruiz</p>{SHARE}'
            f"{ps}{extra_inside}{close_tag}{NEWSLETTER}{RELATED}{COMMENTS}</main>{FOOTER}")
    return page(body, title=title, head=head, lang=lang)


def assert_article(text: str, paras=PARAS) -> None:
    """All paragraphs, in order, each its own paragraph (blank lines between them)."""
    blocks = text.split("\n\n")
    positions = []
    for p in paras:
        assert p in blocks, f"paragraph missing or merged: {p[:60]!r}\n---\n{text}"
        positions.append(blocks.index(p))
    assert positions == sorted(positions), "paragraphs out of order"


def assert_no_furniture(text: str, furniture=FURNITURE) -> None:
    for f in furniture:
        assert f not in text, f"{f!r} left in the text:\n{text}"


def test_article_kept_and_page_furniture_removed():
    text, meta = html_to_text(news_page())
    assert_article(text)
    assert_no_furniture(text)
    assert meta["title"].startswith(TITLE)
    assert set(meta) >= {"title", "author", "date", "sitename", "url"}


def test_paragraphs_are_separated_by_blank_lines():
    text, _ = html_to_text(news_page())
    assert "\n\n\n" not in text
    assert text.count("\n\n") >= len(PARAS) - 1
    assert text == text.strip()


def test_headline_is_not_repeated_in_the_text():
    text, meta = html_to_text(news_page())
    assert TITLE not in text
    assert meta["title"].startswith(TITLE)


def test_article_in_a_div_without_article_element():
    text, _ = html_to_text(news_page(container="div"))
    assert_article(text)
    assert_no_furniture(text)


def test_inline_links_and_formatting_keep_their_words():
    paras = list(PARAS)
    paras[1] = ("Officials attributed the increase to a <a href='/compressor'>new compressor station</a> that entered "
                "service in <b>February</b>, which allows the operator to move <em>larger volumes</em> at lower "
                "pressure and reduces the number of maintenance shutdowns.")
    text, _ = html_to_text(news_page(paras))
    assert_article(text)  # PARAS[1] is the same sentence without the markup


def test_share_prompts_and_related_links_inside_the_article_go():
    extra = ("<p>Read more: Pipeline operator names new chief executive</p>"
             "<p>Follow us on Twitter and Facebook for the latest energy news.</p>"
             "<p>Advertisement</p>")
    text, _ = html_to_text(news_page(extra_inside=extra))
    assert_article(text)
    assert_no_furniture(text, FURNITURE + ["Read more", "names new chief executive", "Follow us", "Advertisement"])


def test_table_is_kept_with_its_figures():
    table = ("<table><tr><th>Month</th><th>Exports (bcm)</th></tr><tr><td>January</td><td>4.1</td></tr>"
             "<tr><td>February</td><td>4.4</td></tr><tr><td>March</td><td>4.9</td></tr></table>")
    text, _ = html_to_text(news_page(PARAS[:3] + [table] + PARAS[3:]))
    assert_article(text)
    for cell in ("Month", "Exports (bcm)", "January", "4.1", "February", "4.4", "March", "4.9"):
        assert cell in text
    # the table is one paragraph between the ones around it, one row a line
    blocks = text.split("\n\n")
    i = blocks.index(PARAS[2])
    assert "4.1" in blocks[i + 1] and "4.9" in blocks[i + 1] and blocks[i + 2] == PARAS[3]
    assert blocks[i + 1].count("\n") >= 3


RU_PARAS = [
    "Министерство энергетики сообщило во вторник, что экспорт газа по северному трубопроводу в марте вырос на "
    "двенадцать процентов по сравнению с тем же месяцем прошлого года, поскольку покупатели пополняли хранилища.",
    "Чиновники объяснили рост вводом в эксплуатацию новой компрессорной станции в феврале, которая позволяет "
    "оператору перекачивать большие объёмы при более низком давлении и реже останавливать работу на ремонт.",
    "Аналитики двух региональных банков заявили, что цифры совпали с их прогнозами, но предупредили, что осенью "
    "цены могут снова вырасти, если лето окажется жарче обычного и спрос на электроэнергию увеличится.",
    "Представитель оператора трубопровода отказался комментировать коммерческие переговоры с новыми клиентами, "
    "сказав лишь, что компания по-прежнему выполняет долгосрочные контракты, подписанные в прошлом десятилетии.",
]


def test_non_english_page():
    title = "Экспорт газа по северному трубопроводу вырос на двенадцать процентов"
    html = news_page(RU_PARAS, title=title, lang="ru",
                     extra_inside="<p>Читайте также: Оператор трубопровода назначил нового директора</p>")
    text, meta = html_to_text(html)
    assert_article(text, RU_PARAS)
    assert "Читайте также" not in text and "нового директора" not in text
    assert meta["title"].startswith(title)


def test_page_declaring_another_charset_keeps_its_text():
    # the markup reaches html_to_text already decoded: a stale <meta charset> must not decode it a second time
    head = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
    body = "".join(f"<p>{p}</p>" for p in RU_PARAS)
    html = (f"<html><head>{head}<title>Экспорт газа</title></head><body><article>{body}</article></body></html>")
    text, _ = html_to_text(html)
    assert_article(text, RU_PARAS)


def test_short_page_is_not_lost():
    # precision mode finds little on a one-paragraph page: the balanced extraction or the plain text keeps it
    text, _ = html_to_text("<html><body><p>The ministry said on Thursday that prices were stable.</p></body></html>")
    assert "The ministry said on Thursday that prices were stable." in text


def test_page_of_furniture_only_is_not_emptied_by_the_filter():
    text, _ = html_to_text(page("<div><p>Subscribe to our newsletter for the latest updates in your inbox.</p></div>"))
    assert "newsletter" in text


@pytest.mark.parametrize("line", [
    "Related: Pipeline operator names new chief executive",
    "READ MORE: Oil prices fall as inventories build",
    "You may also like",
    "Don't miss",
    "Get the latest updates right in your inbox. Subscribe to our newsletters.",
    "Follow us on Twitter @dailyledger",
    "Email Ana Ruiz at ana@example.com or follow her @anaruiz.",
    "Photo: Jane Doe / Getty Images",
    "© 2024 The Daily Ledger",
    "Updated at 1:23 p.m.",
    "November 20, 2019 - 11:28 GMT",
    "(Reporting by Ana Ruiz; Editing by Tom Brown)",
    "Leia também: Operador anuncia novo diretor",
])
def test_furniture_lines(line):
    assert line_reason(line) is not None


@pytest.mark.parametrize("line", PARAS + RU_PARAS + [
    "He said subscribers to the service would pay more from June.",
    "The company will publish its annual report on March 3, 2025, the statement said.",
    "Photographers gathered outside the court on Monday.",
    "Related companies in the sector saw their shares rise.",
    "More than 300 people attended the meeting in March 2024.",
    "Who pays the cost of a tariff?",
])
def test_article_lines_are_not_furniture(line):
    assert line_reason(line) is None


def test_link_list_under_a_header_goes_but_the_next_paragraph_stays():
    blocks = [PARAS[0], "Related stories", "- Oil prices fall as inventories build\n- Coal plants to close early",
              PARAS[1]]
    assert filter_blocks(blocks) == [PARAS[0], PARAS[1]]


def test_headline_variant_at_the_top_goes_but_a_first_sentence_stays():
    assert filter_blocks(["Gas exports rise 12% through northern pipeline", PARAS[0]], TITLE) == [PARAS[0]]
    lead = "Gas exports through the northern pipeline rose twelve percent in March."
    assert filter_blocks([lead, PARAS[0]], TITLE) == [lead, PARAS[0]]


def test_advertisement_marker_goes_alone_and_the_subheading_after_it_stays():
    blocks = [PARAS[0], "Advertisement", "The aftermath", PARAS[1]]
    assert filter_blocks(blocks) == [PARAS[0], "The aftermath", PARAS[1]]
