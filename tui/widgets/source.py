"""The source pane: a release's text with the cited span highlighted and scrolled into view.

`SourceView` draws with Textual's line API: only the rows and columns on screen are
sliced out of the text, so a 2 MB file with a 1.5 MB line scrolls as fast as a short
one. Plain-text sources are shown as they are, with their line numbers. HTML sources
open in a reading view (tags dropped, blocks on their own lines) built once per
document; `v` switches to the raw markup.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Static

# Control characters that would move the terminal's cursor are drawn as spaces
# (one character each, so columns still match offsets into the text).
_CONTROL = {c: " " for c in range(32)}
_CONTROL[127] = " "

# --------------------------------------------------------------------------------- documents


@dataclass
class ViewDoc:
    """What the view draws: a text, where its lines start, and the spans to highlight."""

    text: str
    line_starts: list[int]
    cited: tuple[int, int] | None = None
    figure: tuple[int, int] | None = None
    numbered: bool = True  # show line numbers (the source's own); off for the reading view
    wrap: bool = False  # wrap long lines at word boundaries (the reading view)
    freeze: bool = True  # keep the first columns (row labels) in view when scrolled right
    max_width: int = 0
    extra: list[tuple[int, int]] = field(default_factory=list)  # the answer's other citations

    @classmethod
    def of(cls, text: str, **kw) -> ViewDoc:
        starts = line_starts(text)
        return cls(text, starts, max_width=widest(text, starts), **kw)

    def line_of(self, offset: int) -> int:
        """0-based line of a character offset."""
        return max(0, bisect_right(self.line_starts, offset) - 1)

    def line_span(self, i: int) -> tuple[int, int]:
        """[start, end) of line i, without its newline."""
        s = self.line_starts[i]
        e = self.line_starts[i + 1] - 1 if i + 1 < len(self.line_starts) else len(self.text)
        if e > s and self.text[e - 1] == "\r":
            e -= 1
        return s, max(s, e)


def line_starts(text: str) -> list[int]:
    """Offsets where each line starts (line 1 at 0)."""
    return [0, *(m.end() for m in re.finditer("\n", text))]


def widest(text: str, starts: list[int]) -> int:
    """Length of the longest line."""
    ends = [*(s - 1 for s in starts[1:]), len(text)]
    return max((e - s for s, e in zip(starts, ends, strict=True)), default=0)


# ------------------------------------------------------------------------------ reading view

_TOKEN = re.compile(
    r"<!--.*?-->|<(script|style)\b.*?</\1\s*>|<[^>]*>|&#?\w+;|[^<&]+|[<&]",
    re.IGNORECASE | re.DOTALL,
)
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z][\w:-]*)")
_BLOCK = {
    "p", "div", "br", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6",
    "title", "blockquote", "hr", "center", "pre", "body", "html", "document", "text", "type",
    "section", "header", "footer", "dl", "dt", "dd",
}  # fmt: skip
_CELL = {"td", "th"}
_WS = re.compile(r"[ \t\r\n\f\v\u00a0]+")


@dataclass
class Reading:
    """HTML as a person reads it, with a map from source offsets to reading offsets."""

    text: str
    raw: list[int]  # source offset where each piece starts
    out: list[int]  # reading offset of each piece
    width: list[int]  # length of each piece in the reading text

    def to_reading(self, offset: int) -> int:
        """The reading offset of a source offset (the start of its piece, or inside a text run)."""
        i = bisect_right(self.raw, offset) - 1
        if i < 0:
            return 0
        return self.out[i] + min(offset - self.raw[i], self.width[i])


def html_reading(src: str, start: int = 0, end: int | None = None) -> Reading:
    """src[start:end] with tags dropped, entities decoded, blocks and rows on their own lines."""
    end = len(src) if end is None else end
    parts: list[str] = []
    raw: list[int] = []
    out: list[int] = []
    width: list[int] = []
    n = 0
    nl = 2  # newlines at the end of the output (2 at the start: no leading blank lines)
    space = False  # a space is owed before the next word

    def emit(pos: int, s: str) -> None:
        nonlocal n, nl
        raw.append(pos)
        out.append(n)
        width.append(len(s))
        if s:
            parts.append(s)
            n += len(s)
            stripped = s.rstrip("\n")
            nl = nl + len(s) if not stripped else len(s) - len(stripped)

    for m in _TOKEN.finditer(src, start, end):
        tok = m.group()
        pos = m.start()
        if tok[0] == "<" and len(tok) > 1:
            name = ""
            if not (tok.startswith("<!--") or m.group(1)):
                t = _TAG_NAME.match(tok)
                name = t.group(1).lower() if t else ""
            if name in _BLOCK:
                space = False
                # br and p may leave one blank line; other blocks only end the line
                want = 2 if name in ("br", "p") else 1
                emit(pos, "\n" if nl < want else "")
            else:
                if name in _CELL:
                    space = True
                emit(pos, "")
            continue
        s = html.unescape(tok) if tok[0] == "&" and len(tok) > 1 else tok
        s = _WS.sub(" ", s)
        lead, trail = s.startswith(" "), s.endswith(" ")
        s = s.strip(" ")
        if not s:
            space = space or lead
            emit(pos, "")
            continue
        if (space or lead) and nl == 0:
            emit(pos, " ")
        emit(pos, s)
        space = trail
    return Reading("".join(parts), raw, out, width)


def reading_text(markup: str) -> str:
    """One line of reading text for a short HTML span (a cited row or cell)."""
    return " ".join(html_reading(markup).text.split())


# ------------------------------------------------------------------------------------- view


CACHE_SIZE = 32  # texts and reading views kept built
READING_LIMIT = 400_000  # an HTML body longer than this is read in a region around the citation
READING_WINDOW = 150_000  # characters of markup on each side of the citation in that region
FREEZE = 36  # at most this many columns of a plain-text line stay in view when scrolled right (row labels)


class SourceView(ScrollView, can_focus=True):
    """A scrollable, read-only view of a text with one cited span highlighted.

    Plain text keeps its layout (tables line up): no wrapping; scrolled right, the first
    columns stay frozen so a row's label stays next to its figures. The reading view of
    HTML wraps at word boundaries.
    """

    COMPONENT_CLASSES = {
        "source--gutter",
        "source--gutter-cited",
        "source--cited",
        "source--figure",
        "source--extra",
        "source--frozen-edge",
    }

    DEFAULT_CSS = """
    SourceView {
        background: $surface;
        color: $text;
    }
    SourceView.-wrap { overflow-x: hidden; }
    SourceView > .source--gutter { color: $text-muted; }
    SourceView > .source--gutter-cited { color: $warning; text-style: bold; }
    SourceView > .source--cited { background: $warning 30%; }
    SourceView > .source--figure { background: $warning; color: $background; text-style: bold; }
    SourceView > .source--extra { background: $primary 30%; }
    SourceView > .source--frozen-edge { color: $text-muted; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.doc: ViewDoc | None = None
        self._gutter = 0
        self._rows: list[tuple[int, int, int]] | None = None  # wrapped rows: (start, end, line)
        self._row_starts: list[int] = []
        self._wrap_width = 0
        self._wrap_cache: tuple[str | None, int, list] = (None, 0, [])  # (text, width, rows)
        self._pending: tuple[int, int] | None = None

    # --- state ------------------------------------------------------------------------

    def set_doc(self, doc: ViewDoc | None, focus_offset: int | None = None) -> None:
        """Show a document and scroll `focus_offset` (default: the figure, else the cited span) into view."""
        self.doc = doc
        self._rows = None
        if doc is None:
            self.virtual_size = Size(0, 0)
            self.refresh()
            return
        self._gutter = len(str(len(doc.line_starts))) + 2 if doc.numbered else 2
        self.set_class(doc.wrap, "-wrap")
        self._layout()
        if focus_offset is not None:
            span = (focus_offset, focus_offset)
        else:
            span = doc.figure or doc.cited or (0, 0)
        self._pending = span
        self.call_after_refresh(self._reveal_pending)

    def _reveal_pending(self) -> None:
        if self._pending is not None:
            span, self._pending = self._pending, None
            self.reveal(*span)

    def _text_width(self) -> int:
        if self.doc is not None and self.doc.wrap:
            # wrap as if the vertical scrollbar were there, so its coming does not rewrap
            return max(1, self.size.width - self.styles.scrollbar_size_vertical - self._gutter)
        return max(1, self.scrollable_content_region.width - self._gutter)

    def _layout(self) -> None:
        doc = self.doc
        if doc is None:
            return
        if doc.wrap:
            width = self._text_width()
            self._wrap_width = width
            text, w, rows = self._wrap_cache
            if text is not doc.text or w != width:
                rows = wrap_rows(doc, width)
                self._wrap_cache = (doc.text, width, rows)
            self._rows = rows
            self._row_starts = [r[0] for r in self._rows]
            self.virtual_size = Size(self._gutter + width, len(self._rows))
        else:
            self.virtual_size = Size(doc.max_width + self._gutter + 1, len(doc.line_starts))
        self.refresh()

    def on_resize(self) -> None:
        doc = self.doc
        if doc is not None and doc.wrap and self._text_width() != self._wrap_width:
            top = self._row_span(int(self.scroll_offset.y))[0] if self._rows else 0
            self._layout()
            self.call_after_refresh(self.scroll_to, 0, self._row_of(top), animate=False, force=True)

    def _row_of(self, offset: int) -> int:
        """The screen row (before scrolling) of a character offset."""
        if self._rows is not None:
            return max(0, bisect_right(self._row_starts, offset) - 1)
        assert self.doc is not None
        return self.doc.line_of(offset)

    def _row_span(self, i: int) -> tuple[int, int, int]:
        """(start, end, line) of screen row i."""
        if self._rows is not None:
            return self._rows[i]
        assert self.doc is not None
        s, e = self.doc.line_span(i)
        return s, e, i

    def _row_count(self) -> int:
        if self._rows is not None:
            return len(self._rows)
        return len(self.doc.line_starts) if self.doc else 0

    def _freeze(self) -> int:
        """Columns frozen at the left when scrolled right (plain text only)."""
        doc = self.doc
        if doc is None or doc.wrap or not doc.freeze or self.scroll_offset.x <= 0:
            return 0
        return min(FREEZE, self._text_width() // 2)

    def reveal(self, offset: int, end: int | None = None) -> None:
        """Scroll so the row holding `offset` sits a third of the way down, with [offset, end) in view.

        Columns: the start of the line stays in view when the span fits; otherwise the view
        scrolls just far enough to show the span's end (and the first columns stay frozen).
        """
        doc = self.doc
        if doc is None:
            return
        row = self._row_of(offset)
        height = max(1, self.scrollable_content_region.height)
        y = max(0, row - height // 3)
        x = 0
        if not doc.wrap:
            ls, le, _ = self._row_span(row)
            col = offset - ls
            col_end = min(max(end if end is not None else offset, offset), le) - ls
            width = self._text_width()
            freeze = min(FREEZE, width // 2) if doc.freeze else 0
            if col_end < width - 1:
                x = 0
            elif col_end - col < width - freeze - 5:
                x = col_end - width + 4
            else:
                x = max(0, col - freeze - 3)
        self.scroll_to(x=x, y=y, animate=False, force=True)

    @property
    def cited_lines(self) -> range:
        """1-based line numbers (of the shown text) that the cited span covers."""
        doc = self.doc
        if doc is None or doc.cited is None:
            return range(0)
        a, b = doc.cited
        return range(doc.line_of(a) + 1, doc.line_of(max(a, b - 1)) + 2)

    def visible_lines(self) -> range:
        """1-based line numbers (of the shown text) on screen."""
        if self.doc is None:
            return range(0)
        top = int(self.scroll_offset.y)
        bottom = min(self._row_count(), top + self.scrollable_content_region.height) - 1
        if bottom < top:
            return range(0)
        return range(self._row_span(top)[2] + 1, self._row_span(bottom)[2] + 2)

    # --- drawing ----------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        doc = self.doc
        scroll_x, scroll_y = self.scroll_offset
        i = int(scroll_y) + y
        if doc is None or i >= self._row_count():
            return Strip([Segment(" " * width, base)], width)
        ls, le, line = self._row_span(i)
        first = self._rows is None or ls == doc.line_starts[line]
        cited = doc.cited is not None and doc.cited[0] < max(le, ls + 1) and doc.cited[1] > ls
        gutter_style = self.get_component_rich_style("source--gutter-cited" if cited else "source--gutter")
        mark = "▌" if cited else " "
        if doc.numbered:
            num = str(line + 1) if first else ""
            g = f"{num:>{self._gutter - 2}}{mark} "
        else:
            g = mark + " "
        segs = [Segment(g, base + gutter_style)]
        avail = max(0, width - self._gutter)
        freeze = self._freeze()
        if freeze:
            n = self._put(segs, doc, ls, min(le, ls + freeze), base)
            edge = base + self.get_component_rich_style("source--frozen-edge")
            segs.append(Segment(" " * (freeze - n) + "┊", edge))
            x0 = ls + freeze + 1 + int(scroll_x)
            avail -= freeze + 1
        else:
            x0 = ls + (0 if doc.wrap else int(scroll_x))
        self._put(segs, doc, x0, min(le, x0 + max(0, avail)), base)
        # adjust_cell_length pads (or cuts) to the width, wide characters included
        return Strip(segs).adjust_cell_length(width, base)

    def _put(self, segs: list[Segment], doc: ViewDoc, x0: int, x1: int, base: Style) -> int:
        """Append the styled text of [x0, x1); return how many cells it takes."""
        if x1 <= x0:
            return 0
        for s, e, style in self._runs(doc, x0, x1):
            segs.append(Segment(doc.text[s:e].translate(_CONTROL), base + style if style else base))
        return x1 - x0

    def _runs(self, doc: ViewDoc, x0: int, x1: int):
        """(start, end, style) runs over [x0, x1): plain, other citations, cited, figure."""
        marks: list[tuple[int, int, str]] = [(a, b, "source--extra") for a, b in doc.extra]
        if doc.cited:
            marks.append((*doc.cited, "source--cited"))
        if doc.figure:
            marks.append((*doc.figure, "source--figure"))
        marks = [m for m in marks if m[0] < x1 and m[1] > x0]
        if not marks:
            yield x0, x1, None
            return
        cuts = {x0, x1}
        for a, b, _ in marks:
            if x0 < a < x1:
                cuts.add(a)
            if x0 < b < x1:
                cuts.add(b)
        points = sorted(cuts)
        for s, e in zip(points, points[1:], strict=False):
            style = None
            for a, b, name in marks:  # later marks win
                if a <= s < b:
                    style = self.get_component_rich_style(name)
            yield s, e, style


def wrap_rows(doc: ViewDoc, width: int) -> list[tuple[int, int, int]]:
    """Rows of at most `width` characters, broken after spaces where possible: (start, end, line)."""
    rows: list[tuple[int, int, int]] = []
    text = doc.text
    for i in range(len(doc.line_starts)):
        s, e = doc.line_span(i)
        if e - s <= width:
            rows.append((s, e, i))
            continue
        while e - s > width:
            cut = text.rfind(" ", s + 1, s + width + 1)
            stop = cut + 1 if cut > s else s + width
            rows.append((s, stop, i))
            s = stop
        rows.append((s, e, i))
    return rows


# ------------------------------------------------------------------------------------- pane


class SourcePane(Vertical):
    """The title line (file, lines, kind) over the view."""

    DEFAULT_CSS = """
    SourcePane #source-title {
        height: 1; padding: 0 1; background: $boost; text-wrap: nowrap; text-overflow: ellipsis;
    }
    SourcePane SourceView { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.citation: dict | None = None
        self.raw_text: str = ""
        self.is_html = False
        self.mode = "text"  # text | reading | raw
        self.doc_id: str | None = None
        self.body: tuple[int, int] | None = None
        # recently shown texts and reading views, so going back and forth stays instant
        self._cache: OrderedDict[tuple, tuple] = OrderedDict()
        self.windowed = False  # the reading view covers only the region around the citation
        self.wrap_choice: bool | None = None  # the user's `w` (None: wrap prose, not tables)

    def compose(self) -> ComposeResult:
        yield Static(
            Text("Ask a question or open a document: the cited source appears here.", style="dim"),
            id="source-title",
        )
        yield SourceView(id="source-view")

    @property
    def view(self) -> SourceView:
        return self.query_one(SourceView)

    def show_citation(
        self,
        citation: dict,
        text: str,
        *,
        is_html: bool,
        body: tuple[int, int] | None = None,
        extra: list[tuple[int, int]] | None = None,
        mode: str | None = None,
    ) -> None:
        """Show the source of a citation with its span (and figure) highlighted."""
        self.citation = citation
        self.raw_text = text
        self.is_html = is_html
        self.doc_id = citation.get("doc_id")
        self.body = body
        if mode is None:
            mode = "reading" if is_html else "text"
        self.mode = mode
        self._extra = list(extra or [])
        self._draw()

    def toggle_mode(self) -> str | None:
        """Switch an HTML source between the reading view and its raw markup."""
        if not self.citation or not self.is_html:
            return None
        self.mode = "raw" if self.mode == "reading" else "reading"
        self._draw()
        return self.mode

    def toggle_wrap(self) -> bool | None:
        """Wrap long lines of a plain-text source, or not (the choice sticks)."""
        if not self.citation or self.mode != "text":
            return None
        self.wrap_choice = not self.view.doc.wrap if self.view.doc else True
        self._draw()
        return self.wrap_choice

    def reset(self) -> None:
        self.citation = None
        self.raw_text = ""
        self.view.set_doc(None)
        self.query_one("#source-title", Static).update(Text("(no source)", style="dim"))

    # --- internals --------------------------------------------------------------------

    def _draw(self) -> None:
        c = self.citation
        assert c is not None
        text = self.raw_text
        cs, ce = c["char_start"], c["char_end"]
        fs, fe = c.get("figure_start"), c.get("figure_end")
        figure = (fs, fe) if fs is not None and fe is not None and fe > fs else None
        if self.mode == "reading":
            reading, base = self._reading_doc(cs, ce)

            def span(a: int, b: int) -> tuple[int, int]:
                return _trim(base.text, reading.to_reading(a), reading.to_reading(b))

            doc = _with_spans(
                base,
                span(cs, ce),
                span(*figure) if figure else None,
                [span(a, b) for a, b in self._extra],
                wrap=True,
            )
        else:
            base = self._cached(("text", id(text)), lambda: (text, ViewDoc.of(text, numbered=True)))[1]
            if self.mode == "raw":
                wrap = False
            elif self.wrap_choice is not None:
                wrap = self.wrap_choice
            else:  # tables keep their columns; prose reads better wrapped
                wrap = c.get("kind") not in ("table_row", "table", "document")
            doc = _with_spans(base, (cs, ce), figure, self._extra, wrap=wrap, freeze=self.mode == "text")
        self.view.set_doc(doc, None if (doc.figure or doc.cited) else cs)
        self._update_title()

    def _cached(self, key: tuple, build):
        """An LRU of built views; entries hold their text, so an id() in a key is never reused."""
        hit = self._cache.get(key)
        if hit is not None and hit[0] is self.raw_text:
            self._cache.move_to_end(key)
            return hit
        value = build()
        self._cache[key] = value
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return value

    def _reading_doc(self, cs: int, ce: int) -> tuple[Reading, ViewDoc]:
        """The reading view that covers a citation: the release's body, or a region around the citation."""
        text = self.raw_text
        lo, hi = 0, len(text)
        if self.body and self.body[0] <= cs and ce <= self.body[1] and self.body[1] > self.body[0]:
            lo, hi = self.body
        self.windowed = False
        if hi - lo > READING_LIMIT:
            self.windowed = True
            # a window already built that holds the citation well inside it
            for key, value in reversed(self._cache.items()):
                if key[0] == "reading" and key[1] == id(text) and value[0] is text:
                    wlo, whi = key[2], key[3]
                    margin = READING_WINDOW // 4
                    if (wlo == lo or wlo + margin <= cs) and (whi == hi or ce + margin <= whi):
                        return self._cached(key, None)[1:]
            wlo = max(lo, cs - READING_WINDOW)
            whi = min(hi, ce + READING_WINDOW)
            if wlo > lo:
                wlo = max(lo, text.rfind("<", lo, wlo + 1))
            if whi < hi:
                end = text.find(">", whi, hi)
                whi = hi if end < 0 else end + 1
            lo, hi = wlo, whi

        def build():
            reading = html_reading(text, lo, hi)
            return text, reading, ViewDoc.of(reading.text, numbered=False, wrap=True)

        _, reading, doc = self._cached(("reading", id(text), lo, hi), build)
        return reading, doc

    def _update_title(self) -> None:
        c = self.citation
        if not c:
            return
        t = Text(no_wrap=True, overflow="ellipsis")
        t.append(Path(c.get("path", "")).name, style="bold")
        if c.get("kind") == "document":
            t.append(f"  {c.get('company', '')}", style="bold")
            t.append(f"  {c.get('title', '')}", style="dim")
            self.query_one("#source-title", Static).update(t)
            return
        ls, le = c.get("line_start"), c.get("line_end")
        if ls is not None:
            t.append(f"  line {ls}" if ls == le else f"  lines {ls}–{le}")
        t.append(f"  · {c.get('kind', '')}", style="dim")
        t.append(f"  · chars {c['char_start']}–{c['char_end']}", style="dim")
        if self.is_html:
            if self.mode == "reading":
                what = "reading view of the region" if self.windowed else "reading view"
                t.append(f"  · {what} (v: markup)", style="italic")
            else:
                t.append("  · markup (v: reading view)", style="italic")
        elif self.view.doc is not None:
            t.append("  · wrapped (w)" if self.view.doc.wrap else "  · (w: wrap)", style="italic")
        self.query_one("#source-title", Static).update(t)


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    """A span without the white space at its ends."""
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def _with_spans(doc: ViewDoc, cited, figure, extra, *, wrap: bool, freeze: bool = False) -> ViewDoc:
    if cited is not None and cited[1] <= cited[0]:
        cited = None
    if figure is not None and figure[1] <= figure[0]:
        figure = None
    return ViewDoc(
        doc.text,
        doc.line_starts,
        cited=cited,
        figure=figure,
        numbered=doc.numbered,
        wrap=wrap,
        freeze=freeze,
        max_width=doc.max_width,
        extra=[e for e in extra if e != cited and e[1] > e[0]],
    )
