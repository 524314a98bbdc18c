#!/usr/bin/env python3
"""Build the sector nouns of dossier/data/events_actors.json from the PLOVER/CAMEO agents dictionary.

    .venv/bin/python scripts/build_event_sectors.py [../shared/bench/plover_codebook/PLOVER_agents.txt]

Reads the generic agent nouns (``FARMER [~AGR]``, ``DEFENSE_!MINIST! [~GOVMIL]``), expands the substitution sets
(``!PERSON!``, ``!MINIST!``), keeps the primary sector when it is a PLOVER sector code, and writes them, lower case
with spaces, under ``"sectors_agents"`` in data/events_actors.json (the hand-written ``"sectors"`` list there takes
precedence at run time). Deterministic: same input, same output.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dossier.events.lexicon import dumps_compact  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "bench" / "plover_codebook" / "PLOVER_agents.txt"
OUT = ROOT / "dossier" / "data" / "events_actors.json"
CODES = frozenset(["GOV", "MIL", "COP", "JUD", "LEG", "SPY", "PTY", "OPP", "REB", "UAF", "CRM", "BUS", "MED", "JRN",
                   "NGO", "IGO", "REL", "EDU", "LAB", "AGR", "ELI", "REF", "CVL", "SOC", "UNK"])


def parse(path: Path) -> dict[str, str]:
    subs: dict[str, list[str]] = {}
    out: dict[str, str] = {}
    for line in path.read_text("utf-8", errors="replace").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.match(r"^(![A-Z]+!)\s*=\s*(.+)$", line)
        if m:
            subs[m.group(1)] = [w.strip() for w in m.group(2).split(",") if w.strip()]
            continue
        m = re.match(r"^(.+?)\s*(\{[^}]*\})?\s*\[~([A-Z]+)\]", line)
        if not m:
            continue
        code = m.group(3)[:3]
        if code not in CODES:
            continue
        forms = [m.group(1).strip()]
        if m.group(2):
            forms += [f.strip() for f in m.group(2).strip("{}").split(",") if f.strip()]
        for form in forms:
            variants = [form.replace(" ", "_")]
            for key, words in subs.items():
                variants = [v.replace(key, w) if key in v else v
                            for v in variants for w in (words if key in v else [None])]
            for v in variants:
                phrase = re.sub(r"_+", " ", v).strip().lower()
                if phrase and "!" not in phrase:
                    out.setdefault(phrase, code)
    return dict(sorted(out.items()))


def main(argv: list[str]) -> int:
    src = Path(argv[0]) if argv else DEFAULT
    agents = parse(src)
    data = json.loads(OUT.read_text("utf-8"))
    data["sectors_agents"] = agents
    OUT.write_text(dumps_compact(data) + "\n", "utf-8")
    print(f"{len(agents)} agent phrases -> {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
