"""The colours the outputs share, readable in both themes.

- The code palette: Pygments token colours (light: the `default` style,
  dark: `github-dark`), each mixed toward black or white just enough to
  reach WCAG's 4.5:1 (with a little margin) on every background that theme
  puts code on: the Anki card, the site and the PDF use the same tokens.
- The Anki card's colours in light and night mode. Night mode sits on
  Anki's own dark interface (its window, `--canvas`, is #2c2c2c), so the
  card takes that grey and code blocks sit a step darker.

Tests compute the contrast of every token class from the CSS actually
shipped (tests/test_code_style.py), not from these constants.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

from . import highlight

# WCAG AA is 4.5; a little margin for colour rounding in browsers.
MIN_CONTRAST = 4.6


@dataclass(frozen=True)
class Surface:
    """One theme of the Anki card."""

    background: str
    text: str
    muted: str  # blockquotes, the Extra field
    link: str
    border: str  # table rules, blockquote bar
    code_bg: str  # code blocks
    inline_code_bg: str
    head_bg: str  # table header cells


ANKI = {
    "light": Surface(background="#ffffff", text="#1f2328", muted="#555d68", link="#0b57c2", border="#d0d7de",
                     code_bg="#f6f7f9", inline_code_bg="#eff1f4", head_bg="#f3f4f6"),
    "dark": Surface(background="#2c2c2c", text="#ececec", muted="#b9b9b9", link="#93c5fd", border="#555555",
                    code_bg="#1f1f1f", inline_code_bg="#3b3b3b", head_bg="#363636"),
}

# The site's code backgrounds (its own surfaces are bluish) and the PDF's
# paper tint under code.
SITE_CODE_BG = {"light": "#f6f7f9", "dark": "#1b1f2a"}
PAPER = "#f5f6f8"


@dataclass(frozen=True)
class CodeTheme:
    style: str  # the Pygments style the token colours start from
    text: str  # untokenised code
    backgrounds: tuple[str, ...]  # every background this theme shows code on


CODE = {
    "light": CodeTheme("default", ANKI["light"].text, (ANKI["light"].code_bg, SITE_CODE_BG["light"], PAPER)),
    "dark": CodeTheme("github-dark", "#e6edf3", (ANKI["dark"].code_bg, SITE_CODE_BG["dark"])),
}


# -- WCAG contrast -----------------------------------------------------------

def _rgb(color: str) -> list[int]:
    h = color.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    return [int(h[i:i + 2], 16) for i in (0, 2, 4)]


def luminance(color: str) -> float:
    channels = [c / 255 for c in _rgb(color)]
    r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable(color: str, backgrounds: Sequence[str], minimum: float = MIN_CONTRAST) -> str:
    """`color`, mixed toward black (light backgrounds) or white (dark) just
    enough to reach `minimum` on every one of `backgrounds` (all light or
    all dark): the hue stays recognisable."""
    if all(contrast(color, bg) >= minimum for bg in backgrounds):
        return color
    rgb = _rgb(color)
    toward = 0 if luminance(backgrounds[0]) > 0.18 else 255
    for step in range(1, 41):
        mixed = "#" + "".join(f"{round(c + (toward - c) * step / 40):02x}" for c in rgb)
        if all(contrast(mixed, bg) >= minimum for bg in backgrounds):
            return mixed
    return "#000000" if toward == 0 else "#ffffff"


# -- the code palette as CSS ---------------------------------------------------

def _declarations(theme: CodeTheme, cls: str, reset: highlight.TokenStyle | None) -> list[str]:
    """CSS declarations for token class `cls` in `theme`. `reset`: what an
    earlier (light) rule set for it, so a dark rule overrides every part of
    it and a night card never shows a light token's colour."""
    look = highlight.token_styles(theme.style).get(cls, highlight.TokenStyle())
    on = (look.background,) if look.background else theme.backgrounds
    out = [f"color: {readable(look.color or theme.text, on)}"]
    if look.background or (reset and reset.background):
        out.append(f"background-color: {look.background or 'transparent'}")
    if look.bold or (reset and reset.bold):
        out.append(f"font-weight: {'bold' if look.bold else 'normal'}")
    if look.italic or (reset and reset.italic):
        out.append(f"font-style: {'italic' if look.italic else 'normal'}")
    if look.underline or (reset and reset.underline):
        out.append(f"text-decoration: {'underline' if look.underline else 'none'}")
    if look.border or (reset and reset.border):
        out.append(f"border: {'1px solid ' + look.border if look.border else 'none'}")
    return out


@lru_cache(maxsize=None)
def code_css(theme: str, scopes: tuple[str, ...] | str = "pre", over: str | None = None) -> str:
    """Token rules of `theme` ("light" or "dark") under each selector in
    `scopes` (the code block). `over`: the theme whose rules these override
    (the light rules a night card also matches): every class either theme
    styles then gets a complete rule here."""
    if isinstance(scopes, str):
        scopes = (scopes,)
    code = CODE[theme]
    own = highlight.token_styles(code.style)
    under = highlight.token_styles(CODE[over].style) if over else {}
    rules = []
    for cls in sorted(set(own) | set(under)):
        selector = ", ".join(f"{scope} .{cls}" for scope in scopes)
        rules.append(f"{selector} {{ {'; '.join(_declarations(code, cls, under.get(cls)))} }}")
    return "\n".join(rules)
