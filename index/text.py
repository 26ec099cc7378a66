"""Small text helpers every layer uses: line numbers of offsets, folded white space."""

from __future__ import annotations

import bisect
import re


class LineIndex:
    """Line numbers of offsets in a text (1-based), by bisecting newline positions."""

    def __init__(self, text: str):
        self.nl = [m.start() for m in re.finditer("\n", text)]

    def line(self, offset: int) -> int:
        """1-based line number of the character at `offset`."""
        return bisect.bisect_left(self.nl, offset) + 1


def fold(s: str) -> str:
    """White space folded to single spaces."""
    return " ".join(s.split())
