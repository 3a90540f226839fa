"""Print preparation of card HTML for the PDF: Korean line breaking, remote
image placeholders and glyph coverage. Pure text work on the sanitized HTML
the reader made (no WeasyPrint here, so it is cheap to test and reuse).

Everything works on text nodes only: tags and attribute values pass through
untouched, so a URL or an alt text never gets a joiner inside it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape, unescape
from pathlib import Path

from ...markup import Tag, tokens
from ...text import HANGUL
from .codelines import code_lines

WORD_JOINER = "\u2060"

# Korean keeps a whole space-separated word (eojeol) on one line, Latin and
# digits included ("ReLU의", "0또는"), which is what CSS `word-break:
# keep-all` means. WeasyPrint 70 ignores keep-all, and Pango's UAX #14 rules
# allow a break between any two Hangul syllables; U+2060 WORD JOINER
# forbids it and draws nothing. Punctuation keeps its normal break rules.
_JOIN_RE = re.compile(rf"(?<=[{HANGUL}])(?=[^\W_])|(?<=[^\W_])(?=[{HANGUL}])")

# Text inside these is code: copied verbatim, drawn with the monospace face.
_CODE_TAGS = frozenset({"pre", "code", "kbd", "samp"})
# Inline tags do not end a word: `<b>ReLU</b>의` is one word.
_INLINE_TAGS = frozenset({"a", "abbr", "b", "cite", "code", "del", "dfn", "em", "i", "ins", "kbd", "mark",
                          "q", "s", "samp", "small", "span", "strong", "sub", "sup", "u", "var"})


def join_hangul(text: str) -> str:
    return _JOIN_RE.sub(WORD_JOINER, text)


def _joins(before: str, after: str) -> bool:
    """Whether a word joiner belongs between two adjacent characters."""
    return bool(before and after and _JOIN_RE.match(before + after, 1))


@dataclass
class Prepared:
    """A card's HTML ready for print, and what print preparation noticed."""

    html: str
    remote_images: list[tuple[str, str]] = field(default_factory=list)  # (url, alt)
    missing: list[str] = field(default_factory=list)  # characters no bundled font draws


def prepare(html: str, have: frozenset[int]) -> Prepared:
    """Join Hangul words, replace remote images with a placeholder and
    characters the bundled fonts lack (`have`: their code points) with a
    visible code-point mark, working on text nodes only.

    Missing characters are never left to the renderer: it would draw an
    empty box and, worse, re-encode that whole font in the PDF with a custom
    CMap that pypdf and pdfminer cannot read, so the text of the whole PDF
    (every character in that face) would become unsearchable for them."""
    html = code_lines(html)  # one box per code line: wrapped lines hang (codelines.py)
    out: list[str] = []
    remote: list[tuple[str, str]] = []
    missing: dict[str, None] = {}
    code_depth = 0
    last = ""  # the last prose character, while no block boundary follows it
    for part in tokens(html):
        if isinstance(part, Tag):
            if part.name in _CODE_TAGS and not part.raw.endswith("/>"):
                code_depth = max(code_depth + (-1 if part.closing else 1), 0)
            if part.name not in _INLINE_TAGS:
                last = ""
            if part.name == "img" and not part.closing:
                attrs = part.attrs()
                src = attrs.get("src", "")
                if src.lower().startswith(("http://", "https://")):
                    alt = attrs.get("alt", "")
                    remote.append((src, alt))
                    out.append(remote_placeholder(src, alt, have, missing))
                    continue
            out.append(part.raw)
            continue
        if code_depth:
            out.append(mark_missing(part, have, missing))
            last = ""
        else:
            text = unescape(part)
            joined = (WORD_JOINER if _joins(last, text[:1]) else "") + join_hangul(part)
            out.append(mark_missing(joined, have, missing))
            last = text[-1:]
    return Prepared("".join(out), remote, list(missing))


def mark_missing(html_text: str, have: frozenset[int], found: dict[str, None] | None = None) -> str:
    """Escaped text with each character no bundled font draws replaced by a
    small framed `U+XXXX` (recorded in `found`). Entities are ASCII, so
    working on escaped text is safe."""
    if all(ord(ch) in have for ch in html_text):  # the common case, fast
        return html_text
    out = []
    for ch in html_text:
        if ord(ch) in have or _ignorable(ch):
            out.append(ch)
        else:
            if found is not None:
                found[ch] = None
            out.append(f'<span class="cp-missing">U+{ord(ch):04X}</span>')
    return "".join(out)


def plain_missing(text: str, have: frozenset[int]) -> str:
    """Plain text (a running header) with uncovered characters as '□'."""
    return "".join(ch if ord(ch) in have or _ignorable(ch) else "\u25a1" for ch in text)


def remote_placeholder(url: str, alt: str, have: frozenset[int], found: dict[str, None]) -> str:
    """What the PDF shows instead of an image it will not download: a framed
    box with the alt text and the address, so a reader can look it up."""
    label = escape(alt) if alt else "그림"
    return (
        '<span class="cp-remote-image">'
        f'<span class="cp-remote-label">{mark_missing(join_hangul(label), have, found)}</span>'
        '<span class="cp-remote-note">인터넷 그림 · 인쇄본에는 싣지 않음</span>'
        f'<span class="cp-remote-url">{mark_missing(escape(url), have, found)}</span>'
        "</span>"
    )


# -- glyph coverage ---------------------------------------------------------

def _ignorable(ch: str) -> bool:
    """Characters that draw nothing, so no font needs them: spaces,
    controls, format characters (joiners, bidi marks) and variation
    selectors (the emoji-presentation U+FE0F after a symbol)."""
    if ch.isspace():
        return True
    cat = unicodedata.category(ch)
    if cat in ("Cc", "Cf", "Zl", "Zp"):
        return True
    cp = ord(ch)
    return 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF


# Invisible characters the text may hold (checked with _ignorable over the
# ranges where they live): counted as covered, since nothing is drawn.
IGNORABLE = frozenset(
    cp for rng in (range(0x0000, 0x3100), range(0xFE00, 0xFE10), range(0xFEFF, 0xFF00),
                   range(0xE0000, 0xE0080), range(0xE0100, 0xE01F0))
    for cp in rng if _ignorable(chr(cp))
)


@lru_cache(maxsize=None)
def font_cmap(path: Path) -> frozenset[int]:
    """Code points a font file maps to a glyph (fontTools reads only the
    cmap table: milliseconds, even for an 11,172-syllable font)."""
    from fontTools.ttLib import TTFont

    with TTFont(str(path), lazy=True) as font:
        return frozenset(font.getBestCmap())


def describe(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return f"'{ch}' (U+{ord(ch):04X}{' ' + name if name else ''})"
