"""Every file of a build -> one `Library`, with the diagnostics of all."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

from ..errors import InternalError
from ..model import Deck, Diagnostic, Library, SourceLocation
from .deck import DeckReader
from .sources import scan_sources


def read_library(paths: Sequence[str], remote=None, cache=None, question_level: str = "2") -> Library:
    """Read every Markdown file under `paths`. `remote` (a
    `remote.RemoteMedia`) is given only with --fetch-remote-media; without it
    nothing touches the network. `cache` (a `cache.ParseCache`) supplies the
    decks of unchanged files; decks with diagnostics or media are never
    cached, since their messages and files depend on files around them.
    `question_level`: which headings are questions, unless a file's
    frontmatter says."""
    root, files, diagnostics = scan_sources(paths)
    decks: list[Deck] = []
    titles: dict[str, tuple[str, SourceLocation]] = {}  # casefolded title -> (title, where)
    media_files: dict[str, str] = {}
    for path, display in files:
        reader = DeckReader(path.resolve(), display, root, remote, question_level)
        try:
            data = path.read_bytes()
        except OSError as exc:
            reader.sink.error(1, f"cannot read file: {exc.strerror or exc}")
            diagnostics.extend(reader.diagnostics)
            continue
        cache_name = cache.name(root, display, data, question_level) if cache is not None else None
        deck = cache.load(cache_name, root) if cache is not None else None
        if deck is None:
            try:
                deck = reader.read(data)
            except Exception as exc:  # noqa: BLE001 - a bug, but name the file that shows it
                raise InternalError(f"reading {display}", exc) from exc
            diagnostics.extend(reader.diagnostics)
            if cache is not None and deck is not None and not reader.diagnostics and not reader.media_files:
                cache.store(cache_name, deck)
        if deck is None:
            continue
        first = titles.get(deck.title.casefold())
        if first is not None:
            # Anki matches decks by name (ignoring case) and our GUIDs by
            # deck title: two files with one title would fight over the
            # same notes, and Anki would merge the two decks.
            diagnostics.append(Diagnostic.error(deck.location, _title_clash(deck.title, first)))
            continue
        titles[deck.title.casefold()] = (deck.title, deck.location)
        decks.append(deck)
        media_files.update(reader.media_files)
    return Library(root=str(root), decks=tuple(decks), diagnostics=tuple(sorted(diagnostics)),
                   media_files=tuple(sorted(media_files.items())))


def _title_clash(title: str, first: tuple[str, SourceLocation]) -> str:
    other, where = first
    if other == title:
        return f"deck title '{title}' is already used by {where}"
    return (f"deck title '{title}' is the same as '{other}' ({where}) to Anki, which ignores case in deck names; "
            "give one of them another title")


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
