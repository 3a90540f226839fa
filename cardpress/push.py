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

import base64
import hashlib
import html
import json
import re
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from .ankiconnect import AnkiConnect, AnkiConnectError, ActionError, check_url, is_loopback
from .errors import CardpressError

KEY_FIELD = "CardId"
QUESTION_FIELD = "Question"
IMPORT_TIMEOUT = 120.0  # seconds at least for sending and importing one package


# -- the build (the one place that uses the build API) -------------------------

def build_for_push(sources: Sequence[str], out_dir: Path, formats: Sequence[str] | None, options: dict[str, Any],
                   **kwargs: Any):
    """Build as `cardpress build` does, making sure the Anki packages are
    among the formats. Returns the BuildResult."""
    from .build import build

    if formats and "apkg" not in formats:
        formats = (*formats, "apkg")
    return build(sources, out_dir, formats or None, options=options, **kwargs)


def packages_of(result) -> list[Path]:
    """The build's Anki packages (written now or up to date)."""
    return [Path(p) for p in result.outputs if Path(p).suffix == ".apkg"]


# -- what a package holds ------------------------------------------------------

@dataclass(frozen=True)
class PackageNote:
    guid: str
    key: str
    mod: int
    fields: tuple[str, ...]


@dataclass
class Package:
    path: Path
    deck: str
    notetype_id: int
    notetype_name: str
    field_names: tuple[str, ...]
    css: str
    templates: dict[str, tuple[str, str]]  # name -> (front, back)
    notes: dict[str, PackageNote]  # by card key

    def question(self, key: str) -> str:
        note = self.notes[key]
        return _plain(note.fields[self.field_names.index(QUESTION_FIELD)]) if QUESTION_FIELD in self.field_names \
            else key


def read_package(path: Path) -> Package:
    """The deck, note type and notes of a package written by cardpress."""
    try:
        with zipfile.ZipFile(path) as z:
            db = z.read("collection.anki2")
    except (OSError, zipfile.BadZipFile, KeyError) as exc:
        raise CardpressError(f"{path}: error: cannot read the Anki package: {exc}") from None
    with tempfile.TemporaryDirectory(prefix="cardpress-push-") as tmp:
        db_path = Path(tmp) / "collection.anki2"
        db_path.write_bytes(db)
        conn = sqlite3.connect(db_path)
        try:
            models_json, decks_json = conn.execute("SELECT models, decks FROM col").fetchone()
            rows = conn.execute("SELECT guid, mid, mod, flds FROM notes ORDER BY id").fetchall()
            dids = [d for (d,) in conn.execute("SELECT DISTINCT did FROM cards")]
        finally:
            conn.close()
    models, decks = json.loads(models_json), json.loads(decks_json)
    if not rows or len(models) != 1:
        raise CardpressError(f"{path}: error: not a cardpress deck (expected one note type and some notes)")
    model = next(iter(models.values()))
    names = tuple(f["name"] for f in sorted(model["flds"], key=lambda f: f["ord"]))
    if KEY_FIELD not in names:
        raise CardpressError(f"{path}: error: not a cardpress deck (its note type has no {KEY_FIELD} field)")
    deck_names = [decks[str(d)]["name"] for d in dids if str(d) in decks]
    if len(deck_names) != 1:
        raise CardpressError(f"{path}: error: expected the cards of one deck, found {len(deck_names)}")
    notes: dict[str, PackageNote] = {}
    for guid, _mid, mod, flds in rows:
        values = tuple(flds.split("\x1f"))
        key = html.unescape(values[names.index(KEY_FIELD)])
        notes[key] = PackageNote(guid, key, int(mod), values)
    templates = {t["name"]: (t["qfmt"], t["afmt"]) for t in model["tmpls"]}
    return Package(Path(path), deck_names[0], int(model["id"]), model["name"], names, model["css"], templates, notes)


def _plain(fragment: str, limit: int = 80) -> str:
    text = html.unescape(re.sub(r"<[^>]*>", "", fragment))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- what Anki holds -------------------------------------------------------------

@dataclass(frozen=True)
class AnkiNote:
    nid: int
    key: str
    mod: int | None  # None: an AnkiConnect too old to report it
    fields: tuple[str, ...]
    question: str


def search_quote(text: str) -> str:
    """`text` as a literal inside a quoted Anki search term."""
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("*", "\\*").replace("_", "\\_"))


class AnkiSide:
    """The queries push needs, on top of the protocol client."""

    def __init__(self, client: AnkiConnect, upload: bool):
        self.client = client
        self.upload = upload
        self._notetypes: dict[tuple, bool] = {}

    def deck_query(self, pkg: Package) -> str:
        deck = search_quote(pkg.deck)
        # The deck itself, not its subdecks (another file may be "Deck::Sub").
        return f'mid:{pkg.notetype_id} "deck:{deck}" -"deck:{deck}::*"'

    def notes(self, pkg: Package) -> dict[str, AnkiNote]:
        nids = self.client.request("findNotes", query=self.deck_query(pkg))
        return self._info(pkg, nids)

    def _info(self, pkg: Package, nids: list[int]) -> dict[str, AnkiNote]:
        if not nids:
            return {}
        found: dict[str, AnkiNote] = {}
        for info in self.client.request("notesInfo", notes=list(nids)):
            if not isinstance(info, dict) or "fields" not in info:
                continue  # deleted meanwhile
            values = tuple(info["fields"].get(name, {}).get("value", "") for name in pkg.field_names)
            key = html.unescape(info["fields"].get(KEY_FIELD, {}).get("value", ""))
            mod = info.get("mod")
            question = _plain(info["fields"].get(QUESTION_FIELD, {}).get("value", ""))
            found.setdefault(key, AnkiNote(int(info["noteId"]), key, mod if isinstance(mod, int) else None,
                                           values, question))
        return found

    def elsewhere(self, pkg: Package, keys: Sequence[str]) -> set[str]:
        """Which of `keys` Anki has under our note type in some other deck
        (cards moved there in Anki: an import never moves them back)."""
        queries = [("findNotes", {"query": f'mid:{pkg.notetype_id} "{KEY_FIELD}:{search_quote(html.escape(k))}"'})
                   for k in keys]
        return {k for k, nids in zip(keys, self.client.multi(queries)) if nids}

    def notetype_differs(self, pkg: Package) -> bool:
        ident = (pkg.notetype_name, pkg.css, tuple(sorted(pkg.templates.items())))
        if ident not in self._notetypes:
            try:
                styling, templates = self.client.multi([("modelStyling", {"modelName": pkg.notetype_name}),
                                                        ("modelTemplates", {"modelName": pkg.notetype_name})])
                theirs = {name: (t.get("Front"), t.get("Back")) for name, t in (templates or {}).items()}
                self._notetypes[ident] = (styling or {}).get("css") != pkg.css or theirs != pkg.templates
            except ActionError:  # e.g. no note type of that name (renamed in Anki): let the import sort it out
                self._notetypes[ident] = True
        return self._notetypes[ident]

    def import_package(self, pkg: Package) -> None:
        timeout = max(IMPORT_TIMEOUT, self.client.timeout)
        if not self.upload:
            self._import(pkg, str(pkg.path.resolve()), timeout)
            return
        data = pkg.path.read_bytes()
        name = f"_cardpress-push-{hashlib.sha1(data).hexdigest()[:16]}.apkg"
        stored = self.client.request("storeMediaFile", timeout=timeout, filename=name,
                                     data=base64.b64encode(data).decode("ascii"))
        stored = stored if isinstance(stored, str) and stored else name
        try:
            media_dir = self.client.request("getMediaDirPath")
            sep = "\\" if "\\" in media_dir and "/" not in media_dir else "/"
            self._import(pkg, media_dir.rstrip(sep) + sep + stored, timeout)
        finally:
            try:
                self.client.request("deleteMediaFile", filename=stored)
            except AnkiConnectError:
                pass  # reported by nobody: Anki's "Check Media" lists it, and `_` files are never synced as used

    def _import(self, pkg: Package, path: str, timeout: float) -> None:
        try:
            ok = self.client.request("importPackage", timeout=timeout, path=path)
        except ActionError as exc:
            raise DeckFailed(f"{pkg.path}: error: Anki could not import this deck: {exc.message}") from None
        if ok is not True:
            raise DeckFailed(f"{pkg.path}: error: Anki did not import this deck (importPackage answered {ok!r}): "
                             "is a collection open?")

    def delete(self, nids: Sequence[int]) -> None:
        self.client.request("deleteNotes", notes=list(nids))


class DeckFailed(CardpressError):
    """One deck could not be imported; the others still are."""


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


def push(result, settings: PushSettings, echo: Echo, confirm: Callable[[str], bool] | None) -> int:
    """Push the packages of `result` (a successful BuildResult). `echo`
    prints (see Echo); `confirm(prompt)` asks yes/no, None when nobody can
    answer. Returns the exit code."""
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
    lagging = {k for k, n in pkg.notes.items()
               if k not in before or (before[k].mod < n.mod if before[k].mod is not None
                                      else before[k].fields != n.fields)}
    needed = bool(lagging) or anki.notetype_differs(pkg)
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
