"""A small SVG bar chart of headline metrics across periods, drawn by our own code.

No scripts, no external references: plain shapes and text, so the same SVG
works inline in HTML, in WeasyPrint's PDF and as a file next to a Markdown
briefing. Labels are rounded (the exact figures are in the cited tables).
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
PANEL_W, PANEL_H = 220, 190
WIDE_W = 660
TOP, BOTTOM = 40, 150  # plot area (y) inside a panel
BAR = "#9db4cc"
BAR_LAST = "#1f4e79"
NEG = "#c9a3a3"
NEG_LAST = "#8b2e2e"
AXIS = "#555555"


def compact(value: float, unit: str) -> str:
    """A short label: $37.2M, -$0.3M, $4.69B, $3.23, 55.9%."""
    sign = "-" if value < 0 else ""
    a = abs(value)
    if unit == "USD":
        for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
            if a >= div:
                n = a / div
                if suffix == "K":
                    return f"{sign}${n:,.0f}K"
                return f"{sign}${n:.2f}{suffix}" if n < 10 and suffix == "B" else f"{sign}${n:.1f}{suffix}"
        return f"{sign}${a:,.0f}"
    if unit == "USD/share":
        return f"{sign}${a:.2f}"
    if unit == "percent":
        return f"{value:.1f}%"
    return f"{value:,.0f}"


def wrap(title: str, width: int) -> list[str]:
    """A panel title in at most two lines of about `width` characters (the rest cut with an ellipsis)."""
    lines: list[str] = []
    for word in title.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > 2:
        lines = [lines[0], lines[1] + "\u2026"]
    return lines


def _text(
    x: float, y: float, s: str, size: float, anchor: str = "middle", weight: str = "normal", fill=AXIS
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-family={quoteattr(FONT)} font-size="{size}" '
        f'font-weight="{weight}" text-anchor="{anchor}" fill="{fill}">{escape(s)}</text>'
    )


def _panel(panel, x0: float, y0: float, width: float) -> list[str]:
    """One metric: bars for each period, a zero line, value labels and period labels."""
    out = [
        _text(x0 + 8, y0 + 14 + 12 * i, line, 10, anchor="start", weight="bold", fill="#222222")
        for i, line in enumerate(wrap(panel.title, max(12, int((width - 16) / 6.2))))
    ]
    values = [v for _, v in panel.points]
    hi, lo = max(0.0, *values), min(0.0, *values)
    span = (hi - lo) or 1.0
    hi, lo = hi + span * 0.16 * (hi > 0), lo - span * 0.16 * (lo < 0)
    span = hi - lo

    def y(v: float) -> float:
        return y0 + TOP + (hi - v) / span * (BOTTOM - TOP)

    n = len(panel.points)
    slot = (width - 16) / n
    bar_w = min(44.0, slot * 0.62)
    zero = y(0.0)
    for i, (label, v) in enumerate(panel.points):
        cx = x0 + 8 + slot * (i + 0.5)
        mine = i == panel.highlight
        top, bottom = sorted((y(v), zero))
        color = (NEG_LAST if mine else NEG) if v < 0 else (BAR_LAST if mine else BAR)
        out.append(
            f'<rect x="{cx - bar_w / 2:.1f}" y="{top:.1f}" width="{bar_w:.1f}" '
            f'height="{max(bottom - top, 0.8):.1f}" fill="{color}"/>'
        )
        ly = top - 3 if v >= 0 else bottom + 10
        out.append(_text(cx, ly, compact(v, panel.unit), 8.5, weight="bold" if mine else "normal"))
        out.append(_text(cx, y0 + BOTTOM + 14, label, 8.5, weight="bold" if mine else "normal"))
    out.append(
        f'<line x1="{x0 + 6:.1f}" y1="{zero:.1f}" x2="{x0 + width - 6:.1f}" y2="{zero:.1f}" '
        f'stroke="{AXIS}" stroke-width="0.8"/>'
    )
    return out


def render_svg(panels) -> str:
    """An SVG document of small bar charts, one per ChartPanel (title, unit, points oldest first)."""
    panels = list(panels)
    if not panels:
        return ""
    wide = max(len(p.points) for p in panels) > 4
    if wide:
        width, height = WIDE_W, PANEL_H * len(panels)
        places = [(0.0, PANEL_H * i, WIDE_W) for i in range(len(panels))]
    else:
        width, height = PANEL_W * len(panels), PANEL_H
        places = [(PANEL_W * i, 0.0, PANEL_W) for i in range(len(panels))]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img">',
        "<title>" + escape("Headline metrics by period: " + ", ".join(p.title for p in panels)) + "</title>",
    ]
    for p, (x, y, w) in zip(panels, places, strict=True):
        parts.extend(_panel(p, x, y, w))
    parts.append("</svg>")
    return "\n".join(parts)
