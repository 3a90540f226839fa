"""The caches behind incremental builds, kept next to the outputs in
`<out>/.cardpress/`. Deleting them is always safe: a missing, corrupt or
stale cache means work is redone, never that a wrong output is kept.

- `parsed/`: each source file's parsed deck, named by a hash of the file's
  bytes, its path, the source root and the code version, so an unchanged
  file is never parsed again. Signed with the user's key before anything
  else is done with it, so a cache found in someone else's output folder
  can neither run code (the body is a pickle, loaded only once signed) nor
  bring in HTML or files.
- `outputs.json`: per format and deck, a fingerprint of everything that
  output depends on and the size and mtime of the files written; a writer's
  deck is skipped only when both still match.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import pickle
from dataclasses import fields
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from . import outdir
from .errors import OutputError
from .identity import content_hash
from .model import Card, Deck, Diagnostic, Library, Severity, SourceLocation
from .codestamp import code_lines
from .userkey import user_key

CACHE_DIR = outdir.STATE_DIR
PARSED_DIR = "parsed"
OUTPUTS_FILE = "outputs.json"
VERSION = 1



@lru_cache(maxsize=1)
def code_version() -> str:
    """Changes whenever the code, templates, assets or libraries that shape
    an output change (codestamp.py), or the model's fields."""
    return content_hash(str(VERSION), ",".join(f.name for f in fields(Card)), ",".join(f.name for f in fields(Deck)),
                        *code_lines())


# -- the parsed library --------------------------------------------------------

class ParseCache:
    """Entries are signed (HMAC-SHA256 over name and body, with the user's
    key: `userkey.py`), so one put in the output folder by someone else is
    parsed again and can never bring its own HTML or files into an output.
    (Re-validating instead would re-sanitize every card on every no-op build
    and need a check for every model field added later.) No key: no cache.
    The body is a pickle, three times faster to load than JSON; it is
    unpickled only once its signature proves cardpress wrote it with this
    user's key, so an entry someone else made is never unpickled."""

    MAGIC = b"cardpress-parsed-2 "

    def __init__(self, out_dir: Path | None, subdir: str = PARSED_DIR, prune: bool = True):
        """`subdir` of OUTPUT/.cardpress/ holds the entries; `prune`: `flush`
        deletes the entries this build did not use."""
        self.out_dir = out_dir
        self.subdir = subdir
        self.prune = prune
        self.key = user_key() if out_dir is not None else None
        self.dir = out_dir / CACHE_DIR / subdir if out_dir is not None and self.key is not None else None
        self.used: set[str] = set()
        self.pending: dict[str, Deck] = {}

    def name(self, root: Path, display: str, data: bytes, *settings: str) -> str:
        """The entry of a file's parse: its bytes, where it is, the code, and
        the `settings` that shape its parse."""
        head = "\x1f".join((code_version(), str(root), display, *settings)).encode("utf-8", "surrogateescape")
        return hashlib.sha256(head + b"\x00" + data).hexdigest()[:32] + ".pickle"

    def _mac(self, name: str, body: bytes) -> bytes:
        assert self.key is not None
        return hmac.new(self.key, name.encode("ascii") + b"\x00" + body, hashlib.sha256).hexdigest().encode("ascii")

    def load(self, name: str, root: Path) -> Deck | None:
        if self.dir is None or self.out_dir is None:
            return None
        try:
            data = outdir.read_state(self.out_dir, f"{self.subdir}/{name}")
        except outdir.StateProblem:
            return None
        if data is None or not data.startswith(self.MAGIC):
            return None
        mac, _, body = data[len(self.MAGIC):].partition(b"\n")
        if not hmac.compare_digest(mac, self._mac(name, body)):
            return None
        try:
            deck = pickle.loads(body)  # signed by us: see the class's note
        except Exception:  # noqa: BLE001 - an entry from another cardpress: parse again
            return None
        if not isinstance(deck, Deck):
            return None
        # The parse checked that these files exist; re-check, or a deleted
        # image would go unreported.
        if not all(outdir.confined(rel) and (root / rel).is_file() for rel in deck.media):
            return None
        self.used.add(name)
        return deck

    def store(self, name: str, deck: Deck) -> None:
        """Remember a fresh parse; written by `flush`, once the build has
        decided to write anything at all (a failed build writes nothing)."""
        if self.dir is not None:
            self.pending[name] = deck
            self.used.add(name)

    def flush(self) -> None:
        if self.dir is None or self.out_dir is None:
            return
        for name, deck in self.pending.items():
            try:
                body = pickle.dumps(deck, protocol=pickle.HIGHEST_PROTOCOL)
                outdir.write_state(self.out_dir, f"{self.subdir}/{name}",
                                   self.MAGIC + self._mac(name, body) + b"\n" + body)
            except (OSError, ValueError, TypeError, pickle.PicklingError, OutputError):
                pass
        self.pending.clear()
        if self.prune:  # drop entries this build did not use (old versions of the files)
            outdir.remove_state(self.out_dir, self.subdir,
                                [n for n in outdir.state_names(self.out_dir, self.subdir) if n not in self.used])


# -- the outputs -----------------------------------------------------------------

def _valid(entry) -> bool:
    """A format's entry as `record` writes it; anything else is dropped."""
    def files_ok(files) -> bool:
        # Paths inside the output folder only: a crafted entry may make us
        # redo work, never look (or vouch for a file) outside it.
        return isinstance(files, dict) and all(outdir.confined(p) for p in files)
    def diagnostics_ok(rows) -> bool:
        try:
            _diagnostics(rows)
        except (TypeError, ValueError):
            return False
        return True
    return (isinstance(entry, dict) and isinstance(entry.get("library"), str) and files_ok(entry.get("shared"))
            and diagnostics_ok(entry.get("diagnostics")) and isinstance(entry.get("decks"), dict)
            and all(isinstance(d, dict) and isinstance(d.get("fp"), str) and files_ok(d.get("files"))
                    and diagnostics_ok(d.get("diagnostics")) for d in entry["decks"].values()))


def _diagnostics(rows) -> list[Diagnostic]:
    return [Diagnostic(SourceLocation(str(path), int(line)), Severity(sev), str(msg)) for path, line, sev, msg in rows or ()]


def _stat(path: Path, follow: bool = True) -> list[int] | None:
    """Size and mtime (of a link itself with `follow=False`: an output
    replaced by a symlink is stale, whatever it points at)."""
    try:
        st = path.stat() if follow else path.lstat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def _hashable(name: str) -> str:
    """A file name as text that always encodes: bytes that are not UTF-8
    (kept by Python as lone surrogates) become `\\xff` escapes."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def deck_fingerprint(fmt: str, deck: Deck, library: Library, options: str) -> str:
    """Everything one deck's output in one format depends on: the file's
    bytes, the keys (ids kept by --keep-ids change them without changing the
    file), its media files, the options the writer reads
    (`BuildOptions.fingerprint`) and the code."""
    media = [f"{rel}:{_stat(library.media_path(rel))}" for rel in deck.media]
    return content_hash(code_version(), fmt, options, _hashable(library.root),
                        deck.title, deck.name, deck.source_path, deck.content_hash, *(f"{c.key}\x1e{c.guid}" for c in deck.cards), *media)


def library_fingerprint(fmt: str, library: Library, options: str) -> str:
    """What outputs shared by all decks (a site's index) depend on."""
    return content_hash(code_version(), fmt, options, _hashable(library.root),
                        *(f"{d.title}\x1e{d.name}\x1e{d.source_path}\x1e{len(d.cards)}" for d in library.decks))


class OutputCache:
    """`outputs.json`: {format: {"library": fp, "shared": {path: stat},
    "decks": {deck name: {"fp": fp, "files": {path: stat}}}}}. Paths are
    relative to the output folder."""

    def __init__(self, out_dir: Path, data: dict | None = None):
        self.out_dir = out_dir
        self.data: dict = data if data is not None else {}
        self._saved = json.dumps(self.data, sort_keys=True)

    @classmethod
    def load(cls, out_dir: Path, diagnostics: list[Diagnostic] | None = None) -> "OutputCache":
        """The last build's record; empty when missing or damaged (then one
        warning in `diagnostics`: every output is written again)."""
        data = outdir.read_json(out_dir, OUTPUTS_FILE, diagnostics, "every output is written again")
        try:
            if data.get("version") == VERSION:  # type: ignore[union-attr]
                return cls(out_dir, {f: e for f, e in data["formats"].items() if _valid(e)})  # type: ignore[index]
        except (AttributeError, KeyError, TypeError):
            pass
        return cls(out_dir)

    def save(self) -> None:
        text = json.dumps(self.data, sort_keys=True)
        if text != self._saved:
            outdir.write_state(self.out_dir, OUTPUTS_FILE,
                               json.dumps({"version": VERSION, "formats": self.data}).encode("utf-8"))
            self._saved = text

    def _fmt(self, fmt: str) -> dict:
        return self.data.setdefault(fmt, {"library": "", "shared": {}, "decks": {}})

    def _intact(self, files: dict) -> bool:
        return all(_stat(self.out_dir / p, follow=False) == s for p, s in files.items())

    def deck_outputs(self, fmt: str, title: str, fp: str) -> tuple[list[Path], list[Diagnostic]] | None:
        """The deck's outputs if they are up to date, else None, with the
        warnings the writer gave when it wrote them: a skipped output still
        reports them (or a second `--strict` build would pass)."""
        entry = self._fmt(fmt)["decks"].get(title)
        if entry is None or entry["fp"] != fp or not self._intact(entry["files"]):
            return None
        return [self.out_dir / p for p in entry["files"]], _diagnostics(entry.get("diagnostics"))

    def shared_outputs(self, fmt: str, fp: str) -> tuple[list[Path], list[Diagnostic]] | None:
        entry = self._fmt(fmt)
        if entry["library"] != fp or not self._intact(entry["shared"]):
            return None
        return [self.out_dir / p for p in entry["shared"]], _diagnostics(entry.get("diagnostics"))

    def forget(self, fmt: str, title: str) -> None:
        """Called before a deck is written: if the build dies half way, the
        next one must not trust the old entry."""
        self._fmt(fmt)["decks"].pop(title, None)

    def record(self, fmt: str, library_fp: str, decks: dict[str, tuple[str, list[Path], list[Diagnostic]]],
               shared: tuple[list[Path], list[Diagnostic]], titles: Iterable[str], complete: bool) -> None:
        """After a format's writes: `decks` maps each written deck to its
        fingerprint, files and writer diagnostics. A file that several decks return (an index,
        a stylesheet), or that a call for no deck returned (`shared`), is
        shared: checked once for the whole format, owned by no deck, so
        rewriting it for one deck never makes the others look stale.
        `titles`: the library's decks (entries of others are dropped);
        `complete`: every deck was written, so nothing old is kept."""
        entry = self._fmt(fmt)
        old_shared = {} if complete else entry["shared"]
        keep = set(titles)
        owned: dict[str, dict] = {} if complete else {t: e for t, e in entry["decks"].items() if t in keep}
        fresh = {title: [self._rel(p) for p in files] for title, (_, files, _) in decks.items()}
        count: dict[str, int] = {}
        for title in owned.keys() | fresh.keys():
            for rel in fresh[title] if title in fresh else owned[title]["files"]:
                count[rel] = count.get(rel, 0) + 1
        shared_files, shared_diags = shared
        shared_rel = set(old_shared) | {self._rel(p) for p in shared_files} | {r for r, n in count.items() if n > 1}
        for title, e in owned.items():
            # Old entries keep the stats they were recorded with: a file
            # changed since by someone else must still look stale.
            e["files"] = {r: st for r, st in e["files"].items() if r not in shared_rel}
        for title, (fp, _, diags) in decks.items():
            owned[title] = {"fp": fp, "files": {r: _stat(self.out_dir / r, follow=False) for r in fresh[title]
                                                     if r not in shared_rel},
                            "diagnostics": [[d.location.path, d.location.line, d.severity.value, d.message]
                                            for d in diags]}
        entry["decks"] = owned
        entry["shared"] = {r: _stat(self.out_dir / r, follow=False) for r in sorted(shared_rel)}
        if shared_files or shared_diags or complete:
            entry["diagnostics"] = [[d.location.path, d.location.line, d.severity.value, d.message]
                                    for d in shared_diags]
        entry["library"] = library_fp

    def _rel(self, path: Path) -> str:
        try:
            return Path(path).resolve().relative_to(self.out_dir.resolve()).as_posix()
        except ValueError:
            return str(Path(path).resolve())
