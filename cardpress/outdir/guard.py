"""Deciding whether a build may write into the output folder (`inspect`,
`check_folder`), making it ready (`prepare`: the sweep of the staging
folder) and replacing the site folder (`replace_site`)."""

from __future__ import annotations

import os
import stat
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence

from .. import atomic
from ..atomic import Dir
from ..errors import OutputError
from ..model import Diagnostic
from .journal import compact, written
from .records import (JUNK, LEGACY_SITE, MARKER, MARKER_TEXT, STAGING, STATE_DIR, STATE_DIRS, STATE_FILES,
                      SWEEP_AGE, WRITTEN, kind, open_dir, warning)


def _is_site(where: Dir, name: str) -> bool:
    """`name` is a site cardpress wrote: it carries the marker (or, from
    before the marker, holds only what a site holds), or it is empty."""
    try:
        with where.sub(name) as site:
            entries = {e.name for e in os.scandir(site.fd)}
            if not entries:
                return True
            marker = site.lstat(MARKER)
            if marker is not None:
                return stat.S_ISREG(marker.st_mode)
            if "index.html" not in entries or not entries <= LEGACY_SITE | JUNK:
                return False
            if "decks" in entries:
                with site.sub("decks") as decks:
                    return not any(e.name.endswith(".md") for e in os.scandir(decks.fd))
            return True
    except OSError:
        return False


def _check_site(where: Dir, name: str) -> None:
    st = where.lstat(name)
    if st is None or (stat.S_ISDIR(st.st_mode) and _is_site(where, name)):
        return
    what = "a folder cardpress did not write" if stat.S_ISDIR(st.st_mode) else kind(st)
    raise OutputError(f"{where.path / name}: error: is {what}; cardpress replaces this folder whole on every "
                      f"build, so it will not touch it: move it away or choose another output folder (-o)")


def check_folder(out_dir: Path, name: str) -> None:
    """OutputError unless `out_dir/name` is absent, empty or a site we wrote."""
    try:
        with open_dir(out_dir, []) as root:
            _check_site(root, name)
    except (FileNotFoundError, NotADirectoryError):
        pass  # no output folder yet (or none possible: `prepare` says so)


@contextmanager
def replace_site(out_dir: Path, name: str) -> Iterator[Path]:
    """A temporary folder to build the site in, swapped in as
    `out_dir/name` when the block ends (see `atomic.replace_dir_at`). The
    folder there is replaced only if it is ours (`_is_site`); OutputError
    otherwise, before anything is written and again right before the swap."""
    def mark(tmp: Path) -> None:
        (tmp / MARKER).write_bytes(MARKER_TEXT)
        _check_site(root, name)

    with open_dir(out_dir, [], create=True) as root, open_dir(out_dir, [STATE_DIR, STAGING], create=True) as staging:
        _check_site(root, name)
        with atomic.replace_dir_at(root, name, staging, before_swap=mark) as tmp:
            yield tmp


# -- before a build ---------------------------------------------------------------

def _roots(sources: Sequence[str]) -> list[Path]:
    roots = []
    for given in sources:
        p = Path(given)
        try:
            roots.append(p.resolve() if p.is_dir() else p.resolve().parent)
        except (OSError, RuntimeError):
            continue
    return roots


def _foreign(out_dir: Path, ours: set[str], limit: int = 3) -> list[str]:
    """Up to `limit` files in `out_dir` that no build wrote, breadth first
    (a home folder given as the output is answered at once)."""
    found: list[str] = []
    queue = [""]
    while queue and len(found) < limit:
        rel_dir = queue.pop(0)
        try:
            entries = sorted(os.scandir(out_dir / rel_dir), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            rel = f"{rel_dir}{entry.name}"
            if rel == STATE_DIR or entry.name in JUNK or rel in ours:
                continue
            if entry.is_dir(follow_symlinks=False):
                with Dir.open(out_dir / rel_dir) as parent:
                    if not _is_site(parent, entry.name):
                        queue.append(rel + "/")
                continue
            found.append(rel)
    return found[:limit]


def inspect(out_dir: Path, sources: Sequence[str]) -> None:
    """Refuse, with one clear line (OutputError), an output folder we must
    not write: `.cardpress` that is not a real folder, a folder where one of
    our records goes, or an output that is, contains or lies inside a source
    folder and holds files cardpress did not write. Reads only."""
    try:
        st = os.lstat(out_dir)
    except OSError:
        return  # created later; nothing in it to lose
    if not stat.S_ISDIR(st.st_mode) and not (stat.S_ISLNK(st.st_mode) and out_dir.is_dir()):
        raise OutputError(f"{out_dir}: error: the output is {kind(st)}, not a folder")
    state = out_dir / STATE_DIR
    st = _lstat(state)
    if st is not None and not stat.S_ISDIR(st.st_mode):
        raise OutputError(f"{state}: error: is {kind(st)}, where cardpress keeps its records in a folder "
                          "(it does not follow links): remove or rename it")
    for name in STATE_FILES:
        st = _lstat(state / name)
        if st is not None and stat.S_ISDIR(st.st_mode):
            raise OutputError(f"{state / name}: error: is a folder, where cardpress keeps a record file: remove it")
    out = out_dir.resolve()
    for root in _roots(sources):
        relation = ("is" if out == root else "contains" if out in root.parents else
                    "lies inside" if root in out.parents else None)
        if relation is None:
            continue
        foreign = _foreign(out_dir, written(out_dir))
        if foreign:
            shown = ", ".join(str(out_dir / f) for f in foreign)
            raise OutputError(f"{out_dir}: error: the output folder {relation} the source folder {root} and holds "
                              f"files cardpress did not write ({shown}); choose another output folder (-o)")


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except OSError:
        return None


def prepare(out_dir: Path, now: float | None = None) -> list[Diagnostic]:
    """Make the output folder ready to write: create it, check it is
    writable, clear what is in the way of our own folders and records in
    `.cardpress/` (a link there is removed, not followed; the readers
    already warned about a record) and sweep the temporaries that killed
    builds left in the staging folder. Returns warnings."""
    with open_dir(out_dir, [], create=True):
        if not os.access(out_dir, os.W_OK | os.X_OK):
            raise OutputError(f"{out_dir}: error: output directory is not writable")
    try:
        return _prepare_state(out_dir, now or time.time())
    except OutputError:
        raise
    except OSError as exc:
        raise OutputError(f"{exc.filename or out_dir}: error: cannot prepare the output folder: "
                          f"{exc.strerror or exc}") from None


def _prepare_state(out_dir: Path, now: float) -> list[Diagnostic]:
    warnings: list[Diagnostic] = []
    with open_dir(out_dir, [STATE_DIR], create=True) as state:
        for name in STATE_DIRS:
            st = state.lstat(name)
            if st is not None and not stat.S_ISDIR(st.st_mode):
                os.unlink(name, dir_fd=state.fd)
                warnings.append(warning(state.path / name, f"was {kind(st)}, not cardpress's folder: "
                                                            "removed (not followed)"))
        for name in STATE_FILES:  # written by replacing them: a link or FIFO there goes then
            st = state.lstat(name)
            if st is not None and stat.S_ISDIR(st.st_mode):  # `inspect` refuses it; this is a race
                raise OutputError(f"{state.path / name}: error: is a folder, where cardpress keeps a record file")
        st = state.lstat(WRITTEN)  # appended to, not replaced
        if st is not None and not stat.S_ISREG(st.st_mode):
            os.unlink(WRITTEN, dir_fd=state.fd)
        with state.sub(STAGING, create=True) as staging:
            _sweep(staging, now - SWEEP_AGE)
        compact(state)
    return warnings


def _sweep(staging: Dir, cutoff: float) -> None:
    for entry in list(os.scandir(staging.fd)):
        st = staging.lstat(entry.name)
        if st is not None and st.st_mtime <= cutoff:
            atomic.rmtree_at(staging, entry.name)
