"""Segments and table grids → Facts: every printed figure with its metric, period, unit and spans."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from index.model import Document, Segment, Table
from index.numbers import FIGURE_RE, Number, number_from_match, parse_number

from .metrics import LEXICON, is_instant, metric_for
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
    if re.search(r"per (common |diluted |basic )?share|\beps\b|per diluted|per basic", ctx):
        return "USD/share"
    if re.search(r"\bshares\b|share count", label.lower()) and not n.is_currency:
        return "shares"
    return "USD"


def extract(doc: Document, segments: list[Segment], tables: list[Table]) -> list[Fact]:
    """All facts of a document: table cells first, then prose figures."""
    cal = fiscal_calendar(doc)
    facts = []
    for ti, t in enumerate(tables):
        facts.extend(table_facts(doc, t, ti, cal))
    labels = {f.metric for f in facts}
    facts.extend(prose_facts(doc, segments, cal, main_period(facts, doc, cal), labels))
    return facts


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
            header = " ".join(c.header)
            months_ctx = band.title + " " + t.caption
            if months_stated(header) is None and bi > 0:
                # A restated band ("March 31, 2004" alone) keeps the span the first band gave.
                prev = [periods[k][c.col] for k in range(bi) if c.col < len(periods[k]) and periods[k][c.col]]
                if prev and prev[0] and prev[0].kind == "duration":
                    months_ctx += f" {prev[0].months} months"
            p = column_period(header, months_ctx, cal, instant_hint)
            if p is None and instant_hint:
                p = column_period(header, "", cal, True)
            row.append(p)
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
            unit = row_unit(r.label, r.parents, n)
            col_header = " ".join(band.columns[cell.col].header) if band else ""
            s = _cell_scale(unit, scale, context + " " + col_header, r.label)
            metric = metric_for(r.label, unit, r.parents)
            if p.kind == "duration" and metric in ("cash", "total assets") and not instant_hint:
                pass
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
                    context=(band.title if band and band.title else t.caption)[:200],
                )
            )
    return out


def _full_label(label: str, parents: tuple[str, ...], unit: str) -> str:
    """The label as printed, prefixed by a per-share section when that is what makes it per share."""
    if unit == "USD/share" and "share" not in label.lower():
        per = [p for p in parents if "share" in p.lower()]
        if per:
            return f"{per[-1].rstrip(':')}: {label}"
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


# --- prose ---------------------------------------------------------------------------------

ABBREV_RE = re.compile(
    r"(?i)\b(inc|corp|co|ltd|mr|mrs|ms|dr|no|vs|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|u\.s|e\.g|i\.e|st)\.$"
)


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a paragraph: a stop followed by space and a capital, not after an abbreviation."""
    out, start = [], 0
    for m in re.finditer(r"[.!?][\"”')]*\s+(?=[\"“(A-Z0-9$])", text):
        if ABBREV_RE.search(text[max(0, m.start() - 6) : m.start() + 1]):
            continue
        out.append((start, m.start() + 1))
        start = m.end()
    if start < len(text):
        out.append((start, len(text)))
    return out


GUIDANCE_RE = re.compile(
    r"(?i)\b(guidance|outlook|forecast(s|ing|ed)?|expects?|expected|anticipates?|projects?|projected|"
    r"estimates?|targets?|should be in the range|plans? to)\b"
)
CHANGE_BEFORE_RE = re.compile(
    r"(?i)\b(up|down|increas\w*|decreas\w*|improv\w*|grow\w*|grew|rose|fell|declin\w*|an?|by|rais\w*|lower\w*|cut\w*)\s*$"
)
CHANGE_AFTER_RE = re.compile(
    r"(?i)^\s*(increase|decrease|improvement|higher|lower|growth|decline|over|from|compared|year[- ]over[- ]year|sequential)"
)
RANGE_RE = re.compile(r"(?i)^\s*(?:to|and|-|–|through)\s*$")
EXTRA_METRICS = (("line of credit", r"line of credit|credit facility|revolving"),)


def _metric_phrases() -> list[tuple[str, re.Pattern]]:
    out = []
    for m in LEXICON:
        words = {m.name, *m.synonyms}
        alts = "|".join(sorted((re.escape(w).replace(r"\ ", r"\s+") for w in words), key=len, reverse=True))
        out.append((m.name, re.compile(rf"(?i)(?<![\w&-])(?:{alts})(?![\w&-])")))
    for name, pat in EXTRA_METRICS:
        out.append((name, re.compile(rf"(?i)\b(?:{pat})\b")))
    return out


METRIC_PHRASES = _metric_phrases()


def main_period(facts: list[Fact], doc: Document, cal: FiscalCalendar) -> Period | None:
    """The release's own latest quarter (else year), from its tables or its opening sentences."""
    quarters = [
        f.period
        for f in facts
        if f.source == "table"
        and f.basis == "reported"
        and f.period.kind == "duration"
        and f.period.months == 3
    ]
    if quarters:
        return max(quarters, key=lambda p: p.end)
    body = doc.text[doc.body_start : doc.body_start + 5000]
    for pq in find_periods(body):
        if pq.end and pq.months:
            return make_period(date.fromisoformat(pq.end), pq.months, cal)
    return None


def prose_facts(
    doc: Document,
    segments: list[Segment],
    cal: FiscalCalendar,
    main: Period | None,
    labels: set[str] = frozenset(),
) -> list[Fact]:
    """Figures stated in sentences: amounts, margins, changes, ranges, guidance."""
    out: list[Fact] = []
    phrases = list(METRIC_PHRASES) + [
        (
            lab,
            re.compile(rf"(?i)(?<![\w&-]){re.escape(lab).replace(chr(92) + ' ', chr(92) + 's+')}(?![\w&-])"),
        )
        for lab in sorted(labels)
        if len(lab) > 5 and not lab.endswith("%")
    ]
    for seg in segments:
        if seg.kind not in ("paragraph", "heading") or doc.is_html and seg.kind == "heading":
            continue
        text = doc.text[seg.char_start : seg.char_end]
        if doc.is_html:
            continue  # HTML prose is read from its display text; spans would not be exact (see README)
        for a, b in sentences(text):
            sent = text[a:b]
            if not sent.strip() or not re.search(r"\d", sent):
                continue
            base = seg.char_start + a
            out.extend(_sentence_facts(doc, seg, sent, base, cal, main, phrases))
    return out


def _sentence_facts(doc, seg, sent: str, base: int, cal, main, phrases) -> list[Fact]:
    lead = len(sent) - len(sent.lstrip())
    s_start, s_end = base + lead, base + len(sent.rstrip())
    figs = []
    for m in FIGURE_RE.finditer(sent):
        n = number_from_match(m)
        if n is None or not (n.is_currency or n.is_percent or n.word_scale > 1):
            continue
        if (
            not n.is_currency
            and not n.is_percent
            and n.word_scale > 1
            and not re.search(r"(?i)\$|dollars", sent)
        ):
            continue  # "1.5 billion" of something that is not money: skip
        a = m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
        figs.append((a, a + len(n.as_printed), n))
    if not figs:
        return []
    periods = find_periods(sent)
    guidance = bool(GUIDANCE_RE.search(sent))
    out = []
    i = 0
    prev_end = 0
    while i < len(figs):
        a, b, n = figs[i]
        hi = None
        if (
            i + 1 < len(figs)
            and RANGE_RE.match(sent[b : figs[i + 1][0]])
            and figs[i + 1][2].is_percent == n.is_percent
        ):
            hi = figs[i + 1]
        low_text = sent[:a]
        if re.search(r"(?i)\bbetween\s*$", low_text[-12:]) and hi is None and i + 1 < len(figs):
            hi = figs[i + 1]
        end_b = hi[1] if hi else b
        _CUR_SENT[:] = [sent]
        metric = _prose_metric(sent, prev_end, a, end_b, phrases)
        if metric is None:
            prev_end = end_b
            i += 2 if hi else 1
            continue
        unit = "percent" if n.is_percent else "USD"
        if not n.is_percent and re.search(r"(?i)^\s*(per (diluted |basic )?share|a share)", sent[end_b:]):
            unit = "USD/share"
        before = sent[max(0, a - 25) : a]
        clause_end = end_b
        of_rev = re.match(r"(?i)\s*of\s+(total\s+)?(net\s+)?(revenues?|sales)\b", sent[end_b:])
        if n.is_percent and of_rev:
            subject = _prose_metric(sent, prev_end, a, a, phrases)
            metric = (subject or metric) + " %"
            clause_end = end_b + of_rev.end()  # "of revenue" belongs to this figure, not the next clause
        elif not n.is_percent and (
            re.search(r"(?i)\b(by|an? (increase|decrease|improvement|reduction) of)\s*$", before)
            or re.match(
                r"(?i)\s*(improvement|increase|decrease|reduction|decline|higher|lower|more|less)\b",
                sent[end_b:],
            )
        ):
            metric = metric + " change"
        elif n.is_percent:
            after = sent[end_b : end_b + 30]
            if CHANGE_BEFORE_RE.search(before) or CHANGE_AFTER_RE.match(after):
                metric = (_prose_metric(sent, prev_end, a, a, phrases) or metric) + " change %"
            elif not metric.endswith("%"):
                metric = metric + " %"
        nxt = figs[i + (2 if hi else 1)][0] if i + (2 if hi else 1) < len(figs) else len(sent)
        period = _prose_period(periods, prev_end, a, end_b, nxt, cal, main)
        if period is not None and is_instant(metric) and period.kind == "duration":
            period = make_period(date.fromisoformat(period.end), None, cal)
        if period is None:
            prev_end = end_b
            i += 2 if hi else 1
            continue
        is_guid = guidance and (
            hi is not None
            or date.fromisoformat(period.end) > date.fromisoformat(main.end if main else "1900-01-01")
        )
        value = n.value
        high = hi[2].value if hi else None
        out.append(
            Fact(
                metric=metric,
                label=" ".join(sent[max(prev_end, 0) : end_b].split())[-160:] or metric,
                value=round(value, 6),
                unit=unit,
                period=period,
                basis="guidance" if is_guid else "reported",
                as_printed=sent[a:end_b],
                scale=n.word_scale,
                doc_id=doc.doc_id,
                char_start=base + a,
                char_end=base + end_b,
                label_start=s_start,
                label_end=s_end,
                cite_start=s_start,
                cite_end=s_end,
                cite_kind=seg.kind,
                value_high=round(high, 6) if high is not None else None,
                source="prose",
                context=seg.section[:200],
            )
        )
        prev_end = clause_end
        i += 2 if hi else 1
    return out


def _prose_metric(sent: str, lo: int, a: int, b: int, phrases) -> str | None:
    """The metric a figure states: a metric named right after it ("$29.3 million in cash"),
    else the subject of its clause (the first metric named since the last figure), else of the sentence."""
    after = sent[b : b + 80]
    m = re.match(r"(?i)\s*(?:(?:in|of)\s+)?(?:[\w-]+\s+){0,3}?", after)
    hits = []
    for name, pat in phrases:
        mm = pat.search(after)
        if (
            mm
            and mm.start() <= 45
            and not re.search(
                r"[,;%\d]|\b(was|were|is|or|and|for|from|over|compared|to)\b", after[: mm.start()]
            )
        ):
            hits.append((mm.start(), -(mm.end() - mm.start()), name))
    if m is not None and hits:
        return min(hits)[2]
    for start in (lo, 0):
        hits = []
        for name, pat in phrases:
            mm = pat.search(sent, start, a)
            if mm:
                hits.append((mm.start(), -(mm.end() - mm.start()), name))
        if hits:
            return min(hits)[2]
    return None


def _prose_period(periods, lo, a, b, n, cal, main) -> Period | None:
    """The period a prose figure is for: a phrase right after it, else the nearest before it in its clause,
    else the first after it, else the release's own."""
    cands = []
    direct = [p for p in periods if b <= p.span[0] <= b + 30]
    for p in direct:
        gap = ""
        gap = p.span[0] - b
        cands.append(p) if gap >= 0 else None
    cands = [
        p
        for p in cands
        if re.fullmatch(
            r"(?i)\s*(?:(?!(?:with|and|or|while|but|compared|versus|vs|from|over|to|up|down)\b)[a-z&'-]+\s+){0,4}?"
            r"(?:(?:in|for|during|of|at)\s+)?(?:the\s+)?(?:company's\s+)?",
            _between(p, b),
        )
    ]
    before = [p for p in periods if lo <= p.span[0] < a]
    if before:
        cands.append(before[-1])
    cands += [p for p in periods if b <= p.span[0] < n]
    for pq in cands:
        p = _resolve(pq, cal, main)
        if p:
            return p
    return main


def _between(p, b):
    return _CUR_SENT[0][b : p.span[0]] if _CUR_SENT else ""


_CUR_SENT: list[str] = []


def _resolve(pq, cal: FiscalCalendar, main: Period | None) -> Period | None:
    if pq.instant and pq.end:
        return make_period(date.fromisoformat(pq.end), None, cal)
    if pq.fiscal_year is None and pq.quarter and main:
        fy = cal.fiscal_year(date.fromisoformat(main.end))
        pq = type(pq)(pq.months, fiscal_year=fy, quarter=pq.quarter, span=pq.span)
    r = pq.resolve(cal)
    if r is None:
        return None
    end, months = r
    return make_period(end, months, cal)
