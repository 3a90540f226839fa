"""The site's items for each kind of card (notetypes.py): what the deck page
lists and studies.

- basic and typed: one item; a typed card adds a form that compares what
  was typed with its answer (site.js), outside the card's <details> so that
  typing never flips the card;
- reversed: two items, the card and its reverse (the answer asks for the
  question), whose id is the card's key behind RESERVED (`_cp-`, which no
  pin may start with) so it never meets another card's;
- cloze: one item; each cloze is a blank and its hidden text, side by side,
  and opening the card (a flip, a click in the list, print) shows the text
  in place of the blank (site.css). An answer that holds clozes is shown on
  the front, with its blanks; one that holds none is the back.
"""

from __future__ import annotations

from html import escape
from typing import Callable

from ..markup import Cloze, cloze_numbers, map_cloze
from ..model import Card

REVERSE_PREFIX = "_cp-reverse-"  # the reverse item's id: `_cp-` ids are the site's own (read/deck.py)

Html = Callable[[str], str]  # reader HTML -> site HTML (images pointed at the site's copies, math rendered)


def cloze_html(html: str, blank: str) -> str:
    """Reader HTML with each cloze as a blank (its hint, or …) beside its
    hidden text; `blank` names the blank for screen readers."""
    def one(cloze: Cloze) -> str:
        shown = escape(cloze.hint, quote=False) if cloze.hint else "…"
        return (f'<span class="cp-cloze" data-cloze="{cloze.number}"><span class="cp-cloze-blank">'
                f'<span class="sr-only">{escape(blank, quote=False)} </span>{shown}</span>'
                f'<span class="cp-cloze-answer">{cloze.html}</span></span>')
    return map_cloze(html, one)


def typed_form(card: Card, text: dict[str, str], lang: str) -> str:
    """The form that checks a typed answer (site.js compares, NFC, ignoring
    case and spacing). Only with JavaScript: without it, the card is a card."""
    lang_attr = f' lang="{escape(lang)}"' if lang else ""
    return (f'<form class="cp-type" data-js-only data-answer="{escape(card.typed)}">'
            f'<input type="text" class="cp-type-input" aria-label="{escape(text["type_label"])}" '
            f'placeholder="{escape(text["type_label"])}" autocomplete="off" autocapitalize="off" '
            f'spellcheck="false"{lang_attr}>'
            f'<button type="submit" class="secondary-button">{escape(text["type_check"])}</button>'
            '<p class="cp-type-result" role="status"></p></form>')


def items(card: Card, html: Html, answer: Html, text: dict[str, str], lang: str) -> list[dict]:
    """The card's items: dicts of key, question_html, answer_html, kind,
    front_html, after_html (the card partial's arguments)."""
    item = {"key": card.key, "kind": None, "front_html": None, "after_html": None}
    if card.kind == "cloze":
        in_answer = bool(cloze_numbers(card.answer_html))
        blanked = answer(cloze_html(card.answer_html, text["blank"]))
        return [{**item, "kind": "cloze", "question_html": html(cloze_html(card.question_html, text["blank"])),
                 "front_html": f'<div class="cp-cloze-text">{blanked}</div>' if in_answer else None,
                 "answer_html": "" if in_answer else blanked}]
    item.update(question_html=html(card.question_html), answer_html=answer(card.answer_html))
    if card.kind == "typed":
        return [{**item, "kind": "typed", "after_html": typed_form(card, text, lang)}]
    if card.kind == "reversed":
        reverse = {**item, "key": REVERSE_PREFIX + card.key, "kind": "reverse",
                   "question_html": item["answer_html"], "answer_html": f"<p>{item['question_html']}</p>"}
        return [item, reverse]
    return [item]
