"""The facts pane: stored facts in a table, filtered by company, metric and period."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Select, Static

from qa.cli import format_value

ROW_LIMIT = 1000


class FactsPane(Vertical):
    """Three filters over a table of facts; Enter on a row opens its citation."""

    DEFAULT_CSS = """
    FactsPane #fact-filters { height: auto; }
    FactsPane #fact-filters Select { width: 1fr; height: 1; margin-right: 1; }
    FactsPane #fact-filters SelectCurrent { height: 1; }
    FactsPane #fact-filters SelectCurrent Static#label { text-wrap: nowrap; text-overflow: ellipsis; }
    FactsPane #fact-count { height: 1; padding: 0 1; color: $text-muted; }
    FactsPane DataTable { height: 1fr; }
    """

    class FiltersChanged(Message):
        """The user changed a filter (None: any)."""

        def __init__(self, company: str | None, metric: str | None, period: str | None) -> None:
            super().__init__()
            self.company = company
            self.metric = metric
            self.period = period

    class FactChosen(Message):
        """The user opened a fact (a qa.store.FactRow)."""

        def __init__(self, fact) -> None:
            super().__init__()
            self.fact = fact

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: dict[str, object] = {}
        self.total = 0

    def compose(self) -> ComposeResult:
        with Horizontal(id="fact-filters"):
            yield Select([], prompt="any company", id="fact-company", compact=True)
            yield Select([], prompt="any metric", id="fact-metric", compact=True)
            yield Select([], prompt="any period", id="fact-period", compact=True)
        yield Static("", id="fact-count")
        yield DataTable(id="fact-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        t = self.table
        t.add_column("Period", key="period", width=11)
        t.add_column("Value", key="value", width=15)
        t.add_column("Metric", key="metric", width=26)
        t.add_column("Printed", key="printed", width=12)
        t.add_column("Basis", key="basis", width=16)
        t.add_column("Company", key="company", width=24)

    @property
    def table(self) -> DataTable:
        return self.query_one("#fact-table", DataTable)

    # --- filters ----------------------------------------------------------------------

    def _select(self, name: str) -> Select:
        return self.query_one(f"#fact-{name}", Select)

    def value(self, name: str) -> str | None:
        v = self._select(name).value
        return v if isinstance(v, str) else None

    @property
    def filters(self) -> tuple[str | None, str | None, str | None]:
        return self.value("company"), self.value("metric"), self.value("period")

    def set_options(self, name: str, values: list[str], keep: str | None = None) -> None:
        """Replace a filter's choices, keeping `keep` selected when it is still there."""
        sel = self._select(name)
        with self.prevent(Select.Changed):
            sel.set_options([(v, v) for v in values])
            if keep is not None and keep in values:
                sel.value = keep

    def set_filters(self, company: str | None, metric: str | None, period: str | None) -> None:
        """Select values without asking for a reload (the caller reloads)."""
        with self.prevent(Select.Changed):
            for name, v in (("company", company), ("metric", metric), ("period", period)):
                sel = self._select(name)
                try:
                    if v is None:
                        sel.clear()
                    else:
                        sel.value = v
                except Exception:
                    pass

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self.post_message(self.FiltersChanged(*self.filters))

    # --- rows -------------------------------------------------------------------------

    def show(self, rows: list, highlight_id: int | None = None) -> None:
        """Fill the table from FactRows (the first ROW_LIMIT of them)."""
        t = self.table
        t.clear()
        self.rows = {}
        self.total = len(rows)
        for f in rows[:ROW_LIMIT]:
            key = str(f.id)
            self.rows[key] = f
            t.add_row(
                f.period.label,
                Text(format_value(f.value, f.unit, f.value_high), justify="right"),
                f.metric,
                f.as_printed,
                f"{f.basis} · {f.source}" if f.source else f.basis,
                f.company,
                key=key,
            )
        shown = min(len(rows), ROW_LIMIT)
        msg = (
            f"{len(rows)} facts"
            if shown == len(rows)
            else f"{shown} of {len(rows)} facts: narrow the filters"
        )
        self.query_one("#fact-count", Static).update(msg + "  ·  Enter: open the citation")
        if highlight_id is not None and str(highlight_id) in self.rows:
            t.move_cursor(row=t.get_row_index(str(highlight_id)))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        f = self.rows.get(event.row_key.value or "")
        if f is not None:
            self.post_message(self.FactChosen(f))
