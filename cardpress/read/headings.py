"""Where the question headings of a file stand, parsed exactly as the
reader parses them, for tools that edit heading lines (`cardpress pin`)."""

from __future__ import annotations

from typing import Iterator

from .decode import decode
from .frontmatter import read_frontmatter
from .markdown import parse, top_headings
from .sink import Sink


def question_headings(data: bytes, display: str, level: int = 2) -> Iterator[tuple[int, int, bool]]:
    """(first line, the line its text ends on, is ATX) of each question
    heading, 0-based. A setext heading's text may span lines; its underline
    follows the last of them."""
    sink = Sink(display)
    text = decode(data, sink)
    if text is None:
        return
    text, _meta = read_frontmatter(text, sink)
    tokens, _env = parse(text)
    for i in top_headings(tokens, (f"h{level}",)):
        tok = tokens[i]
        if tok.map:
            atx = tok.markup.startswith("#")
            yield tok.map[0], tok.map[0] if atx else tok.map[1] - 2, atx
