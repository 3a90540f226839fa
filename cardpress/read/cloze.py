"""Clozes in the notes: `{{c1::text}}` and `{{c1::text::hint}}`, as Anki
writes them, recognised by the Markdown parser (an inline rule) so that
what a cloze hides stays Markdown: math, code spans, emphasis and images
work inside it, and a `}}` inside a formula or a code span does not end it.
`\\{{c1::...}}` is text.

Each cloze becomes one element (markup.cloze_open: `<span class="cp-cloze
cp-c1" title="hint">...</span>`) that every writer renders its own way
(markup.map_cloze). Registered on the main parser only (read/markdown.py):
the legacy parser that card keys come from leaves clozes as the text they
were, so no key changes.

A malformed cloze (`{{c1:x}}`, `{{c0::x}}`, no `}}`, one inside another) is
an error at its line (`check`).
"""

from __future__ import annotations

import re
from typing import Sequence

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from ..markup import cloze_open
from ..text import short
from .sink import Sink

OPEN = "cloze_open"
CLOSE = "cloze_close"
MAX_DIGITS = 3  # c1..c999
_OPEN_RE = re.compile(r"\{\{c(\d+)::")
# Anything that looks like an attempt at one, in text the rule left alone.
_ATTEMPT_RE = re.compile(r"\{\{c(\d*)(::|:?)")
_DEPTH = "cardpress_cloze_depth"  # env: clozes being parsed (one inside another is an error)
_NESTED = "nested"
PROBLEMS = "cardpress_cloze_problems"  # inline token meta: [(message, text to find its line by)]


def _find_end(state: StateInline, start: int) -> tuple[int, int]:
    """(where the hidden text ends, where `}}` is) for a cloze whose text
    starts at `start`, skipping whole tokens (code spans, formulas, links)
    as markdown-it does for a link's text; (-1, -1) when it is not closed."""
    src, maximum, saved = state.src, state.posMax, state.pos
    state.pos = start
    try:
        while state.pos < maximum:
            if src.startswith("}}", state.pos):
                return state.pos, state.pos
            if src.startswith("::", state.pos):  # the hint: plain text up to `}}`
                close = src.find("}}", state.pos + 2, maximum)
                return (state.pos, close) if close >= 0 else (-1, -1)
            state.md.inline.skipToken(state)
        return -1, -1
    finally:
        state.pos = saved


def _cloze(state: StateInline, silent: bool) -> bool:
    src, start = state.src, state.pos
    if src[start] != "{" or not src.startswith("{{c", start):
        return False
    m = _OPEN_RE.match(src, start, state.posMax)
    if m is None or len(m.group(1)) > MAX_DIGITS or int(m.group(1)) < 1:
        return False  # left as text: `check` says what is wrong
    text_end, close = _find_end(state, m.end())
    if close < 0 or text_end == m.end():
        return False
    if not silent:
        token = state.push(OPEN, "span", 1)
        token.markup = m.group(0)
        token.meta = {"number": int(m.group(1)), "hint": " ".join(src[text_end + 2:close].split())}
        if state.env.get(_DEPTH):
            token.meta[_NESTED] = True
        old_max = state.posMax
        state.pos, state.posMax = m.end(), text_end
        state.env[_DEPTH] = state.env.get(_DEPTH, 0) + 1
        state.md.inline.tokenize(state)
        state.env[_DEPTH] -= 1
        state.posMax = old_max
        state.push(CLOSE, "span", -1).markup = "}}"
    state.pos = close + 2
    return True


def _problem(text: str, m: re.Match) -> str | None:
    """What is wrong with the cloze attempt `m` in `text` (None: not one)."""
    digits, colons = m.group(1), m.group(2)
    shown = short(text[m.start():m.start() + 24])
    if not digits:
        return f"cloze '{shown}' has no number: write {{{{c1::text}}}}" if colons == "::" else None
    if colons != "::":
        return f"malformed cloze '{shown}': write {{{{c{digits}::text}}}} or {{{{c{digits}::text::hint}}}}"
    if int(digits) < 1:
        return f"cloze '{shown}': cloze numbers start at 1 ({{{{c1::...}}}})"
    if len(digits) > MAX_DIGITS:
        return f"cloze '{shown}': the number is too large (c1 to c999)"
    if text.startswith(("}}", "::"), m.end()):
        return f"cloze '{shown}' is empty: write what it hides after '::'"
    return f"cloze '{shown}' is not closed with '}}}}' in its paragraph"


def _mark_problems(state: StateCore) -> None:
    """Before text_join (which merges escaped characters back into text):
    note on each inline token the cloze attempts its text holds, and clozes
    inside clozes, for `check` to report at their lines."""
    for block in state.tokens:
        if block.type != "inline" or not block.children or "{{c" not in block.content:
            continue  # no attempt at a cloze in its source: nothing to look at
        found = []
        for tok in block.children:
            if tok.type == "text" and "{{c" in tok.content:
                for m in _ATTEMPT_RE.finditer(tok.content):
                    message = _problem(tok.content, m)
                    if message:
                        found.append((message, m.group(0)))
            elif tok.type == OPEN and tok.meta.get(_NESTED):
                found.append((f"cloze '{tok.markup}...' is inside another cloze; Anki and cardpress take one "
                              "level: close the first one before it", tok.markup))
        if found:
            block.meta[PROBLEMS] = found


def _render_open(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    token = tokens[idx]
    return "<span>" if token.meta.get(_NESTED) else cloze_open(token.meta["number"], token.meta["hint"])


def _render_close(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    return "</span>"


def use(md: MarkdownIt) -> None:
    """Teach the parser clozes."""
    md.inline.ruler.after("text", "cloze", _cloze)
    md.core.ruler.before("text_join", "cloze_problems", _mark_problems)
    md.add_render_rule(OPEN, _render_open)
    md.add_render_rule(CLOSE, _render_close)


# -- the check --------------------------------------------------------------

def check(tokens: Sequence[Token], lines: list[str], sink: Sink) -> None:
    """An error, at its line, for every malformed cloze."""
    for block in tokens:
        if block.type != "inline" or PROBLEMS not in block.meta:
            continue
        for message, needle in block.meta[PROBLEMS]:
            first, end = (block.map[0] + 1, block.map[1]) if block.map else (1, len(lines))
            line = next((n for n in range(first, min(end, len(lines)) + 1) if needle in lines[n - 1]), first)
            sink.error(line, message)


def has_clozes(children: Sequence[Token]) -> bool:
    return any(tok.type == OPEN for tok in children)
