"""Briefing → Markdown: sections with footnotes `[^n]` that cite every figure to its source.

Every word that comes from a release is escaped, so a release cannot add
Markdown structure (links, images, emphasis, table cells, footnotes) to the
briefing. A template is Markdown with placeholders (`{{key_figures}}` ...);
each expands to a whole section with its own heading, or to nothing when the
release has nothing for it. Footnotes are numbered in reading order.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from index.errors import UsageError

from .briefing import Briefing, Figure, KeyFigures
from .sources import Source, clean

PLACEHOLDERS = ("headline", "key_figures", "chart", "guidance", "findings", "passages", "trend", "footnotes")
PLACEHOLDER_RE = re.compile(r"\{\{\s*([A-Za-z_]+)\s*\}\}")

DEFAULT_TEMPLATE = """\
{{headline}}

{{key_figures}}

{{chart}}

{{guidance}}

{{findings}}

{{passages}}

{{trend}}

{{footnotes}}
"""

_ESC_RE = re.compile(r"([\\`*_\[\]<>|&~^])")
_BLOCK_START_RE = re.compile(r"^(\s*)([#+\-=>*]|\d+[.)])")
STATUS_NAMES = {"discrepancy": "Discrepancy", "rounding": "Holds only after rounding"}
ACRONYMS = ("ebitda", "eps", "sg&a", "r&d", "d&a", "gaap")


def esc(s: str | None) -> str:
    """Release text made literal for Markdown inline content (one line, punctuation escaped)."""
    return _ESC_RE.sub(r"\\\1", clean(s or ""))


def esc_block(s: str | None) -> str:
    """Like esc, and a line start that would open a heading, list or quote is escaped too."""
    t = esc(s)
    m = _BLOCK_START_RE.match(t)
    if m:
        mark = m.group(2)
        t = t[: m.end(1)] + (mark[:-1] + "\\" + mark[-1] if mark[0].isdigit() else "\\" + mark) + t[m.end() :]
    return t


def metric_name(metric: str) -> str:
    """'adjusted ebitda' → 'Adjusted EBITDA'."""
    n = metric[:1].upper() + metric[1:]
    for a in ACRONYMS:
        n = re.sub(rf"(?i)(?<![\w&]){re.escape(a)}(?![\w&])", a.upper(), n)
    return n


def title_of(b: Briefing) -> str:
    """The document title: company and period."""
    h = b.headline
    return f"{h.company} \u2014 {h.period} briefing" if h.period else f"{h.company} briefing"


def _code(name: str) -> str:
    return f"`{name}`" if "`" not in name and name.strip() == name else esc(name)


class Notes:
    """Footnotes in order of first reference; the same citation is one footnote."""

    def __init__(self):
        self._keys: dict[tuple, int] = {}
        self._defs: list[str] = []

    def ref(self, source: Source) -> str:
        """The marker `[^n]` of a source's footnote (defined on first use)."""
        n = self._keys.get(source.key)
        if n is None:
            n = len(self._defs) + 1
            self._keys[source.key] = n
            self._defs.append(f"[^{n}]: {self.define(source)}")
        return f"[^{n}]"

    @staticmethod
    def define(s: Source) -> str:
        """File name, line(s) (and characters, for HTML's long lines) and the quoted text, figure in bold."""
        where = f"{_code(s.file)}, {s.lines}"
        if s.html:
            where += f", characters {s.char_start}\u2013{s.char_end}"
        if not s.quote:
            return where + "."
        before, fig, after = esc(s.before), esc(s.figure), esc(s.after)
        # esc() folds white space away at the ends; keep the separators the Source recorded.
        before = (" " if s.before[:1] == " " else "") + before + (" " if s.before[-1:] == " " else "")
        after = (" " if s.after[:1] == " " else "") + after
        body = f"{before}**{fig}**{after}" if _can_bold(s.before, s.figure, s.after) else before + fig + after
        return f"{where}: \u201c{body.strip()}\u201d"

    def definitions(self) -> str:
        """All footnote definitions, one a line."""
        return "\n".join(self._defs)

    def __len__(self) -> int:
        return len(self._defs)


def _punct(c: str) -> bool:
    return bool(c) and unicodedata.category(c)[0] in "PS"


def _can_bold(before: str, figure: str, after: str) -> bool:
    """Whether `**figure**` between these texts is strong emphasis (CommonMark flanking rules)."""
    if not figure or figure[0].isspace() or figure[-1].isspace():
        return False
    prev, first, last, nxt = before[-1:], figure[0], figure[-1], after[:1]
    opens = not _punct(first) or not prev or prev.isspace() or _punct(prev)
    closes = not _punct(last) or not nxt or nxt.isspace() or _punct(nxt)
    return opens and closes


def _cell(f: Figure | None, notes: Notes) -> str:
    return "\u2014" if f is None else f"{esc(f.text)}{notes.ref(f.source)}"


def _table(header: list[str], align: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


# --- sections ----------------------------------------------------------------------------------


def headline(b: Briefing, notes: Notes) -> str:
    """Company and period as the title, then the release's title, date and file."""
    h = b.headline
    dash = " \u2014 " + esc(h.period) if h.period else ""
    out = [f"# {esc(h.company)}{dash}"]
    if h.title:
        out.append(f"**{esc(h.title)}**")
    facts = []
    if h.release_date:
        facts.append(f"Released {esc(h.release_date)}")
    if h.ticker:
        facts.append(f"ticker {esc(h.ticker)}")
    facts.append(f"{esc(h.exhibit) + ' in ' if h.exhibit else 'source '}{_code(h.file)}")
    out.append(" \u00b7 ".join(facts))
    out.append(
        "Every figure below was printed in the release: its footnote gives the file, the line and the "
        "quoted text, with the figure in bold. Changes marked *derived* are computed from two cited "
        "figures by the formula stated with them."
    )
    return "\n\n".join(out)


def key_figures(b: Briefing, notes: Notes) -> str:
    """This period vs prior-year period vs prior quarter, with derived changes."""
    k: KeyFigures = b.key
    title = "## Key figures"
    if not k.rows:
        return (
            f"{title}\n\nThe release's tables print none of the key figures (revenue, margins, "
            "expenses, income, earnings per share, cash) for its main period."
        )
    header = ["", esc(k.period)]
    align = [":--", "--:"]
    if k.prior_year:
        header += [esc(k.prior_year), "Change (derived)"]
        align += ["--:", "--:"]
    if k.prior_quarter:
        header += [esc(k.prior_quarter), "Change (derived)"]
        align += ["--:", "--:"]
    rows = []
    for r in k.rows:
        cells = [esc(r.name), _cell(r.current, notes)]
        if k.prior_year:
            cells += [_cell(r.prior_year, notes), r.change_year.text if r.change_year else "\u2014"]
        if k.prior_quarter:
            cells += [_cell(r.prior_quarter, notes), r.change_quarter.text if r.change_quarter else "\u2014"]
        rows.append(cells)
    notes_text = []
    if k.prior_year or k.prior_quarter:
        notes_text.append(
            "*Change (derived)*: (this period \u2212 comparison period) / |comparison period| \u00d7 100, "
            "computed from the two cited figures; not printed in the release."
        )
    if any(r.name == "Cash" for r in k.rows):
        notes_text.append("Cash is stated at the end of each period.")
    return "\n\n".join([title, _table(header, align, rows), " ".join(notes_text)]).strip()


def guidance(b: Briefing, notes: Notes) -> str:
    """The release's outlook (ranges as printed)."""
    if not b.guidance:
        return ""
    rows = [[esc(metric_name(f.metric)), esc(f.period), _cell(f, notes)] for f in b.guidance]
    return "## Guidance\n\n" + _table(["Metric", "Period", "Outlook"], [":--", ":--", "--:"], rows)


def _value(v) -> str:
    if isinstance(v, bool) or v is None:
        return str(v)
    if isinstance(v, int | float):
        return f"{v:,.2f}".rstrip("0").rstrip(".") if isinstance(v, float) else f"{v:,}"
    return clean(str(v))


def findings(b: Briefing, notes: Notes) -> str:
    """Audit findings: discrepancies and rounding, with their citations; a count of checks that agree."""
    if b.findings is None:
        return ""
    out = ["## Audit findings"]
    rounding = sum(1 for f in b.findings if f.status == "rounding")
    total = b.checks_passed + len(b.findings)
    if total:
        out.append(
            f"The consistency audit checked {total} figures: {b.checks_passed} hold, {rounding} hold only "
            f"after rounding, {len(b.findings) - rounding} do not."
        )
    else:
        out.append("The consistency audit found no totals, reconciliations or stated changes to check.")
    if not b.findings:
        return "\n\n".join(out)
    items = []
    for f in b.findings:
        status = STATUS_NAMES.get(f.status, f.status.capitalize())
        parts = [f"**{esc(status)}** ({esc(f.kind.replace('_', ' '))}): {esc(f.message.rstrip('.'))}."]
        if f.formula and any(clean(part) not in clean(f.message) for part in f.formula.split(" | ")):
            parts.append(f"Formula: {esc(f.formula)}.")
        if not f.formula and (f.stated is not None or f.computed is not None):
            parts.append(f"Stated {esc(_value(f.stated))}; computed {esc(_value(f.computed))}.")
        refs = "".join(notes.ref(s) for s in f.sources)
        items.append("- " + " ".join(parts) + refs)
    out.append("\n".join(items))
    return "\n\n".join(out)


def passages(b: Briefing, notes: Notes) -> str:
    """The executive's quote and capital/liquidity paragraphs, quoted with their source."""
    if not b.passages:
        return ""
    out = ["## Notable passages"]
    quotes = [p for p in b.passages if p.kind == "quote"]
    capital = [p for p in b.passages if p.kind == "capital"]
    for heading, group in (("Management's remarks", quotes), ("Capital and liquidity", capital)):
        if not group:
            continue
        out.append(f"### {heading}")
        for p in group:
            out.append(f"> {esc_block(p.text)}{notes.ref(p.source)}")
            if p.attribution:
                out.append(f"\u2014 {esc(p.attribution)}")
    return "\n\n".join(out)


def trend(b: Briefing, notes: Notes) -> str:
    """The company's releases in the store: each one's main period and headline figures."""
    if not b.trend:
        return ""
    header = ["Period", "Released"] + [esc(m) for m in b.trend_metrics]
    align = [":--", ":--"] + ["--:"] * len(b.trend_metrics)
    rows = []
    for r in b.trend:
        mark = " (this release)" if r.doc_id == b.headline.doc_id else ""
        rows.append([esc(r.period) + mark, esc(r.release_date or "")] + [_cell(f, notes) for f in r.figures])
    return (
        "## Trend across releases\n\n"
        f"{_table(header, align, rows)}\n\n"
        "Each release's figures for its own period, as printed in that release."
    )


def chart_section(b: Briefing, notes: Notes, target: str | None) -> str:
    """The chart: an image link (Markdown files) or our marker replaced by inline SVG (HTML, PDF)."""
    if not b.chart or not target:
        return ""
    what = ", ".join(p.title for p in b.chart)
    where = "the trend table" if b.chart_basis == "trend" else "the key figures table"
    if target.startswith("EXHIBIT-CHART-"):
        body = target
    else:
        body = f"![Bar charts of {esc(what)} by period]({quote(target)})"
    return (
        f"## Headline metrics\n\n{body}\n\n"
        f"*Bars show {esc(what)} by period, oldest first, rounded; the exact figures and their sources "
        f"are in {where}.*"
    )


SECTIONS = {
    "headline": headline,
    "key_figures": key_figures,
    "guidance": guidance,
    "findings": findings,
    "passages": passages,
    "trend": trend,
}


def to_markdown(b: Briefing, template: str | None = None, chart: str | None = None) -> str:
    """The briefing as Markdown, laid out by `template` (the default layout when None).

    `chart` is what the chart placeholder shows: an image file name for a
    Markdown file, or html.CHART_MARKER for HTML and PDF (replaced by SVG).
    """
    tpl = DEFAULT_TEMPLATE if template is None else template
    unknown = sorted({m.group(1) for m in PLACEHOLDER_RE.finditer(tpl)} - set(PLACEHOLDERS))
    if unknown:
        raise UsageError(
            f"unknown template placeholder {{{{{unknown[0]}}}}}; known: "
            + ", ".join("{{" + p + "}}" for p in PLACEHOLDERS)
        )
    notes = Notes()
    done: dict[str, str] = {}
    footnote_mark = "\x00FOOTNOTES\x00"

    def fill(m: re.Match) -> str:
        name = m.group(1)
        if name == "footnotes":
            return footnote_mark
        if name not in done:
            if name == "chart":
                done[name] = chart_section(b, notes, chart)
            else:
                done[name] = SECTIONS[name](b, notes)
        return done[name]

    body = PLACEHOLDER_RE.sub(fill, tpl.replace("\x00", ""))
    defs = notes.definitions()
    if footnote_mark in body:
        body = body.replace(footnote_mark, defs)
    elif defs:
        body = body.rstrip("\n") + "\n\n" + defs + "\n"
    body = re.sub(r"\n{3,}", "\n\n", body).strip("\n") + "\n"
    return body
