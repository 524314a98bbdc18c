"""Phrases of a sentence for the surface reader: noun phrases, the parties of an event (source, target, agent,
"A and B"), attributions, the objects and complements of a verb."""

from __future__ import annotations

from ..classify import STOP
from ..coding import code_actor
from ..extract import PRONOUNS, Actor
from ..lexicon import lexicon
from .words import (
    AUX,
    AUXILIARY,
    BE,
    CLAUSE_END,
    DETS,
    NEG,
    NOT_TARGET_PREPS,
    PARTICLES,
    PREPS,
    QUOTES,
    WH,
    Sentence,
    before_participle,
    is_sector_word,
    lemmas_of,
    noun_lemma,
    verb_words,
)

OBJECT_WINDOW = 7


TARGET_WINDOW = 14


SOURCE_MAX = 9


INSERT_STARTS = frozenset({"who", "whose", "which", "where", "too", "however", "also", "meanwhile", "though",
                           "like", "including", "already", "in", "for", "along"})


OWNERS = frozenset({"its", "their", "his", "her", "our", "my", "your"})


RECIPIENT_PREPS = frozenset({"to", "for", "with", "against", "from", "on", "into", "toward", "towards", "at"})


def np_left(s: Sentence, j: int, stop: int = 0) -> int:
    """Start of the noun phrase ending at word ``j`` (inclusive): back over names, modifiers, determiners,
    possessives, "of" phrases and "A and B" (at most SOURCE_MAX words, never past ``stop``)."""
    i = j
    if s.low[j] in PRONOUNS and s.ent[j] is None:
        return j  # "promised Turkey it would ...": a pronoun is a whole phrase (not "US")
    while i - 1 >= stop and j - (i - 1) < SOURCE_MAX:
        w = s.low[i - 1]
        if w in WH or (w in PRONOUNS and s.ent[i - 1] is None):
            break  # "when Trump abandons", "precisely what it warned"
        if w == ")" and i - 1 < j:  # "the Azadliq (Freedom) opposition coalition": over the brackets
            o = i - 2
            while o >= stop and s.low[o] != "(" and i - o < 6:
                o -= 1
            if o >= stop and s.low[o] == "(":
                i = o
                continue
        crossing = w in ("in", "from", "at") and i - 2 >= stop and (s.ent[i - 2] is not None or is_sector_word(
            s.low[i - 2]))  # "the 2,000 US troops in Syria would withdraw"
        if s.boundary(i - 1) or w in AUX or lemmas_of(w) and s.ent[i - 1] is None and w not in DETS \
                and not is_sector_word(w) or (w in PREPS and w != "of" and not crossing) or s.time[i - 1] is not None:
            break
        if w == "and" and not (s.ent[i - 2] is not None if i - 2 >= stop else False):
            break
        i -= 1
    while i < j and s.low[i] in ("of", "and", "in", "from", "at"):
        i += 1
    return i


def np_right(s: Sentence, i: int, limit: int) -> int:
    """End (exclusive) of the noun phrase whose first actor word is ``i``: the rest of the name, a sector noun
    after it ("US officials"), "of" + a name."""
    j = i + 1
    ent = s.ent[i]
    while j < limit:
        if ent is not None and s.ent[j] is ent:
            j += 1
        elif is_sector_word(s.low[j]) or s.ent[j] is not None:
            ent = s.ent[j]
            j += 1
        else:
            break
    return j


def actor_of(s: Sentence, i: int, j: int, until: int | None = None) -> Actor:
    """The actor of words [i, j), coded from its text, else from the entities in it, else from a place named
    after it before word ``until`` ("refugees fleeing the war in Liberia"; a source stops at its verb)."""
    sp = s.span(i, j)
    country, sector = code_actor(sp.text)
    ents = [e for e in s.ent[i:j] if e is not None]
    head = ents[-1] if ents else None
    if head is not None:
        country = country or head.get("country")
        sector = sector or head.get("sector")
    if country is None and until is not None:  # "refugees fleeing the war in Liberia", "a force in Liberia"
        for x in range(j, min(len(s.low), j + 8, until)):
            if s.boundary(x):
                break
            m = s.ent[x] or s.place[x]
            if m is not None and m.get("label") in ("GPE", "NORP") and m.get("country"):
                country = m["country"]
                break
    h = next((x for x in range(i + 1, j) if s.low[x] in PREPS and s.ent[x] is None), j) - 1
    last = s.ent[h]  # the label of the head word's entity ("the situation in Ukraine": none), as the parse reader
    return Actor(sp.text, sp.start, sp.end, sp.doc_start, sp.doc_end, country, sector,
                 last.get("label") if last else None)


def split_pair(s: Sentence, i: int, j: int) -> tuple[Actor, Actor] | None:
    """ "Putin and Maduro", "Venezuela and United States officials": one actor each side of the "and"."""
    for k in range(i + 1, j - 1):
        if s.low[k] == "and":
            left = any(s.ent[x] is not None for x in range(i, k))
            right = any(s.ent[x] is not None or is_sector_word(s.low[x]) for x in range(k + 1, j))
            if left and right:
                a, b = actor_of(s, i, k), actor_of(s, k + 1, j)
                if j - k > 2 and not b.country and a.country is None:
                    return None
                return a, b
    return None


def find_source(s: Sentence, first: int, floor: int) -> tuple[int, int] | None:
    """Words [i, j) of the source: the phrase just left of word ``first`` (the chain's first word)."""
    k = first - 1
    while k >= floor and (s.low[k] in AUX or s.low[k].endswith("ly") or s.time[k] is not None
                          or s.low[k] in QUOTES or (s.low[k] in ("on", "in", "at", "by", "since")
                                                    and k + 1 < first and s.time[k + 1] is not None)):
        k -= 1
    if k < floor:
        return None
    if s.low[k] in ("who", "which", "that") or (s.low[k] == "," and k > floor and s.time[k - 1] is not None):
        k -= 1
        if k >= floor and s.low[k] == ",":
            k -= 1
        if k < floor:
            return None
    if s.low[k] == ",":
        return _source_before_insert(s, k)
    if s.boundary(k) or s.low[k] in PREPS:
        return None
    i = np_left(s, k, floor)
    return (i, k + 1) if i <= k else None


def _source_before_insert(s: Sentence, k: int) -> tuple[int, int] | None:
    """The subject before a comma-enclosed insert that ends at word ``k`` (a comma): "France, whose nationals
    ..., has refused"; "The US secretary of state, Mike Pompeo, has vowed"; "Russia, too, has shown"."""
    c0 = k - 1
    while c0 > 0 and k - c0 < 30 and s.low[c0] not in (",", ";"):
        c0 -= 1
    if c0 <= 0 or s.low[c0] != ",":
        return None
    nxt = c0 + 1
    if not (s.low[nxt] in INSERT_STARTS or s.low[nxt] in DETS or s.ent[nxt] is not None):
        return None
    i = np_left(s, c0 - 1, 0)
    return (i, c0) if i <= c0 - 1 and any(s.is_actor_word(x) for x in range(i, c0)) else None


def find_target(s: Sentence, after: int, end: int, skip: set[int]) -> tuple[int, int, bool] | None:
    """The first actor right of word ``after`` in its clause: words [i, j) and whether a place preposition
    introduced it. What the source owns is skipped ("withdraw its troops from Lebanon"), and a bare object
    that is only a sector noun gives way to an actor after a preposition ("contribute 4,000 troops to a force in
    Liberia")."""
    limit = min(end, after + TARGET_WINDOW)
    k = after + 1
    fallback = None
    while k < limit:
        w = s.low[k]
        if w in CLAUSE_END or w == ";" or (w == "," and not (k + 1 < limit and s.ent[k + 1] is not None)) or \
                (w == "that" and k > after + 1) or k in skip or (w in NOT_TARGET_PREPS and k > after + 1 and not (
                    w == "by" and noun_lemma(s.low[k - 1]) in lexicon().frame_nouns)):  # "rejected calls by X"
            break
        if s.ent[k] is not None or is_sector_word(w) and w not in ("state",) or w in PRONOUNS - {"it", "they"} and \
                k == after + 1:
            j = np_right(s, k, end)
            i = k
            while i - 1 > after and not s.boundary(i - 1) and s.low[i - 1] not in PREPS and not lemmas_of(s.low[i - 1]):
                i -= 1
            if s.low[i] in OWNERS:
                k = j
                continue  # the source's own ("its troops")
            prep = s.low[i - 1] if i - 1 > after else None
            place = prep in ("in", "at", "near", "inside", "across", "throughout")
            if place and i - 1 > after + 1:
                break  # "the situation in Ukraine": where, not whom
            if prep is None and s.ent[k] is None and fallback is None:
                fallback = (i, j, False)
                k = j
                continue
            if fallback is not None and prep not in RECIPIENT_PREPS:
                break
            return i, j, place
        if lemmas_of(w) and not s.time[k] and w not in DETS and k > after + 2 and w not in PARTICLES and \
                any(x in lexicon().reporting_verbs for x in lemmas_of(w)):
            break
        k += 1
    return fallback or _placed_object(s, after, end)


def _placed_object(s: Sentence, after: int, end: int) -> tuple[int, int, bool] | None:
    """The object noun phrase when a place names whom it concerns: "lifted a night curfew in Montenegro",
    "suspended aid deliveries in Baghdad" (words up to the place, coded by it)."""
    j = after + 1
    while j < end and j < after + 6 and not s.boundary(j) and s.low[j] not in PREPS:
        j += 1
    if j == after + 1 or j + 1 >= end or s.low[j] not in ("in", "of", "from", "near"):
        return None
    for x in range(j + 1, min(end, j + 5)):
        m = s.ent[x] or s.place[x]
        if m is not None and m.get("label") in ("GPE", "NORP") and m.get("country"):
            e = x
            while e + 1 < end and (s.ent[e + 1] is m or s.place[e + 1] is m):
                e += 1
            return after + 1, e + 1, False
        if s.boundary(x) or (s.low[x] in PREPS and x > j + 1):
            break
    return None


def attributions(s: Sentence) -> tuple[list[dict], set[int]]:
    """ "X said", "..., X said.", "said X", "according to X": the speakers (as said_by entries) and the words of
    the attributing phrases."""
    lex = lexicon()
    out, skip = [], set()
    n = len(s.low)
    for k, w in enumerate(s.low):
        if w == "according" and k + 1 < n and s.low[k + 1] == "to":
            j = k + 2
            while j < n and not (s.low[j] in (",", ".", ";") or (s.boundary(j) and s.low[j] != "that")):
                j += 1
            if j > k + 2:
                out.append((k + 2, j, k, j, "according to"))
            continue
        lem = next((x for x in lemmas_of(w) if x in lex.reporting_verbs), None)
        if lem is None or s.ent[k] is not None:
            continue
        if k + 1 < n and any(x in lex.frame_nouns for x in (s.low[k + 1], noun_lemma(s.low[k + 1])))\
                or k + 2 < n and s.low[k + 1] in DETS and noun_lemma(s.low[k + 2]) in lex.frame_nouns:
            continue  # "announced a plan": an event, not an attribution
        # "..., X said" / "X said" / "X said that ..."
        b = k - 1
        while b >= 0 and (s.low[b] in AUX or s.low[b].endswith("ly")):
            b -= 1
        if b >= 0 and not s.boundary(b) and s.low[b] not in PREPS and s.low[b] not in ("it", "there"):
            i = np_left(s, b)
            if i <= b and (s.is_actor_word(b) or any(s.ent[x] for x in range(i, b + 1)) or s.low[b] in
                           ("report", "statement", "agency", "sources", "source")):
                lo = i
                if lo > 0 and s.low[lo - 1] == ",":
                    lo -= 1
                hi = k + 1
                while hi < n and (s.time[hi] is not None or s.low[hi] in ("on", "in", "late", "early")
                                  and hi + 1 < n and s.time[hi + 1] is not None):
                    hi += 1
                if hi < n and s.low[hi] == "that":
                    hi += 1
                out.append((i, b + 1, lo, hi, lem))
                continue
        # ", said X."
        if k > 0 and s.low[k - 1] in (",", "”", '"') and k + 1 < n and s.is_actor_word(k + 1):
            j = np_right(s, k + 1, n) if s.ent[k + 1] is not None else k + 2
            out.append((k + 1, j, k - 1, j, lem))
    said = []
    for i, j, lo, hi, verb in out:
        who, phrase = s.span(i, j), s.span(lo, hi)
        said.append({**who.to_dict(), "verb": verb, "span": phrase.to_dict()})
        skip.update(range(lo, hi))
    return said, skip


def speaker_actor(s: Sentence, who: dict) -> Actor | None:
    country, sector = code_actor(who["text"])
    ents = [m for i, m in enumerate(s.ent) if m is not None and who["doc_start"] <= s.toks[i][0] < who["doc_end"]]
    if ents:
        country, sector = country or ents[-1].get("country"), sector or ents[-1].get("sector")
    if not (country or sector or ents):
        return None
    return Actor(who["text"], who["start"], who["end"], who["doc_start"], who["doc_end"], country, sector,
                 ents[-1].get("label") if ents else None)


def between_pair(s: Sentence, k: int, end: int) -> tuple[Actor, Actor] | None:
    """ "between A and B" after an event noun at ``k - 1``."""
    e = k + 1
    while e < min(end, k + 16) and not (s.low[e] in PREPS and s.low[e] != "of") and s.low[e] != ",":
        e += 1
    return split_pair(s, k + 1, e)


def find_agent(s: Sentence, i: int, n: int) -> tuple[int, int] | None:
    """The agent after "by": a noun phrase, or the names in its apposition ("by the leaders of the two countries,
    Vladimir Putin and Nicolas Maduro")."""
    j = i
    while j < n and not s.boundary(j) and (s.low[j] not in PREPS or s.low[j] == "of") and j < i + 8:
        j += 1
    if j == i:
        return None
    if j + 1 < n and s.low[j] == "," and s.ent[j + 1] is not None and not any(
            s.ent[x] is not None and s.ent[x].get("country") for x in range(i, j)):
        e = j + 1
        while e < n and (s.ent[e] is not None or s.low[e] == "and") and e < j + 10:
            e += 1
        return j + 1, e
    return i, j


def objects_of(s: Sentence, k: int, end: int) -> tuple[list[str], list[str], list[str]]:
    """(particles, object concepts, objects of "for") right of the verb at word ``k``: the concepts of the first
    noun phrase, head first, then those of the phrases after "of"/prepositions."""
    parts: list[str] = []
    concepts: list[str] = []
    purpose: list[str] = []
    j = k + 1
    while j < end and s.low[j] in PARTICLES and len(parts) < 2 and not (j + 1 < end and s.time[j + 1]):
        parts.append(s.low[j])
        j += 1
    phrase: list[str] = []
    prep = parts[-1] if parts else None
    stop = min(end, j + OBJECT_WINDOW)
    lex = lexicon()

    def flush(phrase: list[str], prep: str | None) -> None:
        if prep == "of" and concepts and concepts[0] in lex.quantity_heads:
            concepts.pop(0)  # "10 days of war games": look through the quantity
        concepts.extend([phrase[-1], *phrase[:-1]] if phrase[-1] not in lex.generic_heads else phrase)
        if prep == "for":
            purpose.append(phrase[-1])

    while j < stop:
        w = s.low[j]
        if s.boundary(j) or w == "and" and phrase:
            break
        if w in PREPS:
            if phrase:
                flush(phrase, prep)
            phrase, prep = [], w
        elif w not in DETS and w not in STOP and not w[0].isdigit() and w.isalpha() and s.time[j] is None:
            phrase.append(noun_lemma(w))
        j += 1
    if phrase:
        flush(phrase, prep)
    return parts, list(dict.fromkeys(concepts)), purpose


def complement_of(s: Sentence, k: int, end: int) -> tuple[int, tuple[int, int, bool] | None]:
    """For a frame word at ``k``: (index of the next trigger it governs or -1, the words of the one it addresses:
    "demanded Venezuela to ..." (False), "demanded that the US cancel ..." (True: the subject of the clause))."""
    j = k + 1
    obj = None
    while j < end and j < k + 5 and (s.low[j] in PARTICLES - {"to"} or s.time[j] is not None):
        j += 1  # "demanded Friday that", "called on Arabs to"
    # "demanded Venezuela to ...", "urged the two countries to ..."
    if j < end and s.low[j] not in ("to", "that") and s.low[j] not in OWNERS and (s.is_actor_word(j) or s.low[j] in
                                                                                  DETS):
        e = j
        while e < end and e < j + 6 and s.low[e] not in ("to", "that") and not s.boundary(e):
            e += 1
        if e < end and s.low[e] in ("to", "that") and any(s.is_actor_word(x) for x in range(j, e)):
            obj, j = (j, e, False), e
    if j < end and s.low[j] in ("to", "that"):
        that = s.low[j] == "that"
        j += 1
        start = j
        while j < end and j < k + 10 and (s.low[j] in QUOTES or s.low[j].endswith("ly") or (
                s.low[j] in AUX and not (s.low[j] in AUXILIARY or s.low[j] in BE) or before_participle(s, j))):
            j += 1  # not "to have talks", "to be in talks": those are the verbs
        limit = min(end, j + (6 if that else 2))
        for x in range(j, limit):
            if s.boundary(x) and x > j:
                break
            lx = next((y for y in lemmas_of(s.low[x]) if y in verb_words()), None)
            if lx is not None and s.low[x - 1] not in DETS:
                if that and obj is None:
                    e = x
                    while e > start and (s.low[e - 1] in AUX or s.low[e - 1] in lexicon().modals
                                         or s.low[e - 1].endswith("ly") or s.low[e - 1] in NEG):
                        e -= 1
                    if e > start and any(s.is_actor_word(y) for y in range(start, e)):
                        obj = (start, e, True)
                return x, obj
    elif j < end and s.low[j].endswith("ing") and any(y in verb_words() for y in lemmas_of(s.low[j])):
        # "began sending"
        return j, obj
    return -1, obj


def governing_verb(s: Sentence, k: int) -> int | None:
    """The verb a frame noun is the object of ("reiterated its demand", "renewed calls"), within three words."""
    j = k - 1
    while j >= 0 and j >= k - 3 and (s.low[j] in DETS or s.low[j] in OWNERS or s.time[j] is not None
                                     or (s.low[j].isalpha() and not lemmas_of(s.low[j]) and s.ent[j] is None)):
        j -= 1
    return j if j >= 0 and lemmas_of(s.low[j]) and s.ent[j] is None else None
