"""One deck compared with its record from the last build, in two steps.

`resolve` gives each card its GUID: the one its deck's record holds for its
key (also a GUID carried over from another deck in an earlier build), else
one derived from the deck and the key, and applies `--keep-ids` choices
remembered from earlier builds. Cards whose GUID is new are `fresh`: the
library-wide step (`__init__.compare`) may find them in another deck's
record (a card moved between files, a deck renamed) and `carry` that note
over. `finish` then matches what is still fresh against the deck's own
vanished notes (a reworded question) and makes the record and changelog.
"""

from __future__ import annotations

from dataclasses import replace
from difflib import SequenceMatcher

from ..identity import content_hash, note_guid, slugify
from ..manifest import DeckRecord, NoteRecord, Tombstone
from ..model import Card, Deck, Diagnostic
from ..notetypes import BASIC, for_kind, name_of
from .changelog import DeckChanges

REWORD_WARNING = ('question reworded from "{old}" (Anki will treat it as a new card and its review history '
                  "stays with the old one); run cardpress pin before editing questions")
RETYPE_WARNING = ('this card is now a {kind} card, note type "{new}", but Anki has its note as "{old}" and cannot '
                  "change a note's type on import: it keeps its history only if you change its note type in Anki "
                  "(Browse → Notes → Change Note Type); the next import will then update it")


def answer_hash(card: Card) -> str:
    # Normalised like keys: spacing, case and punctuation edits still match.
    return content_hash(slugify(card.answer_text))


def card_hash(card: Card) -> str:
    return content_hash(card.question_html, card.answer_html)


class DeckComparison:
    def __init__(self, deck: Deck, prev: DeckRecord | None, keep_ids: bool):
        self.input = deck
        self.prev = prev or DeckRecord()
        self.keep_ids = keep_ids
        self.diagnostics: list[Diagnostic] = []
        self.changes = DeckChanges(deck.name, deck.source_path)
        # Notes this deck takes over: retired ones a kept id revives, and
        # notes moved in from another deck (GUID -> the record they had).
        self.carried: dict[str, NoteRecord] = {}
        self.moved_from: dict[str, str] = {}  # GUID -> the deck it came from
        self.returned: dict[str, NoteRecord] = {}  # GUID -> its tombstone's times: cards that came back
        self.pending: dict[int, str] = {}  # card index -> old GUID it was reworded from
        pending = any(r.reworded_from for r in self.prev.notes.values())
        # The same bytes as last time: same cards, same records. This is
        # what keeps a no-op build of 10,000 cards cheap.
        self.unchanged = bool(prev is not None and prev.file and prev.file == deck.content_hash
                              and not (keep_ids and pending))
        self.slugs = [c.key for c in deck.cards]  # the reader's keys
        self.cards = self._aliased(deck.cards)
        # A card's note: the one its key had (a removed card that comes back
        # finds its tombstone's), else a new one derived from its key.
        by_key = {t.key: g for g, t in self.prev.tombstones.items()}
        by_key.update({r.key: g for g, r in self.prev.notes.items()})
        self.guids = [by_key.get(c.key) or note_guid(deck.namespace, c.key) for c in self.cards]
        self.claimed = set(self.guids)
        if not self.unchanged:
            self._revive()

    @property
    def fresh(self) -> list[int]:
        """Cards whose GUID the last build did not give this deck."""
        return [i for i, g in enumerate(self.guids)
                if g not in self.prev.notes and g not in self.carried and g not in self.prev.tombstones]

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

    def _revive(self) -> None:
        """A reword spotted by an earlier build, now acted on with --keep-ids."""
        old, retired = self.prev.notes, self.prev.retired
        for i, g in enumerate(self.guids):
            target = old[g].reworded_from if g in old else ""
            if target and target in retired and target not in self.claimed and not self.cards[i].pinned:
                if self.keep_ids:
                    self.carried[target] = retired[target]
                    self._keep(i, retired[target], target)
                else:
                    self.pending[i] = target

    def carry(self, i: int, guid: str, rec: NoteRecord, from_deck: str) -> None:
        """Card `i` is the note `guid` of deck `from_deck` (same key)."""
        self.claimed.discard(self.guids[i])
        self.guids[i] = guid
        self.claimed.add(guid)
        self.carried[guid] = rec
        self.moved_from[guid] = from_deck

    def finish(self, taken: set[str]) -> None:
        """Reword matching against this deck's vanished notes (those no card
        of the library took: `taken`), then the record and changelog."""
        if self.unchanged:
            self.deck = replace(self.input, cards=tuple(c.with_guid(g) for c, g in zip(self.cards, self.guids)))
            # The file may have been renamed since (same bytes, same title).
            self.record = replace(self.prev, source=self.input.source_path, namespace=_namespace(self.input))
            self.changes.unchanged = len(self.cards)
            return
        gone = {g: r for g, r in self.prev.notes.items() if g not in taken}
        self._rewords(gone)
        self._finish(taken)

    def _rewords(self, gone: dict[str, NoteRecord]) -> None:
        fresh = self.fresh
        matches = self._match(fresh, gone)
        owners: dict[str, int] = {}  # a gone note that two fresh cards match belongs to neither
        for candidates in matches.values():
            for g in candidates:
                owners[g] = owners.get(g, 0) + 1
        for i, candidates in matches.items():
            card = self.cards[i]
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
                self._keep(i, gone.pop(g), g)
            else:
                self._warn(card, REWORD_WARNING.format(old=gone[g].question))
                self.pending[i] = g

    def _finish(self, taken: set[str]) -> None:
        """This build's record of the deck, and its changelog."""
        old, retired = self.prev.notes, self.prev.retired
        self.deck = replace(self.input, cards=tuple(c.with_guid(g) for c, g in zip(self.cards, self.guids)))
        self.record = DeckRecord(source=self.input.source_path, notetype_hash=self.prev.notetype_hash,
                                 notetype_mod=self.prev.notetype_mod, file=self.input.content_hash,
                                 namespace=_namespace(self.input))
        revived = {g for g in self.carried if g not in self.moved_from}
        self._tombstones(taken)
        for i, (card, g) in enumerate(zip(self.cards, self.guids)):
            base = old.get(g) or self.carried.get(g) or self.returned.get(g)
            rec = NoteRecord(hash=base.hash if base else "", mod=base.mod if base else 0, key=card.key,
                             question=card.question_text, line=card.location.line, content=card_hash(card),
                             answer=answer_hash(card), pinned=card.pinned,
                             slug=self.slugs[i] if self.slugs[i] != card.key else "",
                             reworded_from=self.pending.get(i, ""), notetype=base.notetype if base else BASIC.id)
            self.record.notes[g] = rec
            self._retyped(card, base)
            if g in self.moved_from:
                self.changes.moved_in.append((card.question_text, self.moved_from[g]))
            elif g in revived:
                self.changes.changed.append(card.question_text)
            elif g not in old:
                self.changes.new.append(card.question_text)
            elif old[g].content and old[g].content != rec.content:
                self.changes.changed.append(card.question_text)
            else:
                self.changes.unchanged += 1
        # A note that an earlier build gave a reworded question, now that the
        # question has its old id back: in Anki, the copy without history.
        copies = {g for g, r in old.items() if r.reworded_from in revived}
        self.changes.removed = [r.question + (" (the copy without review history)" if g in copies else "")
                                for g, r in old.items() if g not in self.claimed and g not in taken]
        # Keep the notes that a pending reword may still claim, and no others.
        for target in self.pending.values():
            self.record.retired[target] = old.get(target) or retired[target]

    def _tombstones(self, taken: set[str]) -> None:
        """Notes whose cards left this deck (and no other deck took) are
        carried tagged until `cardpress forget`; a card that comes back
        drops its tombstone and counts up from its mod time, so Anki takes
        the note without the tag."""
        present = set(self.guids)
        self.returned = {g: NoteRecord(hash="", mod=t.mod, key=t.key, question=t.question, notetype=t.notetype)
                         for g, t in self.prev.tombstones.items() if g in present}
        self.record.tombstones = {g: t for g, t in self.prev.tombstones.items() if g not in present}
        for g, r in self.prev.notes.items():
            if g not in self.claimed and g not in taken:
                self.record.tombstones[g] = Tombstone(key=r.key, question=r.question, notetype=r.notetype, mod=r.mod)

    def _keep(self, i: int, rec: NoteRecord, g: str) -> None:
        self.claimed.discard(self.guids[i])
        self.cards[i] = replace(self.cards[i], key=rec.key)
        self.guids[i] = g
        self.claimed.add(g)
        self.changes.kept.append((rec.question, self.cards[i].question_text))

    def _match(self, fresh: list[int], gone: dict[str, NoteRecord]) -> dict[int, set[str]]:
        """Fresh card index -> the gone notes it may be a rewording of: the
        one at the same place (a one-for-one replacement in the diff of the
        two card orders), and any with a near-identical answer."""
        if not fresh or not gone:
            return {}
        candidates: dict[int, set[str]] = {i: set() for i in fresh}
        old_order = list(self.prev.notes)
        matcher = SequenceMatcher(None, old_order, self.guids, autojunk=False)
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
            candidates[i].update(by_answer.get(answer_hash(self.cards[i]), ()))
        return {i: c for i, c in candidates.items() if c}

    def _retyped(self, card: Card, base: NoteRecord | None) -> None:
        """Warn when Anki has the card's note (it was packaged: `hash`)
        under another note type than its kind now asks for."""
        new = for_kind(card.kind)
        if base is None or not base.hash or base.notetype == new.id:
            return
        old = name_of(base.notetype)
        self._warn(card, RETYPE_WARNING.format(kind=card.kind, new=new.name, old=old))
        self.changes.retyped.append((card.question_text, old, new.name))

    def _warn(self, card: Card, message: str) -> None:
        self.diagnostics.append(Diagnostic.warning(card.location, message))


def _namespace(deck: Deck) -> str:
    """What the deck's record keeps of its GUIDs' namespace: only when the
    record's key (the deck name) is not it, so a moved file is found again."""
    return deck.namespace if deck.namespace != deck.name else ""
