"""The Textual UI driven through Textual's Pilot, on real stores in tmp folders.

pytest-asyncio is not a dependency: each test is a plain function that runs its
coroutine with asyncio.run. Screenshots (SVG) of the answered query are saved to
/tmp/exhibit-shots/ for a person to look at.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from pathlib import Path

import pytest

pytest.importorskip("textual")

from qa.library import open_library  # noqa: E402
from tui.app import ExhibitApp, make_app  # noqa: E402
from tui.screens.dialogs import ConfirmScreen, MessageScreen, PathPrompt  # noqa: E402
from tui.screens.help import HelpScreen  # noqa: E402
from tui.widgets.query import PhraseSuggester  # noqa: E402
from tui.widgets.source import SourceView, html_reading  # noqa: E402

SHOTS = Path("/tmp/exhibit-shots")
SEED_QUESTION = "Q1 SG&A"


def run(coro):
    return asyncio.run(coro)


@pytest.fixture
def seed_store(tmp_path, seed_path) -> Path:
    """A store holding the bundled release."""
    root = tmp_path / "store"
    lib = open_library(root)
    try:
        rep = lib.ingest([seed_path.parent])
    finally:
        lib.close()
    assert rep.added, rep.rejected
    return root


async def settle(app: ExhibitApp, pilot, rounds: int = 3) -> None:
    """Let workers finish and messages drain."""
    for _ in range(rounds):
        await app.workers.wait_for_complete()
        await pilot.pause()


async def wait_for(pilot, predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the UI")
        await pilot.pause(0.05)


async def type_text(pilot, text: str) -> None:
    for ch in text:
        await pilot.press(ch)


async def ask(app: ExhibitApp, pilot, question: str) -> None:
    """Focus the query bar, type the question, press Enter, wait for answer and passages."""
    app.query_bar.focus()
    app.query_bar.value = ""
    await pilot.pause()
    await type_text(pilot, question)
    await pilot.press("enter")
    await settle(app, pilot)


async def run_palette(app: ExhibitApp, pilot, words: str) -> None:
    """Ctrl+P, type, wait for the matching command, Enter."""
    from textual.command import CommandList, CommandPalette

    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
    await type_text(pilot, words)
    await wait_for(pilot, lambda: app.screen.query_one(CommandList).option_count > 0)
    await pilot.press("enter")
    await wait_for(pilot, lambda: not isinstance(app.screen, CommandPalette))


def cited_style_on_line(view: SourceView, line: int) -> bool:
    """Whether the rendered row of a 1-based source line carries the cited span's background."""
    y = line - 1 - int(view.scroll_offset.y)
    if not 0 <= y < view.scrollable_content_region.height:
        return False
    cited_bg = view.get_component_rich_style("source--cited").bgcolor
    strip = view.render_line(y)
    return any(seg.style is not None and seg.style.bgcolor == cited_bg for seg in strip)


# --------------------------------------------------------------------------- asking


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
def test_query_answers_and_highlights_the_cited_row(seed_store, size):
    async def go():
        app = make_app(seed_store)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await ask(app, pilot, SEED_QUESTION)
            card = app.results.card.plain
            assert "17,549" in card
            assert "Q1 2004" in card and "reported" in card
            assert "prose agrees" in card  # the release's sentence says $17.5 million
            view = app.source.view
            assert list(view.cited_lines) == [242, 243]
            assert 243 in view.visible_lines()
            assert cited_style_on_line(view, 243)
            assert not cited_style_on_line(view, 241)
            assert app.source.citation["line_start"] == 242
            # the facts pane follows the answer: the metric across periods, the answered row first
            assert app.facts_pane.filters[1] == "selling, general and administrative"
            assert app.facts_pane.total >= 3
            SHOTS.mkdir(parents=True, exist_ok=True)
            app.save_screenshot(f"query-{size[0]}x{size[1]}.svg", path=str(SHOTS))
        assert (SHOTS / f"query-{size[0]}x{size[1]}.svg").read_text().count("17,549") >= 1

    run(go())


def test_not_found_is_said_plainly(seed_store):
    async def go():
        app = make_app(seed_store)
        async with app.run_test(size=(120, 40)) as pilot:
            await ask(app, pilot, "dividends per share Q1 2004")
            card = app.results.card.plain
            assert card.startswith("not found")
            assert "$" not in card.splitlines()[0]
            assert app.results.answer.status == "not_found"

    run(go())


def test_walk_citations_with_n_and_N(seed_store):
    async def go():
        app = make_app(seed_store)
        async with app.run_test(size=(120, 40)) as pilot:
            await ask(app, pilot, SEED_QUESTION)
            assert app.results.current == 0
            assert list(app.source.view.cited_lines) == [242, 243]
            await pilot.press("n")
            await pilot.pause()
            assert app.results.current == 1
            assert app.source.citation["kind"] == "paragraph"
            assert list(app.source.view.cited_lines) == [41, 42, 43, 44, 45]
            await pilot.press("N")
            await pilot.pause()
            assert app.results.current == 0
            assert list(app.source.view.cited_lines) == [242, 243]
            # Enter on a highlighted citation opens it too
            await pilot.press("down", "enter")
            await pilot.pause()
            assert app.source.citation["kind"] == "paragraph"

    run(go())


def test_keys_focus_and_escape(seed_store):
    async def go():
        app = make_app(seed_store)
        async with app.run_test(size=(120, 40)) as pilot:
            await ask(app, pilot, SEED_QUESTION)
            assert app.focused is app.results.options
            await pilot.press("tab")
            assert app.focused is not app.results.options
            await pilot.press("escape")
            assert app.focused is app.query_bar
            await pilot.press("slash")  # typed into the query bar, not a shortcut, while it has focus
            assert app.query_bar.value.endswith("/")
            app.results.options.focus()
            await pilot.press("slash")
            assert app.focused is app.query_bar
            await pilot.press("f1")
            assert isinstance(app.screen, HelpScreen)
            await pilot.press("escape")
            assert not isinstance(app.screen, HelpScreen)
            app.results.options.focus()
            await pilot.press("c")
            assert "mpower_2004q1_ex991.txt" in app.clipboard and "lines 242-243" in app.clipboard

    run(go())


def test_facts_and_documents_open_in_the_source_pane(seed_store):
    async def go():
        app = make_app(seed_store)
        async with app.run_test(size=(120, 40)) as pilot:
            await ask(app, pilot, SEED_QUESTION)
            table = app.facts_pane.table
            table.focus()
            table.move_cursor(row=0)
            await pilot.press("enter")
            await pilot.pause()
            assert app.source.citation["doc_id"] == app.results.answer.answer["doc_id"]
            assert app.source.view.cited_lines
            docs = app.documents
            assert docs.row_count == 1
            docs.focus()
            await pilot.press("enter")
            await settle(app, pilot)
            assert app.source.citation["kind"] == "document"

    run(go())


# --------------------------------------------------------------------------- the command palette


def test_ingest_a_folder_from_the_palette(seed_store, tmp_path, seed_path):
    folder = tmp_path / "incoming"
    folder.mkdir()
    other = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "psem_fy2004q1_8k-fullsubmission.txt"
    if other.is_file():
        shutil.copy(other, folder / other.name)
        name = other.name
    else:  # a changed copy of the seed is a new file to the store
        name = "mpower_copy.txt"
        (folder / name).write_bytes(seed_path.read_bytes() + b"\n")

    async def go():
        app = make_app(seed_store)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert app.documents.row_count == 1
            await run_palette(app, pilot, "ingest a folder")
            assert isinstance(app.screen, PathPrompt)
            # a folder that is not there is refused in place; the app carries on
            prompt_input = app.screen.query_one("#path-input")
            prompt_input.value = str(tmp_path / "no-such-folder")
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, PathPrompt)
            assert "No such file or folder" in str(app.screen.query_one("#path-error").render())
            prompt_input.value = str(folder)
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.last_ingest is not None, timeout=60)
            await settle(app, pilot)
            assert len(app.last_ingest.added) >= 1
            assert app.documents.row_count >= 2
            files = [str(app.documents.get_row_at(i)[-1]) for i in range(app.documents.row_count)]
            assert name in files
            assert any(t == "Ingest finished" for _, t, _ in app.notices)

    run(go())


def test_export_a_briefing(seed_store, tmp_path):
    pytest.importorskip("renderer.briefing")
    out = tmp_path / "briefing.html"

    async def go():
        app = make_app(seed_store)
        async with app.run_test(size=(120, 40)) as pilot:
            await ask(app, pilot, SEED_QUESTION)
            await run_palette(app, pilot, "export a briefing")
            assert isinstance(app.screen, PathPrompt)
            app.screen.query_one("#path-input").value = str(out)
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.last_export is not None or _errors(app), timeout=120)
            assert not _errors(app), _errors(app)
        assert out.is_file() and out.stat().st_size > 0

    run(go())


def test_export_without_renderer_says_so(seed_store, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_renderer(name, *args, **kwargs):
        if name.startswith("renderer.briefing"):
            raise ModuleNotFoundError("No module named 'renderer.briefing'", name="renderer.briefing")
        return real_import(name, *args, **kwargs)

    async def go():
        app = make_app(seed_store)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            monkeypatch.setattr(builtins, "__import__", no_renderer)
            await app.run_action("export_prompt")
            monkeypatch.setattr(builtins, "__import__", real_import)
            await pilot.pause()
            assert not isinstance(app.screen, PathPrompt)
            assert any("not available" in m for sev, _, m in app.notices if sev == "error")

    run(go())


def test_audit_findings_command(seed_store):
    async def go():
        app = make_app(seed_store)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await run_palette(app, pilot, "audit findings")
            await settle(app, pilot)
            from tui.screens.findings import FindingsScreen

            shown = isinstance(app.screen, FindingsScreen)
            said = any("not available" in m for _, _, m in app.notices)
            assert shown or said
            if shown:
                await pilot.press("escape")

    run(go())


# --------------------------------------------------------------------------- stores


def test_empty_store_offers_the_bundled_corpus(tmp_path):
    async def go():
        app = make_app(tmp_path / "empty")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen)
            await pilot.press("y")
            await wait_for(pilot, lambda: app.last_ingest is not None, timeout=60)
            await settle(app, pilot)
            assert app.documents.row_count == 1

    run(go())


def test_seed_fills_an_empty_store(tmp_path):
    async def go():
        app = make_app(tmp_path / "seeded", seed=True)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: app.last_ingest is not None, timeout=60)
            await settle(app, pilot)
            assert app.documents.row_count == 1
            await ask(app, pilot, SEED_QUESTION)
            assert "17,549" in app.results.card.plain

    run(go())


def test_a_store_that_cannot_be_opened_is_reported_not_fatal(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the store folder should be")

    async def go():
        app = make_app(blocker)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, MessageScreen)
            await pilot.press("escape")
            await ask(app, pilot, SEED_QUESTION)
            assert app.is_running
            assert any(sev == "error" for sev, _, _ in app.notices)

    run(go())


# --------------------------------------------------------------------------- the source pane


def test_a_two_megabyte_file_with_a_long_line_stays_fast(seed_store):
    """A 1.5 MB line: drawing is sliced to the screen, the reading view is built once."""
    cell = '<td style="padding:2px 0 2px 1pt;text-align:right"><font style="font-size:9pt">{}</font></td>'
    row = "<tr><td>Line item {i}</td>" + cell + cell + "</tr>"
    rows = "".join(row.format("1,234", "5,678", i=i) for i in range(9000))
    target = '<tr><td>Net income</td><td style="x"><font>530</font></td></tr>'
    big_line = "<html><body><table>" + rows + target + rows + "</table></body></html>"
    text = "<DOCUMENT>\n<TYPE>EX-99.1\n" + big_line + "\n" + ("filler line\n" * 20000)
    assert len(big_line) > 1_500_000 and len(text) > 1_700_000
    cs = text.index(target)
    fs = text.index("<td", cs + 5)
    citation = {
        "doc_id": "big",
        "path": "/tmp/big.htm",
        "char_start": cs,
        "char_end": cs + len(target),
        "line_start": 3,
        "line_end": 3,
        "kind": "table_row",
        "figure_start": fs,
        "figure_end": text.index("</td>", fs) + 5,
    }

    async def go():
        app = make_app(seed_store)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            t0 = time.perf_counter()
            app.source.show_citation(citation, text, is_html=True, body=(0, len(text)))
            await pilot.pause()
            await pilot.pause()
            reading_s = time.perf_counter() - t0
            view = app.source.view
            assert app.source.mode == "reading"
            assert view.doc is not None and "Net income 530" in view.doc.text
            row_y = view._row_of(view.doc.cited[0]) - int(view.scroll_offset.y)
            assert 0 <= row_y < view.scrollable_content_region.height
            view.focus()
            await pilot.press("v")  # the raw markup: one 1.5 MB line
            await pilot.pause()
            await pilot.pause()
            assert app.source.mode == "raw"
            t1 = time.perf_counter()
            for y in range(view.scrollable_content_region.height):
                view.render_line(y)
            draw_s = time.perf_counter() - t1
            assert view.scroll_offset.x > 0  # scrolled along the long line to the citation
            assert cited_style_on_line(view, 3)
            for _ in range(20):  # scrolling stays cheap
                await pilot.press("right")
            await pilot.pause()
            assert reading_s < 3.0, reading_s
            assert draw_s < 0.2, draw_s
            # the same file as plain text: a prose citation wraps the 1.5 MB line into rows
            t2 = time.perf_counter()
            app.source.show_citation(dict(citation, kind="paragraph"), text, is_html=False)
            await pilot.pause()
            await pilot.pause()
            assert view.doc is not None and view.doc.wrap
            row_y = view._row_of(view.doc.cited[0]) - int(view.scroll_offset.y)
            assert 0 <= row_y < view.scrollable_content_region.height
            assert time.perf_counter() - t2 < 3.0

    run(go())


def test_html_reading_maps_source_offsets():
    src = "<p>Revenue was <b>$1,234</b> million.</p><table><tr><td>Net&nbsp;income</td><td>530</td></tr></table>"
    r = html_reading(src)
    assert "Revenue was $1,234 million." in r.text
    assert "Net income 530" in r.text
    s = src.index("<b>")
    i = r.to_reading(s)
    assert r.text[i:].lstrip().startswith("$1,234")
    j = r.to_reading(src.index("<td>530"))
    assert r.text[j:].strip().startswith("530")


def test_suggestions_complete_the_phrase_being_typed():
    sug = PhraseSuggester(["Mpower Holding Corporation", "selling, general and administrative", "revenue"])

    async def go():
        assert await sug.get_suggestion("Q1 sel") == "Q1 selling, general and administrative"
        assert await sug.get_suggestion("Mpo") == "Mpower Holding Corporation"
        assert await sug.get_suggestion("Q1 Rev") == "Q1 Revenue"
        assert await sug.get_suggestion("zzz") is None

    run(go())


def _errors(app: ExhibitApp) -> list[str]:
    return [m for sev, _, m in app.notices if sev == "error"]
