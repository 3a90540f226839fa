"""Which files the notes may point at: the one place that decides whether a
path a note names (an image, a link target) may be read.

A path that leaves the source tree (`..`, absolute paths, symlinks pointing
out) is an error and the file is never read, so notes shared by a classmate
cannot pull `~/.ssh` into a deck.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..text import short
from .sink import Sink

WINDOWS_PATH_RE = re.compile(r"^[A-Za-z]:[\\/]")


def url_path(url: str) -> str:
    """The path part of a URL, percent-decoded."""
    try:
        return unquote(urlsplit(url.strip()).path)
    except ValueError:
        return url


def inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def root_display(root: Path) -> str:
    rel = os.path.relpath(root)
    return str(root) if rel.startswith("..") else rel


def resolve_local(target: str, line: int, what: str, *, base: Path, root: Path, sink: Sink,
                  want_file: bool = True) -> str | None:
    """Root-relative path of the local file `target` (relative to `base`,
    the note's folder), or None with a diagnostic when it is missing or
    outside the source tree. Files outside the tree are never read."""
    raw = url_path(target)
    shown = short(unquote(target))
    if "\x00" in raw:
        sink.error(line, f"{what} '{shown}' is not a valid path")
        return None
    if os.path.isabs(raw) or raw.startswith("~") or WINDOWS_PATH_RE.match(raw):
        sink.error(line, f"{what} '{shown}' is an absolute path; use a path inside the source folder")
        return None
    candidate = os.path.normpath(base / raw)
    if not inside(Path(candidate), root):
        sink.error(line, f"{what} '{shown}' is outside the source folder {root_display(root)}")
        return None
    try:
        resolved = Path(candidate).resolve(strict=False)
        within = inside(resolved, root)
        st = resolved.stat() if within else None
    except FileNotFoundError:
        st = None
    except (OSError, RuntimeError, ValueError):  # symlink loop, name too long
        sink.error(line, f"{what} '{shown}' cannot be resolved")
        return None
    if not within:
        sink.error(line, f"{what} '{shown}' is a symlink to a file outside the source folder "
                         f"{root_display(root)}; it is not read")
        return None
    if st is None or (want_file and not stat.S_ISREG(st.st_mode)) or not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
        sink.error(line, f"{what} '{shown}' not found")
        return None
    if want_file and not os.access(resolved, os.R_OK):
        sink.error(line, f"{what} '{shown}' cannot be read: permission denied")
        return None
    return resolved.relative_to(root).as_posix()
