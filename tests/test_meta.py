"""The meta stage: publication date (stated, inferred), outlet, authors, translation, language."""

from __future__ import annotations

import json
import subprocess
import sys

import dossier
from dossier import timex
from dossier.meta.dates import inferred_interval

from .conftest import EXAMPLES, run_cli, shared


def _docs(db):
    with dossier.open(db) as s:
        return {d.source.rsplit("/", 1)[-1]: d for d in s.documents()}


def test_timex_first_pass():
    found = {m.text: m for m in timex.find(
        "Talks held on May 7, 2025 and in November 2025 followed a meeting on January 15; officials spoke "
        "on Tuesday. The plan runs until 2030. In early January 2026 the forces moved. Dated 05.03.2025.")}
    assert (found["May 7, 2025"].year, found["May 7, 2025"].month, found["May 7, 2025"].day) == (2025, 5, 7)
    assert found["November 2025"].kind == "month"
    assert found["January 15"].kind == "monthday" and found["January 15"].year is None
    assert found["on Tuesday"].weekday == 1
    assert found["until 2030"].not_past
    assert found["early January 2026"].mod == "START"
    assert (found["05.03.2025"].month, found["05.03.2025"].day) == (3, 5)


def test_inferred_interval_from_the_latest_dated_event():
    p = inferred_interval("The deal was signed on May 7, 2025. Talks resumed in November 2025. "
                          "The minister met the envoy on January 15. Shipments will follow in 2027.")
    assert (p.after, p.basis) == ("2026-01-15", "inferred") and p.before > p.after
    weekday = inferred_interval("Forces moved in early January 2026. Officials told reporters on Tuesday.")
    assert weekday.after == "2026-01-06"  # the first Tuesday on or after 1 January 2026
    assert inferred_interval("Officials spoke on Saturday and will meet next week.") is None


def test_seeds_metadata_matches_the_gold(db, tmp_path):
    dossier.ingest([str(shared("corpus", "seeds"))], db=db)
    out = tmp_path / "out"
    dossier.export(db, str(out))
    scored = subprocess.run([sys.executable, str(shared("bench", "score", "dossier.py")), str(out),
                             str(shared("gold", "seeds.json")), "--json"], capture_output=True, text=True)
    result = json.loads(scored.stdout.strip().splitlines()[-1])
    assert result["documents"] == {"found": 1.0, "published": 1.0, "language": 1.0, "translated_from": 1.0,
                                   "outlet": 1.0, "title": 1.0}
    assert result["clean_text"] == {"drop": 1.0, "keep": 1.0, "once": 1.0}
    docs = _docs(db)
    assert docs["000_83705deb358a5fc3.txt"].published.basis == "stated"
    assert docs["002_395e19d6ee48b133.txt"].published.basis == "inferred"


def test_examples_metadata(db):
    dossier.ingest([str(EXAMPLES)], db=db)
    docs = _docs(db)
    translated = docs["kaspiy_vestnik_minenergo_denial.txt"]
    assert (translated.translated_from, translated.language) == ("ru", "en")
    assert translated.published.date == "2025-03-05"  # "05.03.2025": day first
    wire = docs["barrelwatch_kazakhstan_opec_cut.txt"]
    assert wire.title.startswith("Kazakhstan bows to OPEC+ pressure")
    assert wire.published.date == "2025-03-04" and wire.authors[0] == "Aigerim Nurlanova"
    assert docs["steppe_courier_kazakhstan_output.txt"].outlet == "Steppe Business Courier"
    undated = docs["relative_dates.txt"]
    assert (undated.published.date, undated.published.after, undated.published.basis) == (None, None, None)
    assert docs["feed.jsonl#L3"].language == "pt"
    assert all(d.language for d in docs.values())


def test_cli_show_lists_removed_blocks(db):
    run_cli("ingest", str(shared("corpus", "seeds")), "--db", db)
    r = run_cli("show", str(shared("corpus", "seeds") / "004_cf66f6befb59e769.txt"), "--db", db)
    out = r.stdout.decode()
    assert r.returncode == 0 and "The Jakarta Post" in out and "[prompt] Please Update your browser" in out
