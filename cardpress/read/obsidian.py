"""Obsidian's inline marks, which Obsidian's preview and many Markdown
editors show and plain CommonMark leaves as text:

- `==highlight==` -> `<mark>` (paired like `~~strikethrough~~`);
- `%%comment%%` inline, and `%%` ... `%%` blocks spanning lines: dropped.

Links, embeds and sound are `embeds.py`. Every token type here is new (not
one CommonMark makes), so a question using this syntax keeps the key its
older reading gave (`markdown.uses_extensions`). Obsidian `#tags` stay
text, as CommonMark reads them.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.state_inline import Delimiter

_EQ = 0x3D  # =


# -- ==highlight== ---------------------------------------------------------------

def _mark(state: StateInline, silent: bool) -> bool:
    """Each `==` a delimiter, paired in `_mark_pairs` (markdown-it's
    strikethrough, with `=`)."""
    if silent or state.src[state.pos] != "=":
        return False
    scanned = state.scanDelims(state.pos, True)
    length = scanned.length
    if length < 2:
        return False
    if length % 2:
        state.push("text", "", 0).content = "="
        length -= 1
    for _ in range(0, length, 2):
        state.push("text", "", 0).content = "=="
        state.delimiters.append(Delimiter(marker=_EQ, length=0, token=len(state.tokens) - 1, end=-1,
                                          open=scanned.can_open, close=scanned.can_close))
    state.pos += scanned.length
    return True


def _pair(state: StateInline, delimiters: list[Delimiter]) -> None:
    lone = []
    for start in delimiters:
        if start.marker != _EQ or start.end == -1:
            continue
        end = delimiters[start.end]
        for index, kind, nesting in ((start.token, "mark_open", 1), (end.token, "mark_close", -1)):
            token = state.tokens[index]
            token.type, token.tag, token.nesting, token.markup, token.content = kind, "mark", nesting, "==", ""
        if state.tokens[end.token - 1].type == "text" and state.tokens[end.token - 1].content == "=":
            lone.append(end.token - 1)
    while lone:  # an odd run (`===`) leaves one `=`: it goes after the closing tags
        i = lone.pop()
        j = i + 1
        while j < len(state.tokens) and state.tokens[j].type == "mark_close":
            j += 1
        j -= 1
        if i != j:
            state.tokens[i], state.tokens[j] = state.tokens[j], state.tokens[i]


def _mark_pairs(state: StateInline) -> None:
    if "==" not in state.src:
        return
    _pair(state, state.delimiters)
    for meta in state.tokens_meta:
        if meta and "delimiters" in meta:
            _pair(state, meta["delimiters"])


# -- %%comments%% ----------------------------------------------------------------

def _comment(state: StateInline, silent: bool) -> bool:
    pos = state.pos
    if not state.src.startswith("%%", pos):
        return False
    end = state.src.find("%%", pos + 2, state.posMax)
    if end < 0:
        return False
    if not silent:
        state.push("obsidian_comment", "", 0).content = state.src[pos + 2:end]
    state.pos = end + 2
    return True


def _comment_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """`%%` opening a line, up to the line that ends with the closing `%%`
    (blank lines, headings and all in between)."""
    begin = state.bMarks[start] + state.tShift[start]
    if not state.src.startswith("%%", begin) or state.is_code_block(start):
        return False
    pos, line = begin + 2, start
    while line < end:
        close = state.src.find("%%", pos, state.eMarks[line])
        if close >= 0:
            if state.src[close + 2:state.eMarks[line]].strip():
                return False  # text after it: an inline comment in a paragraph
            break
        line += 1
        if line < end:
            pos = state.bMarks[line]
    else:
        return False  # never closed: text, as written
    if not silent:
        token = state.push("obsidian_comment_block", "", 0)
        token.map = [start, line + 1]
        token.block = True
    state.line = line + 1
    return True


def use(md: MarkdownIt) -> None:
    """Teach the parser the syntax above."""
    md.inline.ruler.before("emphasis", "mark", _mark)
    md.inline.ruler2.before("emphasis", "mark", _mark_pairs)
    md.inline.ruler.after("text", "obsidian_comment", _comment)
    md.block.ruler.before("fence", "obsidian_comment_block", _comment_block,
                          {"alt": ["paragraph", "reference", "blockquote", "list"]})
    for name in ("obsidian_comment", "obsidian_comment_block"):
        md.add_render_rule(name, lambda *args: "")
