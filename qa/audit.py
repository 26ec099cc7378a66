"""`exhibit check`: a release audited against itself.

- prose vs tables: each figure stated in a sentence matched to its table cell, after the prose's rounding
  ("$17.5 million" vs 17,549 thousand);
- footings: total rows equal the sum of the rows they total (per column);
- reconciliations: the starting measure plus the adjustments gives the GAAP figure, through subtotals;
- stated changes: "improving 17%" vs (17,549 − 21,128) / 21,128, computed from the tables and from the
  rounded prose figures; when only the rounded figures give the stated change, that is reported with both.

Pure over a document's text: the release is segmented and its facts extracted again, with the same code
as at ingest, so every finding cites exact spans.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from index.model import Document, Row, Table
from index.numbers import parse_number, precision
from index.segments import segment

from .citations import citation
from .facts import Fact, extract, fiscal_calendar, main_period
from .periods import Period, find_periods, make_period
from .prose import resolve

STATUS_ORDER = {"discrepancy": 0, "rounding": 1, "ok": 2}


@dataclass(frozen=True)
class Finding:
    """One audit result: what was checked, whether it holds, both numbers, the formula, the places."""

    kind: str  # prose_vs_table | footing | reconciliation | stated_change
    status: str  # ok | rounding | discrepancy
    doc_id: str
    message: str
    computed: float | None
    stated: float | None
    formula: str
    citations: tuple[dict, ...]


def load_document(lib, doc_id: str) -> Document | None:
    """A stored document rebuilt with its source text (for re-segmenting)."""
    d = lib.store.document(doc_id)
    if d is None:
        return None
    return Document(
        doc_id=d.doc_id,
        path=d.path,
        sha256=d.sha256,
        format=d.format,
        company=d.company,
        title=d.title,
        release_date=d.release_date,
        fiscal_year_end=d.fiscal_year_end,
        text=lib.text_for(d.sha256),
        body_start=d.body_start,
        body_end=d.body_end,
        is_html=d.format == "html",
        exhibit=d.exhibit,
        ticker=d.ticker,
    )


def audit(lib, doc_id: str | None = None, company: str | None = None) -> list[Finding]:
    """Findings for one document, a company's documents, or every document in the store."""
    if doc_id:
        d = lib.store.document(doc_id)
        if d is None:
            from index.errors import UsageError

            raise UsageError(f"no document {doc_id!r} in the store (see `exhibit docs`)")
        ids = [d.doc_id]
    else:
        ids = [d.doc_id for d in lib.store.documents(company=company)]
    out: list[Finding] = []
    for i in ids:
        doc = load_document(lib, i)
        if doc is not None:
            out.extend(audit_document(doc))
    return out


def audit_document(doc: Document) -> list[Finding]:
    """Every check on one release. Pure."""
    segs, tables = segment(doc)
    facts = extract(doc, segs, tables)
    cal = fiscal_calendar(doc)
    main = main_period(facts, doc, cal)
    ctx = _Ctx(doc, facts, tables, cal, main)
    out = prose_vs_table(ctx) + stated_changes(ctx) + footings(ctx) + reconciliations(ctx)
    return out


@dataclass
class _Ctx:
    doc: Document
    facts: list[Fact]
    tables: list[Table]
    cal: object
    main: Period | None

    def cite_fact(self, f: Fact) -> dict:
        return citation(
            self.doc.text,
            self.doc.path,
            self.doc.doc_id,
            f.cite_start,
            f.cite_end,
            f.cite_kind,
            self.doc.is_html,
            figure_start=f.char_start,
            figure_end=f.char_end,
            figure_text=self.doc.text[f.char_start : f.char_end],
        )

    def cite_row(self, r: Row) -> dict:
        return citation(
            self.doc.text, self.doc.path, self.doc.doc_id, r.start, r.end, "table_row", self.doc.is_html
        )

    def line(self, f: Fact) -> str:
        return f"{Path(self.doc.path).name}:{self.doc.text.count(chr(10), 0, f.char_start) + 1}"

    def table_fact(self, metric: str, period: Period) -> Fact | None:
        cands = [
            f
            for f in self.facts
            if f.source == "table"
            and f.basis == "reported"
            and f.metric == metric
            and _same_period(f.period, period)
        ]
        cands.sort(key=lambda f: (f.table if f.table is not None else 999, f.char_start))
        return cands[0] if cands else None


QUALIFIERS = (
    "average",
    "underlying",
    "non-gaap",
    "attributable",
    "pro forma",
    "constant currency",
    "period-end",
)


def _qualified_differently(prose: Fact, table: Fact) -> bool:
    """ "Average deposits" in a sentence is not the table's period-end "Deposits" (and so on)."""
    clause = prose.label.lower()[-80:]
    row = (table.label + " " + table.context).lower()
    return any((q in clause) != (q in row) for q in QUALIFIERS)


def _same_period(a: Period, b: Period) -> bool:
    if a.kind != b.kind:
        return False
    if a.end != b.end:
        da, db = date.fromisoformat(a.end), date.fromisoformat(b.end)
        if abs((da - db).days) > 7:
            return False
    return a.kind == "instant" or a.months == b.months


def _unique(cits: list[dict]) -> tuple[dict, ...]:
    """Citations without repeats of the same span."""
    seen, out = set(), []
    for c in cits:
        if (c["path"], c["char_start"], c["char_end"]) not in seen:
            seen.add((c["path"], c["char_start"], c["char_end"]))
            out.append(c)
    return tuple(out)


def _fmt(v: float) -> str:
    """A number as a release would print it: thousands separators, negatives in parentheses."""
    s = f"{abs(v):,.2f}".rstrip("0").rstrip(".") if v != int(v) else f"{abs(v):,.0f}"
    return f"({s})" if v < 0 else s


def _p(s: str) -> str:
    return " ".join(s.split())


# --- prose vs tables -------------------------------------------------------------------------


def prose_vs_table(ctx: _Ctx) -> list[Finding]:
    """Each stated figure against the table cell for the same metric and period."""
    out = []
    for p in ctx.facts:
        if (
            p.source != "prose"
            or p.basis != "reported"
            or p.metric.endswith("change")
            or "change %" in p.metric
        ):
            continue
        t = ctx.table_fact(p.metric, p.period)
        if t is None or t.unit != p.unit or _qualified_differently(p, t):
            continue
        n = parse_number(p.as_printed)
        tol = precision(n) if n else 0.0
        diff = abs(abs(p.value) - abs(t.value))
        t_n = parse_number(t.as_printed)
        t_tol = precision(t_n) * t.scale if t_n else 0.0
        if diff > 0.1 * max(abs(t.value), 1e-9):
            continue  # not the same figure (another line item or period): nothing to compare
        if diff > tol + 1e-9 and (tol <= t_tol or diff > 0.02 * abs(t.value)):
            # Printed as precisely as the table yet different, or far off: another line item (an
            # average, an "attributable to" total, an adjusted figure), not a misstatement.
            continue
        ok = diff <= tol + 1e-9
        msg = (
            f"{p.metric} {p.period.label}: the text's {_p(p.as_printed)!r} ({ctx.line(p)}) "
            f"{'agrees with' if ok else 'does not round from'} the table's {t.as_printed!r} ({ctx.line(t)})"
        )
        out.append(
            Finding(
                "prose_vs_table",
                "ok" if ok else "discrepancy",
                ctx.doc.doc_id,
                msg,
                t.value,
                p.value,
                f"|{_fmt(abs(p.value))} − {_fmt(abs(t.value))}| = {_fmt(diff)} ≤ {_fmt(tol)}"
                if ok
                else f"|{_fmt(abs(p.value))} − {_fmt(abs(t.value))}| = {_fmt(diff)} > {_fmt(tol)}",
                (ctx.cite_fact(p), ctx.cite_fact(t)),
            )
        )
    return out


# --- stated changes --------------------------------------------------------------------------


def stated_changes(ctx: _Ctx) -> list[Finding]:
    """Stated % and amount changes against the tables and against the text's own rounded figures."""
    out = []
    by_sentence: dict[int, list[Fact]] = {}
    for f in ctx.facts:
        if f.source == "prose":
            by_sentence.setdefault(f.cite_start, []).append(f)
    for sent in by_sentence.values():
        sent.sort(key=lambda f: f.char_start)
        for c in sent:
            if c.basis != "reported" or not (c.metric.endswith(" change %") or c.metric.endswith(" change")):
                continue
            pct = c.metric.endswith(" change %")
            base_metric = c.metric.removesuffix(" change %").removesuffix(" change")
            finding = _check_change(ctx, c, sent, base_metric, pct)
            if finding:
                out.append(finding)
    return out


def _check_change(ctx: _Ctx, c: Fact, sent: list[Fact], metric: str, pct: bool) -> Finding | None:
    levels = [f for f in sent if f.metric == metric and f.unit in ("USD", "USD/share")]
    # The sentence's subject figure is the current one: "X was $A in P1, up a% over ... and b% over ...".
    cur = next((f for f in levels if f.char_start < c.char_start), None)
    base, base_period = _comparison(ctx, c, levels)
    cur_period = cur.period if cur else ctx.main
    if cur_period is None or base_period is None or cur_period == base_period:
        return None
    if cur_period.kind != base_period.kind or cur_period.months != base_period.months:
        return None  # a quarter against a year: we did not read the comparison right
    tc, tb = _table_value(ctx, metric, cur_period), _table_value(ctx, metric, base_period)
    if tc is None or tb is None or tb[0] == 0:
        return None
    if any(x[1] is not None and _qualified_differently(c, x[1]) for x in (tc, tb)):
        return None
    stated = abs(c.value)
    if pct:
        table_calc = abs((tc[0] - tb[0]) / abs(tb[0]) * 100)
        prose_calc = (
            abs((cur.value - base.value) / abs(base.value) * 100) if cur and base and base.value else None
        )
        d = parse_number(c.as_printed).decimals if parse_number(c.as_printed) else 0
        holds = lambda x: x is not None and abs(round(x, d) - stated) < 10**-d / 2 + 1e-9  # noqa: E731
        unit = "%"
    else:
        table_calc = abs(tc[0] - tb[0])
        prose_calc = abs(cur.value - base.value) if cur and base else None
        n = parse_number(c.as_printed)
        tol = precision(n) if n else 0
        holds = lambda x: x is not None and abs(x - stated) <= tol + 1e-9  # noqa: E731
        unit = ""
    f_table = (
        f"({_fmt(tc[0] / tc[2])} − {_fmt(tb[0] / tb[2])}) / {_fmt(abs(tb[0] / tb[2]))} = {table_calc:.2f}%"
        if pct
        else f"{_fmt(tc[0])} − {_fmt(tb[0])} = {_fmt(table_calc)}"
    )
    f_prose = ""
    if prose_calc is not None:
        a, b = _p(cur.as_printed), _p(base.as_printed)
        f_prose = f"({a} − {b}) / {b} = {prose_calc:.2f}%" if pct else f"{a} − {b} = {_fmt(prose_calc)}"
    if holds(table_calc):
        status, how = "ok", f"the tables give {f_table}"
    elif holds(prose_calc):
        status, how = (
            "rounding",
            f"the tables give {f_table}; only the text's rounded figures give it: {f_prose}",
        )
    elif not (stated / 2 <= table_calc <= stated * 2):
        return None  # too far off to be the same comparison: more likely our reading than the release's error
    else:
        status, how = (
            "discrepancy",
            f"the tables give {f_table}" + (f"; the text's figures give {f_prose}" if f_prose else ""),
        )
    what = _p(c.as_printed) + ("" if pct else " change")
    msg = (
        f"{metric} {cur_period.label} vs {base_period.label}: the text states {what!r} ({ctx.line(c)}); {how}"
    )
    cits = _unique([ctx.cite_fact(c)] + [ctx.cite_fact(x) for x in (tc[1], tb[1]) if x is not None])
    return Finding(
        "stated_change",
        status,
        ctx.doc.doc_id,
        msg,
        table_calc,
        stated,
        f_table + (f" | {f_prose}" if f_prose else "") + unit * 0,
        tuple(cits),
    )


def _comparison(ctx: _Ctx, c: Fact, levels: list[Fact]) -> tuple[Fact | None, Period | None]:
    """What a stated change compares with: the next figure of the metric, or the period named first after it
    ("a $9.7 million improvement over the first quarter of 2003")."""
    text = ctx.doc.text[c.char_end : c.cite_end]
    nxt = next((f for f in levels if f.char_start >= c.char_end), None)
    ps = [p for p in find_periods(text) if p.span[0] < 80]
    if ps and (nxt is None or c.char_end + ps[0].span[0] < nxt.char_start):
        return None, resolve(ps[0], ctx.cal, ctx.main)
    return nxt, (nxt.period if nxt else None)


def _table_value(ctx: _Ctx, metric: str, period: Period) -> tuple[float, Fact | None, float] | None:
    """(value, its fact, its scale) of a metric in the tables; working capital derived from its parts."""
    if metric == "working capital":
        inst = make_period(date.fromisoformat(period.end), None, ctx.cal)
        ca, cl = (
            ctx.table_fact("total current assets", inst),
            ctx.table_fact("total current liabilities", inst),
        )
        if ca and cl:
            return ca.value - cl.value, None, ca.scale
        return None
    if period.kind == "duration" and metric in ("cash", "total assets"):
        period = make_period(date.fromisoformat(period.end), None, ctx.cal)
    f = ctx.table_fact(metric, period)
    return (f.value, f, f.scale) if f else None


# --- footings ----------------------------------------------------------------------------------


def _is_total(r: Row) -> bool:
    return bool(re.match(r"(?i)^\s*total\b", r.label))


def footings(ctx: _Ctx) -> list[Finding]:
    """Total rows against the sum of the rows (or subtotals) they total, column by column."""
    out = []
    for t in ctx.tables:
        if re.search(r"(?i)reconcil", t.caption + " ".join(b.title for b in t.bands)):
            continue
        rows = list(t.rows)
        for k, r in enumerate(rows):
            if not _is_total(r):
                continue
            named = _named_totals(rows, k)
            candidates = [a for a in (named or _addends(rows, k), _contiguous(rows, k)) if len(a) >= 2]
            header_of = t.bands[r.band].columns
            for cell in r.cells:
                total = parse_number(cell.as_printed)
                header = " ".join(header_of[cell.col].header) if cell.col < len(header_of) else ""
                if (
                    total is None
                    or total.is_percent
                    or re.search(r"(?i)%|change|increase|decrease|percent", header)
                ):
                    continue
                best = None
                for addends in candidates:
                    parts = [next((c for c in a.cells if c.col == cell.col), None) for a in addends]
                    vals = [parse_number(p.as_printed) if p else None for p in parts]
                    if any(v is None or v.is_percent for v in vals) or any(
                        re.fullmatch(r"(19|20)\d\d", p.as_printed.strip()) for p in parts
                    ):
                        continue  # a year read as a figure: the row is not what we think it is
                    diff = abs(sum(v.value for v in vals) - total.value)
                    if best is None or diff < best[0]:
                        best = (diff, addends, parts, vals)
                if best is None:
                    continue
                diff, addends, parts, vals = best
                s = sum(v.value for v in vals)
                # A large miss means we misread the table's structure, not that the release is wrong;
                # "Total A and B" may have unprinted items between A and B: only an exact match counts.
                if diff > 0.01 * max(abs(total.value), 1) or (named and addends is named and diff > 1e-6):
                    continue
                tol = 0.5 * len(vals) * (10**-total.decimals)
                status = "ok" if diff < 1e-6 else ("rounding" if diff <= tol else "discrepancy")
                formula = " + ".join(p.as_printed for p in parts) + f" = {_fmt(s)} vs {total.as_printed}"
                msg = f"{r.label} ({header or 'column ' + str(cell.col + 1)}): {formula}" + (
                    "" if status == "ok" else f" (off by {_fmt(diff)})"
                )
                cits = (ctx.cite_row(r),) + tuple(ctx.cite_row(a) for a in addends)
                out.append(Finding("footing", status, ctx.doc.doc_id, msg, s, total.value, formula, cits))
    return out


def _named_totals(rows: list[Row], k: int) -> list[Row]:
    """ "Total liabilities and equity" = "Total liabilities" + "Total equity", where both are printed."""
    m = re.match(r"(?i)^total\s+(.+?)\s+and\s+(.+)$", rows[k].label)
    if not m:
        return []
    names = {"total " + m.group(1).lower(), "total " + m.group(2).lower()}
    named = [r for r in rows[:k] if r.label.lower().rstrip(":") in names]
    return named if len(named) == 2 else []


def _contiguous(rows: list[Row], k: int) -> list[Row]:
    """The rows right above a total, back to the previous total of its band."""
    out = []
    for r in reversed(rows[:k]):
        if r.band != rows[k].band or _is_total(r):
            break
        out.append(r)
    return out[::-1]


def _addends(rows: list[Row], k: int) -> list[Row]:
    """The rows a total row at index k totals: its section's items, or its subsections' subtotals."""
    t = rows[k]
    p = t.parents
    items: list[Row] = []
    child_totals: dict[tuple, Row] = {}
    for r in reversed(rows[:k]):
        if r.band != t.band:
            break
        if _is_total(r) and r.parents == p:
            break  # the previous total at this level closes this one's range
        if r.parents == p and not _is_total(r):
            items.append(r)
        elif len(r.parents) == len(p) + 1 and r.parents[: len(p)] == p:
            if _is_total(r):
                child_totals.setdefault(r.parents, r)
            else:
                items.append(r)
    kept = [r for r in items if r.parents == p or r.parents not in child_totals]
    kept += list(child_totals.values())
    return sorted(kept, key=lambda r: r.start)


# --- reconciliations ---------------------------------------------------------------------------


def reconciliations(ctx: _Ctx) -> list[Finding]:
    """Reconciliation blocks: start + adjustments (through subtotals) = the GAAP figure, per column."""
    out = []
    for t in ctx.tables:
        for bi, band in enumerate(t.bands):
            if not re.search(r"(?i)reconcil", band.title + " " + (t.caption if len(t.bands) == 1 else "")):
                continue
            rows = [r for r in t.rows if r.band == bi]
            if len(rows) < 3:
                continue
            for col in range(len(band.columns)):
                f = _reconcile(ctx, rows, col, " ".join(band.columns[col].header))
                if f:
                    out.append(f)
    return out


def _reconcile(ctx: _Ctx, rows: list[Row], col: int, header: str) -> Finding | None:
    vals = []
    for r in rows:
        c = next((c for c in r.cells if c.col == col), None)
        n = parse_number(c.as_printed) if c else None
        if n is None:
            return None
        if (
            n.is_percent
            or re.search(r"(?i)per share|%|\bratio\b|\bshares\b", r.label)
            or (n.decimals and abs(n.value) < 100)
        ):
            return None  # reconciliations add money; a ratio or per-share line means this is another kind of table
        v = -abs(n.value) if re.match(r"(?i)^\s*less\b", r.label) else n.value
        vals.append((r, v, c.as_printed))
    running = vals[0][1]
    steps = [vals[0][2]]
    for _r, v, printed in vals[1:-1]:
        if abs(v - running) <= 0.5:
            steps.append(f"= {printed};")  # a subtotal restates the running sum
            running = v
        else:
            running += v
            steps.append(f"+ {printed}")
    end_r, end_v, end_p = vals[-1]
    diff = abs(running - end_v)
    if len(vals) > 25 or diff > 0.01 * max(abs(end_v), 1):
        return None  # not a reconciliation we can read (a long table titled so, or rows we misread)
    status = "ok" if diff < 1e-6 else ("rounding" if diff <= len(vals) / 2 else "discrepancy")
    formula = " ".join(steps) + f" = {_fmt(running)} vs {end_p}"
    msg = f"reconciliation to {end_r.label} ({header}): {formula}" + (
        "" if status == "ok" else f" (off by {_fmt(diff)})"
    )
    return Finding(
        "reconciliation",
        status,
        ctx.doc.doc_id,
        msg,
        running,
        end_v,
        formula,
        tuple(ctx.cite_row(r) for r, _, _ in vals),
    )


# --- output ------------------------------------------------------------------------------------


def audit_json(findings: list[Finding], lib=None) -> dict:
    """Findings as `exhibit check --json` prints them."""
    summary = {s: sum(1 for f in findings if f.status == s) for s in ("ok", "rounding", "discrepancy")}
    return {
        "summary": summary,
        "findings": [
            {
                "kind": f.kind,
                "status": f.status,
                "doc_id": f.doc_id,
                "message": f.message,
                "computed": f.computed,
                "stated": f.stated,
                "formula": f.formula,
                "citations": list(f.citations),
            }
            for f in sorted(findings, key=lambda f: (STATUS_ORDER[f.status], f.kind))
        ],
    }


def format_findings(findings: list[Finding], lib=None) -> str:
    """Findings for people: discrepancies first, each with where it was printed."""
    if not findings:
        return "no checks apply (no totals, reconciliations or stated figures found)"
    marks = {"ok": "ok  ", "rounding": "~   ", "discrepancy": "!!  "}
    lines = []
    for f in sorted(findings, key=lambda f: (STATUS_ORDER[f.status], f.kind)):
        lines.append(f"{marks[f.status]}[{f.kind}] {f.message}")
        if f.status != "ok":
            for c in f.citations[:3]:
                shown = " ".join((c.get("display") or c["text"]).split())
                lines.append(f"      {Path(c['path']).name}:{c['line_start']}  {shown[:120]}")
    s = {k: sum(1 for f in findings if f.status == k) for k in ("ok", "rounding", "discrepancy")}
    lines.append(
        f"{s['ok']} hold, {s['rounding']} hold only after rounding, {s['discrepancy']} discrepancies"
    )
    return "\n".join(lines)


__all__ = ["Finding", "audit", "audit_document", "audit_json", "format_findings", "replace"]
