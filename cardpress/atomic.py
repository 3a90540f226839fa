"""Write outputs so that a failed or killed build never leaves a half file:
write a temporary file, fsync, then rename over the old one (rename is
atomic within a filesystem).

Two levels: `write_bytes` / `replace_dir` take paths and keep their
temporary next to the target (`cardpress pin` rewrites a note this way);
`Dir`, `write_at` and `replace_dir_at` work on open directories, never
follow a symlink, and take a separate staging folder for the temporaries,
so that whoever owns the staging folder (`outdir.py`: the output folder's
`.cardpress/tmp/`) knows every temporary is its own.
"""

from __future__ import annotations

import ctypes
import errno
import os
import secrets
import stat
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


@dataclass(frozen=True)
class Dir:
    """An open directory: `path` for messages and for code that writes by
    path, `fd` for every operation that must not follow a symlink."""

    path: Path
    fd: int

    @classmethod
    def open(cls, path: Path) -> "Dir":
        return cls(Path(path), os.open(path, _DIR_FLAGS))

    def sub(self, name: str, create: bool = False) -> "Dir":
        """The directory `name` in this one, opened without following a
        symlink (OSError ELOOP or ENOTDIR when it is one, or a file)."""
        if name in ("", ".", "..") or "/" in name or os.sep in name:
            raise ValueError(f"not a plain name: {name!r}")
        try:
            fd = os.open(name, _DIR_FLAGS | NOFOLLOW, dir_fd=self.fd)
        except FileNotFoundError:
            if not create:
                raise
            try:
                os.mkdir(name, 0o755, dir_fd=self.fd)
            except FileExistsError:
                pass
            fd = os.open(name, _DIR_FLAGS | NOFOLLOW, dir_fd=self.fd)
        return Dir(self.path / name, fd)

    def lstat(self, name: str) -> os.stat_result | None:
        try:
            return os.stat(name, dir_fd=self.fd, follow_symlinks=False)
        except FileNotFoundError:
            return None

    def close(self) -> None:
        os.close(self.fd)

    def __enter__(self) -> "Dir":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _token() -> str:
    # Named before it is created, so an interrupt (Ctrl-C, SIGTERM) that
    # lands right after the creation still knows what to delete. 64 random
    # bits: a clash (which O_EXCL would refuse) never happens in practice.
    return secrets.token_hex(8)


def write_at(target: Dir, name: str, data: bytes, staging: Dir | None = None, mode: int = 0o644) -> None:
    """Replace `name` in `target` with `data`, atomically. The temporary is
    made in `staging` (another folder on the same filesystem) when given,
    else next to the target as `.NAME.<random>.tmp`. The rename replaces a
    symlink at `name` itself, never what it points at."""
    where = staging or target
    tmp = f"{_token()}.tmp" if staging is not None else f".{name}.{_token()}.tmp"
    try:
        # Made inside the `try`: a signal that lands just after the file is
        # made must still find the cleanup below.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW | getattr(os, "O_BINARY", 0), 0o600,
                     dir_fd=where.fd)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
            os.fchmod(f.fileno(), mode)
        os.replace(tmp, name, src_dir_fd=where.fd, dst_dir_fd=target.fd)
    except BaseException as exc:
        # Also on KeyboardInterrupt: never leave the temp file behind. (Not
        # when the name was taken: O_EXCL refused, the file is not ours.)
        if not isinstance(exc, FileExistsError):
            _unlink(where, tmp)
        if isinstance(exc, OSError) and exc.errno == errno.EXDEV and staging is not None:
            write_at(target, name, data, None, mode)  # a mount point inside the output
            return
        raise


def _unlink(where: Dir, name: str) -> None:
    try:
        os.unlink(name, dir_fd=where.fd)
    except OSError:
        pass


def write_bytes(path: Path, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with Dir.open(path.parent) as parent:
        write_at(parent, path.name, data)


def write_text(path: Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


@contextmanager
def replace_dir_at(parent: Dir, name: str, staging: Dir,
                   before_swap: Callable[[Path], None] | None = None) -> Iterator[Path]:
    """Build a whole directory (the HTML site) and swap it into place as
    `name` in `parent`.

    Yields an empty temporary directory in `staging`; when the block ends
    normally, `before_swap(tmp)` runs (it may raise to cancel), then the new
    directory and the old `name` are exchanged in one step where the OS can
    (two renames leave an instant with no site at all, and a SIGKILL there
    loses it), and the old one is deleted from `staging`. If the block
    raises (or the build is killed), `name` keeps its previous contents; a
    kill leaves only an entry in `staging`, never a half site.
    """
    tmp = f"{_token()}.tmp" if staging.fd != parent.fd else f".{name}.{_token()}.tmp"
    old: str | None = None
    made = False
    try:
        os.mkdir(tmp, 0o700, dir_fd=staging.fd)  # inside the `try`: see write_at
        made = True
        yield staging.path / tmp
        if before_swap is not None:
            before_swap(staging.path / tmp)
        os.chmod(tmp, 0o755, dir_fd=staging.fd)  # made 0700 above; a served site must be readable
        st = parent.lstat(name)
        if st is not None and stat.S_ISDIR(st.st_mode) and _exchange(staging, tmp, parent, name):
            old = tmp  # it holds the old site now
        else:
            if st is not None:
                old = f"{_token()}.old" if staging.fd != parent.fd else f".{name}.{_token()}.old"
                os.rename(name, old, src_dir_fd=parent.fd, dst_dir_fd=staging.fd)
            try:
                os.rename(tmp, name, src_dir_fd=staging.fd, dst_dir_fd=parent.fd)
            except BaseException:
                if old is not None and parent.lstat(name) is None:
                    os.rename(old, name, src_dir_fd=staging.fd, dst_dir_fd=parent.fd)  # put the old one back
                    old = None
                raise
    except BaseException as exc:
        if made or not isinstance(exc, FileExistsError):  # a name taken by another: not ours to remove
            rmtree_at(staging, tmp)
        raise
    finally:
        if old is not None:
            rmtree_at(staging, old)


@contextmanager
def replace_dir(path: Path) -> Iterator[Path]:
    """`replace_dir_at` by path, the temporary next to `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with Dir.open(path.parent) as parent, replace_dir_at(parent, path.name, parent) as tmp:
        yield tmp


def rmtree_at(where: Dir, name: str, depth: int = 256) -> None:
    """Delete `name` in `where` and everything under it, never following a
    symlink (a link is removed, not what it points at). Best effort: what
    cannot be removed, or lies deeper than `depth`, stays."""
    st = where.lstat(name)
    if st is None:
        return
    if not stat.S_ISDIR(st.st_mode):
        _unlink(where, name)
        return
    if depth <= 0:
        return
    try:
        with where.sub(name) as sub:
            for entry in [e.name for e in os.scandir(sub.fd)]:
                rmtree_at(sub, entry, depth - 1)
        os.rmdir(name, dir_fd=where.fd)
    except OSError:
        pass


def _exchange(a_dir: Dir, a: str, b_dir: Dir, b: str) -> bool:
    """Swap two existing entries atomically (Linux renameat2 with
    RENAME_EXCHANGE). False where the OS or filesystem cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # glibc < 2.28, musl
        return False
    rename_exchange = 2
    if renameat2(a_dir.fd, os.fsencode(a), b_dir.fd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(err, os.strerror(err), str(b_dir.path / b))
