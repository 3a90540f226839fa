"""A card's Anki fields, in its note type's order (notetypes.py), and the
templates of each note type. No genanki here: writers/anki.py packages.

Field values are card HTML as Anki shows it (`html`: media names and math
as writers/anki.py makes them). A cloze note's Text field holds Anki's own
`{{cN::text::hint}}`; whatever else in it could read as cloze syntax
(`{{`, `}}`, `::` in the text, in a formula, in an attribute) is written as
a character reference, which Anki's cloze parser, working on the field's
source, passes over, and which the card's page, MathJax included, reads as
the character.
"""

from __future__ import annotations

from html import escape
from typing import Callable

from ..markup import Cloze, cloze_numbers, map_cloze
from ..model import Card
from ..notetypes import BASIC, CLOZE, REVERSED, TYPED, NoteType, for_kind

# note type -> its templates: (name, front template, back template) in templates/anki/.
TEMPLATES = {
    BASIC.id: (("Card 1", "front", "back"),),
    REVERSED.id: (("Forward", "front", "back"), ("Reverse", "reverse_front", "reverse_back")),
    TYPED.id: (("Card 1", "typed_front", "typed_back"),),
    CLOZE.id: (("Cloze", "cloze_front", "cloze_back"),),
}
assert all(tuple(t[0] for t in TEMPLATES[nt.id]) == nt.templates for nt in (BASIC, REVERSED, TYPED, CLOZE))

_CLOZE_SYNTAX = (("{{", "{&#123;"), ("}}", "}&#125;"), ("::", ":&#58;"))
_MARK = "\x00"  # never in card HTML: the sanitizer removes control characters


def not_cloze_syntax(html: str) -> str:
    """`html` with nothing Anki's cloze parser could take for its syntax."""
    for text, reference in _CLOZE_SYNTAX:
        while text in html:  # `}}}` holds `}}` again after one pass
            html = html.replace(text, reference)
    return html


def cloze_text(card_html: str, html: Callable[[str], str]) -> str:
    """Card HTML with each cloze element as Anki's `{{cN::text::hint}}`."""
    clozes: list[str] = []

    def mark(cloze: Cloze) -> str:
        hint = f"::{not_cloze_syntax(escape(cloze.hint, quote=False))}" if cloze.hint else ""
        clozes.append(f"{{{{c{cloze.number}::{not_cloze_syntax(html(cloze.html))}{hint}}}}}")
        return f"{_MARK}{len(clozes) - 1}{_MARK}"

    marked = not_cloze_syntax(html(map_cloze(card_html, mark)))
    parts = marked.split(_MARK)
    return "".join(clozes[int(p)] if i % 2 else p for i, p in enumerate(parts))


def note_fields(card: Card, html: Callable[[str], str]) -> tuple[NoteType, list[str]]:
    """The card's note type and its fields, in that type's order."""
    nt = for_kind(card.kind)
    values = {"CardId": escape(card.key)}
    if nt is CLOZE:
        in_question, in_answer = bool(cloze_numbers(card.question_html)), bool(cloze_numbers(card.answer_html))
        text = f'<div class="cp-question">{cloze_text(card.question_html, html)}</div>' if in_question else ""
        values["Text"] = text + (cloze_text(card.answer_html, html) if in_answer else "")
        values["Context"] = "" if in_question else html(card.question_html)
        values["Back"] = "" if in_answer else html(card.answer_html)
    else:
        values["Question"] = html(card.question_html)
        values["Answer"] = html(card.answer_html)
        if nt is TYPED:
            values["Typed"] = escape(card.typed, quote=False)
    return nt, [values.get(name, "") for name in nt.fields]
