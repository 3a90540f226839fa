"""The last good version of each deck, for the build to stand in for a
deck whose file now has errors (issue 12: decks are independent).

Such a deck is not built: its `.apkg` and PDF stay as they were, and the
site, which is written whole, shows its last good version. That version is
kept here, one signed entry per source file (cache.ParseCache, entries
named by the file's path), written whenever a good deck's file changed.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Iterable

from . import outdir
from .cache import ParseCache
from .model import Deck

SUBDIR = "lastgood"


def _name(deck_source: str) -> str:
    return hashlib.sha256(deck_source.encode("utf-8", "surrogateescape")).hexdigest()[:32] + ".pickle"


class LastGood:
    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        # Never pruned: a build of some files into the output folder keeps
        # the others' entries.
        self.entries = ParseCache(out_dir, subdir=SUBDIR, prune=False)

    def load(self, source: str, root: Path) -> Deck | None:
        """The deck last built from the file at `source` (Deck.source_path),
        or None when none was kept (or its images are gone)."""
        return self.entries.load(_name(source), root)

    def keep(self, decks: Iterable[Deck], known: dict[str, str]) -> None:
        """Remember these decks (just built) as their files' last good
        versions. `known`: source path -> the file's content hash the last
        build recorded; a deck whose file did not change since, and whose
        entry exists, is not written again."""
        if self.entries.dir is None:
            return
        existing = set(outdir.state_names(self.out_dir, SUBDIR))
        for deck in decks:
            name = _name(deck.source_path)
            if name not in existing or known.get(deck.source_path) != deck.content_hash:
                self.entries.store(name, deck)
        self.entries.flush()
