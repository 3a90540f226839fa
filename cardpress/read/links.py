"""Every image, sound, video, link and piece of raw HTML in a file: checked
with its exact line, and decided once (keep, rewrite or drop). The result,
`Approved`, is what `sanitize.clean` consults for every `<img src>`,
`<audio src>`, `<video src>`, `<source src>` and `<a href>`: only URLs
checked here reach a writer, so cleaning needs the check first.

`![](...)` may name an image, sound or video (judged by its content, which
also marks the token so the reader writes `<audio>` or `<video>`);
Obsidian's `![[...]]` and Anki's `[sound:...]` are looked for as Obsidian
does (`vault.py`); `[[wikilinks]]` are kept for the writers to point at the
note's deck (or to show as text), and nothing is read for them."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Sequence
from urllib.parse import unquote

from markdown_it.token import Token

from .. import sanitize
from ..sniff import category_by_name
from ..text import short
from .confine import Limits, hidden_part, inside, root_display
from .embeds import MEDIA, wikilink_href
from .files import ANY_MEDIA, PLAYABLE, WINDOWS_PATH_RE, Local, approve_at, resolve_local, url_path
from .markdown import walk
from .sink import Sink
from .vault import Vault, written_at

_CHECKED = ("image", "link_open", "html_inline", "embed", "sound", "wikilink_open")
_EXTENSION_RE = re.compile(r"\.(?=[0-9a-z]{0,4}[a-z])[0-9a-z]{1,5}$")


@dataclass
class Approved:
    """What the link check decided, for the cleaner and the deck."""

    # (tag, URL as written) -> the URL the card keeps, or None to drop it.
    urls: dict[tuple[str, str], str | None] = field(default_factory=dict)
    media: dict[str, None] = field(default_factory=dict)  # ordered set of root-relative paths (or remote-media/ names)
    # Media whose file is not `base/name`: remote-media/ name -> cached
    # download; an NFC name -> the NFD-named file on disk.
    media_files: dict[str, str] = field(default_factory=dict)
    # A file was looked for across the source folder (`![[x.png]]`): what it
    # finds depends on other files, so the deck is not cached.
    searched: bool = False

    def url_filter(self, tag: str, _attr: str, value: str) -> str | None:
        # Default deny: a URL the check never saw (the sanitizer's HTML
        # parser can read malformed markup differently) is dropped.
        return self.urls.get((tag, value))


class LinkCheck:
    """Checks one file's URLs. `remote` is a remote.RemoteMedia with
    --fetch-remote-media, else None: no network."""

    def __init__(self, path: Path, root: Path, lines: list[str], sink: Sink, remote=None,
                 base: Path | None = None, limits: Limits | None = None, vault: Vault | None = None):
        self.path = path
        self.root = root  # the note's source root: nothing outside it is read
        self.base = base or root  # the folder media paths are named relative to
        self.limits = limits or Limits()
        self.lines = lines
        self.sink = sink
        self.remote = remote
        self.vault = vault or Vault()
        self.approved = Approved()

    def check(self, tokens: Sequence[Token]) -> Approved:
        for block in tokens:
            if block.type == "html_block":
                self.check_raw_html(block.content, block.map[0] + 1 if block.map else 0)
            elif block.type == "inline" and block.children:
                state = sanitize.ScanState()  # one per paragraph: see ScanState
                for tok, line in self.inline_lines(block):
                    if tok.type == "html_inline":
                        self.check_raw_html(tok.content, line, state)
                    else:
                        self.check_token(tok, line)
        return self.approved

    def check_token(self, tok: Token, line: int) -> None:
        if tok.type == "image":
            src = str(tok.attrs.get("src", ""))
            self.media_kind(tok, src, self.check_url("img", src, line, raw=False, accept=ANY_MEDIA))
        elif tok.type == "link_open":
            self.check_url("a", str(tok.attrs.get("href", "")), line, raw=False)
        elif tok.type == "wikilink_open":  # the writers match it to a note of the build, or show its text
            href = str(tok.attrs.get("href", ""))
            self.approved.urls.setdefault(("a", href), href)
        elif tok.type in ("embed", "sound"):
            self.check_embed(tok, line)

    def media_kind(self, tok: Token, src: str, local: Local | None) -> None:
        """Mark an image token whose file is sound or video (by its
        content; a remote one by its name), and approve its URL for the
        element the reader will write instead of `<img>`."""
        if local is not None:
            kind = local.kind.category if local.kind else "image"
            result: str | None = local.rel
        else:
            result = self.approved.urls.get(("img", src))
            kind = category_by_name(url_path(src)) if result and sanitize.url_scheme(result) else "image"
        if kind in PLAYABLE:
            tok.meta[MEDIA] = kind
            self.approved.urls.setdefault((kind, src), result)

    def check_embed(self, tok: Token, line: int) -> None:
        """`![[name]]` and `[sound:name]`: the file as Obsidian finds it."""
        target, src = tok.meta["target"], str(tok.attrs.get("src", ""))
        if tok.type == "embed" and _is_note(target):
            tok.meta[MEDIA] = "note"
            self.sink.warn(line, f"'![[{short(target)}]]' embeds a note, which cards cannot show: "
                                 "it is shown as a link to it")
            href = wikilink_href(target)
            self.approved.urls.setdefault(("a", href), href)
            return
        accept = PLAYABLE if tok.type == "sound" else ANY_MEDIA
        what = "sound" if tok.type == "sound" else category_by_name(target)
        candidate = self.locate(target, line, what)
        local = None if candidate is None else approve_at(
            candidate, line, what, short(target), root=self.root, base=self.base, sink=self.sink,
            limits=self.limits, accept=accept)
        kind = local.kind.category if local is not None and local.kind else "image"
        if local is not None:
            self.add_media(local)
        if kind in PLAYABLE:
            tok.meta[MEDIA] = kind
        self.approved.urls.setdefault(("img" if kind not in PLAYABLE else kind, src), local.rel if local else None)

    def locate(self, target: str, line: int, what: str) -> Path | None:
        """The file `target` names: from the note's folder, from the source
        folder, else the one file anywhere in it whose path ends so."""
        name = short(target)
        if "\x00" in target or target.startswith(("/", "~")) or WINDOWS_PATH_RE.match(target):
            self.sink.error(line, f"{what} '{name}' is an absolute path; use a path inside the source folder")
            return None
        written = Path(os.path.normpath(self.path.parent / target))
        if not inside(written, self.root):
            self.sink.error(line, f"{what} '{name}' is outside the source folder {root_display(self.root)}")
            return None
        if hidden_part(written.relative_to(self.root)):
            self.sink.error(line, f"{what} '{name}' is a hidden file or folder; hidden files are never bundled")
            return None
        found = written_at(self.path.parent, self.root, target)
        if found is not None:
            return found
        self.approved.searched = True
        matches = self.vault.find(self.root, target)
        if len(matches) == 1:
            return self.root / matches[0]
        if not matches:
            self.sink.error(line, f"{what} '{name}' not found (looked in the note's folder and the whole source "
                                  "folder)")
        else:
            shown = ", ".join(matches[:3]) + (", ..." if len(matches) > 3 else "")
            self.sink.error(line, f"{what} '{name}' is ambiguous: {len(matches)} files have that name ({shown}); "
                                  f"write its path from the source folder, e.g. ![[{matches[0]}]]")
        return None

    def add_media(self, local: Local) -> None:
        self.approved.media[local.rel] = None
        if self.base / local.rel != local.path:  # an NFD name on disk: writers find it here
            self.approved.media_files[local.rel] = str(local.path)

    def inline_lines(self, block: Token) -> Iterator[tuple[Token, int]]:
        """Each interesting inline token with its source line. Inline tokens
        carry no line map, so count the line breaks before them; where
        markdown-it lost a newline (inside a code span or a link title), the
        count is low, so look ahead in the block's lines for the URL."""
        first, end = (block.map[0] + 1, block.map[1]) if block.map else (1, len(self.lines))
        line = first
        for tok in walk(block.children or []):
            if tok.type in ("softbreak", "hardbreak"):
                line += 1
                continue
            if tok.type not in _CHECKED:
                continue
            needle = _needle(tok)
            # Tokens come in source order: what follows starts no earlier.
            line = self.find_line(needle, line, end)
            yield tok, line
            if tok.type == "html_inline":
                line += tok.content.count("\n")

    def find_line(self, needle: str, line: int, end: int) -> int:
        if not needle:
            return line
        variants = {needle, unquote(needle)}
        for n in range(line, min(end, len(self.lines)) + 1):
            if any(v in self.lines[n - 1] for v in variants):
                return n
        return line

    def check_raw_html(self, fragment: str, line: int, state: sanitize.ScanState | None = None) -> None:
        result = sanitize.scan(fragment, state)
        for finding in result.findings:
            self.sink.warn(line + finding.line - 1, finding.message)
        for use in result.urls:
            self.check_url(use.tag, use.url, line + use.line - 1, raw=True)

    def check_url(self, tag: str, url: str, line: int, raw: bool,
                  accept: tuple[str, ...] | None = None) -> Local | None:
        """Decide what `url` becomes in the card and report why if it goes;
        the local file it names, if approved. `raw`: it came from raw HTML,
        whose unsafe schemes sanitize.scan has reported already. `accept`:
        what an image may be instead (`![](talk.mp3)`)."""
        what = _what(tag, url)
        local: Local | None = None
        shown = short(unquote(url))  # markdown-it percent-encodes non-ASCII: show what the user typed
        scheme = sanitize.url_scheme(url)
        result: str | None
        if WINDOWS_PATH_RE.match(unquote(url.strip())) or scheme == "file":
            self.sink.error(line, f"{what} '{shown}' is an absolute path; use a path inside the source folder")
            result = None
        elif scheme and not sanitize.scheme_allowed(url, tag):
            if not raw:
                self.sink.warn(line, f"unsafe URL removed: {'link' if tag == 'a' else what} '{shown}' "
                                     f"({scheme}: URLs are not allowed)")
            result = None
        elif scheme:  # http, https (mailto for links)
            result = self.remote_image(url, line) if tag == "img" and what == "image" else url
        elif url.strip().startswith("//"):
            self.sink.error(line, f"{what} '{shown}' has no scheme; write it as https:{url.strip()}")
            result = None
        elif tag == "a" and (url.startswith("#") or not url_path(url)):
            result = url  # an anchor or a query: nothing on disk to check
        elif tag != "a" and not url.strip():
            self.sink.error(line, f"{what} has an empty path")
            result = None
        else:
            local = resolve_local(url, line, what, note_dir=self.path.parent, root=self.root, base=self.base,
                                  sink=self.sink, limits=self.limits, tag=tag, accept=accept)
            if local is None:
                result = None
            elif tag != "a":
                self.add_media(local)
                result = local.rel  # writers find media by this path, relative to the base folder
            else:
                result = url  # a link keeps what the user wrote; it was only checked
                local = None
        self.approved.urls.setdefault((tag, url), result)
        return local

    def remote_image(self, url: str, line: int) -> str:
        if self.remote is None:
            return url  # no network unless asked; the writers get the URL as it is
        from ..remote import FetchError  # only with --fetch-remote-media

        try:
            name, path = self.remote.get(url)
        except FetchError as exc:
            self.sink.warn(line, f"image '{short(url)}' could not be fetched: {exc}; kept as a remote URL")
            return url
        self.approved.media[name] = None
        self.approved.media_files[name] = str(path)
        return name


def _needle(tok: Token) -> str:
    """What of a token stands in its source line, to find the line by."""
    if tok.type == "html_inline":
        return tok.content.split("\n", 1)[0]
    if tok.type in ("embed", "sound"):
        return str(tok.meta["target"])
    if tok.type == "wikilink_open":
        return str(tok.meta["note"] or tok.meta["heading"])
    return str(tok.attrs.get("src" if tok.type == "image" else "href", ""))


def _what(tag: str, url: str) -> str:
    """What messages call the file a tag names: a link target, or an
    image, audio or video as its name says (`<audio src=x>`: audio)."""
    if tag == "a":
        return "link target"
    named = category_by_name(url_path(url))
    if tag in ("audio", "video") and named == "image":
        return tag
    return "audio or video" if tag == "source" and named == "image" else named


def _is_note(target: str) -> bool:
    """`![[Other note]]`, `![[notes/x.md#Heading]]`: a note, not a file (a
    name without an extension, or a Markdown one)."""
    name = target.partition("#")[0].rsplit("/", 1)[-1].lower()
    return name.endswith((".md", ".markdown")) or not _EXTENSION_RE.search(name)
