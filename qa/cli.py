"""The `exhibit` command: a thin layer over qa/ and index/ that prints and sets exit codes.

Errors become one line on stderr and exit code 2 here, in one place. Textual
and WeasyPrint are imported only inside the commands that need them, so
`exhibit ask` starts fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from index.errors import ExhibitError, UsageError

from . import library

EXIT_OK, EXIT_NONE, EXIT_USAGE = 0, 1, 2


class HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, sized without importing shutil (argparse builds one per argument)."""

    def __init__(self, prog: str, **kwargs) -> None:
        if kwargs.get("width") is None:
            kwargs["width"] = max(_terminal_columns() - 2, 20)  # as argparse does
        super().__init__(prog, **kwargs)


def _terminal_columns() -> int:
    """$COLUMNS, else the terminal's width, else 80 (what shutil.get_terminal_size answers)."""
    try:
        columns = int(os.environ.get("COLUMNS") or 0)
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns if columns > 0 else 80


class Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line and exit code 2."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str):  # noqa: D401
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    """The command line: global --store, one subcommand per job."""
    p = Parser(
        prog="exhibit", description="Read earnings press releases: search, cited figures, audits, briefings."
    )
    p.add_argument("--store", help="store folder (default: $EXHIBIT_STORE or a per-user data folder)")
    sub = p.add_subparsers(dest="cmd", parser_class=Parser)

    s = sub.add_parser("index", help="ingest release files and folders")
    s.add_argument("paths", nargs="+")
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    s.add_argument(
        "--jobs",
        "-j",
        type=_jobs,
        default=None,
        help=f"worker processes that read and extract files (default: one per CPU, at most "
        f"{MAX_DEFAULT_JOBS}; 1 = read in this process; 0 = one per CPU)",
    )
    s.add_argument(
        "--wait",
        type=float,
        help="seconds to wait for another ingest on the same store (default $EXHIBIT_LOCK_TIMEOUT or 600)",
    )

    s = sub.add_parser("search", help="ranked passages with highlights")
    s.add_argument("query", nargs="+")
    s.add_argument("--company")
    s.add_argument("--period")
    s.add_argument("--kind")
    s.add_argument("--doc")
    s.add_argument("--limit", type=int, default=10)
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("facts", help="list facts (filters: --company --metric --period --doc)")
    s.add_argument("--company")
    s.add_argument("--metric", help="canonical metric, or a pattern with %%")
    s.add_argument("--period", help="period end date (YYYY-MM-DD) or label (Q1 2004)")
    s.add_argument("--doc")
    s.add_argument("--basis", choices=["reported", "guidance", "derived"])
    g = s.add_mutually_exclusive_group()
    g.add_argument("--json", action="store_true")
    g.add_argument("--csv", action="store_true")

    s = sub.add_parser("ask", help="answer a question with a cited figure")
    s.add_argument("question", nargs="+", help="the question, or - to read one question a line from stdin")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("check", help="consistency audit of releases")
    s.add_argument("--doc")
    s.add_argument("--company")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("brief", help="render a cited briefing: -o FILE.md|.html|.pdf")
    s.add_argument("--doc")
    s.add_argument("--company")
    s.add_argument("-o", "--output", required=True)
    s.add_argument("--template")
    s.add_argument("--page", choices=["a4", "letter"], default="a4")

    sub.add_parser("tui", help="the terminal UI")
    sub.add_parser("docs", help="list the documents in the store")
    s = sub.add_parser(
        "doctor", help="check that the store and the search index agree; rebuild the index if not"
    )
    s.add_argument("--rebuild", action="store_true", help="rebuild the index even if they agree")
    s.add_argument("--wait", type=float, help="seconds to wait for an ingest that is running (default 600)")
    return p


# The index has one writer (this process): past about three readers it is the bottleneck, and each
# worker holds a release's text and facts in memory.
MAX_DEFAULT_JOBS = 4


def default_jobs() -> int:
    """Worker processes for `exhibit index` when `--jobs` is not given: the CPUs, at most four."""
    return max(1, min(os.cpu_count() or 1, MAX_DEFAULT_JOBS))


def _jobs(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of processes: {value!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError("must be 0 (one per CPU) or more")
    return n or (os.cpu_count() or 1)


def store_dir(args) -> tuple[Path, bool]:
    """The store folder, and whether it is the default one (filled from the bundled corpus)."""
    if args.store:
        return Path(args.store), False
    if os.environ.get("EXHIBIT_STORE"):
        return Path(os.environ["EXHIBIT_STORE"]), False
    return library.default_store_dir(), True


def main(argv: list[str] | None = None) -> int:
    """Run the command; return its exit code."""
    try:
        return run(argv)
    except ExhibitError as e:
        print(f"exhibit: {e.title}: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("exhibit: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def run(argv: list[str] | None) -> int:
    """Parse and dispatch."""
    args = build_parser().parse_args(argv)
    if not args.cmd:
        build_parser().print_help()
        return EXIT_USAGE
    root, is_default = store_dir(args)
    if args.cmd == "index":
        return cmd_index(args, root)
    lib = library.open_library(root, seed=is_default)
    try:
        return COMMANDS[args.cmd](args, lib)
    except ModuleNotFoundError as e:
        if e.name and e.name.split(".")[0] in ("qa", "renderer", "tui"):
            raise UsageError(f"`exhibit {args.cmd}` is not available in this version yet") from None
        raise
    finally:
        lib.close()


def cmd_index(args, root: Path) -> int:
    """exhibit index PATH...: ingest, show progress, summarise, list rejects."""
    lib = library.open_library(root, seed=False)
    bar = None
    if sys.stderr.isatty() and not args.quiet:
        bar = ProgressBar()
    try:
        rep = lib.ingest(
            args.paths,
            progress=bar,
            jobs=args.jobs if args.jobs is not None else default_jobs(),
            wait=args.wait,
            on_wait=_waiting(root, args.wait),
        )
    finally:
        if bar:
            bar.done()
        lib.close()
    print(
        f"{len(rep.added)} documents ingested ({rep.segments} segments, {rep.facts} facts); "
        f"{len(rep.unchanged)} unchanged, {len(rep.duplicates)} duplicates, {len(rep.rejected)} rejected"
    )
    for path, other in rep.duplicates:
        print(f"  duplicate: {_printable(path)} (same bytes as {_printable(other)})")
    for path, why in rep.rejected:
        print(f"exhibit: rejected {_printable(path)}: {_one_line(why)}", file=sys.stderr)
    return EXIT_USAGE if rep.rejected else EXIT_OK


def _waiting(root: Path, wait: float | None):
    """The message a second writer prints (once, on stderr) while the first holds the store."""
    from .store import lock_timeout

    def say(holder: str) -> None:
        secs = lock_timeout() if wait is None else wait
        who = f" ({holder})" if holder else ""
        print(
            f"exhibit: another ingest is running on {root}{who}; waiting up to {secs:g}s for it to finish",
            file=sys.stderr,
            flush=True,
        )

    return say


def _one_line(s: str) -> str:
    return " ".join(str(s).split())


def _printable(path: str) -> str:
    """A file name on one line: control characters and undecodable bytes escaped (\\n, \\udcff)."""
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in str(path))


class ProgressBar:
    """A one-line progress bar on stderr (terminals only)."""

    def __call__(self, i: int, n: int, name: str) -> None:
        width = 30
        done = int(width * i / n) if n else width
        label = Path(name).name[:40] if name else ""
        sys.stderr.write(f"\r[{'#' * done}{'.' * (width - done)}] {i}/{n} {label:<40}")
        sys.stderr.flush()

    def done(self) -> None:
        """Clear the bar's line."""
        sys.stderr.write("\r" + " " * 90 + "\r")
        sys.stderr.flush()


def cmd_search(args, lib) -> int:
    """exhibit search QUERY: ranked passages with highlights."""
    hits = lib.search(
        " ".join(args.query),
        company=args.company,
        period=args.period,
        kind=args.kind,
        doc_id=args.doc,
        limit=args.limit,
    )
    if args.json:
        import json

        print(json.dumps([lib.hit_json(h) for h in hits], indent=2, ensure_ascii=False))
        return EXIT_OK if hits else EXIT_NONE
    if not hits:
        print("no passages found")
        return EXIT_NONE
    color = sys.stdout.isatty()
    for h in hits:
        doc = lib.store.document(h.doc_id)
        name = Path(doc.path).name if doc else h.doc_id
        print(f"{name}:{h.line_start}  [{h.kind}] {h.company} {h.period}  (score {h.score:.2f})")
        print("    " + render_highlights(h.highlights, color))
    return EXIT_OK


def render_highlights(s: str, color: bool) -> str:
    """Highlights with matches in bold (terminal) or [brackets] (pipes)."""
    from index.search import split_highlights

    out = []
    for text, hit in split_highlights(s):
        if hit:
            out.append(f"\x1b[1;33m{text}\x1b[0m" if color else f"[{text}]")
        else:
            out.append(text)
    return "".join(out)


def cmd_facts(args, lib) -> int:
    """exhibit facts: list facts with filters, as a table, --json or --csv."""
    import csv
    import json

    rows = lib.facts(
        company=args.company, metric=args.metric, period=args.period, doc_id=args.doc, basis=args.basis
    )
    if args.json:
        sys.stdout.write("[\n")
        for i, f in enumerate(rows):
            sys.stdout.write(("," if i else "") + json.dumps(lib.fact_json(f), ensure_ascii=False) + "\n")
        sys.stdout.write("]\n")
        return EXIT_OK
    if args.csv:
        w = csv.writer(sys.stdout)
        w.writerow(
            [
                "company",
                "metric",
                "label",
                "value",
                "value_high",
                "unit",
                "period_start",
                "period_end",
                "period",
                "basis",
                "as_printed",
                "scale",
                "doc_id",
                "path",
                "line",
            ]
        )
        for f in rows:
            j = lib.fact_json(f)
            c = j["citations"][0]
            w.writerow(
                [
                    f.company,
                    f.metric,
                    f.label,
                    f.value,
                    f.value_high,
                    f.unit,
                    f.period.start or "",
                    f.period.end,
                    f.period.label,
                    f.basis,
                    f.as_printed,
                    f.scale,
                    f.doc_id,
                    f.path,
                    c["line_start"],
                ]
            )
        return EXIT_OK
    if not rows:
        print("no facts match")
        return EXIT_NONE
    for f in rows:
        val = format_value(f.value, f.unit, f.value_high)
        print(f"{f.company[:24]:24} {f.period.label:14} {f.metric[:40]:40} {val:>22}  {f.as_printed!r}")
    print(f"{len(rows)} facts")
    return EXIT_OK


def format_value(value: float, unit: str, high: float | None = None) -> str:
    """A value for people: $17,549,000; $0.23/share; 55.9%; 78,321,851 shares."""

    def one(v: float) -> str:
        if unit == "USD":
            return f"-${abs(v):,.0f}" if v < 0 else f"${v:,.0f}"
        if unit == "USD/share":
            return f"-${abs(v):,.2f}" if v < 0 else f"${v:,.2f}"
        if unit == "percent":
            return f"{v:g}%"
        if unit == "shares":
            return f"{v:,.0f} shares"
        return f"{v:,g} {unit}"

    return one(value) + (f" to {one(high)}" if high is not None else "")


def cmd_docs(args, lib) -> int:
    """exhibit docs: the documents in the store."""
    docs = lib.store.documents()
    for d in docs:
        print(
            f"{d.doc_id:60} {d.company[:30]:30} {d.main_period:10} {d.release_date or '':10} {Path(d.path).name}"
        )
    print(f"{len(docs)} documents")
    return EXIT_OK


def cmd_doctor(args, lib) -> int:
    """exhibit doctor: check SQLite, compare it with the Whoosh index, rebuild the index when they differ.

    Exit 0 when the store is sound and the index agrees with it (after any repair), else 2.
    """
    with lib.store.writer_lock(args.wait, _waiting(lib.root, args.wait)):
        problems = lib.store.health()
        for p in problems:
            print(f"store: {p}")
        st = lib.index_status(thorough=True)
        n = len(lib.store.doc_ids())
        if st.ok and not args.rebuild:
            if problems:
                return EXIT_USAGE
            print(f"ok: store and index agree on {n} documents ({st.store_segments} segments)")
            return EXIT_OK
        if st.unreadable:
            print(f"index unreadable: {_one_line(st.unreadable)}")
        elif not st.ok:
            print(
                f"store and index differ: {len(st.missing)} documents missing from the index, "
                f"{len(st.extra)} extra, {len(st.pending)} not yet indexed; "
                f"{st.store_segments} segments in the store, {st.index_segments} in the index"
            )
        done = lib.repair_index(thorough=True, force=args.rebuild)
        print(done or "nothing to repair")
        after = lib.index_status(thorough=True)
        if not after.ok:
            print(
                f"exhibit: store error: the index still differs from the store "
                f"({after.store_segments} segments in the store, {after.index_segments} in the index)",
                file=sys.stderr,
            )
            return EXIT_USAGE
        print(f"ok: store and index agree on {n} documents ({after.store_segments} segments)")
    return EXIT_USAGE if problems else EXIT_OK


def cmd_ask(args, lib) -> int:
    """exhibit ask QUESTION | -: answers, readable or --json (one object a line for stdin)."""

    from .answer import answer_to_json, format_answer

    if args.question == ["-"]:
        worst = EXIT_OK
        for line in sys.stdin:
            q = line.strip()
            if not q:
                continue
            a = lib.ask(q)
            if args.json:
                import json

                print(json.dumps(answer_to_json(a), ensure_ascii=False), flush=True)
            else:
                print(format_answer(a))
                print()
            if a.status == "not_found":
                worst = EXIT_NONE
        return worst
    a = lib.ask(" ".join(args.question))
    if args.json:
        import json

        print(json.dumps(answer_to_json(a), indent=2, ensure_ascii=False))
    else:
        print(format_answer(a))
    return EXIT_OK if a.status in ("answered", "passages") else EXIT_NONE


def cmd_check(args, lib) -> int:
    """exhibit check: the consistency audit; exit 1 when anything does not hold exactly."""
    from .audit import audit_json, format_findings

    findings = lib.check(doc_id=args.doc, company=args.company)
    if args.json:
        import json

        print(json.dumps(audit_json(findings, lib), indent=2, ensure_ascii=False))
    else:
        print(format_findings(findings, lib))
    return EXIT_NONE if any(f.status != "ok" for f in findings) else EXIT_OK


def cmd_brief(args, lib) -> int:
    """exhibit brief -o FILE: a cited briefing in the format of the file's suffix."""
    from renderer.briefing import render_to_file

    out = render_to_file(
        lib, Path(args.output), doc_id=args.doc, company=args.company, template=args.template, page=args.page
    )
    print(f"wrote {out}")
    return EXIT_OK


def cmd_tui(args, lib) -> int:
    """exhibit tui: the terminal UI."""
    from tui.app import make_app

    root = lib.root
    lib.close()
    make_app(root).run()
    return EXIT_OK


COMMANDS = {
    "search": cmd_search,
    "facts": cmd_facts,
    "ask": cmd_ask,
    "check": cmd_check,
    "brief": cmd_brief,
    "tui": cmd_tui,
    "docs": cmd_docs,
    "doctor": cmd_doctor,
}
