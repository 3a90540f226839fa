"""Reading back an Anki package that cardpress wrote: its deck, note types
(one per kind of card it holds: notetypes.py) and notes (what `cardpress
push` compares with what Anki holds)."""

from __future__ import annotations

import html
import json
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CardpressError
from .manifest import REMOVED_TAG
from .markup import plain_text
from .notetypes import BASIC, BY_ID, KEY_FIELD
from .text import short

QUESTION_FIELD = "Question"


@dataclass(frozen=True)
class PackageNote:
    guid: str
    key: str
    mod: int
    fields: tuple[str, ...]
    notetype_id: int = BASIC.id
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class PackageNoteType:
    id: int
    name: str
    field_names: tuple[str, ...]
    css: str
    templates: dict[str, tuple[str, str]]  # name -> (front, back)

    @property
    def question_fields(self) -> tuple[str, ...]:
        known = BY_ID.get(self.id)
        return known.question_fields if known else (QUESTION_FIELD,)


@dataclass
class Package:
    path: Path
    deck: str
    notetypes: dict[int, PackageNoteType]  # a deck holds cards of one or more kinds (notetypes.py)
    notes: dict[str, PackageNote]  # by card key
    removed: dict[str, PackageNote] = field(default_factory=dict)  # notes carried tagged cardpress::removed, by key

    @property
    def notetype_ids(self) -> tuple[int, ...]:
        return tuple(sorted(self.notetypes))

    def notetype_of(self, key: str) -> PackageNoteType:
        return self.notetypes[self.notes[key].notetype_id]

    def question(self, key: str) -> str:
        note, nt = self.notes[key], self.notetype_of(key)
        values = dict(zip(nt.field_names, note.fields))
        return next((plain(values[f]) for f in nt.question_fields if values.get(f)), key)


def read_package(path: Path) -> Package:
    """The deck, note types and notes of a package written by cardpress."""
    try:
        with zipfile.ZipFile(path) as z:
            db = z.read("collection.anki2")
    except (OSError, zipfile.BadZipFile, KeyError) as exc:
        raise CardpressError(f"{path}: error: cannot read the Anki package: {exc}") from None
    with tempfile.TemporaryDirectory(prefix="cardpress-push-") as tmp:
        db_path = Path(tmp) / "collection.anki2"
        db_path.write_bytes(db)
        conn = sqlite3.connect(db_path)
        try:
            models_json, decks_json = conn.execute("SELECT models, decks FROM col").fetchone()
            rows = conn.execute("SELECT guid, mid, mod, flds, tags FROM notes ORDER BY id").fetchall()
            dids = [d for (d,) in conn.execute("SELECT DISTINCT did FROM cards")]
        finally:
            conn.close()
    models, decks = json.loads(models_json), json.loads(decks_json)
    if not rows or not models:
        raise CardpressError(f"{path}: error: not a cardpress deck (expected its note types and some notes)")
    notetypes = {}
    for model in models.values():
        names = tuple(f["name"] for f in sorted(model["flds"], key=lambda f: f["ord"]))
        if KEY_FIELD not in names:
            raise CardpressError(f"{path}: error: not a cardpress deck (its note type \"{model['name']}\" has no "
                                 f"{KEY_FIELD} field)")
        templates = {t["name"]: (t["qfmt"], t["afmt"]) for t in model["tmpls"]}
        notetypes[int(model["id"])] = PackageNoteType(int(model["id"]), model["name"], names, model["css"], templates)
    deck_names = [decks[str(d)]["name"] for d in dids if str(d) in decks]
    if len(deck_names) != 1:
        raise CardpressError(f"{path}: error: expected the cards of one deck, found {len(deck_names)}")
    notes: dict[str, PackageNote] = {}
    removed: dict[str, PackageNote] = {}
    for guid, mid, mod, flds, tags in rows:
        nt = notetypes.get(int(mid))
        if nt is None:
            raise CardpressError(f"{path}: error: not a cardpress deck (a note of an unknown note type {mid})")
        values = tuple(flds.split("\x1f"))
        key = html.unescape(values[nt.field_names.index(KEY_FIELD)])
        note = PackageNote(guid, key, int(mod), values, nt.id, tuple(str(tags).split()))
        # A note whose card was removed travels tagged (manifest.Tombstone):
        # not one of the deck's cards.
        (removed if REMOVED_TAG in note.tags else notes)[key] = note
    return Package(Path(path), deck_names[0], notetypes, notes, removed)


def plain(fragment: str, limit: int = 80) -> str:
    """A field's text for a message: no tags, one line, at most `limit` characters."""
    return short(plain_text(fragment), limit)
