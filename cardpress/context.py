"""What a writer gets, and what it gives back.

A writer is a function of its `WriteContext` (the library, where to write,
the options, what the last build recorded) that returns a `WriteResult`:
the files it wrote, the Anki records it stamped, the problems it met. It
never changes the context or anything shared; the build merges results.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Mapping

from .manifest import DeckRecord, Manifest, Tombstone
from .model import Deck, Diagnostic, Library
from .options import BuildOptions
from .reproducible import source_date_epoch


@dataclass(frozen=True)
class WriteContext:
    library: Library
    out_dir: Path
    options: BuildOptions = field(default_factory=BuildOptions)
    # The last build's records (read only): the Anki writer keeps the mod
    # times of unchanged notes from it.
    manifest: Manifest = field(default_factory=Manifest)
    # The decks to write this call. An INCREMENTAL writer is called once per
    # changed deck (one deck here); others get every deck.
    decks: tuple[Deck, ...] = ()
    # This build's Anki records, decided (and saved) before any package is
    # written; by deck name (see writers/anki.py `stamp`).
    stamps: Mapping[str, DeckRecord] = field(default_factory=dict)
    # Notes whose cards were removed, carried tagged until `cardpress
    # forget` (manifest.Tombstone); by deck name, then GUID.
    tombstones: Mapping[str, Mapping[str, Tombstone]] = field(default_factory=dict)

    def source_file(self, deck: Deck) -> Path:
        return Path(self.library.root) / deck.source_path

    def output_stem(self, deck: Deck) -> str:
        """`ml/basics.md` -> `ml/basics`: outputs mirror the source tree."""
        return deck.source_path[:-3] if deck.source_path.endswith(".md") else deck.source_path

    def base_time(self, deck: Deck) -> int:
        """The time a changed note is stamped with: SOURCE_DATE_EPOCH when set
        (reproducible builds), else the source file's mtime, so rebuilding
        unchanged sources gives identical bytes. The clock only ever lowers
        it: a file dated in the future (a zip from a machine whose clock ran
        ahead) would give its notes times that later, real edits could not
        beat, and Anki would drop those edits."""
        epoch = source_date_epoch()
        if epoch is not None:
            return epoch
        try:
            mtime = int(self.source_file(deck).stat().st_mtime)
        except OSError:
            return 0
        return min(mtime, int(time.time()))

    def future_mtime(self, deck: Deck) -> str | None:
        """The source file's time when it is in the future (more than a
        minute ahead of the clock), as a date, else None."""
        if source_date_epoch() is not None:
            return None
        try:
            mtime = self.source_file(deck).stat().st_mtime
        except OSError:
            return None
        if mtime <= time.time() + 60:
            return None
        try:
            return datetime.fromtimestamp(mtime, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        except (OverflowError, OSError, ValueError):
            return "far ahead"


@dataclass
class WriteResult:
    paths: list[Path] = field(default_factory=list)  # the files written
    # The Anki writer's identity records of the decks it wrote (mod times).
    records: dict[str, DeckRecord] = field(default_factory=dict)  # by deck name
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def merge(self, other: "WriteResult") -> None:
        self.paths += other.paths
        self.records.update(other.records)
        self.diagnostics += other.diagnostics
