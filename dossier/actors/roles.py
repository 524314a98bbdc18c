"""Time-scoped roles that a text states: who held which office, for whom, from when to when.

Read from the entity mentions of one document (after within-document resolution), with patterns over the text
around a PERSON mention:

- a title before the name: "Russian Foreign Minister Sergei Lavrov", "opposition leader Juan Guaido",
  "former U.S. President Donald Trump" (a former office: ``ended_by`` is the document's date);
- an apposition after it: "Alexander Frolov, Deputy Director General of the Institute of National Energy";
- an apposition before it: "the interim leader of Venezuela, Delcy Rodríguez";
- "X as <role>": "the recognition ... of Delcy Rodriguez as acting president";
- "X was named / appointed / elected / sworn in as <role> on <date>", "X declared himself <role> in <date>".

``valid_from`` / ``valid_until`` come from a date in the same clause ("since 2019", "in January 2019", "on January
3"), read against the publication date; they stay null when the text gives none. Each role carries its evidence
span (the phrase that states it).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from .kb import fold

MONTHS = {m: i + 1 for i, m in enumerate(["january", "february", "march", "april", "may", "june", "july", "august",
                                           "september", "october", "november", "december"])}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS["sept"] = 9
_MON = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|" \
       r"Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?"
DATE = re.compile(
    rf"\b(?P<prep>since|from|in|on|as of|until|till|to)?\s*(?:(?P<m1>{_MON})\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?"
    rf"(?:,?\s+(?P<y1>(?:19|20)\d{{2}}))?|(?P<d2>\d{{1,2}})\s+(?P<m2>{_MON})(?:,?\s+(?P<y2>(?:19|20)\d{{2}}))?|"
    rf"(?P<m3>{_MON})\s+(?P<y3>(?:19|20)\d{{2}})|(?P<y4>(?:19|20)\d{{2}}))\b", re.I)
START = re.compile(r"\b(?:named|appointed|elected|sworn in|became|become|becomes|took office|takes office|"
                   r"assumed|declared (?:himself|herself)|proclaimed (?:himself|herself)|installed|recognized|"
                   r"recognised|since)\b", re.I)
END = re.compile(r"\b(?:until|resigned|ousted|removed|stepped down|left office|was captured|was killed|died|"
                 r"deposed|impeached)\b", re.I)
# the patterns of find() and its helpers, compiled once
_DIGIT = re.compile(r"\d")
_SPACES = re.compile(r"\s+")
_NON_SPACE = re.compile(r"[^\s]+")
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_LEADING_POSSESSIVES = re.compile(r"^(?:['’]s\s+)+")
_OF_SPLIT = re.compile(r"\s+(?:of|at|for|in)\s+")
_OF_TEXT = re.compile(r"\s(?:of|at|for)\s+(?:the\s+)?(.+)$")
_FORMER = re.compile(r"\b(?:former|ex-|then-)", re.I)
_FORMER_WORD = re.compile(r"\b(?:former|ex-|then-)\s*", re.I)
_NOT_IN_TITLE = re.compile(r"[^\w.'’\-]")
_NOT_IN_ROLE_CHARS = re.compile(r"[\d\"“”()]")
_APPOSITION_AFTER = re.compile(r"^,[ \t]+((?:an?[ \t]+|the[ \t]+)[^,;()\n]{3,120}?|[A-Z][^,;()\n]{2,120}?)"
                               r"(?=,|;|\.|\)| told| said| says|$)")
_APPOSITION_BEFORE = re.compile(r"\b((?:the|an?)[ \t]+[^,;()\n]{3,80}?),[ \t]+$")
_AS_ROLE = re.compile(r"^[ \t]+(?:(?:was|has been|is|had been|were)[ \t]+)?(?:(?:named|appointed|elected|sworn in|"
                      r"installed|recognized|recognised|confirmed)[ \t]+)?(?:as|declared (?:himself|herself)|"
                      r"proclaimed (?:himself|herself))[ \t]+((?:(?:the|its|an?)[ \t]+)?(?:[\w\-’']+[ \t]+){0,3}"
                      r"[\w\-’']+)")


def dates(text: str, anchor: dt.date | None) -> list[tuple[int, int, str, str]]:
    """Dates in ``text`` as ``(start, end, value, preposition)``: value is YYYY, YYYY-MM or YYYY-MM-DD (a day
    without a year takes the anchor's year, or the year before when that would put it after the anchor)."""
    return list(_dates(text, anchor))


@lru_cache(maxsize=4096)
def _dates(text: str, anchor: dt.date | None) -> tuple[tuple[int, int, str, str], ...]:
    """:func:`dates`, remembered (the roles of one sentence read the same clause)."""
    if not _DIGIT.search(text):
        return ()  # every date DATE reads holds a digit
    out = []
    for m in DATE.finditer(text):
        g = m.groupdict()
        prep = (g["prep"] or "").lower()
        if g["y4"]:
            if not prep:
                continue  # a bare number: too weak
            out.append((m.start(), m.end(), g["y4"], prep))
            continue
        mon = (g["m1"] or g["m2"] or g["m3"]).rstrip(".").lower()
        month = MONTHS.get(mon) or MONTHS.get(mon[:3])
        if not month:
            continue
        year = g["y1"] or g["y2"] or g["y3"]
        day = g["d1"] or g["d2"]
        if g["m3"]:
            out.append((m.start(), m.end(), f"{int(year):04d}-{month:02d}", prep))
            continue
        if not year:
            if anchor is None:
                continue
            y = anchor.year
            try:
                if dt.date(y, month, int(day)) > anchor:
                    y -= 1
            except ValueError:
                continue
            year = str(y)
        try:
            dt.date(int(year), month, int(day))
        except ValueError:
            continue
        out.append((m.start(), m.end(), f"{int(year):04d}-{month:02d}-{int(day):02d}", prep))
    return tuple(out)


ROLE_HEAD = re.compile(r"^(?:(?:an?|the|its|his|her|their)\s+)?(?P<role>(?:[\w\-’']+\s+){0,5}?[\w\-’']+?)"
                       r"(?:\s+(?:of|at|for|to|in)\s+(?P<of>[^,;.()]{2,80}))?$", re.I)


@lru_cache(maxsize=16384)
def role_phrase(text: str) -> str:
    """The office in a phrase, lower case, without articles, demonyms or country names: "Russian Foreign Minister"
    -> "foreign minister"."""
    from .kb import kb

    k = kb()
    words = [w for w in _SPACES.split(text.strip()) if w]
    keep = []
    for w in words:
        bare = _POSSESSIVE.sub("", w)
        if fold(bare) in ("a", "an", "the", "its", "his", "her", "their", "former", "ex", "then", "current", "now"):
            continue
        if k.first(bare, ("country", "demonym", "capital")) and not keep:
            continue
        keep.append(w)
    return _LEADING_POSSESSIVES.sub("", " ".join(keep).lower()).strip(" ,;:")


def find(doc_text: str, mentions: list[dict], sentences: list[dict], coder, anchor: dt.date | None) -> list[dict]:
    """Roles stated in the text, as ``{"holder": mention index, "role", "of_text", "of_mention", "country",
    "sector", "valid_from", "valid_until", "ended_by", "start", "end", "text"}`` (start/end: the evidence)."""
    out = []
    persons = [(i, m) for i, m in enumerate(mentions) if m["label"] == "PERSON" and not m.get("nominal")]
    for i, m in persons:
        sent = sentences[m["sent"]] if sentences and m.get("sent") is not None and m["sent"] < len(sentences) \
            else {"start": max(0, m["start"] - 300), "end": min(len(doc_text), m["end"] + 300)}
        s0, s1 = sent["start"], sent["end"]
        before = doc_text[s0:m["start"]]
        after = doc_text[m["end"]:s1]
        found = []
        # 1. the title in front of the name (the nlp stage kept it, or it stands just before the name)
        title = m.get("title")
        tstart = m["start"] - len(title) - 1 if title and _ends_with(doc_text, m["start"], title) else None
        if title is None or tstart is None:
            title, tstart = _title_before(before, m["start"], coder)
        if title and tstart is not None and _is_office(title, coder, at_end=True):
            inner = _mention_inside(mentions, tstart, m["start"])
            prev_org = inner if inner is not None else _mention_ending_before(mentions, tstart, doc_text)
            found.append((title, tstart, m["end"], prev_org))
        # 2. an apposition after the name: "X, Deputy Director General of the Institute ...", "X, a researcher at"
        am = _APPOSITION_AFTER.match(after)
        if am and _singular_office(_OF_SPLIT.split(am.group(1))[0], coder):
            found.append((am.group(1), m["start"], m["end"] + am.end(1), None))
        # 3. an apposition before it: "the interim leader of Venezuela, X"
        bm = _APPOSITION_BEFORE.search(before) if _comma_at_end(before) else None
        if bm and _singular_office(_OF_SPLIT.split(bm.group(1))[0], coder) and not any(
                x["label"] == "PERSON" and s0 + bm.start(1) <= x["start"] < m["start"] for x in mentions):
            found.append((bm.group(1), s0 + bm.start(1), m["end"], None))
        # 4. "X as <role>", "X was named <role>", "X declared himself <role>"
        xm = _AS_ROLE.match(after)
        if xm:
            words = xm.group(1).split()
            for n in range(len(words), 0, -1):
                cand = " ".join(words[:n])
                if fold(cand) in ("the", "its", "a", "an"):
                    break
                if _singular_office(cand, coder):
                    end = m["end"] + xm.start(1) + len(cand)
                    found.append((cand, m["start"], end, None))
                    break
        for phrase, a, b, prev_org in found:
            head = _OF_SPLIT.split(phrase, maxsplit=1)[0]
            if prev_org is not None and mentions[prev_org]["text"] in head:
                head = head.replace(mentions[prev_org]["text"], " ").strip()
            role = role_phrase(head)
            if not _role_ok(role, coder):
                continue
            of_text = None
            om = _OF_TEXT.search(phrase)
            if om:
                of_text = om.group(1).strip()
            code = coder.code(_FORMER_WORD.sub("", phrase), date=anchor)
            of_mention = None
            if of_text:
                of_mention = _mention_in(mentions, doc_text, a, b, of_text)
            elif prev_org is not None:
                of_mention = prev_org
                of_text = mentions[prev_org]["text"]
            former = bool(_FORMER.search(phrase))
            clause = doc_text[s0:s1]
            frm = until = None
            for ds, _de, value, prep in dates(clause, anchor):
                near = abs((s0 + ds) - b) < 120 or abs((s0 + ds) - a) < 120
                if not near:
                    continue
                if prep in ("until", "till", "to") or END.search(clause[max(0, ds - 40):ds]):
                    until = until or value
                elif prep in ("since", "from") or START.search(clause[max(0, ds - 80):ds]) or \
                        START.search(doc_text[a:b]):
                    frm = frm or value
            out.append({"holder": i, "role": role, "of_text": of_text, "of_mention": of_mention,
                        "country": code.iso3() or None, "sector": code.sector or None,
                        "valid_from": frm, "valid_until": until,
                        "ended_by": anchor.isoformat() if former and anchor else None,
                        "start": a, "end": b, "text": doc_text[a:b]})
    # one line per (holder, role, of): the first evidence
    seen, uniq = set(), []
    for r in out:
        key = (r["holder"], r["role"], r["of_text"])
        if key in seen:
            continue
        seen.add(key)
        uniq.append(r)
    return uniq


def _ends_with(text: str, end: int, suffix: str) -> bool:
    """``text[:end].rstrip().endswith(suffix)``, without copying the text before ``end``."""
    while end > 0 and text[end - 1].isspace():
        end -= 1
    return text.endswith(suffix, 0, end)


def _comma_at_end(before: str) -> bool:
    """Whether ``before`` ends as _APPOSITION_BEFORE needs: a comma, spaces or tabs, and the end (``$`` also
    matches before a final newline). Most names do not follow a comma: the search is skipped for them."""
    if before.endswith("\n"):
        before = before[:-1]
    return before[-1:] in (" ", "\t") and before.rstrip(" \t").endswith(",")


NOT_IN_ROLE = {"to", "by", "on", "in", "at", "from", "with", "who", "which", "that", "has", "have", "had", "was", "is",
               "are", "and", "or", "for", "of", "after", "before", "said", "says", "told", "killed", "when", "while",
               "his", "her", "their", "its", "this", "these", "those", "into", "over", "under", "against", "as"}
INSTITUTION_HEADS = {"government", "administration", "regime", "army", "navy", "ministry", "department", "office",
                     "committee", "council", "party", "forces", "force", "police", "court", "parliament", "assembly",
                     "agency", "service", "authority", "authorities", "military", "embassy", "union", "group",
                     "company", "university", "institute", "league", "fleet", "command", "town", "city", "village",
                     "state", "country", "family", "people", "media", "press", "organisation", "organization"}


def _role_ok(role: str, coder) -> bool:
    """An office one person holds: a few words, no clause, a singular person noun at its head."""
    from .kb import singular

    words = role.split()
    if not 1 <= len(words) <= 5 or _NOT_IN_ROLE_CHARS.search(role) or NOT_IN_ROLE & set(words):
        return False
    head = fold(words[-1])
    return singular(head) == head and head not in INSTITUTION_HEADS and head not in coder.generic and \
        head not in coder.pronouns


@lru_cache(maxsize=16384)
def _is_office(phrase: str, coder, at_end: bool = False) -> bool:
    """Whether a phrase names an office or occupation (a sector word heads it; with ``at_end``, ends it).
    Remembered per phrase and coder: titles and appositions repeat."""
    phrase = phrase.strip()
    if not phrase or len(phrase) > 120:
        return False
    from .coder import tokens

    toks = tokens(phrase)
    while toks and toks[-1].key in ("'s", ""):
        toks.pop()
    hits = [h for h in coder.hits(toks, None) if h.kind == "agent"]
    if at_end:
        return any(h.j == len(toks) for h in hits)
    return bool(hits)


def _singular_office(phrase: str, coder) -> bool:
    """An office held by one person: ends with a sector word in the singular ("the interim leader", not "the
    leaders")."""
    from .kb import singular

    words = fold(phrase).split()
    return bool(words) and singular(words[-1]) == words[-1] and _is_office(phrase, coder, at_end=True)


_OFFICE_WORDS: set | None = None


def _office_words(coder) -> set:
    """Lower-case words a title may hold: the head words of the sector dictionary and the usual modifiers."""
    global _OFFICE_WORDS
    if _OFFICE_WORDS is None:
        heads = {key.split()[-1] for key in coder.kb.agents if coder.kb.agents[key]}
        mods = {"former", "ex", "then", "acting", "interim", "deputy", "senior", "top", "chief", "vice", "prime",
                "foreign", "first", "special", "opposition", "state", "defence", "defense", "interior", "finance",
                "security", "intelligence", "military", "armed", "services", "government", "party", "union", "police",
                "army", "navy", "air", "force", "health", "energy", "oil", "trade", "economy", "justice", "press",
                "general", "executive", "managing", "assistant", "associate", "national", "regional", "local"}
        _OFFICE_WORDS = {w for w in heads | mods if len(w) >= 3} - coder.stop
    return _OFFICE_WORDS


def _title_before(before: str, name_start: int, coder) -> tuple[str | None, int | None]:
    """The title written just before a name, on the same line: capitalised words and office words ending in an
    office ("Russian Deputy Prime Minister", "White House spokeswoman", "former U.S. President")."""
    from .kb import singular

    words = _office_words(coder)
    line_off = before.rfind("\n") + 1  # the last line: before.split("\n")[-1]
    toks = list(_NON_SPACE.finditer(before, line_off))
    keep = []
    for n, t in enumerate(reversed(toks)):
        w = t.group(0)
        bare = _POSSESSIVE.sub("", w)
        if _NOT_IN_TITLE.search(bare):
            break  # punctuation: a quote, a comma, a bracket ends the title
        low = fold(bare)
        if low in ("of", "the"):
            prev = toks[len(toks) - n - 2].group(0) if len(toks) - n - 2 >= 0 else ""
            if not keep or not prev[:1].isupper():
                break  # "administration of former U.S. President": the title starts after "of"
            keep.append(t)
            continue
        if w[:1].isupper() or singular(low) in words:
            keep.append(t)
            if len(keep) >= 8:
                break
        else:
            break
    while keep and fold(keep[-1].group(0)) in ("of", "the"):
        keep.pop()
    if not keep or (len(keep) == 1 and not keep[0].group(0)[:1].isupper()):
        return None, None  # one lower-case word ("to force Maduro") is no title
    a = keep[-1].start()  # in ``before`` (the tokens were read from line_off on)
    text = before[a:].strip()
    if not text:
        return None, None
    return text, name_start - len(before) + a


def _mention_inside(mentions: list[dict], a: int, b: int) -> int | None:
    for i, m in enumerate(mentions):
        if a <= m["start"] and m["end"] <= b and m["label"] in ("ORG", "FAC"):
            return i
    return None


def _mention_ending_before(mentions: list[dict], pos: int, text: str) -> int | None:
    for i, m in enumerate(mentions):
        if m["label"] in ("ORG", "FAC", "GPE") and m["end"] <= pos and text[m["end"]:pos].strip() in ("", "'s", "’s"):
            return i
    return None


def _mention_in(mentions: list[dict], text: str, a: int, b: int, of_text: str) -> int | None:
    for i, m in enumerate(mentions):
        if a <= m["start"] and m["end"] <= b + 1 and m["label"] in ("ORG", "GPE", "FAC", "NORP", "LOC") and \
                fold(m["text"]) in fold(of_text):
            return i
    return None
