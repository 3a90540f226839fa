"""What a writer gets besides the library: where to write, what the last
build wrote, the user's options, and a way to report problems."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .manifest import Manifest
from .model import Deck, Diagnostic, Library, Severity, SourceLocation


@dataclass
class BuildContext:
    library: Library
    out_dir: Path
    manifest: Manifest = field(default_factory=Manifest)
    options: dict[str, Any] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # Incremental builds (see cache.py): the decks to write this call; None
    # means all. A writer module that sets `INCREMENTAL = True` writes only
    # `decks_to_write` and returns those decks' files, plus any file shared
    # by all decks (a site index), which it must refresh from
    # `library.decks` on every call, also when `decks_to_write` is empty.
    write_only: tuple[Deck, ...] | None = None

    @property
    def decks_to_write(self) -> tuple[Deck, ...]:
        return self.library.decks if self.write_only is None else self.write_only

    def source_file(self, deck: Deck) -> Path:
        return Path(self.library.root) / deck.source_path

    def output_stem(self, deck: Deck) -> str:
        """`ml/basics.md` -> `ml/basics`: outputs mirror the source tree."""
        return deck.source_path[:-3] if deck.source_path.endswith(".md") else deck.source_path

    def base_time(self, deck: Deck) -> int:
        """The time a changed note is stamped with: SOURCE_DATE_EPOCH when set
        (reproducible builds), else the source file's mtime. Never the clock,
        so rebuilding unchanged sources gives identical bytes."""
        epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
        if epoch.isdigit():
            return int(epoch)
        try:
            return int(self.source_file(deck).stat().st_mtime)
        except OSError:
            return 0

    def warn(self, location: SourceLocation, message: str) -> None:
        self.diagnostics.append(Diagnostic(location, Severity.WARNING, message))

    def error(self, location: SourceLocation, message: str) -> None:
        self.diagnostics.append(Diagnostic(location, Severity.ERROR, message))
