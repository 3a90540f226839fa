"""Rewriting `<img src>` in sanitized card HTML, shared by the writers.

The reader leaves local images as root-relative paths and remote ones as
URLs; each writer points them where its output keeps them (Anki's flat
media folder, the site's `media/`). Values are compared unescaped, so
whatever escaping the sanitizer chose still matches.
"""

from __future__ import annotations

import re
from html import unescape
from typing import Callable

# An <img> tag, quoted attribute values included (they may hold `>`), and
# its src. The sanitizer always writes double-quoted attributes.
_IMG_TAG = re.compile(r"""<img\b(?:[^>"']|"[^"]*"|'[^']*')*>""", re.I)
_SRC_ATTR = re.compile(r'\ssrc="([^"]*)"', re.I)


def attr(value: str) -> str:
    """Escape a double-quoted attribute value: only `&` and `"`, as the
    sanitizer does, so media names stay readable to Anki's media check."""
    return value.replace("&", "&amp;").replace('"', "&quot;")


def rewrite_img_src(html: str, new_src: Callable[[str], tuple[str, str] | None]) -> str:
    """`new_src(src)` -> (attribute name, value) to put in place of
    `src="..."`, or None to leave the tag as it is."""
    if "<img" not in html:
        return html

    def one_src(m: re.Match) -> str:
        replacement = new_src(unescape(m.group(1)))
        return m.group(0) if replacement is None else f' {replacement[0]}="{attr(replacement[1])}"'

    return _IMG_TAG.sub(lambda tag: _SRC_ATTR.sub(one_src, tag.group(0), count=1), html)
