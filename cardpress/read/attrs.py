"""Heading attributes: the one syntax for a card's settings.

    ## Why ReLU? {#why-relu .reverse tags="activation ml::basics"}

A `{...}` block ends the heading, in the syntax Pandoc and markdown-it-attrs
use: `#id` pins the card's identity, `.name` switches a card option on
(`.reverse`, `.type`), `key="value"` (or `key=value`) sets a value (`tags`).
A `{...}` that is not made only of such items is part of the question (a
heading may well end in `{x, y}`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..text import short

BLOCK_RE = re.compile(r"\s*\{([^{}]*)\}\s*$")
_ITEM_RE = re.compile(r"""\s*(?:\#(?P<id>[^\s{}]+)|\.(?P<cls>[A-Za-z][\w-]*)
                          |(?P<key>[A-Za-z][\w-]*)=(?:"(?P<quoted>[^"]*)"|(?P<bare>[^\s"{}]+)))""", re.X)

# What each option does; read/deck.py and the writers give them meaning.
CLASSES = {
    "reverse": "also ask the answer, to recall the question (a reversed card)",
    "type": "type the answer in Anki and on the site (a short answer)",
}
KEYS = {
    "tags": "Anki tags for this card, separated by spaces (a::b for a hierarchy)",
}


@dataclass(frozen=True)
class HeadingAttrs:
    id: str | None = None
    classes: tuple[str, ...] = ()
    values: tuple[tuple[str, str], ...] = ()

    def get(self, key: str) -> str | None:
        return next((v for k, v in self.values if k == key), None)


def parse(content: str) -> HeadingAttrs | None:
    """The attributes in a block's content (between the braces), or None
    when it is not an attribute block."""
    pos, ident, classes, values = 0, None, [], []
    content = content.rstrip()
    while pos < len(content):
        m = _ITEM_RE.match(content, pos)
        if m is None or m.end() == pos:
            return None
        if m.group("id") is not None:
            if ident is not None:
                return None  # two ids: not ours to guess
            ident = m.group("id")
        elif m.group("cls") is not None:
            classes.append(m.group("cls"))
        else:
            values.append((m.group("key"), m.group("quoted") if m.group("quoted") is not None else m.group("bare")))
        pos = m.end()
    if ident is None and not classes and not values:
        return None
    return HeadingAttrs(ident, tuple(dict.fromkeys(classes)), tuple(values))


def split(text: str) -> tuple[str, HeadingAttrs | None]:
    """`text` (a heading's last text) without its attribute block, and the block."""
    m = BLOCK_RE.search(text)
    attrs = parse(m.group(1)) if m else None
    return (text[: m.start()], attrs) if m and attrs else (text, None)


def problems(attrs: HeadingAttrs) -> list[str]:
    """Warnings about options and keys cardpress does not know."""
    out = []
    for name in attrs.classes:
        if name not in CLASSES:
            out.append(f"unknown card option '.{short(name)}'; known: {', '.join('.' + c for c in CLASSES)}")
    for key, _value in attrs.values:
        if key not in KEYS:
            out.append(f"unknown heading attribute '{short(key)}='; known: {', '.join(k + '=' for k in KEYS)}")
    return out


def tags(value: str) -> tuple[tuple[str, ...], list[str]]:
    """A `tags="..."` value as Anki tags, and warnings for what had to change:
    tags are separated by spaces, `::` nests them; quotes and control
    characters go (Anki's tags cannot hold them)."""
    out: dict[str, None] = {}
    warnings = []
    for raw in value.split():
        tag = unicodedata.normalize("NFC", raw)
        cleaned = "".join(ch for ch in tag if ch.isprintable() and ch not in '"').strip(":")
        cleaned = re.sub(r":{3,}", "::", cleaned)
        if cleaned != tag:
            warnings.append(f"tag '{short(tag)}' holds characters Anki tags cannot; using '{short(cleaned)}'")
        if cleaned:
            out[cleaned] = None
    return tuple(out), warnings
