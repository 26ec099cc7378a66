"""The one period parser (qa/periods.py): dates, column headers, fiscal calendars, prose and questions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from index.text import fold_case
from qa.periods import (
    FiscalCalendar,
    PeriodQuery,
    column_period,
    find_periods,
    label_for,
    make_period,
    months_stated,
    nominal,
    parse_date,
)

CAL = FiscalCalendar()  # calendar year: December 31

# --- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("March 31, 2004", date(2004, 3, 31)),
        ("Sep 30, 2003", date(2003, 9, 30)),
        ("Sept. 30, 2003", date(2003, 9, 30)),
        ("Mar. 31, 2004", date(2004, 3, 31)),
        ("December 31 2003", date(2003, 12, 31)),
        ("June 30,2004", date(2004, 6, 30)),
        ("the quarter ended January 1st, 2006", date(2006, 1, 1)),
        ("3/31/2004", date(2004, 3, 31)),
        ("3/31/04", date(2004, 3, 31)),
        ("2004-03-31", date(2004, 3, 31)),
        ("Three Months Ended March 31, 2004 and 2003", date(2004, 3, 31)),
    ],
)
def test_parse_date_variants(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["no date here", "February 30, 2004", "2004", "March 2004", ""])
def test_parse_date_none_without_a_full_valid_date(text):
    assert parse_date(text) is None


# --- lengths ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("Three Months Ended", 3),
        ("13 weeks ended", 3),
        ("14 Weeks Ended", 3),
        ("Six months ended", 6),
        ("26 Weeks Ended", 6),
        ("Nine Months Ended", 9),
        ("39 weeks ended", 9),
        ("Year Ended", 12),
        ("Twelve Months Ended", 12),
        ("52 weeks ended", 12),
        ("Quarter Ended", 3),
        ("March 31, 2004", None),
    ],
)
def test_months_stated(text, months):
    assert months_stated(text) == months


# --- column headers ---------------------------------------------------------------------------


def test_column_period_quarter_duration():
    p = column_period("Three Months Ended March 31, 2004", "", CAL, False)
    assert p is not None
    assert (p.start, p.end, p.kind, p.label) == ("2004-01-01", "2004-03-31", "duration", "Q1 2004")
    assert p.months == 3


def test_column_period_months_from_the_table_title():
    # The header says only the date; the band title above says the length.
    p = column_period("December 31, 2003", "Three Months Ended", CAL, False)
    assert (p.start, p.end, p.label) == ("2003-10-01", "2003-12-31", "Q4 2003")


def test_column_period_balance_sheet_instant():
    p = column_period("March 31, 2004", "BALANCE SHEET (amounts in $ thousands)", CAL, True)
    assert p is not None
    assert (p.start, p.end, p.kind, p.label) == (None, "2004-03-31", "instant", "Mar 31, 2004")
    assert p.months is None


def test_column_period_year_under_a_year_ended_title():
    p = column_period("2004", "Year Ended December 31", CAL, False)
    assert (p.start, p.end, p.label) == ("2004-01-01", "2004-12-31", "FY2004")


def test_column_period_fiscal_quarter():
    p = column_period("Three Months Ended Sep 30, 2003", "", FiscalCalendar(6, 30), False)
    assert (p.start, p.end, p.label) == ("2003-07-01", "2003-09-30", "Q1 FY2004")


@pytest.mark.parametrize("header", ["% Change", "Increase (Decrease)", "Percent change", ""])
def test_column_period_none_for_change_columns(header):
    assert column_period(header, "Three Months Ended", CAL, False) is None


def test_column_period_none_without_a_date():
    assert column_period("Actual", "", CAL, False) is None


# --- fiscal calendars -------------------------------------------------------------------------


def test_fiscal_calendar_june_year_end():
    cal = FiscalCalendar(6, 30)
    assert not cal.is_calendar
    assert cal.quarter_end(2004, 1) == date(2003, 9, 30)
    assert cal.quarter_end(2004, 2) == date(2003, 12, 31)
    assert cal.quarter_end(2004, 4) == date(2004, 6, 30)
    assert cal.year_end(2004) == date(2004, 6, 30)
    end = cal.quarter_end(2004, 1)
    assert label_for(date(2003, 7, 1), end, cal) == "Q1 FY2004"
    assert make_period(end, 3, cal).label == "Q1 FY2004"


def test_fiscal_calendar_september_year_end():
    cal = FiscalCalendar(9, 30)
    assert cal.fiscal_year(date(2003, 12, 31)) == 2004
    assert cal.quarter_of(date(2003, 12, 31)) == 1
    assert cal.fiscal_year(date(2004, 9, 30)) == 2004
    assert cal.quarter_of(date(2004, 9, 30)) == 4
    assert cal.quarter_of(date(2004, 6, 30)) == 3
    assert cal.quarter_end(2004, 1) == date(2003, 12, 31)
    assert make_period(date(2004, 6, 30), 9, cal).label == "9M FY2004"
    assert make_period(date(2004, 3, 31), 6, cal).label == "H1 FY2004"
    assert make_period(date(2004, 9, 30), 12, cal).label == "FY2004"


def test_calendar_year_labels():
    assert make_period(date(2004, 3, 31), 3, CAL).label == "Q1 2004"
    assert make_period(date(2003, 12, 31), 3, CAL).label == "Q4 2003"
    assert make_period(date(2005, 12, 31), 12, CAL).label == "FY2005"
    assert make_period(date(2004, 3, 31), None, CAL).label == "Mar 31, 2004"


def test_52_53_week_period_ends_stand_for_month_ends():
    # Apple's fiscal 2024 first quarter ended Saturday, December 30, 2023.
    assert nominal(date(2023, 12, 30)) == date(2023, 12, 31)
    assert nominal(date(2006, 7, 1)) == date(2006, 6, 30)  # Pericom's fiscal 2006 ended July 1
    assert nominal(date(2004, 3, 31)) == date(2004, 3, 31)
    apple = FiscalCalendar(9, 28)
    assert apple.fiscal_year(date(2023, 12, 30)) == 2024
    assert apple.quarter_of(date(2023, 12, 30)) == 1
    p = make_period(date(2023, 12, 30), 3, apple)
    assert p.label == "Q1 FY2024"
    assert p.start == "2023-10-01"  # 13 weeks
    assert p.months == 3


@pytest.mark.parametrize(
    ("end", "months", "start"),
    [
        (date(2004, 6, 30), 3, "2004-04-01"),
        (date(2006, 9, 30), 6, "2006-04-01"),
        (date(2004, 4, 30), 3, "2004-02-01"),
        (date(2004, 11, 30), 3, "2004-09-01"),
        (date(2005, 2, 28), 3, "2004-12-01"),
    ],
)
def test_month_end_periods_start_on_the_first_of_a_month(end, months, start):
    assert make_period(end, months, CAL).start == start


def test_month_end_periods_31_day_months():
    assert make_period(date(2004, 3, 31), 3, CAL).start == "2004-01-01"
    assert make_period(date(2003, 9, 30), 3, CAL).start == "2003-07-01"
    assert make_period(date(2004, 6, 30), 9, CAL).start == "2003-10-01"
    assert make_period(date(2004, 12, 31), 12, CAL).start == "2004-01-01"


# --- prose and questions ----------------------------------------------------------------------


def _one(text: str) -> PeriodQuery:
    found = find_periods(text)
    assert len(found) == 1, (text, found)
    return found[0]


@pytest.mark.parametrize(
    ("text", "months", "fy", "quarter"),
    [
        ("first quarter of 2004", 3, 2004, 1),
        ("1Q04", 3, 2004, 1),
        ("Q4 2003", 3, 2003, 4),
        ("fourth quarter 2004", 3, 2004, 4),
        ("full-year 2005", 12, 2005, None),
        ("fiscal third quarter 2006", 3, 2006, 3),
        ("second quarter of fiscal 2007", 3, 2007, 2),
        ("FY2005", 12, 2005, None),
        ("fiscal 2005", 12, 2005, None),
        ("first half of 2004", 6, 2004, None),
    ],
)
def test_find_periods_named_periods(text, months, fy, quarter):
    pq = _one(text)
    assert (pq.months, pq.fiscal_year, pq.quarter) == (months, fy, quarter)
    assert not pq.instant


def test_find_periods_three_months_ended():
    pq = _one("three months ended December 31, 2003")
    assert (pq.months, pq.end, pq.instant) == (3, "2003-12-31", False)
    assert pq.resolve(CAL) == (date(2003, 12, 31), 3)


def test_find_periods_nine_months_ended():
    pq = _one("nine months ended June 30, 2004")
    assert (pq.months, pq.end) == (9, "2004-06-30")


def test_find_periods_instant():
    pq = _one("March 31, 2004")
    assert pq.instant and pq.months is None and pq.end == "2004-03-31"


def test_find_periods_question_without_year_is_open():
    pq = _one("What was Q1 revenue?")
    assert (pq.months, pq.quarter, pq.fiscal_year) == (3, 1, None)
    assert pq.resolve(CAL) is None  # "the latest such period in the store" is the caller's job
    assert "What was Q1 revenue?"[pq.span[0] : pq.span[1]] == "Q1"


def test_find_periods_in_order_of_appearance():
    text = "Revenue for the first quarter of 2004 was $37.2 million compared with the fourth quarter 2003."
    found = find_periods(text)
    assert [(p.fiscal_year, p.quarter) for p in found] == [(2004, 1), (2003, 4)]
    assert found[0].span[0] < found[1].span[0]


def test_period_query_resolves_on_fiscal_calendars():
    pq = _one("first quarter of 2004")
    assert pq.resolve(CAL) == (date(2004, 3, 31), 3)
    assert pq.resolve(FiscalCalendar(6, 30)) == (date(2003, 9, 30), 3)
    assert _one("full-year 2005").resolve(FiscalCalendar(9, 30)) == (date(2005, 9, 30), 12)


def test_fiscal_year_end_stated_as_july_1_means_june(corpus_file):
    from index.readers import read_file
    from qa.facts import fiscal_calendar

    doc = read_file(corpus_file("psem_fy2006q4_8k-fullsubmission.txt"))[0]
    cal = fiscal_calendar(doc)
    q4 = cal.quarter_end(2006, 4)
    assert abs((q4 - date(2006, 7, 1)).days) <= 7, q4


# --- properties -------------------------------------------------------------------------------

DATES = st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31))
MONTHS = st.sampled_from([3, 6, 9, 12])
CALENDARS = st.sampled_from(
    [FiscalCalendar(), FiscalCalendar(6, 30), FiscalCalendar(9, 30), FiscalCalendar(3, 31)]
)


@given(DATES, MONTHS, CALENDARS)
def test_make_period_start_before_end_and_months_round_trip(end, months, cal):
    p = make_period(end, months, cal)
    assert p.kind == "duration"
    assert p.end == end.isoformat()
    assert date.fromisoformat(p.start) <= end
    assert p.months == months
    assert p.label


@given(DATES, CALENDARS)
def test_make_period_instant(end, cal):
    p = make_period(end, None, cal)
    assert (p.start, p.end, p.kind, p.months) == (None, end.isoformat(), "instant", None)


@given(DATES, MONTHS)
def test_make_period_quarter_labels_agree_with_the_calendar(end, months):
    cal = FiscalCalendar(6, 30)
    p = make_period(end, months, cal)
    fy = cal.fiscal_year(end)
    if months == 3:
        assert p.label == f"Q{cal.quarter_of(end)} FY{fy}"
    elif months == 12 and cal.quarter_of(end) == 4:
        assert p.label == f"FY{fy}"
    elif months == 12:
        # twelve months to another quarter's end are a trailing year, not the fiscal year
        assert p.label == f"12M ended {end.isoformat()}"


@given(st.integers(min_value=1995, max_value=2035), st.integers(min_value=1, max_value=4), CALENDARS)
def test_quarter_end_round_trips_through_fiscal_year_and_quarter(fy, q, cal):
    end = cal.quarter_end(fy, q)
    assert cal.fiscal_year(end) == fy
    assert cal.quarter_of(end) == q
    assert end == nominal(end)


@given(st.integers(min_value=1995, max_value=2035), st.integers(min_value=1, max_value=28))
def test_nominal_is_a_month_end_within_a_week(year, day):
    for month in range(1, 13):
        d = date(year, month, day)
        n = nominal(d)
        assert (n + timedelta(days=1)).day == 1
        assert abs((n - d).days) <= 31


@given(st.integers(min_value=1995, max_value=2035), st.integers(min_value=1, max_value=12), MONTHS)
def test_month_end_periods_start_on_a_first_of_month(year, month, months):
    from qa.periods import month_end

    end = month_end(year, month)
    p = make_period(end, months, CAL)
    start = date.fromisoformat(p.start)
    assert start.day == 1
    assert (end.year * 12 + end.month) - (start.year * 12 + start.month) + 1 == months


@pytest.mark.parametrize(
    "header,context,start,end",
    [
        ("First Quarter 2004", "", "2004-01-01", "2004-03-31"),
        ("4th Quarter 2003", "", "2003-10-01", "2003-12-31"),
        ("Second Quarter", "Fiscal 2004", "2004-04-01", "2004-06-30"),
        ("Nine Months 2004", "", "2004-01-01", "2004-09-30"),
        ("Mar-04", "Three Months Ended", "2004-01-01", "2004-03-31"),
        ("Dec-04", "", None, "2004-12-31"),
    ],
)
def test_spelled_out_column_headers(header, context, start, end):
    """Headers that spell a period out ("Fourth Quarter 2003", "Nine Months 2004", "Dec-04") have one."""
    p = column_period(header, context, FiscalCalendar(), False)
    assert p is not None and (p.start, p.end) == (start, end)


# --- guards: a pattern is skipped only where it cannot match ----------------------------------

PERIOD_WORDS = [
    "fiscal ",
    "year ",
    "quarter ",
    "Q",
    "q",
    "1",
    "2",
    "3",
    "4",
    "2004 ",
    "FY",
    "H1 ",
    "1H",
    "half ",
    "first ",
    "second ",
    "nine ",
    "six ",
    "months ",
    "month ",
    "weeks ",
    "13 ",
    "26 ",
    "ended ",
    "ENDED ",
    "March ",
    "31, ",
    "/",
    "-",
    "ytd ",
    "year-to-date ",
    "to date ",
    "the ",
    "for ",
    "prior ",
    "previous ",
    "period ",
    "ago ",
    "a ",
    "6m",
    "9m ",
    "'04 ",
    "\u0130",
    "\u0131",
    "\u017f",
    "\u212a",
    "wee\u212as ",
    "Mont\u0127",
    " ",
    ",",
]


@given(st.lists(st.sampled_from(PERIOD_WORDS), max_size=12).map("".join))
def test_period_guards_hold_wherever_their_pattern_matches(text):
    from qa.periods import PERIOD_GUARDS, _finditer

    low, digit = fold_case(text), any(c.isdigit() for c in text)
    for pattern in PERIOD_GUARDS:
        want = [m.span() for m in pattern.finditer(text)]
        assert [m.span() for m in _finditer(pattern, text, low, digit)] == want, pattern.pattern


def test_period_guards_on_real_sentences(repo_root):
    from qa.periods import PERIOD_GUARDS, _finditer

    text = (repo_root / "corpus" / "mpower_2004q1_ex991.txt").read_text(errors="replace")
    lines = [ln for ln in text.splitlines() if ln.strip()]
    matched = 0
    for line in lines:
        low, digit = fold_case(line), any(c.isdigit() for c in line)
        for pattern in PERIOD_GUARDS:
            want = [m.span() for m in pattern.finditer(line)]
            matched += bool(want)
            assert [m.span() for m in _finditer(pattern, line, low, digit)] == want, (pattern.pattern, line)
    assert matched > 50
