"""TeX math, rendered at build time: the only place that knows latex2mathml
(`parse.py`: checking, MathML for the site) and ziamath (`svg.py`: SVG for the
PDF). Anki needs neither: its own MathJax reads the TeX.

Every result is cached by content (the formula and whether it is display
math), so a deck that repeats a formula renders it once, and a build
without math never imports either library.
"""

from __future__ import annotations


class MathError(ValueError):
    """A formula that cannot be rendered; the message says why."""


def problem(tex: str, display: bool = False) -> str | None:
    """Why this formula cannot be rendered, or None when it can."""
    from . import parse as _parse

    return _parse.problem(tex, display)


def mathml(tex: str, display: bool) -> str:
    """`<math>` markup for a web page, the TeX kept as its annotation.
    Raises MathError."""
    from . import parse as _parse

    return _parse.mathml(tex, display)


def svg(tex: str, display: bool) -> str:
    """An inline `<svg>` for print, sized in `em`, on the text's baseline.
    Raises MathError."""
    from . import draw as _draw

    return _draw.render(tex, display)
