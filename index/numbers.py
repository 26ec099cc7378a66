"""The one number parser: figures as printed in releases, to values.

It lives in `index/` because the table parser must tell figures from words
and `index` may not import `qa`; `qa` uses it from here.

Handles `$29,294`, `(37,835)`, `($263)`, `$(800)`, `-17.7%`, `55.9 %`,
`$37.2 million`, `1.3 billion`, `-`, `--` and `—` for nil.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from index.text import lazy_re

DASHES = "-\u2013\u2014\u2012\u2212"
NIL_RE = lazy_re(r"^\(?\$?\s*[" + DASHES + r"]{1,3}\s*\)?$")
# "$     12,345": EDGAR text sets "$" apart from its figure by a gutter.
GUTTER_RE = lazy_re(r"(\$|\()\s+(?=[\d(.$-])")

# A figure token in running text or a table cell. Group names are read by parse_number.
FIGURE_RE = lazy_re(
    r"""
    (?P<lparen>\()?\s?
    (?P<sign>[-\u2212\u2013])?
    (?P<cur>\$|US\$|USD\s)?\s?
    (?P<lparen2>\()?
    (?P<sign2>[-\u2212])?
    (?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)
    (?!\d|,\d)
    # "(2)%", "$(452) million": the percent sign or the scale word after the closing parenthesis
    (?P<rparen0>\)(?=\s?%|\s{1,12}(?:thousand|million|billion|trillion|mln|bn)\b))?
    (?:\s?(?P<pct>%|percent\b|per\s?cent\b))?
    (?:\s{1,12}(?P<word>thousand|million|billion|trillion|mln|bn)\b)?
    (?P<rparen>\))?
    """,
    re.VERBOSE | re.IGNORECASE,
)

WORD_SCALE = {
    "thousand": 1e3,
    "million": 1e6,
    "mln": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "trillion": 1e12,
}


@dataclass(frozen=True)
class Number:
    """A parsed figure: `value` is as printed times the word scale ("million")."""

    value: float
    as_printed: str
    is_percent: bool = False
    is_currency: bool = False
    is_nil: bool = False
    word_scale: float = 1.0  # 1e6 for "$37.2 million"; table scales are applied by the caller
    decimals: int = 0


@lru_cache(maxsize=8192)
def parse_number(s: str) -> Number | None:
    """Parse one figure printed on its own (a cell or a matched token); None if not a figure."""
    raw = s
    s = s.strip().replace("\u00a0", " ")
    if not s:
        return None
    if NIL_RE.match(s):
        return Number(0.0, raw.strip(), is_nil=True, is_currency="$" in s)
    if s.endswith("*") and s.rstrip("* ") and (s.rstrip("* ")[-1].isdigit() or s.rstrip("* ")[-1] == ")"):
        # A footnote star after a figure ("12,340,147*", restated): the figure is the digits before it.
        n = parse_number(s.rstrip("* "))
        return None if n is None else Number(n.value, raw.strip(), *_rest(n))
    m = FIGURE_RE.fullmatch(s)
    if not m:
        # EDGAR text sets "$" apart from its figure by a gutter: "$     12,345".
        squeezed = GUTTER_RE.sub(r"\1", s)
        m = FIGURE_RE.fullmatch(squeezed) if squeezed != s else None
        if not m:
            return None
        n = number_from_match(m)
        return (
            None
            if n is None
            else Number(n.value, raw.strip(), n.is_percent, n.is_currency, n.is_nil, n.word_scale, n.decimals)
        )
    return number_from_match(m)


def _rest(n: Number) -> tuple:
    return (n.is_percent, n.is_currency, n.is_nil, n.word_scale, n.decimals)


def number_from_match(m: re.Match) -> Number | None:
    """Build a Number from a FIGURE_RE match; None when the parentheses do not pair."""
    lp = bool(m.group("lparen") or m.group("lparen2"))
    if m.group("rparen0") and not (m.group("pct") or m.group("word")):
        return None  # "(2)" alone is a footnote mark, not a figure
    rp = bool(m.group("rparen") or m.group("rparen0"))
    if lp != rp:
        # "(a)" footnote-like or a parenthesis closing a phrase: keep the number, drop the paren
        if not lp and rp:
            close = m.start("rparen") if m.group("rparen") else m.start("rparen0")
            return _build(m, negative=False, text=m.group(0)[: close - m.start(0)])
        if lp and not rp:
            start = m.start("lparen") if m.group("lparen") else m.start("lparen2")
            return _build(m, negative=False, text=m.group(0)[start - m.start(0) + 1 :])
    negative = lp and rp
    return _build(m, negative=negative, text=m.group(0))


def _build(m: re.Match, negative: bool, text: str) -> Number | None:
    num = m.group("num")
    value = float(num.replace(",", ""))
    if m.group("sign") or m.group("sign2"):
        negative = not negative if negative else True
    word = (m.group("word") or "").lower()
    scale = WORD_SCALE.get(word, 1.0)
    decimals = len(num.split(".")[1]) if "." in num else 0
    v = -value if negative else value
    return Number(
        value=v * scale,
        as_printed=text.strip(),
        is_percent=bool(m.group("pct")),
        is_currency=bool(m.group("cur")),
        word_scale=scale,
        decimals=decimals,
    )


def is_figure(s: str) -> bool:
    """True when `s` is a figure or a nil dash as a table cell would print it."""
    return parse_number(s) is not None


def precision(n: Number) -> float:
    """Half a unit of the last printed digit, in the value's units: how far rounding may move it."""
    return 0.5 * (10**-n.decimals) * n.word_scale
