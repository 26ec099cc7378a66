"""F1: what the keys and commands do."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """\
# Exhibit

Ask for a figure in the releases of the store and see exactly where it was printed.
Every figure is a number printed in a release (or computed from such numbers by the
formula shown); nothing is invented: when the store does not hold it, the answer is
**not found**.

## Keys

| key | does |
| --- | --- |
| `/` | go to the query bar |
| `Enter` | ask (in the query bar); open a citation, fact or document in the source pane |
| `n` / `N` | next / previous citation of the answer and passages |
| `Tab` / `Shift+Tab` | move between panes |
| `Esc` | back to the query bar; closes a dialog |
| `v` | HTML source: switch between the reading view and the markup |
| `w` | plain-text source: wrap long lines or not (prose wraps, tables do not) |
| `c` | copy the citation shown in the source pane |
| `t` | the facts and documents tables (on narrow screens they replace the answer) |
| `Ctrl+P` | commands: ingest a folder, export a briefing, copy a citation, audit findings |
| `F1` | this help |
| `q` | quit (`Ctrl+Q` anywhere) |

## Panes

- **Answer**: the figure with its period, unit and basis; whether the release's prose
  states the same figure as its table; the formula of a derived figure. Below it the
  citations (the row or sentence holding the figure first) and ranked passages with
  the words of the question highlighted.
- **Source**: the release with the cited characters highlighted (the figure itself
  brighter). HTML releases open in a reading view; `v` shows the markup.
- **Facts**: every stored fact, filtered by company, metric and period.
- **Documents**: the releases in the store; Enter opens one.

Press `Esc` to close.
"""


class HelpScreen(ModalScreen[None]):
    """The help text over the app."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90; max-width: 95%; height: 85%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    """

    BINDINGS = [
        Binding("escape,f1,q", "dismiss_help", "Close", show=True),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Markdown(HELP)

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
