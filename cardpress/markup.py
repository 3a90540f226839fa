"""Sanitized card HTML, read as text: the one place that splits it into tags
and text. Stdlib only.

The contract (checked by tests/test_markup.py against nh3 itself): every
card's HTML comes out of `sanitize.clean` (nh3, which serializes with
html5ever), so
- every `<` in it starts a tag: text escapes `<`, `>` and `&`;
- attribute values are double-quoted, and `&`, `"`, `<`, `>` inside them are
  escaped, so a tag ends at the first `>`;
- there are no comments (they are stripped).
Writers that must change markup (point `<img src>` at their copy of a file,
label a checkbox) do it through `rewrite_tags` here, on whole tags and named
attributes, never with patterns of their own over the HTML.

Math is one element the reader writes and every writer replaces
(`math_element`, `map_math`): the TeX as text, so the user's formula
reaches each writer unchanged, and each renders it its own way. A cloze
(`{{c1::text::hint}}`) is one element the same way (`cloze_open`,
`map_cloze`): what it hides stays card HTML, so math, code and images work
inside it, and each writer shows it as a blank, an Anki cloze or a reveal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape, unescape
from typing import Callable, Iterator
from urllib.parse import unquote, urlsplit

_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)[^>]*>")
_ATTR_RE = re.compile(r"""\s([^\s"'>/=]+)(?:="([^"]*)")?""")
_SPACE_RE = re.compile(r"\s+")
# Block-level tags separate words; inline tags (highlight spans, <b>) do not.
_BLOCK_TAG_RE = re.compile(r"</?(?:p|div|h[1-6]|li|ul|ol|tr|td|th|table|thead|tbody|pre|blockquote|br|hr|dt|dd|dl"
                           r"|details|summary|figure|figcaption)\b[^>]*>", re.I)
_ANY_TAG_RE = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class Tag:
    raw: str  # the tag as it stands in the HTML
    name: str  # lower case
    closing: bool

    def attrs(self) -> dict[str, str]:
        """Attribute values, unescaped."""
        return {m.group(1).lower(): unescape(m.group(2) or "") for m in _ATTR_RE.finditer(self.raw, len(self.name) + 1)}

    def with_attr(self, name: str, value: str, replace: str | None = None) -> str:
        """The tag with attribute `name` set to `value`: in the place of
        attribute `replace` (default: `name`) when the tag has it, else
        added before the `>`."""
        target = (replace or name).lower()
        for m in _ATTR_RE.finditer(self.raw, len(self.name) + 1):
            if m.group(1).lower() == target:
                return f'{self.raw[:m.start()]} {name}="{escape_attr(value)}"{self.raw[m.end():]}'
        end = len(self.raw) - (2 if self.raw.endswith("/>") else 1)
        return f'{self.raw[:end]} {name}="{escape_attr(value)}"{self.raw[end:]}'


def escape_attr(value: str) -> str:
    """A double-quoted attribute value: `&` and `"` escaped, as the
    sanitizer does, so media names stay readable to Anki's media check."""
    return value.replace("&", "&amp;").replace('"', "&quot;")


def tokens(html: str) -> Iterator[Tag | str]:
    """Tags and runs of (still escaped) text, in order."""
    pos = 0
    for m in _TAG_RE.finditer(html):
        if m.start() > pos:
            yield html[pos:m.start()]
        yield Tag(m.group(0), m.group(2).lower(), bool(m.group(1)))
        pos = m.end()
    if pos < len(html):
        yield html[pos:]


def rewrite_tags(html: str, names: frozenset[str] | set[str], change: Callable[[Tag], str | None]) -> str:
    """`html` with each opening tag named in `names` replaced by
    `change(tag)`, or kept as it is where that returns None."""
    def one(m: re.Match) -> str:
        if m.group(1) or m.group(2).lower() not in names:
            return m.group(0)
        new = change(Tag(m.group(0), m.group(2).lower(), False))
        return m.group(0) if new is None else new
    return _TAG_RE.sub(one, html)


def plain_text(html: str) -> str:
    """The text a reader sees, one space between words: for messages,
    search, the PDF outline and answer comparison."""
    return _SPACE_RE.sub(" ", unescape(_ANY_TAG_RE.sub("", _BLOCK_TAG_RE.sub(" ", html)))).strip()


# -- math ------------------------------------------------------------------

MATH_CLASS = "cp-math"
MATH_DISPLAY_CLASS = "cp-math-display"  # display math ($$...$$, \[...\]): centred on a line of its own
MATH_ERROR_CLASS = "cp-math-error"  # the reader could not render it (and warned)
_MATH_TAGS = frozenset({"span", "div"})
# The opening tag of a possible math element (its class is checked after).
_MATH_OPEN_RE = re.compile(r"<(span|div)\b[^>]*\bcp-math\b[^>]*>", re.I)


@dataclass(frozen=True)
class Formula:
    tex: str  # exactly as the user wrote it, between the delimiters
    display: bool
    error: bool = False


def math_element(formula: Formula, block: bool = False) -> str:
    """The element the reader writes for a formula: `<div>` when it stands
    as a block of its own, else `<span>`; the TeX as (escaped) text."""
    classes = " ".join([MATH_CLASS] + [MATH_DISPLAY_CLASS] * formula.display + [MATH_ERROR_CLASS] * formula.error)
    tag = "div" if block else "span"
    return f'<{tag} class="{classes}">{escape(formula.tex, quote=False)}</{tag}>'


def map_math(html: str, render: Callable[[Formula], str]) -> str:
    """`html` with every math element replaced by `render(formula)`. An
    element holding anything but text (markup a user wrote by hand with the
    same class) is left as it is. Only the math elements are looked at:
    cards hold a few formulas in a lot of other markup."""
    if MATH_CLASS not in html:
        return html
    out: list[str] = []
    pos = 0
    for m in _MATH_OPEN_RE.finditer(html):
        if m.start() < pos:
            continue
        classes = Tag(m.group(0), m.group(1).lower(), False).attrs().get("class", "").split()
        if MATH_CLASS not in classes:
            continue
        close = f"</{m.group(1)}>"
        end = html.find("<", m.end())
        if end == -1 or not html.startswith(close, end):
            continue  # holds markup, or is not closed: not ours to replace
        out.append(html[pos:m.start()])
        out.append(render(Formula(unescape(html[m.end():end]), MATH_DISPLAY_CLASS in classes,
                                  MATH_ERROR_CLASS in classes)))
        pos = end + len(close)
    if not out:
        return html
    out.append(html[pos:])
    return "".join(out)


# -- cloze -------------------------------------------------------------------

CLOZE_CLASS = "cp-cloze"
# The opening tag exactly as `cloze_open` writes it and the sanitizer keeps
# it (tests/test_cardtypes.py checks the round trip through nh3): only the
# reader's clozes are clozes, and finding them needs no tokenizing.
_CLOZE_OPEN_RE = re.compile(r'<span class="cp-cloze cp-c(\d+)"(?: title="([^"]*)")?>')
_SPAN_TAG_RE = re.compile(r"<(/?)span\b[^>]*>", re.I)


@dataclass(frozen=True)
class Cloze:
    number: int  # the N of {{cN::...}}, 1 or more
    html: str  # what it hides: sanitized card HTML (math, code, images stay elements)
    hint: str = ""  # plain text, unescaped


def cloze_open(number: int, hint: str = "") -> str:
    """The opening tag the reader writes for `{{cN::...}}` (the hint in
    `title`, which the sanitizer keeps); `</span>` closes it."""
    title = f' title="{escape(hint, quote=True)}"' if hint else ""
    return f'<span class="{CLOZE_CLASS} cp-c{number}"{title}>'


def map_cloze(html: str, render: Callable[[Cloze], str]) -> str:
    """`html` with every cloze element replaced by `render(cloze)`. The
    element ends at the `</span>` that balances it (formulas inside are
    spans too)."""
    if CLOZE_CLASS not in html:
        return html
    out: list[str] = []
    pos = 0
    for m in _CLOZE_OPEN_RE.finditer(html):
        if m.start() < pos:
            continue  # inside the last one (the reader makes none there)
        depth, end = 1, len(html)
        for tag in _SPAN_TAG_RE.finditer(html, m.end()):
            depth += -1 if tag.group(1) else 1
            if not depth:
                end = tag.start()
                break
        out.append(html[pos:m.start()])
        out.append(render(Cloze(int(m.group(1)), html[m.end():end], unescape(m.group(2) or ""))))
        pos = min(len(html), end + len("</span>"))
    out.append(html[pos:])
    return "".join(out)


def cloze_numbers(html: str) -> tuple[int, ...]:
    """The distinct cloze numbers in `html`, in order: a cloze note gets a
    card for each."""
    if CLOZE_CLASS not in html:
        return ()
    return tuple(sorted({int(n) for n, _hint in _CLOZE_OPEN_RE.findall(html)}))


# -- sound and video ---------------------------------------------------------

MEDIA_TAGS = frozenset({"audio", "video"})


@dataclass(frozen=True)
class Media:
    kind: str  # "audio" or "video"
    src: str  # a `Deck.media` path, or an http(s) URL; "" when no source was approved
    title: str = ""  # the alt text or title the note gave it

    @property
    def remote(self) -> bool:
        return self.src.lower().startswith(("http://", "https://"))

    @property
    def name(self) -> str:
        """The file's name, for labels (a URL's last path segment, decoded)."""
        if self.remote:
            return unquote(urlsplit(self.src).path.rstrip("/").rsplit("/", 1)[-1]) or self.src
        return self.src.rsplit("/", 1)[-1]


def map_media(html: str, render: Callable[[Media], str]) -> str:
    """`html` with every `<audio>` and `<video>` element (what is inside it
    included) replaced by `render(media)`. Its source is its `src`, else the
    first `<source src>` inside it."""
    if "<audio" not in html and "<video" not in html:
        return html
    out: list[str] = []
    open_tag: Tag | None = None
    depth = 0
    source = ""
    for part in tokens(html):
        if open_tag is None:
            if isinstance(part, Tag) and not part.closing and part.name in MEDIA_TAGS:
                open_tag, depth, source = part, 1, part.attrs().get("src", "")
            else:
                out.append(part.raw if isinstance(part, Tag) else part)
            continue
        if isinstance(part, Tag) and part.name == open_tag.name:
            depth += -1 if part.closing else 1
            if depth == 0:
                attrs = open_tag.attrs()
                out.append(render(Media(open_tag.name, source, attrs.get("title", ""))))
                open_tag = None
        elif isinstance(part, Tag) and part.name == "source" and not part.closing and not source:
            source = part.attrs().get("src", "")
    if open_tag is not None:  # never closed (the sanitizer closes every element): keep what it had
        attrs = open_tag.attrs()
        out.append(render(Media(open_tag.name, source, attrs.get("title", ""))))
    return "".join(out)


# -- links -------------------------------------------------------------------

WIKILINK_CLASS = "cp-wikilink"  # an Obsidian [[link]]: its href is the note's name as written


def map_links(html: str, change: Callable[[Tag], str | None]) -> str:
    """`html` with each `<a>` start tag replaced by `change(tag)`: a new
    start tag, or "" to keep only the link's text (its `</a>` goes too), or
    None to leave it as it is."""
    if "<a" not in html:
        return html
    out: list[str] = []
    dropped: list[bool] = []  # per open <a>: whether its start tag was removed
    for part in tokens(html):
        if isinstance(part, Tag) and part.name == "a":
            if part.closing:
                if not (dropped and dropped.pop()):
                    out.append(part.raw)
                continue
            new = change(part)
            dropped.append(new == "")
            out.append(part.raw if new is None else new)
        else:
            out.append(part.raw if isinstance(part, Tag) else part)
    return "".join(out)
