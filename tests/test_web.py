"""The web app (dossier.web) through FastAPI's TestClient, over real stores: the seeds ingested with every stage,
and a store holding a hostile document (markup in its title, text, outlet and URL)."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import warnings
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import shared

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's note about httpx vs httpx2
    from fastapi.testclient import TestClient

STAGES = ["clean", "meta", "dedup", "nlp", "actors", "timex", "quantities", "events", "stories"]
HOSTILE = {
    "id": "h1", "url": "javascript:alert(3)", "title": '<script>alert(1)</script> Evil "title"',
    "outlet": "Bad <b>Outlet</b>", "date": "2026-01-05",
    "text": ("Oil minister says <script>alert(1)</script> exports of 200,000 barrels a day to China resumed on "
             "January 4, 2026.\n\nThe report added <img src=x onerror=alert(2)> and the ministry in Caracas confirmed "
             "it. Venezuela and the United States signed a deal on Monday.\n\nShare this article on Facebook\n\n"
             "Subscribe to our newsletter"),
}
_BUILT: dict[str, str] = {}


def seeds_store(tmp_path_factory) -> str:
    """The seeds ingested with every stage, built once per test session (shared with test_browser)."""
    if "seeds" not in _BUILT:
        import dossier

        db = str(tmp_path_factory.mktemp("web") / "seeds.db")
        report = dossier.ingest([str(shared("corpus", "seeds"))], db=db, stages=STAGES)
        assert report.stored == 5
        _BUILT["seeds"] = db
    return _BUILT["seeds"]


def hostile_store(tmp_path_factory) -> str:
    if "hostile" not in _BUILT:
        import dossier

        folder = tmp_path_factory.mktemp("hostile")
        src = folder / "hostile.jsonl"
        src.write_text(json.dumps(HOSTILE) + "\n", encoding="utf-8")
        db = str(folder / "hostile.db")
        assert dossier.ingest([str(src)], db=db, stages=STAGES).stored == 1
        _BUILT["hostile"] = db
    return _BUILT["hostile"]


@pytest.fixture(scope="session")
def seeds_db(tmp_path_factory) -> str:
    return seeds_store(tmp_path_factory)


@pytest.fixture(scope="session")
def hostile_db(tmp_path_factory) -> str:
    return hostile_store(tmp_path_factory)


@pytest.fixture(scope="module")
def client(seeds_db):
    from dossier.web import create_app

    with TestClient(create_app(seeds_db)) as c:
        yield c


@pytest.fixture(scope="module")
def hostile(hostile_db):
    from dossier.web import create_app

    with TestClient(create_app(hostile_db)) as c:
        yield c


def one(db: str, sql: str, args=()):
    with sqlite3.connect(db) as c:
        return c.execute(sql, args).fetchone()


def doc_text(db: str, doc: str) -> str:
    return one(db, "SELECT text FROM documents WHERE id = ?", (doc,))[0]


class Spans(HTMLParser):
    """Elements carrying data-start/data-end (highlights) and their visible text; removed boilerplate (hidden by
    default) is left out of the text, as a browser's innerText does."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[dict] = []
        self.found: list[dict] = []
        self.in_text = 0
        self.removed: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        el = {"tag": tag, "attrs": a, "text": "", "removed": "removed" in (a.get("class") or "").split()}
        if a.get("id") == "doctext":
            self.in_text = len(self.stack) + 1
        self.stack.append(el)

    def handle_endtag(self, tag):
        if not self.stack:
            return
        el = self.stack.pop()
        if el["removed"]:
            self.removed.append(el["text"])
        elif "data-start" in el["attrs"]:
            self.found.append(el)
        if self.in_text and len(self.stack) < self.in_text:
            self.in_text = 0
            self.doctext = el["text"]

    def handle_data(self, data):
        hidden = any(e["removed"] for e in self.stack)
        for e in self.stack:
            if not hidden or e["removed"]:
                e["text"] += data


def parse(html: str) -> Spans:
    p = Spans()
    p.feed(html)
    return p


# -- pages --------------------------------------------------------------------------------------------------------

def test_every_page_loads(client, seeds_db):
    doc = one(seeds_db, "SELECT id FROM documents ORDER BY id LIMIT 1")[0]
    story = one(seeds_db, "SELECT id FROM stories ORDER BY id LIMIT 1")[0]
    ent = one(seeds_db, "SELECT id FROM entities ORDER BY mention_count DESC LIMIT 1")[0]
    for url in ["/", "/documents", f"/documents/{doc}", f"/stories/{story}", "/timeline", "/graph",
                f"/graph?entity={ent}", f"/entities/{ent}", "/search", "/search?q=Venezuela+oil", "/ask",
                "/ask?q=What+did+the+United+States+ask+Venezuela", f"/timeline?entity={ent}",
                "/timeline?entity=Venezuela&since=2026-01&until=2026", f"/timeline?story={story}"]:
        r = client.get(url)
        assert r.status_code == 200, (url, r.text[:500])
        assert r.headers["content-type"].startswith("text/html")
        assert "<title>" in r.text and "Dossier" in r.text
        assert "script-src 'self'" in r.headers["content-security-policy"]


def test_overview_counts_and_lists(client, seeds_db):
    html = client.get("/").text
    assert re.search(r"<strong>5</strong> documents", html)
    assert "Storylines" in html and "Most mentioned" in html
    for (doc,) in sqlite3.connect(seeds_db).execute("SELECT id FROM documents"):
        assert f'href="/documents/{doc}"' in html
    top = one(seeds_db, "SELECT id, name FROM entities ORDER BY mention_count DESC LIMIT 1")
    assert f'href="/entities/{top[0]}"' in html


def test_document_highlights_match_the_text(client, seeds_db):
    """Every highlighted element covers exactly text[start:end] of the document: entities, times, quantities and
    events, properly nested."""
    kinds_seen = set()
    for (doc,) in sqlite3.connect(seeds_db).execute("SELECT id FROM documents"):
        text = doc_text(seeds_db, doc)
        r = client.get(f"/documents/{doc}")
        assert r.status_code == 200
        p = parse(r.text)
        assert p.doctext == text  # the whole clean text, in order, nothing lost or added (removed hidden)
        for el in p.found:
            a, b = int(el["attrs"]["data-start"]), int(el["attrs"]["data-end"])
            kind = el["attrs"]["class"].split()[-1]
            kinds_seen.add(kind)
            assert el["text"] in text[a:b], (doc, kind, a, b)
        # whole (uncut) spans equal their slice exactly
        whole = [el for el in p.found
                 if el["text"] == text[int(el["attrs"]["data-start"]):int(el["attrs"]["data-end"])]]
        assert len(whole) >= 0.9 * len(p.found)
    assert {"entity", "time", "quantity", "event"} <= kinds_seen


def test_document_entities_link_to_entity_pages(client, seeds_db):
    doc, start, end, text, ent = one(seeds_db, "SELECT doc, span_start, span_end, text, entity FROM entity_mentions "
                                               "ORDER BY doc, span_start LIMIT 1")
    html = client.get(f"/documents/{doc}").text
    m = re.search(rf'<a class="hl entity" href="/entities/{ent}"[^>]*data-start="{start}" data-end="{end}"[^>]*>',
                  html)
    assert m, "entity mention not highlighted as a link"
    page = client.get(f"/entities/{ent}")
    assert page.status_code == 200 and f"/documents/{doc}?hl={start}-{end}#c-{start}-{end}" in page.text


def test_cited_span_is_highlighted(client, seeds_db):
    doc, start, end, text = one(seeds_db, "SELECT doc_id, start, \"end\", text FROM annotations "
                                          "WHERE kind = 'sentences' ORDER BY doc_id, n LIMIT 1 OFFSET 3")
    r = client.get(f"/documents/{doc}?hl={start}-{end}")
    p = parse(r.text)
    marks = [el for el in p.found if el["tag"] == "mark"]
    assert len(marks) == 1
    assert marks[0]["attrs"]["id"] == f"c-{start}-{end}"
    assert marks[0]["text"] == text
    # a range beyond the text, or garbage, highlights nothing and still shows the document
    for bad in (f"{start}-{10**7}", "x-y", "40-10", ""):
        r = client.get(f"/documents/{doc}", params={"hl": bad})
        assert r.status_code == 200 and "<mark" not in r.text.split('id="doctext"')[1]


def test_search_citations_open_the_document_at_the_span(client, seeds_db):
    r = client.get("/search", params={"q": "Venezuela oil exports"})
    assert r.status_code == 200
    links = re.findall(
        r'<a class="cite-link" href="(/documents/(d[0-9a-f]+)\?hl=(\d+)-(\d+)#c-\3-\4)"[^>]*>([^<]*)</a>', r.text)
    assert links, "no search results with citations"
    import html as html_mod

    for href, doc, a, b, shown in links[:5]:
        text = doc_text(seeds_db, doc)
        assert html_mod.unescape(shown) == text[int(a):int(b)]
        page = parse(client.get(href.split("#")[0]).text)
        marks = [el for el in page.found if el["tag"] == "mark"]
        assert marks and marks[0]["text"] == text[int(a):int(b)]


def test_search_filters_and_empty_results(client):
    r = client.get("/search", params={"q": "zzzzqqqq"})
    assert r.status_code == 200 and "Nothing found" in r.text
    assert client.get("/search", params={"q": "Venezuela", "since": "not-a-date"}).status_code == 400
    r = client.get("/search", params={"q": "Venezuela", "since": "2026-01-01"})
    assert r.status_code == 200
    assert client.get("/search", params={"q": "Venezuela", "page": 0}).status_code == 400


def test_ask_has_claims_with_citations(client, seeds_db):
    r = client.get("/ask", params={"q": "What did the United States ask Venezuela to do?"})
    assert r.status_code == 200
    assert 'class="claim"' in r.text
    links = re.findall(r'href="/documents/(d[0-9a-f]+)\?hl=(\d+)-(\d+)#c-\2-\3"', r.text)
    assert links
    doc, a, b = links[0]
    assert int(b) <= len(doc_text(seeds_db, doc))
    assert "independent source" in r.text


def test_storyline_page(client, seeds_db):
    story, n = one(seeds_db, "SELECT story, count(*) FROM documents GROUP BY story ORDER BY count(*) DESC LIMIT 1")
    r = client.get(f"/stories/{story}")
    assert r.status_code == 200
    docs = [d for (d,) in sqlite3.connect(seeds_db).execute("SELECT id FROM documents WHERE story = ?", (story,))]
    for d in docs:
        assert f'href="/documents/{d}"' in r.text
    assert "independent source" in r.text
    assert "<svg" in r.text  # documents per day


def test_timeline_in_date_order_with_citations(client, seeds_db):
    r = client.get("/timeline")
    assert r.status_code == 200
    days = re.findall(r'<h2 class="daylabel">([^<]+)</h2>', r.text)
    assert days
    assert "/documents/" in r.text and "hl=" in r.text
    n = one(seeds_db, "SELECT count(*) FROM events WHERE reports > 0 AND first_day IS NOT NULL")[0]
    assert r.text.count('<li class="event">') == min(n, 50)
    typ = one(seeds_db, "SELECT type FROM events GROUP BY type ORDER BY count(*) DESC LIMIT 1")[0]
    r = client.get("/timeline", params={"type": typ})
    types = set(re.findall(r'<span class="etype t-([a-z]+)">', r.text.split("</form>", 1)[1]))
    assert types == {typ.lower()}
    assert client.get("/timeline", params={"since": "2026-13-01"}).status_code == 400
    assert client.get("/timeline", params={"after": "garbage"}).status_code == 400


def test_timeline_pages_do_not_repeat(client, seeds_db):
    seen, url, pages = [], "/timeline", 0
    import html as html_mod

    while url and pages < 20:
        # pages of 50: walk them all through the "later events" link
        r = client.get(url)
        ids = re.findall(r'<li class="event">', r.text)
        seen.append(len(ids))
        m = re.search(r'<a rel="next" href="([^"]+)"', r.text)
        url = html_mod.unescape(m.group(1)) if m else None
        pages += 1
    n = one(seeds_db, "SELECT count(*) FROM events WHERE reports > 0 AND first_day IS NOT NULL")[0]
    assert sum(seen) == n


def test_actor_graph(client, seeds_db):
    r = client.get("/graph")
    assert r.status_code == 200
    assert r.text.count("<circle") >= 3 and 'marker-end="url(#arrow)"' in r.text
    # each edge runs from its source's centre to the edge of its target's circle
    nodes = {m[0]: (float(m[1]), float(m[2]), float(m[3])) for m in re.findall(
        r'data-entity="(\w+)"><circle cx="([\d.]+)" cy="([\d.]+)" r="([\d.]+)"', r.text)}
    paths = re.findall(r'<path d="M([\d.]+),([\d.]+) Q[\d.,-]+ ([\d.]+),([\d.]+)" data-source="(\w+)" '
                       r'data-target="(\w+)"', r.text)
    assert paths and len(nodes) >= 3
    for x1, y1, x2, y2, s, t in paths:
        sx, sy, _ = nodes[s]
        tx, ty, tr = nodes[t]
        assert abs(float(x1) - sx) < 0.2 and abs(float(y1) - sy) < 0.2
        d = ((tx - sx) ** 2 + (ty - sy) ** 2) ** 0.5
        assert abs(((float(x2) - tx) ** 2 + (float(y2) - ty) ** 2) ** 0.5 - min(tr + 2, d / 2)) < 1.0
    ent = one(seeds_db, "SELECT id FROM entities ORDER BY mention_count DESC LIMIT 1")[0]
    r = client.get("/graph", params={"entity": ent})
    assert r.status_code == 200 and f'data-entity="{ent}"' in r.text and "center" in r.text
    assert client.get("/graph", params={"entity": "no such actor anywhere"}).status_code == 404


def test_unknown_ids_are_404(client):
    for url in ["/documents/dffffffffffffffff", "/documents/nope", "/stories/snope", "/entities/enope",
                "/nowhere", "/static/nope.css"]:
        r = client.get(url)
        assert r.status_code == 404, url
    assert "no document" in client.get("/documents/dffffffffffffffff").text


def test_id_prefix_redirects(client, seeds_db):
    doc = one(seeds_db, "SELECT id FROM documents ORDER BY id LIMIT 1")[0]
    r = client.get(f"/documents/{doc[:8]}?hl=0-5", follow_redirects=False)
    assert r.status_code == 307 and r.headers["location"] == f"/documents/{doc}?hl=0-5"


def test_removed_boilerplate_is_there_but_hidden(client, seeds_db):
    doc, removed = one(seeds_db, "SELECT id, removed FROM documents WHERE removed != '[]' "
                                 "ORDER BY json_array_length(removed) DESC LIMIT 1")
    removed = json.loads(removed)
    r = client.get(f"/documents/{doc}")
    p = parse(r.text)
    assert len(p.removed) == len(removed)
    assert sorted(p.removed) == sorted(x["text"] for x in removed)
    assert 'id="show-removed"' in r.text
    assert p.doctext == doc_text(seeds_db, doc)  # hidden blocks are not part of the visible text


# -- safety -----------------------------------------------------------------------------------------------------

def test_article_markup_is_escaped(hostile, hostile_db):
    doc, text = one(hostile_db, "SELECT id, text FROM documents")
    assert "<script>alert(1)</script>" in text and "<img src=x onerror=alert(2)>" in text  # stored as written
    for url in [f"/documents/{doc}", "/", "/documents", "/search?q=minister+exports", "/ask?q=oil+minister",
                "/timeline", "/graph"]:
        r = hostile.get(url)
        assert r.status_code == 200, url
        assert "<script>alert" not in r.text, url
        assert "<img src=x" not in r.text and "onerror=alert" not in r.text.replace("onerror=alert(2)&gt;", ""), url
        assert "<b>Outlet</b>" not in r.text, url
        assert 'href="javascript:' not in r.text, url
    html = hostile.get(f"/documents/{doc}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "javascript:alert(3)" in html  # the URL is shown as text, not as a link
    assert parse(html).doctext == text
    # the only scripts are the app's own file
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/app.js" defer>']


def test_query_text_is_escaped(hostile):
    r = hostile.get("/search", params={"q": "<script>alert(5)</script>"})
    assert r.status_code == 200 and "<script>alert(5)" not in r.text and "&lt;script&gt;alert(5)" in r.text
    r = hostile.get("/documents/<script>")
    assert r.status_code == 404 and "<script>" not in r.text.replace('<script src="/static/app.js" defer>', "")


def test_read_only(seeds_db, tmp_path):
    import shutil

    from dossier.web import create_app

    db = str(tmp_path / "copy.db")
    shutil.copy(seeds_db, db)

    def digest() -> str:
        return hashlib.sha256(Path(db).read_bytes()).hexdigest()

    before = digest()
    app = create_app(db)
    with TestClient(app) as c:
        for url in ["/", "/documents", "/timeline", "/graph", "/search?q=Venezuela", "/ask?q=Venezuela+oil"]:
            assert c.get(url).status_code == 200
        for method in ("post", "put", "delete"):
            assert getattr(c, method)("/").status_code == 405
            assert getattr(c, method)("/documents/x").status_code == 405
    with pytest.raises(sqlite3.OperationalError):
        app.state.db.conn().execute("CREATE TABLE x (a)")
    app.state.db.close()
    assert digest() == before


def test_missing_store_is_an_error(tmp_path):
    from dossier.errors import StoreError
    from dossier.web import create_app

    with pytest.raises(StoreError):
        create_app(str(tmp_path / "none.db"))


# -- the highlighter --------------------------------------------------------------------------------------------

def test_highlight_nests_and_escapes():
    from dossier.web.views import Point, Span, highlight

    text = "A <b>US</b> & Venezuela deal on 4 January."
    spans = [Span(0, 24, "event", title="ev"), Span(5, 7, "entity", href="/entities/e1"),
             Span(14, 23, "entity", href="/entities/e2"), Span(20, 30, "time"),  # crosses the event's end
             Span(21, 26, "time"), Span(12, 27, "cite", id="c-12-27")]
    html = str(highlight(text, spans, [Point(0, "<menu>", "menu"), Point(13, "ad", "ad"), Point(99, "end", "x")]))
    assert "<b>" not in html and "&lt;b&gt;" in html and "&amp;" in html and "&lt;menu&gt;" in html
    p = parse('<div id="doctext">' + html + "</div>")
    assert p.doctext == text
    assert p.removed == ["<menu>", "ad", "end"]
    mark = [el for el in p.found if el["tag"] == "mark"]
    assert len(mark) == 1 and mark[0]["text"] == text[12:27]
    times = [el for el in p.found if "time" in el["attrs"]["class"]]
    assert "".join(t["text"] for t in times) == text[20:30]  # cut at the mark's and the event's edges
    assert html.index('class="removed"') < html.index("<span class=\"hl event\"")  # point at 0 before the span
    # attributes are escaped too
    html = str(highlight("x", [Span(0, 1, "entity", title='"><script>', href='/e?a="b"')]))
    assert "<script>" not in html and "&#34;&gt;&lt;script&gt;" in html


def test_serve_command_help_and_missing_store(runner, tmp_path):
    from dossier.cli import app

    r = runner.invoke(app, ["serve", "--help"])
    assert r.exit_code == 0 and "--port" in r.output and "127.0.0.1" in r.output
    r = runner.invoke(app, ["serve", "--db", str(tmp_path / "none.db")])
    assert r.exit_code == 1 and "no such store" in r.output


# -- every page's queries are index lookups (what keeps pages fast on a big store; no timing here) ---------------

BIG_TABLES = ("documents", "annotations", "entity_mentions", "entities", "entity_aliases", "events",
              "event_mentions", "stories", "story_docs")


def test_page_queries_use_indexes(seeds_db):
    """Trace every SQL statement a page runs (its cached whole-store aggregates computed beforehand) and check
    its query plan: no full scan of a table that grows with the corpus."""
    from dossier.web import create_app

    app = create_app(seeds_db, warm=False)
    traced: list[str] = []
    database = app.state.db
    connect = database._connect

    def traced_connect():
        c = connect()
        c.set_trace_callback(traced.append)
        return c

    database._connect = traced_connect
    database.close()
    doc = one(seeds_db, "SELECT id FROM documents WHERE story IS NOT NULL ORDER BY id LIMIT 1")[0]
    story = one(seeds_db, "SELECT story FROM documents WHERE id = ?", (doc,))[0]
    ent = one(seeds_db, "SELECT id FROM entities ORDER BY mention_count DESC LIMIT 1")[0]
    typ = one(seeds_db, "SELECT type FROM events GROUP BY type ORDER BY count(*) DESC LIMIT 1")[0]
    urls = ["/", "/documents?page=2", f"/documents/{doc}?hl=0-10", f"/documents/{doc[:7]}", f"/stories/{story}",
            "/timeline", "/timeline?since=2022-03-06&until=2026", f"/timeline?type={typ}", "/timeline?type=RETREAT",
            f"/timeline?entity={ent}", f"/timeline?story={story}", "/timeline?after=2022-03-05~3", "/graph",
            f"/graph?entity={ent}", f"/entities/{ent}?page=1"]
    with TestClient(app) as c:
        for url in urls:  # first: the cached aggregates
            assert c.get(url).status_code in (200, 307), url
        traced.clear()
        for url in urls:
            assert c.get(url).status_code in (200, 307), url
    assert traced
    probe = sqlite3.connect(f"file:{seeds_db}?mode=ro", uri=True)
    bad = []
    for sql in dict.fromkeys(traced):
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        for row in probe.execute("EXPLAIN QUERY PLAN " + sql):
            detail = row[3]
            m = re.match(r"SCAN (\w+)(?: AS \w+)?( USING (?:COVERING )?INDEX \w+)?", detail)
            if m and m.group(1) in BIG_TABLES and not m.group(2):
                bad.append((detail, sql[:300]))
    assert not bad, bad


def test_timeline_since_keeps_coarser_events_that_overlap(client, seeds_db):
    """An event dated "2019" overlaps since=2019-06-01: it is listed (first), as are events from that day on."""
    row = one(seeds_db, "SELECT date_value, first_day, last_day FROM events WHERE date_precision IN ('year', 'month') "
                        "AND reports > 0 AND negated = 0 ORDER BY first_day LIMIT 1")
    if row is None:
        pytest.skip("no event dated to a year or a month in the seeds")
    value, first, last = row
    inside = first[:8] + "15" if first[:7] != last[:7] else first[:8] + "02"
    r = client.get("/timeline", params={"since": inside})
    labels = re.findall(r'<h2 class="daylabel">([^<]+)</h2>', r.text)
    assert value in labels, (value, inside, labels[:5])
    assert all(lab >= value[:4] for lab in labels)


def test_cache_follows_the_store(seeds_db, tmp_path):
    """Whole-store values are recomputed once another connection commits (the store's data_version)."""
    import shutil

    from dossier.web import queries
    from dossier.web.db import Database

    db = str(tmp_path / "copy.db")
    shutil.copy(seeds_db, db)
    database = Database(db)
    database.cache._every = 0
    before = queries.counts(database)["documents"]
    with sqlite3.connect(db) as w:
        w.execute("PRAGMA foreign_keys = OFF")
        w.execute("DELETE FROM documents WHERE id = (SELECT id FROM documents ORDER BY id LIMIT 1)")
    assert queries.counts(database)["documents"] == before - 1
    database.close()


def test_writable_mode_opens_the_store_normally(seeds_db, tmp_path):
    import shutil

    from dossier.web import create_app

    db = str(tmp_path / "copy.db")
    shutil.copy(seeds_db, db)
    app = create_app(db, read_only=False, warm=False)
    with TestClient(app) as c:
        r = c.get("/")
        assert r.status_code == 200 and "read-only" not in r.text
    app.state.db.close()
