"""The command group, and the one place that turns any failure into one line."""

from __future__ import annotations

import signal
import sys
import traceback

import click

from ..console import echo
from ..errors import CardpressError, InternalError

DEFAULT_SOURCES = ("source",)
SETTINGS = "cardpress.settings"  # where a command's project settings are kept (click's ctx.meta)


class ProjectCommand(click.Command):
    """A command given SOURCES reads the project's settings (settings.py:
    cardpress.toml in the source root) once its arguments are parsed: each
    option the command line left at its default takes the settings' value,
    so flags always win. The settings' problems are printed; an error (or
    any problem, with --strict) exits 1 before the command runs."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        rest = super().parse_args(ctx, args)
        if "sources" in ctx.params:
            from ..settings import load

            settings = load(ctx.params["sources"] or DEFAULT_SOURCES)
            ctx.meta[SETTINGS] = settings
            for name, value in settings.options:
                if name in ctx.params and ctx.get_parameter_source(name) is click.core.ParameterSource.DEFAULT:
                    ctx.params[name] = value
            for d in settings.diagnostics:
                echo(str(d), err=True)
            if settings.has_errors or (ctx.params.get("strict") and settings.diagnostics):
                ctx.exit(1)
        return rest


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
    have cleaned up. Commands added later get this for free, and the
    project settings (ProjectCommand)."""

    command_class = ProjectCommand

    def invoke(self, ctx: click.Context):
        if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
            signal.signal(signal.SIGTERM, _on_sigterm)
        debug = bool(ctx.params.get("debug"))
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except CardpressError as exc:
            echo(str(exc), err=True)
            sys.exit(1)
        except KeyboardInterrupt as exc:
            signum = exc.args[0] if isinstance(exc, _Interrupted) and exc.args else signal.SIGINT
            echo("interrupted: earlier outputs are left as they were", err=True)
            sys.exit(128 + int(signum))
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            if debug:
                traceback.print_exception(exc)
            where = exc if isinstance(exc, InternalError) else InternalError("cardpress", exc)
            hint = "please report it" if debug else "run with --debug for the traceback and report it"
            echo(f"cardpress: {where} (this is a bug; {hint})", err=True)
            sys.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cardpress")
@click.option("--debug", is_flag=True, help="Show the traceback of an internal error.")
def main(debug: bool) -> None:
    """Build Anki decks, printable PDFs and offline HTML flashcards from
    Markdown Q&A notes (`# Deck`, then `## Question` + answer)."""
