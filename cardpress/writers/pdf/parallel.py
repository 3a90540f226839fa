"""Laying out one document in two processes: the machinery, apart from the
layouts that use it (handout.py).

- `can_fork`: whether this machine can (fork, Linux, two cores);
- `Partner`: the forked process and the pipe to it;
- `numbering`: page numbers for a document that is one part of a whole;
- `take_links`: links into the other part, which the join adds back.

This relies on WeasyPrint 70's layout module (`make_all_pages`,
`make_margin_boxes`); the dependency is pinned below 71, and the tests
build a parallel handout.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
import traceback
from typing import Callable, Iterator

import weasyprint

from . import merge


def can_fork() -> bool:
    # fork (not spawn: the child reuses the parent's prepared cards and
    # loaded fonts) is safe with WeasyPrint's C libraries on Linux only.
    # CARDPRESS_PDF_PARALLEL=0 keeps a build to one core (and the benchmark
    # uses it to compare).
    return (sys.platform.startswith("linux") and (os.cpu_count() or 1) >= 2
            and os.environ.get("CARDPRESS_PDF_PARALLEL", "1") != "0")


class Partner:
    """`work(conn)` run in a forked process, and this end of the pipe to it.
    Messages are tuples `(kind, *values)`; the child's failure comes back as
    `("error", traceback)` and is raised here by `expect`."""

    def __init__(self, work: Callable[[object], None]) -> None:
        self.conn, theirs = multiprocessing.Pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the second process
            self.conn.close()
            code = 0
            try:
                work(theirs)
            except BaseException:
                theirs.send(("error", traceback.format_exc()))
                code = 1
            finally:
                # No cleanup on the way out: the fonts' temporary folder and
                # everything else belong to the parent.
                os._exit(code)
        theirs.close()

    def send(self, *message) -> None:
        self.conn.send(message)

    def expect(self, kind: str):
        return expect(self.conn, kind)

    def close(self) -> None:
        self.conn.close()
        os.waitpid(self.pid, 0)


def expect(conn, kind: str):
    """The next message from the other process, which must be `kind`."""
    try:
        message = conn.recv()
    except EOFError:
        raise RuntimeError("the second PDF process ended without a result") from None
    if message[0] == "error":
        raise RuntimeError(f"the second PDF process failed:\n{message[1]}")
    assert message[0] == kind, message[0]
    return message[1:] if len(message) > 2 else message[1]


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
