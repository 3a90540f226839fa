"""Finding the notes: the Markdown files under the paths a user gives, and
the source root every path in them is relative to."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

from ..errors import SourceError
from ..model import Diagnostic, SourceLocation
from .files import inside


def _scan_dir(top: Path, display: str, root: Path, files: list[tuple[Path, str]],
              diagnostics: list[Diagnostic], seen: set[Path]) -> None:
    """Markdown files under `top`, depth first, sorted. Hidden entries are
    skipped; symlinks are followed only while they stay inside `root`; an
    unreadable directory is a diagnostic, not a silent gap."""
    real = top.resolve()
    if real in seen:  # a symlink loop, or two links to one folder
        return
    seen.add(real)
    try:
        entries = sorted(os.scandir(top), key=lambda e: e.name)
    except OSError as exc:
        diagnostics.append(Diagnostic.error(SourceLocation(display, 0), f"cannot read directory: {exc.strerror or exc}"))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = top / entry.name
        shown = entry.name if display in (".", "./") else os.path.join(display, entry.name)
        try:
            is_link = entry.is_symlink()
            is_dir = entry.is_dir()  # follows the link
            is_md = entry.name.endswith(".md") and entry.is_file()
        except OSError:
            continue
        if is_link and not (is_dir or is_md) and entry.name.endswith(".md") and not path.exists():
            diagnostics.append(Diagnostic.error(SourceLocation(shown, 1), "is a symlink to a file that does not exist"))
            continue
        if not (is_dir or is_md):
            continue
        if is_link:
            try:
                target = path.resolve()
            except (OSError, RuntimeError):
                continue
            if not inside(target, root):
                what = "folder" if is_dir else "file"
                # Line 0 (the entry as a whole) for a folder, 1 for a note, as elsewhere.
                diagnostics.append(Diagnostic.error(SourceLocation(shown, 0 if is_dir else 1),
                                                    f"is a symlink to a {what} outside the source folder; it is not read"))
                continue
        if is_dir:
            _scan_dir(path, shown, root, files, diagnostics, seen)
        else:
            files.append((path, shown))


def scan_sources(paths: Sequence[str]) -> tuple[Path, list[tuple[Path, str]], list[Diagnostic]]:
    """The source root, the Markdown files under `paths` (sorted, so builds
    are deterministic) and problems met on the way. Raises SourceError for a
    given path that is missing or unreadable: one line, nothing to build."""
    roots: list[Path] = []
    for given in paths:
        p = Path(given)
        try:
            p.stat()
        except FileNotFoundError:
            raise SourceError(f"{given}: error: no such file or directory") from None
        except OSError as exc:
            raise SourceError(f"{given}: error: cannot read: {exc.strerror}") from None
        roots.append(p.resolve() if p.is_dir() else p.resolve().parent)
    root = Path(os.path.commonpath(roots)) if roots else Path.cwd()
    files: list[tuple[Path, str]] = []
    diagnostics: list[Diagnostic] = []
    seen: set[Path] = set()
    for given in paths:
        p = Path(given)
        if p.is_dir():
            if not os.access(p, os.R_OK | os.X_OK):
                raise SourceError(f"{given}: error: cannot read directory: permission denied")
            _scan_dir(p, given, root, files, diagnostics, seen)
        else:
            files.append((p, given))
    return root, files, diagnostics
