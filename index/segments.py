"""Document → Segments (headings, paragraphs, tables, rows, notes, contacts, boilerplate).

Every segment is an exact span of the decoded file; `display` is its words with
white space folded. Plain-text releases are cut at blank lines (or indented
first lines, for double-spaced EDGAR text); tables are found by their `<TABLE>`
tags or, untagged, by runs of lines that end in figures.
"""

from __future__ import annotations

import re

from .model import Document, Segment, Table
from .tables import CHUNK_RE, RULE_RE, Line, _unruled, clean, looks_tabular, parse_table
from .text import LineIndex, fold

PAGE_RE = re.compile(r"^\s*(<PAGE>\s*\d*|-?\s*\d{1,3}\s*-?|Page \d+( of \d+)?)\s*$", re.I)
CONTACT_RE = re.compile(
    r"(?i)\b(contacts?:|investor relations|media (relations|contact)|telephone:|phone:|e-?mail:|"
    r"\(\d{3}\)\s*\d{3}-\d{4}|\d{3}-\d{3}-\d{4})"
)
BOILER_RE = re.compile(
    r"(?i)(forward-looking statements|safe harbor|private securities litigation reform act|"
    r"^about [A-Z]|non-gaap financial (measures|information)|regulation g|"
    r"all rights reserved|trademarks? of)"
)
NOTE_RE = re.compile(r"(?i)^\s*(\(?\d{1,2}\)|\*+|note\s*\d*:|notes?:|\([a-z]\)|[a-z]\))\s")
TABLE_OPEN_RE = re.compile(r"(?i)^\s*<TABLE>")
TABLE_CLOSE_RE = re.compile(r"(?i)^\s*</TABLE>")
SENTENCE_END_RE = re.compile(r"[.!?][\"”']?$")
LIST_ITEM_RE = re.compile(r"^\s*([*o\u2022-]|\d+\.)\s")
LABEL_LINE_RE = re.compile(r"^\s*[A-Z][\w /&().-]{1,30}:\s{2,}\S")
CLAUSE_END_RE = re.compile(r"[.;,]$")
PHONE_WEB_RE = re.compile(r"\d{3}-\d{4}|@|www\.")
HEADING_WORD_RE = re.compile(r"[A-Za-z][\w'&-]*")


def segment(doc: Document) -> tuple[list[Segment], list[Table]]:
    """Segments and tables of a document, with kinds and sections."""
    if doc.is_html:
        from .html import segment_html

        segs, tables = segment_html(doc.text, doc.body_start, doc.end, doc.doc_id)
    else:
        segs, tables = segment_text(doc.text, doc.body_start, doc.end, doc.doc_id)
    return classify(segs), tables


def split_lines(text: str, start: int, end: int) -> list[Line]:
    """Lines of text[start:end] with their offsets (no newline characters)."""
    out = []
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        out.append(Line(pos, text[pos:stop].rstrip("\r")))
        pos = stop + 1
    return out


def table_regions(lines: list[Line]) -> list[tuple[int, int, bool]]:
    """[first, last] line indexes of tables: tagged `<TABLE>` blocks and untagged runs of figure lines."""
    regions: list[tuple[int, int, bool]] = []
    i, n = 0, len(lines)
    known: dict[int, bool] = {}

    def tabular(k: int) -> bool:
        # A line is asked about again as the scans below overlap: read it once.
        if k not in known:
            known[k] = looks_tabular(lines[k].text)
        return known[k]

    while i < n:
        if TABLE_OPEN_RE.match(lines[i].text):
            j = i + 1
            while j < n and not TABLE_CLOSE_RE.match(lines[j].text):
                if TABLE_OPEN_RE.match(lines[j].text):
                    break
                j += 1
            if j >= n or not TABLE_CLOSE_RE.match(lines[j].text):
                # No </TABLE>: the table ends at its last figure line.
                k = j - 1
                while k > i and not tabular(k):
                    k -= 1
                j = k
            regions.append((i, min(j, n - 1), True))
            i = j + 1
            continue
        i += 1
    tagged = set()
    for a, b, _ in regions:
        tagged.update(range(a, b + 1))
    # Untagged: runs of at least three figure lines, blank lines and labels between them allowed.
    i = 0
    while i < n:
        if i in tagged or not tabular(i):
            i += 1
            continue
        j, last_fig, figs, gap, blanks = i, i, 0, 0, 0
        while j < n and j not in tagged:
            t = lines[j].text
            if tabular(j):
                last_fig, figs, gap, blanks = j, figs + 1, 0, 0
            elif not t.strip() or RULE_RE.match(clean(t)):
                blanks += 1
            elif _table_text_line(t):
                gap, blanks = gap + 1, 0
            else:
                break
            if gap > 3 or blanks > 7:
                break
            j += 1
        if figs >= 3:
            first = _extend_up(lines, i, tagged)
            regions.append((first, last_fig, False))
            tagged.update(range(first, last_fig + 1))
            i = last_fig + 1
        else:
            i = j + 1 if j > i else i + 1
    return sorted(regions)


def _table_text_line(t: str) -> bool:
    """A non-figure line that can sit inside a table: a short label or a centred header."""
    s = _unruled(clean(t)).strip()
    if len(s) > 70:
        return False
    return not SENTENCE_END_RE.search(s) or len(s) < 40


def _extend_up(lines: list[Line], i: int, taken: set[int]) -> int:
    """Include the header and title lines above an untagged table's first figure line."""
    first = i
    blanks = 0
    k = i - 1
    while k >= 0 and k not in taken:
        t = lines[k].text
        if not t.strip():
            blanks += 1
            if blanks > 7:
                break
            k -= 1
            continue
        blanks = 0
        if RULE_RE.match(clean(t)):
            k -= 1  # the rule under a header ("- -------") belongs to the table
            continue
        indent = len(t) - len(t.lstrip())
        s = t.strip()
        multi = len(CHUNK_RE.findall(t)) >= 2 and "   " in s
        if (
            (indent >= 8 and len(s) <= 80)
            or (multi and len(s) < 120)
            or (len(s) < 50 and not s.endswith("."))
        ):
            first = k
            k -= 1
            continue
        break
    return first


def segment_text(text: str, start: int, end: int, doc_id: str) -> tuple[list[Segment], list[Table]]:
    """Segments and tables of a plain-text (EDGAR) release in text[start:end]."""
    li = LineIndex(text)
    lines = split_lines(text, start, end)
    regions = table_regions(lines)
    out: list[tuple[int, int, str, int | None]] = []  # (start, end, kind, table)
    tables: list[Table] = []
    cursor = 0
    for a, b, tagged in regions:
        out.extend(_prose_blocks(lines[cursor:a]))
        caption = _caption_above(lines, a)
        region = [ln for ln in lines[a : b + 1]]
        parsed = parse_table(region, caption)
        for t in parsed:
            ti = len(tables)
            tables.append(t)
            out.append((t.start, t.end, "table", ti))
            for r in t.rows:
                out.append((r.start, r.end, "table_row", ti))
        if not parsed and not tagged:
            # Lines that looked tabular but held no table stay prose.
            out.extend(_prose_blocks(lines[a : b + 1]))
        cursor = b + 1
    out.extend(_prose_blocks(lines[cursor:]))
    out.sort(key=lambda x: (x[0], 0 if x[2] == "table" else 1))
    segs: list[Segment] = []
    section = ""
    for s, e, kind, ti in out:
        if e <= s:
            continue
        disp = fold(clean(text[s:e]))
        if not disp:
            continue
        if kind == "heading":
            section = disp
        segs.append(
            Segment(
                doc_id=doc_id,
                seq=len(segs),
                kind=kind,
                char_start=s,
                char_end=e,
                line_start=li.line(s),
                line_end=li.line(e - 1),
                section=section,
                display=disp,
                table=ti,
            )
        )
    return segs, tables


def _caption_above(lines: list[Line], a: int) -> str:
    """Up to three short non-blank lines just above a table: its title and scale."""
    got: list[str] = []
    k = a - 1
    blanks = 0
    while k >= 0 and len(got) < 3:
        s = lines[k].text.strip()
        if not s:
            blanks += 1
            if got:
                break
            if blanks > 4:
                break
            k -= 1
            continue
        blanks = 0
        if len(s) > 90 or s.endswith(".") or re.match(r"(?i)^</?TABLE>", s):
            break
        if not RULE_RE.match(s) and not PAGE_RE.match(s):
            got.append(fold(clean(s)))
        k -= 1
    return " | ".join(reversed(got))


def _prose_blocks(lines: list[Line]) -> list[tuple[int, int, str, int | None]]:
    """Paragraphs and headings of lines outside tables."""
    if not lines:
        return []
    nonblank = [i for i, ln in enumerate(lines) if ln.text.strip()]
    double = False
    if len(nonblank) > 6:
        singles = sum(1 for x, y in zip(nonblank, nonblank[1:], strict=False) if y - x == 2)
        double = singles > 0.6 * (len(nonblank) - 1)
    blocks: list[list[Line]] = []
    cur: list[Line] = []
    blank_run = 0
    for ln in lines:
        t = clean(ln.text)
        if not t.strip() or PAGE_RE.match(t) or RULE_RE.match(t):
            blank_run += 1
            if not double or blank_run >= 2:
                if cur:
                    blocks.append(cur)
                cur = []
            continue
        blank_run = 0
        indent = len(t) - len(t.lstrip())
        prev = cur[-1].text if cur else ""
        prev_indent = len(prev) - len(prev.lstrip()) if cur else 0
        new_par = cur and (
            (indent >= 2 and indent > prev_indent and not _list_continuation(prev, t))
            or _is_heading_line(prev)
            or _is_heading_line(t)
            or _label_line(t)
            or _label_line(prev)
        )
        if new_par:
            blocks.append(cur)
            cur = []
        cur.append(ln)
    if cur:
        blocks.append(cur)
    out = []
    for b in blocks:
        first, last = b[0], b[-1]
        s = first.start + (len(first.text) - len(first.text.lstrip()))
        e = last.start + len(last.text.rstrip())
        body = " ".join(ln.text.strip() for ln in b)
        kind = "heading" if len(b) == 1 and _is_heading_line(first.text) else "paragraph"
        if len(b) <= 2 and kind == "paragraph" and _is_heading_line(body):
            kind = "heading"
        out.append((s, e, kind, None))
    return out


def _list_continuation(prev: str, t: str) -> bool:
    """A bullet item's wrapped second line is indented deeper but is not a new paragraph."""
    return bool(LIST_ITEM_RE.match(prev))


def _label_line(t: str) -> bool:
    """Lines like 'Dial-in Number:    1-877-780-2271' stand alone."""
    return bool(LABEL_LINE_RE.match(t))


def _is_heading_line(t: str) -> bool:
    s = fold(clean(t))
    if not s or len(s) > 90 or len(s.split()) > 12:
        return False
    if CLAUSE_END_RE.search(s) and not s.endswith("Inc.") or s.endswith(":") and len(s.split()) > 6:
        return False
    if PHONE_WEB_RE.search(s):
        return False
    letters = [c for c in s if c.isalpha()]
    if not letters:
        return False
    if s.isupper() and len(letters) >= 4:
        return True
    words = [w for w in HEADING_WORD_RE.findall(s)]
    small = {"and", "of", "the", "for", "to", "in", "on", "a", "an", "with", "at", "by", "or", "from"}
    caps = [w for w in words if w[0].isupper() or w.lower() in small]
    return len(words) >= 1 and len(caps) == len(words) and any(w[0].isupper() for w in words)


def _bullet_item(display: str) -> bool:
    """'* We released two USB2.0 switches ...': a list item of the release's text, not a footnote."""
    return bool(
        re.match(
            r"^\s*[*\u2022]\s+(We|Our|The|In|Net|Gross|Operating|Revenue|Revenues|Other|Cash)\b", display
        )
    )


def classify(segs: list[Segment]) -> list[Segment]:
    """Mark notes, contacts and boilerplate among paragraphs (headings set the section)."""
    from dataclasses import replace

    out = []
    boiler_section = False
    for s in segs:
        kind = s.kind
        if kind == "heading":
            boiler_section = bool(BOILER_RE.search(s.display))
        elif kind == "paragraph":
            bullets = len(re.findall(r"(?:^|\s)[*\u2022o]\s+[A-Z]", s.display))
            if (
                NOTE_RE.match(s.display)
                and len(s.display) < 1500
                and bullets < 2
                and not _bullet_item(s.display)
            ):
                kind = "note"
            elif CONTACT_RE.search(s.display) and len(s.display) < 600:
                kind = "contact"
            elif BOILER_RE.search(s.display[:300]) or boiler_section and len(s.display) > 200:
                kind = "boilerplate"
        out.append(replace(s, kind=kind) if kind != s.kind else s)
    return out
