"""A card's HTML as an Anki field shows it (anki_fields.py puts it in the
note type's fields): media pointed at the package's flat media names, sound
and video as Anki plays them (`[sound:name]`, under content-hashed names),
formulas for Anki's MathJax, remote images captioned and links to other
notes as their text.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from html import escape

from ..images import caption_remote_images, rewrite_img_src
from ..markup import Formula, Media, escape_attr, map_links, map_math, map_media
from ..model import Deck
from ..notelinks import note_ref
from ..sniff import SNIFF_BYTES, sniff

# What Anki strips from media names (FACTS.md), `]`, which would end
# `[sound:...]`, and `&`, which HTML would read as an entity.
_UNSAFE_NAME = re.compile(r'[\[\]<>:"/?*^\\|&\x00-\x1f\x7f]')


def media_names(deck: Deck) -> dict[str, str]:
    """Root-relative media path -> flat Anki media name. Basenames when they
    are unique in the deck, else the path joined with `-` (Anki's media
    folder is flat). Never a leading `_`: Anki treats those as shared assets."""
    counts: dict[str, int] = {}
    for rel in deck.media:
        base = rel.rsplit("/", 1)[-1]
        counts[base] = counts.get(base, 0) + 1
    names = {}
    for rel in deck.media:
        base = rel.rsplit("/", 1)[-1]
        name = base if counts[base] == 1 else rel.replace("/", "-")
        names[rel] = name.lstrip("_") or "media"
    return names


def playable(deck: Deck) -> set[str]:
    """The deck's media that its cards play (`<audio>`, `<video>`)."""
    found: set[str] = set()
    if not deck.media:
        return found
    for html in (deck.description_html, *(h for card in deck.cards for h in (card.question_html, card.answer_html))):
        map_media(html, lambda media: found.add(media.src) or "")
    return found & set(deck.media)


def sound_name(rel: str, data: bytes) -> str:
    """`talks/발표 1.mp3` -> `발표 1-<sha1 of the bytes>.mp3`: what Anki keeps
    of a name (no `[]<>:"/?*^\\|`, well under its 120 bytes), never a
    leading `_`, the extension players know the content by."""
    stem, dot, ext = unicodedata.normalize("NFC", rel.rsplit("/", 1)[-1]).rpartition(".")
    if not dot:
        stem, ext = ext, ""
    kind = sniff(data[:SNIFF_BYTES])
    ext = kind.ext if kind is not None and kind.ext else _UNSAFE_NAME.sub("", ext)[:8]
    stem = " ".join(_UNSAFE_NAME.sub("", stem).split()).lstrip("_").strip() or "media"
    while len(stem.encode("utf-8")) > 80:
        stem = stem[:-1]
    return f"{stem}-{hashlib.sha1(data).hexdigest()[:10]}.{ext or 'bin'}"


def _anki_media(names: dict[str, str]):
    """Sound and video as Anki plays them: `[sound:name]` (the desktop, AnkiDroid
    and AnkiMobile play both); one on the web stays a link to it."""
    def render(media: Media) -> str:
        if media.remote:
            return f'<a class="cp-media-link" href="{escape_attr(media.src)}">{escape(media.name)}</a>'
        name = names.get(media.src)
        return f"[sound:{name}]" if name else ""
    return render


def _rewrite_media(html: str, names: dict[str, str]) -> str:
    """Point local `src` values (root-relative paths from the reader) at the
    flat media names."""
    if not names:
        return html
    return rewrite_img_src(html, lambda src: ("src", names[src]) if src in names else None)


def _anki_math(formula: Formula) -> str:
    """Anki's own MathJax (desktop, AnkiDroid, AnkiMobile) typesets `\\(...\\)`
    and `\\[...\\]`: the TeX goes in as written, even when it does not parse
    (MathJax then shows its own error)."""
    opening, closing = ("\\[", "\\]") if formula.display else ("\\(", "\\)")
    return opening + escape(formula.tex, quote=False) + closing


def card_html(html: str, names: dict[str, str]) -> str:
    """A field: remote images captioned, local media pointed at their
    names, formulas for MathJax, and links to other notes as their text (a
    card cannot open a note)."""
    html = _rewrite_media(caption_remote_images(html), names)
    if "<audio" in html or "<video" in html:
        html = map_media(html, _anki_media(names))
    html = map_math(html, _anki_math)
    return map_links(html, _text_of_note_links) if "<a" in html else html


def _text_of_note_links(tag) -> str | None:
    return "" if note_ref(tag) else None
