"""`cardpress push`: build, then bring a running Anki up to date through
AnkiConnect, and report what changed there.

Identity stays ours: the `.apkg` the build wrote is imported as it is
(AnkiConnect's `importPackage`), so GUIDs, mod times and the note type are
exactly those of a File > Import and review history survives. Never
`addNote`: AnkiConnect cannot set a GUID, and a note added that way would
be duplicated by the next file import.

How a package reaches Anki. AnkiConnect passes `importPackage`'s path
straight to Anki's importer (`AnkiPackageImporter(col, path)`), which opens
it relative to the Anki process's working directory, not the media folder
(modern Anki no longer changes into it). So:
- Anki on this machine (a loopback URL): the package's absolute path;
- Anki elsewhere (`--allow-remote`, or `--upload`): `storeMediaFile` with
  the package's bytes, `getMediaDirPath` to make the stored name absolute
  on Anki's side, `importPackage`, then `deleteMediaFile` (to Anki's trash)
  so the package is not left in, and synced with, the media folder.

What changed is read from Anki, before and after each import: our notes in
the deck (`findNotes` on the note type id and the deck, `notesInfo`),
matched by the CardId field. A deck Anki already has at the package's mod
times, with the same note type, is not imported again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from .ankiconnect import AnkiConnect, check_url, is_loopback
from .anki_side import AnkiNote, AnkiSide, DeckFailed
from .apkg_read import Package, PackageNote, read_package
from .notetypes import KEY_FIELD



# -- the build (the one place that uses the build API) -------------------------

def build_for_push(sources: Sequence[str], out_dir: Path, formats: Sequence[str] | None, options,
                   progress=None):
    """Build as `cardpress build` does (`options`: a BuildOptions), making
    sure the Anki packages are among the formats. Returns the BuildResult."""
    from .build import build

    if formats and "apkg" not in formats:
        formats = (*formats, "apkg")
    return build(sources, out_dir, formats or None, options, progress=progress)


def packages_of(result) -> list[Path]:
    """The build's Anki packages (written now or up to date)."""
    return [Path(p) for p in result.outputs if Path(p).suffix == ".apkg"]


# -- one push --------------------------------------------------------------------

@dataclass
class PushSettings:
    url: str
    api_key: str | None = None
    timeout: float = 10.0
    allow_remote: bool = False
    upload: bool | None = None  # None: only when Anki is on another machine
    delete_removed: bool = False
    yes: bool = False
    dry_run: bool = False


@dataclass
class DeckReport:
    package: Package
    pushed: bool = False
    new: list[str] = field(default_factory=list)  # card keys
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_in_anki: list[str] = field(default_factory=list)  # edited in Anki after this build: Anki kept its version
    elsewhere: list[str] = field(default_factory=list)  # in another deck in Anki
    removed: list[AnkiNote] = field(default_factory=list)  # in Anki, no longer in the notes
    deleted: int = 0
    error: str | None = None

    def summary(self, dry_run: bool = False) -> str:
        p = self.package
        if not self.pushed:
            return f"{p.deck}: up to date in Anki ({len(p.notes)} card(s))"
        counts = f"+{len(self.new)} new, ~{len(self.updated)} updated, {len(self.unchanged)} unchanged"
        return f"{p.deck}: would be {counts} in Anki" if dry_run else f"{p.deck}: {counts} in Anki"


# echo(message, err=False, always=False): prints; `always` even under -q.
Echo = Callable[..., None]


def push(result, settings: PushSettings, echo: Echo, confirm: Callable[[str], bool] | None,
         out_dir: Path | None = None) -> int:
    """Push the packages of `result` (a successful BuildResult). `echo`
    prints (see Echo); `confirm(prompt)` asks yes/no, None when nobody can
    answer. `out_dir`: the build's output folder, whose records forget the
    removed cards' notes once they are deleted from Anki. Returns the exit
    code."""
    url = check_url(settings.url, settings.allow_remote)
    client = AnkiConnect(url, settings.api_key, settings.timeout)
    upload = settings.upload if settings.upload is not None else not is_loopback(url)
    anki = AnkiSide(client, upload)
    packages = [read_package(p) for p in packages_of(result)]
    hello = client.handshake()
    verb = "would push" if settings.dry_run else "pushing"
    echo(f"{verb} to Anki at {url} (AnkiConnect protocol {hello.version}"
         f"{', uploading the packages' if upload else ''})")

    reports = []
    for pkg in packages:
        report = DeckReport(pkg)
        reports.append(report)
        try:
            _push_deck(anki, pkg, report, settings.dry_run)
        except DeckFailed as exc:
            report.error = str(exc)
            echo(report.error, err=True)
            continue
        _print_deck(report, settings.dry_run, echo)

    if settings.delete_removed:
        _delete_removed(anki, [r for r in reports if r.error is None], settings, echo, confirm)
        if out_dir is not None:
            _forget_deleted(out_dir, reports)

    failed = [r for r in reports if r.error]
    pushed = [r for r in reports if r.pushed and not r.error]
    up_to_date = len(reports) - len(failed) - len(pushed)
    parts = [f"{'would push' if settings.dry_run else 'pushed'} {len(pushed)} deck(s)", f"{up_to_date} up to date"]
    if failed:
        parts.append(f"{len(failed)} failed")
    if settings.delete_removed:
        deleted = sum(r.deleted for r in reports)
        parts.append(f"{deleted} note(s) deleted" if not settings.dry_run else
                     f"{sum(len(r.removed) for r in reports)} note(s) would be deleted")
    echo(", ".join(parts))
    return 1 if failed else 0


def _push_deck(anki: AnkiSide, pkg: Package, report: DeckReport, dry_run: bool) -> None:
    before = anki.notes(pkg)
    _refuse_retyped(pkg, before)
    lagging = {k for k, n in pkg.notes.items()
               if k not in before or (before[k].mod < n.mod if before[k].mod is not None
                                      else before[k].fields != n.fields)}
    tagging = any(k in before and before[k].mod is not None and before[k].mod < n.mod
                  for k, n in pkg.removed.items())  # a removed card's note: its cardpress::removed tag
    needed = bool(lagging) or tagging or anki.notetype_differs(pkg)
    if not needed:
        report.unchanged = list(pkg.notes)
        report.kept_in_anki = [k for k, n in pkg.notes.items() if _newer(before[k], n)]
        report.removed = [n for k, n in before.items() if k not in pkg.notes]
        return
    report.pushed = True
    if dry_run:  # what the import would do, from what Anki has now
        for key, note in pkg.notes.items():
            (report.new if key not in before else report.updated if key in lagging else report.unchanged).append(key)
            if key in before and _newer(before[key], note):
                report.kept_in_anki.append(key)
        report.removed = [n for k, n in before.items() if k not in pkg.notes]
        return
    anki.import_package(pkg)
    after = anki.notes(pkg)
    missing = [k for k in pkg.notes if k not in after]
    if missing:
        moved = anki.elsewhere(pkg, missing)
        report.elsewhere = sorted(moved)
        lost = [k for k in missing if k not in moved]
        if lost:
            raise DeckFailed(f"{pkg.path}: error: Anki imported this deck, but {len(lost)} of its {len(pkg.notes)} "
                             f"card(s) are not in it (first: \"{pkg.question(lost[0])}\"); try File > Import "
                             "in Anki to see why")
    for key, note in pkg.notes.items():
        if key not in after:
            continue
        if key not in before:
            report.new.append(key)
        elif (after[key].mod, after[key].fields) != (before[key].mod, before[key].fields):
            report.updated.append(key)
        else:
            report.unchanged.append(key)
        if _newer(after[key], note):
            report.kept_in_anki.append(key)
    report.removed = [n for k, n in after.items() if k not in pkg.notes]


def _refuse_retyped(pkg: Package, anki: dict[str, AnkiNote]) -> None:
    """A deck holding notes that Anki has under another note type (a card
    that became a cloze card...) is not imported: AnkiConnect imports with
    "Merge note types", which would add the old type's templates to ours
    (a reversed card) or refuse the whole deck (a cloze card)."""
    retyped = [k for k in pkg.notes
               if k in anki and anki[k].notetype and anki[k].notetype != pkg.notetype_of(k).name]
    if retyped:
        first = pkg.question(retyped[0])
        raise DeckFailed(f'{pkg.path}: error: {len(retyped)} card(s) have another note type in Anki than in the '
                         f'notes (first: "{first}", "{anki[retyped[0]].notetype}" in Anki, '
                         f'"{pkg.notetype_of(retyped[0]).name}" now), which no import can change: change it there '
                         "(Browse → Notes → Change Note Type), then push again")


def _newer(anki_note: AnkiNote, note: PackageNote) -> bool:
    return anki_note.mod is not None and anki_note.mod > note.mod


def _print_deck(report: DeckReport, dry_run: bool, echo: Echo) -> None:
    echo(report.summary(dry_run))
    pkg = report.package
    if report.kept_in_anki:
        shown = ", ".join(f'"{pkg.question(k)}"' for k in report.kept_in_anki[:3])
        more = " …" if len(report.kept_in_anki) > 3 else ""
        echo(f"{pkg.path}: warning: {len(report.kept_in_anki)} card(s) were edited in Anki after this build, so "
             f"Anki keeps its version: {shown}{more}", err=True)
    if report.elsewhere:
        echo(f"{pkg.path}: warning: {len(report.elsewhere)} card(s) are in another deck in Anki (moved there); "
             "they were updated where they are", err=True)


def _forget_deleted(out_dir: Path, reports: list[DeckReport]) -> None:
    """Notes deleted from Anki that the packages still carry tagged
    (manifest.Tombstone) are forgotten, or the next push would bring them back."""
    from .forget import forget

    guids = {r.package.removed[n.key].guid for r in reports if r.deleted
             for n in r.removed if n.key in r.package.removed}
    if guids:
        forget(out_dir, guids=guids)


def _delete_removed(anki: AnkiSide, reports: list[DeckReport], settings: PushSettings, echo: Echo,
                    confirm: Callable[[str], bool] | None) -> None:
    doomed = [r for r in reports if r.removed]
    if not doomed:
        echo("no removed notes to delete")
        return
    total = 0
    for r in doomed:
        echo(f"{r.package.deck}: {len(r.removed)} note(s) in Anki are no longer in the notes:", always=True)
        for n in r.removed:
            echo(f'  - "{n.question}" ({KEY_FIELD} {n.key})', always=True)
        total += len(r.removed)
    if settings.dry_run:
        return
    if not settings.yes:
        if confirm is None:
            echo(f"push: warning: not deleting {total} note(s): run again with --yes to delete them without asking",
                 err=True)
            return
        if not confirm(f"Delete these {total} note(s) and their review history from Anki?"):
            echo("nothing deleted")
            return
    for r in doomed:
        anki.delete([n.nid for n in r.removed])
        r.deleted = len(r.removed)
