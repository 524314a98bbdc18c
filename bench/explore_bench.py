#!/usr/bin/env python3
"""Explore benchmark: search and web latency on a store of 100,000 documents.

    .venv/bin/python bench/explore_bench.py [--docs 100000] [--queries 200] [--out bench/results/explore.json]

1. ``dossier ingest`` the 233 Guardian articles with every stage (clean ... events, stories);
2. replicate them in SQL to ``--docs`` documents with new ids: documents (publication dates shifted by
   ``--shift-days`` per copy), raw inputs, annotations (sentences, times, quantities, event reports; the FTS5
   triggers fire for every sentence), entity mentions, events and their reports, storylines. Entities stay shared
   (the same referents are named again); their counts are recomputed;
3. build the BM25 index (``dossier.search.refresh``) in a subprocess (time, peak RSS), then extend it with one
   more copy of the corpus (233 documents) to time an incremental refresh;
4. measure, warm (one warm-up query first), ~200 varied queries (words drawn from the corpus' sentences; a tenth
   each with a date window, an entity, an event type): ``dossier.search.search`` in process, ``dossier search``
   as a subprocess (a subset: start-up included), ``dossier.search.ask`` (a subset);
5. the web pages of ``dossier.web.create_app(db)`` through starlette's TestClient (in process, no network):
   /search, /ask, /documents/{id}, /stories/{id}, /timeline, /graph, /;
6. write JSON (--out) and Markdown (same name, .md) with the figures and the machine load.

Targets: search p95 < 100 ms, web page p95 < 300 ms (both warm, in process).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
GUARDIAN = ROOT.parent / "shared" / "corpus" / "guardian" / "guardian.jsonl"
STAGES = "clean,meta,dedup,nlp,actors,timex,quantities,events,stories"
DOSSIER = Path(sys.executable).with_name("dossier")
TARGET_SEARCH_MS, TARGET_WEB_MS = 100.0, 300.0


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = (len(xs) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def summary(ms: list[float]) -> dict:
    return {"n": len(ms), "p50_ms": round(pct(ms, 50), 1), "p95_ms": round(pct(ms, 95), 1),
            "max_ms": round(max(ms), 1) if ms else None, "mean_ms": round(statistics.fmean(ms), 1) if ms else None}


def load() -> dict:
    la = os.getloadavg()
    out = {"loadavg_1_5_15": [round(x, 2) for x in la], "cpus": os.cpu_count()}
    try:
        import psutil

        out["cpu_percent_1s"] = psutil.cpu_percent(interval=1.0)
        vm = psutil.virtual_memory()
        out["mem_available_gib"] = round(vm.available / 2**30, 1)
        out["mem_total_gib"] = round(vm.total / 2**30, 1)
    except ImportError:
        pass
    return out


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# -- building the store -------------------------------------------------------------------------------------------

def ingest_base(db: str) -> float:
    t0 = time.perf_counter()
    r = subprocess.run([str(DOSSIER), "ingest", str(GUARDIAN), "--db", db, "--stages", STAGES, "-q"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"ingest failed: {r.stderr[-2000:]}")
    return time.perf_counter() - t0


def _mid(expr: str) -> str:
    """The id of copy k of a document: same length, never an original id (an x among the hex digits)."""
    return f"CASE WHEN {expr} IS NULL THEN NULL ELSE 'd' || substr({expr}, 2, 11) || printf('x%04x', :k) END"


def replicate(db: str, total: int, shift_days: int, first_copy: int = 1) -> dict:
    """Copy the base documents (the first ``base`` by rowid) and their facts until the store holds ``total``."""
    c = sqlite3.connect(db, isolation_level=None)
    c.execute("PRAGMA foreign_keys=OFF")
    c.execute("PRAGMA synchronous=OFF")
    c.execute("PRAGMA cache_size=-400000")
    c.execute("CREATE TEMP TABLE IF NOT EXISTS base_all AS SELECT rowid AS r, id FROM documents "
              "WHERE source NOT LIKE '%#r%' ORDER BY rowid")
    base = c.execute("SELECT count(*) FROM base_all").fetchone()[0]
    have = c.execute("SELECT count(*) FROM documents").fetchone()[0]
    maxseq = c.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0]
    def copy(table: str, over: dict[str, str], where: str) -> str:
        cols = [r[1] for r in c.execute(f"PRAGMA table_info({table})")]
        sel = ", ".join(over.get(x, f'"{x}"') for x in cols)
        return f"INSERT INTO {table} ({', '.join(chr(34) + x + chr(34) for x in cols)}) SELECT {sel} FROM {table} " \
               f"WHERE {where}"

    days = "printf('+%d days', :k * :s)"
    stmts = [
        copy("documents", {"id": _mid("id"), "hash": "hash || printf('-r%d', :k)",
                           "source": "source || printf('#r%d', :k)",
                           "published_date": f"date(published_date, {days})",
                           "published_after": f"date(published_after, {days})",
                           "published_before": f"date(published_before, {days})",
                           "version_of": _mid("version_of"),
                           "story": "CASE WHEN story IS NULL THEN NULL ELSE story || printf('r%x', :k) END"},
             "id IN (SELECT id FROM base_now)"),
        copy("raw", {"document_id": _mid("document_id")}, "document_id IN (SELECT id FROM base_now)"),
        copy("annotations", {"doc_id": _mid("doc_id")}, "doc_id IN (SELECT id FROM base_now)"),
        copy("entity_mentions", {"id": "id || printf('r%x', :k)", "doc": _mid("doc")},
             "doc IN (SELECT id FROM base_now)"),
        copy("events", {"id": "id || printf('r%x', :k)", "seq": "seq + :k * :maxseq",
                        "key": "key || printf('|r%x', :k)"},
             "id IN (SELECT event FROM event_mentions WHERE doc IN (SELECT id FROM base_now))"),
        copy("event_mentions", {"event": "event || printf('r%x', :k)", "doc": _mid("doc")},
             "doc IN (SELECT id FROM base_now)"),
        copy("stories", {"id": "id || printf('r%x', :k)", "center": _mid("center"),
                         **{x: f"{x} + :k * :s" for x in ("first_point", "last_point", "first_day", "last_day")}},
             "id IN (SELECT story FROM documents WHERE id IN (SELECT id FROM base_now))"),
    ]
    t0 = time.perf_counter()
    k = first_copy
    copies = 0
    while have < total:
        m = min(base, total - have)
        c.execute("DROP TABLE IF EXISTS temp.base_now")
        c.execute("CREATE TEMP TABLE base_now AS SELECT id FROM base_all ORDER BY r LIMIT ?", (m,))
        c.execute("BEGIN")
        for sql in stmts:
            c.execute(sql, {"k": k, "s": shift_days, "maxseq": maxseq})
        if m < base:  # events whose reports were cut off by a partial copy have fewer reports
            c.execute("UPDATE events SET reports = (SELECT count(*) FROM event_mentions WHERE event = events.id) "
                      "WHERE id IN (SELECT event || printf('r%x', :k) FROM event_mentions WHERE doc IN "
                      "(SELECT id FROM base_now))", {"k": k})
        c.execute("COMMIT")
        have += m
        copies += 1
        if copies % 25 == 0:
            log(f"  replicated to {have:,} documents ({time.perf_counter() - t0:.0f} s)")
        k += 1
    c.execute("BEGIN")
    c.execute("UPDATE entities SET mention_count = coalesce((SELECT count(*) FROM entity_mentions m "
              "WHERE m.entity = entities.id), 0)")
    c.execute("UPDATE entities SET document_count = coalesce((SELECT count(DISTINCT doc) FROM entity_mentions m "
              "WHERE m.entity = entities.id), 0)")
    c.execute("COMMIT")
    c.close()
    return {"documents": have, "seconds": round(time.perf_counter() - t0, 1), "next_copy": k}


def timed_subprocess(code: str, *args: str) -> tuple[dict, float, float]:
    """Run python code in a child; its JSON stdout, wall seconds and peak RSS (MiB, ru_maxrss of the child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT)
    secs = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"child failed: {r.stderr[-3000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return json.loads(r.stdout.strip().splitlines()[-1]), secs, max(peak, before) / 1024


REFRESH = "import json, sys; from dossier.search import refresh; print(json.dumps(refresh(sys.argv[1])))"


# -- queries ------------------------------------------------------------------------------------------------------

def make_queries(db: str, n: int, seed: int) -> list[dict]:
    from dossier.search import _stopwords

    rnd = random.Random(seed)
    stop = _stopwords()
    c = sqlite3.connect(db)
    sents = [r[0] for r in c.execute(
        "SELECT a.text FROM annotations a WHERE a.kind = 'sentences' AND a.doc_id IN "
        "(SELECT id FROM documents WHERE source NOT LIKE '%#r%') AND length(a.text) > 60")]
    ents = [r[0] for r in c.execute("SELECT name FROM entities WHERE type IN ('PERSON', 'ORG', 'GPE') "
                                    "ORDER BY mention_count DESC LIMIT 40")]
    rare = [r[0] for r in c.execute("SELECT name FROM entities WHERE type IN ('PERSON', 'ORG') AND mention_count "
                                    "BETWEEN 400 AND 4000 ORDER BY mention_count DESC LIMIT 40")]
    types = [r[0] for r in c.execute("SELECT type FROM events GROUP BY type ORDER BY count(*) DESC")]
    years = [r[0] for r in c.execute("SELECT DISTINCT substr(published_date, 1, 4) FROM documents "
                                     "WHERE published_date IS NOT NULL ORDER BY 1")]
    c.close()
    out = []
    for i in range(n):
        words = [w for w in re.findall(r"[A-Za-z]{4,}", rnd.choice(sents)) if w.lower() not in stop]
        q = " ".join(rnd.sample(words, min(len(words), rnd.choice((1, 2, 2, 3, 3, 4))))) or "government"
        f: dict = {}
        kind = i % 10
        if kind == 1 and years:
            y = rnd.choice(years)
            f = {"since": f"{y}-01-01", "until": f"{y}-12-31"}
        elif kind == 2 and years:
            f = {"since": rnd.choice(years)}
        elif kind == 3 and ents:
            f = {"entity": rnd.choice(ents)}
        elif kind == 4 and rare:
            f = {"entity": rnd.choice(rare)}
        elif kind == 5 and types:
            f = {"type_": rnd.choice(types)}
        out.append({"q": q, **f})
    return out


def measure_api(db: str, queries: list[dict]) -> tuple[dict, dict]:
    from dossier.search import search
    from dossier.store import Store

    store = Store.open(db, create=False)
    for q in {next(iter(k for k in q if k != "q"), "none"): q for q in queries}.values():  # warm-up: one per kind
        search(store, q["q"], limit=20, **{k: v for k, v in q.items() if k != "q"})
    per_kind: dict[str, list[float]] = {}
    all_ms, empty = [], 0
    for q in queries:
        kw = {k: v for k, v in q.items() if k != "q"}
        t0 = time.perf_counter()
        hits = search(store, q["q"], limit=20, **kw)
        ms = (time.perf_counter() - t0) * 1000
        all_ms.append(ms)
        empty += not hits
        per_kind.setdefault(next(iter(kw), "none"), []).append(ms)
    store.close()
    return {**summary(all_ms), "empty_results": empty}, {k: summary(v) for k, v in per_kind.items()}


def measure_cli(db: str, queries: list[dict]) -> dict:
    ms = []
    for q in queries:
        args = [str(DOSSIER), "search", q["q"], "--db", db, "--json", "-n", "20"]
        for k, v in q.items():
            if k != "q":
                args += [f"--{k.rstrip('_')}", v]
        t0 = time.perf_counter()
        r = subprocess.run(args, capture_output=True)
        ms.append((time.perf_counter() - t0) * 1000)
        if r.returncode not in (0, 1):
            raise SystemExit(f"dossier search failed: {r.stderr.decode()[-1000:]}")
    return summary(ms)


def measure_ask(db: str, questions: list[str]) -> dict:
    from dossier.search import ask

    ask(db, questions[0])
    ms = []
    for q in questions:
        t0 = time.perf_counter()
        ask(db, q)
        ms.append((time.perf_counter() - t0) * 1000)
    return summary(ms)


def measure_web(db: str, queries: list[dict], n: int, seed: int) -> dict:
    import urllib.parse

    from starlette.testclient import TestClient

    from dossier.web import create_app

    rnd = random.Random(seed)
    c = sqlite3.connect(db)
    n_docs = c.execute("SELECT max(rowid) FROM documents").fetchone()[0]
    doc_ids = [c.execute("SELECT id FROM documents WHERE rowid >= ? LIMIT 1", (rnd.randint(1, n_docs),)).fetchone()[0]
               for _ in range(60)]
    story_ids = [r[0] for r in c.execute("SELECT id FROM stories ORDER BY random() LIMIT 30")]
    ents = [r[0] for r in c.execute("SELECT name FROM entities WHERE type IN ('GPE', 'PERSON') "
                                    "ORDER BY mention_count DESC LIMIT 20")]
    c.close()
    urls = []
    for i in range(n):
        k = i % 10
        q = queries[i % len(queries)]["q"]
        if k in (0, 1, 2):
            urls.append(("search", "/search?q=" + urllib.parse.quote(q)))
        elif k == 3:
            urls.append(("ask", "/ask?q=" + urllib.parse.quote(f"What happened with {q}?")))
        elif k in (4, 5):
            urls.append(("document", f"/documents/{rnd.choice(doc_ids)}"))
        elif k == 6:
            urls.append(("story", f"/stories/{rnd.choice(story_ids)}"))
        elif k == 7:
            urls.append(("timeline", "/timeline" + (f"?entity={urllib.parse.quote(rnd.choice(ents))}"
                                                    if i % 20 == 7 else "")))
        elif k == 8:
            urls.append(("graph", "/graph"))
        else:
            urls.append(("overview", "/"))
    app = create_app(db)
    per: dict[str, list[float]] = {}
    status: dict[str, int] = {}
    with TestClient(app) as client:
        t0 = time.perf_counter()
        for _, u in {k: u for k, u in urls}.items():  # one warm-up request per page kind
            client.get(u)
        warm = time.perf_counter() - t0
        for kind, u in urls:
            t = time.perf_counter()
            r = client.get(u)
            per.setdefault(kind, []).append((time.perf_counter() - t) * 1000)
            status[str(r.status_code)] = status.get(str(r.status_code), 0) + 1
    all_ms = [x for v in per.values() for x in v]
    return {**summary(all_ms), "warmup_seconds": round(warm, 1), "status": status,
            "pages": {k: summary(v) for k, v in per.items()}}


# -- report -------------------------------------------------------------------------------------------------------

def du(path: str) -> int:
    if os.path.isfile(path):
        return os.path.getsize(path)
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def markdown(res: dict) -> str:
    s, w = res["search_api"], res["web"]
    ok = lambda v, t: "**met**" if v < t else "**missed**"  # noqa: E731
    lines = [
        "# Explore benchmark", "",
        f"Run {res['date']} on {res['machine']['platform']}, {res['load']['before']['cpus']} CPUs "
        f"(shared; load average before {res['load']['before']['loadavg_1_5_15']}, after "
        f"{res['load']['after']['loadavg_1_5_15']}). Command: `make bench-explore` "
        f"(= `.venv/bin/python bench/explore_bench.py`).", "",
        f"Store: {res['store']['documents']:,} documents (the 233 Guardian articles ingested with every stage, "
        f"replicated in SQL with new ids and shifted dates), {res['store']['sentences']:,} sentences, "
        f"{res['store']['entity_mentions']:,} entity mentions, {res['store']['events']:,} events; "
        f"{res['store']['db_mib']:,} MiB on disk (+ {res['store']['index_mib']:,} MiB search index).", "",
        "| step | figure |", "|---|---|",
        f"| ingest 233 articles, all stages | {res['build']['ingest_seconds']} s |",
        f"| replicate to {res['store']['documents']:,} documents (SQL, FTS5 triggers on) | "
        f"{res['build']['replicate_seconds']} s |",
        f"| build the BM25 index ({res['store']['sentences']:,} sentences) | {res['index']['build_seconds']} s, "
        f"peak RSS {res['index']['build_peak_rss_mib']} MiB |",
        f"| extend it with 233 more documents | {res['index']['extend_seconds']} s "
        f"({res['index']['extend_action']}, +{res['index']['extend_added']:,} sentences) |", "",
        "## Latency (warm: after one warm-up query per kind of filter)", "",
        "| what | n | p50 ms | p95 ms | max ms | target |", "|---|---|---|---|---|---|",
        f"| `search()` in process | {s['n']} | {s['p50_ms']} | {s['p95_ms']} | {s['max_ms']} | "
        f"p95 < {TARGET_SEARCH_MS:.0f} ms: {ok(s['p95_ms'], TARGET_SEARCH_MS)} |",
    ]
    for k, v in res["search_api_by_filter"].items():
        lines.append(f"| `search()`, filter {k} | {v['n']} | {v['p50_ms']} | {v['p95_ms']} | {v['max_ms']} | |")
    c = res["search_cli"]
    lines.append(f"| `dossier search` subprocess (start-up included) | {c['n']} | {c['p50_ms']} | {c['p95_ms']} | "
                 f"{c['max_ms']} | (not a target: Python start-up and imports) |")
    a = res["ask_api"]
    lines.append(f"| `ask()` in process | {a['n']} | {a['p50_ms']} | {a['p95_ms']} | {a['max_ms']} | |")
    lines.append(f"| web pages (TestClient, in process) | {w['n']} | {w['p50_ms']} | {w['p95_ms']} | {w['max_ms']} | "
                 f"p95 < {TARGET_WEB_MS:.0f} ms: {ok(w['p95_ms'], TARGET_WEB_MS)} |")
    for k, v in w["pages"].items():
        lines.append(f"| web `{k}` | {v['n']} | {v['p50_ms']} | {v['p95_ms']} | {v['max_ms']} | |")
    lines += ["", f"Web: status codes {w['status']}; first request of each page kind (warm-up, not counted): "
              f"{w['warmup_seconds']} s in all.", "",
              f"Queries: {s['n']} drawn from the corpus' sentences (1-4 words; a tenth each with a year window, a "
              f"since, a frequent entity, a less frequent entity, an event type); {s['empty_results']} returned "
              "nothing. Search results: the 20 best sentences."]
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--cli-queries", type=int, default=30)
    ap.add_argument("--ask-queries", type=int, default=20)
    ap.add_argument("--web-requests", type=int, default=200)
    ap.add_argument("--shift-days", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--tmp-dir", default="/tmp")
    ap.add_argument("--keep", action="store_true", help="Keep the store (printed) instead of deleting it.")
    ap.add_argument("--base", help="Reuse this store of the 233 articles ingested with every stage (copied).")
    ap.add_argument("--out", default=str(BENCH / "results" / "explore.json"))
    args = ap.parse_args()
    if not GUARDIAN.exists():
        print(f"{GUARDIAN} not found", file=sys.stderr)
        return 2
    work = tempfile.mkdtemp(prefix="dossier-explore-", dir=args.tmp_dir)
    db = os.path.join(work, "explore.db")
    res: dict = {"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                 "machine": {"platform": platform.platform(), "python": platform.python_version()},
                 "load": {"before": load()}, "args": vars(args)}
    try:
        if args.base:
            shutil.copy(args.base, db)
            ingest_s = None
        else:
            log("ingest the Guardian articles with every stage")
            ingest_s = round(ingest_base(db), 1)
        log(f"replicate to {args.docs:,} documents")
        rep = replicate(db, args.docs, args.shift_days)
        res["build"] = {"ingest_seconds": ingest_s, "replicate_seconds": rep["seconds"]}
        log(f"  {rep['documents']:,} documents in {rep['seconds']} s; build the search index")
        built, secs, peak = timed_subprocess(REFRESH, db)
        res["index"] = {"build_seconds": round(secs, 1), "build_peak_rss_mib": round(peak), "action": built["action"],
                        "sentences": built["sentences"]}
        log(f"  index: {built['sentences']:,} sentences in {secs:.1f} s, peak RSS {peak:.0f} MiB")
        c = sqlite3.connect(db)
        res["store"] = {"documents": c.execute("SELECT count(*) FROM documents").fetchone()[0],
                        "sentences": built["sentences"],
                        "entity_mentions": c.execute("SELECT count(*) FROM entity_mentions").fetchone()[0],
                        "events": c.execute("SELECT count(*) FROM events").fetchone()[0]}
        c.close()
        queries = make_queries(db, args.queries, args.seed)
        log("search, in process")
        res["search_api"], res["search_api_by_filter"] = measure_api(db, queries)
        log(f"  p95 {res['search_api']['p95_ms']} ms; dossier search subprocesses")
        res["search_cli"] = measure_cli(db, queries[:args.cli_queries])
        log(f"  p95 {res['search_cli']['p95_ms']} ms; ask")
        qs = [f"What did {q['entity']} say about {q['q']}?" if q.get("entity") else f"What about {q['q']}?"
              for q in queries[:args.ask_queries]]
        res["ask_api"] = measure_ask(db, qs)
        log(f"  p95 {res['ask_api']['p95_ms']} ms; web pages")
        res["web"] = measure_web(db, queries, args.web_requests, args.seed)
        log(f"  p95 {res['web']['p95_ms']} ms; extend the index with 233 documents")
        replicate(db, args.docs + 233, args.shift_days, first_copy=rep["next_copy"])
        ext, secs, _ = timed_subprocess(REFRESH, db)
        res["index"].update({"extend_seconds": round(secs, 1), "extend_action": ext["action"],
                             "extend_added": ext["added"]})
        res["store"]["db_mib"] = round(sum(du(db + x) for x in ("", "-wal") if os.path.exists(db + x)) / 2**20)
        res["store"]["index_mib"] = round(du(db + ".search") / 2**20)
        res["load"]["after"] = load()
    finally:
        if args.keep:
            print(f"store kept: {db}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(res, fh, indent=2)
    md = markdown(res)
    with open(os.path.splitext(args.out)[0] + ".md", "w", encoding="utf-8") as fh:
        fh.write(md)
    print(md)
    ok = res["search_api"]["p95_ms"] < TARGET_SEARCH_MS and res["web"]["p95_ms"] < TARGET_WEB_MS
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
