"""The ingest status line: a progress bar and the file being read, shown while an ingest runs."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, ProgressBar


class IngestStatus(Horizontal):
    """Hidden until an ingest starts; the rest of the UI stays usable meanwhile."""

    DEFAULT_CSS = """
    IngestStatus { height: 1; display: none; padding: 0 1; background: $boost; }
    IngestStatus.-busy { display: block; }
    IngestStatus Label { width: 1fr; padding-left: 2; color: $text-muted; }
    IngestStatus ProgressBar { width: 44; }
    IngestStatus Bar { width: 32; }
    """

    def compose(self) -> ComposeResult:
        yield ProgressBar(total=None, show_eta=False, id="ingest-bar")
        yield Label("", id="ingest-label")

    def start(self, what: str) -> None:
        self.add_class("-busy")
        self.query_one(ProgressBar).update(total=None, progress=0)
        self.query_one(Label).update(f"ingesting {what}…")

    def progress(self, i: int, n: int, name: str) -> None:
        self.query_one(ProgressBar).update(total=max(n, 1), progress=i)
        self.query_one(Label).update(f"ingesting {i}/{n}  {Path(name).name if name else ''}")

    def stop(self) -> None:
        self.remove_class("-busy")
