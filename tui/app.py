"""`exhibit tui`: ask, read the cited source, browse facts and documents, ingest, export, audit.

The app is a controller: widgets say what the user did through messages, the app asks
the library (`qa.library.Library`) and hands the results back to widgets. No answering
or search logic lives here.

Threads: SQLite connections belong to the thread that opened them, so the app keeps
one `Library` for the event loop's thread (small reads: documents, source texts) and
one for a single background thread that runs questions, searches, fact listings and
audits (`_bg`), so typing never waits on the store. Ingest and export run in Textual
thread workers that open their own `Library`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from time import perf_counter

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, TabbedContent, TabPane
from textual.worker import get_current_worker

from index.errors import ExhibitError
from qa.library import Library, bundled_corpus

from .commands import ExhibitCommands
from .screens.dialogs import ConfirmScreen, MessageScreen, PathPrompt
from .screens.findings import FindingsScreen
from .screens.help import HelpScreen
from .widgets.common import cite_place, clipboard_text
from .widgets.documents import DocumentList
from .widgets.facts import FactsPane
from .widgets.query import QueryBar
from .widgets.results import Passage, ResultsPane
from .widgets.source import SourcePane
from .widgets.status import IngestStatus

__all__ = ["ExhibitApp", "make_app"]

PASSAGE_LIMIT = 10
BRIEFING_SUFFIXES = (".html", ".htm", ".pdf", ".md")


class IngestCancelled(Exception):
    """The app is closing: stop ingesting between files."""


def describe(e: BaseException) -> str:
    """One line for a user: an ExhibitError's title and message, else the exception's name."""
    if isinstance(e, ExhibitError):
        return f"{e.title}: {e}"
    return f"{type(e).__name__}: {e}"


def guarded(method):
    """Run a handler or action; an unexpected error becomes a notification, never a crash."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Exception as e:  # the app must not crash on a bad file or a store error
            self.report(e)
            return None

    return wrapper


class ExhibitApp(App):
    """The Exhibit terminal UI over one store folder."""

    TITLE = "Exhibit"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {ExhibitCommands}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]

    BINDINGS = [
        Binding("f1", "help", "Help"),
        Binding("slash", "focus_query", "Ask", key_display="/"),
        Binding("n", "walk(1)", "Next cite"),
        Binding("N", "walk(-1)", "Prev cite", key_display="N"),
        Binding("c", "copy_citation", "Copy cite"),
        Binding("v", "toggle_view", "Markup/reading", show=False),
        Binding("w", "toggle_wrap", "Wrap", show=False),
        Binding("t", "tables", "Facts/Docs"),
        Binding("escape", "go_back", "Back", show=False),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, store_root: str | Path, seed: bool = False) -> None:
        super().__init__()
        self.created_at = perf_counter()
        self.first_paint_at: float | None = None  # perf_counter() after the first frame
        self.answer_painted_at: float | None = None  # perf_counter() after the last answer's frame
        self.store_root = Path(store_root)
        self.seed = seed
        self.lib: Library | None = None
        self.open_error: str | None = None
        try:
            self.lib = Library(self.store_root)
        except Exception as e:
            self.open_error = describe(e)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="exhibit-bg")
        self._bg_local = threading.local()
        self.current_doc_id: str | None = None
        self.ingesting = False
        self.last_ingest = None  # the last IngestReport
        self.last_export: Path | None = None
        self.answers_shown = 0  # counts answers painted (benchmarks and tests wait on it)
        self.notices: list[tuple[str, str, str]] = []  # (severity, title, message) of every notification
        self.last_answer_seconds: float | None = None
        self._gc_frozen = False

    # --- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield QueryBar(id="query")
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield ResultsPane(id="results")
                with TabbedContent(id="lower"):
                    with TabPane("Facts", id="tab-facts"):
                        yield FactsPane(id="facts")
                    with TabPane("Documents", id="tab-docs"):
                        yield DocumentList(id="docs")
            yield SourcePane(id="source")
        yield IngestStatus(id="ingest-status")
        yield Footer()

    @property
    def results(self) -> ResultsPane:
        return self.query_one(ResultsPane)

    @property
    def source(self) -> SourcePane:
        return self.query_one(SourcePane)

    @property
    def facts_pane(self) -> FactsPane:
        return self.query_one(FactsPane)

    @property
    def documents(self) -> DocumentList:
        return self.query_one(DocumentList)

    @property
    def query_bar(self) -> QueryBar:
        return self.query_one(QueryBar)

    def on_mount(self) -> None:
        self.call_after_refresh(self._painted_first)
        self.query_one("#results").border_title = "Answer"
        self.query_one("#source").border_title = "Source"
        self.query_bar.focus()
        if self.lib is None:
            self.query_bar.border_title = f"Exhibit · store {self.store_root} cannot be opened"
            self.push_screen(
                MessageScreen(
                    "The store cannot be opened",
                    f"{self.open_error}\n\nStart Exhibit with another store (exhibit --store DIR tui).",
                )
            )
            return
        try:
            docs = self.refresh_store_views()
        except Exception as e:  # a damaged store: say so and keep running
            self.report(e, "The store cannot be read")
            return
        if not docs:
            if self.seed:
                self.start_ingest([bundled_corpus()], "the bundled corpus")
            else:
                self.offer_bundled_corpus()
        else:
            self.call_after_refresh(self.load_facts, None, None, None)

    def _painted_first(self) -> None:
        if self.first_paint_at is None:
            self.first_paint_at = perf_counter()

    @work(group="warm-up", exit_on_error=False)
    async def warm_up(self) -> None:
        """Open the search index and load the question parser before the first question."""
        with contextlib.suppress(Exception):
            await self._bg(lambda lib: (lib.search("revenue", limit=1), lib.ask("revenue")))

    def _freeze_heap(self) -> None:
        """Once the app is built and the facts loaded: move what exists out of the collector's sight.

        The long-lived objects (widgets, styles, the store's caches) would otherwise be
        scanned again by every full collection, a pause of 50-100 ms in the middle of a
        keystroke now and then.
        """
        gc.collect()
        gc.freeze()

    def _painted_answer(self) -> None:
        self.answer_painted_at = perf_counter()

    def on_unmount(self) -> None:
        def close_bg() -> None:
            lib = getattr(self._bg_local, "lib", None)
            if lib is not None:
                lib.close()

        try:
            self._executor.submit(close_bg)
            self._executor.shutdown(wait=False, cancel_futures=False)
        except RuntimeError:
            pass
        if self.lib is not None:
            self.lib.close()
        if self._gc_frozen:
            gc.unfreeze()  # hand the frozen objects back to the collector (tests run many apps)

    # --- errors -----------------------------------------------------------------------

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: str = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """A notification (plain text by default: paths and errors may hold brackets); kept in `notices`."""
        self.notices.append((severity, title, str(message)))
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def report(self, e: BaseException, title: str = "Error") -> None:
        """Show an error as a notification."""
        self.log.error(repr(e))
        self.notify(describe(e), title=title, severity="error", timeout=8)

    def need_store(self) -> bool:
        if self.lib is None:
            self.notify(self.open_error or "no store", title="No store", severity="error")
            return False
        return True

    # --- the background library -------------------------------------------------------

    async def _bg(self, fn):
        """Run fn(library) on the background thread and return its result."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._in_bg, fn)

    def _in_bg(self, fn):
        lib = getattr(self._bg_local, "lib", None)
        if lib is None:
            lib = self._bg_local.lib = Library(self.store_root)
        return fn(lib)

    # --- store views ------------------------------------------------------------------

    def refresh_store_views(self) -> list:
        """Documents list, suggestions, company filter and the query bar's title from the store."""
        assert self.lib is not None
        docs = self.lib.store.documents()
        companies = self.lib.store.companies()
        metrics = [m for m, _ in self.lib.store.metrics()]
        self.documents.show(docs)
        names = [name for _, name, _ in companies] + [t for _, _, t in companies if t] + metrics
        self.query_bar.set_names(names)
        self.facts_pane.set_options(
            "company", [name for _, name, _ in companies], keep=self.facts_pane.value("company")
        )
        self.query_bar.border_title = (
            f"Exhibit · {len(docs)} release{'s' if len(docs) != 1 else ''} · {self.store_root}"
        )
        self.query_one("#lower", TabbedContent).get_tab("tab-docs").label = f"Documents ({len(docs)})"
        return docs

    def offer_bundled_corpus(self) -> None:
        corpus = bundled_corpus()

        def answer(yes: bool | None) -> None:
            if yes:
                self.start_ingest([corpus], "the bundled corpus")
            else:
                self.notify("Ctrl+P → Ingest a folder… adds releases.", title="The store is empty")

        self.push_screen(
            ConfirmScreen(
                "The store is empty",
                f"No releases in {self.store_root}.\nIngest the release(s) bundled with Exhibit ({corpus})?",
                yes="Ingest",
                no="Not now",
            ),
            answer,
        )

    # --- asking -----------------------------------------------------------------------

    @on(QueryBar.Submitted, "#query")
    def on_query_submitted(self, event: QueryBar.Submitted) -> None:
        event.stop()
        q = event.value.strip()
        if not q or not self.need_store():
            return
        self.screen.remove_class("-tables")  # narrow screens: show the answer
        self.ask(q)

    @work(exclusive=True, group="query", exit_on_error=False)
    async def ask(self, question: str) -> None:
        """Answer a question, open its first citation, then add ranked passages."""
        t0 = perf_counter()
        results = self.results
        results.show_busy(question)
        try:
            a = await self._bg(lambda lib: lib.ask(question))
        except Exception as e:
            results.card.show_message(f"error: {describe(e)}", warn=True)
            self.report(e, "The question failed")
            return
        results.show_answer(a)
        self.last_answer_seconds = perf_counter() - t0
        self.answers_shown += 1
        if results.citations:
            results.open_first()
            results.options.focus()
        # Let the answer (and its source) reach the screen before the background thread
        # starts on the facts and passages: they would compete for the interpreter.
        painted = asyncio.Event()
        self.call_after_refresh(painted.set)
        await painted.wait()
        self._painted_answer()
        if a.status == "answered" and a.facts:
            f = a.facts[0]
            self.load_facts(self.company_name(f.company), f.metric, None, highlight_id=f.id)
        # passages from the answer's company when there is one (the library's own filter)
        company = a.answer.get("company") if a.status == "answered" and a.answer else None
        try:
            passages = await self._bg(
                lambda lib: [
                    Passage(h, lib.hit_json(h))
                    for h in lib.search(question, company=company, limit=PASSAGE_LIMIT)
                ]
            )
        except Exception as e:
            self.report(e, "Search failed")
            return
        had = bool(results.citations)
        results.show_passages(passages)
        if not had and results.citations:
            results.open_first(move_highlight=a.status != "ambiguous")
            results.options.focus()

    def company_name(self, company: str) -> str | None:
        """The store's display name for a document's company (the facts filter's value)."""
        if self.lib is None:
            return None
        return self.lib.resolve_company_name(company)

    @on(ResultsPane.CitationChosen)
    @guarded
    def on_citation_chosen(self, event: ResultsPane.CitationChosen) -> None:
        c = event.citation
        same_doc = [
            (x["char_start"], x["char_end"])
            for x in event.citations
            if x is not c and x.get("doc_id") == c.get("doc_id")
        ]
        self.show_citation(c, extra=same_doc)

    @on(ResultsPane.AlternativeChosen)
    def on_alternative_chosen(self, event: ResultsPane.AlternativeChosen) -> None:
        alt = event.alternative
        who = alt.get("company") or ""
        q = f"{who} {event.question}".strip() if who and who.lower() not in event.question.lower() else ""
        if not q:
            q = " ".join(str(v) for v in alt.values()) + " " + event.question
        self.query_bar.value = q
        self.ask(q)

    def show_citation(self, c: dict, extra: list[tuple[int, int]] | None = None) -> None:
        """Open a citation's source in the source pane."""
        if not self.need_store():
            return
        assert self.lib is not None
        doc = self.lib.store.document(c["doc_id"])
        if doc is None:
            self.notify(f"document {c['doc_id']} is no longer in the store", severity="warning")
            return
        text = self.lib.text_for(doc.sha256)
        if not text:
            self.notify(f"the source text of {Path(doc.path).name} is missing", severity="error")
            return
        self.source.show_citation(
            c, text, is_html=doc.format == "html", body=(doc.body_start, doc.body_end), extra=extra
        )
        self.current_doc_id = doc.doc_id
        self.documents.select_doc(doc.doc_id)

    # --- facts and documents ------------------------------------------------------------

    @on(FactsPane.FiltersChanged)
    def on_filters_changed(self, event: FactsPane.FiltersChanged) -> None:
        event.stop()
        self.load_facts(event.company, event.metric, event.period)

    @work(exclusive=True, group="facts", exit_on_error=False)
    async def load_facts(
        self, company: str | None, metric: str | None, period: str | None, highlight_id: int | None = None
    ) -> None:
        """Fill the facts table (and the metric and period choices) for the filters."""
        if self.lib is None:
            return

        def job(lib: Library):
            metrics = sorted(m for m, _ in lib.store.metrics(company))
            if metric and metric not in metrics:
                base: list = []
            else:
                base = lib.facts(company=company, metric=metric)
            ends: dict[str, str] = {}
            for f in base:
                ends[f.period.label] = max(ends.get(f.period.label, ""), f.period.end or "")
            periods = sorted(ends, key=lambda label: (ends[label], label), reverse=True)
            rows = lib.facts(company=company, metric=metric, period=period) if period else base
            return metrics, periods, rows

        try:
            metrics, periods, rows = await self._bg(job)
        except Exception as e:
            self.report(e, "Facts")
            return
        pane = self.facts_pane
        pane.set_options("metric", metrics, keep=metric)
        pane.set_options("period", periods, keep=period)
        pane.set_filters(company, metric, period if period in periods else None)
        pane.show(rows, highlight_id=highlight_id)
        if not self._gc_frozen:
            self._gc_frozen = True
            self.call_after_refresh(self._freeze_heap)
            self.warm_up()

    @on(FactsPane.FactChosen)
    @guarded
    def on_fact_chosen(self, event: FactsPane.FactChosen) -> None:
        event.stop()
        assert self.lib is not None
        c = self.lib.fact_json(event.fact)["citations"][0]
        self.show_citation(c)

    @on(DocumentList.DocumentChosen)
    @guarded
    def on_document_chosen(self, event: DocumentList.DocumentChosen) -> None:
        event.stop()
        self.open_document(event.doc_id)

    def open_document(self, doc_id: str) -> None:
        """Show a release from its beginning and list its company's facts."""
        assert self.lib is not None
        doc = self.lib.store.document(doc_id)
        if doc is None:
            self.notify("that document is no longer in the store", severity="warning")
            return
        c = {
            "doc_id": doc.doc_id,
            "path": doc.path,
            "char_start": doc.body_start,
            "char_end": doc.body_start,
            "kind": "document",
            "title": doc.title,
            "company": doc.company,
        }
        self.show_citation(c)
        self.load_facts(self.company_name(doc.company), None, None)

    # --- actions ----------------------------------------------------------------------

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_focus_query(self) -> None:
        self.screen.remove_class("-tables")
        self.query_bar.focus()

    def action_go_back(self) -> None:
        """Esc: back to the query bar (from the tables on narrow screens, back to the answer)."""
        if self.screen.has_class("-tables"):
            self.screen.remove_class("-tables")
        self.query_bar.focus()

    @guarded
    def action_walk(self, step: int) -> None:
        """n / N: the next or previous citation, opened in the source pane."""
        c = self.results.walk(step)
        if c is None:
            self.notify("no citations yet: ask a question first", severity="information", timeout=3)

    @guarded
    def action_copy_citation(self) -> None:
        c = self.source.citation or self.results.current_citation
        if not c or c.get("kind") == "document":
            self.notify(
                "open a citation first (Enter on a citation or a fact)", severity="warning", timeout=3
            )
            return
        self.copy_to_clipboard(clipboard_text(c))
        self.notify(f"copied {cite_place(c)}", title="Citation copied", timeout=3)

    def action_toggle_view(self) -> None:
        mode = self.source.toggle_mode()
        if mode is None:
            self.notify("the reading view is for HTML sources", timeout=3)

    def action_toggle_wrap(self) -> None:
        if self.source.toggle_wrap() is None:
            self.notify("wrapping is for plain-text sources (v switches HTML views)", timeout=3)

    def action_tables(self) -> None:
        """t: focus the facts/documents tables (on a narrow screen they take the answer's place)."""
        screen = self.screen
        if screen.has_class("-narrow"):
            screen.toggle_class("-tables")
            if not screen.has_class("-tables"):
                self.results.options.focus()
                return
        tabs = self.query_one("#lower", TabbedContent)
        target = "#fact-table" if tabs.active == "tab-facts" else "#docs"
        self.query_one(target).focus()

    # --- ingest -----------------------------------------------------------------------

    def action_ingest_prompt(self) -> None:
        if not self.need_store():
            return

        def check(p: str) -> str | None:
            path = Path(p).expanduser()
            if not path.exists():
                return f"No such file or folder: {path}"
            return None

        def chosen(p: str | None) -> None:
            if p:
                path = Path(p).expanduser().resolve()
                self.start_ingest([path], str(path))

        self.push_screen(
            PathPrompt(
                "Ingest releases from a folder (or one file)",
                str(Path.cwd()),
                hint="Files already in the store are skipped; changed files are read again.",
                check=check,
            ),
            chosen,
        )

    def action_ingest_bundled(self) -> None:
        if self.need_store():
            self.start_ingest([bundled_corpus()], "the bundled corpus")

    def start_ingest(self, paths: list[Path], label: str) -> None:
        """Ingest in a thread worker; a progress bar shows above the footer."""
        if self.ingesting:
            self.notify("an ingest is already running", severity="warning")
            return
        self.ingesting = True
        self.query_one(IngestStatus).start(label)
        self._ingest_worker(paths)

    @work(thread=True, group="ingest", exit_on_error=False)
    def _ingest_worker(self, paths: list[Path]) -> None:
        worker = get_current_worker()
        status = self.query_one(IngestStatus)

        def progress(i: int, n: int, name: str) -> None:
            if worker.is_cancelled:
                raise IngestCancelled()
            try:
                self.call_from_thread(status.progress, i, n, name)
            except RuntimeError:
                raise IngestCancelled() from None

        try:
            lib = Library(self.store_root)
            try:
                rep = lib.ingest(paths, progress=progress)
            finally:
                lib.close()
        except IngestCancelled:
            return
        except Exception as e:
            self._from_thread(self._ingest_failed, e)
            return
        self._from_thread(self._ingest_done, rep)

    def _from_thread(self, fn, *args) -> None:
        with contextlib.suppress(RuntimeError):  # the app closed meanwhile
            self.call_from_thread(fn, *args)

    def _ingest_failed(self, e: BaseException) -> None:
        self.ingesting = False
        self.query_one(IngestStatus).stop()
        self.report(e, "Ingest failed")

    @guarded
    def _ingest_done(self, rep) -> None:
        self.ingesting = False
        self.last_ingest = rep
        self.query_one(IngestStatus).stop()
        self.refresh_store_views()
        self.load_facts(*self.facts_pane.filters)
        msg = (
            f"{len(rep.added)} release(s) added ({rep.segments} segments, {rep.facts} facts); "
            f"{len(rep.unchanged)} unchanged, {len(rep.duplicates)} duplicate(s)"
        )
        self.notify(msg, title="Ingest finished", timeout=6)
        if rep.rejected:
            lines = "\n".join(f"{Path(p).name}: {why}" for p, why in rep.rejected[:8])
            more = f"\n… and {len(rep.rejected) - 8} more" if len(rep.rejected) > 8 else ""
            self.notify(
                lines + more, title=f"{len(rep.rejected)} file(s) rejected", severity="warning", timeout=10
            )

    # --- export -----------------------------------------------------------------------

    def current_release(self):
        """The release shown in the source pane, else the one under the documents cursor, else the newest."""
        if self.lib is None:
            return None
        for doc_id in (self.current_doc_id, self._doc_under_cursor()):
            if doc_id:
                d = self.lib.store.document(doc_id)
                if d:
                    return d
        docs = self.lib.store.documents()
        return docs[0] if docs else None

    def _doc_under_cursor(self) -> str | None:
        dl = self.documents
        if dl.row_count and 0 <= dl.cursor_row < len(dl.doc_ids):
            return dl.doc_ids[dl.cursor_row]
        return None

    def action_export_prompt(self) -> None:
        if not self.need_store():
            return
        try:
            import renderer.briefing  # noqa: F401
        except ImportError as e:
            self.notify(
                f"briefing export is not available in this version ({e})", title="Export", severity="error"
            )
            return
        doc = self.current_release()
        if doc is None:
            self.notify("the store holds no release to brief", severity="warning")
            return

        def check(p: str) -> str | None:
            path = Path(p).expanduser()
            if path.suffix.lower() not in BRIEFING_SUFFIXES:
                return "The file name must end in .html, .pdf or .md."
            if not path.parent.exists():
                return f"No such folder: {path.parent}"
            return None

        def chosen(p: str | None) -> None:
            if p:
                self.export_briefing(doc.doc_id, Path(p).expanduser())

        default = Path.cwd() / f"briefing-{doc.doc_id}.html"
        self.push_screen(
            PathPrompt(
                f"Export a briefing of {doc.company} {doc.main_period}",
                str(default),
                hint="HTML (.html), PDF (.pdf) or Markdown (.md), by the file's suffix.",
                check=check,
            ),
            chosen,
        )

    def export_briefing(self, doc_id: str, path: Path) -> None:
        self.notify(f"rendering {path.name}…", title="Export", timeout=3)
        self._export_worker(doc_id, path)

    @work(thread=True, group="export", exit_on_error=False)
    def _export_worker(self, doc_id: str, path: Path) -> None:
        try:
            from renderer.briefing import render_to_file

            lib = Library(self.store_root)
            try:
                out = render_to_file(lib, path, doc_id=doc_id)
            finally:
                lib.close()
        except Exception as e:
            self._from_thread(self.report, e, "Export failed")
            return
        self._from_thread(self._export_done, Path(out or path))

    def _export_done(self, out: Path) -> None:
        self.last_export = out
        self.notify(f"wrote {out}", title="Briefing exported", timeout=8)

    # --- audit ------------------------------------------------------------------------

    def action_show_findings(self) -> None:
        if not self.need_store():
            return
        doc = self.current_release()
        if doc is None:
            self.notify("the store holds no release to audit", severity="warning")
            return
        self._findings_worker(doc.doc_id, f"{doc.company} {doc.main_period}")

    @work(exclusive=True, group="audit", exit_on_error=False)
    async def _findings_worker(self, doc_id: str, name: str) -> None:
        try:
            findings = await self._bg(lambda lib: lib.check(doc_id=doc_id))
        except (ModuleNotFoundError, ImportError) as e:
            self.notify(
                f"audit findings are not available in this version ({e})", title="Audit", severity="warning"
            )
            return
        except Exception as e:
            self.report(e, "Audit failed")
            return

        def chosen(c: dict | None) -> None:
            if c:
                self.show_citation(c)

        bad = sum(1 for f in findings if getattr(f, "status", "") == "discrepancy")
        title = f"Audit of {name}: {len(findings)} checks, {bad} discrepanc{'y' if bad == 1 else 'ies'}"
        self.push_screen(FindingsScreen(title, findings), chosen)


def make_app(store_root: str | Path, seed: bool = False) -> ExhibitApp:
    """The app over a store folder; with `seed`, an empty store is first filled from the bundled corpus."""
    return ExhibitApp(store_root, seed=seed)
