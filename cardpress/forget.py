"""`cardpress forget`: stop carrying the notes of removed cards.

A card removed from the notes leaves a tombstone (manifest.Tombstone): its
deck's packages keep its note, fields unchanged, tagged `cardpress::removed`,
so the user finds such notes in Anki (`tag:cardpress::removed`) and deletes
them deliberately. Once they have, `forget` drops the tombstones; the next
build writes the packages without those notes (their outputs are marked
stale here). A note deleted in Anki but not yet forgotten comes back, tagged,
at the next import: forget after deleting.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Collection, Sequence

from .cache import OutputCache
from .manifest import Manifest


@dataclass
class Forgotten:
    notes: dict[str, list[str]] = field(default_factory=dict)  # deck name -> questions

    @property
    def count(self) -> int:
        return sum(len(q) for q in self.notes.values())


def forget(out_dir: Path, decks: Sequence[str] = (), dry_run: bool = False,
           guids: Collection[str] | None = None) -> Forgotten:
    """Drop the tombstones of `decks` (names, `ml::Basics`; default: every deck) from the
    output folder's records; with `guids`, only those notes' (push
    --delete-removed: the notes it deleted)."""
    manifest = Manifest.load(out_dir)
    result = Forgotten()
    dropped: dict[str, set[str]] = {}
    for name, record in manifest.decks.items():
        if decks and name not in decks:
            continue
        gone = {g for g in record.tombstones if guids is None or g in guids}
        if gone:
            dropped[name] = gone
            result.notes[name] = [record.tombstones[g].question for g in record.tombstones if g in gone]
    if dry_run or not result.notes:
        return result
    for title, gone in dropped.items():
        kept = {g: t for g, t in manifest.decks[title].tombstones.items() if g not in gone}
        manifest.decks[title] = replace(manifest.decks[title], tombstones=kept)
    manifest.save(out_dir)
    outputs = OutputCache.load(out_dir)
    for title in result.notes:  # their packages still carry the notes: write them again
        outputs.forget("apkg", title)
    outputs.save()
    return result
