"""The event knowledge of dossier/data/events_lexicon.json, indexed for lookups (loaded once per process)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

TYPES = ("AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST", "ACCUSE", "REJECT",
         "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT")


def _words(entries) -> set[str]:
    return {e.lower() for e in entries if "_" not in e}  # "x_y" entries are notes for readers, never lemmas


@dataclass(frozen=True, slots=True)
class Lexicon:
    cooperative: frozenset
    hostile: frozenset
    reporting_verbs: frozenset
    reporting_adverbs: frozenset
    frame_verbs: dict          # lemma -> frame name (threat, demand, reject, intent, plan, accuse, order, aspect)
    frame_verb_preps: dict     # "call for" -> demand
    frame_nouns: dict          # noun lemma -> frame name
    intent_adjs: frozenset
    demand_modals: frozenset
    negated_intent: frozenset
    failure_verbs: frozenset
    light_verbs: frozenset
    verb_types: dict           # lemma -> tuple of types (first is the reading)
    verb_particles: dict       # "hand over" -> type
    verb_objects: dict         # "lift curfew" / "force out refugee" -> type
    noun_types: dict           # lemma -> tuple of types
    noun_weak: frozenset
    weak_verbs: frozenset      # a verb alone is a weak reading ("release", "support")
    reverse_verbs: frozenset
    reverse_particles: frozenset
    reverse_need_particle: frozenset  # "call" undoes only as "call off"
    generic_heads: frozenset   # "peacekeeping force": the modifier says what it is
    quantity_heads: frozenset  # "10 days of war games": look through to the of-object
    motion_verbs: frozenset    # "return to Geneva for talks": the purpose says what it is
    hostile_nouns: dict
    cooperative_nouns: dict
    reverse_hostile: str
    reverse_cooperative: str
    reverse_hostile_by_type: dict
    reverse_cooperative_by_type: dict
    impose_verbs: frozenset
    negation_words: frozenset
    negation_dets: frozenset
    modals: frozenset
    cond_marks: frozenset
    hyp_adverbs: frozenset
    future_adjs: frozenset
    promise_of_concession: str  # AGREE (CAMEO, plover_gsr) or CONCEDE (POLECAT's codebook)
    request_modes: dict
    threaten_modes: dict
    modes: dict                # type -> tuple of (mode, tuple of cue word tuples)
    trigger_words: frozenset   # every lemma that can start an event reading (for a cheap prefilter)


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    raw = json.loads(resources.files("dossier").joinpath("data/events_lexicon.json").read_text("utf-8"))
    fr = raw["frames"]
    frame_verbs: dict[str, str] = {}
    for name in ("aspect", "plan", "order", "accuse", "intent", "reject", "demand", "threat"):  # later wins
        for v in _words(fr[name]["verbs"]):
            frame_verbs[v] = name
    frame_verb_preps = {vp.lower(): "demand" for vp in fr["demand"].get("verb_preps", [])}
    for vp in fr["reject"].get("verb_particles", []):
        frame_verb_preps[vp.lower()] = "reject"
    frame_nouns: dict[str, str] = {}
    for name in ("plan", "accuse", "intent", "reject", "demand", "threat"):
        for n in _words(fr[name].get("nouns", [])):
            frame_nouns[n] = name
    act = raw["actions"]
    verb_types: dict[str, list[str]] = {}
    for t, vs in act["verbs"].items():
        for v in _words(vs):
            verb_types.setdefault(v, []).append(t)
    noun_types: dict[str, list[str]] = {}
    for t, ns in act["nouns"].items():
        for n in _words(ns):
            noun_types.setdefault(n, []).append(t)
    rev = raw["reverse"]
    modes = {}
    for t, rows in raw["modes"].items():
        modes[t] = tuple((m, tuple(tuple(c.lower().split()) for c in cues)) for m, cues in rows)
    hyp = raw["hypothetical"]
    neg = raw["negation"]
    verb_particles = {k.lower(): v for k, v in act["verb_particles"].items() if "_" not in k}
    verb_objects = {k.lower(): v for k, v in act["verb_objects"].items() if "_" not in k}
    triggers = (set(verb_types) | set(noun_types) | set(frame_verbs) - _words(fr["aspect"]["verbs"])
                | {k.split()[0] for k in verb_particles} | {k.split()[0] for k in verb_objects}
                | set(frame_nouns) | _words(fr["intent"]["adjs"]) | _words(rev["verbs"]))
    return Lexicon(
        cooperative=frozenset(raw["cooperative"]), hostile=frozenset(raw["hostile"]),
        reporting_verbs=frozenset(_words(raw["reporting"]["verbs"])),
        reporting_adverbs=frozenset(_words(raw["reporting"]["adverbs"])),
        frame_verbs=frame_verbs, frame_verb_preps=frame_verb_preps, frame_nouns=frame_nouns,
        intent_adjs=frozenset(_words(fr["intent"]["adjs"])),
        demand_modals=frozenset(_words(fr["demand"]["modals"])),
        negated_intent=frozenset(_words(fr["reject"]["negated_intent"])),
        failure_verbs=frozenset(_words(fr["aspect"]["failure"])),
        light_verbs=frozenset(_words(raw["light_verbs"])),
        verb_types={k: tuple(v) for k, v in verb_types.items()},
        verb_particles=verb_particles, verb_objects=verb_objects,
        noun_types={k: tuple(v) for k, v in noun_types.items()},
        noun_weak=frozenset(_words(act["noun_weak"])),
        weak_verbs=frozenset(_words(act.get("weak_verbs", []))),
        reverse_verbs=frozenset(_words(rev["verbs"])), reverse_particles=frozenset(rev["particles"]),
        reverse_need_particle=frozenset(rev["need_particle"]),
        generic_heads=frozenset(raw["generic_heads"]), quantity_heads=frozenset(raw["quantity_heads"]),
        motion_verbs=frozenset(raw["motion_verbs"]),
        hostile_nouns={k: v for k, v in rev["hostile_nouns"].items() if "_" not in k},
        cooperative_nouns={k: v for k, v in rev["cooperative_nouns"].items() if "_" not in k},
        reverse_hostile=rev["reverse_hostile"], reverse_cooperative=rev["reverse_cooperative"],
        reverse_hostile_by_type=rev["reverse_hostile_by_type"],
        reverse_cooperative_by_type=rev["reverse_cooperative_by_type"],
        impose_verbs=frozenset(_words(raw["impose"]["verbs"])),
        negation_words=frozenset(neg["words"]), negation_dets=frozenset(neg["determiners"]),
        modals=frozenset(hyp["modals"]), cond_marks=frozenset(hyp["marks"]),
        hyp_adverbs=frozenset(hyp["adverbs"]), future_adjs=frozenset(hyp["future_adjs"]),
        promise_of_concession=raw.get("promise_of_concession", "AGREE"),
        request_modes=raw["request_modes"], threaten_modes=raw["threaten_modes"],
        modes=modes, trigger_words=frozenset(triggers),
    )


def dumps_compact(obj, indent: int = 0, width: int = 118) -> str:
    """JSON for the hand-edited knowledge files: objects one key a line, lists of strings and numbers wrapped
    inline (so a word list reads as a paragraph, not one word a line)."""
    pad = " " * indent
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        items = [f'{pad}  {json.dumps(k, ensure_ascii=False)}: {dumps_compact(v, indent + 2, width)}'
                 for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, list) and all(isinstance(x, str | int | float | type(None)) for x in obj):
        parts = [json.dumps(x, ensure_ascii=False) for x in obj]
        lines, cur = [], ""
        for p in parts:
            if cur and len(pad) + 4 + len(cur) + len(p) + 2 > width:
                lines.append(cur)
                cur = ""
            cur = f"{cur}, {p}" if cur else p
        if cur:
            lines.append(cur)
        if len(lines) <= 1:
            return "[" + (lines[0] if lines else "") + "]"
        return "[\n" + ",\n".join(f"{pad}    {ln}" for ln in lines) + "\n" + pad + "  ]"
    if isinstance(obj, list):
        return "[\n" + ",\n".join(f"{pad}  {dumps_compact(x, indent + 2, width)}" for x in obj) + "\n" + pad + "]"
    return json.dumps(obj, ensure_ascii=False)
