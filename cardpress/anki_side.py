"""What Anki holds, as `cardpress push` sees it through AnkiConnect: our
notes in a deck (of any of cardpress's note types: notetypes.py), matched by
the CardId field, and the import of a package."""

from __future__ import annotations

import base64
import hashlib
import html
from dataclasses import dataclass
from typing import Sequence

from .ankiconnect import AnkiConnect, AnkiConnectError, ActionError
from .apkg_read import QUESTION_FIELD, Package, plain
from .errors import CardpressError
from .notetypes import KEY_FIELD, NOTE_TYPES

IMPORT_TIMEOUT = 120.0  # seconds at least for sending and importing one package


@dataclass(frozen=True)
class AnkiNote:
    nid: int
    key: str
    mod: int | None  # None: an AnkiConnect too old to report it
    fields: tuple[str, ...]
    question: str
    notetype: str = ""  # its note type's name in Anki


def search_quote(text: str) -> str:
    """`text` as a literal inside a quoted Anki search term."""
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("*", "\\*").replace("_", "\\_"))


class AnkiSide:
    """The queries push needs, on top of the protocol client."""

    def __init__(self, client: AnkiConnect, upload: bool):
        self.client = client
        self.upload = upload
        self._notetypes: dict[tuple, bool] = {}

    @staticmethod
    def ours(pkg: Package) -> str:
        """Notes of cardpress's note types, and of the package's."""
        ids = sorted({nt.id for nt in NOTE_TYPES} | set(pkg.notetype_ids))
        return "(" + " OR ".join(f"mid:{i}" for i in ids) + ")"

    def deck_query(self, pkg: Package) -> str:
        deck = search_quote(pkg.deck)
        # The deck itself, not its subdecks (another file may be "Deck::Sub").
        return f'{self.ours(pkg)} "deck:{deck}" -"deck:{deck}::*"'

    def notes(self, pkg: Package) -> dict[str, AnkiNote]:
        nids = self.client.request("findNotes", query=self.deck_query(pkg))
        return self._info(pkg, nids)

    def _info(self, pkg: Package, nids: list[int]) -> dict[str, AnkiNote]:
        if not nids:
            return {}
        found: dict[str, AnkiNote] = {}
        for info in self.client.request("notesInfo", notes=list(nids)):
            if not isinstance(info, dict) or "fields" not in info:
                continue  # deleted meanwhile
            fields = {name: (f or {}).get("value", "") for name, f in info["fields"].items()}
            order = sorted(info["fields"], key=lambda name: (info["fields"][name] or {}).get("order", 0))
            key = html.unescape(fields.get(KEY_FIELD, ""))
            mod = info.get("mod")
            asks = next((nt.question_fields for nt in NOTE_TYPES if nt.name == info.get("modelName")),
                        (QUESTION_FIELD,))
            question = next((plain(fields[f]) for f in asks if fields.get(f)), "")
            found.setdefault(key, AnkiNote(int(info["noteId"]), key, mod if isinstance(mod, int) else None,
                                           tuple(fields[name] for name in order), question,
                                           str(info.get("modelName", ""))))
        return found

    def elsewhere(self, pkg: Package, keys: Sequence[str]) -> set[str]:
        """Which of `keys` Anki has under our note type in some other deck
        (cards moved there in Anki: an import never moves them back)."""
        queries = [("findNotes", {"query": f'{self.ours(pkg)} "{KEY_FIELD}:{search_quote(html.escape(k))}"'})
                   for k in keys]
        return {k for k, nids in zip(keys, self.client.multi(queries)) if nids}

    def notetype_differs(self, pkg: Package) -> bool:
        """Whether Anki's copy of any of the package's note types differs
        (CSS, templates), or is missing."""
        for nt in pkg.notetypes.values():
            ident = (nt.name, nt.css, tuple(sorted(nt.templates.items())))
            if ident not in self._notetypes:
                try:
                    styling, templates = self.client.multi([("modelStyling", {"modelName": nt.name}),
                                                            ("modelTemplates", {"modelName": nt.name})])
                    theirs = {name: (t.get("Front"), t.get("Back")) for name, t in (templates or {}).items()}
                    self._notetypes[ident] = (styling or {}).get("css") != nt.css or theirs != nt.templates
                except ActionError:  # e.g. no note type of that name (renamed in Anki): let the import sort it out
                    self._notetypes[ident] = True
            if self._notetypes[ident]:
                return True
        return False

    def import_package(self, pkg: Package) -> None:
        timeout = max(IMPORT_TIMEOUT, self.client.timeout)
        if not self.upload:
            self._import(pkg, str(pkg.path.resolve()), timeout)
            return
        data = pkg.path.read_bytes()
        name = f"_cardpress-push-{hashlib.sha1(data).hexdigest()[:16]}.apkg"
        stored = self.client.request("storeMediaFile", timeout=timeout, filename=name,
                                     data=base64.b64encode(data).decode("ascii"))
        stored = stored if isinstance(stored, str) and stored else name
        try:
            media_dir = self.client.request("getMediaDirPath")
            sep = "\\" if "\\" in media_dir and "/" not in media_dir else "/"
            self._import(pkg, media_dir.rstrip(sep) + sep + stored, timeout)
        finally:
            try:
                self.client.request("deleteMediaFile", filename=stored)
            except AnkiConnectError:
                pass  # reported by nobody: Anki's "Check Media" lists it, and `_` files are never synced as used

    def _import(self, pkg: Package, path: str, timeout: float) -> None:
        try:
            ok = self.client.request("importPackage", timeout=timeout, path=path)
        except ActionError as exc:
            raise DeckFailed(f"{pkg.path}: error: Anki could not import this deck: {exc.message}") from None
        if ok is not True:
            raise DeckFailed(f"{pkg.path}: error: Anki did not import this deck (importPackage answered {ok!r}): "
                             "is a collection open?")

    def delete(self, nids: Sequence[int]) -> None:
        self.client.request("deleteNotes", notes=list(nids))


class DeckFailed(CardpressError):
    """One deck could not be imported; the others still are."""
