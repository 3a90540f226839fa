"""Links from one note to another: Obsidian's `[[Other note#Heading|text]]`
and plain `[see](other.md#heading)`. Stdlib only.

The reader keeps them as written (a wikilink is an `<a class="cp-wikilink">`
whose href is the note's name); the writers decide: the site points them at
that note's deck page and, when the heading is a question, its card; Anki
and the PDF show their text. A link to a note that is not among the sources
is text everywhere, without a warning (in a vault that is normal).

Names resolve as Obsidian resolves them: a path from the linking note's
folder or from the source folder, else the note whose path ends with the
name (`[[basics]]` finds `ml/basics.md`), the one in the linking note's
folder first; names match without regard to case or Unicode normalization.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Sequence
from urllib.parse import unquote, urlsplit

from .identity import slugify
from .markup import WIKILINK_CLASS, Tag
from .model import Card

_NOTE_SUFFIXES = (".md", ".markdown")
# A heading's attribute block, `{#pin .reverse}`, as Obsidian keeps it in a link's heading.
_ATTRS_RE = re.compile(r"\s*\{([^{}]*)\}\s*$")
_PIN_RE = re.compile(r"(?:^|\s)#([^\s{}]+)")


@dataclass(frozen=True)
class NoteRef:
    path: str  # as written, decoded: "Other note" (a wikilink), "../ml/basics.md" (a link); "" for this note
    anchor: str  # the heading or fragment, decoded; "" for none
    wikilink: bool


def note_ref(tag: Tag) -> NoteRef | None:
    """The note an `<a>` start tag points at, if it points at one."""
    attrs = tag.attrs()
    href = attrs.get("href")
    if href is None:
        return None
    if WIKILINK_CLASS in attrs.get("class", "").split():
        path, _, anchor = href.partition("#")
        return NoteRef(unquote(path), unquote(anchor), True)
    try:
        parts = urlsplit(href)
    except ValueError:
        return None
    if parts.scheme or parts.netloc or not unquote(parts.path).lower().endswith(_NOTE_SUFFIXES):
        return None
    return NoteRef(unquote(parts.path), unquote(parts.fragment), False)


def _key(path: str) -> str:
    return unicodedata.normalize("NFC", path).casefold()


def _stem(path: str) -> str:
    for suffix in _NOTE_SUFFIXES:
        if path.lower().endswith(suffix):
            return path[: -len(suffix)]
    return path


def resolve(ref: NoteRef, source: str, sources: Iterable[str]) -> str | None:
    """The source path (as `Deck.source_path`) of the note `ref` names,
    linked from the note at `source`; None when it is not among `sources`."""
    if not ref.path:
        return source
    here = posixpath.dirname(source)
    by_key = {_key(_stem(s)): s for s in sources}
    if not ref.wikilink:
        return by_key.get(_key(_stem(posixpath.normpath(posixpath.join(here, ref.path)))))
    name = _key(_stem(ref.path.strip("/")))
    for folder in (here, ""):
        found = by_key.get(_key(posixpath.normpath(posixpath.join(folder, name))))
        if found:
            return found
    ends = sorted((s for k, s in by_key.items() if k.endswith("/" + name)),
                  key=lambda s: (posixpath.dirname(s) != here, s.count("/"), s))
    return ends[0] if ends else None


def card_key(anchor: str, cards: Sequence[Card]) -> str | None:
    """The card whose question a heading anchor names: its key (a pin), a
    GitHub-style slug or Obsidian's heading text. None for anything else
    (a heading that is not a question, a block reference `^id`)."""
    if not anchor or anchor.startswith("^"):
        return None
    block = _ATTRS_RE.search(anchor)  # Obsidian writes the heading as it stands, a `{#pin}` included
    pin = _PIN_RE.search(block.group(1)) if block else None
    if pin and any(card.key == pin.group(1) for card in cards):
        return pin.group(1)
    slug = slugify(_ATTRS_RE.sub("", anchor))
    for card in cards:
        if card.key == anchor or slug == card.key or slug == slugify(card.question_text):
            return card.key
    return None
