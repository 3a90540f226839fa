"""What Anki holds, as `cardpress push` sees it through AnkiConnect: our
notes in a deck, matched by the CardId field, and the import of a package."""

from __future__ import annotations

import base64
import hashlib
import html
from dataclasses import dataclass
from typing import Sequence

from .ankiconnect import AnkiConnect, AnkiConnectError, ActionError
from .apkg_read import KEY_FIELD, QUESTION_FIELD, Package, plain
from .errors import CardpressError

IMPORT_TIMEOUT = 120.0  # seconds at least for sending and importing one package


@dataclass(frozen=True)
class AnkiNote:
    nid: int
    key: str
    mod: int | None  # None: an AnkiConnect too old to report it
    fields: tuple[str, ...]
    question: str


def search_quote(text: str) -> str:
    """`text` as a literal inside a quoted Anki search term."""
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("*", "\\*").replace("_", "\\_"))


class AnkiSide:
    """The queries push needs, on top of the protocol client."""

    def __init__(self, client: AnkiConnect, upload: bool):
        self.client = client
        self.upload = upload
        self._notetypes: dict[tuple, bool] = {}

    def deck_query(self, pkg: Package) -> str:
        deck = search_quote(pkg.deck)
        # The deck itself, not its subdecks (another file may be "Deck::Sub").
        return f'mid:{pkg.notetype_id} "deck:{deck}" -"deck:{deck}::*"'

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
            values = tuple(info["fields"].get(name, {}).get("value", "") for name in pkg.field_names)
            key = html.unescape(info["fields"].get(KEY_FIELD, {}).get("value", ""))
            mod = info.get("mod")
            question = plain(info["fields"].get(QUESTION_FIELD, {}).get("value", ""))
            found.setdefault(key, AnkiNote(int(info["noteId"]), key, mod if isinstance(mod, int) else None,
                                           values, question))
        return found

    def elsewhere(self, pkg: Package, keys: Sequence[str]) -> set[str]:
        """Which of `keys` Anki has under our note type in some other deck
        (cards moved there in Anki: an import never moves them back)."""
        queries = [("findNotes", {"query": f'mid:{pkg.notetype_id} "{KEY_FIELD}:{search_quote(html.escape(k))}"'})
                   for k in keys]
        return {k for k, nids in zip(keys, self.client.multi(queries)) if nids}

    def notetype_differs(self, pkg: Package) -> bool:
        ident = (pkg.notetype_name, pkg.css, tuple(sorted(pkg.templates.items())))
        if ident not in self._notetypes:
            try:
                styling, templates = self.client.multi([("modelStyling", {"modelName": pkg.notetype_name}),
                                                        ("modelTemplates", {"modelName": pkg.notetype_name})])
                theirs = {name: (t.get("Front"), t.get("Back")) for name, t in (templates or {}).items()}
                self._notetypes[ident] = (styling or {}).get("css") != pkg.css or theirs != pkg.templates
            except ActionError:  # e.g. no note type of that name (renamed in Anki): let the import sort it out
                self._notetypes[ident] = True
        return self._notetypes[ident]

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
