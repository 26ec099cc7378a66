"""HTML releases to segments and table grids, with exact source offsets.

`segment_html` parses the release's markup once with the standard library's
`html.parser.HTMLParser` into a light element tree in which every element
remembers where its markup starts and ends in the decoded source file. Spans
are never re-serialised: a segment, row or cell is always a pair of offsets
into the whole file, so `text[start:end]` is the markup that was filed.

Tables that hold figures become `Table` grids (colspan/rowspan expanded,
split figures such as `$` | `17,549` or `(` | `1,939` | `)` merged into one
cell, value columns found from where figures sit, header bands from the rows
above them); tables that only lay out text become paragraphs.

Nothing is fetched and no markup is executed: script, style, iframe, object,
embed and similar elements are skipped, and attributes are never read as text.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser

from index.model import Cell, Column, HeaderBand, Row, Segment, Table
from index.numbers import DASHES, Number, parse_number

# ---------------------------------------------------------------------------
# Element classes


def _tags(names: str) -> frozenset[str]:
    return frozenset(names.split())


VOID = _tags(
    "area base basefont br col embed frame hr img input isindex keygen link meta param source track wbr"
)
# Elements whose content is never text a reader sees (and may be hostile).
SKIP = _tags(
    "script style head title iframe object embed applet noscript noframes frameset template "
    "textarea select option svg math canvas audio video"
)
# Elements that make their own paragraph. `kbd` and `address` are here because
# older EDGAR filings (Apple 2004) use them as paragraphs.
BLOCKS = _tags(
    "p div h1 h2 h3 h4 h5 h6 li dt dd ul ol dl address blockquote pre center kbd section "
    "article header footer main nav aside figure figcaption form fieldset legend caption body "
    "html td th tr tbody thead tfoot listing xmp"
)
HEADING_TAGS = _tags("h1 h2 h3 h4 h5 h6")
BOLD_TAGS = _tags("b strong th h1 h2 h3 h4 h5 h6")
CELL_TAGS = frozenset(("td", "th"))
SECTION_TAGS = frozenset(("tbody", "thead", "tfoot"))
# Start tags that end an open <p> (HTML's "closes a p element" list, minus table:
# old filings put tables inside paragraphs and quirks mode keeps them there).
CLOSES_P = _tags(
    "p div h1 h2 h3 h4 h5 h6 ul ol dl li dt dd address blockquote pre center hr section article "
    "header footer main nav aside figure figcaption form fieldset listing xmp"
)
# An end tag may not reach across these while looking for its start tag.
CELL_SCOPE = frozenset(("td", "th", "table", "caption"))
MAX_DEPTH = 200  # deeper nesting is flattened so that no walk can exhaust the stack

# ---------------------------------------------------------------------------
# Text patterns

_WS = re.compile(r"\s+")
_INT_RE = re.compile(r"\s*(\d+)")
_GLUE_AFTER_RE = re.compile(r"(?<=[$(\u2212])\s+")
_GLUE_BEFORE_RE = re.compile(r"\s+(?=[)%])")
_PAREN_PCT_RE = re.compile(r"\((.+)\)%")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SENTENCE_END = re.compile(r"[.!?][\"\u201d\u2019)]?$")
_ABBREV_END = re.compile(r"\b(?:Inc|Corp|Co|Ltd|LLC|L\.P|N\.A|S\.A|U\.S|Jr|Sr|No)\.$", re.I)
_FOOTNOTE = re.compile(
    r"^[\s(\[]*(?:\d{1,2}|[a-z]|[ivx]{1,4}|\*{1,3}|[\u2020\u2021\u00a7\u00b6#])"
    r"(?:[\s,)\](\[]+(?:\d{1,2}|[a-z]|[ivx]{1,4}|\*{1,3}|[\u2020\u2021\u00a7\u00b6#]))*"
    r"[\s)\]]*$",
    re.I,
)
# A footnote marker printed at the end of a label or figure: "(a)", "(1)", "*", "†".
_TRAILING_MARK = re.compile(
    r"^(?P<body>.*?\S)\s*(?:\((?:[a-z]|\d{1,2}|[ivx]{1,4})\)|\*{1,3}|[\u2020\u2021\u00a7])$",
    re.S | re.I,
)
_PREFIXES = frozenset(("$", "US$", "(", "($", "$("))
_SUFFIXES = frozenset((")", "%", ")%", "%)", ") %"))
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_NOT_AVAILABLE = re.compile(
    r"^(?:n\.?\s?/?m\.?|n\.?\s?/?a\.?|nmf|nm|na|\*+|not meaningful|n/m\*?|-+|\u2014|\u2013)$", re.I
)
_SCALE = re.compile(
    r"\b(?:in\s+(?:thousands|millions|billions)|(?:thousands|millions|billions)\s+of\s+"
    r"(?:u\.?s\.?\s+)?dollars|except\s+(?:for\s+)?per[\s-]+share)\b",
    re.I,
)
_TOTAL = re.compile(r"^total\b", re.I)
# Words that make a header over all columns a period or comparison, not a title.
_PERIODISH = re.compile(
    r"\b(?:ended|ending|months?|weeks?|quarters?|quarterly|years?|annual|fiscal|period|ytd|"
    r"q[1-4]|[1-4]q|change|trends?|as of|at|through|vs\.?|versus|(?:19|20)\d\d|jan|feb|mar|"
    r"apr|may|jun|jul|aug|sep|sept|oct|nov|dec)\w*",
    re.I,
)
_PAGE_MARK = re.compile(r"^(?:[-\u2013\u2014\s]*more[-\u2013\u2014\s]*|\W*\d{1,3}\W*|page \d+.*)$", re.I)
_BULLET = re.compile(r"^([\u2022\u25aa\u25e6\u25cf\u25a0\u2023\u2043])(?=\S)")
PROSE_WORDS = 20  # a text cell this long that labels no figure is prose set in a table
_LENGTH = re.compile(r"^(-?\d*\.?\d+)\s*(pt|px|em|rem|in|cm|mm|pc|%)?$", re.I)
# Points per CSS unit; a bare number is taken as pixels, and an em as 10pt (release body text).
_PT_PER_UNIT = {
    "pt": 1.0,
    "px": 0.75,
    "em": 10.0,
    "rem": 10.0,
    "in": 72.0,
    "cm": 28.35,
    "mm": 2.835,
    "pc": 12.0,
}
_PT_PER_UNIT[""] = _PT_PER_UNIT["px"]
NBSP_PT = 3  # a leading non-breaking space indents a label by about this many points


def _fold(s: str) -> str:
    """Fold white space (including no-break spaces) to single spaces."""
    return _WS.sub(" ", s.translate(_INVISIBLE)).strip()


# ---------------------------------------------------------------------------
# The element tree


class _El:
    """An element with the offsets of its markup: `<` of the start tag to `>` of the end tag."""

    __slots__ = ("tag", "attrs", "start", "open_end", "end", "children", "_style", "_has_block", "_has_table")

    def __init__(self, tag: str, attrs: dict[str, str], start: int, open_end: int):
        self.tag = tag
        self.attrs = attrs
        self.start = start
        self.open_end = open_end
        self.end = open_end
        self.children: list[_El | _Text] = []
        self._style: dict[str, str] | None = None
        self._has_block: bool | None = None
        self._has_table: bool | None = None

    @property
    def style(self) -> dict[str, str]:
        """The inline CSS declarations, lower-cased."""
        if self._style is None:
            self._style = _parse_style(self.attrs.get("style") or "")
        return self._style

    def int_attr(self, name: str, low: int, high: int) -> int:
        """An integer attribute such as colspan, clamped; 1 when absent or garbled."""
        value = self.attrs.get(name)
        m = _INT_RE.match(value) if value else None
        return max(low, min(high, int(m.group(1)))) if m else 1


class _Text:
    """A run of character data: decoded text and the raw span it came from."""

    __slots__ = ("text", "start", "end")

    def __init__(self, text: str, start: int):
        self.text = text
        self.start = start
        self.end = start


@lru_cache(maxsize=4096)
def _parse_style(style: str) -> dict[str, str]:
    # Memoised (filings repeat a few styles thousands of times): callers only read the dict.
    out: dict[str, str] = {}
    for decl in style.split(";"):
        name, sep, value = decl.partition(":")
        if sep:
            out[name.strip().lower()] = value.strip().lower()
    return out


def _hidden(el: _El) -> bool:
    """Content a reader never sees: script and the like, or display:none."""
    if el.tag in SKIP:
        return True
    # Checking the raw attribute first spares parsing the style of every element.
    return "none" in el.attrs.get("style", "") and el.style.get("display") == "none"


_TABLE_SCOPE = frozenset(("table",))
_NO_SCOPE: frozenset[str] = frozenset()
_INLINE_SCOPE = BLOCKS | CELL_SCOPE
# A start tag HTMLParser reads the plain way: a name, then attributes whose values are quoted or
# bare and hold no `&` (so nothing to unescape), spaces between them. Names stop where
# HTMLParser's do; anything else (`/>`, `<o:p>`, odd spaces) is left to HTMLParser.
_SP = r"[ \t\n\r\f]"
_PLAIN_VALUE = r"""(?:"([^"<>&]*)"|'([^'<>&]*)'|([^\s"'<>=&`]+))"""
_PLAIN_START = re.compile(
    rf"<([a-zA-Z][a-zA-Z0-9]*)((?:{_SP}+[a-zA-Z_:][-a-zA-Z0-9_:.]*{_SP}*={_SP}*{_PLAIN_VALUE})*){_SP}*>"
)
_PLAIN_ATTR = re.compile(rf"([a-zA-Z_:][-a-zA-Z0-9_:.]*){_SP}*={_SP}*{_PLAIN_VALUE}")
_PLAIN_END = re.compile(r"</([a-zA-Z][a-zA-Z0-9]*)>")


@lru_cache(maxsize=256)
def _implied_closes(tag: str) -> tuple[tuple[tuple[str, ...], frozenset[str]], ...]:
    """What a start tag closes: (open tags it ends, tags it may not reach across), in order."""
    rules: list[tuple[tuple[str, ...], frozenset[str]]] = []
    if tag in CLOSES_P:
        rules.append((("p",), CELL_SCOPE | {"button", "object"}))
    if tag == "li":
        rules.append((("li",), CELL_SCOPE | {"ul", "ol"}))
    if tag in ("dt", "dd"):
        rules.append((("dt", "dd"), CELL_SCOPE | {"dl"}))
    if tag in CELL_TAGS:
        rules.append((("td", "th"), frozenset(("tr", "table"))))
    if tag == "tr":
        rules.append((("tr",), frozenset(("table",))))
    if tag in SECTION_TAGS:
        rules.append((("tr", "tbody", "thead", "tfoot"), frozenset(("table",))))
    return tuple(rules)


class _TreeBuilder(HTMLParser):
    """Builds the element tree, forgiving about unclosed and stray tags the way browsers are."""

    def __init__(self, text: str, start: int, end: int):
        super().__init__(convert_charrefs=True)
        self.text = text
        self.root = _El("#root", {}, start, start)
        self.root.end = end
        self.stack: list[_El] = [self.root]
        self.pending: _Text | None = None  # the text run whose end is not known yet
        self._base = start  # where the parser's buffer starts in `text`
        self._at = start  # where the parser is in `text`

    # offsets -------------------------------------------------------------
    def updatepos(self, i: int, j: int) -> int:
        # The parser reports every step here: keep the offset in `text`, not a line and column.
        if i < j:
            self._at = self._base + j
        return j

    def _pos(self) -> int:
        return self._at

    def _settle(self, pos: int) -> None:
        if self.pending is not None:
            self.pending.end = pos
            self.pending = None

    def _implicit_end(self, el: _El, pos: int) -> int:
        # An element closed by something else ends where its content ends.
        while pos > el.open_end and self.text[pos - 1].isspace():
            pos -= 1
        return max(pos, el.open_end)

    def _pop_to(self, index: int, pos: int) -> None:
        for el in self.stack[index:]:
            el.end = self._implicit_end(el, pos)
        del self.stack[index:]

    def _find_open(self, names: frozenset[str] | tuple[str, ...], stop: frozenset[str]) -> int:
        for i in range(len(self.stack) - 1, 0, -1):
            tag = self.stack[i].tag
            if tag in names:
                return i
            if tag in stop:
                return -1
        return -1

    def _close_implied(self, tag: str, pos: int) -> None:
        """Close what a start tag implies is finished (<p> before <div>, <td> before <td> ...)."""
        for names, stop in _implied_closes(tag):
            i = self._find_open(names, stop)
            if i > 0:
                self._pop_to(i, pos)

    # parser callbacks ----------------------------------------------------
    def parse_starttag(self, i: int) -> int:
        # A plain start tag (name, attributes with simple values) is read here in one match; what
        # it yields is what HTMLParser would. Anything else, and script/style, go to HTMLParser.
        m = _PLAIN_START.match(self.rawdata, i)
        if m is None or m.group(1).lower() in self.CDATA_CONTENT_ELEMENTS:
            return super().parse_starttag(i)
        self.lasttag = tag = m.group(1).lower()
        attrs = {k.lower(): v1 or v2 or v3 for k, v1, v2, v3 in _PLAIN_ATTR.findall(m.group(2))}
        self._open(tag, attrs, self._base + i, self._base + m.end(), False)
        return m.end()

    def parse_endtag(self, i: int) -> int:
        # A plain end tag outside script/style: what HTMLParser would do, in one match.
        m = _PLAIN_END.match(self.rawdata, i)
        if m is None or self.cdata_elem is not None:
            return super().parse_endtag(i)
        self._close(m.group(1).lower(), self._base + i, self._base + m.end())
        self.clear_cdata_mode()
        return m.end()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, self_closing=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, self_closing=True)

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], self_closing: bool) -> None:
        pos = self._pos()
        raw = self.get_starttag_text() or ""
        self._open(tag, {k: v or "" for k, v in attrs}, pos, pos + len(raw), self_closing)

    def _open(self, tag: str, attrs: dict[str, str], pos: int, open_end: int, self_closing: bool) -> None:
        self._settle(pos)
        self._close_implied(tag, pos)
        el = _El(tag, attrs, pos, open_end)
        self.stack[-1].children.append(el)
        if not (self_closing or tag in VOID or len(self.stack) > MAX_DEPTH):
            self.stack.append(el)

    def handle_endtag(self, tag: str) -> None:
        pos = self._pos()
        gt = self.text.find(">", pos)
        self._close(tag, pos, gt + 1 if gt >= 0 else pos)

    def _close(self, tag: str, pos: int, end: int) -> None:
        self._settle(pos)
        if tag in CELL_TAGS or tag == "tr" or tag in SECTION_TAGS:
            i = self._find_open((tag,), _TABLE_SCOPE)
        elif tag == "table":
            i = self._find_open((tag,), _NO_SCOPE)
        elif tag in BLOCKS:
            i = self._find_open((tag,), CELL_SCOPE)
        else:  # an inline end tag does not reach across a block (browsers ignore it)
            i = self._find_open((tag,), _INLINE_SCOPE)
        if i <= 0:
            return  # stray end tag
        self._pop_to(i + 1, pos)
        self.stack[i].end = end
        del self.stack[i:]

    def handle_data(self, data: str) -> None:
        pos = self._pos()
        self._settle(pos)
        node = _Text(data, pos)
        self.stack[-1].children.append(node)
        self.pending = node

    def handle_comment(self, data: str) -> None:
        self._settle(self._pos())

    def handle_decl(self, decl: str) -> None:
        self._settle(self._pos())

    def handle_pi(self, data: str) -> None:
        self._settle(self._pos())

    def unknown_decl(self, data: str) -> None:
        self._settle(self._pos())

    def finish(self) -> _El:
        """Flush the parser and close whatever is still open at the end of the fragment."""
        self._base = self._at  # the parser kept only what it had not read yet
        self.close()
        self._settle(self.root.end)
        self._pop_to(1, self.root.end)
        return self.root


# ---------------------------------------------------------------------------
# Offsets to line numbers


class _Lines:
    """1-based line numbers of offsets in the whole file (bisect over newline offsets)."""

    def __init__(self, text: str):
        self.newlines = [m.start() for m in re.finditer("\n", text)]

    def line(self, pos: int) -> int:
        """The line holding offset `pos`."""
        return bisect_left(self.newlines, pos) + 1

    def fragment_starts(self, start: int, end: int) -> list[int]:
        """Absolute offsets of the lines of text[start:end], as HTMLParser numbers them."""
        lo, hi = bisect_left(self.newlines, start), bisect_left(self.newlines, end)
        return [start] + [p + 1 for p in self.newlines[lo:hi]]


# ---------------------------------------------------------------------------
# Inline text with its look (bold, superscript)


@dataclass(slots=True)
class _Piece:
    text: str
    bold: bool
    sup: bool


def _flags(el: _El, bold: bool, sup: bool) -> tuple[bool, bool]:
    """Bold and superscript state inside `el`, given the state outside it."""
    st = el.style
    if el.tag in BOLD_TAGS:
        bold = True
    weight = st.get("font-weight")
    if weight:
        bold = weight in ("bold", "bolder") or (weight.isdigit() and int(weight) >= 600)
    elif "font" in st:  # the shorthand resets the weight
        bold = bool(re.search(r"\bbold(?:er)?\b|\b[6-9]00\b", st["font"]))
    if el.tag == "sup" or st.get("vertical-align", "").startswith("super"):
        sup = True
    elif st.get("position") == "relative" and st.get("top", "").startswith("-"):
        sup = True  # Workiva raises footnote markers this way
    return bold, sup


def _gather(node: _El | _Text, bold: bool, sup: bool, out: list[_Piece]) -> None:
    """Append the text under `node` as pieces; <br> and block edges become line breaks."""
    if isinstance(node, _Text):
        out.append(_Piece(node.text, bold, sup))
        return
    if node.tag == "br":
        out.append(_Piece("\n", bold, sup))
        return
    if node.tag == "table" or _hidden(node):
        return
    bold, sup = _flags(node, bold, sup)
    is_block = node.tag in BLOCKS
    if is_block:
        out.append(_Piece("\n", bold, sup))
    for child in node.children:
        _gather(child, bold, sup, out)
    if is_block:
        out.append(_Piece("\n", bold, sup))


def _display(pieces: list[_Piece], drop_footnotes: bool = False) -> str:
    """The folded text of pieces; optionally without superscript footnote markers."""
    if drop_footnotes:
        pieces = [p for p in pieces if not (p.sup and _FOOTNOTE.match(p.text))]
    return _fold("".join(p.text for p in pieces))


def _has_block(el: _El) -> bool:
    """True when a block or table lies somewhere inside `el` (memoised)."""
    if el._has_block is None:
        el._has_block = any(
            isinstance(c, _El) and not _hidden(c) and (c.tag in BLOCKS or c.tag == "table" or _has_block(c))
            for c in el.children
        )
    return el._has_block


def _is_heading(tag: str, display: str, pieces: list[_Piece]) -> bool:
    """h1-h6, or a short all-bold or ALL-CAPS line that is not a sentence."""
    if tag in HEADING_TAGS:
        return True
    words = display.split()
    if not 1 <= len(words) <= 12 or sum(c.isalpha() for c in display) < 2:
        return False
    if _SENTENCE_END.search(display) and not _ABBREV_END.search(display):
        return False
    if re.search(r"[$%\u20ac\u00a3]|\d,\d", display):
        return False  # a bold "$530 million" headline is a statement of a figure, not a section
    visible = [p for p in pieces if p.text.strip() and not p.sup]
    if visible and all(p.bold for p in visible):
        return True
    return display.upper() == display


# ---------------------------------------------------------------------------
# CSS lengths, for label indents


def _pt(value: str | None) -> float:
    m = _LENGTH.match((value or "").strip())
    if not m or (m.group(2) or "") == "%":
        return 0.0
    return float(m.group(1)) * _PT_PER_UNIT[(m.group(2) or "").lower()]


def _left(st: dict[str, str], prop: str) -> float:
    """The left side of padding or margin, from the longhand or the shorthand."""
    if f"{prop}-left" in st:
        return _pt(st[f"{prop}-left"])
    parts = st.get(prop, "").split()
    if not parts:
        return 0.0
    return _pt(parts[3] if len(parts) == 4 else parts[1] if len(parts) > 1 else parts[0])


def _indent(cell: _El) -> int:
    """How far a label is indented, in points: CSS on the way to its first text, plus nbsp."""
    pts = 0.0
    node: _El | _Text | None = cell
    while isinstance(node, _El):
        st = node.style
        pts += _left(st, "padding") + _left(st, "margin") + _pt(st.get("text-indent"))
        node = next((c for c in node.children if _text_of(c).strip() and not _is_hidden_node(c)), None)
    if isinstance(node, _Text):
        lead = node.text[: len(node.text) - len(node.text.lstrip())]
        pts += NBSP_PT * lead.count("\u00a0")
    return max(0, round(pts))


def _is_hidden_node(node: _El | _Text) -> bool:
    return isinstance(node, _El) and _hidden(node)


def _text_of(node: _El | _Text) -> str:
    if isinstance(node, _Text):
        return node.text
    pieces: list[_Piece] = []
    _gather(node, False, False, pieces)
    return "".join(p.text for p in pieces)


# ---------------------------------------------------------------------------
# Tables: the logical grid


@dataclass(slots=True)
class _GCell:
    el: _El
    c0: int  # logical columns [c0, c1)
    c1: int
    text: str  # folded, superscript footnote markers removed
    bold: bool
    rowspan: int = 1
    kind: str = "empty"  # empty | prefix | suffix | figure | text
    fig: str = ""  # the figure as printed, when kind == "figure"


def _is_prose(cell: _GCell) -> bool:
    return cell.kind == "text" and len(cell.text.split()) >= PROSE_WORDS


@dataclass(slots=True)
class _Group:
    """One figure: its core cell plus `$`, `(`, `)`, `%` cells printed beside it."""

    cells: list[_GCell]
    core: _GCell
    as_printed: str

    @property
    def key(self) -> int:
        return self.core.c1 - 1  # figures are right-aligned: the core's last column

    @property
    def lo(self) -> int:
        return self.cells[0].c0

    @property
    def hi(self) -> int:
        return self.cells[-1].c1


@dataclass(slots=True)
class _TRow:
    el: _El
    cells: list[_GCell]  # non-empty cells that start in this row, left to right
    groups: list[_Group] = field(default_factory=list)
    prose: list[_GCell] = field(default_factory=list)  # long text cells, read as paragraphs
    kind: str = "empty"  # empty | data | header | label | title | other
    col: dict[int, int] = field(default_factory=dict)  # id(group) -> value column


def _table_rows(table: _El) -> list[_El]:
    """The <tr> elements of `table` itself (not of tables nested in its cells)."""
    out: list[_El] = []

    def visit(el: _El) -> None:
        for c in el.children:
            if isinstance(c, _El) and c.tag != "table" and c.tag not in SKIP:
                if c.tag == "tr":
                    out.append(c)
                elif c.tag not in CELL_TAGS:
                    visit(c)

    visit(table)
    return out


def _norm_figure(s: str) -> str:
    """Glue currency signs, parentheses and percent signs to the digits they belong to."""
    s = _fold(s)
    s = _GLUE_AFTER_RE.sub("", s)
    return _GLUE_BEFORE_RE.sub("", s)


def _as_figure(s: str) -> str:
    """The figure a cell prints (footnote marker dropped), or "" when it prints none."""
    s = _norm_figure(s)
    if not s or not any(ch.isdigit() for ch in s) and not _is_dash(s):
        return ""
    if _parse(s) is not None:
        return s
    m = _TRAILING_MARK.match(s)
    if m and _parse(m.group("body")) is not None:
        return _norm_figure(m.group("body"))
    return ""


def _parse(figure: str) -> Number | None:
    """parse_number, also reading banks' "(2)%" as the "(2%)" it means."""
    m = _PAREN_PCT_RE.fullmatch(figure)
    return parse_number(f"({m.group(1)}%)" if m else figure)


def _is_dash(s: str) -> bool:
    return any(ch in DASHES for ch in s)


def _classify(cell: _GCell) -> None:
    t = cell.text
    if not t:
        cell.kind = "empty"
    elif t in _PREFIXES:
        cell.kind = "prefix"
    elif t in _SUFFIXES:
        cell.kind = "suffix"
    elif fig := _as_figure(t):
        cell.kind, cell.fig = "figure", fig
    else:
        cell.kind = "text"


def _grid(rows: list[_El]) -> list[_TRow]:
    """Place cells on the logical grid (colspan and rowspan expanded)."""
    out: list[_TRow] = []
    below: dict[int, int] = {}  # column -> rows still covered by a rowspan from above
    for tr in rows:
        busy = {c for c, n in below.items() if n > 0}
        below = {c: n - 1 for c, n in below.items() if n > 1}
        col = 0
        cells: list[_GCell] = []
        for td in tr.children:
            if not (isinstance(td, _El) and td.tag in CELL_TAGS):
                continue
            while col in busy:
                col += 1
            span, rows_down = td.int_attr("colspan", 1, 500), td.int_attr("rowspan", 1, 200)
            pieces: list[_Piece] = []
            if not _hidden(td):
                bold, sup = _flags(td, False, False)
                for child in td.children:
                    _gather(child, bold, sup, pieces)
            text = _display(pieces, drop_footnotes=True)
            visible = [p for p in pieces if p.text.strip() and not p.sup]
            bold_cell = bool(visible) and all(p.bold for p in visible)
            cell = _GCell(td, col, col + span, text, bold_cell, rows_down)
            _classify(cell)
            if cell.kind != "empty":
                cells.append(cell)
            for c in range(col, col + span) if rows_down > 1 else ():
                below[c] = max(below.get(c, 0), rows_down - 1)
            col += span
        out.append(_TRow(tr, cells))
    return out


def _group_figures(row: _TRow) -> None:
    """Merge each figure with the helper cells beside it: `$`|`17,549`, `(`|`1,939`|`)`."""
    cells, used = row.cells, set()
    row.groups = []
    for i, cell in enumerate(cells):
        if cell.kind != "figure":
            continue
        lo = i
        while lo > 0 and cells[lo - 1].kind == "prefix" and lo - 1 not in used:
            lo -= 1
        hi = i
        while hi + 1 < len(cells) and cells[hi + 1].kind == "suffix":
            hi += 1
        members = cells[lo : hi + 1]
        before = "".join(c.text for c in cells[lo:i])
        after = "".join(c.text for c in cells[i + 1 : hi + 1])
        joined = _norm_figure(before + cell.fig + after)
        if _parse(joined) is None:
            members, joined = [cell], cell.fig
        used.update(range(lo, hi + 1) if len(members) > 1 else (i,))
        row.groups.append(_Group(members, cell, joined))


def _label_edge(rows: list[_TRow]) -> int:
    """The first column right of the label column: the usual end of a row's leading text cell."""
    ends: Counter[int] = Counter()
    for row in rows:
        if row.cells and row.cells[0].kind == "text" and row.groups:
            ends[row.cells[0].c1] += 1
    return ends.most_common(1)[0][0] if ends else 0


def _is_year_row(row: _TRow) -> bool:
    return bool(row.groups) and all(_YEAR.match(g.as_printed) for g in row.groups)


def _label_cells(row: _TRow) -> list[_GCell]:
    """Text cells left of the row's first figure."""
    first = row.groups[0].lo if row.groups else 1 << 30
    return [c for c in row.cells if c.c1 <= first and c.kind in ("text", "figure")]


def _clean_label(s: str) -> str:
    while m := _TRAILING_MARK.match(s):
        s = m.group("body")
    return s


def _columns(data: list[_TRow]) -> dict[int, int]:
    """Map each figure's grid key to a value column: keys that never share a row and sit
    next to each other are one column printed with different spans."""
    keys = sorted({g.key for r in data for g in r.groups})
    rows_with: dict[int, set[int]] = {k: set() for k in keys}
    for i, row in enumerate(data):
        for g in row.groups:
            rows_with[g.key].add(i)
    clusters: list[list[int]] = []
    seen: set[int] = set()
    for k in keys:
        if clusters and not (rows_with[k] & seen):
            clusters[-1].append(k)
            seen |= rows_with[k]
        else:
            clusters.append([k])
            seen = set(rows_with[k])
    return {k: n for n, members in enumerate(clusters) for k in members}


@dataclass
class _TableResult:
    table: Table
    row_displays: list[tuple[_El, str]]
    prose_cells: list[_El]


@dataclass(slots=True)
class _Parent:
    label: str
    indent: int
    rank: int  # 0: bold or ALL CAPS (a major section); 1: "Net sales:" and the like
    child: int | None = None  # indent of the first row under it


class _Outline:
    """The label-only rows in force over the rows below them, outermost first."""

    def __init__(self) -> None:
        self.stack: list[_Parent] = []

    def _adopt(self, indent: int) -> None:
        if self.stack and self.stack[-1].child is None:
            self.stack[-1].child = indent

    def open(self, label: str, indent: int, rank: int) -> None:
        """A label-only row: it replaces the open rows at its level or deeper."""
        self._adopt(indent)
        self.stack = [p for p in self.stack if (p.indent, p.rank) < (indent, rank)]
        self.stack.append(_Parent(label, indent, rank))

    def enter(self, indent: int) -> tuple[str, ...]:
        """A row with figures: close parents it has moved out of, return those in force."""
        self._adopt(indent)
        self.stack = [p for p in self.stack if p.indent <= indent and (p.child is None or indent >= p.child)]
        return tuple(p.label for p in self.stack)

    def close_total(self, label: str) -> None:
        """A total row closes the section it totals: "Total current assets" ends
        "Current assets:", but "Total loans" inside "Average balances" does not."""
        if not self.stack:
            return
        words = _words(label) - {"total"}
        if not words or words & _words(self.stack[-1].label):
            self.stack.pop()


_STOP = frozenset(("and", "of", "the", "for", "in", "to", "a"))


def _words(s: str) -> set[str]:
    """Content words, singular: enough to tell whether a total names its section."""
    return {w.removesuffix("s") for w in re.findall(r"[a-z0-9]+", s.lower())} - _STOP


class _TableReader:
    """Turns one <table> element into a `Table`, or says it lays out text (None)."""

    def __init__(self, el: _El, caption: str):
        self.el = el
        self.caption = caption
        self.rows = _grid(_table_rows(el))

    def read(self) -> _TableResult | None:
        """The grid and each row's display, or None for a layout table."""
        for row in self.rows:
            _group_figures(row)
        self.edge = _label_edge(self.rows)
        for row in self.rows:  # figures in the label column are labels (years, codes)
            if any(g.core.c0 < self.edge for g in row.groups):
                row.groups = [g for g in row.groups if g.core.c0 >= self.edge]
        if not self._mark_data_rows():
            return None
        self._set_prose_aside()
        data = [r for r in self.rows if r.kind == "data"]
        key_col = _columns(data)
        for row in data:
            row.col = {id(g): key_col[g.key] for g in row.groups}
        ncols = max(key_col.values()) + 1
        members = [[g for r in data for g in r.groups if r.col[id(g)] == k] for k in range(ncols)]
        # Grid span of each value column with its `$`/`)`/`%` cells, and of its digits alone.
        self.ranges = [(min(g.lo for g in gs), max(g.hi for g in gs)) for gs in members]
        self.cores = [(min(g.core.c0 for g in gs), max(g.core.c1 for g in gs)) for gs in members]
        self._mark_other_rows()
        bands, band_of = self._bands()
        rows = self._rows(band_of)
        table = Table(
            start=self.el.start,
            end=self.el.end,
            caption=self.caption,
            bands=tuple(bands),
            rows=tuple(rows),
            notes=self._notes(),
        )
        displays = [(r.el, self._row_display(r)) for r in self.rows]
        return _TableResult(table, displays, [c.el for r in self.rows for c in r.prose])

    def _set_prose_aside(self) -> None:
        """Long text cells that label no figure (narrative beside a chart, footnotes set in
        the table) are read as paragraphs, not as row labels or headers."""
        for row in self.rows:
            keep = set(map(id, _label_cells(row))) if row.kind == "data" else set()
            row.prose = [c for c in row.cells if _is_prose(c) and id(c) not in keep]
            if row.prose:
                row.cells = [c for c in row.cells if not any(c is p for p in row.prose)]

    # row kinds -----------------------------------------------------------
    def _mark_data_rows(self) -> bool:
        """Mark rows with figures; True when the table holds figures worth a grid."""
        seen_data = False
        for row in self.rows:
            if not row.groups:
                continue
            label = _label_cells(row)
            if _is_year_row(row) and (not label or not seen_data):
                row.groups = []  # "2004 | 2003" over the columns is a header
                continue
            row.kind = "data"
            seen_data = True
        data = [r for r in self.rows if r.kind == "data"]
        # One bare figure beside text is a footnote number or a layout cell, not a table.
        return any(len(r.groups) >= 2 or _label_cells(r) for r in data)

    def _over_values(self, cell: _GCell) -> bool:
        return cell.c0 >= self.edge and any(cell.c0 < hi and cell.c1 > lo for lo, hi in self.ranges)

    def _mark_other_rows(self) -> None:
        """Rows without figures: column headers, titles, section labels, or other."""
        first_data = next(i for i, r in enumerate(self.rows) if r.kind == "data")
        for i, row in enumerate(self.rows):
            if row.kind == "data" or not row.cells:
                continue
            row.kind = self._kind_without_figures(row, before_data=i < first_data)
        # Label-only rows above the headers are titles; those between headers and data introduce rows.
        heads = [i for i, r in enumerate(self.rows[:first_data]) if r.kind == "header"]
        for row in self.rows[: max(heads, default=-1) + 1]:
            if row.kind == "label":
                row.kind = "title"
        # A label row just above a restated header band titles that band ("Capital Ratios ...").
        for i in range(len(self.rows) - 1, first_data, -1):
            nxt = next((r for r in self.rows[i + 1 :] if r.kind != "empty"), None)
            if self.rows[i].kind == "label" and nxt is not None and nxt.kind in ("header", "title"):
                self.rows[i].kind = "title"

    def _kind_without_figures(self, row: _TRow, before_data: bool) -> str:
        value_texts = [c for c in row.cells if self._over_values(c)]
        label_texts = [c for c in row.cells if not self._over_values(c)]
        if all(_FOOTNOTE.match(c.text) for c in row.cells):
            return "other"  # a lone "*" or "(1)" marker row
        if not value_texts:
            text = " ".join(c.text for c in label_texts)
            return "other" if _as_figure(text) else "label"
        if before_data or not label_texts:
            return "header"
        if all(_NOT_AVAILABLE.match(c.text) for c in value_texts):
            return "other"  # "Ratio | n/m | n/m": a row whose values are not figures
        return "header"

    # header bands ----------------------------------------------------------
    def _bands(self) -> tuple[list[HeaderBand], dict[int, int]]:
        """Header bands in force, and the band of each data row (by row index)."""
        groups: list[list[_TRow]] = []
        band_of: dict[int, int] = {}
        titles: list[list[_TRow]] = []
        current: list[_TRow] | None = None
        for i, row in enumerate(self.rows):
            if row.kind in ("header", "title"):
                if current is None:
                    current = []
                    groups.append(current)
                    titles.append([])
                (current if row.kind == "header" else titles[-1]).append(row)
            elif row.kind == "data":
                if not groups:
                    groups.append([])
                    titles.append([])
                current = None
                band_of[i] = len(groups) - 1
            elif row.kind in ("label", "other"):
                current = None
        bands = [self._band(hrows, trows) for hrows, trows in zip(groups, titles, strict=True)]
        return bands, band_of

    def _band(self, header_rows: list[_TRow], title_rows: list[_TRow]) -> HeaderBand:
        lines: list[list[str]] = [[] for _ in self.ranges]
        bottom: list[_GCell | None] = [None for _ in self.ranges]
        title = [c.text for r in title_rows for c in r.cells]
        for row in header_rows:
            for cell in row.cells:
                if not self._over_values(cell) or self._is_table_title(cell):
                    title.append(cell.text)
                    continue
                for k in self._columns_under(cell):
                    lines[k].append(cell.text)
                    bottom[k] = cell
        columns = tuple(
            Column(k, tuple(lines[k]), b.el.start if b else -1, b.el.end if b else -1)
            for k, b in enumerate(bottom)
        )
        return HeaderBand(_fold(" ".join(t for t in title if t)), columns)

    def _columns_under(self, cell: _GCell) -> list[int]:
        """Value columns a header cell stands over: those whose digits it covers, else those
        whose `$`, `)` or `%` cells it covers."""
        for spans in (self.cores, self.ranges):
            hit = [k for k, (lo, hi) in enumerate(spans) if cell.c0 < hi and cell.c1 > lo]
            if hit:
                return hit
        return []

    def _is_table_title(self, cell: _GCell) -> bool:
        """A header cell over every value column that names no period is the table's title
        ("Consolidated Financial Highlights (Unaudited)"), not a column header."""
        spans_all = cell.c0 <= self.ranges[0][0] and cell.c1 >= self.ranges[-1][1]
        return spans_all and len(self.ranges) > 1 and not _PERIODISH.search(cell.text)

    # rows ------------------------------------------------------------------
    def _rows(self, band_of: dict[int, int]) -> list[Row]:
        out: list[Row] = []
        outline = _Outline()
        self._open_header_label(outline)
        carry: tuple[str, int] | None = None  # a label wrapped onto the row below
        spanned: list[tuple[int, str]] = []  # (last row, text) of rowspan cells grouping rows
        for i, row in enumerate(self.rows):
            if row.kind == "label":
                carry = None
                text = _clean_label(" ".join(c.text for c in row.cells))
                indent = _indent(row.cells[0].el)
                rank = 0 if all(c.bold for c in row.cells) or text.upper() == text else 1
                if rank == 0 or text.endswith(":") or self._deeper_follows(i, indent):
                    outline.open(text.rstrip(":").strip(), indent, rank)
                elif text[:1].isalpha():
                    carry = (text, row.cells[0].el.start)
                continue
            if row.kind in ("header", "title"):  # a restated header band starts afresh
                outline, spanned = _Outline(), []
            if row.kind == "data":
                labels = _label_cells(row)
                if len(labels) > 1 and labels[0].rowspan > 1:  # "Financial Metrics" beside its rows
                    spanned.append((i + labels[0].rowspan - 1, _clean_label(labels[0].text)))
                    labels = labels[1:]
                groups = tuple(text for last, text in spanned if i <= last)
                out.append(self._row(row, labels, band_of[i], outline, carry, groups))
            if row.kind != "empty":
                carry = None
        return out

    def _open_header_label(self, outline: _Outline) -> None:
        """Left-hand text on the last of several header rows introduces the first rows
        ("Period-end interest-earning assets | $ | %"), unless it states the scale or a date."""
        first = next(i for i, r in enumerate(self.rows) if r.kind == "data")
        heads = [r for r in self.rows[:first] if r.kind == "header"]
        if len(heads) < 2:
            return
        labels = [c for c in heads[-1].cells if not self._over_values(c)]
        text = _clean_label(_fold(" ".join(c.text for c in labels)))
        if text and not (_SCALE.search(text) or re.search(r"\d|,$", text)):
            outline.open(text.rstrip(":").strip(), _indent(labels[0].el), 1)

    def _deeper_follows(self, i: int, indent: int) -> bool:
        for row in self.rows[i + 1 :]:
            if row.kind in ("data", "label"):
                cells = _label_cells(row) if row.kind == "data" else row.cells
                return bool(cells) and _indent(cells[0].el) > indent
        return False

    def _row(
        self,
        row: _TRow,
        labels: list[_GCell],
        band: int,
        outline: _Outline,
        carry: tuple[str, int] | None,
        groups: tuple[str, ...],
    ) -> Row:
        label = _clean_label(_fold(" ".join(c.text for c in labels)))
        if labels:
            start, end, indent = labels[0].el.start, labels[-1].el.end, _indent(labels[0].el)
        else:
            start = end = row.el.start
            indent = 0
        if carry and label[:1].islower():  # "Selling, general and" / "administrative expenses"
            label, start = f"{carry[0]} {label}", carry[1]
        parents = outline.enter(indent) + groups
        if _TOTAL.match(label):
            outline.close_total(label)
        cells = tuple(
            Cell(row.col[id(g)], g.as_printed, g.cells[0].el.start, g.cells[-1].el.end) for g in row.groups
        )
        return Row(label, start, end, row.el.start, row.el.end, cells, band, indent, parents)

    # notes and display -----------------------------------------------------
    def _notes(self) -> tuple[str, ...]:
        out: list[str] = []
        for row in self.rows:
            if row.kind == "data":
                continue
            for cell in row.cells:
                if _SCALE.search(cell.text) and cell.text not in out:
                    out.append(cell.text)
        return tuple(out)

    def _row_display(self, row: _TRow) -> str:
        words: list[str] = []
        first_of = {id(g.cells[0]): g for g in row.groups}
        inside = {id(c) for g in row.groups for c in g.cells}
        for cell in row.cells:
            if id(cell) in first_of:
                words.append(first_of[id(cell)].as_printed)
            elif id(cell) not in inside:
                words.append(cell.text)  # without footnote markers, as prose displays are
        return _fold(" ".join(words))


def _has_table(el: _El) -> bool:
    """Whether `_nested_tables(el, set())` finds any table (memoised)."""
    if el._has_table is None:
        el._has_table = any(
            isinstance(c, _El) and not _hidden(c) and (c.tag == "table" or _has_table(c)) for c in el.children
        )
    return el._has_table


def _nested_tables(el: _El, skip: set[int]) -> list[_El]:
    """Tables inside `el`'s cells (not inside another nested table, nor in `skip`ped cells)."""
    out: list[_El] = []
    for c in el.children:
        if isinstance(c, _El) and not _hidden(c) and id(c) not in skip:
            if c.tag == "table":
                out.append(c)
            elif _has_table(c):
                out.extend(_nested_tables(c, skip))
    return out


# ---------------------------------------------------------------------------
# The walk that emits segments


@dataclass(slots=True)
class _Seg:
    kind: str
    start: int
    end: int
    display: str
    table: int | None = None


class _Segmenter:
    """Walks the tree in document order and emits segments and tables."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.segs: list[_Seg] = []
        self.tables: list[Table] = []

    def visit(self, el: _El, bold: bool, sup: bool) -> None:
        """Emit the segments of a block or table element."""
        if _hidden(el):
            return
        if el.tag == "table":
            self._table(el, bold, sup)
        else:
            self._block(el, bold, sup)

    def _block(self, el: _El, bold: bool, sup: bool) -> None:
        if el.tag != "#root":
            bold, sup = _flags(el, bold, sup)
        if el.tag == "tr" and self._layout_row(el, bold, sup):
            return
        items = list(self._flow(el, bold, sup))
        if el.tag != "#root" and all(kind == "node" for kind, *_ in items):
            self._emit_text(el.tag, el.start, el.end, items)
            return
        run: list = []
        for item in items:
            if item[0] == "node":
                run.append(item)
                continue
            self._emit_run(run)
            run = []
            self.visit(item[1], item[2], item[3])
        self._emit_run(run)

    def _flow(self, el: _El, bold: bool, sup: bool):
        """Children of a block: ("node", inline child, ...) or ("block", block child, ...);
        an inline element that wraps blocks (<font><p>..</p></font>) is looked through."""
        for child in el.children:
            if isinstance(child, _Text):
                yield ("node", child, bold, sup)
            elif _hidden(child):
                continue
            elif child.tag in BLOCKS or child.tag == "table":
                yield ("block", child, bold, sup)
            elif _has_block(child):
                yield from self._flow(child, *_flags(child, bold, sup))
            else:
                yield ("node", child, bold, sup)

    def _layout_row(self, tr: _El, bold: bool, sup: bool) -> bool:
        """A layout-table row whose cells each hold one short line ("Fourth quarter 2021 |
        vs. | third quarter 2021", "5. | footnote text") reads as one paragraph."""
        cells = [c for c in tr.children if isinstance(c, _El) and c.tag in CELL_TAGS]
        if not cells or any(_has_table(c) for c in cells):
            return False
        texts: list[str] = []
        pieces: list[_Piece] = []
        for td in cells:
            probe = _Segmenter(self.text)
            probe.visit(td, bold, sup)
            if len(probe.segs) > 1:
                return False
            if probe.segs:
                texts.append(probe.segs[0].display)
                _gather(td, bold, sup, pieces)
        if len(texts) < 2:
            return False
        display = _fold(" ".join(texts))
        kind = "heading" if _is_heading("", display, pieces) else "paragraph"
        self.segs.append(_Seg(kind, tr.start, tr.end, display))
        return True

    def _emit_run(self, run: list) -> None:
        """Inline content between blocks: a segment spanning its first to last node."""
        if not run:
            return
        start, end = run[0][1].start, run[-1][1].end
        while start < end and self.text[start].isspace():  # trim the raw span, not the decoded text
            start += 1
        while end > start and self.text[end - 1].isspace():
            end -= 1
        self._emit_text("", start, end, run)

    def _emit_text(self, tag: str, start: int, end: int, items: list) -> None:
        pieces: list[_Piece] = []
        for _, node, bold, sup in items:
            _gather(node, bold, sup, pieces)
        display = _display(pieces, drop_footnotes=True)  # "backlog3" reads as "backlog"
        display = _BULLET.sub(r"\1 ", display)  # Workiva sets "•" apart by padding, not a space
        if not display:
            return
        kind = "heading" if _is_heading(tag, display, pieces) else "paragraph"
        self.segs.append(_Seg(kind, start, end, display))

    def _caption(self) -> str:
        """Up to three short blocks just above the table, top first."""
        parts: list[str] = []
        for seg in reversed(self.segs):
            if _PAGE_MARK.match(seg.display):
                continue  # a page number or "- more -" between the title and the table
            words = len(seg.display.split())
            if seg.kind not in ("heading", "paragraph") or len(parts) == 3 or words > 30:
                break
            if seg.display.endswith(".") and words > 12:
                break
            parts.append(seg.display)
        return " | ".join(reversed(parts))

    def _table(self, el: _El, bold: bool, sup: bool) -> None:
        caption = self._caption()
        inner = next((c for c in el.children if isinstance(c, _El) and c.tag == "caption"), None)
        if inner is not None:
            caption = " | ".join(x for x in (_fold(_text_of(inner)), caption) if x)
        result = _TableReader(el, caption).read()
        if result is None:  # a layout table: its text reads as paragraphs
            self._block(el, bold, sup)
            return
        index = len(self.tables)
        self.tables.append(result.table)
        rows = [(tr, d) for tr, d in result.row_displays if d]
        self.segs.append(_Seg("table", el.start, el.end, _fold(" ".join(d for _, d in rows)), index))
        for tr, display in rows:
            self.segs.append(_Seg("table_row", tr.start, tr.end, display, index))
        prose = set(map(id, result.prose_cells))
        for td in result.prose_cells:  # walks the tables nested in them too
            self._block(td, bold, sup)
        for nested in _nested_tables(el, skip=prose):
            self.visit(nested, bold, sup)


# ---------------------------------------------------------------------------
# Entry point

_SGML_HEAD = re.compile(r"\s*<(?:DOCUMENT|TYPE)>", re.I)
_SGML_TEXT = re.compile(r"<TEXT>", re.I)


def _strip_sgml_wrapper(text: str, start: int, end: int) -> tuple[int, int]:
    """Skip EDGAR <DOCUMENT>/<TYPE>/<TEXT> header lines if the caller's span includes them."""
    if not _SGML_HEAD.match(text, start, min(end, start + 200)):
        return start, end
    m = _SGML_TEXT.search(text, start, min(end, start + 5000))
    if m:
        start = m.end()
    close = text.rfind("</TEXT>", start, end)
    return start, close if close >= 0 else end


def segment_html(text: str, start: int, end: int, doc_id: str) -> tuple[list[Segment], list[Table]]:
    """Segments and table grids of the HTML release found in text[start:end]."""
    end = len(text) if end < 0 or end > len(text) else end
    start = max(0, min(start, end))
    start, end = _strip_sgml_wrapper(text, start, end)
    if start >= end:
        return [], []
    lines = _Lines(text)
    builder = _TreeBuilder(text, start, end)
    builder.feed(text[start:end])
    root = builder.finish()
    walker = _Segmenter(text)
    walker.visit(root, False, False)
    return _finish(walker, lines, doc_id), walker.tables


def _finish(walker: _Segmenter, lines: _Lines, doc_id: str) -> list[Segment]:
    """Order segments by position, number them, and give each its section heading."""
    ordered = sorted(enumerate(walker.segs), key=lambda p: (p[1].start, -p[1].end, p[0]))
    out: list[Segment] = []
    section = ""
    for seq, (_, s) in enumerate(ordered):
        if s.kind == "heading":
            section = s.display
        out.append(
            Segment(
                doc_id=doc_id,
                seq=seq,
                kind=s.kind,
                char_start=s.start,
                char_end=s.end,
                line_start=lines.line(s.start),
                line_end=lines.line(max(s.start, s.end - 1)),
                section=section,
                display=s.display,
                table=s.table,
            )
        )
    return out
