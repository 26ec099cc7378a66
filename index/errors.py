"""The one family of errors: the CLI turns them into one line and an exit code."""

from __future__ import annotations


class ExhibitError(Exception):
    """Base error with a short title shown to users."""

    title = "error"
    exit_code = 2

    def __str__(self) -> str:
        msg = super().__str__()
        return msg or self.title


class InputRejected(ExhibitError):
    """A file that is not a release Exhibit can read (empty, binary, undecodable, ...)."""

    title = "input rejected"


class StoreError(ExhibitError):
    """The store cannot be opened, read or written."""

    title = "store error"


class RenderError(ExhibitError):
    """A briefing could not be rendered."""

    title = "render error"


class UsageError(ExhibitError):
    """The command was called with arguments that do not fit."""

    title = "usage error"
