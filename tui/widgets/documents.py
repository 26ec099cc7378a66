"""The documents list: every release in the store; Enter opens one."""

from __future__ import annotations

from pathlib import Path

from textual.message import Message
from textual.widgets import DataTable


class DocumentList(DataTable):
    """One row a release: company, period, date, format, file."""

    class DocumentChosen(Message):
        """The user opened a document."""

        def __init__(self, doc_id: str) -> None:
            super().__init__()
            self.doc_id = doc_id

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.doc_ids: list[str] = []

    def on_mount(self) -> None:
        self.add_columns("Company", "Period", "Released", "Format", "File")

    def show(self, docs) -> None:
        """Fill from DocRows (qa.store.DocRow)."""
        self.clear()
        self.doc_ids = []
        for d in docs:
            self.add_row(
                d.company,
                d.main_period or "",
                d.release_date or "",
                d.format,
                Path(d.path).name,
                key=d.doc_id,
            )
            self.doc_ids.append(d.doc_id)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value:
            self.post_message(self.DocumentChosen(event.row_key.value))

    def select_doc(self, doc_id: str) -> None:
        """Move the cursor to a document's row."""
        if doc_id in self.doc_ids:
            self.move_cursor(row=self.doc_ids.index(doc_id))
