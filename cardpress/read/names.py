"""What a deck is called and in what language, when its notes do not
say: its Anki name from its folders and title, a title from its file
name (and the spelling older releases used, which its GUIDs derive from),
and the script of its prose."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Sequence

from ..markup import Tag, map_math, tokens
from ..model import Card
from ..text import script_language, strip_controls

_CODE_TAGS = frozenset({"pre", "code", "kbd", "samp"})


def deck_language(title: str, description_html: str, cards: Sequence[Card]) -> str:
    """The language of a deck whose frontmatter does not say: the script of
    all its prose (title, description, questions and answers; code and
    formulas left out): 'ko' or 'en' (script_language)."""
    parts = [title]
    for html in (description_html, *(c.question_html for c in cards), *(c.answer_html for c in cards)):
        depth = 0
        for part in tokens(map_math(html, lambda _formula: "")):
            if isinstance(part, Tag):
                if part.name in _CODE_TAGS and not part.raw.endswith("/>"):
                    depth = max(depth + (-1 if part.closing else 1), 0)
            elif not depth:
                parts.append(part)
    return script_language(" ".join(parts))


def deck_name(source_path: str, title: str) -> str:
    """The Anki deck of a file: its folders below the sources' common
    folder, then its title (`ml/basics.md` titled "Basics" -> `ml::Basics`).
    A file at the top is named by its title alone. Folder names are kept
    as written (composed, as macOS names are decomposed)."""
    folders = [unicodedata.normalize("NFC", strip_controls(p)).strip() for p in source_path.split("/")[:-1]]
    return "::".join([p for p in folders if p] + [title])


def title_from_filename(path: Path) -> str:
    """`[DB] Key_points.md` -> "[DB] Key points": separators become spaces,
    the case stays as the user wrote it, and Hangul is composed (macOS
    writes file names decomposed)."""
    return unicodedata.normalize("NFC", re.sub(r"[-_]+", " ", path.stem).strip() or path.stem)


def legacy_title_from_filename(path: Path) -> str:
    """The same title as cardpress spelled it before it kept the case
    ("[Db] Key Points"): the GUIDs of decks named after their file derive
    from it, so no card they ever had gets a new one."""
    return re.sub(r"[-_]+", " ", path.stem).strip().title() or path.stem
