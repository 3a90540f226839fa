"""Typed errors. The CLI turns each into one clear line and exit code 1;
nothing a user can cause ends in a traceback."""

from __future__ import annotations


class CardpressError(Exception):
    """A problem the user can fix; `str()` is the whole message."""


class SourceError(CardpressError):
    """A source path is missing or unreadable."""


class OutputError(CardpressError):
    """The output directory cannot be written."""


class InternalError(Exception):
    """A bug: an unexpected exception inside cardpress, e.g. in a writer.
    Not a CardpressError (the user cannot fix it); the CLI prints one line
    naming `where` and the exception, and the traceback only with --debug.
    The original exception is the `__cause__`."""

    def __init__(self, where: str, exc: BaseException):
        super().__init__(f"internal error in {where}: {type(exc).__name__}: {exc}")
        self.where = where
