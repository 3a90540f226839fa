"""What each PDF layout prints for each kind of card (notetypes.py), as card
HTML before print preparation (text.py).

- handout: one entry per card; each cloze a numbered blank (with its hint),
  and under the card a key with what the blanks hide;
- quiz: one entry per card; a cloze card gives its blanks (numbered) as
  the space to write, and the key shows its text filled in, marked;
- cards (duplex): one card per side Anki would make: a cloze card one per
  cN, that cloze a blank on the front and the sentence filled in, marked,
  on the back (its other clozes are shown as text, as Anki does); a
  reversed card also its reverse (the answer on the front);
- basic and typed cards print as they are in every layout.

An answer that holds clozes prints on the front with them, one that holds
none is the back (as on the site).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from html import escape

from ...markup import Cloze, cloze_numbers, map_cloze, plain_text
from ...model import Card


@dataclass(frozen=True)
class Side:
    question_html: str
    answer_html: str
    key_question_html: str | None = None  # the quiz key's question, when not `question_html`
    label: str = ""  # added to the card's label (the outline)
    lines: int | None = None  # ruled lines in the quiz (None: from the answer's length)


def blank(cloze: Cloze, numbered: bool = True) -> str:
    number = f'<span class="cp-blank-no">{cloze.number}</span>' if numbered else ""
    hint = f'<span class="cp-blank-hint">{escape(cloze.hint, quote=False)}</span>' if cloze.hint else ""
    return f'<span class="cp-blank">{number}{hint}</span>'


def filled(cloze: Cloze) -> str:
    return f'<span class="cp-filled">{cloze.html}</span>'


def key(*parts: str) -> str:
    """The handout's key: each cloze's number and what it hides, in order."""
    found: list[Cloze] = []
    for part in parts:
        map_cloze(part, lambda c: found.append(c) or "")
    items = "".join(f'<span class="cp-key-item"><span class="cp-blank-no">{c.number}</span> {c.html}</span> '
                    for c in sorted(found, key=lambda c: c.number))
    return f'<div class="cp-cloze-key">{items}</div>'


def _cloze_sides(card: Card, layout: str) -> list[Side]:
    q, a = card.question_html, card.answer_html
    in_answer = bool(cloze_numbers(a))
    if layout == "handout":
        return [Side(map_cloze(q, blank), map_cloze(a, blank) + key(q, a))]
    if layout == "quiz":
        front = map_cloze(q, blank) + (f'<div class="cp-cloze-text">{map_cloze(a, blank)}</div>' if in_answer else "")
        return [Side(front, map_cloze(a, filled) if in_answer else a, key_question_html=map_cloze(q, filled), lines=0)]
    sides = []
    for n in cloze_numbers(q + a):
        def front(c: Cloze, n: int = n) -> str:
            return blank(c, numbered=False) if c.number == n else c.html

        def back(c: Cloze, n: int = n) -> str:
            return filled(c) if c.number == n else c.html
        question = map_cloze(q, front) + (f'<div class="cp-cloze-text">{map_cloze(a, front)}</div>' if in_answer else "")
        shown = f'<p class="cp-cloze-q">{map_cloze(q, back)}</p>' if cloze_numbers(q) else ""
        sides.append(Side(question, shown + map_cloze(a, back), label=f" [{n}]"))
    return sides


def sides(card: Card, layout: str) -> list[Side]:
    """The entries `layout` prints for `card`."""
    if card.kind == "cloze":
        return _cloze_sides(card, layout)
    forward = Side(card.question_html, card.answer_html)
    if card.kind == "reversed" and layout == "cards":
        return [forward, Side(card.answer_html, f"<p>{card.question_html}</p>", label=" ⇄")]
    return [forward]


def listed(card: Card) -> Card:
    """The card as the contents and the outline name it: a question's
    clozes as blanks (`[…]`, or `[hint]`), not what they hide."""
    if card.kind != "cloze" or not cloze_numbers(card.question_html):
        return card
    html = map_cloze(card.question_html, lambda c: f"[{escape(c.hint, quote=False) or '…'}]")
    return replace(card, question_html=html, question_text=plain_text(html))
