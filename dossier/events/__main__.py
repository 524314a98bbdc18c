"""``python -m dossier.events IN.jsonl`` (or ``-`` for stdin): what ``dossier extract events`` prints.

Reads JSON Lines ``{"id", "text"}`` and writes ``{"id", "events": [...]}`` per line to stdout (events most
confident first; see :func:`dossier.events.extract.extract_jsonl`).
"""

from __future__ import annotations

import json
import sys


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    from .extract import extract_jsonl

    src = sys.stdin if argv[0] == "-" else open(argv[0], encoding="utf-8")  # noqa: SIM115
    try:
        for rec in extract_jsonl(src):
            sys.stdout.write(json.dumps(rec, ensure_ascii=False) + "\n")
    except (ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    finally:
        if src is not sys.stdin:
            src.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
