"""Commands that keep running: watch and serve."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from typing import TYPE_CHECKING

import click

from ..console import Verbosity, echo
from ..errors import CardpressError
from ..options import BuildOptions
from ..writers import WRITERS
from .group import DEFAULT_SOURCES, main
from .options import BUILD_OPTIONS, FORMATS, WATCH_OPTIONS, build_options, print_build

if TYPE_CHECKING:  # the build is imported only when a command builds
    from ..build import BuildResult


def _watch(sources, output, formats, level, debounce, options: BuildOptions, on_build=None) -> None:
    """Watch and rebuild, printing what each build did; Ctrl-C (or
    SIGTERM) ends it with exit 0 and the outputs as last built."""
    from ..watch import watch_and_build

    verbosity = Verbosity(level)

    def report(outcome, changed) -> None:
        if changed and not verbosity.quiet:
            names = sorted(os.path.relpath(p) for p in changed)
            echo(f"changed: {', '.join(names[:5])}{' …' if len(names) > 5 else ''}")
        if isinstance(outcome, CardpressError):
            echo(str(outcome), err=True)
        else:
            print_build(outcome, output, options.strict, verbosity)
            if on_build is not None:
                on_build(outcome)
        if not verbosity.quiet:
            echo("watching for changes (Ctrl-C to stop)")

    try:
        watch_and_build(sources or DEFAULT_SOURCES, Path(output), formats, options, report, verbosity.progress,
                        debounce_ms=debounce)
    except KeyboardInterrupt:
        # Ctrl-C is how a watch ends: a clean exit, the outputs as last built.
        echo("stopped watching", err=True)
        sys.exit(0)


@main.command("watch")
@click.argument("sources", nargs=-1, type=click.Path())
@FORMATS
@BUILD_OPTIONS
@WATCH_OPTIONS
def watch_command(sources, formats, output, level, debounce, **options) -> None:
    """Build, then rebuild whenever a note or image under SOURCES changes.
    Errors in the notes are shown and the last good outputs kept; Ctrl-C stops."""
    _watch(sources, output, formats, level, debounce, build_options(**options))


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
    from ..serve import SiteServer
    from ..writers.html import SITE_DIR

    formats = tuple(dict.fromkeys(("html", *formats)))
    site = Path(output) / SITE_DIR
    site.mkdir(parents=True, exist_ok=True)
    try:
        server = SiteServer(site, port)
    except OSError as exc:
        raise CardpressError(f"serve: error: cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}") from None
    with server:
        echo(f"serving {server.url}")

        def on_build(result: BuildResult) -> None:
            if result.written:
                server.builds.bump()

        _watch(sources, output, formats, level, debounce, build_options(**options), on_build=on_build)
