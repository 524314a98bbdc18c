"""Time expressions, first pass: explicit dates and the clues that bound a publication date.

Finds, with their character offsets: full dates ("March 6, 2022", "6 March 2022", "2022-03-06", "Mar. 6, 2022"),
dates without a year ("January 15"), months ("November 2025", "early January 2026"), years ("in 2019") and weekdays
("on Tuesday"). The meta stage uses them to read a stated publication date and to infer an interval for undated
documents; the timex stage (a later issue) normalises every expression to TIMEX3 on top of this.
Tables (month and weekday names, modifiers) live in data/timex.json.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True, slots=True)
class TimeMention:
    start: int
    end: int
    text: str
    kind: str                 # date | monthday | month | year | weekday | iso
    year: int | None = None
    month: int | None = None
    day: int | None = None
    weekday: int | None = None
    mod: str | None = None    # START | MID | END for "early/mid/late January"
    not_past: bool = False    # preceded by "until", "next", ... or in a sentence about the future

    def bounds(self, year: int | None = None) -> tuple[dt.date, dt.date] | None:
        """First and last day the expression can mean (``year`` fills a missing year)."""
        y = self.year or year
        if y is None or not (1 <= y <= 9999):
            return None
        try:
            if self.day and self.month:
                d = dt.date(y, self.month, self.day)
                return d, d
            if self.month:
                first = dt.date(y, self.month, 1)
                last = (dt.date(y + (self.month == 12), self.month % 12 + 1, 1) - dt.timedelta(days=1))
                third = (last.day + 1) // 3
                if self.mod == "START":
                    return first, first + dt.timedelta(days=third - 1)
                if self.mod == "MID":
                    return first + dt.timedelta(days=third), first + dt.timedelta(days=2 * third - 1)
                if self.mod == "END":
                    return first + dt.timedelta(days=2 * third), last
                return first, last
            if self.kind == "year":
                return dt.date(y, 1, 1), dt.date(y, 12, 31)
        except ValueError:
            return None
        return None


@lru_cache(maxsize=1)
def _tables() -> dict:
    t = json.loads(resources.files("dossier").joinpath("data/timex.json").read_text("utf-8"))
    month = "|".join(sorted((re.escape(m) for m in t["months"]), key=len, reverse=True))
    wday = "|".join(sorted((re.escape(w) for w in t["weekdays"]), key=len, reverse=True))
    mods = "|".join(sorted((re.escape(m) for m in t["period_mods"]), key=len, reverse=True))
    t["_rx"] = [
        ("iso", re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?")),
        ("dmy", re.compile(r"\b(?P<d>[0-3]?\d)\.(?P<mo>[01]?\d)\.(?P<y>(?:19|20)\d{2})\b")),  # 05.03.2025: day first
        ("date", re.compile(rf"\b(?:(?:{wday})\.?,?\s+)?(?P<m>{month})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+"
                            rf"(?P<y>\d{{4}})\b", re.I)),
        ("date", re.compile(rf"\b(?:(?:{wday})\.?,?\s+)?0*(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?:of\s+)?"
                            rf"(?P<m>{month})\.?,?\s+(?P<y>\d{{4}})\b", re.I)),
        ("month", re.compile(rf"\b(?:(?P<mod>{mods})\s*)?(?P<m>{month})\.?,?\s+(?:of\s+)?(?P<y>\d{{4}})\b", re.I)),
        ("monthday", re.compile(rf"\b(?P<m>{month})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?!\s*,?\s*\d{{4}})", re.I)),
        ("monthday", re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m>{month})\b(?!\.?,?\s+\d{{4}})",
                                re.I)),
        ("weekday", re.compile(rf"\b(?:on\s+|last\s+|this\s+)?(?P<w>{wday.replace('|sun|', '|').replace('|sat|', '|')})"
                               rf"\b", re.I)),
        ("year", re.compile(r"\b(?:in|since|of|from|during|until|by)\s+(?P<y>(?:19|20)\d{2})\b(?!-\d)", re.I)),
    ]
    t["_past_block"] = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in t["not_past_before"]) + r")\s*$", re.I)
    t["_future"] = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in t["future_words"]) + r")\b", re.I)
    return t


def _sentence_start(text: str, start: int) -> int:
    return max(text.rfind(". ", 0, start), text.rfind("\n", 0, start)) + 1


def _sentence(text: str, start: int, end: int) -> str:
    a = _sentence_start(text, start)
    b = min((i for i in (text.find(". ", end), text.find("\n", end)) if i != -1), default=len(text))
    return text[a:b]


def find(text: str) -> list[TimeMention]:
    """Date-like expressions in ``text``, in order, without overlaps (longer kinds win)."""
    t = _tables()
    months, wdays, mods = t["months"], t["weekdays"], t["period_mods"]
    taken: list[tuple[int, int]] = []
    out: list[TimeMention] = []
    for kind, rx in t["_rx"]:
        for m in rx.finditer(text):
            s, e = m.span()
            if any(s < b and a < e for a, b in taken):
                continue
            g = m.groupdict()
            try:
                if kind == "iso":
                    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
                    dt.date(y, mo, d)
                    tm = TimeMention(s, e, m.group(0), "date", y, mo, d)
                elif kind == "dmy":
                    y, mo, d = int(g["y"]), int(g["mo"]), int(g["d"])
                    dt.date(y, mo, d)
                    tm = TimeMention(s, e, m.group(0), "date", y, mo, d)
                elif kind in ("date", "monthday"):
                    mo, d = months[g["m"].lower()], int(g["d"])
                    y = int(g["y"]) if g.get("y") else None
                    dt.date(y or 2000, mo, d)  # 2000 is a leap year: February 29 stays possible
                    tm = TimeMention(s, e, m.group(0), kind, y, mo, d)
                elif kind == "month":
                    mod = mods.get(g["mod"].lower().strip()) if g.get("mod") else None
                    tm = TimeMention(s, e, m.group(0), "month", int(g["y"]), months[g["m"].lower()], mod=mod)
                elif kind == "weekday":
                    if not m.group(0)[0].isupper() and not m.group(0).lower().startswith(("on ", "last ", "this ")):
                        continue
                    tm = TimeMention(s, e, m.group(0), "weekday", weekday=wdays[g["w"].lower()])
                else:
                    tm = TimeMention(s, e, m.group(0), "year", int(g["y"]))
            except (ValueError, KeyError):
                continue
            if g.get("m") and not g["m"][0].isupper():  # "may", "march" as words, not months
                continue
            before = text[max(0, s - 20):s]
            clause = re.split(r"[.;:!?\n]", _sentence(text, s, e)[: max(0, s - _sentence_start(text, s))])[-1][-60:]
            not_past = bool(t["_past_block"].search(before) or t["_future"].search(clause)
                            or m.group(0).lower().startswith(("until", "by ")))
            out.append(TimeMention(tm.start, tm.end, tm.text, tm.kind, tm.year, tm.month, tm.day, tm.weekday,
                                   tm.mod, not_past))
            taken.append((s, e))
    return sorted(out, key=lambda x: x.start)


def publication_words() -> re.Pattern:
    t = _tables()
    if "_pub" not in t:
        t["_pub"] = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in t["publication_words"]) + r")\b", re.I)
    return t["_pub"]
