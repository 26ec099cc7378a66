"""Reading rules for questions (qa/questions.py, qa/periods.py): months, year-end balances and the words
a question's metric phrase keeps."""

from __future__ import annotations

from datetime import date

import pytest

from qa.periods import FiscalCalendar, find_periods
from qa.questions import parse_question

COMPANIES = [
    ("asta funding", "Asta Funding, Inc.", "ASFI"),
    ("acme widgets", "Acme Widgets, Inc.", "ACME"),
]


def ask(text: str):
    return parse_question(text, COMPANIES)


# --- "January 2022" ---------------------------------------------------------------------------------


def test_month_and_year_in_a_question_is_a_month():
    """'January 2022' asks for that month: no span, no instant, month 1 of calendar 2022."""
    q = ask("Acme dividends declared January 2022")
    assert q.company == ("acme widgets",)
    assert q.metric_phrase == "dividends declared"
    assert len(q.periods) == 1
    p = q.periods[0]
    assert (p.month, p.calendar_year, p.months, p.instant, p.end, p.fiscal_year) == (
        1,
        2022,
        None,
        False,
        None,
        None,
    )
    assert p.resolve(FiscalCalendar()) == (date(2022, 1, 31), None)


def test_month_and_year_in_text_is_one_period():
    """find_periods reads 'January 2022' as one month, not a bare year."""
    found = find_periods("declared in January 2022")
    assert [(p.month, p.calendar_year, p.months) for p in found] == [(1, 2022, None)]


# --- "end of fiscal 2005" -----------------------------------------------------------------------------


def test_end_of_fiscal_year_is_an_instant_at_the_fiscal_year_end():
    """'end of fiscal 2005' asks for the balance at the fiscal year's last day."""
    q = ask("Asta Funding total assets end of fiscal 2005")
    assert q.company == ("asta funding",)
    assert q.wants_instant
    assert len(q.periods) == 1
    p = q.periods[0]
    assert p.instant and p.fiscal_year == 2005 and p.quarter is None
    end, _ = p.resolve(FiscalCalendar(9, 30))
    assert end == date(2005, 9, 30)
    assert p.resolve(FiscalCalendar())[0] == date(2005, 12, 31)


def test_end_of_quarter_is_an_instant_at_the_quarter_end():
    """'end of Q1 2004' asks for the balance at the quarter's last day."""
    p = ask("Acme stockholders equity end of Q1 2004").periods[0]
    assert p.instant and (p.fiscal_year, p.quarter) == (2004, 1)
    assert p.resolve(FiscalCalendar(9, 30))[0] == date(2003, 12, 31)


# --- words the metric phrase keeps -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "phrase"),
    [
        ("Asta third-party servicing expense second quarter fiscal 2004", "third-party servicing expense"),
        ("Acme EPS as reported Q1 2004", "EPS as reported"),
        ("What was Acme net income as reported?", "net income as reported"),
        ("Acme book value per share March 31, 2004", "book value per share"),
    ],
    ids=["third-party", "eps-as-reported", "net-income-as-reported", "book-value"],
)
def test_metric_phrase_keeps_its_own_words(question, phrase):
    """'third-party', 'as reported' and the 'value' of 'book value' stay in the metric phrase."""
    assert ask(question).metric_phrase == phrase


def test_third_party_question_keeps_its_period():
    """'third-party ... second quarter fiscal 2004': 'third' is not an ordinal, the period is Q2 FY2004."""
    q = ask("Asta third-party servicing expense second quarter fiscal 2004")
    assert [(p.quarter, p.fiscal_year, p.months) for p in q.periods] == [(2, 2004, 3)]


def test_reported_alone_is_still_filler():
    """'reported' without 'as' is a filler word: 'Acme reported net income Q1 2004' asks for net income."""
    assert ask("Acme reported net income Q1 2004").metric_phrase == "net income"


def test_value_alone_is_still_filler():
    """'value' not after 'book' (or fair, market, face, asset) is a filler word."""
    phrase = ask("What is the value of Acme net income Q1 2004?").metric_phrase
    assert "value" not in phrase.split() and phrase.endswith("net income")


# --- passages ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("question", ["Acme teleconference ID", "What is the conference ID for Acme's call?"])
def test_teleconference_id_asks_for_passages(question):
    """'teleconference ID' asks for passages, not a figure."""
    assert ask(question).wants_passages


def test_a_figure_question_does_not_ask_for_passages():
    """A plain figure question is not a passage question."""
    assert not ask("Acme net income Q1 2004").wants_passages


# --- halves, year to date, "for the year", year-end ----------------------------------------------


@pytest.mark.parametrize(
    "text, months, quarter, year",
    [
        ("Acme revenue first half 2004", 6, None, 2004),
        ("Acme revenue second half of fiscal 2004", 6, 4, 2004),
        ("Acme revenue 2H04", 6, 4, 2004),
        ("Acme revenue H1 2005", 6, None, 2005),
    ],
)
def test_halves(text, months, quarter, year):
    """The second half is the six months that end with the fiscal year (its fourth quarter)."""
    (p,) = ask(text).periods
    assert (p.months, p.quarter, p.fiscal_year) == (months, quarter, year)


def test_year_to_date_is_relative_to_the_latest_quarter():
    """'year to date' / 'YTD 2021' ask for the fiscal year's span to its latest quarter."""
    (p,) = ask("Acme net income year to date").periods
    assert p.relative == "ytd" and p.fiscal_year is None
    (p,) = ask("Acme net income YTD 2021").periods
    assert p.relative == "ytd" and p.fiscal_year == 2021


def test_for_the_year_is_twelve_months_and_year_end_is_a_balance():
    """'for the year' asks for twelve months; 'year-end' for a balance."""
    (p,) = ask("Acme revenue for the year").periods
    assert p.months == 12
    q = ask("Acme total assets at year-end 2004")
    assert q.wants_instant
    assert q.metric_phrase == "total assets"


@pytest.mark.parametrize(
    "text, months, quarter, year",
    [
        ("Acme revenue 9M 2006", 9, None, 2006),
        ("Acme revenue 9M06", 9, None, 2006),
        ("Acme EPS 6M'07", 6, None, 2007),
        ("Acme revenue Q2-2006", 3, 2, 2006),
        ("Acme revenue Q3'06", 3, 3, 2006),
    ],
)
def test_analyst_shorthand_for_spans_and_quarters(text, months, quarter, year):
    """'9M06' is the nine months of 2006; 'Q2-2006' the second quarter of 2006."""
    (p,) = ask(text).periods
    assert (p.months, p.quarter, p.fiscal_year) == (months, quarter, year)


def test_verbs_of_earning_and_losing_name_the_bottom_line():
    """'How much did Acme lose' asks for the net loss; 'earn per diluted share' for diluted EPS; a
    possessive stays with the company's name; 'spend on' and 'money' say nothing of the metric."""
    assert ask("How much did Acme lose in the second quarter?").metric_phrase == "net loss"
    assert ask("How much money did Acme make in 2005?").metric_phrase == "net income"
    assert (
        ask("What did Acme earn per diluted share in Q1 2005?").metric_phrase == "earnings per diluted share"
    )
    assert ask("Acme's net interest margin Q1 2005").metric_phrase == "net interest margin"
    assert ask("How much did Acme spend on SG&A in Q1 2004?").metric_phrase == "SG&A"


def test_a_company_named_by_the_first_words_of_its_name():
    """'Wells Fargo net income' of a company printed 'Wells Fargo Bank, N.A.': both words are the name."""
    q = parse_question(
        "Wells Fargo net income Q4 2021", [("wells fargo bank n a", "Wells Fargo Bank, N.A.", "")]
    )
    assert q.company == ("wells fargo bank n a",)
    assert q.metric_phrase == "net income"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Wells Fargo & Company (NYSE: WFC) reported", "Wells Fargo & Company"),
        ("Procter & Gamble Co. (NYSE: PG) today", "Procter & Gamble Co."),
        ("SANTA CLARA, Calif.\u2014Feb. 25, 2026\u2015 NVIDIA (NASDAQ: NVDA) today", "NVIDIA"),
        ("CHICAGO -- Sears, Roebuck and Co. (NYSE: S) today", "Unknown company"),
    ],
)
def test_the_company_printed_with_its_ticker(text, name):
    """An ampersand is part of a name; a bare name opening its sentence before the ticker is the name;
    the tail of a longer name ("... and Co.") is not."""
    from index.readers import find_company

    assert find_company(text, {})[0] == name
