"""Code and colours that read well in every output and both themes (issue 11,
"Code").

One small deck with a highlighted code block with long lines, inline code, a
table of long Korean words, a quote and a link, built to all three outputs:
- Anki: the package is imported into a real collection; the note type's CSS
  and the card Anki renders are checked without a browser (a CSS cascade,
  tests/css_cascade.py) for every token class the highlighter can emit, in
  light mode and under each Anki's night-mode classes; then the card is
  opened in Chromium as Anki's reviewer shows it, photographed, and its
  rendered colours, fonts and scrolling measured;
- PDF: long code lines wrap inside the page, hang right of their line's
  indent, with a drawn continuation mark (seen in the rendered pixels);
- the site: code and tables scroll inside the card at phone width.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
import tinycss2

from anki_helpers import import_apkg, open_collection
from cardpress import fonts, highlight
from cardpress.build import build
from cardpress.writers.pdf.codelines import code_lines
from css_cascade import contrast, styles
from rendered import CODE_LOOK, MEASURE_TEXT, MIDWORD_BREAKS, launched_browser, open_offline

WCAG_AA = 4.5

NOTES = '''# 코드 색 점검

## 파이썬 함수와 긴 줄은? {#code}
`->`와 `!=`는 쓴 그대로 보여야 한다. 인라인 코드: `xs[::-1]`.

```python
import math

class Model(Base):
    """A docstring."""
    def forward(self, x: float) -> float:  # 주석: 긴 줄을 시험한다, a comment that runs far past the edge of a phone
        if __name__ == "__main__" and x != 0x1F:
            return math.sqrt(x) * 2.5e-3 + some_function_with_a_long_name(argument_one, argument_two, argument_three)
        raise ValueError(f"bad {x!r}")
```

> 인용문: 밤 모드에서도 읽혀야 한다. [링크](https://example.com/docs)

| 옵티마이저 | 학습률 | 설명 |
|---|---|---|
| 확률적경사하강법 | 0.01 | 미니배치마다 기울기를 계산해서 매개변수를 갱신하는 옵티마이저 |
| 아담옵티마이저 | 0.001 | 모멘텀과 적응적학습률을 함께 쓰는 옵티마이저이며 대부분의 경우에 잘 동작한다 |

```diff
- removed line
+ added line
```
'''

# How each Anki marks night mode (../shared/FACTS.md): (classes of <html>, of <body>).
THEMES = {
    "light": ("", "card card1"),
    "night, desktop": ("night-mode", "card card1 nightMode night_mode"),
    "night, AnkiDroid": ("", "card card1 night_mode"),
    "night, AnkiMobile": ("", "card card1 nightMode"),
}
# A stand-in for the reviewer's own stylesheet (Anki's reviewer.scss): the
# note type's CSS must win over it.
REVIEWER_CSS = "body { margin: 20px; } body.nightMode { background-color: #2c2c2c; color: #fcfcfc; }"


def reviewer_page(answer: str, theme: str) -> str:
    html_class, body_class = THEMES[theme]
    return (f'<!DOCTYPE html><html class="{html_class}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<style>{REVIEWER_CSS}</style></head>"
            f'<body class="{body_class}"><div id="qa">{answer}</div></body></html>')


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("notes")
    (src / "code.md").write_text(NOTES, encoding="utf-8")
    out = tmp_path_factory.mktemp("dist")
    result = build([str(src)], out, ["apkg", "pdf", "html"], incremental=False)
    assert result.ok, [str(d) for d in result.diagnostics]
    return out


@dataclass
class AnkiCard:
    css: str  # the note type's CSS, as Anki stores it after the import
    answer: str  # the back of the card as Anki renders it (`<style>` + HTML)
    media: Path  # the collection's media folder


@pytest.fixture(scope="module")
def anki_card(dist, tmp_path_factory) -> AnkiCard:
    col = open_collection(tmp_path_factory.mktemp("anki") / "collection.anki2")
    try:
        import_apkg(col, dist / "code.apkg")
        css = col.models.by_name("cardpress Basic")["css"]
        # What Anki stored is the CSS shipped in the package.
        with zipfile.ZipFile(dist / "code.apkg") as z:
            db = tmp_path_factory.mktemp("package") / "collection.anki2"
            db.write_bytes(z.read("collection.anki2"))
        with contextlib.closing(sqlite3.connect(db)) as conn:
            (models,) = conn.execute("SELECT models FROM col").fetchone()
        assert [m["css"] for m in json.loads(models).values()] == [css]
        (card_id,) = col.find_cards("")
        answer = col.get_card(card_id).answer()
        return AnkiCard(css, answer, Path(col.media.dir()))
    finally:
        col.close()


# ---- Anki, without a browser ---------------------------------------------------

def test_monospace_font_travels_in_the_package(dist, anki_card):
    with zipfile.ZipFile(dist / "code.apkg") as z:
        names = set(json.loads(z.read("media")).values())
    faces = {}
    for rule in tinycss2.parse_stylesheet(anki_card.css, skip_comments=True, skip_whitespace=True):
        if rule.type == "at-rule" and rule.lower_at_keyword == "font-face":
            decls = {d.lower_name: d.value for d in tinycss2.parse_blocks_contents(rule.content)
                     if d.type == "declaration"}
            family = next(t.value for t in decls["font-family"] if t.type == "string")
            weight = next(t.value for t in decls["font-weight"] if t.type == "number")
            url = next(t.value for t in decls["src"] if t.type == "function" and t.name == "url"
                       for t in t.arguments if t.type == "string")
            faces[family, weight] = url
    for face in fonts.FACES:
        if face.family == "JetBrains Mono":
            name = faces[face.family, face.weight]
            # `_`-prefixed, content-hashed, in the package and, after the import, in the collection.
            assert name.startswith("_cardpress-jetbrainsmono-") and name.endswith(".woff2"), name
            assert name in names
            assert (anki_card.media / name).read_bytes() == face.web_path.read_bytes()


def _token_block() -> str:
    """A code block holding one span of every class the highlighter can emit,
    and plain (untokenised) code."""
    spans = "".join(f'<span class="{cls}">{cls}</span> ' for cls in highlight.emitted_classes())
    return f'<div class="cp-card"><div class="cp-answer"><pre><code class="language-python">plain {spans}</code></pre></div></div>'


def _text_styles(css: str, page: str):
    return [s for s in styles(css, page) if s.text and s.tag not in ("style", "script", "title", "head")]


@pytest.mark.parametrize("theme", list(THEMES))
def test_every_token_class_is_readable(anki_card, theme):
    """Computed from the CSS shipped in the package: every class, plain code
    too, at least 4.5:1 on what is behind it (its own background, if any)."""
    css = REVIEWER_CSS + anki_card.css
    found = [s for s in _text_styles(css, reviewer_page(_token_block(), theme)) if s.tag in ("span", "code")]
    classes = {cls for s in found for cls in s.classes}
    assert set(highlight.emitted_classes()) <= classes
    ratios = {next(iter(s.classes), "plain"): contrast(s.color, s.background) for s in found}
    worst = min(ratios, key=ratios.get)
    print(f"\n{theme}: {len(ratios)} token classes, lowest {worst} {ratios[worst]:.2f}:1")
    assert ratios[worst] >= WCAG_AA, sorted((round(r, 2), c) for c, r in ratios.items() if r < WCAG_AA)
    # The night rules really apply: the code block is dark under each Anki's classes.
    block = next(s for s in found if s.tag == "code")
    assert (sum(block.background) < 0.5) == theme.startswith("night")


@pytest.mark.parametrize("theme", list(THEMES))
def test_every_text_colour_of_the_card_is_readable(anki_card, theme):
    """The real card (question, answer, quote, link, table, inline code,
    code): every element's own text at least 4.5:1."""
    found = _text_styles(REVIEWER_CSS + anki_card.css, reviewer_page(anki_card.answer, theme))
    assert {"div", "p", "a", "th", "td", "code", "span"} <= {s.tag for s in found}
    assert any(s.tag == "p" and "인용문" in s.text for s in found)
    ratios = [(contrast(s.color, s.background), s.tag, sorted(s.classes), s.text[:20]) for s in found]
    worst = min(ratios)
    print(f"\n{theme}: {len(ratios)} elements with text, lowest {worst[0]:.2f}:1 ({worst[1:]})")
    assert worst[0] >= WCAG_AA, [r for r in ratios if r[0] < WCAG_AA]


# ---- the PDF -------------------------------------------------------------------

def test_code_lines_become_boxes_with_their_indent():
    """Every line a box; a line long enough to wrap in the narrowest layout
    (over SHORT columns) also hangs from its indent (`cp-wrap`, `--hang`)."""
    long = "    return some_function(argument_one, argument_two)"
    html = ('<pre><code class="language-python"><span class="hl-k">def</span> f():\n\t<span class="hl-s">"""a\n'
            f'b"""</span>\n\n{long}\n</code></pre>')
    assert code_lines(html) == (
        '<pre><code class="language-python">'
        '<span class="cp-line"><span class="hl-k">def</span> f():</span>'
        # the string open at the line end is closed and reopened
        '<span class="cp-line">\t<span class="hl-s">"""a</span></span>'
        '<span class="cp-line"><span class="hl-s">b"""</span></span>'
        '<span class="cp-line"></span>'  # blank lines stay
        f'<span class="cp-line cp-wrap" style="--hang: 6">{long}</span>'  # indent 4 + 2; the final newline opens no line
        "</code></pre>")
    assert code_lines("<p>no code</p>") == "<p>no code</p>"
    assert code_lines("<pre>x\n  y</pre>") == '<pre><span class="cp-line">x</span><span class="cp-line">  y</span></pre>'
    tabbed = "\t\t" + "x" * 30  # 8 columns of tabs + 30: past SHORT
    assert code_lines(f"<pre>{tabbed}</pre>") == f'<pre><span class="cp-line cp-wrap" style="--hang: 10">{tabbed}</span></pre>'


def test_spans_that_print_as_their_text_are_unwrapped():
    """Print keeps only the highlight spans that look different: plain token
    classes (punctuation, names) and whitespace print as their text, so
    WeasyPrint gets no box for them; the text is unchanged."""
    from cardpress import highlight
    from cardpress.markup import plain_text
    html = "<pre><code>" + highlight.highlight("def f(a, b):\n    return a  # sum\n", "python") + "</code></pre>"
    printed = code_lines(html)
    assert 'class="hl-w"' in html and 'class="hl-p"' in html  # what the highlighter emits
    assert 'class="hl-w"' not in printed and 'class="hl-p"' not in printed and 'class="hl-n"' not in printed
    assert '<span class="hl-k">def</span>' in printed and '<span class="hl-c1"># sum</span>' in printed
    assert plain_text(printed) == plain_text(html)
    # Raw HTML in a <pre> keeps its spans: only bare highlight classes go.
    raw = '<pre><span class="hl-p" title="x">(</span><span class="mine">)</span></pre>'
    assert code_lines(raw) == f'<pre><span class="cp-line">{raw[5:-6]}</span></pre>'


def _lines(page) -> list[list[dict]]:
    """The page's characters grouped into printed lines (by baseline)."""
    rows: dict[float, list[dict]] = {}
    for ch in page.chars:
        rows.setdefault(round(ch["bottom"], 0), []).append(ch)
    return [sorted(chars, key=lambda c: c["x0"]) for _, chars in sorted(rows.items())]


def _starting(lines, text: str) -> int:
    return next(i for i, line in enumerate(lines)
                if "".join(c["text"] for c in line).replace(" ", "").startswith(text.replace(" ", "")))


@pytest.mark.slow
def test_pdf_wraps_long_code_lines_with_a_hanging_indent_and_a_mark(dist, tmp_path):
    pdfplumber = pytest.importorskip("pdfplumber")
    Image = pytest.importorskip("PIL.Image")
    pdf = dist / "code.pdf"
    with pdfplumber.open(pdf) as doc:
        (number, page), = [(i, p) for i, p in enumerate(doc.pages) if "some_function" in p.extract_text()]
        width = page.width
        assert all(0 <= c["x0"] and c["x1"] <= width for c in page.chars)  # nothing off the page
        lines = _lines(page)
        text = page.extract_text()
    assert "↳" not in text and "↪" not in text  # the mark is drawn, not text

    ret = _starting(lines, "return math.sqrt")
    first, cont = lines[ret][0], lines[ret + 1]  # `return ...` and the wrapped rest of it
    column = first["x1"] - first["x0"]  # monospace: every glyph one column wide
    assert not "".join(c["text"] for c in cont).strip().startswith("return")
    # Two columns right of `return`, never left of it.
    assert cont[0]["x0"] == pytest.approx(first["x0"] + 2 * column, abs=column / 3)

    # The mark: ink in the two columns before every continuation row (the
    # line wraps twice), none in the indentation of the line's first row.
    dpi = 150
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(number + 1), "-l", str(number + 1),
                    str(pdf), str(tmp_path / "page")], check=True)
    (png,) = tmp_path.glob("page*.png")
    image = Image.open(png).convert("L")
    scale = dpi / 72

    def ink(x0, x1, top, bottom) -> int:
        box = tuple(round(v * scale) for v in (x0, top, x1, bottom))
        return sum(image.crop(box).histogram()[:180])

    rows = lines[ret + 1:_starting(lines, "raise ValueError")]
    assert len(rows) == 2
    for row in rows:
        assert row[0]["x0"] == pytest.approx(cont[0]["x0"], abs=0.5)
        assert ink(first["x0"], row[0]["x0"] - 1, row[0]["top"], row[0]["bottom"]) > 5
    assert ink(first["x0"] - 2 * column, first["x0"] - 1, first["top"], first["bottom"]) == 0
    shots = os.environ.get("CARDPRESS_SCREENSHOTS")
    if shots:
        shutil.copy(png, Path(shots) / "pdf-code-wrap.png")


# ---- in Chromium: the Anki card as the reviewer shows it, and the site ---------


@pytest.fixture(scope="module")
def browser():
    yield from launched_browser()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    """CARDPRESS_SCREENSHOTS=dir keeps the screenshots for a look."""
    out = Path(os.environ.get("CARDPRESS_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    out.mkdir(parents=True, exist_ok=True)
    return out


def _check_code_and_contrast(page, root: str, width: int, label: str) -> float:
    texts = page.locator(root).first.evaluate(MEASURE_TEXT)
    assert {"a", "td", "th", "code", "span", "p"} <= {t["tag"] for t in texts}
    worst = min(texts, key=lambda t: t["ratio"])
    print(f"\n{label}: {len(texts)} elements with text, lowest {worst['ratio']:.2f}:1 ({worst})")
    assert worst["ratio"] >= WCAG_AA, [t for t in texts if t["ratio"] < WCAG_AA]
    look = page.evaluate(CODE_LOOK)
    assert look["family"].startswith('"JetBrains Mono"'), look
    assert look["loaded"] >= 1, "JetBrains Mono did not load: it would fall back to Pretendard"
    assert look["ligatures"] == "none" and '"calt" 0' in look["features"] and '"liga" 0' in look["features"], look
    assert look["narrow"] == pytest.approx(look["wide"], abs=0.5), look  # monospaced
    assert look["arrow"] == pytest.approx(look["two"], abs=0.5), look  # `->` is two characters wide
    assert look["preScrolls"], "the long code line should scroll inside its block"
    assert look["pageWidth"] <= width, look  # nothing widens the card
    if width < 500:
        assert look["tableScrolls"], look
    assert page.locator(root).first.evaluate(MIDWORD_BREAKS) == []
    return worst["ratio"]


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("width", [390, 800])
@pytest.mark.parametrize("theme", ["light", "night, desktop"])
def test_anki_card_in_chromium(anki_card, browser, shots, theme, width):
    """The back of the card as Anki's reviewer shows it (the card's HTML and
    the note type's CSS inside Anki's body classes, the fonts from the
    collection's media folder), photographed and measured."""
    name = f"anki-{'night' if theme.startswith('night') else 'light'}-{width}"
    page_path = anki_card.media / f"{name}.html"  # beside the fonts, as in Anki
    page_path.write_text(reviewer_page(anki_card.answer, theme), encoding="utf-8")
    context, page, blocked, errors = open_offline(browser, page_path.as_uri(), width)
    try:
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
        _check_code_and_contrast(page, "#qa", width, f"Anki {theme}, {width} px")
        assert not blocked and not errors, (blocked, errors)
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_site_card_at_phone_width(dist, browser, shots, scheme):
    context, page, blocked, errors = open_offline(browser, (dist / "html" / "decks" / "code.html").as_uri(), 390,
                                                  color_scheme=scheme)
    try:
        page.keyboard.press("Space")  # show the answer
        page.locator("#_cp-cards > .current .cp-answer").wait_for(state="visible")
        page.wait_for_timeout(400)  # the flip
        page.screenshot(path=str(shots / f"site-{scheme}-390.png"), full_page=True)
        _check_code_and_contrast(page, "#_cp-cards > .current .cp-card", 390, f"site {scheme}, 390 px")
        page.emulate_media(media="print")  # paper cannot scroll: the long lines wrap
        assert page.evaluate("(p => p.scrollWidth <= p.clientWidth)(document.querySelector('pre'))")
        assert not blocked and not errors, (blocked, errors)
    finally:
        context.close()
