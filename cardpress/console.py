"""What the commands print besides diagnostics: progress while writing, the
changelog and the closing summary, at three levels (-q, default, -v).

Diagnostics go to stderr, always; results (changelog, summary) to stdout;
progress to stderr: a rich bar on a terminal (gone when done), plain lines
otherwise (CI logs, pipes), nothing with -q. Everything printed goes through
`echo`, which makes control characters harmless (titles, paths and messages
carry the user's text).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import click

from .history import DeckChanges, format_changes
from .incremental import NoProgress, Progress
from .model import Deck
from .text import printable

QUIET, NORMAL, VERBOSE = 0, 1, 2


def echo(text: str, err: bool = False) -> None:
    """Print one message: the only way the commands print. Control
    characters (an ESC in a deck title or a file name) become '?' even when
    the output is piped, so nothing printed can act on a terminal."""
    click.echo(printable(str(text)), err=err)


@dataclass
class Verbosity:
    level: int = NORMAL

    @property
    def quiet(self) -> bool:
        return self.level == QUIET

    @property
    def verbose(self) -> bool:
        return self.level == VERBOSE

    def progress(self) -> Progress:
        if self.quiet:
            return NoProgress()
        if sys.stderr.isatty():
            return _BarProgress()
        return _LineProgress()

    def changelog(self, changes: list[DeckChanges]) -> None:
        if self.quiet:
            return
        # A deck with nothing to report is one line; with -v every deck's
        # new and changed questions are listed too.
        for line in format_changes(changes, verbose=self.verbose):
            echo(line)


def _label(fmt: str, deck: Deck | None) -> str:
    return f"{fmt} {deck.source_path}" if deck is not None else f"{fmt} (all decks)"


class _LineProgress:
    def __init__(self) -> None:
        self.total = 0
        self.done = 0

    def start(self, total: int) -> None:
        self.total, self.done = total, 0

    def step(self, fmt: str, deck: Deck | None) -> None:
        self.done += 1
        echo(f"[{self.done}/{self.total}] writing {_label(fmt, deck)}", err=True)

    def finish(self) -> None:
        pass


class _BarProgress:
    """rich is imported only here: a build in a pipe never loads it."""

    def __init__(self) -> None:
        self.bar = None
        self.steps = 0

    def start(self, total: int) -> None:
        if total == 0:
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress as RichProgress, TextColumn, TimeElapsedColumn

        self.bar = RichProgress(TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(),
                                TimeElapsedColumn(), console=Console(stderr=True), transient=True)
        self.bar.add_task("writing", total=total)
        self.bar.start()

    def step(self, fmt: str, deck: Deck | None) -> None:
        # A step is counted done when the next one starts, so the bar names
        # what is being written now.
        if self.bar is not None:
            description = printable(f"writing {_label(fmt, deck)}")
            self.bar.update(self.bar.task_ids[0], completed=self.steps, description=description)
            self.steps += 1

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None
