"""What the last build wrote, kept next to the outputs (`.cardpress/manifest.json`).

Anki updates an existing note only when the incoming note's modification
time is strictly newer than its own; with an equal time the edit is silently
dropped. So each note's mod time is remembered here with a hash of its
content: unchanged content keeps its old time (the package stays
byte-identical), changed content gets a newer one.

Every build, whatever its formats, updates the identity part (keys,
questions, content hashes: see `history.py`), which the changelog and reword
detection compare against; the Anki part (`hash`, `mod`, note type) changes
only when the Anki writer runs and is carried over otherwise.

A missing or corrupt manifest is never an error: it only means every note
gets a fresh time (see `next_mod`), which at worst re-sends unchanged notes,
and the changelog counts every card as new.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from . import outdir
from .model import Diagnostic, SourceLocation
from .notetypes import BASIC

VERSION = 1
RECORD = "manifest.json"  # in the output's `.cardpress/`
FILENAME = f".cardpress/{RECORD}"
# The last second of the year 9999. A mod time past it can only come from a
# damaged or crafted manifest (and Anki's millisecond ids would overflow).
MAX_MOD = 253402300799


@dataclass
class NoteRecord:
    # Written by the Anki writer (kept as they were by builds without it):
    hash: str  # of the Anki fields
    mod: int
    # Written by every build (see `history.py`), for the changelog and for
    # spotting reworded questions:
    key: str = ""  # the key the GUID derives from
    question: str = ""
    line: int = 0
    content: str = ""  # hash of the card's question and answer HTML
    answer: str = ""  # hash of the answer text, normalised (near-identical answers match)
    pinned: bool = False
    # `--keep-ids` aliases: the reader's key for a card whose GUID kept an
    # older key. Remembered so later builds keep the same GUID.
    slug: str = ""
    # A reword spotted but not acted on: the GUID of the note it came from,
    # so a later `--keep-ids` build can still claim that note.
    reworded_from: str = ""
    # Written by the Anki writer: the id of the note type the note was last
    # packaged with (notetypes.py). Records from before there were several
    # are cardpress Basic's, as their notes are.
    notetype: int = BASIC.id

    _OPTIONAL = ("content", "answer", "pinned", "slug", "reworded_from")

    def to_json(self) -> dict:
        data = {"hash": self.hash, "mod": self.mod, "key": self.key, "question": self.question, "line": self.line}
        # Only set extras are written: the manifest of 10,000 cards is read
        # on every build, so it stays small.
        data.update({k: getattr(self, k) for k in self._OPTIONAL if getattr(self, k)})
        if self.notetype != BASIC.id:
            data["notetype"] = self.notetype
        return data

    @classmethod
    def from_json(cls, data: dict) -> "NoteRecord":
        # Fast (a no-op build reads 10,000 of these) and strict: a
        # hand-edited manifest must fail here, and be ignored by
        # `Manifest.load`, not as a TypeError in the middle of a build.
        try:
            rec = cls(**data)
        except TypeError:  # keys from a newer cardpress: ignore them
            rec = cls(**{k: v for k, v in data.items() if k in _NOTE_TYPES})
        for name, typ in _NOTE_TYPES.items():
            if type(getattr(rec, name)) is not typ:
                raise ValueError(f"manifest: bad {name}")
        if not 0 <= rec.mod <= MAX_MOD:
            raise ValueError("manifest: mod time out of range")
        return rec


_NOTE_TYPES = {"hash": str, "mod": int, "key": str, "question": str, "line": int, "content": str, "answer": str,
               "pinned": bool, "slug": str, "reworded_from": str, "notetype": int}


REMOVED_TAG = "cardpress::removed"


@dataclass
class Tombstone:
    """A note whose card was removed from a deck that still exists. Its
    deck's packages keep carrying it, fields unchanged, tagged
    `cardpress::removed`, so the user finds it in Anki and deletes it
    deliberately; `cardpress forget` then drops it (history/, writers/anki.py)."""

    key: str
    question: str
    notetype: int
    mod: int  # the note's mod time: as last written, then as written tagged
    fields: tuple[str, ...] = ()  # from the deck's last package; empty until the Anki writer has read them
    tags: tuple[str, ...] = ()  # its tags but REMOVED_TAG
    stamped: bool = False  # written tagged (at `mod`) at least once

    def to_json(self) -> dict:
        return {"key": self.key, "question": self.question, "notetype": self.notetype, "mod": self.mod,
                "fields": list(self.fields), "tags": list(self.tags), "stamped": self.stamped}

    @classmethod
    def from_json(cls, data: dict) -> "Tombstone":
        t = cls(key=data["key"], question=data["question"], notetype=data["notetype"], mod=_mod(data["mod"]),
                fields=tuple(data.get("fields", ())), tags=tuple(data.get("tags", ())),
                stamped=data.get("stamped", False))
        if not (isinstance(t.key, str) and isinstance(t.question, str) and type(t.notetype) is int
                and all(isinstance(v, str) for v in (*t.fields, *t.tags)) and type(t.stamped) is bool):
            raise ValueError("manifest: bad tombstone")
        return t


@dataclass
class DeckRecord:
    source: str = ""
    notetype_hash: str = ""
    notetype_mod: int = 0
    notes: dict[str, NoteRecord] = field(default_factory=dict)  # by GUID, in card order
    file: str = ""  # the source file's content hash when this record was made
    # Notes gone from the deck that a pending reword (`reworded_from`) points at.
    retired: dict[str, NoteRecord] = field(default_factory=dict)
    # Notes whose cards were removed, carried tagged until `cardpress forget`.
    tombstones: dict[str, Tombstone] = field(default_factory=dict)  # by GUID
    # What the deck's GUIDs derive from (Deck.namespace, its title), when it
    # is not the record's key (the deck name): a deck whose file moved into
    # a folder is found by it (history._continued).
    namespace: str = ""

    def to_json(self) -> dict:
        data = {
            "source": self.source,
            "notetype": {"hash": self.notetype_hash, "mod": self.notetype_mod},
            "notes": {guid: rec.to_json() for guid, rec in self.notes.items()},
        }
        if self.file:
            data["file"] = self.file
        if self.retired:
            data["retired"] = {guid: rec.to_json() for guid, rec in self.retired.items()}
        if self.tombstones:
            data["tombstones"] = {guid: t.to_json() for guid, t in self.tombstones.items()}
        if self.namespace:
            data["namespace"] = self.namespace
        return data

    @classmethod
    def from_json(cls, data: dict) -> "DeckRecord":
        nt = data.get("notetype", {})
        return cls(
            source=str(data.get("source", "")),
            notetype_hash=str(nt.get("hash", "")),
            notetype_mod=_mod(nt.get("mod", 0)),
            notes={g: NoteRecord.from_json(r) for g, r in data.get("notes", {}).items()},
            file=str(data.get("file", "")),
            retired={g: NoteRecord.from_json(r) for g, r in data.get("retired", {}).items()},
            tombstones={g: Tombstone.from_json(t) for g, t in data.get("tombstones", {}).items()},
            namespace=str(data.get("namespace", "")),
        )


def _mod(value) -> int:
    if type(value) is not int or not 0 <= value <= MAX_MOD:
        raise ValueError("manifest: bad mod time")
    return value


@dataclass
class Manifest:
    decks: dict[str, DeckRecord] = field(default_factory=dict)  # by deck name (Deck.name)

    @classmethod
    def load(cls, out_dir: Path, diagnostics: list[Diagnostic] | None = None) -> "Manifest":
        """The last build's records; empty when missing or damaged: read
        like every record in `.cardpress/` (`outdir.read_json`: a regular
        file of bounded size, never through a link), a damaged one adds one
        warning to `diagnostics`."""
        data = outdir.read_json(out_dir, RECORD, diagnostics, "the changelog counts every card as new")
        if data is None:
            return cls()
        try:
            if data.get("version") != VERSION:  # type: ignore[union-attr]
                return cls()
            decks = {t: DeckRecord.from_json(d) for t, d in data["decks"].items()}  # type: ignore[index]
        except (ValueError, KeyError, TypeError, AttributeError, OverflowError, RecursionError):
            if diagnostics is not None:
                diagnostics.append(Diagnostic.warning(SourceLocation(str(out_dir / FILENAME), 0),
                                                      "ignored, its records are damaged: the changelog counts "
                                                      "every card as new"))
            return cls()
        for record in decks.values():
            if record.source and not outdir.confined(record.source):
                record.source = ""  # a source path leads nowhere outside the source folder
        return cls(decks=decks)

    def to_json(self) -> dict:
        return {"version": VERSION, "decks": {t: self.decks[t].to_json() for t in sorted(self.decks)}}

    def save(self, out_dir: Path) -> None:
        text = json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":")) + "\n"
        outdir.write_state(out_dir, RECORD, text.encode("utf-8"))


def next_mod(previous: int, base: int) -> int:
    """A mod time for changed content: at least `base` (the source file's
    mtime, or SOURCE_DATE_EPOCH) and strictly newer than what we last gave
    this note, so Anki always accepts the update."""
    return max(base, previous + 1)
