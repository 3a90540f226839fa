"""The Anki note types cardpress writes, designed once: the fixed facts the
Anki writer, the manifest, the history and `cardpress push` share.
Stdlib only.

Anki matches a note type by its id; a change of its fields or template names
(added, removed, renamed, reordered) makes Anki add a copy "<name>+" and
refuse every update of its notes ("conflicting", ../shared/FACTS.md). So an
id, its name, its fields and its template names are fixed forever here; only
CSS and template text may change (Anki then updates the note type in place).
Every type has `Extra` (reserved for later features: hints, sources), and
`CardId` (the card's key, searchable in Anki: `"CardId:why-relu"`).

A card's kind (`Card.kind`, chosen by the reader, read/kinds.py) picks its
note type. Anki cannot move a note to another type on import: a card that
changes kind keeps its history only if the user changes the note's type in
Anki (history/ warns).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NoteType:
    kind: str  # Card.kind
    id: int
    name: str
    fields: tuple[str, ...]
    templates: tuple[str, ...]  # template names, in order (card ordinals)
    cloze: bool = False  # Anki's cloze kind: one card per distinct {{cN::...}}
    # The field a message shows as the note's question (the first non-empty).
    question_fields: tuple[str, ...] = ("Question",)


BASIC = NoteType("basic", 1607392319, "cardpress Basic", ("Question", "Answer", "Extra", "CardId"), ("Card 1",))
# Text: the parts that hold clozes (the question, in a `cp-question` block,
# and/or the answer); Context: the question when it holds none (shown above
# the text on every card); Back: the answer when it holds none (the back only).
CLOZE = NoteType("cloze", 1607392320, "cardpress Cloze", ("Text", "Context", "Back", "Extra", "CardId"), ("Cloze",),
                 cloze=True, question_fields=("Context", "Text"))
# Forward asks the question, Reverse shows the answer and asks for the question.
REVERSED = NoteType("reversed", 1607392321, "cardpress Reversed", ("Question", "Answer", "Extra", "CardId"),
                    ("Forward", "Reverse"))
# Typed: what the user types (plain text, compared by Anki's {{type:Typed}}),
# the answer's first paragraph; Answer holds the whole answer, shown after.
TYPED = NoteType("typed", 1607392322, "cardpress Typed", ("Question", "Answer", "Typed", "Extra", "CardId"),
                 ("Card 1",))

NOTE_TYPES = (BASIC, CLOZE, REVERSED, TYPED)
BY_KIND = {nt.kind: nt for nt in NOTE_TYPES}
BY_ID = {nt.id: nt for nt in NOTE_TYPES}
KEY_FIELD = "CardId"


def for_kind(kind: str) -> NoteType:
    return BY_KIND.get(kind, BASIC)


def name_of(notetype_id: int) -> str:
    nt = BY_ID.get(notetype_id)
    return nt.name if nt else f"note type {notetype_id}"
