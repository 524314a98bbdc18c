#!/usr/bin/env python3
"""Retrain the PLOVER event model shipped in dossier/data/events_model.json (deterministic).

    .venv/bin/python scripts/train_events.py                    # synthetic + all plover_gsr dev: the shipped model
    .venv/bin/python scripts/train_events.py --synthetic-only   # ngec_synthetic only
    .venv/bin/python scripts/train_events.py --cv 5 --no-write  # print the k-fold figure over dev, write nothing

Data: ../shared/bench/ngec_synthetic/train.jsonl and ../shared/bench/plover_gsr (dev half). The first run parses
the stories' beginnings with spaCy (a few minutes on 2 cores) and caches them under ~/.cache/dossier
($DOSSIER_CACHE); later runs take seconds. The same inputs give the same model, byte for byte.

Evaluation rules (see bench/events_bench.py): a model that has seen the dev records is only ever reported by its
k-fold cross-validated figure (train on synthetic + k-1 folds, test on the remaining fold).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dossier.events import training  # noqa: E402
from dossier.events.lexicon import TYPES  # noqa: E402

SHARED = ROOT.parent / "shared" / "bench"
OUT = ROOT / "dossier" / "data" / "events_model.json"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--synthetic", type=Path, default=SHARED / "ngec_synthetic" / "train.jsonl")
    ap.add_argument("--gsr", type=Path, default=SHARED / "plover_gsr")
    ap.add_argument("--synthetic-only", action="store_true", help="do not train on the plover_gsr dev records")
    ap.add_argument("--cv", type=int, default=0, help="also print a k-fold cross-validated score over dev")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--n-process", type=int, default=2, help="spaCy processes for the first parse")
    for k, v in training.DEFAULTS.items():
        ap.add_argument("--" + k.replace("_", "-"), type=type(v), default=v)
    a = ap.parse_args(argv)
    hp = {k: getattr(a, k) for k in training.DEFAULTS}

    t0 = time.time()
    syn_docs = training.load_synthetic(a.synthetic, n_process=a.n_process)
    gsr_docs = training.load_gsr(a.gsr)
    syn = training.synthetic_examples(syn_docs)
    print(f"parsed/loaded in {time.time() - t0:.1f}s: {len(syn[0])} synthetic sentences, {len(gsr_docs)} dev records",
          file=sys.stderr)
    if a.cv:
        sys.path.insert(0, str(SHARED / "score"))
        import plover  # the benchmark's own scorer

        preds = training.cross_validate(syn, gsr_docs, a.cv, **hp)
        gold = plover.load_gold(str(a.gsr))
        s = plover.score({p["id"]: _norm(p["events"]) for p in preds}, gold)
        print(json.dumps({"cv_folds": a.cv, "type_acc": round(s["type_acc"], 4), "macro_f1": round(s["macro_f1"], 4),
                          "mode_acc": round(s["mode_acc"], 4),
                          "source_country_acc": round(s["source_country_acc"], 4),
                          "target_country_acc": round(s["target_country_acc"], 4)}))
    dev = None if a.synthetic_only else training.gsr_examples(gsr_docs)
    meta = {
        "trained_on": "ngec_synthetic" + ("" if a.synthetic_only else " + plover_gsr dev (all 179 records)"),
        "synthetic_sha256": hashlib.sha256(a.synthetic.read_bytes()).hexdigest()[:16],
        "gsr_dev_sha256": (None if a.synthetic_only
                           else hashlib.sha256((a.gsr / "gold.jsonl").read_bytes()).hexdigest()[:16]),
        "n_synthetic": len(syn[0]), "n_dev": 0 if dev is None else len(dev[0]),
        "synthetic_labels": training.label_counts(syn[1]), "hyperparameters": hp, "types": list(TYPES),
        "script": "scripts/train_events.py",
    }
    model = training.fit(syn, dev, meta=meta, **hp)
    if not a.no_write:
        text = json.dumps(model.to_json(), separators=(",", ":")) + "\n"
        a.out.write_text(text, "utf-8")
        print(f"wrote {a.out} ({len(text) / 1e6:.2f} MB, {model.to_json()['n_rows']} weight rows)", file=sys.stderr)
    print(f"done in {time.time() - t0:.1f}s", file=sys.stderr)
    return 0


def _norm(events):
    out = []
    for e in events:
        out.append({"type": e["type"], "mode": (e.get("mode") or "").lower() or None,
                    "source": e.get("source"), "target": e.get("target")})
    return out


if __name__ == "__main__":
    sys.exit(main())
