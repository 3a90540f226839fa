"""Code highlighting with Pygments, done once in the reader.

Output is CSS classes (prefixed `hl-` so they cannot collide with card
styles); every output includes `stylesheet()` so code looks the same in Anki,
the PDF and the site.
"""

from __future__ import annotations

from functools import lru_cache
from html import escape

from pygments import highlight as _pygments_highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

CLASS_PREFIX = "hl-"
_FORMATTER = HtmlFormatter(nowrap=True, classprefix=CLASS_PREFIX)


@lru_cache(maxsize=None)
def _lexer(name: str):
    try:
        return get_lexer_by_name(name, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


def highlight(code: str, lang: str) -> str:
    """HTML for the inside of a `<code>` element; plain escaped text when the
    language is unknown or not given (no guessing: guesses flicker between
    builds and mislabel prose)."""
    lexer = _lexer(lang.lower()) if lang else None
    if lexer is None:
        return escape(code, quote=False)
    return _pygments_highlight(code, lexer, _FORMATTER)


@lru_cache(maxsize=None)
def stylesheet(style: str = "default", scope: str = "pre") -> str:
    """Pygments rules for `style`, scoped under `scope` (the `<pre>` class)."""
    formatter = HtmlFormatter(style=style, classprefix=CLASS_PREFIX)
    rules = formatter.get_style_defs(scope)
    # Drop the block background/line-number rules: the card CSS owns the box.
    return "\n".join(
        line for line in rules.splitlines()
        if line.startswith(f"{scope} .{CLASS_PREFIX}")
    )
