"""The changelog: what a build changes, per deck, and what the user must do
in Anki about it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class DeckChanges:
    title: str  # the deck name (Deck.name: `ml::Basics`), as Anki and the manifest know it
    source: str
    new: list[str] = field(default_factory=list)  # questions
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    kept: list[tuple[str, str]] = field(default_factory=list)  # (old, new) questions whose id was kept
    moved_in: list[tuple[str, str]] = field(default_factory=list)  # (question, deck it came from)
    moved_out: list[tuple[str, str]] = field(default_factory=list)  # (question, deck it went to)
    gone: bool = False  # the whole deck is gone: file deleted or retitled
    renamed_from: str = ""  # the title the last build knew this deck's file under
    # (question, note type Anki has, note type it has now) for each card of another kind than last packaged
    retyped: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.new or self.changed or self.removed or self.moved_in or self.moved_out or self.gone
                    or self.retyped)

    def summary(self) -> str:
        text = (f"+{len(self.new)} new, ~{len(self.changed)} changed, -{len(self.removed)} removed, "
                f"{self.unchanged} unchanged")
        if self.moved_in:
            text += f", {len(self.moved_in)} moved in"
        if self.moved_out:
            text += f", {len(self.moved_out)} moved out"
        return text


def format_changes(changes: list[DeckChanges], verbose: bool = False) -> list[str]:
    """The changelog, one deck per line, then what the user must do in Anki."""
    lines: list[str] = []
    for ch in changes:
        if ch.gone:
            moved = f", {len(ch.moved_out)} moved out" if ch.moved_out else ""
            lines.append(f"{ch.title}: deck removed ({ch.source}), -{len(ch.removed)} removed{moved}")
        else:
            lines.append(f"{ch.title}: {ch.summary()}")
            if ch.renamed_from:
                lines.append(f'  renamed from "{ch.renamed_from}"')
        for old, new in ch.kept:
            lines.append(f'  kept id: "{old}" -> "{new}"')
        if verbose:
            lines += [f'  + "{q}"' for q in ch.new] + [f'  ~ "{q}"' for q in ch.changed]
            lines += [f'  > "{q}" (from "{deck}")' for q, deck in ch.moved_in]
        if ch.retyped:
            lines.append("  note type changed (Anki cannot change it on import: change it there with Browse → Notes → "
                         "Change Note Type, then import again):")
            lines += [f'  ≠ "{q}": {old} → {new}' for q, old, new in ch.retyped]
        if ch.removed and ch.gone:
            lines.append("  removed (Anki never deletes notes on import; delete these there):")
            lines += [f'  - "{q}"' for q in ch.removed]
        elif ch.removed:
            lines.append("  removed: the package tags their notes cardpress::removed; in Anki, search "
                         "tag:cardpress::removed, delete them, then run cardpress forget:")
            lines += [f'  - "{q}"' for q in ch.removed]
    return lines
