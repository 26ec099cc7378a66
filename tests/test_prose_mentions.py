"""Metric phrases in sentences: the one-scan-per-sentence search finds what scanning each window did."""

from __future__ import annotations

import random
import re

import pytest

from index.readers import read_file
from index.segments import segment
from index.text import CASE_FOLDS, fold_case
from qa.prose import SentenceMentions, _label_pattern, metric_phrases, sentences
from tests.conftest import SEED, SHARED_CORPUS

EXTRA = [
    "Net sales rose to $12.3 million, up 5%, while gross margin was 41% and SG&A fell.",
    "NET SALES of $1.2 billion; net  sales\tgrew; Net-sales; netsales; net sales-adjusted.",
    "The line of credit (revolving) and the credit facility; ſales and \u212aey figures; İncome.",
    "Revenue guidance for the fourth quarter is between $10 million and $11 million.",
    "Total stockholders’ equity was $1.2 billion and shareholders equity rose 5%; stockholders' equity.",
    "Return on average common shareholders’ equity was 12.5% and revenues were $3 million.",
    "Shareholders’ equity was $2.1 billion, up from $1.9 billion.",
    "Stockholders equity was $2.1 billion.",
    "Income (loss) from operations was $(1.2) million; (loss) income from operations-adjusted; "
    "INCOME  (LOSS)\u00a0FROM\nOPERATIONS of $3 million; sg&a-like SG&A of $2 million; non-gaap net income.",
    "Net interest income was $5 million, net interest income\u2019s share 5%, net interest incomes, "
    "xnet interest income, net-interest income, net interest income_, \u212aey net interest income.",
]


def windowed(sent: str, lo: int, hi: int, phrases) -> list[tuple[str, int, int]]:
    """What each phrase's pattern finds in sent[lo:hi], scanning the window (the reference)."""
    return [
        (ph.name, m.start(), m.end())
        for ph in phrases
        for m in (ph.pattern or _label_pattern(ph.name)).finditer(sent, lo, hi)
    ]


def corpus_sentences() -> list[str]:
    files = [SEED] + (sorted(SHARED_CORPUS.glob("*_ex991.txt"))[:2] if SHARED_CORPUS.is_dir() else [])
    out = list(EXTRA)
    for f in files:
        doc = read_file(f)[0]
        segs, _ = segment(doc)
        for s in segs:
            if s.kind == "paragraph":
                text = doc.text[s.char_start : s.char_end]
                out.extend(text[a:b] for a, b in sentences(text) if re.search(r"\d", text[a:b]))
    return out


def test_windows_match_the_windowed_scan():
    phrases = metric_phrases(
        {
            "total net revenue",
            "selling, general and administrative",
            "net sales",
            "income (loss) from operations",
            "(loss) income from operations",
            "net interest income",
            "sg&a",
            "non-gaap net income",
            "café revenue",
        }
    )
    rng = random.Random(7)
    checked = 0
    for sent in corpus_sentences():
        ms = SentenceMentions(sent, phrases)
        for _ in range(12):
            lo = rng.randint(0, len(sent))
            hi = rng.randint(lo, len(sent))
            want = windowed(sent, lo, hi, phrases)
            got = [(m.name, m.start, m.end) for m in ms.within(lo, hi)]
            assert got == want, (sent, lo, hi)
            firsts = [(m.name, m.start, m.end) for m in ms.within(lo, hi, first=True)]
            assert firsts == [w[0] for w in (windowed(sent, lo, hi, [ph]) for ph in phrases) if w]
            checked += 1
    assert checked > 100


@pytest.mark.parametrize("cp", sorted(CASE_FOLDS))
def test_case_folds_are_what_the_patterns_match(cp):
    assert re.fullmatch("(?i)" + CASE_FOLDS[cp], chr(cp))
    assert fold_case("x" + chr(cp) + "y") == "x" + CASE_FOLDS[cp] + "y"


def test_no_other_character_matches_an_ascii_letter():
    """The substring pre-test is sound only if no other character matches an ASCII letter."""
    letter = re.compile("(?i)[a-z]")
    others = [c for c in range(0x80, 0x110000) if letter.match(chr(c)) and c not in CASE_FOLDS]
    assert others == []
