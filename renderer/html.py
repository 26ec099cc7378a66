"""Markdown → HTML with markdown-it-py: raw HTML off, tables and footnotes on.

Nothing in the Markdown can become markup we did not write: raw HTML is
escaped by the parser, and the chart's SVG, which is ours, is put in after
rendering in place of a marker paragraph (never passed through Markdown).
"""

from __future__ import annotations

import html as _html
import secrets
from functools import lru_cache
from pathlib import Path

from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

ASSETS = Path(__file__).resolve().parent
STYLESHEET = ASSETS / "print.css"
AUTHOR = "Exhibit"
# A paragraph holding only this marker becomes the chart; the random part keeps release text from forging it.
CHART_MARKER = "EXHIBIT-CHART-" + secrets.token_hex(8)
PAGE_SIZES = {"a4": "A4", "letter": "letter"}
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _caption(self, tokens, idx, options, env) -> str:
    """A footnote marker shows its number only ([1], not [1:2], when a note is cited twice)."""
    return f"[{tokens[idx].meta['id'] + 1}]"


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    """CommonMark with raw HTML disabled, GFM tables, footnotes (no inline ^[...] notes)."""
    md = MarkdownIt("commonmark", {"html": False}).enable("table").use(footnote_plugin, inline=False)
    md.add_render_rule("footnote_caption", _caption)
    return md


def body_html(markdown_text: str, svg: str | None = None) -> str:
    """The HTML of a Markdown text, with the chart marker replaced by the SVG (when given)."""
    out = parser().render(markdown_text)
    if svg:
        out = out.replace(f"<p>{CHART_MARKER}</p>", f'<figure class="chart">\n{svg}\n</figure>', 1)
    return out.replace(f"<p>{CHART_MARKER}</p>", "")


def stylesheet_text() -> str:
    """The briefing stylesheet shipped with the package."""
    return STYLESHEET.read_text(encoding="utf-8")


def to_html(
    markdown_text: str,
    *,
    title: str,
    svg: str | None = None,
    page: str = "a4",
    stylesheet: str = "inline",
    author: str = AUTHOR,
) -> str:
    """A whole HTML document: <title> and author metadata, page size, the stylesheet inline or linked.

    `stylesheet="link"` refers to print.css by a relative URL (for WeasyPrint, whose
    fetcher serves it from the package); "inline" embeds it (a standalone .html file).
    """
    size = PAGE_SIZES.get(page, "A4")
    head = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
    ]
    if stylesheet == "inline":
        head.append(f'<meta http-equiv="Content-Security-Policy" content="{CSP}">')
    head += [
        f"<title>{_html.escape(title)}</title>",
        f'<meta name="author" content="{_html.escape(author, quote=True)}">',
        '<meta name="generator" content="Exhibit">',
        f'<meta name="description" content="{_html.escape(title, quote=True)}: cited figures from the release">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<style>@page {{ size: {size}; }}</style>",
    ]
    if stylesheet == "link":
        head.append('<link rel="stylesheet" href="print.css">')
    else:
        head.append("<style>\n" + stylesheet_text() + "\n</style>")
    head += ["</head>", "<body>", '<main class="briefing">']
    return "\n".join(head) + "\n" + body_html(markdown_text, svg) + "</main>\n</body>\n</html>\n"
