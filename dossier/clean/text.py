"""The plain-text cleaner: the article out of a scraped page's text, every removed block recorded with its reason.

General means only (no list of known pages): lines are classified by length, stopword density (jusText's
thresholds and stoplists, for the text's language), interface cues (data/boilerplate.json: prompts, share bars,
ads, related-link lists, comment boxes, captions, translation footers), addressing the reader and imperative
starts; short and borderline lines are then decided by their context, as in jusText (a short line between two
article paragraphs is a subheading; between furniture, it is furniture). The headline is found (a short line before
the body, preferably one the page repeats) and kept once; repeats of it, captions that begin with it, repeated
standfirsts and date lines go. Drop caps split over lines ("S" + blank line + "enior") are joined first.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..document import Change, Removed

_WORD_RE = re.compile(r"\w[\w']*", re.UNICODE)  # words, with inner apostrophes (typographic ones made plain)
_LIST_RE = re.compile(r"^\s*(?:[-–•*·▪►»›|]|\d{1,2}[.)])\s+")
_TERMINAL = tuple('.!?"”»\'’)…')
_SENTENCE_BREAK = re.compile(r"[a-z0-9][.!?]\s+[A-Z]")  # two sentences: a standfirst, not a headline
_WEAK = ("context", "density")  # internal reasons (exported as "other") that a page with no body gives back


@dataclass(slots=True)
class _Line:
    text: str
    cls: str = ""          # good | neargood | short | bad | title
    reason: str | None = None
    words: int = 0
    key: str = ""          # _norm(text), for finding the headline and repeats


@lru_cache(maxsize=1)
def _rules() -> dict:
    data = json.loads(resources.files("dossier").joinpath("data/boilerplate.json").read_text("utf-8"))
    cues = []
    for reason, phrases in data["cues"].items():
        rx = re.compile(r"(?<![\w])(?:" + "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
                        + r")(?![\w])")
        cues.append((reason, rx))
    data["_cues"] = cues
    data["_footers"] = [(re.compile(f["pattern"], re.I), f["from"]) for f in data["translation_footers"]]
    data["_prefixes"] = [(re.compile(p["pattern"]), p["reason"]) for p in data["line_prefixes"]]
    data["_dateline"] = frozenset(data["dateline_words"])
    data["_imperatives"] = frozenset(data["imperatives"])
    data["_second"] = frozenset(data["second_person"])
    return data


def translation_footer(line: str) -> tuple[bool, str | None]:
    """Whether a line says the text was translated, and from which language when it says so."""
    rules = _rules()
    low = line.lower()
    for rx, lang in rules["_footers"]:
        m = rx.search(low)
        if m:
            named = m.groupdict().get("lang")
            return True, rules["language_names"].get(named, lang) if named else lang
    return False, None


def _is_dateline(words: list[str]) -> bool:
    vocab = _rules()["_dateline"]
    if not words:
        return False
    dateish = sum(1 for w in words if w in vocab or w.isdigit() or re.fullmatch(r"\d+[a-z]{0,2}", w))
    return dateish == len(words) and any(w.isdigit() and len(w) == 4 for w in words) or (
        dateish >= len(words) - 1 and len(words) >= 4 and any(w.isdigit() for w in words))


def _classify(line: str, stop: frozenset[str]) -> tuple[str, str | None, int]:
    cls, reason, n = _classify_alone(line, stop)
    if reason is None and _LIST_RE.match(line):
        reason = "list"  # an item of a list: a menu when its neighbours are (see _spread_menus)
    return cls, reason, n


def _classify_alone(line: str, stop: frozenset[str]) -> tuple[str, str | None, int]:
    rules = _rules()
    t = rules["thresholds"]
    low = line.lower().replace("’", "'")
    words = _WORD_RE.findall(low)
    n, size = len(words), len(line)
    if not words:
        return "bad", "other", 0
    if size <= 300 and translation_footer(line)[0]:
        return "bad", "translation_footer", n
    if size <= 160 and _is_dateline(words):
        return "bad", "other", n
    if _LIST_RE.match(line) and size <= t["menu_item_max"] and not line.rstrip().endswith(_TERMINAL):
        return "bad", "menu", n
    hits: dict[str, int] = {}
    if size <= t["cue_line_max"]:  # a long paragraph is article text whatever words it holds
        for reason, rx in rules["_cues"]:
            k = len(rx.findall(low))
            if k:
                hits[reason] = k
    if hits:
        total = sum(hits.values())
        second = sum(w in rules["_second"] for w in words) / n
        imperative = words[0] in rules["_imperatives"]
        strong = any(r in rules["strong_cues"] for r in hits)
        if size < t["length_low"] or total >= 2 or strong or imperative or second >= t["second_person_share"]:
            return "bad", max(hits, key=hits.get), n
    if size < t["length_low"]:
        return "short", None, n
    if stop:
        density = sum(w in stop for w in words) / n
        if density < t["stopwords_low"]:
            # a sentence dense with names (news!) is borderline, not furniture: its context decides
            sentence = line.rstrip().endswith(_TERMINAL) and n >= t["sentence_min_words"]
            return ("neargood", None, n) if sentence else ("bad", "density", n)
        if size > t["length_high"] and density >= t["stopwords_high"]:
            return "good", None, n
        return "neargood", None, n
    return ("good" if size > t["length_high"] else "neargood"), None, n


def _spread_menus(lines: list[_Line]) -> None:
    """A list item next to a menu item is part of the menu (breadcrumbs: "- Articles", "- World", "- Headline")."""
    changed = True
    while changed:
        changed = False
        for i, ln in enumerate(lines):
            if ln.reason == "list" and ln.cls != "bad" and any(
                    0 <= j < len(lines) and lines[j].reason == "menu" for j in (i - 1, i + 1)):
                ln.cls, ln.reason, changed = "bad", "menu", True
    for ln in lines:
        if ln.reason == "list":
            ln.reason = None


def _neighbour(lines: list[_Line], i: int, step: int, ignore_neargood: bool) -> str:
    """Class of the nearest non-short line before (step -1) or after (+1); page edges count as bad."""
    j = i + step
    while 0 <= j < len(lines):
        c = lines[j].cls
        if c == "title":
            c = "good"
        if c not in ("short",) and not (ignore_neargood and c == "neargood"):
            return c
        j += step
    return "bad"


def _revise(lines: list[_Line]) -> None:
    """jusText's context-sensitive pass over short and borderline lines."""
    if not any(ln.cls == "good" for ln in lines):  # no clear paragraph: the best-looking ones are the body
        for ln in lines:
            if ln.cls == "neargood":
                ln.cls = "good"
    decided = []
    for i, ln in enumerate(lines):
        if ln.cls == "short":
            prev, nxt = _neighbour(lines, i, -1, True), _neighbour(lines, i, 1, True)
            if prev == nxt == "good":
                decided.append((i, "good"))
            elif prev == nxt == "bad":
                decided.append((i, "bad"))
            elif (prev == "bad" and _neighbour(lines, i, -1, False) == "neargood") or (
                    nxt == "bad" and _neighbour(lines, i, 1, False) == "neargood"):
                decided.append((i, "good"))
            else:
                decided.append((i, "bad"))
    for i, cls in decided:
        lines[i].cls = cls
        if cls == "bad" and lines[i].reason is None:
            lines[i].reason = "context"
    for i, ln in enumerate(lines):
        if ln.cls == "neargood":
            prev, nxt = _neighbour(lines, i, -1, True), _neighbour(lines, i, 1, True)
            ln.cls = "bad" if prev == nxt == "bad" else "good"
            if ln.cls == "bad":
                ln.reason = "context"
    if not any(ln.cls == "good" for ln in lines):  # no article paragraph at all: keep what nothing else removed
        for ln in lines:
            if ln.reason in _WEAK:
                ln.cls, ln.reason = "good", None


_KEY_STRIP = " \t.,;:!?\"'“”‘’«»()[]—–-…"


def _norm(s: str) -> str:
    """Comparison key of a line: case folded, list marker and outer punctuation off, spaces collapsed."""
    return " ".join(_LIST_RE.sub("", s).casefold().split()).strip(_KEY_STRIP)


def _find_title(lines: list[_Line]) -> int | None:
    """The headline: a short line before the first article paragraph; one the page repeats wins, else the
    longest such line of enough words."""
    t = _rules()["thresholds"]
    first_good = next((i for i, ln in enumerate(lines) if ln.cls == "good"), len(lines))
    norms = [ln.key for ln in lines]
    candidates = []
    for i in range(first_good):
        ln = lines[i]
        if (ln.cls == "bad" and ln.reason not in _WEAK) or len(ln.text) > t["title_max_chars"]:
            continue
        if ln.text.rstrip().endswith(":") or _LIST_RE.match(ln.text) or _SENTENCE_BREAK.search(ln.text):
            continue
        if not t["title_min_words"] <= ln.words <= t["title_max_words"]:
            continue
        repeated = any(j != i and (norms[j] == norms[i] or norms[j].startswith(norms[i] + " "))
                       for j in range(len(lines)) if norms[j])
        candidates.append((repeated, ln.words, -i, i))
    if not candidates:
        return None
    repeated = [c for c in candidates if c[0]]
    pool = repeated or [c for c in candidates if c[1] >= t["title_min_words"] + 1]
    return max(pool)[3] if pool else None


def join_drop_caps(text: str) -> tuple[str, list[Change]]:
    """"S" on its own line, a blank line, then "enior officials ..." → "Senior officials ..."."""
    out, changes = [], []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        cur = lines[i].strip()
        if len(cur) == 1 and cur.isalpha() and cur.isupper():
            j = i + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            nxt = lines[j].lstrip() if j < len(lines) else ""
            if nxt[:1].islower() and nxt[:1].isalpha():
                out.append(cur + nxt)
                changes.append(Change("drop_cap", f"joined {cur!r} + {nxt[:12]!r}"))
                i = j + 1
                continue
        out.append(lines[i])
        i += 1
    return "\n".join(out), changes


def clean_plain(text: str, stop: frozenset[str]) -> tuple[str, list[Removed], str | None, list[Change]]:
    """Return (clean text, removed blocks with reasons and offsets, headline or None, changes)."""
    text, changes = join_drop_caps(text)
    lines: list[_Line] = []
    pre_removed: list[tuple[int, str, str]] = []  # (line index, text, reason) stripped from a line's start
    for raw in text.split("\n"):
        s = raw.strip()
        if not s:
            continue
        if not lines:
            for rx, reason in _rules()["_prefixes"]:
                m = rx.match(s)
                if m and len(s) > m.end():
                    pre_removed.append((0, m.group(0).strip(), reason))
                    s = s[m.end():]
        cls, reason, n = _classify(s, stop)
        lines.append(_Line(s, cls, reason, n, _norm(s)))
    _spread_menus(lines)

    title_i = _find_title(lines)
    title_norm = None
    if title_i is not None:
        lines[title_i].cls = "title"
        title_norm = lines[title_i].key
        for j, ln in enumerate(lines):
            if j == title_i or ln.cls == "bad":
                continue
            nj = ln.key
            if nj == title_norm:
                ln.cls, ln.reason = "bad", "repeated_title"
            elif nj.startswith(title_norm + " "):
                ln.cls, ln.reason = "bad", "caption"
    _revise(lines)
    _drop_repeats(lines, title_norm)

    kept: list[str] = []
    removed: list[Removed] = []
    pos = 0
    for i, ln in enumerate(lines):
        for li, ptext, preason in pre_removed:
            if li == i:
                removed.append(Removed(ptext, preason, pos))
        if ln.cls in ("good", "title"):
            if kept:
                pos += 2
            kept.append(ln.text)
            pos += len(ln.text)
        else:
            reason = "other" if ln.reason in (None, *_WEAK) else ln.reason
            removed.append(Removed(ln.text, reason, pos + (2 if kept else 0)))
    clean = "\n\n".join(kept)
    for r in removed:  # a block removed after the last kept paragraph stands at the end
        r.at = min(r.at, len(clean))
    title = lines[title_i].text if title_i is not None else None
    return clean, removed, title, changes


def _drop_repeats(lines: list[_Line], title_norm: str | None) -> None:
    """A paragraph printed twice is kept once: in the article body, not in the header (standfirst)."""
    seen: dict[str, list[int]] = {}
    for i, ln in enumerate(lines):
        if ln.cls in ("good", "title"):
            seen.setdefault(ln.key, []).append(i)
    repeated = {k for k, v in seen.items() if len(v) > 1 and k}
    if not repeated:
        return
    body_start = next((i for i, ln in enumerate(lines) if ln.cls == "good" and ln.key not in repeated),
                      len(lines))
    for key in repeated:
        where = seen[key]
        header = [i for i in where if i < body_start]
        keep = where[-1] if header and len(header) < len(where) else where[0]
        for i in where:
            if i != keep:
                lines[i].cls = "bad"
                lines[i].reason = ("repeated_title" if key == title_norm else
                                   "repeated_standfirst" if i < body_start else "other")
