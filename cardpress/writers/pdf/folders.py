"""What each PDF holds: one deck (`--pdf-per deck`, the default), or every
deck of one folder (`--pdf-per folder`), a section per deck.

A folder's PDF holds the decks directly in it, in the order they are read,
their cards numbered on from one deck to the next (so `#q-12` and the
contents stay unambiguous); it is named after the folder, inside it
(`ml/ml.pdf`), and the decks at the top after the source folder
(`source.pdf`). Each deck is in exactly one PDF either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from markupsafe import Markup

from ...context import WriteContext
from ...model import Deck
from .renderer import Renderer


@dataclass(frozen=True)
class Book:
    """One PDF: its output stem (without layout suffix and `.pdf`), the
    deck it stands for (the deck itself, or the folder as a deck for the
    page's title and metadata), and the decks in it."""

    stem: str
    deck: Deck
    decks: tuple[Deck, ...]


def folder_of(deck: Deck) -> str:
    parent = PurePosixPath(deck.source_path).parent.as_posix()
    return "" if parent == "." else parent


def books(ctx: WriteContext) -> list[Book]:
    if ctx.options.pdf_per != "folder":
        return [Book(ctx.output_stem(d), d, (d,)) for d in ctx.decks]
    folders: dict[str, list[Deck]] = {}
    for deck in ctx.decks:
        folders.setdefault(folder_of(deck), []).append(deck)
    top = Path(ctx.library.root).name or "decks"
    out = []
    for folder, decks in folders.items():
        name = folder.rsplit("/", 1)[-1] if folder else top
        stem = f"{folder}/{name}" if folder else top
        langs = {d.lang for d in decks}
        # The folder as a deck: what the page's title, language and the
        # messages about it (at its first deck) need.
        stand_in = Deck(title=folder or top, description_html="", source_path=folder or ".",
                        location=decks[0].location, lang=langs.pop() if len(langs) == 1 else "",
                        name=folder.replace("/", "::") or top)
        out.append(Book(stem, stand_in, tuple(decks)))
    return out


def context(renderer: Renderer, book: Book) -> dict:
    """The layout templates' context for a book: one deck as always; a
    folder's decks one after another, each a titled section."""
    if len(book.decks) == 1 and book.deck is book.decks[0]:
        cards, description = renderer.prepare(book.deck)
        return renderer.page_context(book.deck, description, cards)
    cards, sections = [], []
    for deck in book.decks:
        prepared, _description = renderer.prepare(deck, start=len(cards) + 1)
        if prepared:
            sections.append({"first": len(cards) + 1, "last": len(cards) + len(prepared),
                             "title": Markup(renderer.plain_html(deck.title))})
        cards += prepared
    return {**renderer.page_context(book.deck, "", cards), "sections": sections}
