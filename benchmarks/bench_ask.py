"""Benchmark: `ask` latency in-process on a store holding the whole shared corpus (target p95 <= 5 ms).

Not a test. Run from the repository root:

    .venv/bin/python benchmarks/bench_ask.py [--store DIR] [--corpus DIR] [--reps 5] [--profile N]

Without --store the shared corpus is ingested into a temporary store first (not timed). The
questions are every question of the gold files (tests/gold/*.jsonl and the shared seed gold), each
asked once to warm up and then `--reps` times. It prints p50/p95/p99/max, the slowest questions,
and with `--profile N` the N hottest functions under cProfile over one pass of all questions.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

TARGET_P95_MS = 5.0


def questions() -> list[str]:
    """Every gold question, in file order, without repeats."""
    files = sorted((REPO / "tests" / "gold").glob("*.jsonl"))
    files.append(REPO.parent / "shared" / "eval" / "seed_gold.jsonl")
    out: list[str] = []
    for f in files:
        if not f.is_file():
            continue
        for line in f.read_text().splitlines():
            if line.strip():
                q = json.loads(line)["question"]
                if q not in out:
                    out.append(q)
    return out


def percentile(sorted_times: list[float], p: float) -> float:
    k = (len(sorted_times) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(sorted_times) - 1)
    return sorted_times[lo] + (sorted_times[hi] - sorted_times[lo]) * (k - lo)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--store", type=Path, help="an existing store (default: a temporary one)")
    p.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--profile", type=int, default=0, metavar="N", help="print the N hottest functions")
    p.add_argument("--slowest", type=int, default=8)
    args = p.parse_args(argv)

    from qa.library import Library

    with tempfile.TemporaryDirectory() as tmp:
        root = args.store or Path(tmp) / "store"
        lib = Library(root)
        if not args.store:
            t = time.perf_counter()
            rep = lib.ingest([args.corpus])
            print(
                f"ingested {len(rep.added)} documents from {args.corpus} in {time.perf_counter() - t:.1f}s",
                file=sys.stderr,
            )
        qs = questions()
        statuses = {q: lib.ask(q).status for q in qs}  # warm-up
        per_q: dict[str, list[float]] = {q: [] for q in qs}
        for _ in range(args.reps):
            for q in qs:
                t = time.perf_counter()
                lib.ask(q)
                per_q[q].append(time.perf_counter() - t)
        times = sorted(x for v in per_q.values() for x in v)
        docs = len(lib.store.doc_ids())
        p50, p95, p99 = (percentile(times, x) * 1000 for x in (50, 95, 99))
        print(f"ask, in-process, {len(qs)} questions x {args.reps} on {docs} documents:")
        print(f"  p50 {p50:.2f} ms   p95 {p95:.2f} ms   p99 {p99:.2f} ms   max {times[-1] * 1000:.1f} ms")
        print(f"  target p95 <= {TARGET_P95_MS:g} ms: {'met' if p95 <= TARGET_P95_MS else 'NOT met'}")
        counts: dict[str, int] = {}
        for s in statuses.values():
            counts[s] = counts.get(s, 0) + 1
        print("  statuses: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        print(f"  slowest (median of {args.reps}):")
        slow = sorted(per_q.items(), key=lambda kv: -sorted(kv[1])[len(kv[1]) // 2])[: args.slowest]
        for q, v in slow:
            print(f"    {sorted(v)[len(v) // 2] * 1000:7.1f} ms  {statuses[q]:10} {q}")
        if args.profile:
            prof = cProfile.Profile()
            prof.enable()
            for q in qs:
                lib.ask(q)
            prof.disable()
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(args.profile)
            print(out.getvalue())
        lib.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
