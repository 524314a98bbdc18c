"""Explore commands: ``search``, ``ask``, ``timeline``, ``graph``, ``datasette`` (a thin shell over
dossier.search, dossier.timeline, dossier.graph)."""

from __future__ import annotations

import json
import os
import shutil
import sys
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from ..errors import DossierError
from . import DbOption, _fail, app, err, out

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
SinceOption = Annotated[str | None, typer.Option("--since", help="From this day (YYYY-MM-DD, YYYY-MM or YYYY).",
                                                 show_default=False)]
UntilOption = Annotated[str | None, typer.Option("--until", help="Up to this day (YYYY-MM-DD, YYYY-MM or YYYY).",
                                                 show_default=False)]
EntityOption = Annotated[str | None, typer.Option("--entity", help="An entity's name or alias.", show_default=False)]
TypeOption = Annotated[str | None, typer.Option("--type", help="A PLOVER event type (ASSAULT, CONSULT, ...).",
                                                show_default=False)]


def _print_json(obj) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2) + "\n")


def _where(h: dict) -> str:
    return f"{h.get('outlet') or '?'}, {h.get('date') or 'undated'}"


@app.command()
def search(query: Annotated[str, typer.Argument(help="Words to search for (BM25 over every sentence).")],
           db: DbOption = None, entity: EntityOption = None, since: SinceOption = None, until: UntilOption = None,
           type_: TypeOption = None,
           limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="At most this many sentences.")] = 20,
           as_json: JsonOption = False) -> None:
    """Search the stored sentences: the best first, with outlet, date and document."""
    from ..search import search as api_search

    try:
        hits = api_search(db, query, entity=entity, since=since, until=until, type_=type_, limit=limit)
    except DossierError as e:
        raise _fail(e) from None
    if as_json:
        _print_json(hits)
        return
    if not hits:
        err.print("no sentence matches" + (f" (filters: {escape(_filters(entity, since, until, type_))})"
                                           if _filters(entity, since, until, type_) else ""))
        raise typer.Exit(1)
    t = Table(title=f"{len(hits)} sentences for {escape(query)!r}", title_justify="left", show_lines=False)
    for col, just in (("score", "right"), ("outlet", "left"), ("date", "left"), ("sentence", "left"),
                      ("document", "left")):
        t.add_column(col, justify=just, overflow="fold")
    for h in hits:
        t.add_row(f"{h['score']:.2f}", escape(h["outlet"] or "?"), h["date"] or "undated", escape(h["text"]),
                  f"{h['doc']} {h['start']}-{h['end']}")
    out.print(t)


def _filters(*vals) -> str:
    return ", ".join(v for v in vals if v)


def _backend(llm: bool, endpoint: str | None, model: str | None, key: str | None) -> dict | None:
    if not llm:
        return None
    endpoint = endpoint or os.environ.get("DOSSIER_LLM_ENDPOINT")
    model = model or os.environ.get("DOSSIER_LLM_MODEL")
    key = key or os.environ.get("DOSSIER_LLM_KEY") or os.environ.get("OPENAI_API_KEY")
    if not endpoint or not model:
        err.print("error: --llm needs --llm-endpoint and --llm-model (or DOSSIER_LLM_ENDPOINT, DOSSIER_LLM_MODEL)")
        raise typer.Exit(2)
    return {"endpoint": endpoint, "model": model, "key": key}


@app.command()
def ask(question: Annotated[str, typer.Argument(help="A question in plain words.")], db: DbOption = None,
        limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="At most this many claims.")] = 5,
        as_json: JsonOption = False,
        llm: Annotated[bool, typer.Option("--llm", help="Phrase the answer with an OpenAI-compatible model "
                                                        "(off by default; the claims stay extractive).")] = False,
        llm_endpoint: Annotated[str | None, typer.Option("--llm-endpoint", help="Base URL, e.g. "
                                                         "http://localhost:8000/v1 (env DOSSIER_LLM_ENDPOINT).",
                                                         show_default=False)] = None,
        llm_model: Annotated[str | None, typer.Option("--llm-model", help="Model name (env DOSSIER_LLM_MODEL).",
                                                      show_default=False)] = None,
        llm_key: Annotated[str | None, typer.Option("--llm-key", help="API key (env DOSSIER_LLM_KEY or "
                                                    "OPENAI_API_KEY).", show_default=False)] = None) -> None:
    """Answer a question from the store: the best sentences and events, each claim cited, sources counted."""
    from ..search import ask as api_ask

    backend = _backend(llm, llm_endpoint, llm_model, llm_key)
    try:
        res = api_ask(db, question, limit=limit, backend=backend)
    except DossierError as e:
        raise _fail(e) from None
    if as_json:
        _print_json(res)
        return
    if not res["claims"]:
        err.print("no stored sentence answers this question")
        raise typer.Exit(1)
    out.print(f"[bold]{escape(question)}[/bold]")
    if backend:
        out.print(escape(res["answer"]))
        out.print()
    for i, c in enumerate(res["claims"], 1):
        n = c["independent_sources"]
        out.print(f"[bold][{i}][/bold] {escape(c['text'])}")
        for x in c["citations"]:
            out.print(f"     [dim]{escape(_where(x))}  {x['doc']} {x['start']}-{x['end']}"
                      f"{'  ' + escape(x['title']) if x.get('title') else ''}[/dim]")
        out.print(f"     [dim]{n} independent source{'s' if n != 1 else ''}[/dim]")
    if res["events"]:
        out.print("[bold]events[/bold]")
        for ev in res["events"]:
            cite = ev.get("citation") or {}
            out.print(f"  {ev['date'] or 'undated'}  {ev['type']}  {escape(str(ev['source']))} -> "
                      f"{escape(str(ev['target']))}  [dim]({escape(_where(cite))}, {cite.get('doc', '?')}; "
                      f"{ev['independent_sources']} independent)[/dim]")


@app.command()
def timeline(db: DbOption = None, entity: EntityOption = None,
             story: Annotated[str | None, typer.Option("--story", help="A storyline id.", show_default=False)] = None,
             since: SinceOption = None, until: UntilOption = None, type_: TypeOption = None,
             limit: Annotated[int, typer.Option("--limit", "-n", min=0, help="At most this many (0: all).")] = 0,
             as_json: JsonOption = False) -> None:
    """Events in date order, with who did what to whom and their sources."""
    from ..timeline import timeline as api_timeline

    try:
        rows = api_timeline(db, entity=entity, story=story, since=since, until=until, type_=type_,
                            limit=limit or None)
    except DossierError as e:
        raise _fail(e) from None
    if as_json:
        _print_json(rows)
        return
    if not rows:
        err.print("no events" + (f" (filters: {escape(_filters(entity, story, since, until, type_))})"
                                 if _filters(entity, story, since, until, type_) else ""))
        raise typer.Exit(1)
    title = "timeline" + (f" of {entity}" if entity else "") + (f", story {story}" if story else "")
    t = Table(title=escape(title), title_justify="left")
    for col in ("date", "event", "source", "target", "sentence", "sources"):
        t.add_column(col, overflow="fold")
    for r in rows:
        flags = " (not)" if r["negated"] else " (maybe)" if r["hypothetical"] else ""
        srcs = "; ".join(f"{s['outlet'] or '?'} {s['date'] or 'undated'} {s['doc']}" for s in r["sources"][:3])
        if len(r["sources"]) > 3:
            srcs += f"; +{len(r['sources']) - 3}"
        srcs += f" [{r['independent_sources']} indep.]"
        t.add_row(r["date"] or "undated", r["type"] + flags, escape(r["source"] or "?"), escape(r["target"] or "?"),
                  escape((r["text"] or "")[:200]), escape(srcs))
    out.print(t)


@app.command()
def graph(out_file: Annotated[str, typer.Option("--out", "-o", help="GraphML file to write.")],
          db: DbOption = None,
          uncertain: Annotated[bool, typer.Option("--uncertain", help="Also negated and hypothetical events.")
                               ] = False) -> None:
    """Write the actor graph as GraphML: entities, and events between them by type with counts and dates."""
    from ..graph import write_graphml

    try:
        counts = write_graphml(db, out_file, include_uncertain=uncertain)
    except DossierError as e:
        raise _fail(e) from None
    err.print(f"wrote {escape(out_file)}: {counts['nodes']} actors, {counts['edges']} edges")


@app.command()
def datasette(db: DbOption = None,
              print_only: Annotated[bool, typer.Option("--print", help="Print the metadata JSON and the command; "
                                                                       "do not start Datasette.")] = False,
              port: Annotated[int, typer.Option("--port", "-p", help="Port to serve on.")] = 8001) -> None:
    """Browse the store in Datasette, with titles, descriptions, facets and full-text search on sentences."""
    from ..search import datasette_metadata
    from ..store import Store

    try:
        with Store.open(db, create=False) as store:  # migrates: views and the FTS index exist
            path = store.path
    except DossierError as e:
        raise _fail(e) from None
    meta = datasette_metadata(path)
    meta_path = path + ".datasette.json"
    exe = shutil.which("datasette", path=os.path.dirname(sys.executable)) or shutil.which("datasette")
    cmd = [exe or "datasette", path, "-m", meta_path, "-p", str(port)]
    if print_only:
        _print_json(meta)
        err.print("run: " + " ".join(cmd))
        return
    with open(meta_path, "w", encoding="utf-8") as fh:
        json.dump(meta, fh, ensure_ascii=False, indent=2)
    if exe is None:
        err.print("error: datasette is not installed (pip install datasette)")
        raise typer.Exit(1)
    err.print(f"metadata in {escape(meta_path)}; starting: {escape(' '.join(cmd))}")
    os.execv(exe, cmd)
