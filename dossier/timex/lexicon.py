"""Tokens and their classes, and the grammar compiled over them.

The text is cut into tokens by one regular expression (multi-word phrases of the lexicon, numeric dates, clock
times, numbers, words, line breaks, punctuation). Each token gets a class, written as one character, so a whole
document becomes a short string of class characters over which the patterns of data/timex_grammar.json run as
ordinary regular expressions: matching is done by the regex engine in C, which keeps the stage fast.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

# token shapes that are not lexicon classes
SHAPES = ("YEAR4", "FYEAR", "NUM2", "NUM", "ORDNUM", "DECADE", "SHORTYEAR", "CLOCK", "NUMDATE", "HY", "COMMA", "DOT",
          "SLASH", "NL", "PUNCT", "WORD", "APOS")
_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789αβγδεζηθικλμνξπρστυφχψω"


def _data(name: str) -> dict:
    return json.loads(resources.files("dossier").joinpath(f"data/{name}").read_text("utf-8"))


@dataclass(frozen=True, slots=True)
class Pattern:
    kind: str
    rx: re.Pattern
    order: int
    source: str


@dataclass(slots=True)
class Lexicon:
    words: dict          # lower-case word -> (class, value)
    capitalised: frozenset
    sym: dict            # class -> character
    token_rx: re.Pattern
    patterns: list
    tense: dict
    cls: dict            # character -> class
    policy: dict         # data/timex_policy.json


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    lex = _data("timex_lexicon.json")
    gram = _data("timex_grammar.json")
    classes = list(lex["classes"]) + [s for s in SHAPES if s not in lex["classes"]]
    if len(classes) > len(_CHARS):
        raise ValueError("too many token classes")
    sym = {c: _CHARS[i] for i, c in enumerate(classes)}
    words: dict = {}
    for cls, table in lex["classes"].items():
        for w, v in table.items():
            words.setdefault(w.lower(), (cls, v))
    multi = sorted((w for w in words if not re.fullmatch(r"[^\W\d_]+", w)), key=len, reverse=True)
    multi_rx = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in multi)
    token_rx = re.compile(
        rf"(?P<mw>(?<![\w])(?i:{multi_rx})(?![\w]))"
        r"|(?P<nd>\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?(?![\d-])"
        r"|(?<![\d.])\d{1,2}[/.]\d{1,2}[/.](?:\d{4}|\d{2})(?![\d/.]\d))"
        r"|(?P<fy>FY['’]?(?:\d{4}|\d{2})(?![\w]))"
        r"|(?P<clock>\d{1,2}:\d{2}(?::\d{2})?(?!\d))"
        r"|(?P<num>\d+(?:,\d{3})*(?:\.\d+)?(?:/\d+)?(?:st|nd|rd|th|s|['’]s)?(?![\w]))"
        r"|(?P<sy>['’]\d\d(?:s)?(?!\w))"
        r"|(?P<word>[^\W\d_]+(?![\w])|\w+)"
        r"|(?P<nl>\n)"
        r"|(?P<p>\S)"
    )
    patterns = []
    macros = gram.get("macros", {})

    def expand(src: str) -> str:
        for _ in range(5):
            src = re.sub(r"@([A-Z][A-Z0-9_]*)", lambda m: macros[m.group(1)], src)
        src = re.sub(r"\b[A-Z][A-Z0-9_]+\b", lambda m: re.escape(sym[m.group(0)]), src)
        return re.sub(r"\s+", "", src)

    for i, (kind, src) in enumerate(gram["patterns"]):
        patterns.append(Pattern(kind, re.compile(expand(src)), i, src))
    t = lex["tense"]
    for key in ("future_modal", "future_lexical", "future_lexical_before", "prep_future", "prep_past", "present",
                "passive_present", "perfect", "past", "not_past_ed", "boundaries", "past_perfect", "determiners",
                "future_subordinators"):
        t["_" + key] = frozenset(t[key])
    return Lexicon(words, frozenset(lex["capitalised"]), sym, token_rx, patterns, lex["tense"],
                   {v: k for k, v in sym.items()}, _data("timex_policy.json"))
