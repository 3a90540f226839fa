"""How deeply HTML nests, counted in bounded work per tag: the sanitizer
bounds raw HTML with it before nh3 (whose parser is quadratic in depth),
the PDF writer bounds what WeasyPrint lays out (it recurses per level).
Stdlib only."""

from __future__ import annotations

import re

# Elements that never have content or an end tag.
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
                  "track", "wbr"})

# Start tags that end an open element of these kinds (HTML's implied end
# tags), so `<li>a<li>b` or `<p>a<p>b` is not counted as nesting.
_BLOCKS_CLOSING_P = frozenset({"address", "article", "aside", "blockquote", "details", "div", "dl", "fieldset",
                               "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
                               "main", "nav", "ol", "p", "pre", "section", "summary", "table", "ul"})
_CELLS = frozenset({"td", "th"})
_P, _NONE = frozenset({"p"}), frozenset()
_IMPLIED_ENDS = {
    "li": frozenset({"li", "p"}), "dt": frozenset({"dt", "dd", "p"}), "dd": frozenset({"dt", "dd", "p"}),
    "tr": _CELLS | {"tr"}, "td": _CELLS, "th": _CELLS,
    "thead": _CELLS | {"tr", "thead", "tbody", "tfoot"}, "tbody": _CELLS | {"tr", "thead", "tbody", "tfoot"},
    "tfoot": _CELLS | {"tr", "thead", "tbody", "tfoot"},
    "rt": frozenset({"rt", "rp"}), "rp": frozenset({"rt", "rp"}), "option": frozenset({"option"}),
}
_TAG_START_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)")


class Nesting:
    """How deep the open elements are, approximately as a browser builds
    them (void elements and implied end tags understood), in bounded work
    per tag. `start`/`end` say whether a tag is kept: a start tag deeper
    than `limit` is not, nor the end tag that closes it."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.stack: list[str] = []  # never longer than `limit`
        self.dropped: dict[str, int] = {}  # start tags left out, by name, whose end tags are to come

    def start(self, name: str) -> bool:
        if name in VOID:
            return True
        implied = _IMPLIED_ENDS.get(name) or (_P if name in _BLOCKS_CLOSING_P else _NONE)
        while self.stack and self.stack[-1] in implied:
            self.stack.pop()
        if len(self.stack) >= self.limit:
            self.dropped[name] = self.dropped.get(name, 0) + 1
            return False
        self.stack.append(name)
        return True

    def end(self, name: str) -> bool:
        if self.dropped.get(name):
            self.dropped[name] -= 1
            return False
        if name in self.stack:
            while self.stack.pop() != name:
                pass
        return True


def bound_depth(html: str, limit: int) -> str:
    """`html` without the tags nested deeper than `limit` (their text
    stays). Linear: each tag is looked at once, with bounded work."""
    if html.count("<") <= limit:  # too few tags to nest that deep
        return html
    nesting = Nesting(limit)
    out: list[str] = []
    kept_from = 0
    at = html.find("<")
    while at != -1:
        m = _TAG_START_RE.match(html, at)
        if m is None:
            at = html.find("<", at + 1)
            continue
        end = html.find(">", m.end())
        if end == -1:
            break  # no tag can end any more
        name = m.group(2).lower()
        if not (nesting.end(name) if m.group(1) else nesting.start(name)):
            out.append(html[kept_from:at])
            kept_from = end + 1
        at = html.find("<", end + 1)
    out.append(html[kept_from:])
    return "".join(out)
