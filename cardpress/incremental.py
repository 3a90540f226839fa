"""Running the writers, skipping what is up to date.

An incremental writer (see `writers.WRITERS`) is called deck by deck, so a
change to one deck re-renders only that deck's outputs: the PDF is the slow
one. Other writers are run whole, and skipped only when no deck changed.
What counts as "changed" is in `cache.deck_fingerprint`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, ContextManager, Protocol, Sequence

from .cache import OutputCache, deck_fingerprint, library_fingerprint
from .context import WriteContext, WriteResult
from .identity import content_hash
from .model import Deck, Diagnostic
from .writers import WRITERS, WriterSpec, get_writer

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
class Outcome:
    """What the writers did, filled in as they go: after a failure it still
    holds what was written before it (the build must record those mod
    times)."""

    written: WriteResult = field(default_factory=WriteResult)
    outputs: list[Path] = field(default_factory=list)  # every output of this build, written now or up to date


@dataclass
class _Plan:
    fmt: str
    spec: WriterSpec
    library_fp: str
    fps: dict[str, str]  # deck name -> fingerprint
    incremental: bool = False  # called deck by deck (WriterSpec.incremental_for these options)
    work: bool = False  # the writer has something to do (it is imported only then)
    dirty: list[Deck] = field(default_factory=list)
    fresh: list[Path] = field(default_factory=list)  # outputs that are up to date
    replay: list[Diagnostic] = field(default_factory=list)  # what the writer said when it wrote them

    @property
    def whole_fp(self) -> str:
        return content_hash(self.library_fp, *self.fps.values())

    @property
    def steps(self) -> int:
        if not self.work:
            return 0
        return len(self.dirty) if self.incremental and self.dirty else 1


def _plan(fmt: str, ctx: WriteContext, cache: OutputCache, known: set[str]) -> _Plan:
    lib, spec = ctx.library, WRITERS[fmt]
    options = ctx.options.fingerprint(spec.options)
    if ctx.options.templates:  # the user's templates shape every output: their files' contents count
        from .templating import fingerprint

        options += fingerprint(ctx.options.templates)
    fps = {d.name: deck_fingerprint(fmt, d, lib, options) for d in lib.decks}
    plan = _Plan(fmt, spec, library_fingerprint(fmt, lib, options), fps, spec.incremental_for(ctx.options))
    # Checked as the last build recorded it (whole, or deck by deck). A deck
    # the manifest does not know has no Anki mod times to keep, so its
    # outputs are never trusted.
    if all(d.name in known for d in lib.decks):
        whole = cache.deck_outputs(fmt, WHOLE, plan.whole_fp)
        if whole is not None:
            plan.fresh, plan.replay = whole
            return plan
    for deck in lib.decks:
        up_to_date = cache.deck_outputs(fmt, deck.name, fps[deck.name]) if deck.name in known else None
        if up_to_date is None:
            plan.dirty.append(deck)
        else:
            plan.fresh += up_to_date[0]
            plan.replay += up_to_date[1]
    shared = cache.shared_outputs(fmt, plan.library_fp)
    if shared is not None:
        plan.fresh += shared[0]
        plan.replay += shared[1]
    plan.work = bool(plan.dirty) or shared is None
    if plan.work and not plan.incremental:
        plan.dirty, plan.fresh, plan.replay = list(lib.decks), [], []
    return plan


def _run(plan: _Plan, ctx: WriteContext, cache: OutputCache, progress: Progress, outcome: Outcome) -> list[Path]:
    if not plan.work:
        return []
    writer = get_writer(plan.fmt)
    lib = ctx.library

    def write(decks: tuple[Deck, ...]) -> WriteResult:
        result = writer.write(replace(ctx, decks=decks))
        outcome.written.merge(result)
        return result

    if not plan.incremental:
        cache.forget(plan.fmt, WHOLE)
        progress.step(plan.fmt, None)
        result = write(lib.decks)
        cache.record(plan.fmt, plan.library_fp, {WHOLE: (plan.whole_fp, result.paths, result.diagnostics)},
                     ([], []), [WHOLE], complete=True)
        return result.paths
    for deck in plan.dirty:
        cache.forget(plan.fmt, deck.name)
    written: dict[str, tuple[str, list[Path], list[Diagnostic]]] = {}
    shared = WriteResult()
    try:
        if not plan.dirty:
            progress.step(plan.fmt, None)
            shared = write(())
        for deck in plan.dirty:
            progress.step(plan.fmt, deck)
            result = write((deck,))
            written[deck.name] = (plan.fps[deck.name], result.paths, result.diagnostics)
    finally:
        # Also after a failure: what was written is recorded, the rest stays dirty.
        cache.record(plan.fmt, plan.library_fp if not plan.dirty or len(written) == len(plan.dirty) else "",
                     written, (shared.paths, shared.diagnostics), [d.name for d in lib.decks],
                     complete=len(written) == len(lib.decks))
    return shared.paths + [p for _, paths, _ in written.values() for p in paths]


def _dry_render(plans: list[_Plan], ctx: WriteContext, guard: Callable[[str], ContextManager]) -> None:
    """With the user's templates, each writer about to write renders its
    templates first, writing nothing (`dry_render`): an override that fails
    stops the build before any output is written."""
    if not ctx.options.templates:
        return
    for plan in plans:
        dry_render = getattr(get_writer(plan.fmt), "dry_render", None) if plan.work else None
        if dry_render is not None:
            with guard(plan.fmt):
                dry_render(replace(ctx, decks=tuple(plan.dirty)))


def _stamp(plans: list[_Plan], ctx: WriteContext, guard: Callable[[str], ContextManager],
           commit: Callable[[dict], None], outcome: Outcome) -> WriteContext:
    """The Anki records of the decks about to be written, committed (saved)
    before anything is written; the context the writers then get."""
    stamps: dict = {}
    for plan in plans:
        if plan.spec.stamps and plan.work and plan.dirty:
            with guard(plan.fmt):
                stamps.update(get_writer(plan.fmt).stamp(replace(ctx, decks=tuple(plan.dirty))).records)
    if not stamps:
        return ctx
    outcome.written.records.update(stamps)
    commit(stamps)
    return replace(ctx, stamps=stamps)


def write_formats(ctx: WriteContext, formats: Sequence[str], cache: OutputCache, known: set[str],
                  progress: Progress, guard: Callable[[str], ContextManager], outcome: Outcome,
                  commit: Callable[[dict], None] = lambda records: None) -> list[Path]:
    """Write every format, each inside `guard(fmt)` (which turns a writer's
    failure into one clear error), into `outcome`; returns the outputs
    written now. `commit(records)` saves the Anki records stamped for this
    build before any writer runs."""
    plans = [_plan(fmt, ctx, cache, known) for fmt in formats]
    _dry_render(plans, ctx, guard)
    ctx = _stamp(plans, ctx, guard, commit, outcome)
    progress.start(sum(p.steps for p in plans))
    written: list[Path] = []
    try:
        for plan in plans:
            outcome.written.diagnostics.extend(plan.replay)
            with guard(plan.fmt):
                now = _run(plan, ctx, cache, progress, outcome)
            written += now
            outcome.outputs += plan.fresh + now
    finally:
        progress.finish()
    # A writer may return a shared file for several decks: list it once.
    outcome.outputs = list(dict.fromkeys(outcome.outputs))
    return list(dict.fromkeys(written))
