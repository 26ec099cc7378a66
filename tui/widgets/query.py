"""The query bar: an Input that suggests company and metric names from the store."""

from __future__ import annotations

from collections.abc import Iterable

from textual.suggester import SuggestFromList
from textual.widgets import Input


class PhraseSuggester(SuggestFromList):
    """Completes the phrase being typed at the end of the query, not only the whole query.

    "Q1 sel" suggests "Q1 selling, general and administrative": the longest tail of the
    input (starting at a word) that begins a known company or metric name is completed.
    Matching ignores case; what the user typed keeps its case.
    """

    def __init__(self, suggestions: Iterable[str]) -> None:
        names = sorted({s for s in suggestions if s}, key=lambda s: (len(s), s.lower()))
        super().__init__(names, case_sensitive=True)
        self._folded = [s.casefold() for s in self._suggestions]

    async def get_suggestion(self, value: str) -> str | None:
        if not value.strip():
            return None
        starts = [0] + [i + 1 for i, ch in enumerate(value) if ch == " " and i + 1 < len(value)]
        for i in starts:
            tail = value[i:].casefold()
            if len(tail) < 2:
                continue
            for full, folded in zip(self._suggestions, self._folded, strict=True):
                if folded.startswith(tail) and len(folded) > len(tail):
                    return value[:i] + value[i:] + full[len(tail) :]
        return None


class QueryBar(Input):
    """Where questions are typed; Enter asks."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            placeholder='Ask: "Q1 SG&A", "net income Q4 2021 Citizens", "who is the CFO?"  (/ to focus)',
            id=id,
            suggester=PhraseSuggester([]),
            select_on_focus=False,
        )

    def set_names(self, names: Iterable[str]) -> None:
        """Suggest these company and metric names."""
        self.suggester = PhraseSuggester(names)
