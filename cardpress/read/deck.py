"""One file -> one `Deck`: decode, frontmatter, parse, check links, then
turn the heading structure into cards.

`# Title` names the deck (else the file name), text before the first `##`
is its description, each `##` heading is a question and everything up to
the next `##` is its answer. Markdown becomes HTML here, once, and is
sanitized before it leaves: writers never parse Markdown.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Sequence

from markdown_it.token import Token

from .. import sanitize
from ..identity import PIN_RE, content_hash, slugify
from ..markup import plain_text
from ..model import Card, Deck
from ..text import short
from .decode import decode
from .frontmatter import read_frontmatter
from .links import Approved, LinkCheck
from .markdown import HEADING_TOKENS, heading_inline, line_of, parse, render, render_inline, top_headings
from .sink import Sink


class DeckReader:
    """Reads one file. Collects diagnostics (`sink`) instead of stopping at
    the first problem."""

    def __init__(self, path: Path, display_path: str, root: Path, remote=None):
        self.path = path
        self.root = root
        self.remote = remote
        self.sink = Sink(display_path)
        self.approved = Approved()  # filled by the link check, before any HTML is cleaned
        self.env: dict = {}

    @property
    def diagnostics(self):
        return self.sink.diagnostics

    @property
    def media_files(self) -> dict[str, str]:
        return self.approved.media_files

    def read(self, data: bytes) -> Deck | None:
        text = decode(data, self.sink)
        if text is None:
            return None
        text, meta = read_frontmatter(text, self.sink)
        tokens, self.env = parse(text)
        # Cleaning consults what the check approved: check first.
        self.approved = LinkCheck(self.path, self.root, text.split("\n"), self.sink, self.remote).check(tokens)

        headings = top_headings(tokens, ("h1", "h2"))
        first_h2 = next((i for i in headings if tokens[i].tag == "h2"), len(tokens))
        title, title_line, intro_tokens = self.title(tokens, headings, first_h2)
        identity = ""
        if meta.get("title"):
            title = str(meta["title"])
        elif title is None:
            title, identity = title_from_filename(self.path), legacy_title_from_filename(self.path)
        description_html = self.clean(render(intro_tokens, self.env)) if intro_tokens else ""
        h2s = [i for i in headings if tokens[i].tag == "h2"]
        if not h2s:
            # Line 1, not 0 (the whole file): editors' `path:line:` matchers skip lines without one.
            self.sink.warn(1, "no questions found (questions are '## ' headings)")
        return Deck(
            title=title,
            description_html=description_html,
            source_path=self.display_rel(),
            location=self.sink.at(title_line),
            cards=tuple(self.cards(tokens, h2s)),
            media=tuple(self.approved.media),
            content_hash=content_hash(data.decode("latin-1")),
            author=str(meta.get("author", "")),
            lang=str(meta.get("lang", "")),
            tags=tuple(meta.get("tags", ())),  # type: ignore[arg-type]
            identity=identity if identity != title else "",
        )

    def title(self, tokens: list[Token], headings: list[int], first_h2: int) -> tuple[str | None, int, list[Token]]:
        """The deck's `# title` (None without one), its line, and the tokens
        of its description."""
        title: str | None = None
        title_line = 1
        intro_start = 0
        for i in headings:
            if i >= first_h2:
                break
            if title is None:
                title = plain_text(self.clean(render_inline(heading_inline(tokens, i).children or [], self.env)))
                title_line = line_of(tokens[i])
                intro_start = i + HEADING_TOKENS
            else:
                self.sink.warn(line_of(tokens[i]), f"second '# ' title in one file (first at line {title_line}); "
                                                   "one file is one deck, so it is kept as description text")
        if not title:  # None: the caller names the deck after its file
            return None, title_line, tokens[:first_h2]
        intro = [t for j, t in enumerate(tokens[:first_h2])
                 if j >= intro_start or j < intro_start - HEADING_TOKENS]
        return title, title_line, intro

    def cards(self, tokens: list[Token], h2s: list[int]) -> list[Card]:
        cards: list[Card] = []
        seen: dict[str, Card] = {}
        taken: set[str] = set()  # keys in use, and pins suggested in messages
        for n, start in enumerate(h2s):
            end = h2s[n + 1] if n + 1 < len(h2s) else len(tokens)
            card = self.card(tokens, start, end)
            if card is None:
                continue
            first = seen.get(card.key)
            if first is not None:
                self.sink.error(card.location.line, duplicate_message(card, first, taken))
                continue
            seen[card.key] = card
            taken.add(card.key)
            cards.append(card)
        return cards

    def card(self, tokens: Sequence[Token], start: int, end: int) -> Card | None:
        line = line_of(tokens[start])
        children, key = split_pin(heading_inline(tokens, start).children or [])
        question_html = self.clean(render_inline(children, self.env))
        question_text = plain_text(question_html)
        if not question_text:
            self.sink.error(line, "empty question")
            return None
        answer_html = self.clean(render(tokens[start + HEADING_TOKENS:end], self.env)).strip()
        answer_text = plain_text(answer_html)
        if not answer_text and "<img" not in answer_html:
            self.sink.error(line, f"question '{short(question_text)}' has an empty answer")
            return None
        return Card(
            key=key or slugify(question_text),
            question_html=question_html,
            answer_html=answer_html,
            question_text=question_text,
            answer_text=answer_text,
            location=self.sink.at(line),
            pinned=key is not None,
        )

    def clean(self, html: str) -> str:
        return sanitize.clean(html, self.approved.url_filter)

    def display_rel(self) -> str:
        try:
            return self.path.relative_to(self.root).as_posix()
        except ValueError:
            return self.path.name


def duplicate_message(card: Card, first: Card, taken: set[str]) -> str:
    """Why a card cannot have the id an earlier card has, and the fix (a pin
    not in `taken`, which then holds it too)."""
    if card.pinned:
        return f"duplicate pinned id {{#{card.key}}} (first at line {first.location.line})"
    if card.question_text == first.question_text:
        return f"duplicate question (first at line {first.location.line})"
    # Keys ignore case, spacing and punctuation: `C`, `C++` and `C#` are one id.
    n = 2
    while f"{card.key}-{n}" in taken:
        n += 1
    taken.add(f"{card.key}-{n}")
    return (f"question '{short(card.question_text)}' has the same id {{#{card.key}}} as "
            f"'{short(first.question_text)}' (line {first.location.line}), since ids ignore case, spacing and "
            f"punctuation; give it a pin of its own, e.g. `{{#{card.key}-{n}}}` at the end of the heading")


def split_pin(children: list[Token]) -> tuple[list[Token], str | None]:
    """A heading's inline tokens without its pin `{#id}`, and the pin. The
    pin ends the heading's last text node; what the user sees drops it."""
    children = list(children)
    if children and children[-1].type == "text":
        m = PIN_RE.search(children[-1].content)
        if m:
            last = children[-1].copy()
            last.content = children[-1].content[: m.start()]
            children[-1] = last
            return children, m.group(1)
    return children, None


def title_from_filename(path: Path) -> str:
    """`[DB] Key_points.md` -> "[DB] Key points": separators become spaces,
    the case stays as the user wrote it."""
    return re.sub(r"[-_]+", " ", path.stem).strip() or path.stem


def legacy_title_from_filename(path: Path) -> str:
    """The same title as cardpress spelled it before it kept the case
    ("[Db] Key Points"): the GUIDs of decks named after their file derive
    from it, so no card they ever had gets a new one."""
    return re.sub(r"[-_]+", " ", path.stem).strip().title() or path.stem
