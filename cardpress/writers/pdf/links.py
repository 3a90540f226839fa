"""Where links and images point in print. A PDF is read on another machine:
no `file:` URL of the builder's folders may be written into it (links to
other notes became `file:///home/<user>/...`, and the same notes built from
two folders gave different PDFs).

- web and mail links stay links;
- `#<card id>` becomes a link to that card in this PDF, or text when no
  card of the deck has that id;
- links to local files (other notes, attachments) print as their text:
  `local_link` is the one place to change that (e.g. to point note links at
  the HTML site once it has stable addresses for them);
- local images get a percent-encoded URL relative to the source folder, so
  `chart#1.png` and `what?.png` load (`#` and `?` are not path characters
  in a URL), and keep the size hints notes give them (`<img width=300>`,
  `![[x.png|300]]`), which WeasyPrint reads only from CSS.
"""

from __future__ import annotations

from typing import Mapping
from urllib.parse import quote, unquote, urlsplit

from ...markup import Tag, escape_attr

_KEPT_SCHEMES = ("http", "https", "mailto")


def local_link(href: str) -> str | None:
    """What a link to a local file (`other.md`, `notes/x.md#q`, `file.pdf`)
    points to in print: nothing yet, so the text prints without a link."""
    return None


def print_href(href: str, anchors: Mapping[str, str]) -> str | None:
    """The href a link keeps in the PDF, or None to print its text only.
    `anchors`: card id -> the card's anchor in this PDF."""
    try:
        scheme = urlsplit(href.strip()).scheme.lower()
    except ValueError:
        return None
    if scheme in _KEPT_SCHEMES:
        return href
    if scheme:
        return None  # the reader lets nothing else through; never print it
    if href.startswith("#"):
        anchor = anchors.get(unquote(href[1:]))
        return f"#{anchor}" if anchor else None
    return local_link(href)


def image_url(src: str) -> str | None:
    """A local image's path (relative to the source folder, as the reader
    approved it) as a URL: percent-encoded, so `#`, `?`, `%` and spaces in
    file names stay part of the path. None for anything else (no path)."""
    try:
        if not src or urlsplit(src).scheme:
            return None
    except ValueError:
        return None
    return quote(src, safe="/")


def image_tag(tag: Tag, url: str) -> str:
    """A local `<img>` start tag as printed: `src` pointed at `url`, and
    its width attribute (else its height) in CSS pixels as a style; the
    other side follows the image's proportions, as on screens."""
    attrs = tag.attrs()
    size = next((f"{name}: {attrs[name]}px" for name in ("width", "height") if attrs.get(name, "").isdigit()), "")
    raw = tag.with_attr("src", url)
    return Tag(raw, tag.name, False).with_attr("style", size) if size else raw


def link_tag(tag: Tag, anchors: Mapping[str, str]) -> str:
    """An `<a>` start tag as printed: its href replaced, or dropped."""
    attrs = tag.attrs()
    if "href" not in attrs:
        return tag.raw
    href = print_href(attrs["href"], anchors)
    if href is not None:
        return tag.with_attr("href", href)
    kept = "".join(f' {name}="{escape_attr(value)}"' for name, value in attrs.items() if name != "href")
    return f"<a{kept}>"
