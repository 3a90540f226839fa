"""Page geometry for the PDF layouts, in millimetres: paper sizes and the
flashcard grid with its mirrored backs. Pure arithmetic, no rendering."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Paper:
    name: str
    width: float   # mm, portrait
    height: float

    @property
    def css(self) -> str:
        return f"{self.width}mm {self.height}mm"


PAPERS = {
    "a4": Paper("a4", 210.0, 297.0),
    "letter": Paper("letter", 215.9, 279.4),
}


@dataclass(frozen=True)
class Grid:
    """Flashcards on a sheet: `cols` x `rows` cells inside equal side
    margins. The margins must be equal left and right: flipping the sheet on
    its long edge maps x to `width - x`, and only then does a back cell land
    exactly on its front cell."""

    paper: Paper
    cols: int = 2
    rows: int = 4
    margin_x: float = 10.0   # printers cannot print to the edge
    margin_y: float = 12.0
    pad: float = 5.5         # inside each cell, around the text

    @property
    def per_sheet(self) -> int:
        return self.cols * self.rows

    @property
    def cell_width(self) -> float:
        return (self.paper.width - 2 * self.margin_x) / self.cols

    @property
    def cell_height(self) -> float:
        return (self.paper.height - 2 * self.margin_y) / self.rows

    @property
    def inner_width(self) -> float:
        return round(self.cell_width - 2 * self.pad, 3)

    @property
    def inner_height(self) -> float:
        return round(self.cell_height - 2 * self.pad, 3)

    def front(self, index: int) -> tuple[float, float]:
        """Top-left corner of cell `index` (0-based, row by row) on the front."""
        row, col = divmod(index, self.cols)
        return (self.margin_x + col * self.cell_width, self.margin_y + row * self.cell_height)

    def back(self, index: int) -> tuple[float, float]:
        """Top-left corner of the same card on the back: the front cell
        mirrored across the sheet's vertical centre line."""
        x, y = self.front(index)
        return (self.paper.width - x - self.cell_width, y)

    def cut_lines(self) -> tuple[list[float], list[float]]:
        """x of the vertical and y of the horizontal cut lines (cell edges)."""
        xs = [self.margin_x + c * self.cell_width for c in range(self.cols + 1)]
        ys = [self.margin_y + r * self.cell_height for r in range(self.rows + 1)]
        return xs, ys


# -- fitting long card sides -------------------------------------------------

# Point sizes a card side may use, largest first. Below 6.5 pt a printed
# answer stops being comfortably legible; past that it continues elsewhere.
QUESTION_SIZES = (13.0, 12.0, 11.0, 10.0, 9.0, 8.0)
ANSWER_SIZES = (10.5, 10.0, 9.5, 9.0, 8.5, 8.0, 7.5, 7.0, 6.5)


def fit_sizes(count: int, room: float, sizes: tuple[float, ...], measure) -> list[tuple[float, float] | None]:
    """The largest size in `sizes` at which each of `count` texts fits in
    `room` mm of height, with its height there (to centre it), or None when
    even the smallest size does not fit.

    `measure(items)` lays out [(index, size), ...] and returns their
    heights in mm. Text height grows roughly with the square of the size
    (lines get both taller and shorter), so one measurement predicts the
    size to try next; a few rounds settle every text, measuring only the
    ones that did not fit yet."""
    chosen: list[tuple[float, float] | None] = [None] * count
    trial = {i: 0 for i in range(count)}  # index -> position in `sizes`
    for _round in range(len(sizes)):
        if not trial:
            break
        heights = measure([(i, sizes[k]) for i, k in trial.items()])
        retry: dict[int, int] = {}
        for (i, k), height in zip(trial.items(), heights):
            if height <= room:
                chosen[i] = (sizes[k], height)
                continue
            guess = sizes[k] * (room / height) ** 0.5
            # The guess is approximate: below the smallest size, still try
            # the smallest once before giving up.
            smaller = range(k + 1, len(sizes))
            nxt = next((j for j in smaller if sizes[j] <= guess), smaller[-1] if smaller else None)
            if nxt is not None:
                retry[i] = nxt
        trial = retry
    return chosen
