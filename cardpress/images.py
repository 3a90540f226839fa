"""Pointing `<img src>` in sanitized card HTML where a writer keeps the
file, and captioning remote images, shared by the writers.

The reader leaves local images as root-relative paths and remote ones as
URLs; each writer points them where its output keeps them (Anki's flat
media folder, the site's `media/`). Values are compared unescaped, so
whatever escaping the sanitizer chose still matches.
"""

from __future__ import annotations

from html import escape
from typing import Callable

from .markup import Tag, escape_attr, rewrite_tags, tokens

REMOTE_CAPTION_CLASS = "cp-remote-caption"

_IMG = frozenset({"img"})


def rewrite_img_src(html: str, new_src: Callable[[str], tuple[str, str] | None]) -> str:
    """`new_src(src)` -> (attribute name, value) to put in place of
    `src="..."`, or None to leave the tag as it is."""
    if "<img" not in html:
        return html

    def change(tag: Tag) -> str | None:
        src = tag.attrs().get("src")
        replacement = None if src is None else new_src(src)
        return None if replacement is None else tag.with_attr(replacement[0], replacement[1], replace="src")

    return rewrite_tags(html, _IMG, change)


def is_remote(src: str) -> bool:
    return src.lower().startswith(("http://", "https://"))


def caption_remote_images(html: str) -> str:
    """After each remote image (one the build did not download), its alt
    text and address as a caption linking to it: offline the image cannot
    load, and an answer that was only that image would look empty (Anki
    shows nothing for it). Inside a link the address is text (no link in a
    link)."""
    if "<img" not in html or "http" not in html:
        return html
    out: list[str] = []
    links = 0
    for part in tokens(html):
        if not isinstance(part, Tag):
            out.append(part)
            continue
        out.append(part.raw)
        if part.name == "a":
            links = max(links + (-1 if part.closing else 1), 0)
        elif part.name == "img" and not part.closing:
            attrs = part.attrs()
            src = attrs.get("src", "")
            if is_remote(src):
                alt = attrs.get("alt", "").strip()
                address = escape(src, quote=False)
                link = address if links else f'<a href="{escape_attr(src)}">{address}</a>'
                out.append(f'<span class="{REMOTE_CAPTION_CLASS}">{escape(alt, quote=False) + " · " if alt else ""}'
                           f"{link}</span>")
    return "".join(out)
