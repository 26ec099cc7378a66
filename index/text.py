"""Small text helpers every layer uses: line numbers of offsets, folded white space, patterns
compiled at their first use."""

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


# The only characters outside ASCII that a case-insensitive pattern matches to ASCII letters.
CASE_FOLDS = {0x130: "i", 0x131: "i", 0x17F: "s", 0x212A: "k"}


def fold_case(s: str) -> str:
    """`s` as case-insensitive patterns see its ASCII letters: lower case (for substring tests that
    must hold wherever such a pattern matches)."""
    return s.translate(CASE_FOLDS).lower()


# The attributes of a compiled pattern that callers use; bound onto a LazyPattern once compiled.
PATTERN_ATTRS = (
    "search",
    "match",
    "fullmatch",
    "finditer",
    "findall",
    "sub",
    "subn",
    "split",
    "flags",
    "groups",
    "groupindex",
    "scanner",
)


class LazyPattern:
    """`re.compile(pattern, flags)`, compiled when first used.

    A question uses a few dozen of the patterns the answering modules define; compiling all of them
    at import was a fifth of a one-question command's time."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self._flags = flags

    def __getattr__(self, name: str):
        # Only reached before the first compile: afterwards the compiled methods are attributes here.
        if name not in PATTERN_ATTRS:
            raise AttributeError(name)
        compiled = re.compile(self.pattern, self._flags)
        for attr in PATTERN_ATTRS:
            setattr(self, attr, getattr(compiled, attr))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"LazyPattern({self.pattern!r})"


def lazy_re(pattern: str, flags: int = 0) -> LazyPattern:
    """A pattern compiled at its first use (for module-level patterns few calls need)."""
    return LazyPattern(pattern, flags)
