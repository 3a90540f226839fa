"""Markdown notes -> model. The only module that knows markdown-it-py.

One file is one deck: `# Title` names it, text before the first `##` is its
description, each `##` heading is a question and everything up to the next
`##` is the answer. Markdown becomes HTML here, once, and is sanitized before
it leaves; writers never parse Markdown.
"""

from __future__ import annotations

import os
import re
from html import unescape
from pathlib import Path
from typing import Iterable, Sequence
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.tasklists import tasklists_plugin

from . import highlight, sanitize
from .errors import SourceError
from .identity import PIN_RE, content_hash, slugify
from .model import Card, Deck, Diagnostic, Library, Severity, SourceLocation

# Block-level tags separate words; inline tags (highlight spans, <b>) do not.
_BLOCK_TAG_RE = re.compile(r"</?(?:p|div|h[1-6]|li|ul|ol|tr|td|th|table|thead|tbody|pre|blockquote|br|hr|dt|dd|dl|details|summary|figure|figcaption)\b[^>]*>", re.I)
_TAG_RE = re.compile(r"<[^>]*>")
_SPACE_RE = re.compile(r"\s+")


def _highlight(code: str, lang: str, _attrs: str) -> str:
    return highlight.highlight(code, lang.split()[0] if lang else "")


def _make_parser() -> MarkdownIt:
    # CommonMark plus the GFM extensions markdown-it-py ships: what a user's
    # editor preview shows is what the cards show.
    md = MarkdownIt("commonmark", {"html": True, "highlight": _highlight})
    md.enable(["table", "strikethrough"])
    md.use(tasklists_plugin)
    return md


_MD = _make_parser()


def plain_text(html: str) -> str:
    return _SPACE_RE.sub(" ", unescape(_TAG_RE.sub("", _BLOCK_TAG_RE.sub(" ", html)))).strip()


class _DeckReader:
    """Reads one file. Collects diagnostics instead of stopping at the first."""

    def __init__(self, path: Path, display_path: str, root: Path):
        self.path = path
        self.display = display_path
        self.root = root
        self.diagnostics: list[Diagnostic] = []
        self.media: dict[str, None] = {}  # ordered set

    def report(self, line: int, severity: Severity, message: str) -> None:
        self.diagnostics.append(Diagnostic(SourceLocation(self.display, line), severity, message))

    # -- decoding ---------------------------------------------------------

    def decode(self, data: bytes) -> str | None:
        if b"\x00" in data:
            self.report(0, Severity.ERROR, "file contains NUL bytes; is it a binary file, not Markdown?")
            return None
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            try:
                data.decode("cp949")
            except UnicodeDecodeError:
                hint = "save it as UTF-8"
            else:
                hint = (
                    "it looks like CP949/EUC-KR (Korean Windows); convert it with "
                    f"`iconv -f cp949 -t utf-8 {self.display} > fixed.md` or save it as UTF-8 in your editor"
                )
            self.report(line, Severity.ERROR, f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); {hint}")
            return None
        # CRLF and lone CR: markdown-it treats both as line ends, but a stray
        # \r must never reach a card's HTML.
        return text.replace("\r\n", "\n").replace("\r", "\n")

    # -- media --------------------------------------------------------------

    def resolve_local(self, target: str, line: int, what: str) -> str | None:
        """Root-relative path of a local file the notes reference, or None
        (with a diagnostic) when it is missing or outside the source tree.
        Files outside the tree are never read: notes shared by a classmate
        must not be able to pull ~/.ssh into a deck."""
        raw = unquote(urlsplit(target).path)
        if not raw:
            return None
        if os.path.isabs(raw) or raw.startswith("~"):
            self.report(line, Severity.ERROR, f"{what} '{target}' is an absolute path; use a path inside the source folder")
            return None
        candidate = (self.path.parent / raw)
        try:
            resolved = candidate.resolve(strict=False)
            resolved.relative_to(self.root)
        except (ValueError, OSError):
            self.report(line, Severity.ERROR, f"{what} '{target}' is outside the source folder {self.root_display()}")
            return None
        if not resolved.is_file():
            self.report(line, Severity.ERROR, f"{what} '{target}' not found")
            return None
        return resolved.relative_to(self.root).as_posix()

    def root_display(self) -> str:
        return os.path.relpath(self.root) if not os.path.relpath(self.root).startswith("..") else str(self.root)

    def rewrite_media(self, tokens: Sequence[Token]) -> None:
        """Point local image sources at root-relative paths and collect them."""
        for block in tokens:
            if block.type != "inline" or not block.children:
                continue
            line = block.map[0] + 1 if block.map else 0
            for tok in _walk(block.children):
                if tok.type != "image":
                    continue
                src = str(tok.attrs.get("src", ""))
                scheme = urlsplit(src).scheme.lower()
                if scheme in ("http", "https"):
                    continue  # kept as a URL; the PDF and HTML writers decide how to show it
                if scheme or src.startswith("//"):
                    self.report(line, Severity.ERROR, f"image '{src}' uses an unsupported URL scheme")
                    tok.attrs["src"] = ""
                    continue
                rel = self.resolve_local(src, line, "image")
                if rel is None:
                    tok.attrs["src"] = ""
                else:
                    tok.attrs["src"] = rel
                    self.media[rel] = None

    # -- structure ------------------------------------------------------------

    def read(self, data: bytes) -> Deck | None:
        text = self.decode(data)
        if text is None:
            return None
        env: dict = {}
        tokens = _MD.parse(text, env)
        self.rewrite_media(tokens)

        headings = [i for i, t in enumerate(tokens) if t.type == "heading_open" and t.level == 0 and t.tag in ("h1", "h2")]
        title: str | None = None
        title_line = 1
        first_h2 = next((i for i in headings if tokens[i].tag == "h2"), len(tokens))
        intro_start = 0
        for i in headings:
            if i >= first_h2:
                break
            if title is None:
                title = plain_text(_render_inline(tokens[i + 1]))
                title_line = _line(tokens[i])
                intro_start = i + 3
            else:
                self.report(_line(tokens[i]), Severity.WARNING,
                            f"second '# ' title in one file (first at line {title_line}); one file is one deck, so it is kept as description text")
        if title is None or not title:
            title = _title_from_filename(self.path)
            intro_tokens = tokens[:first_h2]
        else:
            intro_tokens = [t for j, t in enumerate(tokens[:first_h2]) if j >= intro_start or j < intro_start - 3]
        description_html = sanitize.clean(_MD.renderer.render(intro_tokens, _MD.options, env)) if intro_tokens else ""

        h2s = [i for i in headings if tokens[i].tag == "h2"]
        cards: list[Card] = []
        seen: dict[str, int] = {}
        for n, start in enumerate(h2s):
            end = h2s[n + 1] if n + 1 < len(h2s) else len(tokens)
            card = self.read_card(tokens, start, end, env)
            if card is None:
                continue
            first = seen.get(card.key)
            if first is not None:
                what = "pinned id {#" + card.key + "}" if card.pinned else "question"
                self.report(card.location.line, Severity.ERROR, f"duplicate {what} (first at line {first})")
                continue
            seen[card.key] = card.location.line
            cards.append(card)
        if not h2s:
            self.report(0, Severity.WARNING, "no questions found (questions are '## ' headings)")

        return Deck(
            title=title,
            description_html=description_html,
            source_path=self.display_rel(),
            location=SourceLocation(self.display, title_line),
            cards=tuple(cards),
            media=tuple(self.media),
            content_hash=content_hash(data.decode("latin-1")),
        )

    def display_rel(self) -> str:
        return self.path.relative_to(self.root).as_posix()

    def read_card(self, tokens: list[Token], start: int, end: int, env: dict) -> Card | None:
        line = _line(tokens[start])
        inline = tokens[start + 1]
        key, pinned = None, False
        # A pin `{#id}` ends the heading's last text node; strip it from
        # what the user sees.
        children = list(inline.children or [])
        if children and children[-1].type == "text":
            m = PIN_RE.search(children[-1].content)
            if m:
                key, pinned = m.group(1), True
                last = children[-1].copy()
                last.content = children[-1].content[: m.start()]
                children[-1] = last
        question_html = sanitize.clean(_MD.renderer.renderInline(children, _MD.options, env))
        question_text = plain_text(question_html)
        if not question_text:
            self.report(line, Severity.ERROR, "empty question")
            return None
        if key is None:
            key = slugify(question_text)
        answer_tokens = tokens[start + 3:end]
        answer_html = sanitize.clean(_MD.renderer.render(answer_tokens, _MD.options, env)).strip()
        answer_text = plain_text(answer_html)
        if not answer_text and "<img" not in answer_html:
            self.report(line, Severity.ERROR, f"question '{_short(question_text)}' has an empty answer")
            return None
        return Card(
            key=key,
            question_html=question_html,
            answer_html=answer_html,
            question_text=question_text,
            answer_text=answer_text,
            location=SourceLocation(self.display, line),
            pinned=pinned,
        )


def _walk(tokens: Iterable[Token]) -> Iterable[Token]:
    for tok in tokens:
        yield tok
        if tok.children:
            yield from _walk(tok.children)


def _line(token: Token) -> int:
    return token.map[0] + 1 if token.map else 0


def _render_inline(inline: Token) -> str:
    return _MD.renderer.renderInline(inline.children or [], _MD.options, {})


def _title_from_filename(path: Path) -> str:
    return re.sub(r"[-_]+", " ", path.stem).strip().title() or path.stem


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def find_sources(paths: Sequence[str]) -> tuple[Path, list[tuple[Path, str]]]:
    """The source root and the Markdown files under `paths`, sorted so
    builds are deterministic. Raises SourceError for a path that is missing
    or unreadable."""
    files: list[tuple[Path, str]] = []
    roots: list[Path] = []
    for given in paths:
        p = Path(given)
        if not p.exists():
            raise SourceError(f"{given}: error: no such file or directory")
        if p.is_dir():
            roots.append(p.resolve())
            try:
                found = sorted(f for f in p.rglob("*.md") if f.is_file() and not any(part.startswith(".") for part in f.relative_to(p).parts))
            except OSError as exc:
                raise SourceError(f"{given}: error: cannot read directory: {exc.strerror}") from None
            files.extend((f, os.path.join(given, f.relative_to(p).as_posix()) if given not in (".", "./") else f.relative_to(p).as_posix()) for f in found)
        else:
            roots.append(p.resolve().parent)
            files.append((p, given))
    root = Path(os.path.commonpath(roots)) if roots else Path.cwd()
    return root, files


def read_library(paths: Sequence[str]) -> Library:
    root, files = find_sources(paths)
    decks: list[Deck] = []
    diagnostics: list[Diagnostic] = []
    titles: dict[str, SourceLocation] = {}
    for path, display in files:
        reader = _DeckReader(path.resolve(), display, root)
        try:
            data = path.read_bytes()
        except OSError as exc:
            reader.report(0, Severity.ERROR, f"cannot read file: {exc.strerror}")
            diagnostics.extend(reader.diagnostics)
            continue
        deck = reader.read(data)
        diagnostics.extend(reader.diagnostics)
        if deck is None:
            continue
        first = titles.get(deck.title)
        if first is not None:
            # Anki matches decks by name and our GUIDs by deck title: two
            # files with one title would fight over the same notes.
            diagnostics.append(Diagnostic(deck.location, Severity.ERROR,
                                          f"deck title '{deck.title}' is already used by {first}"))
            continue
        titles[deck.title] = deck.location
        decks.append(deck)
    return Library(root=str(root), decks=tuple(decks), diagnostics=tuple(sorted(diagnostics)))


def read_text(text: str, path: str = "notes.md", root: str | None = None) -> Library:
    """Parse Markdown given as a string (tests, tools). `path` names it in
    messages; local media resolve against `root` (default: the cwd)."""
    root_path = Path(root or os.getcwd()).resolve()
    reader = _DeckReader(root_path / path, path, root_path)
    deck = reader.read(text.encode("utf-8"))
    return Library(root=str(root_path), decks=(deck,) if deck else (), diagnostics=tuple(sorted(reader.diagnostics)))
