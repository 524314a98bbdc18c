"""The web app in a real browser: `dossier serve` as a subprocess, driven by Playwright with Debian's chromium.

Every page loads without console errors or failed requests; search → citation → document lands on the cited span,
highlighted; the removed-boilerplate toggle shows and hides it; a hostile article runs no script. Screenshots go to
test-artifacts/browser/. Without /usr/bin/chromium the tests are skipped, except under CI (CI=true), where they
fail: the Makefile's `browser` target installs it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.conftest import DOSSIER, ROOT
from tests.test_web import hostile_store, seeds_store

CHROMIUM = os.environ.get("DOSSIER_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
SHOTS = ROOT / "test-artifacts" / "browser"


def _need_browser():
    why = None
    if not os.path.exists(CHROMIUM):
        why = f"{CHROMIUM} is not installed (make browser installs it)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            why = "the playwright package is not installed"
    if why:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"browser tests cannot run under CI: {why}")
        pytest.skip(why)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, db: str):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        exe = [str(DOSSIER)] if DOSSIER.exists() else [sys.executable, "-m", "dossier.cli"]
        self.proc = subprocess.Popen([*exe, "serve", "--db", db, "--port", str(self.port)],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(self.base + "/favicon.ico", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if self.proc.poll() is not None:
                out, err = self.proc.communicate()
                raise AssertionError(f"dossier serve exited with {self.proc.returncode}: {err.decode()[-2000:]}")
            if time.monotonic() > deadline:
                self.stop()
                raise AssertionError("dossier serve did not answer within 60 s")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


@pytest.fixture(scope="module")
def browser():
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory, browser):
    s = Server(seeds_store(tmp_path_factory))
    yield s
    s.stop()


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory, browser):
    s = Server(hostile_store(tmp_path_factory))
    yield s
    s.stop()


class Watch:
    """A page with its console errors, page errors, failed requests, HTTP errors and dialogs recorded."""

    def __init__(self, browser):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.dialogs: list[str] = []
        p = self.page
        p.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}")
             if m.type in ("error", "warning") else None)
        p.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        # a request cut short by the next navigation (net::ERR_ABORTED, often the favicon) is not a failure
        p.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url} {r.failure}")
             if "ERR_ABORTED" not in (r.failure or "") else None)
        p.on("response", lambda r: self.problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)

        def dialog(d):
            self.dialogs.append(d.message)
            d.dismiss()

        p.on("dialog", dialog)

    def close(self):
        self.context.close()


@pytest.fixture
def watch(browser):
    w = Watch(browser)
    yield w
    w.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    path.unlink(missing_ok=True)
    page.screenshot(path=str(path), full_page=False)
    assert path.stat().st_size > 1000


def ids(db: str) -> dict[str, str]:
    import sqlite3

    with sqlite3.connect(db) as c:
        return {
            "doc": c.execute("SELECT id FROM documents WHERE removed != '[]' ORDER BY id LIMIT 1").fetchone()[0],
            "story": c.execute("SELECT story FROM documents GROUP BY story ORDER BY count(*) DESC LIMIT 1"
                               ).fetchone()[0],
            "entity": c.execute("SELECT id FROM entities ORDER BY mention_count DESC LIMIT 1").fetchone()[0],
        }


def test_every_page_loads_without_errors(server, watch, tmp_path_factory):
    i = ids(seeds_store(tmp_path_factory))
    pages = {"overview": "/", "documents": "/documents", "document": f"/documents/{i['doc']}",
             "story": f"/stories/{i['story']}", "timeline": "/timeline", "graph": "/graph",
             "entity": f"/entities/{i['entity']}", "search": "/search?q=Venezuela+oil",
             "ask": "/ask?q=What+did+the+United+States+ask+Venezuela+to+do"}
    for name, url in pages.items():
        r = watch.page.goto(server.base + url)
        assert r.status == 200, url
        watch.page.wait_for_load_state("load")
        assert watch.page.locator("main h1").count() == 1, url
        shot(watch.page, name)
    assert watch.problems == []
    r = watch.page.goto(server.base + "/documents/dffffffffffffffff")
    assert r.status == 404 and "no document" in watch.page.locator("main").inner_text()


def _follow_citation(watch, server, list_url: str, name: str) -> None:
    page = watch.page
    page.goto(server.base + list_url)
    link = page.locator("a.cite-link").first
    assert link.count() == 1, f"no citation on {list_url}"
    start, end = int(link.get_attribute("data-start")), int(link.get_attribute("data-end"))
    cited = " ".join(link.inner_text().strip().strip("“”").split())
    link.click()
    page.wait_for_url(f"**/documents/*?hl={start}-{end}#c-{start}-{end}")
    mark = page.locator(f"mark#c-{start}-{end}")
    assert mark.count() == 1
    assert " ".join(mark.inner_text().split()) == cited
    assert mark.evaluate("el => getComputedStyle(el).backgroundColor") not in ("rgba(0, 0, 0, 0)", "transparent")
    box = mark.bounding_box()
    assert box is not None and 0 <= box["y"] < 900, "the cited span is not scrolled into view"
    shot(page, name)


def test_search_citation_opens_document_at_the_span(server, watch):
    _follow_citation(watch, server, "/search?q=Venezuela+oil+exports", "search-citation")
    assert watch.problems == []


def test_ask_citation_opens_document_at_the_span(server, watch):
    _follow_citation(watch, server, "/ask?q=What+did+the+United+States+ask+Venezuela+to+do", "ask-citation")
    assert watch.problems == []


def test_search_from_the_header_form(server, watch):
    page = watch.page
    page.goto(server.base + "/")
    page.fill("header input[name=q]", "Maduro")
    page.press("header input[name=q]", "Enter")
    page.wait_for_url("**/search?q=Maduro")
    assert page.locator("li.hit").count() > 0
    assert watch.problems == []


def test_boilerplate_toggle(server, watch, tmp_path_factory):
    i = ids(seeds_store(tmp_path_factory))
    page = watch.page
    page.goto(server.base + f"/documents/{i['doc']}")
    removed = page.locator("#doctext .removed")
    assert removed.count() > 0
    assert not removed.first.is_visible()
    page.check("#show-removed")
    assert removed.first.is_visible()
    shot(page, "document-removed-shown")
    page.uncheck("#show-removed")
    assert not removed.first.is_visible()
    # the highlight toggles
    ent = page.locator("#doctext .hl.entity").first
    colour = ent.evaluate("el => getComputedStyle(el).backgroundColor")
    page.uncheck("input[data-toggle=hide-entity]")
    assert ent.evaluate("el => getComputedStyle(el).backgroundColor") != colour
    assert watch.problems == []


def test_fragment_only_citation_is_highlighted(server, watch, tmp_path_factory):
    """A link to /documents/ID#c-START-END (no ?hl=) still highlights the span (the page asks the server)."""
    import sqlite3

    db = seeds_store(tmp_path_factory)
    with sqlite3.connect(db) as c:
        doc, a, b, text = c.execute("SELECT doc_id, start, \"end\", text FROM annotations WHERE kind = 'sentences' "
                                    "ORDER BY doc_id, n LIMIT 1 OFFSET 5").fetchone()
    page = watch.page
    page.goto(server.base + f"/documents/{doc}#c-{a}-{b}")
    page.wait_for_url(f"**/documents/{doc}?hl={a}-{b}#c-{a}-{b}")
    assert page.locator(f"mark#c-{a}-{b}").inner_text() == text
    assert watch.problems == []


def test_hostile_article_runs_no_script(hostile_server, watch, tmp_path_factory):
    import sqlite3

    with sqlite3.connect(hostile_store(tmp_path_factory)) as c:
        doc = c.execute("SELECT id FROM documents").fetchone()[0]
    page = watch.page
    for url in (f"/documents/{doc}", "/", "/search?q=minister+exports", "/ask?q=oil+minister+exports"):
        page.goto(hostile_server.base + url)
        page.wait_for_load_state("load")
    page.goto(hostile_server.base + f"/documents/{doc}")
    text = page.locator("#doctext").inner_text()
    assert "<script>alert(1)</script>" in text and "<img src=x onerror=alert(2)>" in text
    assert page.locator("#doctext script, #doctext img, h1 script").count() == 0
    assert "<script>alert(1)</script>" in page.locator("h1").inner_text()
    page.check("#show-removed")
    shot(page, "hostile-document")
    assert watch.dialogs == []
    assert watch.problems == []
