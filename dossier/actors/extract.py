"""``dossier extract actors IN.jsonl``: code actor descriptions read from JSON Lines, one object per line.

Input lines: ``{"id", "text", "context", "date"}`` (the ngec_actors bench format: ``context`` a country or adjective
that bounds the actor, ``date`` the day the coding is for, YYYY-MM-DD or null). Output lines:
``{"id", "country", "sector", "wiki"}`` with an ISO-3 country (or the POLECAT/NGEC code of an international body:
IGO, UNO, EUR), a PLOVER sector code and the English Wikipedia title when the actor is a known one; "" when there is
none (a common noun such as "soldiers" has no country; an unknown private person has nothing).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from .coder import Coder


def extract_jsonl(lines: Iterable[str | dict], *, default_date: str | dt.date | None = None,
                  conventions: dict | None = None) -> Iterator[dict]:
    """Code each input line. ``default_date`` is the day used when a line's date is null (default: today)."""
    c = Coder(conventions) if conventions else _coder()
    from ..ingest.formats import text_records

    for n, rec in text_records(lines):
        day = rec.get("date") or default_date
        code = c.code(str(rec.get("text") or ""), str(rec.get("context") or ""),
                      day if day is None or isinstance(day, dt.date) else str(day))
        yield {"id": rec.get("id", n), "country": code.country or "", "sector": code.sector or "",
               "wiki": code.wiki or ""}


_C: Coder | None = None


def _coder() -> Coder:
    global _C
    if _C is None:
        _C = Coder()
    return _C
