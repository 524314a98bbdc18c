"""The grammar of quantities: numbers, units, bounds, ranges, changes and what a quantity measures.

A hand-written grammar over regular expressions, fast enough for a pipeline stage (no parser, no model). It finds
every number (numerals "1,200.5", multipliers "1.2 million", "$20k", "3bn", number words "twenty-eight thousand",
fractions "two-thirds", "1/16", vague amounts "tens of thousands"), then reads around it:

- the currency before or after it ("US $", "RM", "Australian dollars", "108.79 JPY", "19 cents");
- the unit after it ("b/d", "tons", "bcm", "°C", "-year-old"), a rate ("per barrel", "a year", "/day"), or the noun
  it counts ("five joint ventures", "13 people");
- a second number that makes a range ("400-500 thousand", "between $48,000 and $90,000", "from 13.5 to 14.0 mm");
  multipliers and units written once are shared by both ends, the ends are never summed;
- the bound ("more than", "up to", "about", "exceeded"), the change ("rose", "was down", "cut output by", "-1.3%",
  "a 5% increase") and what it measures (``about``: "tons of wheat", the subject of "the trade turnover ...
  increased by 54%", the counted noun);
- and drops what is not a quantity: years, dates, times of day, ordinals, phone numbers, numbers that are part of
  a name ("Boeing 737", "Game 7", "COVID-19"), and widget text ("Enter at least 30 characters").

All knowledge (units, currencies, number words, bound and change words, not-quantity labels) is read from
``dossier/data/quantities_*.json``. :func:`extract` returns :class:`Quantity` records in the canonical units of the
export contract (spec/export.md) plus what a vocabulary needs to name them otherwise (``entry``, ``factor``, ...).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

BOUNDS = ("exact", "at_least", "at_most", "approx")


@dataclass(slots=True)
class Quantity:
    start: int
    end: int
    value: float | None = None
    low: float | None = None
    high: float | None = None
    unit: str | None = None
    bound: str = "exact"
    change: str | None = None
    about: str | None = None
    unit_text: str | None = None
    # how it was read, for other vocabularies (dossier.quantities.render)
    entry: str | None = None      # unit entry name ("gigawatt"), counted noun in the singular ("worker"), currency
    factor: float = 1.0           # exact factor from the unit as written to the canonical unit (1e9 for "GW")
    kind: str | None = None       # money | ratio | count | duration | age | temperature | multiple | None
    counted: str | None = None    # person | vehicle | count, for a counted noun
    attributive: bool = False     # the number and unit modify a noun: "a 10-year deal"
    per: str | None = None        # canonical denominator of a rate ("barrel" in USD/barrel)


@dataclass(slots=True)
class _Num:
    start: int
    end: int
    value: float | None
    low: float | None = None      # vague amounts: "thousands" = 1,000 .. 10,000
    high: float | None = None
    mult: float = 1.0             # multiplier written after the numeral
    kind: str = "numeral"         # numeral | words | fraction | vague | multiple
    plain_int: bool = False       # digits only, no separators, decimals or multiplier ("2019", "21")
    separators: bool = False      # "1,200" or "3.5"
    amb_mult: str | None = None   # an ambiguous multiplier letter that was read as one ("m")
    amb_end: int = 0              # end of the numeral without the ambiguous multiplier


def _data(name: str) -> dict:
    return json.loads(resources.files("dossier").joinpath(f"data/{name}").read_text("utf-8"))


def _alt(words) -> str:
    """A regex alternation of literal words, longest first."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


def _alt_trie(words) -> str:
    """The alternation of :func:`_alt`, factored into a trie for a case-insensitive pattern:
    ``t(?:h(?:ousand(?:s|)|ree)|en(?:th|))|...``.

    It matches exactly what ``_alt(words)`` matches, with the same backtracking: words that can match at one
    position are prefixes of each other, ``_alt`` tries them longest first and the trie deepest first, which is the
    same order (the end of a word, ``|)``, comes after its longer continuations). It is much faster: the regex
    engine reads each character once instead of trying every word in turn. Letters are compared lower-cased, as the
    pattern ignores case; words with other than ASCII characters keep the plain alternation."""
    words = set(words)
    if not all(w.isascii() for w in words) or "" in words:
        return _alt(words)
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w.lower():
            node = node.setdefault(ch, {})
        node[""] = {}  # a word ends here

    def emit(node: dict) -> str:
        # longer continuations first (sorted, for a stable pattern), the end of a word last
        alts = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if "" in node:
            alts.append("")
        if len(alts) == 1:
            return alts[0]
        return "(?:" + "|".join(alts) + ")"

    return emit(trie)


# the phone pattern of quantities_context.json, whose every match starts with "+", "(" or a digit (see _phones)
_PHONE = (r"(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,5}\)[\s.-]?)\d{2,4}(?:[\s.-]\d{2,4}){1,3}|\+\d{1,3}(?:[\s.-]\d{2,5}){2,4}|"
          r"\b\d{3}[.-]\d{3}[.-]\d{4}\b|\b\d{3,4}[\s.-]\d{3,4}[\s.-]\d{3,4}\b")


class _Tables:
    """Everything compiled once from the data files."""

    def __init__(self) -> None:
        nums = _data("quantities_numbers.json")
        units = _data("quantities_units.json")
        ctx = _data("quantities_context.json")
        self.nums, self.units_data, self.ctx = nums, units, ctx

        # -- numbers --------------------------------------------------------------------------------------------
        self.words = {k.lower(): float(v) for k, v in nums["words"].items()}
        self.hundred = {k.lower(): float(v) for k, v in nums["hundred"].items()}
        self.scales = {k.lower(): float(v) for k, v in nums["scales"].items()}
        self.mult_words = {k.lower(): float(v) for k, v in nums["multipliers"].items()}
        self.mult_cased = {k: float(v) for k, v in nums["multipliers_cased"].items()}
        self.amb_mult = set(nums["ambiguous_multipliers"])
        self.frac_words = {k.lower(): int(v) for k, v in nums["fraction_words"].items()}
        self.vulgar = {k: float(v) for k, v in nums["vulgar_fractions"].items()}
        self.vague = {k.lower(): (float(a), float(b)) for k, (a, b) in nums["vague"].items()}
        self.dozen = {k.lower(): float(v) for k, v in nums["dozen"].items()}
        self.multiples = {k.lower(): float(v) for k, v in nums["multiples"].items()}
        numword = set(self.words) | set(self.hundred) | set(self.scales)
        self.numword = numword
        w_alt = _alt(numword)
        self.rx_words = re.compile(rf"(?:{w_alt})(?:(?:[ \t]+and[ \t]+|[ \t]*-[ \t]*|[ \t]+)(?:{w_alt}))*(?![\w])",
                                   re.I)
        self.rx_numeral = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!,\d)|\d+(?:\.\d+)?|\.\d+")
        self.rx_mult_word = re.compile(rf"[ \t]?-?(?:{_alt(self.mult_words)})(?![A-Za-z])", re.I)
        self.rx_mult_cased = re.compile(rf"(?:{_alt(self.mult_cased)})(?![A-Za-z/²³\d])")
        self.rx_fraction = re.compile(r"[ \t]?[/⁄][ \t]?(\d{1,3})(?![\d/⁄.,]\d)")
        fnum = _alt(set(self.words) | {"a", "an"})
        fden = _alt(self.frac_words)
        self.rx_frac_words = re.compile(rf"(?:(?P<n>{fnum})[ \t-]+)?(?P<d>{fden})(?![\w])", re.I)
        self.rx_vague = re.compile(rf"(?:{_alt(self.vague)})(?![\w])", re.I)
        self.rx_dozen = re.compile(rf"(?:(?P<n>{_alt(set(self.words) | {'a'})})[ \t-]+)?(?P<d>{_alt(self.dozen)})"
                                   r"(?![\w])", re.I)
        self.rx_multiple = re.compile(rf"(?:{_alt(self.multiples)})(?![\w])|(?P<n>\d+(?:\.\d+)?)-?fold(?![\w])", re.I)
        scale_words = _alt(set(self.scales) | set(self.hundred))
        self.rx_a_scale = re.compile(rf"(?:(?P<half>half)[ \t]+)?an?[ \t]+(?P<s>{scale_words})(?![\w])", re.I)
        self.rx_and_half = re.compile(r"[ \t]+and[ \t]+a[ \t]+half(?![\w])", re.I)
        cand_words = (numword | set(self.frac_words) | set(self.vague) | set(self.dozen) | set(self.multiples)
                      | {w.split()[0] for w in self.vague} | {"a", "an"})
        cand_words.discard("a")
        cand_words.discard("an")
        # where a number may start: a digit, a vulgar fraction, or a number word at the start of a word
        vulgar = "".join(self.vulgar)
        after_a = ["half", *self.scales, "hundred", "dozen", "third", "quarter", "fifth"]  # "a hundred"
        cand_word = (rf"(?<![\w'’-])(?:{_alt_trie(cand_words)})(?![\w'’])|"
                     rf"\ban?[ \t]+(?:half|{_alt(self.scales)}|hundred|dozen|third|quarter|fifth)(?![\w])")
        self.rx_candidate = re.compile(rf"\d|[{vulgar}]|{cand_word}", re.I)
        # the same, in two scans that skip most of the text inside the regex engine (see _candidates): the
        # single characters, and the words right after a non-word character (or at the very start)
        self.rx_cand_char = re.compile(rf"[\d{vulgar}]")
        self.rx_cand_word = re.compile(cand_word, re.I)
        self.rx_cand_word_after = re.compile(rf"\W(?=({cand_word}))", re.I)
        # the split is exact only while no number word holds a digit or a vulgar fraction (a word match then never
        # covers a character match); otherwise extract() scans with rx_candidate
        self.cand_split = not any(self.rx_cand_char.search(w) for w in (*cand_words, *after_a))

        # -- units ----------------------------------------------------------------------------------------------
        self.entries = {}
        forms, symbols, attached = {}, {}, {}
        for e in units["units"]:
            e = dict(e)
            e.setdefault("factor", 1.0)
            self.entries[e["name"]] = e
            for f in e.get("forms", []):
                forms[f.lower()] = e
            for s in e.get("symbols", []):
                symbols[s] = e
            for s in e.get("attached", []):
                attached[s] = e
        self.forms, self.symbols, self.attached_units = forms, symbols, attached

        def tail(forms_):  # a word form needs a word boundary after it; a symbol like "%" does not
            return "|".join(re.escape(f) + (r"(?![A-Za-z0-9])" if f[-1].isalnum() else r"(?![A-Za-z])")
                            for f in sorted(forms_, key=lambda f: (-len(f), f)))

        self.rx_unit_form = re.compile(rf"(?:{tail(forms)})", re.I)
        self.rx_unit_symbol = re.compile(rf"(?:{tail(symbols)})")
        self.rx_unit_attached = re.compile(rf"(?:{tail(attached)})")

        # currencies
        self.cur_prefix, self.cur_attached, self.cur_names, self.cur_suffix = {}, {}, {}, {}
        for code, c in units["currencies"].items():
            for p in c.get("prefix", []):
                self.cur_prefix[p] = code
            for p in c.get("attached", []):
                self.cur_attached[p] = code
            for n in c.get("names", []):
                self.cur_names[n.lower()] = code
            for s in c.get("suffix", []):
                self.cur_suffix[s] = code
        import pycountry

        self.iso = {c.alpha_3 for c in pycountry.currencies} - set(units["iso_words"])
        self.iso_prefix_ok = self.iso
        self.cur_prefix_folded = {k.lower(): v for k, v in self.cur_prefix.items()}
        pre = sorted(self.cur_prefix, key=len, reverse=True)
        pre_word = [p for p in pre if p.isalpha()]  # "Rs", "RM", "USD": any case ("rs 500 crore")
        pre_alpha = [p for p in pre if p[0].isalpha() and not p.isalpha()]  # "US $", "A$": as written
        pre_sym = [p for p in pre if not p[0].isalpha()]
        self.rx_cur_prefix = re.compile(
            rf"(?:(?<![A-Za-z])(?P<a>{_alt(pre_alpha)}|(?i:{_alt(pre_word)}))|(?P<s>{_alt(pre_sym)})|"
            rf"(?<![A-Za-z])(?P<iso>[A-Z]{{3}}))"
            r"[ \t]?(?P<neg>[-−])?$")
        self.rx_cur_attached = re.compile(rf"(?<![\w-])(?P<a>{_alt(self.cur_attached)})$")
        names = sorted(self.cur_names, key=len, reverse=True)
        self.rx_cur_name = re.compile(rf"[ \t]?(?:{_alt(names)})(?![A-Za-z])", re.I)
        self.rx_cur_suffix = re.compile(rf"[ \t]?(?:{_alt(self.cur_suffix)})(?![A-Za-z])")
        self.rx_iso_after = re.compile(r"[ \t]?(?P<iso>[A-Z]{3})(?![A-Za-z])")
        self.suffix_needs_prefix = set(units["suffix_needs_prefix"])
        self.minor = {k.lower(): (v[0], float(v[1])) for k, v in units["minor"].items()
                      if k not in units["minor_cased"]}
        self.minor_cased = {k: (units["minor"][k][0], float(units["minor"][k][1])) for k in units["minor_cased"]}
        self.rx_minor = re.compile(rf"[ \t]?(?:{_alt(self.minor)})(?![A-Za-z])", re.I)
        self.rx_minor_cased = re.compile(rf"[ \t]?(?:{_alt(self.minor_cased)})(?![A-Za-z]|\.[A-Za-z])")

        den = units["denominators"]
        self.den_time = {k.lower(): v for k, v in den["time"].items()}
        self.den_other = {k.lower(): v for k, v in den["other"].items()}
        self.den_article = {k.lower() for k in den["after_article"]} | set(self.den_time)
        dall = set(self.den_time) | set(self.den_other)
        dplural = {d + "s" for d in dall if len(d) > 2}
        self.den_all = {**{d: d for d in dall}, **{d + "s": d for d in dall if len(d) > 2}}
        self.rx_per = re.compile(rf"[ \t]*(?:(?P<w>per|a|an|each)[ \t]+|(?P<slash>/)[ \t]?)(?:US[ \t])?"
                                 rf"(?P<d>{_alt(dall | dplural)})(?![A-Za-z])", re.I)
        self.not_after_rate = [w.lower() for w in units["not_after_rate"]]

        # -- context --------------------------------------------------------------------------------------------
        b = ctx["bounds"]
        self.bound_of = {}
        for kind, ws in b.items():
            for w in ws:
                self.bound_of[w.lower()] = kind
        sym = [w for w in self.bound_of if not w[0].isalnum()]
        wrd = [w for w in self.bound_of if w[0].isalnum() and not w.endswith("-")]
        pfx = [w for w in self.bound_of if w.endswith("-")]
        self.rx_bound = re.compile(rf"(?:(?<![\w-])(?P<w>{_alt_trie(wrd)})[ \t]+|(?P<s>{_alt_trie(sym)})[ \t]?|"
                                   rf"(?<![\w-])(?P<p>{_alt_trie(pfx)}))$", re.I)
        self.bound_after = {}
        for kind, ws in ctx["bound_after"].items():
            for w in ws:
                self.bound_after[w.lower()] = kind
        self.rx_bound_after = re.compile(rf"(?:[ \t]*(?P<w>{_alt(self.bound_after)}))(?![\w])", re.I)

        cv = ctx["change_verbs"]
        self.change_of = {w.lower(): d for d, ws in cv.items() for w in ws}
        self.not_change = {w.lower() for w in ctx["not_change"]}
        links = _alt_trie(ctx["change_links"])
        self.rx_change = re.compile(
            rf"(?<![\w-])(?P<v>{_alt_trie(self.change_of)})"
            rf"(?P<l>(?:[ \t]+(?:{links}))*|(?:[ \t]+[a-z]+){{1,3}}[ \t]+by)[ \t]*$", re.I)
        cn = ctx["change_nouns"]
        self.change_noun = {w.lower(): d for d, ws in cn.items() for w in ws}
        self.rx_change_noun = re.compile(rf"[ \t]+(?P<w>{_alt(self.change_noun)})(?![\w-])", re.I)

        cnt = ctx["counted"]
        self.person_nouns = {w.lower() for w in cnt["person"]}
        self.vehicle_nouns = {w.lower() for w in cnt["vehicle"]}
        self.people_word = {w.lower() for w in cnt["people_word"]}
        self.invariant = {w.lower() for w in cnt["invariant"]}
        self.irregular = {k.lower(): v for k, v in cnt["irregular"].items()}
        self.men_not_plural = set(cnt["men_not_plural"])
        self.not_plural = set(cnt["not_plural"])
        self.max_modifiers = int(cnt["max_modifiers"])
        self.singular_after_one = bool(cnt["singular_after_one"])
        self.demonym_suffixes = tuple(cnt["demonym_suffixes"])
        self.plural_after_one = set(cnt["plural_after_one"])

        npd = ctx["noun_phrase"]
        self.np_stop = {w.lower() for w in npd["stop"]}
        self.modifier_ok = {w.lower() for w in npd["modifier_ok"]}
        self.determiners = {w.lower() for w in npd["determiners"]}
        self.containers = {w.lower() for w in npd["containers"]}
        self.pronouns = {w.lower() for w in npd["pronouns"]}
        self.auxiliaries = sorted({w.lower() for w in npd["auxiliaries"]}, key=len, reverse=True)
        self.rx_subject_verb = re.compile(rf"(?<![\w-])(?:{_alt_trie(w.lower() for w in npd['subject_verbs'])})"
                                          rf"(?:[ \t]+(?:{links}|to|at))*[ \t]*$", re.I)
        self.rx_aux_tail = re.compile(rf"(?:[ \t]+(?:{_alt_trie(self.auxiliaries)}))+[ \t]*$", re.I)
        self.clause_breaks = npd["clause_breaks"]
        self.rx_clause = re.compile("|".join(re.escape(c) for c in npd["clause_breaks"]), re.I)
        self.rx_cut = re.compile("|".join(re.escape(c) for c in npd["cut_at"]), re.I)
        self.rx_after_money = re.compile(rf"[ \t]+(?:{_alt(npd['after_money'])})[ \t]+", re.I)
        self.np_max = int(npd["max_words"])
        self.verbs = {w.lower() for w in npd["subject_verbs"] if " " not in w} | {w.lower() for w in npd["verbs"]}

        nq = ctx["not_quantity"]
        self.labels = {w.lower() for w in nq["labels"]}
        self.hyphen_ok = {w.lower() for w in nq["hyphen_prefixes_ok"]}
        self.not_fraction_after = {w.lower() for w in nq["not_fraction_after"]}
        self.widget_nouns = {w.lower() for w in nq["widget_nouns"]}
        self.months = {w.lower() for w in nq["months"]}
        self.month_words = {w.lower() for w in nq["month_words"]}
        self.rx_time_after = re.compile(rf"(?::\d\d)|[ \t]?(?:{_alt(nq['time_words'])})(?![\w])", re.I)
        self.ordinal = re.compile(rf"(?:{_alt(nq['ordinal_suffixes'])})(?![A-Za-z])", re.I)
        self.year_lo, self.year_hi = nq["year_range"]
        self.rx_phone = re.compile(nq["phone"])
        # every alternative of the shipped phone pattern starts with "+", "(" or a digit: the scan can jump to those
        # characters (see _phones); another pattern is scanned as it is
        self.rx_phone_at = re.compile(rf"[+(\d](?<=(?=({nq['phone']})).)") if nq["phone"] == _PHONE else None
        self.rx_word = re.compile(r"[ \t]+(?:of[ \t]+)?([A-Za-z][A-Za-z'’.-]*[A-Za-z]|[A-Za-z])")
        self.rx_of = re.compile(r"[ \t]+of[ \t]+", re.I)


@lru_cache(maxsize=1)
def tables() -> _Tables:
    return _Tables()


# -- helpers -----------------------------------------------------------------------------------------------------

_SENT_END = re.compile(r"[.!?]\s|\n")


def _sentence_start(text: str, i: int) -> int:
    lo = max(0, i - 300)
    best = lo
    for m in _SENT_END.finditer(text, lo, i):
        best = m.end()
    return best


def _prev_word(text: str, i: int) -> tuple[str, int]:
    """The word ending right before ``i`` (skipping spaces), and its start."""
    j = i
    while j > 0 and text[j - 1] in " \t":
        j -= 1
    k = j
    while k > 0 and (text[k - 1].isalnum() or text[k - 1] in ".'’&#"):
        k -= 1
    return text[k:j], k


def singular(t: _Tables, word: str) -> str | None:
    """The singular of a plural noun, or None when ``word`` does not look plural."""
    w = word.lower()
    if w in t.irregular:
        return t.irregular[w]
    if w in t.invariant:
        return w
    if w in t.not_plural or len(w) < 3:
        return None
    if w.endswith("men") and w not in t.men_not_plural and len(w) > 4:
        return w[:-3] + "man"
    if not w.endswith("s") or w.endswith(("ss", "us", "is", "ous", "'s", "’s")):
        return None
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("sses", "xes", "ches", "shes", "zzes")):
        return w[:-2]
    return w[:-1]


# -- numbers -----------------------------------------------------------------------------------------------------

def _words_value(t: _Tables, s: str) -> float | None:
    total, current, seen = 0.0, 0.0, False
    for w in re.split(r"[ \t-]+", s.lower()):
        if w == "and" or not w:
            continue
        if w in t.words:
            current += t.words[w]
        elif w in t.hundred:
            current = (current or 1.0) * t.hundred[w]
        elif w in t.scales:
            total += (current or 1.0) * t.scales[w]
            current = 0.0
        else:
            return None
        seen = True
    return total + current if seen else None


def parse_number(t: _Tables, text: str, i: int) -> _Num | None:
    """The number that starts at ``i``, with a multiplier written after it."""
    c = text[i]
    if c.isdigit() or (c == "." and i + 1 < len(text) and text[i + 1].isdigit()):
        m = t.rx_numeral.match(text, i)
        if not m:
            return None
        raw = m.group(0)
        value = float(raw.replace(",", ""))
        end = m.end()
        n = _Num(i, end, value, separators=("," in raw or "." in raw))
        fm = t.rx_fraction.match(text, end)
        if fm and "," not in raw and "." not in raw and 0 < value < int(fm.group(1)):
            n.value = value / int(fm.group(1))
            n.end = fm.end()
            n.kind = "fraction"
            return n
        if end < len(text) and text[end] in t.vulgar:
            n.value = value + t.vulgar[text[end]]
            n.end = end + 1
            return n
        mm = t.rx_mult_word.match(text, end)
        if mm:
            word = mm.group(0).strip(" \t-").lower()
            n.mult = t.mult_words[word]
            n.end = mm.end()
        else:
            mc = t.rx_mult_cased.match(text, end)
            if mc:
                n.mult = t.mult_cased[mc.group(0)]
                n.amb_end = end
                n.end = mc.end()
                if mc.group(0) in t.amb_mult:
                    n.amb_mult = mc.group(0)
        ah = t.rx_and_half.match(text, n.end)
        if ah and n.mult == 1.0:
            n.value += 0.5
            n.end = ah.end()
        n.plain_int = n.mult == 1.0 and not n.separators
        return n
    if c in t.vulgar:
        return _Num(i, i + 1, t.vulgar[c], kind="fraction")
    low = text[i:i + 24].lower()
    if low.startswith(("a ", "an ", "half a")):
        m = t.rx_a_scale.match(text, i)
        if m:
            s = m.group("s").lower()
            v = t.scales.get(s) or t.hundred.get(s)
            return _Num(i, m.end(), v * (0.5 if m.group("half") else 1.0), kind="words")
        m = t.rx_frac_words.match(text, i)
        if m:
            return _Num(i, m.end(), 1.0 / t.frac_words[m.group("d").lower()], kind="fraction")
        m = t.rx_dozen.match(text, i)
        if m:
            return _Num(i, m.end(), t.dozen[m.group("d").lower()], kind="words")
        return None
    m = t.rx_vague.match(text, i)
    if m:
        lo, hi = t.vague[m.group(0).lower()]
        return _Num(i, m.end(), None, lo, hi, kind="vague")
    m = t.rx_multiple.match(text, i)
    if m:
        v = float(m.group("n")) if m.group("n") else t.multiples[m.group(0).lower()]
        return _Num(i, m.end(), v, kind="multiple")
    m = t.rx_frac_words.match(text, i)
    if m and (m.group("n") or (m.group("d").lower() == "half" and
                              text[m.end():m.end() + 4].lower() in (" of ", " the", " its") and
                              _prev_word(text, i)[0].lower() not in t.not_fraction_after)):
        num = m.group("n")
        k = 1.0 if not num or num.lower() in ("a", "an") else t.words[num.lower()]
        return _Num(i, m.end(), k / t.frac_words[m.group("d").lower()], kind="fraction")
    m = t.rx_dozen.match(text, i)
    if m and m.group("n"):
        k = 1.0 if m.group("n").lower() == "a" else t.words[m.group("n").lower()]
        return _Num(i, m.end(), k * t.dozen[m.group("d").lower()], kind="words")
    m = t.rx_words.match(text, i)
    if m:
        v = _words_value(t, m.group(0))
        if v is None:
            return None
        n = _Num(i, m.end(), v, kind="words")
        last = re.split(r"[ \t-]+", m.group(0).lower())[-1]
        if last in t.scales and v != t.scales[last]:
            head = _words_value(t, m.group(0)[:m.group(0).lower().rfind(last)])
            if head and abs(head * t.scales[last] - v) < 1e-9 * v:
                n.value, n.mult = head, t.scales[last]
        ah = t.rx_and_half.match(text, n.end)
        if ah:
            n.value += 0.5
            n.end = ah.end()
        return n
    return None


# -- units -------------------------------------------------------------------------------------------------------

@dataclass(slots=True)
class _Unit:
    end: int
    unit: str | None
    factor: float
    text: str
    entry: str | None
    kind: str | None = None
    about: str | None = None
    counted: str | None = None
    hyphen: bool = False
    plural: bool = True
    noun_start: int = 0


def _unit_entry(e: dict, end: int, written: str, hyphen: bool) -> _Unit:
    return _Unit(end, e["unit"], float(e["factor"]), written, e["name"], e.get("kind"), e.get("about"),
                 hyphen=hyphen)


def unit_after(t: _Tables, text: str, p: int, *, attached_ok: bool = True, has_prefix: bool = False) -> _Unit | None:
    """A unit, currency or minor currency written right after position ``p`` (after an optional hyphen)."""
    hyphen = False
    q = p
    if q < len(text) and text[q] == "-" and q + 1 < len(text) and text[q + 1].isalpha():
        q += 1
        hyphen = True
    elif text.startswith(" - ", q) or text.startswith(" – ", q):
        return None
    if attached_ok and q == p:
        m = t.rx_unit_attached.match(text, q)
        if m:
            return _unit_entry(t.attached_units[m.group(0)], m.end(), m.group(0), False)
    best = None
    r = q + 1 if q < len(text) and text[q] in " \t" and not hyphen else q
    for rx, table, fold in ((t.rx_unit_form, t.forms, True), (t.rx_unit_symbol, t.symbols, False)):
        m = rx.match(text, r)
        if m and (best is None or m.end() > best.end):
            e = table[m.group(0).lower() if fold else m.group(0)]
            best = _unit_entry(e, m.end(), m.group(0), hyphen)
    if best and text[r:best.end].lower() in ("t", "l", "b", "g", "m", "w", "v", "h", "p") and r != q + 0 \
            and text[q] in " \t":
        best = None  # single letters must touch the number ("5t", "1.0l"); "5 t" is too ambiguous
    mc = t.rx_minor_cased.match(text, q) if not hyphen else None
    mi = t.rx_minor.match(text, q) if not hyphen else None
    for mm, table in ((mi, t.minor), (mc, t.minor_cased)):
        if mm and (best is None or mm.end() > best.end):
            word = mm.group(0).strip()
            code, f = table.get(word.lower(), None) or table[word]
            best = _Unit(mm.end(), code, f, word, code, "money")
    if not hyphen:
        mn = t.rx_cur_name.match(text, q)
        if mn and (best is None or mn.end() >= best.end):
            word = mn.group(0).strip()
            best = _Unit(mn.end(), t.cur_names[word.lower()], 1.0, word, t.cur_names[word.lower()], "money")
        ms = t.rx_cur_suffix.match(text, q)
        if ms and best is None and (has_prefix or ms.group(0).strip() not in t.suffix_needs_prefix):
            word = ms.group(0).strip()
            best = _Unit(ms.end(), t.cur_suffix[word], 1.0, word, t.cur_suffix[word], "money")
        mi2 = t.rx_iso_after.match(text, q)
        if mi2 and best is None and mi2.group("iso") in t.iso and \
                (has_prefix or mi2.group("iso") not in t.suffix_needs_prefix):
            best = _Unit(mi2.end(), mi2.group("iso"), 1.0, mi2.group("iso"), mi2.group("iso"), "money")
    return best


def currency_before(t: _Tables, text: str, s: int) -> tuple[str, int, str, bool] | None:
    """(ISO code, start, as written, negative) of a currency written right before the number at ``s``."""
    window = text[max(0, s - 10):s]
    if not window:
        return None
    m = t.rx_cur_attached.search(window)
    if m:
        w = m.group("a")
        return t.cur_attached[w], s - len(window) + m.start(), w, False
    m = t.rx_cur_prefix.search(window)
    if not m:
        return None
    w = m.group("a") or m.group("s") or m.group("iso")
    if m.group("iso"):
        if w not in t.iso_prefix_ok:
            return None
        code = w
    else:
        code = t.cur_prefix.get(w) or t.cur_prefix_folded[w.lower()]
    return code, s - len(window) + m.start(), w, bool(m.group("neg"))


def counted_after(t: _Tables, text: str, p: int, value: float | None, *, via_of: bool = False) -> _Unit | None:
    """The noun a number counts: "13 people", "five profile slots", "96 Liverpool fans", "one count"."""
    words = []
    q = p
    if via_of:
        while True:
            m = t.rx_word.match(text, q)
            if not m or m.group(1).lower() not in t.determiners:
                break
            q = m.end()
    for _ in range(t.max_modifiers + 1):
        m = t.rx_word.match(text, q)
        if not m or (words and "of" in m.group(0)[:m.start(1) - m.start()].split()):
            break
        if not words and " of" in m.group(0)[:m.start(1) - m.start()].lower() and not via_of:
            break
        words.append((m.group(1), m.start(1), m.end(1)))
        q = m.end()
        if q < len(text) and text[q] not in " \t":
            break
    for k, (w, ws, we) in enumerate(words):
        lw = w.lower()
        if (lw in t.np_stop and lw not in t.modifier_ok) or lw in t.numword or lw in t.months:
            return None
        demonym = w[0].isupper() and lw.endswith(t.demonym_suffixes) and w[1:].islower()
        if not w[0].islower() and k == len(words) - 1 and not demonym:
            return None
        sing = singular(t, lw) if w[0].islower() or demonym else None
        if sing is None and value == 1 and k == 0 and t.singular_after_one and w[0].islower() \
                and lw not in t.not_plural and not lw.endswith(("ly", "ed")) and lw not in t.forms \
                and not text.startswith("-", we) \
                and (len(words) == 1 or words[1][0].lower() in t.np_stop or not words[1][0].isalpha()):
            return _Unit(we, "count", 1.0, w, lw, "count", counted="count", plural=False, noun_start=ws)
        if sing is not None and (w[0].islower() or demonym) and (lw in t.forms or sing in t.forms):
            # "517 rushing yards", "36 long hours": a unit after a modifier
            return _unit_entry(t.forms.get(lw) or t.forms[sing], we, w, False)
        if sing is not None and (w[0].islower() or demonym):
            if value == 1 and lw not in t.invariant and lw not in t.plural_after_one:
                return None  # "this one contains": a verb, not "one" of something
            if we < len(text) and text[we] in "-'’" or (we + 1 < len(text) and text[we] == "." and
                                                        text[we + 1].isalnum()):
                return None
            first = words[0][1]
            phrase = text[first:we]
            if lw in t.person_nouns or phrase.lower() in t.person_nouns or demonym:
                kind = "person"
            elif lw in t.vehicle_nouns:
                kind = "vehicle"
            else:
                kind = "count"
            entry = "person" if lw in t.people_word else sing
            return _Unit(we, kind, 1.0, phrase, entry, "count", counted=kind, noun_start=first)
        if (lw.endswith("ly") and "-" not in lw) or "'" in w or "’" in w:
            return None
    return None


def rate_after(t: _Tables, text: str, p: int) -> tuple[str, int, str] | None:
    """A denominator ("per barrel", "a year", "/day") right after ``p``: (canonical, end, as written)."""
    m = t.rx_per.match(text, p)
    if not m:
        return None
    d = m.group("d").lower()
    base = t.den_all.get(d, d)
    if m.group("w") and m.group("w").lower() in ("a", "an", "each") and base not in t.den_article:
        return None
    after = text[m.end():m.end() + 16].lower()
    nxt = re.match(r"[ \t]*([a-z]+)", after)
    if after.startswith("-") or (nxt and nxt.group(1) in t.not_after_rate):
        return None
    canon = t.den_time.get(base) or t.den_other.get(base) or base
    return canon, m.end(), m.group(0).strip()


# -- context -----------------------------------------------------------------------------------------------------

def bound_before(t: _Tables, text: str, s: int) -> tuple[str, int, str] | None:
    """(bound, start, word) of a bound written before ``s``: "more than", "up to", "about", "exceeded"."""
    window = text[max(0, s - 28):s]
    m = t.rx_bound.search(window)
    if not m:
        return None
    w = (m.group("w") or m.group("s") or m.group("p")).lower()
    return t.bound_of[w], s - len(window) + m.start(), w


def change_before(t: _Tables, text: str, s: int) -> tuple[str, int, str | None] | None:
    """(up | down, start, object) of a change verb before ``s``: "rose", "was down", "cut output by" (object
    "output")."""
    window = text[max(0, s - 48):s]
    m = t.rx_change.search(window)
    if not m:
        return None
    v = m.group("v").lower()
    if v in ("up", "down"):
        w, _ = _prev_word(text, s - len(window) + m.start())
        if f"{w.lower()} {v}" in t.not_change:
            return None  # "gave up 517 yards", "stepped down"
    obj = None
    link = m.group("l").strip()
    if link.endswith(" by") and link[:-3].strip():
        obj = _clean_np(t, link[:-3])
    return t.change_of[v], s - len(window) + m.start(), obj


def _clean_np(t: _Tables, s: str) -> str | None:
    words = [w for w in re.split(r"\s+", s.strip(" \t,.;:\"'“”‘’()")) if w]
    while words and (words[0].lower() in t.determiners or words[0].lower().endswith(("'s", "’s"))):
        words.pop(0)
    while words and words[-1].lower() in t.np_stop:
        words.pop()
    if not words or any(ch.isdigit() for w in words for ch in w) or any(w.lower() in t.np_stop for w in words) \
            or (words[-1].lower().endswith("ed") and not words[-1].lower().endswith("eed")):
        return None
    if len(words) > t.np_max:
        words = words[-t.np_max:]
    return " ".join(words).strip(" \t,.;:\"'“”‘’()") or None


def np_after(t: _Tables, text: str, p: int) -> tuple[str, int] | None:
    """The noun phrase that starts at ``p``: determiners and possessives skipped, up to a stop word."""
    words = []
    q = p
    end = p
    skipping = True
    while len(words) < t.np_max:
        m = re.compile(r"[ \t]*([A-Za-z][A-Za-z'’-]*)").match(text, q)
        if not m:
            break
        w = m.group(1)
        lw = w.lower()
        if skipping and (lw in t.determiners or lw.endswith(("'s", "’s"))):
            q = m.end()
            continue
        skipping = False
        if lw in t.np_stop or lw in t.months or lw in t.change_of or lw in t.verbs or \
                (words and lw.endswith("ed") and not lw.endswith("eed")):
            break
        words.append(w)
        q = end = m.end()
        if q < len(text) and text[q] not in " \t":
            break
    if not words:
        return None
    return " ".join(words), end


def subject_before(t: _Tables, text: str, s: int, sent: int, verb_read: bool = False) -> str | None:
    """What a quantity measures, read from the clause before it: "the trade turnover ... increased by".
    ``verb_read``: the quantity's span already starts with its verb ("increased by 54%", "exceeded 7 million")."""
    pre = text[max(sent, s - 160):s]
    m = t.rx_subject_verb.search(pre)
    if m:
        pre = pre[:m.start()]
    elif not verb_read:
        return None
    a = t.rx_aux_tail.search(pre)
    if a:
        pre = pre[:a.start()]
    parts = t.rx_clause.split(pre)
    clause = parts[-1] if parts else pre
    words = clause.split()
    if not words:
        return None
    if words[-1].lower() in t.pronouns:
        return "<pronoun>"
    c = t.rx_cut.search(" " + clause + " ")
    head = (" " + clause + " ")[:c.start()] if c and c.start() > 0 else clause
    if any(ch.isdigit() for ch in head) and " and " in head:  # "X rose 5% and Y fell": Y
        head = head.rsplit(" and ", 1)[1]
    of = re.search(r"\b(\w+)\s+of\s+(.+)$", head)
    if of and of.group(1).lower() in t.containers:
        head = of.group(2)
    return _clean_np(t, head)


_BORROW_RX = re.compile(r"(?:(-),?[ \t]+(?:or|and|,)?|[ \t]+(or))[ \t]*(?!to[ \t])", re.I)
_RANGE_RX = re.compile(r"[ \t]*(?:-[ \t]+(?=to[ \t]))?(?P<c>-|–|—|to|and|through|up[ \t]+to|/)[ \t]*", re.I)


# -- the grammar -------------------------------------------------------------------------------------------------

def _is_year(n: _Num, t: _Tables) -> bool:
    return n.plain_int and n.kind == "numeral" and t.year_lo <= (n.value or 0) <= t.year_hi and n.end - n.start == 4


def _context_rejects(t: _Tables, text: str, n: _Num, has_currency: bool) -> str | None:
    """Why the number at ``n`` is not a quantity at all (part of a date, time, code, name), else None."""
    s, e = n.start, n.end
    prev = text[s - 1] if s else " "
    if n.kind == "numeral":
        if prev.isalpha() and not has_currency:
            return "code"                       # G70, XC40, MH17
        if prev in "-−/.:×^" and s >= 2 and (text[s - 2].isalnum()):
            w, _ = _prev_word(text, s - 1)
            if prev != "-" or w.lower() not in t.hyphen_ok:
                return "code"                   # COVID-19, 2019-09-01, 10:38, 1/2/2020, 10−30
        if prev.isdigit() or (prev == "," and s >= 2 and text[s - 2].isdigit()):
            return "code"
        if e < len(text):
            nxt = text[e]
            if n.mult == 1.0 and nxt in ":/" and e + 1 < len(text) and text[e + 1].isdigit():
                return "time or date"
            if nxt == "." and e + 1 < len(text) and text[e + 1].isdigit():
                return "code"                   # 10.38.07
            if n.mult == 1.0 and t.ordinal.match(text, e):
                return "ordinal"
        if n.mult == 1.0 and (not n.separators or "," not in text[s:e]) and t.rx_time_after.match(text, e):
            return "time"
    return None


def _candidates(t: _Tables, text: str) -> list[int]:
    """The starts of ``t.rx_candidate.finditer(text)``, found faster.

    The regex engine tries rx_candidate at every character of the text; most of the time goes into the number
    words. Its matches are of two kinds that never overlap: one character (a digit or a vulgar fraction) and a
    number word ("tens of thousands", "a hundred"), which starts after a non-word character. So the characters are
    found by a plain character class, and the words by a scan that only stops at non-word characters; a word that
    starts inside the previous word match is skipped, as finditer skips it."""
    if not t.cand_split:
        return [m.start() for m in t.rx_candidate.finditer(text)]
    starts = [m.start() for m in t.rx_cand_char.finditer(text)]
    end = 0
    m = t.rx_cand_word.match(text)  # a word at the very start has no character before it for the scan to stop at
    if m:
        starts.append(0)
        end = m.end()
    for m in t.rx_cand_word_after.finditer(text):
        s = m.start(1)
        if s >= end:
            starts.append(s)
            end = m.end(1)
    starts.sort()
    return starts


def _phones(t: _Tables, text: str) -> list[tuple[int, int]]:
    """The spans of ``t.rx_phone.finditer(text)``. With the shipped pattern the engine jumps from one "+", "(" or
    digit to the next, matches the phone number in a lookahead there (group 1) and goes on after it."""
    if t.rx_phone_at is None:
        return [m.span() for m in t.rx_phone.finditer(text)]
    out = []
    pos = 0
    while (m := t.rx_phone_at.search(text, pos)) is not None:
        out.append(m.span(1))
        pos = m.end(1)
    return out


def extract(text: str) -> list[Quantity]:
    """Every quantity in ``text``, in order, without overlaps."""
    t = tables()
    out: list[Quantity] = []
    phones = _phones(t, text)
    pos = 0
    last_about: tuple[int, str] | None = None
    for i in _candidates(t, text):
        if i < pos:
            continue
        q = _read(t, text, i, phones)
        if q is None:
            continue
        qty, consumed = q
        pos = max(pos, consumed)
        if qty is None:
            continue
        if qty.about == "<pronoun>":
            qty.about = last_about[1] if last_about and qty.start - last_about[0] < 600 and \
                "\n" not in text[last_about[0]:qty.start] else None
        if qty.about:
            last_about = (qty.end, qty.about)
        if out and qty.start < out[-1].end:
            qty.start = max(qty.start, out[-1].end)
            while qty.start < len(text) and text[qty.start] in " \t":
                qty.start += 1
        out.append(qty)
    return out


def _read(t: _Tables, text: str, i: int, phones) -> tuple[Quantity | None, int] | None:
    n1 = parse_number(t, text, i)
    if n1 is None:
        return None
    for a, b in phones:
        if a <= n1.start < b:
            return None, b
    neg = False
    s0 = n1.start
    if n1.kind == "numeral" and s0 >= 1 and text[s0 - 1] in "-−–":
        before = text[s0 - 2] if s0 >= 2 else " "
        if before in " \t(\n" or before in "$€£¥":
            neg = True
            s0 -= 1
    if n1.kind == "numeral" and s0 >= 1 and text[s0 - 1] == "+" and (s0 < 2 or text[s0 - 2] in " \t(\n"):
        s0 -= 1
    w6 = text[max(0, s0 - 6):s0].lower()
    if w6.endswith(("minus ", "minus-", "negative ")):
        neg = True
        s0 -= 6 if w6.endswith(("minus ", "minus-")) else 9
    signed_plus = text[s0] == "+"
    cur = currency_before(t, text, s0)  # "$5", "US $5", "RM5", "USD 5", "$-50.8bn", "-$5"
    if cur is None and s0 != n1.start:
        cur = currency_before(t, text, n1.start)
    if cur and (cur[3] or (cur[1] >= 1 and text[cur[1] - 1] in "-−" and (cur[1] < 2 or text[cur[1] - 2] in " \t(\n"))):
        if not cur[3]:
            cur = (cur[0], cur[1] - 1, cur[2], True)
        neg = True
    why = _context_rejects(t, text, n1, cur is not None)
    if why:
        return None, n1.end
    value = -(n1.value or 0) if neg else n1.value

    # the ambiguous multiplier "m": million only after a currency or before "of", a unit or a counted noun
    if n1.amb_mult:
        nxt = unit_after(t, text, n1.end, attached_ok=False)
        looks_million = cur is not None or n1.amb_mult.isupper() or t.rx_of.match(text, n1.end) or \
            (nxt is not None and nxt.kind != "duration") or counted_after(t, text, n1.end, 2) is not None
        if not looks_million:
            n1.mult, n1.end, n1.amb_mult = 1.0, n1.amb_end, None
            n1.plain_int = not n1.separators

    unit = unit_after(t, text, n1.end, has_prefix=cur is not None)
    if unit is not None and unit.kind == "money" and cur is not None and unit.entry != cur[0] and cur[0] != "USD":
        unit = None  # "£5 ... euros" is not one quantity
    end = unit.end if unit else n1.end

    # a unit written once for two numbers: "7- or 8-inch", "eight or nine euros"
    borrowed = None
    if unit is None and cur is None:
        m = _BORROW_RX.match(text, n1.end)
        if m and (m.group(1) or m.group(2)):
            n2 = parse_number(t, text, m.end())
            if n2 and n2.kind in ("numeral", "words") and n2.mult == n1.mult:
                u2 = unit_after(t, text, n2.end)
                if u2 and (u2.kind != "money" or not m.group(1)):
                    borrowed = u2
                    end = n1.end

    # ranges
    low = high = None
    range_end = None
    range_kind = None
    pre_word, pre_start = _prev_word(text, cur[1] if cur else s0)
    between = pre_word.lower() in ("between",)
    from_ = pre_word.lower() in ("from",)
    rm = _RANGE_RX.match(text, end)
    if rm and n1.kind in ("numeral", "words", "vague") and not borrowed:
        c = rm.group("c").lower()
        ok_conn = (c == "and" and between) or c in ("to", "through") or \
                  (c == "up to" and from_) or \
                  (c in "-–—" and rm.group(0) == c) or (c == "/" and cur is not None)
        if c in "-–—" and rm.group(0) != c and from_:
            ok_conn = True
        j = rm.end()
        cur2 = None
        if ok_conn and j < len(text) and not text[j].isdigit():  # "$10 to $15", "rs 30 lakh to rs 50 lakh"
            m2 = re.compile(r"[^\s\d]{1,5}[ \t]?(?=[-−]?\d)").match(text, j)
            if m2:
                c2 = currency_before(t, text, m2.end())
                if c2 and c2[1] == j:
                    cur2 = c2
                    j = m2.end()
        n2 = parse_number(t, text, j) if ok_conn and j < len(text) else None
        if n2 is not None and n2.kind in ("numeral", "words") and n2.value is not None:
            u2 = unit_after(t, text, n2.end)
            v1 = n1.value if n1.value is not None else None
            good = v1 is not None and not _is_year(n2, t) and not (_is_year(n1, t) and cur is None)
            if good and c in ("to", "through") and not from_ and change_before(t, text, cur[1] if cur else s0):
                good = False  # "increased by $43.6 billion to $419.2 billion": a change, then a level
            if good and cur2 and cur and cur2[0] != cur[0]:
                good = False
            if good and unit and u2 and (unit.unit != u2.unit or unit.kind != u2.kind):
                good = False
            if good and c in "-–—":
                nx = text[n2.end:n2.end + 2]
                if (n2.end < len(text) and text[n2.end] in "-/:") and nx[1:2].isdigit():
                    good = False
            if good and _context_rejects(t, text, n2, cur2 is not None) not in (None, "code"):
                good = False
            if good and (unit is None) != (u2 is None) and not (between or from_) and c not in "-–—" and \
                    (change_before(t, text, cur[1] if cur else s0) or (unit is not None and u2 is None)):
                good = False  # "rose 6.5% to 164": a bare end takes the unit of the other only in a clear range
            if good:
                m1 = n1.mult
                v2 = n2.value * n2.mult
                a = v1 * m1
                if m1 == 1.0 and n2.mult != 1.0 and n1.value < n2.value:
                    a = v1 * n2.mult  # "400-500 thousand", "$10 to $15 billion"
                if neg:
                    a = -a
                if (c in "-–—" and not (between or from_)) and a >= v2:
                    good = False  # "9-2", "2-1": scores, not ranges
                if good:
                    low, high = min(a, v2), max(a, v2)
                    range_end = n2.end
                    range_kind = c
                    if u2 is not None and unit is None:
                        unit = u2
                    if u2 is not None:
                        range_end = u2.end
                    if cur is None and cur2 is not None:
                        cur = cur2

    if low is None and value is not None:
        value *= n1.mult
    if low is None and n1.kind == "vague":
        low, high = n1.low, n1.high
    if range_end is not None:
        end = range_end
    if borrowed is not None:
        unit = borrowed

    # counted nouns
    if unit is None and cur is None:
        pv = value if value is not None else 2
        unit = counted_after(t, text, end, 1 if (low is None and pv == 1) else 2)
        if unit is None and (n1.kind == "vague" or n1.mult != 1.0 or n1.kind == "words"):
            mo = t.rx_of.match(text, end)
            if mo:
                unit = unit_after(t, text, mo.end() - 1, attached_ok=False)  # "tens of thousands of dollars"
                if unit is not None and unit.kind == "money":
                    cur = (unit.unit, s0, unit.text, False)
                    end = unit.end
                    unit = None
                elif unit is None:
                    unit = counted_after(t, text, mo.end() - 1, 2, via_of=True)
        if unit is not None:
            end = unit.end
    # "1/16 of a US pint": a fraction of a unit
    if unit is None and cur is None and n1.kind == "fraction":
        m = re.compile(r"[ \t]+of[ \t]+(?:an?|one)[ \t]+(?:[A-Z]{2}[ \t]+)?", re.I).match(text, end)
        if m:
            u = unit_after(t, text, m.end() - 1)
            if u and u.kind != "money":
                unit = u
                end = u.end

    # money
    kind = None
    factor = 1.0
    unit_name = None
    entry = None
    unit_text = None
    about_default = None
    counted = None
    if cur is not None:
        kind = "money"
        unit_name = cur[0]
        entry = cur[0]
        unit_text = cur[2]
        if unit is not None and unit.kind == "money" and unit.entry != cur[0] and cur[2] == "$" and \
                unit.text.isupper() and unit.unit in t.iso:
            unit_name = entry = unit.unit  # "$1.1396 EUR"
        if unit is not None and unit.kind != "money":
            unit = None
            end = range_end or n1.end
        elif unit is not None:
            end = unit.end
    elif unit is not None:
        kind = unit.kind
        unit_name = unit.unit
        factor = unit.factor
        entry = unit.entry
        unit_text = unit.text
        about_default = unit.about
        counted = unit.counted
    elif n1.kind == "fraction":
        if not (t.rx_of.match(text, end) or text[end:end + 4].lower() in (" the", " its") or
                text[end:end + 6].lower() in (" their",)):
            return None, end
        kind, unit_name, factor, entry = "ratio", "percent", 100.0, "percent"
    elif n1.kind == "multiple":
        kind, unit_name, entry = "multiple", "times", "times"

    # a single letter that is not a unit here, glued to the number: "5s", "3D", "4x4"
    if unit is None and cur is None and end < len(text) and (text[end].isalpha()) and n1.kind == "numeral":
        return None, end

    # rates: "$60 a barrel", "5 percent a year", "tests per day"
    per = None
    if unit_name is not None and kind not in ("duration", "age"):
        r = rate_after(t, text, end)
        if r:
            per = r[0]
            end = r[1]
            unit_text = f"{unit_text} {r[2]}" if unit_text else r[2]

    # what it is worth, sign, bounds, changes
    if value is not None:
        value *= factor
    if low is not None:
        low, high = low * factor, high * factor
    start = cur[1] if cur else s0
    if (between or from_) and low is not None:
        _, start = _prev_word(text, start)
    bound = "exact"
    b = bound_before(t, text, start)
    if b:
        bound, start = b[0], b[1]
    else:
        ba = t.rx_bound_after.match(text, end)
        if ba and not (ba.group("w") == "+" and end < len(text) and text[end:end + 2].strip() == ""):
            bound = t.bound_after[ba.group("w").lower()]
            end = ba.end()
    change = None
    change_obj = None
    if (low is None or not (between or from_)) and counted != "person":
        ch = change_before(t, text, start)
        if ch:
            change, start, change_obj = ch
        elif neg and kind == "ratio" and not cur:
            change = "down"
        elif signed_plus and kind in ("ratio", "money"):
            change = "up"
        if change is None and kind != "money":
            m = t.rx_change_noun.match(text, end)
            if m:
                change = t.change_noun[m.group("w").lower()]

    # what is not a quantity
    sent = _sentence_start(text, start)
    if _not_a_quantity(t, text, n1, s0, start, end, unit, cur, kind, counted, value, low, bound, change, sent,
                       entry, unit_name):
        return None, max(end, n1.end)

    # about
    about = None
    q_end = end
    mo = t.rx_of.match(text, end)
    if mo and kind not in ("duration", "age") and not (kind == "count" and unit is not None):
        a = np_after(t, text, mo.end())
        if a:
            about, q_end = a
    if about is None and counted:
        phrase = unit.text.lower()
        about = None if phrase in t.people_word else unit.text
    if about is None and kind == "money":
        ma = t.rx_after_money.match(text, end)
        if ma:
            a = np_after(t, text, ma.end())
            if a and not any(ch.isdigit() for ch in a[0]) and a[0].lower() not in t.months:
                about = a[0]
    if about is None and change_obj:
        about = change_obj
    if about is None and kind not in ("duration", "age", "temperature") and not counted:
        verb_read = change is not None or (b is not None and b[2].endswith(("ed", "ing", "eds", "ceeds", "ceed")))
        about = subject_before(t, text, start, sent, verb_read)
    if about is None:
        about = about_default
    if about and about != "<pronoun>" and about.lower() in t.pronouns:
        about = "<pronoun>"

    qty = Quantity(start, q_end, value=None if low is not None else value, low=low, high=high, unit=unit_name,
                   bound=bound, change=change, about=about, unit_text=unit_text, entry=entry, factor=factor,
                   kind=kind, counted=counted, per=per)
    if per:
        qty.unit = f"{unit_name}/{per}"
    if kind == "duration" and unit is not None and unit.hyphen:
        qty.attributive = True
    if range_kind is None and kind == "duration" and unit is not None and not unit.hyphen and value != 1 and \
            unit.text.lower() in ("year", "month", "week", "day", "hour", "minute", "second") and \
            end < len(text) and text[end] == " " and end + 1 < len(text) and text[end + 1].islower():
        qty.attributive = True  # "a 10 year deal"
    return qty, max(end, n1.end)


def _not_a_quantity(t, text, n1, s0, start, end, unit, cur, kind, counted, value, low, bound, change, sent,
                    entry, unit_name) -> bool:
    bare = unit_name is None
    weak = bare or counted is not None
    prev, pstart = _prev_word(text, start)
    lp = prev.lower().rstrip(".") if prev else ""
    nxt_m = re.compile(r"[ \t]*([A-Za-z]+)").match(text, end)
    nxt = nxt_m.group(1) if nxt_m else ""
    # dates
    if cur is None and kind not in ("money",) and n1.kind == "numeral" and n1.plain_int:
        if lp in t.months and (prev[:1].isupper() or lp not in t.month_words):
            return True
        if nxt.lower() in t.months and (nxt[:1].isupper() or nxt.lower() not in t.month_words):
            return True
    # years
    if _is_year(n1, t) and cur is None and low is None and (bare or counted) and bound == "exact":
        return True
    if _is_year(n1, t) and cur is None and kind in ("duration",) and low is None:
        return True
    # labels and names: "No. 5", "Game 7", "Boeing 737", "Section 427"
    plain = weak and prev and start == s0 and bound == "exact" and change is None
    if plain and n1.kind in ("numeral", "words") and lp in t.labels and low is None:
        return True
    if plain and n1.kind == "numeral" and prev[:1].isupper() and pstart > sent and lp not in t.np_stop \
            and lp not in t.bound_of and lp not in t.change_of and lp not in t.months:
        return True
    if n1.kind == "numeral" and prev and weak and re.match(r"[A-Z][\w.&-]*$", prev) and pstart > sent and \
            text[pstart + len(prev):start].strip() in ("-", "#") and bound == "exact":
        return True
    # widget text: "Enter at least 30 characters", "3 to 5 articles", "0 / 30"
    if counted and (unit.text.lower() in t.widget_nouns or entry in t.widget_nouns):
        return True
    # a negative count is a code ("COVID -19 tests")
    if counted and value is not None and value < 0:
        return True
    # bare numbers: kept only when something says they are an amount
    if bare:
        strong = (n1.separators or n1.mult != 1.0 or n1.kind in ("vague", "fraction", "multiple") or low is not None
                  or bound != "exact" or change is not None)
        if not strong:
            return True
        if n1.kind == "words" and low is None and n1.mult == 1.0 and bound == "exact" and (value or 0) < 100:
            return True
    if counted and n1.kind == "words" and (value or 0) >= 1 and unit.plural is False and bound == "exact":
        # "one thing": keep only lower-case singular nouns after a spelled "one" when not "one of"
        return False
    return False
