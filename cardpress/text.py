"""Facts about text that several modules need: which characters are Hangul,
which are invisible controls, and how to quote user text in a message.
Stdlib only."""

from __future__ import annotations

import re

# Hangul in every block Unicode has: Jamo, Compatibility Jamo, Jamo
# Extended-A, Syllables, Jamo Extended-B (a character class body).
HANGUL = "\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7a3\ud7b0-\ud7ff"
HANGUL_RE = re.compile(f"[{HANGUL}]")
# The 11,172 precomposed syllables: what Korean text is made of once NFC.
HANGUL_SYLLABLE_RE = re.compile("[\uac00-\ud7a3]")
LATIN_RE = re.compile(r"[A-Za-z]")
# A language tag as frontmatter and settings take it: `ko`, `en-US`, `zh-Hant-TW`.
LANG_RE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")

# C0 controls other than tab, newline, carriage return and form feed, DEL,
# and C1 controls (what a CP1252 file decoded as Latin-1 leaves behind).
# They are invisible, mean nothing in a card, and some break XML-based tools.
CONTROL_RE = re.compile("[\x01-\x08\x0b\x0e-\x1f\x7f-\x9f]")

# Every C0 control but tab, newline and carriage return, DEL and every C1
# control: what must never reach an output. Anki splits a note's fields on
# U+001F (one in a field and the whole package is rejected), XML refuses
# most of them, a terminal obeys ESC and BEL.
FIELD_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# ... and in text printed to a terminal, carriage returns too (one hides
# what came before it on the line).
PRINT_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def script_language(text: str) -> str:
    """'ko' when `text` is mostly Korean, else 'en'. A Hangul syllable
    carries about a word's worth of a Latin letter run, so notes like
    "Sigmoid보다 ReLU를 쓰는 이유는?" count as Korean."""
    hangul = len(HANGUL_RE.findall(text))
    return "ko" if hangul and hangul * 3 >= len(LATIN_RE.findall(text)) else "en"


def strip_controls(text: str) -> str:
    """`text` without the control characters no output may hold (titles,
    fields, anything written to a file)."""
    return FIELD_CONTROL_RE.sub("", text) if FIELD_CONTROL_RE.search(text) else text


def printable(text: str) -> str:
    """Text safe to print on a terminal, piped or not: each control
    character (ESC, BEL, CR, C1...) becomes '?', so escape sequences in a
    title or a file name never act on the terminal, yet the message still
    shows that something was there. Newlines and tabs stay."""
    return PRINT_CONTROL_RE.sub("?", text) if PRINT_CONTROL_RE.search(text) else text


def short(text: str, limit: int = 60) -> str:
    """User text quoted in a message: one line, printable, at most `limit`
    characters (escape sequences and the like never reach the terminal)."""
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
