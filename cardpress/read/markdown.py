"""The Markdown parser: the only module that knows markdown-it-py.

CommonMark plus the GFM extensions markdown-it-py ships (tables,
strikethrough, task lists), math (`math.py`), clozes (`cloze.py`), GitHub's and
Obsidian's callouts (`callouts.py`), footnotes (`footnotes.py`), highlights
and comments (`obsidian.py`), wikilinks, embeds and sound (`embeds.py`), so
what a user's editor preview shows is what the cards show. Code is highlighted here, once (`highlight.py`). Changes to
how Markdown becomes HTML belong in this module's render rules.

Nesting: markdown-it silently drops everything below its nesting limit (a
12-level outline lost levels 10-12, 20 nested quotes their text). Here the
limit is MAX_LEVEL, and what lies deeper is kept, flattened into plain
paragraphs, and reported (`flattened`).
"""

from __future__ import annotations

import re
from typing import Iterable, Iterator, Sequence

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token
from mdit_py_plugins.tasklists import tasklists_plugin

from .. import highlight
from . import callouts, cloze, embeds, footnotes, math, obsidian

# A heading is three tokens: heading_open, inline (its text), heading_close.
HEADING_TOKENS = 3

# Block nesting kept as written (a list level is two: the list and its
# item, so outlines keep 24 levels, quotes 48). Deeper blocks become plain
# paragraphs, so the HTML a card gets stays within what every output can
# lay out, in time linear in the text.
MAX_LEVEL = 48
_FLATTENED = "cardpress_flattened"  # env key: first lines of flattened blocks
# Container markers at the start of a flattened line: quote `>`, bullets,
# ordered-list numbers.
_MARKERS_RE = re.compile(r"^(?:[ \t]*(?:>|[-+*](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$)))*[ \t]*")


def _highlight(code: str, lang: str, _attrs: str) -> str:
    return highlight.highlight(code, lang.split()[0] if lang else "")


def _make_parser(extensions: bool = True) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "highlight": _highlight})
    md.enable(["table", "strikethrough"])
    md.use(tasklists_plugin)
    if extensions:
        math.use(md)
        cloze.use(md)  # {{c1::...}}: read/cloze.py
        for plugin in (obsidian, embeds, callouts, footnotes):
            plugin.use(md)
    # markdown-it silently turns `[x](javascript:...)` into plain text; we
    # want to see every URL, report the unsafe ones with their line and
    # remove them (sanitize.clean drops them in any case).
    md.validateLink = lambda url: True
    if extensions:  # the legacy reader (card keys, below) stays as it was
        # Above MAX_LEVEL (where _flatten takes over), so markdown-it's own
        # limit, which drops text, is never reached.
        md.options["maxNesting"] = MAX_LEVEL + 8
        md.block.ruler.before(md.block.ruler.get_all_rules()[0], "cardpress_flatten", _flatten)
    return md


def _flatten(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """At MAX_LEVEL, the rest of this block's lines as plain paragraphs
    (their container markers removed), one per line, and a note in the
    environment of where that happened."""
    if state.level < MAX_LEVEL:
        return False
    if silent:
        return True
    line = start
    while line < end:
        if state.isEmpty(line):
            line += 1
            continue
        if state.sCount[line] < state.blkIndent:
            break  # the end of this block: the outer one goes on
        text = _MARKERS_RE.sub("", state.getLines(line, line + 1, state.blkIndent, False)).strip()
        if text:
            # Not "paragraph_open": a tight list would hide those <p> tags
            # and run the lines together.
            state.push("flat_paragraph_open", "p", 1).map = [line, line + 1]
            inline = state.push("inline", "", 0)
            inline.content, inline.map, inline.children = text, [line, line + 1], []
            state.push("flat_paragraph_close", "p", -1)
        line += 1
    state.env.setdefault(_FLATTENED, []).append(start + 1)
    state.line = line
    return True


_MD = _make_parser()

# Card keys (and so Anki GUIDs) are slugs of the question as cardpress read
# it before it learnt any syntax beyond CommonMark + GFM. A question whose
# heading uses newer syntax (math: `$x_i$` used to be emphasis) gets its key
# from that older reading, so learning a syntax never gives a question that
# already had a key a new one. `_LEGACY` is that reader; the inline token
# types it makes are the ones below, anything else comes from an extension
# (an image that is sound, `![](a.mp3)`, stays an image: its text is the same).
_LEGACY = _make_parser(extensions=False)
_LEGACY_INLINE = frozenset({"text", "text_special", "softbreak", "hardbreak", "code_inline", "em_open", "em_close",
                            "strong_open", "strong_close", "s_open", "s_close", "link_open", "link_close", "image",
                            "html_inline"})


def uses_extensions(children: Sequence[Token]) -> bool:
    """Whether inline tokens hold syntax from an extension (math...)."""
    return any(tok.type not in _LEGACY_INLINE for tok in walk(children))


def render_inline_legacy(source: str, env: dict) -> str:
    """Inline Markdown rendered as CommonMark + GFM alone (see `_LEGACY`)."""
    return _LEGACY.renderInline(source, dict(env))


def parse(text: str) -> tuple[list[Token], dict]:
    """The block tokens of `text` and the environment rendering needs
    (link reference definitions)."""
    env: dict = {}
    return _MD.parse(text, env), env


def flattened(env: dict) -> list[int]:
    """The 1-based lines where blocks nested deeper than MAX_LEVEL were
    flattened into plain paragraphs, for a warning each."""
    return list(env.get(_FLATTENED, ()))


def render(tokens: Sequence[Token], env: dict) -> str:
    return _MD.renderer.render(tokens, _MD.options, env)


def render_inline(children: Sequence[Token], env: dict) -> str:
    return _MD.renderer.renderInline(children, _MD.options, env)


def line_of(token: Token) -> int:
    """The 1-based line a block token starts on (0 when it has no map)."""
    return token.map[0] + 1 if token.map else 0


def heading_inline(tokens: Sequence[Token], start: int) -> Token:
    """The inline token (the text) of the heading opening at `start`."""
    return tokens[start + 1]


def walk(tokens: Iterable[Token]) -> Iterator[Token]:
    for tok in tokens:
        yield tok
        if tok.children:
            yield from walk(tok.children)


def top_headings(tokens: Sequence[Token], tags: Sequence[str]) -> list[int]:
    """Indexes of the headings with these tags (`h1`, `h2`) that are not
    inside a list or a quote."""
    return [i for i, t in enumerate(tokens) if t.type == "heading_open" and t.level == 0 and t.tag in tags]
