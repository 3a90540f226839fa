"""Every file of a build -> one `Library`, with the diagnostics of all."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from ..model import Deck, Diagnostic, Library
from . import confine
from .confine import Limits, Refused
from .decode import decode
from .deck import DeckReader
from .files import ANY_MEDIA, approve_media
from .parallel import Job, parse_all
from .sink import Sink
from .sources import SourceFile, scan_sources
from .vault import Vault


def read_library(paths: Sequence[str], remote=None, cache=None, question_level: str = "2",
                 options=None) -> Library:
    """Read every Markdown file under `paths`. `remote` (a
    `remote.RemoteMedia`) is given only with --fetch-remote-media; without it
    nothing touches the network. `cache` (a `cache.ParseCache`) supplies the
    decks of unchanged files; decks with diagnostics, media from outside
    the sources or files looked for across the source folder (`![[x.png]]`)
    are never cached, since their messages and files depend on files around
    them, and a cached deck's media are checked again.
    `question_level`: which headings are questions, unless a file's
    frontmatter says. `options` (a `BuildOptions`): the size limits."""
    base, files, diagnostics = scan_sources(paths)
    limits = Limits.of(options)
    defaults = options.deck_defaults if options is not None else ()
    vault = Vault()  # the source folders listed once, when a note looks for `![[name]]`
    readers = [DeckReader(source.path.resolve(), source.display, source.root, remote, question_level,
                          base=base, limits=limits, defaults=defaults, vault=vault) for source in files]
    # Checked and read in order, from the cache where it can; then what is
    # left parsed, on both cores for a large build (parallel.py).
    loaded = [_load(source, reader, base, limits, cache, question_level, defaults)
              for source, reader in zip(files, readers)]
    jobs = [Job(reader, item.data) for reader, item in zip(readers, loaded) if item.data is not None]
    parsed = iter(parse_all(jobs, parallel=remote is None))
    decks: list[Deck] = []
    names: dict[str, Deck] = {}  # casefolded deck name -> the deck that has it
    namespaces: dict[str, Deck] = {}  # what GUIDs derive from -> the deck
    media_files: dict[str, str] = {}
    for reader, item in zip(readers, loaded):
        deck, file_media = item.deck, {}
        if item.data is not None:
            result = next(parsed)
            deck, file_media = result.deck, result.media_files
            diagnostics.extend(result.diagnostics)
            if cache is not None and deck is not None and not result.diagnostics and not file_media \
                    and not result.searched:
                cache.store(item.cache_name, deck)
        else:
            diagnostics.extend(reader.diagnostics)
        if deck is None:
            continue
        clash = _clash(deck, names.get(deck.name.casefold()), namespaces.get(deck.namespace))
        if clash:
            diagnostics.append(Diagnostic.error(deck.location, clash))
            continue
        names[deck.name.casefold()] = namespaces[deck.namespace] = deck
        decks.append(deck)
        media_files.update(file_media)
    return Library(root=str(base), decks=tuple(decks), diagnostics=tuple(sorted(diagnostics)),
                   media_files=tuple(sorted(media_files.items())),
                   files=tuple((source.display, reader.display_rel()) for source, reader in zip(files, readers)))


def _clash(deck: Deck, same_name: Deck | None, same_namespace: Deck | None) -> str:
    """Why `deck` cannot be built next to a deck read before it, or "".
    Anki matches decks by name, ignoring case: two files with one name
    would be merged into one deck. And cards' GUIDs derive from the title
    (`Deck.namespace`), in whatever folder: two files with one title, even
    in different folders, would fight over the same notes."""
    if same_namespace is not None:
        other = same_namespace
        if other.name.casefold() == deck.name.casefold() and other.title == deck.title:
            return f"deck title '{deck.title}' is already used by {other.location}"
        return (f"deck title '{deck.title}' is already the title of {other.location} (deck '{other.name}'); the "
                "cards' Anki ids derive from the title, whatever the folder, so the two decks would share their "
                "notes; give one of them another title (frontmatter `title:`)")
    if same_name is not None:
        other = same_name
        if other.name == deck.name:
            return (f"deck name '{deck.name}' is already used by {other.location}; Anki would merge the two decks; "
                    "give one of them another name (frontmatter `deck:`)")
        return (f"deck name '{deck.name}' is the same as '{other.name}' ({other.location}) to Anki, which ignores "
                "case in deck names; give one of them another name (frontmatter `deck:` or `title:`)")
    return ""


@dataclass
class _Loaded:
    deck: Deck | None = None  # from the cache
    data: bytes | None = None  # to parse
    cache_name: str | None = None


def _load(source: SourceFile, reader: DeckReader, base: Path, limits: Limits, cache,
          question_level: str, defaults: tuple = ()) -> _Loaded:
    """One file's deck from the cache when its bytes and media still pass,
    else its bytes to parse; neither when it may not be read (diagnostics
    in `reader`)."""
    if not confine.is_utf8(reader.display_rel()):
        reader.sink.error(1, "its path below the sources' common folder is not valid UTF-8 (shown with \ufffd); "
                             "rename the folders")
        return _Loaded()
    try:
        data = confine.read_regular(source.path.resolve(), limits.note_bytes, "notes")
    except confine.Unreadable as exc:
        reader.sink.error(1, f"cannot read file: {exc.strerror}")
        return _Loaded()
    except Refused as exc:
        reader.sink.error(1, exc.reason)
        return _Loaded()
    # The root is part of the name: the same file read under another root
    # may point at files it could not reach before.
    cache_name = cache.name(f"{base}\x1e{source.root}", source.display, data, question_level,
                            *(f"{k}={v!r}" for k, v in defaults)) if cache is not None else None
    deck = cache.load(cache_name, base) if cache is not None else None
    if deck is not None and _media_pass(deck, source.root, base, limits):
        return _Loaded(deck=deck, cache_name=cache_name)
    return _Loaded(data=data, cache_name=cache_name)


def _media_pass(deck: Deck, root: Path, base: Path, limits: Limits) -> bool:
    """Whether every media file of a cached deck still may be bundled
    (it may have been replaced by a PDF, a FIFO or a symlink since, and the
    cache itself is a file in the output folder)."""
    for rel in deck.media:
        try:
            local = approve_media(Path(os.path.normpath(base / rel)), root, base, limits, ANY_MEDIA)
        except Refused:
            return False
        if local.rel != rel or local.path != base / rel:
            return False  # only decks whose media need no renaming are cached
    return True


def read_text(text: str, path: str = "notes.md", root: str | None = None, remote=None) -> Library:
    """Parse Markdown given as a string (tests, tools). `path` names it in
    messages; local media resolve against `root` (default: the cwd)."""
    root_path = Path(root or os.getcwd()).resolve()
    reader = DeckReader(root_path / path, path, root_path, remote)
    # surrogatepass: a str with lone surrogates becomes bytes that are not
    # UTF-8, and so a diagnostic, instead of an exception here.
    deck = reader.read(text.encode("utf-8", "surrogatepass"))
    return Library(root=str(root_path), decks=(deck,) if deck else (), diagnostics=tuple(sorted(reader.diagnostics)),
                   media_files=tuple(sorted(reader.media_files.items())))


def read_file(data: bytes, path: Path, display: str, root: Path,
              question_level: str = "2") -> tuple[Deck | None, list[Diagnostic]]:
    """One file's deck and diagnostics, from its bytes (`cardpress pin`
    re-reads a file it is about to write this way)."""
    reader = DeckReader(path.resolve(), display, root, question_level=question_level)
    return reader.read(data), reader.diagnostics


def source_lines(library: Library, deck: Deck, options=None) -> list[str] | None:
    """The lines of a deck's file as the reader numbered them (decoded,
    frontmatter included), read again for a check that must name the line
    of a character or an image (writers/pdf/preflight.py); None when the
    file can no longer be read as it was."""
    try:
        data = confine.read_regular((Path(library.root) / deck.source_path).resolve(),
                                    Limits.of(options).note_bytes, "notes")
    except Refused:
        return None
    text = decode(data, Sink(deck.location.path))
    return text.split("\n") if text is not None else None
