"""The colours the outputs share, readable in both themes.

- The code palette: Pygments token colours (light: the `default` style,
  dark: `github-dark`), each mixed toward black or white just enough to
  reach WCAG's 4.5:1 (with a little margin) on every background that theme
  puts code on: the Anki card, the site and the PDF use the same tokens.
- The Anki card's colours in light and night mode. Night mode sits on
  Anki's own dark interface (its window, `--canvas`, is #2c2c2c), so the
  card takes that grey and code blocks sit a step darker.

- Highlights (`==mark==`) and callouts (`> [!NOTE]`): a tint per theme
  that every text colour of the card stays readable on, and callout titles
  in their family's hue, mixed until they reach 4.5:1 on that tint over
  every surface the theme shows cards on.

Tests compute the contrast of every token class from the CSS actually
shipped (tests/test_code_style.py, tests/test_obsidian.py), not from these
constants.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

from . import callouts, highlight

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


# -- highlights and callouts ---------------------------------------------------

# The surfaces cards sit on, per theme: the Anki card, the site's card and
# paper (light), Anki's night card and the site's dark card.
SURFACES = {"light": (ANKI["light"].background, "#ffffff"), "dark": (ANKI["dark"].background, "#171b25")}
# `<mark>`: dark text on amber by day, light text on dark gold by night.
MARK = {"light": "#fde68a", "dark": "#6b5400"}

# family -> (light hue, dark hue): GitHub's alert colours where it has them.
_CALLOUT_HUES = {
    "note": ("#0969da", "#4493f8"), "tip": ("#1a7f37", "#3fb950"), "success": ("#0f766e", "#2dd4bf"),
    "important": ("#8250df", "#ab7df8"), "question": ("#b35900", "#f0883e"), "warning": ("#9a6700", "#d29922"),
    "caution": ("#cf222e", "#f85149"), "example": ("#bf3989", "#db61a2"), "quote": ("#59636e", "#9198a1"),
}
_TINT = {"light": 0.08, "dark": 0.16}  # how much of the hue tints the box


@dataclass(frozen=True)
class Callout:
    bar: str  # the left rule
    tint: str  # the box's background: the hue at a low alpha (rgba)
    title: str  # the title (and its icon): readable on the tint over every surface


def _rgba(color: str, alpha: float) -> str:
    r, g, b = _rgb(color)
    return f"rgba({r}, {g}, {b}, {alpha})"


def over(color: str, alpha: float, surface: str) -> str:
    """`color` at `alpha` over `surface`, as one colour."""
    mixed = [round(a * alpha + s * (1 - alpha)) for a, s in zip(_rgb(color), _rgb(surface))]
    return "#" + "".join(f"{c:02x}" for c in mixed)


def _callout(theme: str, hue: str) -> Callout:
    alpha = _TINT[theme]
    return Callout(bar=hue, tint=_rgba(hue, alpha),
                   title=readable(hue, [over(hue, alpha, surface) for surface in SURFACES[theme]]))


CALLOUT = {theme: {name: _callout(theme, hues[i]) for name, hues in _CALLOUT_HUES.items()}
           for i, theme in enumerate(("light", "dark"))}


def callout_css(theme: str, scopes: tuple[str, ...] | str = ".cp-card", icons: str = "") -> str:
    """Each callout family's rule, bar, tint and title colour in `theme`
    under each selector in `scopes`. `icons`: "mask" draws the icon in the
    title's colour (browsers, Anki), "image" as a picture in that colour
    (print: WeasyPrint has no masks), "" leaves them to another rule."""
    if isinstance(scopes, str):
        scopes = (scopes,)
    rules = []
    for name, look in CALLOUT[theme].items():
        def sel(suffix: str) -> str:
            return ", ".join(f"{scope} .cp-callout-{name}{suffix}" for scope in scopes)
        rules.append(f"{sel('')} {{ border-left-color: {look.bar}; background-color: {look.tint}; }}")
        rules.append(f"{sel(' > .cp-callout-title')} {{ color: {look.title}; }}")
        if icons == "mask":
            url = callouts.icon_uri(name)
            rules.append(f'{sel(" > .cp-callout-title::before")} {{ -webkit-mask-image: url("{url}"); '
                         f'mask-image: url("{url}"); }}')
        elif icons == "image":
            rules.append(f'{sel(" > .cp-callout-title::before")} '
                         f'{{ background-image: url("{callouts.icon_uri(name, look.title)}"); }}')
    return "\n".join(rules)
