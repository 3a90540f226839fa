"""Math in the notes: recognised before Markdown can touch it, checked at
its line, written as one element every writer replaces (markup.math_element).

The forms people's editors preview:
- `$...$` inline and `$$...$$` display (mdit-py-plugins' dollarmath) with
  Pandoc's rule for money: an opening `$` is followed by a non-space, a
  closing `$` is preceded by a non-space and not followed by a digit, so
  `약 $5 정도이고, 하루 예산이 $100이면` stays prose; `\\$` is a dollar;
- `\\(...\\)` inline and `\\[...\\]` display, as Anki writes them;
- amsmath environments on their own lines (`\\begin{align}...\\end{align}`),
  and inside `$$` like any TeX;
- GitHub's ```` ```math ```` fence.
Inside a formula Markdown changes nothing: backslashes, `_`, `*`, `\\\\`,
`\\{` arrive as written.
"""

from __future__ import annotations

from typing import Iterator, Sequence

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.amsmath import amsmath_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin

from .. import mathtex
from ..markup import Formula, math_element
from ..text import short
from .sink import Sink

# token type -> (display, block)
INLINE_TYPES = {"math_inline": False, "math_inline_double": True, "math_paren": False, "math_bracket": True}
BLOCK_TYPES = ("math_block", "math_bracket_block", "amsmath")
ERROR = "cardpress_math_error"


def _closing(src: str, start: int, end: int, close: str) -> int:
    """Where the `\\)` or `\\]` that closes a formula starting at `start`
    is, or -1. A backslash takes the next character with it (`\\\\` is a
    line break, not an escape of what follows)."""
    i = start
    while i < end - 1:
        if src[i] == "\\":
            if src[i + 1] == close:
                return i
            i += 2
        else:
            i += 1
    return -1


def _inline_brackets(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if src[pos] != "\\" or pos + 1 >= state.posMax or src[pos + 1] not in "([":
        return False
    close = ")" if src[pos + 1] == "(" else "]"
    end = _closing(src, pos + 2, state.posMax, close)
    if end < 0 or end == pos + 2:
        return False
    if not silent:
        token = state.push("math_paren" if close == ")" else "math_bracket", "math", 0)
        token.content = src[pos + 2:end]
        token.markup = src[pos:pos + 2]
    state.pos = end + 2
    return True


def _block_brackets(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """`\\[` starting a line, `\\]` ending one (the same or a later line,
    no blank line between)."""
    if state.is_code_block(start_line):
        return False
    begin = state.bMarks[start_line] + state.tShift[start_line]
    if not state.src.startswith("\\[", begin):
        return False
    line, pos = start_line, begin + 2
    while line < end_line:
        line_end = state.eMarks[line]
        if line > start_line and state.isEmpty(line):
            return False
        close = _closing(state.src, pos, line_end, "]")
        if close >= 0:
            if state.src[close + 2:line_end].strip():
                return False  # text after `\]`: an inline formula in a paragraph
            break
        line += 1
        if line < end_line:
            pos = state.bMarks[line] + state.tShift[line]
    else:
        return False
    if silent:
        return True
    token = state.push("math_bracket_block", "math", 0)
    token.block = True
    token.content = "\n".join(
        state.src[(begin + 2 if n == start_line else state.bMarks[n]):(close if n == line else state.eMarks[n])]
        for n in range(start_line, line + 1))
    token.markup = "\\["
    token.map = [start_line, line + 1]
    state.line = line + 1
    return True


def _math_fences(state) -> None:
    """GitHub renders a ```` ```math ```` fence as display math: so do we."""
    for token in state.tokens:
        if token.type == "fence" and token.info.strip() == "math":
            token.type = "math_block"
            token.content = token.content.rstrip("\n")


def _render(display: bool, block: bool):
    def rule(self, tokens: Sequence[Token], idx: int, options, env) -> str:
        token = tokens[idx]
        tex = token.content.rstrip("\n") if token.type == "amsmath" else token.content
        html = math_element(Formula(tex, display, bool(token.meta.get(ERROR))), block=block)
        return html + "\n" if block else html
    return rule


def use(md: MarkdownIt) -> None:
    """Teach the parser the math forms above."""
    dollarmath_plugin(md, allow_labels=False, allow_space=False, allow_digits=False, allow_blank_lines=False,
                      double_inline=True)
    amsmath_plugin(md)
    md.inline.ruler.before("escape", "math_brackets", _inline_brackets)
    md.block.ruler.before("fence", "math_bracket_block", _block_brackets,
                          {"alt": ["paragraph", "reference", "blockquote", "list"]})
    md.core.ruler.push("math_fences", _math_fences)
    for name, display in INLINE_TYPES.items():
        md.add_render_rule(name, _render(display, block=False))
    for name in BLOCK_TYPES:
        md.add_render_rule(name, _render(True, block=True))


# -- the check --------------------------------------------------------------

def formulas(tokens: Sequence[Token], lines: list[str]) -> Iterator[tuple[Token, bool, int]]:
    """Every formula token, whether it is display math, and its line."""
    for block in tokens:
        if block.type in BLOCK_TYPES:
            yield block, True, block.map[0] + 1 if block.map else 1
        elif block.type == "inline" and block.children:
            first, end = (block.map[0] + 1, block.map[1]) if block.map else (1, len(lines))
            line = first
            for tok in block.children:
                if tok.type in ("softbreak", "hardbreak"):
                    line += 1
                elif tok.type in INLINE_TYPES:
                    line = _find(tok.content.split("\n", 1)[0], lines, line, end)
                    yield tok, INLINE_TYPES[tok.type], line
                    line += tok.content.count("\n")
                else:
                    line += tok.content.count("\n")


def _find(needle: str, lines: list[str], line: int, end: int) -> int:
    """The first line from `line` on that holds `needle` (markdown-it keeps
    no line for inline tokens, and a code span drops its line breaks)."""
    for n in range(line, min(end, len(lines)) + 1):
        if needle in lines[n - 1]:
            return n
    return line


def check(tokens: Sequence[Token], lines: list[str], sink: Sink) -> None:
    """Warn, at its line, about every formula that cannot be rendered, and
    mark it so the writers show its source instead."""
    for token, display, line in formulas(tokens, lines):
        problem = mathtex.problem(token.content, display)
        if problem:
            token.meta[ERROR] = True
            sink.warn(line, f"formula '{short(token.content.strip())}' cannot be rendered: {problem}; "
                            "the PDF and the site show its source")
