"""The no-op path: a build that would change nothing answers in a few
milliseconds, without importing the reader or a writer.

A build that wrote nothing (every output up to date, no error) records, in
`OUTPUT/.cardpress/noop.json`: what it was asked (sources, output, formats,
every option, the working folder, SOURCE_DATE_EPOCH), the code it ran (the
stats of cardpress's files and its libraries' versions), a digest of every
entry in the source trees (name, kind, size, mtime, inode; hidden entries
are never read, so they do not count), the stats of the outputs and of the
build's records, and what it printed. The next build that is asked the
same, finds the same, and sees the same prints that again, and exits.
Anything else (an edit, a new file, a deleted output, another option, a
new cardpress) is an ordinary build. The record is signed with the user's
key (userkey.py): one planted in the output folder is ignored.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Sequence

from . import outdir
from .options import BuildOptions
from .text import printable
from .codestamp import code_lines
from .userkey import user_key

RECORD = "noop.json"
_MAGIC = b"cardpress-noop-1 "


def _entries(top: Path, recurse: bool = True) -> list[str]:
    """One line per entry under `top`: not hidden, symlinks not followed."""
    lines: list[str] = []
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            lines.append(f"{folder}\x1f?")
            continue
        for e in entries:
            if e.name.startswith("."):
                continue
            try:
                st = e.stat(follow_symlinks=False)
            except OSError:
                continue
            link = os.readlink(e.path) if e.is_symlink() else ""
            lines.append(f"{e.path}\x1f{st.st_mode}\x1f{st.st_size}\x1f{st.st_mtime_ns}\x1f{st.st_ino}\x1f{link}")
            if recurse and e.is_dir(follow_symlinks=False):
                stack.append(Path(e.path))
    return lines


def _stats(paths: Sequence[str]) -> list[str]:
    out = []
    for p in paths:
        try:
            st = os.stat(p, follow_symlinks=False)
            out.append(f"{p}\x1f{st.st_mode}\x1f{st.st_size}\x1f{st.st_mtime_ns}\x1f{st.st_ino}")
        except OSError:
            out.append(f"{p}\x1f-")
    return out


def key(sources: Sequence[str], out_dir: Path, formats: Sequence[str] | None, options: BuildOptions) -> str | None:
    """What this build would be asked and would find: the digest a record
    must match. None when there is no no-op path (--force, downloads)."""
    if not options.incremental or options.fetch_remote_media:
        return None
    parts = ["v1", os.getcwd(), str(out_dir.resolve()), json.dumps(list(sources)), json.dumps(list(formats or [])),
             json.dumps(asdict(options), sort_keys=True, default=str), os.environ.get("SOURCE_DATE_EPOCH", ""),
             *code_lines()]
    for s in sources:
        p = Path(s)
        if p.is_dir():
            parts += _entries(p.resolve())
        else:  # a file: itself, and what stands next to it (settings, templates, its images' folders)
            parts += _stats([str(p.resolve())]) + _entries(p.resolve().parent, recurse=False)
    if options.templates:  # the user's templates shape every output, wherever they are
        parts += _entries(Path(options.templates).resolve())
    return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


def _outputs_digest(out_dir: Path, outputs: Sequence[str]) -> str:
    state = [str(out_dir / ".cardpress" / name) for name in ("manifest.json", "outputs.json", "written")]
    return hashlib.sha256("\n".join(_stats([*outputs, *state])).encode("utf-8", "surrogateescape")).hexdigest()


def replay(build_key: str | None, out_dir: Path, level: int) -> tuple[int, list[tuple[str, bool]]] | None:
    """(exit code, lines to print: (text, to stderr)) of the recorded no-op,
    when `build_key` matches it and its outputs are as it left them."""
    secret = user_key()
    if build_key is None or secret is None:
        return None
    try:
        data = outdir.read_state(out_dir, RECORD)
    except outdir.StateProblem:
        return None
    if not data or not data.startswith(_MAGIC):
        return None
    mac, _, body = data[len(_MAGIC):].partition(b"\n")
    if not hmac.compare_digest(mac, hmac.new(secret, body, hashlib.sha256).hexdigest().encode()):
        return None
    try:
        record = json.loads(body)
        if record["key"] != build_key or record["outputs_digest"] != _outputs_digest(out_dir, record["outputs"]):
            return None
        return int(record["code"]), [(str(text), bool(err)) for text, err in record["printed"][str(level)]]
    except (ValueError, KeyError, TypeError):
        return None


def record(build_key: str | None, out_dir: Path, outputs: Sequence[Path], code: int,
           printed: dict[int, list[tuple[str, bool]]]) -> None:
    """Remember a build that wrote nothing, with what it printed at each
    verbosity, for the next identical one to replay."""
    secret = user_key()
    if build_key is None or secret is None:
        return
    names = [str(p) for p in outputs]
    shown = {str(k): [(printable(text), err) for text, err in lines] for k, lines in printed.items()}
    body = json.dumps({"key": build_key, "outputs": names, "outputs_digest": _outputs_digest(out_dir, names),
                       "code": code, "printed": shown},
                      ensure_ascii=False).encode("utf-8", "surrogateescape")
    mac = hmac.new(secret, body, hashlib.sha256).hexdigest().encode()
    try:
        outdir.write_state(out_dir, RECORD, _MAGIC + mac + b"\n" + body)
    except (OSError, outdir.StateProblem):
        pass  # no record: the next build is an ordinary one
