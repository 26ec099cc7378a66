"""Reading rules for fixed-width tables (index/tables.py, qa/facts.py, qa/periods.py, qa/metrics.py).

Each table is a small synthetic EDGAR snippet, read by the real reader, segmenter and table parser and
turned into facts by `qa.facts.extract`, as `exhibit index` would.
"""

from __future__ import annotations

from datetime import date

import pytest

from index.numbers import parse_number
from index.readers import read_bytes
from index.segments import segment
from qa.facts import extract
from qa.metrics import metric_for
from qa.periods import FiscalCalendar, column_period

CAL = FiscalCalendar()


def read(src: str, name: str = "synthetic.txt"):
    """(doc, tables, table facts) of a synthetic release."""
    doc = read_bytes(src.encode(), name)[0]
    segs, tables = segment(doc)
    facts = [f for f in extract(doc, segs, tables) if f.source == "table"]
    for f in facts:
        assert doc.text[f.char_start : f.char_end] == f.as_printed
    return doc, tables, facts


def values(facts, metric: str) -> dict[tuple, float]:
    """(start, end) of each period → value, for one metric."""
    out: dict[tuple, float] = {}
    for f in facts:
        if f.metric == metric:
            assert (f.period.start, f.period.end) not in out, f"two {metric} facts for {f.period}"
            out[(f.period.start, f.period.end)] = f.value
    return out


def row(tables, label: str):
    found = [r for t in tables for r in t.rows if r.label == label]
    assert len(found) == 1, [r.label for t in tables for r in t.rows]
    return found[0]


Q3_06 = ("2006-07-01", "2006-09-30")
Q2_06 = ("2006-04-01", "2006-06-30")
Q3_05 = ("2005-07-01", "2005-09-30")

# --- 10. a year line beside a caption's tail; change and "% of revenues" columns -----------------

BANK_HEAD = """Horizon Savings Bank (NASDAQ: HSBK) today reported results for the quarter ended September 30, 2006.

<TABLE>

CONSOLIDATED STATEMENTS OF INCOME    Quarter Ended                 Quarter Ended              Quarter Ended
(unaudited) (in 000s, except per     September 30,   Three Month      June 30,     One Year    September 30,
  share data)                            2006           Change          2006        Change         2005
- ------------------------------------------------------------------------------------------------------------
<S>                                 <C>                 <C>         <C>              <C>        <C>
"""

BANK_INCOME = (
    BANK_HEAD
    + """Interest income:
  Interest on loans                 $    21,981          9%         $    20,170      39%        $    15,787
    Total interest income                22,993          9%              21,183      38%             16,666
    Net interest income                  13,133          4%              12,682      22%             10,758
</TABLE>
"""
)


def test_year_line_beside_a_caption_tail_is_a_header():
    """'  share data)   2006   Change   2006   Change   2005' heads the columns; it is not a row."""
    _doc, tables, facts = read(BANK_INCOME)
    assert len(tables) == 1
    t = tables[0]
    assert [r.label for r in t.rows] == ["Interest on loans", "Total interest income", "Net interest income"]
    assert [c.header[-1] for c in t.bands[0].columns] == ["2006", "Change", "2006", "Change", "2005"]
    assert "share data)" in t.bands[0].title
    assert values(facts, "net interest income") == {
        Q3_06: 13_133_000,
        Q2_06: 12_682_000,
        Q3_05: 10_758_000,
    }


def test_change_columns_give_change_percent_for_the_latest_period_of_their_run():
    """'Three Month Change' and 'One Year Change' columns give '<metric> change %' for the latest quarter."""
    _doc, _tables, facts = read(BANK_INCOME)
    changes = [
        (f.period.start, f.period.end, f.value, f.unit)
        for f in facts
        if f.metric == "net interest income change %"
    ]
    assert sorted(changes) == [(*Q3_06, 4.0, "percent"), (*Q3_06, 22.0, "percent")]


UNTAGGED_CONDITION = """Horizon Savings Bank (NASDAQ: HSBK) today reported results for the quarter ended June 30, 2006.

CONSOLIDATED STATEMENTS OF
FINANCIAL CONDITION                      Three               One
(unaudited) (in 000s, except   June 30,   Month   March 31,   Year  June 30,
per share data)                  2006     Change    2006     Change    2005
- ------------------------------------------------------------------------------
Assets:
 Cash and due from banks     $   33,338     38% $   24,190     27% $   26,194
 Interest-bearing deposits        4,272    -55%      9,439    -20%      5,343
 Gross loans receivable       1,002,161      7%    932,694     17%    855,552
 Total assets                $1,294,332      6% $1,218,213     14% $1,134,557

The company will hold a conference call today.
"""


def test_untagged_year_line_beside_a_caption_tail_is_a_header():
    """In an untagged statement of condition the year line with change columns between is a header."""
    _doc, tables, facts = read(UNTAGGED_CONDITION)
    assert len(tables) == 1
    assert [r.label for r in tables[0].rows] == [
        "Cash and due from banks",
        "Interest-bearing deposits",
        "Gross loans receivable",
        "Total assets",
    ]
    assert values(facts, "total assets") == {
        (None, "2006-06-30"): 1_294_332_000,
        (None, "2006-03-31"): 1_218_213_000,
        (None, "2005-06-30"): 1_134_557_000,
    }
    chg = sorted(f.value for f in facts if f.metric == "total assets change %")
    assert chg == [6.0, 14.0]
    assert {f.period.end for f in facts if f.metric.endswith("change %")} == {"2006-06-30"}


QUARTER_AND_NINE_MONTHS = """Acme Widgets, Inc. (NASDAQ: ACME) today announced results for its third quarter.

<TABLE>
<CAPTION>
CONDENSED STATEMENTS OF OPERATIONS
(in thousands)
                                     Three Months Ended                 Nine Months Ended
                                        September 30,                     September 30,
                                ----------------------------    ----------------------------------
                                  2006      2005     Change        2006        2005       Change
                                -------   -------    ------     --------    --------     ------
<S>                             <C>       <C>        <C>        <C>         <C>          <C>
Net sales                       $12,345   $10,987      12%       $36,000     $30,000        20%
Net income                        1,234       987      25%         3,600       3,000        20%
</TABLE>
"""


def test_change_column_after_a_run_of_years_is_that_runs_latest_period():
    """A 'Change' after the quarters is the quarter's change; one after the nine months is the nine months'."""
    _doc, _tables, facts = read(QUARTER_AND_NINE_MONTHS)
    assert values(facts, "revenue") == {
        Q3_06: 12_345_000,
        Q3_05: 10_987_000,
        ("2006-01-01", "2006-09-30"): 36_000_000,
        ("2005-01-01", "2005-09-30"): 30_000_000,
    }
    assert values(facts, "revenue change %") == {Q3_06: 12.0, ("2006-01-01", "2006-09-30"): 20.0}
    assert values(facts, "net income change %") == {Q3_06: 25.0, ("2006-01-01", "2006-09-30"): 20.0}


PERCENT_OF_REVENUES = """Acme Widgets, Inc. (NASDAQ: ACME) today announced results for its first quarter.

<TABLE>
<CAPTION>
                              ACME WIDGETS, INC.
                     CONDENSED STATEMENTS OF OPERATIONS
                    (in thousands, except per share data)

                                            Three Months Ended March 31,
                                ---------------------------------------------------
                                   2004      % of Revenues      2003     % of Revenues
                                ---------    -------------   ---------   -------------
<S>                             <C>          <C>             <C>         <C>
Net sales                         $12,345        100.0%        $10,987       100.0%
Gross profit                        5,344         43.3%          4,444        40.4%
Operating income                    1,500         12.2%          1,100        10.0%
</TABLE>
"""


def test_percent_of_revenues_column_is_the_share_of_the_column_on_its_left():
    """A '% of Revenues' column gives '<metric> %' for the period of the value column on its left."""
    _doc, _tables, facts = read(PERCENT_OF_REVENUES)
    q1_04, q1_03 = ("2004-01-01", "2004-03-31"), ("2003-01-01", "2003-03-31")
    assert values(facts, "operating income") == {q1_04: 1_500_000, q1_03: 1_100_000}
    assert values(facts, "operating income %") == {q1_04: 12.2, q1_03: 10.0}
    assert values(facts, "gross margin %") == {q1_04: 43.3, q1_03: 40.4}
    assert {f.unit for f in facts if f.metric.endswith(" %")} == {"percent"}


# --- 11. N/A cells --------------------------------------------------------------------------------

BANK_NA = (
    BANK_HEAD
    + """    Net interest income                  13,133          4%              12,682      22%             10,758
    Net income (loss)                  $ (4,037)        N/A             $ 1,575      N/A            $ 4,094
    Diluted earnings (loss) per share   $ (0.39)        N/A              $ 0.17      N/A             $ 0.40
</TABLE>
"""
)


def test_na_cells_keep_their_column():
    """'$ (0.39)   N/A   $ 0.17   N/A   $ 0.40': the N/A cells hold their columns and give no fact."""
    _doc, tables, facts = read(BANK_NA)
    r = row(tables, "Diluted earnings (loss) per share")
    assert [(c.col, c.as_printed) for c in r.cells] == [
        (0, "$ (0.39)"),
        (1, "N/A"),
        (2, "$ 0.17"),
        (3, "N/A"),
        (4, "$ 0.40"),
    ]
    assert values(facts, "diluted earnings per share") == {Q3_06: -0.39, Q2_06: 0.17, Q3_05: 0.40}
    assert values(facts, "net income") == {Q3_06: -4_037_000, Q2_06: 1_575_000, Q3_05: 4_094_000}
    assert not [f for f in facts if "N/A" in f.as_printed]


TRAILING_NA = """Acme Widgets, Inc. (NASDAQ: ACME) today announced results for its third quarter.

<TABLE>
<CAPTION>
CONDENSED STATEMENTS OF OPERATIONS
(in thousands, except per share data)
                                     Three Months Ended
                                        September 30,
                                ----------------------------
                                  2006      2005     Change
                                -------   -------    ------
<S>                             <C>       <C>        <C>
Net sales                       $12,345   $10,987      12%
Net income (loss)                 1,234      (987)     N/A
Operating income                  2,000     1,000     100%
</TABLE>
"""


def test_na_cell_in_the_last_column_keeps_its_column():
    """An 'N/A' change cell at the end of a row holds its column; the row's figures are still read."""
    _doc, tables, facts = read(TRAILING_NA)
    r = row(tables, "Net income (loss)")
    assert [(c.col, c.as_printed) for c in r.cells] == [(0, "1,234"), (1, "(987)"), (2, "N/A")]
    assert values(facts, "net income") == {Q3_06: 1_234_000, Q3_05: -987_000}
    assert values(facts, "operating income") == {Q3_06: 2_000_000, Q3_05: 1_000_000}


# --- 12. footnote stars ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("printed", "value", "currency"),
    [
        ("0.37*", 0.37, False),
        ("$0.37*", 0.37, True),
        ("12,340,147*", 12_340_147, False),
        ("5,037**", 5037, False),
    ],
)
def test_parse_number_reads_a_figure_with_a_footnote_star(printed, value, currency):
    """A footnote star after a figure ('0.37*') leaves the figure; as printed keeps the star."""
    n = parse_number(printed)
    assert n is not None
    assert (n.value, n.is_currency, n.as_printed) == (value, currency, printed)


@pytest.mark.parametrize(("printed", "value"), [("(0.39)*", -0.39), ("$(4,037)*", -4037)])
def test_parse_number_reads_a_negative_figure_with_a_footnote_star(printed, value):
    """A negative figure in parentheses with a footnote star ('(0.39)*') is the negative figure."""
    n = parse_number(printed)
    assert n is not None and n.value == value


BANK_STARS = (
    BANK_HEAD
    + """    Net interest income                  13,133          4%              12,682      22%             10,758
    Net income                         $ 5,037*         10%            $ 4,575*      23%            $ 4,094
    Diluted earnings per share          $ 0.37*          8%             $ 0.34*      19%             $ 0.31
</TABLE>

* Restated.
"""
)


def test_row_with_starred_figures_is_read():
    """A row whose figures carry footnote stars is read, each star left on its figure."""
    _doc, tables, facts = read(BANK_STARS)
    r = row(tables, "Diluted earnings per share")
    assert [c.col for c in r.cells] == [0, 1, 2, 3, 4]
    assert values(facts, "diluted earnings per share") == {Q3_06: 0.37, Q2_06: 0.34, Q3_05: 0.31}
    assert values(facts, "net income") == {Q3_06: 5_037_000, Q2_06: 4_575_000, Q3_05: 4_094_000}
    assert {f.as_printed for f in facts if f.metric == "net income"} == {"$ 5,037*", "$ 4,575*", "$ 4,094"}


BANK_NEGATIVE_STAR = (
    BANK_HEAD
    + """    Net interest income                  13,133          4%              12,682      22%             10,758
    Net income (loss)                 $ (4,037)*        N/A            $ 1,575*      N/A            $ 4,094
</TABLE>
"""
)


def test_row_with_a_starred_negative_figure_is_read():
    """A row whose negative figure carries a footnote star ('$ (4,037)*') is read with its label."""
    _doc, tables, facts = read(BANK_NEGATIVE_STAR)
    row(tables, "Net income (loss)")
    assert values(facts, "net income") == {Q3_06: -4_037_000, Q2_06: 1_575_000, Q3_05: 4_094_000}


# --- 13. a header above a "- -----" rule ------------------------------------------------------------

RULED_BALANCE_SHEET = """Acme Bancorp (NASDAQ: ABCP) today announced results for its third quarter.

CONDENSED BALANCE SHEETS
(in thousands)
                                       Sept. 30, 2006     Dec. 31, 2005
- ------------------------------------------------------------------------
Cash and due from banks                      $12,345           $10,987
Loans receivable, net                         45,678            40,000
Total assets                                  99,999            88,888

The company will hold a conference call today.
"""


def test_header_above_an_escaped_rule_heads_an_untagged_table():
    """In an untagged table, the header line above a '- -----' rule is the table's header."""
    _doc, tables, facts = read(RULED_BALANCE_SHEET)
    assert len(tables) == 1
    assert [c.header for c in tables[0].bands[0].columns] == [("Sept. 30, 2006",), ("Dec. 31, 2005",)]
    assert values(facts, "total assets") == {
        (None, "2006-09-30"): 99_999_000,
        (None, "2005-12-31"): 88_888_000,
    }


# --- 14. a table continued after a page break ------------------------------------------------------

CONTINUED = """Acme Widgets, Inc. (NASDAQ: ACME) today announced results for its first quarter.

<TABLE>
<CAPTION>
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
</TABLE>

                                  (more)
<PAGE>

<TABLE>
<S>                                          <C>             <C>
Selling, general and administrative                 2,100           2,000
Operating income                                    3,244           2,444
Net income                                         $1,234            $987
</TABLE>
"""


def test_table_continued_after_a_page_break_takes_periods_and_scale():
    """A headerless table after a page break takes the previous table's periods and scale."""
    _doc, tables, facts = read(CONTINUED)
    assert len(tables) == 2
    assert not any(c.header for c in tables[1].bands[0].columns)
    q1_04, q1_03 = ("2004-01-01", "2004-03-31"), ("2003-01-01", "2003-03-31")
    assert values(facts, "net income") == {q1_04: 1_234_000, q1_03: 987_000}
    assert values(facts, "operating income") == {q1_04: 3_244_000, q1_03: 2_444_000}
    assert {f.scale for f in facts if f.table == 1} == {1000.0}


# --- 15. a bare full date over a loans table -------------------------------------------------------

LOANS = """First Example Bancorp (NASDAQ: FEXB) today reported results for the quarter ended September 30, 2006.

<TABLE>
<CAPTION>
LOANS AND ASSET QUALITY
(dollars in thousands)
                                                      September 30,     June 30,
                                                          2006            2006
                                                      ------------    ------------
<S>                                                   <C>             <C>
Commercial real estate loans                             $ 412,300       $ 398,750
Total loans                                                613,750         597,770
Nonperforming loans                                          2,310           2,875
Net loan charge-offs                                           415             390
Net charge-offs to average loans (for the three months ended)  0.27%           0.26%
</TABLE>
"""


def test_bare_full_date_column_is_an_instant():
    """'September 30, 2006' with no span over it is a date: column_period gives an instant."""
    p = column_period("September 30, 2006", "LOANS AND ASSET QUALITY (dollars in thousands)", CAL, False)
    assert p is not None and (p.start, p.end, p.kind) == (None, "2006-09-30", "instant")


def test_balances_under_a_bare_date_are_instants_and_flows_give_nothing():
    """Loans under a bare date stand at it; 'Net loan charge-offs' (a flow) gives no fact."""
    _doc, _tables, facts = read(LOANS)
    assert values(facts, "total loans") == {
        (None, "2006-09-30"): 613_750_000,
        (None, "2006-06-30"): 597_770_000,
    }
    assert not [f for f in facts if f.label == "Net loan charge-offs"]


def test_row_stating_its_own_span_keeps_it_under_a_bare_date():
    """'Net charge-offs to average loans (for the three months ended)' is for the quarter to the date."""
    _doc, _tables, facts = read(LOANS)
    got = {
        (f.period.start, f.period.end, f.unit): f.value
        for f in facts
        if f.label.startswith("Net charge-offs")
    }
    assert got == {(*Q3_06, "percent"): 0.27, (*Q2_06, "percent"): 0.26}


# --- 16. trailing four quarters and "Fiscal 2021 / Q1 ... TOTAL" -----------------------------------

ORACLE = FiscalCalendar(5, 31)
TRAILING_TITLE = "FISCAL 2022 FINANCIAL RESULTS | FREE CASH FLOW - TRAILING 4-QUARTERS (1) | ($ in millions)"
QUARTERS_TITLE = (
    "FISCAL 2022 FINANCIAL RESULTS | SUPPLEMENTAL ANALYSIS OF GAAP REVENUES (1) | ($ in millions)"
)


@pytest.mark.parametrize(
    ("header", "start", "end", "label"),
    [
        ("Fiscal 2021 Q1", "2020-06-01", "2020-08-31", "Q1 FY2021"),
        ("Fiscal 2021 Q3", "2020-12-01", "2021-02-28", "Q3 FY2021"),
        ("Fiscal 2021 Q4", "2021-03-01", "2021-05-31", "Q4 FY2021"),
        ("Fiscal 2021 TOTAL", "2020-06-01", "2021-05-31", "FY2021"),
        ("Fiscal 2022 TOTAL", "2021-06-01", "2022-05-31", "FY2022"),
    ],
)
def test_fiscal_year_over_quarter_headers(header, start, end, label):
    """'Fiscal 2021' over 'Q1 ... Q4  TOTAL': the fiscal quarters and the fiscal year."""
    p = column_period(header, QUARTERS_TITLE, ORACLE, False)
    assert p is not None and (p.start, p.end, p.kind, p.label) == (start, end, "duration", label)


@pytest.mark.parametrize(
    ("header", "start", "end", "label"),
    [
        ("Fiscal 2021 Q1", "2019-09-01", "2020-08-31", "12M ended 2020-08-31"),
        ("Fiscal 2021 Q2", "2019-12-01", "2020-11-30", "12M ended 2020-11-30"),
        ("Fiscal 2021 Q4", "2020-06-01", "2021-05-31", "FY2021"),
        ("Fiscal 2022 Q1", "2020-09-01", "2021-08-31", "12M ended 2021-08-31"),
        ("Fiscal 2022 Q4", "2021-06-01", "2022-05-31", "FY2022"),
    ],
)
def test_trailing_four_quarter_columns_are_twelve_months_to_the_quarter_end(header, start, end, label):
    """Under 'TRAILING 4-QUARTERS' a quarter column is the 12 months to its end ('12M ended', FY at Q4)."""
    p = column_period(header, TRAILING_TITLE, ORACLE, False)
    assert p is not None and (p.start, p.end, p.kind, p.label) == (start, end, "duration", label)
    assert p.months == 12


# --- 17. 52/53-week calendars -----------------------------------------------------------------------

WEEKS_53 = """Orchard Computer Inc. (NASDAQ: ORCH) today announced financial results for its fiscal 2024 first quarter ended December 30, 2023.

<TABLE>
<CAPTION>
                   CONDENSED CONSOLIDATED STATEMENTS OF OPERATIONS
                   (In millions, except per share amounts)

                                                   Three Months Ended
                                            --------------------------------
                                             December 30,      December 31,
                                                 2023              2022
                                            --------------    --------------
<S>                                         <C>               <C>
Net sales                                     $ 119,575         $ 117,154
Cost of sales                                    64,720            66,822
Net income                                    $  33,916         $  29,998
</TABLE>
"""


def test_week_calendar_prior_year_quarter_is_fourteen_weeks():
    """Columns ending Saturday Dec 30, 2023 and Dec 31, 2022: the prior quarter starts 2022-09-25 (14 weeks)."""
    _doc, _tables, facts = read(WEEKS_53)
    got = {f.period.end: (f.period.start, f.period.label) for f in facts if f.metric == "revenue"}
    assert got == {
        "2023-12-30": ("2023-10-01", "Q1 FY2024"),  # after the year ended Saturday, September 30, 2023
        "2022-12-31": ("2022-09-25", "Q1 FY2023"),  # after the year ended Saturday, September 24, 2022
    }
    assert (date(2022, 12, 31) - date(2022, 9, 25)).days + 1 == 14 * 7


WEEKS_13 = """Acme Stores Corporation reported results for the quarter.

                          ACME STORES CORPORATION
                     (in thousands, except per share)

                                          13 Weeks Ended        13 Weeks Ended
                                          January 31, 2004      February 1, 2003
                                          ----------------      ----------------
Net sales                                     $ 250,100             $ 231,500
Cost of sales                                   160,300               150,200
Net income                                      $ 12,400              $ 10,100

The company will hold a conference call today.
"""


def test_thirteen_weeks_ended_a_saturday_start_91_days_before():
    """'13 Weeks Ended January 31, 2004' starts 2003-11-02."""
    _doc, _tables, facts = read(WEEKS_13)
    got = {f.period.end: f.period.start for f in facts if f.metric == "net income"}
    assert got["2004-01-31"] == "2003-11-02"


# --- 18. share counts under "in thousands, except per share data" ---------------------------------

SHARES = """Acme Widgets, Inc. (NASDAQ: ACME) today announced results for its first quarter.

<TABLE>
<CAPTION>
CONDENSED STATEMENTS OF OPERATIONS
(in thousands, except per share data)
                                                          Three Months Ended March 31,
                                                         ------------------------------
                                                              2004            2003
                                                         --------------  --------------
<S>                                                      <C>             <C>
Net sales                                                     $12,345         $10,987
Net income                                                     $1,234            $987
Diluted earnings per share                                      $0.12           $0.10
Shares used in computing diluted earnings per share            SHARES_A        SHARES_B
</TABLE>
"""


@pytest.mark.parametrize(
    ("a", "b", "scale", "q1_04", "q1_03"),
    [
        ("  10,283", "   9,870", 1000.0, 10_283_000, 9_870_000),
        ("10,283,333", " 9,870,000", 1.0, 10_283_333, 9_870_000),
    ],
    ids=["thousands", "whole-shares"],
)
def test_share_counts_settled_by_net_income_over_eps(a, b, scale, q1_04, q1_03):
    """Share counts in a table 'in thousands, except per share data' are thousands unless net income / EPS
    shows they are printed whole."""
    src = SHARES.replace("  SHARES_A", a).replace("  SHARES_B", b)
    _doc, _tables, facts = read(src)
    shares = [f for f in facts if f.unit == "shares"]
    assert {f.scale for f in shares} == {scale}
    assert values(facts, "weighted average shares") == {
        ("2004-01-01", "2004-03-31"): q1_04,
        ("2003-01-01", "2003-03-31"): q1_03,
    }
    assert values(facts, "net income")[("2004-01-01", "2004-03-31")] == 1_234_000


# --- 19. units and metrics of particular lines -----------------------------------------------------

BANK_LINES = """First Example Bancorp (NASDAQ: FEXB) today reported results for the quarter ended March 31, 2006.

<TABLE>
<CAPTION>
CONSOLIDATED BALANCE SHEETS
(in thousands, except share data)
                                                             March 31,     December 31,
                                                               2006            2005
                                                           ------------    ------------
<S>                                                        <C>             <C>
Total assets                                                 $1,294,332      $1,218,213
Common stock, $1.00 par value; 30,000,000 shares authorized      12,100          12,050
Total stockholders' equity                                      136,400         131,200
</TABLE>

<TABLE>
<CAPTION>
SELECTED FINANCIAL DATA
(in thousands, except per share data)
                                                              Three Months Ended
                                                                   March 31,
                                                           ----------------------------
                                                               2006            2005
                                                           ------------    ------------
<S>                                                        <C>             <C>
Net interest income                                             13,133          10,758
Net interest income after provision for loan losses             12,433          10,008
Net income (loss)                                                5,037           4,094
Diluted earnings (loss) per share                                 0.41            0.34
Diluted earnings per common share from continuing operations      0.43            0.33
Shares used in computing diluted earnings (loss) per share      12,285          12,040
Per common share:
  Book value                                                     11.27           10.05
  Tangible book value                                             9.80            8.71
</TABLE>
"""

Q1_06 = ("2006-01-01", "2006-03-31")


@pytest.fixture(scope="module")
def bank_lines():
    return read(BANK_LINES)


def _by_label(facts, label: str):
    got = [f for f in facts if f.label.endswith(label) and f.period.end in ("2006-03-31",)]
    assert len(got) == 1, [(f.label, f.period) for f in got]
    return got[0]


def test_common_stock_par_value_line_is_dollars(bank_lines):
    """'Common stock, $1.00 par value; 30,000,000 shares authorized' is a dollar line, not a share count."""
    _doc, _tables, facts = bank_lines
    f = _by_label(facts, "30,000,000 shares authorized")
    assert (f.unit, f.value, f.scale) == ("USD", 12_100_000, 1000.0)
    assert (f.period.kind, f.period.end) == ("instant", "2006-03-31")


def test_shares_used_in_computing_diluted_eps_are_shares(bank_lines):
    """'Shares used in computing diluted earnings (loss) per share' counts shares, not dollars per share."""
    _doc, _tables, facts = bank_lines
    f = _by_label(facts, "Shares used in computing diluted earnings (loss) per share")
    assert (f.unit, f.value, f.metric) == ("shares", 12_285_000, "weighted average shares")


def test_diluted_earnings_loss_per_share_is_diluted_eps(bank_lines):
    """'Diluted earnings (loss) per share' maps to diluted earnings per share."""
    assert metric_for("Diluted earnings (loss) per share", "USD/share") == "diluted earnings per share"
    _doc, _tables, facts = bank_lines
    assert values(facts, "diluted earnings per share") == {Q1_06: 0.41, ("2005-01-01", "2005-03-31"): 0.34}


def test_net_interest_income_after_provision_is_not_net_interest_income(bank_lines):
    """'Net interest income after provision for loan losses' is not net interest income."""
    assert metric_for("Net interest income after provision for loan losses", "USD") != "net interest income"
    _doc, _tables, facts = bank_lines
    assert values(facts, "net interest income")[Q1_06] == 13_133_000
    assert _by_label(facts, "after provision for loan losses").metric != "net interest income"


def test_diluted_eps_from_continuing_operations_is_not_diluted_eps(bank_lines):
    """'Diluted earnings per common share from continuing operations' is not diluted EPS."""
    label = "Diluted earnings per common share from continuing operations"
    assert metric_for(label, "USD/share") != "diluted earnings per share"
    assert metric_for("Diluted earnings per common share", "USD/share") == "diluted earnings per share"
    _doc, _tables, facts = bank_lines
    assert _by_label(facts, label).metric != "diluted earnings per share"


def test_tangible_book_value_under_per_common_share_is_its_own_per_share_measure(bank_lines):
    """'Tangible book value' under 'Per common share:' is tangible book value per share, apart from book value."""
    assert (
        metric_for("Tangible book value", "USD/share", ("Per common share:",))
        == "tangible book value per share"
    )
    assert metric_for("Book value", "USD/share", ("Per common share:",)) == "book value per share"
    _doc, _tables, facts = bank_lines
    assert values(facts, "tangible book value per share")[Q1_06] == 9.80
    assert values(facts, "book value per share")[Q1_06] == 11.27


# --- a column dated after the release was issued ------------------------------------------------

MISPRINTED_FUTURE = """Widget Corp Reports Fourth Quarter Results

SAN JOSE, Calif., August 16, 2006 -- Widget Corp today reported results for its fiscal fourth quarter.

                 (In thousands)
<TABLE>
                                        Three Months Ended     Three Months Ended
                                          Apr 1,                 Dec 31,
                                           2006                   2006
<S>                                     <C>                    <C>
Net revenues                              $ 19,786               $ 21,121
Net income                                $  1,838               $  1,412
</TABLE>
"""


def test_a_column_dated_after_the_release_is_a_misprint_and_left_out():
    """'Dec 31, 2006' in a release dated August 16, 2006 names a quarter that had not happened: its
    figures are not filed under it (nor anywhere); the April column stands."""
    doc, _tables, facts = read(MISPRINTED_FUTURE)
    assert doc.release_date == "2006-08-16"
    ends = {f.period.end for f in facts}
    assert "2006-12-31" not in ends
    assert values(facts, "revenue") == {("2006-01-01", "2006-04-01"): 19_786_000}


# --- one header over two years; a scale word opening a parenthesis; a stock account ----------------

TWO_DATES_HEADER = """Example Roebuck Reports Second Quarter Results

CHICAGO, July 22, 2004 -- Example Roebuck and Co. today reported results.

<TABLE>
                                          For the 13         For the 26
                                          Weeks Ended        Weeks Ended
                                        July 3, 2004 and   July 3, 2004 and
                                         June 28, 2003      June 28, 2003
    (millions, except earnings per
     common share)                       2004     2003      2004      2003
<S>                                    <C>       <C>       <C>       <C>
     Total revenues                      8,781   10,196    16,575    19,076
    NET INCOME                          $  53   $  309   $  (806)  $   501
    Basic
      Earnings per share before
       cumulative effect                $ 0.25   $ 1.04   $  0.15   $  1.63
      Cumulative effect of change in
       accounting principle             $    -   $    -   $ (3.86)  $     -
      Earnings/ (loss) per share        $ 0.25   $ 1.04   $ (3.71)  $  1.63
    Average common equivalent shares
     outstanding                         216.5    298.0     217.1     307.9
</TABLE>
"""


def test_a_header_with_a_date_for_each_year_over_year_columns():
    """'For the 13 Weeks Ended July 3, 2004 and June 28, 2003' over '2004 2003': each column takes its
    year's date; '(millions, except ...)' scales dollars and share counts, not per-share amounts; a line
    of cents between two per-share lines is per share."""
    _doc, _tables, facts = read(TWO_DATES_HEADER)
    rev = {(f.period.end, f.period.months): f.value for f in facts if f.metric == "revenue"}
    assert rev == {
        ("2004-07-03", 3): 8_781e6,
        ("2003-06-28", 3): 10_196e6,
        ("2004-07-03", 6): 16_575e6,
        ("2003-06-28", 6): 19_076e6,
    }
    shares = [
        f for f in facts if f.unit == "shares" and f.period.end == "2004-07-03" and f.period.months == 3
    ]
    assert [f.value for f in shares] == [216_500_000]
    (cum,) = [f for f in facts if f.as_printed.strip() == "$ (3.86)"]
    assert (cum.unit, cum.value) == ("USD/share", -3.86)


BALANCE_WITH_BLANKS = """Example Retail Reports Results

KEARNEY, Neb., November 22, 2024 -- Example Retail today reported results.

                                 (Amounts in Thousands)
<TABLE>
                                          November 2,    February 3,
                                             2024           2024
<S>                                       <C>            <C>
PROPERTY AND EQUIPMENT                     $ 508,273      $ 489,037
Less accumulated depreciation               (365,241)      (360,200)
                                           ---------      ---------
                                             143,032        128,837
SHAREHOLDERS' EQUITY:
  Common shares                                  323            323
</TABLE>
"""


def test_a_net_line_without_a_label_and_a_stock_account():
    """The unlabelled line after 'Less accumulated depreciation' is property and equipment, net; 'Common
    shares' under shareholders' equity is the stock account in dollars, not a count of shares."""
    _doc, _tables, facts = read(BALANCE_WITH_BLANKS)
    net = {f.period.end: f.value for f in facts if f.label == "PROPERTY AND EQUIPMENT, net"}
    assert net == {"2024-11-02": 143_032_000, "2024-02-03": 128_837_000}
    (stock,) = [f for f in facts if f.label.startswith("Common shares") and f.period.end == "2024-11-02"]
    assert (stock.unit, stock.value) == ("USD", 323_000)


@pytest.mark.parametrize(
    ("label", "metric"),
    [
        ("Selling and administrative", "selling, general and administrative"),
        ("Repurchases of common stock", "share repurchases"),
        ("Proceeds from issuance of common stock", "proceeds from issuance of common stock"),
        ("Cash and cash equivalents", "cash"),
        ("Cash, cash equivalents and restricted cash", "cash"),
        (
            "Cash, cash equivalents and marketable securities",
            "cash, cash equivalents and marketable securities",
        ),
        (
            "Cash and cash equivalents and short-term investments",
            "cash and cash equivalents and short-term investments",
        ),
    ],
)
def test_lines_analysts_keep_apart_or_together(label, metric):
    """SG&A without "general" is SG&A; cash with marketable securities or investments is a wider line."""
    assert metric_for(label, "USD") == metric
