"""Duplex flashcard sheets: 2 x 4 cards a sheet, a page of questions then a
page of answers mirrored for long-edge duplex (the geometry is layout.Grid)."""

from __future__ import annotations

import weasyprint

from ...model import Deck
from ...templating import render
from . import layout
from .renderer import PrintCard, Renderer

_PX_TO_MM = 25.4 / 96  # WeasyPrint positions are CSS px
# The measuring pages' height: sides are laid out one after another on
# pages this tall (few page ends to fall across; a side that does is
# measured again on a page of its own).
MEASURE_PAGE_MM = 5000


def render_cards(renderer: Renderer, deck: Deck, context: dict) -> tuple[weasyprint.Document, str]:
    """Each side gets the largest type size at which it fits its cell, found
    by laying the sides out alone at the cell's width and reading their
    heights; an answer that does not fit even at the smallest size is
    printed in full after the sheets, and its card's back says where."""
    grid = layout.Grid(context["paper"])
    items: list[PrintCard] = context["cards"]
    room = grid.inner_height
    q_sizes = layout.fit_sizes(len(items), room, layout.QUESTION_SIZES, _measurer(renderer, deck, context, grid, "q"))
    a_sizes = layout.fit_sizes(len(items), room, layout.ANSWER_SIZES, _measurer(renderer, deck, context, grid, "a"))
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


def _measurer(renderer: Renderer, deck: Deck, context: dict, grid: layout.Grid, kind: str):
    """`measure(items)` for layout.fit_sizes: lays the `kind` sides ("q" or
    "a") out alone at the cell's width and reads their heights in mm."""
    items: list[PrintCard] = context["cards"]

    def heights(trials: list[tuple[int, float]], alone: bool) -> list[float]:
        """Each side's height in mm, or infinity for one that ran over the
        end of a measuring page (laid out one after another on pages
        MEASURE_PAGE_MM tall; `alone`: each on a page of its own)."""
        probes = [{"id": f"m{kind}{i}", "size": size, "kind": kind, "card": items[i]} for i, size in trials]
        html = render("pdf/cards.html.j2", part="measure", grid=grid, probes=probes, alone=alone,
                      page_mm=MEASURE_PAGE_MM, **context)
        doc = renderer.document(html, deck)
        # An anchor is the element's box (x0, y0, x1, y1) on its page.
        boxes: dict[str, list[tuple[float, float, float, float]]] = {}
        for page in doc.pages:
            for name, box in page.anchors.items():
                boxes.setdefault(name, []).append(box)
        out = []
        for p in probes:
            found = boxes[p["id"]]
            out.append((found[0][3] - found[0][1]) * _PX_TO_MM if len(found) == 1 else float("inf"))
        return out

    def measure(trials: list[tuple[int, float]]) -> list[float]:
        found = heights(trials, alone=False)
        # A side that merely fell across a page end is measured again on its
        # own page: it is not too tall, and its size must not depend on
        # where the sides before it happened to end.
        split = [n for n, h in enumerate(found) if h == float("inf")]
        if split:
            for n, h in zip(split, heights([trials[n] for n in split], alone=True)):
                found[n] = h
        return found
    return measure
