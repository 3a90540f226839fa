"""Every image, link and piece of raw HTML in a file: checked with its exact
line, and decided once (keep, rewrite or drop). The result, `Approved`, is
what `sanitize.clean` consults for every `<img src>` and `<a href>`: only
URLs checked here reach a writer, so cleaning needs the check first."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Sequence
from urllib.parse import unquote

from markdown_it.token import Token

from .. import sanitize
from ..text import short
from .confine import Limits
from .files import WINDOWS_PATH_RE, resolve_local, url_path
from .markdown import walk
from .sink import Sink


@dataclass
class Approved:
    """What the link check decided, for the cleaner and the deck."""

    # (tag, URL as written) -> the URL the card keeps, or None to drop it.
    urls: dict[tuple[str, str], str | None] = field(default_factory=dict)
    media: dict[str, None] = field(default_factory=dict)  # ordered set of root-relative paths (or remote-media/ names)
    # Media whose file is not `base/name`: remote-media/ name -> cached
    # download; an NFC name -> the NFD-named file on disk.
    media_files: dict[str, str] = field(default_factory=dict)

    def url_filter(self, tag: str, _attr: str, value: str) -> str | None:
        # Default deny: a URL the check never saw (the sanitizer's HTML
        # parser can read malformed markup differently) is dropped.
        return self.urls.get((tag, value))


class LinkCheck:
    """Checks one file's URLs. `remote` is a remote.RemoteMedia with
    --fetch-remote-media, else None: no network."""

    def __init__(self, path: Path, root: Path, lines: list[str], sink: Sink, remote=None,
                 base: Path | None = None, limits: Limits | None = None):
        self.path = path
        self.root = root  # the note's source root: nothing outside it is read
        self.base = base or root  # the folder media paths are named relative to
        self.limits = limits or Limits()
        self.lines = lines
        self.sink = sink
        self.remote = remote
        self.approved = Approved()

    def check(self, tokens: Sequence[Token]) -> Approved:
        for block in tokens:
            if block.type == "html_block":
                self.check_raw_html(block.content, block.map[0] + 1 if block.map else 0)
            elif block.type == "inline" and block.children:
                state = sanitize.ScanState()  # one per paragraph: see ScanState
                for tok, line in self.inline_lines(block):
                    if tok.type == "image":
                        self.check_url("img", str(tok.attrs.get("src", "")), line, raw=False)
                    elif tok.type == "link_open":
                        self.check_url("a", str(tok.attrs.get("href", "")), line, raw=False)
                    elif tok.type == "html_inline":
                        self.check_raw_html(tok.content, line, state)
        return self.approved

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
            if tok.type not in ("image", "link_open", "html_inline"):
                continue
            needle = tok.content.split("\n", 1)[0] if tok.type == "html_inline" else \
                str(tok.attrs.get("src" if tok.type == "image" else "href", ""))
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

    def check_url(self, tag: str, url: str, line: int, raw: bool) -> None:
        """Decide what `url` becomes in the card and report why if it goes.
        `raw`: it came from raw HTML, whose unsafe schemes sanitize.scan has
        reported already."""
        what = "image" if tag == "img" else "link target"
        shown = short(unquote(url))  # markdown-it percent-encodes non-ASCII: show what the user typed
        scheme = sanitize.url_scheme(url)
        result: str | None
        if WINDOWS_PATH_RE.match(unquote(url.strip())) or scheme == "file":
            self.sink.error(line, f"{what} '{shown}' is an absolute path; use a path inside the source folder")
            result = None
        elif scheme and not sanitize.scheme_allowed(url, tag):
            if not raw:
                self.sink.warn(line, f"unsafe URL removed: {'image' if tag == 'img' else 'link'} '{shown}' "
                                     f"({scheme}: URLs are not allowed)")
            result = None
        elif scheme:  # http, https (mailto for links)
            result = self.remote_image(url, line) if tag == "img" else url
        elif url.strip().startswith("//"):
            self.sink.error(line, f"{what} '{shown}' has no scheme; write it as https:{url.strip()}")
            result = None
        elif tag == "a" and (url.startswith("#") or not url_path(url)):
            result = url  # an anchor or a query: nothing on disk to check
        elif tag == "img" and not url.strip():
            self.sink.error(line, "image has an empty path")
            result = None
        else:
            local = resolve_local(url, line, what, note_dir=self.path.parent, root=self.root, base=self.base,
                                  sink=self.sink, limits=self.limits, tag=tag)
            if local is None:
                result = None
            elif tag == "img":
                self.approved.media[local.rel] = None
                if self.base / local.rel != local.path:  # an NFD name on disk: writers find it here
                    self.approved.media_files[local.rel] = str(local.path)
                result = local.rel  # writers find images by this path, relative to the base folder
            else:
                result = url  # a link keeps what the user wrote; it was only checked
        self.approved.urls.setdefault((tag, url), result)

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
