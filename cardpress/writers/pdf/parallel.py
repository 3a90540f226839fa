"""Laying out one document in two processes: the machinery, apart from the
layouts that use it (handout.py).

- `can_fork`, `Partner`: whether this machine can, and the forked process
  with the pipe to it (cardpress/fork.py, shared with the reader);
- `numbering`: page numbers for a document that is one part of a whole;
- `take_links`: links into the other part, which the join adds back.

This relies on WeasyPrint 70's layout module (`make_all_pages`,
`make_margin_boxes`); the dependency is pinned below 71, and the tests
build a parallel handout.
"""

from __future__ import annotations

import contextlib
from typing import Callable, Iterator

import weasyprint

from ...fork import Partner, can_fork, expect  # noqa: F401 - the machinery, shared with the reader
from . import merge


@contextlib.contextmanager
def numbering(exchange: Callable[[int], tuple[int, int]]) -> Iterator[None]:
    """Page numbers for a document that is one part of the whole.

    WeasyPrint counts a document's own pages from 1. Two parts laid out at
    the same time cannot know each other's length up front, but WeasyPrint
    makes the margin boxes (running header, footer) only after all pages
    are laid out: there, `exchange(own page count)` trades counts with the
    other part and returns (offset, total), applied to the `page` and
    `pages` counters of the margin boxes."""
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


_PX_TO_PT = 0.75  # CSS px -> PDF points


def take_links(front: weasyprint.Document, theirs: dict, anchors: dict, roman: int) -> list[merge.LinkSpec]:
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
        specs.append(merge.LinkSpec(
            page=index, rect=(x0 * _PX_TO_PT, (height - y1) * _PX_TO_PT, x1 * _PX_TO_PT, (height - y0) * _PX_TO_PT),
            target_page=roman + number - 1, target_left=x * _PX_TO_PT, target_top=(height - y) * _PX_TO_PT))
    return specs
