"""The colours a browser would give each element, from a stylesheet and a
document, without a browser: the cascade (specificity, order, !important),
inheritance of `color`, and backgrounds composited down the ancestors
(alpha included). Enough of CSS for contrast checks of the stylesheets we
ship (tinycss2 parses, cssselect2 matches: WeasyPrint's own parts).

Screen media only; `var()` is not resolved (the Anki CSS uses none).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import cssselect2
import tinycss2
import tinycss2.color3
import tinyhtml5

RGB = tuple[float, float, float]


@dataclass
class Styled:
    element: object  # cssselect2.ElementWrapper
    color: RGB
    background: RGB  # what is really behind the element's text

    @property
    def tag(self) -> str:
        return self.element.local_name

    @property
    def classes(self) -> set[str]:
        return set(self.element.classes)

    @property
    def text(self) -> str:
        return (self.element.etree_element.text or "").strip()


def _rules(tokens, matcher: cssselect2.Matcher) -> None:
    for rule in tokens:
        if rule.type == "qualified-rule":
            decls = [d for d in tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True)
                     if d.type == "declaration"]
            for selector in cssselect2.compile_selector_list(rule.prelude):
                if selector.pseudo_element is None:
                    matcher.add_selector(selector, decls)
        elif rule.type == "at-rule" and rule.lower_at_keyword == "media":
            media = tinycss2.serialize(rule.prelude).lower()
            if "print" not in media and rule.content is not None:
                _rules(tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True), matcher)


def matcher_for(css: str) -> cssselect2.Matcher:
    matcher = cssselect2.Matcher()
    _rules(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True), matcher)
    return matcher


# `background` is the shorthand: it sets the colour (transparent if it names none).
_PROPERTIES = {"color": "color", "background": "background-color", "background-color": "background-color"}


def _declared(matcher: cssselect2.Matcher, element) -> dict[str, tuple[str, list]]:
    """The winning declaration (its name, its value tokens) of `color` and
    of the background colour."""
    found: dict[str, tuple] = {}
    for specificity, order, _pseudo, decls in matcher.match(element):
        for index, decl in enumerate(decls):
            prop = _PROPERTIES.get(decl.lower_name)
            if prop:
                key = (decl.important, specificity, order, index)
                if prop not in found or key >= found[prop][0]:
                    found[prop] = (key, decl.lower_name, decl.value)
    return {prop: (name, value) for prop, (_key, name, value) in found.items()}


def _color(tokens) -> tinycss2.color3.RGBA | str | None:
    """A colour, 'currentcolor', or None (inherit, none, or not a colour)."""
    for token in tokens:
        if token.type in ("whitespace", "comment"):
            continue
        parsed = tinycss2.color3.parse_color(token)
        if parsed is not None:
            return parsed
    return None


def _over(top: tinycss2.color3.RGBA, under: RGB) -> RGB:
    a = top.alpha
    return tuple(a * t + (1 - a) * u for t, u in zip((top.red, top.green, top.blue), under))


def styles(css: str, html: str) -> Iterator[Styled]:
    """Every element of `html` with its text colour and backdrop."""
    matcher = matcher_for(css)
    root = cssselect2.ElementWrapper.from_html_root(tinyhtml5.parse(html))

    def walk(element, color: RGB, backdrop: RGB) -> Iterator[Styled]:
        declared = _declared(matcher, element)
        if "color" in declared:
            value = _color(declared["color"][1])
            if isinstance(value, tinycss2.color3.RGBA):
                color = _over(value, backdrop)
        if "background-color" in declared:
            name, tokens = declared["background-color"]
            bg = _color(tokens)
            if isinstance(bg, tinycss2.color3.RGBA):
                backdrop = _over(bg, backdrop)
        yield Styled(element, color, backdrop)
        for child in element.iter_children():
            yield from walk(child, color, backdrop)

    yield from walk(root, (0.0, 0.0, 0.0), (1.0, 1.0, 1.0))


def luminance(rgb: RGB) -> float:
    r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: RGB, b: RGB) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
