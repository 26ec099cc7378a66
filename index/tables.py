"""Fixed-width tables (EDGAR `<TABLE>`/`<S>`/`<C>` or laid out with spaces) to grids.

A table arrives as a list of source lines with their offsets. Figures are found
from the right of each line (runs of two or more spaces separate cells), value
columns by clustering the figures' extents, headers by the text above each
column, and row labels that run over several lines are joined. Periods and
scales are not interpreted here: `qa/` reads the header and caption text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .model import Cell, Column, HeaderBand, Row, Table
from .numbers import parse_number

TAG_RE = re.compile(r"</?(TABLE|CAPTION|S|C|FN|PAGE)>", re.I)
RULE_RE = re.compile(r"^[\s\-=_.*+|]*$")
CHUNK_RE = re.compile(r"\S+(?: \S+)*")  # text separated by two or more spaces
WORD_RE = re.compile(r"\S+")
DIGIT_RE = re.compile(r"\d")
YEAR_RE = re.compile(r"^(?:19|20)\d\d\*?$")
CONNECTOR_END_RE = re.compile(
    r"(?i)(\b(and|of|or|for|the|in|to|from|on|net|other|with|by|a|an|before|after|per)|[,(&/-])$"
)


@dataclass(frozen=True)
class Line:
    """One source line: `start` is its offset in the file, `text` its characters (no newline)."""

    start: int
    text: str


@dataclass
class _Chunk:
    a: int  # column where it starts (in the line)
    b: int  # column one past its end
    text: str
    number: bool


PAGE_LINE_RE = re.compile(r"(?i)^\s*(page \d+( of \d+)?|\(?-*\s*more\s*-*\)?|\(continued\)|continued)\s*$")
INLINE_RULE_RE = re.compile(r"(?<=\s)[-=_]{3,}(?=\s|$)")


def clean(text: str) -> str:
    """The line with EDGAR table tags blanked out, keeping every column in place."""
    return TAG_RE.sub(lambda m: " " * len(m.group(0)), text.replace("\t", " "))


def _unruled(text: str) -> str:
    """A label line with an underline run beside it ("... after provision   ---------"): the run blanked."""
    return INLINE_RULE_RE.sub(lambda m: " " * len(m.group(0)), text) if not RULE_RE.match(text) else text


MONTH_DAY_RE = re.compile(
    r"(?i)\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?"
)


def chunks(text: str) -> list[_Chunk]:
    """Cells of a line: runs of text separated by two or more spaces, figures marked."""
    out: list[_Chunk] = []
    for m in CHUNK_RE.finditer(text):
        dates = list(MONTH_DAY_RE.finditer(m.group(0)))
        if len(dates) >= 2 and not any(ch.isdigit() for ch in m.group(0)[: dates[0].start()]):
            # Dates set one space apart in a header line ("Jun 30, Mar 31, Jun 30,"): one cell each.
            bounds = [d.start() for d in dates] + [len(m.group(0))]
            for x, y in zip(bounds, bounds[1:], strict=False):
                piece = m.group(0)[x:y].rstrip()
                out.append(_Chunk(m.start() + x, m.start() + x + len(piece), piece, False))
            continue
        out.extend(_split_chunk(m.start(), m.group(0)))
    # "$" or "(" standing alone belongs to the figure after it ("$  122").
    merged: list[_Chunk] = []
    for c in out:
        if merged and merged[-1].text in ("$", "($", "(", "$(") and not merged[-1].number:
            prev = merged.pop()
            joined = text[prev.a : c.b]
            merged.append(_Chunk(prev.a, c.b, joined, cell_figure(joined)))
        else:
            merged.append(c)
    return merged


def cell_figure(s: str) -> bool:
    """A table cell's figure: a number whose parentheses pair up ("(Note 1)" leaves "1)", not a figure)."""
    return parse_number(s) is not None and s.count("(") == s.count(")")


def _split_chunk(a: int, s: str) -> list[_Chunk]:
    if cell_figure(s):
        return [_Chunk(a, a + len(s), s, True)]
    # Figures separated by single spaces at the right of a chunk: "2,515 2,654".
    parts = [(m.start(), m.group(0)) for m in WORD_RE.finditer(s)]
    k = len(parts)
    while k > 0 and (cell_figure(parts[k - 1][1]) or parts[k - 1][1] in ("$", "(")):
        k -= 1
    tail = parts[k:]
    if not tail or not any(cell_figure(p) for _, p in tail):
        return [_Chunk(a, a + len(s), s, False)]
    head = s[: tail[0][0]].rstrip() if k else ""
    # A label ending in a single-spaced number ("Note 1", "Fiscal 2004") is a label, not a figure; so is
    # one whose words lead into the number ("net of accumulated depreciation of $1,013,000").
    if (
        head
        and len(tail) == 1
        and (
            not re.search(r"[$(),.%]", tail[0][1])
            or head.count("(") > head.count(")")
            or re.search(r"(?i)\b(of|to|from|at|in|by|and|or|than|was|were|is|are)$", head)
        )
    ):
        return [_Chunk(a, a + len(s), s, False)]
    out = [_Chunk(a, a + len(head), head, False)] if head else []
    pending = None
    for off, p in tail:
        if p in ("$", "("):
            pending = off
            continue
        start = pending if pending is not None else off
        pending = None
        txt = s[start : off + len(p)]
        out.append(_Chunk(a + start, a + off + len(p), txt, cell_figure(txt)))
    return out


HEADER_WORD_RE = re.compile(
    r"(?i)^(\(?(three|six|nine|twelve|one|two) (month|year)s?\)? )?(change|%|% change|percent|increase|decrease|"
    r"variance|inc ?\(dec\)|\(?unaudited\)?|restated|as reported|actual)$"
)


def _is_year_header(cs: list[_Chunk]) -> bool:
    """A line of years: "2004  2003", or with the tail of a caption on its left and change columns between
    ("share data)   2006   Change   2006   Change   2005")."""
    nums = [c for c in cs if c.number]
    if not nums or not all(YEAR_RE.match(c.text) for c in nums):
        return False
    if all(c.number for c in cs):
        return True
    between = [c for c in cs[1:] if not c.number]
    return len(nums) >= 2 and all(HEADER_WORD_RE.match(c.text.strip()) for c in between)


# A cell that holds a column's place but no figure ("N/A", "NM"): kept in the row, never a fact.
NOT_MEANINGFUL_RE = re.compile(r"(?i)^\(?(n/?a|n\.a\.|n/?m|nm|n\.m\.|not meaningful|\*{1,3})\)?$")


@dataclass
class _Parsed:
    line: Line
    cs: list[_Chunk]
    figs: list[_Chunk]
    label: _Chunk | None
    rules: tuple[tuple[int, int], ...] = ()  # dash runs of an underline ("------   ------")


def _parse_line(line: Line) -> _Parsed | None:
    t = clean(line.text)
    if not t.strip():
        return _Parsed(line, [], [], None)  # a blank line: it ends same-level sections
    if RULE_RE.match(t):
        runs = tuple((m.start(), m.end()) for m in re.finditer(r"[-=_]{3,}", t))
        return _Parsed(line, [], [], None, runs) if runs else None
    if PAGE_LINE_RE.match(t):
        return None  # "Page 4", "(more)": the page's furniture, not the table's
    t = _unruled(t)
    cs = chunks(t)
    if _is_year_header(cs):
        for c in cs:
            c.number = False
    figs: list[_Chunk] = []
    for c in reversed(cs):
        if not (c.number or (NOT_MEANINGFUL_RE.match(c.text) and any(x.number for x in cs))):
            break
        figs.append(c)
    figs.reverse()
    if figs and len(figs) == len(cs) and not figs[0].number:
        figs.pop(0)  # a line's first chunk is its label, even when it reads "N/A"
    rest = cs[: len(cs) - len(figs)]
    label = None
    if rest:
        first, last = rest[0], rest[-1]
        label = _Chunk(first.a, last.b, t[first.a : last.b], False)
    return _Parsed(line, cs, figs, label)


def _digits(f: _Chunk) -> tuple[int, int]:
    """Columns of a figure's first and last digit (parentheses, $ and % hang outside the column)."""
    first, last = _digit_offsets(f.text)
    return f.a + first, f.a + last


@lru_cache(maxsize=4096)
def _digit_offsets(text: str) -> tuple[int, int]:
    m = DIGIT_RE.search(text)
    last = max((i for i, ch in enumerate(text) if ch.isdigit()), default=len(text) - 1)
    return (m.start() if m else 0), last


def _columns(rows: list[_Parsed]) -> list[tuple[int, int]]:
    """Value columns as [a, b) extents: figures are right-aligned, so cluster their last digits."""
    ends = sorted({_digits(f)[1] for r in rows for f in r.figs})
    clusters: list[list[int]] = []
    for e in ends:
        if clusters and e - clusters[-1][1] <= 2:
            clusters[-1][1] = e
        else:
            clusters.append([e, e])
    cols = []
    for lo, hi in clusters:
        members = [f for r in rows for f in r.figs if lo <= _digits(f)[1] <= hi]
        cols.append((min(_digits(f)[0] for f in members), hi + 1))
    # Two figures of one row in one column means the clustering failed: fall back to extents.
    for r in rows:
        hit = [_assign(f, cols) for f in r.figs]
        if len(set(hit)) < len(hit):
            return _extent_columns(rows)
    return cols


def _extent_columns(rows: list[_Parsed]) -> list[tuple[int, int]]:
    spans = sorted((f.a, f.b) for r in rows for f in r.figs)
    cols: list[list[int]] = []
    for a, b in spans:
        if cols and a <= cols[-1][1] + 1:
            cols[-1][1] = max(cols[-1][1], b)
        else:
            cols.append([a, b])
    return [(a, b) for a, b in cols]


def _assign(f: _Chunk, cols: list[tuple[int, int]]) -> int:
    """The column a figure's digits fall in (its last digit nearest the column's right edge)."""
    a, b = _digits(f)
    best, best_d = 0, None
    for i, (ca, cb) in enumerate(cols):
        overlap = min(cb, b + 1) - max(ca, a)
        d = -overlap if overlap > 0 else min(abs(cb - 1 - b), abs(ca - a))
        if best_d is None or d < best_d:
            best, best_d = i, d
    return best


def _is_continuation(prev_label: str, prev_indent: int, label: str, indent: int) -> bool:
    """Whether `label` continues the label-only line above it."""
    p = prev_label.rstrip()
    if p.endswith(":") or (p.endswith("-") and label[:1].isupper()):
        return False  # "Income Account-" over "Retail Revenue": a section heading, not half a label
    if p.count("(") > p.count(")"):
        return True
    if label[:1].islower() or label[:1] in ")-(":
        return True  # "share", "(loss) per": a wrapped line goes on in lower case
    return bool(CONNECTOR_END_RE.search(p)) and indent >= prev_indent


def parse_table(lines: list[Line], caption: str = "") -> list[Table]:
    """Parse the lines of one table region into one or more Tables (a new title starts a new one)."""
    parsed = [p for p in (_parse_line(ln) for ln in lines) if p is not None]
    while parsed and not parsed[0].cs:
        parsed.pop(0)
    groups = _split_titles(parsed)
    return [t for g in groups if (t := _grid(g[0], g[1], caption)) is not None]


def _split_titles(parsed: list[_Parsed]) -> list[tuple[list[str], list[_Parsed]]]:
    """Split where a centred title and a new header follow figures: each statement is its own table."""
    groups: list[tuple[list[str], list[_Parsed]]] = [([], [])]
    seen_figs = False
    for i, p in enumerate(parsed):
        centred = not p.figs and p.label is not None and len(p.cs) == 1 and p.label.a >= 12
        if centred and seen_figs and _title_like(p.label.text) and _header_follows(parsed, i + 1):
            groups.append(([], []))
            seen_figs = False
        groups[-1][1].append(p)
        if p.figs:
            seen_figs = True
    return [g for g in groups if any(p.figs for p in g[1])]


def _header_follows(parsed: list[_Parsed], i: int) -> bool:
    """Whether period headers stand between line i and the next figure line."""
    for p in parsed[i:]:
        if p.figs:
            return False
        if p.cs and len(p.cs) >= 2 and _headerish(p.cs):
            return True
        if p.cs and _headerish(p.cs) and re.search(r"(?i)ended|as of|\b(19|20)\d\d\b", p.cs[-1].text):
            return True
    return False


def _title_like(s: str) -> bool:
    return not re.search(r"\d{4}|ended|months|weeks|quarter|year", s, re.I) and len(s) > 3


def _grid(_titles: list[str], parsed: list[_Parsed], caption: str) -> Table | None:
    data = [p for p in parsed if p.figs]
    # A lone figure above a table's headers is a page or title line ("HRZB-FY06 24%"), not a row.
    first_header = next((i for i, p in enumerate(parsed) if not p.figs and p.cs and _headerish(p.cs)), None)
    if first_header is not None and any(len(p.figs) >= 2 for p in data):
        head = parsed[:first_header]
        parsed = [p for p in parsed if not (p in head and p.figs and len(p.figs) == 1)]
        data = [p for p in parsed if p.figs]
    if not data:
        return None
    cols = _columns(data)
    label_edge = min(a for a, _ in cols)
    fig_edge = min(f.a for p in data for f in p.figs)  # where figures start, "$" included
    bands: list[HeaderBand] = []
    rows: list[Row] = []
    header_lines: list[_Parsed] = []
    header_rules: list[tuple[int, int]] = []
    titles: list[str] = []
    notes: list[str] = []
    pending_label: list[_Parsed] = []  # label-only lines waiting to see if they continue
    parents: list[tuple[int, str, bool]] = []  # (indent, label, holds rows at its own indent)
    last_label = ""
    seen_data = False

    def flush_band():
        nonlocal header_lines, titles, header_rules
        if header_lines or not bands:
            bands.append(
                _band(
                    header_lines, cols, label_edge, titles, [r for r in header_rules if r[0] >= fig_edge - 2]
                )
            )
        header_lines, titles, header_rules = [], [], []

    for p in parsed:
        if not p.cs:
            if p.rules:
                if not seen_data or header_lines:
                    header_rules.extend(p.rules)
                continue
            # A blank line closes sections at the level of the rows under them.
            parents[:] = [(x[0], x[1], False) for x in parents]
            continue
        if not p.figs:
            if (
                not seen_data
                and not header_lines
                and 8 <= p.cs[0].a < label_edge - 2
                and (len(p.cs) == 1 or not _headerish(p.cs))
            ):
                titles.append(
                    " ".join(c.text for c in p.cs)
                )  # a centred title or scale line above the headers
                continue
            in_cols = [c for c in p.cs if c.a >= label_edge - 2 or (c.b > label_edge and c.a > 8)]
            is_header = bool(in_cols) and (not seen_data or _headerish(in_cols))
            if is_header:
                if pending_label:
                    for q in pending_label:
                        if seen_data:
                            _push_parent(parents, q)
                        else:
                            titles.append(q.label.text)  # "CONSOLIDATED STATEMENTS OF / FINANCIAL CONDITION"
                    pending_label = []
                header_lines.append(p)
                continue
            if p.label is None:
                continue
            if not seen_data and not header_lines and p.label.a >= 12:
                titles.append(p.label.text)
                continue
            if re.search(
                r"(?i)\b(in (thousands|millions|billions)|amounts in|except (per )?share)", p.label.text
            ):
                notes.append(p.label.text.strip())
                if not seen_data:
                    titles.append(p.label.text)
                    continue
            pending_label.append(p)
            continue
        if header_lines or not bands:
            flush_band()
        seen_data = True
        indent = p.label.a if p.label else (p.figs[0].a if not p.cs else p.cs[0].a)
        label_text = p.label.text.strip() if p.label else ""
        label_start = p.line.start + (p.label.a if p.label else p.figs[0].a)
        label_end = p.line.start + (p.label.b if p.label else p.figs[0].a)
        # Join label-only lines that this row's label continues.
        joined: list[_Parsed] = []
        for q in pending_label:
            joined.append(q)
        pending_label = []
        cont_start = len(joined)
        if label_text:
            prev_indent = None
            for i in range(len(joined) - 1, -1, -1):
                q = joined[i]
                nxt_label = joined[i + 1].label.text if i + 1 < len(joined) else label_text
                nxt_indent = joined[i + 1].label.a if i + 1 < len(joined) else indent
                if _is_continuation(q.label.text, q.label.a, nxt_label, nxt_indent):
                    cont_start = i
                    prev_indent = q.label.a
                else:
                    break
            if prev_indent is not None:
                indent = prev_indent
        elif joined:
            # A figure line without a label: the label-only line above names it.
            cont_start = len(joined) - 1
        for q in joined[:cont_start]:
            _push_parent(parents, q)
        cont = joined[cont_start:]
        if cont:
            label_text = " ".join([q.label.text.strip() for q in cont] + ([label_text] if label_text else []))
            label_start = cont[0].line.start + cont[0].label.a
            indent = cont[0].label.a
        label_text = " ".join(label_text.split())
        if label_text.startswith("-") and " - " in last_label:
            label_text = last_label.rsplit(" - ", 1)[0] + " - " + label_text.lstrip("- ").strip()
        popped = None
        while parents and (parents[-1][0] > indent or parents[-1][0] == indent and not parents[-1][2]):
            popped = parents.pop()
        if popped and GENERIC_ROW_RE.match(label_text):
            parents.append(popped)  # "Diluted" two lines under "Net income per share:" still belongs to it
        if parents and parents[-1][0] == indent:
            parents[-1] = (parents[-1][0], parents[-1][1], True)
        if not label_text:
            label_text = ("Total " + parents[-1][1].rstrip(":").strip()) if parents else "Total"
        cells = tuple(
            Cell(col=_assign(f, cols), as_printed=f.text, start=p.line.start + f.a, end=p.line.start + f.b)
            for f in p.figs
        )
        rows.append(
            Row(
                label=label_text,
                label_start=label_start,
                label_end=label_end if label_end > label_start else label_start + len(label_text),
                start=label_start,
                end=p.line.start + p.figs[-1].b,
                cells=_dedupe(cells),
                band=len(bands) - 1,
                indent=indent,
                parents=tuple(x[1] for x in parents),
            )
        )
        last_label = label_text
        if label_text.lower().startswith("total") and parents and parents[-1][0] < indent:
            parents.pop()
    if not rows:
        return None
    rows = _unwrap_single_children(rows)
    parsed = [p for p in parsed if p.cs]
    start = parsed[0].line.start
    last = parsed[-1].line
    return Table(
        start=start,
        end=last.start + len(last.text.rstrip()),
        caption=" | ".join(x for x in [caption, *[" ".join(t.split()) for t in titles]] if x),
        bands=tuple(bands),
        rows=tuple(rows),
        notes=tuple(notes),
    )


def _unwrap_single_children(rows: list[Row]) -> list[Row]:
    """A label-only line that heads exactly one row and is no section (no colon or dash at its end) is
    the first part of that row's label, wrapped: "Brokered / Certificates / of Deposit   235,471"."""
    from dataclasses import replace as _replace

    out = list(rows)
    for i, r in enumerate(rows):
        parents = list(r.parents)
        while parents:
            p = parents[-1]
            if p.rstrip().endswith((":", "-", "\u2014")) or len(p) > 40:
                break
            before = rows[i - 1].parents if i > 0 else ()
            after = rows[i + 1].parents if i + 1 < len(rows) else ()
            head = tuple(parents)
            if not p.rstrip().endswith("/") and head in (
                tuple(before[: len(head)]),
                tuple(after[: len(head)]),
            ):
                break  # the line heads other rows too: a section ("Reserves/" never is one)
            parents.pop()
            out[i] = _replace(out[i], label=f"{p} {out[i].label}", parents=tuple(parents))
    return out


def _dedupe(cells: tuple[Cell, ...]) -> tuple[Cell, ...]:
    """Two figures on one column (a misaligned line): keep both, in separate columns where possible."""
    seen: dict[int, Cell] = {}
    out = []
    for c in cells:
        if c.col in seen:
            continue
        seen[c.col] = c
        out.append(c)
    return tuple(out)


def _headerish(cs: list[_Chunk]) -> bool:
    txt = " ".join(c.text for c in cs)
    return bool(
        re.search(
            r"(?i)\b(19|20)\d\d\b|ended|months|weeks|quarter|year|fiscal|january|february|march|april|may|june|july|"
            r"august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|oct|nov|dec|actual|"
            r"change|percent|%|notes?|as of|as reported|unaudited",
            txt,
        )
    )


GENERIC_ROW_RE = re.compile(r"(?i)^[-\s]*(basic|diluted|fully diluted|assuming dilution)\b")


def _push_parent(parents: list[tuple[int, str, bool]], q: _Parsed) -> None:
    indent = q.label.a
    while parents and parents[-1][0] >= indent:
        parents.pop()
    # Fresh sections hold the rows right under them even at their own indent.
    parents.append((indent, " ".join(q.label.text.split()), True))


def _band(
    header_lines: list[_Parsed],
    cols: list[tuple[int, int]],
    label_edge: int,
    titles: list[str],
    rules: list[tuple[int, int]] = (),
) -> HeaderBand:
    per_col: list[list[str]] = [[] for _ in cols]
    spans: list[list[int]] = [[-1, -1] for _ in cols]
    left: list[str] = [" ".join(t.split()) for t in titles]
    parents_above: list[tuple[_Chunk, list[int]]] = []
    for p in header_lines:
        zone = []
        for c in p.cs:
            if c.a < label_edge - 2 and (c.b <= label_edge + 2 or c.a < 8):
                left.append(c.text.strip())
            else:
                zone.append(c)
        if not zone:
            continue
        # A line with one chunk per column is read in order; otherwise a chunk heads the columns it
        # stands over (a spanning "Three Months Ended" heads each), and a chunk over none heads its nearest.
        # A lone chunk under a spanning one ("June 30," centred under "Three Months Ended") heads the same.
        if len(zone) == len(cols):
            placed = [(c, [i]) for i, c in enumerate(zone)]
        else:
            placed = []
            for c in zone:
                hit = [i for i, (a, b) in enumerate(cols) if min(b, c.b) - max(a - 2, c.a) > 0]
                hit = hit or [_assign(c, cols)]
                mid = (c.a + c.b) / 2
                for ra, rb in rules:
                    # An underline spanning the header marks the columns it heads (their middles stand
                    # under it: "$" signs and ragged headers put edges a few characters off).
                    under = [i for i, (a, b) in enumerate(cols) if ra - 2 <= (a + b) / 2 <= rb + 2]
                    if ra <= mid <= rb and len(under) > len(hit) and set(hit) <= set(under):
                        hit = under
                for pc, pcols in parents_above:
                    inside = [z for z in zone if pc.a <= (z.a + z.b) / 2 <= pc.b]
                    if pc.a <= mid <= pc.b and set(hit) <= set(pcols) and inside == [c]:
                        hit = list(pcols)
                        break
                placed.append((c, hit))
            placed = _one_chunk_per_column(placed, cols)
        parents_above = [(c, hit) for c, hit in placed if len(hit) > 1] or parents_above
        for c, hit in placed:
            for i in hit:
                per_col[i].append(c.text.strip())
                s, e = p.line.start + c.a, p.line.start + c.b
                spans[i][0] = s if spans[i][0] < 0 else min(spans[i][0], s)
                spans[i][1] = max(spans[i][1], e)
    columns = tuple(
        Column(col=i, header=tuple(per_col[i]), start=spans[i][0], end=spans[i][1]) for i in range(len(cols))
    )
    return HeaderBand(title=" ".join(left), columns=columns)


def _one_chunk_per_column(
    placed: list[tuple[_Chunk, list[int]]], cols: list[tuple[int, int]]
) -> list[tuple[_Chunk, list[int]]]:
    """Two chunks of one header line over one column ("THREE MONTHS ENDED  NINE MONTHS ENDED" over a
    column that a wide figure stretches): the column goes to the chunk that covers more of it."""

    def cover(c: _Chunk, i: int) -> float:
        a, b = cols[i]
        return min(b, c.b) - max(a, c.a) - abs((a + b) / 2 - (c.a + c.b) / 2) / 100

    owner: dict[int, int] = {}
    for k, (c, hit) in enumerate(placed):
        for i in hit:
            if i not in owner or cover(c, i) > cover(placed[owner[i]][0], i):
                owner[i] = k
    out = []
    for k, (c, hit) in enumerate(placed):
        mine = [i for i in hit if owner[i] == k]
        out.append((c, mine or hit[:1]))
    return out


def looks_tabular(text: str) -> bool:
    """A line that ends in figures separated from a label by a gutter: part of an untagged table."""
    t = clean(text)
    if RULE_RE.match(t) or len(t.strip()) < 3:
        return False
    cs = chunks(t)
    if not cs or not cs[-1].number:
        return False
    figs = 0
    for c in reversed(cs):
        if not c.number:
            break
        figs += 1
    if figs == len(cs) and figs == 1:
        return cs[0].a > 20  # a lone figure far to the right (a total line)
    # A sentence that happens to end in a number is not a table row.
    return not (figs == 1 and re.search(r"[a-z]\s\S+$", t.rstrip()) and "  " not in t.strip())
