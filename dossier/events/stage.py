"""The per-document half of the events stage: one report per event a sentence tells, in ``doc.annotations["events"]``.

Reads the nlp stage's spaCy Doc (``doc.parsed``: entities and sentences; the candidate sentences are parsed here)
and the timex stage's times (``doc.annotations["times"]``) to date each report: the time expression of the event's
clause, normalised against the publication date; with none, the report is dated by its publication
(``basis: "published"``). Offsets are into ``doc.text``. The corpus-level half (:mod:`dossier.events.store`) merges
the reports of all documents into events.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache

from ..document import Document
from ..errors import UsageError
from ..pipeline import CorpusStage, register, register_corpus
from . import store
from .extract import events_for_document
from .store import STAGE, precision
from .surface import events_of_document

READERS = ("surface", "parse")


def reader() -> str:
    """Which reader the stage uses: ``surface`` (default: no dependency parse, corpus speed) or ``parse`` (spaCy's
    parser on the candidate sentences: slower, what ``dossier extract events`` uses), from DOSSIER_EVENTS_READER."""
    r = os.environ.get("DOSSIER_EVENTS_READER", "surface").strip().lower() or "surface"
    if r not in READERS:
        raise UsageError(f"DOSSIER_EVENTS_READER must be one of {', '.join(READERS)}, not {r!r}")
    return r


def _span(d: dict | None) -> dict | None:
    if not d:
        return None
    return {"text": d["text"], "start": d["doc_start"], "end": d["doc_end"]}


def _actor(a: dict | None) -> dict | None:
    if not a:
        return None
    return {"text": a["text"], "start": a["start"], "end": a["end"], "country": a.get("country"),
            "sector": a.get("sector"), "label": a.get("label")}


def _date(ev: dict, times: list[dict], published: str | None) -> dict:
    """The report's date: the TIMEX3 value of the time expression the extractor found (a DATE or TIME whose value
    is a calendar date), else the publication day."""
    d = ev.get("date")
    if d:
        a, b = d["doc_start"], d["doc_end"]
        for t in times:
            if t["start"] < b and t["end"] > a and t.get("type") in ("DATE", "TIME"):
                v = (t.get("value") or "").split("T")[0]
                if precision(v):
                    return {"value": v, "precision": precision(v), "basis": "text", "text": t["text"],
                            "start": t["start"], "end": t["end"]}
    if published:
        return {"value": published, "precision": "day", "basis": "published"}
    return {"value": None, "precision": None}


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern, re.Pattern]:
    d = store.settings()
    nouns, prons = "|".join(map(re.escape, d["pair_nouns"])), "|".join(map(re.escape, d["pronouns"]))
    pair = re.compile(rf"^(?:the\s+)?(?:two|both)\s+(?:{nouns})$", re.I)
    pron = re.compile(rf"^(?:{prons})$", re.I)
    return pair, pron


def _states_before(mentions: list[dict], at: int) -> list[dict]:
    """The last two distinct states named before offset ``at`` (most recent last)."""
    out: list[dict] = []
    for m in mentions:
        if m["end"] > at:
            break
        if m.get("label") in ("GPE", "NORP") and m.get("country") and (m.get("key") or "").startswith(("C:", "N:")):
            out = [x for x in out if x["country"] != m["country"]] + [m]
    return out[-2:]


def _first_actor_of_previous_sentence(mentions: list[dict], sentences: list[dict], at: int) -> dict | None:
    prev = None
    for s in sentences:
        if s["start"] >= at:
            break
        prev = s if s["end"] <= at else prev
    if prev is None:
        return None
    return next((m for m in mentions if prev["start"] <= m["start"] < prev["end"] and m.get("country")
                 and m.get("label") in ("GPE", "ORG", "PERSON", "NORP")), None)


def _as_actor(m: dict) -> dict:
    return {"text": m["text"], "start": m["start"], "end": m["end"], "country": m.get("country"),
            "sector": m.get("sector"), "label": m.get("label"), "antecedent": True}


def _antecedents(ev: dict, doc: Document) -> None:
    """A little coreference where an event needs it: "the two countries" (the last two states named before) and a
    subject "it"/"they" (the first actor of the previous sentence)."""
    mentions = doc.annotations.get("mentions") or []
    src, tgt = ev.get("source"), ev.get("target")
    pair, pronoun = _patterns()
    if src and pair.match(src["text"].strip()):
        pair = _states_before(mentions, src["start"])
        if len(pair) == 2:
            ev["source"], ev["target"] = _as_actor(pair[0]), (tgt if tgt and tgt.get("country") else _as_actor(pair[1]))
    elif src and pronoun.match(src["text"].strip()) and not src.get("country"):
        m = _first_actor_of_previous_sentence(mentions, doc.annotations.get("sentences") or [], src["start"])
        if m is not None:
            ev["source"] = _as_actor(m)


def _coded(a: dict | None) -> bool:
    return bool(a and (a.get("country") or a.get("sector") or a.get("label")))


def _reliable(ev: dict) -> bool:
    """As :func:`dossier.events.extract.reliable`, after the antecedents are known: a strong reading with one
    actor, or an ambiguous verb or event noun between two actors."""
    strength = ev.get("strength")
    src, tgt = _coded(ev.get("source")), _coded(ev.get("target"))
    if strength is None or strength >= 2:
        return src or tgt
    return strength == 1 and src and tgt


def reports(doc: Document) -> list[dict]:
    """The event reports of a document (export-ready spans; dates read through the timex stage's values)."""
    times = doc.annotations.get("times") or []
    out = []
    seen = set()
    found = (events_for_document(doc, strict=False) if reader() == "parse"
             else [e.to_dict() for e in events_of_document(doc)])
    for ev in found:
        for side in ("source", "target"):
            if ev.get(side):
                ev[side] = {**ev[side], "start": ev[side]["doc_start"], "end": ev[side]["doc_end"]}
        _antecedents(ev, doc)
        if not _reliable(ev):
            continue
        s = ev["sentence"]
        key = (s["doc_start"], ev["type"], (ev.get("source") or {}).get("start"),
               (ev.get("target") or {}).get("start"))
        if key in seen:
            continue
        seen.add(key)
        loc = ev.get("location")
        out.append({
            "start": s["doc_start"], "end": s["doc_end"], "text": doc.text[s["doc_start"]:s["doc_end"]],
            "type": ev["type"], "mode": ev.get("mode"), "confidence": ev.get("confidence"),
            "negated": bool(ev.get("negated")), "hypothetical": bool(ev.get("hypothetical")),
            "trigger": _span(ev.get("trigger")),
            "source": _actor(ev.get("source")), "target": _actor(ev.get("target")),
            "date": _date(ev, times, doc.published.date),
            "location": {**_span(loc), "country": loc.get("country")} if loc else None,
            "said_by": [{"text": a["text"], "start": a["doc_start"], "end": a["doc_end"],
                         "span": _span(a.get("span"))} for a in ev.get("said_by") or []],
        })
    return out


@register(STAGE, requires=("text", "annotations", "published"), assigns=("annotations",), mark=False)
def events_stage(doc: Document) -> Document:
    """Event reports of the document's sentences (the linker marks the stage done once they are merged)."""
    doc.annotations[STAGE] = reports(doc) if doc.text.strip() else []
    return doc


register_corpus(CorpusStage(STAGE, save=store.save, link=store.link, reset=store.reset, pending=store.pending))
