"""Which files the notes may point at, as messages at a line: turns a URL a
note wrote into a local path and asks `confine` whether it may be read.

A path that leaves its source root (`..`, absolute paths, symlinks pointing
out) or is hidden is an error and the file is never read, so notes shared by
a classmate cannot pull `~/.ssh` or `.git/config` into a deck. An image is
bundled only when its content is one (`sniff`): a PDF named `x.png` is a
warning at its line and is left out of every output.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..sniff import SNIFF_BYTES, SVG, MediaKind, category_by_name, sniff, svg_problem
from ..text import short
from . import confine
from .confine import Limits, Refused, inside, root_display
from .sink import Sink

WINDOWS_PATH_RE = re.compile(r"^[A-Za-z]:[\\/]")

IMAGE = ("image",)
PLAYABLE = ("audio", "video")
ANY_MEDIA = IMAGE + PLAYABLE
# What each element may bundle, by the category of its content
# (`sniff.MEDIA_KINDS`). Markdown's `![](...)`, Obsidian's `![[...]]` and
# Anki's `[sound:...]` pass their own (`ANY_MEDIA`, `PLAYABLE`).
ACCEPTED = {"img": IMAGE, "audio": PLAYABLE, "video": PLAYABLE, "source": PLAYABLE}
_CONTENTS = {"an image": "PNG, JPEG, GIF, WebP, AVIF, BMP or SVG",
             "audio or video": "MP3, Ogg, M4A, WAV, FLAC, WebM or MP4"}


class NotBundled(Refused):
    """A file that may be read but is not what the element needs (a PDF as
    an image): a warning, and the element loses its URL."""


@dataclass(frozen=True)
class Local:
    rel: str  # relative to the names' base folder, `/`-separated, NFC: what cards and `Deck.media` say
    path: Path  # the file on disk (its name may be NFD)
    kind: MediaKind | None = None  # media files: what their content is


def url_path(url: str) -> str:
    """The path part of a URL, percent-decoded."""
    try:
        return unquote(urlsplit(url.strip()).path)
    except ValueError:
        return url


def _rel(real: Path, base: Path) -> str:
    rel = real.relative_to(base).as_posix()
    if not confine.is_utf8(rel):
        raise Refused("has a file name that is not UTF-8; rename it")
    return confine.nfc(rel)


def wanted(accept: tuple[str, ...], name: str) -> str:
    """What an element accepting `accept` wants, as messages say it: an
    image, unless the element only plays media or the name says audio or
    video (`![](talk.mp3)`)."""
    if "image" not in accept:
        return "audio or video"
    if not set(accept) & set(PLAYABLE) or category_by_name(name) == "image":
        return "an image"
    return "audio or video"


def approve_media(candidate: Path, root: Path, base: Path, limits: Limits,
                  accept: tuple[str, ...] = IMAGE) -> Local:
    """The media file `candidate` (absolute, normalized, as written), if
    its content is of a category in `accept`. Raises Refused (an error:
    the file may not be read) or NotBundled (a warning: it is not what the
    element needs)."""
    if not inside(candidate, root):
        raise Refused(f"is outside the source folder {root_display(root)}")
    real = confine.locate(root, candidate)
    rel = _rel(real, base)
    head = confine.read_regular(real, limits.media_bytes, "media files", head=SNIFF_BYTES)
    if not head:
        raise NotBundled("is an empty file; it is not bundled")
    kind = sniff(head)
    want = wanted(accept, candidate.name)
    if kind is None:
        raise NotBundled(f"is not {want} (its content is not {_CONTENTS[want]}); "
                         "it is not bundled")
    if kind.category not in accept:
        hint = f" ({kind.hint})" if kind.hint else ""
        raise NotBundled(f"is a {kind.name}, not {want}; it is not bundled{hint}")
    if not kind.shown:
        raise NotBundled(f"is a {kind.name}, which Anki and browsers do not show; it is not bundled ({kind.hint})")
    if kind is SVG:
        problem = svg_problem(confine.read_regular(real, limits.media_bytes, "media files"))
        if problem:
            raise NotBundled(f"is an SVG that is not a static image: {problem}; it is not bundled "
                             "(only SVGs without script or outside references are; or export it as PNG)")
    return Local(rel, real, kind)


def _approve_link(candidate: Path, root: Path, base: Path) -> Local:
    """A link target: checked to exist (a file or a folder), never read.
    A hidden one may be linked to: nothing of it is bundled."""
    if not inside(candidate, root):
        raise Refused(f"is outside the source folder {root_display(root)}")
    if confine.hidden_part(candidate.relative_to(root)):
        if not os.path.lexists(candidate):
            raise Refused("not found")
        return Local(candidate.relative_to(base).as_posix(), candidate)
    real = confine.locate(root, candidate)
    if not (real.is_file() or real.is_dir()):
        raise Refused("not found")
    return Local(_rel(real, base), real)


def resolve_local(target: str, line: int, what: str, *, note_dir: Path, root: Path, base: Path, sink: Sink,
                  limits: Limits, tag: str, accept: tuple[str, ...] | None = None) -> Local | None:
    """The local file `target` names (relative to `note_dir`, the note's
    folder) if the `tag` element may use it (media: a file whose content
    is of a category in `accept`, by default the tag's), or None with a
    diagnostic at `line`. `root` is the note's source root: nothing outside
    it is read. `base`: the folder the returned `rel` is relative to."""
    raw = url_path(target)
    name = short(unquote(target))
    if "\x00" in raw:
        sink.error(line, f"{what} '{name}' is not a valid path")
        return None
    if os.path.isabs(raw) or raw.startswith("~") or WINDOWS_PATH_RE.match(raw):
        sink.error(line, f"{what} '{name}' is an absolute path; use a path inside the source folder")
        return None
    candidate = Path(os.path.normpath(note_dir / raw))
    accept = accept or ACCEPTED.get(tag)
    if accept:
        return approve_at(candidate, line, what, name, root=root, base=base, sink=sink, limits=limits, accept=accept)
    try:
        return _approve_link(candidate, root, base)
    except Refused as exc:
        sink.error(line, f"{what} '{name}' {exc.reason}")
    return None


def approve_at(candidate: Path, line: int, what: str, name: str, *, root: Path, base: Path, sink: Sink,
               limits: Limits, accept: tuple[str, ...]) -> Local | None:
    """`approve_media` with its refusal as a diagnostic at `line`
    (`what 'name' reason`): a warning when the file is not bundled, an
    error when it may not be read."""
    try:
        return approve_media(candidate, root, base, limits, accept)
    except NotBundled as exc:
        sink.warn(line, f"{what} '{name}' {exc.reason}")
    except Refused as exc:
        sink.error(line, f"{what} '{name}' {exc.reason}")
    return None
