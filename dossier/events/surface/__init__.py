"""Events read from the surface of a sentence, without a dependency parse: the events stage's default reader.

The parse reader (:mod:`dossier.events.extract`) needs spaCy's tagger and parser, which cost about as much again as
the NER the nlp stage already ran; this reader costs a few per cent of it (``make bench-events`` measures both).
It reads what the nlp, actors and timex stages left on the Document (sentences, entity mentions with their
codes, time expressions) and the words of each sentence, with the same knowledge (``data/events_lexicon.json``)
and the same decisions (:func:`dossier.events.classify.type_of_action`, :func:`~dossier.events.classify.decide`,
:func:`~dossier.events.classify.mode_of`) as the parse reader:

- a **trigger** is a word whose surface lemma the lexicon knows; a frame word ("threatened", "demanded Venezuela",
  "ready") followed by ``to``/``that`` and another trigger makes a chain, the last link being the action;
- **attribution**: "X said", "..., X said", "said X", "according to X" give ``said_by`` and are not events;
- the **source** is the noun phrase just left of the chain (past auxiliaries, adverbs and dates; the antecedent of
  "which"/"who"), the **target** the first actor right of the action within its clause; a passive swaps them
  ("was captured by"); "A and B discussed" and "the meeting between A and B" give one party each side;
- **flags**: negation and modality from the auxiliaries before the chain, conditionals from "if"/"unless";
- the **date** is the time expression of the trigger's clause, else the nearest one in the sentence outside the
  attribution.

Offsets are character offsets into the document; the events are :class:`dossier.events.extract.Event` objects, so
the stage treats both readers alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..classify import decide, mode_of, type_of_action
from ..coding import code_actor, country_of
from ..extract import NOMINAL_CONFIDENCE, PRONOUNS, RECIPROCAL, SUBORDINATE, Actor, Event, TextSpan, _irregular_lemmas
from ..lexicon import lexicon
from .phrases import (
    TARGET_WINDOW,
    actor_of,
    attributions,
    between_pair,
    complement_of,
    find_agent,
    find_source,
    find_target,
    governing_verb,
    np_left,
    objects_of,
    speaker_actor,
    split_pair,
)
from .words import (
    AUX,
    AUXILIARY,
    BE,
    DETS,
    NEG,
    Sentence,
    before_participle,
    clause_end,
    clause_start,
    is_sector_word,
    is_verb,
    lemmas_of,
    may_have_actor,
    noun_lemma,
)

__all__ = ["events_of_document", "extract_jsonl", "read_sentence"]

CONFIDENCE = {2: 0.8, 1: 0.65}  # by the reading's strength (the parse reader's come from its model)


@dataclass(slots=True)
class _Chain:
    """A trigger and the frames down to its action ("threatened -> to impose"), with what was read of the action."""

    k: int                      # the first word of the chain
    head: int                   # where its subject and auxiliaries are looked for (a frame noun's verb)
    lemma: str
    words: list[int]            # the chain's words, the action last
    frames: list                # one frame name (or None) per word
    obj: tuple | None           # the one a frame addresses: (i, j, via "that")
    state: str | None = None    # "are in discussions": the event noun
    noun: bool = False          # the action is a noun ("demand" without a verb)
    c_lemma: str = ""
    c_end: int = 0              # end of the action's clause
    parts: list = field(default_factory=list)
    concepts: list = field(default_factory=list)
    purpose: list = field(default_factory=list)  # objects of "for" after a motion verb
    passive: bool = False

    @property
    def content(self) -> int:
        return self.words[-1]


def read_sentence(s: Sentence, gate: bool = True) -> list[Event]:
    """The events of one sentence, most confident first (``gate``: none where no actor can be named)."""
    if gate and not may_have_actor(s):
        return []  # an event the stage keeps names an actor (or "it", "they", "the two countries")
    said_by, skip = attributions(s)
    n = len(s.low)
    sentence = s.span(0, n) if n else None
    events: list[Event] = []
    used: set[int] = set()
    owner: dict[int, Event] = {}  # chain word -> the event read from it
    lemmas = None
    main = True  # the first event read from a verb
    for k in range(n):
        lems = lemmas_of(s.low[k])
        if (not lems and s.low[k] not in BE) or k in used or k in skip or s.ent[k] is not None:
            continue
        start = _start(s, k, lems, skip, said_by, sentence)
        if isinstance(start, Event):
            events.append(start)  # "the meeting between A and B"
            continue
        if start is None:
            continue
        c = _chain(s, k, *start)
        _action(s, c)
        d, info = _decision(s, c, said_by, skip)
        if d.type is None:
            continue
        used.update(c.words)
        src, tgt = _parties(s, c, d, info, said_by, events, owner, skip)
        date, in_att = _date(s, k, c.content, info["clause0"], c.c_end, skip)
        weights = [3.0 if x in c.words else 2.0 if c.content <= x < c.c_end else 1.0 for x in range(n)]
        if lemmas is None:
            lemmas = [lemmas_of(w)[0] if lemmas_of(w) else noun_lemma(w) for w in s.low]
        # the rule type: the linear model the parse reader ranks with adds nothing here (measured), at a third of
        # the stage's time
        mode = mode_of(d.type, lemmas, s.low, weights, info["ctype"], len(c.words) > 1)
        trig = next((w for w, f in zip(c.words, c.frames, strict=True) if f == d.frame), c.content) if d.frame \
            else c.content
        events.append(Event(
            type=d.type, mode=mode, sentence=sentence, trigger=s.span(trig, trig + 1), source=src, target=tgt,
            confidence=_confidence(s, CONFIDENCE.get(d.strength, 0.3), main, info["clause0"], src, tgt),
            negated=d.negated, hypothetical=d.hypothetical, said_by=said_by, date=date, date_in_attribution=in_att,
            location=_location(s, c.content, c.c_end, tgt), rule_type=d.type, main=main, strength=d.strength))
        for w in c.words:
            owner[w] = events[-1]
        main = False
    events.sort(key=lambda e: -e.confidence)
    return events


def _start(s: Sentence, k: int, lems: tuple, skip: set[int], said_by: list, sentence) -> tuple | Event | None:
    """Whether word ``k`` starts an event: ``(lemma, head, frame noun, state)``, an Event for "the meeting between
    A and B", or None."""
    lex = lexicon()
    n = len(s.low)
    state = None
    if s.low[k] in BE and k + 2 < n and s.low[k + 1] in ("in", "into", "under"):
        j = k + 2 + (s.low[k + 2] in DETS)
        if j < n and noun_lemma(s.low[j]) in lex.noun_types:
            state = noun_lemma(s.low[j])  # "are in discussions", "is under attack"
    if (state is None and (not lems or s.low[k] in DETS)) or (s.low[k] in AUXILIARY and before_participle(s, k)):
        return None  # "has called off", "had halted": the auxiliary of the next verb
    if state is not None:
        return "be", k, None, state
    lemma = next((x for x in lems if x in lex.trigger_words or x in lex.frame_verbs), None)
    if lemma is None or (lemma in lex.reporting_verbs and lemma not in lex.frame_verbs):
        return None
    if is_verb(s, k, lemma):
        return lemma, k, None, None
    noun = noun_lemma(s.low[k])
    v = governing_verb(s, k) if noun in lex.frame_nouns else None
    if v is not None and complement_of(s, k, n)[0] >= 0:
        return noun, v, lex.frame_nouns[noun], None  # "reiterated its demand that Israel ease ..."
    types = lex.noun_types.get(noun)
    if types and types[0] in RECIPROCAL and k + 1 < n and s.low[k + 1] == "between":
        pair = between_pair(s, k + 1, clause_end(s, k))
        if pair is not None:
            date, in_att = _date(s, k, k, clause_start(s, k, 0), clause_end(s, k), skip)
            return Event(type=types[0], mode=None, confidence=NOMINAL_CONFIDENCE, sentence=sentence,
                         trigger=s.span(k, k + 1), source=pair[0], target=pair[1], said_by=said_by, date=date,
                         date_in_attribution=in_att, rule_type=types[0], strength=1)
    return None


def _chain(s: Sentence, k: int, lemma: str, head: int, nframe: str | None, state: str | None) -> _Chain:
    """Frame words down to the action: "threatened to impose", "demanded that the US cancel", "is ready to host"."""
    lex = lexicon()
    n = len(s.low)
    end = clause_end(s, k)
    words, frames, obj = [k], [], None
    cur, cur_lemma = k, lemma
    while len(words) < 5:
        fr = None if state else nframe if (cur == k and nframe) else lex.frame_verbs.get(cur_lemma)
        if fr is None and cur_lemma in lex.intent_adjs:
            fr = "intent"
        frames.append(fr)
        if fr is None:
            break
        nxt, o = complement_of(s, cur, end if s.low[min(cur + 1, n - 1)] != "that" else n)
        obj = obj if obj is not None else o
        if nxt < 0:
            break
        cur = nxt
        cur_lemma = next((x for x in lemmas_of(s.low[cur]) if x in lex.trigger_words or x in lex.frame_verbs),
                         lemmas_of(s.low[cur])[0])
        words.append(cur)
    frames = frames[:len(words)]
    if len(frames) < len(words):
        frames.append(None)
    if len(words) == 1 and frames[0] == "aspect":
        frames = [None]  # "launched war games", "continued their hunger strike": the verb is the action
    return _Chain(k=k, head=head, lemma=lemma, words=words, frames=frames, obj=obj, state=state, c_lemma=cur_lemma)


def _action(s: Sentence, c: _Chain) -> None:
    """What the action is done to: particles and object concepts ("lifted the curfew"; for a passive, its subject:
    "the agreement was signed"); sets ``noun``, ``c_end``, ``parts``, ``concepts``, ``passive`` on ``c``."""
    lex = lexicon()
    k, content = c.k, c.content
    c.noun = content != k and not is_verb(s, content, c.c_lemma)
    c.c_end = clause_end(s, content)
    parts, concepts, purpose = ([], [], []) if c.noun else objects_of(s, content, c.c_end)
    if c.state is not None:
        parts, concepts, purpose = [s.low[k + 1]], [c.state], []
    after_be = (k - 1 >= 0 and s.low[k - 1] in BE) or (
        k - 2 >= 0 and s.low[k - 2] in BE and (s.low[k - 1].endswith("ly") or s.low[k - 1] in NEG))
    c.passive = not c.noun and after_be and c.lemma not in lex.intent_adjs and (
        s.low[k].endswith(("ed", "en")) or s.low[k] in _irregular_lemmas())
    if c.passive:  # "the agreement was signed": the subject is what was done
        b = k - 1
        while b >= 0 and (s.low[b] in AUX or s.low[b] in NEG or s.low[b].endswith("ly")):
            b -= 1
        if b >= 0:
            i0 = np_left(s, b)
            subj = [noun_lemma(w) for w in s.low[i0:b + 1] if w not in DETS and w.isalpha()]
            if subj:
                concepts = list(dict.fromkeys([subj[-1], *subj[:-1], *concepts]))
    c.parts, c.concepts, c.purpose = parts, concepts, purpose


def _decision(s: Sentence, c: _Chain, said_by: list, skip: set[int]):
    """The rule decision (:func:`dossier.events.classify.decide`) from the action's type and the flags of the words
    around the chain (auxiliaries, modals, negation, conditional marks), and what the parties need of them."""
    lex = lexicon()
    ctype, ckey, strength, c.concepts = type_of_action(c.c_lemma, c.noun, c.parts, c.concepts, c.purpose, lex)
    noun_type = None
    if (len(c.words) == 1 or c.frames[-1]) and not c.noun:
        noun_type = next((lex.noun_types[x][0] for x in c.concepts if x in lex.noun_types), None)
    lo = c.head - 1
    aux = []
    while lo >= 0 and (s.low[lo] in AUX or s.low[lo] in NEG or s.low[lo].endswith("ly")):
        aux.append(s.low[lo])
        lo -= 1
    words = aux + [s.low[x] for x in range(c.head, c.content)]
    neg = any(w in NEG or w.endswith("n't") for w in words) or any(
        s.low[x] == "no" for x in range(c.content + 1, min(c.c_end, c.content + 3)))
    fut = any(w in lex.modals for w in words) or any(w in lex.hyp_adverbs for w in words)
    clause0 = clause_start(s, c.head, 0)
    marks = [s.low[x] for x in range(clause0, c.head)]
    cond = any(m in lex.cond_marks and m not in ("until", "before", "once") for m in marks)
    unless = "unless" in marks
    if any(x in lex.failure_verbs for x in (c.lemma, *(lemmas_of(s.low[w])[0] for w in c.words[1:]))):
        neg = True
    plan = any(f in ("plan", "intent") for f in c.frames[:-1])
    reported = bool(said_by) and all(w not in skip for w in c.words)
    demand_modal = reported and any(w in lex.demand_modals for w in words)
    d = decide(lex, c.frames, ctype, ckey, strength, noun_type, fut=fut, cond=cond, unless=unless, neg=neg,
               plan=plan, demand_modal=demand_modal)
    return d, {"ctype": ctype, "aux": aux, "lo": lo, "clause0": clause0, "reported": reported,
               "demand_modal": demand_modal}


def _parties(s: Sentence, c: _Chain, d, info: dict, said_by: list, events: list[Event], owner: dict,
             skip: set[int]) -> tuple[Actor | None, Actor | None]:
    """The source and target of the event read from chain ``c``."""
    n = len(s.low)
    lo, clause0, head = info["lo"], info["clause0"], c.head
    src_rng = find_source(s, head, clause0)
    shared = None
    if "to" in info["aux"] and c.head == c.k:
        # "ministers gathered in Brussels to pledge": the subject of "gathered"
        v = next((x for x in range(lo, max(clause0, lo - 8) - 1, -1) if lemmas_of(s.low[x]) and s.ent[x] is None
                  and not is_sector_word(s.low[x]) and s.low[x] not in AUX), None)
        src_rng = find_source(s, v, clause0) if v is not None and v not in owner else None
        if v is not None and v in owner:
            src_rng, shared = None, owner[v]  # "pledge ... to support": the pledgers support
    if lo >= 0 and s.low[lo] == "and" and events:
        src_rng, shared = None, events[-1]  # "Putin and Maduro discussed ... and talked about ..."
    src = tgt = None
    if c.obj is not None and (not c.obj[2] or d.frame in ("demand", "order")):
        t_rng = (c.obj[0], c.obj[1], False)  # "demanded Venezuela to ...", "demanded that the US ...": the one asked
    elif c.state is not None:
        t_rng = None
    else:
        t_rng = find_target(s, c.content + len(c.parts), c.c_end, skip)
    if c.passive:
        if src_rng is not None and not any(s.is_actor_word(x) for x in range(*src_rng)):
            src_rng = None  # "the agreement was signed": a thing, not a target
        agent = next((x for x in range(c.content + 1, min(n, c.content + 12)) if s.low[x] == "by"), None)
        t_rng = (src_rng[0], src_rng[1], False) if src_rng else None
        src_rng = find_agent(s, agent + 1, n) if agent is not None else None
    if src_rng is not None:
        src = actor_of(s, *src_rng, until=head)
    elif shared is not None and shared.source is not None:
        src = shared.source
        if shared.target is not None and shared.type in RECIPROCAL and d.type in RECIPROCAL:
            t_rng, tgt = None, shared.target
    if t_rng is not None and (not t_rng[2] or country_of(s.span(t_rng[0], t_rng[1]).text)[2] in (
            "state", "demonym", "people", "igo", "org", "metonym")):
        tgt = actor_of(s, t_rng[0], t_rng[1], n)  # after "in"/"at" only a state or a people is a target
    if src is not None and (tgt is None or tgt.label is None) and d.type in RECIPROCAL and src_rng is not None:
        pair = split_pair(s, *src_rng)  # "Jordan and Britain have agreed to ...": one party each side
        if pair is not None:
            src, tgt = pair
    if info["demand_modal"] and d.type == "REQUEST" and said_by and len(c.words) == 1:
        who = speaker_actor(s, said_by[0])  # "X declared that China must drop ...": X asks China
        if who is not None:
            src, tgt = who, src
    elif src is not None and src.text.lower() in PRONOUNS and not src.label and said_by and info["reported"]:
        src = speaker_actor(s, said_by[0]) or src  # "Syria says it is willing to ...": the speaker
    if src is not None and tgt is not None and src.doc_start == tgt.doc_start:
        tgt = None
    return src, tgt


def _confidence(s: Sentence, p: float, main: bool, clause0: int, src: Actor | None, tgt: Actor | None
                ) -> float:
    """A rule confidence (``p``: by the reading's strength), lowered for later predicates and relative clauses ("a
    resolution that aims to ..."), raised a little for coded actors: how a sentence's events are ranked."""
    c = p * (1.0 if main else 0.75)
    if clause0 > 0 and s.low[clause0 - 1] in ("who", "which", "that", "whom", "whose"):
        c *= SUBORDINATE
    return round(c + 0.02 * sum(bool(a and a.coded) for a in (src, tgt)), 4)


def _date(s: Sentence, k: int, content: int, c0: int, c1: int, skip: set[int]) -> tuple[TextSpan | None, bool]:
    """The time expression of the clause of words ``k``..``content`` (nearest first), else the nearest in the
    sentence outside the attribution, else the attribution's (flagged)."""
    best, best_d, in_att = None, None, False
    for x, t in enumerate(s.time):
        if t is None or (x and s.time[x - 1] is t):
            continue
        d = min(abs(x - k), abs(x - content))
        rank_ = (0 if c0 <= x < c1 else 1) if x not in skip else 2
        key = (rank_, d)
        if best_d is None or key < best_d:
            best, best_d = t, key
    if best is None:
        return None, False
    in_att = best_d[0] == 2
    return TextSpan(best["text"], best["start"] - s.start, best["end"] - s.start, best["start"], best["end"]), in_att


def _location(s: Sentence, content: int, end: int, tgt: Actor | None) -> dict | None:
    for x in range(content + 1, min(end, content + TARGET_WINDOW)):
        if s.low[x] in ("in", "at", "near", "inside", "outside", "across", "throughout") and x + 1 < end:
            m = s.place[x + 1] or (s.ent[x + 1] if s.ent[x + 1] and s.ent[x + 1].get("label") == "GPE" else None)
            if m is not None and not (tgt and tgt.doc_start <= m["start"] < tgt.doc_end):
                sp = TextSpan(m["text"], m["start"] - s.start, m["end"] - s.start, m["start"], m["end"])
                return {**sp.to_dict(), "country": code_actor(m["text"])[0]}
    return None


def events_of_document(document, gate: bool = True) -> list[Event]:
    """Every event of a dossier Document, read from its sentences, mentions and times (the nlp, actors and timex
    stages' annotations)."""
    ann = document.annotations
    text = document.text
    mentions = ann.get("mentions") or []
    times = ann.get("times") or []
    out: list[Event] = []
    mi = ti = 0
    for sent in ann.get("sentences") or []:
        a, b = sent["start"], sent["end"]
        while mi < len(mentions) and mentions[mi]["start"] < a:
            mi += 1
        while ti < len(times) and times[ti]["start"] < a:
            ti += 1
        mine = []
        j = mi
        while j < len(mentions) and mentions[j]["start"] < b:
            if mentions[j]["end"] <= b:
                mine.append(mentions[j])
            j += 1
        tm = []
        j = ti
        while j < len(times) and times[j]["start"] < b:
            tm.append(times[j])
            j += 1
        out.extend(read_sentence(Sentence(text[a:b], a, mine, tm), gate))
    return out


def extract_jsonl(lines):
    """:func:`dossier.events.extract.extract_jsonl` with this reader: each line's text goes through the nlp, actors
    and timex stages, then :func:`events_of_document`. Streams (memory stays flat)."""
    from ...document import Document
    from ...ingest.formats import text_records
    from ...pipeline import run_one, stages
    from ..extract import bench_records

    steps = stages(["nlp", "actors", "timex"])
    for n, r in text_records(lines):
        text = r.get("text") or ""
        doc = Document(id=str(r.get("id", n)), hash="", source="extract", format="text", text=text)
        doc = run_one(doc, steps) if text.strip() else doc
        yield {"id": r.get("id", n), "events": bench_records(events_of_document(doc, gate=False))}
