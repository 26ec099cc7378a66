"""Segments and table grids → Facts: every printed figure with its metric, period, unit and spans."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from index.model import Document, Segment, Table
from index.numbers import Number, parse_number, precision

from .metrics import BY_NAME, GENERIC_LABELS, clean_label, is_instant, metric_for
from .periods import (
    FiscalCalendar,
    Period,
    column_period,
    find_periods,
    make_period,
    months_stated,
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


def fiscal_calendar(doc: Document) -> FiscalCalendar:
    """The company's fiscal calendar: stated year end, else inferred from 'first quarter ended June 30'."""
    if doc.fiscal_year_end:
        mm, dd = (int(x) for x in doc.fiscal_year_end.split("-"))
        return FiscalCalendar(mm, dd)
    m = re.search(
        r"(?i)\b(first|second|third|fourth)\s+(?:fiscal\s+)?quarter\s+(?:of\s+(?:fiscal\s+)?\d{4}\s+)?ended\s+"
        r"([A-Z][a-z]+\.?\s+\d{1,2},?\s+\d{4})",
        doc.text[doc.body_start : doc.body_start + 20000],
    )
    if m:
        d = parse_date(m.group(2))
        if d:
            q = {"first": 1, "second": 2, "third": 3, "fourth": 4}[m.group(1).lower()]
            month = (d.month + 3 * (4 - q) - 1) % 12 + 1
            return FiscalCalendar(month, 31 if month in (1, 3, 5, 7, 8, 10, 12) else 30 if month != 2 else 28)
    return FiscalCalendar()


def table_scale(text: str) -> float:
    """Scale stated in a caption or header: 1000 for '(in thousands)'."""
    m = SCALE_RE.search(text)
    if not m:
        return 1.0
    word = next(g for g in m.groups() if g).lower()
    return SCALE_WORD.get(word, SCALE_WORD.get(word.rstrip("s") + "s", 1.0))


def row_unit(label: str, parents: tuple[str, ...], n: Number) -> str:
    """USD, USD/share, shares or percent, from the figure and its label."""
    ctx = " ".join((*parents, label)).lower()
    if n.is_percent or re.search(r"%|percent|\bratio\b|\bmargin \(%|as a percentage", label.lower()):
        return "percent"
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


def _checked_unit(unit: str, r, context: str) -> str:
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
        and PER_SHARE_LINE_RE.search(clean_label(r.label))
        and re.search(r"(?i)per[- ]share", context)
    ):
        return "USD/share"
    return unit


def extract(doc: Document, segments: list[Segment], tables: list[Table]) -> list[Fact]:
    """All facts of a document: table cells first, then prose figures."""
    cal = fiscal_calendar(doc)
    facts = []
    for ti, t in enumerate(tables):
        facts.extend(table_facts(doc, t, ti, cal))
    labels = {f.metric for f in facts}
    from .prose import prose_facts

    prose = prose_facts(doc, segments, cal, main_period(facts, doc, cal), labels)
    return _with_inferred_scales(facts, prose) + prose


def _with_inferred_scales(table: list[Fact], prose: list[Fact]) -> list[Fact]:
    """Tables that state no scale, rescaled when the release's own text says what they are in.

    A bank's table printing net income as 3,983 beside "net income of $4.0 million" is in thousands:
    the scale comes from that agreement (at least two figures), never from a guess.
    """
    from dataclasses import replace as _replace

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


def table_facts(doc: Document, t: Table, ti: int, cal: FiscalCalendar) -> list[Fact]:
    """Facts of every figure cell of a table whose column has a period."""
    out = []
    context = " ".join([t.caption, *(b.title for b in t.bands), *t.notes])
    instant_hint = bool(
        re.search(
            r"(?i)balance sheets?|financial condition|financial position|statements? of condition", context
        )
    )
    scale = table_scale(context)
    periods: list[list[Period | None]] = []
    for bi, band in enumerate(t.bands):
        row: list[Period | None] = []
        for c in band.columns:
            header = " ".join(_with_sibling_header(c.header, band.columns, c.col))
            months_ctx = band.title + " " + t.caption
            if months_stated(header) is None and bi > 0:
                # A restated band ("March 31, 2004" alone) keeps the span the first band gave.
                prev = [periods[k][c.col] for k in range(bi) if c.col < len(periods[k]) and periods[k][c.col]]
                if prev and prev[0] and prev[0].kind == "duration":
                    months_ctx += f" {prev[0].months} months"
            p = column_period(header, months_ctx, cal, instant_hint)
            if p is None and instant_hint:
                p = column_period(header, "", cal, True)
            row.append(_fiscal_ytd(p, cal) if p is not None and doc.fiscal_year_end else p)
        periods.append(row)
    for r in t.rows:
        band_periods = periods[r.band] if r.band < len(periods) else []
        band = t.bands[r.band] if r.band < len(t.bands) else None
        for cell in r.cells:
            n = parse_number(cell.as_printed)
            if n is None or cell.col >= len(band_periods):
                continue
            p = band_periods[cell.col]
            if p is None:
                continue
            unit = _checked_unit(row_unit(r.label, r.parents, n), r, context)
            col_header = " ".join(band.columns[cell.col].header) if band else ""
            if ADJUSTMENT_COLUMN_RE.search(col_header):
                continue  # a reconciliation's adjustments column: amounts between two measures, not the measure
            metric = metric_for(r.label, unit, r.parents)
            if NON_GAAP_COLUMN_RE.search(col_header) and not metric.startswith(("adjusted", "non-gaap")):
                metric = "non-gaap " + metric  # the same line item, on the non-GAAP basis the column states
            lex = BY_NAME.get(metric)
            if lex and lex.unit == "percent":
                unit = "percent"
            s = _cell_scale(unit, scale, context + " " + col_header, r.label)
            if (
                p.kind == "duration"
                and is_instant(metric)
                and not re.search(
                    r"(?i)average|ended|months|weeks|year|ytd", col_header + " " + r.label + " " + context
                )
            ):
                # A balance-sheet line under a bare quarter header ("4Q21") is stated at the quarter's end.
                p = make_period(date.fromisoformat(p.end), None, cal)
            out.append(
                Fact(
                    metric=metric,
                    label=_full_label(r.label, r.parents, unit),
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
                        " > ".join(r.parents) + " | " + (band.title if band and band.title else t.caption)
                    )[:300],
                )
            )
    return out


BARE_YEAR_RE = re.compile(r"^\(?(?:19|20)\d\d\)?\*?$")
HEADER_NOISE_RE = re.compile(r"(?i)^\(?(unaudited|audited|restated|as restated|\(\d\)|\*+)\)?$")


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


def _full_label(label: str, parents: tuple[str, ...], unit: str) -> str:
    """The label as printed, prefixed by a per-share section when that is what makes it per share."""
    if unit == "USD/share" and "share" not in label.lower():
        per = [p for p in parents if "share" in p.lower()]
        if per:
            return f"{per[-1].rstrip(':')}: {label}"
    if parents and clean_label(label).lstrip("- ") in GENERIC_LABELS:
        return f"{parents[-1].rstrip(':')}: {label}"  # "Diluted" alone says little
    return label


def _cell_scale(unit: str, scale: float, context: str, label: str) -> float:
    if unit in ("percent", "USD/share"):
        return 1.0
    own = table_scale(label) if re.search(r"(?i)\bin (thousands|millions|billions)", label) else None
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
    return None
