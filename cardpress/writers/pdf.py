"""Model -> printable PDFs (handout, duplex flashcards, quiz) with WeasyPrint.
The only module that imports weasyprint.

Cards go through the shared Jinja partial and card stylesheet like every
other output; this module adds print preparation (`pdf_text`), the layouts
(`templates/pdf/`) and the rules that keep the result exact and repeatable:
- fonts: only the bundled faces are visible to the renderer (system fonts
  are shut out), so coverage is checked exactly, up front, per card;
- resources: a fetcher that serves files from the source tree and the
  bundled assets, and nothing from the network;
- bytes: no clock-derived dates, a content-derived file identifier, and
  SOURCE_DATE_EPOCH set while fonts are subset.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import mimetypes
import multiprocessing
import os
import sys
import tempfile
import traceback
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import urlsplit
from urllib.request import url2pathname

import pydyf
import weasyprint
from markupsafe import Markup
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .. import atomic
from ..context import BuildContext
from ..model import Card, Deck, SourceLocation
from ..paths import ASSETS_DIR, FONTS_DIR
from ..templating import render
from . import pdf_layout, pdf_merge, pdf_text

# One PDF per deck: the build runs this writer for the changed decks only.
INCREMENTAL = True

# Layout -> what goes between the output stem and `.pdf`.
SUFFIXES = {"handout": "", "cards": ".cards", "quiz": ".quiz"}

# (family, weight, file under assets/fonts, CSS format). Whole OTF/TTF files:
# WeasyPrint would decompress woff2 in Python on every build (~3 s a face).
FACES = (
    ("Pretendard", 400, "pretendard/Pretendard-Regular.otf", "opentype"),
    ("Pretendard", 700, "pretendard/Pretendard-Bold.otf", "opentype"),
    # Hanja (KS X 1001) and CJK symbols, which Pretendard lacks.
    ("Noto Sans KR Hanja", 400, "noto-sans-kr-hanja/NotoSansKRHanja-Regular.ttf", "truetype"),
    ("Noto Sans KR Hanja", 700, "noto-sans-kr-hanja/NotoSansKRHanja-Bold.ttf", "truetype"),
    ("JetBrains Mono", 400, "jetbrains-mono/JetBrainsMono-Regular.ttf", "truetype"),
    ("JetBrains Mono", 700, "jetbrains-mono/JetBrainsMono-Bold.ttf", "truetype"),
)

# A fontconfig configuration with no font directories: the renderer then
# knows the @font-face fonts and nothing else, so a character the bundled
# faces lack is printed as its code point, with a warning, never in a
# lookalike from whatever fonts the machine happens to have.
_EMPTY_FONTCONFIG = (
    '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
    "<fontconfig></fontconfig>\n"
)

_NOTDEF = ".notdef glyph rendered"


# -- rendering machinery -------------------------------------------------------

@contextlib.contextmanager
def _environ(**values: str) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class AssetFetcher(URLFetcher):
    """Serves `file:` URLs inside the given folders and refuses everything
    else at once: a build never waits on the network (remote images are
    replaced before rendering; this is the backstop), and notes cannot pull
    files from outside the source tree into a PDF."""

    def __init__(self, *roots: Path, media: dict[Path, Path] | None = None) -> None:
        super().__init__(allowed_protocols=("file",))
        self.roots = tuple(Path(r).resolve() for r in roots)
        # Where a card's `remote-media/...` image (fetched by
        # --fetch-remote-media into the output's cache) really is.
        self.media = dict(media or {})

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme.lower() != "file":
            raise ValueError(f"not fetched (no network in a build): {url}")
        path = Path(url2pathname(parts.path)).resolve()
        if path in self.media:
            return self._serve(self.media[path])
        if not any(path.is_relative_to(root) for root in self.roots):
            raise PermissionError(f"not served (outside the source folder and assets): {path}")
        return self._serve(path)

    @staticmethod
    def _serve(path: Path) -> URLFetcherResponse:
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": mime})


class _LogCatcher(logging.Handler):
    """Collects WeasyPrint's warnings during one render."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def _catch_logs() -> Iterator[_LogCatcher]:
    catcher = _LogCatcher()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(catcher)
    try:
        yield catcher
    finally:
        logger.removeHandler(catcher)


@lru_cache(maxsize=1)
def bundled_coverage() -> frozenset[int]:
    """Every code point some bundled face draws (the union: Pango falls back
    from one bundled face to the next), plus the invisible characters
    (spaces, joiners, variation selectors) that need no glyph."""
    have: set[int] = set(pdf_text.IGNORABLE)
    for _family, _weight, rel, _fmt in FACES:
        have |= pdf_text.font_cmap(FONTS_DIR / rel)
    return frozenset(have)


def css_string(text: str) -> Markup:
    """A CSS string literal, safe inside <style> (no `</style>` can end it)."""
    out = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("<", "\\3c ")
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

    @property
    def lines(self) -> int:
        """Ruled lines the quiz leaves for writing the answer: one per ~40
        characters of the model answer (handwriting is larger than print),
        at least 2, at most 8."""
        return max(2, min(8, len(self.source.answer_text) // 40 + 1))


class Renderer:
    """One build's PDF machinery: fonts, fetcher, and the rules above."""

    def __init__(self, ctx: BuildContext, tmp: Path) -> None:
        self.ctx = ctx
        root = Path(ctx.library.root).resolve()
        self.base_url = root.as_uri() + "/"
        self.fetcher = AssetFetcher(root, ASSETS_DIR, media={(root / name).resolve(): Path(path)
                                                             for name, path in ctx.library.media_files})
        conf = tmp / "fonts.conf"
        conf.write_text(_EMPTY_FONTCONFIG, "utf-8")
        with _environ(FONTCONFIG_FILE=str(conf)):
            self.font_config = FontConfiguration()
        self.fonts = [{"family": family, "weight": weight, "url": (FONTS_DIR / rel).as_uri(), "format": fmt}
                      for family, weight, rel, fmt in FACES]
        self.coverage = bundled_coverage()
        self._reported: set[tuple[str, str]] = set()

    # -- preparation -------------------------------------------------------

    def _warn_missing(self, location: SourceLocation, missing: list[str]) -> None:
        if missing:
            chars = ", ".join(pdf_text.describe(ch) for ch in dict.fromkeys(missing))
            self.ctx.warn(location, f"no bundled font has {chars}; the PDF prints its code point (U+...) instead")

    def plain_html(self, text: str) -> str:
        """Plain text (a title, a file name) as print-ready HTML."""
        return pdf_text.mark_missing(pdf_text.join_hangul(str(Markup.escape(text))), self.coverage)

    def prepare(self, deck: Deck) -> tuple[list[PrintCard], str]:
        """Print-ready cards and deck description; warns about what the
        PDF cannot show as written (remote images, missing glyphs)."""
        desc = pdf_text.prepare(deck.description_html, self.coverage)
        head = [ch for ch in deck.title + deck.author + deck.source_path if ord(ch) not in self.coverage]
        self._warn_missing(deck.location, head + desc.missing)
        cards = []
        for number, card in enumerate(deck.cards, 1):
            q = pdf_text.prepare(card.question_html, self.coverage)
            a = pdf_text.prepare(card.answer_html, self.coverage)
            for url, _alt in q.remote_images + a.remote_images:
                self.ctx.warn(card.location, f"remote image {url} is not downloaded for the PDF; "
                                             "it prints as a placeholder with its address")
            self._warn_missing(card.location, q.missing + a.missing)
            # Anchors by number (`handout.pdf#q-12` is card 12 as printed),
            # ASCII: Korean keys would be stored as long hex strings that the
            # join of a parallel build reads slowly.
            cards.append(PrintCard(number, f"q-{number}", f"{number}. {card.question_text}",
                                   self.plain_html(card.question_text), q.html, a.html, card))
        return cards, desc.html

    # -- rendering ---------------------------------------------------------

    def _report(self, logs: _LogCatcher, deck: Deck) -> None:
        """WeasyPrint's warnings that matter to the user, once per deck.
        Missing glyphs are replaced before rendering (prepare); a .notdef
        (logged while drawing) means text that check did not see."""
        for message in dict.fromkeys(logs.messages):
            if message.startswith(_NOTDEF) or "Failed to load" in message or "cannot be loaded" in message:
                if (deck.source_path, message) not in self._reported:
                    self._reported.add((deck.source_path, message))
                    self.ctx.warn(deck.location, f"PDF: {message}")

    def document(self, html: str, deck: Deck) -> weasyprint.Document:
        with _catch_logs() as logs:
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
        with _environ(SOURCE_DATE_EPOCH=os.environ.get("SOURCE_DATE_EPOCH", "").strip() or "0"), \
                _catch_logs() as logs:
            data = doc.write_pdf(pdf_identifier=identifier, finisher=page_labels)
        self._report(logs, deck)
        return data

    def page_context(self, deck: Deck, description_html: str, cards: list[PrintCard]) -> dict:
        paper = self.ctx.options.get("paper") or "a4"
        return {
            "deck": deck,
            "title_css": css_string(pdf_text.plain_missing(deck.title, self.coverage)),
            "title_html": Markup(self.plain_html(deck.title)),
            "author_html": Markup(self.plain_html(deck.author)),
            "source_html": Markup(self.plain_html(deck.source_path)),
            "description_html": Markup(description_html),
            "cards": cards,
            "fonts": self.fonts,
            "paper": pdf_layout.PAPERS[paper],
            "created": _created(),
            "Markup": Markup,
        }


def _created() -> str | None:
    """The PDF's date: SOURCE_DATE_EPOCH when set (reproducible builds),
    else none at all. Never the clock: same notes, same bytes."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch.isdigit():
        return None
    return datetime.fromtimestamp(int(epoch), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- handout ------------------------------------------------------------------

def _anchor_pages(doc: weasyprint.Document) -> dict[str, tuple[int, float, float]]:
    """Anchor -> (page number, x, y in CSS px) where it starts."""
    where: dict[str, tuple[int, float, float]] = {}
    for number, page in enumerate(doc.pages, 1):
        for name, (x0, y0, _x1, _y1) in page.anchors.items():
            where.setdefault(name, (number, x0, y0))  # a card split over pages starts on the first
    return where


def _front(renderer: Renderer, deck: Deck, context: dict, anchors: dict):
    html = render("pdf/handout.html.j2", part="front", toc_pages={k: v[0] for k, v in anchors.items()}, **context)
    return renderer.document(html, deck), html


def _handout(renderer: Renderer, deck: Deck, context: dict) -> bytes:
    """The body laid out once, then the front matter with the body's page
    numbers as plain text, joined page by page (front pages numbered in
    roman).

    A large deck is printed in two sections, each starting on a new page
    under its heading ("문답 1–500"), so that its halves can be laid out in
    two processes (_handout_parallel) where that is possible; the pages are
    the same either way."""
    cards = context["cards"]
    split = _split(cards) if len(cards) >= SECTION_MIN_CARDS else 0
    context = {**context, "sections": [{"first": 1, "last": split}, {"first": split + 1, "last": len(cards)}]
               if 0 < split < len(cards) else []}
    if context["sections"] and _can_fork():
        return _handout_parallel(renderer, deck, context, split)
    body_html = render("pdf/handout.html.j2", part="body", **context)
    body = renderer.document(body_html, deck)
    front, front_html = _front(renderer, deck, context, _anchor_pages(body))
    doc = front.copy([*front.pages, *body.pages])
    return renderer.pdf_bytes(doc, front_html + body_html, deck, len(front.pages))


# -- handout in two processes ----------------------------------------------------

# Decks with at least this many cards get a handout in two sections, laid
# out in two processes: on 2 cores, 1,000 cards take ~35% less time. Smaller
# decks are fast either way and skip the fork and the join.
SECTION_MIN_CARDS = 150


def _can_fork() -> bool:
    # fork (not spawn: the child reuses the parent's prepared cards and
    # loaded fonts) is safe with WeasyPrint's C libraries on Linux only.
    # CARDPRESS_PDF_PARALLEL=0 keeps a build to one core (and the benchmark
    # uses it to compare).
    return (sys.platform.startswith("linux") and (os.cpu_count() or 1) >= 2
            and os.environ.get("CARDPRESS_PDF_PARALLEL", "1") != "0")


@contextlib.contextmanager
def _numbering(exchange: Callable[[int], tuple[int, int]]) -> Iterator[None]:
    """Page numbers for a document that is one part of the handout.

    WeasyPrint counts a document's own pages from 1. Two parts laid out at
    the same time cannot know each other's length up front, but WeasyPrint
    makes the margin boxes (running header, footer) only after all pages
    are laid out: there, `exchange(own page count)` trades counts with the
    other part and returns (offset, total), applied to the `page` and
    `pages` counters of the margin boxes. This relies on WeasyPrint 70's
    layout module (`make_all_pages`, `make_margin_boxes`); the dependency is
    pinned below 71, and the tests build a parallel handout."""
    from weasyprint import layout

    all_pages, margin_boxes = layout.make_all_pages, layout.make_margin_boxes
    seen: dict = {}

    def counted_pages(*args, **kwargs):
        pages = list(all_pages(*args, **kwargs))
        seen["count"] = len(pages)  # the last pass (WeasyPrint may repaginate) counts
        return pages

    def numbered_margin_boxes(context, page, state):
        if "numbers" not in seen:
            seen["numbers"] = exchange(seen["count"])
        offset, total = seen["numbers"]
        state = list(state)
        counters = dict(state[1])
        counters["page"] = [n + offset for n in counters.get("page", [0])]
        counters["pages"] = [total]
        state[1] = counters
        return margin_boxes(context, page, tuple(state))

    layout.make_all_pages, layout.make_margin_boxes = counted_pages, numbered_margin_boxes
    try:
        yield
    finally:
        layout.make_all_pages, layout.make_margin_boxes = all_pages, margin_boxes


def _split(cards: list[PrintCard]) -> int:
    """Where the second section starts: halfway through the text. In a
    parallel build neither part can finish its layout (its footers) before
    it knows the other's page count, so the two layouts should take equally
    long; the first process then also lays out the contents and joins the
    parts while the second only writes its PDF."""
    sizes = [len(c.source.answer_text) + len(c.source.question_text) + 80 for c in cards]
    goal, total = sum(sizes) * 0.5, 0
    for i, size in enumerate(sizes):
        total += size
        if total >= goal:
            return i + 1
    return len(cards)


def _expect(conn, kind: str):
    """The next message from the other process, which must be `kind`."""
    try:
        message = conn.recv()
    except EOFError:
        raise RuntimeError("the second PDF process ended without a result") from None
    if message[0] == "error":
        raise RuntimeError(f"the second PDF process failed:\n{message[1]}")
    assert message[0] == kind, message[0]
    return message[1:] if len(message) > 2 else message[1]


def _second_part(renderer: Renderer, deck: Deck, context: dict, cards: list[PrintCard], conn) -> None:
    """In the forked process: lay out and write the second part of the body."""
    html = render("pdf/handout.html.j2", part="body", **{**context, "cards": cards})

    def exchange(count: int) -> tuple[int, int]:
        conn.send(("count", count))
        first = _expect(conn, "count")
        return first, first + count

    reported = len(renderer.ctx.diagnostics)
    with _numbering(exchange):
        doc = renderer.document(html, deck)
    conn.send(("anchors", _anchor_pages(doc)))
    data = renderer.pdf_bytes(doc, html, deck)
    conn.send(("pdf", data, renderer.ctx.diagnostics[reported:]))


def _handout_parallel(renderer: Renderer, deck: Deck, context: dict, split: int) -> bytes:
    """The body's two sections, the second in a forked process; this process
    lays out the first, then the front matter, and joins the parts."""
    cards = context["cards"]
    mine, theirs = multiprocessing.Pipe()
    pid = os.fork()
    if pid == 0:  # the second process
        mine.close()
        code = 0
        try:
            _second_part(renderer, deck, context, cards[split:], theirs)
        except BaseException:
            theirs.send(("error", traceback.format_exc()))
            code = 1
        finally:
            # No cleanup on the way out: the fonts' temporary folder and
            # everything else belong to the parent.
            os._exit(code)
    theirs.close()
    try:
        first_html = render("pdf/handout.html.j2", part="body", **{**context, "cards": cards[:split]})

        def exchange(count: int) -> tuple[int, int]:
            mine.send(("count", count))
            return 0, count + _expect(mine, "count")

        with _numbering(exchange):
            first = renderer.document(first_html, deck)
        anchors = _anchor_pages(first)
        theirs_at = _expect(mine, "anchors")
        anchors.update({name: (n + len(first.pages), x, y) for name, (n, x, y) in theirs_at.items()})
        front, front_html = _front(renderer, deck, context, anchors)
        roman = len(front.pages)
        links = _take_links(front, theirs_at, anchors, roman)
        html = front_html + first_html
        part_one = renderer.pdf_bytes(front.copy([*front.pages, *first.pages]), html, deck)
        part_two, diagnostics = _expect(mine, "pdf")
    finally:
        mine.close()
        os.waitpid(pid, 0)
    renderer.ctx.diagnostics.extend(diagnostics)
    identifier = hashlib.sha256((html + str(split)).encode("utf-8")).hexdigest()[:32].encode("ascii")
    return pdf_merge.join([part_one, part_two], links=links, roman_pages=roman, identifier=identifier)


_PX_TO_PT = 0.75  # CSS px -> PDF points


def _take_links(front: weasyprint.Document, theirs: dict, anchors: dict, roman: int) -> list[pdf_merge.LinkSpec]:
    """The contents' links into the second part, which WeasyPrint cannot
    resolve in the first part's PDF: taken off its pages (so it does not
    complain about missing anchors) and returned for the join to add."""
    taken: dict[tuple[int, str], list[float]] = {}
    for index, page in enumerate(front.pages):
        kept = []
        for link in page.links:
            link_type, target, (x0, y0, x1, y1), _box = link
            if link_type != "internal" or target not in theirs:
                kept.append(link)
                continue
            # The entry and its child boxes each carry the link: one
            # rectangle around them all.
            box = taken.setdefault((index, target), [x0, y0, x1, y1])
            box[:] = [min(box[0], x0), min(box[1], y0), max(box[2], x1), max(box[3], y1)]
        page.links[:] = kept
    specs = []
    for (index, target), (x0, y0, x1, y1) in taken.items():
        height = front.pages[index].height
        number, x, y = anchors[target]
        specs.append(pdf_merge.LinkSpec(
            page=index, rect=(x0 * _PX_TO_PT, (height - y1) * _PX_TO_PT, x1 * _PX_TO_PT, (height - y0) * _PX_TO_PT),
            target_page=roman + number - 1, target_left=x * _PX_TO_PT, target_top=(height - y) * _PX_TO_PT))
    return specs
# -- flashcards -----------------------------------------------------------------

_PX_TO_MM = 25.4 / 96  # WeasyPrint positions are CSS px


def _cards(renderer: Renderer, deck: Deck, context: dict) -> tuple[weasyprint.Document, str]:
    """Duplex flashcard sheets. Each side gets the largest type size at
    which it fits its cell, found by laying the sides out alone at the
    cell's width and reading their heights; an answer that does not fit
    even at the smallest size is printed in full after the sheets, and its
    card's back says where."""
    grid = pdf_layout.Grid(context["paper"])
    cards: list[PrintCard] = context["cards"]

    def measurer(kind: str):
        def measure(items: list[tuple[int, float]]) -> list[float]:
            probes = [{"id": f"m{kind}{i}", "size": size, "kind": kind, "card": cards[i]} for i, size in items]
            html = render("pdf/cards.html.j2", part="measure", grid=grid, probes=probes, **context)
            doc = renderer.document(html, deck)
            # An anchor is the element's box (x0, y0, x1, y1) on its page;
            # a side split over two measuring pages is far too tall anyway.
            boxes: dict[str, list[tuple[float, float, float, float]]] = {}
            for page in doc.pages:
                for name, box in page.anchors.items():
                    boxes.setdefault(name, []).append(box)
            heights = []
            for p in probes:
                found = boxes[p["id"]]
                heights.append((found[0][3] - found[0][1]) * _PX_TO_MM if len(found) == 1 else float("inf"))
            return heights
        return measure

    room = grid.inner_height
    q_sizes = pdf_layout.fit_sizes(len(cards), room, pdf_layout.QUESTION_SIZES, measurer("q"))
    a_sizes = pdf_layout.fit_sizes(len(cards), room, pdf_layout.ANSWER_SIZES, measurer("a"))
    sheets, long = [], []
    for start in range(0, len(cards), grid.per_sheet):
        sheet = []
        for slot, i in enumerate(range(start, min(start + grid.per_sheet, len(cards)))):
            # A question that does not fit at the smallest size still prints
            # whole: it runs over its cell's padding rather than being cut.
            q_size, q_height = q_sizes[i] or (pdf_layout.QUESTION_SIZES[-1], room)
            a_size, a_height = a_sizes[i] or (None, room)
            # Centred in the cell by the measured height (a flexbox would
            # do it too, but WeasyPrint lays out a sheet of them ~200x slower).
            sheet.append({"card": cards[i], "front": grid.front(slot), "back": grid.back(slot),
                          "q_size": q_size, "q_top": round((room - q_height) / 2, 2),
                          "a_size": a_size, "a_top": round((room - a_height) / 2, 2)})
            if a_size is None:
                long.append(cards[i])
        sheets.append(sheet)
    html = render("pdf/cards.html.j2", part="sheets", grid=grid, grid_lines=grid.cut_lines(),
                  sheets=sheets, long=long, **context)
    return renderer.document(html, deck), html


# -- the writer -----------------------------------------------------------------

def write_deck(renderer: Renderer, deck: Deck, layout: str) -> Path:
    cards, description_html = renderer.prepare(deck)
    context = renderer.page_context(deck, description_html, cards)
    if layout == "handout":
        data = _handout(renderer, deck, context)
    else:
        if layout == "cards":
            doc, html = _cards(renderer, deck, context)
        else:
            html = render(f"pdf/{layout}.html.j2", **context)
            doc = renderer.document(html, deck)
        data = renderer.pdf_bytes(doc, html, deck)
    out = renderer.ctx.out_dir / f"{renderer.ctx.output_stem(deck)}{SUFFIXES[layout]}.pdf"
    atomic.write_bytes(out, data)
    return out


def write(ctx: BuildContext) -> list[Path]:
    layout = ctx.options.get("layout") or "handout"
    if layout not in SUFFIXES:
        raise ValueError(f"unknown PDF layout {layout!r}")
    with tempfile.TemporaryDirectory(prefix="cardpress-pdf-") as tmp:
        renderer = Renderer(ctx, Path(tmp))
        return [write_deck(renderer, deck, layout) for deck in ctx.decks_to_write]
