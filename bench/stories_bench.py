"""Versions and storylines benchmark (``make bench-stories``).

    python bench/stories_bench.py                      # seeds, copies (dev and test halves), scale 100,000
    python bench/stories_bench.py --scale 0            # skip the scale run
    python bench/stories_bench.py --calibrate          # refit the dedup pair model on the dev half first

1. **Seeds**: ingest ../shared/corpus/seeds, export, score with ../shared/bench/score/dossier.py (versions and
   storylines sections).
2. **Copies** (bench/make_copies.py, truth by construction): copy detection as pairwise precision / recall /
   F1 over document pairs in one version group, and storylines as B-cubed precision / recall / F1; on the dev half
   (tuning) and the test half (reported). Baselines beside them, measured in the same run: copies by document-level
   word-5-shingle MinHash LSH (datasketch, Jaccard >= 0.5, connected components); storylines = version groups.
   If ../shared/bench/stories exists (JSON Lines with a ``story`` field), it is scored the same way.
3. **Scale**: N documents (make_copies --scale) through ``dossier.ingest(..., stages=["dedup", "stories"])``: wall
   time and peak RSS, the time of the corpus-level linking as reported by the ingest, and the same ingest with no
   stage (decode, hash, store) as the baseline. The full pipeline's other stages are other benchmarks' business.

Results: bench/results/stories.json and bench/results/stories.md.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))
PY = sys.executable


# -- metrics -----------------------------------------------------------------------------------------------------
def pair_prf(pred: dict[str, str], truth: dict[str, str]) -> dict[str, float]:
    """Pairwise precision/recall/F1 of 'same group' over all document pairs (counted through the groups)."""
    def pairs(labels: dict[str, str]) -> set[tuple[str, str]]:
        groups = defaultdict(list)
        for d, g in labels.items():
            groups[g].append(d)
        return {tuple(sorted(p)) for m in groups.values() for p in itertools.combinations(m, 2)}

    p, t = pairs(pred), pairs(truth)
    tp = len(p & t)
    prec = tp / len(p) if p else 1.0
    rec = tp / len(t) if t else 1.0
    return {"precision": round(prec, 4), "recall": round(rec, 4),
            "f1": round(2 * prec * rec / (prec + rec), 4) if prec + rec else 0.0, "pred_pairs": len(p),
            "true_pairs": len(t)}


def bcubed(pred: dict[str, str], truth: dict[str, str]) -> dict[str, float]:
    pc, tc = defaultdict(set), defaultdict(set)
    for d in truth:
        pc[pred[d]].add(d)
        tc[truth[d]].add(d)
    p = r = 0.0
    for d in truth:
        inter = len(pc[pred[d]] & tc[truth[d]])
        p += inter / len(pc[pred[d]])
        r += inter / len(tc[truth[d]])
    p, r = p / len(truth), r / len(truth)
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
            "stories": len(pc), "true_stories": len(tc)}


# -- running dossier ---------------------------------------------------------------------------------------------
def dossier(*args: str, env=None) -> subprocess.CompletedProcess:
    exe = Path(PY).with_name("dossier")
    cmd = [str(exe)] if exe.exists() else [PY, "-m", "dossier.cli"]
    return subprocess.run([*cmd, *args], capture_output=True, text=True, env=env)


def measured(cmd: list[str]) -> dict:
    """Run a command; wall time, CPU time (user + system, of the command's processes) and peak RSS of its process
    tree (psutil, every 0.1 s)."""
    import resource

    import psutil

    t0 = time.perf_counter()
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0]
    done = threading.Event()

    def poll():
        try:
            proc = psutil.Process(p.pid)
            while not done.is_set():
                try:
                    rss = proc.memory_info().rss + sum(ch.memory_info().rss for ch in proc.children(recursive=True))
                    peak[0] = max(peak[0], rss)
                except psutil.Error:
                    pass
                time.sleep(0.1)
        except psutil.Error:
            pass

    th = threading.Thread(target=poll, daemon=True)
    th.start()
    out, err = p.communicate()
    done.set()
    th.join()
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = ru.ru_utime + ru.ru_stime - ru0.ru_utime - ru0.ru_stime  # of this command alone: other load aside
    return {"seconds": round(time.perf_counter() - t0, 2), "cpu_seconds": round(cpu, 2),
            "peak_rss_mb": round(peak[0] / 2 ** 20, 1),
            "maxrss_mb_children": round(ru.ru_maxrss / 1024, 1), "returncode": p.returncode,
            "stdout_tail": out[-2000:], "stderr_tail": err[-2000:]}


def ingest_and_read(corpus: str, tmp: str, name: str) -> tuple[dict, list[dict]]:
    """Ingest a make_copies corpus; returns (timing, exported documents)."""
    db = os.path.join(tmp, f"{name}.db")
    t0 = time.perf_counter()
    r = dossier("ingest", corpus, "--db", db, "--quiet")
    secs = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"ingest {corpus} failed: {r.stderr[-2000:]}")
    out = os.path.join(tmp, f"{name}-out")
    r = dossier("export", out, "--db", db)
    if r.returncode != 0:
        raise SystemExit(f"export failed: {r.stderr[-2000:]}")
    with open(os.path.join(out, "documents.jsonl"), encoding="utf-8") as fh:
        docs = [json.loads(x) for x in fh]
    return {"ingest_seconds": round(secs, 2), "export": out, "db": db}, docs


# -- baselines ---------------------------------------------------------------------------------------------------
def shingle_baseline(docs: list[dict], threshold: float = 0.5) -> dict[str, str]:
    """Copies by document-level word-5-shingle MinHash LSH (datasketch), connected components."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=128)
    parent = {}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for d in docs:
        words = re.findall(r"\w+", d["text"].lower())
        m = MinHash(num_perm=128)
        m.update_batch([" ".join(words[i:i + 5]).encode() for i in range(max(1, len(words) - 4))])
        parent[d["id"]] = d["id"]
        for other in lsh.query(m):
            parent[find(other)] = find(d["id"])
        lsh.insert(d["id"], m)
    return {d["id"]: find(d["id"]) for d in docs}


# -- sections ----------------------------------------------------------------------------------------------------
def seeds(tmp: str) -> dict:
    db = os.path.join(tmp, "seeds.db")
    r = dossier("ingest", str(SHARED / "corpus" / "seeds"), "--db", db, "--quiet")
    out = os.path.join(tmp, "seeds-out")
    dossier("export", out, "--db", db)
    s = subprocess.run([PY, str(SHARED / "bench" / "score" / "dossier.py"), out, str(SHARED / "gold" / "seeds.json"),
                        "--json"], capture_output=True, text=True)
    scores = json.loads(s.stdout.strip().splitlines()[-1]) if s.returncode == 0 else {}
    return {"ingest_rc": r.returncode, "score_rc": s.returncode, "versions": scores.get("versions"),
            "storylines": scores.get("storylines"), "stderr": s.stderr[-500:]}


def copies(split: str, tmp: str, seed: int) -> dict:
    corpus = os.path.join(tmp, f"copies-{split}.jsonl")
    subprocess.run([PY, str(ROOT / "bench" / "make_copies.py"), corpus, "--split", split, "--seed", str(seed)],
                   check=True, capture_output=True)
    timing, docs = ingest_and_read(corpus, tmp, f"copies-{split}")
    return score_docs(docs, timing, split)


def score_docs(docs: list[dict], timing: dict, name: str) -> dict:
    truth_copy = {d["id"]: d["metadata"]["copy_of"] for d in docs if "copy_of" in d.get("metadata", {})}
    truth_story = {d["id"]: d["metadata"]["story"] for d in docs if "story" in d.get("metadata", {})}
    pred_copy = {d["id"]: d["version_of"] or d["id"] for d in docs}
    pred_story = {d["id"]: d["story"] for d in docs}
    res = {"documents": len(docs), **timing}
    if truth_copy:
        res["copies"] = pair_prf({k: pred_copy[k] for k in truth_copy}, truth_copy)
        base = shingle_baseline([d for d in docs if d["id"] in truth_copy])
        res["copies_baseline_shingles"] = pair_prf(base, truth_copy)
        res["ops_recall"] = ops_recall(docs, pred_copy)
    if truth_story:
        res["stories"] = bcubed({k: pred_story[k] for k in truth_story}, truth_story)
        res["stories_baseline_groups"] = bcubed({k: pred_copy[k] for k in truth_story}, truth_story)
    print(f"{name}: {json.dumps({k: v for k, v in res.items() if k not in ('export', 'db')})}", file=sys.stderr)
    return res


def ops_recall(docs: list[dict], pred_copy: dict[str, str]) -> dict[str, float]:
    """Share of copies grouped with their original, per transformation they went through."""
    by_id = {d["input_id"]: d for d in docs}
    hit, tot = Counter(), Counter()
    for d in docs:
        ops = d.get("metadata", {}).get("ops")
        orig = by_id.get(d.get("metadata", {}).get("copy_of"))
        if not ops or orig is None:
            continue
        ok = pred_copy[d["id"]] == pred_copy[orig["id"]]
        for op in ops:
            tot[op] += 1
            hit[op] += ok
    return {op: round(hit[op] / tot[op], 3) for op in sorted(tot)}


def scale(n: int, tmp: str, seed: int) -> dict:
    corpus = os.path.join(tmp, f"scale-{n}.jsonl")
    t0 = time.perf_counter()
    subprocess.run([PY, str(ROOT / "bench" / "make_copies.py"), corpus, "--scale", str(n), "--seed", str(seed)],
                   check=True, capture_output=True)
    gen = time.perf_counter() - t0
    exe = Path(PY).with_name("dossier")
    base_cmd = [str(exe)] if exe.exists() else [PY, "-m", "dossier.cli"]
    full_db, base_db = os.path.join(tmp, "scale.db"), os.path.join(tmp, "scale-base.db")
    probe = (f"import dossier, json, sys; r = dossier.ingest([{corpus!r}], db={{db!r}}, stages={{stages}}); "
             "print(json.dumps(r.as_dict()))")
    # only the stages this benchmark is about: the corpus is clean text with dates given, so clean, meta and the
    # later per-document stages (nlp, events, ...) would only add their own cost; the baseline stores the documents
    # with no stage at all (decode, hash, write), measured the same way in the same run
    load_start = os.getloadavg()
    full = measured([PY, "-c", probe.format(db=full_db, stages=["dedup", "stories"])])
    load_mid = os.getloadavg()
    base = measured([PY, "-c", probe.format(db=base_db, stages=[])])
    del base_cmd
    rep = json.loads(full["stdout_tail"].strip().splitlines()[-1]) if full["returncode"] == 0 else {}
    link = rep.get("linked", {})
    import sqlite3

    con = sqlite3.connect(full_db)
    stats = {"documents": con.execute("SELECT count(*) FROM documents").fetchone()[0],
             "versions": con.execute("SELECT count(*) FROM documents WHERE version_of IS NOT NULL").fetchone()[0],
             "stories": con.execute("SELECT count(*) FROM stories").fetchone()[0],
             "unlinked": con.execute("SELECT count(*) FROM documents WHERE story IS NULL").fetchone()[0]}
    con.close()
    link_secs = sum(v.get("seconds", 0) for v in link.values())
    res = {"n": n, "generate_seconds": round(gen, 1), "full": full, "baseline_no_dedup_stories": base,
           "link": link, "link_seconds": round(link_secs, 1), "store": stats,
           "load_average": {"before_full": load_start, "after_full": load_mid, "after_baseline": os.getloadavg()}}
    print(f"scale: {json.dumps({k: v for k, v in res.items() if k not in ('full', 'baseline_no_dedup_stories')})} "
          f"full {full['seconds']}s {full['peak_rss_mb']}MB, baseline {base['seconds']}s {base['peak_rss_mb']}MB",
          file=sys.stderr)
    return res


# -- calibration -------------------------------------------------------------------------------------------------
def calibrate(tmp: str, seed: int) -> dict:
    """Fit the dedup pair model (logistic regression) on candidate pairs of the dev half, write data/dedup.json."""
    import numpy as np

    from dossier import dedup

    corpus = os.path.join(tmp, "calib-dev.jsonl")
    subprocess.run([PY, str(ROOT / "bench" / "make_copies.py"), corpus, "--split", "dev", "--seed", str(seed)],
                   check=True, capture_output=True)
    _, docs = ingest_and_read(corpus, tmp, "calib")
    truth = {d["id"]: d["metadata"]["copy_of"] for d in docs}
    sigs = {}
    postings = defaultdict(set)
    for d in docs:
        f = dedup.features(d["text"])
        sigs[d["id"]] = dedup.Sig(d["id"], f["hashes"], f["fuzzy"], f["minhash"])
        for h in sigs[d["id"]].hset:
            postings[h].add(d["id"])
        for k in dedup._band_keys(sigs[d["id"]].mh):
            postings[("b", k)].add(d["id"])
    cands = {tuple(sorted(p)) for ds in postings.values() if len(ds) <= 50 for p in itertools.combinations(ds, 2)}
    # the seeds' real pair is a positive too, weighted like the generated ones
    names = dedup.config()["model"]["features"]
    X, y = [], []
    for a, b in sorted(cands):
        f = dedup.pair_features(sigs[a], sigs[b])
        if f["shared"] < dedup.config()["model"]["min_shared"] and f["jaccard"] < 0.8:
            continue
        X.append([f[k] for k in names])
        y.append(1.0 if truth[a] == truth[b] else 0.0)
    X, y = np.asarray(X), np.asarray(y)
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(20000):  # plain gradient descent on the log loss, L2 0.01
        p = 1 / (1 + np.exp(-(X @ w + b)))
        g = p - y
        w -= 0.5 * (X.T @ g / len(y) + 0.01 * w)
        b -= 0.5 * g.mean()
    path = ROOT / "dossier" / "data" / "dedup.json"
    cfg = json.loads(path.read_text("utf-8"))
    cfg["model"]["bias"] = round(float(b), 3)
    cfg["model"]["weights"] = [round(float(x), 3) for x in w]
    path.write_text(json.dumps(cfg, ensure_ascii=False, indent=2) + "\n", "utf-8")
    acc = float((((X @ w + b) > 0) == (y > 0.5)).mean())
    print(f"calibrated on {len(y)} candidate pairs ({int(y.sum())} positive): bias {b:.3f} weights "
          f"{dict(zip(names, np.round(w, 3), strict=True))}, train accuracy {acc:.4f}", file=sys.stderr)
    return {"pairs": len(y), "positives": int(y.sum()), "bias": float(b), "weights": w.tolist(), "accuracy": acc}


# -- report ------------------------------------------------------------------------------------------------------
def machine() -> dict:
    import sqlite3

    commit = None
    try:  # read, not asked of git: HEAD and the ref it names
        head = (ROOT / ".git" / "HEAD").read_text().strip()
        commit = (ROOT / ".git" / head[5:]).read_text().strip() if head.startswith("ref: ") else head
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "load_average": os.getloadavg(), "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version,
            "platform": platform.platform(), "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "commit": commit}


def markdown(res: dict) -> str:
    L = ["# Versions and storylines benchmark", "", f"Run {res['machine']['date']} with "
         f"`python bench/stories_bench.py {' '.join(res['argv'])}` on {res['machine']['nproc']} cores, Python "
         f"{res['machine']['python']}, SQLite {res['machine']['sqlite']}, load average at start "
         f"{', '.join(f'{x:.1f}' for x in res['machine']['load_average'])} (other processes share the machine).", ""]
    s = res.get("seeds")
    if s:
        L += ["## Seeds (`score/dossier.py`)", "", f"- versions: {s['versions']}", f"- storylines: {s['storylines']}",
              ""]
    for split in ("dev", "test", "shared"):
        c = res.get(f"copies_{split}")
        if not c:
            continue
        L += [f"## Copies and storylines, {split} ({c['documents']} documents, ingest {c['ingest_seconds']} s)", "",
              "| measure | dossier | baseline |", "|---|---:|---:|"]
        if "copies" in c:
            for k in ("precision", "recall", "f1"):
                L.append(f"| copies pairwise {k} | {c['copies'][k]} | {c['copies_baseline_shingles'][k]} |")
        if "stories" in c:
            for k in ("precision", "recall", "f1"):
                L.append(f"| storylines B-cubed {k} | {c['stories'][k]} | {c['stories_baseline_groups'][k]} |")
        L += ["", "Baselines: copies = document-level word-5-shingle MinHash LSH (Jaccard >= 0.5); storylines = "
              "one storyline per version group.", ""]
        if c.get("ops_recall"):
            L += ["Copies grouped with their original, by transformation: " +
                  ", ".join(f"{k} {v}" for k, v in c["ops_recall"].items()), ""]
    sc = res.get("scale")
    if sc:
        if sc.get("run"):
            L += [f"The scale section comes from a separate run: {sc['run']}", ""]
        f, b = sc["full"], sc["baseline_no_dedup_stories"]
        L += [f"## Scale: {sc['n']:,} documents", "",
              "| run | seconds | CPU seconds | peak RSS MB (tree) | maxrss MB |", "|---|---:|---:|---:|---:|",
              f"| ingest with the dedup and stories stages | {f['seconds']} | {f.get('cpu_seconds', '')} | "
              f"{f['peak_rss_mb']} | {f['maxrss_mb_children']} |",
              f"| ingest with no stage (baseline: decode, hash, store) | {b['seconds']} | {b.get('cpu_seconds', '')} | "
              f"{b['peak_rss_mb']} | {b['maxrss_mb_children']} |", "",
              "maxrss (rusage) is the largest child process the benchmark ever waited for (a running maximum), so "
              "the baseline row repeats the larger figure; peak RSS (tree, psutil every 0.1 s) is per run.", "",
              f"- dedup + stories linking (corpus-level, single writer): {sc['link_seconds']} s "
              f"({json.dumps(sc['link'])})",
              f"- added by dedup + stories over the baseline: {round(f['seconds'] - b['seconds'], 1)} s, of which the "
              f"per-document halves (sentence hashes, MinHash, story terms; and saving them) "
              f"{round(f['seconds'] - b['seconds'] - sc['link_seconds'], 1)} s"
              + (f"; in CPU time {round(f['cpu_seconds'] - b['cpu_seconds'], 1)} s" if 'cpu_seconds' in f else ""),
              f"- store: {json.dumps(sc['store'])}", ""]
        if sc.get("load_average"):
            la = sc["load_average"]
            L += ["Load average (1, 5, 15 min) before the full run "
                  f"{', '.join(f'{x:.1f}' for x in la['before_full'])}, after it "
                  f"{', '.join(f'{x:.1f}' for x in la['after_full'])}, after the baseline "
                  f"{', '.join(f'{x:.1f}' for x in la['after_baseline'])}.", ""]
    return "\n".join(L) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--calibrate", action="store_true")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "stories.json"))
    ap.add_argument("--skip-copies", action="store_true")
    ap.add_argument("--skip-seeds", action="store_true")
    a = ap.parse_args(argv)
    res: dict = {"argv": argv if argv is not None else sys.argv[1:], "machine": machine()}
    with tempfile.TemporaryDirectory(prefix="dossier-stories-") as tmp:
        if a.calibrate:
            res["calibration"] = calibrate(tmp, a.seed)
        if not a.skip_seeds:
            res["seeds"] = seeds(tmp)
            print(f"seeds: {res['seeds']}", file=sys.stderr)
        if not a.skip_copies:
            res["copies_dev"] = copies("dev", tmp, a.seed)
            res["copies_test"] = copies("test", tmp, a.seed)
            shared = SHARED / "bench" / "stories"
            if shared.exists():
                files = sorted(str(p) for p in shared.glob("*.jsonl"))
                if files:
                    timing, docs = ingest_and_read(files[0], tmp, "shared")
                    res["copies_shared"] = score_docs(docs, timing, "shared")
        if a.scale:
            res["scale"] = scale(a.scale, tmp, a.seed)
    Path(a.out).write_text(json.dumps(res, indent=2) + "\n", "utf-8")
    Path(a.out).with_suffix(".md").write_text(markdown(res), "utf-8")
    print(markdown(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
