"""Article text as safe HTML with highlighted spans.

Every character of an article goes through :func:`markupsafe.escape`; only the tags built here are markup. Spans
come in layers (the cited span outermost, then event sentences, then entities, times, quantities). Within a layer
spans never overlap (the earlier, then the longer, wins); a span of an inner layer that crosses the edge of an
outer one is cut at that edge, so the elements always nest. Removed boilerplate is inserted at its offset (``at``)
as hidden elements that a toggle shows.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from markupsafe import Markup, escape

LAYERS = ("cite", "event", "entity", "time", "quantity")


@dataclass(slots=True)
class Span:
    start: int
    end: int
    kind: str                     # one of LAYERS
    title: str = ""               # tooltip
    href: str | None = None       # entities link to their page
    attrs: dict[str, str] = field(default_factory=dict)  # extra data-* attributes
    id: str | None = None         # element id (the cited span: c-START-END)


@dataclass(slots=True)
class Point:
    at: int
    text: str
    reason: str


def _layer(spans: list[Span]) -> tuple[list[Span], list[int]]:
    """Non-overlapping spans of one layer, in text order (earlier start first, then longer), and their ends."""
    kept: list[Span] = []
    for s in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        if s.end <= s.start:
            continue
        if kept and s.start < kept[-1].end:
            continue
        kept.append(s)
    return kept, [s.end for s in kept]


def _open(s: Span) -> tuple[str, str]:
    cls = f"hl {s.kind}"
    parts = []
    if s.id:
        parts.append(f' id="{escape(s.id)}"')
    if s.kind == "cite":
        parts.insert(0, ' class="cite"')
        tag = "mark"
    else:
        parts.insert(0, f' class="{cls}"')
        tag = "a" if s.href else "span"
        if s.href:
            parts.append(f' href="{escape(s.href)}"')
    if s.title:
        parts.append(f' title="{escape(s.title)}"')
    parts.append(f' data-start="{int(s.start)}" data-end="{int(s.end)}"')
    for k, v in s.attrs.items():
        parts.append(f' data-{escape(k)}="{escape(v)}"')
    return f"<{tag}{''.join(parts)}>", f"</{tag}>"


def highlight(text: str, spans: list[Span], removed: list[Point] | None = None) -> Markup:
    """The text as HTML: each span an element (nested by layer), each removed block at its offset."""
    n = len(text)
    by_layer = {k: _layer([s for s in spans if s.kind == k and 0 <= s.start < s.end <= n]) for k in LAYERS}
    order = [k for k in LAYERS if by_layer[k][0]]
    points = sorted((p for p in removed or [] if p.text), key=lambda p: (min(max(p.at, 0), n)))
    out: list[str] = []
    pi = 0

    def point_html(p: Point) -> str:
        return (f'<span class="removed" data-reason="{escape(p.reason)}" title="removed: {escape(p.reason)}">'
                f"{escape(p.text)}</span>")

    def flush(upto: int, inclusive: bool) -> None:
        nonlocal pi
        while pi < len(points) and (min(max(points[pi].at, 0), n) < upto or
                                    inclusive and min(max(points[pi].at, 0), n) == upto):
            out.append(point_html(points[pi]))
            pi += 1

    def plain(a: int, b: int) -> None:
        nonlocal pi
        while pi < len(points) and min(max(points[pi].at, 0), n) < b:
            at = max(min(max(points[pi].at, 0), n), a)
            if at > a:
                out.append(str(escape(text[a:at])))
                a = at
            out.append(point_html(points[pi]))
            pi += 1
        if b > a:
            out.append(str(escape(text[a:b])))

    def walk(a: int, b: int, li: int) -> None:
        if li == len(order):
            plain(a, b)
            return
        layer, ends = by_layer[order[li]]
        i = bisect.bisect_right(ends, a)
        pos = a
        while i < len(layer) and layer[i].start < b:
            s = layer[i]
            cs, ce = max(s.start, a), min(s.end, b)
            if cs > pos:
                walk(pos, cs, li + 1)
            flush(cs, inclusive=True)
            head, tail = _open(s)
            out.append(head)
            walk(cs, ce, li + 1)
            out.append(tail)
            pos = ce
            i += 1
        if pos < b:
            walk(pos, b, li + 1)

    walk(0, n, 0)
    flush(n, inclusive=True)
    return Markup("".join(out))


def snippet(text: str, start: int, end: int, context: int = 120) -> Markup:
    """A span with some context around it, the span marked, everything escaped."""
    a = max(0, start - context)
    b = min(len(text), end + context)
    if a > 0:
        sp = text.find(" ", a, start)
        a = sp + 1 if sp != -1 else a
    if b < len(text):
        sp = text.rfind(" ", end, b)
        b = sp if sp != -1 else b
    return Markup("{}{}<mark>{}</mark>{}{}").format(
        "…" if a > 0 else "", text[a:start], text[start:end], text[end:b], "…" if b < len(text) else "")


def parse_range(value: str | None) -> tuple[int, int] | None:
    """``"12-40"`` → ``(12, 40)``; anything else → None."""
    if not value:
        return None
    a, sep, b = value.partition("-")
    if not sep or not a.isdigit() or not b.isdigit():
        return None
    start, end = int(a), int(b)
    return (start, end) if start < end else None
