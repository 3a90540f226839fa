"""Model -> printable PDFs with WeasyPrint, one per deck, in the layout the
user chose: a typeset handout (handout.py), duplex flashcards (cards.py) or
a quiz with an answer key (templates/pdf/quiz.html.j2).

Cards go through the shared Jinja partial and card stylesheet like every
other output; `text` prepares card HTML for print (Korean line breaking,
placeholders, glyph coverage), `preflight` runs that preparation before the
build writes anything and reports what the PDF cannot show as written,
`words` holds the PDF's own words per language, `renderer` holds the
WeasyPrint machinery and its rules, `parallel` and `merge` lay a large
handout out in two processes.

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
    from .renderer import Renderer

__all__ = ["AssetFetcher", "Renderer", "SUFFIXES", "write", "write_deck"]

# Layout -> what goes between the output stem and `.pdf`.
SUFFIXES = {"handout": "", "cards": ".cards", "quiz": ".quiz"}


def __getattr__(name: str):
    if name in ("AssetFetcher", "Renderer"):
        from . import renderer

        return getattr(renderer, name)
    raise AttributeError(name)


def write_deck(renderer: "Renderer", deck: "Deck", layout: str) -> Path:
    from ... import outdir
    from ...templating import render
    from .cards import render_cards
    from .handout import render_handout

    prepared, description_html = renderer.prepare(deck)
    context = renderer.page_context(deck, description_html, prepared)
    if layout == "handout":
        data = render_handout(renderer, deck, context)
    else:
        if layout == "cards":
            doc, html = render_cards(renderer, deck, context)
        else:
            html = render(f"pdf/{layout}.html.j2", **context)
            doc = renderer.document(html, deck)
        data = renderer.pdf_bytes(doc, html, deck)
    out = renderer.ctx.out_dir / f"{renderer.ctx.output_stem(deck)}{SUFFIXES[layout]}.pdf"
    outdir.write_output(renderer.ctx.out_dir, out, data)
    return out


def write(ctx: WriteContext) -> WriteResult:
    from .renderer import Renderer

    layout = ctx.options.layout
    with tempfile.TemporaryDirectory(prefix="cardpress-pdf-") as tmp:
        renderer = Renderer(ctx, Path(tmp))
        paths = [write_deck(renderer, deck, layout) for deck in ctx.decks]
    return WriteResult(paths=paths, diagnostics=renderer.diagnostics)
