"""What a source root is, and whether a path may be read: the one place that
decides, for notes and for the files notes point at.

- Each source given on the command line is its own root: the folder given,
  or the file's folder. Several sources never widen to a common ancestor, so
  `build ~/notes/a.md ~/Downloads/b.md` cannot let `b.md` read `~/.ssh`.
- Only regular files are read: a FIFO, device or socket is refused from
  `stat` before it is ever opened (opening a FIFO blocks, `/dev/zero` never
  ends), and the file opened is checked again with `fstat`.
- Inside the root, also after following symlinks.
- Not hidden: no component of a path below the root starts with `.`
  (`.env`, `.git/config`), written or reached through a symlink.
- Size-limited (`Limits`): a note and a media file are read only up to a
  bound.
- By normalized name: `다이어그램.png` in a note finds the file macOS wrote
  decomposed (NFD), and the other way round.
- Names that are not UTF-8 are shown with U+FFFD in messages (`shown`).

Refusals are `Refused(reason)`: the caller puts the path in front
(`image 'x.png' <reason>`).
"""

from __future__ import annotations

import os
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePath

MB = 1024 * 1024
DEFAULT_NOTE_BYTES = 50 * MB
DEFAULT_MEDIA_BYTES = 100 * MB

# Never follow a symlink at the last step (the path given is already
# resolved: one there now was swapped in), never block on a FIFO that
# replaced the file after the stat, never become a controlling terminal.
_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
               | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))


class Refused(Exception):
    """A path that may not be read; `reason` reads after the path's name."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Unreadable(Refused):
    """The system refused to read it (`strerror`: "Permission denied")."""

    def __init__(self, strerror: str):
        super().__init__(f"cannot be read: {strerror[:1].lower()}{strerror[1:]}")
        self.strerror = strerror


@dataclass(frozen=True)
class Limits:
    note_bytes: int = DEFAULT_NOTE_BYTES
    media_bytes: int = DEFAULT_MEDIA_BYTES

    @classmethod
    def of(cls, options) -> "Limits":
        """From a `BuildOptions` (None: the defaults)."""
        if options is None:
            return cls()
        return cls(options.max_note_bytes, options.max_media_bytes)


# -- names -------------------------------------------------------------------------

def shown(name: str | os.PathLike) -> str:
    """A path for messages: bytes that are not UTF-8 (which Python keeps as
    lone surrogates) become U+FFFD, so printing never fails."""
    return os.fspath(name).encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def is_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def is_hidden(name: str) -> bool:
    return name.startswith(".") and name not in (".", "..")


def hidden_part(rel: PurePath) -> str | None:
    """The first hidden component of a root-relative path, or None."""
    return next((part for part in rel.parts if is_hidden(part)), None)


def nfc(name: str) -> str:
    return unicodedata.normalize("NFC", name)


# -- roots -------------------------------------------------------------------------

def root_of(given: str) -> Path:
    """A source's root: the folder given, or the folder of the file given
    (where the name stands, not where a symlink points). Resolved."""
    p = Path(given)
    return p.resolve() if p.is_dir() else p.absolute().parent.resolve()


def inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def root_display(root: Path) -> str:
    """A root as messages name it: relative to the cwd when below it."""
    rel = os.path.relpath(root)
    return shown(root if rel.startswith("..") else rel)


def file_kind(mode: int) -> str:
    """What a non-regular file is, for messages ("a FIFO")."""
    for test, what in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return what
    return "not a regular file"


# -- finding a file a note names ------------------------------------------------------

def locate(root: Path, candidate: Path) -> Path:
    """The real path of `candidate` (absolute, normalized, lexically inside
    `root`; written as the note wrote it) or Refused: hidden, missing,
    outside `root` through a symlink, or hidden behind one. Each component
    is matched exactly, else by its NFC form. Nothing is opened."""
    rel = candidate.relative_to(root)
    if hidden_part(rel):
        raise Refused("is a hidden file or folder; hidden files are never bundled")
    current = root
    for part in rel.parts:
        current = _component(current, part, root)
    try:
        real = current.resolve(strict=True)
    except FileNotFoundError:
        raise Refused("not found") from None
    except (OSError, RuntimeError):  # a symlink loop, a name too long
        raise Refused("cannot be resolved") from None
    _check_real(real, root)
    return real


def _component(folder: Path, part: str, root: Path) -> Path:
    """`folder/part`, or the one entry of `folder` whose name has the same
    NFC form (NFD Hangul from macOS)."""
    path = folder / part
    try:
        st = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        st = None
    except OSError:
        raise Refused("cannot be resolved") from None
    if st is not None:
        if stat.S_ISLNK(st.st_mode):
            # Follow a link only while it stays inside: never list a
            # folder outside the root while looking for a name.
            try:
                _check_real(path.resolve(strict=True), root)
            except FileNotFoundError:
                raise Refused("not found") from None
            except (OSError, RuntimeError):
                raise Refused("cannot be resolved") from None
        return path
    want = nfc(part)
    try:
        names = [n for n in os.listdir(folder) if is_utf8(n) and nfc(n) == want]
    except OSError:  # not a folder, or gone
        raise Refused("not found") from None
    if not names:
        raise Refused("not found")
    if len(names) > 1:
        raise Refused("matches several files whose names differ only in Unicode normalization "
                      "(NFC/NFD); rename one")
    return _component(folder, names[0], root)


def _check_real(real: Path, root: Path) -> None:
    if not inside(real, root):
        raise Refused(f"is a symlink to a file outside the source folder {root_display(root)}; it is not read")
    if hidden_part(real.relative_to(root)):
        raise Refused("is a symlink to a hidden file or folder; hidden files are never bundled")


# -- reading -------------------------------------------------------------------------

def regular_stat(path: Path, limit: int, what: str) -> os.stat_result:
    """`stat` of a file that may be read: regular, at most `limit` bytes."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise Refused("not found") from None
    except OSError as exc:
        raise Unreadable(exc.strerror or str(exc)) from None
    if not stat.S_ISREG(st.st_mode):
        raise Refused(f"is {file_kind(st.st_mode)}, not a regular file; it is not read")
    if st.st_size > limit:
        raise Refused(f"is {_size(st.st_size)}; {what} larger than {_size(limit)} are not read")
    return st


def read_regular(path: Path, limit: int, what: str, head: int | None = None) -> bytes:
    """The bytes of the regular file `path` (at most `limit`; with `head`,
    only the first `head`), or Refused. Checked with `stat` before it is
    opened and with `fstat` once open, so a FIFO or device is never read
    and one swapped in between is caught."""
    before = regular_stat(path, limit, what)
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise Unreadable(exc.strerror or str(exc)) from None
    with os.fdopen(fd, "rb", buffering=0) as f:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or (st.st_dev, st.st_ino) != (before.st_dev, before.st_ino):
            raise Refused("changed while it was being read; it is not read")
        want = limit + 1 if head is None else min(head, limit + 1)
        chunks: list[bytes] = []
        got = 0
        while got < want:
            chunk = f.read(min(want - got, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
    data = b"".join(chunks)
    if len(data) > limit:
        raise Refused(f"grew past {_size(limit)} while it was being read; {what} larger than that are not read")
    return data


def _size(n: int) -> str:
    if n < MB:
        return f"{n} bytes"
    return f"{n / MB:.1f} MB" if n % MB else f"{n // MB} MB"
