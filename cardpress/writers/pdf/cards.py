"""Duplex flashcard sheets: 2 x 4 cards a sheet, a page of questions then a
page of answers mirrored for long-edge duplex (the geometry is layout.Grid)."""

from __future__ import annotations

import weasyprint

from ...model import Deck
from ...templating import render
from . import layout
from .measure import MEASURE_PAGE_MM, SideMeasure
from .renderer import PrintCard, Renderer


def render_cards(renderer: Renderer, deck: Deck, context: dict) -> tuple[weasyprint.Document, str]:
    """Each side gets the largest type size at which it fits its cell, found
    by laying the sides out alone at the cell's width and reading their
    heights; an answer that does not fit even at the smallest size is
    printed in full after the sheets, and its card's back says where."""
    grid = layout.Grid(context["paper"])
    items: list[PrintCard] = context["cards"]
    room = grid.inner_height
    sides = {kind: SideMeasure(renderer, deck, context, grid, kind) for kind in "qa"}
    q_sizes = layout.fit_sizes(len(items), room, layout.QUESTION_SIZES, sides["q"])
    a_sizes = layout.fit_sizes(len(items), room, layout.ANSWER_SIZES, sides["a"])
    sheets, long = [], []
    for start in range(0, len(items), grid.per_sheet):
        sheet = []
        for slot, i in enumerate(range(start, min(start + grid.per_sheet, len(items)))):
            # A question that does not fit at the smallest size still prints
            # whole: it runs over its cell's padding rather than being cut.
            q_size, q_height = q_sizes[i] or (layout.QUESTION_SIZES[-1], room)
            a_size, a_height = a_sizes[i] or (None, room)
            # Centred in the cell by the measured height (a flexbox would
            # do it too, but WeasyPrint lays out a sheet of them ~200x slower).
            sheet.append({"card": items[i], "front": grid.front(slot), "back": grid.back(slot),
                          "q_size": q_size, "q_top": round((room - q_height) / 2, 2),
                          "a_size": a_size, "a_top": round((room - a_height) / 2, 2)})
            if a_size is None:
                long.append(items[i])
        sheets.append(sheet)
    html = render("pdf/cards.html.j2", part="sheets", grid=grid, grid_lines=grid.cut_lines(),
                  sheets=sheets, long=long, **context)
    return renderer.document(html, deck), html


def cards_html(context: dict) -> list[str]:
    """The sheets and the measuring page as HTML at the largest sizes, laid
    out nowhere (a preflight of the templates)."""
    grid = layout.Grid(context["paper"])
    items: list[PrintCard] = context["cards"]
    sheet = [{"card": c, "front": grid.front(i % grid.per_sheet), "back": grid.back(i % grid.per_sheet),
              "q_size": layout.QUESTION_SIZES[0], "q_top": 0, "a_size": layout.ANSWER_SIZES[0], "a_top": 0}
             for i, c in enumerate(items)]
    probes = [{"id": f"m{kind}{i}", "size": 10, "kind": kind, "card": c} for i, c in enumerate(items) for kind in "qa"]
    return [render("pdf/cards.html.j2", part="sheets", grid=grid, grid_lines=grid.cut_lines(), sheets=[sheet],
                   long=items[:1], **context),
            render("pdf/cards.html.j2", part="measure", grid=grid, probes=probes, alone=False,
                   page_mm=MEASURE_PAGE_MM, **context)]
