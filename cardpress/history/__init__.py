"""A build compared with the last one (the manifest): card identity, and the
changelog.

Anki knows a note only by its GUID (../shared/FACTS.md): a new GUID is a
new note, and the review history stays with the old one. A new card's GUID
derives from its deck and its key (its pin, or else a slug of its
question), so the same notes give the same GUIDs on any machine; a card the
last build already gave a GUID keeps that one, whatever happens to it:
- its question is reworded: a warning, and with `--keep-ids` the old id
  when exactly one old card matches (same place in the deck, or the same
  answer); remembered in the manifest (`NoteRecord.slug`);
- it moves to another file (another deck), or its deck is renamed (a new
  `# title`, a renamed file, a change of case): its key is found among the
  notes that left their deck in this build, and it keeps that note, with a
  warning saying what to do in Anki (which never moves a card between
  decks on import);
and the changelog counts new, changed, moved, removed and unchanged cards.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from ..manifest import DeckRecord, Manifest, NoteRecord
from ..model import Diagnostic, Library
from .changelog import DeckChanges, format_changes
from .deck import REWORD_WARNING, DeckComparison, answer_hash, card_hash

__all__ = ["Comparison", "DeckChanges", "REWORD_WARNING", "answer_hash", "card_hash", "compare", "format_changes"]


@dataclass
class Comparison:
    library: Library  # the build's library, every card with its GUID, kept keys applied
    diagnostics: list[Diagnostic]
    changes: list[DeckChanges]
    # Identity records for this build's decks (Anki fields carried over from
    # the last build; the Anki writer refreshes them).
    records: dict[str, DeckRecord]
    # What the writers see as "the last build": the loaded manifest, plus the
    # notes a deck takes over (revived by a kept id, moved in from another
    # deck) under that deck, so their mod times keep rising.
    previous: Manifest
    dropped: list[str]  # deck names gone for good

    def manifest(self) -> Manifest:
        """The manifest to save once the writers have run."""
        decks = {t: r for t, r in self.previous.decks.items() if t not in self.dropped}
        decks.update(self.records)
        return Manifest(decks=decks)


def compare(library: Library, manifest: Manifest, keep_ids: bool = False) -> Comparison:
    dropped = _gone_decks(library, manifest)
    continued = _continued(library, manifest, dropped)
    decks = [DeckComparison(deck, manifest.decks.get(continued.get(deck.name, deck.name)), keep_ids)
             for deck in library.decks]
    diagnostics = _renamed_warnings(library, continued)
    diagnostics += _carry_moved(decks, manifest, dropped)
    taken = set().union(*(d.claimed for d in decks))
    for d in decks:
        d.finish(taken)
        diagnostics += d.diagnostics

    previous = Manifest(decks=dict(manifest.decks))
    for d in decks:
        prev = manifest.decks.get(continued.get(d.input.name, d.input.name), DeckRecord())
        taken_over = {**d.carried, **d.returned}
        previous.decks[d.input.name] = replace(prev, notes={**prev.notes, **taken_over}) if taken_over else prev
    changes = [d.changes for d in decks]
    moved_out = _moved_out(decks)
    for d in decks:
        d.changes.moved_out = moved_out.get(d.input.name, [])
    for d in decks:
        d.changes.renamed_from = continued.get(d.input.name, "")
    for title in dropped:
        if title in continued.values():
            continue  # the same file under a new title: its changes are the new title's
        old = manifest.decks[title]
        changes.append(DeckChanges(title, old.source, gone=True, moved_out=moved_out.get(title, []),
                                   removed=[r.question for g, r in old.notes.items() if g not in taken]))
    library = replace(library, decks=tuple(d.deck for d in decks))
    return Comparison(library, diagnostics, changes, {d.input.name: d.record for d in decks}, previous, dropped)


def _gone_decks(library: Library, manifest: Manifest) -> list[str]:
    """Decks of the last build that this one lacks because their file was
    deleted or retitled. Others (a build of only some files into the same
    output folder) are left alone."""
    current = {d.name for d in library.decks}
    sources = {d.source_path for d in library.decks}
    root = Path(library.root)
    return [title for title, rec in manifest.decks.items()
            if title not in current and (rec.source in sources or not (root / rec.source).is_file())]


def _continued(library: Library, manifest: Manifest, dropped: list[str]) -> dict[str, str]:
    """New deck name -> old name, for each deck the last build knew under
    another name: its file is the same but its title is not (a new
    `# title`, or a title the file name gives and cardpress now spells
    differently, a new frontmatter `deck:`), or its title is the same but
    its file moved (into a folder: a subdeck now). The deck continues that
    record, every card keeping its note."""
    out: dict[str, str] = {}
    fresh = [d for d in library.decks if d.name not in manifest.decks]
    for same in (lambda d, t, r: r.source == d.source_path,
                 lambda d, t, r: (r.namespace or t) in (d.namespace, d.title)):
        for deck in fresh:
            old = next((t for t in dropped if deck.name not in out and t not in out.values()
                        and same(deck, t, manifest.decks[t])), None)
            if old is not None:
                out[deck.name] = old
    return out


def _renamed_warnings(library: Library, continued: dict[str, str]) -> list[Diagnostic]:
    by_name = {d.name: d for d in library.decks}
    return [Diagnostic.warning(by_name[new].location, rename_message(old, new, len(by_name[new].cards)))
            for new, old in continued.items()]


def rename_message(old: str, new: str, count: int) -> str:
    """What a deck's new title means in Anki, which matches decks by name
    (ignoring case) and never moves a card between decks on import."""
    if old.casefold() == new.casefold():
        return (f'deck title "{new}" differs from "{old}" only in case; Anki ignores case in deck names, so its '
                f'cards stay in "{old}" there, with their review history')
    return (f'deck renamed from "{old}": its {count} card(s) keep their review history, but Anki keeps them in '
            f'the deck "{old}"; rename that deck to "{new}" in Anki so that new cards join them')


def _carry_moved(decks: list[DeckComparison], manifest: Manifest, dropped: list[str]) -> list[Diagnostic]:
    """Give each fresh card the note its key had in another deck, when that
    note left its deck in this build and no other card claims it: the card
    moved to another file, or its deck was renamed. Returns the warnings
    that tell the user what Anki will do."""
    claimed = set().union(*(d.claimed for d in decks))
    current = {d.input.name for d in decks}
    left: dict[str, list[tuple[str, str, NoteRecord]]] = {}  # key -> (deck, GUID, record)
    for title in [t for t in manifest.decks if t in current] + dropped:
        for guid, rec in manifest.decks[title].notes.items():
            if guid not in claimed and rec.key:
                left.setdefault(rec.key, []).append((title, guid, rec))
    wanted: dict[str, list[tuple[DeckComparison, int]]] = {}
    for d in decks:
        if not d.unchanged:
            for i in d.fresh:
                wanted.setdefault(d.cards[i].key, []).append((d, i))
    diagnostics: list[Diagnostic] = []
    for key, claimants in wanted.items():
        sources = left.get(key, [])  # never the claimant's own deck: its record has no note with this key
        if not sources:
            continue
        if len(sources) > 1 or len(claimants) > 1:
            for d, i in claimants:
                where = " and ".join(f'"{title}"' for title, _, _ in sources)
                diagnostics.append(Diagnostic.warning(
                    d.cards[i].location, f"{{#{key}}} was in {where} and is now in more than one place, so "
                                         "cardpress cannot tell which card keeps its review history; Anki will "
                                         "treat it as a new card; give each a pin of its own"))
            continue
        (d, i), (title, guid, rec) = claimants[0], sources[0]
        d.carry(i, guid, rec, title)
    for d in decks:
        diagnostics += _moved_warnings(d, dropped)
    return diagnostics


def _moved_warnings(d: DeckComparison, dropped: list[str]) -> list[Diagnostic]:
    """One warning for a renamed deck (its cards came from a deck that is
    gone), one per card moved from a deck that is still there."""
    out: list[Diagnostic] = []
    title = d.input.name
    by_source: dict[str, list[int]] = {}
    for i, g in enumerate(d.guids):
        if g in d.moved_from:
            by_source.setdefault(d.moved_from[g], []).append(i)
    for old, indexes in by_source.items():
        if old in dropped:
            out.append(Diagnostic.warning(d.input.location, rename_message(old, title, len(indexes))))
            continue
        for i in indexes:
            out.append(Diagnostic.warning(
                d.cards[i].location, f'card moved from deck "{old}": it keeps its review history, but Anki never '
                                     f'moves cards between decks on import, so it stays in "{old}" there; move it '
                                     f'to "{title}" with Browse → Change Deck'))
    return out


def _moved_out(decks: list[DeckComparison]) -> dict[str, list[tuple[str, str]]]:
    """Deck -> (question, deck it went to) for each card that moved away."""
    out: dict[str, list[tuple[str, str]]] = {}
    for d in decks:
        for i, g in enumerate(d.guids):
            if g in d.moved_from:
                out.setdefault(d.moved_from[g], []).append((d.cards[i].question_text, d.input.name))
    return out
