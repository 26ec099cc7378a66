"""Every shared release's own period, read from its tables on its fiscal calendar (MANIFEST.tsv agrees).

A header misread (a spanning "Three Months Ended" given to the wrong columns, a year line taken for
figures) shows up here first: the release's quarter comes out wrong.
"""

from __future__ import annotations

from pathlib import Path

import pytest

EXPECTED = {
    "abvc_2024fy_8k-fullsubmission.txt": "FY2024",
    "apple_fy2004q3_8k-fullsubmission.txt": "Q3 FY2004",
    "apple_fy2024q1_8k-fullsubmission.txt": "Q1 FY2024",
    "asfi_fy2004q1_8k-fullsubmission.txt": "Q1 FY2004",
    "asfi_fy2004q3_8k-fullsubmission.txt": "Q3 FY2004",
    "asfi_fy2004q4_8k-fullsubmission.txt": "Q4 FY2004",
    "asfi_fy2005q1_8k-fullsubmission.txt": "Q1 FY2005",
    "asfi_fy2005q3_8k-fullsubmission.txt": "Q3 FY2005",
    "asfi_fy2005q4_8k-fullsubmission.txt": "Q4 FY2005",
    "citizens_2021q4_ex991.htm": "Q4 2021",
    "goldmansachs_2021q4_ex991.htm": "Q4 2021",
    "hrzb_fy2006q3_8k-fullsubmission.txt": "Q3 FY2006",
    "hrzb_fy2006q4_8k-fullsubmission.txt": "Q4 FY2006",
    "hrzb_fy2007q1_8k-fullsubmission.txt": "Q1 FY2007",
    "hrzb_fy2007q2_8k-fullsubmission.txt": "Q2 FY2007",
    "hrzb_fy2008q3_8k-fullsubmission.txt": "Q3 FY2008",
    "hrzb_fy2009q2_8k-fullsubmission.txt": "Q2 FY2009",
    "hrzb_fy2009q3_8k-fullsubmission.txt": "Q3 FY2009",
    "icsl_2000q2_8k-fullsubmission.txt": "Q2 FY2001",
    "mpower_2004q1_ex991.txt": "Q1 2004",
    "oracle_fy2014q4_8k-fullsubmission.txt": "Q4 FY2014",
    "oracle_fy2022q4_8k-fullsubmission.txt": "Q4 FY2022",
    "pnc_2020q4_ex991.htm": "Q4 2020",
    "pnc_2022q1_ex991.htm": "Q1 2022",
    "psem_fy2003q4_8k-fullsubmission.txt": "Q4 FY2003",
    "psem_fy2004q1_8k-fullsubmission.txt": "Q1 FY2004",
    "psem_fy2005q2_8k-fullsubmission.txt": "Q2 FY2005",
    "psem_fy2005q3_8k-fullsubmission.txt": "Q3 FY2005",
    "psem_fy2006q1_8k-fullsubmission.txt": "Q1 FY2006",
    "psem_fy2006q4_8k-fullsubmission.txt": "Q4 FY2006",
    "psem_fy2007q1_8k-fullsubmission.txt": "Q1 FY2007",
    "psem_fy2007q2_8k-fullsubmission.txt": "Q2 FY2007",
    "psem_fy2007q3_8k-fullsubmission.txt": "Q3 FY2007",
    "usbancorp_2021q4_ex991.htm": "Q4 2021",
}


@pytest.fixture(scope="module")
def main_periods(shared_library) -> dict[str, str]:
    out: dict[str, str] = {}
    for d in shared_library.store.documents():
        name = Path(d.path).name
        # The file's release: its first EX-99 exhibit (or the 8-K body), not a later supplement.
        if name not in out or d.exhibit in ("EX-99.1", "8-K", ""):
            out[name] = d.main_period
    return out


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_release_period(main_periods, name):
    assert main_periods.get(name) == EXPECTED[name]
