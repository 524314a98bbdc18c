"""Publication date of an HTML page.

``html_publication_date(html, url)`` returns ``(YYYY-MM-DD, basis)`` or None when the page gives no date. The basis
is ``"metadata"`` when the page's markup gives the date (JSON-LD, meta tags, microdata, ``<time datetime>``, the URL,
htmldate) and ``"stated"`` when only its visible text does ("Published on 6 March 2022", a dateline under the title).

The page is read once with lxml into candidate dates, each with where it came from:

* structured publication fields: microdata ``itemprop=datePublished``, JSON-LD ``datePublished`` of article-like
  objects, meta tags whose name says published (``article:published_time``, ``pubdate``, ``sailthru.date``...),
  ``<time pubdate>``; then weaker fields (JSON-LD ``dateCreated``, a bare ``date``/``dcterms.date`` meta tag, the
  ``datePublished`` of a video or image). Modification dates are never used: pages published after their last
  "modification" (scheduled posts) are common;
* visible dates: every date written in the page's text, in any of the formats and month names of
  ``data/html_dates.json``. Numeric dates whose day and month could be swapped follow the page's language (US English
  month first, the rest day first), or the page's own unambiguous numeric dates when those say otherwise. Each keeps
  its context: a publish cue ("Published on", "Veröffentlicht am", "publié le") or an update cue ("Updated",
  "©") next to it; the class/id names around it (``date``, ``byline``, ``meta`` vs ``comment``, ``sidebar``,
  ``related``, ``nav``...) and links to other articles, which mark dates that are not the article's; and whether it
  sits in the article header, near the heading that repeats the page's title;
* the URL's date (``/2020/07/08/``, ``2020-07-08``, ``20200708``), and its month alone (``/2011/12/slug``);
* htmldate's answer, with its extensive search (any date in the text) only when the page gave nothing else.

Each kind of evidence votes for its date with a weight (``weights`` in the data file) and the date with most weight
wins. A UTC timestamp close to midnight (``2023-11-09T02:11:03Z``) votes for the day before (or after) when another
piece of evidence gives that day: it is the publisher's local date the page shows. A date that htmldate's extensive
search found on 1 January is a bare year (a copyright line) and is dropped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources

__all__ = ["html_publication_date"]


def html_publication_date(html: str, url: str | None = None) -> tuple[str, str] | None:
    """``(YYYY-MM-DD, basis)`` of the page's publication, basis "metadata" or "stated"; None when it gives none."""
    if not html:
        return None
    lo, hi = _patterns().min_date, date.today()
    page = _read(html, url, lo, hi)
    ev = _evidence(page)
    hd, extensive = _htmldate(html, url, lo, hi, extensive=not ev)  # extensive search: slow, so only as a last resort
    best = _vote(ev, hd, extensive, page.month, _data()["weights"])
    return None if best is None else (best[0].isoformat(), best[1])


# --- knowledge ----------------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _data() -> dict:
    return json.loads(resources.files("dossier").joinpath("data/html_dates.json").read_text("utf-8"))


@dataclass(slots=True, frozen=True)
class _Patterns:
    months: dict[str, int]
    text: list[tuple[str, re.Pattern]]  # (how to read the groups, pattern)
    cue_pub: re.Pattern                 # a publish cue ending just before a date
    cue_upd: re.Pattern                 # an update, copyright or access cue ending just before a date
    cue_after: re.Pattern               # a publish verb just after a date
    skip_ctx: re.Pattern
    date_ctx: re.Pattern
    skip_tags: frozenset[str]
    article_types: frozenset[str]
    min_date: date
    window: tuple[int, int]
    utc_back: int
    utc_ahead: int


@lru_cache(maxsize=1)
def _patterns() -> _Patterns:
    d = _data()
    months = {name: int(m) for m, names in d["months"].items() for name in names}
    mon = "|".join(sorted((re.escape(n) for n in months), key=len, reverse=True))
    sp = r"[\s\u2009\u202f\u00a0]*"  # thin and no-break spaces too: "4.&thinsp;2.&thinsp;2022"
    text = [
        # 2020-07-08, 2020/07/08, 2020.07.08 (an ISO timestamp's date part too)
        ("ymd", re.compile(r"(?<![\d.])(\d{4})([-/.])" + sp + r"(\d{1,2})\2" + sp + r"(\d{1,2})(?!\d)")),
        # 2020年7月8日
        ("ymd", re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")),
        # 8.7.2020, 08. 07. 2020
        ("dmy", re.compile(r"(?<![\d.])(\d{1,2})\." + sp + r"(\d{1,2})\." + sp + r"(\d{4})(?!\d)")),
        # 08/07/2020 or 07/08/2020, 08-07-2020
        ("num", re.compile(r"(?<![\d/.-])(\d{1,2})([/-])(\d{1,2})\2(\d{4})(?![\d/-])")),
        # 8 July 2020, 8. Juli 2020, 8 de julio de 2020, 8th of July, 2020, 24 نيسان / أبريل 2020
        ("d_month_y", re.compile(r"(?<!\d)(\d{1,2})(?:st|nd|rd|th|er|º|°|\.)?" + sp + r"(?:de\s+|of\s+)?(" + mon
                                 + r")(?![^\W\d_])\.?(?:\s*/\s*(?:" + mon + r"))?,?" + sp
                                 + r"(?:de\s+|del\s+)?(\d{4})(?!\d)", re.I)),
        # July 8, 2020, Jul 8 2020
        ("month_d_y", re.compile(r"(?<![^\W\d_])(" + mon + r")\.?" + sp + r"(\d{1,2})(?:st|nd|rd|th)?,?" + sp
                                 + r"(\d{4})(?!\d)", re.I)),
        # Mon Jan 20 09:49:32 UTC 2020
        ("month_d_y", re.compile(r"(?<![^\W\d_])(" + mon + r")\.?" + sp + r"(\d{1,2})\s+\d{1,2}:\d{2}(?::\d{2})?\s*"
                                 r"(?:[A-Z]{2,5}\s+)?(\d{4})(?!\d)", re.I)),
    ]

    def words(key: str) -> str:
        return "|".join(sorted((re.escape(w) for w in d[key]), key=len, reverse=True))

    def prefixes(key: str) -> re.Pattern:
        return re.compile(r"(?<![a-z])(?:" + "|".join(re.escape(w) for w in d[key]) + ")")

    # between a cue and its date: punctuation, a preposition, one word such as a weekday ("Published on Monday, ")
    glue = r"[\s:,\-–|]*(?:(?:am|on|le|el|il|em|op|den|dnia|på|the|at)\s+)?(?:[^\W\d_]{2,12}\.?,?\s+)?$"
    return _Patterns(
        months=months,
        text=text,
        cue_pub=re.compile(r"(?<![^\W\d_])(?:" + words("publish_cues") + r")" + glue, re.I),
        cue_upd=re.compile(r"(?:(?<![^\W\d_])(?:" + words("update_cues") + r")|©|\(c\))" + glue, re.I),
        # "am 3. Dezember 2011 um 10:15 Uhr veröffentlicht": the verb after the date, in the same sentence
        cue_after=re.compile(r"[^.!?\n]{0,40}?(?<![^\W\d_])(?:" + words("publish_cues_after") + r")(?![^\W\d_])",
                             re.I),
        skip_ctx=prefixes("skip_context"),
        date_ctx=prefixes("date_context"),
        skip_tags=frozenset(d["skip_tags"]),
        article_types=frozenset(d["article_types"]),
        min_date=date.fromisoformat(d["min_date"]),
        window=tuple(d["header_window"]),
        utc_back=d["utc_day_shift_hours"][0],
        utc_ahead=d["utc_day_shift_hours"][1],
    )


# --- dates in strings ---------------------------------------------------------------------------------------------

_ZERO = frozenset({"Z", "+0000", "+00:00", "-0000", "-00:00"})
_TIME_RE = re.compile(r"(\d{1,2}):\d{2}(?::\d{2})?(?:[.,]\d+)?\s*(Z|[+-]\d{2}:?\d{2}|GMT|UTC)?\s*([+-]\d{2}:?\d{2})?",
                      re.I)
_COMPACT_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:[T ]?(\d{2}):?\d{2}.*)?$")
_DIGIT_RE = re.compile(r"\d")
_YEAR_RE = re.compile(r"(?:19|20)\d\d")


def _valid(y: int, m: int, d: int, lo: date, hi: date) -> date | None:
    try:
        v = date(y, m, d)
    except ValueError:
        return None
    return v if lo <= v <= hi else None


def _find_dates(text: str, order: str | None, lo: date, hi: date,
                evidence: list[str] | None = None) -> list[tuple[int, int, date, bool]]:
    """Every date written in ``text``: (start, end, date, ambiguous). ``order`` ("dmy" or "mdy", None for day first)
    reads numeric dates whose day and month could be swapped; ambiguous is True when it had to. The order of each
    unambiguous numeric date (one part over 12) is appended to ``evidence``."""
    P = _patterns()
    found: list[tuple[int, int, date, bool]] = []
    # every pattern holds a four-digit year: look only around years (the month-name patterns are slow on long text)
    windows: list[list[int]] = []
    for y in _YEAR_RE.finditer(text):
        a, b = max(0, y.start() - 48), y.end() + 48
        if windows and a <= windows[-1][1]:
            windows[-1][1] = b
        else:
            windows.append([a, b])
    if not windows:
        return found
    taken: list[tuple[int, int]] = []
    for kind, rx in P.text:
        for m in (m for a, b in windows for m in rx.finditer(text, a, b)):
            s, e = m.span()
            if any(s < te and ts < e for ts, te in taken):
                continue
            amb = False
            g = m.groups()
            if kind == "ymd":
                y, mo, d = int(g[0]), int(g[-2]), int(g[-1])
            elif kind == "dmy":
                d, mo, y = int(g[0]), int(g[1]), int(g[2])
            elif kind == "num":
                a, b, y = int(g[0]), int(g[2]), int(g[3])
                if a > 12 >= b or b > 12 >= a:
                    d, mo = (a, b) if a > 12 else (b, a)
                    if evidence is not None:
                        evidence.append("dmy" if a > 12 else "mdy")
                else:
                    amb = a != b
                    d, mo = (b, a) if order == "mdy" else (a, b)
            elif kind == "d_month_y":
                d, mo, y = int(g[0]), P.months.get(g[1].lower(), 0), int(g[2])
            else:
                mo, d, y = P.months.get(g[0].lower(), 0), int(g[1]), int(g[2])
            v = _valid(y, mo, d, lo, hi)
            if v is not None:
                found.append((s, e, v, amb))
                taken.append((s, e))
    found.sort(key=lambda t: t[0])
    return found


def _parse_value(value: str, order: str | None, lo: date, hi: date) -> tuple[date, int | None] | None:
    """The date of an attribute or JSON value, with its zone: the hour (0-23) when the time is given in UTC, -1 when
    it is given with another offset (the publisher's local time), None when there is no time or no zone."""
    value = value.strip()
    if not value or not _DIGIT_RE.search(value):
        return None
    m = _COMPACT_RE.match(value)
    if m:
        v = _valid(int(m[1]), int(m[2]), int(m[3]), lo, hi)
        if v is None:
            return None
        zone = re.search(r"(Z|[+-]\d{2}:?\d{2})$", value) if m[4] else None
        return v, (None if not zone else int(m[4]) if zone[1] in _ZERO else -1)
    found = _find_dates(value[:80], order, lo, hi)
    if not found:
        return None
    _, e, v, _ = found[0]
    t = _TIME_RE.match(value, e + (1 if e < len(value) and value[e] in "T |,-" else 0)) or \
        _TIME_RE.search(value, e, e + 12)
    if t is None or not (t[2] or t[3]):
        return v, None
    offsets = [z.replace(":", "") for z in (t[2], t[3]) if z and z[0] in "+-"]
    return v, (int(t[1]) if all(z[1:] == "0000" for z in offsets) else -1)


# --- the page as candidates ---------------------------------------------------------------------------------------

@dataclass(slots=True)
class _Cand:
    date: date
    src: str                # ld | meta | itemprop | time | text | url
    key: str = ""           # kind and name: "pub", "mod", "pub:article:published_time", "other-pub"...
    utc: int | None = None  # hour of a UTC time; -1 for a time with another offset; None: no zone
    pos: int = -1           # offset in the page's visible text (visible dates, <time>, microdata)
    skip: bool = False      # inside a comment, sidebar, footer, menu, list of other articles...
    datectx: bool = False   # inside an element whose class/id speaks of a date, a byline, a post's meta
    cue: str = ""           # "pub" or "upd": what the words next to it say
    amb: bool = False       # a numeric date read by the page's day/month order


@dataclass(slots=True)
class _Page:
    lang: str | None = None
    cands: list[_Cand] = field(default_factory=list)
    heads: list[int] = field(default_factory=list)  # offsets of the article's title in the visible text
    urls: list[str] = field(default_factory=list)   # the URL given, canonical link, og:url
    month: tuple[int, int] | None = None           # year and month of a URL such as /2011/12/slug
    orders: list[str] = field(default_factory=list)  # "dmy"/"mdy" of each unambiguous numeric date


_NO_TEXT = frozenset({"script", "style", "noscript", "template", "textarea", "select", "option", "head", "title",
                      "svg", "math", "iframe", "object"})
_OUTER = frozenset({"html", "body", "main", "article"})  # their classes describe the whole page, not a part of it
_LD_KEYS = {"datepublished": "pub", "datecreated": "created", "uploaddate": "pub", "datemodified": "mod"}
_LD_RE = re.compile(r'"(datePublished|dateCreated|uploadDate|dateModified)"\s*:\s*"([^"]{6,40})"')
_LD_SKIP = frozenset({"publisher", "author", "creator", "logo", "comment", "review"})
_GENERIC_META = frozenset({"date", "dc.date", "dcterms.date", "dc:date"})
_URL_DATE_RES = (re.compile(r"(?<!\d)((?:19|20)\d{2})[/_-](\d{1,2})[/_-](\d{1,2})(?!\d)"),
                 re.compile(r"(?<!\d)((?:19|20)\d{2})(\d{2})(\d{2})(?!\d)"))
_URL_MONTH_RE = re.compile(r"/((?:19|20)\d{2})/(\d{1,2})/(?!\d)")
_TITLE_SPLIT = re.compile(r"\s+[|\-–—:·»/]+\s+")


def _read(html: str, url: str | None, lo: date, hi: date) -> _Page:
    import lxml.html
    from lxml import etree

    P = _patterns()
    page = _Page()
    parser = lxml.html.HTMLParser(encoding="utf-8", huge_tree=True, remove_comments=True, remove_pis=True)
    try:
        root = lxml.html.document_fromstring(html.encode("utf-8", errors="replace"), parser=parser)
    except (etree.ParserError, ValueError):
        return page
    page.lang = _page_lang(root)
    order = _order(page.lang, url)
    if url:
        page.urls.append(url)
    add = page.cands.append

    def value(v: str | None, src: str, key: str, **kw) -> None:
        if v:
            r = _parse_value(v, order, lo, hi)
            if r is not None:
                add(_Cand(r[0], src, key, r[1], **kw))

    buf = ""  # the last visible characters, for cues that end in an earlier text node ("<b>Datum:</b> 03.02.2022")
    pos = 0

    def scan(text: str | None, skip: bool, datectx: bool) -> None:
        nonlocal buf, pos
        if not text:
            return
        if _DIGIT_RE.search(text):
            for s, e, v, amb in _find_dates(text, order, lo, hi, page.orders):
                before = (buf + text[:s])[-60:]
                cue = "upd" if P.cue_upd.search(before) else \
                    "pub" if P.cue_pub.search(before) or P.cue_after.match(text, e) else ""
                add(_Cand(v, "text", "", None, pos + s, skip, datectx, cue, amb))
        buf = (buf + text)[-60:]
        pos += len(text)

    headings: list[tuple[int, str, str]] = []
    titles: list[str] = []
    stack: list[tuple[bool, bool, bool]] = [(False, False, False)]  # (no text, skip, datectx) of the open elements
    for event, el in etree.iterwalk(root, events=("start", "end")):
        if event == "end":
            stack.pop()
            notext, skip, datectx = stack[-1]
            if not notext:
                scan(el.tail, skip, datectx)
            continue
        tag = el.tag if isinstance(el.tag, str) else ""
        notext, skip, datectx = stack[-1]
        notext = notext or tag in _NO_TEXT
        if tag == "meta":
            key = (el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv") or "").lower()
            content = el.get("content")
            kind = _meta_kind(key) if key else None
            if kind:
                value(content, "meta", f"{kind}:{key}")
            if key == "og:url" and content:
                page.urls.append(content)
            elif key in ("og:title", "twitter:title") and content:
                titles.append(content)
        elif tag == "link" and (el.get("rel") or "").lower() == "canonical" and el.get("href"):
            page.urls.append(el.get("href"))
        elif tag == "script" and "ld+json" in (el.get("type") or "").lower() and el.text:
            found: list[tuple[str, str]] = []
            try:
                _walk_ld(json.loads(el.text.strip().strip(";")), found, True, P.article_types)
            except (ValueError, RecursionError):  # broken JSON: its date fields all the same
                found = [(_LD_KEYS[k.lower()], v) for k, v in _LD_RE.findall(el.text)]
            for kind, v in found:
                value(v, "ld", kind)
        elif tag == "title" and el.text:
            titles.append(el.text)

        attrs = "" if tag in _OUTER else " ".join(filter(None, (el.get("class"), el.get("id")))).lower()
        if tag in P.skip_tags or (attrs and not skip and P.skip_ctx.search(attrs)):
            skip = True
        elif tag == "a" and not skip and not _own_link(el, page.urls) and len(_norm(el.text_content())) > 40:
            skip = True  # a link to another article (its title and date): a list of other articles
        datectx = datectx or bool(attrs and P.date_ctx.search(attrs))
        prop = (el.get("itemprop") or "").lower()
        if prop in ("datepublished", "datecreated", "datemodified") and tag != "meta":
            value(el.get("content") or el.get("datetime") or el.text_content()[:80], "itemprop",
                  "mod" if prop == "datemodified" else "pub", pos=pos, skip=skip)
        if tag == "time":
            flags = f"{attrs} {prop}" + (" pubdate" if el.get("pubdate") is not None else "")
            kind = "pub" if "publi" in flags or "pubdate" in flags else \
                "upd" if "updat" in flags or "modif" in flags else ""
            value(el.get("datetime") or el.get("content"), "time", kind, pos=pos, skip=skip, datectx=datectx,
                  cue="upd" if kind == "upd" else "")
        elif tag in ("h1", "h2"):
            headings.append((pos, tag, _norm(el.text_content())))
        stack.append((notext, skip, datectx))
        if not notext:
            scan(el.text, skip, datectx)

    page.heads = _title_headings(headings, titles)
    # numeric dates read by the language's order are read again when the page's unambiguous dates say otherwise
    if page.orders:
        seen = max(("dmy", "mdy"), key=page.orders.count)
        if seen != (order or "dmy") and page.orders.count(seen) > len(page.orders) / 2:
            for c in page.cands:
                if c.amb:
                    c.date = _valid(c.date.year, c.date.day, c.date.month, lo, hi) or c.date
    for u in page.urls:
        m = _URL_DATE_RES[0].search(u) or _URL_DATE_RES[1].search(u)
        v = _valid(int(m[1]), int(m[2]), int(m[3]), lo, hi) if m else None
        if v is not None:
            add(_Cand(v, "url", u))
        m = _URL_MONTH_RE.search(u)
        if m and 1 <= int(m[2]) <= 12 and page.month is None:
            page.month = (int(m[1]), int(m[2]))
    return page


def _page_lang(root) -> str | None:
    for v in (root.get("lang"), root.get("xml:lang")):
        if v:
            return v.strip().lower().replace("_", "-")
    for m in root.iter("meta"):
        k = (m.get("http-equiv") or m.get("property") or m.get("name") or "").lower()
        if k in ("content-language", "og:locale", "language", "dc.language") and m.get("content"):
            return m.get("content").strip().lower().replace("_", "-")
    return None


def _order(lang: str | None, url: str | None = None) -> str | None:
    """How the page writes numeric dates: "mdy" (US English), "dmy", or None when its language is unknown. English
    without a region takes it from the URL's country domain (.uk, .ie, .au, .in... write day first)."""
    if not lang:
        return None
    d = _data()
    base, _, region = lang.partition("-")
    if base not in d["month_first"]:
        return "dmy"
    if not region and url:
        m = re.match(r"^[a-z]+://[^/:?#]+\.([a-z]{2})(?=[/:?#]|$)", url.strip().lower())
        region = m[1] if m else ""
    return "dmy" if region[:2] in d["day_first_regions"] else "mdy"


def _walk_ld(obj, out: list[tuple[str, str]], article: bool, types_ok: frozenset[str], depth: int = 0) -> None:
    """The date fields of a JSON-LD document, "pub"/"created"/"mod" for article-like objects, "other-..." for
    others (a video's upload date, an image's). The publisher, author and comments are not walked into."""
    if depth > 8:
        return
    if isinstance(obj, list):
        for o in obj:
            _walk_ld(o, out, article, types_ok, depth + 1)
        return
    if not isinstance(obj, dict):
        return
    types = obj.get("@type") or ""
    types = [t.lower() for t in (types if isinstance(types, list) else [types]) if isinstance(t, str)]
    art = any(t in types_ok for t in types) if types else article
    for k, v in obj.items():
        kind = _LD_KEYS.get(k.lower())
        if kind and isinstance(v, str):
            out.append((kind if art else "other-" + kind, v))
        elif isinstance(v, (dict, list)) and k.lower() not in _LD_SKIP:
            _walk_ld(v, out, art and k in ("@graph", "mainEntity", "mainEntityOfPage"), types_ok, depth + 1)


def _meta_kind(key: str) -> str | None:
    """"pub", "generic" (a bare date), "mod", or None (not a date) for a meta tag's name."""
    d = _data()
    if any(t in key for t in d["not_date_keys"]):
        return None
    if any(t in key for t in d["modified_keys"]):
        return "mod"
    if any(t in key for t in d["publish_keys"]):
        return "generic" if key in _GENERIC_META else "pub"
    return None


def _norm(t: str) -> str:
    return " ".join(t.split()).casefold()


def _title_headings(headings: list[tuple[int, str, str]], titles: list[str]) -> list[int]:
    """Where the article's title is shown: the <h1>/<h2> headings that repeat the page's title (its <title> or
    og:title, or a part of it between separators); the first <h1> when none does."""
    parts = set()
    for t in titles:
        t = _norm(t)
        parts.add(t)
        parts.update(p for p in _TITLE_SPLIT.split(t) if len(p) >= 8)
    found = [pos for pos, _, text in headings if len(text) >= 8 and (
        text in parts or any(len(text) >= 15 and (text in p or p in text) for p in parts))]
    return found or [pos for pos, tag, _ in headings if tag == "h1"][:1]


def _bare(u: str) -> str:
    return re.sub(r"^[a-z]+://[^/]+", "", u.strip().lower()).split("#")[0].rstrip("/")


def _own_link(el, urls: list[str]) -> bool:
    """A permalink to the page itself (``rel=bookmark``, an href to the page's URL), as blogs put around a date."""
    if "bookmark" in (el.get("rel") or "").lower():
        return True
    href = el.get("href")
    if not href or not urls:
        return False
    if href.startswith("#"):
        return True
    h = _bare(href)
    return bool(h) and any(b == h or b.endswith(h) for b in map(_bare, urls))


# --- choosing -----------------------------------------------------------------------------------------------------

_STRONG = ("itemprop:pub", "ld:pub", "meta:pub", "time:pub")  # the page's own "published" fields, best first
_WEAK = ("ld:created", "meta:generic", "ld:other-pub")         # fields that are often, not always, the publication
_DAY = timedelta(days=1)


def _family(c: _Cand) -> str:
    if c.src == "url":
        return "url"
    if c.src == "meta":
        return "meta:" + c.key.partition(":")[0]
    return c.src + ":" + c.key


def _evidence(page: _Page) -> dict[str, _Cand]:
    """The first candidate of each kind of evidence that votes: struct (or weak when there is no struct), url,
    header (a visible date near the title), header_ctx (one that is also in a date/byline element or after a publish
    cue), cue (a visible date after a publish cue, anywhere) and time (the first <time> element)."""
    w0, w1 = _patterns().window
    first: dict[str, _Cand] = {}
    for c in page.cands:
        if c.skip or c.cue == "upd":
            continue
        first.setdefault(_family(c), c)
        if c.src in ("text", "time"):
            if c.src == "time":
                first.setdefault("time", c)
            if any(h - w0 <= c.pos <= h + w1 for h in page.heads):
                first.setdefault("header", c)
                if c.datectx or c.cue == "pub":
                    first.setdefault("header_ctx", c)
            if c.cue == "pub":
                first.setdefault("cue", c)
    ev: dict[str, _Cand] = {}
    strong = next((first[f] for f in _STRONG if f in first), None)
    weak = next((first[f] for f in _WEAK if f in first), None)
    if strong is not None:
        ev["struct"] = strong
    elif weak is not None:
        ev["weak"] = weak
    for f in ("url", "header", "header_ctx", "cue", "time"):
        if f in first:
            ev[f] = first[f]
    return ev


def _vote(ev: dict[str, _Cand], hd: date | None, hd_extensive: bool, month: tuple[int, int] | None,
          weights: dict[str, float]) -> tuple[date, str] | None:
    """The date with the most weight, "stated" when only visible text (none of the markup) speaks for it."""
    P = _patterns()
    local = {c.date for c in ev.values() if c.utc is None or c.utc < 0}
    if hd is not None:
        local.add(hd)
    votes: dict[date, float] = {}
    markup: set[date] = set()
    shown: set[date] = set()
    for name, c in ev.items():
        d = c.date
        if c.utc is not None and c.utc >= 0:  # a UTC time near midnight: follow a local date that says so
            if c.utc < P.utc_back and d - _DAY in local:
                d -= _DAY
            elif c.utc >= P.utc_ahead and d + _DAY in local:
                d += _DAY
        votes[d] = votes.get(d, 0.0) + weights[name]
        (shown if c.src == "text" else markup).add(d)
    if hd is not None:
        votes[hd] = votes.get(hd, 0.0) + weights["htmldate_extensive" if hd_extensive else "htmldate"]
    if not votes:
        return None
    if month is not None:
        for d in votes:
            if (d.year, d.month) == month:
                votes[d] += weights["url_month"]
    best = max(votes, key=votes.__getitem__)
    return best, "stated" if best in shown and best not in markup else "metadata"


def _htmldate(html: str, url: str | None, lo: date, hi: date, extensive: bool) -> tuple[date | None, bool]:
    """htmldate's date (the original one rather than an update), and whether only its extensive search found it."""
    from htmldate import find_date

    kw = dict(url=url, original_date=True, outputformat="%Y-%m-%d", min_date=lo.isoformat(), max_date=hi.isoformat())
    for ext in (False, True) if extensive else (False,):
        try:
            v = find_date(html, extensive_search=ext, **kw)
        except Exception:  # htmldate failing on a hostile page is no reason to lose the page's other dates
            v = None
        if v:
            d = date.fromisoformat(v)
            if ext and d.month == 1 and d.day == 1:
                break  # a bare year (a copyright line, "2019" in a menu) that htmldate filled out to 1 January
            return d, ext
    return None, False
