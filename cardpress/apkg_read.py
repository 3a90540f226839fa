"""Reading back an Anki package that cardpress wrote: its deck, note type
and notes (what `cardpress push` compares with what Anki holds)."""

from __future__ import annotations

import html
import json
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .errors import CardpressError
from .markup import plain_text
from .text import short

KEY_FIELD = "CardId"
QUESTION_FIELD = "Question"


@dataclass(frozen=True)
class PackageNote:
    guid: str
    key: str
    mod: int
    fields: tuple[str, ...]


@dataclass
class Package:
    path: Path
    deck: str
    notetype_id: int
    notetype_name: str
    field_names: tuple[str, ...]
    css: str
    templates: dict[str, tuple[str, str]]  # name -> (front, back)
    notes: dict[str, PackageNote]  # by card key

    def question(self, key: str) -> str:
        note = self.notes[key]
        return plain(note.fields[self.field_names.index(QUESTION_FIELD)]) if QUESTION_FIELD in self.field_names \
            else key


def read_package(path: Path) -> Package:
    """The deck, note type and notes of a package written by cardpress."""
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
            rows = conn.execute("SELECT guid, mid, mod, flds FROM notes ORDER BY id").fetchall()
            dids = [d for (d,) in conn.execute("SELECT DISTINCT did FROM cards")]
        finally:
            conn.close()
    models, decks = json.loads(models_json), json.loads(decks_json)
    if not rows or len(models) != 1:
        raise CardpressError(f"{path}: error: not a cardpress deck (expected one note type and some notes)")
    model = next(iter(models.values()))
    names = tuple(f["name"] for f in sorted(model["flds"], key=lambda f: f["ord"]))
    if KEY_FIELD not in names:
        raise CardpressError(f"{path}: error: not a cardpress deck (its note type has no {KEY_FIELD} field)")
    deck_names = [decks[str(d)]["name"] for d in dids if str(d) in decks]
    if len(deck_names) != 1:
        raise CardpressError(f"{path}: error: expected the cards of one deck, found {len(deck_names)}")
    notes: dict[str, PackageNote] = {}
    for guid, _mid, mod, flds in rows:
        values = tuple(flds.split("\x1f"))
        key = html.unescape(values[names.index(KEY_FIELD)])
        notes[key] = PackageNote(guid, key, int(mod), values)
    templates = {t["name"]: (t["qfmt"], t["afmt"]) for t in model["tmpls"]}
    return Package(Path(path), deck_names[0], int(model["id"]), model["name"], names, model["css"], templates, notes)


def plain(fragment: str, limit: int = 80) -> str:
    """A field's text for a message: no tags, one line, at most `limit` characters."""
    return short(plain_text(fragment), limit)
