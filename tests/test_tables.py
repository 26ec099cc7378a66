"""Segments and fixed-width tables (index/segments.py, index/tables.py) on the hard cases of real
releases, and the facts (qa/facts.py) read off them."""

from __future__ import annotations

import pytest

from index.readers import read_bytes, read_file
from index.segments import segment
from qa.facts import extract


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def parsed(path):
    """(doc, segments, tables) of the first release in a file."""
    doc = read_file(path)[0]
    segs, tables = segment(doc)
    return doc, segs, tables


def find_row(tables, label: str, table: int | None = None):
    for ti, t in enumerate(tables):
        if table is not None and ti != table:
            continue
        for r in t.rows:
            if r.label == label:
                return ti, t, r
    raise AssertionError(f"no row {label!r} in {[r.label for t in tables for r in t.rows]}")


@pytest.fixture(scope="module")
def seed(seed_path):
    return parsed(seed_path)


@pytest.fixture(scope="module")
def psem(shared_corpus):
    p = shared_corpus / "psem_fy2004q1_8k-fullsubmission.txt"
    if not p.is_file():
        pytest.skip("psem_fy2004q1 not in the shared corpus")
    return parsed(p)


@pytest.fixture(scope="module")
def asfi(shared_corpus):
    p = shared_corpus / "asfi_fy2004q3_8k-fullsubmission.txt"
    if not p.is_file():
        pytest.skip("asfi_fy2004q3 not in the shared corpus")
    return parsed(p)


# --- segments: exact spans ------------------------------------------------------------------


def test_seed_segments_are_exact_spans_with_lines(seed):
    doc, segs, tables = seed
    assert segs, "no segments"
    kinds = {s.kind for s in segs}
    assert {"heading", "paragraph", "table", "table_row"} <= kinds
    prev_seq = -1
    for s in segs:
        assert s.seq == prev_seq + 1
        prev_seq = s.seq
        assert 0 <= s.char_start < s.char_end <= len(doc.text)
        chunk = doc.text[s.char_start : s.char_end]
        assert chunk == chunk.rstrip(), f"segment {s.seq} ends on white space"
        if s.kind != "table":  # a table starts at its first line, indentation included
            assert chunk == chunk.lstrip(), f"segment {s.seq} starts on white space"
        assert s.line_start == line_of(doc.text, s.char_start)
        assert s.line_end == line_of(doc.text, s.char_end - 1)
        assert s.display and "  " not in s.display
        if s.kind in ("table", "table_row"):
            assert s.table is not None and 0 <= s.table < len(tables)


# --- the seed: EDGAR <TABLE> with <S>/<C> tags ----------------------------------------------


def test_seed_sga_label_spans_two_lines_figures_on_line_243(seed):
    doc, segs, tables = seed
    _, t, r = find_row(tables, next(r.label for t in tables for r in t.rows if r.label.startswith("Selling")))
    assert r.label.startswith(
        "Selling, General and Administrative (exclusive of depreciation and amortization"
    )
    assert r.label.endswith("See Note 1.)")
    assert "  " not in r.label  # folded over the two lines
    assert [c.as_printed for c in r.cells] == ["17,549", "21,128", "18,635"]
    assert [c.col for c in r.cells] == [0, 1, 2]
    for c in r.cells:
        assert doc.text[c.start : c.end] == c.as_printed
        assert line_of(doc.text, c.start) == 243
    assert line_of(doc.text, r.label_start) == 242
    assert doc.text[r.label_start :].startswith("Selling, General and Administrative")
    assert line_of(doc.text, r.start) == 242 and line_of(doc.text, r.end - 1) == 243
    row_segs = [s for s in segs if s.kind == "table_row" and s.char_start == r.start]
    assert len(row_segs) == 1
    assert (row_segs[0].line_start, row_segs[0].line_end) == (242, 243)


def test_seed_statement_of_operations_headers(seed):
    doc, _segs, tables = seed
    ti, t, r = find_row(tables, "Total Operating Revenues")
    band = t.bands[r.band]
    assert "STATEMENT OF OPERATIONS" in band.title
    assert len(band.columns) == 3
    headers = [c.header for c in band.columns]
    for h in headers:
        assert "Three Months Ended" in h
    # "Three Months Ended" sits over "March 31, 2004": top line first.
    h0 = headers[0]
    assert h0.index("Three Months Ended") < h0.index("March 31, 2004")
    assert headers[1][-1] == "March 31, 2003"
    assert headers[2][-1] == "December 31, 2003"
    assert [c.as_printed for c in r.cells] == ["37,153", "36,738", "36,879"]


def test_seed_balance_sheet_columns(seed):
    _doc, _segs, tables = seed
    _, t, r = find_row(tables, "Total Liabilities and Stockholders' Equity")
    band = t.bands[r.band]
    assert "BALANCE SHEET" in band.title
    assert [c.header[-1] for c in band.columns] == ["March 31, 2004", "December 31, 2003"]
    assert [c.as_printed for c in r.cells] == ["$102,113", "$109,029"]


def test_seed_per_share_rows_get_their_section_parent(seed):
    doc, _segs, tables = seed
    per_share = [
        r for t in tables for r in t.rows if r.parents == ("Basic and Diluted (Loss) Income per Share:",)
    ]
    assert [r.label for r in per_share] == [
        "Loss before Discontinued Operations",
        "Income (Loss) from Discontinued Operations",
        "Net Loss",
    ]
    assert [c.as_printed for c in per_share[-1].cells] == ["$0.00", "($0.23)", "$0.00"]
    # The first "Net Loss" (dollars, line 258) is not under the per-share heading.
    first_net_loss = next(r for t in tables for r in t.rows if r.label == "Net Loss")
    assert first_net_loss.parents == ()
    assert line_of(doc.text, first_net_loss.start) == 258


def test_seed_reconciliation_bands_restate_headers(seed):
    _doc, _segs, tables = seed
    _, t, r = find_row(tables, "Gross Margin (GAAP)")
    band = t.bands[r.band]
    assert "RECONCILIATION TO GAAP" in band.title
    assert [c.header[-1] for c in band.columns] == ["March 31, 2004", "March 31, 2003", "December 31, 2003"]


# --- an untagged, space-laid, double-spaced table (Pericom) ---------------------------------


def test_psem_untagged_statement_of_operations(psem):
    doc, _segs, tables = psem
    assert doc.format == "edgar-submission"
    _, t, r = find_row(tables, "Net revenues")
    band = t.bands[r.band]
    assert len(band.columns) == 3
    for c in band.columns:
        assert "Three Months Ended" in c.header
    assert band.columns[0].header[1:] == ("Sep 30,", "2003")
    assert band.columns[1].header[1:] == ("Jun 30,", "2003")
    assert band.columns[2].header[1:] == ("Sep 30,", "2002")
    assert [c.as_printed for c in r.cells] == ["$11,072", "$11,506", "$10,828"]
    # A label broken over a blank line of a double-spaced table is joined.
    _, _, sga = find_row(tables, "Selling, general and administrative")
    assert sga.parents == ("Operating expenses:",)
    assert [c.as_printed for c in sga.cells] == ["2,515", "2,654", "3,158"]
    _, _, nl = find_row(tables, "Net loss")
    assert [c.as_printed for c in nl.cells] == ["$(800)", "$(370)", "$(922)"]


def test_psem_untagged_balance_sheet(psem):
    _doc, _segs, tables = psem
    _, t, r = find_row(tables, "Total assets")
    band = t.bands[r.band]
    assert len(band.columns) == 2
    assert all("As of" in c.header for c in band.columns)
    assert "Sep 30, 2003" in band.columns[0].header
    assert [c.as_printed for c in r.cells] == ["$189,632", "$190,237"]
    _, _, cash = find_row(tables, "Cash, cash equivalents, and short-term investments")
    assert cash.parents == ("Current Assets:",)


# --- three and nine months side by side (Asta Funding) --------------------------------------


def test_asfi_three_and_nine_month_columns(asfi):
    doc, _segs, tables = asfi
    _, t, r = find_row(tables, "Finance income")
    band = t.bands[r.band]
    assert len(band.columns) == 4
    tops = [c.header[0] for c in band.columns]
    assert tops == ["Three Months Ended", "Three Months Ended", "Nine Months Ended", "Nine Months Ended"]
    assert [c.header[-1] for c in band.columns] == ["2004", "2003", "2004", "2003"]
    assert [c.as_printed for c in r.cells] == ["$12,050,000", "$9,208,000", "$36,369,000", "$23,679,000"]
    assert r.parents == ("Revenues:",)
    _, _, tps = find_row(tables, "Third-party servicing")
    assert [(c.col, c.as_printed) for c in tps.cells] == [
        (0, "--"),
        (1, "1,320,000"),
        (2, "1,316,000"),
        (3, "4,496,000"),
    ]


# --- synthetic tables -----------------------------------------------------------------------

NO_END_TAG = """Acme Widgets, Inc. (NASDAQ: ACME) today announced results for its first quarter.

<TABLE>
<CAPTION>
                              ACME WIDGETS, INC.
                     CONDENSED STATEMENTS OF OPERATIONS
                    (in thousands, except per share data)

                                             Three Months Ended March 31,
                                             ----------------------------
                                                 2004            2003
                                             ------------    ------------
<S>                                          <C>             <C>
Net sales                                         $12,345         $10,987
Cost of sales                                       7,001           6,543
                                             ------------    ------------
Gross profit                                        5,344           4,444
Net income                                         $1,234            $987
Diluted earnings per share                          $0.12           $0.10

For more information, contact Jane Doe at (555) 555-1234.
"""

WEEKS = """Acme Stores Corporation reported results for the quarter.

                          ACME STORES CORPORATION
                     (in thousands, except per share)

                                          13 Weeks Ended        13 Weeks Ended
                                          January 31, 2004      February 1, 2003
                                          ----------------      ----------------
Net sales                                     $ 250,100             $ 231,500
Cost of sales                                   160,300               150,200
Gross margin                                     89,800                81,300
Net income                                      $ 12,400              $ 10,100

The company will hold a conference call today.
"""


def _synthetic(src: str, tmp_path, name="acme.txt"):
    p = tmp_path / name
    p.write_bytes(src.encode())
    doc = read_bytes(src.encode(), str(p))[0]
    segs, tables = segment(doc)
    return doc, segs, tables


def test_table_without_closing_tag_still_parses(tmp_path):
    doc, segs, tables = _synthetic(NO_END_TAG, tmp_path)
    assert doc.format == "edgar-text"
    assert len(tables) == 1
    t = tables[0]
    assert [r.label for r in t.rows] == [
        "Net sales",
        "Cost of sales",
        "Gross profit",
        "Net income",
        "Diluted earnings per share",
    ]
    assert [c.header[-1] for c in t.bands[0].columns] == ["2004", "2003"]
    # The table stops at its last figure line: the contact paragraph after it is prose.
    assert doc.text[t.end - 5 : t.end] == "$0.10"
    contact = [s for s in segs if "Jane Doe" in s.display]
    assert len(contact) == 1 and contact[0].kind not in ("table", "table_row")
    facts = {(f.metric, f.period.label): f for f in extract(doc, segs, tables) if f.source == "table"}
    assert facts[("revenue", "Q1 2004")].value == 12_345_000
    assert facts[("revenue", "Q1 2003")].value == 10_987_000
    assert facts[("diluted earnings per share", "Q1 2004")].value == 0.12
    assert facts[("diluted earnings per share", "Q1 2004")].unit == "USD/share"
    assert facts[("revenue", "Q1 2004")].period.start == "2004-01-01"


def test_13_weeks_table(tmp_path):
    doc, segs, tables = _synthetic(WEEKS, tmp_path)
    assert len(tables) == 1
    t = tables[0]
    assert [c.header for c in t.bands[0].columns] == [
        ("13 Weeks Ended", "January 31, 2004"),
        ("13 Weeks Ended", "February 1, 2003"),
    ]
    facts = [f for f in extract(doc, segs, tables) if f.source == "table"]
    rev = {f.period.end: f for f in facts if f.metric == "revenue"}
    assert rev["2004-01-31"].value == 250_100_000
    assert rev["2004-01-31"].period.months == 3
    assert rev["2004-01-31"].period.start == "2003-11-02"  # 13 weeks (91 days) to Saturday, January 31
    assert rev["2003-02-01"].value == 231_500_000
    assert rev["2003-02-01"].period.months == 3
    assert rev["2003-02-01"].period.start == "2002-11-03"  # 13 weeks back from a Saturday
    for f in facts:
        assert doc.text[f.char_start : f.char_end] == f.as_printed


def test_untagged_table_lines_are_not_also_prose(tmp_path):
    doc, segs, tables = _synthetic(WEEKS, tmp_path)
    spans = [(s.char_start, s.char_end) for s in segs if s.kind == "table"]
    overlapping = [
        s.display
        for s in segs
        if s.kind not in ("table", "table_row") and any(a < s.char_end and s.char_start < b for a, b in spans)
    ]
    assert overlapping == []
    prose_in_tables = [
        (f.metric, f.as_printed, f.value)
        for f in extract(doc, segs, tables)
        if f.source == "prose" and any(a <= f.char_start < b for a, b in spans)
    ]
    assert prose_in_tables == []


def test_dollar_sign_spaced_from_its_figure(tmp_path):
    src = NO_END_TAG.replace("$12,345         $10,987", "$     12,345    $     10,987")
    assert "$     12,345" in src
    doc, segs, tables = _synthetic(src, tmp_path)
    labels = [r.label for t in tables for r in t.rows]
    assert "Net sales" in labels
    _, _, r = find_row(tables, "Net sales")
    assert [doc.text[c.start : c.end] for c in r.cells] == [c.as_printed for c in r.cells]
    assert [c.as_printed.replace(" ", "") for c in r.cells] == ["$12,345", "$10,987"]


# --- facts off the real tables --------------------------------------------------------------


def test_psem_untagged_table_lines_are_not_prose(psem):
    doc, segs, tables = psem
    spans = [(s.char_start, s.char_end) for s in segs if s.kind == "table"]
    prose_in_tables = [
        (f.metric, f.as_printed)
        for f in extract(doc, segs, tables)
        if f.source == "prose" and any(a <= f.char_start < b for a, b in spans)
    ]
    assert prose_in_tables == []


def test_psem_dollar_gutter_rows_are_read(corpus_file):
    """Pericom FY2006 Q4 prints "$   27,847": the "$" and the figure are one cell."""
    doc, segs, tables = parsed(corpus_file("psem_fy2006q4_8k-fullsubmission.txt"))
    rows = [r for t in tables for r in t.rows if r.label == "Net revenues"]
    assert rows, [r.label for t in tables for r in t.rows][:20]
    restated = next(r for r in rows if len(r.cells) == 6)
    assert [c.as_printed.replace(" ", "") for c in restated.cells][:2] == ["$27,847", "$27,847"]
    for c in restated.cells:
        assert doc.text[c.start : c.end] == c.as_printed
    rev = [f for f in extract(doc, segs, tables) if f.metric == "revenue" and f.source == "table"]
    assert any(f.value == 27_847_000 for f in rev)


def test_psem_net_revenues_fact(psem):
    doc, segs, tables = psem
    facts = extract(doc, segs, tables)
    rev = [f for f in facts if f.source == "table" and f.metric == "revenue" and f.period.end == "2003-09-30"]
    assert len(rev) == 1, rev
    f = rev[0]
    assert f.label == "Net revenues"
    assert f.value == 11_072_000
    assert f.unit == "USD"
    assert f.scale == 1000
    assert f.as_printed == "$11,072"
    assert (f.period.start, f.period.end, f.period.kind, f.period.label) == (
        "2003-07-01",
        "2003-09-30",
        "duration",
        "Q1 FY2004",
    )
    assert doc.text[f.char_start : f.char_end] == "$11,072"
    assert doc.text[f.label_start : f.label_end] == "Net revenues"


def test_psem_balance_sheet_facts_are_instants(psem):
    doc, segs, tables = psem
    facts = extract(doc, segs, tables)
    ta = [f for f in facts if f.metric == "total assets" and f.source == "table"]
    assert {(f.period.kind, f.period.end, f.value) for f in ta} == {
        ("instant", "2003-09-30", 189_632_000),
        ("instant", "2003-06-30", 190_237_000),
    }


def test_psem_prose_relative_periods(psem):
    """'down 3.8% from $11,506,000 in the previous quarter and up 2.3% from $10,828,000 in the comparable
    period last year': each amount gets its own quarter, not the release's."""
    doc, segs, tables = psem
    facts = extract(doc, segs, tables)
    values = {f.value for f in facts if f.metric == "revenue" and f.period.label == "Q1 FY2004"}
    assert values == {11_072_000}
    prior = {f.value for f in facts if f.metric == "revenue" and f.period.label == "Q4 FY2003"}
    assert prior == {11_506_000}


def test_asfi_nine_month_fact(asfi):
    doc, segs, tables = asfi
    facts = [f for f in extract(doc, segs, tables) if f.source == "table"]
    nine = [f for f in facts if f.period.start == "2003-10-01" and f.period.end == "2004-06-30"]
    assert nine, "no nine-month facts"
    assert all(f.period.label == "9M FY2004" and f.period.months == 9 for f in nine)
    fi = [f for f in nine if f.label == "Finance income"]
    assert len(fi) == 1 and fi[0].value == 36_369_000 and fi[0].scale == 1
    ga = [f for f in nine if f.metric == "general and administrative"]
    assert len(ga) == 1 and ga[0].value == 7_998_000
    tps = [f for f in nine if f.label == "Third-party servicing"]
    assert len(tps) == 1 and tps[0].value == 1_316_000
    # The "--" of the quarter is a nil, read as 0.
    q = [
        f
        for f in facts
        if f.label == "Third-party servicing" and f.period.end == "2004-06-30" and f.period.months == 3
    ]
    assert len(q) == 1 and q[0].value == 0 and q[0].as_printed == "--"


def test_asfi_quarter_fact_starts_april_1(asfi):
    doc, segs, tables = asfi
    facts = [f for f in extract(doc, segs, tables) if f.source == "table" and f.label == "Finance income"]
    q = [f for f in facts if f.period.end == "2004-06-30" and f.period.months == 3]
    assert len(q) == 1
    assert q[0].period.start == "2004-04-01"


def test_seed_facts_match_the_printed_cells(seed):
    doc, segs, tables = seed
    facts = extract(doc, segs, tables)
    sga = [
        f for f in facts if f.metric == "selling, general and administrative" and f.period.label == "Q1 2004"
    ]
    assert len(sga) >= 1
    t = sga[0]
    assert (t.value, t.unit, t.scale, t.as_printed) == (17_549_000, "USD", 1000, "17,549")
    assert (t.period.start, t.period.end) == ("2004-01-01", "2004-03-31")
    eps = [
        f
        for f in facts
        if f.unit == "USD/share" and f.period.label == "Q1 2003" and f.as_printed == "($0.23)"
    ]
    assert len(eps) == 1 and eps[0].value == -0.23
    assert eps[0].label.startswith("Basic and Diluted (Loss) Income per Share")
    shares = [f for f in facts if f.as_printed == "78,321,851"]
    assert (
        len(shares) == 1
        and shares[0].unit == "shares"
        and shares[0].value == 78_321_851
        and shares[0].scale == 1
    )
    pct = [f for f in facts if f.as_printed == "-17.7%"]
    assert len(pct) == 1 and pct[0].unit == "percent" and pct[0].value == -17.7
    for f in facts:
        assert doc.text[f.char_start : f.char_end] == f.as_printed
        assert f.cite_start <= f.char_start and f.char_end <= f.cite_end
