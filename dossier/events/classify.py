"""PLOVER event types for a sentence: readings of its predicates, flags, attribution, ranked types.

A sentence is read predicate by predicate over spaCy's dependency parse. Reporting verbs ("officials said",
"announced that") are skipped to reach the reported clause, and are returned as attributions (``said_by``). From
the reported predicate a **chain** follows its complements (agreed -> TO undertake; ready -> TO host; demanded
-> THAT ... cancel). The chain's outermost frame (threat, demand, refusal, accusation, order, intent) and the type
of the innermost action decide the PLOVER type, as CAMEO/PLOVER do: an intent to cooperate is AGREE, an intent or
a plan to harm is THREATEN, a demand is REQUEST, a refusal or "will not accept" is REJECT; a done action is coded by
its own type (verb, verb + particle, verb + object, light verb + event noun, and the polarity of "lift a curfew" /
"suspend aid"). All of this knowledge is in ``data/events_lexicon.json``.

The rule reading is then scored by a small linear model (``data/events_model.json``, trained by
``scripts/train_events.py``) over hashed features of the reading (rule type, frame, action, objects, modality) and
the sentence's lemmas, which ranks all 16 types with confidences. Modes come from the codebook's cue words for the
chosen type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from .lexicon import TYPES, lexicon

CLAUSE_HEAD_DEPS = frozenset({"ROOT", "ccomp", "xcomp", "parataxis", "advcl", "conj", "relcl", "acl", "pcomp"})


def lem(t) -> str:
    return t.lemma_.lower()


@dataclass(slots=True)
class Attribution:
    """Who says it: ``text`` (the speaker as written) and the attributing ``phrase``; offsets are token indices
    of the spaCy Doc (``start``/``end`` for the speaker, ``phrase_start``/``phrase_end`` for the phrase; end
    exclusive)."""

    text: str
    start: int
    end: int
    phrase_start: int
    phrase_end: int
    verb: str


@dataclass(slots=True)
class Reading:
    """How one predicate of a sentence was read."""

    pred: object                      # spaCy Token: the top predicate of the event (the speech act or the action)
    chain: tuple                      # pred and its complements down to the action (tokens)
    content: object                   # the innermost action token (verb, adjective or event noun)
    frame: str | None = None          # the deciding frame: threat demand reject accuse order intent (or None)
    frames: tuple = ()                # every frame in the chain
    content_type: str | None = None   # type of the action alone
    content_key: str | None = None    # which lexicon entry gave it ("verb_objects:lift curfew")
    rule_type: str | None = None      # the type the rules give
    rule_mode: str | None = None
    negated: bool = False
    hypothetical: bool = False
    future: bool = False
    conditional: bool = False
    unless: bool = False
    demand_modal: bool = False
    reported: bool = False            # reached by descending from a reporting verb
    objects: tuple = ()               # object concept lemmas of the action
    strength: int = 0                 # 2: verb or phrase entry; 1: event noun only; 0: nothing
    features: list = field(default_factory=list)


@dataclass(slots=True)
class Ranked:
    type: str
    mode: str | None
    confidence: float


# --------------------------------------------------------------------------- parse helpers


def _children(tok, *deps):
    return [c for c in tok.children if c.dep_ in deps]


def _particles(tok) -> list[str]:
    return [lem(c) for c in tok.children if c.dep_ in ("prt", "prep", "agent", "advmod") and c.i > tok.i]


def _is_verbal(tok) -> bool:
    return tok.pos_ in ("VERB", "AUX")


def _concepts(noun, lex) -> list[str]:
    """The lemmas that say what an object noun is: through quantity heads ("10 days of war games" -> game, war),
    modifiers first under a generic head ("peacekeeping force" -> peacekeeping, force)."""
    seen = 0
    while lem(noun) in lex.quantity_heads and seen < 3:
        of = [p for p in _children(noun, "prep") if lem(p) == "of"]
        objs = [o for p in of for o in _children(p, "pobj")]
        if not objs:
            break
        noun, seen = objs[0], seen + 1
    head = lem(noun)
    mods = [lem(c) for c in noun.children if c.dep_ in ("compound", "amod", "nmod") and c.pos_ in ("NOUN", "ADJ",
                                                                                                     "PROPN")]
    mods += [lem(o) for p in _children(noun, "prep") if lem(p) == "of" for o in _children(p, "pobj")]
    if head in lex.generic_heads:
        return [*mods, head]
    return [head, *mods]


def _object_nouns(v) -> list:
    """Direct objects (and their conjuncts), passive subjects, attributes, then objects of the verb's prepositions."""
    out = []
    for c in v.children:
        if c.dep_ in ("dobj", "nsubjpass", "attr", "oprd", "dative"):
            out.append(c)
            out.extend(x for x in c.conjuncts if x.i > c.i)
    for c in v.children:
        if c.dep_ in ("prep", "agent"):
            out.extend(_children(c, "pobj"))
    return [o for o in out if o.pos_ in ("NOUN", "PROPN", "PRON", "NUM", "ADJ", "X")]


def _aux(tok) -> list[str]:
    return [c.lower_ for c in tok.children if c.dep_ in ("aux", "auxpass")]


def _negated_tok(tok, lex) -> bool:
    return any(c.dep_ == "neg" or (c.lower_ in lex.negation_words and c.dep_ in ("advmod", "neg", "preconj"))
               for c in tok.children)


# --------------------------------------------------------------------------- attribution


def attributions(span) -> list[Attribution]:
    """The attributing phrases of a sentence (spaCy Span): "X said", "X told AFP", "according to X",
    "X was quoted as saying". Returns one Attribution per speaker."""
    lex = lexicon()
    out: list[Attribution] = []
    for tok in span:
        lemma = lem(tok)
        if tok.lower_ == "according" and tok.i + 1 < span.end and tok.doc[tok.i + 1].lower_ == "to":
            objs = [o for t in (tok, tok.doc[tok.i + 1]) for c in t.children if c.dep_ == "prep"
                    for o in _children(c, "pobj")] + [o for c in tok.children for o in _children(c, "pobj")]
            objs += _children(tok.doc[tok.i + 1], "pobj")
            if objs:
                o = objs[0]
                left, right = o.left_edge.i, o.right_edge.i + 1
                out.append(Attribution(tok.doc[left:right].text, left, right, tok.i, right, "according to"))
            continue
        if lemma not in lex.reporting_verbs or tok.pos_ not in ("VERB", "AUX"):
            continue
        if any(c.dep_ == "dobj" and lem(c) in lex.frame_nouns for c in tok.children):
            continue  # "reiterated its demand that ...": an event, not an attribution
        reported = [c for c in tok.children if c.dep_ in ("ccomp", "parataxis", "xcomp")
                    or (c.dep_ == "prep" and lem(c) == "as")]
        clause_rel = tok.dep_ in ("parataxis",) or (tok.dep_ == "ccomp" and tok.i > tok.head.i)
        if not reported and not clause_rel:
            continue
        subj = _children(tok, "nsubj")
        if not subj:
            agent = [o for a in _children(tok, "agent") for o in _children(a, "pobj")]
            subj = agent
        if not subj or subj[0].pos_ == "PRON" and subj[0].lower_ in ("it", "there"):
            continue
        s = subj[0]
        left, right = s.left_edge.i, s.right_edge.i + 1
        # the phrase: speaker + verb + the verb's other dependents, without the reported clause
        skip = {i for c in reported for i in range(c.left_edge.i, c.right_edge.i + 1)}
        idx = sorted(i for c in [tok, *tok.children] if c.dep_ != "punct" and c.i not in skip
                     for i in ([c.i] if c is tok else range(c.left_edge.i, c.right_edge.i + 1)) if i not in skip)
        # the contiguous run around the verb
        lo = hi = tok.i
        pos = set(idx)
        while lo - 1 in pos:
            lo -= 1
        while hi + 1 in pos:
            hi += 1
        lo, hi = min(lo, left), max(hi + 1, right)
        out.append(Attribution(tok.doc[left:right].text, left, right, lo, hi, lemma))
    return out


def _attribution_tokens(atts) -> set[int]:
    return {i for a in atts for i in range(a.phrase_start, a.phrase_end)}


# --------------------------------------------------------------------------- predicates


def _descend(tok, lex, depth=0):
    """From a clause head, skip reporting verbs down to the reported clause. Returns (token, reported?)."""
    reported = False
    while depth < 6:
        depth += 1
        lemma = lem(tok)
        if lemma not in lex.reporting_verbs:
            break
        if any(c.dep_ == "dobj" and lem(c) in lex.frame_nouns for c in tok.children):
            break  # "reiterated its demand that ...", "announced a plan to ...": the noun is the event
        nxt = None
        for c in tok.children:
            if c.dep_ in ("ccomp", "parataxis", "xcomp") and c.pos_ in ("VERB", "AUX", "ADJ"):
                nxt = c
                break
            if c.dep_ == "prep" and lem(c) == "as":
                pc = [x for x in c.children if x.dep_ in ("pcomp", "pobj") and x.pos_ in ("VERB", "AUX")]
                if pc:
                    nxt = pc[0]
                    break
        if nxt is None:
            break
        tok, reported = nxt, True
    return tok, reported


def _has_demand_modal(tok, lex) -> bool:
    return any(a in lex.demand_modals for a in _aux(tok))


def predicates(span, atts=None) -> list:
    """Candidate event predicates of a sentence, the main one first: the reported clause of the root, its
    conjoined verbs, adverbial participles ("..., killing one person and arresting 12") and the other verbs
    outside attributions."""
    lex = lexicon()
    atts = attributions(span) if atts is None else atts
    skip = _attribution_tokens(atts)
    root = span.root
    main, _ = _descend(root, lex)
    if main.i in skip and main is not root:
        main = root
    out = [main]
    seen = {main.i}
    for c in main.conjuncts:
        if c.pos_ in ("VERB",) and c.i not in seen:
            out.append(c)
            seen.add(c.i)
    for c in main.children:
        if c.dep_ in ("advcl", "xcomp") and c.tag_ == "VBG" and c.i not in seen:
            out.append(c)
            seen.add(c.i)
            for cc in c.conjuncts:
                if cc.i not in seen:
                    out.append(cc)
                    seen.add(cc.i)
    for t in span:
        if t.i in seen or t.i in skip or t.dep_ not in CLAUSE_HEAD_DEPS:
            continue
        if t.pos_ == "VERB" and lem(t) in lex.trigger_words and lem(t) not in lex.reporting_verbs:
            out.append(t)
            seen.add(t.i)
    return out


# --------------------------------------------------------------------------- reading one predicate


def _complement(tok, lex):
    """The next link of a chain: the clause or adjective a frame word governs."""
    lemma = lem(tok)
    for c in tok.children:
        if c.dep_ == "acomp" and c.pos_ == "ADJ" and (lem(c) in lex.intent_adjs or lem(c) in lex.future_adjs):
            return c
    for c in tok.children:
        if c.dep_ == "xcomp" and c.pos_ in ("VERB", "AUX", "ADJ"):
            return c
    frame = lex.frame_verbs.get(lemma)
    if frame in ("demand", "threat", "intent", "plan", "reject", "order") or lemma in lex.intent_adjs \
            or lemma in lex.future_adjs:
        for c in tok.children:
            if c.dep_ in ("ccomp",) and c.pos_ in ("VERB", "AUX"):
                return c
        for c in tok.children:  # "demanded the withdrawal" / "called for X to do": via prep -> pcomp
            if c.dep_ == "prep":
                for x in c.children:
                    if x.dep_ == "pcomp" and x.pos_ == "VERB":
                        return x
    if lemma == "be" and tok.pos_ == "AUX":
        for c in tok.children:
            if c.dep_ == "acomp" and c.pos_ == "ADJ":
                return c
    return None


def _frame_of(tok, lex) -> str | None:
    lemma = lem(tok)
    if tok.pos_ == "ADJ":
        if lemma in lex.intent_adjs:
            return "intent"
        if lemma in lex.future_adjs:
            return "plan"
        return None
    for p in _particles(tok):
        f = lex.frame_verb_preps.get(f"{lemma} {p}")
        if f:
            return f
    return lex.frame_verbs.get(lemma)


def action_type(tok, lex=None) -> tuple[str | None, str | None, int, list[str]]:
    """The PLOVER type of an action word alone: ``(type, key, strength, object concepts)``. Strength 2 for a verb,
    phrase or polarity entry, 1 for an event noun only."""
    lex = lex or lexicon()
    lemma = lem(tok)
    if tok.pos_ in ("NOUN", "PROPN"):
        return type_of_action(lemma, True, (), (), (), lex)
    concepts: list[str] = []
    for o in _object_nouns(tok)[:4]:
        for c in _concepts(o, lex):
            if c not in concepts:
                concepts.append(c)
    purpose = []
    if lemma in lex.motion_verbs:
        purpose = [lem(o) for c in tok.children if c.dep_ == "prep" and lem(c) == "for" for o in _children(c, "pobj")]
    return type_of_action(lemma, False, _particles(tok), concepts, purpose, lex)


def type_of_action(lemma: str, noun: bool, parts, concepts, purpose, lex) -> tuple[str | None, str | None, int,
                                                                                   list[str]]:
    """:func:`action_type` from what the caller read around the word (a parse or the surface reader): the lemma,
    whether it is a noun, its particles and prepositions, the concepts of its objects in order, and the objects of
    "for" after a motion verb."""
    concepts = list(concepts)
    if noun:
        t = lex.noun_types.get(lemma)
        if t:
            return t[0], f"noun:{lemma}", 1 if lemma in lex.noun_weak else 2, []
        return None, None, 0, []
    first = concepts[:1]
    reverse = lemma in lex.reverse_verbs and (lemma not in lex.reverse_need_particle
                                              or any(p in lex.reverse_particles for p in parts))
    if reverse and lemma in lex.reverse_need_particle:
        first = []  # "call off a strike" is not "call a strike"
    # 1. verb + particle + object ("force out refugee")
    for p in parts:
        for o in concepts:
            key = f"{lemma} {p} {o}"
            if key in lex.verb_objects:
                return lex.verb_objects[key], f"vo:{key}", 2, concepts
    # 2. verb + its first object ("lift curfew", "hold talk")
    for o in first:
        key = f"{lemma} {o}"
        if key in lex.verb_objects:
            return lex.verb_objects[key], f"vo:{key}", 2, concepts
    # 3. polarity: undoing or imposing what the object names
    impose = lemma in lex.impose_verbs
    if reverse or impose:
        for o in concepts:
            if o in lex.hostile_nouns:
                t = lex.hostile_nouns[o]
                if reverse:
                    return lex.reverse_hostile_by_type.get(t, lex.reverse_hostile), f"rev:{lemma} {o}", 2, concepts
                return t, f"imp:{lemma} {o}", 2, concepts
            if o in lex.cooperative_nouns:
                t = lex.cooperative_nouns[o]
                if reverse:
                    return (lex.reverse_cooperative_by_type.get(t, lex.reverse_cooperative), f"rev:{lemma} {o}", 2,
                            concepts)
                return t, f"imp:{lemma} {o}", 2, concepts
    # 4. verb + particle ("hand over", "beat up")
    for p in parts:
        key = f"{lemma} {p}"
        if key in lex.verb_particles:
            return lex.verb_particles[key], f"vp:{key}", 2, concepts
    # 5. the other objects
    for o in concepts[1:]:
        key = f"{lemma} {o}"
        if key in lex.verb_objects:
            return lex.verb_objects[key], f"vo:{key}", 2, concepts
    # 6. motion for a purpose ("returned to Geneva for talks")
    for o in purpose if lemma in lex.motion_verbs else ():
        t = lex.noun_types.get(o)
        if t and t[0] == "CONSULT":
            return "CONSULT", f"motion:{lemma} {o}", 2, concepts
    # 7. light verb + event noun ("stage a rally", "launch war games")
    if lemma in lex.light_verbs or lemma not in lex.verb_types:
        for o in concepts:
            t = lex.noun_types.get(o)
            if t and o not in lex.noun_weak:
                return t[0], f"ln:{lemma} {o}", 2 if lemma in lex.light_verbs else 1, concepts
    # 8. the verb itself
    t = lex.verb_types.get(lemma)
    if t:
        return t[0], f"v:{lemma}", 1 if lemma in lex.weak_verbs else 2, concepts
    # 9. weak nouns among the objects ("remained on alert")
    for o in concepts:
        t = lex.noun_types.get(o)
        if t:
            return t[0], f"n:{o}", 1, concepts
    return None, None, 0, concepts


def _clause_flags(tok, lex) -> tuple[bool, bool, bool, bool]:
    """(future/modal, conditional, unless, negated) of one verb's clause."""
    aux = _aux(tok)
    fut = any(a in lex.modals for a in aux)
    # "is going to" / "is about to"
    if not fut and tok.dep_ == "xcomp" and lem(tok.head) == "go" and tok.head.tag_ == "VBG":
        fut = True
    marks = [lem(m) for c in tok.children if c.dep_ == "advcl" for m in c.children if m.dep_ == "mark"]
    cond = any(m in lex.cond_marks and m not in ("until", "before", "once") for m in marks)
    unless = "unless" in marks
    adv = any(lem(c) in lex.hyp_adverbs for c in tok.children if c.dep_ == "advmod")
    neg = _negated_tok(tok, lex)
    return fut or adv, cond, unless, neg


def _object_negated(tok, lex) -> bool:
    return any(c.dep_ == "det" and c.lower_ in lex.negation_dets for o in _object_nouns(tok) for c in o.children)


def _reported(pred, lex) -> bool:
    """Whether the predicate is the reported clause of a reporting verb ("officials said (that) ...")."""
    t, steps = pred, 0
    while t.head is not t and steps < 6:
        if t.dep_ in ("ccomp", "parataxis", "xcomp", "pcomp") and lem(t.head) in lex.reporting_verbs:
            return True
        if t.dep_ == "pcomp" and lem(t.head) == "as" and lem(t.head.head) in lex.reporting_verbs:
            return True
        if t.dep_ not in ("ccomp", "xcomp", "conj", "pcomp", "prep"):
            return False
        t, steps = t.head, steps + 1
    return False


@dataclass(slots=True)
class Decision:
    type: str | None
    strength: int
    frame: str | None          # the deciding frame
    future: bool
    hypothetical: bool
    negated: bool


def decide(lex, frames, ctype, ckey, strength: int, noun_type: str | None, *, fut: bool, cond: bool, unless: bool,
           neg: bool, plan: bool, demand_modal: bool) -> Decision:
    """The rule type of a chain of frames ending in an action (``frames``: one frame name or None per link, the
    action last; ``ctype``/``ckey``/``strength``: :func:`type_of_action` of the action; ``noun_type``: the type of
    a frame verb's event-noun object). Shared by the parse reader (:func:`read`) and the surface reader
    (:mod:`dossier.events.surface`)."""
    n = len(frames)
    deciding = None
    for f in frames[:-1] if n > 1 else frames:
        if f in ("threat", "demand", "reject", "accuse", "order", "intent"):
            deciding = f
            break
    future = fut or plan
    rtype = None
    consumed_neg = False
    phrase_on_frame = (n == 1 and frames[0] is not None and ctype is not None and ckey is not None
                       and ckey.split(":", 1)[0] in ("vo", "vp", "rev", "imp"))
    inner = ctype if n > 1 else None  # the type of the framed action ("agreed TO lift ...")
    if phrase_on_frame:
        pass  # a phrase entry on the frame verb itself ("accept demands", "reject calls") decides below
    elif deciding == "accuse":
        rtype = "ACCUSE"
    elif deciding == "threat":
        rtype = "THREATEN"
    elif deciding == "demand":
        rtype = "REQUEST"
    elif deciding == "reject":
        rtype = "REJECT"
    elif deciding == "order":
        rtype = inner if inner in lex.cooperative else "COERCE"
    elif deciding == "intent":
        if neg and fut:
            rtype, consumed_neg = "REJECT", True
        elif inner in lex.hostile and inner not in ("REJECT", "ACCUSE", "REQUEST"):
            rtype = "THREATEN"
        elif inner in ("CONCEDE", "RETREAT"):
            rtype = lex.promise_of_concession
        else:
            rtype = "AGREE"
    if rtype is None:
        rtype = ctype
        if rtype is None and noun_type is not None:
            rtype = noun_type
        if demand_modal and rtype not in ("REQUEST", "REJECT", "ACCUSE", "THREATEN"):
            rtype = "REQUEST"  # "X said (that) Y must ..."
        elif rtype is not None and (future or cond) and rtype not in ("REQUEST", "REJECT", "ACCUSE", "THREATEN",
                                                                        "AGREE"):
            if neg and rtype in lex.cooperative:
                rtype, consumed_neg = "REJECT", True
            elif unless or rtype in lex.hostile:
                rtype = "THREATEN"
            elif future:
                rtype = lex.promise_of_concession if rtype in ("CONCEDE", "RETREAT") else "AGREE"
    if rtype is None:
        strength = 0
    elif deciding is not None or demand_modal or phrase_on_frame:
        strength = 2  # a frame verb ("threatened to", "demanded that") is strong evidence by itself
    hyp = bool(fut or cond or plan or rtype in ("THREATEN", "REQUEST") or (rtype == "AGREE" and n > 1))
    return Decision(rtype, strength, deciding, future, hyp, neg and not consumed_neg)


def read(span, pred) -> Reading:
    """Read one predicate: chain, frames, action type, flags, and the rule type and mode."""
    lex = lexicon()
    reported = _reported(pred, lex)
    chain = [pred]
    cur = pred
    while len(chain) < 6:
        nxt = _complement(cur, lex)
        if nxt is None or nxt in chain:
            break
        # "France is ready to contribute" : be -> ready -> contribute
        chain.append(nxt)
        cur = nxt
    frames = [_frame_of(t, lex) for t in chain]
    content = chain[-1]
    if len(chain) > 1 and (content.pos_ == "ADJ" or lem(content) == "be"):
        content = chain[-1]
    ctype, ckey, strength, concepts = action_type(content, lex)
    # a frame verb alone ("rejected an Indian proposal", "demanded the withdrawal"): read its object noun
    content_noun = None
    if (len(chain) == 1 or frames[-1]) and _is_verbal(content):
        for o in _object_nouns(content):
            t = lex.noun_types.get(lem(o))
            if t:
                content_noun = o
                break
    fut = cond = unless = neg = False
    for t in chain:
        f, c, u, n = _clause_flags(t, lex)
        fut, cond, unless, neg = fut or f, cond or c, unless or u, neg or n
    neg = neg or _object_negated(content, lex)
    if any(lem(t) in lex.failure_verbs for t in chain):
        neg = True
    plan = any(f in ("plan", "intent") for f in frames[:-1]) or any(t.pos_ == "ADJ" for t in chain[:-1])
    demand_modal = reported and any(_has_demand_modal(t, lex) for t in chain)
    noun_type = lex.noun_types[lem(content_noun)][0] if content_noun is not None else None
    d = decide(lex, frames, ctype, ckey, strength, noun_type, fut=fut, cond=cond, unless=unless, neg=neg, plan=plan,
               demand_modal=demand_modal)
    rtype, strength, deciding, future, hyp = d.type, d.strength, d.frame, d.future, d.hypothetical
    neg = d.negated
    r = Reading(pred=pred, chain=tuple(chain), content=content, frame=deciding, frames=tuple(f or "-" for f in frames),
                content_type=ctype, content_key=ckey, rule_type=rtype, negated=neg,
                hypothetical=hyp, future=future, conditional=cond, unless=unless, demand_modal=demand_modal,
                reported=reported, objects=tuple(concepts), strength=strength if rtype else 0)
    r.rule_mode = mode_for(span, r, rtype) if rtype else None
    return r


def is_negated(span, pred) -> bool:
    """The sentence says the event did not happen: "did not agree", "never met", "reached no agreement",
    "failed to reach". (A negated intent, "will not accept", is read as REJECT, not as a negated event.)"""
    return read(span, pred).negated


def is_hypothetical(span, pred) -> bool:
    """The event is not a done deed: future or modal ("will", "would", "could"), conditional ("if", "unless"),
    planned, promised, threatened or demanded."""
    return read(span, pred).hypothetical


# --------------------------------------------------------------------------- modes


@lru_cache(maxsize=1)
def _cue_index() -> dict:
    """type -> {first word of a cue: [(mode rank, mode, cue words)]}."""
    out: dict = {}
    for etype, rows in lexicon().modes.items():
        idx: dict = {}
        for rank_, (mode, cues) in enumerate(rows):
            for cue in cues:
                idx.setdefault(cue[0], []).append((rank_, mode, cue))
        out[etype] = idx
    return out


def mode_for(span, r: Reading, etype: str | None) -> str | None:
    """The codebook mode of an event of type ``etype`` read as ``r``: cue words near the action weigh most (the
    action and its chain 3, the action's phrase 2, the rest of the sentence 1; ties go to the mode listed first)."""
    if etype is None:
        return None
    toks = list(span)
    content = r.content
    near = range(content.left_edge.i, content.right_edge.i + 1) if content is not None else range(0)
    chain_i = {t.i for t in r.chain}
    weights = [3.0 if t.i in chain_i else 2.0 if t.i in near else 1.0 for t in toks]
    return mode_of(etype, [lem(t) for t in toks], [t.lower_ for t in toks], weights, r.content_type,
                   r.content is not r.pred)


def mode_of(etype: str | None, lemmas: list[str], lowers: list[str], weights: list[float],
            content_type: str | None, framed: bool) -> str | None:
    """:func:`mode_for` over words (lemmas and lower-case forms, one weight per word), for either reader.
    ``framed``: the action is the complement of a frame ("demanded that they withdraw")."""
    lex = lexicon()
    if etype is None:
        return None
    if etype in ("REQUEST", "REJECT") and content_type and framed:
        m = lex.request_modes.get(content_type)
        if m:
            return m
    idx = _cue_index().get(etype)
    if not idx:
        return None
    best: dict = {}  # mode -> (weight, rank)
    n = len(lowers)
    for words in (lemmas, lowers):
        for pos, w in enumerate(words):
            for rank_, mode, cue in idx.get(w, ()):
                k = len(cue)
                if k > 1 and (pos + k > n or tuple(words[pos:pos + k]) != cue):
                    continue
                ww = weights[pos]
                if ww > best.get(mode, (0.0, 0))[0]:
                    best[mode] = (ww, rank_)
    if best:
        return max(best, key=lambda m: (best[m][0], -best[m][1]))
    if etype == "THREATEN" and content_type:
        return lex.threaten_modes.get(content_type)
    if etype in ("REQUEST", "REJECT"):
        return lex.request_modes.get(content_type or "_default") if content_type else None
    return None


# --------------------------------------------------------------------------- features and ranking

STOP = frozenset([
    "the", "a", "an", "of", "to", "in", "on", "at", "for", "and", "or", "but", "by", "with", "from", "as", "that",
    "this", "these", "those", "it", "its", "their", "his", "her", "they", "he", "she", "we", "i", "you", "be",
    "have", "do", "will", "would", "can", "could", "may", "might", "shall", "should", "must", "not", "no", "said",
    "say", "says", "also", "than", "then", "there", "here", "which", "who", "whom", "whose", "what", "when",
    "where", "while", "after", "before", "over", "under", "about", "into", "out", "up", "down", "more", "most",
    "some", "any", "all", "been", "being", "were", "was", "is", "are", "has", "had", "did", "does",
])


def features(span, r: Reading, skip: set[int] | None = None) -> list[tuple[str, float]]:
    """Hashed-model features of a reading: the rule reading, the frame and action, objects, modality, and the
    sentence's lemmas outside attributions (weighted lower)."""
    lex = lexicon()
    f: list[tuple[str, float]] = [("bias", 1.0)]
    add = f.append
    if r.rule_type:
        add((f"rule={r.rule_type}", 1.0))
        add((f"rule={r.rule_type}|s{r.strength}", 1.0))
    if r.content_type:
        add((f"ctype={r.content_type}", 1.0))
    if r.content_key:
        add((f"ckey={r.content_key}", 1.0))
    add((f"frame={r.frame}", 1.0))
    if r.frame and r.content_type:
        pol = "coop" if r.content_type in lex.cooperative else "host"
        add((f"frame|pol={r.frame}|{pol}", 1.0))
    for name in ("negated", "future", "conditional", "unless", "demand_modal", "reported"):
        if getattr(r, name):
            add((f"flag={name}", 1.0))
            if r.content_type:
                add((f"flag|ctype={name}|{r.content_type}", 1.0))
    add((f"p={lem(r.pred)}", 1.0))
    if r.content is not r.pred:
        add((f"c={lem(r.content)}", 1.0))
        add((f"p|c={lem(r.pred)}|{lem(r.content)}", 1.0))
    for o in r.objects[:3]:
        add((f"o={o}", 0.7))
        add((f"c|o={lem(r.content)}|{o}", 0.7))
    for p in _particles(r.content)[:2]:
        add((f"c|prt={lem(r.content)}|{p}", 0.7))
    for fr in r.frames:
        if fr != "-":
            add((f"fr={fr}", 0.5))
    skip = skip or set()
    prev = None
    for t in span:
        if t.i in skip or t.is_punct:
            prev = None
            continue
        lm = lem(t)
        if lm in STOP or t.like_num:
            prev = None
            continue
        add((f"w={lm}", 0.3))
        nt = lex.noun_types.get(lm) if t.pos_ in ("NOUN", "PROPN") else lex.verb_types.get(lm) if t.pos_ == "VERB" \
            else None
        if nt:
            add((f"lex={nt[0]}", 0.3))
        if prev:
            add((f"b={prev}|{lm}", 0.2))
        prev = lm
    return f


def rank(span, r: Reading, skip: set[int] | None = None, model=None, top: int = 3) -> list[Ranked]:
    """The types of a reading, most confident first (``top`` of them), each with its mode."""
    from .model import load_model

    model = model or load_model()
    probs = model.predict(features(span, r, skip))
    order = sorted(range(len(TYPES)), key=lambda k: -probs[k])[:top]
    out = []
    for k in order:
        t = TYPES[k]
        m = r.rule_mode if t == r.rule_type else mode_for(span, r, t)
        out.append(Ranked(t, m, float(probs[k])))
    return out


def classify_sentence(span, pred=None, top: int = 3) -> list[Ranked]:
    """Sentence (spaCy Span) -> ranked PLOVER types with modes and confidences, for its main predicate (or
    ``pred``)."""
    atts = attributions(span)
    skip = _attribution_tokens(atts)
    if pred is None:
        pred = predicates(span, atts)[0]
    r = read(span, pred)
    return rank(span, r, skip, top=top)
