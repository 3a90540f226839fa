"""The command line: the only package that knows click.

Exit codes: 0 success, 1 problems in the notes (or an unwritable output,
or an internal error), 2 usage errors (click's own), 130/143 interrupted by
SIGINT/SIGTERM. A user's mistake never prints a traceback; a bug prints one
only with `--debug`.

`group.py` holds the command group and the one place that turns failures
into one line; `options.py` the options several commands share, declared
once, and what the commands print; the commands live by theme in `notes.py`
(build, check, diff, pin), `live.py` (watch, serve) and `anki.py` (init,
push, open).
"""

from . import anki, live, notes  # noqa: F401 - importing them registers the commands
from .group import main

__all__ = ["main"]
