"""Which headings are questions: the question level, and what the other
headings are.

Notes put questions at different depths: `## Question` (the default),
`##` topics holding `### Question`s, or `## #1` numbers over `#### the
question`. Headings above the question level are sections; headings below
it belong to an answer. `auto` picks the level that carries the questions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from markdown_it.token import Token

from .markdown import HEADING_TOKENS, heading_inline, line_of

LEVELS = (2, 3, 4)
DEFAULT_LEVEL = 2
LEVEL_CHOICES = ("2", "3", "4", "auto")

# How questions end: a question mark, or a Korean interrogative or
# definitional ending ("...란?", "...인가", "...하는가", "...일까").
_QUESTION_END = re.compile(r"(?:[?？]|(?:란|이란|인가|는가|은가|일까|할까|까|나요|가요|는지|은지|무엇|뭘까|뭔가))\s*$")
_QUESTION_START = re.compile(r"^\s*(?:what|why|how|when|where|which|who|whom|whose|is|are|does|do|can|should|"
                             r"explain|describe|define|compare|name|list)\b", re.I)


def looks_like_question(text: str) -> bool:
    return bool(_QUESTION_END.search(text) or _QUESTION_START.match(text))


def has_words(text: str) -> bool:
    """`#1`, `1.`, `(3)` are numbers, not questions."""
    return any(ch.isalpha() for ch in text)


@dataclass
class Heading:
    index: int  # of its heading_open token
    level: int
    line: int
    text: str  # the heading's plain source text (markdown-it's inline content)
    body: bool  # text (not just other headings) stands under it before the next heading


@dataclass
class Outline:
    level: int  # the question level
    chosen: bool = False  # picked by `auto`
    questions: list[Heading] = field(default_factory=list)
    sections: list[Heading] = field(default_factory=list)
    every: list[Heading] = field(default_factory=list)  # every top-level heading, in order


def headings(tokens: Sequence[Token]) -> list[Heading]:
    """Every top-level heading (not in a list or a quote), with whether
    text stands right under it."""
    found: list[Heading] = []
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.level == 0:
            found.append(Heading(i, int(tok.tag[1]), line_of(tok), heading_inline(tokens, i).content.strip(), False))
    for n, h in enumerate(found):
        end = found[n + 1].index if n + 1 < len(found) else len(tokens)
        h.body = any(t.level == 0 and t.type.endswith("_open") or t.type in ("fence", "code_block", "html_block", "hr")
                     for t in tokens[h.index + HEADING_TOKENS:end])
    return found


def choose_level(found: list[Heading]) -> int:
    """The level whose headings read most like questions with answers under
    them; without any question-like heading, the deepest level with text
    under most of its headings; the default when nothing stands out."""
    best, score = DEFAULT_LEVEL, 0
    for level in LEVELS:
        at = [h for h in found if h.level == level]
        questions = sum(1 for h in at if looks_like_question(h.text) and h.body)
        if at and questions > score and questions * 2 >= len(at):
            best, score = level, questions
    if score:
        return best
    for level in reversed(LEVELS):
        at = [h for h in found if h.level == level]
        if at and sum(1 for h in at if h.body and has_words(h.text)) * 2 >= len(at):
            return level
    return DEFAULT_LEVEL


def outline(tokens: Sequence[Token], setting: str) -> Outline:
    """The questions and sections of a file at question level `setting`
    ("2", "3", "4" or "auto")."""
    found = headings(tokens)
    level = choose_level(found) if setting == "auto" else int(setting)
    result = Outline(level, chosen=setting == "auto", every=found)
    result.questions = [h for h in found if h.level == level]
    result.sections = [h for h in found if 1 < h.level < level]
    return result


def answer_end(tokens: Sequence[Token], start: int, level: int) -> int:
    """Where the answer of the question heading at `start` ends: the next
    top-level heading at the question level or above."""
    for i in range(start + HEADING_TOKENS, len(tokens)):
        tok = tokens[i]
        if tok.type == "heading_open" and tok.level == 0 and int(tok.tag[1]) <= level:
            return i
    return len(tokens)


def level_hints(tokens: Sequence[Token], out: Outline) -> list[tuple[int, str]]:
    """(line, message) warnings, one of each kind per file, when the
    question level looks wrong: questions with no words over headings that
    look like the real questions, or answers holding many question-like
    headings."""
    hints: list[tuple[int, str]] = []
    found = out.every
    wordless = [q for q in out.questions if not has_words(q.text)]
    if wordless:
        below = [h for h in found if h.level > out.level and has_words(h.text) and h.line > wordless[0].line]
        real = next((h for h in below if looks_like_question(h.text)), below[0] if below else None)
        hint = ""
        if real is not None:
            hint = (f"; the heading '{'#' * real.level} {real.text}' (line {real.line}) looks like the real question: "
                    f"add 'question_level: {min(real.level, LEVELS[-1])}' to the frontmatter (or build with "
                    f"--question-level {min(real.level, LEVELS[-1])})")
        count = f" ({len(wordless)} questions like it)" if len(wordless) > 1 else ""
        hints.append((wordless[0].line, f"question '{wordless[0].text}' has no words{count}{hint}"))
    if wordless:
        return hints
    # One pass: the question-like headings inside each answer.
    question: Heading | None = None
    inner: list[Heading] = []
    for h in [*found, None]:
        if h is None or h.level <= out.level:
            if question is not None and len(inner) >= 3:
                deeper = min(i.level for i in inner)
                hints.append((question.line, f"the answer of '{question.text}' holds {len(inner)} '{'#' * deeper}' "
                                             f"headings that look like questions; if they are the questions, add "
                                             f"'question_level: {min(deeper, LEVELS[-1])}' to the frontmatter"))
                break
            question, inner = (h if h is not None and h.level == out.level else None), []
        elif question is not None and looks_like_question(h.text):
            inner.append(h)
    return hints
