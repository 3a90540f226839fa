"""Card fitting and the flashcard grid (`cardpress.writers.pdf.layout`):
pure arithmetic, tested with a fake `measure` instead of WeasyPrint. The
rendered cards are checked in test_pdf.py."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cardpress.writers.pdf.layout import ANSWER_SIZES, PAPERS, QUESTION_SIZES, Grid, Paper, fit_sizes


class FakeMeasure:
    """Text `i` at `size` pt is `coef[i] * size ** power` mm tall. Records
    every call, like a layout pass would cost."""

    def __init__(self, coefs: list[float], power: float = 2.0):
        self.coefs = coefs
        self.power = power
        self.calls: list[list[tuple[int, float]]] = []

    def height(self, i: int, size: float) -> float:
        return self.coefs[i] * size ** self.power

    def __call__(self, items: list[tuple[int, float]]) -> list[float]:
        self.calls.append(list(items))
        return [self.height(i, size) for i, size in items]


def best(measure: FakeMeasure, i: int, room: float, sizes) -> tuple[float, float] | None:
    """Brute force: the largest size whose height fits."""
    fitting = [s for s in sizes if measure.height(i, s) <= room]
    return (max(fitting), measure.height(i, max(fitting))) if fitting else None


def test_texts_that_fit_keep_the_largest_size_in_one_pass():
    measure = FakeMeasure([0.1, 0.2, 0.05])
    assert fit_sizes(3, 100.0, ANSWER_SIZES, measure) == [(10.5, 0.1 * 10.5 ** 2), (10.5, 0.2 * 10.5 ** 2),
                                                        (10.5, 0.05 * 10.5 ** 2)]
    assert measure.calls == [[(0, 10.5), (1, 10.5), (2, 10.5)]]


def test_each_text_gets_the_largest_size_that_fits():
    # Heights at 10.5 pt: 11, 55, 100 mm; room 40 mm.
    coefs = [11 / 10.5 ** 2, 55 / 10.5 ** 2, 100 / 10.5 ** 2]
    measure = FakeMeasure(coefs)
    chosen = fit_sizes(3, 40.0, ANSWER_SIZES, measure)
    assert chosen == [best(measure, i, 40.0, ANSWER_SIZES) for i in range(3)]
    assert [c[0] for c in chosen] == [10.5, 8.5, 6.5]
    assert all(height <= 40.0 for _, height in chosen)
    # Round one measures all three, later rounds only the ones still too tall.
    assert [sorted(i for i, _ in call) for call in measure.calls] == [[0, 1, 2], [1, 2]]


def test_none_when_even_the_smallest_size_does_not_fit():
    measure = FakeMeasure([1.0, 0.01])
    chosen = fit_sizes(2, 30.0, QUESTION_SIZES, measure)
    assert chosen[0] is None
    assert chosen[1] == (13.0, 0.01 * 13.0 ** 2)
    # The smallest size was tried once before giving up, never anything smaller.
    tried = [size for call in measure.calls for i, size in call if i == 0]
    assert tried[-1] == QUESTION_SIZES[-1] and tried.count(QUESTION_SIZES[-1]) == 1
    assert min(tried) >= QUESTION_SIZES[-1]


def test_nothing_to_fit_measures_nothing():
    measure = FakeMeasure([])
    assert fit_sizes(0, 10.0, ANSWER_SIZES, measure) == []
    assert measure.calls == []


def test_growth_faster_than_predicted_still_ends():
    """Heights growing with the cube of the size make every guess too
    hopeful: more rounds, but never more than one per size."""
    measure = FakeMeasure([0.05 * n for n in range(1, 30)], power=3.0)
    chosen = fit_sizes(29, 60.0, ANSWER_SIZES, measure)
    assert len(measure.calls) <= len(ANSWER_SIZES)
    for i, c in enumerate(chosen):
        assert c is None or (c[1] <= 60.0 and c == (c[0], measure.height(i, c[0])))


@settings(max_examples=200, deadline=None, derandomize=True)
@given(coefs=st.lists(st.floats(0.001, 5.0), min_size=1, max_size=25), room=st.floats(5.0, 250.0),
       power=st.floats(1.0, 2.0), sizes=st.sampled_from([ANSWER_SIZES, QUESTION_SIZES]))
def test_fit_sizes_matches_brute_force_and_its_rounds_are_bounded(coefs, room, power, sizes):
    """For heights growing at most with the square of the size (what text
    does: lines get taller and shorter), the guesses never skip a size that
    fits: the answer is the brute-force one. Each text is measured at
    strictly smaller sizes each round, at most once per size, and there are
    at most as many layout passes as sizes."""
    measure = FakeMeasure(coefs, power)
    # Exact ties with the room are at the mercy of float rounding: skip them.
    assume(all(abs(measure.height(i, s) - room) > 1e-6 * room for i in range(len(coefs)) for s in sizes))
    chosen = fit_sizes(len(coefs), room, sizes, measure)
    assert chosen == [best(measure, i, room, sizes) for i in range(len(coefs))]
    assert 1 <= len(measure.calls) <= len(sizes)
    for i in range(len(coefs)):
        tried = [size for call in measure.calls for j, size in call if j == i]
        assert tried and tried[0] == sizes[0]
        assert tried == sorted(set(tried), reverse=True)  # strictly smaller each time


# -- the grid ----------------------------------------------------------------------

GRIDS = [Grid(PAPERS["a4"]), Grid(PAPERS["letter"]), Grid(PAPERS["a4"], cols=3, rows=5, margin_x=7.0),
         Grid(Paper("odd", 200.5, 300.25), cols=1, rows=2)]


def test_papers():
    assert (PAPERS["a4"].width, PAPERS["a4"].height) == (210.0, 297.0)
    assert (PAPERS["letter"].width, PAPERS["letter"].height) == (215.9, 279.4)
    assert PAPERS["a4"].css == "210.0mm 297.0mm"


@pytest.mark.parametrize("grid", GRIDS, ids=lambda g: f"{g.paper.name}-{g.cols}x{g.rows}")
def test_back_is_the_front_mirrored_across_the_long_edge(grid):
    """Flipped on its long edge, a point at x lands at width - x: each
    back cell covers exactly its front cell, so an answer prints behind its
    own question."""
    w = grid.paper.width
    for i in range(grid.per_sheet):
        (fx, fy), (bx, by) = grid.front(i), grid.back(i)
        assert by == fy
        assert bx == pytest.approx(w - (fx + grid.cell_width))      # the cell's right edge, mirrored
        assert bx + grid.cell_width == pytest.approx(w - fx)        # and its left edge
    row = [grid.back(c)[0] for c in range(grid.cols)]
    assert row == sorted(row, reverse=True)  # first card of a row sits at the right on the back


@pytest.mark.parametrize("grid", GRIDS, ids=lambda g: f"{g.paper.name}-{g.cols}x{g.rows}")
def test_cells_tile_the_sheet_inside_equal_margins(grid):
    w, h = grid.paper.width, grid.paper.height
    xs, ys = grid.cut_lines()
    assert xs[0] == grid.margin_x and xs[-1] == pytest.approx(w - grid.margin_x)  # equal left and right
    assert ys[0] == grid.margin_y and ys[-1] == pytest.approx(h - grid.margin_y)
    assert len(xs) == grid.cols + 1 and len(ys) == grid.rows + 1
    assert [b - a for a, b in zip(xs, xs[1:])] == pytest.approx([grid.cell_width] * grid.cols)
    assert [b - a for a, b in zip(ys, ys[1:])] == pytest.approx([grid.cell_height] * grid.rows)
    fronts = [grid.front(i) for i in range(grid.per_sheet)]
    assert len(set(fronts)) == grid.per_sheet == grid.cols * grid.rows
    for x, y in fronts:  # each cell starts on a cut line: no overlap, no gap
        assert any(x == pytest.approx(c) for c in xs[:-1]) and any(y == pytest.approx(r) for r in ys[:-1])
    assert fronts == sorted(fronts, key=lambda p: (p[1], p[0]))  # row by row
    assert 0 < grid.inner_width < grid.cell_width and 0 < grid.inner_height < grid.cell_height
    assert grid.inner_width == pytest.approx(grid.cell_width - 2 * grid.pad, abs=1e-3)
