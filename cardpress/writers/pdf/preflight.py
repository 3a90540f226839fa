"""What the PDF would warn about, known before anything is written: run by
the build's gather step (and so by `cardpress check`) whenever the PDF is
among the formats, so `check` and `build` print the same diagnostics and
`--strict` stops before a single file is written.

It runs the print preparation itself (`text.prepare`) on each card, so it
cannot disagree with the writer; cheap tests skip it for the (usual) cards
that have nothing to report. Each problem is reported at the line of the
character or image, found in the source lines of the card's range (from its
question heading to the next question), and grouped per file:
- a character no bundled font has (glyphs.py), once per character, with
  how many times it occurs and where first;
- remote images the PDF does not download, once, at the first one's line;
- unbroken runs the PDF has to break, and HTML nested too deep to lay out,
  at their card.
Formulas are left out: mathtex draws them, and the reader warns about those
it cannot.

Never imports WeasyPrint (a check must stay quick).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import unquote

from ... import glyphs
from ...markup import map_math
from ...model import Deck, Diagnostic, Library, SourceLocation
from ...text import short
from . import runs, text
from .formulas import source_span
from .words import words_for

Lines = Callable[[Deck], "list[str] | None"]

# A drawn formula, as far as print preparation is concerned: an inline
# element holding a (text-less) SVG.
_DRAWN = '<span class="cp-math-print"><svg></svg></span>'
# WARN_RUN characters with no break between them, once the tags are gone:
# what any run worth a warning holds (one across a block tag is a false
# alarm, which the full preparation then clears).
_LONG_RE = re.compile(f"{runs.RUN_CHAR}{{{runs.WARN_RUN},}}")
_TAG_RE = re.compile("<[^>]*>")
_SHOWN_LINES = 8  # other lines named in a grouped message


def check(library: Library, lines_of: Lines) -> list[Diagnostic]:
    """The PDF's warnings for every deck that gets a PDF (one with cards).
    `lines_of(deck)`: its file's lines, read only when a problem needs its
    line (None when the file cannot be read again: its card's line then)."""
    out: list[Diagnostic] = []
    for deck in library.decks:
        if deck.cards:
            out += _DeckCheck(deck, lines_of).run()
    return out


@dataclass
class _Piece:
    """Some HTML the PDF prints, and the source lines it comes from."""

    html: str
    first: int  # 1-based, inclusive
    last: int | None  # inclusive; None: to the end of the file
    location: SourceLocation  # where to report what has no line of its own


@dataclass
class _DeckCheck:
    deck: Deck
    lines_of: Lines
    _lines: list[str] | None = None
    _read: bool = False
    missing: dict[str, list] = field(default_factory=dict)  # char -> [times, first location]
    remote: dict[tuple[str, int], None] = field(default_factory=dict)  # (url, line), in order
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def lines(self) -> list[str]:
        if not self._read:
            self._read, self._lines = True, self.lines_of(self.deck)
        return self._lines or []

    def run(self) -> list[Diagnostic]:
        deck = self.deck
        starts = [c.location.line for c in deck.cards]
        head = _Piece("", 1, starts[0] - 1, deck.location)
        for value in (deck.title, deck.author, deck.source_path):
            for ch in glyphs.uncovered(value):
                self.add_missing(ch, 1, head)
        self.look(_Piece(deck.description_html, 1, starts[0] - 1, deck.location))
        for i, card in enumerate(deck.cards):
            last = starts[i + 1] - 1 if i + 1 < len(starts) else None
            for html in (card.question_html, card.answer_html):
                self.look(_Piece(html, card.location.line, last, card.location))
        return self.report()

    def look(self, piece: _Piece) -> None:
        html = piece.html
        if not _worth_a_look(html):
            return
        printed = map_math(html, lambda f: source_span(f) if f.error else _DRAWN)
        prepared = text.prepare(printed, words=words_for(self.deck.lang))
        for ch, times in prepared.missing.items():
            self.add_missing(ch, times, piece)
        after: dict[str, int] = {}  # url -> the line after its last occurrence found
        for url, _alt in prepared.remote_images:
            line = self.line_of((url, unquote(url)), piece, after.get(url, piece.first))
            after[url] = line + 1
            self.remote.setdefault((url, line), None)
        if prepared.longest_run:
            self.warn(piece.location, f"an unbroken run of {prepared.longest_run} characters: the PDF breaks it "
                                      f"every {runs.BREAK_EVERY} characters")
        if prepared.flattened:
            self.warn(piece.location, f"HTML nested more than {text.PRINT_MAX_DEPTH} levels deep: the PDF leaves "
                                      "the deeper tags out and prints their text")

    def add_missing(self, ch: str, times: int, piece: _Piece) -> None:
        where = SourceLocation(piece.location.path, self.line_of((ch,), piece))
        seen = self.missing.setdefault(ch, [0, where])
        seen[0] += times
        seen[1] = min(seen[1], where)

    def line_of(self, needles: tuple[str, ...], piece: _Piece, start: int = 0) -> int:
        """The first line of the piece's range (from `start` on) holding one
        of `needles`, else the line it is reported at."""
        lines = self.lines()
        last = len(lines) if piece.last is None else min(piece.last, len(lines))
        for n in range(max(piece.first, start, 1), last + 1):
            if any(needle in lines[n - 1] for needle in needles):
                return n
        return piece.location.line

    def warn(self, location: SourceLocation, message: str) -> None:
        self.diagnostics.append(Diagnostic.warning(location, message))

    def report(self) -> list[Diagnostic]:
        for ch, (times, where) in self.missing.items():
            count = f", {times} times (first here)" if times > 1 else ""
            self.warn(where, f"no bundled font has {glyphs.describe(ch)}{count}; the PDF prints its code point "
                             "(U+...) instead")
        if self.remote:
            self.diagnostics.append(_remote_warning(self.deck, list(self.remote)))
        return self.diagnostics


def _worth_a_look(html: str) -> bool:
    """Whether preparing `html` for print may have something to report
    (False is certain): an uncovered character, a remote image, a run
    long enough to warn about, or enough tags to nest too deep."""
    if not html:
        return False
    return (glyphs.maybe_uncovered(html) or ("<img" in html and "http" in html)
            or html.count("<") > text.PRINT_MAX_DEPTH
            or (len(html) >= runs.WARN_RUN and bool(_LONG_RE.search(_TAG_RE.sub("", html)))))


def _remote_warning(deck: Deck, found: list[tuple[str, int]]) -> Diagnostic:
    """One warning for a file's remote images, at the first one's line."""
    (url, line), others = found[0], sorted({n for _u, n in found[1:]} - {found[0][1]})
    where = SourceLocation(deck.location.path, line)
    shown = short(unquote(url), 80)  # as the user typed it
    if len(found) == 1:
        return Diagnostic.warning(where, f"remote image '{shown}' is not downloaded for the PDF, which prints a "
                                         "placeholder; --fetch-remote-media downloads it")
    also = ", ".join(map(str, others[:_SHOWN_LINES])) + ("…" if len(others) > _SHOWN_LINES else "")
    lines = f"; also on line(s) {also}" if others else ""
    return Diagnostic.warning(where, f"{len(found)} remote images are not downloaded for the PDF, which prints "
                                     f"placeholders (first here: '{shown}'{lines}); --fetch-remote-media "
                                     "downloads them")

