"""The data that flows out of `index/`: documents, segments and table grids.

Every span is a pair of character offsets into `Document.text`, the decoded
source file, so that `text[start:end]` is exactly what was printed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

FORMATS = ("edgar-text", "edgar-submission", "html", "text")
SEGMENT_KINDS = ("heading", "paragraph", "table", "table_row", "note", "contact", "boilerplate")


@dataclass(frozen=True)
class Document:
    """One release: a decoded file, or one exhibit of a submission file."""

    doc_id: str
    path: str
    sha256: str
    format: str
    company: str
    title: str
    release_date: str | None
    fiscal_year_end: str | None  # "MM-DD" when the release states it
    text: str  # the whole decoded source file; spans index into it
    body_start: int = 0  # the release's own part of `text` (one <DOCUMENT> of a submission)
    body_end: int = -1
    is_html: bool = False
    exhibit: str = ""  # e.g. "EX-99.1"
    ticker: str = ""

    @property
    def body(self) -> str:
        """The release's own text (still addressed by offsets into `text`)."""
        return self.text[self.body_start : self.end]

    @property
    def end(self) -> int:
        """Offset one past the release's last character."""
        return len(self.text) if self.body_end < 0 else self.body_end


@dataclass(frozen=True)
class Segment:
    """A contiguous span of a document with a kind and the section it falls under."""

    doc_id: str
    seq: int
    kind: str
    char_start: int
    char_end: int
    line_start: int
    line_end: int
    section: str
    display: str  # the words a person reads (HTML stripped, white space folded)
    table: int | None = None  # for tables and rows: the table's number in the document


@dataclass(frozen=True)
class Cell:
    """A printed figure in a table: `as_printed` is what a reader sees."""

    col: int
    as_printed: str
    start: int  # span of the figure (text) or of its element(s) (HTML)
    end: int


@dataclass(frozen=True)
class Column:
    """One value column's header as printed, top line first."""

    col: int
    header: tuple[str, ...]  # header lines over this column, e.g. ("Three Months Ended", "March 31, 2004")
    start: int = -1
    end: int = -1


@dataclass(frozen=True)
class HeaderBand:
    """Column headers in force for the rows below them (tables may restate them)."""

    title: str  # left-hand text on the header lines, e.g. "BALANCE SHEET (amounts in $ thousands)"
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class Row:
    """A table row: its label (possibly over several lines) and its figures."""

    label: str  # folded, e.g. "Selling, General and Administrative (exclusive of ...)"
    label_start: int
    label_end: int
    start: int
    end: int
    cells: tuple[Cell, ...]
    band: int  # index into Table.bands
    indent: int = 0
    parents: tuple[str, ...] = ()  # section rows above it, outermost first ("Current Assets")


@dataclass(frozen=True)
class Table:
    """A table as a grid of labelled cells, with its caption and header bands."""

    start: int
    end: int
    caption: str  # text just above or in the table that says what it is and its scale
    bands: tuple[HeaderBand, ...]
    rows: tuple[Row, ...]
    notes: tuple[str, ...] = field(default=())  # scale and other lines inside the table
