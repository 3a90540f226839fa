"""Pointing `<img src>` in sanitized card HTML where a writer keeps the
file, shared by the writers.

The reader leaves local images as root-relative paths and remote ones as
URLs; each writer points them where its output keeps them (Anki's flat
media folder, the site's `media/`). Values are compared unescaped, so
whatever escaping the sanitizer chose still matches.
"""

from __future__ import annotations

from typing import Callable

from .markup import Tag, rewrite_tags

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
