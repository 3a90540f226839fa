"""Commands that reach Anki or start a notes folder: init, push, open."""

from __future__ import annotations

import sys
from pathlib import Path

from typing import TYPE_CHECKING

import click

from ..console import Verbosity, echo
from ..text import printable
from .group import DEFAULT_SOURCES, main
from .options import BUILD_OPTIONS, FORMATS, SOURCES, build_options, print_build

if TYPE_CHECKING:  # the build is imported only when a command builds
    from ..build import BuildResult


@main.command("init")
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--lang", type=click.Choice(["ko", "en"]), default=None,
              help="Language of the example deck. Default: ko under a Korean locale, else en.")
def init_command(directory: Path, lang) -> None:
    """Start a notes folder in DIRECTORY (default: here): an example deck
    in source/ that shows the syntax, and a .gitignore for the output.
    Never overwrites a file."""
    from ..init import default_language, gitignore_mentions_output, init

    result = init(directory, lang or default_language())
    for path in result.created:
        echo(f"created {path}")
    for path in result.kept:
        echo(f"kept {path} (it exists; init never overwrites a file)")
        if path.name == ".gitignore" and not gitignore_mentions_output(path):
            echo(f"{path}: warning: it does not ignore the build output: add a line /dist/", err=True)
    where = "" if directory.resolve() == Path.cwd().resolve() else f"cd {directory} && "
    echo(f"next: {where}cardpress build   (writes dist/: the Anki deck, a PDF and an offline site)")


def _build_first(sources, output, formats, level, options: dict) -> BuildResult:
    """Build as `cardpress build` does (the Anki packages always among the
    formats); exits on problems in the notes."""
    from ..push import build_for_push

    verbosity = Verbosity(level)
    opts = build_options(**options)
    result = build_for_push(sources or DEFAULT_SOURCES, Path(output), formats or None, opts,
                            progress=verbosity.progress())
    code = print_build(result, output, opts.strict, verbosity)
    if code:
        sys.exit(code)
    return result


@main.command("push")
@SOURCES
@FORMATS
@BUILD_OPTIONS
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
def push_command(sources, formats, output, level, url, api_key, timeout, allow_remote, upload, delete_removed, yes,
                 dry_run, **options) -> None:
    """Build SOURCES, then bring a running Anki up to date through the
    AnkiConnect add-on (code 2055492159): each deck Anki lacks or has older
    is imported as its .apkg (review history kept), and what changed in Anki
    is reported."""
    from ..push import PushSettings, push

    verbosity = Verbosity(level)
    result = _build_first(sources, output, formats, level, options)
    settings = PushSettings(url=url, api_key=api_key, timeout=timeout, allow_remote=allow_remote, upload=upload,
                            delete_removed=delete_removed, yes=yes, dry_run=dry_run)

    def say(message: str, err: bool = False, always: bool = False) -> None:
        if err or always or not verbosity.quiet:
            echo(message, err=err)

    confirm = (lambda prompt: click.confirm(printable(prompt), default=False)) if sys.stdin.isatty() else None
    sys.exit(push(result, settings, say, confirm, Path(output)))


@main.command("open")
@SOURCES
@FORMATS
@BUILD_OPTIONS
def open_command(sources, formats, output, level, **options) -> None:
    """Build SOURCES, then open each deck's .apkg with the system's Anki
    (its import dialog), for Anki without AnkiConnect."""
    from ..opener import open_paths
    from ..push import packages_of

    result = _build_first(sources, output, formats or ("apkg",), level, options)
    for argv in open_paths(packages_of(result)):
        if not Verbosity(level).quiet:
            echo(f"opened {argv[-1]}")
