"""The per-document half of the actors stage: every entity mention gets a resolution key and an actor coding.

For each mention of ``doc.annotations["mentions"]`` (written by the nlp stage) this sets:

- ``key``: what it refers to, for the cross-document resolver. Strong keys name a known referent: ``C:VEN`` (a
  state), ``N:RUS`` (its people, a demonym), ``P:nicolas-maduro`` (an office holder of actors_leaders.json),
  ``O:...`` (an organisation of actors_orgs.json), ``S:...`` (a seat of power), ``G:...`` (a city or region). Weak
  keys (``p:alexander frolov``, ``ps:blokhin``, ``o:finam financial group``) are resolved by name across documents.
- ``type``, ``name``: the entity type of the export contract and the best name this document gives;
- ``country`` (ISO-3), ``sector`` (PLOVER): the actor coding of this mention on the document's date;
- ``acts_for``: the key of the state the mention stands for when it acts ("Washington imposed" -> ``C:USA``;
  "Putin" -> ``C:RUS``; "in Caracas" does not act).

Within the document, a surname alone joins the full name it abbreviates ("Maduro" -> "Nicolás Maduro"), a partial
name the full one ("Maria Corina" -> "Maria Corina Machado"), an acronym its expansion ("Petróleos de Venezuela
(PDVSA)"), a short name the long one ("the Times" -> "The New York Times"). A description of an office ("the
Venezuelan president") becomes a mention of its holder on the document's date, from the roles the text states or
else from the curated table. Roles the text states go to ``doc.annotations["roles"]`` (see dossier.actors.roles).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from ..document import Document
from .coder import Coder, coder
from .kb import fold, kb, parse_date

STATE_SECTORS = frozenset({"GOV", "MIL", "SPY", "COP", "JUD", "LEG"})
KINDS = {
    "GPE": ("country", "pre", "capital", "seat", "region", "city", "subdivision", "org", "demonym", "noncountry"),
    "LOC": ("country", "region", "pre", "seat", "noncountry", "capital", "city", "subdivision"),
    "NORP": ("demonym", "demonym_pl", "country", "org", "pre", "region", "capital", "city"),
    "FAC": ("seat", "org", "capital"),
    "ORG": ("org", "seat", "country", "capital"),
}
LOCATIVE = re.compile(r"\b(?:in|at|to|from|near|outside|inside|into|across|around|throughout|via|toward|towards|"
                      r"through|within|visit|visited|visiting|trip|flew|travell?ed|arrived|based)\s+(?:the\s+)?$", re.I)
_ARTICLE = re.compile(r"^(?:the|The|THE)\s+")
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_WORD_SPLIT = re.compile(r"[\s\-]+")
_LITTLE_WORDS = re.compile(r"\b(?:of|the|and|de|del|la|for)\b")
_BRACKET_ACRONYM = re.compile(r"^\s*\(([A-Z][A-Z&\.\-]{1,9})\)")
_DATELINE_AFTER = re.compile(r"^\s*(?:\(|,\s*[A-Z]|—|–|-\s)")
_PLACE_AFTER = re.compile(r"^,\s*(?:the\s+)?[A-Z][\w]+(?:\s[A-Z]\w+)?(?:,|\.|$)")
_HEAD_AFTER = re.compile(r"^(?:['’]s)?\s+((?:[a-z\-]+\s+){0,2}?(?:officials?|government|authorities|forces|troops|"
                         r"military|army|navy|diplomats?|embassy|administration|regime|envoy|ambassador|delegation|"
                         r"police|intelligence|officers?|ministry|ministers?|lawmakers|parliament|leadership))\b")
_ANNOTATED = frozenset({"key", "type", "name", "country", "sector", "acts_for", "wiki", "metonym", "kb"})
SKIP_ORG_TOKENS = {"department", "ministry", "council", "committee", "party", "bank", "group", "company", "agency",
                   "office", "commission", "house", "service", "court", "assembly", "government", "administration",
                   "state", "states", "union", "news", "post", "international", "national", "center", "centre"}


def doc_day(doc: Document) -> dt.date | None:
    """The document's date: its publication day, else the middle of its interval, else a known bound."""
    p = doc.published
    if p.date:
        return parse_date(p.date)
    a, b = parse_date(p.after), parse_date(p.before)
    if a and b:
        return a + (b - a) // 2
    return a or b


def annotate(doc: Document, c: Coder | None = None) -> Document:
    c = c or coder()
    k = c.kb
    mentions = [m for m in doc.annotations.get("mentions") or [] if not m.get("nominal")]
    sentences = doc.annotations.get("sentences") or []
    day = doc_day(doc)
    text = doc.text
    for m in mentions:
        for f in _ANNOTATED & m.keys():  # what an earlier run set (usually nothing)
            del m[f]
        classify(m, c, day)
    _short_forms(mentions, text)
    _people(mentions, c, day)
    from . import roles as roles_mod

    found = roles_mod.find(text, mentions, sentences, c, day)
    _code_people(mentions, found, c, day)
    for m in mentions:
        _acting(m, text, c)
    roles_out = [_role_out(r, mentions, c, k) for r in found if mentions[r["holder"]]["type"] == "PERSON"]
    nominal = _nominal(text, mentions, found, c, day, sentences)
    mentions.extend(nominal)
    mentions.sort(key=lambda m: (m["start"], -m["end"]))
    doc.annotations["mentions"] = mentions
    doc.annotations["roles"] = roles_out
    return doc


# -- what a mention names ------------------------------------------------------------------------------------------


def classify(m: dict, c: Coder, day: dt.date | None) -> None:
    k = c.kb
    label, text = m["label"], m["text"]
    m["type"] = label if label in ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "LAW", "PRODUCT",
                                   "WORK_OF_ART") else "OTHER"
    m["name"] = _clean(text) or text
    if label == "PERSON":
        pid = c.find_person(text, day, surname_only=False) if len(fold(text).split()) >= 2 else None
        if pid:
            _set_person(m, c, pid, day)
        else:
            m["key"] = "p:" + fold(text)
        return
    kinds = KINDS.get(label)
    e = k.first(text, kinds) if kinds else None
    if e is None and label in ("ORG", "FAC", "GPE", "NORP", "LOC"):
        code = c.code(_clean(text), date=day) if label in ("ORG", "FAC") else None
        words = fold(text).split()
        if code is not None and code.country and words and words[-1] in k.nlp["state_heads"] and \
                code.kind == "phrase" and len(words) <= 4:
            iso = code.iso3()
            if iso:  # "The US Administration", "the Venezuelan government": the state itself
                m.update(key=f"C:{iso}", type="GPE", name=k.country_name.get(iso, iso), country=iso, sector="GOV",
                         nominal=True)
                return
        m["key"] = {"ORG": "o:", "FAC": "f:", "GPE": "g:", "NORP": "NORP:", "LOC": "l:"}[label] + fold(text)
        if code is not None:
            m["country"], m["sector"] = code.iso3() or None, code.sector or None
        return
    if e is None:
        m["key"] = f"{label}:{fold(text)}"
        return
    m["kb"] = True
    if e.kind == "country":
        m.update(key=f"C:{e.ref}", type="GPE", name=k.country_name.get(e.ref, e.ref), country=e.ref)
    elif e.kind == "pre":
        m.update(key="R:" + fold(e.name), type="GPE", name=e.name, country=e.ref)
    elif e.kind in ("demonym", "demonym_pl"):
        if e.ref and fold(e.name or "") not in _groups():
            m.update(key=f"N:{e.ref}", type="NORP", country=e.ref)
        elif e.ref:  # a people within a state ("Chechen", "Yazidi"): coded to it, but its own entity
            m.update(key="NORP:" + fold(e.name or text), type="NORP", country=e.ref)
        else:
            m.update(key="NORP:" + fold(e.name or text), type="NORP")
    elif e.kind in ("capital", "city", "region", "subdivision"):
        name = e.name or _clean(text)
        if e.kind == "capital":
            city = k.first(name, ("city",))
            name = city.name if city and city.ref == e.ref else name
        m.update(key=f"G:{e.ref}:{fold(name)}", type="GPE" if label != "LOC" else "LOC", name=name, country=e.ref,
                 metonym=e.kind == "capital")
    elif e.kind == "noncountry":
        m.update(key="L:" + fold(e.name or text), type="LOC", name=e.name or _clean(text))
    elif e.kind == "seat":
        s = k.seats[e.ref]
        iso = s["country"] if s["country"] not in (None, "EUR", "UNO", "IGO") else None
        m.update(key="S:" + fold(s["name"]), type=s.get("type", "FAC"), name=s["name"], country=iso,
                 wiki=s.get("wiki"), metonym=not s.get("acts_only_with_context") and iso is not None,
                 seat_sector=s["sector"])
    elif e.kind == "org":
        o = k.orgs[e.ref]
        m.update(key="O:" + fold(o["name"]), type=o.get("type", "ORG"), name=o["name"], country=o["country"],
                 sector=o["sector"], wiki=o.get("wiki"))
    elif e.kind == "person":
        _set_person(m, c, e.ref, day)


_GROUPS: set | None = None


def _groups() -> set:
    global _GROUPS
    if _GROUPS is None:
        _GROUPS = {fold(x) for x in kb().places.get("group_demonyms", ())}
    return _GROUPS


def _set_person(m: dict, c: Coder, pid: str, day: dt.date | None) -> None:
    code = c.person(pid, day)
    m.update(key=f"P:{pid}", type="PERSON", name=code.name, country=code.iso3(), sector=code.sector or None,
             wiki=code.wiki, kb=True)


@lru_cache(maxsize=65536)
def _clean(text: str) -> str:
    t = " ".join(text.split())
    t = _ARTICLE.sub("", t)
    return _POSSESSIVE.sub("", t)


# -- within the document: short forms and people -------------------------------------------------------------------


@lru_cache(maxsize=8192)
def _initials(name: str) -> str:
    words = [w for w in _WORD_SPLIT.split(_clean(name)) if w and w[0].isalpha()]
    return "".join(w[0] for w in words if w[0].isupper()).upper()


@lru_cache(maxsize=8192)
def _acronyms(name: str) -> tuple[str, str]:
    """The initials of an organisation's name, with and without its little words."""
    return _initials(name), _initials(_LITTLE_WORDS.sub("", name))


def _short_forms(mentions: list[dict], text: str) -> None:
    """Acronyms and short names of organisations named in full in the same document."""
    orgs = [m for m in mentions if m["label"] in ("ORG", "FAC") and len(m["name"].split()) >= 2]
    if not orgs:
        return
    for m in mentions:
        name = _clean(m["text"])
        if m["label"] not in ("ORG", "FAC", "PRODUCT", "GPE", "PERSON") or len(name.split()) != 1:
            continue
        target = None
        if name.isupper() and 2 <= len(name) <= 8:
            if m["key"].startswith("O:"):
                continue  # a known acronym keeps its known meaning
            for o in orgs:
                if name in _acronyms(o["name"]):
                    target = o
                    break
        elif m["label"] in ("ORG", "FAC") and fold(name) not in SKIP_ORG_TOKENS:
            folded = fold(name)
            cands = [o for o in orgs if _last_word(o["name"]) == folded and o["start"] != m["start"]]
            if cands:
                target = min(cands, key=lambda o: abs(o["start"] - m["start"]))
        if target is not None:
            for f in ("key", "type", "name", "country", "sector", "wiki"):
                if f in target:
                    m[f] = target[f]
    # "Petróleos de Venezuela (PDVSA)": the acronym in brackets names the organisation before it
    for o in orgs:
        after = text[o["end"]:o["end"] + 14]
        am = _BRACKET_ACRONYM.match(after)
        if am:
            for m in mentions:
                if m["text"] == am.group(1) and not m["key"].startswith("O:"):
                    m.update(key=o["key"], type=o["type"], name=o["name"])


@lru_cache(maxsize=16384)
def _last_word(name: str) -> str:
    return fold(name).split()[-1]


def _people(mentions: list[dict], c: Coder, day: dt.date | None) -> None:
    """A surname or a partial name joins the full name it abbreviates in the same document; else a known office
    holder of that surname, else a surname-only key."""
    people = [m for m in mentions if m["label"] == "PERSON"]
    # the full names (two words or more) with their folded words, split once
    full = [(m, fw) for m in people if len(fw := fold(m["text"]).split()) >= 2]
    for m in people:
        words = fold(m["text"]).split()
        if not words:
            continue
        cands = []
        for f, fw in full:
            if f is m:
                continue
            if len(fw) <= len(words):
                continue
            surname = fw[-1] == words[0] or (f["key"].startswith("P:") and
                                             c.kb.people[f["key"][2:]].surname == words[0])
            if (len(words) == 1 and surname) or (len(words) >= 2 and fw[:len(words)] == words):
                cands.append(f)
        if cands:
            before = [f for f in cands if f["start"] < m["start"]]
            f = max(before, key=lambda x: x["start"]) if before else min(cands, key=lambda x: x["start"])
            for fld in ("key", "type", "name", "country", "sector", "wiki", "kb"):
                if fld in f:
                    m[fld] = f[fld]
                else:
                    m.pop(fld, None)
            continue
        if len(words) == 1:
            # a given name alone ("Anna", "Saddam"): the one person of the document with that given name
            given = {fw[0]: f for f, fw in full if fw[0] == words[0]}
            if len(given) == 1 and not any(fw[-1] == words[0] for _f, fw in full):
                f = given[words[0]]
                for fld in ("key", "type", "name", "country", "sector", "wiki", "kb"):
                    if fld in f:
                        m[fld] = f[fld]
                continue
            pid = c.find_person(m["text"], day)
            if pid and _recent(c, pid, day):
                _set_person(m, c, pid, day)
            else:
                m["key"] = "ps:" + words[0]


def _recent(c: Coder, pid: str, day: dt.date | None) -> bool:
    """A surname alone names a known office holder only near their time in office (a year before to six after):
    "Johnson" in a 1990 article is not Boris Johnson."""
    if day is None:
        return True
    roles = c.kb.person_roles(pid)
    starts = [r.start for r in roles if r.start]
    ends = [r.end or dt.date.max for r in roles]
    if not starts:
        return True
    lo = min(starts) - dt.timedelta(days=366)
    hi = max(ends)
    hi = hi if hi == dt.date.max else hi + dt.timedelta(days=6 * 366)
    return lo <= day <= hi


def _code_people(mentions: list[dict], found: list[dict], c: Coder, day: dt.date | None) -> None:
    """The coding of each person: a role the text states wins, then the curated table; shared within the cluster."""
    by_key: dict[str, tuple[str | None, str | None]] = {}
    for r in found:
        h = mentions[r["holder"]]
        sector = r["sector"]
        if r.get("ended_by") and sector in STATE_SECTORS:
            sector = "ELI"
        if sector or r["country"]:
            h["country"] = r["country"] or h.get("country")
            h["sector"] = sector or h.get("sector")
            by_key.setdefault(h["key"], (h["country"], h["sector"]))
    for m in mentions:
        if m["label"] != "PERSON":
            continue
        if m["key"] in by_key and not any(r for r in found if mentions[r["holder"]] is m):
            country, sector = by_key[m["key"]]
            m["country"] = country or m.get("country")
            m["sector"] = sector or m.get("sector")
        if m.get("country") and m.get("sector") in STATE_SECTORS:
            m["acts_for"] = "C:" + m["country"]


def _acting(m: dict, text: str, c: Coder) -> None:
    """A capital or a seat of power stands for its state when it acts, not when it is a place or a dateline."""
    if m["label"] == "PERSON":
        return
    iso = m.get("country")
    if m.get("metonym") and iso:
        before = text[max(0, m["start"] - 30):m["start"]]
        after = text[m["end"]:m["end"] + 30]
        line_start = not text[text.rfind("\n", 0, m["start"]) + 1:m["start"]].strip()
        dateline = line_start and _DATELINE_AFTER.match(after) is not None
        place = LOCATIVE.search(before) is not None or _PLACE_AFTER.match(after) is not None
        if not (dateline or place):
            m["acts_for"] = f"C:{iso}"
            m["sector"] = m.get("seat_sector") or c.conv["capital_sector"] or "GOV"
            if m["sector"] == "IGO":
                m.pop("acts_for", None)
        m.pop("seat_sector", None)
        return
    m.pop("seat_sector", None)
    if m["type"] in ("NORP", "GPE") and iso and m["key"].startswith(("N:", "C:")):
        # "Russian officials", "U.S. forces", "the Venezuelan government": the head after the name codes the sector
        after = text[m["end"]:m["end"] + 40]
        hm = _HEAD_AFTER.match(after)
        if hm:
            code = c.code(m["text"] + " " + hm.group(1))
            if code.sector:
                m["sector"] = code.sector
                if code.sector in STATE_SECTORS and m["key"].startswith("N:"):
                    m["acts_for"] = f"C:{iso}"
    elif m["type"] in ("ORG", "FAC") and iso and m.get("sector") in STATE_SECTORS and not m["key"].startswith("C:"):
        m["acts_for"] = f"C:{iso}"


# -- descriptions of an office: "the Venezuelan president" ------------------------------------------------------------

_OFFICE = None


def _office_re():
    """The two patterns of an office description: "the Venezuelan president", "the president of Venezuela".

    Each is wrapped as ``[first characters](?<=(?=(?P<span>PATTERN)).)``: the regex engine jumps from one character
    that can start a match to the next (instead of trying the pattern at every character), and the match itself is
    the group ``span`` (see :func:`_office_matches`). In the first pattern the words of the place are possessive
    (``*+``, ``++``): what follows them (a space, "'s") can never start inside them, so giving characters back could
    never lead to a match; it only cost time."""
    global _OFFICE
    if _OFFICE is None:
        heads = sorted(kb().nlp["office_heads"], key=len, reverse=True)
        alt = "|".join(re.escape(h) for h in heads)
        by_place = (rf"\b(?:[Tt]he\s+)?(?P<place>[A-Z][\w.\-]*+(?:\s[A-Z][\w\-]++)?)(?P<poss>['’]s)?\s+"
                    rf"(?P<office>(?i:acting\s+|interim\s+)?(?i:{alt}))\b(?!\s+(?:of|[A-Z]))")
        by_office = (rf"\b[Tt]he\s+(?P<office>(?i:acting\s+|interim\s+)?(?i:{alt}))\s+of\s+(?:the\s+)?"
                     rf"(?P<place>[A-Z][\w\-]*(?:\s[A-Z][\w\-]+)?)\b")
        _OFFICE = (re.compile(rf"[A-Zt](?<=(?=(?P<span>{by_place})).)"),
                   re.compile(rf"[Tt](?<=(?=(?P<span>{by_office})).)"))
    return _OFFICE


def _office_matches(text: str):
    """The matches of each office pattern in turn, as ``finditer`` gives them (the match is group ``span``)."""
    for rx in _office_re():
        pos = 0
        while (mt := rx.search(text, pos)) is not None:
            yield mt
            pos = mt.end("span")


def _nominal(text: str, mentions: list[dict], found: list[dict], c: Coder, day: dt.date | None,
             sentences: list[dict]) -> list[dict]:
    k = c.kb
    heads = k.nlp["office_heads"]
    out = []
    starts = sorted(m["start"] for m in mentions if m["label"] == "PERSON")
    for mt in _office_matches(text):
        place = mt.group("place")
        if not place[:1].isupper():
            continue
        e = k.first(place, ("country", "demonym"))
        if e is None or not e.ref:
            continue
        office = " ".join(mt.group("office").lower().split())
        kind = heads.get(office.replace("acting ", "").replace("interim ", ""))
        if kind is None:
            continue
        a, b = mt.span("span")
        if any(a <= s <= b + 2 for s in starts):
            continue  # a title in front of a name: the name is the mention
        holder = None
        for r in found:  # a role the text states ("Delcy Rodriguez as acting president")
            if r["role"] == office and (r["country"] in (None, e.ref)):
                holder = mentions[r["holder"]]
                break
        m = {"start": a, "end": b, "text": text[a:b], "label": "PERSON", "nominal": True,
             "sent": _sent_of(sentences, a)}
        if holder is not None:
            for f in ("key", "type", "name", "country", "sector", "wiki", "kb"):
                if f in holder:
                    m[f] = holder[f]
        else:
            bare = office.replace("acting ", "").replace("interim ", "")
            pids = k.holders_titled(e.ref, bare, day) or \
                k.holders(e.ref, "hos" if kind == "hog" and not k.office.get((e.ref, "hog")) else kind, day)
            if len(pids) != 1:
                continue
            _set_person(m, c, pids[0], day)
            m["country"], m["sector"] = e.ref, "GOV"
        if m.get("country") and m.get("sector") in STATE_SECTORS:
            m["acts_for"] = "C:" + m["country"]
        if not any(x["start"] == a and x["end"] == b for x in out):
            out.append(m)
    return out


def _sent_of(sentences: list[dict], pos: int) -> int | None:
    for i, s in enumerate(sentences):
        if s["start"] <= pos < s["end"] + 1:
            return i
    return None


def _role_out(r: dict, mentions: list[dict], c: Coder, k) -> dict:
    holder = mentions[r["holder"]]
    of_key = of_name = None
    if r.get("of_mention") is not None:
        om = mentions[r["of_mention"]]
        of_key, of_name = om["key"], om.get("name")
    elif r.get("of_text"):
        e = k.first(r["of_text"], ("country", "org", "seat"))
        if e is not None and e.kind == "country":
            of_key, of_name = f"C:{e.ref}", k.country_name.get(e.ref)
        elif e is not None and e.kind == "org":
            of_key, of_name = "O:" + fold(k.orgs[e.ref]["name"]), k.orgs[e.ref]["name"]
    if of_key is None and r.get("country"):
        of_key, of_name = f"C:{r['country']}", k.country_name.get(r["country"])
    country = r["country"]
    if of_key is None and r.get("sector") in STATE_SECTORS and holder.get("country"):
        country = holder["country"]  # "President Nicolás Maduro": the office of the state he is coded for
        of_key, of_name = f"C:{country}", k.country_name.get(country)
    return {"holder": holder["key"], "holder_name": holder.get("name"), "holder_type": holder.get("type"),
            "role": r["role"], "of": of_key, "of_name": of_name, "country": country, "sector": r["sector"],
            "valid_from": r["valid_from"], "valid_until": r["valid_until"], "ended_by": r.get("ended_by"),
            "start": r["start"], "end": r["end"], "text": r["text"]}
