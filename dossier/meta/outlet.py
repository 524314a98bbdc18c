"""Who published a document, read from the page itself.

In order: a credit line (data/meta.json credit_patterns: "MENAFN - Live Mint)", a copyright line); a site name the
page repeats in its furniture ("TheJakartaPost", "Jakarta Post", "... of The Jakarta Post"); an outlet that keeps
reporting its own interviews ("the embassy told Izvestia", three times or more).
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from ..document import Document
from . import rules

_NAME_LINE = re.compile(r"^(?:[A-Z][\w&.'-]*)(?:\s+[A-Z][\w&.'-]*){0,4}$")
_CAP_PHRASE = re.compile(r"\b(?:The\s+)?[A-Z][\w&'-]*(?:\s+[A-Z][\w&'-]*){0,4}")


@lru_cache(maxsize=1)
def _patterns():
    r = rules()
    return ([re.compile(p, re.M) for p in r["credit_patterns"]], re.compile(r["told_pattern"]))


def _squash(s: str) -> str:
    s = re.sub(r"[^a-z0-9]", "", s.lower())
    return s[3:] if s.startswith("the") and len(s) > 6 else s


def find_outlet(doc: Document) -> str | None:
    credit_lines, told = _patterns()
    removed = [r.text for r in doc.removed]
    head = "\n".join(removed + doc.text.split("\n\n")[:1])
    for rx in credit_lines:
        m = rx.search(head)
        if m and m.group("outlet").strip():
            return m.group("outlet").strip()
    page = "\n".join(removed + [doc.text])
    names = [r.text.strip() for r in doc.removed if r.reason == "other" and _NAME_LINE.match(r.text.strip())]
    counts = Counter(_squash(n) for n in names if len(_squash(n)) >= 4)
    for key, _ in counts.most_common():
        spelled = [p for p in _CAP_PHRASE.findall(page) if _squash(p) == key]
        if len(spelled) >= 2:
            with_spaces = [p for p in spelled if " " in p]
            return max(with_spaces or spelled, key=lambda p: (p.startswith("The "), len(p)))
    told_counts = Counter(m.group("outlet").removeprefix("the ") for m in told.finditer(doc.text))
    if told_counts:
        name, n = told_counts.most_common(1)[0]
        if n >= rules()["told_min"]:
            return name
    return None


def find_authors(doc: Document) -> list[str]:
    rx = re.compile(rules()["byline_pattern"])
    for block in [r.text for r in doc.removed] + doc.text.split("\n\n")[:3]:
        m = rx.match(block.strip())
        if m:
            return [a.strip() for a in re.split(r"\s*(?:,|\band\b|&)\s*", m.group("names")) if a.strip()]
    return []
