"""The command line. The only module that knows click.

Exit codes: 0 success, 1 problems in the notes (or an unwritable output),
2 usage errors (click's own). A user's mistake never prints a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .build import BuildResult, build, gather
from .errors import CardpressError
from .model import Severity
from .writers import WRITERS

DEFAULT_SOURCES = ("source",)


def _print_diagnostics(diagnostics) -> None:
    for d in diagnostics:
        click.echo(str(d), err=True)


def _exit_code(diagnostics, strict: bool) -> int:
    if any(d.severity is Severity.ERROR for d in diagnostics):
        return 1
    if strict and diagnostics:
        return 1
    return 0


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cardpress")
def main() -> None:
    """Build Anki decks, printable PDFs and offline HTML flashcards from
    Markdown Q&A notes (`# Deck`, then `## Question` + answer)."""


@main.command("build")
@click.argument("sources", nargs=-1, type=click.Path())
@click.option("-o", "--output", "output", default="dist", show_default=True, type=click.Path(file_okay=False),
              help="Directory for the outputs.")
@click.option("-f", "--format", "formats", multiple=True, type=click.Choice(list(WRITERS)),
              help="Output format; repeat for several. Default: all.")
@click.option("--layout", type=click.Choice(["handout", "cards", "quiz"]), default="handout", show_default=True,
              help="PDF layout: a typeset handout, duplex flashcards to cut out, or a quiz with answer key.")
@click.option("--paper", type=click.Choice(["a4", "letter"]), default="a4", show_default=True, help="PDF paper size.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1).")
def build_command(sources, output, formats, layout, paper, strict) -> None:
    """Build the outputs from SOURCES (files or folders; default: source/)."""
    options = {"layout": layout, "paper": paper}
    try:
        result: BuildResult = build(sources or DEFAULT_SOURCES, Path(output), formats or None, options=options,
                                    strict=strict)
    except CardpressError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    _print_diagnostics(result.diagnostics)
    code = _exit_code(result.diagnostics, strict)
    if code == 0 or result.outputs:
        lib = result.library
        click.echo(f"built {len(result.outputs)} file(s) from {len(lib.decks)} deck(s), {lib.card_count} card(s) into {output}/")
    else:
        click.echo("build failed: nothing was written", err=True)
    sys.exit(code)


@main.command("check")
@click.argument("sources", nargs=-1, type=click.Path())
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1).")
def check_command(sources, strict) -> None:
    """Parse and validate SOURCES without writing anything."""
    try:
        library = gather(sources or DEFAULT_SOURCES)
    except CardpressError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    _print_diagnostics(library.diagnostics)
    code = _exit_code(library.diagnostics, strict)
    if code == 0:
        click.echo(f"ok: {len(library.decks)} deck(s), {library.card_count} card(s)")
    sys.exit(code)
