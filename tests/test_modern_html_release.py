"""A modern HTML release in the style of a Workiva exhibit: the company goes by a bare name before its
ticker ("KESTREL (NASDAQ: KSTL) today reported"), a January fiscal year, bullets that print a part of
revenue ("Data Center revenue"), a cash-flow statement that states cash at the beginning of each period.
Indexed and asked through the real `exhibit` command, on a real store."""

from __future__ import annotations

import pytest
from conftest import ask_json, facts_json, index_release, run_cli

RELEASE = """<html><body>
<div><font>KESTREL Announces Financial Results for Fourth Quarter and Fiscal 2026</font></div>
<div><font>&#8226;</font><font>Record quarterly revenue of $68.1 billion, up 20% from Q3 and up 73% from a year ago</font></div>
<div><font>&#8226;</font><font>Record quarterly Data Center revenue of $62.3 billion, up 22% from Q3 and up 75% from a
year ago</font></div>
<div><font>SANTA CLARA, Calif.&#8212;Feb. 25, 2026&#8213;</font><font>KESTREL (NASDAQ&#58; KSTL) today reported
record revenue for the fourth quarter ended January 25, 2026, of $68.1 billion, up 20% from the previous quarter
and up 73% from a year ago. For fiscal 2026, revenue was $215.9 billion, up 65% from a year ago.</font></div>
<div><font>For fiscal 2026, GAAP and non-GAAP gross margins were 71.1% and 71.3%, respectively.</font></div>
<div><font>Gaming</font></div>
<div><font>&#8226;</font><font>Fourth-quarter Gaming revenue was $3.7 billion, up 47% from a year ago.</font></div>
<div><font>KESTREL delivered strong operating and free cash flow, generating $102.7 billion and $96.7 billion,
respectively, during fiscal 2026. eKestrel, its online store, grew.</font></div>
<div><font>Outlook</font></div>
<div><font>Revenue is expected to be $78.0 billion, plus or minus 2%.</font></div>
<div><font>GAAP and non-GAAP gross margins are expected to be 74.9% and 75.0%, respectively, plus or minus
50 basis points.</font></div>
<div><font>Full year fiscal 2027 &#8212; The company expects GAAP earnings per diluted share from continuing
operations in the range of $1.65 - $1.75 and non-GAAP earnings per diluted share from continuing operations
in the range of $2.25 - $2.30. For fiscal 2027, GAAP and non-GAAP tax rates are expected to be between
17.0% and 19.0%.</font></div>
<div><font>KESTREL CORPORATION AND SUBSIDIARIES</font></div>
<div><font>CONDENSED CONSOLIDATED STATEMENTS OF INCOME</font></div>
<div><font>(In millions)</font></div>
<table>
<tr><td></td><td colspan="2">Three Months Ended</td><td colspan="2">Twelve Months Ended</td></tr>
<tr><td></td><td>January 25, 2026</td><td>January 26, 2025</td><td>January 25, 2026</td>
<td>January 26, 2025</td></tr>
<tr><td>Revenue</td><td>$68,127</td><td>$39,331</td><td>$215,938</td><td>$130,497</td></tr>
<tr><td>Cost of revenue</td><td>17,034</td><td>10,608</td><td>62,475</td><td>32,639</td></tr>
<tr><td>Gross profit</td><td>51,093</td><td>28,723</td><td>153,463</td><td>97,858</td></tr>
</table>
<div><font>CONDENSED CONSOLIDATED BALANCE SHEETS</font></div>
<div><font>(In millions)</font></div>
<table>
<tr><td></td><td>January 25, 2026</td><td>January 26, 2025</td></tr>
<tr><td>Cash, cash equivalents and marketable securities</td><td>$62,556</td><td>$43,210</td></tr>
<tr><td>Total assets</td><td>$206,803</td><td>$111,601</td></tr>
</table>
<div><font>CONDENSED CONSOLIDATED STATEMENTS OF CASH FLOWS</font></div>
<div><font>(In millions)</font></div>
<table>
<tr><td></td><td colspan="2">Three Months Ended</td><td colspan="2">Twelve Months Ended</td></tr>
<tr><td></td><td>January 25, 2026</td><td>January 26, 2025</td><td>January 25, 2026</td>
<td>January 26, 2025</td></tr>
<tr><td>Net cash provided by operating activities</td><td>$36,190</td><td>$16,628</td><td>$102,718</td>
<td>$64,089</td></tr>
<tr><td>Change in cash and cash equivalents</td><td>(881)</td><td>(518)</td><td>2,016</td><td>1,309</td></tr>
<tr><td>Free cash flow from continuing operations</td><td>$34,902</td><td>$15,551</td><td>$96,676</td>
<td>$60,853</td></tr>
<tr><td>Cash and cash equivalents at beginning of period</td><td>11,486</td><td>9,107</td><td>8,589</td>
<td>7,280</td></tr>
<tr><td>Cash and cash equivalents at end of period</td><td>$10,605</td><td>$8,589</td><td>$10,605</td>
<td>$8,589</td></tr>
</table>
</body></html>
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return index_release(tmp_path_factory.mktemp("modern"), "kstl_fy2026q4_ex991.htm", RELEASE)


def ask(store, question: str) -> dict:
    return ask_json(store, question)


def test_a_bare_name_before_the_ticker_is_the_company(store):
    r = run_cli("docs", store=store)
    assert "KESTREL" in r.stdout and "Unknown company" not in r.stdout
    a = ask(store, "KESTREL revenue fourth quarter fiscal 2026")
    assert a["status"] == "answered" and a["answer"]["company"] == "KESTREL"
    assert a["answer"]["value"] == 68_127_000_000


def test_a_part_of_revenue_named_in_two_words(store):
    # "Data Center" is printed before "revenue": the line's name, not a company the question names.
    a = ask(store, "Data Center revenue in the fourth quarter")
    assert a["status"] == "answered"
    assert a["answer"]["value"] == 62_300_000_000
    assert a["answer"]["period"]["end"] == "2026-01-25"
    assert not a["answer"]["label"].startswith("\u2022")  # the bullet is not part of the label


def test_the_full_fiscal_year(store):
    a = ask(store, "non-GAAP gross margin for the full fiscal year 2026")
    assert a["status"] == "answered" and a["answer"]["value"] == 71.3
    assert a["answer"]["period"]["label"] == "FY2026"


def test_grow_asks_for_a_change(store):
    a = ask(store, "By what percent did revenue grow year over year in Q4 fiscal 2026?")
    assert a["status"] == "answered" and a["answer"]["unit"] == "percent"
    assert round(a["answer"]["value"]) == 73  # (68,127 - 39,331) / 39,331


def test_cash_at_the_beginning_of_a_period_is_dated_the_day_before_it(store):
    facts = facts_json(store)
    begin = {
        (f["period"]["end"], f["value"])
        for f in facts
        if "beginning of period" in f["label"] and f["source"] == "table"
    }
    # The quarter began October 27, 2025 and the year January 27, 2025 (the day after the prior year's end).
    assert begin == {
        ("2025-10-26", 11_486_000_000),
        ("2025-01-26", 8_589_000_000),
        ("2024-10-27", 9_107_000_000),
        ("2024-01-28", 7_280_000_000),
    }
    for f in facts:
        if "beginning of period" in f["label"]:
            assert f["period"]["kind"] == "instant"


def test_a_change_is_of_its_level_not_of_its_base_or_the_dateline(store):
    # "up 20% from Q3 and up 73% from a year ago": both changes are the fourth quarter's; the dateline's
    # "Feb. 25, 2026" dates none of them. GAAP and non-GAAP margins in one sentence stay apart.
    facts = facts_json(store)
    changes = [
        f
        for f in facts
        if f["metric"] in ("revenue change %", "data center revenue change %") and f["source"] == "prose"
    ]
    assert {f["value"] for f in changes} >= {20.0, 73.0, 22.0, 75.0}
    assert {f["period"]["label"] for f in changes} <= {"Q4 FY2026", "FY2026"}
    margins = {
        f["metric"]: f["value"] for f in facts if "gross margin %" in f["metric"] and f["basis"] == "reported"
    }
    assert margins["gaap gross margin %"] == 71.1 and margins["non-gaap gross margin %"] == 71.3


def test_the_store_keeps_its_labels_and_metrics_as_facts_change(tmp_path):
    # An unscoped question reads the store's summaries of printed line items and metrics, not every
    # fact: they must follow the facts when a release is edited and indexed again.
    import sqlite3

    path = tmp_path / "kstl_fy2026q4_ex991.htm"
    path.write_text(RELEASE, encoding="utf-8")
    st = tmp_path / "store"
    assert run_cli("index", path, store=st).returncode == 0
    path.write_text(RELEASE.replace("Cost of revenue", "Cost of sales"), encoding="utf-8")
    assert run_cli("index", path, store=st).returncode == 0
    db = sqlite3.connect(st / "exhibit.db")
    summary = set(db.execute("SELECT metric, label FROM table_labels"))
    printed = set(db.execute("SELECT DISTINCT metric, label FROM facts WHERE source='table'"))
    assert summary == printed
    counts = dict(db.execute("SELECT metric, n FROM metric_counts"))
    assert counts == dict(db.execute("SELECT metric, count(*) FROM facts GROUP BY metric"))
    assert any(label.startswith("Cost of sales") for _, label in summary)
    assert not any(label.startswith("Cost of revenue") for _, label in summary)


def test_net_income_is_never_net_interest_income(tmp_path):
    # A release that prints full-year net interest income and no full-year net income: "full-year net
    # income" is not found, never the other line.
    text = RELEASE.replace(
        "For fiscal 2026, GAAP and non-GAAP",
        "Net interest income for fiscal 2026 was $35.8 billion. For fiscal 2026, GAAP and non-GAAP",
    )
    st = index_release(tmp_path, "kstl_fy2026q4_ex991.htm", text)
    assert ask(st, "KESTREL net interest income fiscal 2026")["answer"]["value"] == 35_800_000_000
    assert ask(st, "KESTREL net income fiscal 2026")["status"] == "not_found"


def test_cash_is_cash_and_cash_equivalents(store):
    # "Cash, cash equivalents and marketable securities" is a wider line; "Change in cash ..." a flow.
    for question in (
        "KESTREL cash at January 25, 2026",
        "KESTREL cash and cash equivalents January 25, 2026",
    ):
        a = ask(store, question)
        assert a["status"] == "answered", question
        assert a["answer"]["value"] == 10_605_000_000, question
        assert a["answer"]["period"]["kind"] == "instant"
    a = ask(store, "KESTREL cash, cash equivalents and marketable securities at January 25, 2026")
    assert a["answer"]["value"] == 62_556_000_000


def test_an_unqualified_margin_is_the_gaap_one(store):
    a = ask(store, "KESTREL gross margin guidance")
    assert a["status"] == "answered" and a["answer"]["basis"] == "guidance"
    assert a["answer"]["value"] == 74.9
    assert ask(store, "KESTREL non-GAAP gross margin outlook")["answer"]["value"] == 75.0


def test_a_part_named_after_a_period_word(store):
    # "Fourth-quarter Gaming revenue": the part is Gaming; the quarter is the period
    a = ask(store, "KESTREL Gaming revenue fourth quarter fiscal 2026")
    assert a["status"] == "answered" and a["answer"]["value"] == 3_700_000_000
    assert a["answer"]["period"]["label"] == "Q4 FY2026"
    assert ask(store, "KESTREL revenue fourth quarter fiscal 2026")["answer"]["value"] == 68_127_000_000


def test_guidance_per_share_with_its_basis(store):
    # Ranges of "earnings per diluted share from continuing operations" are per share, GAAP and non-GAAP
    # apart; "GAAP and non-GAAP tax rates ... between 17.0% and 19.0%" is one range for both.
    a = ask(store, "KESTREL non-GAAP EPS outlook for fiscal 2027")
    assert a["status"] == "answered" and a["answer"]["basis"] == "guidance"
    assert (a["answer"]["value"], a["answer"]["value_high"], a["answer"]["unit"]) == (2.25, 2.30, "USD/share")
    a = ask(store, "KESTREL GAAP diluted EPS guidance for fiscal 2027")
    assert (a["answer"]["value"], a["answer"]["unit"]) == (1.65, "USD/share")
    a = ask(store, "KESTREL tax rate guidance for fiscal 2027")
    assert (a["answer"]["value"], a["answer"]["value_high"]) == (17.0, 19.0)


def test_free_cash_flow_from_continuing_operations_is_free_cash_flow(store):
    a = ask(store, "KESTREL free cash flow Q4 fiscal 2026")
    assert a["status"] == "answered" and a["answer"]["value"] == 34_902_000_000


def test_a_guidance_question_opening_with_expected(store):
    # One company in the store: "Expected" opens the question, it names no company
    a = ask(store, "Expected non-GAAP EPS for fiscal 2027")
    assert a["status"] == "answered" and a["answer"]["value"] == 2.25


def test_an_outlook_tolerance_is_no_figure(store):
    # "plus or minus 2%" says how sure the outlook is; it is no percentage of revenue
    a = ask(store, "KESTREL revenue outlook")
    assert a["status"] == "answered" and a["answer"]["value"] == 78_000_000_000
    facts = facts_json(store)
    assert not [f for f in facts if f["metric"] == "revenue %"]


def test_two_lines_sharing_a_head(store):
    # "operating and free cash flow ... $A and $B, respectively": operating cash flow, then free cash flow
    facts = facts_json(store)
    said = {
        f["metric"]: (f["value"], f["period"]["label"])
        for f in facts
        if f["source"] == "prose" and "operating and free cash flow" in f["label"]
    }
    assert said.get("net cash provided by operating activities") == (102_700_000_000, "FY2026")
    assert said.get("free cash flow") == (96_700_000_000, "FY2026")
    # a sentence that opens with a lower-case name ("eKestrel") is a sentence of its own
    assert not any("eKestrel" in f["label"] for f in facts if f["metric"] == "free cash flow")
