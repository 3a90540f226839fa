"""What the last build wrote, kept next to the outputs (`.cardpress/manifest.json`).

Anki updates an existing note only when the incoming note's modification
time is strictly newer than its own; with an equal time the edit is silently
dropped. So each note's mod time is remembered here with a hash of its
content: unchanged content keeps its old time (the package stays
byte-identical), changed content gets a newer one.

A missing or corrupt manifest is never an error: it only means every note
gets a fresh time (see `next_mod`), which at worst re-sends unchanged notes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from . import atomic

VERSION = 1
FILENAME = ".cardpress/manifest.json"


@dataclass
class NoteRecord:
    hash: str
    mod: int
    key: str = ""
    question: str = ""
    line: int = 0

    def to_json(self) -> dict:
        return {"hash": self.hash, "mod": self.mod, "key": self.key, "question": self.question, "line": self.line}


@dataclass
class DeckRecord:
    source: str = ""
    notetype_hash: str = ""
    notetype_mod: int = 0
    notes: dict[str, NoteRecord] = field(default_factory=dict)  # by GUID, in card order

    def to_json(self) -> dict:
        return {
            "source": self.source,
            "notetype": {"hash": self.notetype_hash, "mod": self.notetype_mod},
            "notes": {guid: rec.to_json() for guid, rec in self.notes.items()},
        }

    @classmethod
    def from_json(cls, data: dict) -> "DeckRecord":
        nt = data.get("notetype", {})
        return cls(
            source=str(data.get("source", "")),
            notetype_hash=str(nt.get("hash", "")),
            notetype_mod=int(nt.get("mod", 0)),
            notes={g: NoteRecord(**{k: r[k] for k in ("hash", "mod", "key", "question", "line") if k in r})
                   for g, r in data.get("notes", {}).items()},
        )


@dataclass
class Manifest:
    decks: dict[str, DeckRecord] = field(default_factory=dict)  # by deck title

    @classmethod
    def load(cls, out_dir: Path) -> "Manifest":
        try:
            data = json.loads((out_dir / FILENAME).read_text("utf-8"))
            if data.get("version") != VERSION:
                return cls()
            return cls(decks={t: DeckRecord.from_json(d) for t, d in data["decks"].items()})
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return cls()

    def save(self, out_dir: Path) -> None:
        data = {"version": VERSION, "decks": {t: self.decks[t].to_json() for t in sorted(self.decks)}}
        atomic.write_text(out_dir / FILENAME, json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")


def next_mod(previous: int, base: int) -> int:
    """A mod time for changed content: at least `base` (the source file's
    mtime, or SOURCE_DATE_EPOCH) and strictly newer than what we last gave
    this note, so Anki always accepts the update."""
    return max(base, previous + 1)
