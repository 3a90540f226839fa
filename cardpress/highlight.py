"""Code highlighting with Pygments, done once in the reader.

Output is CSS classes (prefixed `hl-` so they cannot collide with card
styles). The colours for those classes come from `palette.py`, which reads
each style's token definitions here (`token_styles`), so every output shows
the same palette and this stays the only module that knows Pygments.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from html import escape

from pygments import highlight as _pygments_highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.styles import get_style_by_name
from pygments.token import STANDARD_TYPES, Token
from pygments.util import ClassNotFound

CLASS_PREFIX = "hl-"
_FORMATTER = HtmlFormatter(nowrap=True, classprefix=CLASS_PREFIX)


@lru_cache(maxsize=None)
def _lexer(name: str):
    try:
        return get_lexer_by_name(name, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


def warm(langs) -> None:
    """Make the lexers of `langs` now (Pygments compiles a lexer's patterns
    when it is first made: about 0.1 s each), so that a forked process
    shares them instead of compiling them again."""
    for lang in langs:
        _lexer(lang.lower())


def highlight(code: str, lang: str) -> str:
    """HTML for the inside of a `<code>` element; plain escaped text when the
    language is unknown or not given (no guessing: guesses flicker between
    builds and mislabel prose)."""
    lexer = _lexer(lang.lower()) if lang else None
    if lexer is None:
        return escape(code, quote=False)
    return _pygments_highlight(code, lexer, _FORMATTER)


@dataclass(frozen=True)
class TokenStyle:
    """One token class's look in a Pygments style (colours as `#rrggbb`)."""

    color: str | None = None
    background: str | None = None
    bold: bool = False
    italic: bool = False
    underline: bool = False
    border: str | None = None


def _hex(value: str | None) -> str | None:
    return f"#{value.lower()}" if value else None


@lru_cache(maxsize=None)
def token_styles(style: str) -> dict[str, TokenStyle]:
    """Class (with its `hl-` prefix) -> look, for every standard token type
    `style` defines something for (Pygments resolves inheritance: a
    `Name.Function` without its own colour gets `Name`'s)."""
    out = {}
    for ttype, ndef in get_style_by_name(style):
        cls = STANDARD_TYPES.get(ttype)
        if not cls:  # Token itself: the block's text colour (base_color)
            continue
        look = TokenStyle(_hex(ndef["color"]), _hex(ndef["bgcolor"]), bool(ndef["bold"]), bool(ndef["italic"]),
                          bool(ndef["underline"]), _hex(ndef["border"]))
        if look != TokenStyle():
            out[CLASS_PREFIX + cls] = look
    return out


@lru_cache(maxsize=None)
def base_color(style: str) -> str | None:
    """The colour of untokenised code in `style` (None: the page's text colour)."""
    return _hex(get_style_by_name(style).style_for_token(Token)["color"])


def emitted_classes() -> list[str]:
    """Every class the highlighter can put on a token of a standard type."""
    return sorted(CLASS_PREFIX + cls for cls in STANDARD_TYPES.values() if cls)
