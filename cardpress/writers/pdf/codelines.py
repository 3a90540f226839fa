"""Code blocks for print: one box per source line.

Paper cannot scroll, so a code line longer than the page is wide must
wrap. Wrapped naively it restarts at column 0 and reads as dedented code
(fatal in Python). Here each line of a `<pre>` becomes a
`<span class="cp-line">`; a line long enough to wrap in the narrowest
layout (over SHORT columns) also gets `cp-wrap` and `--hang: N`, N being
its own indentation in columns plus two: print.css gives it a hanging
indent of N columns and draws a continuation mark in front of every wrapped
part. Short lines get neither: the hanging indent and the mark are drawn
with positioned boxes and computed lengths, which cost WeasyPrint more than
the rest of a line's layout, and they can never wrap.

Pure text work on the sanitized HTML through `markup.tokens`: inline tags
open across a line end (a highlighted multi-line string, a `<b>` in a raw
`<pre>`) are closed at the end of the line and reopened on the next.

A highlight span that prints exactly as its text (a token class the
printed palette leaves plain, or whitespace, whose colour cannot show) is
unwrapped: such spans are over half of all the inline boxes of a code-heavy
deck, and WeasyPrint lays out every box (a 200-card handout: 10.4 -> 7.8 s).
"""

from __future__ import annotations

from functools import lru_cache
from html import unescape

from ...highlight import CLASS_PREFIX, token_styles
from ...markup import Tag, tokens
from ...palette import CODE

TAB = 4  # columns per tab (the card CSS sets `tab-size: 4`)
HANG = 2  # continuation lines start this many columns right of their line
MAX_INDENT = 24  # deeper indents hang no further: narrow cards must keep room for text
# Columns that fit on a line of the narrowest layout (a duplex card's side
# at its largest code size holds about 38): shorter lines never wrap.
SHORT = 36

_VOID = frozenset({"area", "br", "col", "embed", "hr", "img", "input", "source", "track", "wbr"})


def indent_columns(text: str) -> int:
    columns = 0
    for ch in text:
        if ch == " ":
            columns += 1
        elif ch == "\t":
            columns += TAB - columns % TAB
        else:
            break
    return columns


def columns(text: str) -> int:
    """The width of a line of code in columns (tabs to the next stop)."""
    width = 0
    for ch in text:
        width += TAB - width % TAB if ch == "\t" else 1
    return width


@lru_cache(maxsize=1)
def _printed_classes() -> frozenset[str]:
    """The token classes print gives a look of their own (card.css: the
    light palette); whitespace's colour cannot show."""
    return frozenset(token_styles(CODE["light"].style)) - {CLASS_PREFIX + "w"}


def _prints_as_text(span: Tag) -> bool:
    attrs = span.attrs()
    classes = attrs.get("class", "").split()
    return (attrs.keys() == {"class"} and bool(classes) and all(c.startswith(CLASS_PREFIX) for c in classes)
            and not _printed_classes().intersection(classes))


def _line_span(pieces: list[str], text: str) -> str:
    if columns(text) <= SHORT:
        return f'<span class="cp-line">{"".join(pieces)}</span>'
    hang = min(indent_columns(text), MAX_INDENT) + HANG
    return f'<span class="cp-line cp-wrap" style="--hang: {hang}">{"".join(pieces)}</span>'


def _split_lines(inner: list[Tag | str]) -> str:
    """The content of a code block as one span per line."""
    open_tags: list[Tag] = []
    unwrapped: list[bool] = []  # for each open <span>: left out (_prints_as_text)?
    lines: list[tuple[list[str], str]] = []
    pieces: list[str] = []
    text = ""
    for part in inner:
        if isinstance(part, Tag):
            if part.name == "span" and not part.raw.endswith("/>"):
                if not part.closing:
                    unwrapped.append(_prints_as_text(part))
                    if unwrapped[-1]:
                        continue
                elif unwrapped and unwrapped.pop():
                    continue
            if part.closing:
                for i in range(len(open_tags) - 1, -1, -1):
                    if open_tags[i].name == part.name:
                        del open_tags[i:]
                        break
            elif part.name not in _VOID and not part.raw.endswith("/>"):
                open_tags.append(part)
            pieces.append(part.raw)
            continue
        first, *rest = part.split("\n")
        pieces.append(first)
        text += first
        for chunk in rest:
            pieces.extend(f"</{tag.name}>" for tag in reversed(open_tags))
            lines.append((pieces, text))
            pieces = [tag.raw for tag in open_tags] + [chunk]
            text = chunk
    # The newline that ends the last line opens no new one. (Dropping that
    # empty line drops only tags: the line before closed all it had open.)
    if unescape(text).strip() or not lines:
        lines.append((pieces, text))
    return "".join(_line_span(p, unescape(t)) for p, t in lines)


def code_lines(html: str) -> str:
    """`html` with every `<pre>` block's lines in their own spans."""
    if "<pre" not in html:
        return html
    out: list[str] = []
    block: list[Tag | str] | None = None  # the open <pre>'s content
    for part in tokens(html):
        if block is None:
            out.append(part if isinstance(part, str) else part.raw)
            if isinstance(part, Tag) and part.name == "pre" and not part.closing:
                block = []
        elif isinstance(part, Tag) and part.name == "pre" and part.closing:
            # <pre><code>...</code></pre>: the lines go inside the <code>, so
            # their indent is measured in the code font.
            codes = [i for i, p in enumerate(block) if isinstance(p, Tag) and p.name == "code"]
            wrapped = codes == [0, len(block) - 1] and not block[0].closing and block[-1].closing
            if wrapped:
                out.append(block[0].raw + _split_lines(block[1:-1]) + block[-1].raw)
            else:
                out.append(_split_lines(block))
            out.append(part.raw)
            block = None
        else:
            block.append(part)
    if block is not None:  # an unclosed <pre> (the sanitizer closes them): as it was
        out.extend(p if isinstance(p, str) else p.raw for p in block)
    return "".join(out)
