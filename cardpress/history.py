"""A build compared with the last one (the manifest): card identity across
rewordings, and the changelog.

Anki knows a note only by its GUID, and a GUID derives from the card's key:
its pin, or else a slug of its question. Rewording an unpinned question
therefore makes a new note, and the review history stays with the old one.
Here a build:
- warns when a new card looks like a reworded old one (same place in the
  deck, or the same answer), and with `--keep-ids` gives it the old key back
  when exactly one old card matches (the key, not the question, is replaced,
  so every writer agrees: same GUID, same anchor);
- remembers such choices in the manifest (`NoteRecord.slug`), so the next
  build keeps the same GUID without being asked again;
- counts new, changed, removed and unchanged cards per deck.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from pathlib import Path

from .identity import content_hash, note_guid, slugify
from .manifest import DeckRecord, Manifest, NoteRecord
from .model import Card, Deck, Diagnostic, Library

REWORD_WARNING = ('question reworded from "{old}" (Anki will treat it as a new card and its review history '
                  "stays with the old one); run cardpress pin before editing questions")


@dataclass
class DeckChanges:
    title: str
    source: str
    new: list[str] = field(default_factory=list)  # questions
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    kept: list[tuple[str, str]] = field(default_factory=list)  # (old, new) questions whose id was kept
    gone: bool = False  # the whole deck is gone: file deleted or retitled

    @property
    def any(self) -> bool:
        return bool(self.new or self.changed or self.removed or self.gone)

    def summary(self) -> str:
        return (f"+{len(self.new)} new, ~{len(self.changed)} changed, -{len(self.removed)} removed, "
                f"{self.unchanged} unchanged")


@dataclass
class Comparison:
    library: Library  # the build's library, with kept keys applied
    diagnostics: list[Diagnostic]
    changes: list[DeckChanges]
    # Identity records for this build's decks (Anki fields carried over from
    # the last build; the Anki writer refreshes them).
    records: dict[str, DeckRecord]
    # What the writers see as "the last build": the loaded manifest, plus the
    # old notes that a kept id brings back (so their mod times keep rising).
    previous: Manifest
    dropped: list[str]  # deck titles gone for good

    def manifest(self) -> Manifest:
        """The manifest to save once the writers have run."""
        decks = {t: r for t, r in self.previous.decks.items() if t not in self.dropped}
        decks.update(self.records)
        return Manifest(decks=decks)


def answer_hash(card: Card) -> str:
    # Normalised like keys: spacing, case and punctuation edits still match.
    return content_hash(slugify(card.answer_text))


def card_hash(card: Card) -> str:
    return content_hash(card.question_html, card.answer_html)


def compare(library: Library, manifest: Manifest, keep_ids: bool = False) -> Comparison:
    previous = Manifest(decks=dict(manifest.decks))
    decks: list[Deck] = []
    diagnostics: list[Diagnostic] = []
    changes: list[DeckChanges] = []
    records: dict[str, DeckRecord] = {}
    for deck in library.decks:
        prev = manifest.decks.get(deck.title)
        result = _DeckComparison(deck, prev, keep_ids)
        decks.append(result.deck)
        diagnostics.extend(result.diagnostics)
        changes.append(result.changes)
        records[deck.title] = result.record
        if result.revived:
            previous.decks[deck.title] = replace(prev, notes={**prev.notes, **result.revived})

    dropped = _gone_decks(library, manifest)
    for title in dropped:
        old = manifest.decks[title]
        changes.append(DeckChanges(title, old.source, removed=[r.question for r in old.notes.values()], gone=True))
        renamed = next((d for d in library.decks if d.source_path == old.source), None)
        if renamed is not None:
            diagnostics.append(Diagnostic.warning(
                renamed.location, f'deck renamed from "{title}": Anki matches decks and notes by it, so this '
                                  f'is a new deck of new notes and the review history stays under "{title}"'))
    return Comparison(replace(library, decks=tuple(decks)), diagnostics, changes, records, previous, dropped)


def _gone_decks(library: Library, manifest: Manifest) -> list[str]:
    """Decks of the last build that this one lacks because their file was
    deleted or retitled. Others (a build of only some files into the same
    output folder) are left alone."""
    current = {d.title for d in library.decks}
    sources = {d.source_path for d in library.decks}
    root = Path(library.root)
    return [title for title, rec in manifest.decks.items()
            if title not in current and (rec.source in sources or not (root / rec.source).is_file())]


class _DeckComparison:
    def __init__(self, deck: Deck, prev: DeckRecord | None, keep_ids: bool):
        self.prev = prev or DeckRecord()
        self.keep_ids = keep_ids
        self.diagnostics: list[Diagnostic] = []
        self.changes = DeckChanges(deck.title, deck.source_path)
        self.revived: dict[str, NoteRecord] = {}
        pending = any(r.reworded_from for r in self.prev.notes.values())
        if prev is not None and prev.file and prev.file == deck.content_hash and not (keep_ids and pending):
            # The same bytes as last time: same cards, same records. This is
            # what keeps a no-op build of 10,000 cards cheap.
            self.deck = replace(deck, cards=tuple(self._aliased(deck.cards)))
            self.record = prev
            self.changes.unchanged = len(deck.cards)
        else:
            self._compare(deck)

    def _aliased(self, cards) -> list[Card]:
        """Apply the ids `--keep-ids` kept in earlier builds. A key written
        in the notes (a pin, or another card's question) wins over a
        remembered one."""
        alias = {r.slug: r.key for r in self.prev.notes.values() if r.slug}
        if not alias:
            return list(cards)
        written = {c.key for c in cards}
        return [replace(c, key=alias[c.key]) if not c.pinned and c.key in alias and alias[c.key] not in written else c
                for c in cards]

    def _compare(self, deck: Deck) -> None:
        old = self.prev.notes
        retired = self.prev.retired
        cards = self._aliased(deck.cards)
        slugs = [c.key for c in deck.cards]  # the reader's keys
        guids = [note_guid(deck.title, c.key) for c in cards]
        claimed = set(guids)
        pending: dict[int, str] = {}  # card index -> old GUID it was reworded from

        # A reword spotted by an earlier build, now acted on with --keep-ids.
        for i, g in enumerate(guids):
            target = old[g].reworded_from if g in old else ""
            if target and target in retired and target not in claimed and not cards[i].pinned:
                if self.keep_ids:
                    self.revived[target] = retired[target]
                    self._keep(i, cards, guids, claimed, retired[target], target)
                else:
                    pending[i] = target

        gone = {g: r for g, r in old.items() if g not in claimed}
        fresh = [i for i, g in enumerate(guids) if g not in old and g not in self.revived]
        matches = self._match(cards, guids, fresh, gone)
        owners: dict[str, int] = {}  # a gone note that two fresh cards match belongs to neither
        for candidates in matches.values():
            for g in candidates:
                owners[g] = owners.get(g, 0) + 1
        for i, candidates in matches.items():
            card = cards[i]
            if len(candidates) > 1 or owners[next(iter(candidates))] > 1:
                names = " or ".join(f'"{gone[g].question}" {{#{gone[g].key}}}' for g in sorted(candidates))
                self._warn(card, f"question may be reworded from {names}, but cardpress cannot tell which card is "
                                 "which, so Anki will treat it as a new card; pin the old id by hand to keep its "
                                 "review history")
                continue
            (g,) = candidates
            if card.pinned:
                self._warn(card, f'pinned id {{#{card.key}}} is new, but the card looks like "{gone[g].question}" '
                                 "(Anki will treat it as a new card and its review history stays with the old one); "
                                 f"pin it as {{#{gone[g].key}}} to keep its history")
            elif self.keep_ids:
                self._keep(i, cards, guids, claimed, gone.pop(g), g)
            else:
                self._warn(card, REWORD_WARNING.format(old=gone[g].question))
                pending[i] = g
        self._finish(deck, cards, guids, slugs, claimed, pending)

    def _finish(self, deck: Deck, cards: list[Card], guids: list[str], slugs: list[str], claimed: set[str],
                pending: dict[int, str]) -> None:
        """This build's record of the deck, and its changelog."""
        old, retired = self.prev.notes, self.prev.retired
        self.deck = replace(deck, cards=tuple(cards))
        self.record = DeckRecord(source=deck.source_path, notetype_hash=self.prev.notetype_hash,
                                 notetype_mod=self.prev.notetype_mod, file=deck.content_hash)
        for i, (card, g) in enumerate(zip(cards, guids)):
            base = old.get(g) or self.revived.get(g)
            rec = NoteRecord(hash=base.hash if base else "", mod=base.mod if base else 0, key=card.key,
                             question=card.question_text, line=card.location.line, content=card_hash(card),
                             answer=answer_hash(card), pinned=card.pinned,
                             slug=slugs[i] if slugs[i] != card.key else "", reworded_from=pending.get(i, ""))
            self.record.notes[g] = rec
            if g in self.revived:
                self.changes.changed.append(card.question_text)
            elif g not in old:
                self.changes.new.append(card.question_text)
            elif old[g].content and old[g].content != rec.content:
                self.changes.changed.append(card.question_text)
            else:
                self.changes.unchanged += 1
        # A note that an earlier build gave a reworded question, now that the
        # question has its old id back: in Anki, the copy without history.
        copies = {g for g, r in old.items() if r.reworded_from in self.revived}
        self.changes.removed = [r.question + (" (the copy without review history)" if g in copies else "")
                                for g, r in old.items() if g not in claimed]
        # Keep the notes that a pending reword may still claim, and no others.
        for target in pending.values():
            self.record.retired[target] = old.get(target) or retired[target]

    def _keep(self, i: int, cards: list[Card], guids: list[str], claimed: set[str], rec: NoteRecord, g: str) -> None:
        claimed.discard(guids[i])
        cards[i] = replace(cards[i], key=rec.key)
        guids[i] = g
        claimed.add(g)
        self.changes.kept.append((rec.question, cards[i].question_text))

    def _match(self, cards: list[Card], guids: list[str], fresh: list[int],
               gone: dict[str, NoteRecord]) -> dict[int, set[str]]:
        """Fresh card index -> the gone notes it may be a rewording of: the
        one at the same place (a one-for-one replacement in the diff of the
        two card orders), and any with a near-identical answer."""
        if not fresh or not gone:
            return {}
        candidates: dict[int, set[str]] = {i: set() for i in fresh}
        old_order = list(self.prev.notes)
        matcher = SequenceMatcher(None, old_order, guids, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "replace" and i2 - i1 == j2 - j1:
                for k in range(i2 - i1):
                    if j1 + k in candidates and old_order[i1 + k] in gone:
                        candidates[j1 + k].add(old_order[i1 + k])
        by_answer: dict[str, list[str]] = {}
        for g, rec in gone.items():
            if rec.answer:
                by_answer.setdefault(rec.answer, []).append(g)
        for i in fresh:
            candidates[i].update(by_answer.get(answer_hash(cards[i]), ()))
        return {i: c for i, c in candidates.items() if c}

    def _warn(self, card: Card, message: str) -> None:
        self.diagnostics.append(Diagnostic.warning(card.location, message))


def format_changes(changes: list[DeckChanges], verbose: bool = False) -> list[str]:
    """The changelog, one deck per line, then what the user must do in Anki."""
    lines: list[str] = []
    for ch in changes:
        if ch.gone:
            lines.append(f"{ch.title}: deck removed ({ch.source}), -{len(ch.removed)} removed")
        else:
            lines.append(f"{ch.title}: {ch.summary()}")
        for old, new in ch.kept:
            lines.append(f'  kept id: "{old}" -> "{new}"')
        if verbose:
            lines += [f'  + "{q}"' for q in ch.new] + [f'  ~ "{q}"' for q in ch.changed]
        if ch.removed:
            lines.append("  removed (Anki never deletes notes on import; delete these there):")
            lines += [f'  - "{q}"' for q in ch.removed]
    return lines
