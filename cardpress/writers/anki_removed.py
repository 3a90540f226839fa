"""The notes of removed cards, as a deck's Anki package carries them
(manifest.Tombstone): tagged `cardpress::removed`, fields unchanged, until
`cardpress forget` (forget.py)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..apkg_read import PackageNote, read_package
from ..context import WriteContext
from ..errors import CardpressError
from ..manifest import REMOVED_TAG, Tombstone, next_mod
from ..model import Deck


def carried_tombstones(deck: Deck, ctx: WriteContext, base: int) -> dict[str, Tombstone]:
    """The deck's removed notes as its package carries them: their fields
    as its last package had them (the only place they still are), tagged,
    with a mod time newer than the note had, given once and then kept (so
    Anki takes the tag once). A note whose fields cannot be found (the last
    package is gone) is not carried."""
    wanted = ctx.tombstones.get(deck.name, {})
    if not wanted:
        return {}
    last: dict[str, PackageNote] | None = None
    carried: dict[str, Tombstone] = {}
    for guid, t in wanted.items():
        if not t.fields:
            if last is None:
                last = _last_package_notes(ctx.out_dir / f"{ctx.output_stem(deck)}.apkg")
            note = last.get(guid)
            if note is None or note.notetype_id != t.notetype:
                continue
            t = replace(t, fields=note.fields, tags=tuple(tag for tag in note.tags if tag != REMOVED_TAG))
        carried[guid] = t if t.stamped else replace(t, mod=next_mod(t.mod, base), stamped=True)
    return carried


def _last_package_notes(path: Path) -> dict[str, PackageNote]:
    """The notes of the package cardpress last wrote at `path`, by GUID."""
    try:
        package = read_package(path)
    except (CardpressError, OSError, ValueError, KeyError, TypeError):
        return {}
    return {note.guid: note for note in (*package.notes.values(), *package.removed.values())}
