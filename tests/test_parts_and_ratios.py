"""A bank's HTML release with columns for parts of the company under one quarter, ratio lines printed
without a % sign, flow lines under a balance-sheet heading and bulleted highlights: indexed and asked
through the real `exhibit` command, on a real store."""

from __future__ import annotations

import pytest
from conftest import ask_json, facts_json, index_release

RELEASE = """<html><body>
<p>Example Bancorp Reports Second Quarter 2021 Net Income</p>
<p>PITTSBURGH, July 15, 2021 -- Example Bancorp (NYSE: EXB) today reported results for the quarter ended
June 30, 2021.</p>
<div>&#9642;Closed the acquisition of Westbank on June 1, 2021</div>
<div>&#9642;Total loans and deposits increased 24% and 21%, respectively, linked quarter due to the
Westbank acquisition</div>
<p>Net interest income of $2.6 billion increased $233 million, or 10%, driven by the acquired assets.</p>
<p>Total revenue of $4.7 billion increased 11% compared with the first quarter.</p>
<table>
<tr><td>Income Statement Summary</td><td colspan="4">2Q21</td></tr>
<tr><td>In millions, except per share data</td><td>Example legacy</td><td>Westbank</td><td>Integration costs</td>
<td>Example consolidated</td></tr>
<tr><td>Net interest income</td><td>$2,345</td><td>$236</td><td></td><td>$2,581</td></tr>
<tr><td>Noninterest income</td><td>2,016</td><td>80</td><td>$(10)</td><td>2,086</td></tr>
<tr><td>Total revenue</td><td>4,361</td><td>316</td><td>(10)</td><td>4,667</td></tr>
<tr><td>Diluted EPS - as reported</td><td></td><td></td><td></td><td>$2.43</td></tr>
<tr><td>Negative impact from integration costs</td><td></td><td></td><td></td><td>2.07</td></tr>
<tr><td>Diluted EPS - as adjusted (non-GAAP)</td><td></td><td></td><td></td><td>$4.50</td></tr>
</table>
<table>
<tr><td>In millions</td><td>2Q21</td><td>1Q21</td><td>2Q20</td></tr>
<tr><td>Total revenue</td><td>$4,667</td><td>$4,204</td><td>$4,100</td></tr>
<tr><td>Efficiency</td><td>65</td><td>61</td><td>62</td></tr>
<tr><td>Noninterest income to total revenue</td><td>45</td><td>44</td><td>38</td></tr>
<tr><td>Balance Sheet &amp; Credit Quality</td><td></td><td></td><td></td></tr>
<tr><td>Net loan charge-offs</td><td>$58</td><td>$146</td><td>$236</td></tr>
<tr><td>Total deposits</td><td>$452,900</td><td>$373,500</td><td>$358,100</td></tr>
<tr><td>Common equity Tier 1 capital ratio</td><td>10.0</td><td>12.7</td><td>10.8</td></tr>
</table>
</body></html>
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return index_release(tmp_path_factory.mktemp("bank"), "exb_2021q2_ex991.htm", RELEASE)


def ask(store, question: str) -> dict:
    return ask_json(store, question, codes=(0,))


def test_a_plain_question_reads_the_consolidated_column(store):
    """'total revenue 2Q21' is the firm's 4,667, not the first column's legacy 4,361."""
    a = ask(store, "Example Bancorp total revenue 2Q21")
    assert a["status"] == "answered"
    assert a["answer"]["value"] == 4_667_000_000
    a = ask(store, "net interest income Q2 2021")
    assert a["answer"]["value"] == 2_581_000_000


def test_a_question_naming_a_part_reads_its_column(store):
    """'Westbank net interest income' is the Westbank column; 'legacy' the legacy one."""
    a = ask(store, "Example Bancorp Westbank net interest income 2Q21")
    assert a["status"] == "answered"
    assert a["answer"]["value"] == 236_000_000
    assert "$236" in a["citations"][0]["text"]
    a = ask(store, "Example legacy total revenue 2Q21")
    assert a["answer"]["value"] == 4_361_000_000


def test_ratio_lines_without_a_percent_sign_are_percentages(store):
    """'Efficiency 65' under 'In millions' is a 65% ratio, never $65 million."""
    a = ask(store, "efficiency ratio 2Q21")
    assert a["status"] == "answered"
    assert (a["answer"]["value"], a["answer"]["unit"]) == (65, "percent")
    a = ask(store, "noninterest income 2Q21")
    assert (a["answer"]["value"], a["answer"]["unit"]) == (2_086_000_000, "USD")


def test_flow_lines_under_a_balance_sheet_heading_stay_quarters(store):
    """'Net loan charge-offs' under 'Balance Sheet & Credit Quality' is the quarter's; deposits stand
    at the quarter's end."""
    a = ask(store, "net loan charge-offs 1Q21")
    assert a["status"] == "answered"
    assert a["answer"]["value"] == 146_000_000
    assert a["answer"]["period"]["start"] == "2021-01-01"
    a = ask(store, "total deposits at June 30, 2021")
    assert a["answer"]["value"] == 452_900_000_000


def test_an_abbreviation_is_a_metric_not_a_company(store):
    """'CET1 ratio' opens the question but names a capital ratio, not a company."""
    a = ask(store, "CET1 ratio June 30, 2021")
    assert a["status"] == "answered"
    assert a["answer"]["value"] == 10.0


def test_listed_metrics_pair_with_their_figures(store):
    """'Total loans and deposits increased 24% and 21%, respectively': deposits grew 21% in 2Q21."""
    facts = facts_json(store)
    by = {(f["metric"], f["as_printed"]): f for f in facts}
    assert ("total deposits change %", "21%") in by
    assert by[("total deposits change %", "21%")]["period"]["end"] == "2021-06-30"
    assert by[("net interest income change", "$233 million")]["value"] == 233_000_000


def test_a_change_is_computed_and_the_printed_change_cited_beside_it(store):
    """'sequential revenue growth' is (4,667 - 4,204) / 4,204, derived with both inputs cited, and the
    sentence that prints 11% is cited as agreeing."""
    a = ask(store, "Example Bancorp sequential total revenue growth 2Q21")
    assert a["status"] == "answered"
    assert a["answer"]["basis"] == "derived"
    assert a["answer"]["value"] == pytest.approx(11.01, abs=0.01)
    texts = [c["text"] for c in a["citations"]]
    assert any("4,204" in t for t in texts)
    assert any("increased 11%" in t for t in texts)
    assert "prints 11%" in a["note"]


def test_a_line_of_cents_between_per_share_lines_is_per_share(store):
    """'Negative impact from integration costs 2.07' between two diluted EPS lines, in a table 'except
    per share data', is $2.07 a share, not $2.07 million."""
    facts = facts_json(store)
    (f,) = [f for f in facts if f["as_printed"] == "2.07"]
    assert (f["unit"], f["value"]) == ("USD/share", 2.07)
