"""The record of every output file a build wrote (`.cardpress/written`),
appended before each file appears: what lets `inspect` tell our outputs
from a user's files. One JSON string a line, a relative path."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Iterable

from .. import atomic
from ..atomic import Dir
from ..errors import OutputError
from .records import (STAGING, STATE_DIR, STATE_LIMIT, WRITTEN, StateProblem, confined, open_dir, parts_of,
                      read_json, read_state)


def write_output(out_dir: Path, path: Path, data: bytes) -> None:
    """Write one output file (`path` inside `out_dir`) atomically: folders
    on the way are created but never followed through a symlink, and the
    file is recorded as ours before it appears (a kill between the two
    leaves a record of a file that is not there, never the reverse)."""
    rel = Path(path).relative_to(out_dir)
    *dirs, name = parts_of(rel)
    with open_dir(out_dir, dirs, create=True) as where, open_dir(out_dir, [STATE_DIR], create=True) as state, \
            state.sub(STAGING, create=True) as staging:
        _record(state, [rel.as_posix()])
        atomic.write_at(where, name, data, staging)


def _record(state: Dir, rels: Iterable[str]) -> None:
    """Append to the `written` record. Locked, and re-opened if `compact`
    replaced the file meanwhile, so concurrent builds lose no line."""
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rels).encode("utf-8", "surrogateescape")
    for attempt in range(10):
        fd = os.open(WRITTEN, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK | atomic.NOFOLLOW, 0o644,
                     dir_fd=state.fd)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise OutputError(f"{state.path / WRITTEN}: error: is not a file: remove it")
            _lock(fd)
            now = state.lstat(WRITTEN)
            if attempt == 9 or now is not None and now.st_ino == os.fstat(fd).st_ino:
                os.write(fd, text)
                return
        finally:
            os.close(fd)  # also releases the lock


def _lock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # not POSIX: no concurrent builds into one folder there
        return
    fcntl.flock(fd, fcntl.LOCK_EX)


def compact(state: Dir, limit: int = 1024 * 1024) -> None:
    """Rewrite `written` without repeated lines once it grows past `limit`."""
    st = state.lstat(WRITTEN)
    if st is None or not stat.S_ISREG(st.st_mode) or st.st_size <= limit:
        return
    fd = os.open(WRITTEN, os.O_RDONLY | os.O_NONBLOCK | atomic.NOFOLLOW, dir_fd=state.fd)
    try:
        _lock(fd)
        with os.fdopen(os.dup(fd), "rb") as f:
            lines = f.read(STATE_LIMIT).splitlines(keepends=True)
        with state.sub(STAGING, create=True) as staging:
            atomic.write_at(state, WRITTEN, b"".join(dict.fromkeys(lines)), staging)
    finally:
        os.close(fd)


def written(out_dir: Path) -> set[str]:
    """Every output file our records say a build wrote (relative paths)."""
    try:
        data = read_state(out_dir, WRITTEN)
    except StateProblem:
        return set()
    if data is None:
        return _legacy_written(out_dir)
    names = set()
    for line in data.decode("utf-8", "surrogateescape").splitlines():
        try:
            rel = json.loads(line)
        except ValueError:
            continue
        if confined(rel):
            names.add(rel)
    return names


def _legacy_written(out_dir: Path) -> set[str]:
    """A folder built before `written` was kept: the files `outputs.json`
    lists ({"formats": {fmt: {"shared": {path: stat}, "decks": {title:
    {"files": {path: stat}}}}}}, see cache.OutputCache)."""
    data = read_json(out_dir, "outputs.json", None, "")
    formats = data.get("formats") if isinstance(data, dict) else None
    groups: list[object] = []
    for entry in formats.values() if isinstance(formats, dict) else ():
        if isinstance(entry, dict):
            decks = entry.get("decks")
            groups.append(entry.get("shared"))
            groups += [d.get("files") for d in decks.values() if isinstance(d, dict)] if isinstance(decks, dict) else []
    return {rel for g in groups if isinstance(g, dict) for rel in g if confined(rel)}


