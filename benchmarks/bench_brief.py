"""Benchmark: render a one-release briefing to PDF, against WeasyPrint rendering a trivial page.

Not a test. Run from the repository root:

    .venv/bin/python benchmarks/bench_brief.py [--store DIR] [--doc ID] [--runs 5]

Without --store it ingests the bundled release into a temporary store first.
It prints the median of the runs for the whole `render_to_file` (selecting
facts, Markdown, HTML, SVG, WeasyPrint layout and PDF writing), the same for
the PDF step alone, and a baseline: WeasyPrint turning a one-paragraph HTML
page into a PDF in the same process. The ratio says how much our briefing
costs over WeasyPrint's own floor.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def median_time(fn, runs: int) -> float:
    """Median wall time of `runs` calls (after one warm-up call)."""
    fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--store", help="an existing store (default: a temporary one with the bundled release)")
    p.add_argument("--doc", help="document id (default: the latest release in the store)")
    p.add_argument("--runs", type=int, default=5)
    args = p.parse_args(argv)

    from weasyprint import HTML

    from qa.library import bundled_corpus, open_library
    from renderer import pdf
    from renderer.briefing import build_briefing, render, render_to_file

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(args.store) if args.store else Path(tmp) / "store"
        lib = open_library(root)
        if not args.store:
            lib.ingest([bundled_corpus()])
        out = Path(tmp) / "brief.pdf"
        b = build_briefing(lib, doc_id=args.doc)

        whole = median_time(lambda: render_to_file(lib, out, doc_id=args.doc), args.runs)
        pdf_only = median_time(lambda: render(b, "pdf"), args.runs)
        trivial = "<!DOCTYPE html><html><head><title>t</title></head><body><p>Hello.</p></body></html>"
        opts = pdf._font_options()
        baseline = median_time(lambda: HTML(string=trivial).write_pdf(**opts), args.runs)
        size = out.stat().st_size
        lib.close()

    print(f"briefing of {b.headline.company} {b.headline.period} ({b.headline.file}), median of {args.runs}:")
    print(f"  render_to_file .pdf     {whole * 1000:8.1f} ms  ({size / 1024:.0f} KiB)")
    print(f"  PDF step only           {pdf_only * 1000:8.1f} ms")
    print(f"  WeasyPrint trivial page {baseline * 1000:8.1f} ms")
    print(f"  ratio briefing/trivial  {whole / baseline:8.1f}x")
    if opts.get("full_fonts"):
        print("  note: HarfBuzz-Subset is missing, so fonts are embedded whole (install libharfbuzz-subset0)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
