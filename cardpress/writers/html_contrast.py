"""Highlighted code that stays readable: WCAG contrast for the site's code
colours.

Pygments' palettes put a few tokens under WCAG's 4.5:1 on our backgrounds
(the default style's comments and keywords on a grey code block, for one),
which axe reports as serious. The site keeps each palette and only darkens
(light) or lightens (dark) the colours that fall short, so code looks like it
does in Anki and the PDF, and everyone can read it.
"""

from __future__ import annotations

import re

from .. import highlight

# (Pygments style, the code block's solid background): a solid colour, so
# contrast can be computed. Light is the style Anki and the PDF use.
CODE_STYLES = {"light": ("default", "#f6f7f9"), "dark": ("github-dark", "#1b1f2a")}
MIN_CONTRAST = 4.6  # WCAG AA is 4.5; a little margin for browsers' colour rounding


def _luminance(hex_color: str) -> float:
    h = hex_color.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    channels = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable(color: str, background: str, minimum: float = MIN_CONTRAST) -> str:
    """`color`, mixed toward black (light background) or white (dark) just
    enough to reach `minimum` contrast: the hue stays recognisable."""
    if contrast(color, background) >= minimum:
        return color
    h = color.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    rgb = [int(h[i:i + 2], 16) for i in (0, 2, 4)]
    toward = 0 if _luminance(background) > 0.18 else 255
    for step in range(1, 21):
        mixed = "#" + "".join(f"{round(c + (toward - c) * step / 20):02x}" for c in rgb)
        if contrast(mixed, background) >= minimum:
            return mixed
    return "#000000" if toward == 0 else "#ffffff"


# `color: #abc` but not `background-color:` / `border-color:`.
_COLOR_DECL = re.compile(r"(?<![-\w])color: (#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3})\b")


def code_css(style: str, scope: str, background: str) -> str:
    """Pygments rules for `style` under `scope`, every colour readable on `background`."""
    return _COLOR_DECL.sub(lambda m: "color: " + readable(m.group(1), background), highlight.stylesheet(style, scope))
