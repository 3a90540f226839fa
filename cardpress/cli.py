"""The command line. The only module that knows click.

Exit codes: 0 success, 1 problems in the notes (or an unwritable output,
or an internal error), 2 usage errors (click's own), 130/143 interrupted by
SIGINT/SIGTERM. A user's mistake never prints a traceback; a bug prints one
only with `--debug`. Options that several commands share are declared once
(below) and read into one `BuildOptions`.
"""

from __future__ import annotations

import os
import signal
import sys
import traceback
from pathlib import Path

import click

from .build import BuildResult, build, gather
from .console import NORMAL, QUIET, VERBOSE, Verbosity
from .errors import CardpressError, InternalError
from .model import Severity
from .options import LAYOUTS, PAPERS, BuildOptions
from .writers import WRITERS

DEFAULT_SOURCES = ("source",)


# -- options several commands share, declared once -----------------------------

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
    STRICT,
    click.option("--fetch-remote-media", is_flag=True,
                 help="Download remote (http/https) images into a cache in the output folder and bundle them. "
                      "Without it a build never uses the network."),
    KEEP_IDS,
    click.option("--force", is_flag=True, help="Parse and write everything, ignoring the caches in OUTPUT/.cardpress/."),
    VERBOSITY,
)
WATCH_OPTIONS = click.option("--debounce", type=click.IntRange(10, 10_000), default=300, show_default=True,
                             help="Milliseconds to wait for more changes before rebuilding.")


def _build_options(layout: str, paper: str, strict: bool, fetch_remote_media: bool, keep_ids: bool,
                   force: bool) -> BuildOptions:
    return BuildOptions(layout=layout, paper=paper, strict=strict, fetch_remote_media=fetch_remote_media,
                        keep_ids=keep_ids, incremental=not force)


# -- printing -------------------------------------------------------------------

def _print_diagnostics(diagnostics) -> None:
    for d in diagnostics:
        click.echo(str(d), err=True)


def _exit_code(diagnostics, strict: bool) -> int:
    if any(d.severity is Severity.ERROR for d in diagnostics):
        return 1
    if strict and diagnostics:
        return 1
    return 0


def _print_build(result: BuildResult, output, strict: bool, verbosity: Verbosity) -> int:
    """Diagnostics, changelog and summary of one build; returns the exit code."""
    _print_diagnostics(result.diagnostics)
    code = _exit_code(result.diagnostics, strict)
    if code == 0 or result.outputs:
        verbosity.changelog(result.changes)
        if verbosity.verbose:
            written = set(result.written)
            for path in result.outputs:
                click.echo(f"  {'wrote' if path in written else 'up to date'}: {path}")
        if not verbosity.quiet:
            lib = result.library
            fresh = len(result.outputs) - len(result.written)
            click.echo(f"built {len(result.outputs)} file(s) from {len(lib.decks)} deck(s), {lib.card_count} card(s) "
                       f"into {output}/ ({len(result.written)} written, {fresh} up to date)")
    else:
        click.echo("build failed: nothing was written", err=True)
    return code


# -- the group: one place that turns failures into one line ---------------------

class _Interrupted(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so the same cleanup runs (atomic
    writes delete their temporary file; nothing half-written is renamed)."""


def _on_sigterm(signum, _frame) -> None:
    raise _Interrupted(signum)


class _Group(click.Group):
    """Every command's failures end as one line, never a traceback: a
    user's problem (CardpressError) exits 1; a bug (any other exception)
    prints one `internal error` line and exits 1, with the traceback only
    under --debug; Ctrl-C / SIGTERM exit 130 / 143 after the atomic writes
    have cleaned up. Commands added later get this for free."""

    def invoke(self, ctx: click.Context):
        if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
            signal.signal(signal.SIGTERM, _on_sigterm)
        debug = bool(ctx.params.get("debug"))
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except CardpressError as exc:
            click.echo(str(exc), err=True)
            sys.exit(1)
        except KeyboardInterrupt as exc:
            signum = exc.args[0] if isinstance(exc, _Interrupted) and exc.args else signal.SIGINT
            click.echo("interrupted: earlier outputs are left as they were", err=True)
            sys.exit(128 + int(signum))
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            if debug:
                traceback.print_exception(exc)
            where = exc if isinstance(exc, InternalError) else InternalError("cardpress", exc)
            hint = "please report it" if debug else "run with --debug for the traceback and report it"
            click.echo(f"cardpress: {where} (this is a bug; {hint})", err=True)
            sys.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cardpress")
@click.option("--debug", is_flag=True, help="Show the traceback of an internal error.")
def main(debug: bool) -> None:
    """Build Anki decks, printable PDFs and offline HTML flashcards from
    Markdown Q&A notes (`# Deck`, then `## Question` + answer)."""


# -- commands -------------------------------------------------------------------

@main.command("build")
@SOURCES
@FORMATS
@BUILD_OPTIONS
def build_command(sources, formats, output, level, **options) -> None:
    """Build the outputs from SOURCES (files or folders; default: source/).
    Only what changed since the last build into OUTPUT is written again."""
    verbosity = Verbosity(level)
    opts = _build_options(**options)
    result = build(sources or DEFAULT_SOURCES, Path(output), formats or None, opts, progress=verbosity.progress())
    sys.exit(_print_build(result, output, opts.strict, verbosity))


@main.command("check")
@SOURCES
@STRICT
def check_command(sources, strict) -> None:
    """Parse and validate SOURCES without writing anything."""
    library = gather(sources or DEFAULT_SOURCES)
    _print_diagnostics(library.diagnostics)
    code = _exit_code(library.diagnostics, strict)
    if code == 0:
        click.echo(f"ok: {len(library.decks)} deck(s), {library.card_count} card(s)")
    sys.exit(code)


@main.command("diff")
@SOURCES
@OUTPUT
@KEEP_IDS
@VERBOSITY
def diff_command(sources, output, keep_ids, level) -> None:
    """Print what a build into OUTPUT would change (the changelog) without building."""
    from .cache import ParseCache
    from .history import compare
    from .manifest import Manifest

    # The parse cache is only read here (never flushed): diff writes nothing.
    library = gather(sources or DEFAULT_SOURCES, cache=ParseCache(Path(output)))
    comparison = compare(library, Manifest.load(Path(output)), keep_ids) if not library.has_errors else None
    diagnostics = sorted(library.diagnostics + tuple(comparison.diagnostics if comparison else ()))
    _print_diagnostics(diagnostics)
    if comparison is None:
        sys.exit(1)
    Verbosity(max(level, NORMAL)).changelog(comparison.changes)  # the changelog is this command's output
    sys.exit(0)


@main.command("pin")
@SOURCES
@OUTPUT
@KEEP_IDS
@click.option("-n", "--dry-run", is_flag=True, help="Show what would be pinned; change no file.")
@VERBOSITY
def pin_command(sources, output, keep_ids, dry_run, level) -> None:
    """Write each unpinned question's current id into its heading
    (`## Question {#id}`), so rewording it later keeps its Anki history.
    Nothing changes in Anki; only the heading lines change in the files.
    OUTPUT's records know the ids --keep-ids kept."""
    from .pin import pin

    result = pin(sources or DEFAULT_SOURCES, Path(output), keep_ids=keep_ids, dry_run=dry_run)
    _print_diagnostics(result.diagnostics)
    verbosity = Verbosity(level)
    if not verbosity.quiet:
        for f in result.files:
            for line, key in (f.pins if verbosity.verbose or dry_run else ()):
                click.echo(f"{f.display}:{line}: {{#{key}}}")
        verb = "would pin" if dry_run else "pinned"
        click.echo(f"{verb} {result.count} question(s) in {len(result.files)} file(s)")
    sys.exit(_exit_code(result.diagnostics, False))


def _watch(sources, output, formats, level, debounce, options: BuildOptions, on_build=None) -> None:
    """Watch and rebuild, printing what each build did; Ctrl-C (or
    SIGTERM) ends it with exit 0 and the outputs as last built."""
    from .watch import watch_and_build

    verbosity = Verbosity(level)

    def report(outcome, changed) -> None:
        if changed and not verbosity.quiet:
            names = sorted(os.path.relpath(p) for p in changed)
            click.echo(f"changed: {', '.join(names[:5])}{' …' if len(names) > 5 else ''}")
        if isinstance(outcome, CardpressError):
            click.echo(str(outcome), err=True)
        else:
            _print_build(outcome, output, options.strict, verbosity)
            if on_build is not None:
                on_build(outcome)
        if not verbosity.quiet:
            click.echo("watching for changes (Ctrl-C to stop)")

    try:
        watch_and_build(sources or DEFAULT_SOURCES, Path(output), formats, options, report, verbosity.progress,
                        debounce_ms=debounce)
    except KeyboardInterrupt:
        # Ctrl-C is how a watch ends: a clean exit, the outputs as last built.
        click.echo("stopped watching", err=True)
        sys.exit(0)


@main.command("watch")
@click.argument("sources", nargs=-1, type=click.Path())
@FORMATS
@BUILD_OPTIONS
@WATCH_OPTIONS
def watch_command(sources, formats, output, level, debounce, **options) -> None:
    """Build, then rebuild whenever a note or image under SOURCES changes.
    Errors in the notes are shown and the last good outputs kept; Ctrl-C stops."""
    _watch(sources, output, formats, level, debounce, _build_options(**options))


@main.command("serve")
@click.argument("sources", nargs=-1, type=click.Path())
@click.option("-f", "--format", "formats", multiple=True, type=click.Choice(list(WRITERS)),
              help="Formats to keep built; the site is always among them. Default: html only.")
@click.option("-p", "--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port on 127.0.0.1 (0: any free port).")
@BUILD_OPTIONS
@WATCH_OPTIONS
def serve_command(sources, formats, port, output, level, debounce, **options) -> None:
    """Serve the HTML site on 127.0.0.1 and rebuild it on every change;
    open pages reload by themselves. Ctrl-C stops."""
    from .serve import SiteServer
    from .writers.html import SITE_DIR

    formats = tuple(dict.fromkeys(("html", *formats)))
    site = Path(output) / SITE_DIR
    site.mkdir(parents=True, exist_ok=True)
    try:
        server = SiteServer(site, port)
    except OSError as exc:
        raise CardpressError(f"serve: error: cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}") from None
    with server:
        click.echo(f"serving {server.url}")

        def on_build(result: BuildResult) -> None:
            if result.written:
                server.builds.bump()

        _watch(sources, output, formats, level, debounce, _build_options(**options), on_build=on_build)
