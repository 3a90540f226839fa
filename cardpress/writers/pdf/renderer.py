"""One build's PDF machinery: the only module that imports weasyprint.

The rules that keep the result exact and repeatable:
- fonts: only the bundled faces are visible to the renderer (system fonts
  are shut out), so coverage is known exactly, up front (glyphs.py), and
  checked before the build writes anything (preflight.py);
- resources: a fetcher that serves files from the source tree and the
  bundled assets, and nothing from the network;
- bytes: no clock-derived dates, a content-derived file identifier, and
  SOURCE_DATE_EPOCH set while fonts are subset.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit
from urllib.request import url2pathname

import pydyf
import weasyprint
from markupsafe import Markup
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from ...context import WriteContext
from ...fonts import print_faces
from ...markup import MATH_CLASS
from ...model import Card, Deck, Diagnostic, SourceLocation
from ...paths import ASSETS_DIR
from ...reproducible import source_date_epoch
from . import formulas, layout, sides, text
from .capture import LogCatcher, catch_logs, environ
from .words import WORDS, counted, language, words_for

# A fontconfig configuration with no font directories: the renderer then
# knows the @font-face fonts and nothing else, so a character the bundled
# faces lack is printed as its code point, with a warning, never in a
# lookalike from whatever fonts the machine happens to have.
_EMPTY_FONTCONFIG = (
    '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
    "<fontconfig></fontconfig>\n"
)

_NOTDEF = ".notdef glyph rendered"
# The only `data:` URLs served: the SVG icons print.css gives callouts
# (card HTML never holds one: the sanitizer allows no data: URL).
_ICON_DATA = "data:image/svg+xml,"


# The notes' folder as the renderer sees it: the same URL whatever folder
# they are built from, so nothing derived from a URL (WeasyPrint names
# images by theirs) makes the bytes depend on where the builder keeps them.
SOURCE_URL = "file:///cardpress-source/"
_SOURCE_PATH = PurePosixPath(urlsplit(SOURCE_URL).path)


class AssetFetcher(URLFetcher):
    """Serves `file:` URLs inside the given folders and refuses everything
    else at once: a build never waits on the network (remote images are
    replaced before rendering; this is the backstop), and notes cannot pull
    files from outside the source tree into a PDF. With `source`, SOURCE_URL
    stands for that folder (the notes), and `media` names files served
    there that live elsewhere: `remote-media/...` images that
    --fetch-remote-media downloaded into the output's cache."""

    def __init__(self, *roots: Path, source: Path | None = None, media: dict[str, Path] | None = None) -> None:
        super().__init__(allowed_protocols=("file",))
        self.roots = tuple(Path(r).resolve() for r in (*roots, *((source,) if source else ())))
        self.source = Path(source).resolve() if source else None
        self.media = dict(media or {})

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme.lower() == "data" and url.startswith(_ICON_DATA):  # callout icons (our CSS)
            return URLFetcherResponse(url, unquote(url[len(_ICON_DATA):]).encode("utf-8"),
                                      {"Content-Type": "image/svg+xml"})
        if parts.scheme.lower() != "file":
            raise ValueError(f"not fetched (no network in a build): {url}")
        where = PurePosixPath(url2pathname(parts.path))
        if self.source is not None and where.is_relative_to(_SOURCE_PATH):
            rel = where.relative_to(_SOURCE_PATH).as_posix()
            if rel in self.media:
                return self._serve(url, self.media[rel])
            where = self.source / rel
        path = Path(where).resolve()
        if not any(path.is_relative_to(root) for root in self.roots):
            raise PermissionError(f"not served (outside the source folder and assets): {path}")
        return self._serve(url, path)

    @staticmethod
    def _serve(url: str, path: Path) -> URLFetcherResponse:
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})


def css_string(value: str) -> Markup:
    """A CSS string literal, safe inside <style> (no `</style>` can end it)."""
    out = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("<", "\\3c ")
    return Markup(f'"{out}"')


@dataclass
class PrintCard:
    number: int
    anchor: str
    label: str  # plain text, for the PDF outline
    toc_html: str  # plain question text, joined: no links nested in the TOC's own link
    question_html: str
    answer_html: str
    source: Card
    key_question_html: str = ""  # the quiz key's question (a cloze card's filled in), else question_html
    ruled: int | None = None  # the quiz's ruled lines when not from the answer (sides.Side.lines)
    tags: tuple[Markup, ...] = ()  # the card's own tags, print-ready, under its question

    @property
    def lines(self) -> int:
        """Ruled lines the quiz leaves for writing the answer: one per ~40
        characters of the model answer (handwriting is larger than print),
        at least 2, at most 8."""
        if self.ruled is not None:
            return self.ruled
        return max(2, min(8, len(self.source.answer_text) // 40 + 1))


class Renderer:
    """One build's PDF machinery: fonts, fetcher, the rules above, and the
    problems met (`diagnostics`)."""

    def __init__(self, ctx: WriteContext, tmp: Path) -> None:
        self.ctx = ctx
        self.diagnostics: list[Diagnostic] = []
        self._warned: set[Diagnostic] = set()
        self.base_url = SOURCE_URL
        self.fetcher = AssetFetcher(ASSETS_DIR, source=Path(ctx.library.root),
                                    media={name: Path(path) for name, path in ctx.library.media_files})
        conf = tmp / "fonts.conf"
        conf.write_text(_EMPTY_FONTCONFIG, "utf-8")
        with environ(FONTCONFIG_FILE=str(conf)):
            self.font_config = FontConfiguration()
        self.fonts = [{"family": f.family, "weight": f.weight, "url": f.print_path.as_uri(), "format": f.print_format}
                      for f in print_faces()]
        self._reported: set[tuple[str, str]] = set()
        self._image_cards: dict[str, SourceLocation] = {}  # image URL -> the first card using it

    def warn(self, location: SourceLocation, message: str) -> None:
        diagnostic = Diagnostic.warning(location, message)
        if diagnostic not in self._warned:  # a card printed twice (both sides of a reversed one) warns once
            self._warned.add(diagnostic)
            self.diagnostics.append(diagnostic)

    # -- preparation -------------------------------------------------------

    def plain_html(self, value: str) -> str:
        """Plain text (a title, a file name) as print-ready HTML."""
        escaped, _run, _longest = text.break_runs(str(Markup.escape(value)))
        return text.mark_missing(text.join_hangul(escaped))

    def prepare(self, deck: Deck, start: int = 1) -> tuple[list[PrintCard], str]:
        """Print-ready cards, numbered from `start` (a folder's PDF numbers
        its decks' cards on), and deck description. What the PDF cannot show
        as written (missing glyphs, remote images, runs and nesting it had
        to bound) was reported before the build wrote anything
        (preflight.py, running the same preparation)."""
        # What the layout prints for each card (sides.py: both sides of a
        # reversed card, a cloze card per cN on flashcards).
        entries = [(card, side) for card in deck.cards for side in sides.sides(card, self.ctx.options.layout)]
        # Anchors by number (`handout.pdf#q-12` is card 12 as printed),
        # ASCII: Korean keys would be stored as long hex strings that the
        # join of a parallel build reads slowly. `#<card id>` links go to a
        # card's first.
        anchors: dict[str, str] = {}
        for number, (card, _side) in enumerate(entries, start):
            anchors.setdefault(card.key, f"q-{number}")
        words = words_for(deck.lang)
        desc = self._prepare_html(deck.description_html, deck.location, anchors, words)
        cards = []
        for number, (card, side) in enumerate(entries, start):
            q = self._prepare_html(side.question_html, card.location, anchors, words)
            a = self._prepare_html(side.answer_html, card.location, anchors, words)
            key_q = q if side.key_question_html is None else self._prepare_html(side.key_question_html,
                                                                                card.location, anchors, words)
            shown = sides.listed(card)
            cards.append(PrintCard(number, f"q-{number}", f"{number}. {shown.question_text}{side.label}",
                                   self.contents_html(shown), q, a, card, key_q, side.lines,
                                   tuple(Markup(self.plain_html(tag)) for tag in card.tags)))
        return cards, desc

    def _prepare_html(self, html: str, location: SourceLocation, anchors: dict[str, str],
                      words: dict[str, str]) -> str:
        prepared = text.prepare(self._math(html, location), anchors, words)
        for url in prepared.images:  # WeasyPrint names a file it cannot load by its URL
            self._image_cards.setdefault(urljoin(self.base_url, url), location)
        return prepared.html

    def _math(self, html: str, location: SourceLocation) -> str:
        """Formulas drawn for print; a warning for each that cannot be."""
        html, problems = formulas.for_print(html)
        for message in problems:
            self.warn(location, message)
        return html

    def contents_html(self, card: Card) -> str:
        """The question as the table of contents prints it: plain text, or,
        when it holds math, the question with its formulas drawn."""
        if MATH_CLASS not in card.question_html:
            return self.plain_html(card.question_text)
        return text.prepare(formulas.contents_entry(card.question_html)).html

    # -- rendering ---------------------------------------------------------

    def _report(self, logs: LogCatcher, deck: Deck) -> None:
        """WeasyPrint's warnings that matter to the user, once per deck:
        only what cannot be known before rendering. Missing glyphs are
        replaced before rendering (prepare); a .notdef (logged while
        drawing) means text that the check did not see: the backstop."""
        for message in dict.fromkeys(logs.messages):
            if message.startswith(_NOTDEF) or "Failed to load" in message or "cannot be loaded" in message:
                if (deck.source_path, message) not in self._reported:
                    self._reported.add((deck.source_path, message))
                    location, shown = self._where(message, deck)
                    self.warn(location, f"PDF: {shown}")

    def _where(self, message: str, deck: Deck) -> tuple[SourceLocation, str]:
        """The card whose image a WeasyPrint message names (else the deck),
        and the message with the image's path as the notes write it."""
        for url, location in self._image_cards.items():
            if url in message:
                shown = message.replace(url, unquote(url[len(SOURCE_URL):])).rstrip(": ")
                return location, shown
        return deck.location, message

    def document(self, html: str, deck: Deck) -> weasyprint.Document:
        with catch_logs() as logs:
            doc = weasyprint.HTML(string=html, base_url=self.base_url, url_fetcher=self.fetcher).render(
                font_config=self.font_config)
        self._report(logs, deck)
        return doc

    def pdf_bytes(self, doc: weasyprint.Document, html: str, deck: Deck, roman: int = 0) -> bytes:
        identifier = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode("ascii")

        def page_labels(_doc, pdf) -> None:
            # Viewers then show the printed numbers (i, ii, then 1, 2, ...)
            # and "go to page 12" finds the page whose footer says 12.
            if roman:
                pdf.catalog["PageLabels"] = pydyf.Dictionary({"Nums": pydyf.Array([
                    0, pydyf.Dictionary({"S": "/r"}), roman, pydyf.Dictionary({"S": "/D"})])})

        # fontTools (the subsetter when libharfbuzz-subset is missing) stamps
        # the fonts' head table with the clock unless this is set.
        with environ(SOURCE_DATE_EPOCH=str(source_date_epoch() or 0)), catch_logs() as logs:
            data = doc.write_pdf(pdf_identifier=identifier, finisher=page_labels)
        self._report(logs, deck)
        return data

    def page_context(self, deck: Deck, description_html: str, cards: list[PrintCard]) -> dict:
        words = WORDS[language(deck.lang)]
        return {
            "deck": deck,
            "lang": deck.lang or language(deck.lang),
            "w": words,  # the PDF's own words, in the deck's language
            "w_css": {key: css_string(value) for key, value in words.items()},
            "counted": lambda key, n: counted(words, key, n),
            "title_css": css_string(text.plain_missing(deck.title)),
            "title_html": Markup(self.plain_html(deck.title)),
            "author_html": Markup(self.plain_html(deck.author)),
            "source_html": Markup(self.plain_html(deck.source_path)),
            "description_html": Markup(description_html),
            "cards": cards,
            # Sections of the cards, each from a new page under its heading:
            # a large handout's halves, a folder's decks ({first, last, title}).
            "sections": [],
            "fonts": self.fonts,
            "assets_url": ASSETS_DIR.as_uri() + "/",  # print.css's continuation mark
            "paper": layout.PAPERS[self.ctx.options.paper],
            "created": _created(),
            "Markup": Markup,
        }


def _created() -> str | None:
    """The PDF's date: SOURCE_DATE_EPOCH when set (reproducible builds),
    else none at all. Never the clock: same notes, same bytes."""
    epoch = source_date_epoch()
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
