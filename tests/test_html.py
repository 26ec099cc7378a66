"""HTML releases: exact citations, table grids, and hostile or broken markup.

The real releases are read from the shared corpus (`../shared/corpus`); those
tests skip when it is absent. Synthetic snippets cover the corner cases.
"""

from __future__ import annotations

import functools
import html
import re
import time
from bisect import bisect_left
from pathlib import Path

import pytest

from index.html import segment_html
from index.model import Segment, Table
from index.numbers import parse_number

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
HTML_RELEASES = [
    "citizens_2021q4_ex991.htm",
    "goldmansachs_2021q4_ex991.htm",
    "pnc_2020q4_ex991.htm",
    "pnc_2022q1_ex991.htm",
    "usbancorp_2021q4_ex991.htm",
    "apple_fy2024q1_8k-fullsubmission.txt",
    "apple_fy2004q3_8k-fullsubmission.txt",
    "oracle_fy2014q4_8k-fullsubmission.txt",
    "oracle_fy2022q4_8k-fullsubmission.txt",
    "abvc_2024fy_8k-fullsubmission.txt",
]


# --- helpers -----------------------------------------------------------------


def load(name: str) -> str:
    """A corpus file decoded as UTF-8, else cp1252; skips the test when it is absent."""
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"shared corpus file {name} not present")
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def release_span(text: str) -> tuple[int, int]:
    """text[start:end] is the EX-99.1 document's <TEXT> (the whole file if there is none)."""
    for doc in re.finditer(r"<DOCUMENT>(.*?)</DOCUMENT>", text, re.S):
        if re.search(r"<TYPE>EX-99\.1\s", doc.group(1)):
            body = re.search(r"<TEXT>(.*)</TEXT>", doc.group(1), re.S)
            return doc.start(1) + body.start(1), doc.start(1) + body.end(1)
    return 0, len(text)


@functools.cache
def parsed(name: str) -> tuple[str, list[Segment], list[Table]]:
    text = load(name)
    start, end = release_span(text)
    segs, tables = segment_html(text, start, end, name)
    return text, segs, tables


def run(markup: str) -> tuple[list[Segment], list[Table]]:
    return segment_html(markup, 0, len(markup), "doc")


def find_row(tables: list[Table], label: str, first: str | None = None, ncells: int = 0):
    """(table, row) of the first row labelled `label` (whose first figure is `first`,
    and which has `ncells` figures)."""
    for t in tables:
        for r in t.rows:
            if r.label != label or (first is not None and r.cells[0].as_printed != first):
                continue
            if not ncells or len(r.cells) == ncells:
                return t, r
    raise AssertionError(f"no row {label!r} {first or ''}")


def headers(table: Table, row, cell) -> tuple[str, ...]:
    return table.bands[row.band].columns[cell.col].header


def visible_digits(markup: str) -> str:
    """The digits a reader sees in a piece of markup."""
    return re.sub(r"\D", "", html.unescape(re.sub(r"<[^>]*>", "", markup)))


class Lines:
    """Line numbers recomputed independently of the module under test."""

    def __init__(self, text: str):
        self.nl = [i for i, ch in enumerate(text) if ch == "\n"]

    def of(self, offset: int) -> int:
        return bisect_left(self.nl, offset) + 1


# --- 1. citation exactness on every real release -------------------------------


@pytest.mark.parametrize("name", HTML_RELEASES)
def test_every_span_is_exact_markup(name: str) -> None:
    text, segs, tables = parsed(name)
    assert segs and tables
    lines = Lines(text)
    for i, s in enumerate(segs):
        cited = text[s.char_start : s.char_end]
        assert cited.startswith("<") and cited.endswith(">"), (s.kind, cited[:80])
        assert s.line_start == lines.of(s.char_start)
        assert s.line_end == lines.of(s.char_end - 1)
        assert s.seq == i and s.display and s.display == " ".join(s.display.split())
        if s.kind in ("table", "table_row"):
            assert s.table is not None and 0 <= s.table < len(tables)
    starts = [s.char_start for s in segs]
    assert starts == sorted(starts)
    for t in tables:
        assert text[t.start : t.end].lower().startswith("<table")
        assert text[t.start : t.end].lower().endswith("</table>")
        for r in t.rows:
            assert text[r.start : r.end].lower().startswith("<tr")
            assert text[r.start : r.end].endswith(">")
            assert t.start <= r.start < r.end <= t.end
            assert 0 <= r.band < len(t.bands)
            if r.label:
                label_markup = text[r.label_start : r.label_end]
                assert label_markup[:3].lower() in ("<td", "<th") and label_markup.endswith(">")
            for c in r.cells:
                cell_markup = text[c.start : c.end]
                assert cell_markup[:3].lower() in ("<td", "<th") and cell_markup.endswith(">")
                assert r.start <= c.start < c.end <= r.end
                assert parse_number(c.as_printed.replace(")%", "%)")) is not None, c.as_printed
                assert re.sub(r"\D", "", c.as_printed) in visible_digits(cell_markup)
                assert 0 <= c.col < len(t.bands[r.band].columns)


@pytest.mark.parametrize("name", HTML_RELEASES)
def test_no_script_or_markup_in_display(name: str) -> None:
    _, segs, tables = parsed(name)
    for s in segs:
        assert "<" not in s.display or "< " in s.display, s.display[:80]
        assert "&nbsp;" not in s.display and "&#" not in s.display
    for t in tables:
        for r in t.rows:
            assert "&#" not in r.label and "<" not in r.label


# --- 2. Apple FY2024 Q1 (Workiva) ------------------------------------------------


def test_apple_2024_statement_of_operations() -> None:
    text, _, tables = parsed("apple_fy2024q1_8k-fullsubmission.txt")
    table, row = find_row(tables, "Total net sales", "119,575")
    assert "STATEMENTS OF OPERATIONS" in table.caption and "(In millions" in table.caption
    assert [c.as_printed for c in row.cells] == ["119,575", "117,154"]
    first, second = (headers(table, row, c) for c in row.cells)
    assert "Three Months Ended" in first and "December 30, 2023" in first
    assert "Three Months Ended" in second and "December 31, 2022" in second
    assert row.parents == ("Net sales",)


def test_apple_2024_dollar_sign_cell_merged_into_figure() -> None:
    text, _, tables = parsed("apple_fy2024q1_8k-fullsubmission.txt")
    table, row = find_row(tables, "Products", "$96,458")
    cell = row.cells[0]
    markup = text[cell.start : cell.end]
    assert markup.count("<td") == 2  # the `$` cell and the number cell
    assert ">$<" in markup and "96,458" in markup
    assert headers(table, row, cell)[-1] == "December 30, 2023"


def test_apple_2024_negative_in_cash_flow() -> None:
    text, _, tables = parsed("apple_fy2024q1_8k-fullsubmission.txt")
    table, row = find_row(tables, "Payments for dividends and dividend equivalents")
    assert "CASH FLOWS" in table.caption
    cell = row.cells[0]
    assert cell.as_printed == "(3,825)"
    assert parse_number(cell.as_printed).value == -3825
    assert "Financing activities" in row.parents


def test_apple_2004_old_uppercase_html_with_year_header_row() -> None:
    _, _, tables = parsed("apple_fy2004q3_8k-fullsubmission.txt")
    table, row = find_row(tables, "Net sales", "$2,014")
    assert [c.as_printed for c in row.cells] == ["$2,014", "$1,545", "$5,929", "$4,492"]
    assert headers(table, row, row.cells[0]) == ("THREE MONTHS ENDED", "June 26,", "2004")
    assert headers(table, row, row.cells[3]) == ("NINE MONTHS ENDED", "June 28,", "2003")


# --- 3. bank releases: multi-row and restated headers ----------------------------


def test_pnc_multi_row_header() -> None:
    _, _, tables = parsed("pnc_2022q1_ex991.htm")
    table, row = next(
        (t, r)
        for t in tables
        for r in t.rows
        if r.label == "Net interest income" and "Consolidated Financial Highlights" in t.bands[0].title
    )
    assert [c.as_printed for c in row.cells] == ["$2,804", "$2,862", "$2,348"]
    assert headers(table, row, row.cells[0]) == ("Three months ended", "March 31", "2022")
    assert headers(table, row, row.cells[1]) == ("Three months ended", "December 31", "2021")
    assert "Dollars in millions" in table.bands[row.band].title
    assert any("in millions" in n for n in table.notes)


def test_pnc_percent_change_split_across_cells() -> None:
    text, _, tables = parsed("pnc_2022q1_ex991.htm")
    table, row = find_row(tables, "Net interest income", "$2,804", ncells=5)
    change = row.cells[3]
    assert change.as_printed == "(2)%"
    assert headers(table, row, change) == ("Change", "1Q22 vs", "4Q21")
    assert ">%<" in text[change.start : change.end]


def test_goldman_restated_header_bands() -> None:
    _, _, tables = parsed("goldmansachs_2021q4_ex991.htm")
    table, row = find_row(tables, "Interest rates", "$58")
    assert len(table.bands) >= 2 and row.band == len(table.bands) - 1
    assert headers(table, row, row.cells[3]) == ("YEAR ENDED", "DECEMBER 31, 2021")
    assert "Average Daily VaR" in table.bands[row.band].title


def test_citizens_segments_in_well_under_two_seconds() -> None:
    text = load("citizens_2021q4_ex991.htm")
    start, end = release_span(text)
    t0 = time.perf_counter()
    segs, tables = segment_html(text, start, end, "citizens")
    elapsed = time.perf_counter() - t0
    assert len(tables) >= 15 and len(segs) > 500
    assert elapsed < 2.0, f"{elapsed:.2f}s"


# --- 4. synthetic markup -----------------------------------------------------------


def test_split_parenthesised_figure_is_one_cell() -> None:
    markup = (
        "<table><tr><td></td><td colspan=3>2023</td><td colspan=2>2022</td></tr>"
        "<tr><td>Net loss</td><td>(</td><td>1,939</td><td>)</td><td>$</td><td>17,549&#160;</td></tr>"
        "</table>"
    )
    segs, tables = run(markup)
    (table,) = tables
    (row,) = table.rows
    loss, other = row.cells
    assert (loss.col, loss.as_printed) == (0, "(1,939)")
    assert markup[loss.start : loss.end] == "<td>(</td><td>1,939</td><td>)</td>"
    assert (other.col, other.as_printed) == (1, "$17,549")
    assert [c.header for c in table.bands[0].columns] == [("2023",), ("2022",)]
    assert row.label == "Net loss" and markup[row.label_start : row.label_end] == "<td>Net loss</td>"
    assert [s.kind for s in segs] == ["table", "table_row", "table_row"]
    assert segs[2].display == "Net loss (1,939) $17,549"


def test_rowspan_and_colspan_headers() -> None:
    markup = (
        "<table>"
        "<tr><th rowspan=2>(in millions)</th><th colspan=4>Three Months Ended</th></tr>"
        "<tr><th colspan=2>Dec 30,<br>2023</th><th colspan=2>Dec 31,<br>2022</th></tr>"
        "<tr><td>Revenue</td><td>$</td><td>5,000</td><td>$</td><td>4,000</td></tr>"
        "<tr><td>Gross margin</td><td>55.9</td><td>%</td><td>&mdash;</td><td></td></tr>"
        "</table>"
    )
    _, (table,) = run(markup)
    band = table.bands[0]
    assert band.title == "(in millions)"
    assert [c.header for c in band.columns] == [
        ("Three Months Ended", "Dec 30, 2023"),
        ("Three Months Ended", "Dec 31, 2022"),
    ]
    revenue, margin = table.rows
    assert [(c.col, c.as_printed) for c in revenue.cells] == [(0, "$5,000"), (1, "$4,000")]
    assert [(c.col, c.as_printed) for c in margin.cells] == [(0, "55.9%"), (1, "\u2014")]
    assert table.notes == ("(in millions)",)


def test_parents_from_label_only_rows() -> None:
    markup = (
        "<table><tr><td></td><td>2024</td><td>2023</td></tr>"
        "<tr><td>Net sales:</td><td></td><td></td></tr>"
        "<tr><td style='padding-left:10pt'>Products</td><td>7</td><td>6</td></tr>"
        "<tr><td style='padding-left:10pt'>Services</td><td>3</td><td>2</td></tr>"
        "<tr><td style='padding-left:20pt'>Total net sales</td><td>10</td><td>8</td></tr>"
        "<tr><td>Net income</td><td>1</td><td>1</td></tr></table>"
    )
    _, (table,) = run(markup)
    got = [(r.label, r.indent, r.parents) for r in table.rows]
    assert got == [
        ("Products", 10, ("Net sales",)),
        ("Services", 10, ("Net sales",)),
        ("Total net sales", 20, ("Net sales",)),
        ("Net income", 0, ()),
    ]
    assert [c.header for c in table.bands[0].columns] == [("2024",), ("2023",)]


def test_footnote_markers_are_not_figures() -> None:
    markup = (
        "<table><tr><td></td><td>Q4</td><td>Q3</td></tr>"
        "<tr><td>Revenue<sup>(1)</sup></td><td>100</td><td>90</td></tr>"
        "<tr><td>Margin (a)</td><td>12.5%*</td><td>11.0%</td></tr></table>"
        "<p>Net revenues<sup>3</sup> rose.</p>"
    )
    segs, (table,) = run(markup)
    assert [(r.label, [c.as_printed for c in r.cells]) for r in table.rows] == [
        ("Revenue", ["100", "90"]),
        ("Margin", ["12.5%", "11.0%"]),
    ]
    assert segs[-1].display == "Net revenues rose."


def test_layout_table_reads_as_paragraphs() -> None:
    markup = (
        "<table><tr><td><p>First paragraph of prose.</p><p>Second one.</p></td></tr>"
        "<tr><td>Contact:</td><td>Jane Doe</td></tr></table>"
    )
    segs, tables = run(markup)
    assert tables == []
    assert [(s.kind, s.display) for s in segs] == [
        ("paragraph", "First paragraph of prose."),
        ("paragraph", "Second one."),
        ("paragraph", "Contact: Jane Doe"),
    ]
    for s in segs:
        assert markup[s.char_start : s.char_end].startswith("<")


def test_headings_and_sections() -> None:
    markup = (
        "<div><font style='font-weight:700'>Financial Highlights</font></div>"
        "<div>Revenue grew 5% to $1.2 billion.</div>"
        "<h2>Outlook</h2><p>We expect more.</p>"
        "<p><b>$530 million</b></p>"
    )
    segs, _ = run(markup)
    assert [(s.kind, s.section) for s in segs] == [
        ("heading", "Financial Highlights"),
        ("paragraph", "Financial Highlights"),
        ("heading", "Outlook"),
        ("paragraph", "Outlook"),
        ("paragraph", "Outlook"),
    ]
    assert markup[segs[0].char_start : segs[0].char_end].startswith("<div><font")


def test_hostile_markup_never_reaches_display() -> None:
    markup = (
        "<html><head><title>Pwn</title><script>alert(1)</script>"
        '<link href="http://x/evil.css"><style>p{color:red}</style></head><body>'
        '<p>Revenue rose <img src="file:///etc/passwd" alt="secret"> sharply.</p>'
        '<iframe src="http://x/frame">framed text</iframe>'
        "<object data='x.swf'>object text</object><embed src='y'>"
        "<div style='display:none'>hidden text</div>"
        "<script>document.write('<p>injected</p>')</script>"
        "<table><tr><td>Sales</td><td>10</td><td>9</td></tr>"
        "<tr><td><script>alert(2)</script>Cost</td><td>5</td><td>4</td></tr></table>"
        "</body></html>"
    )
    segs, tables = run(markup)
    everything = " ".join(s.display for s in segs) + " ".join(r.label for t in tables for r in t.rows)
    for bad in ("alert", "passwd", "secret", "framed", "object text", "hidden", "injected", "Pwn", "red"):
        assert bad not in everything
    assert segs[0].display == "Revenue rose sharply."
    assert [r.label for r in tables[0].rows] == ["Sales", "Cost"]


def test_malformed_markup_does_not_raise() -> None:
    unclosed = "<p>Intro<table><tr><td>Sales<td>1,234<td>1,000<tr><td>Cost<td>(500)<td>(400)"
    _, (table,) = run(unclosed)
    assert [(r.label, [c.as_printed for c in r.cells]) for r in table.rows] == [
        ("Sales", ["1,234", "1,000"]),
        ("Cost", ["(500)", "(400)"]),
    ]
    assert unclosed[table.rows[1].start :].startswith("<tr><td>Cost")
    stray = "</td></tr><div>Text one</td> more</div></table><p>After<b>bold"
    segs, tables = run(stray)
    assert tables == [] and [s.display for s in segs] == ["Text one more", "Afterbold"]
    for junk in ("<", "<table", "<<>>", "<td colspan='x' rowspan=-3>5</td>", "&#99999999;", "<!--"):
        run(junk)
    deep = "<div>" * 5000 + "deep" + "</div>" * 5000
    segs, _ = run(deep)
    assert [s.display for s in segs] == ["deep"]


def test_empty_input() -> None:
    assert segment_html("", 0, 0, "doc") == ([], [])
    assert run("   \n  ") == ([], [])
    assert segment_html("<p>x</p>", 5, 5, "doc") == ([], [])


def test_offsets_point_into_the_whole_file() -> None:
    markup = "<html><body>\n<p>Quarterly revenue was $5.</p>\n<table><tr><td>Sales</td><td>5</td><td>4</td></tr></table>\n</body></html>"  # noqa: E501
    text = (
        "HEADER LINE\n<DOCUMENT>\n<TYPE>EX-99.1\n<SEQUENCE>2\n<TEXT>\n"
        + markup
        + "\n</TEXT>\n</DOCUMENT>\n<DOCUMENT>\n<TYPE>EX-99.2\n<TEXT><p>Other exhibit</p></TEXT>\n"
    )
    start = text.index("<DOCUMENT>")  # a caller may hand over the whole <DOCUMENT>
    segs, (table,) = segment_html(text, start, text.index("<DOCUMENT>", start + 1), "doc")
    assert [s.display for s in segs] == ["Quarterly revenue was $5.", "Sales 5 4", "Sales 5 4"]
    para = segs[0]
    assert text[para.char_start : para.char_end] == "<p>Quarterly revenue was $5.</p>"
    assert para.line_start == para.line_end == text.count("\n", 0, para.char_start) + 1 == 7
    cell = table.rows[0].cells[0]
    assert text[cell.start : cell.end] == "<td>5</td>"
    assert "Other exhibit" not in " ".join(s.display for s in segs)
