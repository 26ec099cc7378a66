"""Briefing content: what a cited briefing of one release says, selected from the store.

`build_briefing` picks facts that qa extracted and stored; it extracts
nothing itself. The one computation here is the change between two cited
figures, by the formula the briefing states next to it and labelled derived.
`render_to_file` writes the briefing as Markdown, HTML or PDF by the output
file's suffix.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from index.errors import RenderError, UsageError
from qa.cli import format_value
from qa.periods import Period, add_months, nominal
from qa.store import DocRow, FactRow

from .sources import Source, clean, clip_passage, passage_source, source_of

FORMATS = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".pdf": "pdf"}
PAGES = ("a4", "letter")

# Key figures: (row name, metrics in order of preference). A row appears when the
# release's tables hold one of its metrics for the release's main period.
KEY_ROWS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Revenue", ("revenue",)),
    ("Net interest income", ("net interest income",)),
    ("Noninterest income", ("noninterest income",)),
    ("Gross margin", ("gross margin",)),
    ("Selling, general and administrative", ("selling, general and administrative",)),
    ("Total operating expenses", ("total operating expenses",)),
    ("Noninterest expense", ("noninterest expense",)),
    ("Provision for credit losses", ("provision for credit losses",)),
    ("Operating income", ("operating income",)),
    ("Adjusted EBITDA", ("adjusted ebitda",)),
    ("Net income", ("net income",)),
    (
        "Earnings per share",
        ("diluted earnings per share", "earnings per share", "net income per share"),
    ),
    ("Cash", ("cash",)),
)
# When a release has no operating income line, its (loss) from continuing operations stands in.
FALLBACK_ROWS = {
    "Operating income": ("Income from continuing operations", ("income from continuing operations",))
}
TREND_ROWS = ("Revenue", "Net interest income", "Net income", "Earnings per share")
CHART_ROWS = (  # in order of preference, at most three
    "Revenue",
    "Net interest income",
    "Operating income",
    "Income from continuing operations",
    "Net income",
    "Adjusted EBITDA",
)

QUOTE_RE = re.compile('["\u201c\u201d]|``')
SAID_RE = re.compile(r"(?i)\b(said|says|stated|commented|noted|added)\b")
OFFICER_RE = re.compile(r"(?i)\b(chief executive|ceo|chairman|president|chief financial|cfo)\b")
BOILER_RE = re.compile(r"(?i)forward[- ]looking|cautionary|safe harbor|risk factors|non-gaap financial")
CAPITAL_RE = re.compile(
    r"(?i)\b(capital|liquidity|cash|repurchas\w*|buybacks?|dividends?|debt|borrow\w*|credit facility|"
    r"line of credit|balance sheet)\b"
)
# Rows that state a ratio of a line item ("Noninterest income to total revenue") are not the line item.
RATIO_RE = re.compile(r"(?i)\bto (total|average)\b|\bratio\b|\bas a (%|percent)|% of\b|\bper cent of\b")
QUOTE_QUERY = "said chief executive officer chairman president commented"
CAPITAL_QUERY = (
    "capital liquidity cash balance sheet share repurchase dividend debt credit facility borrowings"
)


# --- the briefing's parts ---------------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    """Who and when: the release's company, main period, date, title and file."""

    company: str
    ticker: str
    period: str
    release_date: str | None
    title: str
    doc_id: str
    file: str
    exhibit: str


@dataclass(frozen=True)
class Figure:
    """A stored fact as the briefing shows it, with the source that prints it."""

    metric: str
    label: str
    value: float
    value_high: float | None
    unit: str
    period: str
    period_end: str
    basis: str
    as_printed: str
    source: Source

    @property
    def text(self) -> str:
        """The value for people: $37,153,000; -$0.23; $40,200,000 to $40,900,000."""
        return format_value(self.value, self.unit, self.value_high)


@dataclass(frozen=True)
class Change:
    """A derived change between two cited figures: (a − b) / |b| × 100."""

    percent: float
    formula: str

    @property
    def text(self) -> str:
        """+1.1%"""
        return f"{self.percent:+.1f}%"


@dataclass(frozen=True)
class KeyRow:
    """One line of the key figures table."""

    name: str
    current: Figure | None
    prior_year: Figure | None
    prior_quarter: Figure | None
    change_year: Change | None
    change_quarter: Change | None


@dataclass(frozen=True)
class KeyFigures:
    """This period vs the prior-year period vs the prior quarter, where the release prints them."""

    period: str
    prior_year: str | None
    prior_quarter: str | None
    rows: tuple[KeyRow, ...]


@dataclass(frozen=True)
class FindingItem:
    """An audit finding (qa/audit.py) with its citations as sources."""

    kind: str
    status: str
    message: str
    computed: object
    stated: object
    formula: str | None
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class Passage:
    """A paragraph worth reading: the executive's quote, or capital and liquidity."""

    kind: str  # "quote" | "capital"
    text: str
    attribution: str
    source: Source


@dataclass(frozen=True)
class TrendRow:
    """One release of the company: its main period and headline figures."""

    period: str
    period_end: str
    release_date: str | None
    doc_id: str
    figures: tuple[Figure | None, ...]


@dataclass(frozen=True)
class ChartPanel:
    """One small bar chart: a metric across periods (oldest first)."""

    title: str
    unit: str
    points: tuple[tuple[str, float], ...]
    highlight: int | None = None  # the point of the briefed release's own period


@dataclass(frozen=True)
class Briefing:
    """Everything a briefing of one release shows."""

    headline: Headline
    key: KeyFigures
    guidance: tuple[Figure, ...]
    findings: tuple[FindingItem, ...] | None  # None: the audit is not available
    checks_passed: int
    passages: tuple[Passage, ...]
    trend_metrics: tuple[str, ...]
    trend: tuple[TrendRow, ...]
    chart: tuple[ChartPanel, ...]
    chart_basis: str  # "trend" | "release" | ""


# --- choosing the release -----------------------------------------------------------------------


def choose_document(lib, doc_id: str | None = None, company: str | None = None) -> DocRow:
    """The release to brief: --doc, else the latest of --company, else the latest in the store."""
    if doc_id:
        doc = lib.store.document(doc_id)
        if doc is None:
            raise UsageError(f"no document {doc_id!r} in the store (see `exhibit docs`)")
        if company:
            from qa.store import company_key

            if company_key(lib.resolve_company_name(company) or company) != doc.company_key:
                raise UsageError(f"document {doc.doc_id} is not a release of {company!r}")
        return doc
    if company:
        name = lib.resolve_company_name(company)
        docs = lib.store.documents(company=name) if name else []
        if not docs:
            raise UsageError(f"no releases of {company!r} in the store (see `exhibit docs`)")
        return docs[0]
    docs = lib.store.documents()
    if not docs:
        raise UsageError("the store is empty: run `exhibit index PATH` first")
    return docs[0]


# --- selecting facts ----------------------------------------------------------------------------


def _order(f: FactRow) -> tuple:
    """The primary figure first, by the one ranking `exhibit ask` uses (qa.answer.rank_key)."""
    from qa.answer import rank_key

    return rank_key(f)


def _ym(iso: str) -> tuple[int, int]:
    d = nominal(date.fromisoformat(iso))
    return d.year, d.month


def _months_back(iso: str, months: int) -> tuple[int, int]:
    d = add_months(nominal(date.fromisoformat(iso)).replace(day=1), -months)
    return d.year, d.month


def main_period(doc: DocRow, facts: list[FactRow]) -> Period | None:
    """The release's own period: the span its main_period label names (most figures), else the latest quarter."""
    spans = [f.period for f in facts if f.period.kind == "duration" and f.basis == "reported"]
    named = [p for p in spans if doc.main_period and p.label == doc.main_period]
    if named:
        (start, end, label), _ = Counter((p.start, p.end, p.label) for p in named).most_common(1)[0]
        return Period(start, end, "duration", label)
    if not spans:
        return None
    latest = max(p.end for p in spans)
    at = [p for p in spans if p.end == latest]
    quarters = [p for p in at if p.months == 3] or at
    (start, end, label), _ = Counter((p.start, p.end, p.label) for p in quarters).most_common(1)[0]
    return Period(start, end, "duration", label)


def _pick(facts: list[FactRow], metrics: tuple[str, ...], want, prefer_table: int | None) -> FactRow | None:
    """The first fact (by metric preference, then primary statement order) whose period `want` accepts."""
    for m in metrics:
        hits = [f for f in facts if f.metric == m and want(f.period)]
        if hits:
            hits.sort(
                key=lambda f: (0 if prefer_table is not None and f.table == prefer_table else 1, *_order(f))
            )
            return hits[0]
    return None


def _wants(main: Period, instant: bool):
    """Period tests for this period, the prior-year period and the prior quarter."""
    months = main.months

    def duration(target):
        return lambda p: p.kind == "duration" and p.months == months and _ym(p.end) == target

    def at(target):
        return lambda p: p.kind == "instant" and _ym(p.end) == target

    make = at if instant else duration
    this = make(_ym(main.end))
    year = make(_months_back(main.end, 12))
    quarter = make(_months_back(main.end, 3)) if months == 3 else (lambda p: False)
    return this, year, quarter


def change(a: Figure | None, b: Figure | None) -> Change | None:
    """(a − b) / |b| × 100 of two cited figures; None when either is missing or b is zero."""
    if a is None or b is None or not b.value or a.unit != b.unit or a.unit == "percent":
        return None
    pct = (a.value - b.value) / abs(b.value) * 100
    formula = f"({a.text} \u2212 {b.text}) / |{b.text}| \u00d7 100 = {pct:+.1f}%"
    return Change(round(pct, 1), formula)


class _Sources:
    """Citations of facts as Sources, with each document's text read once."""

    def __init__(self, lib):
        self.lib = lib
        self._docs: dict[str, DocRow | None] = {}

    def doc(self, doc_id: str) -> DocRow | None:
        if doc_id not in self._docs:
            self._docs[doc_id] = self.lib.store.document(doc_id)
        return self._docs[doc_id]

    def text(self, doc_id: str) -> tuple[str, bool]:
        d = self.doc(doc_id)
        if d is None:
            return "", False
        return self.lib.text_for(d.sha256), d.format == "html"

    def of_citation(self, c: dict) -> Source:
        text, html = self.text(c.get("doc_id", ""))
        return source_of(c, text, html)

    def figure(self, f: FactRow) -> Figure:
        c = self.lib.fact_json(f)["citations"][0]
        return Figure(
            metric=f.metric,
            label=clean(f.label),
            value=f.value,
            value_high=f.value_high,
            unit=f.unit,
            period=f.period.label,
            period_end=f.period.end,
            basis=f.basis,
            as_printed=f.as_printed,
            source=self.of_citation(c),
        )


def _rows_for(facts: list[FactRow], main: Period | None):
    """(name, metrics) rows whose metrics the release prints for its main period."""
    if main is None:
        return []
    have = {f.metric for f in facts}
    rows = []
    for name, metrics in KEY_ROWS:
        if not have.intersection(metrics) and name in FALLBACK_ROWS:
            name, metrics = FALLBACK_ROWS[name]
        rows.append((name, metrics))
    return rows


def key_figures(src: _Sources, facts: list[FactRow], main: Period | None) -> KeyFigures:
    """The key figures table of a release from its table facts."""
    table_facts = [
        f for f in facts if f.source == "table" and f.basis == "reported" and not RATIO_RE.search(f.label)
    ]
    rows = []
    labels = {"year": None, "quarter": None}
    for name, metrics in _rows_for(table_facts, main):
        instant = metrics[0] == "cash"
        this, year, quarter = _wants(main, instant)
        cur = _pick(table_facts, metrics, this, None)
        if cur is None:
            continue
        py = _pick(table_facts, (cur.metric,), year, cur.table)
        pq = _pick(table_facts, (cur.metric,), quarter, cur.table)
        if not instant:
            labels["year"] = labels["year"] or (py.period.label if py else None)
            labels["quarter"] = labels["quarter"] or (pq.period.label if pq else None)
        fc, fy, fq = (src.figure(x) if x else None for x in (cur, py, pq))
        rows.append(KeyRow(name, fc, fy, fq, change(fc, fy), change(fc, fq)))
    # A column only instants fill (cash at the prior year end) is headed by their date.
    labels["year"] = labels["year"] or next((r.prior_year.period for r in rows if r.prior_year), None)
    labels["quarter"] = labels["quarter"] or next(
        (r.prior_quarter.period for r in rows if r.prior_quarter), None
    )
    return KeyFigures(
        period=main.label if main else "",
        prior_year=labels["year"],
        prior_quarter=labels["quarter"],
        rows=tuple(rows),
    )


def guidance(src: _Sources, facts: list[FactRow]) -> tuple[Figure, ...]:
    """The release's outlook: facts with basis 'guidance', by period then as printed."""
    g = [f for f in facts if f.basis == "guidance"]
    g.sort(key=lambda f: (f.period.end, f.period.months or 0, f.char_start))
    return tuple(src.figure(f) for f in g)


def findings(lib, src: _Sources, doc: DocRow) -> tuple[tuple[FindingItem, ...] | None, int]:
    """Audit findings of the release (discrepancies and rounding), and how many checks passed."""
    try:
        found = lib.check(doc_id=doc.doc_id)
    except ModuleNotFoundError as e:
        if e.name and e.name.split(".")[0] == "qa":
            return None, 0
        raise
    items = []
    ok = 0
    for f in found:
        if f.status == "ok":
            ok += 1
            continue
        items.append(
            FindingItem(
                kind=f.kind,
                status=f.status,
                message=clean(f.message),
                computed=f.computed,
                stated=f.stated,
                formula=f.formula,
                sources=tuple(src.of_citation(c) for c in (f.citations or ())),
            )
        )
    items.sort(
        key=lambda i: (0 if i.status == "discrepancy" else 1, i.sources[0].char_start if i.sources else 0)
    )
    return tuple(items), ok


def passages(lib, doc: DocRow) -> tuple[Passage, ...]:
    """The executive's quote (a paragraph with a quote mark and 'said', or under an officer's heading)
    and up to two paragraphs on capital and liquidity, found with the search index."""
    html = doc.format == "html"
    out: list[Passage] = []
    quotes = []
    for h in lib.search(QUOTE_QUERY, doc_id=doc.doc_id, kind="paragraph", limit=20):
        said = SAID_RE.search(h.display)
        if not QUOTE_RE.search(h.display) or not (said or OFFICER_RE.search(h.section or "")):
            continue
        if BOILER_RE.search(h.section or ""):
            continue
        quotes.append((0 if said else 1, h.char_start, h))
    quotes.sort(key=lambda t: (t[0], t[1]))
    for _, _, h in sorted(quotes[:2], key=lambda t: t[1]):
        attribution = "" if SAID_RE.search(h.display) else clean(h.section).rstrip(":")
        out.append(
            Passage(
                "quote", clip_passage(h.display), attribution, passage_source(doc.doc_id, doc.path, h, html)
            )
        )
    taken = {p.source.char_start for p in out}
    n = 0
    for h in lib.search(CAPITAL_QUERY, doc_id=doc.doc_id, kind="paragraph", limit=15):
        text = clean(h.display)
        if h.char_start in taken or len(text) < 80 or not re.search(r"\d", text):
            continue
        if not CAPITAL_RE.search(text) or QUOTE_RE.match(text):
            continue
        if BOILER_RE.search(text) or BOILER_RE.search(h.section or ""):
            continue
        if re.search(r"(?i)\b(may|could|might|will depend)\b.*\b(impact|affect)", text):
            continue
        if any(_overlap(text, p.text) > 0.6 for p in out):
            continue
        taken.add(h.char_start)
        out.append(Passage("capital", clip_passage(text), "", passage_source(doc.doc_id, doc.path, h, html)))
        n += 1
        if n == 2:
            break
    return tuple(out)


def _overlap(a: str, b: str) -> float:
    """Share of the shorter text's words that the other text also has."""
    wa, wb = set(re.findall(r"\w+", a.lower())), set(re.findall(r"\w+", b.lower()))
    return len(wa & wb) / max(1, min(len(wa), len(wb)))


def trend(
    lib, src: _Sources, doc: DocRow, main: Period | None
) -> tuple[tuple[str, ...], tuple[TrendRow, ...]]:
    """Headline figures of each of the company's releases for its own main period (oldest first)."""
    if main is None:
        return (), ()
    docs = lib.store.documents(company=doc.company)
    if len(docs) < 2:
        return (), ()
    wanted = [(n, m) for n, m in KEY_ROWS if n in TREND_ROWS]
    by_end: dict[tuple[int, int], tuple[DocRow, Period, list]] = {}  # keyed by nominal (year, month) end
    # The briefed release first (its own period is its own), then the newest: a later release's
    # figures win over an earlier one's for the same period.
    docs.sort(key=lambda d: d.doc_id != doc.doc_id)
    for d in docs:
        facts = [f for f in lib.store.facts(doc_id=d.doc_id) if f.source == "table" and f.basis == "reported"]
        p = main_period(d, facts)
        if p is None or p.months != main.months or _ym(p.end) in by_end:
            continue
        this, _, _ = _wants(p, False)
        picked = [_pick(facts, metrics, this, None) for _, metrics in wanted]
        if any(picked):
            by_end[_ym(p.end)] = (d, p, picked)
    if len(by_end) < 2:
        return (), ()
    used = [i for i in range(len(wanted)) if any(v[2][i] for v in by_end.values())]
    if not used:
        return (), ()
    rows = []
    for end in sorted(by_end):
        d, p, picked = by_end[end]
        figs = tuple(src.figure(picked[i]) if picked[i] else None for i in used)
        rows.append(TrendRow(p.label, p.end, d.release_date, d.doc_id, figs))
    return tuple(wanted[i][0] for i in used), tuple(rows)


def chart_panels(
    key: KeyFigures, metrics: tuple[str, ...], rows: tuple[TrendRow, ...], doc_id: str = ""
) -> tuple[tuple[ChartPanel, ...], str]:
    """Bar charts of headline metrics across periods: the company's releases (the trend) or the
    release's own comparison columns, whichever shows more periods."""
    from_trend = []
    for i, name in enumerate(metrics):
        have = [r for r in rows if r.figures[i] is not None]
        pts = tuple((r.period, r.figures[i].value) for r in have)
        unit = have[0].figures[i].unit if have else "USD"
        mine = next((j for j, r in enumerate(have) if r.doc_id == doc_id), None)
        if len(pts) >= 2 and name != "Earnings per share":
            from_trend.append(ChartPanel(name, unit, pts, mine))
    from_release = []
    by_name = {r.name: r for r in key.rows}
    for r in (by_name[n] for n in CHART_ROWS if n in by_name):
        figs = sorted(
            (f for f in (r.prior_year, r.prior_quarter, r.current) if f is not None),
            key=lambda f: f.period_end,
        )
        if len(figs) >= 2:
            pts = tuple((f.period, f.value) for f in figs)
            from_release.append(ChartPanel(r.name, figs[0].unit, pts, figs.index(r.current)))

    def periods(ps):
        return max((len(p.points) for p in ps), default=0)

    if from_trend and periods(from_trend) >= periods(from_release):
        return tuple(from_trend[:3]), "trend"
    return tuple(from_release[:3]), ("release" if from_release else "")


def build_briefing(lib, doc_id: str | None = None, company: str | None = None) -> Briefing:
    """The briefing of one release (see choose_document for which)."""
    doc = choose_document(lib, doc_id, company)
    src = _Sources(lib)
    facts = lib.store.facts(doc_id=doc.doc_id)
    main = main_period(doc, facts)
    head = Headline(
        company=clean(doc.company),
        ticker=clean(doc.ticker),
        period=(main.label if main else clean(doc.main_period)) or "",
        release_date=doc.release_date,
        title=clean(doc.title),
        doc_id=doc.doc_id,
        file=Path(doc.path).name,
        exhibit=clean(doc.exhibit),
    )
    key = key_figures(src, facts, main)
    found, ok = findings(lib, src, doc)
    t_metrics, t_rows = trend(lib, src, doc, main)
    panels, basis = chart_panels(key, t_metrics, t_rows, doc.doc_id)
    return Briefing(
        headline=head,
        key=key,
        guidance=guidance(src, facts),
        findings=found,
        checks_passed=ok,
        passages=passages(lib, doc),
        trend_metrics=t_metrics,
        trend=t_rows,
        chart=panels,
        chart_basis=basis,
    )


# --- writing files ----------------------------------------------------------------------------------


def output_format(path: Path) -> str:
    """'md', 'html' or 'pdf' from the output file's suffix."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UsageError(f"cannot tell the format of {path.name!r}: name the output .md, .html or .pdf")
    return fmt


def read_template(template: str | Path | None) -> str | None:
    """The user's Markdown template, or None for the default layout."""
    if template is None:
        return None
    p = Path(template)
    try:
        return p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        reason = getattr(e, "strerror", None) or str(e)
        raise UsageError(f"cannot read template {p}: {reason}") from None


def _write(path: Path, data: bytes) -> None:
    """Write a file atomically (a temporary file in the same folder, then renamed)."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise RenderError(f"cannot write {path}: folder {folder} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        # mkstemp makes the file private (0600); a briefing is shared like any file the user writes
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except OSError as e:
        raise RenderError(f"cannot write {path}: {e.strerror or e}") from None


def render(briefing: Briefing, fmt: str, *, template: str | None = None, page: str = "a4", chart_href=None):
    """The briefing as Markdown text, an HTML document, or PDF bytes (with the fetcher used)."""
    from . import chart, html, markdown

    svg = chart.render_svg(briefing.chart) if briefing.chart else None
    if fmt == "md":
        return markdown.to_markdown(briefing, template=template, chart=chart_href if svg else None)
    doc = markdown.to_markdown(briefing, template=template, chart=html.CHART_MARKER if svg else None)
    title = markdown.title_of(briefing)
    if fmt == "html":
        return html.to_html(doc, title=title, svg=svg, page=page, stylesheet="inline")
    from . import pdf

    page_html = html.to_html(doc, title=title, svg=svg, page=page, stylesheet="link")
    return pdf.to_pdf(page_html)


def markdown_chart_used(text: str, name: str) -> bool:
    """Whether the Markdown refers to the chart file (a template may leave the chart out)."""
    from urllib.parse import quote

    return f"]({quote(name)})" in text


def render_to_file(
    lib,
    output: str | Path,
    *,
    doc_id: str | None = None,
    company: str | None = None,
    template: str | Path | None = None,
    page: str = "a4",
) -> Path:
    """Write the briefing of a release to `output` (.md, .html or .pdf); returns the path written."""
    output = Path(output)
    fmt = output_format(output)
    if page not in PAGES:
        raise UsageError(f"unknown page size {page!r}: use a4 or letter")
    tpl = read_template(template)
    b = build_briefing(lib, doc_id=doc_id, company=company)
    if fmt == "md":
        svg_path = output.with_suffix(".svg")
        text = render(b, "md", template=tpl, page=page, chart_href=svg_path.name)
        if b.chart and markdown_chart_used(text, svg_path.name):
            from .chart import render_svg

            _write(svg_path, render_svg(b.chart).encode("utf-8"))
        _write(output, text.encode("utf-8"))
    elif fmt == "html":
        _write(output, render(b, "html", template=tpl, page=page).encode("utf-8"))
    else:
        data, _fetcher = render(b, "pdf", template=tpl, page=page)
        _write(output, data)
    return output
