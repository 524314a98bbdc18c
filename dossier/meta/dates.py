"""Publication dates read from the text: stated (a dateline, "Published on ..."), or inferred as an interval.

Stated: a full date in the page's date lines (removed header blocks, the first lines), standing alone or after a
publication word ("published", "date", "this story is from"). Inferred, when nothing states it: the document was
published after the latest dated event it reports (dates in a future or "until ..." clause do not count; a bare
weekday such as "on Tuesday" moves the bound to the first such day after it) and, taken as news, within a window
after it (data/meta.json: inferred_window_days).
"""

from __future__ import annotations

import datetime as dt

from .. import timex
from ..document import Document, Published
from . import rules

_DATELINE_MAX = 160


def stated_date(doc: Document) -> str | None:
    zones = [r.text for r in doc.removed if r.reason in rules()["stated_reasons"]]
    zones += [p for p in doc.text.split("\n\n")[:2] if len(p) <= _DATELINE_MAX]
    pub = timex.publication_words()
    for zone in zones:
        for m in timex.find(zone):
            if m.kind != "date" or not (m.year and m.month and m.day):
                continue
            rest = (zone[: m.start] + zone[m.end:]).strip(" ,.;:|-–—()")
            alone = len(zone) <= _DATELINE_MAX and (not rest or pub.search(zone[max(0, m.start - 30): m.start])
                                                     or _mostly_dates(zone))
            if alone:
                return dt.date(m.year, m.month, m.day).isoformat()
    return None


def _mostly_dates(zone: str) -> bool:
    spans = sum(m.end - m.start for m in timex.find(zone))
    letters = sum(c.isalnum() for c in zone)
    return letters > 0 and spans / max(1, len(zone)) >= 0.5


def inferred_interval(text: str) -> Published | None:
    mentions = [m for m in timex.find(text) if not m.not_past]
    explicit = [b for m in mentions if m.kind in ("date", "month") and (b := m.bounds())]
    if not explicit:
        return None
    anchor = max(lo for lo, _ in explicit)
    events = list(explicit)
    for m in mentions:
        if m.kind == "monthday":  # the year is the first that puts it on or after the latest dated event
            for year in (anchor.year, anchor.year + 1):
                b = m.bounds(year)
                if b and b[0] >= anchor:
                    events.append(b)
                    break
    after = max(lo for lo, _ in events)
    latest = max(hi for _, hi in events)
    weekdays = {m.weekday for m in mentions if m.kind == "weekday" and m.weekday is not None}
    if weekdays:
        after = max(after + dt.timedelta(days=(w - after.weekday()) % 7) for w in weekdays)
    before = max(latest, after) + dt.timedelta(days=rules()["inferred_window_days"])
    return Published(after=after.isoformat(), before=before.isoformat(), basis="inferred")
