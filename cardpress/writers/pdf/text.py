"""Print preparation of card HTML for the PDF: Korean line breaking, remote
image placeholders and glyph coverage. Pure text work on the sanitized HTML
the reader made (no WeasyPrint here, so it is cheap to test and reuse, and
`preflight.py` runs it before the build writes anything).

Everything works on text nodes only: tags and attribute values pass through
untouched, so a URL or an alt text never gets a joiner inside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape, unescape
from typing import Mapping

from ... import glyphs
from ...markup import Tag, map_media, tokens
from ...nesting import Nesting
from ...text import HANGUL
from . import links, media
from .codelines import code_lines
from .runs import BREAK_EVERY, LONG_RUN, RUN_CHAR, WARN_RUN, ZWSP, break_runs
from .words import WORDS

__all__ = ["BREAK_EVERY", "LONG_RUN", "PRINT_MAX_DEPTH", "Prepared", "RUN_CHAR", "WARN_RUN", "WORD_JOINER", "ZWSP",
           "break_runs", "join_hangul", "mark_missing", "plain_missing", "prepare"]

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


# Elements nested inside a card that WeasyPrint lays out: it recurses per
# level and ran out of stack near 130 (300 nested <span> crashed the
# writer). Deeper tags are left out, their text kept.
PRINT_MAX_DEPTH = 64


@dataclass
class Prepared:
    """A card's HTML ready for print, and what print preparation noticed."""

    html: str
    remote_images: list[tuple[str, str]] = field(default_factory=list)  # (url, alt)
    missing: dict[str, int] = field(default_factory=dict)  # characters no bundled font draws -> times printed
    images: list[str] = field(default_factory=list)  # local image URLs, relative to the source folder
    longest_run: int = 0  # the longest unbroken run given break opportunities, if WARN_RUN or longer
    flattened: bool = False  # tags nested deeper than PRINT_MAX_DEPTH were left out


class _Printer:
    """One card's HTML, tag by tag and text by text, made ready for print."""

    def __init__(self, anchors: Mapping[str, str], words: Mapping[str, str]) -> None:
        self.anchors = anchors
        self.words = words
        self.out: list[str] = []
        self.result = Prepared("")
        self.missing: dict[str, int] = {}
        self.nesting = Nesting(PRINT_MAX_DEPTH)
        self.code_depth = 0
        self.last = ""  # the last prose character, while no block boundary follows it
        self.run = 0  # the unbroken run the next text continues

    def tag(self, tag: Tag, alone: bool = False) -> None:
        opening = not tag.closing and not tag.raw.endswith("/>")
        if tag.name in _CODE_TAGS and not tag.raw.endswith("/>"):
            self.code_depth = max(self.code_depth + (-1 if tag.closing else 1), 0)
        if tag.name not in _INLINE_TAGS:
            self.last, self.run = "", 0
        # `<path/>` (a formula's SVG) closes itself: no nesting.
        if opening or tag.closing:
            if not (self.nesting.end(tag.name) if tag.closing else self.nesting.start(tag.name)):
                self.result.flattened = True
                return
        if tag.name == "img" and not tag.closing:
            self.out.append(self.image(tag, alone))
        elif tag.name == "a" and not tag.closing:
            self.out.append(links.link_tag(tag, self.anchors))
        else:
            self.out.append(tag.raw)

    def image(self, tag: Tag, alone: bool) -> str:
        attrs = tag.attrs()
        src = attrs.get("src", "")
        if src.lower().startswith(("http://", "https://")):
            alt = attrs.get("alt", "")
            self.result.remote_images.append((src, alt))
            if alone:
                return remote_placeholder(src, alt, self.missing, self.words)
            return remote_inline(alt, self.missing, self.words)
        url = links.image_url(src)
        if url is None:
            return tag.raw
        self.result.images.append(url)
        return links.image_tag(tag, url)

    def text(self, part: str) -> None:
        code = bool(self.code_depth)
        part, self.run, longest = break_runs(part, self.run, WARN_RUN if code else LONG_RUN)
        if longest >= WARN_RUN:
            self.result.longest_run = max(self.result.longest_run, longest)
        if code:
            self.out.append(mark_missing(part, self.missing))
            self.last = ""
            return
        text = unescape(part)
        joined = (WORD_JOINER if _joins(self.last, text[:1]) else "") + join_hangul(part)
        self.out.append(mark_missing(joined, self.missing))
        self.last = text[-1:]

    def done(self) -> Prepared:
        self.result.html = "".join(self.out)
        self.result.missing = self.missing
        return self.result


def prepare(html: str, anchors: Mapping[str, str] | None = None, words: Mapping[str, str] | None = None) -> Prepared:
    """Join Hangul words, give long unbroken runs break opportunities,
    replace sound and video with a mark naming them (media.py), remote
    images with a placeholder (both in `words`' language) and
    characters the bundled fonts lack (glyphs.py) with a visible code-point
    mark, after folding math letters to plain ones, working on text nodes
    only; point links and images where print wants them (links.py:
    `anchors` maps card ids to their anchors in this PDF), and leave out
    tags nested deeper than PRINT_MAX_DEPTH.

    Missing characters are never left to the renderer: it would draw an
    empty box and, worse, re-encode that whole font in the PDF with a custom
    CMap that pypdf and pdfminer cannot read, so the text of the whole PDF
    (every character in that face) would become unsearchable for them."""
    words = words or WORDS["ko"]
    html = code_lines(map_media(html, media.marker(words)))  # sound and video as a mark; code: one box a line
    printer = _Printer(anchors or {}, words)
    parts = list(tokens(html))
    for i, part in enumerate(parts):
        if isinstance(part, Tag):
            printer.tag(part, part.name == "img" and _alone(parts, i))
        else:
            printer.text(part)
    return printer.done()


def _alone(parts: list[Tag | str], i: int) -> bool:
    """Whether the image at `parts[i]` stands alone in its block (a
    paragraph of its own, perhaps inside a link), rather than in a line of
    text or beside other images."""
    return _edge(parts, i, -1) and _edge(parts, i, 1)


def _edge(parts: list[Tag | str], i: int, step: int) -> bool:
    """Whether a block boundary comes before (-1) or after (1) `parts[i]`,
    with only white space and link tags between."""
    j = i + step
    while 0 <= j < len(parts):
        part = parts[j]
        if isinstance(part, str):
            if part.strip():
                return False
        elif part.name != "a":
            return part.name not in _INLINE_TAGS and part.name not in ("img", "br", "wbr")
        j += step
    return True


def mark_missing(html_text: str, found: dict[str, int] | None = None) -> str:
    """Escaped text with math letters folded (glyphs.fold) and each
    character no bundled font draws replaced by a small framed `U+XXXX`
    (counted in `found`). Entities are ASCII, so working on escaped text is
    safe."""
    html_text = glyphs.fold(html_text)
    if not glyphs.maybe_uncovered(html_text):  # the common case, fast
        return html_text
    out = []
    for ch in html_text:
        if glyphs.covered(ch):
            out.append(ch)
        else:
            if found is not None:
                found[ch] = found.get(ch, 0) + 1
            out.append(f'<span class="cp-missing">U+{ord(ch):04X}</span>')
    return "".join(out)


def plain_missing(text: str) -> str:
    """Plain text (a running header) with math letters folded and
    uncovered characters as '□'."""
    text = glyphs.fold(text)
    return "".join(ch if glyphs.covered(ch) else "\u25a1" for ch in text)


def remote_placeholder(url: str, alt: str, found: dict[str, int], words: Mapping[str, str]) -> str:
    """What the PDF shows instead of an image it will not download, where
    the image stands as a block of its own: a framed box with the alt text
    and the address, so a reader can look it up."""
    label = escape(alt) if alt else words["image"]
    return (
        '<span class="cp-remote-image">'
        f'<span class="cp-remote-label">{mark_missing(join_hangul(label), found)}</span>'
        f'<span class="cp-remote-note">{join_hangul(escape(words["remote_note"]))}</span>'
        f'<span class="cp-remote-url">{mark_missing(escape(url), found)}</span>'
        "</span>"
    )


def remote_inline(alt: str, found: dict[str, int], words: Mapping[str, str]) -> str:
    """The same, for an image in a line of text (a badge, an icon): a small
    framed label that keeps the line's height; the address is left out."""
    label = escape(alt) if alt else words["image"]
    return f'<span class="cp-remote-inline">{mark_missing(join_hangul(label), found)}</span>'
