"""The results pane: the answer card, then the answer's citations and the ranked passages.

It only shows what the app hands it (an `Answer` from `Library.ask`, hits from
`Library.search`) and says what the user picked through messages.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from index.search import split_highlights
from qa.cli import format_value

from .common import cite_place, cite_text, highlight, scale_words


@dataclass
class Passage:
    """A search hit with the citation the library made for it."""

    hit: object  # index.search.Hit
    citation: dict


class AnswerCard(Static):
    """The figure, its period, unit and basis; agreement with the prose; the formula; or 'not found'."""

    DEFAULT_CSS = """
    AnswerCard { height: auto; max-height: 12; padding: 0 1; }
    AnswerCard.-not-found { color: $text-warning; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(HINT, id=id)
        self.plain = HINT.plain

    def show_busy(self, question: str) -> None:
        self.remove_class("-not-found")
        self._set(Content.styled(f"… {question}", "dim italic"))

    def show_answer(self, a) -> None:
        """Render a qa.answer.Answer."""
        self.set_class(a.status == "not_found", "-not-found")
        self._set(render_answer(a))

    def show_message(self, message: str, *, warn: bool = False) -> None:
        self.set_class(warn, "-not-found")
        self._set(Content(message))

    def _set(self, content: Content) -> None:
        self.plain = content.plain
        self.update(content)


HINT = Content.styled("Type a question above and press Enter (F1: help, Ctrl+P: commands).", "dim")


def render_answer(a) -> Content:
    """The answer card's lines."""
    lines: list[Content] = []
    if a.status == "answered" and a.answer:
        x = a.answer
        p = x.get("period") or {}
        head = [
            (format_value(x["value"], x["unit"], x.get("value_high")), "bold $accent"),
            "  ",
            (p.get("label", ""), "bold"),
            f" · {x.get('basis', '')}",
        ]
        if x.get("as_printed"):
            sw = scale_words(x.get("scale"))
            head.append((f"   printed {x['as_printed']}" + (f" {sw}" if sw else ""), "dim"))
        lines.append(Content.assemble(*head))
        lines.append(Content.styled(x.get("label") or x.get("metric", ""), "bold"))
        span = f"{p.get('start')} to {p.get('end')}" if p.get("start") else (p.get("end") or "")
        lines.append(Content.styled(f"{x.get('company', '')} · {x.get('unit', '')} · {span}", "dim"))
        if a.formula:
            lines.append(Content.assemble(("= ", "bold"), (a.formula, "italic")))
        prose = next((c for c in a.citations[1:] if "agrees" in c), None)
        if prose is not None and prose["agrees"]:
            lines.append(
                Content.assemble(
                    ("✓ ", "bold $success"), "prose agrees with the table", (f"  {cite_place(prose)}", "dim")
                )
            )
        elif prose is not None:
            lines.append(
                Content.assemble(("✗ ", "bold $error"), a.note or "the prose disagrees with the table")
            )
        elif a.note and not a.formula:
            lines.append(Content.styled(a.note, "dim"))
    elif a.status == "not_found":
        lines.append(Content.styled("not found", "bold"))
        if a.note:
            lines.append(Content(a.note))
        lines.append(
            Content.styled("Nothing is invented: try other words, or read the passages below.", "dim")
        )
    elif a.status == "ambiguous":
        lines.append(Content.styled("ambiguous: " + (a.note or "several answers fit"), "bold"))
        lines.append(Content.styled("Pick one below (Enter) to ask again about it.", "dim"))
    elif a.status == "passages":
        lines.append(Content.styled("No single figure answers this; these passages do:", "bold"))
    else:
        lines.append(Content(a.status))
    return Content("\n").join(lines)


class CitationList(OptionList):
    """Citations, then passages; Enter opens one in the source pane."""

    DEFAULT_CSS = """
    CitationList, CitationList:focus {
        height: 1fr; border: none; padding: 0; background: $surface; scrollbar-gutter: stable;
    }
    """


class ResultsPane(Vertical):
    """Answer card over the list of citations and passages."""

    class CitationChosen(Message):
        """The user asked to see a citation in the source pane."""

        def __init__(self, citation: dict, index: int, citations: list[dict]) -> None:
            super().__init__()
            self.citation = citation
            self.index = index
            self.citations = citations

    class AlternativeChosen(Message):
        """The user picked one of an ambiguous answer's alternatives."""

        def __init__(self, alternative: dict, question: str) -> None:
            super().__init__()
            self.alternative = alternative
            self.question = question

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.answer = None
        self.citations: list[dict] = []  # every entry of the list that opens a source, in order
        self.current = -1

    def compose(self) -> ComposeResult:
        yield AnswerCard(id="answer-card")
        yield CitationList(id="citations")

    @property
    def card(self) -> AnswerCard:
        return self.query_one(AnswerCard)

    @property
    def options(self) -> CitationList:
        return self.query_one(CitationList)

    # --- filling ----------------------------------------------------------------------

    def show_busy(self, question: str) -> None:
        self.card.show_busy(question)

    def show_answer(self, a) -> None:
        """Show an answer and its citations; passages follow with `show_passages`."""
        self.answer = a
        self.citations = []
        self.current = -1
        self.card.show_answer(a)
        items: list[Option] = []
        if a.status == "ambiguous":
            for i, alt in enumerate(a.alternatives):
                label = ", ".join(str(v) for v in alt.values())
                items.append(Option(Content.assemble(("→ ", "bold"), label), id=f"alt-{i}"))
        for i, c in enumerate(a.citations):
            if a.status == "passages":
                role = "passage"
            elif i == 0:
                role = "figure"
            elif "agrees" in c:
                role = "prose ✓" if c["agrees"] else "prose ✗"
            else:
                role = "input" if a.formula else "also"
            items.append(self._citation_option(c, role))
        ol = self.options
        ol.clear_options()
        ol.add_options(items)
        if items:
            ol.highlighted = 0

    def show_passages(self, passages: list[Passage]) -> None:
        """Add ranked passages (search hits) below the answer's citations, skipping repeats."""
        seen = {(c.get("doc_id"), c.get("char_start")) for c in self.citations}
        fresh = [p for p in passages if (p.citation.get("doc_id"), p.citation.get("char_start")) not in seen]
        ol = self.options
        if not fresh:
            if not self.citations and not ol.option_count:
                ol.add_option(Option(Content.styled("no passages match", "dim"), disabled=True))
            return
        ol.add_option(Option(Content.styled("─ passages ─", "bold dim"), disabled=True))
        ol.add_options([self._passage_option(p) for p in fresh])
        if ol.highlighted is None:
            ol.highlighted = ol.get_option_index("cite-0")

    def clear(self) -> None:
        self.answer = None
        self.citations = []
        self.current = -1
        self.options.clear_options()
        self.card.show_message(HINT.plain)

    def _citation_option(self, c: dict, role: str) -> Option:
        n = len(self.citations) + 1
        head = Content.assemble(
            (f"[{n}] ", "bold"),
            (f"{role}  ", "bold $accent"),
            (cite_place(c), "underline"),
        )
        return self._add(c, head, cite_text(c, limit=300))

    def _passage_option(self, p: Passage) -> Option:
        c = p.citation
        h = p.hit
        n = len(self.citations) + 1
        head = Content.assemble(
            (f"[{n}] ", "bold"),
            (cite_place(c), "underline"),
            (f"  {h.kind} · {h.company} {h.period}", "dim"),
        )
        body = highlight(split_highlights(h.highlights or h.display or ""), limit=300)
        return self._add(c, head, body)

    def _add(self, c: dict, head: Content, body: Content) -> Option:
        idx = len(self.citations)
        self.citations.append(c)
        return Option(Content("\n").join([head, body]), id=f"cite-{idx}")

    # --- choosing ---------------------------------------------------------------------

    def walk(self, step: int) -> dict | None:
        """Move to the next (+1) or previous (-1) citation, open it, and return it."""
        if not self.citations:
            return None
        self.current = (self.current + step) % len(self.citations)
        self._open(self.current)
        return self.citations[self.current]

    def open_first(self, *, move_highlight: bool = True) -> dict | None:
        """Open the first citation (keeping the highlight where it is, e.g. on an alternative)."""
        if not self.citations:
            return None
        self.current = 0
        self._open(0, move_highlight=move_highlight)
        return self.citations[0]

    def _open(self, i: int, *, move_highlight: bool = True) -> None:
        ol = self.options
        if move_highlight:
            with contextlib.suppress(Exception):
                ol.highlighted = ol.get_option_index(f"cite-{i}")
        self.post_message(self.CitationChosen(self.citations[i], i, self.citations))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        oid = event.option.id or ""
        if oid.startswith("cite-"):
            self.current = int(oid[5:])
            self._open(self.current)
        elif oid.startswith("alt-") and self.answer is not None:
            alt = self.answer.alternatives[int(oid[4:])]
            self.post_message(self.AlternativeChosen(alt, self.answer.question))

    @property
    def current_citation(self) -> dict | None:
        if 0 <= self.current < len(self.citations):
            return self.citations[self.current]
        return None
