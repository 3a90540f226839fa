"""The handout: cover, contents with page numbers, then every card as a
numbered question with its answer.

The body is laid out once, then the front matter with the body's page
numbers as plain text, joined page by page (front pages numbered in roman).
A large deck is printed in two sections, each starting on a new page under
its heading ("문답 1–500"), so that its halves can be laid out in two
processes (parallel.py) where that is possible; the pages are the same
either way.
"""

from __future__ import annotations

import hashlib

import weasyprint

from ...model import Deck
from ...templating import render
from . import merge, parallel
from .renderer import PrintCard, Renderer

# Decks with at least this many cards get a handout in two sections, laid
# out in two processes: on 2 cores, 1,000 cards take ~35% less time. Smaller
# decks are fast either way and skip the fork and the join.
SECTION_MIN_CARDS = 150


def render_handout(renderer: Renderer, deck: Deck, context: dict) -> bytes:
    """The handout's bytes. Sections given in `context` (a folder's decks)
    are kept, and laid out in one process; else a large deck gets two."""
    cards = context["cards"]
    split = _split(cards) if len(cards) >= SECTION_MIN_CARDS and not context["sections"] else 0
    if 0 < split < len(cards):
        context = {**context, "sections": [{"first": 1, "last": split, "title": None},
                                           {"first": split + 1, "last": len(cards), "title": None}]}
        if parallel.can_fork():
            return _handout_parallel(renderer, deck, context, split)
    body_html = _body_html(context, cards)
    body = renderer.document(body_html, deck)
    front, front_html = _front(renderer, deck, context, _anchor_pages(body))
    doc = front.copy([*front.pages, *body.pages])
    return renderer.pdf_bytes(doc, front_html + body_html, deck, len(front.pages))


def _body_html(context: dict, cards: list[PrintCard]) -> str:
    return render("pdf/handout.html.j2", part="body", **{**context, "cards": cards})


def _anchor_pages(doc: weasyprint.Document) -> dict[str, tuple[int, float, float]]:
    """Anchor -> (page number, x, y in CSS px) where it starts."""
    where: dict[str, tuple[int, float, float]] = {}
    for number, page in enumerate(doc.pages, 1):
        for name, (x0, y0, _x1, _y1) in page.anchors.items():
            where.setdefault(name, (number, x0, y0))  # a card split over pages starts on the first
    return where


def _front(renderer: Renderer, deck: Deck, context: dict, anchors: dict):
    html = front_html(context, {k: v[0] for k, v in anchors.items()})
    return renderer.document(html, deck), html


def front_html(context: dict, pages: dict[str, int]) -> str:
    return render("pdf/handout.html.j2", part="front", toc_pages=pages, **context)


def handout_html(context: dict) -> list[str]:
    """The handout's parts as HTML, laid out nowhere (a preflight of the
    templates): the body, and the front matter with every page 1."""
    return [_body_html(context, context["cards"]),
            front_html(context, {c.anchor: 1 for c in context["cards"]})]


def _split(cards: list[PrintCard]) -> int:
    """Where the second section starts: halfway through the text. In a
    parallel build neither part can finish its layout (its footers) before
    it knows the other's page count, so the two layouts should take equally
    long; the first process then also lays out the contents and joins the
    parts while the second only writes its PDF."""
    sizes = [len(c.source.answer_text) + len(c.source.question_text) + 80 for c in cards]
    goal, total = sum(sizes) * 0.5, 0
    for i, size in enumerate(sizes):
        total += size
        if total >= goal:
            return i + 1
    return len(cards)


def _second_part(renderer: Renderer, deck: Deck, context: dict, cards: list[PrintCard], conn) -> None:
    """In the forked process: lay out and write the second part of the body."""
    html = _body_html(context, cards)

    def exchange(count: int) -> tuple[int, int]:
        conn.send(("count", count))
        first = parallel.expect(conn, "count")
        return first, first + count

    reported = len(renderer.diagnostics)
    with parallel.numbering(exchange):
        doc = renderer.document(html, deck)
    conn.send(("anchors", _anchor_pages(doc)))
    data = renderer.pdf_bytes(doc, html, deck)
    conn.send(("pdf", data, renderer.diagnostics[reported:]))


def _handout_parallel(renderer: Renderer, deck: Deck, context: dict, split: int) -> bytes:
    """The body's two sections, the second in a forked process; this process
    lays out the first, then the front matter, and joins the parts."""
    cards = context["cards"]
    partner = parallel.Partner(lambda conn: _second_part(renderer, deck, context, cards[split:], conn),
                               "second PDF process")
    try:
        first_html = _body_html(context, cards[:split])

        def exchange(count: int) -> tuple[int, int]:
            partner.send("count", count)
            return 0, count + partner.expect("count")

        with parallel.numbering(exchange):
            first = renderer.document(first_html, deck)
        anchors = _anchor_pages(first)
        theirs_at = partner.expect("anchors")
        anchors.update({name: (n + len(first.pages), x, y) for name, (n, x, y) in theirs_at.items()})
        front, front_html = _front(renderer, deck, context, anchors)
        roman = len(front.pages)
        links = parallel.take_links(front, theirs_at, anchors, roman)
        html = front_html + first_html
        part_one = renderer.pdf_bytes(front.copy([*front.pages, *first.pages]), html, deck)
        part_two, diagnostics = partner.expect("pdf")
    finally:
        partner.close()
    renderer.diagnostics.extend(diagnostics)
    identifier = hashlib.sha256((html + str(split)).encode("utf-8")).hexdigest()[:32].encode("ascii")
    return merge.join([part_one, part_two], links=links, roman_pages=roman, identifier=identifier)
