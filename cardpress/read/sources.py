"""Finding the notes: the Markdown files under the paths a user gives, each
with its own source root (`confine.root_of`), and the base folder output
names are relative to (the roots' common folder: a name, never a
permission)."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from ..errors import SourceError
from ..model import Diagnostic, SourceLocation
from .confine import file_kind, hidden_part, inside, is_hidden, is_utf8, root_of, shown


@dataclass(frozen=True)
class SourceFile:
    path: Path  # where it is found (a symlink inside its root is read through)
    display: str  # as the user typed it, for messages (U+FFFD for bytes that are not UTF-8)
    root: Path  # its source root: nothing outside it is read for this file


class _Scan:
    def __init__(self) -> None:
        self.files: list[SourceFile] = []
        self.diagnostics: list[Diagnostic] = []
        self.seen: set[Path] = set()

    def error(self, display: str, line: int, message: str) -> None:
        self.diagnostics.append(Diagnostic.error(SourceLocation(shown(display), line), message))

    def folder(self, top: Path, display: str, root: Path) -> None:
        """Markdown files under `top`, depth first, sorted. Hidden entries
        are skipped; symlinks are followed only while they stay inside
        `root` and out of hidden folders; an unreadable directory is a
        diagnostic, not a silent gap."""
        real = top.resolve()
        if real in self.seen:  # a symlink loop, or two links to one folder
            return
        self.seen.add(real)
        try:
            entries = sorted(os.scandir(top), key=lambda e: e.name)
        except OSError as exc:
            self.error(display, 0, f"cannot read directory: {exc.strerror or exc}")
            return
        for entry in entries:
            if is_hidden(entry.name):
                continue
            path = top / entry.name
            shown_as = entry.name if display in (".", "./") else os.path.join(display, entry.name)
            try:
                is_dir = entry.is_dir()  # follows a link
            except OSError:
                continue
            if not (is_dir or entry.name.endswith(".md")):
                continue
            if not is_utf8(entry.name):
                what = "folder" if is_dir else "file"
                self.error(shown_as, 0 if is_dir else 1, f"{what} name is not valid UTF-8 (shown with \ufffd); "
                                                         f"rename it{': its notes are not read' if is_dir else ''}")
                continue
            if is_dir:
                if self.confined(path, shown_as, root, 0):
                    self.folder(path, shown_as, root)
            else:
                self.file(path, shown_as, root)

    def confined(self, path: Path, display: str, root: Path, line: int) -> bool:
        """A symlink found under `root` may be followed only to a target
        inside it, and not hidden there."""
        if not path.is_symlink():
            return True
        try:
            target = path.resolve(strict=True)
        except FileNotFoundError:
            self.error(display, line, "is a symlink to a file that does not exist")
            return False
        except (OSError, RuntimeError):
            self.error(display, line, "is a symlink that cannot be resolved (a loop?)")
            return False
        what = "folder" if target.is_dir() else "file"
        if not inside(target, root):
            self.error(display, line, f"is a symlink to a {what} outside the source folder; it is not read")
            return False
        if hidden_part(target.relative_to(root)):
            self.error(display, line, f"is a symlink to a hidden {what}; hidden files are never notes")
            return False
        return True

    def file(self, path: Path, display: str, root: Path) -> None:
        """A note, if it may be read: inside its root, a regular file (a FIFO
        or a device is never opened: opening a FIFO blocks)."""
        if not self.confined(path, display, root, 1):
            return
        try:
            mode = os.stat(path).st_mode
        except OSError as exc:
            self.error(display, 1, f"cannot read file: {exc.strerror or exc}")
            return
        if not stat.S_ISREG(mode):
            self.error(display, 1, f"is {file_kind(mode)}, not a regular file; it is not read")
            return
        self.files.append(SourceFile(path, shown(display), root))


def scan_sources(paths: Sequence[str]) -> tuple[Path, list[SourceFile], list[Diagnostic]]:
    """The base folder (the common folder of the roots: what output names
    are relative to), the notes under `paths` (sorted, so builds are
    deterministic) with their roots, and problems met on the way. Raises
    SourceError for a given path that is missing or unreadable: one line,
    nothing to build."""
    roots: list[Path] = []
    for given in paths:
        try:
            os.stat(given)  # never blocks, whatever it is
        except FileNotFoundError:
            raise SourceError(f"{shown(given)}: error: no such file or directory") from None
        except OSError as exc:
            raise SourceError(f"{shown(given)}: error: cannot read: {exc.strerror}") from None
        roots.append(root_of(given))
    base = Path(os.path.commonpath(roots)) if roots else Path.cwd()
    scan = _Scan()
    for given, root in zip(paths, roots):
        p = Path(given)
        if p.is_dir():
            if not os.access(p, os.R_OK | os.X_OK):
                raise SourceError(f"{shown(given)}: error: cannot read directory: permission denied")
            scan.folder(p, given, root)
        elif is_hidden(p.name):
            scan.error(given, 1, "is a hidden file; hidden files are never notes (rename it)")
        elif not is_utf8(p.name):
            scan.error(given, 1, "file name is not valid UTF-8 (shown with \ufffd); rename it")
        else:
            scan.file(p, given, root)
    return base, scan.files, scan.diagnostics
