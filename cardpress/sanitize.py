"""The one gate every card's HTML passes before any writer sees it.

Anki runs card JavaScript, the site runs in users' browsers and the PDF
renderer fetches URLs, so raw HTML in the notes is reduced to an allow-list
with nh3 (the Ammonia sanitizer): formatting survives, scripts, event
handlers, frames, `<style>` and `javascript:` URLs do not.
"""

from __future__ import annotations

import nh3

ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col",
    "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em",
    "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "input", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "rp",
    "rt", "ruby", "s", "samp", "small", "span", "strong", "sub", "summary",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
    "var", "wbr",
})

ALLOWED_ATTRIBUTES = {
    "*": {"class", "title", "lang", "dir"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "style"},
    "th": {"colspan", "rowspan", "style"},
    "ol": {"start", "reversed"},
    "details": {"open"},
    # GFM task lists render as disabled checkboxes.
    "input": {"type", "checked", "disabled"},
}

URL_SCHEMES = frozenset({"http", "https", "mailto"})

# Only table alignment (markdown-it writes `style="text-align:right"`).
STYLE_PROPERTIES = frozenset({"text-align"})

# Content of these goes with the tag: a removed <script> must not leave its
# source code behind as visible text.
DROP_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "template", "noscript", "textarea", "select", "svg", "math"})


def clean(html: str) -> str:
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROP_WITH_CONTENT),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        filter_style_properties=set(STYLE_PROPERTIES),
        link_rel=None,
        strip_comments=True,
    )
