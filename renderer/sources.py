"""Where a figure or passage was printed: a citation turned into what a footnote shows.

A `Source` keeps the citation's file, lines and character span, and the cited
text as a person reads it (the `display` words for HTML sources), split
around the figure so a footnote can set the figure in bold. Nothing here
reads the store: it works on citation dicts from qa and the decoded source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from index.text import fold
from qa.citations import display_of

QUOTE_LIMIT = 420  # characters of cited text shown around a figure in a footnote
PASSAGE_LIMIT = 1500  # characters of a quoted passage


@dataclass(frozen=True)
class Source:
    """A citation as a footnote shows it: file, lines, span and the quoted words around the figure."""

    doc_id: str
    path: str
    line_start: int
    line_end: int
    char_start: int
    char_end: int
    html: bool
    before: str = ""  # quoted words before the figure (with the space that separates them)
    figure: str = ""  # the figure's own words ('' when the citation is a passage)
    after: str = ""

    @property
    def file(self) -> str:
        """The source file's name."""
        return Path(self.path).name

    @property
    def lines(self) -> str:
        """'line 237' or 'lines 242–243'."""
        if self.line_end > self.line_start:
            return f"lines {self.line_start}\u2013{self.line_end}"
        return f"line {self.line_start}"

    @property
    def quote(self) -> str:
        """The quoted text without emphasis."""
        return self.before + self.figure + self.after

    @property
    def key(self) -> tuple:
        """What makes two citations the same footnote."""
        return (self.path, self.char_start, self.char_end, len(self.before), self.figure)


def _readable(markup: str, html: bool) -> str:
    return display_of(markup) if html else fold(markup)


def _gap(raw_char: str) -> str:
    """The separator a reader sees where the source has `raw_char` at a part boundary."""
    return " " if raw_char.isspace() or raw_char in "<>" else ""


def source_of(citation: dict, text: str, html: bool) -> Source:
    """A Source from a qa citation dict and the decoded source text it points into."""
    start, end = citation["char_start"], citation["char_end"]
    base = dict(
        doc_id=citation.get("doc_id", ""),
        path=citation.get("path", ""),
        line_start=citation["line_start"],
        line_end=citation.get("line_end", citation["line_start"]),
        char_start=start,
        char_end=end,
        html=html,
    )
    whole = citation.get("display") if html else None
    if whole is None:
        whole = _readable(text[start:end], html) if text else fold(citation.get("text", ""))
    fs, fe = citation.get("figure_start"), citation.get("figure_end")
    if text and fs is not None and fe is not None and start <= fs < fe <= end:
        before = _readable(text[start:fs], html)
        figure = _readable(text[fs:fe], html)
        after = _readable(text[fe:end], html)
        b_sep = _gap(text[fs - 1]) if before and figure else ""
        a_sep = _gap(text[fe]) if figure and after and fe < len(text) else ""
        if fold(before + b_sep + figure + a_sep + after) == fold(whole) and figure:
            before, after = _shorten(before + b_sep, a_sep + after)
            return Source(**base, before=before, figure=figure, after=after)
    return Source(**base, before=_clip(whole, QUOTE_LIMIT))


def passage_source(doc_id: str, path: str, hit, html: bool) -> Source:
    """A Source for a search hit (a passage: no figure, no quote in the footnote)."""
    return Source(
        doc_id=doc_id,
        path=path,
        line_start=hit.line_start,
        line_end=hit.line_end,
        char_start=hit.char_start,
        char_end=hit.char_end,
        html=html,
    )


def _shorten(before: str, after: str) -> tuple[str, str]:
    """Keep the quote around the figure within QUOTE_LIMIT, marking cuts with an ellipsis."""
    room = QUOTE_LIMIT // 2
    if len(before) > room:
        cut = before[-room:]
        cut = cut[cut.find(" ") + 1 :] if " " in cut[:40] else cut
        before = "\u2026" + cut
    if len(after) > room:
        cut = after[:room]
        cut = cut[: cut.rfind(" ")] if " " in cut[-40:] else cut
        after = cut + "\u2026"
    return before, after


def _clip(s: str, limit: int) -> str:
    if len(s) <= limit:
        return s
    cut = s[:limit]
    return cut[: cut.rfind(" ")] + " \u2026" if " " in cut[-60:] else cut + "\u2026"


def clip_passage(s: str) -> str:
    """A passage shortened to PASSAGE_LIMIT characters, the cut marked."""
    return _clip(fold(s), PASSAGE_LIMIT)


CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(s: str) -> str:
    """Text from a release with control characters removed and white space folded."""
    return fold(CONTROL_RE.sub(" ", s or ""))
