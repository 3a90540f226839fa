"""Footnotes, `[^1]` with `[^1]: text` anywhere in the file, and inline
`^[text]` (Pandoc, Obsidian): shown at the end of the card that uses them,
numbered from 1 in each card, not gathered at the end of the deck.

mdit-py-plugins parses them; its core rule that moves every definition to
the end of the document is not used: `_collect` takes the definitions out
of the flow instead (they belong to no card by where they stand), and each
card renders the ones it refers to (`numbers`, `section`).
"""

from __future__ import annotations

from typing import Callable, Iterable, Sequence

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.footnote.index import footnote_def, footnote_ref

from .sink import Sink

DEFINITIONS = "cp_footnotes"  # env: label -> (block tokens, 1-based line)
NUMBERS = "cp_footnote_numbers"  # env while one card renders: footnote id -> its number in the card


def used(env: dict) -> bool:
    """Whether the file has footnotes (definitions or inline ones)."""
    data = env.get("footnotes") or {}
    return bool(data.get("refs") or data.get("list"))


def _collect(state) -> None:
    """Definitions out of the token stream, into the environment."""
    if not used(state.env):
        return
    kept: list[Token] = []
    definitions: dict[str, tuple[list[Token], int]] = {}
    stack: list[tuple[str, list[Token], int]] = []
    for tok in state.tokens:
        if tok.type == "footnote_reference_open":
            stack.append((tok.meta["label"], [], tok.map[0] + 1 if tok.map else 0))
        elif tok.type == "footnote_reference_close":
            label, body, line = stack.pop()
            definitions.setdefault(label, (body, line))
        else:
            (stack[-1][1] if stack else kept).append(tok)
    state.tokens = kept
    state.env[DEFINITIONS] = definitions


def _refs(tokens: Iterable[Token]) -> Iterable[int]:
    for tok in tokens:
        if tok.type == "footnote_ref":
            yield tok.meta["id"]
        if tok.children:
            yield from _refs(tok.children)


def _body(env: dict, ident: int) -> tuple[str, list[Token]]:
    """("block"|"inline", tokens) of footnote `ident`."""
    note = env.get("footnotes", {}).get("list", {}).get(ident, {})
    if "tokens" in note:  # ^[inline]
        return "inline", note["tokens"]
    return "block", env.get(DEFINITIONS, {}).get(note.get("label"), ([], 0))[0]


def numbers(env: dict, *parts: Sequence[Token]) -> dict[int, int]:
    """Footnote id -> number, in order of first use in `parts` (a card's
    question and answer tokens), then in the footnotes themselves."""
    if not used(env):
        return {}
    found: dict[int, int] = {}
    queue = [ident for part in parts for ident in _refs(part)]
    while queue:
        ident = queue.pop(0)
        if ident not in found:
            found[ident] = len(found) + 1
            queue.extend(_refs(_body(env, ident)[1]))
    return found


def section(env: dict, render: Callable[[Sequence[Token], dict], str],
            render_inline: Callable[[Sequence[Token], dict], str]) -> str:
    """The card's footnotes (those `env[NUMBERS]` holds), as a list."""
    used = env.get(NUMBERS) or {}
    if not used:
        return ""
    items = []
    for ident in sorted(used, key=used.get):
        kind, tokens = _body(env, ident)
        items.append(f"<li>{render(tokens, env) if kind == 'block' else render_inline(tokens, env)}</li>")
    return '\n<div class="cp-footnotes"><ol>\n' + "\n".join(items) + "\n</ol></div>\n"


def check(env: dict, sink: Sink) -> None:
    """A definition nothing refers to is shown nowhere: say so, at its line."""
    refs = env.get("footnotes", {}).get("refs", {})
    for label, (_tokens, line) in env.get(DEFINITIONS, {}).items():
        if refs.get(":" + label, -1) < 0:
            sink.warn(line, f"footnote [^{label}] is never referred to: it is shown nowhere")


def _render_ref(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    ident = tokens[idx].meta["id"]
    number = (env.get(NUMBERS) or {}).get(ident, ident + 1)
    return f'<sup class="cp-fnref">{number}</sup>'


def _only_at(rule, opening: str):
    """The plugin's inline rule, tried only where `opening` starts (it reads
    the environment first: costly at every `[` of a long file)."""
    def guarded(state, silent: bool) -> bool:
        return state.src.startswith(opening, state.pos) and rule(state, silent)
    return guarded


def _definition(state, start: int, end: int, silent: bool) -> bool:
    """The plugin's block rule, tried only on lines starting `[^`."""
    return state.src.startswith("[^", state.bMarks[start] + state.tShift[start]) and \
        footnote_def(state, start, end, silent)


def use(md: MarkdownIt) -> None:
    footnote_plugin(md, inline=True, move_to_end=False)
    md.inline.ruler.at("footnote_ref", _only_at(footnote_ref, "[^"))
    md.block.ruler.at("footnote_def", _definition, {"alt": ["paragraph", "reference"]})
    md.core.ruler.after("inline", "cp_footnotes", _collect)
    md.add_render_rule("footnote_ref", _render_ref)
