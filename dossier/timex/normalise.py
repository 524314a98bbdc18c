"""Normalisation: the tokens of a match read into a TIMEX3 type, value and mod, against a reference date.

Each pattern kind of data/timex_grammar.json has a reader here. A reader gets the match's tokens and a
:class:`Reading` context (the reference date, the tokens of the whole text for the tense heuristic, and what the
text mentioned last: a day, a quarter, for "a year earlier" and "the latest quarter"). It returns ``(type, value,
mod, relative)``; ``relative`` says the value depends on the reference date. None rejects the match.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from functools import lru_cache

from .lexicon import lexicon
from .recognise import Tok, tense

SEASONS = ("WI", "SP", "SU", "FA")  # in calendar order; a winter is named by the year of its January (_season_of)
_UNIT_DUR = {"Y": "Y", "M": "M", "W": "W", "D": "D", "H": "H", "MIN": "M", "S": "S", "DE": "DE", "CE": "CE",
             "ML": "ML", "Q": "Q", "WE": "WE", "FN": "W"}
_TIME_UNITS = {"H", "MIN", "S"}


def policy() -> dict:
    return lexicon().policy


@contextmanager
def policy_override(**changes):
    """Read with some choices of data/timex_policy.json changed (for fitting and cross-validation in bench/)."""
    lx = lexicon()
    saved = lx.policy
    lx.policy = {**saved, **changes}
    try:
        yield lx.policy
    finally:
        lx.policy = saved


class Reading:
    """The state of one pass over a document: reference date and discourse memory."""

    __slots__ = ("ref", "toks", "last_day", "last_quarter", "last_q_any", "last_year", "last_date", "fiscal_q",
                 "fiscal_alias", "_tense")

    def __init__(self, ref: dt.date, toks: list[Tok]):
        self.ref = ref
        self.toks = toks
        self.last_day: dt.date | None = None
        self.last_quarter: tuple[int, int] | None = None  # the quarter a results story reports on
        self.last_q_any: tuple[int, int] | None = None    # any quarter named last ("that quarter")
        self.fiscal_q: tuple[int, int] | None = None      # the fiscal quarter a story reports on, by its label
        self.fiscal_alias: tuple[int, int] | None = None  # the calendar quarter its end named ("ended Sept. 29")
        self.last_year: tuple[int, int] | None = None     # (year, token index) of the last year named
        self.last_date: tuple[int, int | None] | None = None  # (year, month) of the last date named ("that year")
        self._tense: dict = {}

    def note_year(self, value: str, i: int) -> None:
        """Remember a year-granular expression ("in 1988", "this year") for the months after it."""
        if len(value) == 4 and value.isdigit():
            self.last_year = (int(value), i)

    def note_date(self, value: str) -> None:
        """Remember the year (and month) of a date named, for "that year" and "the following month"."""
        if len(value) >= 4 and value[:4].isdigit():
            m = int(value[5:7]) if len(value) >= 7 and value[4] == "-" and value[5:7].isdigit() else None
            self.last_date = (int(value[:4]), m)

    def year_in_sentence(self, i: int) -> int | None:
        """The year named earlier in the same sentence ("this year through August", "in 1988 ... in March")."""
        if self.last_year is None or not policy()["month_takes_sentence_year"]:
            return None
        y, k = self.last_year
        bounds = lexicon().tense["_boundaries"]
        if any(self.toks[x].text in bounds for x in range(k, i)):
            return None
        return y

    def tense(self, i: int, j: int) -> str | None:
        if (i, j) not in self._tense:
            self._tense[(i, j)] = tense(self.toks, i, j)
        return self._tense[(i, j)]


# -- calendar helpers ----------------------------------------------------------------------------------------


def add_months(d: dt.date, n: int) -> dt.date:
    m = d.month - 1 + n
    y = d.year + m // 12
    m = m % 12 + 1
    last = (dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(y, m, min(d.day, last))


def week(d: dt.date) -> str:
    iso = d.isocalendar()
    return f"{iso[0]:04d}-W{iso[1]:02d}"


def quarter(d: dt.date) -> tuple[int, int]:
    return d.year, (d.month - 1) // 3 + 1


def shift_q(yq: tuple[int, int], n: int) -> tuple[int, int]:
    k = yq[0] * 4 + yq[1] - 1 + n
    return k // 4, k % 4 + 1


def shift(ref: dt.date, n: int, unit: str) -> str | None:
    """The period ``n`` units from ``ref``, written at the granularity of the unit."""
    try:
        if unit == "Y":
            return f"{ref.year + n:04d}"
        if unit == "M":
            return add_months(ref, n).strftime("%Y-%m")
        if unit in ("W", "FN"):
            return week(ref + dt.timedelta(weeks=n * (2 if unit == "FN" else 1)))
        if unit == "WE":
            return week(ref + dt.timedelta(weeks=n)) + "-WE"
        if unit in ("D", "H", "MIN", "S"):
            days = n if unit == "D" else 0
            return (ref + dt.timedelta(days=days)).isoformat()
        if unit == "Q":
            y, q = shift_q(quarter(ref), n)
            return f"{y:04d}-Q{q}"
        if unit == "H2":
            k = ref.year * 2 + (ref.month - 1) // 6 + n
            return f"{k // 2:04d}-H{k % 2 + 1}"
        if unit == "DE":
            return f"{ref.year // 10 + n:03d}"
        if unit == "CE":
            return f"{ref.year // 100 + n:02d}"
        if unit == "ML":
            return f"{ref.year // 1000 + n:01d}"
    except (ValueError, OverflowError):
        return None
    return None


def pick_year(ref: dt.date, month: int, day: int | None, t: str | None) -> int | None:
    """The year of "February 25" or "in August" (``day`` None), given the tense ``t`` of its sentence: the nearest
    reading when it lies within near_days (near_months) of the reference, else before the reference in a
    past-tense sentence and after it in a future one (policy: default_past, present_past_date), else the
    nearest."""
    cands = []
    for y in (ref.year - 1, ref.year, ref.year + 1):
        try:
            d = dt.date(y, month, day or 1)
        except ValueError:
            continue
        diff = (d - ref).days if day else (y - ref.year) * 12 + month - ref.month
        cands.append((diff, y))
    if not cands:
        return None
    pol = policy()
    near = pol["near_days"] if day else pol["near_months"]
    nearest = min(cands, key=lambda c: (abs(c[0]), c[0] > 0))
    if abs(nearest[0]) <= near:
        return nearest[1]
    if t == "past" or (t is None and pol["default_past"]) or (t == "present" and pol["present_past_date"]):
        ok = [c for c in cands if c[0] <= 0]
        return max(ok)[1] if ok else nearest[1]
    if t in ("future", "present"):
        ok = [c for c in cands if c[0] >= 0]
        return min(ok)[1] if ok else nearest[1]
    return nearest[1]


def pick_weekday(ref: dt.date, wd: int, rel, t: str | None) -> dt.date:
    """The day of "Saturday" (ISO weekday ``wd``): "last" / "next" (``rel`` -1 / 1) the one strictly before / after
    the reference; else the one on or after it in a future-tense sentence (present_past_day), the one on or before
    it otherwise (news reports what happened)."""
    back = ref - dt.timedelta(days=(ref.isoweekday() - wd) % 7)
    fwd = ref + dt.timedelta(days=(wd - ref.isoweekday()) % 7)
    if rel == -1:
        return back if back != ref else ref - dt.timedelta(days=7)
    if rel == 1:
        return fwd if fwd != ref else ref + dt.timedelta(days=7)
    pol = policy()
    if t == "future" or (t == "present" and not pol["present_past_day"]):
        return fwd if fwd != ref or pol["future_same_day"] else ref + dt.timedelta(days=7)
    return back


def _num(toks: list[Tok]) -> float | str | None:
    """The amount in a run of number tokens: "two", "twenty-four", "5 1/2", "a", "several" (X)."""
    total, cur, seen = 0.0, 0.0, False
    if any(t.cls in ("NUM2", "NUM", "YEAR4", "NUMWORD", "FEW") for t in toks):
        toks = [t for t in toks if t.cls != "ART"]
    for t in toks:
        c = t.cls
        if c in ("NUM2", "NUM", "YEAR4"):
            cur += float(t.val)
            seen = True
        elif c == "NUMWORD":
            v = t.val
            if v in (100, 1000):
                cur = (cur or 1) * v
                if v == 1000:
                    total += cur
                    cur = 0
            else:
                cur += v
            seen = True
        elif c == "ART" and not seen:
            cur, seen = 1, True
        elif c == "FEW":
            if t.val == "X":
                return "X"
            cur, seen = float(t.val), True
        elif c in ("TO", "OR") and seen:
            break
    if not seen:
        return None
    n = total + cur
    return int(n) if n == int(n) else n


_SMALLER = {"Y": (12, "M"), "W": (7, "D"), "D": (24, "H"), "H": (60, "MIN"), "MIN": (60, "S"), "DE": (10, "Y"),
            "CE": (100, "Y"), "Q": (3, "M")}


def _dur(n, unit: str) -> str:
    """TIMEX3 duration: P3Y, PT2H, P2Y6M for 2 1/2 years, PT5H30M for 5 1/2 hours, PXY for "years". Units ISO 8601
    lacks are written in the ones it has (policy duration_units: decades and centuries as years,
    weekends as days): "two decades" P20Y, "decades" PXY."""
    conv = policy()["duration_units"].get(unit)
    if conv is not None:
        k, unit = conv
        n = "X" if n == "X" else n * k
    if unit == "FN" and n != "X":
        n, unit = n * 2, "W"
    if isinstance(n, float) and n == int(n):
        n = int(n)
    if isinstance(n, float) and unit in _SMALLER:
        whole, frac = int(n), n - int(n)
        k, small = _SMALLER[unit]
        if unit in ("Y", "H", "MIN") and whole and round(frac * k):
            pre = "PT" if unit in _TIME_UNITS else "P"
            return f"{pre}{whole}{_UNIT_DUR[unit]}{round(frac * k)}{_UNIT_DUR[small]}"
        n, unit = round(n * k), small
    code = _UNIT_DUR.get(unit, unit)
    if isinstance(n, float):
        n = f"{n:g}"
    return ("PT" if unit in _TIME_UNITS else "P") + f"{n}{code}"


def _mod(toks: list[Tok]) -> str | None:
    for t in toks:
        if t.cls == "APPROX" and t.val:
            return t.val
        if t.cls == "PMOD" and t.val in ("START", "MID", "END"):
            return t.val
    return None


def _cls(toks, *classes):
    return [t for t in toks if t.cls in classes]


def _first(toks, *classes):
    for t in toks:
        if t.cls in classes:
            return t
    return None


@lru_cache(maxsize=4096)
def parse_numeric(s: str) -> tuple[str, str] | None:
    """A numeric date ("2022-03-06", "05.03.2025", "3/6/2022") parsed by dateparser: (TIMEX3 value, type)."""
    from dateparser.date import DateDataParser

    order = policy()["numeric_date_order"]
    sep = "-" if "-" in s[:5] else ("." if "." in s else "/")
    parser = DateDataParser(languages=["en"], settings={
        "DATE_ORDER": order.get(sep, "MDY"), "REQUIRE_PARTS": ["day", "month", "year"],
        "RETURN_AS_TIMEZONE_AWARE": False, "PREFER_DAY_OF_MONTH": "first"})
    r = parser.get_date_data(s)
    if r is None or r.date_obj is None:
        return None
    d = r.date_obj
    if "T" in s and ":" in s:
        return d.strftime("%Y-%m-%dT%H:%M"), "TIME"
    return d.date().isoformat(), "DATE"


# -- readers --------------------------------------------------------------------------------------------------


def calendar_parts(toks: list[Tok]) -> dict:
    f = {"year": None, "month": None, "day": None, "weekday": None}
    for t in toks:
        c = t.cls
        if c == "MONTH":
            f["month"] = t.val
        elif c == "WEEKDAY":
            f["weekday"] = t.val
        elif c in ("NUM2", "ORDNUM", "ORD") and f["day"] is None or c == "NUMWORD" and f["month"] and f["day"] is None:
            f["day"] = t.val
        elif c == "YEAR4":
            f["year"] = t.val
    return f


def read_calendar(r: Reading, f: dict, i: int, j: int, t: str | None = None):
    """A date from its parts; a missing year comes from the reference (and the tense around tokens i..j)."""
    y, m, d = f["year"], f["month"], f["day"]
    if m is None:
        if y is None:
            return None
        return "DATE", f"{y:04d}", None, False
    if d is not None and not 1 <= d <= 31:
        return None
    relative = y is None
    if y is None:
        y = pick_year(r.ref, m, d, t or r.tense(i, j))
        if y is None:
            return None
    if d is None:
        return "DATE", f"{y:04d}-{m:02d}", None, relative
    try:
        day = dt.date(y, m, d)
    except ValueError:
        return None
    r.last_day = day
    return "DATE", day.isoformat(), None, relative


def k_date(r: Reading, toks, i, j):
    nd = _first(toks, "NUMDATE")
    if nd:
        p = parse_numeric(nd.val)
        if p is None:
            return None
        try:
            r.last_day = dt.date.fromisoformat(p[0][:10])
        except ValueError:
            pass
        return p[1], p[0], None, False
    rel = _first(toks, "REL")
    t = {-1: "past", 1: "future"}.get(rel.val) if rel is not None and isinstance(rel.val, int) else None
    return read_calendar(r, calendar_parts(toks), i, j, t)


def k_month(r: Reading, toks, i, j):
    m = _first(toks, "MONTH").val
    mod = _mod(toks)
    y = _first(toks, "YEAR4")
    if y:
        return "DATE", f"{y.val:04d}-{m:02d}", mod, False
    if _first(toks, "NUMWORD") is not None:  # "January nineteen ninety-seven"
        v = _spelled_year(toks)
        return None if v is None else ("DATE", f"{v:04d}-{m:02d}", mod, False)
    rel = _first(toks, "REL", "PAST")
    unit = _first(toks, "UNIT")
    if rel is not None and unit is not None:  # "January this year", "June last year"
        if unit.val != "Y" or not isinstance(rel.val, int):
            return None
        return "DATE", f"{r.ref.year + rel.val:04d}-{m:02d}", mod, True
    if rel is not None and isinstance(rel.val, int) and rel.val != 0:  # "last May", "next March"
        if rel.val < 0:  # the month just past is "last month": "last February" written in March is a year back
            y = r.ref.year if m < r.ref.month - 1 else r.ref.year - 1
        else:
            y = r.ref.year if m > r.ref.month else r.ref.year + 1
        return "DATE", f"{y:04d}-{m:02d}", mod, True
    y = r.year_in_sentence(i) or pick_year(r.ref, m, None, r.tense(i, j))
    return "DATE", f"{y:04d}-{m:02d}", mod, True


def _spelled_year(toks) -> int | None:
    vals = [t.val for t in toks if t.cls == "NUMWORD"]
    if not vals:
        return None
    # "nineteen ninety-four" -> 19, 90, 4; "two thousand" -> 2, 1000
    if 1000 in vals:
        n = _num([t for t in toks if t.cls in ("NUMWORD",)])
        return n if isinstance(n, int) and 1000 <= n <= 2099 else None
    if vals[0] in (18, 19, 20) and len(vals) >= 2:
        rest = sum(vals[1:])
        if 10 <= rest <= 99 or (len(vals) == 3 and vals[1] == 0):
            return vals[0] * 100 + rest
    return None


def k_year(r: Reading, toks, i, j):
    mod = _mod(toks)
    fiscal = _first(toks, "FISCAL") is not None
    y = _first(toks, "YEAR4", "FYEAR")
    if y is not None:
        v = y.val
        if not policy()["year_min"] <= v <= policy()["year_max"]:
            return None
        fiscal = fiscal or y.cls == "FYEAR"
        return "DATE", (f"FY{v:04d}" if fiscal and policy()["fiscal_prefix"] else f"{v:04d}"), mod, False
    sy = _first(toks, "SHORTYEAR")
    if sy is not None:
        v = (r.ref.year // 100) * 100 + sy.val
        if v > r.ref.year + 10:
            v -= 100
        return "DATE", f"{v:04d}", mod, True
    v = _spelled_year(toks)
    if v is None:
        return None
    return "DATE", f"{v:04d}", mod, False


def k_decade(r: Reading, toks, i, j):
    mod = _mod(toks)
    t = _first(toks, "DECADE", "DECADEWORD")
    if t.cls == "DECADE":
        cent, dec = t.val
    else:
        cent, dec = None, t.val
    relative = cent is None
    if cent is None:
        cent = r.ref.year // 100
        if cent * 10 + dec > r.ref.year // 10:
            cent -= 1
    return "DATE", f"{cent:02d}{dec}", mod, relative


def k_century(r: Reading, toks, i, j):
    unit = _first(toks, "UNIT")
    n = _first(toks, "ORD", "ORDNUM")
    if unit is None or unit.val != "CE" or n is None or not 1 <= n.val <= 30:
        return None
    return "DATE", f"{n.val - 1:02d}", _mod(toks), False


def _season_of(d: dt.date) -> tuple[int, int]:
    """(year, index into SEASONS) of a day; December counts as the winter of the next year's January."""
    idx = {12: 0, 1: 0, 2: 0, 3: 1, 4: 1, 5: 1, 6: 2, 7: 2, 8: 2, 9: 3, 10: 3, 11: 3}[d.month]
    return d.year + (d.month == 12), idx


def k_season(r: Reading, toks, i, j):
    s = _first(toks, "SEASON", "SEASON_AMBIG").val
    idx = SEASONS.index(s)
    mod = _mod(toks)
    y = _first(toks, "YEAR4")
    if y is not None:
        return "DATE", f"{y.val:04d}-{s}", mod, False
    if _first(toks, "NUMWORD") is not None:
        v = _spelled_year(toks)
        if v is None:
            return None
        return "DATE", f"{v:04d}-{s}", mod, False
    cy, ci = _season_of(r.ref)
    rel = _first(toks, "REL", "PAST")
    rv = rel.val if rel is not None and isinstance(rel.val, int) else None
    if rv is None or rv == 0:
        t = r.tense(i, j)
        if rv == 0 and _first(toks, "PAST") is not None:
            rv = -1
        elif t == "future":
            rv = 1
        elif rv == 0:
            return "DATE", f"{cy:04d}-{s}", mod, True
        else:
            rv = -1
    strict = rel is not None and rel.cls == "REL" and rel.val != 0  # "last winter" is not the current one
    if rv < 0:
        y = cy if (idx < ci or (idx == ci and not strict)) else cy - 1
    else:
        y = cy if (idx > ci or (idx == ci and not strict)) else cy + 1
    return "DATE", f"{y:04d}-{s}", mod, True


def _reporting_quarter(r: Reading) -> tuple[int, int]:
    """The quarter a results story is about: the fiscal quarter it named ("the fiscal first quarter"; policy
    fiscal_quarter_reported), else the latest ended one it named (policy reported_quarter_latest; false: the last
    named), else the one before the reference."""
    return r.fiscal_q or r.last_quarter or shift_q(quarter(r.ref), -1)


def _note_quarter(r: Reading, y: int, q: int) -> None:
    """Remember a quarter named; it becomes the reported quarter only once it has ended by the reference."""
    r.last_q_any = (y, q)
    if shift_q((y, q), 1) <= quarter(r.ref) and (
            r.last_quarter is None or not policy()["reported_quarter_latest"] or (y, q) >= r.last_quarter):
        r.last_quarter = (y, q)


def _ended_after(r: Reading, j: int) -> bool:
    """"the year ended Sept. 30", "the year ending tomorrow": a period word followed by ended / ending."""
    toks = r.toks
    return j + 1 < len(toks) and toks[j].text.lower() in lexicon().policy["period_ended"] and \
        toks[j].text.lower() != "through"


def _fiscal_alias(r: Reading, ended: tuple[int, int]) -> tuple[int, int]:
    """The quarter "the quarter ended Sept. 30" names: in a story on a fiscal quarter, the first such end names
    that quarter (by its fiscal label) and so does any later one on the same calendar quarter; other ends are read
    as calendar quarters."""
    if r.fiscal_q is None:
        return ended
    if r.fiscal_alias is None:
        r.fiscal_alias = ended
    return r.fiscal_q if ended == r.fiscal_alias else ended


def _quarter_ended(r: Reading, j: int) -> tuple[int, int] | None:
    """"the quarter ended Sept. 30": the quarter that ends in the month named after the expression."""
    toks = r.toks
    if j + 1 < len(toks) and toks[j].text.lower() in lexicon().policy["period_ended"] and toks[j + 1].cls == "MONTH":
        m = toks[j + 1].val
        y = next((t.val for t in toks[j + 2:j + 6] if t.cls == "YEAR4"), None)
        if y is None:
            y = pick_year(r.ref, m, None, "past")
        if policy()["quarter_of_middle_month"]:  # May-July, "ended July 31", lies mostly in the second quarter
            y, m = (y, m - 1) if m > 1 else (y - 1, 12)
        return y, (m - 1) // 3 + 1
    return None


def k_quarter(r: Reading, toks, i, j):
    half = _first(toks, "HALF") is not None
    qt = _first(toks, "QTOKEN")
    ordt = _first(toks, "ORD", "ORDNUM")
    rel = _first(toks, "REL", "PAST")
    rv = rel.val if rel is not None else None
    yt = _first(toks, "YEAR4", "SHORTYEAR", "FYEAR")
    year = None
    if yt is not None:
        year = (r.ref.year // 100) * 100 + yt.val if yt.cls == "SHORTYEAR" else yt.val
    apos = _first(toks, "APOS")
    if apos is not None:  # "next year's first quarter", "last year's quarter"
        k = toks.index(apos)
        unit = toks[k - 1]
        if k + 1 >= len(toks) or toks[k + 1].text.lower() != "s" or unit.cls != "UNIT" or unit.val != "Y" or \
                not isinstance(rv, int):
            return None
        year = r.ref.year + rv
        n = qt.val if qt is not None else (ordt.val if ordt is not None else None)
        if n is None:
            n = 2 if half and rv < 0 else _reporting_quarter(r)[1]
            if half:
                return None if rv >= 0 else ("DATE", f"{year:04d}-H{n}", None, True)
        if half:
            return ("DATE", f"{year:04d}-H{n}", None, True) if n in (1, 2) else None
        if not 1 <= n <= 4:
            return None
        _note_quarter(r, year, n)
        return "DATE", f"{year:04d}-Q{n}", None, True
    ago = _first(toks, "AGO", "LATER")
    if ago is not None and ordt is None:  # "the year-ago quarter", "the year-earlier period", "the quarter a year ago"
        unit = _first(toks, "UNIT")
        if unit is None or unit.val != "Y" or ago.val != -1:
            return None
        y, q = _reporting_quarter(r)
        r.last_q_any = (y - 1, q)
        return "DATE", f"{y - 1:04d}-Q{q}", None, True
    if qt is not None:
        if isinstance(qt.val, str):
            half, n = True, int(qt.val[1])
        else:
            n = qt.val
    elif ordt is not None:
        n = ordt.val
    else:
        n = None
    if half:
        if n is None:
            if rv == -1 and yt is not None:
                n = 2  # "the last half of 1989"
            elif isinstance(rv, int):
                return "DATE", shift(r.ref, rv, "H2"), None, True
            else:
                return None
        if n not in (1, 2):
            return None
        if year is None:
            year = r.ref.year if (n - 1) * 6 + 1 <= r.ref.month else r.ref.year - 1
            return "DATE", f"{year:04d}-H{n}", None, True
        return "DATE", f"{year:04d}-H{n}", None, False
    if n is None:
        ended = _quarter_ended(r, j)
        if year is not None:  # "the 1989 period"
            q = ended[1] if ended else _reporting_quarter(r)[1]
            return "DATE", f"{year:04d}-Q{q}", None, True
        word = rel.text.lower() if rel is not None else ""
        unit = _first(toks, "UNIT")
        if ended is not None:  # "the quarter ended Sept. 30" (in a story on a fiscal quarter: that quarter)
            y, q = _fiscal_alias(r, ended)
        elif rv == "LATEST":  # the quarter the story reports on: the last that has ended
            y, q = _reporting_quarter(r)
        elif word == "current":
            y, q = quarter(r.ref)
        elif isinstance(rv, int) and rv != 0:
            y, q = shift_q(quarter(r.ref), rv)
        elif rv in (0, "ANA") and word not in ("this",):
            y, q = r.last_q_any or _reporting_quarter(r)
        else:
            y, q = _reporting_quarter(r)
        if unit is not None:  # "the corresponding period last year"
            rels = [t for t in toks if t.cls in ("REL", "PAST")]
            if unit.val != "Y" or len(rels) < 2 or not isinstance(rels[-1].val, int):
                return None
            y += rels[-1].val
            r.last_q_any = (y, q)
            return "DATE", f"{y:04d}-Q{q}", None, True
        _note_quarter(r, y, q)
        return "DATE", f"{y:04d}-Q{q}", None, True
    if not 1 <= n <= 4:
        return None
    relative = year is None
    if year is None:
        year = r.ref.year if (n - 1) * 3 + 1 <= r.ref.month else r.ref.year - 1
        if isinstance(rv, int) and rv == 1:
            year = r.ref.year if (n - 1) * 3 + 1 > r.ref.month else r.ref.year + 1
        if ago is not None:  # "the year-earlier third quarter"
            year += ago.val
            r.last_q_any = (year, n)
            return "DATE", f"{year:04d}-Q{n}", None, True
    _note_quarter(r, year, n)
    if _quarter_ended(r, j) is not None:  # "its fourth quarter ended Sept. 30": a fiscal quarter that has ended
        r.last_quarter = (year, n)
    if _first(toks, "FISCAL") is not None and policy()["fiscal_quarter_reported"]:
        r.fiscal_q, r.fiscal_alias = (year, n), None  # "the fiscal first quarter": reported on by that label
    return "DATE", f"{year:04d}-Q{n}", None, relative


def _daypart(toks) -> str | None:
    t = _first(toks, "DAYPART", "DAYPARTS")
    return t.val if t is not None else None


def _possessive(r: Reading, j: int) -> bool:
    """"Wednesday's ruling": the expression ends in a possessive."""
    toks = r.toks
    return j + 1 < len(toks) and toks[j].cls == "APOS" and toks[j].end == toks[j + 1].start and \
        toks[j + 1].text.lower() == "s"


def k_weekday(r: Reading, toks, i, j):
    wd = _first(toks, "WEEKDAY").val
    rel = _first(toks, "REL")
    rv = rel.val if rel is not None and isinstance(rel.val, int) else None
    t = "past" if rv is None and policy()["possessive_day_past"] and _possessive(r, j) else r.tense(i, j)
    if rv is not None and rel.text.lower() in policy()["anaphoric_rel"] and _first(toks, "THE") is not None and \
            r.last_day is not None:  # "the previous Friday": before the day last mentioned
        d = pick_weekday(r.last_day, wd, rv, None)
    else:
        d = pick_weekday(r.ref, wd, rv, t)
    r.last_day = d
    part = _daypart(toks)
    if part:
        return policy()["daypart_type"], f"{d.isoformat()}T{part}", None, True
    return "DATE", d.isoformat(), _mod(toks), True


def k_set(r: Reading, toks, i, j):
    f = _first(toks, "FREQ")
    if f is not None:
        return "SET", f.val, None, False
    wd = _first(toks, "WEEKDAY", "WEEKDAYS")
    part = _daypart(toks)
    if wd is not None:
        return "SET", f"XXXX-WXX-{wd.val}" + (f"T{part}" if part else ""), None, False
    m = _first(toks, "MONTH")
    if m is not None:
        return "SET", f"XXXX-{m.val:02d}", None, False
    s = _first(toks, "SEASON")
    if s is not None:
        return "SET", f"XXXX-{s.val}", None, False
    if part:
        return "SET", f"T{part}", None, False
    unit = _first(toks, "UNIT", "UNITS", "QUARTER")
    if unit is None:
        return None
    n = _num(_cls(toks, "NUM2", "NUM", "NUMWORD", "FEW", "YEAR4")) or 1
    return "SET", _dur(n, unit.val), None, False


def k_deictic(r: Reading, toks, i, j):
    part = _daypart(toks)
    de = _first(toks, "DEICTIC")
    if de is not None:
        d = r.ref + dt.timedelta(days=de.val)
        if de.text.lower() == "tonight":
            part = part or "NI"
    else:
        rel = _first(toks, "REL")
        if rel is None or not isinstance(rel.val, int) or part is None:
            return None
        if rel.val == 1:  # "the next morning": after the day last mentioned
            if _first(toks, "THE") is None:
                return None
            d = (r.last_day or r.ref) + dt.timedelta(days=1)
            r.last_day = d
            return "DATE", d.isoformat(), None, True
        d = r.ref + dt.timedelta(days=rel.val)  # "this morning", "last night"
    r.last_day = d
    if part:
        return policy()["daypart_type"], f"{d.isoformat()}T{part}", None, True
    return "DATE", d.isoformat(), _mod(toks), True


def k_daypart(r: Reading, toks, i, j):
    """"in the morning", "by mid afternoon": that part of the day last named (else of the reference day)."""
    d = r.last_day if (r.last_day is not None and policy()["clock_on_last_day"]) else r.ref
    return policy()["daypart_type"], f"{d.isoformat()}T{_daypart(toks)}", None, True


def k_relunit(r: Reading, toks, i, j):
    unit = _first(toks, "UNIT", "HALF")
    rel = _first(toks, "REL", "PAST")
    u = "H2" if unit.cls == "HALF" else unit.val
    rv = rel.val if rel is not None else 0
    mod = _mod(toks)
    if rel is None and u in policy()["ended_period_duration"] and _ended_after(r, j):
        return "DURATION", _dur(1, u), mod, False  # "for the year ended March 31": a twelve-month period
    mention = r.last_date
    if u in policy()["anaphoric_units"] and mention is not None and (u == "Y" or mention[1] is not None) and (
            rv == "ANA" or (rel is not None and rel.text.lower() in policy()["anaphoric_rel"] and
                            _first(toks, "THE") is not None and isinstance(rv, int))):
        base = dt.date(mention[0], mention[1] or 1, 1)  # "that year", "the following month": from the date named last
        return "DATE", shift(base, 0 if rv == "ANA" else rv, u), mod, True
    if rv == "ANA" or (rel is None and u in ("D",)):
        if u == "D" and r.last_day is not None:
            return "DATE", r.last_day.isoformat(), mod, True
        if rel is None:
            return None
        rv = 0
    if rv == "LATEST":
        rv = 0
    if not isinstance(rv, int):
        return None
    if rel is not None and rel.text.lower() in policy()["anaphoric_rel"] and \
            _first(toks, "THE") is not None and r.last_day is not None and u in ("D", "W"):
        base = r.last_day  # "the next day", "the following week": after the day last mentioned
    else:
        base = r.ref
    if u in ("MIN", "H", "S"):
        return None
    if u == "WE":  # the weekend before the reference in a past-tense sentence, else the next one
        if rv == 0:
            rv = 1 if r.tense(i, j) in ("future", "present") else -1
            sat = pick_weekday(base, 6, None, "future" if rv == 1 else "past")
        else:
            sat = pick_weekday(base, 6, rv, None)
        return "DATE", week(sat) + "-WE", mod, True
    v = shift(base, rv, u)
    if v is None:
        return None
    if u == "Q":
        _note_quarter(r, *shift_q(quarter(base), rv))
    if u == "D":
        r.last_day = base + dt.timedelta(days=rv)
    return "DATE", v, mod, True


def k_ago(r: Reading, toks, i, j):
    unit = _first(toks, "UNIT", "UNITS")
    direction = _first(toks, "AGO", "LATER")
    n = _num(_cls(toks, "NUM2", "NUM", "NUMWORD", "FEW", "ART", "YEAR4"))
    if n is None:
        n = 1 if unit.cls == "UNIT" else "X"
    mod = _mod(toks)
    d = direction.val
    u = unit.val
    if n == "X" or not isinstance(d, int):
        return "DATE", "PAST_REF" if d == -1 else "FUTURE_REF", mod, False
    if isinstance(n, float):
        if u == "Y" and n < 1:
            n, u = int(n * 12), "M"
        else:
            n = int(n)
    if u == "Y" and n == 1 and r.last_quarter is not None and policy()["year_ago_quarter"]:
        y, q = r.last_quarter
        return "DATE", f"{y - 1:04d}-Q{q}", mod, True
    base = r.ref
    if direction.cls == "LATER" and d == 1 and r.last_day is not None:
        base = r.last_day
    v = shift(base, d * n, u)
    if v is None:
        return None
    if u == "D":
        r.last_day = base + dt.timedelta(days=d * n)
    return "DATE", v, mod, True


def k_duration(r: Reading, toks, i, j):
    first_amount = next((k for k, t in enumerate(toks) if t.cls in ("NUM2", "NUM", "NUMWORD", "FEW", "YEAR4")), 0)
    unit = next((t for t in toks[first_amount:] if t.cls in ("UNIT", "UNITS", "QUARTER")), None)
    if unit is None:
        return None
    u = unit.val
    k = toks.index(unit)
    n = _num(_cls(toks[:k], "NUM2", "NUM", "NUMWORD", "FEW", "ART", "YEAR4", "TO", "OR"))
    if n is None:
        n = "X" if unit.cls == "UNITS" else 1
    if n != "X" and _first(toks[k:], "HALF") is not None:  # "a year and a half"
        n += 0.5
    mod = _mod(toks)
    if n == "X" and _first(toks, "REF") is not None and policy()["recent_units_past_ref"]:
        return "DATE", "PAST_REF", mod, False
    return "DURATION", _dur(n, u), mod, False


def k_clock(r: Reading, toks, i, j):
    hh = mm = None
    c = _first(toks, "CLOCK")
    if c is not None:
        parts = c.val.split(":")
        hh, mm = int(parts[0]), int(parts[1])
    nt = _first(toks, "NOON")
    if nt is not None:
        hh, mm = (int(x) for x in nt.val.split(":"))
    if hh is None:
        n = _first(toks, "NUM2", "NUMWORD", "NUM")
        if n is None:
            return None
        v = int(n.val)
        if n.cls == "NUM" and 100 <= v <= 2400:
            hh, mm = v // 100, v % 100
        else:
            hh, mm = v, 0
    ap = _first(toks, "AMPM")
    part = _daypart(toks)
    if (ap is not None and ap.val == "PM") or part in ("AF", "EV", "NI"):
        if hh < 12:
            hh += 12
    elif (ap is not None and ap.val == "AM") and hh == 12:
        hh = 0
    if not (0 <= hh <= 24 and 0 <= mm < 60):
        return None
    wd = _first(toks, "WEEKDAY")
    de = _first(toks, "DEICTIC")
    if wd is not None and _first(toks, "MONTH") is None:
        d = pick_weekday(r.ref, wd.val, None, r.tense(i, j))
    elif de is not None:
        d = r.ref + dt.timedelta(days=de.val)
    elif _first(toks, "MONTH") is not None:  # the date after the clock time: "5 p.m. EST, Nov. 6"
        k = next(k for k, t in enumerate(toks) if t.cls == "MONTH")
        got = read_calendar(r, calendar_parts(toks[k:]), i, j)
        if got is None:
            return None
        d = dt.date.fromisoformat(got[1]) if len(got[1]) == 10 else r.ref
    else:
        d = r.last_day if (r.last_day is not None and policy()["clock_on_last_day"]) else r.ref
    r.last_day = d
    return "TIME", f"{d.isoformat()}T{hh:02d}:{mm:02d}", _mod(toks), True


def k_ref(r: Reading, toks, i, j):
    t = _first(toks, "REFNOUN", "PAST")
    if t is not None:
        v = {"PAST": "PAST_REF"}.get(t.cls, t.val)
        return "DATE", v, None, False
    t = _first(toks, "REF")
    if t is None:  # an adjective of the REL class used alone: "current market conditions"
        rel = _first(toks, "REL")
        v = policy()["rel_refs"].get(rel.text.lower()) if rel is not None else None
        return None if v is None else ("DATE", v, None, False)
    if " ".join(t.text.lower().split()) not in policy()["ref_words"]:
        return None
    return "DATE", t.val, None, False


def k_holiday(r: Reading, toks, i, j):
    h = _first(toks, "HOLIDAY").val
    y = _first(toks, "YEAR4")
    spec = h.split("+")
    extra = int(spec[1]) if len(spec) > 1 else 0
    parts = spec[0].split("-")
    month = int(parts[0])

    def day_in(year: int) -> dt.date:
        if parts[1].startswith("W"):
            wd = int(parts[2])
            first = dt.date(year, month, 1)
            if parts[1] == "WL":
                last = add_months(first, 1) - dt.timedelta(days=1)
                d = last - dt.timedelta(days=(last.isoweekday() - wd) % 7)
            else:
                d = first + dt.timedelta(days=(wd - first.isoweekday()) % 7 + 7 * (int(parts[1][1:]) - 1))
        else:
            d = dt.date(year, month, int(parts[1]))
        return d + dt.timedelta(days=extra)

    if y is not None:
        return "DATE", day_in(y.val).isoformat(), None, False
    rel = _first(toks, "REL")
    rv = rel.val if rel is not None and isinstance(rel.val, int) else 0
    if rv:  # "last Thanksgiving", "next Christmas": the one strictly before / after the reference
        year = r.ref.year + (rv if (day_in(r.ref.year) - r.ref).days * rv <= 0 else 0)
    else:
        year = pick_year(r.ref, month, day_in(r.ref.year).day, r.tense(i, j))
    d = day_in(year)
    r.last_day = d
    return "DATE", d.isoformat(), None, True


def k_yearend(r: Reading, toks, i, j):
    """"by year-end", "around month end": the period named, with mod END."""
    u = _first(toks, "YEAREND").val
    rel = _first(toks, "REL", "PAST")
    rv = rel.val if rel is not None and isinstance(rel.val, int) else 0
    v = shift(r.ref, rv, u)
    return "DATE", v, "END", True


def k_weekof(r: Reading, toks, i, j):
    """"the week of March 6": the ISO week of that day."""
    unit = _first(toks, "UNIT")
    if unit is None or unit.val != "W":
        return None
    got = read_calendar(r, calendar_parts(toks), i, j)
    if got is None or len(got[1]) != 10:
        return None
    return "DATE", week(dt.date.fromisoformat(got[1])), None, got[3]


READERS = {
    "weekof": k_weekof,
    "yearend": k_yearend,
    "date": k_date, "month": k_month, "year": k_year, "decade": k_decade, "century": k_century,
    "season": k_season, "quarter": k_quarter, "weekday": k_weekday, "set": k_set, "deictic": k_deictic,
    "relunit": k_relunit, "ago": k_ago, "daypart": k_daypart, "duration": k_duration, "clock": k_clock, "ref": k_ref,
    "holiday": k_holiday,
}


def read_range(r: Reading, toks_l, toks_r, il, jl, ir, jr):
    """The two ends of a range; each borrows the year (and the month) it lacks from the other."""
    fl, fr = calendar_parts(toks_l), calendar_parts(toks_r)
    if fl["month"] is None and fl["day"] is None and fr["month"] is None and fr["day"] is None:  # 2019 and 2022
        a = k_year(r, toks_l, il, jl)
        b = k_year(r, toks_r, ir, jr)
        return a, b
    if fr["month"] is None:
        fr["month"] = fl["month"]
    if fl["month"] is None:
        fl["month"] = fr["month"]
    if fl["year"] is None:
        fl["year"] = fr["year"]
    if fr["year"] is None and fl["year"] is not None:
        fr["year"] = fl["year"]
    a = read_calendar(r, fl, il, jr)
    if fr["year"] is None and a is not None and a[1][:4].isdigit():
        fr["year"] = int(a[1][:4])
        b = read_calendar(r, fr, il, jr)
        if b is not None:
            b = (b[0], b[1], b[2], a[3])
    else:
        b = read_calendar(r, fr, il, jr)
    return a, b


# -- from a value back to days ----------------------------------------------------------------------------------

_SEASON_MONTHS = {"SP": (3, 5), "SU": (6, 8), "FA": (9, 11), "WI": (12, 2)}


def _month_end(y: int, m: int) -> dt.date:
    return add_months(dt.date(y, m, 1), 1) - dt.timedelta(days=1)


def bounds_of(value: str) -> tuple[dt.date, dt.date] | None:
    """First and last day a TIMEX3 DATE or TIME value covers ("2026-01" -> 2026-01-01, 2026-01-31; "2026-W02",
    "2025-Q3", "2023-H1", "2019-SU", "199" a decade, "19" a century, "FY2024" read as the calendar year, "2026-XX-XX"
    as its known part 2026), or None for durations, sets, references and values with no known year. For timelines
    and event dates."""
    v = value.split("T", 1)[0] if len(value) > 10 and "T" in value[10:11] else value
    if v.startswith("FY"):
        v = v[2:]
    if "X" in v:  # what is known: "2026-XX-XX" is some day of 2026
        known = []
        for part in v.split("-"):
            if "X" in part:
                break
            known.append(part)
        v = "-".join(known)
    if not v[:1].isdigit():
        return None
    try:
        parts = v.split("-")
        y = int(parts[0])
        if len(parts[0]) == 3:
            return dt.date(y * 10, 1, 1), dt.date(y * 10 + 9, 12, 31)
        if len(parts[0]) == 2:
            return dt.date(max(1, y * 100), 1, 1), dt.date(y * 100 + 99, 12, 31)
        if len(parts) == 1:
            return dt.date(y, 1, 1), dt.date(y, 12, 31)
        p = parts[1]
        if p.startswith("W") and p[1:].isdigit():
            first = dt.date.fromisocalendar(y, int(p[1:]), 1)
            if len(parts) > 2 and parts[2] == "WE":
                return first + dt.timedelta(days=5), first + dt.timedelta(days=6)
            return first, first + dt.timedelta(days=6)
        if p.startswith("Q"):
            q = int(p[1:])
            return dt.date(y, 3 * q - 2, 1), _month_end(y, 3 * q)
        if p.startswith("H"):
            h = int(p[1:])
            return dt.date(y, 6 * h - 5, 1), _month_end(y, 6 * h)
        if p in _SEASON_MONTHS:
            a, b = _SEASON_MONTHS[p]
            if p == "WI":
                return dt.date(y - 1, 12, 1), _month_end(y, 2)
            return dt.date(y, a, 1), _month_end(y, b)
        m = int(p)
        if len(parts) == 2:
            return dt.date(y, m, 1), _month_end(y, m)
        d = dt.date(y, m, int(parts[2][:2]))
        return d, d
    except (ValueError, IndexError):
        return None
