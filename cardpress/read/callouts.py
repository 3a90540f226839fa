"""Callouts: a quote whose first line is `[!KIND]` (GitHub's alerts,
Obsidian's callouts), with an optional title after it and Obsidian's fold
marks (`[!tip]-` folded, `[!tip]+` open):

    > [!warning] Learning rate
    > Too high and the loss diverges.

becomes a box of its family's look (`cardpress.callouts`) holding a title
and the quote's content:

    <div class="cp-callout cp-callout-warning">
    <p class="cp-callout-title">Learning rate</p> ...</div>

A foldable one is a `<details>` whose `<summary>` is the title. The quote's
tokens are rewritten before inline parsing, so the title is Markdown like
any text, and a quote without the mark stays a quote.
"""

from __future__ import annotations

import re
from typing import Sequence

from markdown_it import MarkdownIt
from markdown_it.token import Token

from .. import callouts

_MARK_RE = re.compile(r"^\[!([A-Za-z][\w-]*)\]([+-]?)[ \t]*(.*)$")
CALLOUT = "cp_callout"  # token meta: {"family", "kind", "fold"}


def _closing(tokens: Sequence[Token], start: int) -> int:
    """The blockquote_close matching the blockquote_open at `start`."""
    depth = 0
    for i in range(start, len(tokens)):
        if tokens[i].type == "blockquote_open":
            depth += 1
        elif tokens[i].type == "blockquote_close":
            depth -= 1
            if depth == 0:
                return i
    return len(tokens) - 1


def _rewrite(tokens: list[Token], start: int) -> bool:
    """Turn the quote at `start` into a callout when its first line is a
    callout mark."""
    if start + 2 >= len(tokens) or tokens[start + 1].type != "paragraph_open" or tokens[start + 2].type != "inline":
        return False
    inline = tokens[start + 2]
    first, _, rest = inline.content.partition("\n")
    m = _MARK_RE.match(first.strip())
    if not m:
        return False
    kind, fold, title = m.groups()
    meta = {"family": callouts.family(kind), "kind": kind, "fold": fold}
    end = _closing(tokens, start)
    line = inline.map[0] if inline.map else (tokens[start].map or [0])[0]
    opening, closing = tokens[start], tokens[end]
    opening.type, opening.meta = "callout_open", meta
    closing.type, closing.meta = "callout_close", meta
    heading = Token("inline", "", 0)
    heading.content, heading.map, heading.children = title.strip() or callouts.default_title(kind), [line, line + 1], []
    title_tokens = [Token("callout_title_open", "", 1), heading, Token("callout_title_close", "", -1)]
    for tok in title_tokens:
        tok.meta, tok.level, tok.block = meta, opening.level + 1, True
    title_tokens[1].level = opening.level + 2
    if rest.strip():
        inline.content = rest
        if inline.map:
            inline.map = [inline.map[0] + 1, inline.map[1]]
        tokens[start + 1:start + 1] = title_tokens
    else:  # the mark was the paragraph: the title takes its place
        tokens[start + 1:start + 4] = title_tokens
    return True


def _callouts(state) -> None:
    tokens = state.tokens
    if not any(t.type == "blockquote_open" for t in tokens):
        return
    i = 0
    while i < len(tokens):
        if tokens[i].type == "blockquote_open":
            _rewrite(tokens, i)
        i += 1


def _render_open(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    meta = tokens[idx].meta
    classes = f"cp-callout cp-callout-{meta['family']}"
    if meta["fold"]:
        return f'<details class="{classes}"{" open" if meta["fold"] == "+" else ""}>\n'
    return f'<div class="{classes}">\n'


def _render_close(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    return "</details>\n" if tokens[idx].meta["fold"] else "</div>\n"


def _render_title_open(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    return '<summary class="cp-callout-title">' if tokens[idx].meta["fold"] else '<p class="cp-callout-title">'


def _render_title_close(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    return "</summary>\n" if tokens[idx].meta["fold"] else "</p>\n"


def use(md: MarkdownIt) -> None:
    """Teach the parser callouts (before inline parsing reads their titles)."""
    md.core.ruler.after("block", "callouts", _callouts)
    md.add_render_rule("callout_open", _render_open)
    md.add_render_rule("callout_close", _render_close)
    md.add_render_rule("callout_title_open", _render_title_open)
    md.add_render_rule("callout_title_close", _render_title_close)

