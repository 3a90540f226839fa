"""A secret of the user's, kept outside every output folder, that signs
what cardpress caches there (see `cache.ParseCache`): an entry someone else
put in an output folder (a committed `dist/`, a shared drive) fails the
check and is parsed again, so it can never put its own HTML or files into
an output.

The key is `$XDG_CACHE_HOME/cardpress/key` (else `~/.cache/cardpress/key`):
32 random bytes in hex, made 0600 on first use. One that cannot be made or
read, or that others could read or write, means no key: the caches it
guards are then simply not used.
"""

from __future__ import annotations

import os
import secrets
import stat
from functools import lru_cache
from pathlib import Path

_HEX = 64  # characters: 32 bytes


def key_path() -> Path | None:
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # the XDG spec: a relative value is ignored
        try:
            base = str(Path.home() / ".cache")
        except (RuntimeError, KeyError):  # no home directory
            return None
    return Path(base) / "cardpress" / "key"


def user_key() -> bytes | None:
    path = key_path()
    return _key(str(path)) if path is not None else None


@lru_cache(maxsize=4)
def _key(path: str) -> bytes | None:
    key = _read(path)
    if key is None and not os.path.lexists(path):
        _create(path)
        key = _read(path)
    return key


def _read(path: str) -> bytes | None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if (not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o077
                or st.st_size != _HEX + 1):
            return None
        text = f.read(_HEX + 1)
    try:
        return bytes.fromhex(text.decode("ascii").strip())
    except ValueError:
        return None


def _create(path: str) -> None:
    """Write the key whole, then link it into place: a concurrent build
    either wins or reads the winner's; none ever sees half a key."""
    folder = os.path.dirname(path)
    tmp = os.path.join(folder, f".key.{os.getpid()}.{secrets.token_hex(4)}")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(secrets.token_hex(_HEX // 2).encode("ascii") + b"\n")
            f.flush()
            os.fsync(f.fileno())
        os.link(tmp, path)
    except OSError:
        pass  # another build made it first, or there is nowhere to keep one
    finally:
        try:
            os.unlink(tmp)
        except OSError:
            pass
