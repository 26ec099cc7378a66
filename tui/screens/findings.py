"""Audit findings of a release (qa.audit) in a table; Enter opens a finding's first citation."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static


def _get(obj, name, default=None):
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


class FindingsScreen(ModalScreen[dict | None]):
    """Kind, status, message, computed vs stated; dismisses with the chosen finding's citation."""

    DEFAULT_CSS = """
    FindingsScreen { align: center middle; }
    FindingsScreen > Vertical {
        width: 95%; height: 85%; border: thick $primary; background: $surface; padding: 0 1;
    }
    FindingsScreen .title { text-style: bold; }
    FindingsScreen DataTable { height: 1fr; }
    FindingsScreen #finding-detail { height: auto; max-height: 6; color: $text-muted; }
    """

    BINDINGS = [Binding("escape", "close", "Close")]

    def __init__(self, title: str, findings: list) -> None:
        super().__init__()
        self.title_text = title
        # discrepancies first, then rounding, then what holds
        order = {"discrepancy": 0, "rounding": 1, "ok": 2}
        self.findings = sorted(findings, key=lambda f: order.get(str(_get(f, "status", "")), 1))

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, classes="title")
            yield DataTable(id="findings", cursor_type="row", zebra_stripes=True)
            yield Static("", id="finding-detail", markup=False)

    def on_mount(self) -> None:
        t = self.query_one(DataTable)
        t.add_columns("Status", "Kind", "Message", "Computed", "Stated")
        styles = {"discrepancy": "bold red", "rounding": "yellow", "ok": "green"}
        for i, f in enumerate(self.findings):
            status = str(_get(f, "status", ""))
            t.add_row(
                Text(status, style=styles.get(status, "")),
                str(_get(f, "kind", "")),
                str(_get(f, "message", ""))[:120],
                _num(_get(f, "computed")),
                _num(_get(f, "stated")),
                key=str(i),
            )
        if not self.findings:
            self.query_one("#finding-detail", Static).update("No findings: the release is consistent.")
        t.focus()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        f = self.findings[int(event.row_key.value)]
        bits = [str(_get(f, "message", ""))]
        if _get(f, "formula"):
            bits.append(f"formula: {_get(f, 'formula')}")
        cits = _get(f, "citations") or []
        if cits:
            bits.append(f"{len(cits)} citation(s): Enter opens the first")
        self.query_one("#finding-detail", Static).update("\n".join(bits))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        f = self.findings[int(event.row_key.value)]
        cits = _get(f, "citations") or []
        first = cits[0] if cits else None
        self.dismiss(first if isinstance(first, dict) else None)

    def action_close(self) -> None:
        self.dismiss(None)


def _num(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:,.2f}".rstrip("0").rstrip(".")
    return str(v)
