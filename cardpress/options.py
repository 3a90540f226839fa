"""What the user asked a build for, typed. Stdlib only.

`BuildOptions` replaces the untyped dict the writers used to read. Each
field says (metadata `output`) whether it shapes what a writer writes; a
writer declares which of those it reads (`Writer.OPTIONS`), and its cache
fingerprint covers exactly those, at their non-default values, so adding an
option later never invalidates anyone's outputs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Iterable

LAYOUTS = ("handout", "cards", "quiz")
PDF_PER = ("deck", "folder")
QUESTION_LEVELS = ("2", "3", "4", "auto")
PAPERS = ("a4", "letter")


def _output(default, **kw):
    """A field that shapes outputs (part of writers' fingerprints)."""
    return field(default=default, metadata={"output": True}, **kw)


@dataclass(frozen=True)
class BuildOptions:
    # PDF layout and paper (the PDF writer).
    layout: str = _output("handout")
    paper: str = _output("a4")
    # One PDF per deck, or per folder of decks (a section per deck).
    pdf_per: str = _output("deck")
    # --fetch-remote-media: download remote images into the output's cache
    # and bundle them (every writer: the images they carry change).
    fetch_remote_media: bool = _output(False)
    # Seconds per request when fetching (not an output: the same image).
    fetch_timeout: float = 10.0
    # --keep-ids: give a reworded question its old id when unambiguous.
    # Changes keys, which fingerprints cover through the keys themselves.
    keep_ids: bool = False
    # --strict: warnings count as errors (and nothing is written).
    strict: bool = False
    # --fail-fast: any error writes nothing at all (otherwise a deck whose
    # file has errors is skipped, keeping its last good outputs, and the
    # others are written).
    fail_fast: bool = False
    # False (--force): ignore the caches in OUTPUT/.cardpress/.
    incremental: bool = True
    # Which headings are questions: "2" (##), "3", "4" or "auto"; a file's
    # frontmatter `question_level` wins. It shapes the parse, which every
    # cache keys on (Deck.content_hash), so no writer needs to list it.
    question_level: str = "2"
    # The largest note and media file a build reads, in bytes (not outputs:
    # a file over the limit is an error, not a different output).
    max_note_bytes: int = 50 * 1024 * 1024
    max_media_bytes: int = 100 * 1024 * 1024
    # The project's deck options (cardpress.toml `[deck]`, settings.py):
    # frontmatter values every file gets unless its own frontmatter says
    # otherwise, as (key, value) pairs. They shape the parse, which every
    # cache keys on (Deck.content_hash), like question_level.
    deck_defaults: tuple[tuple[str, object], ...] = ()
    # A folder of the user's templates that override the built-in ones by
    # name (templating.py); "" for none. Writers' fingerprints cover its
    # files' contents (cache.templates_version), not this path.
    templates: str = ""

    def __post_init__(self) -> None:
        if self.layout not in LAYOUTS:
            raise ValueError(f"unknown PDF layout {self.layout!r}")
        if self.paper not in PAPERS:
            raise ValueError(f"unknown paper size {self.paper!r}")
        if self.pdf_per not in PDF_PER:
            raise ValueError(f"unknown PDF grouping {self.pdf_per!r}")
        if self.question_level not in QUESTION_LEVELS:
            raise ValueError(f"unknown question level {self.question_level!r}")
        if self.max_note_bytes < 1 or self.max_media_bytes < 1:
            raise ValueError("size limits must be positive")

    def fingerprint(self, names: Iterable[str] | None = None) -> str:
        """A stable text for cache keys: the output-shaping options among
        `names` (default: all of them) that differ from their defaults."""
        wanted = None if names is None else set(names)
        values = {}
        for f in fields(self):
            if not f.metadata.get("output") or (wanted is not None and f.name not in wanted):
                continue
            value = getattr(self, f.name)
            if value != f.default:
                values[f.name] = value
        return json.dumps(values, sort_keys=True)
