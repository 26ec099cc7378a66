"""The one metric lexicon: canonical metric names, their printed variants and abbreviations.

A line item maps to a canonical metric when its label (parentheticals and
footnote marks removed) matches one of the metric's patterns; otherwise its
metric is the cleaned label itself, so every printed line item can still be
asked for by name. Analysts keep apart what the lexicon keeps apart: "gross
margin" vs "adjusted gross margin" vs "gross margin %", "net loss" vs "net
loss per share".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from index.text import lazy_re


@dataclass(frozen=True)
class Metric:
    """A canonical metric: name, the unit it is usually in, and label patterns."""

    name: str
    unit: str  # USD, USD/share, shares, percent
    patterns: tuple[str, ...]
    synonyms: tuple[str, ...] = ()  # what users type (also used to expand searches)
    instant: bool = False  # balance-sheet items are stated at a date


def _m(name, unit, patterns, synonyms=(), instant=False) -> Metric:
    return Metric(name, unit, tuple(patterns), tuple(synonyms), instant)


# Most specific first: the first metric whose pattern matches a label wins.
LEXICON: tuple[Metric, ...] = (
    _m(
        "adjusted ebitda",
        "USD",
        [r"^adjusted ebitda\b", r"^ebitda,? as adjusted", r"^non-gaap ebitda"],
        ["adj. ebitda", "adj ebitda"],
    ),
    _m("ebitda", "USD", [r"^ebitda\b"], []),
    _m("adjusted gross margin", "USD", [r"^adjusted gross (margin|profit)"], ["adj. gross margin"]),
    _m("gross margin", "USD", [r"^(total )?gross (margin|profit)\b"], ["gross profit", "gaap gross margin"]),
    _m(
        "adjusted operating income",
        "USD",
        [r"^(adjusted|non-gaap) (operating income|income from operations)"],
    ),
    _m("adjusted net income", "USD", [r"^(adjusted|non-gaap) net (income|earnings)"]),
    _m(
        "adjusted earnings per share",
        "USD/share",
        [
            r"^(adjusted|non-gaap) (diluted )?(earnings|net income) per (diluted )?share",
            r"^(adjusted|non-gaap) (diluted )?eps",
        ],
        ["adjusted eps", "non-gaap eps"],
    ),
    _m(
        "cost of revenue",
        "USD",
        [r"^(total )?cost of (operating )?(revenues?|sales|goods sold|net sales|products sold)"],
        ["cost of sales", "cost of goods sold", "cogs", "cost of revenues"],
    ),
    _m(
        "selling, general and administrative",
        "USD",
        [
            r"^(total )?selling,? general,? (and|&) administrative",
            r"^sg&a\b",
            r"^sales,? general and administrative",
            r"^(total )?selling (and|&) administrative",  # (Sears: the same line without "general")
        ],
        [
            "sg&a",
            "sga",
            "selling general and administrative",
            "selling, general & administrative",
            "selling and administrative",
        ],
    ),
    _m("general and administrative", "USD", [r"^general and administrative"], ["g&a"]),
    _m(
        "research and development",
        "USD",
        [r"^(total )?research and development", r"^r&d\b"],
        ["r&d", "research & development"],
    ),
    _m(
        "depreciation and amortization",
        "USD",
        [r"^depreciation(,)? and amortization", r"^d&a\b"],
        ["d&a", "depreciation & amortization"],
    ),
    _m(
        "stock-based compensation",
        "USD",
        [
            r"^(stock|share|equity)[- ]based compensation",
            r"^stock compensation",
            r"^(s?fas ?123\(?r\)?|asc 718)",
        ],
        [
            "stock compensation",
            "share-based compensation",
            "fas 123(r)",
            "fas123r",
            "fas 123r",
            "sfas 123(r)",
            "asc 718",
        ],
    ),
    _m(
        "total operating expenses",
        "USD",
        [r"^total operating (costs and )?expenses", r"^total costs and expenses", r"^total expenses"],
        ["opex", "operating expenses", "total expenses", "total costs and expenses"],
    ),
    _m(
        "operating income",
        "USD",
        [
            r"^(total )?operating (income|loss|\(loss\) income|income \(loss\))",
            r"^(income|loss|\(loss\) income|income \(loss\)) from operations",
        ],
        ["operating profit", "operating loss", "income from operations", "ebit", "operating margin"],
    ),
    _m(
        "income from continuing operations",
        "USD",
        [r"^(net )?(income|loss|\(loss\) income|income \(loss\)|earnings) from continuing operations"],
        ["loss from continuing operations", "income from continuing operations"],
    ),
    _m(
        "income from discontinued operations",
        "USD",
        [r"^(net )?(income|loss|\(loss\) income|income \(loss\)|earnings) from discontinued operations"],
        ["loss from discontinued operations"],
    ),
    _m(
        "income before income taxes",
        "USD",
        [
            r"^(income|loss|\(loss\) income|income \(loss\)|earnings) before (income )?taxes",
            r"^pre-?tax (income|earnings)",
        ],
        ["pretax income", "pre-tax income", "income before taxes"],
    ),
    _m(
        "income tax",
        "USD",
        [
            r"^(provision for |benefit from )?income tax(es)?( expense| benefit| provision)?",
            r"^(provision|benefit) for income taxes",
        ],
        ["income taxes", "tax expense", "provision for income taxes"],
    ),
    _m("interest expense", "USD", [r"^interest expense"], []),
    _m("interest income", "USD", [r"^interest (and dividend )?income", r"^interest and other income"], []),
    _m("net interest income", "USD", [r"^net interest income"], ["nii"]),
    _m(
        "provision for credit losses",
        "USD",
        [r"^provision for (credit|loan) losses", r"^provision for loan and lease losses"],
        ["provision for loan losses"],
    ),
    _m("noninterest income", "USD", [r"^(total )?non-?interest income"], ["fee income"]),
    _m("noninterest expense", "USD", [r"^(total )?non-?interest expense"], []),
    _m("other income", "USD", [r"^other income"], []),
    _m(
        "diluted earnings per share",
        "USD/share",
        [
            r"diluted (net )?(earnings|income|loss|\(loss\) income|income \(loss\)) per (common )?share",
            r"^(net )?(earnings|income|loss) per (common )?share.*diluted",
            r"^diluted( eps)?$",
            r"diluted eps",
        ],
        [
            "diluted eps",
            "eps diluted",
            "diluted earnings per share",
            "earnings per diluted share",
            "income per diluted share",
            "loss per diluted share",
            "per diluted share",
        ],
    ),
    _m(
        "basic earnings per share",
        "USD/share",
        [
            r"^basic (net )?(earnings|income|loss|\(loss\) income|income \(loss\)) per (common )?share",
            r"^(net )?(earnings|income|loss) per (common )?share.*basic",
            r"^basic( eps)?$",
        ],
        ["basic eps"],
    ),
    _m(
        "earnings per share",
        "USD/share",
        [r"(earnings|income|loss|\(loss\) income|income \(loss\)) per (common |diluted )?share", r"^eps\b"],
        ["eps", "earnings per share", "loss per share", "net loss per share", "net income per share"],
    ),
    _m(
        "tangible book value per share",
        "USD/share",
        [r"^tangible book value per (common )?share", r"^tangible book value$"],
        ["tangible book value per share", "tangible book value", "tbvps"],
        instant=True,
    ),
    _m(
        "book value per share",
        "USD/share",
        [r"^book value per (common )?share", r"^book value$"],
        ["book value per share", "book value", "bvps"],
        instant=True,
    ),
    _m("net interest margin", "percent", [r"^net interest margin"], ["nim", "net interest margin"]),
    _m("efficiency ratio", "percent", [r"^efficiency\b(?! gains)"], ["efficiency ratio"]),
    _m(
        "return on average tangible common equity",
        "percent",
        [r"^return on (average )?tangible (common )?(shareholders'? |stockholders'? )?equity"],
        [
            "rote",
            "return on tangible common equity",
            "return on average tangible common equity",
            "return on average tangible common shareholders' equity",
        ],
    ),
    _m(
        "return on average equity",
        "percent",
        [r"^return on (average )?(common )?(shareholders'? |stockholders'? )?equity"],
        [
            "roe",
            "return on equity",
            "return on average equity",
            "return on average common equity",
            "return on average common shareholders' equity",
            "return on average common stockholders' equity",
            "return on average shareholders' equity",
            "return on average stockholders' equity",
        ],
    ),
    _m(
        "return on average assets",
        "percent",
        [r"^return on (average )?assets"],
        ["roa", "return on assets", "return on average assets"],
    ),
    _m(
        "effective tax rate",
        "percent",
        [r"^effective (income )?tax rate"],
        ["tax rate", "effective tax rate"],
    ),
    _m("cash collections", "USD", [r"^cash collections"], ["cash collections", "collections"]),
    _m(
        "dividends per share",
        "USD/share",
        [r"dividends? (declared |paid )?per (common )?share"],
        ["dividend", "dividends", "cash dividend", "dividend per share", "dividends per share"],
    ),
    _m(
        "weighted average shares",
        "shares",
        [
            r"weighted[- ]average (number of )?(common )?shares",
            r"^shares used in (computing|calculating)",
            r"average shares outstanding",
        ],
        [
            "share count",
            "shares outstanding",
            "weighted average shares outstanding",
            "shares used",
            "diluted shares",
            "basic shares",
            "weighted shares",
            "average shares",
        ],
    ),
    _m(
        "net income",
        "USD",
        [
            r"^net (income|loss|\(loss\) income|income \(loss\)|earnings|\(loss\)/income|income/\(loss\))( attributable to [\w .,']+)?( \(gaap\)|( -)? as reported)?$",
            r"^net (income|loss|earnings) (applicable|available) to common",
        ],
        [
            "net loss",
            "net earnings",
            "earnings",
            "profit",
            "net profit",
            "bottom line",
            "net income (loss)",
            "net margin",
            "net profit margin",
        ],
    ),
    _m(
        "revenue",
        "USD",
        [
            r"^(total )?(net )?(operating )?revenues?$",
            r"^(total )?net sales$",
            r"^(total )?sales$",
            r"^total (net )?revenues?\b",
            r"^revenues?,? net$",
            r"^(?:revenues?|sales),? net of returns",  # "SALES, Net of returns and allowances"
            r"^sales,? net$",
            r"^total operating revenues",
        ],
        [
            "revenue",
            "revenues",
            "sales",
            "net sales",
            "total revenue",
            "total revenues",
            "net revenues",
            "top line",
            "total operating revenues",
            "operating revenues",
        ],
    ),
    _m(
        "free cash flow",
        "USD",
        # (eBay prints only "Free cash flow from continuing operations": that is its free cash flow)
        [r"^(non-gaap )?free cash flows?( from continuing operations)?\b"],
        ["fcf"],
    ),
    _m(
        "net cash provided by operating activities",
        "USD",
        [
            r"^net cash (provided by|from|generated by|generated from|provided by \(used in\)|"
            r"\(used in\) provided by|provided from) operating activities",
            r"^cash (provided by|from|generated from|generated by) operating activities",
            r"^operating cash flows?\b",
        ],
        [
            "operating cash flow",
            "cash flow from operations",
            "cash from operations",
            "cash from operating activities",
        ],
    ),
    _m(
        "gross merchandise volume",
        "USD",
        [r"^(total )?gmv\b", r"^(total )?gross merchandise (volume|value)"],
        ["gmv"],
    ),
    _m(
        "share repurchases",
        "USD",
        [
            r"^(repurchases?|purchases?) of (the company's )?(common |ordinary |treasury )?(stock|shares)\b",
            r"^(common )?(stock|share) repurchases?\b",
        ],
        [
            "buybacks",
            "share buybacks",
            "stock repurchases",
            "repurchases of common stock",
            "share repurchase",
        ],
    ),
    _m(
        "capital expenditures",
        "USD",
        [
            r"^capital expenditures",
            r"^(purchases?|acquisitions?) of property(, plant)? and equipment",
            r"^capex",
        ],
        ["capex", "capital spending"],
    ),
    _m(
        "cash",
        "USD",
        [
            # (not "Cash, cash equivalents and marketable securities": a wider line analysts keep apart)
            r"^cash (and|&) cash equivalents(?!,? (and|&) (marketable|short-term|investments))",
            r"^cash,? cash equivalents(?!,? (and|&) (marketable|short-term|investments))",
            r"^cash and due from banks",
            r"^cash$",
        ],
        ["cash and cash equivalents", "cash & cash equivalents", "cash balance", "cash position"],
        instant=True,
    ),
    _m(
        "accounts receivable",
        "USD",
        [r"^(trade )?accounts receivable", r"^receivables?,? net"],
        ["receivables", "a/r"],
        instant=True,
    ),
    _m("inventories", "USD", [r"^inventor(y|ies)"], ["inventory"], instant=True),
    _m("total current assets", "USD", [r"^total current assets"], ["current assets"], instant=True),
    _m("total assets", "USD", [r"^total assets", r"^assets$"], ["assets"], instant=True),
    _m(
        "total current liabilities",
        "USD",
        [r"^total current liabilities"],
        ["current liabilities"],
        instant=True,
    ),
    _m("total liabilities", "USD", [r"^total liabilities$"], ["liabilities"], instant=True),
    _m(
        "total stockholders' equity",
        "USD",
        [
            r"^total (stockholders|shareholders|shareowners)'? equity",
            r"^total equity$",
            r"^(stockholders|shareholders)'? equity$",
        ],
        [
            "stockholders equity",
            "shareholders equity",
            "stockholders' equity",
            "shareholders' equity",
            "equity",
        ],
        instant=True,
    ),
    _m(
        "accumulated deficit",
        "USD",
        [r"^accumulated deficit", r"^retained earnings \(accumulated deficit\)"],
        [],
        instant=True,
    ),
    _m("retained earnings", "USD", [r"^retained earnings"], [], instant=True),
    _m("long-term debt", "USD", [r"^long-term debt", r"^notes payable"], ["debt"], instant=True),
    _m("deferred revenue", "USD", [r"^deferred revenues?$"], [], instant=True),
    _m("long-term deferred revenue", "USD", [r"^long-term deferred revenues?"], [], instant=True),
    _m("total deposits", "USD", [r"^total deposits", r"^deposits$"], ["deposits"], instant=True),
    _m(
        "total loans",
        "USD",
        [r"^total loans", r"^loans(,| and leases)? net", r"^loans$", r"^gross loans( receivable)?$"],
        ["loans"],
        instant=True,
    ),
    _m("working capital", "USD", [r"^working capital"], [], instant=True),
    _m(
        "line of credit",
        "USD",
        [r"^(revolving )?(line of credit|credit facility|credit line)\b"],
        [
            "line of credit",
            "credit facility",
            "revolving credit facility",
            "credit line",
            "borrowing capacity",
        ],
    ),
)

BY_NAME = {m.name: m for m in LEXICON}
PAREN_RE = lazy_re(r"\((?!loss\)|gain\)|income\)|gaap\))[^()]*\)")
FOOTNOTE_RE = lazy_re(r"\s*(\(\s*[a-z0-9]\s*\)|\*+|\[\d+\])\s*$", re.I)


@lru_cache(maxsize=65536)
def clean_label(label: str) -> str:
    """Lower-case label without parenthetical asides, footnote marks, dots leaders or trailing colons."""
    s = label.lower().replace("\u2019", "'").replace("&amp;", "&")
    s = FOOTNOTE_RE.sub("", s)
    s = PAREN_RE.sub(" ", s)
    s = re.sub(r"\.{2,}|:$|\s*-\s*$", " ", s)
    s = (
        s.replace(" & ", " and ").replace("&", " & ")
        if "sg&a" not in s and "d&a" not in s and "r&d" not in s
        else s
    )
    return " ".join(s.replace(" & ", " and ").split()).strip(" ,:;-")


GENERIC_LABELS = {
    "basic",
    "diluted",
    "interest",
    "total",
    "other",
    "net",
    "gross",
    "income",
    "expense",
    "expenses",
    "amount",
    "balance",
    "fully diluted",
    "as reported",
    "reported",
    "gaap",
    "non-gaap",
}


@lru_cache(maxsize=1)
def _compiled_patterns() -> tuple[tuple[Metric, tuple[re.Pattern, ...]], ...]:
    # Compiled on first use (not at import: `exhibit ask` never needs them).
    return tuple((m, tuple(re.compile(p) for p in m.patterns)) for m in LEXICON)


@lru_cache(maxsize=16384)
def metric_for(label: str, unit: str | None = None, parents: tuple[str, ...] = ()) -> str:
    """Canonical metric of a printed line item; the cleaned label when the lexicon has none.

    A label that says little on its own ("Diluted", "Interest") is read with its section
    ("Net income per share:", "Expenses:").
    """
    s = clean_label(label)
    if parents and (s.lstrip("- ") in GENERIC_LABELS or label.lstrip().startswith("-")):
        parent = clean_label(parents[-1])
        if parent.endswith("expenses") or parent.endswith("expense"):
            return metric_for(f"{s.lstrip('- ')} expense", unit)
        return metric_for(f"{parent} {s.lstrip('- ')}", unit)
    # "Diluted earnings (loss) per share", "Net (loss) income": the sign words in parentheses name nothing.
    plain = re.sub(r" ?\((loss|gain|income)\) ?", " ", s).strip()
    for m, patterns in _compiled_patterns():
        if any(_matches(p, s) or (plain != s and _matches(p, plain)) for p in patterns):
            if m.unit == "percent":
                return m.name  # a ratio is a percent however it is printed
            if unit == "percent":
                return m.name + " %"
            if unit == "USD/share" and m.unit != "USD/share":
                if m.name in (
                    "net income",
                    "income from continuing operations",
                    "income from discontinued operations",
                ):
                    return m.name + " per share"
                continue
            if m.unit == "USD/share" and unit not in (None, "USD/share"):
                continue
            return m.name
    if unit == "percent" and not s.endswith("%"):
        return s + " %"
    if unit == "USD/share" and "share" not in s:
        # "Tangible book value" under "Per common share:" is tangible book value per share; a line item
        # of its own stays apart from the same words in dollars.
        return metric_for(f"{s} per share", unit)
    group = _group_of(parents)
    if group and unit in (None, "USD", "percent") and not _shares_a_word(s, group):
        # "Services" under "Net sales:" is services revenue, under "Cost of sales:" services cost of revenue
        return f"{s.removesuffix(' %')} {group}" + (" %" if s.endswith(" %") else "")
    return s


# Sections whose lines are parts of one income-statement measure: a line's name is read with it.
GROUP_METRICS = frozenset(
    {
        "revenue",
        "cost of revenue",
        "total operating expenses",
        "noninterest income",
        "noninterest expense",
        "interest income",
        "interest expense",
    }
)


def _shares_a_word(label: str, group: str) -> bool:
    """Whether a line already says its section's word ("Interest on loans" under interest income)."""
    stop = {"and", "of", "the", "total", "cost"}
    return bool({w.rstrip("s") for w in label.split()} & ({w.rstrip("s") for w in group.split()} - stop))


def _group_of(parents: tuple[str, ...]) -> str | None:
    """The income-statement measure a line's nearest section names ("Net sales by category:" → revenue)."""
    if not parents:
        return None
    parent = re.sub(r"\s+by\s+[\w\s]+$", "", clean_label(parents[-1]))
    if not parent or parent in GENERIC_LABELS:
        return None
    m = metric_for(parent)
    return m if m in GROUP_METRICS else None


def _matches(pattern: re.Pattern, label: str) -> bool:
    """A lexicon pattern that names the label, not just its first words: "Net interest income after
    provision for loan losses" is not net interest income."""
    m = pattern.search(label)
    return bool(m) and not re.match(
        r"\s*,?\s*(after|before|less|excluding|from (continuing|discontinued))\b", label[m.end() :]
    )


def synonym_groups() -> dict[str, list[str]]:
    """Canonical name → what users type for it: for query expansion in search."""
    return {m.name: [s for s in m.synonyms if s != m.name] for m in LEXICON if m.synonyms}


def is_instant(metric: str) -> bool:
    """Balance-sheet metrics are stated at a date, not over a period."""
    m = BY_NAME.get(metric)
    return bool(m and m.instant)


# Abbreviations a question may use that the lexicon spells out
ABBREVIATIONS = {
    "eps": "earnings per share",
    "cds": "certificates of deposit",
    "cd's": "certificates of deposit",
    "npas": "nonperforming assets",
    "npa": "nonperforming assets",
    "fcf": "free cash flow",
    "gmv": "gross merchandise volume",
    "ocf": "operating cash flow",
    "aum": "assets under management",
    "cet1": "common equity tier 1",
    "nii": "net interest income",
    "ppnr": "pre-provision net revenue",
    "rwa": "risk-weighted assets",
    "tce": "tangible common equity",
    "synfuel": "synthetic fuel",
    "synfuels": "synthetic fuels",
}
