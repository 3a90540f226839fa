"""Which characters the PDF can draw, known from the bundled print faces'
character maps without laying out a page: the one module that reads them
(fontTools, the `cmap` table only). `cardpress check` and the PDF writer
both ask here, so they agree on every character.

- `coverage()`: the code points some bundled print face draws (the union:
  the renderer falls back from one bundled face to the next), plus the
  invisible characters that need no glyph;
- `fold()`: what the PDF prints for Mathematical Alphanumeric Symbols
  (U+1D400-1D7FF, "𝐈𝐍𝐓𝐄𝐑𝐕𝐀𝐋" typed to look bold): the plain letters and
  digits they are styled from (their NFKC form), which every face has;
- `uncovered(text)`: the characters of `text` that print as their code
  point, since no bundled face has them (after folding).

Text made only of ASCII, Hangul and the common punctuation never needs the
fonts read (PLAIN_RANGES; tests pin that the faces cover those), so most
checks cost nothing.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from .fonts import print_faces

# Mathematical Alphanumeric Symbols: bold, italic, script, double-struck...
# letters and digits. Their NFKC form is the plain letter or digit.
MATH_ALNUM_RE = re.compile("[\U0001D400-\U0001D7FF]")

# Characters every bundled text face draws (tests/test_glyphs.py checks it
# against the fonts): text of nothing else needs no font read at all. ASCII,
# Latin-1, the common punctuation (dashes, quotes, ·, …, ※), ←↑→↓, ①-⑳,
# Hangul (compatibility jamo and syllables) and fullwidth forms.
PLAIN_RANGES = ((0x20, 0x7E), (0xA0, 0xFF), (0x2010, 0x2027), (0x2030, 0x205E), (0x2190, 0x2199),
                (0x2460, 0x2473), (0x3131, 0x3164), (0xAC00, 0xD7A3), (0xFF01, 0xFF5E))
# ... plus the invisible breaks and joiners print preparation inserts
# (ZWSP, WORD JOINER), which need no glyph.
_PLAIN_RE = re.compile("[^\t\n\r\u200b\u2060"
                       + "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in PLAIN_RANGES) + "]")


def fold(text: str) -> str:
    """`text` with each Mathematical Alphanumeric Symbol as the plain letter
    or digit it is styled from (NFKC on those characters only: `ﬁ`, `①`,
    `ｶ` and the like stay as written). For print only: the site and Anki
    show the notes as written."""
    if not MATH_ALNUM_RE.search(text):
        return text
    return MATH_ALNUM_RE.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), text)


def ignorable(ch: str) -> bool:
    """Characters that draw nothing, so no font needs them: spaces,
    controls, format characters (joiners, bidi marks) and variation
    selectors (the emoji-presentation U+FE0F after a symbol)."""
    if ch.isspace():
        return True
    if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
        return True
    cp = ord(ch)
    return 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF


# Invisible characters the text may hold (checked with `ignorable` over the
# ranges where they live): counted as covered, since nothing is drawn.
IGNORABLE = frozenset(
    cp for rng in (range(0x0000, 0x3100), range(0xFE00, 0xFE10), range(0xFEFF, 0xFF00),
                   range(0xE0000, 0xE0080), range(0xE0100, 0xE01F0))
    for cp in rng if ignorable(chr(cp))
)


@lru_cache(maxsize=None)
def font_cmap(path: Path) -> frozenset[int]:
    """Code points a font file maps to a glyph (fontTools reads only the
    cmap table: milliseconds, even for an 11,172-syllable font)."""
    from fontTools.ttLib import TTFont

    with TTFont(str(path), lazy=True) as font:
        return frozenset(font.getBestCmap())


@lru_cache(maxsize=1)
def coverage() -> frozenset[int]:
    """Every code point some bundled print face draws, plus the invisible
    characters that need no glyph."""
    have: set[int] = set(IGNORABLE)
    for face in print_faces():
        have |= font_cmap(face.print_path)
    return frozenset(have)


@lru_cache(maxsize=1)
def _printable() -> frozenset[int]:
    """`coverage()` plus the math letters whose folded form it covers."""
    have = coverage()
    folded = {cp for cp in range(0x1D400, 0x1D800)
              if all(ord(c) in have for c in unicodedata.normalize("NFKC", chr(cp))) and chr(cp) != fold(chr(cp))}
    return have | folded


@lru_cache(maxsize=1)
def _unprintable_re() -> re.Pattern[str]:
    """A character class matching what `_printable()` lacks."""
    spans: list[str] = []
    cps = sorted(_printable())
    start = prev = cps[0]
    for cp in [*cps[1:], None]:
        if cp is not None and cp == prev + 1:
            prev = cp
            continue
        spans.append(re.escape(chr(start)) + ("-" + re.escape(chr(prev)) if prev > start else ""))
        if cp is not None:
            start = prev = cp
    return re.compile(f"[^{''.join(spans)}]")


def maybe_uncovered(text: str) -> bool:
    """Whether `text` may hold a character no bundled face draws: False is
    certain (and cheap: no font is read for text in PLAIN_RANGES)."""
    return bool(_PLAIN_RE.search(text)) and bool(_unprintable_re().search(text))


def covered(ch: str) -> bool:
    """Whether the PDF draws `ch` (folded first) in a bundled face."""
    return ord(ch) in _printable() or ignorable(ch)


def uncovered(text: str) -> list[str]:
    """The characters of `text` the PDF prints as their code point, in
    order, repeats included."""
    if not maybe_uncovered(text):
        return []
    return [ch for ch in _unprintable_re().findall(text) if not ignorable(ch)]


def describe(ch: str) -> str:
    """`'📌' (U+1F4CC PUSHPIN)`: a character as a message names it."""
    name = unicodedata.name(ch, "")
    return f"'{ch}' (U+{ord(ch):04X}{' ' + name if name else ''})"
