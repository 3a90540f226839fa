"""Markdown notes -> model. The only module that knows markdown-it-py.

One file is one deck: optional YAML frontmatter, `# Title` names it, text
before the first `##` is its description, each `##` heading is a question and
everything up to the next `##` is the answer. Markdown becomes HTML here,
once, and is sanitized before it leaves; writers never parse Markdown.

Every problem is collected as a `Diagnostic` with its exact line rather than
raised, so one run reports all of them. Files the notes point at (images,
link targets) are checked here: a path that leaves the source tree (`..`,
absolute paths, symlinks) is an error and is never read, so notes shared by
a classmate cannot pull `~/.ssh` into a deck.
"""

from __future__ import annotations

import difflib
import os
import re
import stat
import unicodedata
from html import unescape
from pathlib import Path
from typing import Iterable, Iterator, Sequence
from urllib.parse import unquote, urlsplit

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.tasklists import tasklists_plugin

from . import highlight, sanitize
from .errors import InternalError, SourceError
from .identity import PIN_RE, content_hash, slugify
from .model import Card, Deck, Diagnostic, Library, Severity, SourceLocation

# Block-level tags separate words; inline tags (highlight spans, <b>) do not.
_BLOCK_TAG_RE = re.compile(r"</?(?:p|div|h[1-6]|li|ul|ol|tr|td|th|table|thead|tbody|pre|blockquote|br|hr|dt|dd|dl|details|summary|figure|figcaption)\b[^>]*>", re.I)
_TAG_RE = re.compile(r"<[^>]*>")
_SPACE_RE = re.compile(r"\s+")
# C0 controls other than tab, newline, carriage return and form feed, DEL,
# and C1 controls (what a CP1252 file decoded as Latin-1 leaves behind).
# They are invisible, mean nothing in a card, and some break XML-based tools.
_CONTROL_RE = re.compile("[\x01-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_WINDOWS_PATH_RE = re.compile(r"^[A-Za-z]:[\\/]")
_LANG_RE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
_HANGUL_RE = re.compile("[\uac00-\ud7a3]")

# key -> what it does. Keep README's frontmatter section in step.
FRONTMATTER_KEYS = {
    "title": "deck name (overrides the '# ' heading)",
    "author": "kept on the deck (Deck.author) for the writers; none shows it yet",
    "lang": "language of the notes, a BCP 47 tag such as ko or en-US",
    "tags": "Anki tags added to every card, a list of words",
}


def _highlight(code: str, lang: str, _attrs: str) -> str:
    return highlight.highlight(code, lang.split()[0] if lang else "")


def _make_parser() -> MarkdownIt:
    # CommonMark plus the GFM extensions markdown-it-py ships: what a user's
    # editor preview shows is what the cards show.
    md = MarkdownIt("commonmark", {"html": True, "highlight": _highlight})
    md.enable(["table", "strikethrough"])
    md.use(tasklists_plugin)
    # markdown-it silently turns `[x](javascript:...)` into plain text; we
    # want to see every URL, report the unsafe ones with their line and
    # remove them (sanitize.clean drops them in any case).
    md.validateLink = lambda url: True
    return md


_MD = _make_parser()


def plain_text(html: str) -> str:
    return _SPACE_RE.sub(" ", unescape(_TAG_RE.sub("", _BLOCK_TAG_RE.sub(" ", html)))).strip()


class _DeckReader:
    """Reads one file. Collects diagnostics instead of stopping at the first."""

    def __init__(self, path: Path, display_path: str, root: Path, remote=None):
        self.path = path
        self.display = display_path
        self.root = root
        self.remote = remote  # remote.RemoteMedia with --fetch-remote-media, else None: no network
        self.diagnostics: list[Diagnostic] = []
        self.media: dict[str, None] = {}  # ordered set of root-relative paths (or remote-media/ names)
        self.media_files: dict[str, str] = {}  # remote-media/ name -> cached file
        # (tag, URL as written) -> the URL the card keeps, or None to drop it.
        # sanitize.clean consults this for every <img src>/<a href>, so only
        # URLs checked here reach a writer.
        self.urls: dict[tuple[str, str], str | None] = {}
        self.lines: list[str] = []
        self.meta: dict[str, object] = {}

    def report(self, line: int, severity: Severity, message: str) -> None:
        self.diagnostics.append(Diagnostic(SourceLocation(self.display, line), severity, message))

    def error(self, line: int, message: str) -> None:
        self.report(line, Severity.ERROR, message)

    def warn(self, line: int, message: str) -> None:
        self.report(line, Severity.WARNING, message)

    # -- decoding ---------------------------------------------------------

    def decode(self, data: bytes) -> str | None:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            self.error(1, "file is UTF-16; save it as UTF-8")
            return None
        if b"\x00" in data:
            line = data.count(b"\n", 0, data.index(b"\x00")) + 1
            self.error(line, "file contains NUL bytes; is it a binary file, not Markdown?")
            return None
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            try:
                korean = bool(_HANGUL_RE.search(data.decode("cp949")))
            except UnicodeDecodeError:
                korean = False
            if korean:
                hint = ("it looks like CP949/EUC-KR (Korean Windows); convert it with "
                        f"`iconv -f cp949 -t utf-8 {self.display} > fixed.md` or save it as UTF-8 in your editor")
            else:
                hint = "save it as UTF-8"
            self.error(line, f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); {hint}")
            return None
        # CRLF and lone CR: markdown-it treats both as line ends, but a stray
        # \r must never reach a card's HTML.
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        # Hangul typed or pasted on macOS can arrive decomposed (NFD jamo):
        # it renders as loose letters in some fonts and never matches a
        # search or a card id typed as NFC. Line structure is unchanged.
        text = unicodedata.normalize("NFC", text)
        if _CONTROL_RE.search(text):
            for n, line_text in enumerate(text.split("\n"), 1):
                found = _CONTROL_RE.findall(line_text)
                if found:
                    codes = ", ".join(sorted({f"U+{ord(c):04X}" for c in found}))
                    self.warn(n, f"invisible control character {codes} removed")
            text = _CONTROL_RE.sub("", text)
        return text

    # -- frontmatter ------------------------------------------------------------

    def frontmatter(self, text: str) -> str:
        """Read YAML frontmatter into self.meta; return the text with those
        lines blanked (not removed), so markdown-it's line numbers stay the
        file's line numbers."""
        lines = text.split("\n")
        if not lines or lines[0].rstrip() != "---":
            return text
        end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
        if end is None:
            self.error(1, "frontmatter started with '---' is never closed: add a '---' line after it")
            return text
        source = "\n".join(lines[1:end])
        try:
            node = yaml.compose(source, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 2 if mark is not None else 2
            self.error(line, f"invalid frontmatter: {exc.problem or exc.context}")
            node = None
        except (yaml.YAMLError, RecursionError, ValueError) as exc:
            self.error(2, f"invalid frontmatter: {type(exc).__name__}")
            node = None
        if node is not None:
            self.read_meta(node)
        return "\n" * end + "\n" + "\n".join(lines[end + 1:])

    def read_meta(self, node: yaml.Node) -> None:
        if not isinstance(node, yaml.MappingNode):
            self.error(node.start_mark.line + 2, "frontmatter must be 'key: value' lines")
            return
        first: dict[str, int] = {}
        for knode, vnode in node.value:
            line = knode.start_mark.line + 2
            if not isinstance(knode, yaml.ScalarNode):
                self.error(line, "frontmatter keys must be plain words")
                continue
            key = knode.value
            if key not in FRONTMATTER_KEYS:
                near = difflib.get_close_matches(key.lower(), list(FRONTMATTER_KEYS), n=1, cutoff=0.6)
                hint = f"did you mean '{near[0]}'?" if near else f"known keys: {', '.join(FRONTMATTER_KEYS)}"
                self.warn(line, f"unknown frontmatter key '{_short(key)}'; {hint}")
                continue
            if key in first:
                self.warn(line, f"frontmatter key '{key}' repeated (first at line {first[key]}); the last one is used")
            first[key] = line
            vline = vnode.start_mark.line + 2
            if key == "tags":
                self.meta["tags"] = self.read_tags(vnode, vline)
                continue
            if not isinstance(vnode, yaml.ScalarNode):
                self.error(vline, f"frontmatter '{key}' must be a single value")
                continue
            # The scalar as written: `lang: no` stays "no", `title: 2024` stays "2024".
            value = " ".join(vnode.value.split())
            if key == "lang" and value and not _LANG_RE.match(value):
                self.warn(vline, f"frontmatter lang '{_short(value)}' is not a language tag like 'ko' or 'en-US'; ignored")
                continue
            self.meta[key] = value

    def read_tags(self, vnode: yaml.Node, line: int) -> tuple[str, ...]:
        if isinstance(vnode, yaml.ScalarNode):
            items = [(line, w) for w in re.split(r"[\s,]+", vnode.value) if w]
        elif isinstance(vnode, yaml.SequenceNode) and all(isinstance(n, yaml.ScalarNode) for n in vnode.value):
            items = [(n.start_mark.line + 2, n.value.strip()) for n in vnode.value if n.value.strip()]
        else:
            self.error(line, "frontmatter 'tags' must be a list of words")
            return ()
        tags: dict[str, None] = {}
        for tline, tag in items:
            if re.search(r"\s", tag):
                fixed = re.sub(r"\s+", "_", tag)
                self.warn(tline, f"tag '{_short(tag)}' contains spaces, which Anki tags cannot; using '{_short(fixed)}'")
                tag = fixed
            tags[tag] = None
        return tuple(tags)

    # -- URLs: images, links, raw HTML --------------------------------------------

    def check_urls(self, tokens: Sequence[Token]) -> None:
        """Report and resolve every image, link and piece of raw HTML, with
        its exact line; fill self.urls for sanitize.clean."""
        for block in tokens:
            if block.type == "html_block":
                self.check_raw_html(block.content, _line(block))
            elif block.type == "inline" and block.children:
                state = sanitize.ScanState()  # one per paragraph: see ScanState
                for tok, line in self.inline_lines(block):
                    if tok.type == "image":
                        self.check_url("img", str(tok.attrs.get("src", "")), line, raw=False)
                    elif tok.type == "link_open":
                        self.check_url("a", str(tok.attrs.get("href", "")), line, raw=False)
                    elif tok.type == "html_inline":
                        self.check_raw_html(tok.content, line, state)

    def inline_lines(self, block: Token) -> Iterator[tuple[Token, int]]:
        """Each interesting inline token with its source line. Inline tokens
        carry no line map, so count the line breaks before them; where
        markdown-it lost a newline (inside a code span or a link title), the
        count is low, so look ahead in the block's lines for the URL."""
        first, end = (block.map[0] + 1, block.map[1]) if block.map else (1, len(self.lines))
        line = first
        for tok in _walk(block.children or []):
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
            self.warn(line + finding.line - 1, finding.message)
        for use in result.urls:
            self.check_url(use.tag, use.url, line + use.line - 1, raw=True)

    def check_url(self, tag: str, url: str, line: int, raw: bool) -> None:
        """Decide what `url` becomes in the card and report why if it goes.
        `raw`: it came from raw HTML, whose unsafe schemes sanitize.scan has
        reported already."""
        what = "image" if tag == "img" else "link target"
        shown = _short(unquote(url))  # markdown-it percent-encodes non-ASCII: show what the user typed
        scheme = sanitize.url_scheme(url)
        result: str | None
        if _WINDOWS_PATH_RE.match(unquote(url.strip())) or scheme == "file":
            self.error(line, f"{what} '{shown}' is an absolute path; use a path inside the source folder")
            result = None
        elif scheme and not sanitize.scheme_allowed(url, tag):
            if not raw:
                self.warn(line, f"unsafe URL removed: {'image' if tag == 'img' else 'link'} '{shown}' "
                                f"({scheme}: URLs are not allowed)")
            result = None
        elif scheme:  # http, https (mailto for links)
            result = self.remote_image(url, line) if tag == "img" else url
        elif url.strip().startswith("//"):
            self.error(line, f"{what} '{shown}' has no scheme; write it as https:{url.strip()}")
            result = None
        elif tag == "a" and (url.startswith("#") or not _url_path(url)):
            result = url  # an anchor or a query: nothing on disk to check
        elif tag == "img" and not url.strip():
            self.error(line, "image has an empty path")
            result = None
        else:
            rel = self.resolve_local(url, line, what, want_file=(tag == "img"))
            if rel is None:
                result = None
            elif tag == "img":
                self.media[rel] = None
                result = rel  # writers find images by root-relative path
            else:
                result = url  # a link keeps what the user wrote; it was only checked
        self.urls.setdefault((tag, url), result)

    def remote_image(self, url: str, line: int) -> str:
        if self.remote is None:
            return url  # no network unless asked; the writers get the URL as it is
        from .remote import FetchError  # only with --fetch-remote-media

        try:
            name, path = self.remote.get(url)
        except FetchError as exc:
            self.warn(line, f"image '{_short(url)}' could not be fetched: {exc}; kept as a remote URL")
            return url
        self.media[name] = None
        self.media_files[name] = str(path)
        return name

    def url_filter(self, tag: str, attr: str, value: str) -> str | None:
        # Default deny: a URL the checks above never saw (the sanitizer's
        # HTML parser can read malformed markup differently) is dropped.
        return self.urls.get((tag, value))

    def resolve_local(self, target: str, line: int, what: str, want_file: bool = True) -> str | None:
        """Root-relative path of a local file the notes reference, or None
        (with a diagnostic) when it is missing or outside the source tree.
        Files outside the tree are never read."""
        raw = _url_path(target)
        shown = _short(unquote(target))
        if "\x00" in raw:
            self.error(line, f"{what} '{shown}' is not a valid path")
            return None
        if os.path.isabs(raw) or raw.startswith("~") or _WINDOWS_PATH_RE.match(raw):
            self.error(line, f"{what} '{shown}' is an absolute path; use a path inside the source folder")
            return None
        candidate = os.path.normpath(self.path.parent / raw)
        if not _inside(Path(candidate), self.root):
            self.error(line, f"{what} '{shown}' is outside the source folder {self.root_display()}")
            return None
        try:
            resolved = Path(candidate).resolve(strict=False)
            inside = _inside(resolved, self.root)
            st = resolved.stat() if inside else None
        except FileNotFoundError:
            st = None
        except (OSError, RuntimeError, ValueError):  # symlink loop, name too long
            self.error(line, f"{what} '{shown}' cannot be resolved")
            return None
        if not inside:
            self.error(line, f"{what} '{shown}' is a symlink to a file outside the source folder "
                             f"{self.root_display()}; it is not read")
            return None
        if st is None or (want_file and not stat.S_ISREG(st.st_mode)) or not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
            self.error(line, f"{what} '{shown}' not found")
            return None
        if want_file and not os.access(resolved, os.R_OK):
            self.error(line, f"{what} '{shown}' cannot be read: permission denied")
            return None
        return resolved.relative_to(self.root).as_posix()

    def root_display(self) -> str:
        rel = os.path.relpath(self.root)
        return str(self.root) if rel.startswith("..") else rel

    # -- structure ------------------------------------------------------------

    def read(self, data: bytes) -> Deck | None:
        text = self.decode(data)
        if text is None:
            return None
        text = self.frontmatter(text)
        self.lines = text.split("\n")
        env: dict = {}
        tokens = _MD.parse(text, env)
        self.check_urls(tokens)

        headings = [i for i, t in enumerate(tokens) if t.type == "heading_open" and t.level == 0 and t.tag in ("h1", "h2")]
        title: str | None = None
        title_line = 1
        first_h2 = next((i for i in headings if tokens[i].tag == "h2"), len(tokens))
        intro_start = 0
        for i in headings:
            if i >= first_h2:
                break
            if title is None:
                title = plain_text(self.clean(_MD.renderer.renderInline(tokens[i + 1].children or [], _MD.options, env)))
                title_line = _line(tokens[i])
                intro_start = i + 3
            else:
                self.warn(_line(tokens[i]),
                          f"second '# ' title in one file (first at line {title_line}); one file is one deck, so it is kept as description text")
        if title is None or not title:
            title = _title_from_filename(self.path)
            intro_tokens = tokens[:first_h2]
        else:
            intro_tokens = [t for j, t in enumerate(tokens[:first_h2]) if j >= intro_start or j < intro_start - 3]
        if self.meta.get("title"):
            title = str(self.meta["title"])
        description_html = self.clean(_MD.renderer.render(intro_tokens, _MD.options, env)) if intro_tokens else ""

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
                self.error(card.location.line, f"duplicate {what} (first at line {first})")
                continue
            seen[card.key] = card.location.line
            cards.append(card)
        if not h2s:
            # Line 1, not 0 (the whole file): editors' `path:line:` matchers skip lines without one.
            self.warn(1, "no questions found (questions are '## ' headings)")

        return Deck(
            title=title,
            description_html=description_html,
            source_path=self.display_rel(),
            location=SourceLocation(self.display, title_line),
            cards=tuple(cards),
            media=tuple(self.media),
            content_hash=content_hash(data.decode("latin-1")),
            author=str(self.meta.get("author", "")),
            lang=str(self.meta.get("lang", "")),
            tags=tuple(self.meta.get("tags", ())),  # type: ignore[arg-type]
        )

    def clean(self, html: str) -> str:
        return sanitize.clean(html, self.url_filter)

    def display_rel(self) -> str:
        try:
            return self.path.relative_to(self.root).as_posix()
        except ValueError:
            return self.path.name

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
        question_html = self.clean(_MD.renderer.renderInline(children, _MD.options, env))
        question_text = plain_text(question_html)
        if not question_text:
            self.error(line, "empty question")
            return None
        if key is None:
            key = slugify(question_text)
        answer_tokens = tokens[start + 3:end]
        answer_html = self.clean(_MD.renderer.render(answer_tokens, _MD.options, env)).strip()
        answer_text = plain_text(answer_html)
        if not answer_text and "<img" not in answer_html:
            self.error(line, f"question '{_short(question_text)}' has an empty answer")
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


def _url_path(url: str) -> str:
    try:
        return unquote(urlsplit(url.strip()).path)
    except ValueError:
        return url


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def _title_from_filename(path: Path) -> str:
    return re.sub(r"[-_]+", " ", path.stem).strip().title() or path.stem


def _short(text: str, limit: int = 60) -> str:
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- finding the files -----------------------------------------------------------

def _scan_dir(top: Path, display: str, root: Path, files: list[tuple[Path, str]],
              diagnostics: list[Diagnostic], seen: set[Path]) -> None:
    """Markdown files under `top`, depth first, sorted. Hidden entries are
    skipped; symlinks are followed only while they stay inside `root`; an
    unreadable directory is a diagnostic, not a silent gap."""
    real = top.resolve()
    if real in seen:  # a symlink loop, or two links to one folder
        return
    seen.add(real)
    try:
        entries = sorted(os.scandir(top), key=lambda e: e.name)
    except OSError as exc:
        diagnostics.append(Diagnostic(SourceLocation(display, 0), Severity.ERROR,
                                      f"cannot read directory: {exc.strerror or exc}"))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = top / entry.name
        shown = entry.name if display in (".", "./") else os.path.join(display, entry.name)
        try:
            is_link = entry.is_symlink()
            is_dir = entry.is_dir()  # follows the link
            is_md = entry.name.endswith(".md") and entry.is_file()
        except OSError:
            continue
        if is_link and not (is_dir or is_md) and entry.name.endswith(".md") and not path.exists():
            diagnostics.append(Diagnostic(SourceLocation(shown, 1), Severity.ERROR,
                                          "is a symlink to a file that does not exist"))
            continue
        if not (is_dir or is_md):
            continue
        if is_link:
            try:
                target = path.resolve()
            except (OSError, RuntimeError):
                continue
            if not _inside(target, root):
                what = "folder" if is_dir else "file"
                # Line 0 (the entry as a whole) for a folder, 1 for a note, as elsewhere.
                diagnostics.append(Diagnostic(SourceLocation(shown, 0 if is_dir else 1), Severity.ERROR,
                                              f"is a symlink to a {what} outside the source folder; it is not read"))
                continue
        if is_dir:
            _scan_dir(path, shown, root, files, diagnostics, seen)
        else:
            files.append((path, shown))


def scan_sources(paths: Sequence[str]) -> tuple[Path, list[tuple[Path, str]], list[Diagnostic]]:
    """The source root, the Markdown files under `paths` (sorted, so builds
    are deterministic) and problems met on the way. Raises SourceError for a
    given path that is missing or unreadable: one line, nothing to build."""
    roots: list[Path] = []
    for given in paths:
        p = Path(given)
        try:
            p.stat()
        except FileNotFoundError:
            raise SourceError(f"{given}: error: no such file or directory") from None
        except OSError as exc:
            raise SourceError(f"{given}: error: cannot read: {exc.strerror}") from None
        roots.append(p.resolve() if p.is_dir() else p.resolve().parent)
    root = Path(os.path.commonpath(roots)) if roots else Path.cwd()
    files: list[tuple[Path, str]] = []
    diagnostics: list[Diagnostic] = []
    seen: set[Path] = set()
    for given in paths:
        p = Path(given)
        if p.is_dir():
            if not os.access(p, os.R_OK | os.X_OK):
                raise SourceError(f"{given}: error: cannot read directory: permission denied")
            _scan_dir(p, given, root, files, diagnostics, seen)
        else:
            files.append((p, given))
    return root, files, diagnostics


def find_sources(paths: Sequence[str]) -> tuple[Path, list[tuple[Path, str]]]:
    """`scan_sources` without the diagnostics (kept for callers that only
    want the file list)."""
    root, files, _ = scan_sources(paths)
    return root, files


def read_library(paths: Sequence[str], remote=None, cache=None) -> Library:
    """Read every Markdown file under `paths`. `remote` (a
    `remote.RemoteMedia`) is given only with --fetch-remote-media; without it
    nothing touches the network. `cache` (a `cache.ParseCache`) supplies the
    decks of unchanged files; decks with diagnostics or media are never
    cached, since their messages and files depend on files around them."""
    root, files, diagnostics = scan_sources(paths)
    decks: list[Deck] = []
    titles: dict[str, SourceLocation] = {}
    media_files: dict[str, str] = {}
    for path, display in files:
        reader = _DeckReader(path.resolve(), display, root, remote)
        try:
            data = path.read_bytes()
        except OSError as exc:
            reader.error(1, f"cannot read file: {exc.strerror or exc}")
            diagnostics.extend(reader.diagnostics)
            continue
        cache_name = cache.name(root, display, data) if cache is not None else None
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
        first = titles.get(deck.title)
        if first is not None:
            # Anki matches decks by name and our GUIDs by deck title: two
            # files with one title would fight over the same notes.
            diagnostics.append(Diagnostic(deck.location, Severity.ERROR,
                                          f"deck title '{deck.title}' is already used by {first}"))
            continue
        titles[deck.title] = deck.location
        decks.append(deck)
        media_files.update(reader.media_files)
    return Library(root=str(root), decks=tuple(decks), diagnostics=tuple(sorted(diagnostics)),
                   media_files=tuple(sorted(media_files.items())))


def read_text(text: str, path: str = "notes.md", root: str | None = None, remote=None) -> Library:
    """Parse Markdown given as a string (tests, tools). `path` names it in
    messages; local media resolve against `root` (default: the cwd)."""
    root_path = Path(root or os.getcwd()).resolve()
    reader = _DeckReader(root_path / path, path, root_path, remote)
    # surrogatepass: a str with lone surrogates becomes bytes that are not
    # UTF-8, and so a diagnostic, instead of an exception here.
    deck = reader.read(text.encode("utf-8", "surrogatepass"))
    return Library(root=str(root_path), decks=(deck,) if deck else (), diagnostics=tuple(sorted(reader.diagnostics)),
                   media_files=tuple(sorted(reader.media_files.items())))
