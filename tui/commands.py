"""The command palette's Exhibit commands (Ctrl+P)."""

from __future__ import annotations

from textual.command import DiscoveryHit, Hit, Hits, Provider

# (name, help, app action)
COMMANDS: list[tuple[str, str, str]] = [
    ("Ingest a folder…", "read release files from a folder (or one file) into the store", "ingest_prompt"),
    ("Ingest the bundled corpus", "add the release(s) shipped with Exhibit", "ingest_bundled"),
    (
        "Export a briefing of the current release…",
        "a cited briefing as HTML, PDF or Markdown, to a path you choose",
        "export_prompt",
    ),
    (
        "Copy the citation",
        "the source text, file, lines and characters of the open citation",
        "copy_citation",
    ),
    ("Show audit findings", "consistency findings for the current release", "show_findings"),
    ("Exhibit help", "keys and panes", "help"),
]


class ExhibitCommands(Provider):
    """Ingest, export, copy, audit, help."""

    def _command(self, action: str):
        async def run() -> None:
            await self.app.run_action(action)

        return run

    async def discover(self) -> Hits:
        for name, help_text, action in COMMANDS:
            yield DiscoveryHit(name, self._command(action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, action in COMMANDS:
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), self._command(action), text=name, help=help_text)
