"""`cardpress open`: hand the built packages to the system's Anki, for
people without AnkiConnect. Anki's own import dialog then opens (with its
default, "update if newer", which is what cardpress's packages need).

The opener is the platform's: `open` on macOS, `os.startfile` on Windows,
`xdg-open` elsewhere. CARDPRESS_OPENER replaces it with a command (split
like a shell would; the package's path is added as the last argument): for
another launcher, or for tests on machines without a desktop.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Sequence

from .errors import CardpressError

ENV = "CARDPRESS_OPENER"
WAIT = 5.0  # seconds to wait for the opener to fail before leaving it running


def opener_command(environ: dict[str, str] | None = None, platform: str | None = None) -> list[str] | None:
    """The command a path is appended to; None on Windows (os.startfile)."""
    env = os.environ if environ is None else environ
    custom = env.get(ENV, "").strip()
    if custom:
        return shlex.split(custom)
    platform = sys.platform if platform is None else platform
    if platform == "darwin":
        return ["open"]
    if platform.startswith("win"):
        return None
    return ["xdg-open"]


def open_paths(paths: Sequence[Path]) -> list[list[str]]:
    """Open each path with the system's handler; returns the commands run."""
    command = opener_command()
    ran = []
    for path in paths:
        target = str(Path(path).resolve())
        if command is None:
            try:
                os.startfile(target)  # type: ignore[attr-defined]  # Windows only
            except OSError as exc:
                raise CardpressError(f"{path}: error: cannot open it: {exc.strerror or exc}: open it in Anki with "
                                     "File > Import") from None
            ran.append(["startfile", target])
            continue
        argv = [*command, target]
        if shutil.which(argv[0]) is None:
            raise CardpressError(f"{path}: error: cannot open it: {argv[0]} not found (set {ENV} to a command "
                                 "that opens files): open it in Anki with File > Import")
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            code = proc.wait(WAIT)
        except subprocess.TimeoutExpired:
            code = 0  # still running: the launcher stays in the foreground for some desktops
        if code != 0:
            raise CardpressError(f"{path}: error: {argv[0]} could not open it (exit {code}): is Anki installed? "
                                 "Open it in Anki with File > Import")
        ran.append(argv)
    return ran
