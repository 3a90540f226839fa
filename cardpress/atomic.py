"""Write outputs so that a failed or killed build never leaves a half file:
write a temporary file in the same directory, fsync, then rename over the
old one (rename is atomic within a filesystem)."""

from __future__ import annotations

import ctypes
import errno
import os
import re
import secrets
import shutil
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


def _temp_name(path: Path, suffix: str) -> Path:
    # Named before it is created, so an interrupt (Ctrl-C, SIGTERM) that
    # lands right after the creation still knows what to delete;
    # tempfile.mkstemp only hands the name back once it has made the file.
    # 64 random bits: a clash (which O_EXCL would refuse) never happens in practice.
    return path.parent / f".{path.name}.{secrets.token_hex(8)}{suffix}"


def write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_name(path, ".tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        # Also on KeyboardInterrupt: never leave the temp file behind.
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_text(path: Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


@contextmanager
def replace_dir(path: Path) -> Iterator[Path]:
    """Build a whole directory (the HTML site) and swap it into place.

    Yields an empty temporary directory next to `path`; when the block ends
    normally, the old `path` is renamed away, the new one renamed in and the
    old one deleted. If the block raises (or the build is killed), `path`
    keeps its previous contents and the temporary directory is removed (a
    kill leaves only a hidden `.NAME.*.tmp` next to it, never a half site).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_name(path, ".tmp")
    old: Path | None = None
    swapped = False
    try:
        os.mkdir(tmp, 0o700)
        yield tmp
        os.chmod(tmp, 0o755)  # made 0700 above; a served site must be readable
        # Where the OS can, swap old and new in one step: two renames leave
        # an instant with no site at all, and a SIGKILL there loses it.
        swapped = path.is_dir() and not path.is_symlink() and _exchange(tmp, path)
        if not swapped:
            if path.exists() or path.is_symlink():
                old = _temp_name(path, ".old")
                os.mkdir(old, 0o700)
                os.rename(path, old / path.name)
            os.rename(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and not path.exists() and (old / path.name).exists():
            os.rename(old / path.name, path)  # the swap itself failed: put the old one back
        raise
    finally:
        if swapped:
            shutil.rmtree(tmp, ignore_errors=True)  # it holds the old site now
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths atomically (Linux renameat2 with
    RENAME_EXCHANGE). False where the OS or filesystem cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # glibc < 2.28, musl
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(err, os.strerror(err), str(b))


# What write_bytes / replace_dir leave behind when a build is killed with
# SIGKILL (or the machine stops): `.NAME.<16 hex>.tmp` files and folders,
# and replace_dir's `.NAME.<16 hex>.old` folders (8 characters: tempfile's
# names, from before).
_LEFTOVER = re.compile(r"^\..+\.(?:[A-Za-z0-9_]{8}|[0-9a-f]{16})\.(?:tmp|old)$")


def sweep_leftovers(out_dir: Path, max_age: float = 3600.0) -> list[Path]:
    """Remove temporaries of killed builds under `out_dir` that are older
    than `max_age` seconds (a running build's are seconds old, so a build
    started next to another never deletes its files). Returns what went."""
    removed: list[Path] = []
    cutoff = time.time() - max_age
    for dirpath, dirnames, filenames in os.walk(out_dir):
        for name in [*dirnames, *filenames]:
            if not _LEFTOVER.match(name):
                continue
            path = Path(dirpath) / name
            try:
                if path.lstat().st_mtime > cutoff:
                    continue
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                else:
                    path.unlink()
            except OSError:
                continue  # not ours to fight over; the next build tries again
            removed.append(path)
        dirnames[:] = [d for d in dirnames if not _LEFTOVER.match(d)]
    return removed
