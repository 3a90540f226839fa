"""Typed errors. The CLI turns each into one clear line and exit code 1;
nothing a user can cause ends in a traceback."""

from __future__ import annotations


class CardpressError(Exception):
    """A problem the user can fix; `str()` is the whole message."""


class SourceError(CardpressError):
    """A source path is missing or unreadable."""


class OutputError(CardpressError):
    """The output directory cannot be written."""
