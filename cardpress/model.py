"""The parsed notes: what every writer renders, and nothing a writer has to parse.

The reader builds these once per build; writers only read them. Stdlib only, so
the model can be imported (and pickled into a cache) without any third-party
library loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path


@dataclass(frozen=True, order=True)
class SourceLocation:
    """A place in the user's notes. `path` is as the user typed it (relative
    paths stay relative) so messages read `source/x.md:12`."""

    path: str
    line: int  # 1-based; 0 means "the file as a whole"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem in the notes, printed as `path:line: error: message`."""

    location: SourceLocation
    severity: Severity
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.severity.value}: {self.message}"

    @classmethod
    def error(cls, location: SourceLocation, message: str) -> "Diagnostic":
        return cls(location, Severity.ERROR, message)

    @classmethod
    def warning(cls, location: SourceLocation, message: str) -> "Diagnostic":
        return cls(location, Severity.WARNING, message)


@dataclass(frozen=True)
class Card:
    """One `## Question` and its answer.

    `key` is the card's identity inside its deck: the explicit pin
    (`## Q {#relu-problem}`) when there is one, else a slug of the question
    text. The Anki GUID and the HTML anchor both derive from it, so a pinned
    card keeps its review history however its question is reworded, and
    `cardpress pin` can write today's key into the heading without changing
    any GUID.
    """

    key: str
    question_html: str
    answer_html: str
    question_text: str  # plain text, for messages, search and the PDF outline
    answer_text: str
    location: SourceLocation
    pinned: bool = False
    # Card options from the heading's attributes (`{.reverse .type}`,
    # read/attrs.py CLASSES), and its own Anki tags (`tags="a b::c"`).
    classes: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    # The Anki note's GUID. The reader leaves it empty; the comparison with
    # the last build (history.compare) sets it: derived from the deck and
    # the key for a new card, the one already built for a card Anki knows
    # (also after the card moved to another file, or its deck was renamed).
    guid: str = ""
    # What kind of card it is (read/kinds.py): "basic", "cloze" (its HTML
    # holds cloze elements, markup.map_cloze), "reversed" (asked both ways)
    # or "typed"; the kind picks the Anki note type (notetypes.py).
    kind: str = "basic"
    # A typed card's answer to type (plain text): its answer's first block.
    typed: str = ""

    def with_guid(self, guid: str) -> "Card":
        """This card with its GUID set: `dataclasses.replace(card, guid=...)`
        without its per-call introspection (every card of a build gets one,
        five times faster this way)."""
        if guid == self.guid:
            return self
        card = object.__new__(Card)
        card.__dict__.update(self.__dict__)
        object.__setattr__(card, "guid", guid)
        return card


@dataclass(frozen=True)
class Deck:
    """One Markdown file."""

    title: str
    description_html: str
    source_path: str  # relative to the source root, with forward slashes
    location: SourceLocation
    cards: tuple[Card, ...] = ()
    # Local files the cards reference (paths relative to the source root),
    # in first-use order; writers bundle them.
    media: tuple[str, ...] = ()
    # Hash of the file's bytes: lets incremental builds skip unchanged decks.
    content_hash: str = ""
    # From the file's YAML frontmatter (see read.frontmatter.FRONTMATTER_KEYS); empty
    # when not given. `title` there overrides the `# ` heading.
    author: str = ""
    # A BCP 47 tag such as "ko" or "en-US": the frontmatter's, else the
    # script of the deck's prose ("ko" or "en"; read.names.deck_language),
    # so every writer speaks the same language for a deck.
    lang: str = ""
    tags: tuple[str, ...] = ()  # Anki-safe: no spaces
    # What new cards' GUIDs derive from, when it is not the title: the title
    # as an earlier cardpress spelled it (titles taken from file names used
    # to be Title-Cased), so that no card gets a new GUID because of it.
    identity: str = ""
    question_level: int = 2  # the heading level of its questions (## = 2)
    # The full Anki deck name: `ml::Basics` for `ml/basics.md` (its folders,
    # then its title), or frontmatter `deck:`; a file at the top of the
    # sources is named by its title alone. Empty means the title. Anki
    # matches decks by this name; GUIDs never derive from it (`namespace`).
    name: str = ""

    def __post_init__(self) -> None:
        if not self.name:
            object.__setattr__(self, "name", self.title)

    @property
    def namespace(self) -> str:
        """The deck's part in its new cards' GUIDs (identity.note_guid):
        the title, never the folder or the deck name, so a file moved
        between folders keeps every card's GUID."""
        return self.identity or self.title

    def note_tags(self, card: Card) -> tuple[str, ...]:
        """A card's Anki tags: the deck's (frontmatter), then the card's own
        that the deck's lack (Anki compares tags ignoring case)."""
        if not card.tags:
            return self.tags
        have = {t.casefold() for t in self.tags}
        own = []
        for tag in card.tags:
            if tag.casefold() not in have:
                have.add(tag.casefold())
                own.append(tag)
        return self.tags + tuple(own)


@dataclass(frozen=True)
class Library:
    """Everything one build reads."""

    root: str  # the source root directory
    decks: tuple[Deck, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = field(default=())
    # Media that do not live under `root`: remote images that
    # `--fetch-remote-media` downloaded into the output's cache. Maps the
    # name used in `Deck.media` and in card HTML (`remote-media/<hash>.png`)
    # to the absolute cached file. Writers find every media file through
    # `media_path`, so they bundle these like any local image.
    media_files: tuple[tuple[str, str], ...] = ()
    # Every note file read, as (the path in messages, Deck.source_path),
    # those that gave no deck too: a build skips the decks of files with
    # errors and stands in their last good versions (build.py).
    files: tuple[tuple[str, str], ...] = ()

    def media_path(self, rel: str) -> Path:
        """The file behind a `Deck.media` entry."""
        for name, path in self.media_files:
            if name == rel:
                return Path(path)
        return Path(self.root) / rel

    @property
    def card_count(self) -> int:
        return sum(len(d.cards) for d in self.decks)

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)
