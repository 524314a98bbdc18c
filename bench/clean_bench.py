#!/usr/bin/env python3
"""Clean-stage benchmark for Dossier (``make bench-clean``).

    .venv/bin/python bench/clean_bench.py [--only extraction,cv,pubdate,noloss,speed,seeds] [--out FILE]

Each part is measured with its baseline in the same run, so the figures read as comparisons that hold across
machines. A part that fails is reported as failed (with the reason) and the others still run.

extraction  ../shared/bench/article_extraction (92 real pages, the dev half of the Zyte article extraction
            benchmark): ``dossier ingest`` the pages, ``dossier export``, score the export with
            ``score/article_extraction.py`` (F1 / precision / recall / accuracy of 4-token shingles). Baseline: plain
            ``trafilatura.extract(html)`` (default settings) on the same pages, written as a JSONL of {"id", "text"}
            and scored by the same scorer. Also the speed of ``html_to_text`` in this process against that of
            ``trafilatura.extract`` and of the extraction html_to_text did before (balanced ``bare_extraction``
            with metadata) (pages/s, one core, best of 3 passes), and the CLI's wall time.
cv          2-fold cross-validation of the choices made on that dev half (trafilatura's precision vs balanced
            mode, the line filter on or off, and its word-count thresholds): the pages are split by
            sha1(id) (the bit above the one that made the dev half); each fold is predicted with the setting that
            scores best on the other fold. The in-sample figure of the shipped setting is reported next to it.
pubdate     ../shared/bench/pubdate_html (486 pages, dev half of htmldate's evaluation set): ingest + export,
            scored by ``score/pubdate.py``. Baseline: ``htmldate.find_date(html, extensive_search=True,
            original_date=True)`` per page, scored the same way.
noloss      ../shared/corpus/guardian (233 clean article bodies): ingest + export; each original text is split
            into sentences (a simple regex splitter) and a sentence survives when its whitespace-normalised text
            occurs in the exported text of its document (matched by input id). Target: at least 99.5%.
            Baseline: the same count on the original texts themselves (100% by construction: checks the splitter
            and the matching).
speed       the clean stage alone, then the meta stage alone, in this process on plain-text documents built from
            the Guardian texts through the real JSON Lines reader (``article_from_json``) and ``to_document``:
            documents/s per core (CPU time of this single-threaded process; best of 3 passes over --speed-docs
            documents). Baseline: ``str.split`` over the same texts, so the figure is also a ratio.
            Target: clean >= 2,000 documents/s per core.
seeds       ``dossier ingest ../shared/corpus/seeds`` + export, scored by ``score/dossier.py`` against
            ``gold/seeds.json``: the documents and clean_text sections.

Writes bench/results/clean.json (everything) and clean.md (a summary), prints a table. Exit status 1 when a part
failed to run, else 0 (targets missed are reported, not fatal).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import gzip
import hashlib
import importlib.util
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
SHARED = REPO_ROOT.parent / "shared"
DEFAULT_OUT = BENCH_DIR / "results" / "clean.json"
PARTS = ("extraction", "cv", "pubdate", "noloss", "speed", "seeds")

EXTRACTION = SHARED / "bench" / "article_extraction"
PUBDATE = SHARED / "bench" / "pubdate_html"
GUARDIAN = SHARED / "corpus" / "guardian" / "guardian.jsonl"
SEEDS = SHARED / "corpus" / "seeds"
SEEDS_GOLD = SHARED / "gold" / "seeds.json"
SCORE = SHARED / "bench" / "score"

TARGETS = {"extraction_f1": 0.96, "noloss_share": 0.995, "clean_docs_per_core_s": 2000.0}

sys.path.insert(0, str(REPO_ROOT))  # run from anywhere: import this checkout's dossier


# ---------------------------------------------------------------------------------------------------------------
# helpers


class PartError(Exception):
    """A part could not be measured; the message says why."""


def run(cmd: list[str], timeout: float, cwd: Path | None = None) -> dict:
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=cwd)
    except subprocess.TimeoutExpired as e:
        raise PartError(f"timed out after {timeout:.0f} s: {' '.join(map(str, cmd))[:200]}") from e
    return {"returncode": p.returncode, "seconds": round(time.perf_counter() - t0, 2),
            "stdout": p.stdout, "stderr": p.stderr}


def tail(s: str, n: int = 1500) -> str:
    return s[-n:] if s else ""


def last_json(stdout: str) -> dict:
    for line in reversed(stdout.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    raise PartError(f"no JSON line in the output: {tail(stdout, 300)!r}")


def need(path: Path) -> Path:
    if not path.exists():
        raise PartError(f"{path} not found (../shared must be beside the repository)")
    return path


def ingest_export(ctx: dict, name: str, inputs: list[str], timeout: float) -> dict:
    """``dossier ingest`` then ``dossier export`` into a fresh folder; returns the two runs and the export path."""
    work = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=ctx["tmp"]))
    db, out = work / "store.db", work / "out"
    ing = run([ctx["dossier"], "ingest", *inputs, "--db", str(db), "--quiet"], timeout)
    if ing["returncode"] not in (0, 1) or not db.exists():
        raise PartError(f"dossier ingest failed (exit {ing['returncode']}): {tail(ing['stderr'], 600)}")
    exp = run([ctx["dossier"], "export", str(out), "--db", str(db)], timeout)
    if exp["returncode"] != 0:
        raise PartError(f"dossier export failed (exit {exp['returncode']}): {tail(exp['stderr'], 600)}")
    rejected = [ln for ln in ing["stderr"].splitlines() if ln.rstrip().endswith("skipped")]
    return {"out": out, "ingest_seconds": ing["seconds"], "ingest_exit": ing["returncode"],
            "export_seconds": exp["seconds"], "rejected": len(rejected), "rejected_examples": rejected[:5]}


def scorer(name: str):
    spec = importlib.util.spec_from_file_location(f"score_{name}", need(SCORE / f"{name}.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def score_cli(script: str, pred: Path, gold: Path, timeout: float = 600) -> dict:
    r = run([sys.executable, str(need(SCORE / script)), str(pred), str(gold), "--json"], timeout)
    if r["returncode"] != 0:
        raise PartError(f"{script} exit {r['returncode']}: {tail(r['stderr'] or r['stdout'], 600)}")
    return last_json(r["stdout"])


def pages() -> list[tuple[str, str]]:
    html_dir = need(EXTRACTION / "html")
    return [(p.name.split(".", 1)[0], p.read_text("utf-8")) for p in sorted(html_dir.glob("*.html"))]


def best_rate(fn, items, repeats: int = 3) -> float:
    """Items per second of CPU time (this process), best of ``repeats`` passes."""
    best = None
    for _ in range(repeats):
        t0 = time.process_time()
        for x in items:
            try:
                fn(x)
            except Exception:  # a rejected page still took its time
                pass
        dt = time.process_time() - t0
        best = dt if best is None else min(best, dt)
    return len(items) / best if best else float("inf")


def quiet_trafilatura():
    import logging

    for name in ("trafilatura", "htmldate", "readability", "justext"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


# ---------------------------------------------------------------------------------------------------------------
# parts


def previous_html_to_text(html: str):
    """The extraction html_to_text did before precision mode and the line filter: trafilatura's balanced
    bare_extraction with metadata on the lxml tree (a speed reference only)."""
    import trafilatura

    from dossier.clean.html import parse_html

    return trafilatura.bare_extraction(parse_html(html), with_metadata=True, include_comments=False,
                                       include_tables=True, deduplicate=False)


def part_extraction(ctx: dict) -> dict:
    import trafilatura

    from dossier.clean.html import html_to_text

    quiet_trafilatura()
    need(EXTRACTION / "gold.jsonl")
    res = ingest_export(ctx, "extraction", [str(EXTRACTION / "html")], ctx["timeout"])
    dossier_score = score_cli("article_extraction.py", res["out"], EXTRACTION)
    n = dossier_score["pages"]

    docs = pages()
    base_file = Path(ctx["tmp"]) / "trafilatura_default.jsonl"
    t0 = time.process_time()
    with base_file.open("w", encoding="utf-8") as f:
        for pid, html in docs:
            f.write(json.dumps({"id": pid, "text": trafilatura.extract(html)}) + "\n")
    base_seconds = time.process_time() - t0
    base_score = score_cli("article_extraction.py", base_file, EXTRACTION)

    htmls = [h for _, h in docs]
    dossier_rate = best_rate(html_to_text, htmls)
    base_rate = best_rate(trafilatura.extract, htmls)
    previous_rate = best_rate(previous_html_to_text, htmls)
    return {
        "pages": n,
        "dossier": dossier_score,
        "baseline_trafilatura_default": base_score,
        "f1_gain": round(dossier_score["f1"] - base_score["f1"], 4),
        "target_f1": TARGETS["extraction_f1"],
        "meets_target": dossier_score["f1"] >= TARGETS["extraction_f1"],
        "speed": {
            "html_to_text_pages_per_s": round(dossier_rate, 1),
            "trafilatura_extract_pages_per_s": round(base_rate, 1),
            "ratio": round(dossier_rate / base_rate, 3),
            "previous_balanced_with_metadata_pages_per_s": round(previous_rate, 1),
            "ratio_to_previous": round(dossier_rate / previous_rate, 3),
            "baseline_first_pass_pages_per_s": round(n / base_seconds, 1) if base_seconds else None,
            "cli_ingest_seconds": res["ingest_seconds"],
            "cli_ingest_pages_per_s": round(n / res["ingest_seconds"], 1),
        },
        "rejected": res["rejected"],
        "rejected_examples": res["rejected_examples"],
    }


def _cv_blocks(pid_html):
    from dossier.clean.html import extract_blocks, parse_html

    quiet_trafilatura()
    pid, html = pid_html
    out = {}
    for precision in (True, False):
        try:
            out[precision] = extract_blocks(parse_html(html), precision=precision)
        except Exception:
            out[precision] = ([], {})
    return pid, out


def part_cv(ctx: dict) -> dict:
    import itertools
    from multiprocessing import Pool

    import dossier.clean.html as H

    sc = scorer("article_extraction")
    gold = sc.load_gold(str(need(EXTRACTION)))
    docs = [(pid, html) for pid, html in pages() if pid in gold]
    with Pool(ctx["jobs"]) as pool:
        blocks = dict(pool.map(_cv_blocks, docs))
    ids = sorted(blocks)
    fold = {p: (int(hashlib.sha1(p.encode()).hexdigest(), 16) >> 1) & 1 for p in ids}

    limits = H._rules()["limits"]
    shipped = {"precision": True, "filter": True, "title_overlap": limits["title_overlap"],
               "prompt_max_words": limits["prompt_max_words"], "credit_max_words": limits["credit_max_words"]}
    grid = {"precision": [True, False], "filter": [True, False], "title_overlap": [0.3, 0.5, 0.7, 1.01],
            "prompt_max_words": [0, 20, 40, 60], "credit_max_words": [0, 15, 25, 40]}
    configs = [dict(zip(grid, v, strict=True)) for v in itertools.product(*grid.values())]
    configs = [c for c in configs if c["filter"] or c == {**shipped, "precision": c["precision"], "filter": False}]
    if shipped not in configs:
        configs.append(shipped)

    cache: dict = {}

    def page_counts(pid, text):
        key = (pid, text)
        if key not in cache:
            true = gold[pid]["text"]
            cache[key] = (sc.shingle_tp_fp_fn(true, text), float(sc.tokenize(true) == sc.tokenize(text)))
        return cache[key]

    saved = dict(limits)
    preds = {}
    try:
        for c in configs:
            for k in ("title_overlap", "prompt_max_words", "credit_max_words"):
                limits[k] = c[k]
            key = json.dumps(c, sort_keys=True)
            preds[key] = {}
            for p in ids:
                b, meta = blocks[p][c["precision"]]
                preds[key][p] = "\n\n".join(H.filter_blocks(b, meta.get("title")) if c["filter"] else b)
    finally:
        limits.update(saved)

    def f1(key, subset):
        rows = [page_counts(p, preds[key][p]) for p in subset]
        return sc.aggregate([r[0] for r in rows], [r[1] for r in rows])

    folds = {k: [p for p in ids if fold[p] == k] for k in (0, 1)}
    per_fold = {key: {k: f1(key, folds[k])["f1"] for k in (0, 1)} for key in preds}
    chosen, cv_pred = {}, {}
    for k in (0, 1):
        train = 1 - k
        best = max(preds, key=lambda key: (per_fold[key][train], key == json.dumps(shipped, sort_keys=True)))
        chosen[f"fold{k}"] = {"setting": json.loads(best), "train_f1": round(per_fold[best][train], 4),
                              "held_out_f1": round(per_fold[best][k], 4), "pages": len(folds[k])}
        cv_pred.update({p: preds[best][p] for p in folds[k]})
    rows = [page_counts(p, cv_pred[p]) for p in ids]
    cv = sc.aggregate([r[0] for r in rows], [r[1] for r in rows])
    shipped_key = json.dumps(shipped, sort_keys=True)
    in_sample = f1(shipped_key, ids)
    return {
        "pages": len(ids),
        "settings_tried": len(configs),
        "shipped_setting": shipped,
        "shipped_in_sample": {k: round(v, 4) for k, v in in_sample.items()},
        "shipped_by_fold": {f"fold{k}": round(per_fold[shipped_key][k], 4) for k in (0, 1)},
        "cross_validated": {k: round(v, 4) for k, v in cv.items()},
        "chosen_per_fold": chosen,
        "note": "texts as html_to_text builds them (extract_blocks + filter_blocks), without its last-resort fallbacks",
    }


def _find_date(line: str):
    import htmldate

    quiet_trafilatura()
    obj = json.loads(line)
    try:
        date = htmldate.find_date(obj["html"], extensive_search=True, original_date=True)
    except Exception:
        date = None
    return obj["id"], date


def part_pubdate(ctx: dict) -> dict:
    from multiprocessing import Pool

    src = need(PUBDATE / "dev.jsonl.gz")
    res = ingest_export(ctx, "pubdate", [str(src)], ctx["timeout"])
    dossier_score = score_cli("pubdate.py", res["out"], PUBDATE)

    with gzip.open(src, "rt", encoding="utf-8") as f:
        lines = [ln for ln in f if ln.strip()]
    t0 = time.perf_counter()
    with Pool(ctx["jobs"]) as pool:
        found = pool.map(_find_date, lines, chunksize=8)
    base_seconds = time.perf_counter() - t0
    base_file = Path(ctx["tmp"]) / "htmldate.jsonl"
    with base_file.open("w", encoding="utf-8") as f:
        for pid, date in found:
            f.write(json.dumps({"id": pid, "date": date}) + "\n")
    base_score = score_cli("pubdate.py", base_file, PUBDATE)
    return {
        "pages": len(lines),
        "dossier": dossier_score,
        "baseline_htmldate_extensive": base_score,
        "f_score_gain": round(dossier_score.get("f_score", 0) - base_score.get("f_score", 0), 4),
        "cli_ingest_seconds": res["ingest_seconds"],
        "baseline_seconds": round(base_seconds, 1),
        "baseline_jobs": ctx["jobs"],
        "rejected": res["rejected"],
        "rejected_examples": res["rejected_examples"],
    }


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[.!?][\"”’)\]])\s+")


def sentences(text: str) -> list[str]:
    """A simple splitter: after . ! or ? (optionally closed by a quote or bracket) and whitespace."""
    return [s for s in (" ".join(x.split()) for x in _SENTENCE_END.split(text)) if s]


def part_noloss(ctx: dict) -> dict:
    src = need(GUARDIAN)
    originals = [json.loads(ln) for ln in src.read_text("utf-8").splitlines() if ln.strip()]
    res = ingest_export(ctx, "noloss", [str(src)], ctx["timeout"])
    exported = {}
    with (res["out"] / "documents.jsonl").open(encoding="utf-8") as f:
        for ln in f:
            d = json.loads(ln)
            exported[d.get("input_id")] = " ".join((d.get("text") or "").split())
    total = kept = 0
    base_total = base_kept = 0
    missing_docs, per_doc, lost_examples = [], [], []
    for o in originals:
        sents = sentences(o["text"])
        norm_orig = " ".join(o["text"].split())
        base_total += len(sents)
        base_kept += sum(1 for s in sents if s in norm_orig)
        text = exported.get(o["id"])
        if text is None:
            missing_docs.append(o["id"])
            text = ""
        ok = [s in text for s in sents]
        total += len(sents)
        kept += sum(ok)
        lost = [s for s, k in zip(sents, ok, strict=True) if not k]
        if lost:
            per_doc.append((o["id"], len(lost), len(sents)))
            lost_examples.extend({"id": o["id"], "sentence": s[:200]} for s in lost[:2])
    share = kept / total if total else 0.0
    per_doc.sort(key=lambda x: -x[1])
    return {
        "documents": len(originals),
        "exported": len(exported),
        "missing_documents": missing_docs[:20],
        "sentences": total,
        "surviving": kept,
        "share": round(share, 5),
        "baseline_share_on_originals": round(base_kept / base_total, 5) if base_total else None,
        "target": TARGETS["noloss_share"],
        "meets_target": share >= TARGETS["noloss_share"],
        "documents_with_losses": len(per_doc),
        "worst_documents": [{"id": i, "lost": n, "sentences": m} for i, n, m in per_doc[:10]],
        "lost_examples": lost_examples[:20],
        "rejected": res["rejected"],
        "rejected_examples": res["rejected_examples"],
    }


def part_speed(ctx: dict) -> dict:
    from dossier.ingest.decode import to_document
    from dossier.ingest.formats import article_from_json
    from dossier.pipeline import stages

    src = need(GUARDIAN)
    originals = [json.loads(ln) for ln in src.read_text("utf-8").splitlines() if ln.strip()]
    n = ctx["speed_docs"]

    def build(count: int, offset: int = 0):
        docs = []
        for i in range(offset, offset + count):
            obj = originals[i % len(originals)]
            docs.append(to_document(article_from_json(obj, f"{src}#L{i + 1}", "jsonl", "")))
        return docs

    [clean] = stages(["clean"])
    [meta] = stages(["meta"])
    for d in build(20, offset=7):  # warm-up: models, data files, caches of immutable data
        try:
            meta(clean(d))
        except Exception:
            pass

    def timed(stage_fns, repeats=3):
        """CPU seconds of the last stage of ``stage_fns`` over fresh documents (earlier stages run untimed)."""
        best, failures = None, 0
        for _ in range(repeats):
            docs = build(n)
            for fn in stage_fns[:-1]:
                docs = [fn(d) for d in docs]
            fn = stage_fns[-1]
            failures = 0
            t0 = time.process_time()
            for d in docs:
                try:
                    fn(d)
                except Exception:
                    failures += 1
            dt = time.process_time() - t0
            best = dt if best is None else min(best, dt)
        return best, failures

    base_best = None
    texts = [originals[i % len(originals)]["text"] for i in range(n)]
    for _ in range(3):
        t0 = time.process_time()
        for t in texts:
            t.split()
        dt = time.process_time() - t0
        base_best = dt if base_best is None else min(base_best, dt)
    clean_s, clean_fail = timed([clean])
    meta_s, meta_fail = timed([clean, meta])
    words = sum(len(t.split()) for t in texts)
    clean_rate, meta_rate, base_rate = n / clean_s, n / meta_s, n / base_best
    return {
        "documents": n,
        "words": words,
        "clean_docs_per_core_s": round(clean_rate, 1),
        "meta_docs_per_core_s": round(meta_rate, 1),
        "baseline_split_docs_per_core_s": round(base_rate, 1),
        "clean_vs_baseline": round(clean_rate / base_rate, 5),
        "meta_vs_baseline": round(meta_rate / base_rate, 5),
        "clean_failures": clean_fail,
        "meta_failures": meta_fail,
        "target_clean": TARGETS["clean_docs_per_core_s"],
        "meets_target": clean_rate >= TARGETS["clean_docs_per_core_s"],
        "note": "CPU time of one thread (best of 3 passes); documents cycle over the 233 Guardian texts",
    }


def part_seeds(ctx: dict) -> dict:
    need(SEEDS)
    need(SEEDS_GOLD)
    res = ingest_export(ctx, "seeds", [str(SEEDS)], ctx["timeout"])
    r = run([sys.executable, str(need(SCORE / "dossier.py")), str(res["out"]), str(SEEDS_GOLD), "--json"], 600)
    if r["returncode"] != 0:
        raise PartError(f"dossier.py exit {r['returncode']}: {tail(r['stderr'] or r['stdout'], 600)}")
    scores = last_json(r["stdout"])
    return {
        "documents": scores.get("documents"),
        "clean_text": scores.get("clean_text"),
        "rejected": res["rejected"],
        "rejected_examples": res["rejected_examples"],
    }


FUNCS = {"extraction": part_extraction, "cv": part_cv, "pubdate": part_pubdate, "noloss": part_noloss,
         "speed": part_speed, "seeds": part_seeds}


# ---------------------------------------------------------------------------------------------------------------
# reporting


def machine_info() -> dict:
    info = {"date": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"), "nproc": os.cpu_count(),
            "python": platform.python_version(), "platform": platform.platform()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        from importlib.metadata import version

        info["versions"] = {p: version(p) for p in ("trafilatura", "htmldate", "lxml", "jusText")}
    except Exception:
        pass
    commit = _git_head()
    if commit:
        info["commit"] = commit
    return info


def _git_head() -> str | None:
    """Read the checked-out commit from .git without running git."""
    git = REPO_ROOT / ".git"
    try:
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref: "):
            return head
        ref = head[5:]
        if (git / ref).exists():
            return (git / ref).read_text().strip()
        packed = git / "packed-refs"
        if packed.exists():
            for line in packed.read_text().splitlines():
                if line.endswith(" " + ref):
                    return line.split()[0]
    except OSError:
        pass
    return None


def _fmt(x, spec: str = ".3f") -> str:
    if x is None:
        return "-"
    if isinstance(x, bool):
        return "yes" if x else "NO"
    return format(x, spec)


def table_rows(results: dict) -> list[tuple[str, str, str, str]]:
    """(part, measure, dossier, baseline) rows for the printed table and the Markdown summary."""
    rows = []
    for part in PARTS:
        r = results["parts"].get(part)
        if r is None:
            continue
        if r["status"] != "ok":
            rows.append((part, "FAILED", r.get("error", "")[:90], ""))
            continue
        d = r["result"]
        if part == "extraction":
            b = d["baseline_trafilatura_default"]
            for k in ("f1", "precision", "recall", "accuracy"):
                rows.append((part, k, _fmt(d["dossier"][k]), _fmt(b[k])))
            rows.append((part, f"F1 >= {d['target_f1']}", _fmt(d["meets_target"]), ""))
            s = d["speed"]
            rows.append((part, "pages/s, one core (html_to_text vs trafilatura.extract)",
                         _fmt(s["html_to_text_pages_per_s"], ".1f"), _fmt(s["trafilatura_extract_pages_per_s"], ".1f")))
            rows.append((part, "pages/s, one core (vs previous: balanced + metadata)",
                         _fmt(s["html_to_text_pages_per_s"], ".1f"),
                         _fmt(s["previous_balanced_with_metadata_pages_per_s"], ".1f")))
        elif part == "cv":
            rows.append((part, "F1, shipped setting, all pages (in-sample)", _fmt(d["shipped_in_sample"]["f1"]), ""))
            rows.append((part, "F1, 2-fold cross-validated", _fmt(d["cross_validated"]["f1"]), ""))
        elif part == "pubdate":
            b = d["baseline_htmldate_extensive"]
            for k in ("f_score", "precision", "recall", "accuracy"):
                rows.append((part, k, _fmt(d["dossier"].get(k)), _fmt(b.get(k))))
        elif part == "noloss":
            rows.append((part, "sentences surviving", f"{d['surviving']}/{d['sentences']} = {d['share']:.4f}",
                         _fmt(d["baseline_share_on_originals"], ".4f")))
            rows.append((part, f"share >= {d['target']}", _fmt(d["meets_target"]), ""))
        elif part == "speed":
            base = _fmt(d["baseline_split_docs_per_core_s"], ",.0f")
            rows.append((part, "clean docs/s per core (baseline: str.split)",
                         _fmt(d["clean_docs_per_core_s"], ",.0f"), base))
            rows.append((part, "meta docs/s per core", _fmt(d["meta_docs_per_core_s"], ",.0f"), base))
            rows.append((part, f"clean >= {d['target_clean']:,.0f} docs/s", _fmt(d["meets_target"]), ""))
        elif part == "seeds":
            for section in ("documents", "clean_text"):
                for k, v in (d.get(section) or {}).items():
                    rows.append((part, f"{section}.{k}", _fmt(v, ".2f") if isinstance(v, (int, float)) else str(v),
                                 ""))
    return rows


def print_table(results: dict) -> None:
    rows = table_rows(results)
    w = [max(len(r[i]) for r in rows + [("part", "measure", "dossier", "baseline")]) for i in range(4)]
    head = ("part", "measure", "dossier", "baseline")
    print("  ".join(h.ljust(w[i]) for i, h in enumerate(head)))
    print("  ".join("-" * x for x in w))
    for r in rows:
        print("  ".join(c.ljust(w[i]) for i, c in enumerate(r)))


def markdown(results: dict) -> str:
    m = results["machine"]
    lines = ["# Clean benchmark", "", f"Run {m['date']} on {m.get('cpu', '?')} ({m['nproc']} cores), Python "
             f"{m['python']}" + (f", commit {m['commit'][:12]}" if m.get("commit") else "") + ".",
             "Produced by `bench/clean_bench.py` (`make bench-clean`); full figures in `clean.json`.", "",
             "| part | measure | dossier | baseline |", "|---|---|---|---|"]
    for r in table_rows(results):
        lines.append("| " + " | ".join(c.replace("|", "/") for c in r) + " |")
    lines.append("")
    p = results["parts"]
    if p.get("extraction", {}).get("status") == "ok":
        lines += ["Baselines: extraction = `trafilatura.extract(html)` with default settings; pubdate = "
                  "`htmldate.find_date(html, extensive_search=True, original_date=True)`; noloss = the same "
                  "count on the original texts; speed = `str.split` over the same texts.", ""]
    if p.get("cv", {}).get("status") == "ok":
        cv = p["cv"]["result"]
        for k, v in cv["chosen_per_fold"].items():
            lines.append(f"- cv {k} held out ({v['pages']} pages): setting chosen on the other fold "
                         f"`{json.dumps(v['setting'])}`, train F1 {v['train_f1']}, held-out F1 {v['held_out_f1']}")
        lines.append("")
    for part, r in p.items():
        if r["status"] == "ok" and r["result"].get("rejected"):
            lines.append(f"- {part}: {r['result']['rejected']} inputs rejected at ingest, e.g. "
                         f"`{(r['result']['rejected_examples'] or [''])[0][:160]}`")
    lines.append("")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default=",".join(PARTS),
                    help=f"comma-separated parts (default: all of {','.join(PARTS)})")
    ap.add_argument("--out", default=str(DEFAULT_OUT), help="JSON results; the Markdown summary goes next to it")
    ap.add_argument("--dossier", default=str(Path(sys.executable).with_name("dossier")))
    ap.add_argument("--tmp-dir", default=None)
    ap.add_argument("--keep", action="store_true", help="keep the temporary stores and exports")
    ap.add_argument("--speed-docs", type=int, default=5000)
    ap.add_argument("--jobs", type=int, default=max(1, os.cpu_count() or 1))
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per dossier command")
    args = ap.parse_args(argv)

    wanted = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = [p for p in wanted if p not in PARTS]
    if unknown:
        ap.error(f"unknown part(s): {', '.join(unknown)}; parts are {', '.join(PARTS)}")
    if not Path(args.dossier).exists():
        print(f"error: dossier executable not found: {args.dossier}", file=sys.stderr)
        return 2

    tmp = tempfile.mkdtemp(prefix="dossier-clean-bench-", dir=args.tmp_dir)
    ctx = {"dossier": args.dossier, "tmp": tmp, "timeout": args.timeout, "speed_docs": args.speed_docs,
           "jobs": args.jobs}
    results = {"machine": machine_info(), "parts": {}}
    try:
        for part in PARTS:
            if part not in wanted:
                continue
            print(f"[{part}] ...", file=sys.stderr, flush=True)
            t0 = time.perf_counter()
            try:
                results["parts"][part] = {"status": "ok", "result": FUNCS[part](ctx)}
            except Exception as e:  # one part failing never stops the others
                msg = str(e) if isinstance(e, PartError) else f"{type(e).__name__}: {e}"
                results["parts"][part] = {"status": "failed", "error": msg,
                                          "traceback": traceback.format_exc()[-3000:]}
                print(f"[{part}] FAILED: {msg[:300]}", file=sys.stderr)
            results["parts"][part]["seconds"] = round(time.perf_counter() - t0, 1)
    finally:
        if args.keep:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if set(wanted) != set(PARTS) and out.exists():  # a partial run updates the parts it ran
        try:
            old = json.loads(out.read_text("utf-8"))
            results["parts"] = {**old.get("parts", {}), **results["parts"]}
        except (OSError, ValueError):
            pass
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    out.with_suffix(".md").write_text(markdown(results), encoding="utf-8")
    print_table(results)
    print(f"\nwrote {out} and {out.with_suffix('.md')}")
    return 1 if any(r["status"] != "ok" for p, r in results["parts"].items() if p in wanted) else 0


if __name__ == "__main__":
    sys.exit(main())
