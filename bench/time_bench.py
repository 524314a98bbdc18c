#!/usr/bin/env python3
"""Time-expression benchmark for Dossier's timex stage (``make bench-time``).

    .venv/bin/python bench/time_bench.py [--out bench/results/time.json] [--quick] [--folds 5]
    .venv/bin/python bench/time_bench.py --fit      # print the policy fitted on the whole dev set, then exit
    .venv/bin/python bench/time_bench.py --errors   # list the dev errors by class (bench/results/time_errors.txt)

Three parts, each with a baseline measured in the same run:

1. TempEval-3 dev (../shared/bench/tempeval3, TimeBank + AQUAINT): ``dossier.timex.extract_jsonl`` over
   dev.jsonl, scored by the benchmark's own scorer (../shared/bench/score/timex.py, run as a subprocess):
   value F1, relaxed and strict span F1, type accuracy. Baseline: dateparser's ``search_dates`` with
   RELATIVE_BASE = the DCT, each hit's value written at the granularity dateparser reports for it (the naive
   baseline of the benchmark's README). The policy choices fitted on the dev set (data/timex_policy.json: the
   learned gate on one-word readings and the tunable reading choices) are also k-fold cross-validated (k = 5 by
   default): the documents are split by a hash of their id, each fold is read with the choices fitted on the
   other k-1 folds, and the folds' predictions together are scored by the same scorer.
2. Seeds (../shared/corpus/seeds, gold ../shared/gold/seeds.json, section "times"): the seeds are ingested and
   exported with the ``dossier`` command; the stage is run on each exported document (clean text and
   ``published``) and matched against the gold as bench/score/dossier.py does (overlap with the gold text;
   value equal, or a time of day on the gold day). Baseline: the same dateparser reading, against the
   publication date (or the start of the inferred interval).
3. Speed: words per second per core (CPU time of this single-threaded process) of ``annotate`` alone over the
   Guardian corpus (../shared/corpus/guardian), against a ``str.split`` pass over the same texts.

Writes bench/results/time.json and a Markdown summary next to it (time.md). Exit status 0, or 1 when a target
is missed (value F1 0.85, relaxed F1 0.90, seeds 21/21, 20,000 words/s).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import hashlib
import importlib.util
import itertools
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
SHARED = REPO.parent / "shared"
TE3 = SHARED / "bench" / "tempeval3"
SCORER = SHARED / "bench" / "score" / "timex.py"
DOSSIER_SCORER = SHARED / "bench" / "score" / "dossier.py"
SEEDS = SHARED / "corpus" / "seeds"
SEEDS_GOLD = SHARED / "gold" / "seeds.json"
GUARDIAN = SHARED / "corpus" / "guardian" / "guardian.jsonl"
DEFAULT_OUT = BENCH_DIR / "results" / "time.json"
TARGETS = {"value_f1": 0.85, "relaxed_f1": 0.90, "seeds_value": 1.0, "words_per_s": 20000}
GATE_MIN_COUNT, GATE_MIN_PRECISION = 2, 0.5
# a gated reading counts as right when its value is right (False: when its span overlaps a gold one). Value F1 is
# what the gate serves: a reading whose span is found but whose value is wrong lowers it (5-fold CV value F1 with
# the current engine: on value 0.8219, on span 0.8207; see the notes)
GATE_ON_VALUE = True

# The notes under the generated tables of time.md (kept here so that a re-run does not lose them). Update them with
# the engine: they describe what changed and what the remaining errors are.
NOTES = """## Notes on this run (issue 7: value F1)

What changed since the previous run (rules and data in data/timex_*.json, each with a test in tests/test_timex.py):

- The gate on one-word readings is fitted on value, not span: a key is rejected when fewer than half of its readings
  have the gold value (a reading with the right span but a wrong value lowers value F1). Same 5-fold split, same
  engine: CV value F1 0.8219 gated on value against 0.8207 gated on span (per fold 0.781 / 0.845 / 0.844 / 0.822 /
  0.822 against 0.777 / 0.842 / 0.843 / 0.823 / 0.824). The price is relaxed F1 (CV 0.943 against 0.949): "the week"
  (the WSJ 1989-WXX cases, value right 0 of 4), "the days / the weeks" (dated by gold to the month of an event),
  "recent years", "quarters" are now dropped. A minimum of 3 readings per key instead of 2 gave CV 0.8191 (worse).
- "a year" after an amount ("$500 million a year", "700 seats a week", "24 hours a day") has its own gate key,
  "rate": the unit of a rate, part of a quantity; 3 of its 10 readings have the gold value. The gate rejects it.
- A time word capitalised inside a name is not an expression: "This Week" (a TV programme), "High Noon" (a film),
  "VOA Today" (4 false alarms, 0 gold cases; holidays such as "Thanksgiving Day" are another class).
- FUTURE_REF phrases: "the near term", "the short term", "the long term", "a later date", "as soon as possible";
  "year's end" (and month's / quarter's end) like "year-end".
- Tense: a present tense in a clause of time or condition speaks of the future ("when the case is heard in May", "if
  it is approved by Friday"; not a gerund: "after being found"); "last / next Thanksgiving" is the one strictly
  before / after the reference (it followed the tense before); "last February" written in March is a year back (the
  month just past is "last month").
- Spans: the full stop after "May", "June", "July" is not an abbreviation dot ("in May." was "May.").

Overfitting check: CV value F1 0.8178 -> 0.8219, per fold (held out, choices fitted on the other folds) 0.773 ->
0.781, 0.840 -> 0.845, 0.839 -> 0.844, 0.819 -> 0.822, 0.826 -> 0.822. Fold 4 loses 0.004: its documents read "the
weekend" right twice, and "rate", "recent days" and "months" once each, keys the other folds reject. In-sample the
gain is larger (0.8203 -> 0.828) because the gate is fitted on all of dev. Misses rise (59 -> 78: spans the gate now
drops) while wrong values fall (261 -> 218) and false alarms fall (133 -> 120).

"now", "recently", "current": no consistent pattern the TimeML guidelines support. Of 84 "now", 60 are gold (0.71);
sentence-initial "Now" is gold 5 times and not 7 times (discourse uses such as "Now, he says" and "But now we're
going to go back" fall on both sides), "for now" 2 and 1, "until now" 2 and 1. "recently" is right 13 of 20,
"current" 9 of 17, "currently" 10 of 16, all above the break-even of a reading (about value F1 / 2 = 0.41), so they
stay. "today's" is gold in "today's editions", "today's geography quiz" but not in "today's youth", "today's world",
"today's personal computers" (generic "nowadays"), 2 and 3: too few for a rule.

Remaining wrong values are mostly classes where the gold itself is inconsistent, counted on the gold: a weekday or
"this" / "last" with "night" is written with TNI 7 times, TEV 3 times and without a part of day 5 times, with
"morning" TMO 5 times and without 5; "over the weekend" is a date 5 times and P2D twice; "for the year" P1Y 4 times
and the year 3; "recent years" PAST_REF 3 and PXY 2, "recent days" 1 and 1; quarters as durations P9M, PXM, P2Q,
PXQ; "a decade" P1E / P10Y / PXY, "centuries" PXC and PXE; "last week" 1989-WXX 15 times in WSJ but an ISO week 7
times; "a year ago" a quarter 45 times, a year 9, a day 6; 6 week values unpadded (2000-W7); "Thursday, Jan. 6" one
expression 5 times and two once. Several single gold values contradict their own text ("13 years" P12Y, "six months"
P6D, "Sept. 27, 1989" 1989-11-27, "the last three years" P1Y, "July last year" 1997-06). About 15 weekday errors
come from 3 documents (AP900815-0044, APW20000115.0209, WSJ910225-0066) whose events lie a week before their DCT.
None of these is special-cased; the 0.85 target would need following them."""

sys.path.insert(0, str(REPO))
from dossier.timex import annotate, extract_jsonl  # noqa: E402
from dossier.timex.lexicon import lexicon  # noqa: E402
from dossier.timex.normalise import policy_override  # noqa: E402


def _module(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def fold_of(doc_id: str, k: int = 5) -> int:
    return int(hashlib.sha1(doc_id.encode()).hexdigest(), 16) % k


# -- scoring ---------------------------------------------------------------------------------------------------


def score_file(pred_rows: list[dict]) -> dict:
    """The benchmark's scorer, as a subprocess, on predictions for (some of) the dev documents. Gold documents
    without a prediction line count as documents with no time expressions, so pass one line per scored doc and
    score a subset through ``score_subset``."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as fh:
        for row in pred_rows:
            fh.write(json.dumps(row) + "\n")
        path = fh.name
    try:
        out = subprocess.run([sys.executable, str(SCORER), path, str(TE3), "--json"], capture_output=True,
                             text=True, check=True)
    finally:
        os.unlink(path)
    return json.loads(out.stdout.strip().splitlines()[-1])


def score_subset(sc, gold: dict, pred: dict, ids) -> dict:
    """The same metrics as score/timex.py (its own match function) over the documents ``ids``."""
    n_gold = n_pred = strict = relaxed = type_ok = value_ok = 0
    for i in ids:
        g, p = gold[i], pred.get(i, [])
        n_gold += len(g)
        n_pred += len(p)
        s, pairs = sc.match(g, p)
        strict += s
        relaxed += len(pairs)
        for a, b in pairs:
            type_ok += g[a]["type"] == p[b]["type"]
            value_ok += g[a]["value"] == p[b]["value"]

    def f1(tp):
        pr = tp / n_pred if n_pred else 0.0
        rc = tp / n_gold if n_gold else 0.0
        return 2 * pr * rc / (pr + rc) if pr + rc else 0.0

    return {"value_f1": round(f1(value_ok), 4), "relaxed_f1": round(f1(relaxed), 4), "strict_f1": round(f1(strict), 4),
            "type_accuracy": round(type_ok / relaxed, 4) if relaxed else 0.0,
            "value_accuracy": round(value_ok / relaxed, 4) if relaxed else 0.0, "n_gold": n_gold, "n_pred": n_pred}


def predict(docs: list[dict]) -> dict:
    return {r["id"]: r["timex"] for r in extract_jsonl(json.dumps(d) for d in docs)}


# -- fitting the policy (gate + tunable choices) ---------------------------------------------------------------


@contextlib.contextmanager
def _tokens_cached():
    """While fitting, tokenise each text once: the tokens do not depend on the policy being searched (the stage
    itself keeps no such cache; the speed part runs without it)."""
    from dossier.timex import stage

    original, cache = stage.tokenize, {}

    def cached(text: str):
        got = cache.get(text)
        if got is None:
            got = cache[text] = original(text)
        return got

    stage.tokenize = cached
    try:
        yield
    finally:
        stage.tokenize = original


def fit(sc, gold: dict, docs: list[dict]) -> dict:
    with _tokens_cached():
        return _fit(sc, gold, docs)


def _fit(sc, gold: dict, docs: list[dict]) -> dict:
    """The policy choices that read ``docs`` best: the gate on one-word readings (a key is rejected when fewer
    than half of its readings overlap a gold expression, over at least two), then the tunable choices (grid
    search on value F1)."""
    base = lexicon().policy
    stats: dict = {}
    with policy_override(gate_reject=[]):
        for d in docs:
            found = annotate(d["text"], d["dct"], gate_keys=True)
            g = gold[d["id"]]
            _, pairs = sc.match(g, found)
            right = {b for a, b in pairs if g[a]["value"] == found[b]["value"] or not GATE_ON_VALUE}
            for k, t in enumerate(found):
                if t.get("gate"):
                    n, tp = stats.get(t["gate"], (0, 0))
                    stats[t["gate"]] = (n + 1, tp + (k in right))
    reject = sorted(k for k, (n, tp) in stats.items() if n >= GATE_MIN_COUNT and tp / n < GATE_MIN_PRECISION)
    grid = base["tunable"]
    names = list(grid)
    best, best_cfg = -1.0, None
    ids = [d["id"] for d in docs]
    for values in itertools.product(*(grid[n] for n in names)):
        cfg = dict(zip(names, values, strict=True))
        with policy_override(gate_reject=reject, **cfg):
            s = score_subset(sc, gold, predict(docs), ids)["value_f1"]
        if s > best + 1e-9:
            best, best_cfg = s, cfg
    return {"gate_reject": reject, **best_cfg, "_fit_value_f1": best}


def _policy_of(fitted: dict) -> dict:
    return {k: v for k, v in fitted.items() if not k.startswith("_")}


# -- error analysis ----------------------------------------------------------------------------------------------

_REF_WORDS = {"now", "currently", "current", "recent", "recently", "soon", "future", "the future", "previously",
              "formerly", "once", "earlier", "already", "yet", "then", "today", "daily", "the past"}


def _error_class(gv: str, pv: str, gt: str, pt: str) -> str:
    """The cause of a wrong value, read from its shape (gold value, predicted value)."""
    ymd = re.compile(r"\d{4}-\d\d-\d\d")
    if gv == pv:
        return f"type only ({gt} read as {pt})"
    if re.fullmatch(r"\d{4}-WXX", gv) and re.fullmatch(r"\d{4}-W\d\d", pv):
        return "convention: gold week left unspecified (1989-WXX for 'last week')"
    if re.fullmatch(r"\d{4}-W\d", gv) and pv == gv[:6] + "0" + gv[6:]:
        return "convention: gold week number not padded (2000-W7)"
    if ymd.match(gv) and ymd.match(pv):
        d = (_dt.date.fromisoformat(pv[:10]) - _dt.date.fromisoformat(gv[:10])).days
        if d == 0:
            return "part of day kept or dropped ('Friday night' as 2000-01-07 or 2000-01-07TNI)"
        if abs(d) == 7:
            return "weekday a week off (tense of the sentence, or a story older than its DCT)"
        return "day differs (anchor: DCT vs the event last mentioned)"
    if "X" in gv and not gv.startswith("P") and gv.replace("X", "")[:3] == pv[:3]:
        return "convention: gold masks a field the text fixes (1968-XX, 198X, 1989-QX, 1998-XX-XX)"
    if re.fullmatch(r"\d{4}(-Q\d)?", gv) and re.fullmatch(r"\d{4}(-Q\d)?", pv) and gv[:4] == pv[:4] and \
            ("Q" in gv) != ("Q" in pv):
        return "results story: year vs quarter ('a year ago', 'last year', 'the 1988 period')"
    if gv.startswith(pv) or pv.startswith(gv):
        return "granularity (a year, a month or a day where gold has another)"
    if re.fullmatch(r"\d{4}-Q\d", gv) and re.fullmatch(r"\d{4}-Q\d", pv):
        return "quarter differs (fiscal quarters, the quarter a story reports on)"
    if re.fullmatch(r"\d{4}-\d\d-\d\d", gv) and re.fullmatch(r"\d{4}-(Q\d|W\d\d)", pv) or \
            re.fullmatch(r"\d{4}-\d\d", gv) and re.fullmatch(r"\d{4}-W\d\d", pv):
        return "granularity (a year, a month or a day where gold has another)"
    if gv.startswith("P") != pv.startswith("P"):
        if "REF" in gv or "REF" in pv:
            return "vague period: reference vs duration ('recent years' PAST_REF or PXY)"
        return "duration vs point in time ('last week' P1W, 'the weekend' P2D, 'the year ended' P1Y)"
    if gv.startswith("P") and pv.startswith("P"):
        return "duration amount or unit differs"
    if re.fullmatch(r"[\d-]+", gv) and re.fullmatch(r"[\d-]+", pv) and len(gv) == len(pv):
        return "year or month differs (anchor, tense)"
    return "other"


def error_analysis(sc, gold: dict, pred: dict, docs: list[dict], examples: int = 0) -> dict:
    """Wrong values grouped by cause, misses and false alarms grouped by kind, with counts (and examples)."""
    texts = {d["id"]: d["text"] for d in docs}
    wrong, missed, false = {}, {}, {}

    def add(table, key, ex):
        n, exs = table.get(key, (0, []))
        table[key] = (n + 1, exs + [ex] if len(exs) < examples else exs)

    def kind(text: str) -> str:
        low = " ".join(text.lower().split())
        if low in _REF_WORDS:
            return f"one word: {low}"
        return "other"

    for doc_id, g in gold.items():
        p = pred.get(doc_id, [])
        _, pairs = sc.match(g, p)
        t = texts.get(doc_id, "")
        for a, b in pairs:
            if g[a]["value"] != p[b]["value"]:
                add(wrong, _error_class(g[a]["value"], p[b]["value"], g[a]["type"], p[b]["type"]),
                    f"{doc_id}: {g[a]['text']!r} gold {g[a]['value']} / {t[p[b]['start']:p[b]['end']]!r} "
                    f"read {p[b]['value']}")
        hit_g, hit_p = {a for a, _ in pairs}, {b for _, b in pairs}
        for a, x in enumerate(g):
            if a not in hit_g:
                add(missed, kind(x["text"]), f"{doc_id}: {x['text']!r} {x['value']}")
        for b, x in enumerate(p):
            if b not in hit_p:
                add(false, kind(t[x["start"]:x["end"]]), f"{doc_id}: {t[x['start']:x['end']]!r} {x['value']}")

    def table(d):
        return {k: {"count": n, "examples": ex} if examples else n
                for k, (n, ex) in sorted(d.items(), key=lambda kv: -kv[1][0])}

    return {"wrong_value": table(wrong), "missed": table(missed), "false_alarm": table(false)}


# -- dateparser baseline ---------------------------------------------------------------------------------------


def dateparser_reading(text: str, ref: _dt.date | None) -> list[dict]:
    from dateparser.date import DateDataParser
    from dateparser.search import search_dates

    base = _dt.datetime.combine(ref or _dt.date.today(), _dt.time())
    settings = {"RELATIVE_BASE": base, "RETURN_AS_TIMEZONE_AWARE": False}
    hits = search_dates(text, languages=["en"], settings=settings) or []
    parser = DateDataParser(languages=["en"], settings=settings)
    out, pos = [], 0
    for s, when in hits:
        start = text.find(s, pos)
        if start < 0:
            start = text.find(s)
            if start < 0:
                continue
        pos = start + len(s)
        period = parser.get_date_data(s).period or "day"
        if period == "year":
            value = f"{when.year:04d}"
        elif period == "month":
            value = when.strftime("%Y-%m")
        elif period == "week":
            iso = when.isocalendar()
            value = f"{iso[0]:04d}-W{iso[1]:02d}"
        elif period == "time":
            value = when.strftime("%Y-%m-%dT%H:%M")
        else:
            value = when.date().isoformat()
        out.append({"start": start, "end": start + len(s), "type": "TIME" if period == "time" else "DATE",
                    "value": value, "text": s})
    return out


# -- parts -----------------------------------------------------------------------------------------------------


def part_tempeval(quick: bool, k_folds: int = 5) -> dict:
    sc = _module(SCORER, "te3_scorer")
    docs = _jsonl(TE3 / "dev.jsonl")
    gold = {r["id"]: r["timex"] for r in _jsonl(TE3 / "gold.jsonl")}
    words = sum(len(d["text"].split()) for d in docs)
    res: dict = {"documents": len(docs), "words": words, "gold_expressions": sum(len(v) for v in gold.values())}

    t = time.process_time()
    rows = list(extract_jsonl(json.dumps(d) for d in docs))
    res["dossier_seconds"] = round(time.process_time() - t, 3)
    res["dossier"] = score_file(rows)
    shipped_pred = {r["id"]: r["timex"] for r in rows}
    res["errors"] = error_analysis(sc, gold, shipped_pred, docs)

    if not quick:
        t = time.process_time()
        base_rows = [{"id": d["id"], "timex": dateparser_reading(d["text"], _dt.date.fromisoformat(d["dct"]))}
                     for d in docs]
        res["baseline_seconds"] = round(time.process_time() - t, 3)
        res["baseline"] = score_file(base_rows)
        res["baseline_name"] = "dateparser search_dates, RELATIVE_BASE = DCT"

    # k-fold cross-validation of the fitted policy choices (document-level split)
    folds = [[d for d in docs if fold_of(d["id"], k_folds) == k] for k in range(k_folds)]
    cv_rows, per_fold, fitted = [], [], []
    for k in range(k_folds):
        train = [d for j, fold in enumerate(folds) if j != k for d in fold]
        test = folds[k]
        f = fit(sc, gold, train)
        fitted.append(f)
        with policy_override(**_policy_of(f)):
            pred = predict(test)
        cv_rows += [{"id": i, "timex": v} for i, v in pred.items()]
        per_fold.append({"fold": k, "documents": len(test), "fitted_on_other_folds": f,
                         "held_out": score_subset(sc, gold, pred, [d["id"] for d in test]),
                         "shipped_policy": score_subset(sc, gold, shipped_pred, [d["id"] for d in test])})
    res["cv"] = {"k": k_folds, "scores": score_file(cv_rows), "folds": per_fold,
                 "split": f"sha1(id) mod {k_folds}",
                 "gate": {"min_count": GATE_MIN_COUNT, "min_precision": GATE_MIN_PRECISION}}
    full = fit(sc, gold, docs)
    shipped = lexicon().policy
    res["shipped_policy_matches_full_fit"] = all(shipped.get(k) == v for k, v in _policy_of(full).items())
    res["full_fit"] = full
    return res


def part_seeds(quick: bool) -> dict:
    from dossier.document import Published

    sd = _module(DOSSIER_SCORER, "dossier_scorer")
    gold = json.loads(SEEDS_GOLD.read_text("utf-8")).get("times", [])
    exe = Path(sys.executable).with_name("dossier")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "dossier.cli"]
    with tempfile.TemporaryDirectory(prefix="dossier-time-") as tmp:
        db, out = os.path.join(tmp, "seeds.db"), os.path.join(tmp, "export")
        subprocess.run([*cmd, "ingest", str(SEEDS), "--db", db, "--quiet"], check=True, capture_output=True)
        subprocess.run([*cmd, "export", out, "--db", db], check=True, capture_output=True)
        docs = _jsonl(Path(out) / "documents.jsonl")

    def run(reader) -> dict:
        times = {d["id"]: reader(d) for d in docs}
        found = ok = 0
        misses = []
        for g in gold:
            d = next((x for x in docs if x["source"].endswith(g["file"])), None)
            occ = sd.locate(d["text"], g["text"]) if d else []
            cands = [t for t in times.get(d["id"], [])] if d else []
            cands = [t for t in cands if sd.overlaps(t, occ)]
            found += bool(cands)
            good = any(t["value"] == g["value"] or t["value"].startswith(g["value"] + "T") for t in cands)
            ok += good
            if not good:
                misses.append(f"{g['file']}: {g['text']!r} = {g['value']}; got "
                              + (", ".join(t["value"] for t in cands) or "nothing"))
        return {"found": round(found / len(gold), 4), "value": round(ok / len(gold), 4), "found_n": found,
                "value_n": ok, "total": len(gold), "misses": misses,
                "expressions": sum(len(v) for v in times.values())}

    res = {"documents": len(docs), "gold": len(gold),
           "dossier": run(lambda d: annotate(d["text"], Published(**d["published"])))}
    if not quick:
        def base(d):
            p = d["published"]
            ref = p.get("date") or p.get("after")
            return dateparser_reading(d["text"], _dt.date.fromisoformat(ref) if ref else None)
        res["baseline"] = run(base)
        res["baseline_name"] = "dateparser search_dates, RELATIVE_BASE = publication date (or interval start)"
    return res


def part_speed(min_seconds: float) -> dict:
    texts = [r["text"] for r in _jsonl(GUARDIAN)]
    words = sum(len(t.split()) for t in texts)
    annotate("Warm-up on Tuesday, 6 March 2022.", "2022-03-06")

    def timed(fn) -> tuple[float, int]:
        rounds, t0 = 0, time.process_time()
        while True:
            for t in texts:
                fn(t)
            rounds += 1
            el = time.process_time() - t0
            if el >= min_seconds:
                return el, rounds

    el, rounds = timed(lambda t: annotate(t, "2019-04-10"))
    bel, brounds = timed(lambda t: len(t.split()))
    found = sum(len(annotate(t, "2019-04-10")) for t in texts)
    return {"corpus": "guardian.jsonl", "documents": len(texts), "words": words, "expressions": found,
            "words_per_s": round(words * rounds / el), "seconds": round(el, 3), "rounds": rounds,
            "baseline": "str.split", "baseline_words_per_s": round(words * brounds / bel),
            "ratio_to_baseline": round((words * rounds / el) / (words * brounds / bel), 5),
            "clock": "time.process_time (CPU time of one single-threaded process = one core)"}


def machine() -> dict:
    try:
        commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True,
                                check=False).stdout.strip() or None
    except OSError:
        commit = None
    return {"date": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"), "nproc": os.cpu_count(),
            "python": platform.python_version(), "platform": platform.platform(), "cpu": platform.processor() or None,
            "commit": commit}


def markdown(r: dict) -> str:
    te, cvr, sd, sp = r["tempeval3"], r["tempeval3"]["cv"], r["seeds"], r["speed"]
    cv = cvr["scores"]
    d, b = te["dossier"], te.get("baseline", {})
    prev = r.get("previous") or {}

    def row(name, s):
        return (f"| {name} | {s.get('value_f1', '')} | {s.get('relaxed_f1', '')} | {s.get('strict_f1', '')} | "
                f"{s.get('type_accuracy', '')} | {s.get('value_accuracy', '')} | {s.get('n_pred', '')} |")

    lines = [
        "# Dossier time-expression benchmark", "",
        f"Run {r['machine']['date']} with `{r['command']}` (commit {r['machine']['commit']}).", "",
        f"## TempEval-3 dev ({te['documents']} documents, {te['words']:,} words, {te['gold_expressions']} gold "
        "expressions; scored by ../shared/bench/score/timex.py)", "",
        "| system | value F1 | relaxed F1 | strict F1 | type acc. | value acc. | predicted |",
        "|---|---:|---:|---:|---:|---:|---:|",
        row("dossier timex (shipped policy, fitted on all of dev)", d),
        row(f"dossier timex, {cvr['k']}-fold cross-validated (each fold read with choices fitted on the others)", cv),
    ]
    if prev.get("dossier"):
        lines.append(row(f"previous run ({prev.get('date', '?')}), shipped policy", prev["dossier"]))
    if prev.get("cv"):
        lines.append(row(f"previous run, {prev.get('cv_name', 'cross-validated')}", prev["cv"]))
    if b:
        lines.append(row(f"baseline: {te['baseline_name']}", b))
    lines += ["",
              f"Targets: value F1 >= {TARGETS['value_f1']}, relaxed F1 >= {TARGETS['relaxed_f1']}. "
              f"Shipped policy equals the full-dev fit: {te['shipped_policy_matches_full_fit']}.", "",
              "Per held-out fold (choices fitted on the other folds; and the shipped policy on the same documents):",
              ""]
    for f in cvr["folds"]:
        h, s = f["held_out"], f["shipped_policy"]
        lines.append(f"- fold {f['fold']} ({f['documents']} documents): value F1 {h['value_f1']} (shipped "
                     f"{s['value_f1']}), relaxed F1 {h['relaxed_f1']}, strict F1 {h['strict_f1']}; gate rejects "
                     f"{len(f['fitted_on_other_folds']['gate_reject'])} keys")
    err = te.get("errors")
    if err:
        lines += ["", "### Remaining errors by cause (shipped policy; `--errors` lists examples)", "",
                  "| wrong value | count |", "|---|---:|"]
        lines += [f"| {k} | {n} |" for k, n in err["wrong_value"].items()]
        lines += ["", "| missed (gold expression with no overlapping prediction) | count |", "|---|---:|"]
        lines += [f"| {k} | {n} |" for k, n in err["missed"].items()]
        lines += ["", "| false alarm (prediction with no overlapping gold expression) | count |", "|---|---:|"]
        lines += [f"| {k} | {n} |" for k, n in err["false_alarm"].items()]
    lines += ["", "## Seeds (gold/seeds.json, times section, matched as score/dossier.py does)", "",
              "| system | found | value |", "|---|---:|---:|",
              f"| dossier timex | {sd['dossier']['found_n']}/{sd['gold']} | {sd['dossier']['value_n']}/{sd['gold']} |"]
    if "baseline" in sd:
        lines.append(f"| baseline: {sd['baseline_name']} | {sd['baseline']['found_n']}/{sd['gold']} | "
                     f"{sd['baseline']['value_n']}/{sd['gold']} |")
    for m in sd["dossier"]["misses"]:
        lines.append(f"- missed: {m}")
    lines += ["", f"## Speed ({sp['corpus']}: {sp['documents']} documents, {sp['words']:,} words; {sp['clock']})", "",
              "| system | words/s per core |", "|---|---:|",
              f"| dossier timex (`annotate`) | {sp['words_per_s']:,} |",
              *([f"| previous run | {prev['words_per_s']:,} |"] if prev.get("words_per_s") else []),
              f"| baseline: `str.split` | {sp['baseline_words_per_s']:,} |", "",
              f"Target: >= {TARGETS['words_per_s']:,} words/s per core. "
              f"Ratio to the str.split baseline: {sp['ratio_to_baseline']}."]
    if "baseline_seconds" in te:
        lines.append(f"On TempEval-3 dev (CPU seconds, extraction only): dossier {te['dossier_seconds']} s, "
                     f"dateparser baseline {te['baseline_seconds']} s.")
    lines += ["", NOTES.rstrip(), ""]
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(DEFAULT_OUT))
    ap.add_argument("--quick", action="store_true", help="skip the (slow) dateparser baselines")
    ap.add_argument("--fit", action="store_true", help="print the policy fitted on the whole dev set and exit")
    ap.add_argument("--min-seconds", type=float, default=3.0, help="CPU seconds per speed measurement")
    ap.add_argument("--folds", type=int, default=5, help="folds of the cross-validation (document-level split)")
    ap.add_argument("--errors", type=int, nargs="?", const=5, default=None, metavar="N",
                    help="print the dev errors grouped by cause, N examples each, and exit")
    args = ap.parse_args(argv)
    if args.fit or args.errors is not None:
        sc = _module(SCORER, "te3_scorer")
        docs = _jsonl(TE3 / "dev.jsonl")
        gold = {r["id"]: r["timex"] for r in _jsonl(TE3 / "gold.jsonl")}
        if args.fit:
            print(json.dumps(fit(sc, gold, docs), indent=2))
        else:
            print(json.dumps(error_analysis(sc, gold, predict(docs), docs, args.errors), indent=2))
        return 0
    out = Path(args.out)
    previous = None
    if out.exists():  # the headline figures of the run this one replaces, shown beside the new ones
        try:
            old = json.loads(out.read_text("utf-8"))
            ote = old["tempeval3"]
            ocv = ote.get("cv") or ote.get("cv2") or {}
            previous = {"date": old["machine"]["date"], "dossier": ote["dossier"], "cv": ocv.get("scores"),
                        "cv_name": f"{ocv.get('k', 2)}-fold cross-validated",
                        "words_per_s": old["speed"]["words_per_s"]}
        except (KeyError, ValueError, TypeError):
            previous = None
    r = {"benchmark": "dossier-timex", "machine": machine(),
         "command": "python bench/time_bench.py" + (" --quick" if args.quick else ""),
         "previous": previous,
         "tempeval3": part_tempeval(args.quick, args.folds), "seeds": part_seeds(args.quick),
         "speed": part_speed(args.min_seconds)}
    te, sd, sp = r["tempeval3"]["dossier"], r["seeds"]["dossier"], r["speed"]
    r["targets"] = {
        "value_f1": {"target": TARGETS["value_f1"], "measured": te["value_f1"],
                     "cv": r["tempeval3"]["cv"]["scores"]["value_f1"], "met": te["value_f1"] >= TARGETS["value_f1"]},
        "relaxed_f1": {"target": TARGETS["relaxed_f1"], "measured": te["relaxed_f1"],
                       "cv": r["tempeval3"]["cv"]["scores"]["relaxed_f1"],
                       "met": te["relaxed_f1"] >= TARGETS["relaxed_f1"]},
        "seeds_value": {"target": TARGETS["seeds_value"], "measured": sd["value"],
                        "met": sd["value"] >= TARGETS["seeds_value"]},
        "words_per_s": {"target": TARGETS["words_per_s"], "measured": sp["words_per_s"],
                        "met": sp["words_per_s"] >= TARGETS["words_per_s"]},
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(r, indent=2) + "\n", encoding="utf-8")
    md = markdown(r)
    out.with_suffix(".md").write_text(md, encoding="utf-8")
    print(md)
    return 0 if all(t["met"] for t in r["targets"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
