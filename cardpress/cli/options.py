"""Options several commands share, declared once, and what the commands
print (diagnostics, changelog, summary)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from ..history import format_changes
from ..console import NORMAL, QUIET, VERBOSE, Verbosity, echo
from ..model import Severity
from ..options import LAYOUTS, PAPERS, PDF_PER, QUESTION_LEVELS, BuildOptions
from ..writers import WRITERS
from .group import SETTINGS

if TYPE_CHECKING:  # the build is imported only when a command builds
    from ..build import BuildResult


def _together(*decorators):
    """One decorator applying `decorators` in the order listed."""
    def apply(fn):
        for decorator in reversed(decorators):
            fn = decorator(fn)
        return fn
    return apply


SOURCES = click.argument("sources", nargs=-1, type=click.Path(readable=False))
OUTPUT = click.option("-o", "--output", "output", default="dist", show_default=True,
                      type=click.Path(file_okay=False),
                      help="Directory for the outputs; it also keeps the last build's records (.cardpress/).")
FORMATS = click.option("-f", "--format", "formats", multiple=True, type=click.Choice(list(WRITERS)),
                       help="Output format; repeat for several. Default: all.")
KEEP_IDS = click.option("--keep-ids", is_flag=True,
                        help="When a question was reworded without a pin, keep its Anki id (and review history) "
                             "if exactly one old card matches: same place in the deck or the same answer.")
STRICT = click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1).")
TEMPLATES = click.option("--templates", type=click.Path(exists=True, file_okay=False), default=None,
                         help="A folder of templates that override the built-in ones by name. Default: "
                              "templates/ next to the notes (or cardpress.toml's `templates`).")
QUESTION_LEVEL = click.option("--question-level", type=click.Choice(QUESTION_LEVELS), default="2", show_default=True,
                              help="Which headings are questions: 2 (##), 3 (###), 4 (####), or auto (the level "
                                   "that reads like questions). A file's frontmatter question_level wins.")
VERBOSITY = _together(
    click.option("-q", "--quiet", "level", flag_value=QUIET, default=NORMAL,
                 help="Print only problems: no changelog, progress or summary."),
    click.option("-v", "--verbose", "level", flag_value=VERBOSE,
                 help="Also list new and changed questions and the outputs left as they were."),
)
BUILD_OPTIONS = _together(
    OUTPUT,
    click.option("--layout", type=click.Choice(LAYOUTS), default="handout", show_default=True,
                 help="PDF layout: a typeset handout, duplex flashcards to cut out, or a quiz with answer key."),
    click.option("--paper", type=click.Choice(PAPERS), default="a4", show_default=True, help="PDF paper size."),
    click.option("--pdf-per", type=click.Choice(PDF_PER), default="deck", show_default=True,
                 help="One PDF per deck, or one per folder of decks (a section per deck)."),
    TEMPLATES,
    STRICT,
    click.option("--fail-fast", is_flag=True,
                 help="Write nothing when any file has an error (by default a file with errors is skipped, "
                      "keeping its last good outputs, and the others are built)."),
    QUESTION_LEVEL,
    click.option("--fetch-remote-media", is_flag=True,
                 help="Download remote (http/https) images into a cache in the output folder and bundle them. "
                      "Without it a build never uses the network."),
    KEEP_IDS,
    click.option("--force", is_flag=True, help="Parse and write everything, ignoring the caches in OUTPUT/.cardpress/."),
    VERBOSITY,
)
WATCH_OPTIONS = click.option("--debounce", type=click.IntRange(10, 10_000), default=300, show_default=True,
                             help="Milliseconds to wait for more changes before rebuilding.")


def build_options(layout: str = "handout", paper: str = "a4", strict: bool = False, fail_fast: bool = False,
                  fetch_remote_media: bool = False, keep_ids: bool = False, force: bool = False,
                  question_level: str = "2", pdf_per: str = "deck", templates: str | None = None) -> BuildOptions:
    """The options of a command, with the project's deck options (read by
    ProjectCommand before the command ran)."""
    ctx = click.get_current_context(silent=True)
    settings = ctx.meta.get(SETTINGS) if ctx is not None else None
    return BuildOptions(layout=layout, paper=paper, strict=strict, fail_fast=fail_fast,
                        fetch_remote_media=fetch_remote_media, keep_ids=keep_ids, incremental=not force,
                        question_level=question_level, pdf_per=pdf_per, templates=templates or "",
                        deck_defaults=settings.deck_defaults if settings is not None else ())


def print_diagnostics(diagnostics) -> None:
    for d in diagnostics:
        echo(str(d), err=True)


def exit_code(diagnostics, strict: bool) -> int:
    if any(d.severity is Severity.ERROR for d in diagnostics):
        return 1
    if strict and diagnostics:
        return 1
    return 0


def build_report(result: BuildResult, output, strict: bool, verbosity: Verbosity) -> tuple[int, list[tuple[str, bool]]]:
    """The exit code of one build, and what to print about it: (text, to
    stderr) lines: diagnostics, changelog, summary."""
    lines = [(str(d), True) for d in result.diagnostics]
    code = exit_code(result.diagnostics, strict)
    if code == 0 or result.outputs:
        if not verbosity.quiet:
            lines += [(line, False) for line in format_changes(result.changes, verbose=verbosity.verbose)]
        if verbosity.verbose:
            for deck in result.library.decks:
                if deck.question_level != 2:
                    lines.append((f"  {deck.source_path}: questions are the '{'#' * deck.question_level}' headings",
                                  False))
            written = set(result.written)
            lines += [(f"  {'wrote' if path in written else 'up to date'}: {path}", False) for path in result.outputs]
        if not verbosity.quiet:
            lib = result.library
            fresh = len(result.outputs) - len(result.written)
            lines.append((f"built {len(result.outputs)} file(s) from {len(lib.decks)} deck(s), {lib.card_count} "
                          f"card(s) into {output}/ ({len(result.written)} written, {fresh} up to date)", False))
    else:
        lines.append(("build failed: nothing was written", True))
    if result.skipped and result.outputs:
        shown = ", ".join(result.skipped[:5]) + (" …" if len(result.skipped) > 5 else "")
        lines.append((f"skipped {len(result.skipped)} file(s) with errors, their last good outputs kept: {shown}",
                      True))
    return code, lines


def print_lines(lines: list[tuple[str, bool]]) -> None:
    for text, err in lines:
        echo(text, err=err)


def print_build(result: BuildResult, output, strict: bool, verbosity: Verbosity) -> int:
    """Diagnostics, changelog and summary of one build; returns the exit code."""
    code, lines = build_report(result, output, strict, verbosity)
    print_lines(lines)
    return code
