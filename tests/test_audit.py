"""`exhibit check` on the seed: what holds, what holds only after rounding, and how it is reported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "corpus"


def _exhibit(*args, store):
    return subprocess.run(
        [sys.executable, "-m", "qa", "--store", str(store), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def seed_check(tmp_path_factory):
    store = tmp_path_factory.mktemp("audit") / "s"
    assert _exhibit("index", str(REPO / "corpus"), store=store).returncode == 0
    r = _exhibit("check", "--json", store=store)
    return r, json.loads(r.stdout), store


def _kind(report, kind, status=None):
    return [f for f in report["findings"] if f["kind"] == kind and (status is None or f["status"] == status)]


def test_footings_of_the_balance_sheet_hold(seed_check):
    _, report, _ = seed_check
    footings = _kind(report, "footing")
    assert len(footings) == 12 and all(f["status"] == "ok" for f in footings)
    tca = [
        f
        for f in footings
        if f["message"].startswith("Total Current Assets") and "March 31, 2004" in f["message"]
    ]
    assert tca and "$29,294 + 24 + 12,196 + 4,031 + 2,959 = 48,504" in tca[0]["formula"]


def test_reconciliations_add_up_through_subtotals(seed_check):
    _, report, _ = seed_check
    recs = _kind(report, "reconciliation")
    assert len(recs) == 6 and all(f["status"] == "ok" for f in recs)
    to_net_loss = [f for f in recs if "Net Loss (GAAP)" in f["message"] and "March 31, 2004" in f["message"]]
    assert to_net_loss[0]["computed"] == pytest.approx(-263)


def test_stated_change_that_only_the_rounded_prose_supports(seed_check):
    _, report, _ = seed_check
    rounding = _kind(report, "stated_change", "rounding")
    stated = sorted(f["stated"] for f in rounding)
    assert stated == [2, 76, 100]
    f76 = next(f for f in rounding if f["stated"] == 76)
    # Both computations are shown: 1 − 526/2,118 = 75.2% from the table, 76.2% from the rounded prose.
    assert "75.17%" in f76["formula"] and "76.19%" in f76["formula"]
    assert f76["computed"] == pytest.approx(75.17, abs=0.01)
    for c in f76["citations"]:
        text = Path(c["path"]).read_text()
        assert text[c["char_start"] : c["char_end"]] == c["text"]


def test_stated_changes_that_hold(seed_check):
    _, report, _ = seed_check
    ok = _kind(report, "stated_change", "ok")
    sga = [f for f in ok if f["message"].startswith("selling, general and administrative Q1 2004 vs Q1 2003")]
    assert "(17,549 − 21,128) / 21,128 = 16.94%" in sga[0]["formula"]
    wc = [f for f in ok if f["message"].startswith("working capital")]
    assert (
        "(14,498 − 12,424) / 12,424 = 16.69%" in wc[0]["formula"]
    )  # derived from current assets/liabilities
    assert {f["stated"] for f in ok} >= {2, 6, 17, 42, 95}


def test_prose_figures_match_their_table_cells(seed_check):
    _, report, _ = seed_check
    pvt = _kind(report, "prose_vs_table")
    assert pvt and all(f["status"] == "ok" for f in pvt)
    sga = [f for f in pvt if "$17.5 million" in f["message"]]
    assert sga and "17,549" in sga[0]["message"]


def test_exit_code_and_text_output(seed_check):
    r, report, store = seed_check
    assert report["summary"] == {"ok": 44, "rounding": 3, "discrepancy": 0}
    assert r.returncode == 1  # findings that do not hold exactly
    text = _exhibit("check", store=store)
    assert "hold only after rounding" in text.stdout and "Traceback" not in text.stderr


def test_a_release_that_does_not_foot_is_reported(tmp_path):
    f = SHARED / "icsl_2000q2_8k-fullsubmission.txt"
    if not f.exists():
        pytest.skip("shared corpus not present")
    store = tmp_path / "s"
    assert _exhibit("index", str(f), store=store).returncode == 0
    report = json.loads(_exhibit("check", "--json", store=store).stdout)
    bad = [x for x in _kind(report, "footing", "discrepancy") if "Total operating costs" in x["message"]]
    # Line 5753 prints 37,667 but its eight items add to 37,522.
    assert any(x["computed"] == 37522 and x["stated"] == 37667 for x in bad)


def test_unknown_doc_is_a_usage_error(seed_check):
    *_, store = seed_check
    r = _exhibit("check", "--doc", "nope", store=store)
    assert r.returncode == 2 and r.stderr.count("\n") == 1
