"""``dossier entities`` and ``dossier events``: the resolved entities and the merged events, as tables or JSON."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from ..errors import DossierError
from ..store import Store
from . import DbOption, _fail, app, err, out

JsonOption = Annotated[bool, typer.Option("--json", help="Print export lines (JSON) instead of a table.")]
LimitOption = Annotated[int, typer.Option("--limit", min=0, help="At most this many (0: all).")]


def _table(title: str, cols: tuple[tuple[str, str], ...]) -> Table:
    t = Table(title=title, title_justify="left")
    for col, just in cols:
        t.add_column(col, justify=just, overflow="fold")
    return t


@app.command()
def entities(db: DbOption = None,
             query: Annotated[str | None, typer.Argument(help="Only entities with an alias containing this.")] = None,
             type_: Annotated[str | None, typer.Option("--type", help="Only this type (PERSON, ORG, ...).")] = None,
             limit: LimitOption = 50, as_json: JsonOption = False) -> None:
    """List the entities resolved across documents, most mentioned first: aliases, mention and document counts."""
    from ..actors.resolve import entities_table

    try:
        with Store.open(db, create=False) as store:
            rows = list(entities_table(store.conn, limit=limit or None, type_=type_, query=query))
            path = store.path
    except DossierError as e:
        raise _fail(e) from None
    if as_json:
        for line in rows:
            out.print(json.dumps(line, ensure_ascii=False), markup=False, highlight=False)
        return
    if not rows:
        err.print("no entities (run 'dossier ingest' with the nlp and actors stages)")
        return
    t = _table(f"entities in {path}", (("entity", "left"), ("name", "left"), ("type", "left"), ("country", "left"),
                                       ("sector", "left"), ("mentions", "right"), ("docs", "right"),
                                       ("aliases", "left")))
    for e in rows:
        t.add_row(e["id"], escape(e["name"]), e["type"], e["country"] or "-", e["sector"] or "-",
                  str(e["mention_count"]), str(e["document_count"]), escape(", ".join(e["aliases"][:6])))
    out.print(t)


def _actor(a: dict, names: dict) -> str:
    name = names.get(a.get("entity")) or a.get("text") or names.get(a.get("acts_for")) or "?"
    code = "/".join(x for x in (a.get("country"), a.get("sector")) if x)
    return f"{name} ({code})" if code else name


def _names(conn, lines: list[dict]) -> dict:
    ids = {x for e in lines for side in ("source", "target") for x in (e[side].get("entity"), e[side].get("acts_for"))
           if x}
    if not ids:
        return {}
    q = ",".join("?" * len(ids))
    return dict(conn.execute(f"SELECT id, name FROM entities WHERE id IN ({q})", list(ids)).fetchall())


@app.command()
def events(db: DbOption = None,
           actor: Annotated[str | None, typer.Option("--actor", help="Events with this actor (a name or alias; "
                                                     "people acting for a state count for it).")] = None,
           type_: Annotated[str | None, typer.Option("--type", help="PLOVER type (AGREE, CONSULT, ...).")] = None,
           since: Annotated[str | None, typer.Option("--since", help="Events dated on or after this day "
                                                     "(YYYY-MM-DD, YYYY-MM or YYYY).")] = None,
           until: Annotated[str | None, typer.Option("--until", help="... on or before it (same forms).")] = None,
           limit: LimitOption = 100, as_json: JsonOption = False) -> None:
    """List events (one line per real-world event, however many reports) in date order, with their sources."""
    from ..events.store import day_bound, events_table

    try:
        lo, hi = day_bound(since, "since"), day_bound(until, "until")
        with Store.open(db, create=False) as store:
            lines = list(events_table(store.conn, actor=actor, type_=type_, since=lo and lo.isoformat(),
                                      until=hi and hi.isoformat(), limit=limit or None))
            names = _names(store.conn, lines)
            outlets = {}
            docs = {m["doc"] for e in lines for m in e["mentions"]}
            if docs:
                q = ",".join("?" * len(docs))
                outlets = {r[0]: r[1] or "?" for r in store.conn.execute(
                    f"SELECT id, coalesce(outlet, source) FROM documents WHERE id IN ({q})", list(docs))}
            path = store.path
    except DossierError as e:
        raise _fail(e) from None
    if as_json:
        for line in lines:
            line.pop("first_day", None)
            out.print(json.dumps(line, ensure_ascii=False), markup=False, highlight=False)
        return
    if not lines:
        err.print("no events match" if (actor or type_ or since or until) else
                  "no events (run 'dossier ingest'; the events stage needs the nlp stage)")
        return
    t = _table(f"events in {path}", (("date", "left"), ("type", "left"), ("source", "left"), ("target", "left"),
                                     ("flags", "left"), ("sources", "right"), ("reported by", "left")))
    for e in lines:
        d = e["date"]
        when = (d["value"] or "?") + ("" if d.get("basis") != "published" else " (pub.)")
        flags = " ".join(f for f, on in (("not", e["negated"]), ("hypothetical", e["hypothetical"])) if on)
        typ = e["type"] + (f"/{e['mode']}" if e["mode"] else "")
        by = sorted({outlets.get(m["doc"], "?") for m in e["mentions"]})
        t.add_row(when, typ, escape(_actor(e["source"], names)), escape(_actor(e["target"], names)), flags,
                  str(e["independent_sources"]), escape(", ".join(by)))
    out.print(t)
