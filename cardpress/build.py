"""The build, in two phases: gather (read and validate every file, no
writing) then write (each requested format).

Decks are independent: a file with errors is not built, so its last good
outputs stay exactly as they were (the site, written whole, shows its last
good version: `lastgood.py`), and every other deck is written; the result
names the skipped files. `--fail-fast` writes nothing when any file has an
error, `--strict` nothing when there is any warning."""

from __future__ import annotations

import importlib
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterator, Sequence

from . import history, outdir, templating
from .cache import OutputCache, ParseCache
from .context import WriteContext
from .errors import CardpressError, InternalError, OutputError
from .incremental import NoProgress, Outcome, Progress, write_formats
from .lastgood import LastGood
from .manifest import DeckRecord, Manifest
from .model import Deck, Diagnostic, Library, Severity
from .options import BuildOptions
from .read import read_library, source_lines
from .writers import WRITERS


@dataclass
class BuildResult:
    library: Library
    outputs: list[Path] = field(default_factory=list)  # all of this build's outputs, written now or up to date
    diagnostics: list[Diagnostic] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)  # the outputs written now
    changes: list[history.DeckChanges] = field(default_factory=list)  # the changelog
    skipped: list[str] = field(default_factory=list)  # files with errors, not built (their paths in messages)

    @property
    def ok(self) -> bool:
        return not any(d.severity is Severity.ERROR for d in self.diagnostics)


def gather(sources: Sequence[str], remote=None, cache: ParseCache | None = None,
           options: BuildOptions | None = None, formats: Sequence[str] | None = None) -> Library:
    """Read and check the notes. `remote` (remote.RemoteMedia) only with
    --fetch-remote-media: without it nothing touches the network. `cache`:
    reuse the decks of unchanged files (not with remote media). `options`:
    the question level and the size limits. `formats` (default: all): the
    outputs whose writers' checks run here (what the PDF cannot print as
    written...), so `check` and `build` report the same, before anything
    is written."""
    options = options or BuildOptions()
    library = read_library(sources, remote=remote, cache=cache if remote is None else None,
                           question_level=options.question_level, options=options)
    return _writer_checks(library, formats or list(WRITERS), options)


def _writer_checks(library: Library, formats: Sequence[str], options: BuildOptions) -> Library:
    """The library with what the writers of `formats` would warn about
    (WriterSpec.checks) among its diagnostics."""
    found: list[Diagnostic] = []
    for fmt in formats:
        if WRITERS[fmt].checks:
            module = importlib.import_module(WRITERS[fmt].checks)
            found += module.check(library, lambda deck: source_lines(library, deck, options))
    if not found:
        return library
    return replace(library, diagnostics=tuple(sorted([*library.diagnostics, *found])))


def _check_output_dir(out_dir: Path, sources: Sequence[str], formats: Sequence[str] | None) -> list[Diagnostic]:
    """Refuse an output folder we must not write (one line, OutputError),
    before anything is written: one that mixes with the sources, or holds a
    folder of the user's where a writer puts one (the site). Then make it
    ready (`outdir.prepare`); returns warnings about its records."""
    outdir.inspect(out_dir, sources)
    for fmt in formats or WRITERS:
        if WRITERS[fmt].folder:
            outdir.check_folder(out_dir, WRITERS[fmt].folder)
    return outdir.prepare(out_dir)


def build(sources: Sequence[str], out_dir: Path, formats: Sequence[str] | None = None,
          options: BuildOptions | None = None, *, progress: Progress | None = None, **changes) -> BuildResult:
    """Gather, then write `formats` (default: all). `changes` are
    `BuildOptions` fields to set on `options` (`keep_ids=True`...)."""
    options = replace(options or BuildOptions(), **changes)
    state_warnings: list[Diagnostic] = []  # records in OUTPUT/.cardpress/ that were damaged
    remote = None
    if options.fetch_remote_media:
        from .remote import RemoteMedia

        state_warnings += _check_output_dir(out_dir, sources, formats)  # the download cache lives in it
        remote = RemoteMedia(out_dir, timeout=options.fetch_timeout)
    parse_cache = ParseCache(out_dir if options.incremental else None)
    library = gather(sources, remote=remote, cache=parse_cache, options=options, formats=formats)
    result = BuildResult(library, diagnostics=list(library.diagnostics))
    templates = templating.check_templates(options.templates)  # every output may use them: none is written
    if any(d.severity is Severity.ERROR for d in templates):
        result.diagnostics = sorted(result.diagnostics + templates)
        return result
    good, result.skipped = _without_errors(library)
    result.diagnostics = sorted(result.diagnostics + templates)
    if _stop(result.diagnostics, options) or not good.decks:
        return result
    outdir.inspect(out_dir, sources)  # before its records are read: one clear line if it is not ours
    manifest = Manifest.load(out_dir, state_warnings)
    comparison = history.compare(good, manifest, options.keep_ids)
    result.library, result.changes = comparison.library, comparison.changes
    result.diagnostics = sorted(result.diagnostics + comparison.diagnostics)
    if _stop(result.diagnostics, options):
        return result
    state_warnings += _check_output_dir(out_dir, sources, formats)
    parse_cache.flush()
    last_good = LastGood(out_dir)
    stand_ins = _stand_ins(library, result.skipped, comparison.library, last_good)
    writing = _Writing(comparison, manifest, out_dir, options, state_warnings, stand_ins)
    result.written = writing.run(formats or list(WRITERS), progress or NoProgress())
    result.outputs = writing.outcome.outputs
    result.diagnostics = sorted(result.diagnostics + state_warnings + writing.outcome.written.diagnostics)
    last_good.keep([d for d in comparison.library.decks if d.cards],
                   {rec.source: rec.file for rec in manifest.decks.values()})
    return result


def _without_errors(library: Library) -> tuple[Library, list[str]]:
    """The library less the decks whose files have errors, and those files."""
    bad = {d.location.path for d in library.diagnostics if d.severity is Severity.ERROR}
    good = replace(library, decks=tuple(d for d in library.decks if d.location.path not in bad))
    return good, sorted(bad)


def _stand_ins(library: Library, skipped: list[str], good: Library, last_good: LastGood) -> tuple[Deck, ...]:
    """The last good versions of the decks of `skipped` files, for the
    outputs written whole (the site): as if those files had not changed.
    Not one whose name or title a good deck now has."""
    sources = dict(library.files)
    taken = {d.name.casefold() for d in good.decks} | {d.namespace for d in good.decks}
    stand_ins = []
    for display in skipped:
        deck = last_good.load(sources[display], Path(library.root)) if display in sources else None
        if deck is not None and deck.cards and not {deck.name.casefold(), deck.namespace} & taken:
            stand_ins.append(deck)
    return tuple(stand_ins)


class _Writing:
    """The write phase: the writers run, the manifest records what they did.

    The manifest is saved with the Anki records stamped for this build
    before any writer writes (`commit`), and again at the end, also after a
    failure or an interrupt (`finish`), when it differs from what is saved."""

    def __init__(self, comparison: history.Comparison, manifest: Manifest, out_dir: Path, options: BuildOptions,
                 state_warnings: list[Diagnostic], stand_ins: tuple[Deck, ...] = ()):
        self.comparison = comparison
        self.stand_ins = stand_ins  # last good decks of files with errors: written as they were
        self.manifest = manifest  # as loaded: the last build
        self.saved = manifest  # as on disk now
        self.out_dir = out_dir
        self.options = options
        self.outcome = Outcome()
        self.outputs = OutputCache.load(out_dir, state_warnings) if options.incremental else OutputCache(out_dir)

    def run(self, formats: Sequence[str], progress: Progress) -> list[Path]:
        # A file with no questions has nothing to write (the reader warned).
        library = self.comparison.library
        library = replace(library, decks=tuple(d for d in library.decks if d.cards) + self.stand_ins)
        ctx = WriteContext(library=library, out_dir=self.out_dir, options=self.options,
                           manifest=self.comparison.previous,
                           tombstones={t: r.tombstones for t, r in self.comparison.records.items() if r.tombstones})
        done = False
        try:
            with templating.using(self.options.templates):
                written = write_formats(ctx, formats, self.outputs, set(self.manifest.decks), progress,
                                        guard=_writer_errors, outcome=self.outcome, commit=self.commit)
            done = True
        finally:
            self.finish(done)
        return written

    def stamped(self, done: bool) -> Manifest:
        """The manifest with this build's Anki records. Before and after a
        failure: the last build's records, plus the decks stamped now (a
        package being written carries their mod times, and the next build
        must count up from them: with an equal mod time Anki drops the
        update); the other decks keep their old records, so their changes
        are still reported next time."""
        new = self.comparison.manifest() if done else Manifest(decks=dict(self.manifest.decks))
        for title, written in self.outcome.written.records.items():
            if title in self.comparison.records:
                new.decks[title] = _with_anki_fields(self.comparison.records[title], written)
        return new

    def commit(self, _records: dict) -> None:
        try:
            committed = self.stamped(False)
            committed.save(self.out_dir)
            self.saved = committed
        except OSError as exc:  # disk full: nothing is written, so nothing is lost
            raise self._save_error(exc) from exc

    def finish(self, done: bool) -> None:
        try:
            new = self.stamped(done)
            if new.decks != self.saved.decks:
                new.save(self.out_dir)
            # Last: outputs are vouched for only once the manifest matches them.
            self.outputs.save()
        except OSError as exc:
            if done:  # else the build's own failure is the one to report
                raise self._save_error(exc) from exc

    def _save_error(self, exc: OSError) -> OutputError:
        return OutputError(f"{self.out_dir}: error: cannot save the build's records: {exc.strerror or exc}")


def _with_anki_fields(record: DeckRecord, written: DeckRecord) -> DeckRecord:
    """`record` (this build's identity record) with the note type and mod
    times the Anki writer just stamped (`written`)."""
    notes = {g: replace(r, hash=w.hash, mod=w.mod, notetype=w.notetype) if (w := written.notes.get(g)) else r
             for g, r in record.notes.items()}
    # The removed notes as the package carries them (fields read, mod time
    # given); one whose fields could not be found is no longer carried.
    tombstones = {g: t for g, t in written.tombstones.items() if g in record.tombstones}
    return replace(record, notetype_hash=written.notetype_hash, notetype_mod=written.notetype_mod, notes=notes,
                   tombstones=tombstones)


@contextmanager
def _writer_errors(fmt: str) -> Iterator[None]:
    """A writer's failure as one line: an OSError (disk full, permission,
    a media file deleted mid-build) is the user's to fix; anything else is
    a bug, reported as an internal error naming the format (the CLI shows
    the traceback only with --debug). Either way the atomic writes leave
    the last good outputs in place."""
    try:
        yield
    except CardpressError:
        raise
    except OSError as exc:
        where = exc.filename or "output"
        raise OutputError(f"{where}: error: writing the {fmt} output failed: {exc.strerror or exc}") from exc
    except Exception as exc:  # noqa: BLE001 - turned into one clear line, cause kept for --debug
        template = templating.failure(exc)  # a user's template that does not render: theirs to fix
        if template is not None:
            raise CardpressError(template) from exc
        raise InternalError(f"the {fmt} writer", exc) from exc


def _stop(diagnostics: Sequence[Diagnostic], options: BuildOptions) -> bool:
    """Whether nothing may be written: any warning with --strict, any error
    with --fail-fast (else only the files with errors are skipped)."""
    if options.strict:
        return bool(diagnostics)
    return options.fail_fast and any(d.severity is Severity.ERROR for d in diagnostics)
