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
from itertools import combinations

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
    needs: tuple = ()    # sets of class characters: every match has one of each (a text without one has no match)


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
    multi_rx = _phrase_trie(multi) or "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in multi)
    # The first alternative that matches at a position wins. Alternatives that cannot start on the same character
    # are ordered for speed: the words (most tokens) come right after the phrases and "FY19", and the shapes that
    # start with a digit are tried only at a digit. "word" and "alnum" ("B52", "covid_19") are both words. Every
    # token starts with a non-space or is a line break: the lookahead in front rejects a space between tokens in
    # one test rather than one per alternative.
    token_rx = re.compile(
        r"(?=[\S\n])(?:"
        rf"(?P<mw>(?<![\w])(?i:{multi_rx})(?![\w]))"
        r"|(?P<fy>FY['’]?(?:\d{4}|\d{2})(?![\w]))"
        r"|(?P<word>[^\W\d_]+(?![\w]))"
        r"|(?=\d)(?:"
        r"(?P<nd>\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?(?![\d-])"
        r"|(?<![\d.])\d{1,2}[/.]\d{1,2}[/.](?:\d{4}|\d{2})(?![\d/.]\d))"
        r"|(?P<clock>\d{1,2}:\d{2}(?::\d{2})?(?!\d))"
        r"|(?P<num>\d+(?:,\d{3})*(?:\.\d+)?(?:/\d+)?(?:st|nd|rd|th|s|['’]s)?(?![\w]))"
        r")"
        r"|(?P<sy>['’]\d\d(?:s)?(?!\w))"
        r"|(?P<alnum>\w+)"
        r"|(?P<nl>\n)"
        r"|(?P<p>\S)"
        r")"
    )
    patterns = []
    macros = gram.get("macros", {})

    def expand_macros(src: str) -> str:
        for _ in range(5):
            src = re.sub(r"@([A-Z][A-Z0-9_]*)", lambda m: macros[m.group(1)], src)
        return src

    def expand(src: str) -> str:
        src = expand_macros(src)
        src = re.sub(r"\b[A-Z][A-Z0-9_]+\b", lambda m: re.escape(sym[m.group(0)]), src)
        return re.sub(r"\s+", "", src)

    for i, (kind, src) in enumerate(gram["patterns"]):
        full = expand_macros(src)
        needs = tuple(dict.fromkeys(frozenset(sym[c] for c in cs) for cs in _needs(full)))  # no repeats
        patterns.append(Pattern(kind, re.compile(expand(_leading(full))), i, src, needs))
    t = lex["tense"]
    for key in ("future_modal", "future_lexical", "future_lexical_before", "prep_future", "prep_past", "present",
                "passive_present", "perfect", "past", "not_past_ed", "boundaries", "past_perfect", "determiners",
                "future_subordinators"):
        t["_" + key] = frozenset(t[key])
    return Lexicon(words, frozenset(lex["capitalised"]), sym, token_rx, patterns, lex["tense"],
                   {v: k for k, v in sym.items()}, _data("timex_policy.json"))


# -- faster matching ---------------------------------------------------------------------------------------------
# The phrase trie and the leading classes give the regex engine the same choices in the same order (so the same
# matches), only laid out so that it can reject a position quickly; the needs of a pattern let matches() skip it on
# a text that lacks a class it cannot match without.


def _phrase_trie(phrases: list[str]) -> str | None:
    """The multi-word phrases (longest first) as one alternation shaped like a trie: "at\\s+(?:least|most)|..."
    rather than "at\\s+least|at\\s+most|...". Tried at every token, the flat list costs a test per phrase; the trie
    costs a test per distinct next character. Longest first is kept: at each node the longer continuations come
    before the end of a phrase, and (checked here) no two continuations match the same character, so the first
    phrase the trie completes is the longest one that matches, as in the flat list. None when that check fails."""
    root: dict = {}
    for w in phrases:
        node = root
        for c in w:
            node = node.setdefault(c, {})
        node[""] = {}  # a phrase ends here

    def piece(c: str) -> str:
        return r"\s+" if c == " " else re.escape(c)

    def rx(node: dict) -> str | None:
        nxt = [c for c in node if c]
        for a, b in combinations(nxt, 2):  # "s" and "ſ" would both match "S" under (?i)
            if re.fullmatch(f"(?i:{piece(a)})", b) or re.fullmatch(f"(?i:{piece(b)})", a):
                return None
        alts = []
        for c in nxt:
            sub = rx(node[c])
            if sub is None:
                return None
            alts.append(piece(c) + sub)
        if "" in node:
            alts.append("")  # the end of a phrase: tried after every longer one
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return rx(root) if phrases else None


class _Unsupported(Exception):
    """A grammar pattern in a form the rewrites below do not handle: it is used as written."""


_MAX_BRANCHES = 500
_GRAMMAR_TOKEN = re.compile(r"\s*(?:(\(\?:)|\(\?P<(\w+)>|([()|?*+])|([A-Z][A-Z0-9_]*))")


def _leading(src: str) -> str:
    """A grammar pattern (macros expanded) rewritten so that every branch starts with a class.

    The regex engine searches fast for a pattern that starts with one class or a choice of branches each starting
    with one: it scans the class string for those characters in C and tries the pattern only there. A pattern that
    starts with an optional part ("THE? (?:@PM)? DAYPART") is instead tried at every token. The optional start is
    unrolled into branches in the order the engine would try them: "A? B" is "A B | B", "A* B" is "A A* B | B",
    "A+ B" is "A A* B", "(?:A | B C) D" is "A D | B C D". Patterns in another form (a named group, a quantifier
    other than ?, * and +, one that can match nothing) are returned unchanged."""
    try:
        seqs = _parse(src)
        if len(seqs) == 1 and seqs[0] and seqs[0][0][0] == "cls":
            return src  # starts with a class already
        if "(?P<" in src:
            raise _Unsupported  # a named group copied into several branches would be defined twice
        branches = [b for seq in seqs for b in _lead(seq)]
    except _Unsupported:
        return src
    if len(branches) > _MAX_BRANCHES:
        return src  # too many optional parts in front: a long regex would cost more to compile than it saves
    return " | ".join(_emit(b) for b in branches)


def _needs(src: str) -> list[set[str]]:
    """Sets of classes such that every match of the pattern ``src`` (macros expanded) contains a class of each:
    "THE? (?:@PM)? (?:DECADE | DECADEWORD)" needs {DECADE, DECADEWORD}. Empty for a pattern in another form."""
    try:
        return _needs_of(("group", None, _parse(src)))
    except _Unsupported:
        return []


def _needs_of(item: tuple) -> list[set[str]]:
    if item[0] == "cls":
        return [{item[1]}]
    if item[0] == "rep":
        return _needs_of(item[1]) if item[2] >= 1 else []
    per_branch = [[s for x in branch for s in _needs_of(x)] for branch in item[2]]
    if not all(per_branch):
        return []  # a branch that needs nothing
    if len(per_branch) == 1:
        return per_branch[0]
    return [set().union(*(min(sets, key=len) for sets in per_branch))]  # one need of whichever branch matched


def _parse(src: str) -> list[list[tuple]]:
    """The branches of ``src``, each a list of items: ("cls", NAME), ("group", name, branches), ("rep", item, min,
    max) with max None for no limit. Raises _Unsupported on anything else."""
    toks = []
    pos, src = 0, src.rstrip()
    while pos < len(src):
        m = _GRAMMAR_TOKEN.match(src, pos)
        if m is None:
            raise _Unsupported
        toks.append(m.group(1) or (m.group(2) and ("(?P", m.group(2))) or m.group(3) or ("cls", m.group(4)))
        pos = m.end()
    toks.append(None)
    k = 0

    def branches() -> list[list[tuple]]:
        nonlocal k
        out = [[]]
        while toks[k] not in (")", None):
            if toks[k] == "|":
                out.append([])
                k += 1
                continue
            t = toks[k]
            k += 1
            if isinstance(t, tuple) and t[0] == "cls":
                item = t
            elif t == "(?:" or isinstance(t, tuple):
                inner = branches()
                if toks[k] != ")":
                    raise _Unsupported
                k += 1
                item = ("group", t[1] if isinstance(t, tuple) else None, inner)
            else:
                raise _Unsupported
            q = toks[k]
            if q in ("?", "*", "+"):
                k += 1
                if toks[k] in ("?", "*", "+"):
                    raise _Unsupported  # lazy or possessive
                item = ("rep", item, 1 if q == "+" else 0, 1 if q == "?" else None)
            out[-1].append(item)
        return out

    got = branches()
    if toks[k] is not None:
        raise _Unsupported
    return got


def _lead(seq: list[tuple]) -> list[list[tuple]]:
    """``seq`` as branches that each start with a class, in the order a backtracking engine tries them."""
    if not seq:
        raise _Unsupported  # this branch can match nothing: it has no first class
    head, rest = seq[0], seq[1:]
    if head[0] == "cls":
        return [seq]
    if head[0] == "group":
        if head[1] is not None:
            raise _Unsupported
        return [b for branch in head[2] for b in _lead(branch + rest)]
    _, item, lo, hi = head
    if _can_be_empty(item):
        raise _Unsupported  # "(?:A?)*": unrolling it would never end
    more = [item, ("rep", item, 0, None)] if hi is None else [item]  # one repetition, then the others
    if lo == 1:
        return _lead(more + rest)
    return _lead(more + rest) + _lead(rest)  # greedy: with the item first, then without it


def _can_be_empty(item: tuple) -> bool:
    if item[0] == "cls":
        return False
    if item[0] == "group":
        return any(all(_can_be_empty(x) for x in branch) for branch in item[2])
    return item[2] == 0 or _can_be_empty(item[1])


def _emit(seq: list[tuple]) -> str:
    def one(item: tuple) -> str:
        if item[0] == "cls":
            return item[1]
        if item[0] == "group":
            return "(?:" + " | ".join(_emit(b) for b in item[2]) + ")"
        _, inner, lo, hi = item
        return one(inner) + {(0, 1): "?", (0, None): "*", (1, None): "+"}[(lo, hi)]

    return " ".join(one(x) for x in seq)
