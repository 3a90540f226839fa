"""Math for print: each formula of a card as an inline SVG (cardpress.mathtex,
drawn at build time: WeasyPrint runs no JavaScript), or, when it cannot be
drawn, its TeX in a code span, with the reason for the build's warning."""

from __future__ import annotations

from html import escape

from ... import mathtex
from ...markup import MATH_CLASS, Formula, map_math, tokens, Tag
from ...text import short


def source_span(formula: Formula) -> str:
    """What a formula that cannot be drawn prints: its TeX, as code."""
    display = " cp-math-display" if formula.display else ""
    return f'<code class="cp-math-source{display}">{escape(formula.tex.strip(), quote=False)}</code>'


def for_print(html: str) -> tuple[str, list[str]]:
    """Card HTML with its formulas drawn, and a message for each that could
    not be (formulas the reader already warned about are printed as source
    without a second message)."""
    if MATH_CLASS not in html:
        return html, []
    problems: list[str] = []

    def draw(formula: Formula) -> str:
        if formula.error:
            return source_span(formula)
        try:
            svg = mathtex.svg(formula.tex, formula.display)
        except mathtex.MathError as exc:
            problems.append(f"formula '{short(formula.tex.strip())}' cannot be printed: {exc}; "
                            "the PDF shows its source")
            return source_span(formula)
        kind = "cp-math-print cp-math-display" if formula.display else "cp-math-print"
        return f'<span class="{kind}">{svg}</span>'

    return map_math(html, draw), problems


def contents_entry(html: str) -> str:
    """A question for the table of contents: its formulas drawn, its links
    taken out (the entry is a link itself)."""
    html, _ = for_print(html)
    return "".join("" if isinstance(part, Tag) and part.name == "a" else (part.raw if isinstance(part, Tag) else part)
                   for part in tokens(html))
