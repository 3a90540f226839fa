"""The allow-list every card's HTML passes (`cardpress.sanitize`): what
stays, what goes and what `scan` says about it, URL schemes as a browser
reads them, and `clean`'s url_filter. Unit tests: no build, no browser."""

from __future__ import annotations

import pytest

from cardpress.sanitize import ScanState, clean, scan, scheme_allowed, url_scheme


def findings(fragment: str) -> list[tuple[int, str]]:
    return [(f.line, f.message) for f in scan(fragment).findings]


# -- what stays ----------------------------------------------------------------

@pytest.mark.parametrize("html", [
    "<p>H<sub>2</sub>O x<sup>2</sup> <kbd>Ctrl</kbd> <mark>m</mark> <abbr title=\"t\">a</abbr></p>",
    "<ruby>漢<rt>한</rt></ruby> <del>d</del> <ins>i</ins> <small>s</small> <q>q</q> <var>v</var>",
    "<details open=\"\"><summary>More</summary><p>Hidden</p></details>",
    "<ol start=\"3\" reversed=\"\"><li>x</li></ol>",
    "<span class=\"k\" lang=\"ko\" dir=\"ltr\" title=\"t\">s</span>",
    "<a href=\"https://example.org/a?b=1\">l</a> <a href=\"mailto:a@example.org\">m</a> <a href=\"../x.md\">r</a>",
    "<img src=\"img/a.png\" alt=\"A\" width=\"3\" height=\"4\">",
    "<table><thead><tr><th style=\"text-align:right\">a</th></tr></thead>"
    "<tbody><tr><td colspan=\"2\" style=\"text-align:center\">1</td></tr></tbody></table>",
    "<input type=\"checkbox\" checked=\"\" disabled=\"\">",
    "<pre><code class=\"language-python\">x = 1 &lt; 2</code></pre>",
])
def test_allowed_markup_is_kept_as_is_without_a_word(html):
    assert clean(html) == html
    assert findings(html) == []


# -- what goes, and what scan says ------------------------------------------------

@pytest.mark.parametrize("html,cleaned,message", [
    ("<script>alert(1)</script>after", "after", "unsafe HTML removed: <script> and its content"),
    ("<style>p{color:red}</style>t", "t", "unsafe HTML removed: <style> and its content"),
    ("<iframe src=x></iframe>", "", "unsafe HTML removed: <iframe> and its content"),
    ("<svg onload=x><circle/></svg>", "", "unsafe HTML removed: <svg> and its content"),
    ("<base href=\"https://e.example/\">", "", "unsafe HTML removed: <base>"),
    ("<b onclick=\"x()\">b</b>", "<b>b</b>", "unsafe HTML removed: event handler onclick= on <b>"),
    ("<img src=a.png onerror=x>", "<img src=\"a.png\">", "unsafe HTML removed: event handler onerror= on <img>"),
    ("<p style=\"color:red\">p</p>", "<p>p</p>",
     "unsafe HTML removed: style= on <p> (styles could change the page around the card)"),
    ("<center>c</center>", "c", "HTML tag <center> is not supported: tag removed, text kept"),
    ("<span data-x=1>s</span>", "<span>s</span>", "HTML attribute data-x= on <span> is not supported: removed"),
])
def test_removed_markup_is_reported(html, cleaned, message):
    assert clean(html) == cleaned
    assert findings(html) == [(1, message)]


def test_only_text_align_survives_in_a_table_cell_style():
    html = "<table><tbody><tr><td style=\"text-align:right;color:red\">x</td></tr></tbody></table>"
    assert clean(html) == "<table><tbody><tr><td style=\"text-align:right\">x</td></tr></tbody></table>"
    assert findings(html) == [(1, "unsafe HTML removed: style= on <td> (only text-align is kept)")]


def test_comments_go_silently():
    assert clean("<!-- note to self -->after") == "after"
    assert findings("<!-- note to self -->after") == []


def test_each_finding_names_its_line_within_the_fragment():
    fragment = "<p>ok</p>\n<b onclick=x>b</b>\n\n<script>\nx\n</script>\n<center>c</center>"
    assert [line for line, _ in findings(fragment)] == [2, 4, 7]


def test_content_of_a_dropped_element_is_not_reported_again():
    """markdown-it hands inline HTML over one tag at a time: with one state,
    the `<circle/>` inside a removed `<svg>` is not a second warning."""
    state = ScanState()
    parts = [scan(piece, state) for piece in ("<svg>", "<circle onclick=x/>", "<blink>", "</svg>", "<blink>")]
    assert [[f.message for f in p.findings] for p in parts] == [
        ["unsafe HTML removed: <svg> and its content"], [], [], [],
        ["HTML tag <blink> is not supported: tag removed, text kept"],
    ]


def test_broken_html_never_stops_a_scan():
    for fragment in ("<", "<a href='", "<img src=\"x", "</>", "<!", "<![CDATA[", "<a\x00b>"):
        assert isinstance(scan(fragment).findings, list)
        assert "<script" not in clean(fragment + "<script>x</script>")


# -- URLs ----------------------------------------------------------------------

@pytest.mark.parametrize("url,scheme", [
    ("https://example.org", "https"),
    ("HTTP://EXAMPLE.ORG", "http"),
    ("mailto:a@example.org", "mailto"),
    ("img/a.png", ""),
    ("../a.png", ""),
    ("/abs/a.png", ""),
    ("#anchor", ""),
    ("javascript:alert(1)", "javascript"),
    ("JaVaScRiPt:alert(1)", "javascript"),
    # Browsers skip ASCII whitespace and control characters inside the
    # scheme: these are all `javascript:` to them, so they are here too.
    ("java\tscript:alert(1)", "javascript"),
    ("java\nscript:alert(1)", "javascript"),
    ("java\rscript:alert(1)", "javascript"),
    ("  \x01javascript:alert(1)", "javascript"),
    ("java\x00script:alert(1)", "javascript"),
    ("vbscript:x", "vbscript"),
    ("data:image/png;base64,AA", "data"),
    ("file:///etc/passwd", "file"),
    ("http://[::1", "invalid"),  # unparseable: neither relative nor allowed
])
def test_url_scheme_as_a_browser_reads_it(url, scheme):
    assert url_scheme(url) == scheme


@pytest.mark.parametrize("url,img,a", [
    ("https://example.org/x.png", True, True),
    ("http://example.org/x.png", True, True),
    ("img/x.png", True, True),
    ("mailto:a@example.org", False, True),  # a link, never an image
    ("data:image/png;base64,AA", False, False),
    ("file:///etc/passwd", False, False),
    ("java\tscript:alert(1)", False, False),
    ("ftp://example.org/x.png", False, False),
    ("http://[::1", False, False),
])
def test_schemes_allowed_per_tag(url, img, a):
    assert scheme_allowed(url, "img") is img
    assert scheme_allowed(url, "a") is a


@pytest.mark.parametrize("html,message,cleaned", [
    ("<a href=\"java\tscript:alert(1)\">x</a>", "javascript: URL in <a href>", "<a>x</a>"),
    ("<a href=\"&#106;avascript:x\">x</a>", "javascript: URL in <a href>", "<a>x</a>"),  # entities decoded first
    ("<a href=\"  \x01javascript:x\">x</a>", "javascript: URL in <a href>", "<a>x</a>"),
    ("<img src=\"JaVaScRiPt:alert(1)\">", "javascript: URL in <img src>", "<img>"),
    ("<img src=\"data:image/png;base64,AA\">", "data: URL in <img src>", "<img>"),
    ("<img src=\"mailto:a@b\">", "mailto: URL in <img src>", "<img>"),
    ("<a href=\"vbscript:x\">v</a>", "vbscript: URL in <a href>", "<a>v</a>"),
    ("<a href=\"file:///etc/passwd\">f</a>", "file: URL in <a href>", "<a>f</a>"),
])
def test_unsafe_urls_are_removed_and_reported(html, message, cleaned):
    result = scan(html)
    assert [f.message for f in result.findings] == [f"unsafe HTML removed: {message}"]
    assert result.urls == []  # nothing for the reader to resolve
    assert clean(html) == cleaned


def test_scan_lists_the_urls_the_reader_must_check():
    result = scan("<p>\n<img src=\"a&amp;b.png\" alt=x>\n<a href=\"https://e.example/\">l</a> <q cite=\"c\">q</q>\n</p>")
    assert [(u.line, u.tag, u.url) for u in result.urls] == [(2, "img", "a&b.png"), (3, "a", "https://e.example/")]


# -- clean's url_filter ----------------------------------------------------------

def test_url_filter_rewrites_or_drops_and_sees_only_allowed_schemes():
    seen = []

    def url_filter(tag: str, attr: str, value: str) -> str | None:
        seen.append((tag, attr, value))
        if value.startswith("keep/"):
            return "media/" + value[len("keep/"):]
        return None

    html = ("<img src=\"keep/a.png\" alt=\"a\"><img src=\"drop.png\" alt=\"d\">"
            "<a href=\"keep/page\">k</a><a href=\"javascript:x\">j</a><img src=\"data:x\">")
    assert clean(html, url_filter) == ("<img src=\"media/a.png\" alt=\"a\"><img alt=\"d\">"
                                       "<a href=\"media/page\">k</a><a>j</a><img>")
    # Unsafe schemes are dropped before the filter is asked.
    assert seen == [("img", "src", "keep/a.png"), ("img", "src", "drop.png"), ("a", "href", "keep/page")]


def test_without_a_url_filter_allowed_urls_pass_unchanged():
    html = "<a href=\"https://example.org/?a=1&amp;b=2\">l</a><img src=\"sub/그림 1.png\">"
    assert clean(html) == html


def test_clean_is_idempotent():
    once = clean("<p onclick=x>a<script>b</script><font>c</font><a href=\"java\tscript:x\">d</a></p>")
    assert clean(once) == once == "<p>ac<a>d</a></p>"
