"""A retailer's HTML release: a 52/53-week year that ends in January and is named for the year it
begins in, 13- and 39-week columns, a section total printed without a label, basic and diluted EPS in
one sentence, a part of net sales opening a sentence, a comparable-store change printed only in words.
Indexed and asked through the real `exhibit` command, on a real store."""

from __future__ import annotations

import pytest
from conftest import ask_json, index_release

RELEASE = """<html><body>
<p>THE EXAMPLE STORES, INC. REPORTS THIRD QUARTER NET INCOME</p>
<p>KEARNEY, Neb., November 22, 2024 -- The Example Stores, Inc. (NYSE: EXS) announced today that net
income for the fiscal quarter ended November 2, 2024 was $44.2 million, or $0.89 per share ($0.88 per
share on a diluted basis).</p>
<p>Net sales for the 13-week fiscal quarter ended November 2, 2024 decreased 3.2 percent to $293.6
million from net sales of $303.5 million for the prior year 13-week fiscal quarter ended October 28,
2023. Comparable store net sales for the 13-week fiscal quarter ended November 2, 2024 decreased 0.7
percent. Online sales increased 1.1 percent to $46.6 million for the 13-week fiscal quarter ended
November 2, 2024.</p>
<p>Net income for the third quarter of fiscal 2024 was $44.2 million, or $0.89 per share ($0.88 per
share on a diluted basis), compared with net income of $51.8 million, or $1.05 per share ($1.04 per
share on a diluted basis) for the third quarter of fiscal 2023.</p>
<p>CONSOLIDATED STATEMENTS OF INCOME (Amounts in Thousands Except Per Share Amounts)</p>
<table>
<tr><td></td><td colspan="2">Thirteen Weeks Ended</td><td colspan="2">Thirty-Nine Weeks Ended</td></tr>
<tr><td></td><td>November 2, 2024</td><td>October 28, 2023</td><td>November 2, 2024</td>
<td>October 28, 2023</td></tr>
<tr><td>SALES, Net of returns and allowances</td><td>$293,618</td><td>$303,457</td><td>$838,490</td>
<td>$878,719</td></tr>
<tr><td>Gross profit</td><td>140,071</td><td>147,215</td><td>393,302</td><td>418,884</td></tr>
<tr><td>OPERATING EXPENSES:</td><td></td><td></td><td></td><td></td></tr>
<tr><td>&#160;&#160;Selling</td><td>71,986</td><td>70,242</td><td>206,454</td><td>205,081</td></tr>
<tr><td>&#160;&#160;General and administrative</td><td>13,602</td><td>12,908</td><td>41,709</td>
<td>39,247</td></tr>
<tr><td></td><td>85,588</td><td>83,150</td><td>248,163</td><td>244,328</td></tr>
<tr><td>NET INCOME</td><td>$44,172</td><td>$51,762</td><td>$118,270</td><td>$140,338</td></tr>
</table>
</body></html>
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return index_release(tmp_path_factory.mktemp("retail"), "exs_fy2024q3_ex991.htm", RELEASE)


def ask(store, question: str) -> dict:
    return ask_json(store, question)


def test_the_third_quarter_of_a_year_named_for_its_start(store):
    """'third quarter of fiscal 2024' ended November 2, 2024: questions in the release's own words find
    the 13 weeks (the year ends in January 2025 but is called 2024)."""
    a = ask(store, "Example Stores net sales third quarter fiscal 2024")
    assert a["status"] == "answered"
    assert a["answer"]["value"] == 293_618_000
    assert (a["answer"]["period"]["start"], a["answer"]["period"]["end"]) == ("2024-08-04", "2024-11-02")
    a = ask(store, "Example Stores net sales for the 39 weeks ended October 28, 2023")
    assert a["answer"]["value"] == 878_719_000
    assert ask(store, "Example Stores net income fourth quarter fiscal 2024")["status"] == "not_found"


def test_a_section_total_without_a_label(store):
    """The unlabelled line after the operating expenses is their total."""
    a = ask(store, "Example Stores total operating expenses Q3 fiscal 2024")
    assert a["answer"]["value"] == 85_588_000


def test_basic_then_diluted_in_one_sentence(store):
    """'$0.89 per share ($0.88 per share on a diluted basis)': diluted EPS is 0.88, basic 0.89."""
    assert ask(store, "Example Stores diluted EPS Q3 fiscal 2024")["answer"]["value"] == 0.88
    assert ask(store, "Example Stores basic EPS third quarter fiscal 2023")["answer"]["value"] == 1.05


def test_a_part_of_net_sales_opening_a_sentence(store):
    """'Online sales increased 1.1 percent to $46.6 million' is online sales, never net sales; a question
    that opens with 'Online' asks for that line, not for a company named Online."""
    a = ask(store, "Online sales third quarter fiscal 2024")
    assert a["status"] == "answered"
    assert a["answer"]["value"] == 46_600_000
    a = ask(store, "Example Stores net sales third quarter fiscal 2024")
    assert a["answer"]["value"] != 46_600_000


def test_changes_printed_in_words(store):
    """A change the release prints of a line it prints no levels of is answered as printed; 'by what
    percent did net sales change' (no comparison named) is the printed -3.2%, the computation beside it."""
    a = ask(store, "Example Stores comparable store net sales change Q3 fiscal 2024")
    assert (a["status"], a["answer"]["value"]) == ("answered", -0.7)
    a = ask(store, "By what percent did net sales change in the third quarter of fiscal 2024?")
    assert a["status"] == "answered"
    assert a["answer"]["value"] == -3.2
    assert "-3.24%" in a["note"]
    a = ask(store, "Example Stores net sales change Q3 fiscal 2024 vs Q3 fiscal 2023")
    assert a["answer"]["basis"] == "derived"


def test_gross_margin_of_a_release_that_prints_only_gross_profit(store):
    # The statements call the dollars "Gross profit" and print no percentage: "gross margin" asks for the
    # percentage, derived from the table's lines (not from the rounded "$293.6 million" of the text).
    for question in (
        "Example Stores gross margin Q3 fiscal 2024",
        "Example Stores gross profit as a percent of sales third quarter 2024",
    ):
        a = ask(store, question)
        assert a["status"] == "answered", question
        assert a["answer"]["basis"] == "derived" and a["answer"]["unit"] == "percent"
        assert a["answer"]["value"] == 47.71  # 140,071 / 293,618
        assert "293,618" in a["formula"]
    a = ask(store, "Example Stores gross profit Q3 fiscal 2024")
    assert a["answer"]["value"] == 140_071_000


def test_comparable_store_sales_is_the_change_the_release_prints(store):
    # Nobody prints a level of "comparable store sales": the question asks for the printed change.
    a = ask(store, "Example Stores comparable store net sales Q3 fiscal 2024")
    assert a["status"] == "answered"
    assert a["answer"]["value"] == -0.7 and a["answer"]["unit"] == "percent"
    assert a["answer"]["period"]["label"] == "Q3 FY2024"
