"""Small helpers the widgets share: how a citation reads on screen and on the clipboard."""

from __future__ import annotations

import re
from pathlib import Path

from textual.content import Content

from .source import reading_text

_WS = re.compile(r"\s+")
MATCH_STYLE = "bold $background on $warning"
FIGURE_STYLE = "bold $background on $warning"


def fold(s: str) -> str:
    """White space folded to single spaces."""
    return " ".join(s.split())


def cite_place(c: dict) -> str:
    """`file.txt:242-243` for a citation."""
    name = Path(c.get("path") or "").name or c.get("doc_id", "?")
    ls, le = c.get("line_start"), c.get("line_end")
    if ls is None:
        return name
    return f"{name}:{ls}" if ls == le else f"{name}:{ls}-{le}"


def cite_words(c: dict) -> str:
    """What a person reads of a citation: its `display` (HTML) or its text, white space folded."""
    if c.get("display"):
        return fold(c["display"])
    text = c.get("text") or ""
    if text.lstrip().startswith("<"):
        return reading_text(text)
    return fold(text)


def figure_words(c: dict) -> str | None:
    """The figure's own characters as a person reads them, if the citation has them."""
    ft = c.get("figure_text")
    if not ft:
        return None
    return reading_text(ft) if "<" in ft else fold(ft)


def cite_text(c: dict, limit: int = 400) -> Content:
    """A citation's words with the figure highlighted (the first time it appears)."""
    words = cite_words(c)
    fig = figure_words(c)
    i = _figure_index(c, words, fig) if fig else -1
    if len(words) > limit:
        # keep the figure in view when the words are cut
        lo = 0 if i < limit - 40 else max(0, i - limit // 2)
        words = ("…" if lo else "") + words[lo : lo + limit - 1] + "…"
        if i >= 0:
            i = i - lo + (1 if lo else 0)
    t = Content(words)
    if fig and i >= 0:
        t = t.stylize(FIGURE_STYLE, i, i + len(fig))
    return t


def _figure_index(c: dict, words: str, fig: str) -> int:
    """Where the figure sits in the folded words: by its offset in the source when it is plain text."""
    if not c.get("display") and c.get("figure_start") is not None and c.get("text"):
        before = fold(c["text"][: max(0, c["figure_start"] - c["char_start"])])
        j = len(before) + (1 if before else 0)
        if words[j : j + len(fig)] == fig:
            return j
    return words.find(fig)


def highlight(runs: list[tuple[str, bool]], limit: int = 400) -> Content:
    """Search highlights (runs from index.search.split_highlights) as styled text."""
    parts: list[tuple[str, str]] = []
    n = 0
    for s, hit in runs:
        s = _WS.sub(" ", s)
        if n + len(s) > limit:
            parts.append((s[: max(0, limit - n)] + "…", MATCH_STYLE if hit else ""))
            break
        parts.append((s, MATCH_STYLE if hit else ""))
        n += len(s)
    return Content.assemble(*parts)


def clipboard_text(c: dict) -> str:
    """A citation as text to paste: the words, the file, lines and characters."""
    ls, le = c.get("line_start"), c.get("line_end")
    lines = f"line {ls}" if ls == le else f"lines {ls}-{le}"
    return f'"{cite_words(c)}" ({c.get("path", "")}, {lines}, characters {c["char_start"]}-{c["char_end"]})'


def scale_words(scale: float | None) -> str:
    """`in thousands` for 1000, and so on."""
    return {1e3: "in thousands", 1e6: "in millions", 1e9: "in billions"}.get(float(scale or 1), "")
