"""The ``dossier`` command: a thin shell over the Python API (typer + rich).

Problems with inputs are one line each on stderr (``file: reason, skipped``); errors that stop a command are one
line ``error: ...``. Exit codes: 0 done (for ingest: something was stored), 1 nothing stored or a command failed,
2 usage errors.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from .. import __version__, pipeline
from .. import export as api_export
from .. import ingest as api_ingest
from .. import reprocess as api_reprocess
from ..errors import DossierError, Rejected, StrictStop
from ..ingest import MB, Limits
from ..ingest.sources import expand
from ..store import Store

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None, pretty_exceptions_enable=False,
                  help="Dossier: raw news in, a sourced, time-resolved knowledge base out.")
# piped output is not cut at 80 columns (tables of entities and events are wide); COLUMNS still wins
out = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 160)
err = Console(stderr=True, highlight=False, soft_wrap=True)

DbOption = Annotated[str | None, typer.Option(
    "--db", envvar="DOSSIER_DB", help="Store file (default ./dossier.db; env DOSSIER_DB).", show_default=False)]


def _fail(e: DossierError) -> typer.Exit:
    err.print(f"error: {escape(str(e))}")
    return typer.Exit(e.exit_code)


def _version(value: bool) -> None:
    if value:
        out.print(f"dossier {__version__}")
        raise typer.Exit()


@app.callback()
def main(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                               help="Print the version and exit.")] = False) -> None:
    """Dossier: raw news in, a sourced, time-resolved knowledge base out."""


@app.command()
def ingest(
    paths: Annotated[list[str], typer.Argument(help="Files, folders (recursive), globs, or - for stdin.")],
    db: DbOption = None,
    strict: Annotated[bool, typer.Option("--strict", help="Stop at the first problem.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no per-input lines.")] = False,
    max_size: Annotated[int, typer.Option("--max-size", min=1, help="Largest article in MB.")] = 32,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Documents per commit.")] = 500,
    stages: Annotated[str | None, typer.Option(
        "--stages", help="Comma-separated stages to run after ingest (default: "
        f"{','.join(pipeline.DEFAULT)}; all: {','.join(pipeline.ORDER[1:])}).", show_default=False)] = None,
) -> None:
    """Ingest news inputs (text, HTML, JSON Lines, WARC, RSS/Atom, gzip of any) into the store."""
    limits = Limits(max_item=max_size * MB)
    chosen = [x.strip() for x in stages.split(",") if x.strip()] if stages is not None else None
    unknown = set(chosen or ()) - set(pipeline.ORDER[1:])
    if unknown:
        err.print(f"error: unknown stage(s) {', '.join(sorted(unknown))}; stages are {', '.join(pipeline.ORDER[1:])}")
        raise typer.Exit(2)
    show_progress = not quiet and err.is_terminal
    progress = Progress(SpinnerColumn(), TextColumn("[bold]ingest"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("files  {task.fields[docs]} docs  {task.fields[rate]:.0f} docs/s"),
                        TimeElapsedColumn(), console=err, disable=not show_progress, transient=True)
    task = progress.add_task("ingest", total=None, docs=0, rate=0.0)
    t0 = time.perf_counter()
    seen = {"docs": 0, "files": set()}

    def on_event(kind: str, obj: object) -> None:
        if kind == "rejected" and not quiet:
            progress.console.print(escape(str(obj)))
        seen["docs"] += kind != "rejected"
        src = getattr(obj, "source", None) or ""
        seen["files"].add(src.split("#")[0])
        if show_progress:
            progress.update(task, completed=len(seen["files"]), docs=seen["docs"],
                            rate=seen["docs"] / max(1e-9, time.perf_counter() - t0))

    if show_progress and "-" not in paths:  # count files first so the bar has a total (cheap: names only)
        progress.update(task, total=sum(1 for _ in expand(paths)))
    try:
        with progress:
            report = api_ingest(paths, db, strict=strict, limits=limits, batch_size=batch_size, on_event=on_event,
                                stages=chosen)
    except StrictStop as e:
        raise _fail(e) from None
    except DossierError as e:
        raise _fail(e) from None
    except KeyboardInterrupt:
        err.print("interrupted: what was stored so far is kept; run the same command again to finish")
        raise typer.Exit(130) from None
    if not quiet:
        _summary(report, Store.open(db).path if db is None else db)
    raise typer.Exit(report.exit_code)


def _summary(report, db_path: str) -> None:
    t = Table(title=f"ingest into {db_path}", show_header=True, title_justify="left")
    t.add_column("outcome")
    t.add_column("inputs", justify="right")
    t.add_row("stored (new)", str(report.stored))
    t.add_row("already stored", str(report.unchanged))
    t.add_row("duplicate of a stored document", str(report.duplicates))
    for reason, n in sorted(report.rejected.items(), key=lambda kv: -kv[1]):
        t.add_row(f"rejected: {escape(reason)}", str(n))
    secs = max(report.seconds, 1e-9)
    t.caption = (f"{report.inputs} inputs in {report.seconds:.1f} s, {report.inputs / secs:.0f} inputs/s, "
                 f"{report.bytes / MB / secs:.1f} MB/s")
    err.print(t)


@app.command()
def export(
    out_dir: Annotated[str, typer.Argument(help="Folder to write the export into (created if missing).")],
    db: DbOption = None,
    parquet: Annotated[bool, typer.Option("--parquet", help="Also write one Parquet file per table into "
                                          "OUT_DIR/parquet/ (documents, entities, mentions, events, ...).")] = False,
    graphml: Annotated[bool, typer.Option("--graphml", help="Also write the actor graph as OUT_DIR/actors.graphml "
                                          "(entities; events aggregated by type).")] = False,
) -> None:
    """Write the knowledge base as JSON Lines (the export contract, spec/export.md); optionally Parquet, GraphML."""
    try:
        manifest = api_export(db, out_dir)
        extra = []
        if parquet:
            from ..export.parquet import write_parquet

            rows = write_parquet(db, os.path.join(out_dir, "parquet"))
            extra.append(f"parquet: {len(rows)} tables")
        if graphml:
            from ..graph import write_graphml

            with Store.open(db, create=False) as store:
                write_graphml(store.conn, os.path.join(out_dir, "actors.graphml"))
            extra.append("actors.graphml")
    except DossierError as e:
        raise _fail(e) from None
    counts = ", ".join(f"{k.removesuffix('.jsonl')} {v}" for k, v in manifest["counts"].items() if v)
    err.print(f"exported to {escape(out_dir)}: {counts or 'nothing'} (stages: {', '.join(manifest['stages'])})"
              + (f"; {', '.join(extra)}" if extra else ""))


@app.command()
def stats(db: DbOption = None,
          as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False) -> None:
    """Counts per table, and inputs by outcome."""
    try:
        with Store.open(db, create=False) as store:
            counts, outcomes = store.counts(), store.outcomes()
            rejections = store.rejections(limit=20)
            path = store.path
    except DossierError as e:
        raise _fail(e) from None
    if as_json:
        out.print_json(json.dumps({"tables": counts, "inputs": outcomes}))
        return
    t = Table(title=f"{path}", title_justify="left")
    t.add_column("table")
    t.add_column("rows", justify="right")
    for name, n in counts.items():
        if not name.startswith("_"):
            t.add_row(name, f"{n:,}")
    out.print(t)
    o = Table(title="inputs by outcome", title_justify="left")
    o.add_column("outcome")
    o.add_column("inputs", justify="right")
    for k in ("stored", "duplicate", "rejected"):
        o.add_row(k, f"{outcomes.get(k, 0):,}")
    out.print(o)
    if rejections:
        out.print("rejected inputs (first 20):")
        for r in rejections:
            out.print(f"  {escape(str(Rejected(r['reason'], r['source'])))}")


@app.command()
def show(ref: Annotated[str, typer.Argument(help="Document id, id prefix, or source.")], db: DbOption = None,
         as_json: Annotated[bool, typer.Option("--json", help="Print the export line of the document.")] = False
         ) -> None:
    """Show one document: metadata, changes, removed blocks and text."""
    from ..export import document_line

    try:
        with Store.open(db, create=False) as store:
            doc = store.document(ref)
    except DossierError as e:
        raise _fail(e) from None
    if doc is None:
        err.print(f"error: no document {escape(ref)}")
        raise typer.Exit(1)
    line = document_line(doc)
    if as_json:
        out.print_json(json.dumps(line, ensure_ascii=False))
        return
    p = doc.published
    when = p.date or (f"between {p.after or '?'} and {p.before or '?'}" if (p.after or p.before) else "unknown")
    for k, v in (("id", doc.id), ("source", doc.source), ("format", doc.format), ("title", doc.title),
                 ("outlet", doc.outlet), ("url", doc.url), ("authors", ", ".join(doc.authors) or None),
                 ("language", doc.language), ("published", f"{when} ({p.basis or 'no basis'})"),
                 ("stages", ", ".join(doc.stages))):
        out.print(f"[bold]{k:>10}[/bold]  {escape(str(v)) if v is not None else '-'}")
    for c in doc.changes:
        out.print(f"[bold]{'change':>10}[/bold]  {escape(c.kind)}: {escape(c.detail)}")
    for r in doc.removed:
        out.print(f"[bold]{'removed':>10}[/bold]  " + escape(f"[{r.reason}] {r.text[:100]}"))
    _show_versions(db, doc)
    out.print()
    out.print(escape(doc.text))


def _show_versions(db: str | None, doc) -> None:
    """Version group, independent sources, storyline, and the sentence diff against the canonical version."""
    from ..dedup import diff

    with Store.open(db, create=False) as store:
        group = store.versions(doc.id)
        canon_text = None
        if doc.version_of:
            canon = store.document(doc.version_of)
            canon_text = canon.text if canon else None
        story = store.story(doc.story) if doc.story else None
    if len(group) > 1:
        role = f"version of {doc.version_of}" if doc.version_of else "canonical"
        out.print(f"[bold]{'versions':>10}[/bold]  {role}; group of {len(group)}: {', '.join(group)} "
                  f"(counts as 1 independent source)")
    if story:
        out.print(f"[bold]{'story':>10}[/bold]  {story['id']}: {escape(story['title'] or '-')} "
                  f"({story['first'] or '?'} .. {story['last'] or '?'}, {len(story['documents'])} documents, "
                  f"{story['independent_sources']} independent sources)")
    if canon_text is not None:
        adds, lacks, shared = diff(doc.text, canon_text)
        out.print(f"[bold]{'diff':>10}[/bold]  against {doc.version_of}: {shared} sentences shared, "
                  f"{len(adds)} added, {len(lacks)} lacking")
        for a, b in adds:
            out.print(f"[green]{'+ adds':>10}[/green]  {escape(doc.text[a:b])}")
        for a, b in lacks:
            out.print(f"[red]{'- lacks':>10}[/red]  {escape(canon_text[a:b])}")


@app.command()
def stories(db: DbOption = None,
            as_json: Annotated[bool, typer.Option("--json", help="Print the stories.jsonl lines.")] = False,
            limit: Annotated[int, typer.Option("--limit", min=0, help="At most this many (0: all).")] = 0,
            ) -> None:
    """List the storylines: first and last day, documents, independent sources and title."""
    try:
        with Store.open(db, create=False) as store:
            n = 0
            t = Table(title=f"storylines in {store.path}", title_justify="left")
            for col, just in (("story", "left"), ("first", "left"), ("last", "left"), ("docs", "right"),
                              ("sources", "right"), ("title", "left")):
                t.add_column(col, justify=just)
            for line in store.stories():
                if limit and n >= limit:
                    break
                n += 1
                if as_json:
                    out.print(json.dumps(line, ensure_ascii=False), markup=False, highlight=False)
                else:
                    t.add_row(line["id"], line["first"] or "?", line["last"] or "?", str(len(line["documents"])),
                              str(line["independent_sources"]), escape(line["title"] or "-"))
    except DossierError as e:
        raise _fail(e) from None
    if not as_json:
        if n:
            out.print(t)
        else:
            err.print("no storylines yet (run 'dossier ingest'; the stories stage places every document)")


@app.command()
def reprocess(db: DbOption = None,
              quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")] = False) -> None:
    """Re-run the per-document stages on every stored document, from the raw inputs kept in the store."""
    try:
        with Store.open(db, create=False) as store:
            total = store.document_count()
        progress = Progress(SpinnerColumn(), TextColumn("[bold]reprocess"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), console=err, disable=quiet or not err.is_terminal, transient=True)
        task = progress.add_task("reprocess", total=total)

        def on_doc(kind: str, obj: object) -> None:
            if kind == "failed" and not quiet:
                progress.console.print(escape(f"{obj} (kept as it was)"))
            progress.advance(task)

        with progress:
            counts = api_reprocess(db, on_doc=on_doc)
    except DossierError as e:
        raise _fail(e) from None
    err.print(f"reprocessed {counts['updated']} documents, {counts['failed']} failed")
    raise typer.Exit(1 if counts["failed"] and not counts["updated"] else 0)


extract_app = typer.Typer(no_args_is_help=True, help="Run one stage on benchmark-style JSON Lines, print JSON Lines.")
app.add_typer(extract_app, name="extract")


def _extract(module: str, path: str, **kwargs) -> None:
    import importlib

    fn = importlib.import_module(f"dossier.{module}").extract_jsonl
    try:
        fh = sys.stdin if path == "-" else open(path, encoding="utf-8")  # noqa: SIM115
    except OSError as e:
        err.print(f"error: {escape(path)}: {e.strerror}")
        raise typer.Exit(1) from None
    with fh:
        try:
            for line in fn(fh, **kwargs):
                sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
        except DossierError as e:
            raise _fail(e) from None


@extract_app.command("times")
def extract_times(path: Annotated[str, typer.Argument(help='JSON Lines {"id", "text", "dct"}, or -')]) -> None:
    """Time expressions normalised to TIMEX3 against each line's dct: {"id", "timex": [...]}."""
    _extract("timex", path)


@extract_app.command("quantities")
def extract_quantities(
    path: Annotated[str, typer.Argument(help='JSON Lines {"id", "text"}, or -')],
    units: Annotated[str, typer.Option("--units", help="Unit names: newsquant (the benchmark's) or export "
                                                       "(the export contract's).")] = "newsquant",
) -> None:
    """Quantities with value or range, unit, bound and change: {"id", "quantities": [...]}."""
    if units not in ("newsquant", "export"):
        err.print("error: --units is newsquant or export")
        raise typer.Exit(2)
    _extract("quantities", path, vocabulary=units)


@extract_app.command("actors")
def extract_actors(path: Annotated[str, typer.Argument(help='JSON Lines {"id", "text", "context", "date"}, or -')]
                   ) -> None:
    """Actor coding of short actor texts: {"id", "country", "sector", "wiki"}."""
    _extract("actors", path)


@extract_app.command("events")
def extract_events(
    path: Annotated[str, typer.Argument(help='JSON Lines {"id", "text"}, or -')],
    reader: Annotated[str, typer.Option("--reader", help="parse: spaCy's dependency parse (most accurate); surface: "
                                                         "the events stage's parse-free reader.")] = "parse",
) -> None:
    """PLOVER events per line, most confident first: {"id", "events": [{"type", "mode", "source", "target"}]}."""
    if reader not in ("parse", "surface"):
        err.print("error: --reader is parse or surface")
        raise typer.Exit(2)
    _extract("events" if reader == "parse" else "events.surface", path)


from . import facts  # noqa: E402,F401  (entities, events)


def run() -> None:
    """Entry point of the console script."""
    try:
        app()
    except BrokenPipeError:  # `dossier show X | head`
        sys.stderr.close()
        os._exit(0)
    except Exception as e:  # a bug, not a bad input: one line, the traceback on request
        if os.environ.get("DOSSIER_DEBUG"):
            raise
        err.print(f"internal error: {type(e).__name__}: {escape(str(e))} (set DOSSIER_DEBUG=1 for the traceback; "
                  "please report it)")
        sys.exit(1)

from . import explore  # noqa: E402,F401,I001
from . import web  # noqa: E402,F401
