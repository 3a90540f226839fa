"""How tall each side of a duplex card is at a given type size: what
cards.py fits each side to its cell with (layout.fit_sizes).

The sides are laid out one after another at the cell's width on pages
MEASURE_PAGE_MM tall, and their heights read from their anchors' boxes. A
side that falls across a page end is measured again on a page of its own,
so no side's height depends on the sides measured with it; that is also
what lets a long list of sides be measured in two halves, the second in a
forked process (parallel.py), with the same result as in one.
"""

from __future__ import annotations

from ...model import Deck
from ...templating import render
from . import layout, parallel
from .renderer import PrintCard, Renderer

_PX_TO_MM = 25.4 / 96  # WeasyPrint positions are CSS px
MEASURE_PAGE_MM = 5000
# Fewer sides than this are measured in this process: a fork and its
# second document cost more than they take.
PARALLEL_MIN = 24


class SideMeasure:
    """`measure(trials)` for layout.fit_sizes: the heights in mm of the
    `kind` sides ("q" or "a") of the cards in `context`, each at its size,
    infinity for one taller than a measuring page."""

    def __init__(self, renderer: Renderer, deck: Deck, context: dict, grid: layout.Grid, kind: str):
        self.renderer, self.deck, self.context, self.grid, self.kind = renderer, deck, context, grid, kind
        self.items: list[PrintCard] = context["cards"]

    def __call__(self, trials: list[tuple[int, float]]) -> list[float]:
        if len(trials) < PARALLEL_MIN or not parallel.can_fork():
            return self.measured(trials)
        half = self.half(trials)
        partner = parallel.Partner(lambda conn: conn.send(("heights", self.measured(trials[half:]))),
                                   "second measuring process")
        try:
            first = self.measured(trials[:half])
            second = partner.expect("heights")
        except BaseException:
            partner.close(kill=True)
            raise
        partner.close()
        return first + second

    def half(self, trials: list[tuple[int, float]]) -> int:
        """Where to split `trials` so both halves hold about as much HTML."""
        sizes = [len(self.html(i)) for i, _size in trials]
        total, running = sum(sizes), 0
        for n, size in enumerate(sizes):
            running += size
            if 2 * running >= total:
                return n + 1
        return len(trials)

    def html(self, i: int) -> str:
        return self.items[i].question_html if self.kind == "q" else self.items[i].answer_html

    def measured(self, trials: list[tuple[int, float]]) -> list[float]:
        found = self.heights(trials, alone=False)
        split = [n for n, h in enumerate(found) if h == float("inf")]
        if split:  # fell across a page end, or too tall even alone
            for n, h in zip(split, self.heights([trials[n] for n in split], alone=True)):
                found[n] = h
        return found

    def heights(self, trials: list[tuple[int, float]], alone: bool) -> list[float]:
        probes = [{"id": f"m{self.kind}{i}", "size": size, "kind": self.kind, "card": self.items[i]}
                  for i, size in trials]
        html = render("pdf/cards.html.j2", part="measure", grid=self.grid, probes=probes, alone=alone,
                      page_mm=MEASURE_PAGE_MM, **self.context)
        doc = self.renderer.document(html, self.deck)
        # An anchor is the element's box (x0, y0, x1, y1) on its page.
        boxes: dict[str, list[tuple[float, float, float, float]]] = {}
        for page in doc.pages:
            for name, box in page.anchors.items():
                boxes.setdefault(name, []).append(box)
        out = []
        for p in probes:
            found = boxes[p["id"]]
            # Rounded: the same side measured lower on a page differs in
            # the last bits of a float, which must not reach the PDF.
            out.append(round((found[0][3] - found[0][1]) * _PX_TO_MM, 6) if len(found) == 1 else float("inf"))
        return out
