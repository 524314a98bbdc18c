"""Training data and training runs for the event model (used by scripts/train_events.py and bench/events_bench.py).

Training examples are sentences with a PLOVER type:

- **ngec_synthetic** (4,500 machine-written stories, one type per story): the story's label belongs to the
  sentence that reports its event, so among the story's first three sentences the first one whose rule reading
  gives the label is taken, else the first sentence. Classes are weighted to equal total weight (the stories are
  very unbalanced: CONCEDE 780, AID 84).
- **plover_gsr dev** records (optional, in folds): real news sentences with a hand-coded type; together they weigh
  as much as the synthetic set times ``dev_weight``.

Parsed sentences are cached as a spaCy DocBin (``~/.cache/dossier`` or ``$DOSSIER_CACHE``), keyed by the input's
digest and the spaCy model, so retraining and cross-validation do not re-parse.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from pathlib import Path

from .classify import _attribution_tokens, attributions, features, predicates, read
from .extract import SPACY_MODEL, load_nlp, record_events
from .lexicon import TYPES
from .model import LinearModel, train

SYN_CHARS = 700          # parse the beginning of each story (its first sentences)
SYN_SENTENCES = 3
DEFAULTS = {"l2": 0.1, "steps": 100, "lr": 0.05, "dev_weight": 1.0}
SELECT = "agree"


def cache_dir() -> Path:
    d = Path(os.environ.get("DOSSIER_CACHE") or Path.home() / ".cache" / "dossier")
    d.mkdir(parents=True, exist_ok=True)
    return d


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def parse_cached(path: Path, texts_labels, tag: str, n_process: int = 1):
    """Parse ``[(text, context)]`` once and cache the Docs (DocBin); returns ``[(Doc, context)]``."""
    from spacy.tokens import DocBin

    nlp = load_nlp()
    key = f"events-{tag}-{_digest(path)}-{SPACY_MODEL}-{nlp.meta.get('version')}.spacy"
    f = cache_dir() / key
    items = list(texts_labels)
    if f.exists():
        docs = list(DocBin().from_disk(f).get_docs(nlp.vocab))
        if len(docs) == len(items):
            return list(zip(docs, [c for _, c in items], strict=True))
    docs = list(nlp.pipe((t for t, _ in items), batch_size=64, n_process=n_process))
    db = DocBin(store_user_data=False)
    for d in docs:
        db.add(d)
    db.to_disk(f)
    return list(zip(docs, [c for _, c in items], strict=True))


def load_synthetic(path: Path, n_process: int = 1):
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    items = [(r["text"][:SYN_CHARS], {"id": r["id"], "type": r["type"], "mode": r.get("mode")}) for r in rows]
    return parse_cached(path, items, "synthetic", n_process)


def load_gsr(folder: Path):
    """plover_gsr records: ``[(Doc, {"id", "type", "mode", ...gold})]`` (gold may be absent for a test half)."""
    texts = [json.loads(line) for line in (folder / "dev.jsonl").read_text("utf-8").splitlines() if line.strip()]
    gold = {}
    gfile = folder / "gold.jsonl"
    if gfile.exists():
        for line in gfile.read_text("utf-8").splitlines():
            if line.strip():
                g = json.loads(line)
                gold[g["id"]] = g
    items = [(r["text"], {"id": r["id"], **{k: v for k, v in gold.get(r["id"], {}).items() if k != "id"}})
             for r in texts]
    return parse_cached(folder / "dev.jsonl", items, "gsr")


def best_reading(sent):
    """The reading a sentence is trained on: its main predicate's, or the first predicate with a rule type."""
    atts = attributions(sent)
    skip = _attribution_tokens(atts)
    preds = predicates(sent, atts)
    first = None
    for p in preds:
        r = read(sent, p)
        if first is None:
            first = r
        if r.rule_type is not None:
            return r, skip
    return first, skip


def synthetic_examples(docs, select: str = SELECT) -> tuple[list, list, list]:
    """(features, labels, weights) of the synthetic stories, one sentence each, classes weighted equally.
    ``select``: "first_or_agree" (the first of the first three sentences whose rule reading gives the label, else
    the first sentence), "agree" (only such sentences: stories whose lede the rules read otherwise are dropped as
    noisy), "agree_or_silent" (also sentences the rules cannot read)."""
    feats, labels = [], []
    for doc, ctx in docs:
        sents = [s for s in doc.sents if len(s) >= 5][:SYN_SENTENCES]
        if not sents:
            continue
        chosen = None
        for s in sents:
            r, skip = best_reading(s)
            if r is not None and r.rule_type == ctx["type"]:
                chosen = (s, r, skip)
                break
        if chosen is None:
            r, skip = best_reading(sents[0])
            if select == "agree" or (select == "agree_or_silent" and r is not None and r.rule_type is not None):
                continue
            chosen = (sents[0], r, skip)
        s, r, skip = chosen
        feats.append(features(s, r, skip))
        labels.append(ctx["type"])
    counts = Counter(labels)
    weights = [1.0 / counts[t] for t in labels]
    return feats, labels, weights


def gsr_examples(docs) -> tuple[list, list]:
    feats, labels = [], []
    for doc, ctx in docs:
        sents = list(doc.sents)
        s = max(sents, key=len)
        r, skip = best_reading(s)
        feats.append(features(s, r, skip))
        labels.append(ctx["type"])
    return feats, labels


def fit(syn, dev=None, *, l2=DEFAULTS["l2"], steps=DEFAULTS["steps"], lr=DEFAULTS["lr"],
        dev_weight=DEFAULTS["dev_weight"], meta=None) -> LinearModel:
    """Train on synthetic examples (and dev examples, if given)."""
    X, y, w = list(syn[0]), list(syn[1]), list(syn[2])
    total = sum(w)
    if dev and dev[0]:
        per = dev_weight * total / len(dev[0])
        X += dev[0]
        y += dev[1]
        w += [per] * len(dev[0])
    return train(X, y, w, l2=l2, steps=steps, lr=lr, meta=meta)


def folds(ids: list[str], k: int) -> list[int]:
    """Deterministic fold of each record: by a hash of its id."""
    return [int(hashlib.sha1(i.encode()).hexdigest(), 16) % k for i in ids]


def predict_records(docs, model) -> list[dict]:
    return [{"id": ctx["id"], "events": record_events(doc, model=model)} for doc, ctx in docs]


def cross_validate(syn, gsr_docs, k: int = 5, **kw) -> list[dict]:
    """k-fold predictions over the dev records: each fold predicted by a model trained on synthetic + the other
    k-1 folds."""
    ex = gsr_examples(gsr_docs)
    fold = folds([ctx["id"] for _, ctx in gsr_docs], k)
    out: list[dict] = [None] * len(gsr_docs)  # type: ignore[list-item]
    for f in range(k):
        tr = [i for i in range(len(gsr_docs)) if fold[i] != f]
        te = [i for i in range(len(gsr_docs)) if fold[i] == f]
        model = fit(syn, ([ex[0][i] for i in tr], [ex[1][i] for i in tr]), **kw)
        for i, rec in zip(te, predict_records([gsr_docs[i] for i in te], model), strict=True):
            out[i] = rec
    return out


def label_counts(labels) -> dict:
    c = Counter(labels)
    return {t: c.get(t, 0) for t in TYPES}
