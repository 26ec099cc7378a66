"""TUI timings on a store holding the whole shared corpus (not a test: prints numbers).

    .venv/bin/python benchmarks/bench_tui.py [--store DIR] [--corpus DIR] [--runs N]

Measured in-process with Textual's headless driver (App.run_test), at 120x40:

- first paint: from make_app() to the first frame of the main screen (target 0.5 s);
- keystroke to answer: from pressing Enter in the query bar to the answer card painted
  with the new answer (target 100 ms); the same measured inside the app (question
  submitted → card updated) and the time until the ranked passages follow;
- n: from the key to the source pane showing the next citation;
- source pane: drawing a screen of the 1.5 MB line of citizens_2021q4_ex991.htm.

Without --store the corpus is ingested into a temporary store first (not timed).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from textual import events  # noqa: E402

from qa.library import open_library  # noqa: E402
from tui.app import make_app  # noqa: E402

FIRST_PAINT_TARGET = 0.5
ANSWER_TARGET = 0.100

QUESTIONS = [
    "Mpower Q1 SG&A",
    "Citizens net income Q4 2021",
    "Apple revenue Q1 FY2024",
    "Oracle total revenues Q4 FY2022",
    "Pericom net income Q1 FY2004",
    "Goldman Sachs net revenues Q4 2021",
    "Asta Funding net income Q3 FY2005",
    "dividends per share Q1 2004",
    "who is the CFO of Mpower?",
    "PNC net income Q1 2022",
]


def ms(s: float) -> str:
    return f"{s * 1000:7.1f} ms"


def keystroke(app, key: str, char: str | None) -> None:
    """Deliver a key the way the terminal driver does (Pilot.press would also wait for idle)."""
    event = events.Key(key, char)
    event.set_sender(app)
    app._driver.send_message(event)


async def first_paint(store: Path) -> tuple[float, float]:
    """Seconds from make_app() to the first frame, and to the facts table being filled."""
    t0 = time.perf_counter()
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        while app.first_paint_at is None:  # set after the first frame is drawn
            await asyncio.sleep(0.001)
        t1 = app.first_paint_at
        while app.facts_pane.total == 0:
            await asyncio.sleep(0.005)
        t2 = time.perf_counter()
        await pilot.pause()
    return t1 - t0, t2 - t0


async def keystrokes(store: Path, runs: int) -> dict[str, list[float]]:
    """Enter → answer painted; in-app answer time; Enter → passages; n → source shown."""
    out: dict[str, list[float]] = {"answer": [], "in_app": [], "passages": [], "walk": []}
    out["per_question"] = {q: [] for q in QUESTIONS}
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        for _ in range(runs):
            for q in QUESTIONS:
                app.query_bar.focus()
                app.query_bar.value = q
                await pilot.pause()
                await app.workers.wait_for_complete()
                app.answer_painted_at = None
                t0 = time.perf_counter()
                keystroke(app, "enter", "\r")
                while app.answer_painted_at is None:  # set after the frame with the answer is drawn
                    await asyncio.sleep(0.001)
                out["answer"].append(app.answer_painted_at - t0)
                out["per_question"][q].append(app.answer_painted_at - t0)
                out["in_app"].append(app.last_answer_seconds or 0.0)
                await app.workers.wait_for_complete()
                out["passages"].append(time.perf_counter() - t0)
                await pilot.pause()
                if len(app.results.citations) > 1:
                    app.results.options.focus()
                    before = app.source.citation
                    t1 = time.perf_counter()
                    keystroke(app, "n", "n")
                    while app.source.citation is before:
                        await asyncio.sleep(0.001)
                    done = asyncio.Event()
                    app.call_after_refresh(done.set)
                    await done.wait()
                    out["walk"].append(time.perf_counter() - t1)
    return out


async def long_line(corpus: Path, store: Path) -> tuple[float, float] | None:
    """(seconds to open the 1.5 MB-line HTML citation, seconds to draw one screen of its raw markup)."""
    src = corpus / "citizens_2021q4_ex991.htm"
    if not src.is_file():
        return None
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        lib = app.lib
        facts = [f for f in lib.facts(metric="net income") if f.path == str(src.resolve())]
        if not facts:
            return None
        c = lib.fact_json(facts[0])["citations"][0]
        t0 = time.perf_counter()
        app.show_citation(c)
        await pilot.pause()
        open_s = time.perf_counter() - t0
        view = app.source.view
        view.focus()
        await pilot.press("v")
        await pilot.pause()
        t1 = time.perf_counter()
        for y in range(view.scrollable_content_region.height):
            view.render_line(y)
        draw_s = time.perf_counter() - t1
    return open_s, draw_s


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", type=Path, help="a store already holding the corpus (else a temporary one)")
    ap.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    ap.add_argument("--runs", type=int, default=3, help="passes over the questions")
    ap.add_argument("-v", "--verbose", action="store_true", help="per-question timings")
    args = ap.parse_args()

    tmp = None
    store = args.store
    if store is None:
        if not args.corpus.is_dir():
            print(f"no corpus at {args.corpus}", file=sys.stderr)
            return 2
        tmp = tempfile.TemporaryDirectory(prefix="exhibit-bench-tui-")
        store = Path(tmp.name) / "store"
        t = time.perf_counter()
        lib = open_library(store)
        rep = lib.ingest([args.corpus])
        counts = lib.store.counts()
        lib.close()
        print(
            f"ingested {len(rep.added)} releases ({counts['facts']} facts) in {time.perf_counter() - t:.1f} s "
            "(not part of the timings)"
        )
    try:
        paints = [asyncio.run(first_paint(store)) for _ in range(3)]
        fp = statistics.median(p[0] for p in paints)
        ft = statistics.median(p[1] for p in paints)
        print(
            f"first paint          {ms(fp)}   target {FIRST_PAINT_TARGET * 1000:.0f} ms   "
            f"ratio {fp / FIRST_PAINT_TARGET:.2f}"
        )
        print(f"facts table filled   {ms(ft)}   (after the first paint, from the background thread)")

        k = asyncio.run(keystrokes(store, args.runs))
        for name, label in (
            ("answer", "Enter → answer painted"),
            ("in_app", "  of which the app   "),
            ("passages", "Enter → passages     "),
            ("walk", "n → source shown     "),
        ):
            xs = k[name]
            if not xs:
                continue
            med = statistics.median(xs)
            p90 = sorted(xs)[int(0.9 * (len(xs) - 1))]
            extra = (
                f"   target {ANSWER_TARGET * 1000:.0f} ms   ratio {med / ANSWER_TARGET:.2f}"
                if name == "answer"
                else ""
            )
            print(f"{label:22} median {ms(med)}  p90 {ms(p90)}  max {ms(max(xs))}  (n={len(xs)}){extra}")

        if args.verbose:
            for q, xs in k["per_question"].items():
                rest = f"  later runs median {ms(statistics.median(xs[1:]))}" if len(xs) > 1 else ""
                print(f"    {q:36} Enter → answer painted: first run {ms(xs[0])}{rest}")
        ll = asyncio.run(long_line(args.corpus, store))
        if ll:
            print(
                f"1.5 MB-line release: open the citation {ms(ll[0])}; draw a screen of raw markup {ms(ll[1])}"
            )
    finally:
        if tmp is not None:
            tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
