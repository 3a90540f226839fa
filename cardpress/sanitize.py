"""The one gate every card's HTML passes before any writer sees it.

Anki runs card JavaScript, the site runs in users' browsers and the PDF
renderer fetches URLs, so raw HTML in the notes is reduced to an allow-list
with nh3 (the Ammonia sanitizer): formatting survives, scripts, event
handlers, frames, `<style>` and `javascript:` URLs do not.

Two halves:
- `scan(fragment)` looks at one piece of raw HTML as the user wrote it (the
  reader calls it per markdown-it `html_block`/`html_inline` token, which
  know their line) and says what the allow-list will remove, so the user
  gets a warning naming the line instead of silently losing text. It also
  lists the URLs (`<img src>`, `<a href>`, `<audio src>`...) the reader must check.
- `clean(html)` is the enforcement: nh3 on the whole rendered card. Only it
  decides what survives; `scan` never has to be perfect for the output to be
  safe, and an image, media or link URL survives only if the reader's
  `url_filter` approved it. Its output holds no control character (`&#31;` in an
  attribute would otherwise become U+001F, Anki's field separator).

Both bound nesting depth: nh3's parser (html5ever) is quadratic in it
(100,000 nested `<div>` took minutes), so tags nested deeper than
MAX_DEPTH are removed (their text stays) before nh3 sees them, and `scan`
warns where raw HTML nests deep enough for that to happen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Callable, Optional
from urllib.parse import urlsplit

import nh3

from .nesting import VOID as _VOID, Nesting, bound_depth
from .text import strip_controls

ALLOWED_TAGS = frozenset({
    "a", "abbr", "audio", "b", "blockquote", "br", "caption", "cite", "code", "col",
    "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em",
    "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "input", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "rp",
    "rt", "ruby", "s", "samp", "small", "source", "span", "strong", "sub", "summary",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
    "var", "video", "wbr",
})

ALLOWED_ATTRIBUTES = {
    "*": {"class", "title", "lang", "dir"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    # Sound and video the notes bundle: each writer turns them into what
    # its output plays (Anki's [sound:], the site's controls, a mark on paper).
    "audio": {"src", "controls"},
    "video": {"src", "controls", "width", "height"},
    "source": {"src", "type"},
    "td": {"colspan", "rowspan", "style"},
    "th": {"colspan", "rowspan", "style"},
    "ol": {"start", "reversed"},
    "details": {"open"},
    # GFM task lists render as disabled checkboxes.
    "input": {"type", "checked", "disabled"},
}

URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Images, sound and video are files the writers bundle or the viewer loads:
# no mailto:, and never data:/file:/javascript:.
IMAGE_SCHEMES = frozenset({"http", "https"})
MEDIA_TAGS = frozenset({"img", "audio", "video", "source"})

# Only table alignment (markdown-it writes `style="text-align:right"`).
STYLE_PROPERTIES = frozenset({"text-align"})

# Content of these goes with the tag: a removed <script> must not leave its
# source code behind as visible text.
DROP_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "template", "noscript", "textarea",
                               "select", "svg", "math", "applet", "frameset", "noembed", "noframes", "xmp"})

# Tags that are removed because they can run code, load things, submit data
# or change the page around the card: their removal is reported as unsafe.
# Any other tag outside the allow-list (`<center>`, `<font>`...) is merely
# unsupported: the tag goes, its text stays.
UNSAFE_TAGS = DROP_WITH_CONTENT | frozenset({"base", "link", "meta", "form", "button", "frame", "portal", "param",
                                             "track", "picture", "canvas", "dialog",
                                             "html", "head", "body", "title"})

# (tag, attribute) pairs holding URLs the reader resolves and approves.
URL_ATTRIBUTES = frozenset({("img", "src"), ("a", "href"), ("audio", "src"), ("video", "src"), ("source", "src")})

UrlFilter = Callable[[str, str, str], Optional[str]]

# Elements a card may nest, counted as a browser would (nesting.py):
# deeper tags are removed before nh3 sees them, their text kept. Markdown
# nests at most read.markdown.MAX_LEVEL (48) levels, plus a list's two and
# a paragraph past it, so raw HTML nesting RAW_WARN_DEPTH levels on its own
# is the only way to reach MAX_DEPTH: `scan` warns there.
MAX_DEPTH = 128
RAW_WARN_DEPTH = 72


def url_scheme(url: str) -> str:
    """The scheme of `url`, lower-cased, as a browser would see it: control
    characters and whitespace inside `java\\tscript:` are ignored by browsers,
    so they are ignored here too. '' for relative URLs."""
    squeezed = "".join(ch for ch in url.strip() if ord(ch) > 0x20 and ch != "\x7f")
    try:
        return urlsplit(squeezed).scheme.lower()
    except ValueError:  # e.g. an unbalanced '[' in the host part
        return "invalid"


def scheme_allowed(url: str, tag: str) -> bool:
    scheme = url_scheme(url)
    return scheme == "" or scheme in (IMAGE_SCHEMES if tag in MEDIA_TAGS else URL_SCHEMES)


@dataclass
class Finding:
    line: int  # 1-based, within the scanned fragment
    message: str


@dataclass
class UrlUse:
    line: int  # 1-based, within the scanned fragment
    tag: str   # "img", "a", "audio", "video" or "source"
    url: str   # the attribute's value, entities decoded


@dataclass
class ScanResult:
    findings: list[Finding] = field(default_factory=list)
    urls: list[UrlUse] = field(default_factory=list)


class ScanState:
    """What one scan leaves for the next: markdown-it splits inline raw HTML
    into one token per tag (`<svg>`, `<circle/>`, `</svg>`), so the reader
    scans a paragraph's tags with one state and knows `<circle/>` goes with
    the `<svg>` around it rather than warning about it too."""

    def __init__(self) -> None:
        self.dropping: list[str] = []  # open DROP_WITH_CONTENT elements
        self.nesting = Nesting(RAW_WARN_DEPTH)
        self.too_deep = False  # warned already


class _Scanner(HTMLParser):
    def __init__(self, state: ScanState) -> None:
        super().__init__(convert_charrefs=True)
        self.result = ScanResult()
        self.state = state

    def _warn(self, message: str) -> None:
        self.result.findings.append(Finding(self.getpos()[0], message))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]], closed: bool = False) -> None:
        if not self.state.nesting.start(tag) and not self.state.too_deep:
            self.state.too_deep = True
            self._warn(f"HTML nested more than {RAW_WARN_DEPTH} levels deep: tags deeper than {MAX_DEPTH} levels "
                       "in a card are removed (their text is kept)")
        if self.state.dropping:  # removed with the element around it, which was reported
            if tag in DROP_WITH_CONTENT and not closed and tag not in _VOID:
                self.state.dropping.append(tag)
            return
        if tag not in ALLOWED_TAGS:
            if tag in DROP_WITH_CONTENT and tag not in _VOID:
                self._warn(f"unsafe HTML removed: <{tag}> and its content")
                if not closed and tag not in _VOID:
                    self.state.dropping.append(tag)
            elif tag in UNSAFE_TAGS:
                self._warn(f"unsafe HTML removed: <{tag}>")
            else:
                self._warn(f"HTML tag <{tag}> is not supported: tag removed, text kept")
            return  # its attributes go with it
        allowed = ALLOWED_ATTRIBUTES["*"] | ALLOWED_ATTRIBUTES.get(tag, set())
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self._warn(f"unsafe HTML removed: event handler {name}= on <{tag}>")
            elif name == "style" and tag in ALLOWED_ATTRIBUTES and "style" in ALLOWED_ATTRIBUTES[tag]:
                props = [p.split(":", 1)[0].strip().lower() for p in value.split(";") if p.strip()]
                if any(p not in STYLE_PROPERTIES for p in props):
                    self._warn(f"unsafe HTML removed: style= on <{tag}> (only text-align is kept)")
            elif name == "style":
                self._warn(f"unsafe HTML removed: style= on <{tag}> (styles could change the page around the card)")
            elif name not in allowed:
                self._warn(f"HTML attribute {name}= on <{tag}> is not supported: removed")
            elif (tag, name) in URL_ATTRIBUTES:
                scheme = url_scheme(value)
                if not scheme_allowed(value, tag):
                    self._warn(f"unsafe HTML removed: {scheme}: URL in <{tag} {name}>")
                else:
                    self.result.urls.append(UrlUse(self.getpos()[0], tag, value))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs, closed=True)

    def handle_endtag(self, tag: str) -> None:
        self.state.nesting.end(tag)
        if tag in self.state.dropping:
            while self.state.dropping and self.state.dropping.pop() != tag:
                pass


def scan(fragment: str, state: ScanState | None = None) -> ScanResult:
    """What `clean` will remove from this raw HTML, with the line (within
    the fragment) of each removal, and the image/link URLs it contains.
    Pass one `state` to scans of consecutive pieces of one paragraph."""
    scanner = _Scanner(state or ScanState())
    try:
        scanner.feed(fragment)
        scanner.close()
    except Exception:  # noqa: BLE001 - HTMLParser is lenient, but a scan must never stop a build
        pass
    return scanner.result


# nh3's arguments, made once (a build cleans tens of thousands of fragments).
_NH3_ARGS = dict(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(DROP_WITH_CONTENT),
    attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
    url_schemes=set(URL_SCHEMES),
    filter_style_properties=set(STYLE_PROPERTIES),
    link_rel=None,
    strip_comments=True,
)


def clean(html: str, url_filter: UrlFilter | None = None, raw: bool = True) -> str:
    """The allow-list, applied to a whole rendered card. `url_filter(tag,
    attr, value)` sees every `<img src>` and `<a href>` that passed the
    scheme check and returns the value to keep (possibly rewritten) or None
    to drop the attribute. Tags nested deeper than MAX_DEPTH go first (only
    where the HTML holds raw HTML from the notes: `raw`; Markdown alone
    nests no deeper than the reader's limit), and control characters
    (decoded from entities by nh3) last."""

    def attribute_filter(tag: str, attr: str, value: str) -> str | None:
        if (tag, attr) in URL_ATTRIBUTES:
            if not scheme_allowed(value, tag):
                return None
            if url_filter is not None:
                return url_filter(tag, attr, value)
        return value

    cleaned = nh3.clean(bound_depth(html, MAX_DEPTH) if raw else html, attribute_filter=attribute_filter,
                        **_NH3_ARGS)
    return strip_controls(cleaned)
