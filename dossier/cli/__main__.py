"""``python -m dossier.cli``: the same as the ``dossier`` command."""

from . import run

run()
