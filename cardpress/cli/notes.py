"""Commands on the notes: build, check, diff, pin."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..console import NORMAL, QUIET, VERBOSE, Verbosity, echo
from .group import DEFAULT_SOURCES, main
from .options import (BUILD_OPTIONS, FORMATS, KEEP_IDS, OUTPUT, QUESTION_LEVEL, SOURCES, STRICT, TEMPLATES,
                      VERBOSITY, build_options, build_report, exit_code, print_build, print_diagnostics, print_lines)


@main.command("build")
@SOURCES
@FORMATS
@BUILD_OPTIONS
def build_command(sources, formats, output, level, **options) -> None:
    """Build the outputs from SOURCES (files or folders; default: source/).
    Only what changed since the last build into OUTPUT is written again."""
    from .. import noop

    verbosity = Verbosity(level)
    opts = build_options(**options)
    sources, out = sources or DEFAULT_SOURCES, Path(output)
    # A build that would change nothing answers from its record, before the
    # reader and the writers are even imported (noop.py).
    build_key = noop.key(sources, out, formats or None, opts)
    replayed = noop.replay(build_key, out, level)
    if replayed is not None:
        print_lines(replayed[1])
        sys.exit(replayed[0])
    from ..build import build

    result = build(sources, out, formats or None, opts, progress=verbosity.progress())
    code = print_build(result, output, opts.strict, verbosity)
    if not result.written and not result.skipped and result.outputs and result.ok:
        noop.record(build_key, out, result.outputs, code,
                    {lvl: build_report(result, output, opts.strict, Verbosity(lvl))[1] for lvl in (QUIET, NORMAL, VERBOSE)})
    sys.exit(code)


@main.command("check")
@SOURCES
@FORMATS
@STRICT
@QUESTION_LEVEL
@TEMPLATES
def check_command(sources, formats, strict, question_level, templates) -> None:
    """Parse and validate SOURCES (and your templates) without writing
    anything: every problem a build of the same formats (-f; default: all)
    would report."""
    from ..build import gather
    from ..templating import check_templates

    library = gather(sources or DEFAULT_SOURCES, options=build_options(question_level=question_level),
                     formats=formats or None)
    diagnostics = sorted(library.diagnostics + tuple(check_templates(templates)))
    print_diagnostics(diagnostics)
    code = exit_code(diagnostics, strict)
    if code == 0:
        echo(f"ok: {len(library.decks)} deck(s), {library.card_count} card(s)")
    sys.exit(code)


@main.command("diff")
@SOURCES
@OUTPUT
@KEEP_IDS
@QUESTION_LEVEL
@VERBOSITY
def diff_command(sources, output, keep_ids, question_level, level) -> None:
    """Print what a build into OUTPUT would change (the changelog) without building."""
    from ..build import gather
    from ..cache import ParseCache
    from ..history import compare
    from ..manifest import Manifest

    # The parse cache is only read here (never flushed): diff writes nothing.
    library = gather(sources or DEFAULT_SOURCES, cache=ParseCache(Path(output)),
                     options=build_options(question_level=question_level))
    comparison = compare(library, Manifest.load(Path(output)), keep_ids) if not library.has_errors else None
    diagnostics = sorted(library.diagnostics + tuple(comparison.diagnostics if comparison else ()))
    print_diagnostics(diagnostics)
    if comparison is None:
        sys.exit(1)
    Verbosity(max(level, NORMAL)).changelog(comparison.changes)  # the changelog is this command's output
    sys.exit(0)


@main.command("pin")
@SOURCES
@OUTPUT
@KEEP_IDS
@QUESTION_LEVEL
@click.option("-n", "--dry-run", is_flag=True, help="Show what would be pinned; change no file.")
@VERBOSITY
def pin_command(sources, output, keep_ids, question_level, dry_run, level) -> None:
    """Write each unpinned question's current id into its heading
    (`## Question {#id}`), so rewording it later keeps its Anki history.
    Nothing changes in Anki; only the heading lines change in the files.
    OUTPUT's records know the ids --keep-ids kept."""
    from ..pin import pin

    result = pin(sources or DEFAULT_SOURCES, Path(output), keep_ids=keep_ids, dry_run=dry_run,
                 question_level=question_level)
    print_diagnostics(result.diagnostics)
    verbosity = Verbosity(level)
    if not verbosity.quiet:
        for f in result.files:
            for line, key in (f.pins if verbosity.verbose or dry_run else ()):
                echo(f"{f.display}:{line}: {{#{key}}}")
        verb = "would pin" if dry_run else "pinned"
        echo(f"{verb} {result.count} question(s) in {len(result.files)} file(s)")
    sys.exit(exit_code(result.diagnostics, False))


@main.command("forget")
@OUTPUT
@click.option("--deck", "decks", multiple=True, metavar="NAME",
              help="Only this deck (its name in Anki, e.g. ml::Basics); repeat for several.")
@click.option("-n", "--dry-run", is_flag=True, help="List what would be forgotten; change nothing.")
@VERBOSITY
def forget_command(output, decks, dry_run, level) -> None:
    """Stop carrying the notes of removed cards. A card removed from the
    notes keeps its note in the packages, tagged cardpress::removed, so you
    can find it in Anki (search: tag:cardpress::removed) and delete it
    there; run this once you have, and the next build leaves them out."""
    from ..forget import forget

    result = forget(Path(output), decks, dry_run)
    verbosity = Verbosity(level)
    if not verbosity.quiet:
        for title, questions in result.notes.items():
            for question in questions if verbosity.verbose or dry_run else ():
                echo(f'{title}: "{question}"')
        verb = "would forget" if dry_run else "forgot"
        echo(f"{verb} {result.count} removed note(s) in {len(result.notes)} deck(s)"
             + ("" if dry_run or not result.count else "; the next build leaves them out of the packages"))
    sys.exit(0)
