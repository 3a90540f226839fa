"""A card's kind, which picks its Anki note type (notetypes.py) and how each
output shows it:

- `cloze`: the question or the answer holds `{{c1::...}}` (read/cloze.py);
- `typed`: the heading has `.type`: the answer's first paragraph is typed;
- `reversed`: the heading has `.reverse`, or the deck's frontmatter says
  `reverse: true`: asked both ways;
- `basic`: the rest.

`.reverse` with `.type` is an error, not a fifth note type: its reverse side
would ask to type a question, rarely short enough to type, and a note type
made for it now would be fixed forever; an error can still become a feature
later without breaking anyone's deck. Options on a cloze card are errors
too (a cloze card is neither reversed nor typed). The deck's `reverse: true`
is a default: typed and cloze cards stay what they are.
"""

from __future__ import annotations

from typing import Callable, Sequence

from markdown_it.token import Token

from ..markup import cloze_numbers
from ..text import short
from .math import BLOCK_TYPES as MATH_BLOCKS
from .sink import Sink

KINDS = ("basic", "cloze", "reversed", "typed")
# Longer typed answers get a warning: typing them letter for letter is
# unlikely to be what the user wants.
TYPED_MAX = 60


def choose(sink: Sink, line: int, classes: Sequence[str], reverse_default: bool, question_html: str,
           answer_html: str, answer_tokens: Sequence[Token], block_text: Callable[[Token], str]) -> tuple[str, str] | None:
    """(the card's kind, the text to type for a typed card), or None after
    reporting an error at `line`. `block_text(inline_token)` is the plain
    text of a paragraph."""
    cloze = bool(cloze_numbers(question_html) or cloze_numbers(answer_html))
    options = [f".{c}" for c in ("reverse", "type") if c in classes]
    if cloze and options:
        sink.error(line, f"a card with clozes is a cloze card and cannot also be {' or '.join(options)}; "
                         "remove the option or the clozes")
        return None
    if len(options) == 2:
        sink.error(line, "a card cannot be both .reverse and .type (its reverse side would ask you to type the "
                         "question); choose one, or write two cards")
        return None
    if cloze:
        return "cloze", ""
    if "type" in classes:
        typed = typed_text(answer_tokens, block_text)
        if not typed:
            sink.error(line, "a .type card needs an answer to type: its answer starts with no text")
            return None
        if len(typed) > TYPED_MAX:
            sink.warn(line, f"the answer to type is {len(typed)} characters long ('{short(typed)}'); typing it is "
                            "unlikely to be useful: put the short answer in the answer's first paragraph (the rest "
                            "is shown after it), or drop .type")
        return "typed", typed
    if "reverse" in classes or reverse_default:
        return "reversed", ""
    return "basic", ""


def typed_text(tokens: Sequence[Token], block_text: Callable[[Token], str]) -> str:
    """What a typed card's user types: the plain text of the answer's first
    block (a paragraph, a list's first item, a code block...)."""
    for tok in tokens:
        if tok.type == "inline":
            return block_text(tok)
        if tok.type in ("fence", "code_block", *MATH_BLOCKS):
            return " ".join(tok.content.split())
        if tok.type == "html_block":
            return ""
    return ""
