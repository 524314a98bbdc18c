#!/usr/bin/env python3
"""Ingest benchmark for Dossier.

    .venv/bin/python bench/ingest_bench.py [--sizes 20000,200000] [--out bench/results/ingest.json]

For each size N:

1. generate an N-article JSON Lines corpus with ``bench/make_corpus.py``
   in a temporary directory (under /tmp by default);
2. run a *baseline* subprocess: plain Python that reads each line,
   ``json.loads`` it and hashes the text with ``hashlib.sha256`` -- the least
   work any ingest has to do, so Dossier's figures can be read as ratios;
3. run ``dossier ingest CORPUS --db STORE --quiet`` as a subprocess;
4. check that the store holds exactly N documents
   (``SELECT count(*) FROM documents`` on the SQLite file);
5. delete the corpus and the store.

Both subprocesses are measured the same way: wall time, peak RSS of the
whole process tree (psutil, polled every 0.1 s, RSS summed over the process
and all its descendants) and ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``
after the wait (the largest single process, as recorded by the kernel).
Each command runs under a small helper process (this script with
``--_measure``), so that RUSAGE_CHILDREN covers exactly that command and not
every child this script has waited for before.

Prints a table, writes JSON results to --out and a Markdown summary next to
it (same name, ``.md``).  Exits 1 if a run failed or a document count is off.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
MAKE_CORPUS = BENCH_DIR / "make_corpus.py"
DEFAULT_OUT = BENCH_DIR / "results" / "ingest.json"
POLL_INTERVAL = 0.1
MB = 1e6  # input/throughput figures use decimal MB
MIB = 1024 * 1024  # memory figures use MiB

BASELINE_CODE = r"""
import hashlib, json, sys
n = 0
with open(sys.argv[1], encoding="utf-8") as fh:
    for line in fh:
        if line.strip():
            doc = json.loads(line)
            hashlib.sha256(doc["text"].encode("utf-8")).hexdigest()
            n += 1
print(n)
"""


# --------------------------------------------------------------------------
# Measurement helper (runs in its own process: `ingest_bench.py --_measure`)
# --------------------------------------------------------------------------


def _tree_rss(proc) -> int:
    import psutil

    total = 0
    try:
        procs = [proc] + proc.children(recursive=True)
    except psutil.Error:
        return 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass  # exited between listing and sampling
    return total


def _kill_tree(pid: int) -> None:
    import psutil

    try:
        parent = psutil.Process(pid)
        procs = parent.children(recursive=True) + [parent]
    except psutil.Error:
        return
    for p in procs:
        try:
            p.kill()
        except psutil.Error:
            pass


def _measure_main(argv: list[str]) -> int:
    """--_measure STDOUT_FILE STDERR_FILE TIMEOUT -- CMD...; prints JSON."""
    import psutil

    out_path, err_path, timeout = argv[0], argv[1], float(argv[2])
    assert argv[3] == "--"
    cmd = argv[4:]
    samples: list[tuple[float, int]] = []
    done = threading.Event()

    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        t0 = time.perf_counter()
        child = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        try:
            proc = psutil.Process(child.pid)
        except psutil.Error:
            proc = None

        def poll() -> None:
            while proc is not None and not done.is_set():
                rss = _tree_rss(proc)
                if rss:
                    samples.append((time.perf_counter() - t0, rss))
                done.wait(POLL_INTERVAL)

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        timed_out = False
        try:
            rc = child.wait(timeout=timeout if timeout > 0 else None)
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill_tree(child.pid)
            rc = child.wait()
        wall = time.perf_counter() - t0
        done.set()
        poller.join()

    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    maxrss = ru.ru_maxrss * (1 if sys.platform == "darwin" else 1024)  # KiB on Linux
    # Keep at most ~200 points of the RSS timeline (every n-th sample + the peak).
    step = max(1, len(samples) // 200)
    timeline = samples[::step]
    if samples:
        peak_sample = max(samples, key=lambda s: s[1])
        if peak_sample not in timeline:
            timeline = sorted(timeline + [peak_sample])
    print(
        json.dumps(
            {
                "returncode": rc,
                "timed_out": timed_out,
                "wall_s": wall,
                "cpu_user_s": ru.ru_utime,
                "cpu_sys_s": ru.ru_stime,
                "peak_rss_tree_bytes": max((s[1] for s in samples), default=0),
                "rusage_maxrss_bytes": maxrss,
                "rss_samples": len(samples),
                "rss_timeline": [[round(t, 2), r] for t, r in timeline],
            }
        )
    )
    return 0


def measure(cmd: list[str], workdir: Path, name: str, timeout: float) -> dict:
    """Run cmd under the measuring helper; return its figures plus output tails."""
    out_path = workdir / f"{name}.stdout"
    err_path = workdir / f"{name}.stderr"
    helper = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--_measure",
        str(out_path),
        str(err_path),
        str(timeout),
        "--",
        *cmd,
    ]
    res = subprocess.run(helper, capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError(f"measuring helper failed for {cmd}:\n{res.stderr}")
    figures = json.loads(res.stdout.strip().splitlines()[-1])
    figures["command"] = cmd
    figures["stdout"] = _tail(out_path)
    figures["stderr"] = _tail(err_path)
    return figures


def _tail(path: Path, limit: int = 4000) -> str:
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    return data[-limit:].decode("utf-8", "replace")


# --------------------------------------------------------------------------
# Benchmark
# --------------------------------------------------------------------------


def count_documents(db: Path) -> int | None:
    try:
        con = sqlite3.connect(str(db))
        try:
            return con.execute("SELECT count(*) FROM documents").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error as exc:
        print(f"  ! could not count documents in {db}: {exc}", file=sys.stderr)
        return None


def dir_size(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(root, f)).st_size
            except OSError:
                pass
    return total


def bench_size(n: int, args, tmp: Path, dossier: Path) -> dict:
    corpus = tmp / f"corpus-{n}.jsonl"
    store_dir = tmp / f"store-{n}"
    store_dir.mkdir()
    db = store_dir / "dossier.db"
    result: dict = {"size": n}
    try:
        print(f"[{n}] generating corpus ...", flush=True)
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, str(MAKE_CORPUS), str(n), str(corpus), "--seed", str(args.seed), "--quiet"], check=True
        )
        result["corpus_gen_s"] = time.perf_counter() - t0
        input_bytes = corpus.stat().st_size
        result["input_bytes"] = input_bytes
        result["input_mb"] = input_bytes / MB

        print(f"[{n}] baseline (read + json.loads + sha256) ...", flush=True)
        base = measure([sys.executable, "-c", BASELINE_CODE, str(corpus)], tmp, f"baseline-{n}", args.timeout)
        try:
            base_docs = int(base["stdout"].strip().splitlines()[-1])
        except (ValueError, IndexError):
            base_docs = None
        base["documents"] = base_docs
        result["baseline"] = base

        print(f"[{n}] dossier ingest ...", flush=True)
        ing = measure(
            [str(dossier), "ingest", str(corpus), "--db", str(db), "--quiet"], tmp, f"dossier-{n}", args.timeout
        )
        result["dossier"] = ing

        stored = count_documents(db) if db.exists() else None
        result["documents"] = stored
        result["store_bytes"] = dir_size(store_dir)

        try:
            if not db.exists():
                raise OSError("no store was written")
            st = subprocess.run([str(dossier), "stats", "--db", str(db)], capture_output=True, text=True, timeout=600)
            result["stats_output"] = (st.stdout + st.stderr).strip()[-4000:]
        except (OSError, subprocess.SubprocessError) as exc:
            result["stats_output"] = f"error: {exc}"

        # Derived figures.
        secs, bsecs = ing["wall_s"], base["wall_s"]
        if ing["returncode"] != 0:
            secs = None  # throughput of a failed run means nothing
        result["seconds"] = secs
        result["docs_per_s"] = n / secs if secs else None
        result["mb_per_s"] = result["input_mb"] / secs if secs else None
        result["peak_rss_mb"] = ing["peak_rss_tree_bytes"] / MIB
        result["rusage_maxrss_mb"] = ing["rusage_maxrss_bytes"] / MIB
        result["cpu_s"] = ing["cpu_user_s"] + ing["cpu_sys_s"]
        result["baseline_seconds"] = bsecs
        result["baseline_docs_per_s"] = n / bsecs if bsecs else None
        result["baseline_mb_per_s"] = result["input_mb"] / bsecs if bsecs else None
        result["baseline_peak_rss_mb"] = base["peak_rss_tree_bytes"] / MIB
        result["baseline_rusage_maxrss_mb"] = base["rusage_maxrss_bytes"] / MIB
        # Throughput ratio: dossier docs/s divided by baseline docs/s (<1 = slower).
        result["ratio_dossier_over_baseline"] = (bsecs / secs) if secs else None
        result["slowdown_vs_baseline"] = (secs / bsecs) if secs and bsecs else None

        problems = []
        if ing["returncode"] != 0:
            problems.append(f"dossier ingest exited {ing['returncode']}" + (" (timed out)" if ing["timed_out"] else ""))
        if base["returncode"] != 0 or base_docs != n:
            problems.append(f"baseline failed (rc={base['returncode']}, docs={base_docs})")
        if stored != n:
            problems.append(f"store holds {stored} documents, expected {n}")
        result["ok"] = not problems
        result["problems"] = problems
        for p in problems:
            print(f"  ! {p}", file=sys.stderr)
        if ing["returncode"] != 0 and ing["stderr"]:
            print("  dossier stderr (tail):\n    " + ing["stderr"][-1500:].replace("\n", "\n    "), file=sys.stderr)
    finally:
        corpus.unlink(missing_ok=True)
        shutil.rmtree(store_dir, ignore_errors=True)
    return result


# --------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------


def machine_info(dossier: Path) -> dict:
    info = {
        "date": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "nproc_available": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "python": platform.python_version(),
        "python_executable": sys.executable,
        "platform": platform.platform(),
        "sqlite": sqlite3.sqlite_version,
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        import psutil

        info["memory_gb"] = round(psutil.virtual_memory().total / 1e9, 1)
    except Exception:
        pass
    try:
        v = subprocess.run([str(dossier), "--version"], capture_output=True, text=True, timeout=60)
        if v.returncode == 0 and v.stdout.strip():
            info["dossier_version"] = v.stdout.strip().splitlines()[-1]
    except (OSError, subprocess.SubprocessError):
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


def _f(x, fmt: str) -> str:
    return "-" if x is None else format(x, fmt)


COLUMNS = [
    ("documents", "documents", ",d"),
    ("input MB", "input_mb", ".1f"),
    ("seconds", "seconds", ".1f"),
    ("docs/s", "docs_per_s", ",.0f"),
    ("MB/s", "mb_per_s", ".2f"),
    ("peak RSS MB (tree)", "peak_rss_mb", ".0f"),
    ("maxrss MB (rusage)", "rusage_maxrss_mb", ".0f"),
    ("baseline docs/s", "baseline_docs_per_s", ",.0f"),
    ("ratio dossier/baseline", "ratio_dossier_over_baseline", ".4f"),
    ("slowdown", "slowdown_vs_baseline", ".1f"),
]


def _row(r: dict) -> list[str]:
    cells = [format(r["size"], ",d")]
    for _h, key, fmt in COLUMNS:
        v = r.get(key)
        cell = _f(v, fmt)
        if key == "slowdown_vs_baseline" and v is not None:
            cell += "x"
        cells.append(cell)
    cells.append("ok" if r.get("ok") else "FAIL")
    return cells


def render_table(results: list[dict]) -> str:
    headers = ["size"] + [h for h, _k, _f2 in COLUMNS] + ["check"]
    rows = [_row(r) for r in results]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headers)]
    line = "  ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True))
    out = [line, "-" * len(line)]
    out += ["  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(out)


def memory_summary(results: list[dict], tolerance: float) -> dict | None:
    # Peak memory of a run = the larger of the polled tree peak and the kernel's
    # maxrss (polling every 0.1 s can miss the peak of a very short run).
    def peak(r: dict) -> float:
        return max(r.get("peak_rss_mb") or 0, r.get("rusage_maxrss_mb") or 0)

    ok = [r for r in results if r.get("ok") and peak(r)]
    if len(ok) < 2:
        return None
    small = min(ok, key=lambda r: r["size"])
    large = max(ok, key=lambda r: r["size"])
    if small is large:
        return None
    growth = peak(large) / peak(small)
    return {
        "smallest_peak_mb": peak(small),
        "largest_peak_mb": peak(large),
        "smallest_size": small["size"],
        "largest_size": large["size"],
        "size_ratio": large["size"] / small["size"],
        "peak_rss_growth": growth,
        "tolerance": tolerance,
        "flat": growth <= tolerance,
    }


def render_markdown(report: dict) -> str:
    m = report["machine"]
    results = report["results"]
    lines = [
        "# Dossier ingest benchmark",
        "",
        f"Run {m['date']} with `{report['config']['command']}`.",
        "",
        "## Machine",
        "",
        f"- nproc: {m.get('nproc')} (available to this process: {m.get('nproc_available')})",
        f"- CPU: {m.get('cpu', 'unknown')}",
        f"- memory: {m.get('memory_gb', '?')} GB",
        f"- Python {m['python']} ({m['python_executable']}), SQLite {m['sqlite']}",
        f"- platform: {m['platform']}",
    ]
    if m.get("dossier_version"):
        lines.append(f"- dossier: {m['dossier_version']}")
    if m.get("commit"):
        lines.append(f"- commit: {m['commit']}")
    headers = ["size"] + [h for h, _k, _f2 in COLUMNS] + ["check"]
    lines += [
        "",
        "## Results",
        "",
        "| " + " | ".join(headers) + " |",
        "|" + "|".join("---:" for _ in headers) + "|",
    ]
    for r in results:
        lines.append("| " + " | ".join(_row(r)) + " |")
    lines += [
        "",
        "- **seconds**: wall time of `dossier ingest CORPUS --db STORE --quiet`, "
        "process start to exit (includes interpreter start-up and imports).",
        "- **peak RSS (tree)**: highest sum of RSS over the `dossier` process and all its "
        "descendants, sampled every 0.1 s with psutil (shared pages of forked workers "
        "are counted once per process).",
        "- **maxrss (rusage)**: `getrusage(RUSAGE_CHILDREN).ru_maxrss` after the wait, "
        "i.e. the largest single process of the tree, measured by the kernel.",
        "- **baseline**: a Python subprocess that reads each line, `json.loads` it and "
        "hashes the text with SHA-256; **ratio** = dossier docs/s / baseline docs/s, "
        "**slowdown** = dossier seconds / baseline seconds.",
        "- **check**: `SELECT count(*) FROM documents` on the store equals the number of "
        "(unique) articles in the corpus.",
    ]
    details = []
    for r in results:
        if "baseline_seconds" not in r:
            continue
        details.append(
            f"- {r['size']:,}: corpus generated in {r['corpus_gen_s']:.1f}s; baseline "
            f"{r['baseline_seconds']:.2f}s ({r['baseline_mb_per_s']:.0f} MB/s, peak RSS "
            f"{r['baseline_peak_rss_mb']:.0f} MB); dossier CPU time {r['cpu_s']:.1f}s "
            f"({r['cpu_s'] / r['dossier']['wall_s']:.2f} cores busy on average); store on disk "
            f"{r['store_bytes'] / MB:,.0f} MB ({r['store_bytes'] / max(r['input_bytes'], 1):.1f}x input)"
            + ("" if r.get("ok") else f"; **FAILED**: {'; '.join(r.get('problems', []))}")
        )
    if details:
        lines += ["", "## Details", ""] + details
    mem = report.get("memory")
    if mem:
        verdict = "flat" if mem["flat"] else "NOT flat"
        lines += [
            "",
            "## Memory",
            "",
            f"Peak memory (larger of the two RSS measures) went from "
            f"{mem['smallest_peak_mb']:.0f} MB to {mem['largest_peak_mb']:.0f} MB, "
            f"{mem['peak_rss_growth']:.2f}x, while the corpus grew "
            f"{mem['size_ratio']:.0f}x ({mem['smallest_size']:,} -> {mem['largest_size']:,} "
            f"documents): **{verdict}** (tolerance {mem['tolerance']:.2f}x).",
        ]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = [int(s.replace("_", "")) for s in text.split(",") if s.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"bad --sizes {text!r}") from exc
    if not sizes or any(s <= 0 for s in sizes):
        raise argparse.ArgumentTypeError("sizes must be positive integers")
    return sizes


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--_measure":
        return _measure_main(argv[1:])

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--sizes",
        type=parse_sizes,
        default=parse_sizes("20000,200000"),
        help="comma-separated corpus sizes (default 20000,200000)",
    )
    ap.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="JSON results file; the Markdown summary goes next to it "
        "with a .md suffix (default bench/results/ingest.json)",
    )
    ap.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    ap.add_argument(
        "--dossier",
        type=Path,
        default=Path(sys.executable).parent / "dossier",
        help="dossier executable (default: next to this Python)",
    )
    ap.add_argument(
        "--tmp-dir", type=Path, default=Path("/tmp"), help="where the temporary corpus and store go (default /tmp)"
    )
    ap.add_argument("--timeout", type=float, default=0, help="kill a run after this many seconds (default: no limit)")
    ap.add_argument(
        "--flat-tolerance",
        type=float,
        default=1.5,
        help="peak RSS growth from smallest to largest size still called flat (default 1.5)",
    )
    args = ap.parse_args(argv)

    dossier = args.dossier
    if not (dossier.exists() and os.access(dossier, os.X_OK)):
        print(
            f"dossier executable not found at {dossier}; install the project (.venv) or pass --dossier", file=sys.stderr
        )
        return 2
    try:
        import psutil  # noqa: F401
    except ImportError:
        print("psutil is required (pip install psutil)", file=sys.stderr)
        return 2

    sizes = sorted(set(args.sizes))
    args.tmp_dir.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(args.tmp_dir).free
    need = max(sizes) * 6000 * 6  # corpus (~6 KB/doc) + a generous store estimate
    if free < need:
        print(
            f"warning: only {free / 1e9:.1f} GB free in {args.tmp_dir}; the largest size may need ~{need / 1e9:.1f} GB",
            file=sys.stderr,
        )

    machine = machine_info(dossier)
    results = []
    tmp = Path(tempfile.mkdtemp(prefix="dossier-bench-", dir=args.tmp_dir))
    try:
        for n in sizes:
            r = bench_size(n, args, tmp, dossier)
            results.append(r)
            if r.get("seconds"):
                print(
                    f"[{n}] {r['seconds']:.1f}s, {r['docs_per_s']:,.0f} docs/s, peak RSS "
                    f"{r['peak_rss_mb']:.0f} MB, stored {r['documents']} "
                    f"({'ok' if r['ok'] else 'FAIL'})",
                    flush=True,
                )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    command = "python bench/ingest_bench.py " + " ".join(
        ["--sizes", ",".join(map(str, sizes))] + ([] if args.out == DEFAULT_OUT else ["--out", str(args.out)])
    )
    report = {
        "benchmark": "dossier-ingest",
        "machine": machine,
        "config": {
            "sizes": sizes,
            "seed": args.seed,
            "poll_interval_s": POLL_INTERVAL,
            "dossier": str(dossier),
            "command": command,
        },
        "results": results,
        "memory": memory_summary(results, args.flat_tolerance),
    }
    out = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    md = out.with_suffix(".md")
    md.write_text(render_markdown(report))

    print()
    print(render_table(results))
    mem = report["memory"]
    if mem:
        print(
            f"\npeak RSS x{mem['peak_rss_growth']:.2f} for x{mem['size_ratio']:.0f} documents: "
            f"{'flat' if mem['flat'] else 'NOT flat'}"
        )
    print(f"\nwrote {out} and {md}")
    return 0 if results and all(r.get("ok") for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
