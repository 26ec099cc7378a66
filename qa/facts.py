"""Segments and table grids → Facts: every printed figure with its metric, period, unit and spans."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from dataclasses import replace as _replace
from datetime import date, timedelta

from index.model import Document, Segment, Table
from index.numbers import Number, parse_number, precision

from .metrics import BY_NAME, GENERIC_LABELS, clean_label, is_instant, metric_for
from .periods import (
    DATE_RE,
    SPAN_TITLE_RE,
    FiscalCalendar,
    Period,
    column_period,
    find_periods,
    make_period,
    month_end,
    months_stated,
    nominal,
    parse_date,
)


@dataclass(frozen=True)
class Fact:
    """One figure as printed, in base units, with the period it is for and where it was printed."""

    metric: str
    label: str
    value: float
    unit: str
    period: Period
    basis: str  # reported | guidance | derived
    as_printed: str
    scale: float
    doc_id: str
    char_start: int  # the figure's own characters
    char_end: int
    label_start: int
    label_end: int
    cite_start: int  # the row or sentence that holds the figure
    cite_end: int
    cite_kind: str  # table_row | paragraph | ...
    value_high: float | None = None
    table: int | None = None
    source: str = "table"  # table | prose
    context: str = ""  # section or table title, for ranking and display
    inputs: tuple = field(default=())  # derived facts: the facts they came from


SCALE_RE = re.compile(
    r"(?i)(?:in|amounts in|dollars in|\$ in|\(in)\s*(?:\$\s*|us\s*\$\s*)?(thousands|millions|billions|000s|000's|\$000|mm)"
    r"|\(\$\s*(000|000s|millions?|thousands?)\)|\b(thousands|millions|billions) of (?:u\.s\. )?dollars"
    r"|\$\s*(thousands|millions|billions)\b"
    # "(millions, except earnings per common share)": the word alone opening a parenthesis
    r"|\(\s*(thousands|millions|billions)\s*(?:,|\)|except\b)"
)
SCALE_WORD = {
    "thousands": 1e3,
    "thousand": 1e3,
    "000s": 1e3,
    "000's": 1e3,
    "$000": 1e3,
    "000": 1e3,
    "millions": 1e6,
    "million": 1e6,
    "mm": 1e6,
    "billions": 1e9,
}
SHARE_EXCEPT_RE = re.compile(
    r"(?i)except (for )?(number of )?shares?|except share|except (per )?share (and|&) per share"
)
SHARES_SCALED_RE = re.compile(r"(?i)shares?[^.)]{0,40}?(in|reflected in) (thousands|millions)")


ADJUSTMENT_COLUMN_RE = re.compile(r"(?i)^(?!.*adjusted).*\b(adj\.?|adjustments?|reconciling items?)(?![\w])")
NON_GAAP_COLUMN_RE = re.compile(r"(?i)\bnon-?gaap\b|\bas adjusted\b|\badjusted\b")


PHYSICAL_RE = re.compile(
    r"(?i)\b(thousands|millions|billions)\s+of\s+(kwhs?|kilowatt[- ]hours?|mwhs?|megawatt[- ]hours?|gwhs?|"
    r"barrels|bbls?|tons|tonnes|units|customers|subscribers|ounces|gallons|cubic feet|mcf|boe|passengers|"
    r"employees|square feet)\b"
)
LABEL_THOUSANDS_RE = re.compile(r"(?i)\((?:in )?(?:000s?|000's|thousands)\)")


PHYSICAL_UNITS = frozenset(
    {"kWh", "MWh", "gwh", "gwhs", "barrels", "bbl", "bbls", "tons", "tonnes", "units", "customers"}
    | {
        "subscribers",
        "ounces",
        "gallons",
        "cubic feet",
        "mcf",
        "boe",
        "passengers",
        "employees",
        "square feet",
    }
)


def physical_unit(context: str) -> tuple[str, float] | None:
    """A table of quantities, not money ("(In Millions of KWHs)"): the unit and its scale."""
    m = PHYSICAL_RE.search(context)
    if not m:
        return None
    word = m.group(2).lower()
    unit = (
        "kWh"
        if word.startswith(("kwh", "kilowatt"))
        else "MWh"
        if word.startswith(("mwh", "megawatt"))
        else word
    )
    return unit, SCALE_WORD[m.group(1).lower()]


def fiscal_calendar(doc: Document) -> FiscalCalendar:
    """The company's fiscal calendar: the stated year end, else inferred from the release's own quarter
    ("third quarter ... ended November 2, 2024": a year ending in January), and whether the release
    names its years for the year they begin in ("third quarter of fiscal 2024" ended November 2, 2024)."""
    head = doc.text[doc.body_start : doc.body_start + 20000]
    if doc.is_html:
        head = (
            re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", head)).replace("&#160;", " ").replace("&nbsp;", " ")
        )
    ordinal = FYE_ORDINAL_RE.search(head)
    ended = next((d for m in QUARTER_ENDED_RE.finditer(head) if (d := parse_date(m.group("date")))), None)
    said = ADJACENT_QUARTER_RE.search(head)  # "first quarter ended June 30, 2004" says both at once
    if said and parse_date(said.group(2)):
        ordinal_q, ended_on = ORDINALS[said.group(1).lower()], parse_date(said.group(2))
    else:
        ordinal_q = ORDINALS[ordinal.group("q").lower()] if ordinal else None
        ended_on = ended
    if doc.fiscal_year_end:
        cal = FiscalCalendar.parse(doc.fiscal_year_end)
    elif ordinal_q and ended_on:
        month = (nominal(ended_on).month + 3 * (4 - ordinal_q) - 1) % 12 + 1
        cal = FiscalCalendar(month, month_end(2001, month).day)
    else:
        return FiscalCalendar()
    if not cal.named_by_start and ended_on:
        # Each "third quarter of fiscal 2024" of the quarter that ended on that date says how years are
        # named: by the year they end in unless every such mention is a year short of it.
        said = [
            (int(m.group("fy") or m.group("fy0")), m.start())
            for m in FYE_ORDINAL_RE.finditer(head)
            if (m.group("fy") or m.group("fy0"))
            and ORDINALS[m.group("q").lower()] == cal.quarter_of(ended_on)
        ]
        years = {y for y, _ in said}
        by_end = cal.fiscal_year(ended_on)
        # (a lone "fourth quarter of fiscal 2003" deep in the text is the prior year's: the release must
        # name its own quarter so, in its opening or beside the prior year's)
        lead = any(y == by_end - 1 and at < 1500 for y, at in said)
        if by_end not in years and by_end - 1 in years and (by_end - 2 in years or lead):
            cal = FiscalCalendar(cal.month, cal.day, True)
    return cal


ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4}
ADJACENT_QUARTER_RE = re.compile(
    r"(?i)\b(first|second|third|fourth)\s+(?:fiscal\s+)?quarter\s+(?:of\s+(?:fiscal\s+)?\d{4}\s+)?ended\s+"
    r"([A-Z][a-z]+\.?\s+\d{1,2},?\s+\d{4})"
)
# "third quarter of fiscal 2024", "fiscal 2024 third quarter", "THIRD QUARTER" (a headline)
FYE_ORDINAL_RE = re.compile(
    r"(?i)\b(?:fiscal\s+(?P<fy0>(?:19|20)\d\d)\s+)?(?P<q>first|second|third|fourth)[\s-]+(?:fiscal\s+)?quarter"
    r"(?:\s+(?:of\s+)?(?:fiscal\s+(?:year\s+)?)(?P<fy>(?:19|20)\d\d))?"
)
# "quarter ended November 2, 2024", "13-week fiscal quarter ended", "three months ended"
QUARTER_ENDED_RE = re.compile(
    r"(?i)\b(?:quarter|(?:13|thirteen|three)[\s-]+(?:weeks?|months?)(?:\s+fiscal\s+(?:quarter|period))?)\s+"
    r"(?:period\s+)?ended\s+(?P<date>[A-Z][a-z]+\.?\s+\d{1,2},?\s+\d{4})"
)


def table_scale(text: str) -> float:
    """Scale stated in a caption or header: 1000 for '(in thousands)'."""
    m = SCALE_RE.search(text)
    if not m:
        return 1.0
    word = next(g for g in m.groups() if g).lower()
    return SCALE_WORD.get(word, SCALE_WORD.get(word.rstrip("s") + "s", 1.0))


STOCK_LINE_RE = re.compile(
    r"(?i)^\s*(common|preferred|capital|treasury|serial preferred)( stock| shares)?\b.*\bpar\b|"
    r"^\s*(common|preferred|treasury) stock(,| and)"
)


SHARE_COUNT_RE = re.compile(
    r"(?i)^\s*(shares used|weighted[- ]average (number of )?(common )?shares|number of (common )?shares|"
    r"(basic and diluted |diluted |basic )?(weighted )?average (number of )?(common )?shares|"
    r"(common )?shares outstanding|period[- ]end (common )?shares|end of period shares)"
)
# Lines that name a balance (stated at a date) though the lexicon has no entry for them; "Interest on
# loans" names income, so the words must open the label.
INSTANT_LABEL_RE = re.compile(
    r"(?i)^(total )?(allowance for|borrowed funds|borrowings|deposits|loans|assets|liabilities|"
    r"(common |stockholders'? |shareholders'? )?equity\b|book value|tangible book value|"
    r"accumulated other comprehensive|(common )?shares outstanding|common equity tier 1|cet1|tier 1|"
    r"leverage ratio|total capital ratio)|\b(period[- ]end|end of period|at quarter end)\b"
)

PERIOD_END_LABEL_RE = re.compile(
    r"(?i)\b(end of (the )?(period|quarter|year)|period[- ]end|quarter[- ]end|year[- ]end)\b"
)
FLOW_LABEL_RE = re.compile(
    r"(?i)charge-?offs|recoveries|provision|\baverage|income|expense|revenue|earnings|originations|purchases|"
    r"\bsales\b|annualized|fees|margin|return on|efficiency|net interest|dividends? (declared|paid)"
)
BEGIN_LABEL_RE = re.compile(
    r"(?i)\b(?:at\s+)?beginning\s+of\s+(?:the\s+)?(?:period|year|quarter|fiscal\s+year)\b"
)
INSTANT_SECTION_RE = re.compile(
    r"(?i)balance sheet|financial condition|financial position|period[- ]end|end of period|capital ratios?|"
    r"client assets|asset quality|at (quarter|period|year)[- ]end"
)


# Lines that are ratios however their figures are printed: "Efficiency", "Net charge-offs to average
# loans", "Noninterest income to total revenue", "Yield on loans"
RATIO_LABEL_RE = re.compile(
    r"(?i)%|percent|\bratio\b|\bmargin \(%|as a percentage|^efficiency\b|\byields?\b(?! curve)|"
    r"\bto\s+(?:total|average)\s+\w+"
)


def row_unit(label: str, parents: tuple[str, ...], n: Number) -> str:
    """USD, USD/share, shares or percent, from the figure and its label."""
    ctx = " ".join((*parents, label)).lower()
    if n.is_percent or RATIO_LABEL_RE.search(label):
        return "percent"
    if STOCK_LINE_RE.match(label):
        return "USD"  # "Common stock, $1.00 par value; 30,000,000 shares authorized" is a dollar line
    if re.match(r"(?i)^\s*(common|preferred|treasury|capital) (shares|stock)\s*$", label) and any(
        re.search(r"(?i)equity|capital", p) for p in parents
    ):
        return "USD"  # "Common shares 323" under shareholders' equity: the stock account, in dollars
    if SHARE_COUNT_RE.match(label) and not n.is_currency:
        return "shares"  # "Shares used in computing diluted earnings (loss) per share" counts shares
    if re.search(
        r"shares used|weighted[- ]average|shares outstanding|number of shares|average shares", ctx
    ) and not (n.is_currency or re.search(r"per (common |diluted |basic )?share", label.lower())):
        return "shares"
    if re.search(r"per (common |diluted |basic )?share|\beps\b|per diluted|per basic", ctx):
        return "USD/share"
    if re.search(r"\bshares\b|share count", label.lower()) and not n.is_currency:
        return "shares"
    return "USD"


PER_SHARE_LABEL_RE = re.compile(r"(?i)per (common |diluted |basic )?share|\beps\b|per diluted|per basic")
PER_SHARE_LINE_RE = re.compile(
    r"(?i)^(net )?(income|loss|earnings|\(loss\)|income \(loss\))\b|extraordinary|discontinued|continuing|"
    r"dividends?\b|cumulative effect"
)


def _checked_unit(unit: str, r, context: str, beside_per_share: bool = False) -> str:
    """The unit a row's section suggests, checked against how its figures are printed.

    Amounts in a reconciliation under a per-share heading ("$21,406") are dollars, and a "Net loss"
    row printed "(2.38)" in a table "except per share data" is per share even where the page break cut
    it off from its "per share" heading."""
    figs = [parse_number(c.as_printed) for c in r.cells]
    figs = [n for n in figs if n is not None and not n.is_nil]
    if not figs:
        return unit
    cents = all(n.decimals == 2 and abs(n.value) < 100 for n in figs)
    if (
        unit == "USD/share"
        and not PER_SHARE_LABEL_RE.search(r.label)
        and all(n.decimals == 0 and abs(n.value) >= 100 for n in figs)
    ):
        return "USD"
    if (
        unit == "USD"
        and cents
        and (
            beside_per_share
            or (
                PER_SHARE_LINE_RE.search(clean_label(r.label))
                and re.search(r"(?i)per[- ](?:common\s+)?share", context)
            )
        )
    ):
        # (a line of cents between "Diluted EPS - as reported" and "- as adjusted" is per share too)
        return "USD/share"
    return unit


def extract(doc: Document, segments: list[Segment], tables: list[Table]) -> list[Fact]:
    """All facts of a document: table cells first, then prose figures."""
    cal = fiscal_calendar(doc)
    facts = []
    carried: Carried = ([], 1.0)
    for ti, t in enumerate(tables):
        got, carried = table_facts(doc, t, ti, cal, carried)
        facts.extend(got)
    facts = _no_later_than_release(facts, doc)
    labels = {f.metric for f in facts}
    from .prose import prose_facts

    prose = prose_facts(doc, segments, cal, main_period(facts, doc, cal), labels)
    return _on_week_calendar(_with_share_scales(_with_inferred_scales(facts, prose)) + prose)


def _no_later_than_release(facts: list[Fact], doc: Document) -> list[Fact]:
    """Table figures for periods that end after the release was issued: an outlook table's are guidance;
    any other's column header is a misprint ("Dec 31, 2006" in an August 2006 release), so its figures
    are left out rather than filed under a quarter that had not happened."""
    if not doc.release_date:
        return facts
    from .prose import GUIDANCE_RE

    out = []
    for f in facts:
        if f.period.end <= doc.release_date:
            out.append(f)
        elif GUIDANCE_RE.search(f.context):
            out.append(_replace(f, basis="guidance"))
    return out


def _on_week_calendar(facts: list[Fact]) -> list[Fact]:
    """Spans of a 52/53-week calendar start the day after the previous period's end, not on the 1st.

    A release whose periods end on one weekday (Saturday, December 30, 2023) counts quarters in weeks:
    the quarter ended Saturday, December 31, 2022 began the day after the fiscal year that ended on the
    last Saturday of September (a 14-week quarter). Whether a year ends on the last such weekday of its
    month or the one nearest the month's end is read off the release's own dates."""
    from collections import Counter

    # (the tables' dates say which calendar it is; the text's month ends would hide it)
    tabled = [f for f in facts if f.cite_kind == "table_row"] or facts
    ends = [date.fromisoformat(f.period.end) for f in tabled if f.period.kind == "duration"]
    odd = [e for e in ends if e != month_end(e.year, e.month)]
    if not odd:
        return facts
    wd, _ = Counter(e.weekday() for e in odd).most_common(1)[0]
    if sum(e.weekday() == wd for e in ends) < 0.8 * len(ends):
        return facts  # month ends on every weekday: a calendar that happens to print a stray date
    nearest = any(e.day <= 7 for e in odd)

    def boundary(month_last: date) -> date:
        back = (month_last.weekday() - wd) % 7
        last = month_last - timedelta(days=back)
        if nearest and back > 3:
            return last + timedelta(days=7)
        return last

    # Text that says "the quarter ended December 31" of a quarter the tables end on Saturday, December 30:
    # the tables' date.
    actual = {nominal(e): e for e in ends if e.weekday() == wd}
    out = []
    for f in facts:
        p = f.period
        e = date.fromisoformat(p.end)
        if (
            e.weekday() != wd
            and e == month_end(e.year, e.month)
            and (nominal(e) in actual or p.kind == "duration")
        ):
            # (a quarter the tables do not print, "the June 2005 quarter" of an outlook, ends where the
            # calendar's rule puts it)
            e = actual.get(nominal(e)) or boundary(e)
            p = _replace(p, end=e.isoformat())
            f = _replace(f, period=p)
        if p.kind != "duration" or e.weekday() != wd or not p.months:
            out.append(f)
            continue
        n_end = nominal(e)
        m = n_end.month - p.months
        prior = month_end(n_end.year + (m - 1) // 12, (m - 1) % 12 + 1)
        start = (boundary(prior) + timedelta(days=1)).isoformat()
        out.append(f if start == p.start else _replace(f, period=_replace(p, start=start)))
    return out


def _with_share_scales(facts: list[Fact]) -> list[Fact]:
    """Share counts that a table's "in thousands, except per share data" may or may not cover, settled
    by the table's own arithmetic: net income / EPS is the share count, within a few percent."""

    def key(f: Fact) -> tuple:
        return (f.table, f.period.end, f.period.start)

    income = {key(f): f.value for f in facts if f.metric == "net income" and f.unit == "USD" and f.value}
    eps = {
        key(f): f.value
        for f in facts
        if f.unit == "USD/share"
        and f.value
        and re.search(r"earnings per share|net income per share", f.metric)
    }
    votes: dict[int, list[bool]] = {}
    for f in facts:
        k = key(f)
        if f.unit != "shares" or f.scale == 1 or k not in income or k not in eps or not f.value:
            continue
        implied = income[k] / eps[k]
        if implied <= 0:
            continue
        as_printed = f.value / f.scale
        votes.setdefault(f.table, []).append(abs(as_printed / implied - 1) < abs(f.value / implied - 1))
    unscaled = {t for t, v in votes.items() if v and sum(v) > len(v) / 2}
    if unscaled:
        facts = [
            _replace(f, value=round(f.value / f.scale, 6), scale=1.0)
            if f.unit == "shares" and f.table in unscaled and f.scale != 1
            else f
            for f in facts
        ]
    # A share count printed bare in one table ("Average shares outstanding 216.5") that another table
    # prints with its scale ("(millions ...)": 216.5 million) for the same period is that count.
    scaled = {(f.period, f.as_printed.strip()): f.scale for f in facts if f.unit == "shares" and f.scale != 1}
    return [
        _replace(f, value=round(f.value * s, 6), scale=s)
        if f.unit == "shares"
        and f.scale == 1
        and (s := scaled.get((f.period.end, f.period.kind, f.as_printed.strip())))
        else f
        for f in facts
    ]


def _with_inferred_scales(table: list[Fact], prose: list[Fact]) -> list[Fact]:
    """Tables that state no scale, rescaled when the release's own text says what they are in.

    A bank's table printing net income as 3,983 beside "net income of $4.0 million" is in thousands:
    the scale comes from that agreement (at least two figures), never from a guess.
    """

    by_key: dict[tuple, list[Fact]] = {}
    for p in prose:
        if p.basis == "reported" and p.unit == "USD" and p.scale > 1:
            by_key.setdefault((p.metric, p.period.end, p.period.kind), []).append(p)
    votes: dict[int, dict[float, int]] = {}
    for f in table:
        if f.unit != "USD" or f.scale != 1 or f.table is None or not f.value:
            continue
        for p in by_key.get((f.metric, f.period.end, f.period.kind), []):
            n = parse_number(p.as_printed)
            tol = precision(n) if n else abs(p.value) * 0.005
            for k in (1e3, 1e6):
                if abs(abs(f.value) * k - abs(p.value)) <= tol:
                    votes.setdefault(f.table, {}).setdefault(k, 0)
                    votes[f.table][k] += 1
    scale = {t: max(v, key=v.get) for t, v in votes.items() if max(v.values()) >= 2}
    stated = {f.scale for f in table if f.unit == "USD" and f.scale > 1 and f.table is not None}
    if not scale and len(stated) == 1:
        # Every other table of the release says it is in thousands: an unscaled one of small, unrounded
        # figures ("580", "20,918" by market) is too; full dollars ("4,059,000") are left alone.
        k = stated.pop()
        figures: dict[int, list[float]] = {}
        for f in table:
            if f.unit == "USD" and f.scale == 1 and f.table is not None and f.value:
                figures.setdefault(f.table, []).append(abs(f.value))
        for t, vals in figures.items():
            if max(vals) < 1e6 and sum(v % 1000 == 0 for v in vals) < len(vals) / 2:
                scale[t] = k
    if not scale:
        return table
    found = set(scale.values())
    if len(found) == 1:
        # A release that prints no scale prints none anywhere: its other unscaled tables are in the same
        # unit, unless their own text disagrees or their figures are too large to be thousands.
        k = found.pop()
        biggest: dict[int, float] = {}
        for f in table:
            if f.unit == "USD" and f.scale == 1 and f.table is not None:
                biggest[f.table] = max(biggest.get(f.table, 0.0), abs(f.value))
        for t, big in biggest.items():
            if t not in scale and set(votes.get(t, {k: 0})) <= {k} and big < 1e7:
                scale[t] = k
    return [
        _replace(f, value=round(f.value * scale[f.table], 6), scale=scale[f.table])
        if f.table in scale and f.unit == "USD" and f.scale == 1
        else f
        for f in table
    ]


Carried = tuple[list[tuple[Period | None, bool]], float]  # a table's last columns (period, headed) and scale


def table_facts(
    doc: Document,
    t: Table,
    ti: int,
    cal: FiscalCalendar,
    carried: Carried = ([], 1.0),
) -> tuple[list[Fact], Carried]:
    """Facts of every figure cell of a table whose column has a period, and its last band's periods
    (each with whether its column had a header).

    A table with no column headers at all, as many columns as the table before it and figures of the
    same kind is that table continued over a page break: it takes the periods and the scale `carried`
    from it."""
    out = []
    context = " ".join([t.caption, *(b.title for b in t.bands), *t.notes])
    instant_hint = bool(
        re.search(
            r"(?i)balance sheets?|financial condition|financial position|statements? of condition", context
        )
    )
    scale = table_scale(context)
    physical = physical_unit(context)
    periods: list[list[Period | None]] = []
    bare: set[tuple[int, int]] = set()
    for bi, band in enumerate(t.bands):
        row: list[Period | None] = []
        for c in band.columns:
            header = _date_of_year(" ".join(_with_sibling_header(c.header, band.columns, c.col)))
            months_ctx = band.title + " " + t.caption
            if months_stated(header) is None and bi > 0:
                # A restated band ("March 31, 2004" alone) keeps the span the first band gave.
                prev = [periods[k][c.col] for k in range(bi) if c.col < len(periods[k]) and periods[k][c.col]]
                if prev and prev[0] and prev[0].kind == "duration":
                    months_ctx += f" {prev[0].months} months"
            p = column_period(header, months_ctx, cal, instant_hint)
            if p is None and instant_hint:
                p = column_period(header, "", cal, True)
            if p is not None and p.kind == "instant" and not instant_hint:
                bare.add((bi, c.col))  # a bare date: balances stand at it, flows of the period do not
            row.append(_fiscal_ytd(p, cal) if p is not None and doc.fiscal_year_end else p)
        periods.append(row)
    periods = [_misprinted_duplicates(doc, row, cal) for row in periods]
    cols_before, scale_before = carried
    if cols_before and len(t.bands) == 1 and not any(c.header for c in t.bands[0].columns):
        # (a stray column without a header, such as a figure in a label, does not count)
        headed = [p for p, h in cols_before if h]
        for cand in (cols_before, [(p, True) for p in headed]):
            if len(cand) == len(t.bands[0].columns):
                periods = [[p for p, _ in cand]]
                if scale == 1.0:
                    scale = scale_before
                break
    if (
        len(t.bands) == 1
        and len(t.bands[0].columns) == 1
        and not t.bands[0].columns[0].header
        and periods[0] == [None]
    ):
        # One column and no header, after "the amounts included in our results for the quarter ended
        # October 1, 2005:": the period the lines above the table state
        lead = " ".join(t.rows[0].parents) if t.rows else ""
        stated = [p for p in find_periods(lead or t.caption) if p.end]
        if len(stated) == 1:
            periods = [[make_period(date.fromisoformat(stated[0].end), stated[0].months, cal)]]
    related = [_related_columns(band, periods[bi]) for bi, band in enumerate(t.bands)]
    by_column = {
        bi: when
        for bi, band in enumerate(t.bands)
        if (when := _categorical_date(band, periods[bi], related[bi], context, doc, cal)) is not None
    }
    parts = {bi: _part_columns(band, periods[bi]) for bi, band in enumerate(t.bands)}
    per_share_rows = {i for i, r in enumerate(t.rows) if PER_SHARE_LABEL_RE.search(r.label)}
    for ri, r in enumerate(t.rows):
        prev = t.rows[ri - 1] if ri else None
        if not r.label.strip() and prev is not None and len(prev.parents) > len(r.parents):
            # A row without a label right after a section's lines is the section's total ("OPERATING
            # EXPENSES: Selling / General and administrative / 85,588")
            r = _replace(r, label=f"Total {prev.parents[len(r.parents)].rstrip(':').strip().lower()}")
        elif (
            r.label.strip() in ("", "Total")
            and prev is not None
            and ri >= 2
            and re.match(r"(?i)less\b", prev.label)
        ):
            # "PROPERTY AND EQUIPMENT / Less accumulated depreciation / 143,032": the line, net
            r = _replace(r, label=f"{t.rows[ri - 2].label.rstrip(':').strip()}, net")
        beside = ri - 1 in per_share_rows and ri + 1 in per_share_rows
        taken: set[tuple] = set()  # (metric, unit, period) this row already has a figure for
        band_periods = periods[r.band] if r.band < len(periods) else []
        band = t.bands[r.band] if r.band < len(t.bands) else None
        for cell in r.cells:
            n = parse_number(cell.as_printed)
            if n is None or cell.col >= len(band_periods):
                continue
            p = band_periods[cell.col]
            kind = ""
            if p is None:
                kind, p = related[r.band].get(cell.col, ("", None)) if r.band < len(related) else ("", None)
            if p is None and r.band in by_column:
                kind, p = "column", by_column[r.band]
            if p is None:
                continue
            if (r.band, cell.col) in bare:
                span = months_stated(" ".join(SPAN_TITLE_RE.findall(r.label)))
                if span:
                    # "Net charge-offs to average loans (for the three months ended)": the row says how long
                    p = make_period(date.fromisoformat(p.end), span, cal)
                elif FLOW_LABEL_RE.search(r.label) and not INSTANT_LABEL_RE.search(r.label):
                    continue  # "Net loan charge-offs" under "March 31, 2022" is the quarter's, not a balance
            unit = _checked_unit(row_unit(r.label, r.parents, n), r, context, beside)
            col_header = " ".join(band.columns[cell.col].header) if band else ""
            metric = _per_share_section(metric_for(r.label, unit, r.parents), unit, r.parents)
            if ADJUSTMENT_COLUMN_RE.search(col_header):
                # a reconciliation's adjustments column: the amounts between two measures, not the measure
                metric = metric.removesuffix(" %") + " adjustment" + (" %" if metric.endswith(" %") else "")
            if kind and kind != "adjustment":
                # A change or "% of revenues" column: the line item's change or share, for its period.
                base = metric_for(r.label, "USD" if unit == "percent" else unit, r.parents).removesuffix(" %")
                if physical:
                    base = f"{clean_label(r.label)} ({physical[0]})"
                pct = n.is_percent or "%" in col_header or "percent" in col_header.lower()
                if kind == "column":
                    # "Cash Collected" / "Remaining Milestone Potential" over a partner's row: the column's
                    # measure of that row
                    metric = f"{clean_label(r.label)} {clean_label(col_header)}" + (" %" if pct else "")
                elif kind == "share":
                    unit, metric = "percent", base + " %"
                else:
                    cc = " constant currency" if re.search(r"(?i)constant currency", col_header) else ""
                    unit = "percent" if pct else unit
                    metric = base + cc + (" change %" if pct else " change")
            if NON_GAAP_COLUMN_RE.search(col_header) and not metric.startswith(("adjusted", "non-gaap")):
                metric = "non-gaap " + metric  # the same line item, on the non-GAAP basis the column states
            lex = BY_NAME.get(metric)
            if lex and lex.unit == "percent":
                unit = "percent"
            s = _cell_scale(unit, scale, context + " " + col_header, r.label, r.parents)
            if physical and unit == "USD" and not n.is_currency:
                # "(In Millions of KWHs)": kilowatt-hours, not dollars, and no money line of the lexicon
                unit, s = physical
                metric = f"{clean_label(r.label)} ({unit})"
            elif unit == "shares" and LABEL_THOUSANDS_RE.search(r.label):
                s = 1000.0  # "Common shares outstanding (000)": thousands whatever the table's dollars are in
            if p.kind == "duration" and BEGIN_LABEL_RE.search(r.label):
                # "Cash ... at beginning of period" under "Twelve Months Ended": the day before it began
                p = make_period(date.fromisoformat(p.start) - timedelta(days=1), None, cal)
            elif (
                p.kind == "duration"
                and (
                    is_instant(metric)
                    or INSTANT_LABEL_RE.search(r.label)
                    or (
                        any(INSTANT_SECTION_RE.search(x) for x in r.parents)
                        # "Net loan charge-offs" under "Balance Sheet & Credit Quality" is the quarter's
                        and not FLOW_LABEL_RE.search(r.label)
                    )
                )
                and not re.search(
                    r"(?i)average|ended|months|weeks|year|ytd", col_header + " " + r.label + " " + context
                )
            ):
                # A balance-sheet line under a bare quarter header ("4Q21") is stated at the quarter's end.
                p = make_period(date.fromisoformat(p.end), None, cal)
            elif p.kind == "duration" and PERIOD_END_LABEL_RE.search(r.label):
                # "End of Period Shares Outstanding" under "12 Months Ended December": at the period's end
                p = make_period(date.fromisoformat(p.end), None, cal)
            part = parts.get(r.band, {}).get(cell.col, "")
            if not kind and (metric, unit, p, part) in taken:
                continue  # two columns headed with one date: a misprinted header, the first is the date's
            taken.add((metric, unit, p, part))
            out.append(
                Fact(
                    metric=metric,
                    label=_full_label(r.label, r.parents, unit)
                    + (f": {col_header}" if kind == "column" else "")
                    + (f" ({part})" if part else ""),
                    value=round(n.value * s, 6),
                    unit=unit,
                    period=p,
                    basis="reported",
                    as_printed=cell.as_printed,
                    scale=s,
                    doc_id=doc.doc_id,
                    char_start=cell.start,
                    char_end=cell.end,
                    label_start=r.label_start,
                    label_end=r.label_end,
                    cite_start=r.start,
                    cite_end=r.end,
                    cite_kind="table_row",
                    table=ti,
                    # "section > section | table title": ranking prefers a firm-wide line to a segment's
                    context=(
                        (f"[column: {part}] " if part else "")
                        + " > ".join(r.parents)
                        + " | "
                        + " | ".join(x for x in ((band.title if band else ""), t.caption) if x)
                    )[:300],
                )
            )
    last = t.bands[-1].columns if t.bands else ()
    cols = (
        [(p, bool(c.header) or p is not None) for p, c in zip(periods[-1], last, strict=False)]
        if periods
        else []
    )
    return out, (cols, scale)


CHANGE_HEADER_RE = re.compile(
    r"(?i)\b(change|increase|decrease|variance|inc\.?\s*\(dec\.?\)|growth|better\s*\(worse\))\b"
)
SHARE_HEADER_RE = re.compile(
    r"(?i)%\s*of\s+(total\s+)?(net\s+)?(revenues?|sales)|percent(age)?\s+of\s+(total\s+)?(net\s+)?(revenues?|sales)"
)


def _misprinted_duplicates(
    doc: Document, row: list[Period | None], cal: FiscalCalendar
) -> list[Period | None]:
    """Two balance-sheet columns headed with one date (a misprint: "JULY 31, 2000 / JULY 31 2000"): the
    later one is the previous fiscal year's end, the usual comparison, when the release prints that date
    ("shares issued at July 31, 2000 and January 31, 2000")."""
    seen: dict[str, int] = {}
    dupes = []
    for i, p in enumerate(row):
        if p is not None and p.kind == "instant":
            if p.end in seen:
                dupes.append(i)
            else:
                seen[p.end] = i
    if len(dupes) != 1 or not doc.fiscal_year_end:
        return row
    d = date.fromisoformat(row[dupes[0]].end)
    prior = cal.year_end(cal.fiscal_year(d) - 1)
    printed = rf"(?i)\b{calendar.month_name[prior.month]}\s+{prior.day},?\s+{prior.year}\b"
    if prior >= d or prior.isoformat() in seen or not re.search(printed, doc.body):
        return row  # (a table that has the prior year end already repeats a header over an empty column)
    fixed = list(row)
    fixed[dupes[0]] = make_period(prior, None, cal)
    return fixed


def _categorical_date(band, band_periods, related, context: str, doc: Document, cal) -> Period | None:
    """For a band whose columns name measures, not periods ("Cash Collected", "Remaining Milestone
    Potential"; "Whatcom", "Skagit"): the date its figures stand at, the one its title states, else the
    release's date. None for a band with any period, change column or figure-like header."""
    cols = band.columns
    if not cols or any(p is not None for p in band_periods) or related:
        return None
    heads = [" ".join(c.header) for c in cols]
    if not all(heads) or any(re.search(r"\d", h) for h in heads):
        return None
    stated = [p for p in find_periods(context) if p.instant and p.end]
    when = stated[-1].end if stated else doc.release_date
    return make_period(date.fromisoformat(when), None, cal) if when else None


# A column of the whole firm among columns of its parts ("PNC legacy | BBVA USA | PNC consolidated")
WHOLE_COLUMN_RE = re.compile(r"(?i)\b(consolidated|combined|total|as reported|reported|gaap)\b")


def _part_columns(band, band_periods: list[Period | None]) -> dict[int, str]:
    """Columns under one period that name parts of the company or steps of a bridge ("2Q21" over "PNC
    legacy", "BBVA USA", "Integration costs", "PNC consolidated"): each part's words, by column. The
    firm's own column (consolidated, total, as reported) has none, so a plain question reads it; the
    parts keep their words in the label and answer only questions that say them."""
    groups: dict[Period, list] = {}
    for c in band.columns:
        p = band_periods[c.col] if c.col < len(band_periods) else None
        # (an "Amount | % of total" pair is one line's figure and its share, not two parts)
        if p is not None and not re.search(r"%|\bpercent", " ".join(c.header), re.I):
            groups.setdefault(p, []).append(c)
    out: dict[int, str] = {}
    for cols in groups.values():
        if len(cols) < 2:
            continue
        common = set.intersection(*(set(c.header) for c in cols))
        own = {c.col: " ".join(h for h in c.header if h not in common).strip() for c in cols}
        if not all(own.values()) or len(set(own.values())) < len(own):
            continue  # one date over columns that say nothing else: a misprint, handled elsewhere
        for col, words in own.items():
            whole = WHOLE_COLUMN_RE.search(words) and not NON_GAAP_COLUMN_RE.search(words)
            out[col] = "" if whole else words
    return out


def _related_columns(band, band_periods: list[Period | None]) -> dict[int, tuple[str, Period]]:
    """Columns that state no period of their own but relate to others: a "% of Revenues" column is the
    share of the value column on its left; a "Change" / "% Increase (Decrease)" column is the change to
    the latest period of the run of like columns on its left (a quarter's change after the quarters, a
    year's after the years)."""
    out: dict[int, tuple[str, Period]] = {}
    for c in band.columns:
        if c.col >= len(band_periods) or band_periods[c.col] is not None:
            continue
        h = " ".join(c.header)
        left = [band_periods[k] for k in range(c.col - 1, -1, -1) if band_periods[k] is not None]
        if not left:
            continue
        if ADJUSTMENT_COLUMN_RE.search(h):
            out[c.col] = ("adjustment", left[0])  # "GAAP | Adj. | Non-GAAP": the adjustment of that period
        elif SHARE_HEADER_RE.search(h):
            out[c.col] = ("share", left[0])
        elif CHANGE_HEADER_RE.search(h):
            run = [p for p in left if (p.kind, p.months) == (left[0].kind, left[0].months)]
            k = next(
                (i for i, p in enumerate(left) if (p.kind, p.months) != (left[0].kind, left[0].months)), None
            )
            run = left[:k] if k is not None else left
            out[c.col] = ("change", max(run, key=lambda p: p.end))
    return out


BARE_YEAR_RE = re.compile(r"^\(?(?:19|20)\d\d\)?\*?$")
HEADER_NOISE_RE = re.compile(r"(?i)^\(?(unaudited|audited|restated|as restated|\(\d\)|\*+)\)?$")


def _date_of_year(header: str) -> str:
    """'For the 13 Weeks Ended July 3, 2004 and June 28, 2003 ... 2003': a header that spans columns with
    one date for each, over a column headed by a year, is that year's date."""
    dates = list(DATE_RE.finditer(header))
    year = re.search(r"\b((?:19|20)\d\d)\s*$", header)
    if len(dates) < 2 or not year or dates[-1].end() == year.end():
        return header
    mine = [d for d in dates if d.group(3) == year.group(1)]
    if len(mine) != 1:
        return header
    out = header
    for d in sorted(dates, key=lambda d: -d.start()):
        if d is not mine[0]:
            out = out[: d.start()] + out[d.end() :]
    return re.sub(r"\s+and\s+(?=\s|$)|\band\s*$", " ", out)


def _with_sibling_header(header: tuple[str, ...], columns, col: int) -> tuple[str, ...]:
    """A column headed by a bare year ("2019") beside one headed "For the year / 2020" or "September 30, /
    2004": the spanning words were set over its neighbour only, so it takes them from there."""
    own = [h for h in header if not HEADER_NOISE_RE.match(h.strip())]
    if len(own) != 1 or not BARE_YEAR_RE.match(own[0].strip()):
        return header
    by_col = {c.col: c for c in columns}
    for k in (col - 1, col + 1):
        sib = by_col.get(k)
        if sib is None:
            continue
        words = [h for h in sib.header if not HEADER_NOISE_RE.match(h.strip())]
        if len(words) >= 2 and BARE_YEAR_RE.match(words[-1].strip()) and words[-1].strip() != own[0].strip():
            return (*words[:-1], own[0])
    return header


def _fiscal_ytd(p: Period, cal: FiscalCalendar) -> Period:
    """A year-to-date column on a stated fiscal calendar spans the fiscal quarters to its end: "nine
    months ended July 31" of a year ending January 31 is a misprint for six (the release's own text says
    which); a header that agrees with the calendar is left alone."""
    if p.kind != "duration" or p.months not in (6, 9):
        return p
    end = date.fromisoformat(p.end)
    ytd = cal.quarter_of(end) * 3
    if ytd in (6, 9) and ytd != p.months:
        return make_period(end, ytd, cal)
    return p


def _per_share_section(metric: str, unit: str, parents: tuple[str, ...]) -> str:
    """A per-share line under "Per common share — assuming dilution" (or "... basic") is the diluted
    (basic) figure even where its own label says only "Net income attributable to common shareholders"."""
    if unit != "USD/share" or metric.startswith(("diluted", "basic")):
        return metric
    said = " ".join(parents).lower()
    diluted = bool(re.search(r"dilut", said))
    basic = bool(re.search(r"\bbasic\b", said))
    if diluted == basic:
        return metric  # neither, or "Basic and diluted": the one figure is both
    if metric in ("earnings per share", "net income per share"):
        return "diluted earnings per share" if diluted else "basic earnings per share"
    return ("diluted " if diluted else "basic ") + metric


def _full_label(label: str, parents: tuple[str, ...], unit: str) -> str:
    """The label as printed, prefixed by a per-share section when that is what makes it per share."""
    if unit == "USD/share" and "share" not in label.lower():
        per = [p for p in parents if "share" in p.lower()]
        if per:
            return f"{per[-1].rstrip(':')}: {label}"
    if parents and clean_label(label).lstrip("- ") in GENERIC_LABELS:
        return f"{parents[-1].rstrip(':')}: {label}"  # "Diluted" alone says little
    return label


def _cell_scale(unit: str, scale: float, context: str, label: str, parents: tuple[str, ...] = ()) -> float:
    if unit in ("percent", "USD/share"):
        return 1.0
    # A scale of the row's own or of its section ("CLIENT ASSETS (billions)") overrides the table's.
    own = next(
        (
            table_scale("in " + m.group(1))
            for t in (label, *reversed(parents))
            if (m := re.search(r"(?i)\b(?:in |\()(thousands|millions|billions)\b", t))
        ),
        None,
    )
    if unit == "shares":
        if own:
            return own
        if SHARES_SCALED_RE.search(context):
            return SCALE_WORD[SHARES_SCALED_RE.search(context).group(2).lower()]
        if SHARE_EXCEPT_RE.search(context):
            return 1.0
        return scale
    return own or scale


def main_period(facts: list[Fact], doc: Document, cal: FiscalCalendar) -> Period | None:
    """The release's own latest quarter (else year), from its tables or its opening sentences."""
    # Nothing a release reports can end after it was released (a header typo such as "Dec 31, 2006" in
    # an August 2006 release must not become its quarter).
    latest = doc.release_date or "9999-12-31"
    quarters = [
        f.period
        for f in facts
        if f.source == "table"
        and f.basis == "reported"
        and f.period.kind == "duration"
        and f.period.months == 3
        and f.period.end <= latest
    ]
    if quarters:
        return max(quarters, key=lambda p: p.end)
    years = [
        f.period for f in facts if f.source == "table" and f.period.months == 12 and f.period.end <= latest
    ]
    if years:
        return max(years, key=lambda p: p.end)
    body = doc.text[doc.body_start : doc.body_start + 5000]
    for pq in find_periods(body):
        if pq.end and pq.months:
            return make_period(date.fromisoformat(pq.end), pq.months, cal)
    if doc.release_date:
        # A release with no dated period of its own reports the fiscal quarter that ended before it.
        released = date.fromisoformat(doc.release_date)
        fy = cal.fiscal_year(released)
        ends = [cal.quarter_end(y, q) for y in (fy - 1, fy) for q in (1, 2, 3, 4)]
        before = [e for e in ends if e < released]
        if before:
            return make_period(max(before), 3, cal)
    return None
