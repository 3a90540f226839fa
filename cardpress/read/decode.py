"""Bytes -> text: UTF-8 (with or without BOM), LF line ends, NFC, no
invisible controls. Everything else is a diagnostic that says how to fix it."""

from __future__ import annotations

import unicodedata

from ..text import CONTROL_RE, HANGUL_SYLLABLE_RE
from .sink import Sink


def decode(data: bytes, sink: Sink) -> str | None:
    """The file's text, or None (with an error in `sink`) when it is not text
    cardpress can read."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        sink.error(1, "file is UTF-16; save it as UTF-8")
        return None
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        sink.error(line, "file contains NUL bytes; is it a binary file, not Markdown?")
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        sink.error(data.count(b"\n", 0, exc.start) + 1,
                   f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); {_encoding_hint(data, sink.display)}")
        return None
    # CRLF and lone CR: markdown-it treats both as line ends, but a stray
    # \r must never reach a card's HTML.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Hangul typed or pasted on macOS can arrive decomposed (NFD jamo):
    # it renders as loose letters in some fonts and never matches a
    # search or a card id typed as NFC. Line structure is unchanged.
    text = unicodedata.normalize("NFC", text)
    if CONTROL_RE.search(text):
        for n, line_text in enumerate(text.split("\n"), 1):
            found = CONTROL_RE.findall(line_text)
            if found:
                codes = ", ".join(sorted({f"U+{ord(c):04X}" for c in found}))
                sink.warn(n, f"invisible control character {codes} removed")
        text = CONTROL_RE.sub("", text)
    return text


def _encoding_hint(data: bytes, display: str) -> str:
    try:
        korean = bool(HANGUL_SYLLABLE_RE.search(data.decode("cp949")))
    except UnicodeDecodeError:
        korean = False
    if korean:
        return ("it looks like CP949/EUC-KR (Korean Windows); convert it with "
                f"`iconv -f cp949 -t utf-8 {display} > fixed.md` or save it as UTF-8 in your editor")
    return "save it as UTF-8"
