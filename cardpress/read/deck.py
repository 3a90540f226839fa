"""One file -> one `Deck`: decode, frontmatter, parse, check links, then
turn the heading structure into cards.

`# Title` names the deck (else the file name), text before the first `##`
is its description, each `##` heading is a question and everything up to
the next `##` is its answer. Markdown becomes HTML here, once, and is
sanitized before it leaves: writers never parse Markdown.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from markdown_it.token import Token

from .. import sanitize
from ..identity import content_hash, slugify
from ..markup import cloze_numbers, plain_text
from ..model import Card, Deck
from ..text import short, strip_controls
from .confine import Limits
from .decode import decode
from .frontmatter import read_frontmatter
from .names import deck_language, deck_name, legacy_title_from_filename, title_from_filename
from . import cloze, footnotes, kinds, math
from . import attrs as attributes
from .links import Approved, LinkCheck
from .markdown import (MAX_LEVEL, HEADING_TOKENS, flattened, heading_inline, line_of, parse, render, render_inline,
                       render_inline_legacy, top_headings, uses_extensions)
from .sink import Sink
from .vault import Vault
from .structure import DEFAULT_LEVEL, Outline, answer_end, level_hints, outline


# Ids the HTML site gives its own elements (`_cp-live`, `_cp-cards`...)
# start with this; a card's id is an element id there too (`#<card id>`
# links open it), so a pin may not. Slugs never do: they start with a
# letter or digit.
RESERVED_PREFIX = "_cp-"


class DeckReader:
    """Reads one file. Collects diagnostics (`sink`) instead of stopping at
    the first problem."""

    def __init__(self, path: Path, display_path: str, root: Path, remote=None, question_level: str = "2", *,
                 base: Path | None = None, limits: Limits | None = None,
                 defaults: tuple[tuple[str, object], ...] = (), vault: Vault | None = None):
        self.path = path
        self.question_level = question_level  # "2", "3", "4" or "auto"; a file's frontmatter may say otherwise
        # The project's deck options (cardpress.toml `[deck]`): frontmatter
        # values, checked already, that a file's own frontmatter overrides.
        self.defaults = defaults
        self.root = root  # the file's source root: nothing outside it is read (read.confine)
        self.base = base or root  # the folder `Deck.source_path` and media paths are relative to
        self.limits = limits
        self.remote = remote
        self.vault = vault  # the build's listing of source folders, for `![[name]]` (vault.py)
        self.sink = Sink(display_path)
        self.approved = Approved()  # filled by the link check, before any HTML is cleaned
        self.env: dict = {}
        self.reverse = False  # frontmatter `reverse: true`

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
        meta = {**dict(self.defaults), **meta}
        tokens, self.env = parse(text)
        for line in flattened(self.env):
            self.sink.warn(line, f"nested more than {MAX_LEVEL} levels deep (lists count two levels each): "
                                 "the deeper lines are kept as plain paragraphs")
        lines = text.split("\n")
        # Cleaning consults what the check approved, rendering what math.check marked: check first.
        self.approved = LinkCheck(self.path, self.root, lines, self.sink, self.remote,
                                  base=self.base, limits=self.limits, vault=self.vault).check(tokens)
        math.check(tokens, lines, self.sink)
        cloze.check(tokens, lines, self.sink)
        self.reverse = meta.get("reverse") is True  # the deck's default for its cards (read/kinds.py)
        footnotes.check(self.env, self.sink)

        level = str(meta.get("question_level") or self.question_level)
        shape = outline(tokens, level)
        body = min([h.index for h in shape.questions + shape.sections], default=len(tokens))
        title, title_line, intro_tokens = self.title(tokens, top_headings(tokens, ("h1",)), body)
        identity = ""
        if meta.get("title"):
            title = str(meta["title"])
        elif title is None:
            title, identity = title_from_filename(self.path), legacy_title_from_filename(self.path)
        description_html = self.clean(self.render_part([], intro_tokens)[1]) if intro_tokens else ""
        for tok in (t for t in intro_tokens if t.type == "inline" and cloze.has_clozes(t.children or [])):
            self.sink.warn(line_of(tok), "a cloze in the deck's description hides nothing (clozes work in cards): "
                                         "it shows as plain text")
        if not shape.questions:
            # Line 1, not 0 (the whole file): editors' `path:line:` matchers skip lines without one.
            self.sink.warn(1, f"no questions found (questions are '{'#' * shape.level} ' headings); "
                              "nothing is written for this file")
        for line, message in level_hints(tokens, shape):
            self.sink.warn(line, message)
        self.warn_loose_section_text(shape)
        cards = self.cards(tokens, shape)
        # The file's bytes, and whatever else shapes its parse (so caches
        # keyed on it see a change of question level).
        shaped_by = () if level == str(DEFAULT_LEVEL) else (f"question_level={level}",)
        shaped_by += tuple(f"{k}={v!r}" for k, v in self.defaults)
        title = strip_controls(title)  # a file name can hold them too
        return Deck(
            title=title,
            description_html=description_html,
            source_path=self.display_rel(),
            location=self.sink.at(title_line),
            cards=tuple(cards),
            media=tuple(self.approved.media),
            content_hash=content_hash(data.decode("latin-1"), *shaped_by),
            author=str(meta.get("author", "")),
            lang=str(meta.get("lang", "")) or deck_language(title, description_html, cards),
            tags=tuple(meta.get("tags", ())),  # type: ignore[arg-type]
            identity=identity if identity != title else "",
            question_level=shape.level,
            name=str(meta.get("deck") or deck_name(self.display_rel(), title)),
        )

    def warn_loose_section_text(self, shape: Outline) -> None:
        """Text right under a section heading belongs to no card: say so."""
        for h in shape.sections:
            if h.body:
                self.sink.warn(h.line, f"the text under the section '{short(h.text)}' (before its first question) "
                                       "is in no card; move it into an answer, or into the deck's description")

    def title(self, tokens: list[Token], h1s: list[int], body: int) -> tuple[str | None, int, list[Token]]:
        """The deck's `# title` (None without one), its line, and the tokens
        of its description: what stands before `body` (the first section or
        question heading)."""
        first_h2 = body
        title: str | None = None
        title_line = 1
        intro_start = 0
        for i in h1s:
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

    def cards(self, tokens: list[Token], shape: Outline) -> list[Card]:
        cards: list[Card] = []
        seen: dict[str, Card] = {}
        taken: set[str] = set()  # keys in use, and pins suggested in messages
        for q in shape.questions:
            end = answer_end(tokens, q.index, shape.level)
            if (not q.body and end < len(tokens) and end == q.index + HEADING_TOKENS
                    and not cloze.has_clozes(heading_inline(tokens, q.index).children or [])):
                # Directly followed by another heading: a section, as GitHub shows it.
                self.sink.warn(q.line, f"'{short(q.text)}' has no answer and another heading follows it: "
                                       "read as a section heading, not a question")
                continue
            card = self.card(tokens, q.index, end)
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
        children, attrs = split_attrs(heading_inline(tokens, start).children or [])
        key = attrs.id
        for problem in attributes.problems(attrs):
            self.sink.warn(line, problem)
        card_tags, tag_problems = attributes.tags(attrs.get("tags") or "")
        for problem in tag_problems:
            self.sink.warn(line, problem)
        if key is not None and key.startswith(RESERVED_PREFIX):
            self.sink.error(line, f"pin {{#{short(key)}}} starts with '{RESERVED_PREFIX}', which the HTML site "
                                  "keeps for its own elements; choose another id")
            return None
        answer_tokens = tokens[start + HEADING_TOKENS:end]
        question_html, answer_html = self.render_part(children, answer_tokens)
        notes = footnotes.used(self.env)  # footnote bodies may hold raw HTML
        question_html = self.clean(question_html, notes or has_raw_html(children))
        question_text = plain_text(question_html)
        if not question_text:
            self.sink.error(line, "empty question")
            return None
        answer_html = self.clean(answer_html, notes or has_raw_html(answer_tokens)).strip()
        answer_text = plain_text(answer_html)
        if not answer_text and not any(tag in answer_html for tag in ("<img", "<audio", "<video")) \
                and not cloze_numbers(question_html):
            self.sink.error(line, f"question '{short(question_text)}' has an empty answer")
            return None
        chosen = kinds.choose(self.sink, line, attrs.classes, self.reverse, question_html, answer_html,
                              tokens[start + HEADING_TOKENS:end], self.block_text)
        if chosen is None:
            return None
        if key is None:
            key = slugify(question_text)
            if uses_extensions(children):  # keys never change when cardpress learns a syntax
                source = attributes.split(heading_inline(tokens, start).content)[0]
                key = slugify(plain_text(self.clean(render_inline_legacy(source, self.env))))
            pinned = False
        else:
            pinned = True
        return Card(
            key=key,
            question_html=question_html,
            answer_html=answer_html,
            question_text=question_text,
            answer_text=answer_text,
            location=self.sink.at(line),
            pinned=pinned,
            classes=tuple(c for c in attrs.classes if c in attributes.CLASSES),
            tags=card_tags,
            kind=chosen[0],
            typed=chosen[1],
        )

    def render_part(self, inline: Sequence[Token], blocks: Sequence[Token]) -> tuple[str, str]:
        """A question's inline tokens and its answer's blocks as HTML, the
        footnotes they use numbered from 1 and listed after the answer."""
        env = self.env
        if footnotes.used(env):
            env = {**env, footnotes.NUMBERS: footnotes.numbers(env, inline, blocks)}
        return (render_inline(inline, env) if inline else "",
                render(blocks, env) + footnotes.section(env, render, render_inline))

    def clean(self, html: str, raw: bool = True) -> str:
        """Sanitized `html`; `raw`: it may hold raw HTML from the notes."""
        return sanitize.clean(html, self.approved.url_filter, raw)

    def block_text(self, inline: Token) -> str:
        """A paragraph's text as the reader sees it (plain, one space between words)."""
        return plain_text(self.clean(render_inline(inline.children or [], self.env)))

    def display_rel(self) -> str:
        try:
            return self.path.relative_to(self.base).as_posix()
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


# Text in these is code (or a formula, whose TeX is Latin whatever the notes' language).
def has_raw_html(tokens: Sequence[Token]) -> bool:
    """Whether these tokens (block or inline) hold raw HTML from the notes."""
    return any(t.type in ("html_block", "html_inline") or (t.children and has_raw_html(t.children)) for t in tokens)


def split_attrs(children: list[Token]) -> tuple[list[Token], attributes.HeadingAttrs]:
    """A heading's inline tokens without its attribute block
    (`{#id .reverse tags="a"}`, read/attrs.py), and the attributes. The block
    ends the heading's last text node; what the user sees drops it."""
    children = list(children)
    if children and children[-1].type == "text":
        text, attrs = attributes.split(children[-1].content)
        if attrs is not None:
            last = children[-1].copy()
            last.content = text
            children[-1] = last
            return children, attrs
    return children, attributes.HeadingAttrs()
