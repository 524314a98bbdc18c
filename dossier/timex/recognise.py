"""Recognition: tokens, the class string, pattern matches, and the tense around a match.

``tokenize(text)`` cuts the text into :class:`Tok` records and the string of their class characters;
``matches(tokens, classes)`` runs the grammar over that string and keeps the longest non-overlapping matches;
``tense(tokens, i, j)`` reads the verbs near tokens ``i..j`` and says whether they report the past or the future.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lexicon import lexicon


@dataclass(slots=True)
class Tok:
    start: int
    end: int
    text: str
    cls: str
    val: object = None


def _number(t: str) -> tuple[str, object]:
    low = t.lower().replace("’", "'")
    m = _DECADE.fullmatch(low)
    if m:
        d = m.group(1)
        return "DECADE", (int(d[:2]) if len(d) == 4 else None, int(d[-2]))
    if low[-2:] in ("st", "nd", "rd", "th") and low[:-2].isdigit():
        return "ORDNUM", int(low[:-2])
    if low.isdigit():
        v = int(low)
        if len(low) == 4 and 1000 <= v <= 2099:
            return "YEAR4", v
        if len(low) <= 2:
            return "NUM2", v
        return "NUM", v
    try:
        if "/" in low:
            a, b = low.split("/")
            return "NUM", float(a) / float(b)
        return "NUM", float(low.replace(",", ""))
    except (ValueError, ZeroDivisionError):
        return "WORD", None


_DECADE = re.compile(r"(\d{3}0|\d0)(?:'s|s)")


def tokenize(text: str) -> tuple[list[Tok], str]:
    lx = lexicon()
    words, cap, sym = lx.words, lx.capitalised, lx.sym
    toks: list[Tok] = []
    chars: list[str] = []
    for m in lx.token_rx.finditer(text):
        g = m.lastgroup
        t = m.group()
        cls, val = "WORD", None
        if g == "word" or g == "alnum":  # most tokens: tested first
            low = t.lower()
            e = words.get(low)
            if e is not None and (low not in cap or t[0].isupper()):
                cls, val = e
        elif g == "p":
            cls = _PUNCT.get(t, "PUNCT")
        elif g == "mw":
            low = " ".join(t.lower().split()).replace("’", "'")
            e = words.get(low)
            if e is not None and (low not in cap or t[0].isupper()):
                cls, val = e
        elif g == "num":
            cls, val = _number(t)
        elif g == "nd":
            cls, val = "NUMDATE", t
        elif g == "fy":
            digits = t.lstrip("FYfy'’")
            cls, val = "FYEAR", int(digits) if len(digits) == 4 else 2000 + int(digits)
        elif g == "clock":
            cls, val = "CLOCK", t
        elif g == "sy":
            digits = t[1:3]
            cls, val = ("DECADE", (None, int(digits[0]))) if t.endswith("s") else ("SHORTYEAR", int(digits))
        elif g == "nl":
            cls = "NL"
        start, end = m.span()
        toks.append(Tok(start, end, t, cls, val))
        chars.append(sym[cls])
    return toks, "".join(chars)


_PUNCT = {"-": "HY", "–": "HY", ",": "COMMA", ".": "DOT", "/": "SLASH", "'": "APOS", "’": "APOS"}


@dataclass(slots=True)
class Match:
    i: int           # first token
    j: int           # one past the last token
    kind: str
    order: int
    groups: dict     # range ends: name -> (i, j)


def matches(toks: list[Tok], classes: str, accept=None) -> list[Match]:
    """Longest non-overlapping matches of the grammar over the class string, in text order. ``accept(match)``
    may veto a candidate before overlaps are resolved (so a shorter valid reading can take its place)."""
    lx = lexicon()
    cands: list[Match] = []
    present = set(classes)
    for p in lx.patterns:
        if any(map(present.isdisjoint, p.needs)):
            continue  # the text lacks a class every match of p has ("the 1990s" needs a DECADE)
        for m in p.rx.finditer(classes):
            i, j = m.span()
            if i == j:
                continue
            groups = {k: m.span(k) for k, v in m.groupdict().items() if v is not None} if p.rx.groupindex else {}
            c = Match(i, j, p.kind, p.order, groups)
            if accept is None or accept(c):
                cands.append(c)
    cands.sort(key=lambda c: (-(toks[c.j - 1].end - toks[c.i].start), c.order, c.i))
    taken = bytearray(len(toks))
    out = []
    for c in cands:
        if any(taken[c.i:c.j]):
            continue
        taken[c.i:c.j] = b"\x01" * (c.j - c.i)
        out.append(c)
    out.sort(key=lambda c: c.i)
    return out


def tense(toks: list[Tok], i: int, j: int, window: int = 12) -> str | None:
    """``past``, ``future``, ``present`` or None for the expression at tokens i..j: a preposition right before it
    ("until", "since"), else the nearest verb signal in its clause, looking left first (the governing verb usually
    comes before an adjunct), then right. A participle takes the tense of its auxiliary ("will be held", "is
    heard", "has signed")."""
    t = lexicon().tense
    bounds = t["_boundaries"]
    n = len(toks)

    def word(k: int) -> str:
        return toks[k].text.lower() if 0 <= k < n else ""

    def clause_has(words, lo: int, hi: int) -> bool:
        k = lo - 1
        while k >= 0 and lo - k <= window and toks[k].text not in bounds:
            if word(k) in words:
                return True
            k -= 1
        k = hi
        while k < n and k - hi < window and toks[k].text not in bounds:
            if word(k) in words:
                return True
            k += 1
        return False

    if i > 0:
        p = word(i - 1)
        if " ".join(word(k) for k in range(i - 3, i)) in t["_prep_future"]:  # "as early as Tuesday"
            return "future"
        if p in t["_prep_future"]:  # "until Friday", but "had not called until Friday"
            return "past" if clause_has(t["_past_perfect"], i, j) else "future"
        if p in t["_prep_past"]:
            return "past"

    def adjective(k: int) -> bool:
        """"a still unspecified date", "the newly created unit": an -ed word after a determiner is no verb."""
        b1 = word(k - 1)
        return b1 in t["_determiners"] or (word(k - 2) in t["_determiners"] and (
            b1.endswith("ly") or b1 in ("still", "yet", "not")))

    def subordinate(k: int) -> bool:
        """"when the case is heard in May", "if it is approved Friday": a present tense in a clause of time or
        condition speaks of the future."""
        return any(word(x) in t["_future_subordinators"] for x in range(k - 4, k))

    def signal(k: int) -> str | None:
        w = word(k)
        if w in t["_future_modal"] or (w in t["_future_lexical"] and word(k + 1) in t["_future_lexical_before"]) or \
                f"{w} {word(k + 1)}" in t["_future_lexical"]:
            if word(k - 1) in t["_past_perfect"] or (word(k - 1) == "been" and word(k - 2) in t["_past_perfect"]):
                return "past"  # "had been due to expire Friday", "had been scheduled for Monday"
            return "future"
        if w in t["_present"] and word(k + 1) == "to":
            return "future"  # "is to resume trading Tuesday"
        if w in t["_present"]:
            return "future" if subordinate(k) else "present"
        if w in t["_past"] or (len(w) > 4 and w.endswith("ed") and w not in t["_not_past_ed"]
                               and toks[k].cls == "WORD" and not adjective(k)):
            b1 = word(k - 1)  # the auxiliary of a participle: "will be held", "is heard", "has been signed"
            if b1 in t["_future_modal"]:
                return "future"
            if b1 in ("be", "been"):  # "will (still) be held", "to be signed"
                for b in (k - 2, k - 3):
                    if word(b) in t["_future_modal"] or word(b) == "to":
                        return "future"
                return "past"
            if b1 in t["_passive_present"]:
                return "future" if b1 != "being" and subordinate(k - 1) else "present"
            return "past"
        return None

    k = i - 1
    while k >= 0 and i - k <= window and toks[k].text not in bounds:
        s = signal(k)
        if s:
            return s
        k -= 1
    k = j
    while k < n and k - j < window and toks[k].text not in bounds:
        s = signal(k)
        if s:
            return s
        k += 1
    return None
