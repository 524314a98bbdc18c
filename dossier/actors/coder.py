"""Actor coding as POLECAT/NGEC do it: a piece of text naming an actor -> ISO-3 country and PLOVER sector.

``code_phrase("Russia's ambassador to Poland")`` -> RUS / GOV; ``code_phrase("Venezuelan opposition leader")`` ->
VEN / OPP; ``code_phrase("Scott Morrison", date="2022-10-01")`` -> AUS / ELI (a former head of government then).

The phrase is read left to right into *hits*: places (countries, demonyms, capitals, seats of power, regions,
cities), organisations, known office holders, and sector words (data/actors_sectors.json over PLOVER's agent
dictionary). The country is the strongest hit that is not a counterpart ("... to Poland"); the sector is the head
of the phrase: the rightmost sector word before the first preposition, unless it is a *transparent* noun (leader,
members, team, official) that takes its sector from what it heads ("members of SANDF", "a team of police").
The coding conventions (a bare country has no sector, a capital stands for the government, a city for its people,
the president of a voluntary body is civil society) are data: ``conventions`` in actors_sectors.json, which the
ngec_actors bench cross-validates. Believers as a group take CAMEO's religion code ("Rakhine Buddhists" BUD); a title
the phrase states beats the table's date ("UK Defence Secretary Ben Wallace" is GOV whatever the day).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from functools import lru_cache

from .kb import KB, Entry, fold, kb, parse_date, sing_key, singular

TOKEN = re.compile(r"(?:[A-Za-z]\.){2,}|[\w]+(?:['’\-][\w]+)*\.?|[^\w\s]")
POSS = re.compile(r"^(.*?)(['’]s|['’])$")
HYPHEN_AFFIX = re.compile(r"^(.+?)-((?:based|backed|led|born|owned|run|allied|sponsored|funded|supported|linked|"
                          r"affiliated|aligned|controlled|held|made|installed|appointed|friendly))$", re.I)
NGEC_CODES = ("UNO", "EUR", "IGO")
CACHE = 32768  # phrases and names a coder remembers (the same ones come back in every document)
_ABBREVIATION = re.compile(r"^(?:[A-Za-z]\.){2,}$")
_INITIALS = re.compile(r"^(?:[A-Za-z]\.)+$")


@dataclass(slots=True)
class Code:
    """An actor coding. ``sector`` "" means "none"; None means "not known"."""

    country: str | None = None
    sector: str | None = None
    wiki: str | None = None
    kind: str | None = None      # person | org | country | demonym | capital | city | seat | pre | region | phrase
    ref: str | int | None = None  # person id, org index, seat index, ISO-3
    name: str | None = None      # canonical name of what the phrase names
    type: str | None = None      # entity type: PERSON, ORG, GPE, LOC, NORP, FAC
    title: str | None = None     # office ("president", "foreign minister") when known
    status: str | None = None    # for a known office holder: in_office | before | after | between

    def iso3(self) -> str | None:
        """The country as an ISO 3166-1 alpha-3 code (the NGEC codes of international bodies are not)."""
        return None if self.country in NGEC_CODES else self.country


@dataclass(slots=True)
class Tok:
    text: str
    key: str    # folded
    sing: str   # folded, singular
    cap: bool
    upper: bool
    i: int


@dataclass(slots=True)
class Hit:
    i: int
    j: int               # token span [i, j)
    kind: str            # place kinds, org, person, agent
    country: str | None = None
    sector: str | None = None
    strength: int = 0
    entry: Entry | None = None
    ref: str | int | None = None
    transparent: bool = False
    counterpart: bool = False


def tokens(text: str) -> list[Tok]:
    out: list[Tok] = []
    for m in TOKEN.finditer(text):
        t = m.group(0)
        parts = [t]
        hm = HYPHEN_AFFIX.match(t)
        if hm:
            parts = [hm.group(1), hm.group(2)]
        pm = POSS.match(parts[0])
        if pm and pm.group(1) and len(t) > 2 and not _ABBREVIATION.match(t):
            parts = [pm.group(1), pm.group(2), *parts[1:]]
        for p in parts:
            if p.endswith(".") and len(p) > 2 and not _INITIALS.match(p) and p[:-1].lower() not in _ABBR:
                p = p[:-1]
            k = fold(p) if p not in ("'s", "’s") else "'s"
            out.append(Tok(p, k, singular(k), p[:1].isupper(), p.isupper() and any(c.isalpha() for c in p), len(out)))
    return out


_ABBR = {"lt", "gen", "col", "maj", "capt", "sgt", "adm", "brig", "st", "mr", "mrs", "ms", "dr", "jr", "sr", "rev",
         "prof", "sen", "rep", "gov", "cmdr", "no"}

PLACE_STRENGTH = {"country": 4, "pre": 4, "demonym": 4, "demonym_pl": 4, "seat": 3, "org": 3, "person": 3,
                  "capital": 2, "region": 2, "city": 1, "subdivision": 1}
WHOLE_ORDER = ("org", "seat", "country", "pre", "demonym_pl", "demonym", "capital", "region", "person", "city",
               "subdivision", "noncountry")


class Coder:
    """Codes actor phrases with the knowledge base; ``conventions`` override the data's (for cross-validation)."""

    def __init__(self, conventions: dict | None = None, base: KB | None = None):
        self.kb = base or kb()
        s = self.kb.sectors
        self.conv = {**s["conventions"], **(conventions or {})}
        self.transparent = {sing_key(fold(x).split()) for x in s["transparent"]}
        self.generic = {singular(fold(x)) for x in s["generic_people"]}
        self.pronouns = set(s["pronouns"])
        self.former = {fold(x) for x in s["former"]}
        self.former_heads = set(s["former_heads"])
        self.stop = {fold(x) for x in s["stop"]} | {"'s"}
        self.preps = set(s["prepositions"])
        self.counter = set(s["counterpart_prepositions"])
        self.titles = {fold(t) for t in self.kb.nlp["titles"]}
        self.civil_org = {singular(fold(x)) for x in s["civil_org_nouns"]}
        self._agent_first = {key.split(" ")[0] for key in self.kb.agents}  # first words of the sector phrases
        # a coding depends only on the tables, the conventions and the arguments: remembered per coder
        self._code_cached = lru_cache(maxsize=CACHE)(self._code)
        self._person_cached = lru_cache(maxsize=CACHE)(self._find_person)

    # -- public ---------------------------------------------------------------------------------------------------
    def code(self, text: str, context: str = "", date: str | dt.date | None = None) -> Code:
        """Code one actor phrase (NGEC codes for international bodies; ``Code.iso3()`` gives ISO only)."""
        # without a date an office holder is coded for today: today is part of what is remembered
        today = dt.date.today() if date is None else None
        return replace(self._code_cached(text, context, date, today))  # a copy: the caller may change it

    def _code(self, text: str, context: str, date: str | dt.date | None, _today: dt.date | None) -> Code:
        day = date if isinstance(date, dt.date) or date is None else parse_date(date)
        text = " ".join((text or "").split())
        code = self._whole(text, day) if text else None
        if code is None:
            code = self._phrase(text, day) if text else Code(country="", sector="")
        if not code.country and context:
            ctx = self._whole(" ".join(context.split()), day)
            if ctx is not None and ctx.country and ctx.kind in ("country", "demonym", "demonym_pl", "capital", "city",
                                                                 "region", "pre", "subdivision"):
                code = replace(code, country=ctx.country)
        return code

    def person(self, pid: str, day: dt.date | None) -> Code:
        """The coding of a known office holder on ``day``: the office's country and sector, or a former one's."""
        k = self.kb
        p = k.people[pid]
        role, status = k.role_at(pid, day)
        if role is None:
            return Code(country=p.home, sector=None, wiki=p.wiki, kind="person", ref=pid, name=p.name, type="PERSON")
        if status == "in_office":
            sector, country = role.sector, role.country
        else:
            sector = self.conv[{"before": "before_term_sector", "after": "after_term_sector",
                                "between": "between_terms_sector"}[status]]
            country = p.home if role.country in NGEC_CODES else role.country
        return Code(country=country, sector=sector, wiki=p.wiki, kind="person", ref=pid, name=p.name, type="PERSON",
                    title=role.title, status=status)

    def find_person(self, name: str, day: dt.date | None = None, surname_only: bool = True) -> str | None:
        """A known office holder by name: exact (accents, case folded), a close spelling ("Sergey Lavrov"), or a
        surname alone when one holder of that surname fits (in office on ``day`` if several)."""
        return self._person_cached(name, day, surname_only)

    def _find_person(self, name: str, day: dt.date | None, surname_only: bool) -> str | None:
        k = self.kb
        key = fold(name)
        if not key:
            return None
        hits = [e.ref for e in k.names.get(key, ()) if e.kind == "person"]
        if hits:
            return hits[0]
        words = key.split()
        if len(words) == 1:
            if not surname_only:
                return None
            cands = k.surnames.get(words[0], [])
            if len(cands) == 1:
                return cands[0]
            if len(cands) > 1 and day is not None:
                now = [c for c in cands if k.role_at(c, day)[1] == "in_office"]
                if len(now) == 1:
                    return now[0]
            return None
        from rapidfuzz import fuzz

        last = words[-1]
        cands = set(k.surnames.get(last, [])) | set(k.surname_prefix.get(last[:4], []))
        best, score = None, 0.0
        for pid in cands:
            p = k.people[pid]
            for form in [p.name, *p.aliases]:
                f = fold(form)
                if len(f.split()) < 2:
                    continue
                s = fuzz.ratio(key, f)
                fw = f.split()
                if fw[-1] != last and fuzz.ratio(fw[-1], last) < 85:
                    continue
                if fw[0][0] != words[0][0]:
                    continue
                if s > score:
                    best, score = pid, s
        return best if score >= 88 else None

    # -- the whole phrase is one name ------------------------------------------------------------------------
    def _whole(self, text: str, day: dt.date | None) -> Code | None:
        k = self.kb
        low = fold(text)
        if low in self.pronouns:
            return Code(country="", sector=self.conv["generic_people_sector"], kind="phrase", wiki="")
        e = k.first(text, WHOLE_ORDER)
        if e is not None and e.kind in ("demonym", "demonym_pl") and e.ref is None and k.agents.get(
                sing_key(low.split())):
            return None  # "Hindus", "Muslims": believers (a sector word), not a nationality
        if e is None:
            oi = self._fuzzy_org(text)
            if oi is not None:
                return self._org(oi)
            if len(low.split()) == 1 and text[:1].isupper():
                pid = self.find_person(text, day)
                if pid:
                    return self.person(pid, day)
            if len(low.split()) >= 2:
                pid = self.find_person(text, day, surname_only=False)
                if pid:
                    return self.person(pid, day)
            return None
        return self._entry(e, day, whole=True)

    def _fuzzy_org(self, text: str) -> int | None:
        from rapidfuzz import fuzz

        key = fold(text)
        words = key.split()
        if len(words) < 2:
            return None
        best, score = None, 0.0
        for oi in self.kb.org_first.get(words[0], ()):
            o = self.kb.orgs[oi]
            for n in [o["name"], *o["aliases"]]:
                s = fuzz.ratio(key, fold(n))
                if s > score:
                    best, score = oi, s
        return best if score >= 90 else None

    def _org(self, oi: int) -> Code:
        o = self.kb.orgs[oi]
        return Code(country=o.get("ngec_country") or o["country"] or "", sector=o["sector"], wiki=o.get("wiki") or "",
                    kind="org", ref=oi, name=o["name"], type=o.get("type", "ORG"))

    def _entry(self, e: Entry, day: dt.date | None, whole: bool) -> Code:
        k, c = self.kb, self.conv
        if e.kind == "org":
            return self._org(e.ref)
        if e.kind == "seat":
            s = k.seats[e.ref]
            return Code(country=s["country"] or "", sector=s["sector"], wiki=s.get("wiki") or "", kind="seat",
                        ref=e.ref, name=s["name"], type=s.get("type", "FAC"))
        if e.kind == "country":
            return Code(country=e.ref, sector=c["state_alone_sector"], wiki="", kind="country", ref=e.ref,
                        name=k.country_name.get(e.ref, e.ref), type="GPE")
        if e.kind == "pre":
            no = e.name in k.places["partially_recognised_no_sector"]
            return Code(country=e.ref, sector="" if no else "PRE", wiki=e.name, kind="pre", ref=e.ref, name=e.name,
                        type="GPE")
        if e.kind in ("demonym", "demonym_pl"):
            return Code(country=e.ref or "", sector=c["demonym_alone_sector"], wiki="", kind="demonym", ref=e.ref,
                        name=e.name, type="NORP")
        if e.kind == "capital":
            city = k.first(e.name or "", ("city",))
            return Code(country=e.ref, sector=c["capital_sector"], wiki=(city.name if city else e.name), kind="capital",
                        ref=e.ref, name=city.name if city else e.name, type="GPE")
        if e.kind == "region":
            return Code(country=e.ref or "", sector="", wiki=e.name, kind="region", ref=e.ref, name=e.name, type="GPE")
        if e.kind == "person":
            return self.person(e.ref, day)
        if e.kind == "city":
            return Code(country=e.ref, sector=c["city_sector"], wiki=e.name, kind="city", ref=e.ref, name=e.name,
                        type="GPE")
        if e.kind == "subdivision":
            return Code(country=e.ref, sector="", wiki=e.name, kind="subdivision", ref=e.ref, name=e.name, type="GPE")
        if e.kind == "noncountry":
            return Code(country="", sector="", wiki="", kind="region", name=e.name, type="LOC")
        return Code()

    # -- a phrase: hits, then country and sector ----------------------------------------------------------------
    def hits(self, toks: list[Tok], day: dt.date | None, text: str = "") -> list[Hit]:
        k = self.kb
        n = len(toks)
        out: list[Hit] = []
        covered = [False] * n
        texts = [t.text for t in toks]
        # names: longest first, left to right
        i = 0
        while i < n:
            found = None
            for L in range(min(8, n - i), 0, -1):
                if not toks[i].key or (L == 1 and toks[i].key in self.stop):
                    continue
                if toks[i + L - 1].key in ("'s",):
                    continue
                span = toks[i:i + L]
                surface = " ".join(texts[i:i + L])
                entries = k.lookup(surface)
                if L >= 2 and entries and all(e.kind == "noncountry" or e.kind in ("demonym", "demonym_pl")
                                              and e.ref is None for e in entries):
                    i += L - 1  # "Latin America", "Latin American": no country, and not "America" either
                    break
                entries = [e for e in entries if self._allowed(e, span, toks, n == L)
                           and not (e.kind in ("demonym", "demonym_pl") and e.ref is None)]
                if not entries and L >= 2 and span[0].cap:
                    pid = self.find_person(surface, day, surname_only=False)
                    if pid:
                        entries = [Entry("person", pid)]
                if entries:
                    found = (L, self._best(entries))
                    break
            if found and found[1].kind == "org" and found[1].shape is None and self._foreign_generic(
                    found[1], out, toks, i):
                found = None  # "Chile's Defense Department": a body of another state with a generic name
            if found:
                L, e = found
                out.append(self._hit(e, i, i + L, toks, day))
                for x in range(i, i + L):
                    covered[x] = True
                i += L
            else:
                i += 1
        # a lone capitalised word that is a known surname ("Museveni")
        for t in toks:
            if not covered[t.i] and t.cap and t.key not in self.stop and t.key not in self.titles and n <= 4:
                pid = self.find_person(t.text, day) if t.key in k.surnames else None
                if pid and self._name_alone(toks, t.i):
                    out.append(self._hit(Entry("person", pid), t.i, t.i + 1, toks, day))
                    covered[t.i] = True
        # sector words on what is left
        sings = [t.sing for t in toks]
        i = 0
        while i < n:
            # a phrase of the dictionary starts with one of its first words; nor may it reach a covered token
            if covered[i] or sings[i].split(" ")[0] not in self._agent_first:
                i += 1
                continue
            free = covered.index(True, i) if True in covered[i:] else n
            for L in range(min(k.agent_max, n - i, free - i), 0, -1):
                key = " ".join(sings[i:i + L])
                code = k.agents.get(key)
                if code is not None and code != "":
                    out.append(Hit(i, i + L, "agent", sector=code[:3], transparent=key in self.transparent))
                    i += L
                    break
            else:
                i += 1
        for h in out:
            h.counterpart = h.i > 0 and toks[h.i - 1].key in self.counter or (
                h.i > 1 and toks[h.i - 1].key in ("the", "a", "an") and toks[h.i - 2].key in self.counter)
        return sorted(out, key=lambda h: h.i)

    def _allowed(self, e: Entry, span: list[Tok], toks: list[Tok], whole: bool) -> bool:
        """Cities, subdivisions and organisation names that are common words need capitals and a fitting place."""
        if e.kind in ("city", "subdivision", "capital"):
            if whole:
                return True
            if not all(t.cap or t.key in ("of", "de", "la", "el", "al") for t in span):
                return False
            i, j = span[0].i, span[-1].i + 1
            if len(span) >= 2:
                return True
            before = toks[i - 1] if i > 0 else None
            after = toks[j] if j < len(toks) else None
            if before is not None and before.key in self.preps:
                return True
            if before is not None and before.cap and before.key not in self.stop:
                return False  # inside a longer name ("Douglas Paul James")
            if after is not None and after.cap and after.key not in self.stop:
                return False
            return after is not None and not after.cap or before is None and after is None
        if e.kind == "org" and not whole and e.shape is None:
            name = self.kb.orgs[e.ref]["name"]
            if len(span) == 1 and name[:4].lower() == "the " and (span[0].i == 0 or toks[span[0].i - 1].key != "the"):
                return False  # "Hindu nationalists" is not the newspaper The Hindu
            return all(t.cap or t.key in ("of", "the", "for", "and", "de", "al") for t in span)
        if e.kind in ("region", "seat", "person") and not whole:
            return all(t.cap or t.key in ("of", "the", "de", "al", "el") for t in span)
        return e.kind != "noncountry"

    def _foreign_generic(self, e: Entry, out: list[Hit], toks: list[Tok], i: int) -> bool:
        org_country = self.kb.orgs[e.ref]["country"]
        prev = out[-1] if out else None
        if prev is None or prev.kind not in ("country", "demonym", "demonym_pl") or not prev.country:
            return False
        gap = [t.key for t in toks[prev.j:i]]
        return prev.country != org_country and gap in ([], ["'s"])

    def _name_alone(self, toks: list[Tok], i: int) -> bool:
        before = toks[i - 1] if i > 0 else None
        after = toks[i + 1] if i + 1 < len(toks) else None
        return not (before and before.cap and before.key not in self.titles and before.key not in self.stop) and \
            not (after and after.cap and after.key not in self.stop)

    @staticmethod
    def _best(entries: list[Entry]) -> Entry:
        return max(entries, key=lambda e: (PLACE_STRENGTH.get(e.kind, 0), e.pop))

    def _hit(self, e: Entry, i: int, j: int, toks: list[Tok], day: dt.date | None) -> Hit:
        c = self._entry(e, day, whole=False)
        sector = c.sector or None
        if e.kind in ("country", "demonym", "demonym_pl", "capital", "city", "subdivision", "region", "pre"):
            sector = "PRE" if e.kind == "pre" and c.sector == "PRE" else None
        return Hit(i, j, e.kind, country=c.country or None, sector=sector, strength=PLACE_STRENGTH.get(e.kind, 0),
                   entry=e, ref=c.ref)

    def _phrase(self, text: str, day: dt.date | None) -> Code:
        toks = tokens(text)
        if not toks:
            return Code(country="", sector="")
        hits = self.hits(toks, day, text)
        country = self._country(hits, toks)
        sector = self._sector(toks, hits)
        cut = next((t.i for t in toks if t.key in self.preps and 0 < t.i < len(toks) - 1), len(toks))
        person = next((h for h in hits if h.kind == "person" and h.i < cut), None)
        org = next((h for h in hits if h.kind == "org"), None)
        code = Code(country=country or "", sector=sector if sector is not None else "", kind="phrase", wiki="")
        if person is not None:
            pc = self.person(person.ref, day)
            titled = any(h.kind == "agent" and h.j <= person.i and not h.counterpart for h in hits)
            code.country = country or pc.country or ""
            if titled:  # a title the phrase states ("UK Defence Secretary Ben Wallace") codes it, whatever the day
                sector = self._sector(toks, [h for h in hits if h.kind != "person"]) or sector
            code.sector = sector if titled and sector else (pc.sector or sector or "")
            code.wiki, code.kind, code.ref, code.name, code.type = pc.wiki, "person", pc.ref, pc.name, "PERSON"
            code.title, code.status = pc.title, pc.status
            return code
        if org is not None and org.i == 0 and org.j == len(toks):
            return self._org(org.ref)
        if sector is None and self._civil_org(toks, hits, 0):
            code.sector = self.conv["civil_org_sector"]
        elif sector is None:
            content = [t for t in toks if t.key and t.key not in self.stop and not t.key.isdigit()
                       and not any(h.i <= t.i < h.j for h in hits)]
            if any(t.sing in self.generic for t in content) or (not country and content and all(
                    t.sing in self.generic for t in content)):
                code.sector = self.conv["generic_people_sector"]
            elif country and content and self._located(toks, hits):
                code.sector = self.conv["located_sector"]
            elif country and content and not self._looks_like_name(content):
                code.sector = self.conv["leftover_sector"]
        if not country and sector is None and self._looks_like_name(toks):
            return Code(country="", sector="", kind="phrase", wiki="")  # an unknown person: nothing
        return code

    def _civil_org(self, toks: list[Tok], hits: list[Hit], start: int) -> bool:
        """The name of a voluntary body from ``start`` on: capitalised words ending in "League", "Association"...,
        none of them covered by another hit."""
        last = next((t for t in reversed(toks[start:]) if t.key not in self.stop), None)
        if last is None or not last.cap or last.sing not in self.civil_org:
            return False
        return not any(h.i <= last.i < h.j for h in hits)

    def _located(self, toks: list[Tok], hits: list[Hit]) -> bool:
        for h in hits:
            if h.kind in ("city", "capital") and h.i > 0 and toks[h.i - 1].key in ("in", "at", "near"):
                return True
        return False

    def _looks_like_name(self, toks: list[Tok]) -> bool:
        words = [t for t in toks if t.key and t.key not in ("'s",)]
        return bool(words) and 1 <= len(words) <= 4 and all(t.cap and not t.upper for t in words)

    def _country(self, hits: list[Hit], toks: list[Tok] | None = None) -> str | None:
        cands = [h for h in hits if h.country]
        if toks is not None:  # a person after a preposition ("the director of the Hugo Chavez Center") is no clue
            cands = [h for h in cands if not (h.kind == "person" and any(t.key in self.preps for t in toks[:h.i]))]
        if not cands:
            return None
        main = [h for h in cands if not h.counterpart] or cands
        best = max(main, key=lambda h: (h.strength, -h.i))
        return best.country

    def _sector(self, toks: list[Tok], hits: list[Hit]) -> str | None:
        sect = [h for h in hits if h.sector]
        if not sect:
            return None
        # the head segment: up to the first preposition that has words after it
        cut = len(toks)
        for t in toks:
            if t.key in self.preps and t.i > 0 and t.i < len(toks) - 1:
                cut = t.i
                break
        head = [h for h in sect if h.i < cut]
        tail = [h for h in sect if h.i >= cut]
        solid = [h for h in head if not h.transparent]
        if solid:
            h = solid[-1]
            return self._formered(toks, h, cut)
        tail = [h for h in tail if h.kind != "person"]  # "director of the Hugo Chavez Center": not Chávez's sector
        solid_tail = [h for h in tail if not h.transparent and not h.counterpart] or \
            [h for h in tail if not h.transparent]
        if solid_tail:
            return solid_tail[0].sector
        if self._civil_org(toks, hits, cut):
            return self.conv["civil_org_sector"]  # "President of the Chadian Human Rights League"
        if head:
            return self._formered(toks, head[-1], cut)
        return tail[0].sector if tail else None

    def _formered(self, toks: list[Tok], h: Hit, cut: int) -> str:
        if h.sector in self.former_heads:
            for t in toks[:h.i]:
                if t.key in self.former or t.key == "ex":
                    return "ELI"
        return h.sector


_DEFAULT: Coder | None = None


def coder() -> Coder:
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Coder()
    return _DEFAULT


def code_phrase(text: str, context: str = "", date: str | dt.date | None = None) -> Code:
    return coder().code(text, context, date)
