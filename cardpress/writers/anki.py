"""Model -> one Anki package (.apkg) per deck. The only module that knows genanki.

What keeps a user's review history across rebuilds (see ../shared/FACTS.md):
- each note type has a fixed id, fixed field names and template names;
  never change them (notetypes.py: cardpress Basic 1607392319, Cloze
  1607392320, Reversed 1607392321, Typed 1607392322; each card's kind picks
  one, anki_fields.py fills its fields);
- note GUIDs come from `identity.note_guid` (deck title + card key), not
  genanki's default hash of all fields;
- each note's mod time comes from the manifest: unchanged notes keep theirs,
  changed notes get a strictly newer one, or Anki drops the update;
- the zip and SQLite bytes are written deterministically.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import sqlite3
import zipfile
from pathlib import Path

import genanki

from .. import outdir
from ..context import WriteContext, WriteResult
from ..fonts import anki_faces
from ..identity import content_hash, deck_id, note_guid
from ..manifest import REMOVED_TAG, DeckRecord, NoteRecord, next_mod
from ..model import Card, Deck, Diagnostic, Library
from ..notetypes import BASIC, BY_ID, NoteType
from ..templating import render
from .anki_fields import TEMPLATES, note_fields
from .anki_media import card_html, media_names, playable, sound_name
from .anki_removed import carried_tombstones

# Fixed forever (notetypes.py): Anki matches note types by id, and a change
# of fields or template names makes it refuse every update ("conflicting").
NOTETYPE_ID = BASIC.id
NOTETYPE_NAME = BASIC.name
# Extra is reserved for later features (hints, sources) so adding them never
# changes this note type's fields. CardId shows the card's key (searchable).
FIELDS = BASIC.fields
TEMPLATE_NAME = BASIC.templates[0]
# A note packaged under another note type than before (a card that became a
# cloze card...) is refused by Anki's import until the user changes its type
# in Anki (history/ says so), which stamps it with the time of that change.
# So the package dates it this far after the edit: a change of type made
# within that time is older, and the next import then updates the note.
RETYPE_WINDOW = 30 * 24 * 3600

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)

_COMPRESSED = (".woff2", ".woff", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".mp3", ".ogg", ".mp4", ".webm", ".m4a",
               ".flac")


class _AnkiAssets:
    """The note types and their font files, made once per build.

    The fonts (fonts.anki_faces: Pretendard for text, JetBrains Mono for
    code) are bundled so cards render with the same faces on every device:
    a face the CSS names but the collection lacks falls back silently. A
    leading `_` keeps Anki's "Check Media" from flagging them; the content
    hash in the name is needed because Anki never overwrites an existing `_`
    file."""

    def __init__(self) -> None:
        # (media name, bytes), read once: every deck's package carries them.
        self.fonts: list[tuple[str, bytes]] = []
        faces = []
        for face in anki_faces():
            path = face.web_path
            data = path.read_bytes()
            name = f"_cardpress-{path.stem.lower()}-{hashlib.sha1(data).hexdigest()[:10]}{path.suffix}"
            self.fonts.append((name, data))
            faces.append({"family": face.family, "weight": face.weight, "url": name, "format": "woff2"})
        self.faces = faces
        self.css = render("anki/note.css.j2", fonts=faces)
        self.qfmt = render("anki/front.html.j2")
        self.afmt = render("anki/back.html.j2")
        self.hash = content_hash(self.css, self.qfmt, self.afmt, *FIELDS)
        self._models: dict[int, tuple[genanki.Model, str]] = {}
        self._sounds: dict[str, str] = {}  # file -> its content-hashed media name

    def model(self, nt: NoteType) -> tuple[genanki.Model, str]:
        """The note type as genanki writes it, and a hash of what Anki
        compares (CSS, templates, fields): Basic's is the one it always was."""
        if nt.id not in self._models:
            css = self.css if nt is BASIC else render("anki/note.css.j2", fonts=self.faces, kind=nt.kind)
            templates = [{"name": name, "qfmt": render(f"anki/{front}.html.j2"), "afmt": render(f"anki/{back}.html.j2")}
                         for name, front, back in TEMPLATES[nt.id]]
            model = genanki.Model(nt.id, nt.name, fields=[{"name": f} for f in nt.fields], templates=templates,
                                  css=css, model_type=genanki.Model.CLOZE if nt.cloze else genanki.Model.FRONT_BACK)
            digest = self.hash if nt is BASIC else content_hash(
                css, *(t[k] for t in templates for k in ("name", "qfmt", "afmt")), *nt.fields)
            self._models[nt.id] = (model, digest)
        return self._models[nt.id]

    def media_names(self, deck: Deck, library: Library) -> dict[str, str]:
        """`media_names`, with sound and video under content-hashed names
        (`sound_name`): a changed recording gets a new name, so Anki never
        keeps playing the old one."""
        names = media_names(deck)
        for rel in playable(deck):
            path = library.media_path(rel)
            if str(path) not in self._sounds:
                self._sounds[str(path)] = sound_name(rel, path.read_bytes())
            names[rel] = self._sounds[str(path)]
        return names

    def notetype(self) -> genanki.Model:
        return self.model(BASIC)[0]

    def deck_hash(self, notetype_ids: set[int]) -> str:
        """What the deck's note types are: Basic's hash alone for a deck of
        Basic notes (so its packages stay as they were), else all of them."""
        if notetype_ids <= {BASIC.id}:
            return self.hash
        return content_hash(*(self.model(BY_ID[i])[1] for i in sorted(notetype_ids)))


def _fields(card: Card, names: dict[str, str]) -> tuple[NoteType, list[str]]:
    return note_fields(card, lambda html: card_html(html, names))


def stamp_deck(deck: Deck, ctx: WriteContext, assets: _AnkiAssets) -> DeckRecord:
    """The deck's record: the note type and each note's content hash and
    mod time. Unchanged notes keep their time; changed ones get a newer one
    (manifest.next_mod), or Anki drops the update."""
    previous = ctx.manifest.decks.get(deck.name, DeckRecord())
    base = ctx.base_time(deck)
    record = DeckRecord(source=deck.source_path)
    names = assets.media_names(deck, ctx.library)
    notes = [(card, *_fields(card, names)) for card in deck.cards]
    record.tombstones = carried_tombstones(deck, ctx, base)
    record.notetype_hash = assets.deck_hash({nt.id for _card, nt, _fields in notes}
                                            | {t.notetype for t in record.tombstones.values()})
    record.notetype_mod = (previous.notetype_mod if previous.notetype_hash == record.notetype_hash
                           else next_mod(previous.notetype_mod, base))
    for card, nt, fields in notes:
        guid = _guid(deck, card)
        # Tags count only when there are some, and the note type when it is
        # not Basic, so notes keep the hashes (and mod times) they had before
        # either existed; a card without tags of its own has the deck's
        # (frontmatter) tags, as before per-card tags.
        tags = deck.note_tags(card)
        digest = content_hash(deck.title, *fields, *(("tags", *tags) if tags else ()),
                              *(("notetype", str(nt.id)) if nt is not BASIC else ()))
        old = previous.notes.get(guid)
        mod = old.mod if old is not None and old.hash == digest else next_mod(old.mod if old else 0, base)
        if old is not None and old.hash and old.notetype != nt.id and old.hash != digest:
            mod = max(mod, base + RETYPE_WINDOW)
        record.notes[guid] = NoteRecord(hash=digest, mod=mod, key=card.key, question=card.question_text,
                                        line=card.location.line, notetype=nt.id)
    return record


def _guid(deck: Deck, card: Card) -> str:
    return card.guid or note_guid(deck.namespace, card.key)  # history.compare sets it in a build


def package_deck(deck: Deck, ctx: WriteContext, assets: _AnkiAssets, record: DeckRecord) -> Path:
    """Write the deck's package with the mod times `record` holds."""
    names = assets.media_names(deck, ctx.library)
    # The full name (`ml::Basics`: Anki makes the parents); a top-level
    # deck's name is its title, so its id and name are what they always were.
    gdeck = genanki.Deck(deck_id(deck.name), deck.name, description=card_html(deck.description_html, names))
    for card in deck.cards:
        nt, fields = _fields(card, names)
        gdeck.add_note(genanki.Note(model=assets.model(nt)[0], fields=fields, guid=_guid(deck, card),
                                    sort_field=card.question_text, tags=list(deck.note_tags(card))))
    for guid, t in record.tombstones.items():  # removed cards' notes, tagged for the user to find
        gdeck.add_note(genanki.Note(model=assets.model(BY_ID.get(t.notetype, BASIC))[0], fields=list(t.fields),
                                    guid=guid, sort_field=t.question, tags=[*t.tags, REMOVED_TAG]))
    mods = {guid: note.mod for guid, note in record.notes.items()}
    mods.update({guid: t.mod for guid, t in record.tombstones.items()})
    # The package timestamp seeds genanki's note and card ids; derive it from
    # content so the bytes are reproducible.
    stamp = max([record.notetype_mod, *mods.values()], default=record.notetype_mod)
    db = _collection_bytes(gdeck, stamp, mods, record.notetype_mod)
    media = list(assets.fonts)
    # media_path: remote images fetched by --fetch-remote-media live in the output's cache, not under root.
    media += [(names[rel], ctx.library.media_path(rel).read_bytes()) for rel in deck.media]
    out = ctx.out_dir / f"{ctx.output_stem(deck)}.apkg"
    outdir.write_output(ctx.out_dir, out, _package_bytes(db, media))
    return out


def _collection_bytes(gdeck: genanki.Deck, stamp: int, mods: dict[str, int], notetype_mod: int) -> bytes:
    conn = sqlite3.connect(":memory:")
    try:
        cur = conn.cursor()
        genanki.Package(gdeck).write_to_db(cur, stamp, itertools.count(stamp * 1000))
        # genanki stamps every note with one time; Anki needs each note's own.
        # (Update by primary key: the guid column has no index.)
        ids = dict(cur.execute("SELECT guid, id FROM notes"))
        cur.executemany("UPDATE notes SET mod = ? WHERE id = ?", [(m, ids[g]) for g, m in mods.items()])
        cur.execute("UPDATE cards SET mod = (SELECT mod FROM notes WHERE notes.id = cards.nid)")
        (models_json,) = cur.execute("SELECT models FROM col").fetchone()
        models = json.loads(models_json)
        for model in models.values():
            model["mod"] = notetype_mod
        cur.execute("UPDATE col SET models = ?, mod = ?", (json.dumps(models, sort_keys=True), stamp * 1000))
        conn.commit()
        return conn.serialize()
    finally:
        conn.close()


def _package_bytes(db: bytes, media: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    # Level 1: a third of the time of the default for a few percent in size.
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        def put(name: str, data: bytes, compress: bool = True) -> None:
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            # Fonts and images are compressed already: deflating them again
            # costs most of the packaging time and saves nothing.
            info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            # A ZipInfo does not inherit the archive's level (3.11 reads
            # `_compresslevel`, 3.13 `compress_level`).
            for attr in ("compress_level", "_compresslevel"):
                if hasattr(info, attr):
                    setattr(info, attr, 1)
                    break
            info.external_attr = 0o644 << 16
            z.writestr(info, data)

        put("collection.anki2", db)
        put("media", json.dumps({str(i): name for i, (name, _) in enumerate(media)}, ensure_ascii=False).encode("utf-8"))
        for i, (name, data) in enumerate(media):
            put(str(i), data, compress=not name.lower().endswith(_COMPRESSED))
    return buf.getvalue()


def stamp(ctx: WriteContext) -> WriteResult:
    """The records (mod times) of `ctx.decks`, decided before any package is
    written: the build saves them first, so a package Anki may import is
    never newer than the manifest that the next build counts up from."""
    assets = _AnkiAssets()
    return WriteResult(records={deck.name: stamp_deck(deck, ctx, assets) for deck in ctx.decks})


def write(ctx: WriteContext) -> WriteResult:
    """One package per deck, with the mod times stamped for it (`ctx.stamps`)."""
    assets = _AnkiAssets()
    result = WriteResult()
    for deck in ctx.decks:
        record = ctx.stamps.get(deck.name) or stamp_deck(deck, ctx, assets)
        result.paths.append(package_deck(deck, ctx, assets, record))
        result.records[deck.name] = record
        future = ctx.future_mtime(deck)
        if future:
            result.diagnostics.append(Diagnostic.warning(deck.location, (
                f"the file's modification time is in the future ({future}); its cards are stamped with the "
                "current time instead, so that later edits still reach Anki (check this computer's clock)")))
    return result
