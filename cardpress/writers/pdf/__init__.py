"""Model -> printable PDFs with WeasyPrint, one per deck, in the layout the
user chose: a typeset handout (handout.py), duplex flashcards (cards.py) or
a quiz with an answer key (templates/pdf/quiz.html.j2).

Cards go through the shared Jinja partial and card stylesheet like every
other output; `text` prepares card HTML for print (Korean line breaking,
placeholders, glyph coverage), `preflight` runs that preparation before the
build writes anything and reports what the PDF cannot show as written,
`words` holds the PDF's own words per language, `renderer` holds the
WeasyPrint machinery and its rules, `parallel` and `merge` lay a large
handout out in two processes, `folders` says what each PDF holds (a deck,
or with `--pdf-per folder` a folder's decks).

Importing this package does not import WeasyPrint (slow): `preflight` runs
in `cardpress check`. The writer's modules load on first use.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from ...context import WriteContext, WriteResult

if TYPE_CHECKING:
    from ...model import Deck
    from .folders import Book
    from .renderer import Renderer

__all__ = ["AssetFetcher", "Renderer", "SUFFIXES", "dry_render", "write", "write_book", "write_deck"]

# Layout -> what goes between the output stem and `.pdf`.
SUFFIXES = {"handout": "", "cards": ".cards", "quiz": ".quiz"}


def __getattr__(name: str):
    if name in ("AssetFetcher", "Renderer"):
        from . import renderer

        return getattr(renderer, name)
    raise AttributeError(name)


def write_book(renderer: "Renderer", book: "Book", layout: str) -> Path:
    """One PDF: a deck, or a folder's decks (folders.py)."""
    from ... import outdir
    from ...templating import render
    from .cards import render_cards
    from .folders import context
    from .handout import render_handout

    deck, page = book.deck, context(renderer, book)
    if layout == "handout":
        data = render_handout(renderer, deck, page)
    else:
        if layout == "cards":
            doc, html = render_cards(renderer, deck, page)
        else:
            html = render(f"pdf/{layout}.html.j2", **page)
            doc = renderer.document(html, deck)
        data = renderer.pdf_bytes(doc, html, deck)
    out = renderer.ctx.out_dir / f"{book.stem}{SUFFIXES[layout]}.pdf"
    outdir.write_output(renderer.ctx.out_dir, out, data)
    return out


def write_deck(renderer: "Renderer", deck: "Deck", layout: str) -> Path:
    """One deck's PDF, whatever `--pdf-per` says."""
    from .folders import Book

    return write_book(renderer, Book(renderer.ctx.output_stem(deck), deck, (deck,)), layout)


def write(ctx: WriteContext) -> WriteResult:
    from .folders import books
    from .renderer import Renderer

    layout = ctx.options.layout
    with tempfile.TemporaryDirectory(prefix="cardpress-pdf-") as tmp:
        renderer = Renderer(ctx, Path(tmp))
        paths = [write_book(renderer, book, layout) for book in books(ctx)]
    return WriteResult(paths=paths, diagnostics=renderer.diagnostics)


def dry_render(ctx: WriteContext) -> None:
    """Render the layout's templates (the user's among them) for every PDF
    about to be written, laying nothing out and writing nothing."""
    from ...templating import render
    from .cards import cards_html
    from .folders import books, context
    from .handout import handout_html
    from .renderer import Renderer

    layout = ctx.options.layout
    with tempfile.TemporaryDirectory(prefix="cardpress-pdf-") as tmp:
        renderer = Renderer(ctx, Path(tmp))
        for book in books(ctx):
            page = context(renderer, book)
            if layout == "handout":
                handout_html(page)
            elif layout == "cards":
                cards_html(page)
            else:
                render(f"pdf/{layout}.html.j2", **page)
