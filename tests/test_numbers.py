"""The one number parser (index/numbers.py): figures as releases print them."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from index.numbers import FIGURE_RE, is_figure, number_from_match, parse_number, precision


@pytest.mark.parametrize(
    ("printed", "value", "currency", "percent"),
    [
        ("$29,294", 29294, True, False),
        ("(37,835)", -37835, False, False),
        ("($263)", -263, True, False),
        ("$(800)", -800, True, False),
        ("-17.7%", -17.7, False, True),
        ("55.9%", 55.9, False, True),
        ("55.9 %", 55.9, False, True),
        ("$37.2 million", 37_200_000, True, False),
        ("1.3 billion", 1_300_000_000, False, False),
        ("78,321,851", 78_321_851, False, False),
        ("$0.00", 0.0, True, False),
        ("($0.01)", -0.01, True, False),
        ("1,234.56", 1234.56, False, False),
        ("3 percent", 3.0, False, True),
        ("$(452) million", -452_000_000, True, False),  # the scale word after the closing parenthesis
        ("$(1.2) billion", -1_200_000_000, True, False),
    ],
)
def test_parse_number_figures(printed, value, currency, percent):
    n = parse_number(printed)
    assert n is not None, printed
    assert math.isclose(n.value, value, rel_tol=1e-12, abs_tol=1e-12), (printed, n)
    assert n.is_currency is currency
    assert n.is_percent is percent
    assert not n.is_nil
    assert n.as_printed == printed


def test_parse_number_word_scale_and_decimals():
    n = parse_number("$37.2 million")
    assert n.word_scale == 1e6
    assert n.decimals == 1
    # Half a unit of the last printed digit: $37.2 million may be anything from 37.15 to 37.25 million.
    assert math.isclose(precision(n), 50_000)
    assert parse_number("$0.00").decimals == 2
    assert parse_number("78,321,851").decimals == 0
    assert precision(parse_number("17,549")) == 0.5


@pytest.mark.parametrize("printed", ["-", "--", "\u2014", "\u2013", "$ -", "$-", "(-)"])
def test_parse_number_nil_dashes(printed):
    n = parse_number(printed)
    assert n is not None, printed
    assert n.is_nil
    assert n.value == 0.0


@pytest.mark.parametrize(
    "printed", ["abc", "(a)", "", "   ", "(", ")", "$", "%", "12abc", "1,23", "Note 1", "4."]
)
def test_parse_number_rejects_non_figures(printed):
    assert parse_number(printed) is None
    assert not is_figure(printed)


@pytest.mark.parametrize(
    ("printed", "value"), [("$     12,345", 12345), ("$   (1,234)", -1234), ("(  $ 27,847)", -27847)]
)
def test_parse_number_dollar_gutter(printed, value):
    """EDGAR text sets "$" apart from its figure; the cell is still one figure, printed as is."""
    n = parse_number(printed)
    assert n is not None, printed
    assert n.value == value and n.is_currency
    assert n.as_printed == printed


def test_parse_number_tolerates_surrounding_space_and_nbsp():
    n = parse_number("  $\u00a029,294  ")
    assert n is not None and n.value == 29294 and n.is_currency


def test_figure_re_finds_figures_in_prose():
    sent = "Revenue was $37.2 million, up 1.3% from ($0.5 million); margin 55.9 percent."
    got = [number_from_match(m) for m in FIGURE_RE.finditer(sent)]
    got = [n for n in got if n is not None]
    values = [n.value for n in got]
    assert 37_200_000 in values
    assert 1.3 in values
    assert -500_000 in values
    assert 55.9 in values
    # Every as_printed is a substring of the sentence: spans stay exact.
    for n in got:
        assert n.as_printed in sent


# --- property: printed → value and sign round-trip --------------------------------------------


def _grouped(d: Decimal, places: int) -> str:
    return f"{d:,.{places}f}"


@st.composite
def printed_figures(draw):
    places = draw(st.sampled_from([0, 0, 1, 2, 3]))
    units = draw(st.integers(min_value=0, max_value=10**12))
    mag = Decimal(units).scaleb(-places)
    body = _grouped(mag, places)
    negative = draw(st.booleans()) and mag != 0
    dollar = draw(st.booleans())
    style = draw(st.sampled_from(["paren", "minus"]))
    if not negative:
        s = ("$" if dollar else "") + body
    elif style == "paren":
        s = draw(st.sampled_from(["({d}{b})", "{d}({b})"])).format(d="$" if dollar else "", b=body)
    else:
        s = draw(st.sampled_from(["-{d}{b}", "{d}-{b}"])).format(d="$" if dollar else "", b=body)
    return s, (-mag if negative else mag), dollar, places


@given(printed_figures())
def test_parse_number_round_trips_value_and_sign(case):
    s, value, dollar, places = case
    n = parse_number(s)
    assert n is not None, s
    assert math.isclose(n.value, float(value), rel_tol=1e-12, abs_tol=1e-9), (s, n.value, value)
    assert (n.value < 0) == (value < 0), s
    assert n.is_currency is dollar
    assert not n.is_percent
    assert n.decimals == places
    assert n.as_printed == s


@given(
    st.integers(min_value=0, max_value=99999),
    st.sampled_from([0, 1, 2]),
    st.booleans(),
    st.sampled_from(["%", " %", " percent"]),
)
def test_parse_number_percent_round_trips(units, places, negative, suffix):
    mag = Decimal(units).scaleb(-places)
    s = ("-" if negative and mag else "") + f"{mag:.{places}f}" + suffix
    n = parse_number(s)
    assert n is not None, s
    assert n.is_percent
    assert math.isclose(n.value, float(-mag if negative else mag), abs_tol=1e-9), s
