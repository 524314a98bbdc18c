"""Dossier: raw news in, a sourced, time-resolved knowledge base out.

The Python API (the ``dossier`` command is a thin shell over it)::

    import dossier
    report = dossier.ingest(["articles/"], db="news.db")   # files, folders, globs, "-"
    dossier.export("news.db", "out/")                       # the export contract, spec/export.md
    with dossier.open("news.db") as store:                  # the store: documents, counts, raw inputs
        print(store.counts())
"""

from __future__ import annotations

__version__ = "0.1.0"

# The stage modules are imported first: binding the API functions below then gives ``dossier.ingest`` and
# ``dossier.export`` their documented meaning, while ``from dossier.ingest import ...`` still reaches the modules.
from . import export as _export_module  # noqa: E402
from . import ingest as _ingest_module  # noqa: E402
from . import pipeline as _pipeline  # noqa: E402
from .errors import DossierError, Rejected, StoreError, StrictStop, UsageError  # noqa: E402
from .store import Store  # noqa: E402


def open(db: str | None = None, *, create: bool = False) -> Store:  # noqa: A001  (like sqlite3.connect)
    """Open a store (``db``, else $DOSSIER_DB, else ./dossier.db)."""
    return Store.open(db, create=create)


def ingest(paths, db: str | None = None, **kwargs) -> _ingest_module.Report:
    """Ingest files, folders, globs or ``-`` (stdin) into the store. See :func:`dossier.ingest.ingest`."""
    return _ingest_module.ingest([paths] if isinstance(paths, str) else paths, db, **kwargs)


def export(db: str | None, out_dir: str, **kwargs) -> dict:
    """Write the export contract (spec/export.md) into ``out_dir``. Returns the manifest."""
    return _export_module.export(db, out_dir, **kwargs)


def reprocess(db: str | None = None, **kwargs) -> dict:
    """Re-run the per-document stages from the raw inputs kept in the store. See :func:`dossier.pipeline.reprocess`."""
    return _pipeline.reprocess(db, **kwargs)


__all__ = ["__version__", "open", "ingest", "export", "reprocess", "Store", "DossierError", "Rejected",
           "StoreError", "StrictStop", "UsageError"]
