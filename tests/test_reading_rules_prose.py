"""Reading rules for figures stated in sentences (qa/prose.py), on synthetic sentences.

Each sentence is read by the real `read_sentence` with the lexicon's phrases, a fiscal calendar and the
release's own period (`main`), as `prose_facts` reads a release; the paragraph rule goes through
`qa.facts.extract` on a small synthetic release.
"""

from __future__ import annotations

from datetime import date

import pytest

from index.readers import read_bytes
from index.segments import segment
from qa.facts import extract
from qa.periods import FiscalCalendar, find_periods, make_period
from qa.prose import metric_phrases, read_sentence

CAL = FiscalCalendar()  # calendar year
SEPT = FiscalCalendar(9, 30)  # fiscal year ending September 30


def read(sent: str, cal: FiscalCalendar, main, outlook=None):
    """What the sentence states, as a release's paragraph would be read."""
    return read_sentence(sent, cal, main, metric_phrases(), outlook)


def span(p) -> tuple:
    return (p.start, p.end, p.kind)


def instant(end: str) -> tuple:
    return (None, end, "instant")


def quarter_end(y: int, m: int, d: int, months: int, cal: FiscalCalendar):
    return make_period(date(y, m, d), months, cal)


# --- 1. "respectively" -------------------------------------------------------------------------


def test_respectively_pairs_quarter_and_six_months_and_the_prior_year():
    """'for the quarter and six months ended ... were $A and $B, respectively, compared to $C and $D for
    the same periods of the prior year' gives the quarter, the six months and both a year earlier."""
    sent = (
        "Cash collections for the quarter and six months ended March 31, 2004 were $30.4 million and "
        "$59.3 million, respectively, compared to $14.0 million and $28.2 million for the same periods of "
        "the prior year."
    )
    figs = read(sent, SEPT, quarter_end(2004, 3, 31, 3, SEPT))
    assert {f.metric for f in figs} == {"cash collections"}
    got = [(f.value, f.period.start, f.period.end, f.period.label) for f in figs]
    assert got == [
        (pytest.approx(30.4e6), "2004-01-01", "2004-03-31", "Q2 FY2004"),
        (pytest.approx(59.3e6), "2003-10-01", "2004-03-31", "H1 FY2004"),
        (pytest.approx(14.0e6), "2003-01-01", "2003-03-31", "Q2 FY2003"),
        (pytest.approx(28.2e6), "2002-10-01", "2003-03-31", "H1 FY2003"),
    ]


THREE_AND_NINE = (
    "{subject} for the three and nine months ended June 30, 2004 were $12.1 million and $36.4 million, "
    "respectively, compared to $9.2 million and $23.7 million for the same periods of the prior year."
)
THREE_AND_NINE_PERIODS = [
    (pytest.approx(12.1e6), "2004-04-01", "2004-06-30", "Q3 FY2004"),
    (pytest.approx(36.4e6), "2003-10-01", "2004-06-30", "9M FY2004"),
    (pytest.approx(9.2e6), "2003-04-01", "2003-06-30", "Q3 FY2003"),
    (pytest.approx(23.7e6), "2002-10-01", "2003-06-30", "9M FY2003"),
]


def test_respectively_three_and_nine_months():
    """'three and nine months ended June 30, 2004 ... respectively' pairs the quarter and the nine months."""
    sent = THREE_AND_NINE.format(subject="Cash collections")
    figs = read(sent, SEPT, quarter_end(2004, 6, 30, 3, SEPT))
    assert {f.metric for f in figs} == {"cash collections"}
    assert [(f.value, f.period.start, f.period.end, f.period.label) for f in figs] == THREE_AND_NINE_PERIODS


def test_respectively_with_a_subject_the_lexicon_does_not_know():
    """A 'respectively' sentence about a line item the lexicon does not know still gives all four figures."""
    sent = THREE_AND_NINE.format(subject="Finance income")
    figs = read(sent, SEPT, quarter_end(2004, 6, 30, 3, SEPT))
    assert {f.metric for f in figs} == {"finance income"}
    assert [(f.value, f.period.start, f.period.end, f.period.label) for f in figs] == THREE_AND_NINE_PERIODS


# --- 2. an opening date -------------------------------------------------------------------------


def test_a_date_that_opens_the_sentence_governs_its_figures():
    """'At June 30, 2005, ... was $A and ... was $B': both figures stand at June 30, not the release's date."""
    sent = "At June 30, 2005, stockholders' equity was $136.4 million and our book value was $10.05"
    main = quarter_end(2005, 9, 30, 3, SEPT)  # the release's own quarter ends later
    figs = read(sent, SEPT, main)
    got = {f.metric: (f.value, f.unit, span(f.period)) for f in figs}
    assert got == {
        "total stockholders' equity": (pytest.approx(136.4e6), "USD", instant("2005-06-30")),
        "book value per share": (10.05, "USD/share", instant("2005-06-30")),
    }


# --- 3. "from" / "compared" ---------------------------------------------------------------------


def test_period_after_from_belongs_to_the_next_figure():
    """'up 22% to $8.52 per share from last year's book value of $7.01 per share': $8.52 at this year end,
    $7.01 a year earlier."""
    sent = (
        "Book value per share was up 22% to $8.52 per share from last year's book value of $7.01 per share."
    )
    figs = read(sent, SEPT, quarter_end(2005, 9, 30, 12, SEPT))
    per_share = {f.value: (f.metric, f.unit, span(f.period)) for f in figs if f.unit == "USD/share"}
    assert per_share == {
        8.52: ("book value per share", "USD/share", instant("2005-09-30")),
        7.01: ("book value per share", "USD/share", instant("2004-09-30")),
    }


def test_period_after_compared_belongs_to_the_next_figure():
    """'$A, compared to the fourth quarter of 2003 revenue of $B': $A is the release's quarter, $B Q4 2003."""
    sent = "Revenue was $12.0 million, compared to the fourth quarter of 2003 revenue of $10.0 million."
    figs = read(sent, CAL, quarter_end(2004, 3, 31, 3, CAL))
    got = [(f.metric, f.value, f.period.label) for f in figs]
    assert got == [
        ("revenue", pytest.approx(12.0e6), "Q1 2004"),
        ("revenue", pytest.approx(10.0e6), "Q4 2003"),
    ]


def test_last_years_is_a_relative_period():
    """The words 'last year's' name the same span a year earlier, relative to the period being discussed."""
    found = find_periods("from last year's book value of $7.01 per share")
    assert [(p.relative, p.fiscal_year, p.end) for p in found] == [("prev_year", None, None)]


# --- 4. compact percent ranges and outlook quarters ---------------------------------------------


def test_compact_percent_range_is_one_guidance_range():
    """'in the 36-37% range' in an outlook sentence is one range 36..37 percent, guidance."""
    sent = "The Company expects its effective tax rate to be in the 36-37% range."
    figs = read(sent, CAL, quarter_end(2004, 12, 31, 3, CAL))
    assert [(f.metric, f.value, f.high, f.unit, f.guidance) for f in figs] == [
        ("effective tax rate", 36.0, 37.0, "percent", True)
    ]
    assert figs[0].as_printed == "36-37%"


def test_percent_to_percent_is_one_guidance_range():
    """'35 percent to 37 percent' is one range 35..37 percent, guidance."""
    sent = "Gross margin is expected to be 35 percent to 37 percent."
    figs = read(sent, CAL, quarter_end(2004, 12, 31, 3, CAL))
    assert [(f.metric, f.value, f.high, f.unit, f.guidance) for f in figs] == [
        ("gross margin %", 35.0, 37.0, "percent", True)
    ]


def test_compact_range_with_percent_on_both_ends():
    """'in the 36%-37% range' is one range 36..37 percent, not 36% and -37%."""
    sent = "The Company expects its effective tax rate to be in the 36%-37% range."
    figs = read(sent, CAL, quarter_end(2004, 12, 31, 3, CAL))
    assert [(f.metric, f.value, f.high, f.guidance) for f in figs] == [
        ("effective tax rate", 36.0, 37.0, True)
    ]


def test_number_to_percent_range():
    """'36 to 37 percent' is one range 36..37 percent, like '35 percent to 37 percent'."""
    sent = "The Company expects its effective tax rate to be 36 to 37 percent."
    figs = read(sent, CAL, quarter_end(2004, 12, 31, 3, CAL))
    assert [(f.metric, f.value, f.high, f.guidance) for f in figs] == [
        ("effective tax rate", 36.0, 37.0, True)
    ]


@pytest.mark.parametrize(
    ("cal", "main_end", "start", "end", "label"),
    [
        (CAL, date(2004, 12, 31), "2005-01-01", "2005-03-31", "Q1 2005"),
        (SEPT, date(2005, 9, 30), "2005-10-01", "2005-12-31", "Q1 FY2006"),
    ],
    ids=["calendar", "september-fiscal"],
)
def test_outlook_first_quarter_of_a_fourth_quarter_release_is_the_next_one(cal, main_end, start, end, label):
    """'$29.5 million to $30.5 million in the first quarter' in a Q4 release's outlook is the NEXT fiscal Q1."""
    sent = "Revenue is expected to be $29.5 million to $30.5 million in the first quarter."
    figs = read(sent, cal, make_period(main_end, 3, cal))
    assert len(figs) == 1
    f = figs[0]
    assert (f.metric, f.value, f.high, f.unit, f.guidance) == (
        "revenue",
        pytest.approx(29.5e6),
        pytest.approx(30.5e6),
        "USD",
        True,
    )
    assert (f.period.start, f.period.end, f.period.label) == (start, end, label)


def test_reported_first_quarter_of_a_fourth_quarter_release_is_this_years():
    """Without outlook words, 'the first quarter' in a Q4 release is the current fiscal year's Q1."""
    sent = "Revenue was $28.0 million in the first quarter."
    figs = read(sent, CAL, quarter_end(2004, 12, 31, 3, CAL))
    assert [(f.metric, f.period.label, f.guidance) for f in figs] == [("revenue", "Q1 2004", False)]


# --- 5. plural metric names ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "value", "high", "guidance"),
    [
        ("Gross margins are expected to be between 36% and 38% in the first quarter.", 36.0, 38.0, True),
        ("Gross margins were 41.2% in the fourth quarter.", 41.2, None, False),
    ],
)
def test_plural_metric_names(sent, value, high, guidance):
    """'Gross margins ...' names gross margin (a percent of revenue) as 'Gross margin' does."""
    figs = read(sent, CAL, quarter_end(2004, 12, 31, 3, CAL))
    assert [(f.metric, f.value, f.high, f.unit, f.guidance) for f in figs] == [
        ("gross margin %", value, high, "percent", guidance)
    ]


# --- 6. a clause subject the lexicon does not know ----------------------------------------------


@pytest.mark.parametrize(
    ("sent", "main", "metric", "value", "period"),
    [
        (
            "Finance income for the year ended September 30, 2005, was $69,479,000.",
            make_period(date(2005, 9, 30), 3, SEPT),
            "finance income",
            69_479_000,
            ("2004-10-01", "2005-09-30", "duration"),
        ),
        (
            "Portfolio purchases were $36.5 million.",
            make_period(date(2005, 9, 30), 3, SEPT),
            "portfolio purchases",
            36_500_000,
            ("2005-07-01", "2005-09-30", "duration"),
        ),
        (
            "Brokered certificates of deposit increased to $235.5 million at September 30, 2008.",
            make_period(date(2008, 9, 30), 3, SEPT),
            "brokered certificates of deposit",
            235_500_000,
            (None, "2008-09-30", "instant"),
        ),
    ],
    ids=["was", "were", "increased-to"],
)
def test_unknown_subject_tied_by_a_copula_names_the_figure(sent, main, metric, value, period):
    """A clause subject the lexicon does not know, tied by was/were/increased to, names the figure."""
    figs = read(sent, SEPT, main)
    assert [(f.metric, f.value, f.unit, span(f.period)) for f in figs] == [
        (metric, pytest.approx(value), "USD", period)
    ]


@pytest.mark.parametrize(
    "sent",
    [
        "It was $5 million.",
        "Portfolio purchases of $36.5 million.",
        "Widgets and gadgets: $36.5 million in the year.",
    ],
    ids=["pronoun-subject", "no-copula", "no-copula-colon"],
)
def test_no_known_metric_and_no_copula_subject_gives_nothing(sent):
    """A pronoun subject, or no verb tying a subject to the figure, gives no fact."""
    assert read(sent, SEPT, make_period(date(2005, 9, 30), 12, SEPT)) == []


def test_a_generic_noun_is_not_a_line_item():
    """'The increase was $5.0 million' names no line item (as 'amount', 'total', 'result' name none)."""
    assert read("The increase was $5.0 million.", SEPT, make_period(date(2005, 9, 30), 12, SEPT)) == []


# --- 7. per-share figures take the nearest per-share measure ------------------------------------


BOOK_VALUE_SENT = (
    "Stockholders' equity continues to grow, with the book value at the fiscal year end rising 25.3% to "
    "$10.68 per share."
)


def test_per_share_figure_takes_the_nearest_per_share_measure_before_it():
    """'equity continues to grow, with the book value ... rising 25.3% to $10.68 per share': book value per
    share, an instant at the fiscal year end."""
    figs = read(BOOK_VALUE_SENT, SEPT, make_period(date(2005, 9, 30), 12, SEPT))
    per_share = [(f.metric, f.value, f.unit, span(f.period)) for f in figs if f.unit == "USD/share"]
    assert per_share == [("book value per share", 10.68, "USD/share", instant("2005-09-30"))]


def test_rising_percent_in_the_book_value_sentence_is_a_change():
    """The '25.3%' of 'rising 25.3% to $10.68 per share' is a change, not a share of stockholders' equity."""
    figs = read(BOOK_VALUE_SENT, SEPT, make_period(date(2005, 9, 30), 12, SEPT))
    pct = [f.metric for f in figs if f.unit == "percent"]
    assert len(pct) == 1 and pct[0].endswith("change %"), pct


def test_per_share_figure_of_another_clause_keeps_its_own_subject():
    """'Book value per share rose to $10.68, and net income was $0.50 per share': $0.50 is earnings, not book
    value."""
    sent = "Book value per share rose to $10.68, and net income was $0.50 per share."
    figs = read(sent, SEPT, make_period(date(2005, 9, 30), 12, SEPT))
    got = {f.value: f.metric for f in figs}
    assert got[10.68] == "book value per share"
    assert got[0.5] != "book value per share"


# --- 8. a paragraph's opening period -------------------------------------------------------------

RELEASE = """Acme Software Corporation (NASDAQ: ACME) today reported results for the fourth quarter ended December 31, 2014.

Total revenues for the fourth quarter were $310.0 million. GAAP operating margin was 37%.

For fiscal year 2014, total revenues were $1,200.0 million, up 10%. GAAP operating margin was 39%. Net income was $250.0 million. Fourth quarter net income was $70.0 million.

Research and development expenses were $40.0 million.
"""


@pytest.fixture(scope="module")
def release_facts():
    doc = read_bytes(RELEASE.encode(), "acme_2014q4.txt")[0]
    segs, tables = segment(doc)
    return doc, [f for f in extract(doc, segs, tables) if f.source == "prose"]


def test_paragraph_opening_period_holds_for_its_later_sentences(release_facts):
    """A paragraph opening 'For fiscal year 2014,' gives FY2014 to its later sentences that name no period."""
    doc, facts = release_facts
    by_printed = {f.as_printed: f for f in facts}
    for printed, metric in [("39%", "operating income %"), ("$250.0 million", "net income")]:
        f = by_printed[printed]
        assert (f.metric, f.period.start, f.period.end, f.period.label) == (
            metric,
            "2014-01-01",
            "2014-12-31",
            "FY2014",
        )
        assert doc.text[f.char_start : f.char_end] == printed
    assert by_printed["$1,200.0 million"].period.label == "FY2014"


def test_paragraph_opening_period_yields_to_a_sentence_own_period_and_ends_with_the_paragraph(release_facts):
    """A later sentence naming its own period keeps it; other paragraphs keep the release's quarter."""
    _doc, facts = release_facts
    by_printed = {f.as_printed: f for f in facts}
    assert by_printed["$70.0 million"].period.label == "Q4 2014"
    assert by_printed["37%"].period.label == "Q4 2014"  # the quarter's paragraph, no opening period
    assert by_printed["$40.0 million"].period.label == "Q4 2014"  # the paragraph after the year's


# --- 9. "range of X and Y" ------------------------------------------------------------------------


def test_range_of_x_and_y_is_a_range():
    """'in the range of $1.94 and $1.99 per share' is one per-share range, guidance."""
    sent = "The Company expects earnings in the range of $1.94 and $1.99 per share for fiscal 2006."
    figs = read(sent, SEPT, make_period(date(2005, 9, 30), 12, SEPT))
    assert len(figs) == 1
    f = figs[0]
    assert (f.value, f.high, f.unit, f.guidance) == (1.94, 1.99, "USD/share", True)
    assert f.metric.endswith("per share")
    assert (f.period.start, f.period.end) == ("2005-10-01", "2006-09-30")


# --- 10. changes stated as amounts; metrics listed "respectively"; bullets ------------------------

Q2_21 = make_period(date(2021, 6, 30), 3, CAL)


def test_a_verb_before_an_amount_makes_it_a_change_and_its_or_percent_too():
    """'Net interest income of $2.6 billion increased $233 million, or 10%': the level, the change and
    the change in percent, all of the quarter; 'increased to $X' stays a level."""
    sent = "Net interest income of $2.6 billion increased $233 million, or 10%, driven by higher balances."
    got = {f.as_printed: f for f in read(sent, CAL, Q2_21)}
    assert got["$2.6 billion"].metric == "net interest income"
    assert got["$233 million"].metric == "net interest income change"
    assert got["10%"].metric == "net interest income change %"
    assert {span(f.period) for f in got.values()} == {span(Q2_21)}
    level = read("Revenue increased to $37.2 million in the quarter.", CAL, Q2_21)
    assert [(f.metric, f.value) for f in level] == [("revenue", 37_200_000)]


def test_respectively_pairs_listed_metrics_and_a_linked_quarter_change_is_the_release_quarter():
    """'Total loans and deposits increased 24% and 21%, respectively, linked quarter': loans 24%,
    deposits 21% (the 'total' is said of both), both changes of the release's quarter, not of the
    quarter they are compared with."""
    sent = (
        "Total loans and deposits increased 24% and 21%, respectively, linked quarter due to the acquisition."
    )
    got = {f.as_printed: f for f in read(sent, CAL, Q2_21)}
    assert got["24%"].metric == "total loans change %"
    assert got["21%"].metric == "total deposits change %"
    assert span(got["21%"].period) == span(Q2_21)


def test_a_bullet_glyph_starts_a_sentence():
    """Bullet items run together without stops are separate sentences: a figure of one item never takes
    the subject or period of the item before it."""
    from qa.prose import sentences

    text = "\u25aaClosed the acquisition on June 1, 2021 \u25aaRevenue increased 11% linked quarter. \u2022 Next one."
    assert [text[a:b] for a, b in sentences(text)] == [
        "\u25aaClosed the acquisition on June 1, 2021",
        "\u25aaRevenue increased 11% linked quarter.",
        "\u2022 Next one.",
    ]


def test_a_decrease_is_a_negative_change_and_a_smaller_loss_a_positive_one():
    """'a decrease of 4.2 percent' is -4.2%, as a change column prints it; 'expenses declined 5%' is -5%;
    a net loss that decreased is income that rose."""
    main = make_period(date(2006, 12, 31), 3, CAL)
    sent = (
        "Fourth quarter revenues were $3.15 billion, compared with $3.29 billion in the same period a year "
        "earlier, a decrease of 4.2 percent."
    )
    got = {f.as_printed: f for f in read(sent, CAL, main)}
    assert (got["4.2 percent"].metric, got["4.2 percent"].value) == ("revenue change %", -4.2)
    (f,) = read("Operating expenses declined 5% from the prior year.", CAL, main)
    assert f.value == -5.0
    (f,) = [x for x in read("Net loss decreased by $2.1 million in the quarter.", CAL, main)]
    assert (f.metric, f.value) == ("net income change", 2_100_000)


# --- 11. components, reasons, parts, levels reached -------------------------------------------------


def test_an_included_amount_is_a_component_not_the_guidance():
    """'expects earnings per share, before ..., but including $0.24 per share related to special charges,
    to be between $2.66 and $2.86, reflecting the year-to-date results': EPS guidance 2.66-2.86 for the
    year; the $0.24 is part of it and 'year-to-date' is the reason's period."""
    main = make_period(date(2004, 6, 30), 3, CAL)
    sent = (
        "For the year, the company now expects earnings per share, before the cumulative effect of change "
        "in accounting principle, but including $0.24 per share related to the second quarter special "
        "charges and additional depreciation, to be between $2.66 and $2.86, reflecting the year-to-date "
        "results and a reduced revenue outlook based upon first-half trends."
    )
    (f,) = read(sent, CAL, main)
    assert (f.metric, f.value, f.high, f.guidance) == ("earnings per share", 2.66, 2.86, True)
    assert f.period.label == "FY2004"


def test_basic_and_diluted_per_share_in_one_sentence():
    """'$0.89 per share ($0.88 per share on a diluted basis)': basic 0.89, diluted 0.88, and the year-ago
    figures take the period named after their asides."""
    cal = FiscalCalendar(1, 31, True)
    main = make_period(date(2024, 11, 2), 3, cal)
    sent = (
        "Net income for the third quarter of fiscal 2024 was $44.2 million, or $0.89 per share ($0.88 per "
        "share on a diluted basis), compared with net income of $51.8 million, or $1.05 per share ($1.04 "
        "per share on a diluted basis) for the third quarter of fiscal 2023."
    )
    got = [(f.metric, f.value, f.period.label) for f in read(sent, cal, main)]
    assert got == [
        ("net income", 44_200_000, "Q3 FY2024"),
        ("basic earnings per share", 0.89, "Q3 FY2024"),
        ("diluted earnings per share", 0.88, "Q3 FY2024"),
        ("net income", 51_800_000, "Q3 FY2023"),
        ("basic earnings per share", 1.05, "Q3 FY2023"),
        ("diluted earnings per share", 1.04, "Q3 FY2023"),
    ]


def test_a_part_opening_the_sentence_and_the_level_a_change_reached():
    """'Online sales decreased 9.2 percent to $128.0 million for the 39-week period' is online sales (a
    part of net sales) and its change, both of the 39 weeks; 'EARNINGS PER SHARE RISES 37% TO $2.15' is
    EPS (a headline in capitals reads like a sentence)."""
    cal = FiscalCalendar(1, 31, True)
    main = make_period(date(2024, 11, 2), 3, cal)
    sent = (
        "Online sales decreased 9.2 percent to $128.0 million for the 39-week period ended November 2, 2024."
    )
    got = [(f.metric, f.value, f.period.months) for f in read(sent, cal, main)]
    assert got == [("online sales change %", -9.2, 9), ("online sales", 128_000_000, 9)]
    main = make_period(date(2005, 9, 30), 3, SEPT)
    sent = "-FISCAL YEAR REVENUES INCREASE 36% AND EARNINGS PER SHARE RISES 37% TO $2.15"
    got = [(f.metric, f.value, f.period.label) for f in read(sent, SEPT, main)]
    assert got == [
        ("revenue change %", 36, "FY2005"),
        ("earnings per share change %", 37, "FY2005"),
        ("earnings per share", 2.15, "FY2005"),
    ]


def test_week_counts_are_not_years():
    """'the prior year 13-week fiscal quarter' names no year 2013; '39-week fiscal period ended' is nine
    months; '26 weeks 2004' is the first half of 2004."""
    spans = [
        (p.months, p.fiscal_year, p.end)
        for p in find_periods("for the prior year 13-week fiscal quarter ended October 28, 2023")
    ]
    assert spans == [(3, None, "2023-10-28")]
    assert [(p.months, p.end) for p in find_periods("the 39-week fiscal period ended November 2, 2024")] == [
        (9, "2024-11-02")
    ]
    assert [(p.months, p.fiscal_year) for p in find_periods("26 weeks 2004")] == [(6, 2004)]


def test_a_possessor_or_a_preposition_before_a_line_item_makes_no_part():
    """ "Mpower's loss from continuing operations" and "In terms of Adjusted EBITDA, ..." name the lines
    themselves, not parts of them."""
    main = make_period(date(2004, 3, 31), 3, CAL)
    sent = (
        "In terms of Adjusted EBITDA, Mpower's second quarter 2004 guidance is $1.5 million to $2.0 million."
    )
    (f,) = read(sent, CAL, main)
    assert (f.metric, f.value, f.high, f.guidance) == ("adjusted ebitda", 1_500_000, 2_000_000, True)
    sent = "Mpower's loss from continuing operations was $0.5 million in the first quarter of 2004."
    (f,) = read(sent, CAL, main)
    assert not f.metric.startswith("mpower")
