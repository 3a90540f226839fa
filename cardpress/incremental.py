"""Running the writers, skipping what is up to date.

A format whose writer module sets `INCREMENTAL = True` is written deck by
deck (`ctx.write_only = (deck,)`), so a change to one deck re-renders only
that deck's outputs: the PDF is the slow one. Other writers are run whole,
and skipped only when no deck changed. What counts as "changed" is in
`cache.deck_fingerprint`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Callable, ContextManager, Protocol, Sequence

from .cache import OutputCache, deck_fingerprint, library_fingerprint
from .context import BuildContext
from .identity import content_hash
from .model import Deck, Diagnostic
from .writers import WRITERS

WHOLE = "*"  # the cache entry of a writer that writes all decks at once


class Progress(Protocol):
    def start(self, total: int) -> None: ...
    def step(self, fmt: str, deck: Deck | None) -> None: ...
    def finish(self) -> None: ...


class NoProgress:
    def start(self, total: int) -> None: pass
    def step(self, fmt: str, deck: Deck | None) -> None: pass
    def finish(self) -> None: pass


@dataclass
class _Plan:
    fmt: str
    library_fp: str
    fps: dict[str, str]  # deck title -> fingerprint
    module: ModuleType | None = None  # imported only when there is work
    dirty: list[Deck] = field(default_factory=list)
    refresh_shared: bool = False  # write the shared files even if no deck changed
    fresh: list[Path] = field(default_factory=list)  # outputs that are up to date
    replay: list[Diagnostic] = field(default_factory=list)  # what the writer said when it wrote them

    @property
    def whole_fp(self) -> str:
        return content_hash(self.library_fp, *self.fps.values())

    @property
    def incremental(self) -> bool:
        return bool(getattr(self.module, "INCREMENTAL", False))

    @property
    def steps(self) -> int:
        if self.module is None:
            return 0
        return len(self.dirty) if self.incremental and self.dirty else 1


def _plan(fmt: str, ctx: BuildContext, cache: OutputCache, known: set[str]) -> _Plan:
    lib = ctx.library
    fps = {d.title: deck_fingerprint(fmt, d, lib, ctx.options) for d in lib.decks}
    plan = _Plan(fmt, library_fingerprint(fmt, lib, ctx.options), fps)
    # Checked as the last build recorded it (whole, or deck by deck) before
    # the writer is imported: importing WeasyPrint alone takes longer than
    # a no-op build may. A deck the manifest does not know has no Anki mod
    # times to keep, so its outputs are never trusted.
    if all(d.title in known for d in lib.decks):
        whole = cache.deck_outputs(fmt, WHOLE, plan.whole_fp)
        if whole is not None:
            plan.fresh, plan.replay = whole
            return plan
    for deck in lib.decks:
        up_to_date = cache.deck_outputs(fmt, deck.title, fps[deck.title]) if deck.title in known else None
        if up_to_date is None:
            plan.dirty.append(deck)
        else:
            plan.fresh += up_to_date[0]
            plan.replay += up_to_date[1]
    shared = cache.shared_outputs(fmt, plan.library_fp)
    if shared is None:
        plan.refresh_shared = True
    else:
        plan.fresh += shared[0]
        plan.replay += shared[1]
    if plan.dirty or plan.refresh_shared:
        plan.module = importlib.import_module(WRITERS[fmt])
        if not plan.incremental:
            plan.dirty, plan.fresh, plan.replay = list(lib.decks), [], []
    return plan


def _run(plan: _Plan, ctx: BuildContext, cache: OutputCache, progress: Progress) -> list[Path]:
    lib = ctx.library
    if plan.module is None:
        return []

    def write(only: tuple[Deck, ...] | None) -> tuple[list[Path], list[Diagnostic]]:
        ctx.write_only = only
        before = len(ctx.diagnostics)
        paths = list(plan.module.write(ctx))
        return paths, ctx.diagnostics[before:]

    if not plan.incremental:
        cache.forget(plan.fmt, WHOLE)
        progress.step(plan.fmt, None)
        paths, diags = write(None)
        cache.record(plan.fmt, plan.library_fp, {WHOLE: (plan.whole_fp, paths, diags)}, ([], []), [WHOLE],
                     complete=True)
        return paths
    for deck in plan.dirty:
        cache.forget(plan.fmt, deck.title)
    written: dict[str, tuple[str, list[Path], list[Diagnostic]]] = {}
    shared: tuple[list[Path], list[Diagnostic]] = ([], [])
    try:
        if not plan.dirty:
            progress.step(plan.fmt, None)
            shared = write(())
        for deck in plan.dirty:
            progress.step(plan.fmt, deck)
            written[deck.title] = (plan.fps[deck.title], *write((deck,)))
    finally:
        ctx.write_only = None
        # Also after a failure: what was written is recorded, the rest stays dirty.
        cache.record(plan.fmt, plan.library_fp if not plan.dirty or len(written) == len(plan.dirty) else "",
                     written, shared, [d.title for d in lib.decks], complete=len(written) == len(lib.decks))
    return shared[0] + [p for _, paths, _ in written.values() for p in paths]


def write_formats(ctx: BuildContext, formats: Sequence[str], cache: OutputCache, known: set[str],
                  progress: Progress, guard: Callable[[str], ContextManager]) -> tuple[list[Path], list[Path]]:
    """Write every format, each inside `guard(fmt)` (which turns a writer's
    failure into one clear error); returns (all outputs, those written now)."""
    plans = [_plan(fmt, ctx, cache, known) for fmt in formats]
    progress.start(sum(p.steps for p in plans))
    outputs: list[Path] = []
    written: list[Path] = []
    try:
        for plan in plans:
            ctx.diagnostics.extend(plan.replay)
            with guard(plan.fmt):
                now = _run(plan, ctx, cache, progress)
            written += now
            outputs += plan.fresh + now
    finally:
        progress.finish()
    # A writer may return a shared file for several decks: list it once.
    return list(dict.fromkeys(outputs)), list(dict.fromkeys(written))
