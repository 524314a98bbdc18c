"""The quantities stage: amounts with their unit, bound, range, change and what they measure.

"up to 50 million barrels" -> 50000000 barrel, at_most; "increased by 54%" -> 54 percent, change up;
"400-500 thousand barrels" -> low 400000, high 500000 barrel (never summed); "more than 276 thousand tons of wheat"
-> 276000 tonne, at_least, about "wheat". The grammar is in :mod:`dossier.quantities.grammar`; its knowledge (units,
currencies, number words, bound and change words, what is not a quantity) in ``dossier/data/quantities_*.json``.

The stage sets ``doc.annotations["quantities"]`` to one dict per quantity with the fields of quantities.jsonl
(spec/export.md) except ``id`` and ``doc``: ``start``, ``end``, ``text`` (== ``doc.text[start:end]``), ``value``
or ``low`` + ``high``, ``unit`` (canonical), ``bound``, ``change``, ``about``, ``unit_text``.

:func:`extract_jsonl` is ``dossier extract quantities``: JSON Lines ``{"id", "text"}`` in, ``{"id", "quantities":
[...]}`` out, by default in the unit vocabulary of the NewsQuant benchmark so that
``../shared/bench/score/quantities.py`` scores it (``vocabulary="export"`` gives the export's unit names).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from functools import lru_cache
from importlib import resources

from ..document import Document
from ..errors import UsageError
from ..pipeline import register
from .grammar import Quantity, extract

__all__ = ["Quantity", "extract", "extract_jsonl", "find", "quantities", "render", "VOCABULARIES"]

VOCABULARIES = ("export", "newsquant")


@lru_cache(maxsize=1)
def _vocabularies() -> dict:
    return json.loads(resources.files("dossier").joinpath("data/quantities_vocab.json").read_text("utf-8"))


def _rename(unit: str | None, names: dict) -> str | None:
    if unit is None or not names:
        return unit
    return "/".join(names.get(part, part) for part in unit.split("/"))


def render(q: Quantity, text: str, vocabulary: str = "export") -> dict | None:
    """One quantity as a dict of quantities.jsonl fields (without ``id``/``doc``) in ``vocabulary``; None when that
    vocabulary does not count it as a quantity (a standalone duration is a time expression in the export)."""
    try:
        v = _vocabularies()[vocabulary]
    except KeyError:
        raise UsageError(f"unknown unit vocabulary {vocabulary!r}; choose one of {', '.join(VOCABULARIES)}") from None
    if q.kind == "duration" and (q.attributive != (v["durations"] == "attributive")):
        return None
    value, low, high, unit = q.value, q.low, q.high, q.unit
    if q.entry in v["written"]:
        f = q.factor or 1.0
        value, low, high = (None if x is None else x / f for x in (value, low, high))
        unit = q.entry + (f"/{q.per}" if q.per else "")
    elif q.counted and v["counted"] == "noun":
        unit = q.entry + (f"/{q.per}" if q.per else "")
    unit = _rename(unit, v["units"])
    bound = q.bound
    if v["single_modifier"] and q.change:
        bound = "exact"
    return {"start": q.start, "end": q.end, "text": text[q.start:q.end], "value": value, "low": low, "high": high,
            "unit": unit, "bound": bound, "change": q.change, "about": q.about, "unit_text": q.unit_text}


def find(text: str, vocabulary: str = "export") -> list[dict]:
    """The quantities of ``text`` as quantities.jsonl dicts (without ``id``/``doc``)."""
    out = []
    for q in extract(text):
        r = render(q, text, vocabulary)
        if r is not None:
            out.append(r)
    return out


@register("quantities", requires=("text",), assigns=("annotations",))
def quantities(doc: Document) -> Document:
    doc.annotations["quantities"] = find(doc.text or "")
    return doc


def extract_jsonl(lines: Iterable[str], vocabulary: str = "newsquant") -> Iterator[dict]:
    """``dossier extract quantities``: each line ``{"id", "text"}`` gives ``{"id", "quantities": [{"start", "end",
    "text", "value" | "low" + "high", "unit", "bound", "change", "about"}]}``. Blank lines are skipped; a line that is
    not a JSON object with a string ``text`` raises :class:`~dossier.errors.UsageError` naming the line."""
    from ..ingest.formats import text_records

    for n, row in text_records(lines):
        text = row["text"]
        items = []
        for r in find(text, vocabulary):
            item = {"start": r["start"], "end": r["end"], "text": r["text"]}
            if r["value"] is not None:
                item["value"] = r["value"]
            else:
                item["low"], item["high"] = r["low"], r["high"]
            item.update(unit=r["unit"], bound=r["bound"], change=r["change"], about=r["about"])
            items.append(item)
        yield {"id": row.get("id", n), "quantities": items}
