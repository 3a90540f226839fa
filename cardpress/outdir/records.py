"""Cardpress's own records in the output folder (`.cardpress/`), read as
untrusted input: a record is read only if it is a regular file (a link is
not followed, a FIFO or device is never read), up to a size limit, and a
damaged one is ignored with one warning; folders on the way, in
`.cardpress/` and in the output, are opened one level at a time without
following a symlink."""

from __future__ import annotations

import errno
import json
import os
import stat
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from .. import atomic
from ..atomic import Dir
from ..errors import OutputError
from ..model import Diagnostic, SourceLocation

STATE_DIR = ".cardpress"
STAGING = "tmp"  # temporaries of this and earlier builds, and nothing else
WRITTEN = "written"  # one JSON string a line: every output file written (relative path)
STATE_DIRS = ("parsed", "media-cache", STAGING)
STATE_FILES = ("manifest.json", "outputs.json", WRITTEN)
MARKER = ".cardpress-site"
MARKER_TEXT = b"This folder was written by cardpress and is replaced whole by every build.\n"
STATE_LIMIT = 256 * 1024 * 1024  # bytes; a record bigger than this is damaged
SWEEP_AGE = 3600.0  # seconds: a running build's temporaries are younger
JUNK = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})  # written by file browsers
LEGACY_SITE = frozenset({"index.html", "assets", "decks", "media"})  # a site from before the marker


class StateProblem(Exception):
    """Why a record in `.cardpress/` was not read; `str()` is the reason."""


def warning(path: Path, message: str) -> Diagnostic:
    return Diagnostic.warning(SourceLocation(str(path), 0), message)


def kind(st: os.stat_result) -> str:
    mode = st.st_mode
    if stat.S_ISLNK(mode):
        return "a symlink"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISREG(mode):
        return "a file"
    return "a device or socket"


def parts_of(rel: str | Path) -> list[str]:
    parts = Path(rel).parts
    if not parts or Path(rel).is_absolute() or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"not a path inside the output folder: {rel}")
    return list(parts)


def confined(rel: object) -> bool:
    """A relative path that stays inside the folder it is relative to."""
    try:
        return isinstance(rel, str) and "\x00" not in rel and bool(parts_of(rel))
    except ValueError:
        return False


@contextmanager
def open_dir(out_dir: Path, parts: Sequence[str], create: bool = False) -> Iterator[Dir]:
    """The folder `out_dir/parts...`, each level opened without following a
    symlink. OutputError naming the level that is a link or not a folder."""
    here = Dir.open(out_dir) if not create else root_dir(out_dir)
    try:
        for part in parts:
            try:
                nxt = here.sub(part, create)
            except OSError as exc:
                if exc.errno not in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
                    raise
                st = here.lstat(part)
                raise OutputError(f"{here.path / part}: error: is {kind(st) if st else 'not a folder'}, where "
                                  "cardpress writes a folder; it does not write through links: move it away") from None
            here.close()
            here = nxt
        yield here
    finally:
        here.close()


def root_dir(out_dir: Path) -> Dir:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out_dir}: error: cannot create output directory: {exc.strerror}") from None
    return Dir.open(out_dir)


# -- reading records -------------------------------------------------------------

def read_state(out_dir: Path, rel: str, limit: int = STATE_LIMIT, head: int | None = None) -> bytes | None:
    """The bytes of `.cardpress/<rel>` (its first `head` bytes only, if
    given), None when it does not exist. Raises StateProblem when it is not
    a regular file (a link is not followed, a FIFO or device never opened
    for long) or is larger than `limit`."""
    *dirs, name = parts_of(rel)
    try:
        with open_dir(out_dir, [STATE_DIR, *dirs]) as where:
            fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | atomic.NOFOLLOW, dir_fd=where.fd)
    except FileNotFoundError:
        return None
    except OutputError as exc:
        raise StateProblem(str(exc).split(": error: ", 1)[-1]) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise StateProblem("it is a symlink, which cardpress does not follow") from None
        if exc.errno == errno.ENOTDIR:
            return None
        raise StateProblem(exc.strerror or str(exc)) from None
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise StateProblem(f"it is {kind(st)}, not a file")
        if st.st_size > limit:
            raise StateProblem(f"it is larger than {limit // (1024 * 1024)} MB")
        data = f.read(limit + 1 if head is None else head)
    if len(data) > limit:
        raise StateProblem(f"it is larger than {limit // (1024 * 1024)} MB")
    return data


def read_json(out_dir: Path, rel: str, diagnostics: list[Diagnostic] | None, what: str) -> object | None:
    """`.cardpress/<rel>` as JSON; None when missing or damaged. A damaged
    record adds one warning to `diagnostics`, saying `what` follows."""
    try:
        data = read_state(out_dir, rel)
        return None if data is None else json.loads(data)
    except StateProblem as exc:
        reason = str(exc)
    except RecursionError:
        reason = "it is nested too deeply"
    except (ValueError, UnicodeDecodeError):
        reason = "it is not valid JSON"
    if diagnostics is not None:
        diagnostics.append(warning(out_dir / STATE_DIR / rel, f"ignored, {reason}: {what}"))
    return None


# -- writing ---------------------------------------------------------------------

def write_state(out_dir: Path, rel: str, data: bytes) -> None:
    """Replace `.cardpress/<rel>` atomically (a link in its place is replaced)."""
    *dirs, name = parts_of(rel)
    with open_dir(out_dir, [STATE_DIR, *dirs], create=True) as where, \
            open_dir(out_dir, [STATE_DIR, STAGING], create=True) as staging:
        atomic.write_at(where, name, data, staging)


def state_names(out_dir: Path, rel_dir: str) -> list[str]:
    """The names in the folder `.cardpress/<rel_dir>` (empty if there is none)."""
    try:
        with open_dir(out_dir, [STATE_DIR, *parts_of(rel_dir)]) as where:
            return [entry.name for entry in os.scandir(where.fd)]
    except (OSError, OutputError):
        return []


def remove_state(out_dir: Path, rel_dir: str, names: Iterable[str]) -> None:
    """Delete `names` (files, links or folders) from `.cardpress/<rel_dir>`."""
    try:
        with open_dir(out_dir, [STATE_DIR, *parts_of(rel_dir)]) as where:
            for name in names:
                atomic.rmtree_at(where, name)
    except (OSError, OutputError):
        pass


