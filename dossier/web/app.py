"""The routes of ``dossier serve``: overview, search, ask, documents, storylines, timeline, actor graph, entities.

Every page is server-rendered HTML (Jinja, autoescape on); article text reaches the page only through
:func:`dossier.web.views.highlight` or autoescaped template variables, and a Content-Security-Policy allows no
inline script, so an article containing ``<script>`` shows it as text. The app only reads (GET routes, a read-only
SQLite connection per thread).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import threading
import urllib.parse
from importlib import resources
from typing import Any

import jinja2
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..errors import DossierError, UsageError
from . import queries as Q
from .db import Database
from .views import highlight, parse_range, snippet

HERE = resources.files("dossier") / "web"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class BadRequest(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _day(value: str | None, name: str) -> str | None:
    """A since/until parameter (YYYY-MM-DD, YYYY-MM or YYYY) as the first/last ISO day of its period."""
    from ..errors import UsageError
    from ..events.store import day_bound

    try:
        d = day_bound(value, name)
    except UsageError:
        raise BadRequest(f"{name}: not a date (YYYY-MM-DD): {value}") from None
    return d.isoformat() if d else None


def safe_url(url: str | None) -> str | None:
    """An article's URL as a link only when it is http(s)."""
    if not url:
        return None
    scheme = urllib.parse.urlsplit(url.strip()).scheme.lower()
    return url.strip() if scheme in ("http", "https") else None


def cite_href(doc: str, start: int, end: int) -> str:
    """The document page with the span highlighted and scrolled to."""
    return f"/documents/{urllib.parse.quote(doc)}?hl={int(start)}-{int(end)}#c-{int(start)}-{int(end)}"


def qs(base: str, **params: Any) -> str:
    """``base`` with the non-empty ``params`` as a query string."""
    kept = {k.rstrip("_"): v for k, v in params.items() if v not in (None, "", False)}
    return base + ("?" + urllib.parse.urlencode(kept) if kept else "")


def create_app(db: str, *, read_only: bool = True, warm: bool = True) -> FastAPI:
    """The web app over the store ``db`` (read-only unless ``read_only=False``). ``warm``: compute the cached
    whole-store values (counts, month strip, actor graph) in a background thread right away."""
    database = Database(db, read_only=read_only)
    if warm:
        def warm_up() -> None:
            Q.warm(database)
            try:
                database.cache.get(("graph", None, 40), lambda: actor_graph(database, None, 40))
                search_index(database)
            except Exception:  # noqa: BLE001  (a warm-up never fails the app; the request computes it again)
                pass

        threading.Thread(target=warm_up, name="dossier-web-warm", daemon=True).start()
    app = FastAPI(title="Dossier", version=__version__, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.db = database
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE / "templates")), autoescape=True,
                             trim_blocks=False, undefined=jinja2.Undefined)
    templates = Jinja2Templates(env=env)
    env.globals.update(cite_href=cite_href, qs=qs, safe_url=safe_url, version=__version__, read_only=read_only,
                       store_path=database.path, event_label=Q.event_label, quantity_label=Q.quantity_label)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    def page(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, name, ctx, status_code=status)

    @app.middleware("http")
    async def headers(request: Request, call_next):
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        message = exc.detail if isinstance(exc.detail, str) else "error"
        if exc.status_code == 404 and message == "Not Found":
            message = f"nothing at {request.url.path}"
        return page(request, "error.html", status=exc.status_code, title=f"{exc.status_code}", message=message)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        where = "; ".join(f"{'.'.join(str(x) for x in e.get('loc', ())[1:])}: {e.get('msg')}" for e in exc.errors())
        return page(request, "error.html", status=400, title="400", message=f"bad request ({where})")

    @app.exception_handler(BadRequest)
    async def bad_request(request: Request, exc: BadRequest):
        return page(request, "error.html", status=400, title="400", message=exc.message)

    def not_found(what: str) -> StarletteHTTPException:
        return StarletteHTTPException(404, what)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return FileResponse(str(HERE / "static" / "favicon.svg"), media_type="image/svg+xml")

    @app.get("/", response_class=HTMLResponse)
    def overview(request: Request):
        return page(request, "overview.html", title="Overview", counts=Q.counts(database),
                    documents=Q.recent_documents(database, limit=15), stories=Q.recent_stories(database),
                    entities=Q.top_entities(database), event_types=Q.event_types(database))

    @app.get("/documents", response_class=HTMLResponse)
    def documents(request: Request, page_: int = Query(1, alias="page", ge=1, le=100_000)):
        rows = Q.recent_documents(database, limit=Q.PAGE + 1, offset=(page_ - 1) * Q.PAGE)
        return page(request, "documents.html", title="Documents", documents=rows[:Q.PAGE], page=page_,
                    more=len(rows) > Q.PAGE, total=Q.counts(database)["documents"])

    @app.get("/documents/{doc_id}", response_class=HTMLResponse)
    def document(request: Request, doc_id: str, hl: str | None = None):
        doc = Q.document(database, doc_id)
        if doc is None:
            raise not_found(f"no document {doc_id}")
        if doc.id != doc_id:
            target = f"/documents/{doc.id}" + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(target, status_code=307)
        cite = parse_range(hl)
        if cite and cite[1] > len(doc.text):
            cite = None
        facts = Q.document_facts(database, doc)
        body = highlight(doc.text, Q.spans(doc, facts, cite), Q.removed_points(doc))
        ents: dict[str, dict] = {}
        for m in facts["entities"]:
            e = ents.setdefault(m["entity"], {"id": m["entity"], "name": m["name"], "type": m["type"],
                                              "country": m["country"], "n": 0, "first": m})
            e["n"] += 1
        story = Q.story_head(database, doc.story) if doc.story else None
        return page(request, "document.html", title=doc.title or doc.id, doc=doc, body=body, facts=facts,
                    entities=sorted(ents.values(), key=lambda e: (-e["n"], e["name"])), story=story,
                    versions=Q.versions(database, doc), cite=cite,
                    cited_text=doc.text[cite[0]:cite[1]] if cite else None)

    @app.get("/stories/{story_id}", response_class=HTMLResponse)
    def story(request: Request, story_id: str, page_: int = Query(1, alias="page", ge=1, le=100_000)):
        head = Q.story_head(database, story_id)
        if head is None:
            raise not_found(f"no storyline {story_id}")
        stats = Q.story_stats(database, story_id)
        docs = Q.story_documents(database, story_id, limit=Q.PAGE + 1, offset=(page_ - 1) * Q.PAGE)
        events = Q.story_events(database, story_id, limit=60)
        return page(request, "story.html", title=head["title"] or story_id, story=head, stats=stats,
                    documents=docs[:Q.PAGE], page=page_, more=len(docs) > Q.PAGE, events=events,
                    chart=day_chart(stats["days"], stats["ranges"]))

    @app.get("/timeline", response_class=HTMLResponse)
    def timeline(request: Request, entity: str | None = None, type: str | None = None,  # noqa: A002
                 since: str | None = None, until: str | None = None, story: str | None = None,
                 after: str | None = None):
        since_d, until_d = _day(since, "since"), _day(until, "until")
        key = None
        if after:
            day, _, seq = after.partition("~")
            if not _DAY.match(day) or not seq.isdigit():
                raise BadRequest(f"after: not a page key: {after}")
            key = (day, int(seq))
        entity_info = None
        if entity:
            ids = Q.entity_ids(database, entity)
            entity_info = Q.entity(database, ids[0]) if len(ids) == 1 else None
        events, nxt = Q.timeline(database, entity=entity, type_=type, since=since_d, until=until_d, story=story,
                                 after=key)
        days: dict[str, list[dict]] = {}
        for e in events:  # grouped by the date as told ("2019", "2019-04", "2019-04-02"), in date order
            days.setdefault(e["date_value"] or e["first_day"], []).append(e)
        story_info = Q.story_head(database, story) if story else None
        return page(request, "timeline.html", title="Timeline", days=days, events=events,
                    next_key=f"{nxt[0]}~{nxt[1]}" if nxt else None,
                    filters={"entity": entity, "type": type, "since": since, "until": until, "story": story},
                    entity_info=entity_info, story_info=story_info, strip=month_strip(Q.months(database)),
                    event_types=Q.event_types(database))

    @app.get("/graph", response_class=HTMLResponse)
    def graph(request: Request, entity: str | None = None, n: int = Query(40, ge=5, le=150)):
        center = None
        if entity:
            ids = Q.entity_ids(database, entity)
            if not ids:
                raise not_found(f"no entity {entity}")
            center = ids[0]
        # the whole graph's drawings are cached; one actor's is drawn per request (a few dozen nodes)
        drawing = actor_graph(database, center, n) if center else \
            database.cache.get(("graph", None, n), lambda: actor_graph(database, None, n))
        center_info = Q.entity(database, center) if center else None
        return page(request, "graph.html", title="Actor graph", g=drawing, center=center_info, n=n)

    @app.get("/entities/{entity_id}", response_class=HTMLResponse)
    def entity_page(request: Request, entity_id: str, page_: int = Query(1, alias="page", ge=1, le=100_000)):
        ent = Q.entity(database, entity_id)
        if ent is None:
            raise not_found(f"no entity {entity_id}")
        mentions = Q.entity_mentions(database, entity_id, limit=Q.PAGE + 1, offset=(page_ - 1) * Q.PAGE)
        for m in mentions:
            ctx = m["context"] or ""
            a = m["start"] - m["context_start"]
            b = a + (m["end"] - m["start"])
            m["snippet"] = snippet(ctx, a, b, context=70)
        neighbours = []
        mine = sorted(Q.edges(database).of(entity_id), key=lambda e: -e[2])[:30]
        other = Q.names(database, [t if s == entity_id else s for s, t, _n, _ty in mine])
        for s, t, n, types in mine:
            oid = t if s == entity_id else s
            if oid in other:
                neighbours.append({**other[oid], "n": n, "dir": "→" if s == entity_id else "←", "types": types})
        return page(request, "entity.html", title=ent["name"], entity=ent, mentions=mentions[:Q.PAGE], page=page_,
                    more=len(mentions) > Q.PAGE, neighbours=neighbours)

    @app.get("/search", response_class=HTMLResponse)
    def search(request: Request, q: str = "", entity: str | None = None, since: str | None = None,
               until: str | None = None, type: str | None = None,  # noqa: A002
               page_: int = Query(1, alias="page", ge=1, le=20)):
        since_d, until_d = _day(since, "since"), _day(until, "until")
        hits: list[dict] = []
        more, problem, status = False, None, 200
        if q.strip():
            try:
                got = run_search(database, q.strip(), entity=entity or None, since=since_d, until=until_d,
                                 type_=type or None, limit=page_ * 20 + 1)
            except DossierError as e:
                got, problem, status = [], str(e), 400 if isinstance(e, UsageError) else 503
            more = len(got) > page_ * 20
            hits = got[(page_ - 1) * 20:page_ * 20]
        return page(request, "search.html", status=status, title=f"Search: {q}" if q else "Search", q=q, hits=hits,
                    page=page_, more=more, problem=problem, event_types=Q.event_types(database),
                    filters={"entity": entity, "since": since, "until": until, "type": type})

    @app.get("/ask", response_class=HTMLResponse)
    def ask(request: Request, q: str = ""):
        answer, problem, status = None, None, 200
        if q.strip():
            try:
                answer = run_ask(database, q.strip())
            except DossierError as e:
                problem, status = str(e), 400 if isinstance(e, UsageError) else 503
        return page(request, "ask.html", status=status, title=f"Ask: {q}" if q else "Ask", q=q, answer=answer,
                    problem=problem)

    return app


# -- search and ask -------------------------------------------------------------------------------------------------

_SEARCH_INDEX = threading.Lock()


def search_index(db: Database) -> None:
    """Bring dossier.search's index up to date (built or extended beside the store, ``<db>.search/``, when the store
    changed), one thread at a time: the searches that follow find it loaded."""
    try:
        from ..search import load
    except ImportError:  # search loads its index itself on the first query
        return
    with _SEARCH_INDEX:
        load(db.store())


def run_search(db: Database, q: str, **kw: Any) -> list[dict]:
    """dossier.search.search over this thread's connection."""
    from ..search import search

    search_index(db)
    return list(search(db.conn(), q, **kw))


def run_ask(db: Database, q: str) -> dict:
    from ..search import ask

    search_index(db)
    return ask(db.conn(), q)


# -- drawings (plain SVG, computed here, rendered by the templates) -----------------------------------------------

def day_chart(days: list[tuple[str, int]], ranges: list[tuple[str | None, str | None, int]] | None = None,
              width: int = 900, height: int = 110) -> dict | None:
    """A storyline over time: documents per day as bars; undated documents known to fall between two days as
    lines under the axis (at most 8 lanes)."""
    ranges = [(a or b, b or a, n) for a, b, n in ranges or [] if (a or b)]
    points = [d for d, _ in days] + [x for a, b, _ in ranges for x in (a, b)]
    try:
        ordinals = [dt.date.fromisoformat(p[:10]).toordinal() for p in points]
    except ValueError:
        return None
    if not ordinals:
        return None
    first, last = min(ordinals), max(ordinals)
    span = max(1, last - first)
    pad, base = 30, 70
    top = max((n for _, n in days), default=1)

    def x(day: str) -> float:
        return round(pad + (dt.date.fromisoformat(day[:10]).toordinal() - first) / span * (width - 2 * pad), 1)

    bw = max(3.0, min(24.0, (width - 2 * pad) / (span + 1) * 0.8))
    bars = []
    for d, n in days:
        h = max(2.0, n / top * (base - 10))
        bars.append({"x": round(x(d) - bw / 2, 1), "y": round(base - h, 1), "w": round(bw, 1), "h": round(h, 1),
                     "day": d, "n": n})
    lanes, lines = [], []
    for a, b, n in sorted(ranges)[:40]:
        x1, x2 = x(a), max(x(b), x(a) + 3)
        lane = next((i for i, end in enumerate(lanes) if end < x1 - 4), None)
        if lane is None:
            if len(lanes) >= 8:
                continue
            lanes.append(x2)
            lane = len(lanes) - 1
        lanes[lane] = x2
        lines.append({"x1": x1, "x2": x2, "y": base + 8 + lane * 5, "a": a, "b": b, "n": n})
    height = max(height, base + 8 + len(lanes) * 5 + 18)
    return {"width": width, "height": height, "base": base, "bars": bars, "lines": lines, "top": top,
            "first": dt.date.fromordinal(first).isoformat(), "last": dt.date.fromordinal(last).isoformat()}


def month_strip(months: list[tuple[str, int]], width: int = 900, height: int = 70) -> dict | None:
    """Events per month across the store: one bar per month, each a link to that month's timeline."""
    months = [(m, n) for m, n in months if m and re.match(r"^\d{4}-\d{2}$", m)]
    if not months:
        return None
    if len(months) > 240:  # at most 20 years of months: keep the latest
        months = months[-240:]

    def index(m: str) -> int:
        return int(m[:4]) * 12 + int(m[5:]) - 1

    first = index(months[0][0])
    slots = index(months[-1][0]) - first + 1
    top = max(n for _, n in months)
    bw = (width - 20) / slots
    bars = []
    for m, n in months:
        h = max(1.5, math.sqrt(n / top) * (height - 22))
        y, mo = int(m[:4]), int(m[5:])
        last = (dt.date(y + (mo == 12), mo % 12 + 1, 1) - dt.timedelta(days=1)).isoformat()
        bars.append({"x": round(10 + (index(m) - first) * bw, 1), "y": round(height - 16 - h, 1),
                     "w": round(max(1.0, bw - 1), 1), "h": round(h, 1), "month": m, "n": n, "since": f"{m}-01",
                     "until": last})
    return {"width": width, "height": height, "bars": bars, "first": months[0][0], "last": months[-1][0]}


def actor_graph(db: Database, center: str | None, limit: int, width: int = 900, height: int = 640) -> dict:
    """The actors of events (nodes: entities; edges: source → target, weighted by events), the ``limit`` busiest
    nodes (around ``center`` when given), laid out by networkx's spring layout (seeded: the same store draws the
    same picture)."""
    import networkx as nx

    index = Q.edges(db)
    degree: dict[str, int] = {}
    if center:
        for s, t, n, _ in index.of(center):
            other = t if s == center else s
            degree[other] = degree.get(other, 0) + n
        degree[center] = sum(degree.values())
    else:
        for s, t, n, _ in index.pairs:
            degree[s] = degree.get(s, 0) + n
            degree[t] = degree.get(t, 0) + n
    keep = sorted(degree, key=lambda k: (-degree[k], k))[:limit]
    if center and center not in keep and center in degree:
        keep = [center, *keep[:limit - 1]]
    shown = [{"source": s, "target": t, "n": n, "types": types} for s, t, n, types in index.among(keep)]
    g = nx.Graph()
    g.add_nodes_from(keep)
    for e in shown:
        w = g.get_edge_data(e["source"], e["target"], {"weight": 0})["weight"]
        g.add_edge(e["source"], e["target"], weight=w + e["n"])
    info = Q.names(db, keep)
    if not keep:
        return {"width": width, "height": height, "nodes": [], "edges": [], "pairs": []}
    pos = nx.spring_layout(g, seed=7, weight=None, k=1.6 / math.sqrt(max(1, len(keep)))) if len(keep) > 1 \
        else {keep[0]: (0.0, 0.0)}
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    m = 60

    def sx(v: float) -> float:
        return round(float(m + (v - x0) / ((x1 - x0) or 1) * (width - 2 * m)), 1) if x1 > x0 else width / 2

    def sy(v: float) -> float:
        return round(float(m + (v - y0) / ((y1 - y0) or 1) * (height - 2 * m)), 1) if y1 > y0 else height / 2

    top = max(degree[k] for k in keep)
    nodes = []
    for k in keep:
        i = info.get(k, {"name": k, "type": "OTHER", "country": None})
        nodes.append({"id": k, "name": i["name"], "type": (i["type"] or "OTHER").lower(), "country": i["country"],
                      "x": sx(pos[k][0]), "y": sy(pos[k][1]), "r": round(5 + 14 * math.sqrt(degree[k] / top), 1),
                      "degree": degree[k], "center": k == center})
    top_e = max((e["n"] for e in shown), default=1)
    radius = {v["id"]: v["r"] for v in nodes}
    pairs = {(x["source"], x["target"]) for x in shown}
    lines = []
    for e in shown:
        ax, ay = sx(pos[e["source"]][0]), sy(pos[e["source"]][1])
        bx, by = sx(pos[e["target"]][0]), sy(pos[e["target"]][1])
        d = math.hypot(bx - ax, by - ay) or 1.0
        cut = min(radius[e["target"]] + 2, d / 2)  # end at the target's edge, where the arrow head shows
        bend = 0.12 if (e["target"], e["source"]) in pairs else 0.0  # both directions: two arcs
        lines.append({"x1": ax, "y1": ay, "x2": round(bx - (bx - ax) / d * cut, 1),
                      "y2": round(by - (by - ay) / d * cut, 1), "bend": bend,
                      "cx": round((ax + bx) / 2 - (by - ay) * bend, 1),
                      "cy": round((ay + by) / 2 + (bx - ax) * bend, 1),
                      "w": round(1 + 4 * e["n"] / top_e, 1), "n": e["n"], "types": e["types"],
                      "source": info.get(e["source"], {}).get("name", e["source"]),
                      "target": info.get(e["target"], {}).get("name", e["target"]),
                      "source_id": e["source"], "target_id": e["target"]})
    lines.sort(key=lambda x: -x["n"])
    return {"width": width, "height": height, "nodes": nodes, "edges": lines}
