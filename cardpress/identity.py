"""Stable identities: card keys, Anki GUIDs and ids.

Everything here is a pure function of the notes' text, so the same sources
give the same ids on every build and every machine. Anki matches notes by
GUID only (a new GUID is a new note, and its review history stays with the
old one), so these functions are the contract that keeps users' history:
change them and every user's next import duplicates their whole collection.
"""

from __future__ import annotations

import base64
import hashlib
import re
import unicodedata

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


def slugify(text: str) -> str:
    """A readable key: NFC, case-folded, runs of anything that is not a
    letter or digit become one `-`. Hangul stays Hangul (`relu의-문제점은`),
    so keys and anchors read like the question.

    Case and punctuation do not change the key: "ReLU란?", "relu란" and
    "ReLU란!" are the same card, which is what a user fixing a typo expects.
    A space is a word boundary, so "ReLU 란" is another key ("relu-란").
    """
    text = unicodedata.normalize("NFC", text).casefold()
    return _NON_WORD.sub("-", text).strip("-_") or "card"


def _digest(*parts: str) -> bytes:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()


def note_guid(deck_title: str, card_key: str) -> str:
    """The Anki GUID: depends on the deck and the card's key, never on the
    answer, so answer edits update the note in place."""
    return "cp-" + base64.b32encode(_digest("note", deck_title, card_key)[:10]).decode("ascii").lower()


def deck_id(deck_title: str) -> int:
    # genanki and Anki want a positive 63-bit id; stay in 2**30..2**31 like
    # genanki's own examples so older Anki versions are happy too.
    value = int.from_bytes(_digest("deck", deck_title)[:8], "big")
    return (1 << 30) + value % (1 << 30)


def content_hash(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]
