"""Citations: exact character spans of a source file, as the `ask --json` contract prints them."""

from __future__ import annotations

import re
from functools import lru_cache

from index.text import LineIndex, fold


@lru_cache(maxsize=64)
def _lines(text_id: int, text: str) -> LineIndex:
    return LineIndex(text)


def line_of(text: str, offset: int) -> int:
    """1-based line of the character at `offset`."""
    return _lines(id(text), text).line(offset)


def display_of(markup: str) -> str:
    """What a person reads of an HTML span: tags dropped, entities decoded, white space folded."""
    t = re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", " ", markup)
    t = re.sub(r"(?i)<br\s*/?>|</(td|th|p|div|tr)>", " ", t)
    t = re.sub(r"<[^>]*>", "", t)
    import html  # (here: a plain-text release's citation needs no entity table)

    return fold(html.unescape(t).replace("\u00a0", " "))


def citation(
    text: str, path: str, doc_id: str, start: int, end: int, kind: str, is_html: bool, **extra
) -> dict:
    """A citation dict for text[start:end]: `text` exact, lines 1-based inclusive, `display` for HTML."""
    # Spans never end on white space, so line_end is the line of the last printed character.
    while end > start and text[end - 1].isspace():
        end -= 1
    c = {
        "doc_id": doc_id,
        "path": path,
        "char_start": start,
        "char_end": end,
        "line_start": line_of(text, start),
        "line_end": line_of(text, end - 1),
        "kind": kind,
        "text": text[start:end],
    }
    if is_html:
        c["display"] = display_of(text[start:end])
    c.update(extra)
    return c


def fact_citations(fact, text: str, is_html: bool) -> list[dict]:
    """A fact's citations: the row or sentence holding the figure, with the figure's own span."""
    fig = {
        "figure_start": fact.char_start,
        "figure_end": fact.char_end,
        "figure_text": text[fact.char_start : fact.char_end],
    }
    return [
        citation(text, fact.path, fact.doc_id, fact.cite_start, fact.cite_end, fact.cite_kind, is_html, **fig)
    ]
