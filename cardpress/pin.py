"""`cardpress pin`: write each unpinned card's key into its heading
(`## Why ReLU? {#why-relu}`), so the question can be reworded later without
Anki seeing a new card.

The pin is the key the card's GUID already derives from (its slug, or the
old key that `--keep-ids` kept), so pinning changes nothing in Anki. Only the
heading lines change, byte for byte: line endings (CRLF, CR), a BOM, a
missing final newline and every other line stay as they were. Each file is
re-read after the edit and written (atomically) only if every card still has
the same question, answer and key.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from . import atomic, history
from .manifest import Manifest
from .model import Deck, Diagnostic, Library, Severity, SourceLocation
from .read import question_headings, read_file, read_library
from .read.attrs import BLOCK_RE, parse as parse_attrs

_LINE_END = re.compile(r"(\r\n|\r|\n)")  # the reader's line breaks
_ATX = re.compile(r"^(?P<open> {0,3}#{1,6})(?P<content>.*?)(?P<close>(?:[ \t]+#+)?[ \t]*)$")
_SETEXT_TEXT = re.compile(r"^(?P<content>.*?)(?P<close>[ \t]*)$")
_BOM = b"\xef\xbb\xbf"


@dataclass
class PinnedFile:
    path: Path
    display: str
    pins: list[tuple[int, str]] = field(default_factory=list)  # (line, key) written


@dataclass
class PinResult:
    files: list[PinnedFile] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(f.pins) for f in self.files)


def pin(sources: Sequence[str], out_dir: Path | None = None, keep_ids: bool = False,
        dry_run: bool = False, question_level: str = "2") -> PinResult:
    """Pin every unpinned card under `sources`. `out_dir`: where the last
    build's manifest is, for the ids `--keep-ids` kept (and, with
    `keep_ids`, to keep more now). Nothing is written when the notes have
    errors."""
    library = read_library(sources, question_level=question_level)
    result = PinResult(diagnostics=list(library.diagnostics))
    if library.has_errors:
        return result
    manifest = Manifest.load(out_dir) if out_dir is not None else Manifest()
    comparison = history.compare(library, manifest, keep_ids)
    result.diagnostics = sorted(result.diagnostics + comparison.diagnostics)
    for deck in comparison.library.decks:
        pins = {c.location.line: c.key for c in deck.cards if not c.pinned}
        if pins:
            done = _pin_deck(library, deck, pins, result, dry_run)
            if done is not None:
                result.files.append(done)
    return result


def _pin_deck(library: Library, deck: Deck, pins: dict[int, str], result: PinResult,
              dry_run: bool) -> PinnedFile | None:
    path = Path(library.root) / deck.source_path
    display = deck.location.path
    data = path.read_bytes()
    expected = {c.location.line: c for c in deck.cards}

    # A key with `_` can read as emphasis once written (`{#a-_b_-c}`):
    # such pins are written with `\_`, which reads back as the same key.
    written = dict(pins)
    for attempt in range(2):
        new = pin_bytes(data, written, display, deck.question_level)
        failed = _check(new, path, library.root, display, expected, str(deck.question_level))
        if not failed:
            break
        if attempt == 0:
            written.update({line: pins[line].replace("_", "\\_") for line in failed if "_" in pins[line]})
    if failed:
        for line in sorted(failed):
            result.diagnostics.append(Diagnostic.error(SourceLocation(display, line),
                                                       f"cannot pin this heading as {{#{pins.get(line, '')}}}; "
                                                       "nothing was written to this file; add the pin by hand"))
        return None
    if not dry_run:
        target = path.resolve()  # through a symlink: the link stays a link
        mode = stat.S_IMODE(target.stat().st_mode)
        atomic.write_bytes(target, new)
        os.chmod(target, mode)  # write_bytes makes outputs 0644; a source file keeps its mode
    return PinnedFile(path, display, sorted(pins.items()))


def pin_bytes(data: bytes, pins: dict[int, str], display: str, level: int = 2) -> bytes:
    """`data` with `{#key}` added to the heading of each card starting at
    line `line` (1-based). Lines are split exactly where the reader splits
    them, so line numbers agree."""
    bom = _BOM if data.startswith(_BOM) else b""
    text = data[len(bom):].decode("utf-8")
    parts = _LINE_END.split(text)  # line, end, line, end, ..., last line
    lines, ends = parts[0::2], parts[1::2] + [""]
    for first, last, atx in question_headings(data, display, level):
        if first + 1 not in pins:
            continue
        m = (_ATX if atx else _SETEXT_TEXT).match(lines[last])
        content = m.group("content")
        block = BLOCK_RE.search(content)
        if block and parse_attrs(block.group(1)) is not None:  # `{.reverse}` -> `{#id .reverse}`
            at = m.start("content") + block.start(1)
            lines[last] = lines[last][:at] + f"#{pins[first + 1]} " + lines[last][at:]
        else:
            lines[last] = lines[last][: m.end("content")] + f" {{#{pins[first + 1]}}}" + lines[last][m.end("content"):]
    return bom + "".join(line + end for line, end in zip(lines, ends)).encode("utf-8")


def _check(new: bytes, path: Path, root: str, display: str, expected: dict, level: str) -> set[int]:
    """Lines whose card does not read back as the same card, now pinned."""
    deck, diagnostics = read_file(new, path, display, Path(root), level)
    got = {c.location.line: c for c in deck.cards} if deck is not None else {}
    bad = set()
    for line, card in expected.items():
        now = got.get(line)
        if now is None or not now.pinned or (now.key, now.question_html, now.answer_html) != (
                card.key, card.question_html, card.answer_html):
            bad.add(line)
    if deck is None or any(d.severity is Severity.ERROR for d in diagnostics):
        bad |= set(expected) or {0}
    return bad
