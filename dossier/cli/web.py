"""``dossier serve``: the web app (dossier.web) over a store, with uvicorn. Read-only; binds to 127.0.0.1."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from ..errors import DossierError
from . import DbOption, _fail, app, err


def _pending_migrations(db: str | None) -> list[str]:
    """Schema migrations the store has not had yet (read through a read-only connection)."""
    import sqlite3
    import urllib.parse

    from ..store import MIGRATIONS_TABLE, resolve_db
    from ..store.migrations import MIGRATIONS

    path = resolve_db(db)
    try:
        with sqlite3.connect("file:" + urllib.parse.quote(path) + "?mode=ro", uri=True) as c:
            done = {r[0] for r in c.execute(f"SELECT name FROM {MIGRATIONS_TABLE}")}
    except sqlite3.Error:
        return []
    return [name for name, _ in MIGRATIONS if name not in done]


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host", help="Address to bind (default: this machine only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8000,
) -> None:
    """Browse the store in a web browser: documents with highlighted facts, storylines, timeline, actor graph,
    search and ask with citations (read-only)."""
    import os

    import uvicorn

    from ..store import Store, resolve_db
    from ..web import create_app

    if os.path.isfile(resolve_db(db)) and _pending_migrations(db):
        try:  # a store made by an older Dossier: bring its schema up to date, as every command does
            Store.open(db, create=False).close()
        except DossierError as e:
            err.print(f"warning: {escape(str(e))}; serving it as it is")
    try:
        web_app = create_app(db)
    except DossierError as e:
        raise _fail(e) from None
    if host not in ("127.0.0.1", "localhost", "::1"):
        err.print(f"warning: serving on {escape(host)}: anyone who can reach it can read the store")
    err.print(f"serving {escape(web_app.state.db.path)} at http://{escape(host)}:{port}/ (read-only; Ctrl-C stops)")
    uvicorn.run(web_app, host=host, port=port, log_level="warning", access_log=False)
