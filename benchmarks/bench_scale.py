"""Benchmark: ingest, ask and the store as the corpus grows (1, 100, 1,000 ... releases).

Not a test. Run from the repository root:

    .venv/bin/python benchmarks/bench_scale.py [--sizes 1,100,1000] [--work DIR] [--jobs 2] [--reps 10]

For each size it builds a corpus with make_corpus.py (the shared corpus replicated under made-up
companies and shifted years) and measures, all in the same run so ratios compare like with like:

- ingest: `exhibit index --quiet --jobs 1` in a child process (wall time, docs/s, peak RSS of the
  child and anything it waits for), and the same with `--jobs N` (worker processes);
- bare Whoosh: the same segments (read back from the store beforehand, not timed) added to a new
  index with the product's schema and analyzer, one writer, one commit, in a child process, with
  `procs=1` and with Whoosh's own `procs=N` multiprocessing writer;
  ratio = product docs/s ÷ bare Whoosh (procs=1) docs/s;
- ask: in-process p50/p95 over a fixed question set (each asked `--reps` times after a warm-up);
- cold `exhibit ask` in a subprocess vs `python -c "import sqlite3, whoosh"` (medians of 11, the two
  run in turn), with the project's bytecode compiled first (as an installed package has it, whatever
  PYTHONDONTWRITEBYTECODE says);
- store size per release (SQLite + index).

It prints one Markdown table (paste it into README.md, "Benchmarks"). `--jobs-only` skips the
one-process ingest and Whoosh's own multiprocess writer (their cells read "-"): at 10,000 releases
they would double a run that already takes most of an hour.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

# Asked at every size: the original releases are in every corpus of 36 or more (make_corpus keeps
# round 0 unchanged); at size 1 only the seed is there and the rest are honest not_founds.
QUESTIONS = [
    "Mpower Q1 2004 total operating revenues",
    "Mpower SG&A first quarter 2003",
    "Mpower net loss Q1 2004",
    "Apple fiscal 2004 third quarter net sales",
    "Oracle total revenues fiscal 2022",
    "PNC net income first quarter 2022",
    "Goldman Sachs net revenues 2021",
    "Pericom gross margin",
    "Asta Funding net income",
    "Who is the CFO of Mpower?",
    "Q1 SG&A",
    "revenue",
]

CHILD_TIMER = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "r = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)\n"
    "dt = time.perf_counter() - t\n"
    "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "print(f'{dt} {rss} {r.returncode}'); sys.stdout.write(r.stdout); sys.stderr.write(r.stderr[-2000:])\n"
)


def timed_child(cmd: list[str]) -> tuple[float, int, str]:
    """(seconds, peak RSS in KiB of the child and its descendants, the child's stdout)."""
    r = subprocess.run([sys.executable, "-c", CHILD_TIMER, *cmd], cwd=REPO, capture_output=True, text=True)
    first, _, rest = r.stdout.partition("\n")
    dt, rss, rc = first.split()
    if rc != "0":
        raise SystemExit(f"{' '.join(cmd)} failed ({rc}): {r.stderr[-2000:]}")
    return float(dt), int(rss), rest


def exhibit(store: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "qa", "--store", str(store), *args]


def bare_whoosh(store: Path, procs: int) -> float:
    """Seconds for a child to index the store's segments into a fresh Whoosh index (loading not timed)."""
    out = tempfile.mkdtemp(prefix="bare-whoosh-")
    try:
        code = (
            "import sys, time\n"
            f"sys.path.insert(0, {str(REPO)!r})\n"
            "from whoosh import index\n"
            "from index.search import build_schema, _fields\n"
            "from qa.store import Store\n"
            "s = Store(sys.argv[1])\n"
            "docs = [(d.doc_id, d.company, d.main_period, s.segments(d.doc_id)) for d in s.documents()]\n"
            "t = time.perf_counter()\n"
            "ix = index.create_in(sys.argv[2], build_schema())\n"
            "w = ix.writer(procs=int(sys.argv[3]), limitmb=128)\n"
            "for doc_id, company, period, segs in docs:\n"
            "    for seg in segs:\n"
            "        w.add_document(**_fields(doc_id, company, period, seg))\n"
            "w.commit()\n"
            "print(time.perf_counter() - t)\n"
        )
        r = subprocess.run(
            [sys.executable, "-c", code, str(store), out, str(procs)],
            capture_output=True,
            text=True,
            cwd=REPO,
        )
        if r.returncode:
            raise SystemExit(f"bare Whoosh failed: {r.stderr[-2000:]}")
        return float(r.stdout.split()[-1])
    finally:
        shutil.rmtree(out, ignore_errors=True)


def ask_latency(store: Path, reps: int) -> tuple[float, float, float, dict[str, str]]:
    """(p50, p95, max) seconds of in-process `ask` over QUESTIONS, and each question's status."""
    from qa.library import Library

    lib = Library(store)
    statuses = {}
    for q in QUESTIONS:  # warm-up: first use of each code path, caches
        statuses[q] = lib.ask(q).status
    times = []
    for _ in range(reps):
        for q in QUESTIONS:
            t = time.perf_counter()
            lib.ask(q)
            times.append(time.perf_counter() - t)
    lib.close()
    times.sort()
    return percentile(times, 50), percentile(times, 95), times[-1], statuses


def percentile(sorted_times: list[float], p: float) -> float:
    k = (len(sorted_times) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(sorted_times) - 1)
    return sorted_times[lo] + (sorted_times[hi] - sorted_times[lo]) * (k - lo)


def cold(cmds: list[list[str]], runs: int = 11) -> list[float]:
    """Median seconds of each command, run in turn `runs` times (interleaved: a slow moment of the
    machine costs them alike, so their ratio holds)."""
    times: list[list[float]] = [[] for _ in cmds]
    for _ in range(runs):
        for cmd, out in zip(cmds, times, strict=True):
            t = time.perf_counter()
            subprocess.run(cmd, cwd=REPO, capture_output=True)
            out.append(time.perf_counter() - t)
    return [statistics.median(t) for t in times]


def du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def count_docs(store: Path) -> int:
    import sqlite3

    with sqlite3.connect(store / "exhibit.db") as c:
        return c.execute("SELECT count(*) FROM documents").fetchone()[0]


def measure(n: int, work: Path, jobs: int, reps: int, source: Path, jobs_only: bool = False) -> dict:
    from make_corpus import make

    corpus = work / f"corpus-{n}"
    make(n, corpus, source)
    s1, s2 = work / f"store-{n}-j1", work / f"store-{n}-j{jobs}"
    for s in (s1, s2):
        shutil.rmtree(s, ignore_errors=True)
    row: dict = {"releases": n}
    if not jobs_only:
        t1, rss1, _ = timed_child(exhibit(s1, "index", "--quiet", "--jobs", "1", str(corpus)))
    tj, rssj, _ = timed_child(exhibit(s2, "index", "--quiet", "--jobs", str(jobs), str(corpus)))
    if jobs_only:
        s1 = s2  # the one store there is
    docs = count_docs(s1)
    assert count_docs(s2) == docs
    b1 = bare_whoosh(s1, 1)
    bj = None if jobs_only else bare_whoosh(s1, jobs)
    row.update(
        docs=docs,
        ingest_j_s=tj,
        ingest_j_dps=docs / tj,
        bare_s=b1,
        bare_dps=docs / b1,
        bare_j_s=bj,
        ratioj=(docs / tj) / (docs / b1),
        rssj_mib=rssj / 1024,
    )
    if not jobs_only:
        row.update(ingest_s=t1, ingest_dps=docs / t1, ratio1=(docs / t1) / (docs / b1), rss1_mib=rss1 / 1024)
    p50, p95, worst, statuses = ask_latency(s1, reps)
    row.update(ask_p50_ms=p50 * 1000, ask_p95_ms=p95 * 1000, ask_max_ms=worst * 1000, statuses=statuses)
    compileall.compile_dir(REPO / "qa", quiet=1)  # as installed: bytecode cached
    compileall.compile_dir(REPO / "index", quiet=1)
    cold_ask, base = cold(
        [exhibit(s1, "ask", QUESTIONS[0]), [sys.executable, "-c", "import sqlite3, whoosh"]]
    )
    row.update(cold_ask_ms=cold_ask * 1000, import_ms=base * 1000, cold_ratio=cold_ask / base)
    ix = du(s1 / "index")
    db = sum(p.stat().st_size for p in s1.glob("exhibit.db*"))
    row.update(store_kib_per_release=(db + ix) / n / 1024, db_kib=db / n / 1024, index_kib=ix / n / 1024)
    return row


def table(rows: list[dict], jobs: int) -> str:
    head = [
        "releases (docs)",
        "ingest 1 proc: s, docs/s",
        "bare Whoosh 1 proc: s, docs/s",
        "ratio 1 proc",
        f"ingest --jobs {jobs}: s",
        f"ratio --jobs {jobs} (÷ bare 1 proc)",
        f"bare Whoosh procs={jobs}: s",
        "ask p50 / p95 / max ms",
        "cold ask / import ms (ratio)",
        "store KiB/release (db + index)",
        f"peak RSS MiB (1 proc / --jobs {jobs})",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        lines.append(
            "| "
            + " | ".join(
                [
                    f"{r['releases']:,} ({r['docs']:,})",
                    f"{r['ingest_s']:.1f}, {r['ingest_dps']:.1f}" if "ingest_s" in r else "-",
                    f"{r['bare_s']:.1f}, {r['bare_dps']:.1f}",
                    f"{r['ratio1']:.2f}" if "ratio1" in r else "-",
                    f"{r['ingest_j_s']:.1f}",
                    f"{r['ratioj']:.2f}",
                    f"{r['bare_j_s']:.1f}" if r.get("bare_j_s") is not None else "-",
                    f"{r['ask_p50_ms']:.1f} / {r['ask_p95_ms']:.1f} / {r['ask_max_ms']:.0f}",
                    f"{r['cold_ask_ms']:.0f} / {r['import_ms']:.0f} ({r['cold_ratio']:.1f}x)",
                    f"{r['store_kib_per_release']:.0f} ({r['db_kib']:.0f} + {r['index_kib']:.0f})",
                    f"{r['rss1_mib']:.0f} / {r['rssj_mib']:.0f}"
                    if "rss1_mib" in r
                    else f"- / {r['rssj_mib']:.0f}",
                ]
            )
            + " |"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="1,100,1000", help="comma-separated corpus sizes (releases)")
    p.add_argument("--work", type=Path, help="folder for corpora and stores (default: a temporary one)")
    p.add_argument("--jobs", type=int, default=2, help="worker processes for the parallel ingest")
    p.add_argument("--reps", type=int, default=10, help="times each question is asked")
    p.add_argument("--source", type=Path, default=REPO.parent / "shared" / "corpus")
    p.add_argument("--json", type=Path, help="also write the rows here")
    p.add_argument("--jobs-only", action="store_true", help="only the --jobs ingest (for the largest sizes)")
    args = p.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    work = args.work or Path(tempfile.mkdtemp(prefix="exhibit-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, work folder {work}", file=sys.stderr)
    rows = []
    for n in sizes:
        t = time.perf_counter()
        rows.append(measure(n, work, args.jobs, args.reps, args.source, args.jobs_only))
        print(f"size {n}: measured in {time.perf_counter() - t:.0f}s", file=sys.stderr)
        print(table(rows, args.jobs), file=sys.stderr)
    print(table(rows, args.jobs))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
