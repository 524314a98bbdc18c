"""The timex stage: time expressions with TIMEX3 values read against the publication date.

``annotate(text, published)`` finds the expressions and normalises each one. The reference date is the
publication date; for an undated document with an inferred interval the text is read twice, against each end of
the interval, and what the two readings disagree on is left unspecified (``X``): "last year" read against
2026-01-15/2026-02-14 is 2025 either way, "on Tuesday" is 2026-XX-XX. With neither, only what the text itself
fixes is kept ("February 25" becomes XXXX-02-25). A range ("between 2019 and 2022", "from March 1 to 5") gives
one expression per end.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator

from ..document import Document, Published
from ..pipeline import register
from .normalise import READERS, Reading, _spelled_year, read_range
from .recognise import Match, Tok, matches, tokenize

# two reference dates that differ in every field (year, quarter, month, ISO week, weekday, day): reading a text
# against both and masking the differences keeps exactly what does not depend on the reference
_UNANCHORED = (dt.date(2001, 1, 1), dt.date(2002, 7, 17))


def _abbrev_dot(toks: list[Tok], k: int) -> bool:
    prev = toks[k - 1] if k > 0 else None
    return prev is not None and prev.cls in ("MONTH", "WEEKDAY") and len(prev.text) <= 4 and \
        prev.end == toks[k].start and prev.text.lower() not in _FULL_SHORT  # "Oct." but not the full stop of "May."


_FULL_SHORT = frozenset(("may", "june", "july"))


def _accept(toks: list[Tok]):
    """Context checks on a candidate match, before overlaps are resolved (data/timex_policy.json)."""
    from .normalise import policy

    pol = policy()
    n = len(toks)

    def text(k: int) -> str:
        return toks[k].text.lower() if 0 <= k < n else ""

    reject = pol["gate_reject"]

    def ok(m: Match) -> bool:
        seq = toks[m.i:m.j]
        kind = m.kind
        nxt = text(m.j)
        if _in_title(toks, m.i, m.j, pol["title_classes"]):
            return False  # "This Week" (a TV show), "High Noon" (a film), "VOA Today": part of a name
        if kind == "ref" and seq[0].cls == "REL" and (
                seq[0].text.lower() not in pol["rel_refs"] or nxt in pol["rel_ref_not_before"]):
            return False  # "current" alone is a reference ("current market conditions"), not "current account"
        if reject and gate_key(kind, seq, toks[max(0, m.i - 2):m.i]) in reject:
            return False
        if kind == "year" and len(seq) == 1 and seq[0].cls == "YEAR4" and (
                text(m.i - 1) in pol["year_not_after"] or nxt in pol["year_not_before"]):
            return False  # "$2019", "2019%"
        if kind == "decade" and text(m.i - 1) in pol["decade_not_after"]:
            return False  # "when Kopp was in his 30s": an age
        if kind == "year" and all(t.cls in ("NUMWORD", "HY") for t in seq):
            return _spelled_year(seq) is not None
        if kind == "century":
            u = next((t for t in seq if t.cls == "UNIT"), None)
            return u is not None and u.val == "CE"
        if kind in ("relunit", "quarter") and len(seq) == 2 and seq[0].cls == "THE" and \
                f"the {seq[1].text.lower()}" not in pol["bare_the_units"]:
            return False
        if kind in ("duration", "ago", "set") and (nxt in pol["duration_not_before"] or (
                nxt == "-" and text(m.j + 1) in pol["duration_not_before"])):
            return False  # "a 44-year-old", "52 years old"
        if seq[-1].cls in ("QUARTER", "UNITS") and seq[-1].val == "Q" and nxt == "of" and kind != "quarter" and \
                toks[m.j - 2].cls in ("ART", "HY"):
            return False  # "more than a quarter of", "three-quarters of"
        if kind in ("quarter", "relunit") and nxt == "-" and seq[-1].cls in ("QUARTER", "UNIT"):
            return False  # "the quarter-to-quarter comparison", "the year-ago results" (read as "year-ago")
        if kind == "ago" and seq[-1].cls == "LATER" and any(
                t.cls in ("UNIT", "UNITS") and t.val in pol["later_is_duration"] for t in seq):
            return False  # "three days later": the duration "three days" (TimeML), but "a year earlier" a date
        if kind == "daypart" and (text(m.i - 1) not in pol["daypart_after"] or nxt in ("of", "'s", "’s")):
            return False  # a part of the day alone counts after a preposition: "in the morning", not "the night of"
        if kind == "ref":
            w = " ".join(seq[-1].text.lower().split())
            if text(m.i - 1) in pol["not_after"].get(w, ()):
                return False
        full_date = kind in ("date", "range") or (kind == "month" and any(x.cls == "YEAR4" for x in seq))
        for k in range(m.i, m.j):  # an abbreviation ("Sun", "Jan") counts only with its dot or in a full date
            t = toks[k]
            if t.cls in ("WEEKDAY", "MONTH") and t.text.lower() in pol["abbreviations_need_dot"] and \
                    text(k + 1) != "." and not full_date:
                return False
        return True

    return ok


def _titled(t: Tok) -> bool:
    return t.text[:1].isupper() and not t.text.isupper()


def _in_title(toks: list[Tok], i: int, j: int, classes) -> bool:
    """A time word written with a capital inside a name: after another word of the match ("This Week") or after
    a capitalised word ("High Noon", "VOA Today"). Holidays ("Thanksgiving Day") are not of these classes."""
    for k in range(i, j):
        t = toks[k]
        if t.cls in classes and _titled(t):
            if k > i:
                return True
            prev = toks[k - 1] if k > 0 else None
            if prev is not None and prev.cls == "WORD" and prev.text[:1].isupper() and prev.end + 1 == t.start:
                return True
    return False


_YEAR_KINDS = ("year", "relunit", "date", "month", "quarter", "season")
_AMOUNTS = ("NUM2", "NUM", "NUMWORD", "FEW", "ART", "YEAR4", "ORD", "ORDNUM")


def gate_key(kind: str, seq: list[Tok], before: list[Tok] = ()) -> str | None:
    """The key of a candidate whose reading rests on one word (or one context) and a learned gate can veto
    (data/timex_policy.json gate_reject, fitted by bench/time_bench.py --fit): "ref:now", "set:daily",
    "duration:recent years", "the:the week"; "rate" for "a year" after an amount ("$500 million a year", "four
    flights a week", "24 hours a day": the unit of a rate, part of a quantity). ``before``: the (up to two) tokens
    before the candidate. None for everything else."""
    words = " ".join(" ".join(t.text.lower() for t in seq).split())
    if kind == "ref":
        return "ref:" + words
    if kind == "set" and len(seq) == 1:
        return "set:" + words
    if kind == "duration" and len(seq) == 2 and seq[0].cls == "ART" and seq[1].cls == "UNIT" and before and (
            _amount_word(before[-1]) or len(before) == 2 and _amount_word(before[0]) and
            before[1].cls in ("WORD", "UNITS")):
        return "rate"
    if kind == "duration" and not any(t.cls in _AMOUNTS for t in seq):
        return "duration:" + words
    if kind in ("relunit", "quarter") and len(seq) == 2 and seq[0].cls == "THE":
        return "the:" + words
    return None


def _amount_word(t: Tok) -> bool:
    """A number or the end of an amount: "4", "1.76", "four", "million", "%"."""
    return t.cls in ("NUM2", "NUM", "NUMWORD") or t.text.lower() in _AMOUNT_ENDS


_AMOUNT_ENDS = frozenset(("million", "billion", "trillion", "%", "percent", "cents"))


def _span(toks: list[Tok], i: int, j: int) -> tuple[int, int]:
    """The extent as TimeML marks it: no trailing punctuation (but the dot of "Oct."), and no article before a
    duration used as an adjective ("a [two-year] option", "the [third-quarter] loss")."""
    while j - 1 > i and toks[j - 1].cls in ("DOT", "COMMA", "HY") and not (
            toks[j - 1].cls == "DOT" and _abbrev_dot(toks, j - 1)):
        j -= 1
    while i < j - 1 and toks[i].cls in ("COMMA", "HY", "DOT"):
        i += 1
    if j - i >= 3 and toks[i].cls in ("ART", "THE") and toks[j - 1].cls in ("UNIT", "QUARTER") and \
            j < len(toks) and toks[j].cls == "WORD" and toks[j].text.islower() and (
            toks[j - 2].cls == "HY" or toks[i].cls == "ART" and toks[i + 1].cls in ("NUMWORD", "NUM2", "NUM")):
        i += 1
    return i, j


def _read(r: Reading, toks: list[Tok], ms: list[Match], keys: dict | None = None) -> dict:
    """One pass over the matches in text order: (i, j) -> (type, value, mod, relative)."""
    out = {}
    for m in ms:
        if m.kind == "range":
            (il, jl), (ir, jr) = m.groups["l"], m.groups["r"]
            try:
                a, b = read_range(r, toks[il:jl], toks[ir:jr], il, jl, ir, jr)
            except (ValueError, ArithmeticError):
                continue
            if a is not None and b is not None:
                out[_span(toks, il, jl)] = a
                out[_span(toks, ir, jr)] = b
            continue
        i, j = _span(toks, m.i, m.j)
        try:
            got = READERS[m.kind](r, toks[i:j], i, j)
        except (ValueError, ArithmeticError):  # a reading outside the calendar (year 10000)
            continue
        if got is not None and got[1]:
            out[(i, j)] = got
            if m.kind in _YEAR_KINDS and got[0] == "DATE":
                r.note_year(got[1], j)
            if got[0] in ("DATE", "TIME"):
                r.note_date(got[1])
            if keys is not None:
                keys[(i, j)] = gate_key(m.kind, toks[m.i:m.j], toks[max(0, m.i - 2):m.i])
    return out


def _mask(a: str, b: str) -> str:
    """What two readings of one expression agree on: each field (year, month, week, day, ...) on which they
    differ becomes X ("2026-01-06" and "2026-02-03" give "2026-XX-XX"; "2001-02-25" and "2002-02-25" give
    "XXXX-02-25")."""
    if a == b:
        return a
    fa, fb = _FIELDS.findall(a), _FIELDS.findall(b)
    if len(fa) != len(fb) or [_DIGIT.sub("0", x) for x in fa] != [_DIGIT.sub("0", x) for x in fb]:
        return _DIGIT.sub("X", a)
    return "".join(x if x == y else _DIGIT.sub("X", x) for x, y in zip(fa, fb, strict=True))


_FIELDS = re.compile(r"[^\d]*\d*")
_DIGIT = re.compile(r"\d")


def _refs(published) -> tuple[list[dt.date], str | None]:
    """Reference dates and the anchor string written for relative expressions."""
    if isinstance(published, Published):
        if published.date:
            published = published.date
        elif published.after or published.before:
            published = (published.after or published.before, published.before or published.after)
        else:
            published = None
    if isinstance(published, str) and "/" in published:
        published = tuple(published.split("/", 1))
    try:
        if isinstance(published, (tuple, list)):
            lo, hi = (dt.date.fromisoformat(str(x)[:10]) for x in published)
            if lo == hi:
                return [lo], lo.isoformat()
            lo, hi = min(lo, hi), max(lo, hi)
            return [lo, hi], f"{lo.isoformat()}/{hi.isoformat()}"
        if isinstance(published, dt.date):
            return [published], published.isoformat()
        if published:
            d = dt.date.fromisoformat(str(published)[:10])
            return [d], d.isoformat()
    except ValueError:
        pass
    return list(_UNANCHORED), None


def annotate(text: str, published: Published | str | tuple | dt.date | None = None, *,
             gate_keys: bool = False) -> list[dict]:
    """Time expressions of ``text`` read against ``published``: a Published record, a date ("2026-01-07"), an
    interval ("2026-01-15/2026-02-14" or a pair) or None. Returns dicts with start, end, text, type, value,
    anchor, mod, in text order (``gate_keys``: also "gate", the key of :func:`gate_key`, for fitting)."""
    if not text:
        return []
    refs, anchor = _refs(published)
    toks, classes = tokenize(text)
    ms = matches(toks, classes, _accept(toks))
    keys: dict = {}
    readings = [_read(Reading(ref, toks), toks, ms, keys if k == 0 else None) for k, ref in enumerate(refs)]
    out = []
    for key, (typ, value, mod, relative) in sorted(readings[0].items()):
        for other in readings[1:]:
            o = other.get(key)
            value = _mask(value, o[1]) if o is not None else _DIGIT.sub("X", value)
        i, j = key
        if value.startswith("XXXX-XX-XX"):  # an unresolved weekday is still that weekday: XXXX-WXX-6
            wd = next((t.val for t in toks[i:j] if t.cls == "WEEKDAY"), None)
            if wd is not None:
                value = f"XXXX-WXX-{wd}" + value[10:]
        start, end = toks[i].start, toks[j - 1].end
        out.append({"start": start, "end": end, "text": text[start:end], "type": typ, "value": value,
                    "anchor": anchor if relative else None, "mod": mod})
        if gate_keys:
            out[-1]["gate"] = keys.get(key)
    return out


@register("timex", requires=("text", "published"), assigns=("annotations",))
def timex(doc: Document) -> Document:
    doc.annotations = {**doc.annotations, "times": annotate(doc.text, doc.published)}
    return doc


def extract_jsonl(lines: Iterable[str]) -> Iterator[dict]:
    """``dossier extract times``: lines ``{"id", "text", "dct"}`` in, ``{"id", "timex": [{"start", "end",
    "type", "value"}]}`` out (the TempEval-3 prediction format of bench/score/timex.py). ``dct`` may be a date, an
    interval "A/B" or null."""
    from ..ingest.formats import text_records

    for n, row in text_records(lines):
        found = annotate(row["text"], row.get("dct"))
        yield {"id": row.get("id", n), "timex": [{k: t[k] for k in ("start", "end", "type", "value")}
                                                 for t in found]}
