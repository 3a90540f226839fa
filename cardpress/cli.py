"""The command line. The only module that knows click.

Exit codes: 0 success, 1 problems in the notes (or an unwritable output,
or an internal error), 2 usage errors (click's own), 130/143 interrupted by
SIGINT/SIGTERM. A user's mistake never prints a traceback; a bug prints one
only with `--debug`.
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


def _verbosity_options(fn):
    """-q / -v, on every command that builds or reports."""
    fn = click.option("-v", "--verbose", "level", flag_value=VERBOSE,
                      help="Also list new and changed questions and the outputs left as they were.")(fn)
    return click.option("-q", "--quiet", "level", flag_value=QUIET, default=NORMAL,
                        help="Print only problems: no changelog, progress or summary.")(fn)


_KEEP_IDS_HELP = ("When a question was reworded without a pin, keep its Anki id (and review history) if exactly "
                  "one old card matches: same place in the deck or the same answer.")


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


@main.command("build")
@click.argument("sources", nargs=-1, type=click.Path(readable=False))
@click.option("-o", "--output", "output", default="dist", show_default=True, type=click.Path(file_okay=False),
              help="Directory for the outputs.")
@click.option("-f", "--format", "formats", multiple=True, type=click.Choice(list(WRITERS)),
              help="Output format; repeat for several. Default: all.")
@click.option("--layout", type=click.Choice(["handout", "cards", "quiz"]), default="handout", show_default=True,
              help="PDF layout: a typeset handout, duplex flashcards to cut out, or a quiz with answer key.")
@click.option("--paper", type=click.Choice(["a4", "letter"]), default="a4", show_default=True, help="PDF paper size.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1).")
@click.option("--fetch-remote-media", is_flag=True,
              help="Download remote (http/https) images into a cache in the output folder and bundle them. "
                   "Without it a build never uses the network.")
@click.option("--keep-ids", is_flag=True, help=_KEEP_IDS_HELP)
@click.option("--force", is_flag=True, help="Parse and write everything, ignoring the caches in OUTPUT/.cardpress/.")
@_verbosity_options
def build_command(sources, output, formats, layout, paper, strict, fetch_remote_media, keep_ids, force,
                  level) -> None:
    """Build the outputs from SOURCES (files or folders; default: source/).
    Only what changed since the last build into OUTPUT is written again."""
    options = {"layout": layout, "paper": paper}
    if fetch_remote_media:  # only when set, so the options (and fingerprints) of other builds stay as they were
        options["fetch_remote_media"] = True
    verbosity = Verbosity(level)
    try:
        result: BuildResult = build(sources or DEFAULT_SOURCES, Path(output), formats or None, options=options,
                                    strict=strict, keep_ids=keep_ids, incremental=not force,
                                    progress=verbosity.progress())
    except CardpressError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    sys.exit(_print_build(result, output, strict, verbosity))


@main.command("check")
@click.argument("sources", nargs=-1, type=click.Path(readable=False))
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


@main.command("diff")
@click.argument("sources", nargs=-1, type=click.Path(readable=False))
@click.option("-o", "--output", "output", default="dist", show_default=True, type=click.Path(file_okay=False),
              help="The output directory whose last build to compare with.")
@click.option("--keep-ids", is_flag=True, help=_KEEP_IDS_HELP)
@_verbosity_options
def diff_command(sources, output, keep_ids, level) -> None:
    """Print what a build would change (the changelog) without building."""
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
@click.argument("sources", nargs=-1, type=click.Path(readable=False))
@click.option("-o", "--output", "output", default="dist", show_default=True, type=click.Path(file_okay=False),
              help="The output directory of the last build (its manifest knows ids kept by --keep-ids).")
@click.option("--keep-ids", is_flag=True, help="For a question reworded since the last build, pin its old id (and "
                                               "so keep its review history) when exactly one old card matches.")
@click.option("-n", "--dry-run", is_flag=True, help="Show what would be pinned; change no file.")
@_verbosity_options
def pin_command(sources, output, keep_ids, dry_run, level) -> None:
    """Write each unpinned question's current id into its heading
    (`## Question {#id}`), so rewording it later keeps its Anki history.
    Nothing changes in Anki; only the heading lines change in the files."""
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


def _watch_options(fn):
    for option in reversed((
        click.option("-o", "--output", "output", default="dist", show_default=True, type=click.Path(file_okay=False),
                     help="Directory for the outputs."),
        click.option("--layout", type=click.Choice(["handout", "cards", "quiz"]), default="handout",
                     show_default=True, help="PDF layout."),
        click.option("--paper", type=click.Choice(["a4", "letter"]), default="a4", show_default=True,
                     help="PDF paper size."),
        click.option("--keep-ids", is_flag=True, help=_KEEP_IDS_HELP),
        click.option("--debounce", type=click.IntRange(10, 10_000), default=300, show_default=True,
                     help="Milliseconds to wait for more changes before rebuilding."),
    )):
        fn = option(fn)
    return _verbosity_options(fn)


def _watch(sources, output, formats, layout, paper, keep_ids, debounce, level, on_build=None) -> None:
    """Build, rebuild on every change, print what each build did; Ctrl-C
    (or SIGTERM) ends it with exit 0 and the outputs as last built."""
    from .watch import watch

    sources = sources or DEFAULT_SOURCES
    verbosity = Verbosity(level)
    options = {"layout": layout, "paper": paper}

    def build_once() -> BuildResult:
        return build(sources, Path(output), formats or None, options=options, keep_ids=keep_ids,
                     progress=verbosity.progress())

    def report(outcome, changed) -> None:
        if changed and not verbosity.quiet:
            names = sorted(os.path.relpath(p) for p in changed)
            click.echo(f"changed: {', '.join(names[:5])}{' …' if len(names) > 5 else ''}")
        if isinstance(outcome, CardpressError):
            click.echo(str(outcome), err=True)
        else:
            _print_build(outcome, output, False, verbosity)
            if on_build is not None:
                on_build(outcome)
        if not verbosity.quiet:
            click.echo("watching for changes (Ctrl-C to stop)")

    for s in sources:  # a typo in a path is an error now, not an empty watch
        if not Path(s).exists():
            raise CardpressError(f"{s}: error: no such file or directory")
    try:
        watch(sources, Path(output), build_once, report, debounce_ms=debounce)
    except KeyboardInterrupt:
        # Ctrl-C is how a watch ends: a clean exit, the outputs as last built.
        click.echo("stopped watching", err=True)
        sys.exit(0)


@main.command("watch")
@click.argument("sources", nargs=-1, type=click.Path())
@click.option("-f", "--format", "formats", multiple=True, type=click.Choice(list(WRITERS)),
              help="Output format; repeat for several. Default: all.")
@_watch_options
def watch_command(sources, output, formats, layout, paper, keep_ids, debounce, level) -> None:
    """Build, then rebuild whenever a note or image under SOURCES changes.
    Errors in the notes are shown and the last good outputs kept; Ctrl-C stops."""
    _watch(sources, output, formats, layout, paper, keep_ids, debounce, level)


@main.command("serve")
@click.argument("sources", nargs=-1, type=click.Path())
@click.option("-f", "--format", "formats", multiple=True, type=click.Choice(list(WRITERS)),
              help="Formats to keep built; the site is always among them. Default: html only.")
@click.option("-p", "--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port on 127.0.0.1 (0: any free port).")
@_watch_options
def serve_command(sources, formats, port, output, layout, paper, keep_ids, debounce, level) -> None:
    """Serve the HTML site on 127.0.0.1 and rebuild it on every change;
    open pages reload by themselves. Ctrl-C stops."""
    if "html" not in WRITERS:
        raise CardpressError("serve: error: this cardpress has no HTML writer")
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

        _watch(sources, output, formats, layout, paper, keep_ids, debounce, level, on_build=on_build)


# -- init, push, open (issue 14) ---------------------------------------------------
# Thin commands over cardpress/init.py, push.py and opener.py. The build
# options of push/open repeat build's for now (to be shared when the options
# are declared once).

@main.command("init")
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--lang", type=click.Choice(["ko", "en"]), default=None,
              help="Language of the example deck. Default: ko under a Korean locale, else en.")
def init_command(directory: Path, lang) -> None:
    """Start a notes folder in DIRECTORY (default: here): an example deck
    in source/ that shows the syntax, and a .gitignore for the output.
    Never overwrites a file."""
    from .init import default_language, gitignore_mentions_output, init

    result = init(directory, lang or default_language())
    for path in result.created:
        click.echo(f"created {path}")
    for path in result.kept:
        click.echo(f"kept {path} (it exists; init never overwrites a file)")
        if path.name == ".gitignore" and not gitignore_mentions_output(path):
            click.echo(f"{path}: warning: it does not ignore the build output: add a line /dist/", err=True)
    where = "" if directory.resolve() == Path.cwd().resolve() else f"cd {directory} && "
    click.echo(f"next: {where}cardpress build   (writes dist/: the Anki deck, a PDF and an offline site)")


def _build_options(fn):
    """build's options, for the commands that build first."""
    for option in reversed((
        click.option("-o", "--output", "output", default="dist", show_default=True, type=click.Path(file_okay=False),
                     help="Directory for the outputs."),
        click.option("-f", "--format", "formats", multiple=True, type=click.Choice(list(WRITERS)),
                     help="Output format; repeat for several. Default: all (the Anki packages are always built)."),
        click.option("--layout", type=click.Choice(["handout", "cards", "quiz"]), default="handout",
                     show_default=True, help="PDF layout."),
        click.option("--paper", type=click.Choice(["a4", "letter"]), default="a4", show_default=True,
                     help="PDF paper size."),
        click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1, nothing sent)."),
        click.option("--fetch-remote-media", is_flag=True,
                     help="Download remote (http/https) images into a cache in the output folder and bundle them."),
        click.option("--keep-ids", is_flag=True, help=_KEEP_IDS_HELP),
        click.option("--force", is_flag=True, help="Parse and write everything, ignoring the caches."),
    )):
        fn = option(fn)
    return _verbosity_options(fn)


def _build_first(sources, output, formats, layout, paper, strict, fetch_remote_media, keep_ids, force,
                 verbosity: Verbosity):
    """Build like `cardpress build`; exits on problems in the notes."""
    from .push import build_for_push

    options = {"layout": layout, "paper": paper}
    if fetch_remote_media:
        options["fetch_remote_media"] = True
    result = build_for_push(sources or DEFAULT_SOURCES, Path(output), formats or None, options, strict=strict,
                            keep_ids=keep_ids, incremental=not force, progress=verbosity.progress())
    code = _print_build(result, output, strict, verbosity)
    if code:
        sys.exit(code)
    return result


@main.command("push")
@click.argument("sources", nargs=-1, type=click.Path(readable=False))
@_build_options
@click.option("--url", envvar="ANKICONNECT_URL", show_envvar=True, default="http://127.0.0.1:8765", show_default=True,
              help="Where AnkiConnect listens.")
@click.option("--api-key", envvar="ANKICONNECT_API_KEY", show_envvar=True, default=None,
              help="AnkiConnect's apiKey, if its config sets one.")
@click.option("--timeout", type=click.FloatRange(0.1, 3600), default=10.0, show_default=True,
              help="Seconds to wait for each answer from Anki (an import may take up to 2 minutes, or this if longer).")
@click.option("--allow-remote", is_flag=True,
              help="Allow a --url that is not on this machine (the decks are sent to it).")
@click.option("--upload/--no-upload", default=None,
              help="Send the packages' bytes instead of their paths. Default: only when Anki is on another machine.")
@click.option("--delete-removed", is_flag=True,
              help="Also delete from Anki the notes of the pushed decks that are no longer in the notes "
                   "(lists them and asks first).")
@click.option("-y", "--yes", is_flag=True, help="With --delete-removed: delete without asking.")
@click.option("-n", "--dry-run", is_flag=True, help="Build, then show what would change in Anki; change nothing there.")
def push_command(sources, output, formats, layout, paper, strict, fetch_remote_media, keep_ids, force, level, url,
                 api_key, timeout, allow_remote, upload, delete_removed, yes, dry_run) -> None:
    """Build SOURCES, then bring a running Anki up to date through the
    AnkiConnect add-on (code 2055492159): each deck Anki lacks or has older
    is imported as its .apkg (review history kept), and what changed in Anki
    is reported."""
    from .push import PushSettings, push

    verbosity = Verbosity(level)
    result = _build_first(sources, output, formats, layout, paper, strict, fetch_remote_media, keep_ids, force,
                          verbosity)
    settings = PushSettings(url=url, api_key=api_key, timeout=timeout, allow_remote=allow_remote, upload=upload,
                            delete_removed=delete_removed, yes=yes, dry_run=dry_run)

    def echo(message: str, err: bool = False, always: bool = False) -> None:
        if err or always or not verbosity.quiet:
            click.echo(message, err=err)

    confirm = (lambda prompt: click.confirm(prompt, default=False)) if sys.stdin.isatty() else None
    sys.exit(push(result, settings, echo, confirm))


@main.command("open")
@click.argument("sources", nargs=-1, type=click.Path(readable=False))
@_build_options
def open_command(sources, output, formats, layout, paper, strict, fetch_remote_media, keep_ids, force, level) -> None:
    """Build SOURCES, then open each deck's .apkg with the system's Anki
    (its import dialog), for Anki without AnkiConnect."""
    from .opener import open_paths
    from .push import packages_of

    verbosity = Verbosity(level)
    result = _build_first(sources, output, formats or ("apkg",), layout, paper, strict, fetch_remote_media, keep_ids,
                          force, verbosity)
    for argv in open_paths(packages_of(result)):
        if not verbosity.quiet:
            click.echo(f"opened {argv[-1]}")
