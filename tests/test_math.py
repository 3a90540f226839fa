"""Math, end to end: recognised in the reader (money stays money), the TeX
kept byte for byte into Anki's `\\(..\\)`/`\\[..\\]` (a real import), drawn as
vector graphics in the PDF (WeasyPrint, read back with pdfplumber and looked
at as a PNG) and as MathML on the site (real Chromium)."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cardpress import mathtex
from cardpress.build import build
from cardpress.markup import map_math, plain_text
from cardpress.read import read_text
from conftest import REPO

EXAMPLE = REPO / "examples" / "math.md"

MONEY = [
    "약 $5 정도이고, 하루 예산이 $100이면 충분하다.",
    "It costs $5-$10 a month.",
    "Between $1,000 and $2,000.",
    "Escaped \\$x\\$ dollars.",
    "A lone $ sign, and $ spaced $ out.",
    "Price: $3.50, tax $0.30.",
]

# Each: Markdown, then the formulas it must hold (TeX, display).
FORMS = [
    ("Sigmoid $\\sigma(x) = \\frac{1}{1+e^{-x}}$ here.", [("\\sigma(x) = \\frac{1}{1+e^{-x}}", False)]),
    ("Markdown-hostile $a_i * b_j \\\\ \\{x\\} \\, c_{*}$ text.", [("a_i * b_j \\\\ \\{x\\} \\, c_{*}", False)]),
    ("Anki style \\(x_1^2\\) and \\[y_\\ast\\] inline.", [("x_1^2", False), ("y_\\ast", True)]),
    ("Inline display $$\\sum_i x_i$$ too.", [("\\sum_i x_i", True)]),
    ("$$\nE = mc^2\n$$", [("\nE = mc^2\n", True)]),
    ("\\[\n\\int_0^1 x\\,dx\n\\]", [("\n\\int_0^1 x\\,dx\n", True)]),
    ("\\begin{align}\na &= b \\\\\nc &= d\n\\end{align}", [("\\begin{align}\na &= b \\\\\nc &= d\n\\end{align}", True)]),
    ("```math\n\\frac{a}{b}\n```", [("\\frac{a}{b}", True)]),
    ("$$\n\\begin{aligned} x &= 1 \\\\ y &= 2 \\end{aligned}\n$$",
     [("\n\\begin{aligned} x &= 1 \\\\ y &= 2 \\end{aligned}\n", True)]),
    ("- item $x_1$\n  > quoted \\(y_2\\)", [("x_1", False), ("y_2", False)]),
]


def answer_of(markdown: str, question: str = "Q") -> tuple[str, tuple]:
    lib = read_text(f"# Deck\n\n## {question}\n{markdown}\n")
    return lib.decks[0].cards[0].answer_html, lib.diagnostics


def formulas_in(card_html: str) -> list[tuple[str, bool]]:
    found: list[tuple[str, bool]] = []
    map_math(card_html, lambda f: found.append((f.tex, f.display)) or "")
    return found


# ---- the reader --------------------------------------------------------------

@pytest.mark.parametrize("text", MONEY)
def test_money_stays_prose(text):
    answer, diags = answer_of(text)
    assert diags == ()
    assert "cp-math" not in answer
    assert plain_text(answer) == text.replace("\\$", "$")


@pytest.mark.parametrize("markdown,expected", FORMS)
def test_every_form_keeps_the_tex_as_written(markdown, expected):
    answer, diags = answer_of(markdown)
    assert diags == ()
    assert formulas_in(answer) == expected


def test_code_is_not_math():
    answer, _ = answer_of("`$x$` and\n\n```\n$$\ny\n$$\n```")
    assert "cp-math" not in answer and "$x$" in answer and "$$" in answer


def test_question_with_math_keeps_its_key_and_text():
    lib = read_text("# D\n\n## What is $\\sigma(x)$? {#sig}\nA\n\n## Why \\(a_i\\)?\nB\n")
    first, second = lib.decks[0].cards
    assert (first.key, first.question_text) == ("sig", "What is \\sigma(x)?")
    assert formulas_in(first.question_html) == [("\\sigma(x)", False)]
    # An unpinned key reads like the question, TeX and all (as before math).
    assert (second.key, second.question_text) == ("why-a_i", "Why a_i?")


def test_malformed_formulas_are_warned_at_their_line():
    text = ("# D\n\n## Q\nFine $x$ and a\nbroken $\\frac{1}{$ one,\n"
            "and `code\nspan` then $\\foo{y}$.\n\n$$\n\\begin{tikzcd} A \\end{tikzcd}\n$$\n")
    lib = read_text(text)
    messages = [str(d) for d in lib.diagnostics]
    assert messages == [
        "notes.md:5: warning: formula '\\frac{1}{' cannot be rendered: a '{' is never closed; "
        "the PDF and the site show its source",
        "notes.md:7: warning: formula '\\foo{y}' cannot be rendered: unknown command \\foo; "
        "the PDF and the site show its source",
        "notes.md:9: warning: formula '\\begin{tikzcd} A \\end{tikzcd}' cannot be rendered: "
        "environment 'tikzcd' is not supported; the PDF and the site show its source",
    ]
    answer = lib.decks[0].cards[0].answer_html
    assert answer.count("cp-math-error") == 3 and answer.count('class="cp-math"') == 1


@pytest.mark.parametrize("tex,why", [
    ("\\frac{1}{", "never closed"), ("x^", "nothing after it"), ("}", "closes nothing"),
    ("\\left( x", "\\left and \\right"), ("\\frac{a}", "missing an argument"), ("\\notacommand", "unknown command"),
    ("x^{2}^{3}", "double superscript"), ("   ", "empty"),
])
def test_problems_name_the_reason(tex, why):
    assert why in mathtex.problem(tex)


def test_mathml_keeps_the_tex_as_annotation():
    out = mathtex.mathml("a < b \\& c", False)
    assert out.startswith('<math display="inline"><semantics>')
    assert '<annotation encoding="application/x-tex">a &lt; b \\&amp; c</annotation>' in out


def test_svg_is_sized_in_em_and_reproducible():
    svg = mathtex.svg("\\text{정밀도} = \\frac{TP}{TP+FP}", False)
    style = re.search(r'style="width:([\d.]+)em;height:([\d.]+)em;vertical-align:-([\d.]+)em"', svg)
    assert style and 0.3 < float(style.group(3)) < 1.0  # the fraction hangs below the baseline
    assert "<text" not in svg and svg.count("<path") > 10  # every glyph, Korean too, is a path
    run = "from cardpress import mathtex; print(mathtex.svg('\\\\text{정밀도} = \\\\frac{TP}{TP+FP}', False))"
    again = subprocess.run([sys.executable, "-c", run], cwd=REPO,
                           capture_output=True, text=True, check=True).stdout.strip()
    assert again == svg


def test_drawing_leaves_the_root_logger_alone():
    """ziamath logs through the root logger, which would then print every
    later library warning (WeasyPrint's CSS notes) to the user's terminal."""
    run = ("import logging; from cardpress import mathtex; "
           "mathtex.svg('\\\\sigma(x) = \\\\frac{1}{1 + e^{-x}}', True); "
           "print(logging.getLogger().handlers)")
    proc = subprocess.run([sys.executable, "-c", run], cwd=REPO, capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]", proc.stdout  # was [<StreamHandler <stderr>>]: "WARNING:weasyprint:..."


def test_svg_borrows_text_glyphs_but_refuses_what_no_bundled_font_has():
    assert mathtex.svg("\\text{日本 정밀도}", False).count("<path") >= 5  # Noto Sans KR Hanja, Pretendard
    assert mathtex.svg("\\text{\U0001F600}", False).count("<path") >= 1  # Noto Emoji
    with pytest.raises(mathtex.MathError, match="U\\+0E01"):
        mathtex.svg("\\text{\u0e01}", False)  # Thai: no bundled face


# ---- Anki --------------------------------------------------------------------

@pytest.mark.slow
def test_anki_fields_hold_the_exact_tex(tmp_path):
    from anki_helpers import import_apkg, open_collection

    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(EXAMPLE, src / "math.md")
    (src / "extra.md").write_text(
        "# Extra\n\n## Hostile $a_i * b_j < c \\\\ \\{x\\}$?\n"
        "약 $5 정도이고, 하루 예산이 $100이면. Broken $\\frac{1}{$ stays.\n", "utf-8")
    result = build([str(src)], tmp_path / "dist", ["apkg"])
    assert result.ok
    col = open_collection(tmp_path / "c.anki2")
    try:
        for apkg in result.outputs:
            import_apkg(col, apkg)
        fields = {col.get_note(n)["CardId"]: col.get_note(n) for n in col.find_notes("")}
        sigmoid = fields["sigmoid"]
        assert sigmoid["Question"] == "시그모이드 함수 \\(\\sigma(x)\\)는?"
        assert "\\[\n\\sigma(x) = \\frac{1}{1 + e^{-x}}\n\\]" in sigmoid["Answer"]
        assert "\\(\\sigma'(x) = \\sigma(x)\\,(1 - \\sigma(x))\\)" in sigmoid["Answer"]
        grad = html.unescape(fields["gradient-descent"]["Answer"])
        assert "\\[\n\\begin{aligned}\nL(\\theta) &= \\frac{1}{n}" in grad
        assert "prices like $3 or $4 stay text" in grad
        hostile = next(n for k, n in fields.items() if k.startswith("hostile"))
        assert hostile["Question"] == "Hostile \\(a_i * b_j &lt; c \\\\ \\{x\\}\\)?"
        assert html.unescape(hostile["Question"]) == "Hostile \\(a_i * b_j < c \\\\ \\{x\\}\\)?"
        assert "약 $5 정도이고, 하루 예산이 $100이면." in hostile["Answer"]
        assert "\\(\\frac{1}{\\)" in hostile["Answer"]  # as written: MathJax shows its own error
        assert not any("cp-math" in n["Answer"] + n["Question"] for n in fields.values())
    finally:
        col.close()


# ---- PDF ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def math_pdf(tmp_path_factory):
    src = tmp_path_factory.mktemp("src")
    (src / "m.md").write_text(
        "# 수식\n\n## 시그모이드 $\\sigma(x)$는?\n도함수는 \\(\\sigma'(x) = \\sigma(x)(1-\\sigma(x))\\)입니다.\n\n"
        "$$\n\\text{정밀도} = \\frac{TP}{TP + FP}\n$$\n\n"
        "## Broken\nSee $\\frac{1}{$ here.\n", "utf-8")
    outs = []
    for n in range(2):
        out = tmp_path_factory.mktemp(f"pdf{n}")
        result = build([str(src)], out, ["pdf"], incremental=False)
        assert result.ok, result.diagnostics
        outs.append(out / "m.pdf")
    return outs, result


@pytest.mark.slow
def test_pdf_draws_formulas_as_vectors(math_pdf):
    import pdfplumber

    (pdf, again), result = math_pdf
    assert pdf.read_bytes() == again.read_bytes()
    # The reader warned about the broken one, at its line; the PDF adds nothing.
    assert [str(d) for d in result.diagnostics if "formula" in d.message] == [
        f"{result.diagnostics[0].location.path}:11: warning: formula '\\frac{{1}}{{' cannot be rendered: "
        "a '{' is never closed; the PDF and the site show its source"]
    with pdfplumber.open(pdf) as doc:
        text = "".join(p.extract_text() for p in doc.pages)
        body = doc.pages[-1]
        assert len(body.curves) + len(body.rects) > 30  # glyph outlines
        line = next(w for w in body.extract_words() if w["text"].startswith("도함수는"))
        # The inline formula sits on that line: paths between its top and bottom.
        on_line = [c for c in body.curves if line["top"] - 4 <= c["top"] and c["bottom"] <= line["bottom"] + 4
                   and c["x0"] > line["x1"] - 1]
        assert on_line
    assert "\\sigma" not in text and "$" not in text and "\\frac{TP" not in text
    assert "정밀도" not in text  # Korean inside a formula is drawn, not text
    assert "\\frac{1}{" in text  # the malformed one, printed as its source


@pytest.mark.slow
def test_pdf_page_with_math_looks_right(math_pdf, tmp_path):
    """Renders the page to PNG (set CARDPRESS_SCREENSHOTS to keep it and look)."""
    import os

    (pdf, _), _ = math_pdf
    out = Path(os.environ.get("CARDPRESS_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "110", "-png", "-l", "3", str(pdf), str(out / "math-page")], check=True)
    pages = sorted(out.glob("math-page-*.png"))
    assert pages and all(p.stat().st_size > 10_000 for p in pages)


# ---- the site ----------------------------------------------------------------

@pytest.mark.browser
@pytest.mark.slow
def test_site_shows_mathml_offline_in_both_themes(tmp_path):
    from rendered import CHROMIUM_ARGS, chromium_path as _chromium

    path = _chromium()
    if not path:
        pytest.skip("no Chromium binary")
    sync_api = pytest.importorskip("playwright.sync_api")
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(EXAMPLE, src / "math.md")
    (src / "bad.md").write_text("# Bad\n\n## Q\nBroken $\\frac{1}{$ here.\n\n"
                                "$$" + " + ".join(f"x_{{{i}}}^{{2}}" for i in range(40)) + "$$\n", "utf-8")
    result = build([str(src)], tmp_path / "dist", ["html"])
    assert result.ok
    site = tmp_path / "dist" / "html"
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        for scheme in ("light", "dark"):
            ctx = browser.new_context(color_scheme=scheme, viewport={"width": 800, "height": 900})
            page = ctx.new_page()
            errors, remote = [], []
            page.on("console", lambda m: m.type == "error" and errors.append(m.text))
            page.on("request", lambda r: None if r.url.startswith("file:") else remote.append(r.url))
            page.goto((site / "decks" / "math.html").as_uri())
            page.keyboard.press("l")  # the list: every card
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            sizes = page.evaluate("""Array.from(document.querySelectorAll('math')).map(m => {
                const r = m.getBoundingClientRect(); return [r.width, r.height]; })""")
            assert len(sizes) >= 10 and all(w > 3 and h > 8 for w, h in sizes)
            shown = page.evaluate("Array.from(document.querySelectorAll('.cp-card')).map(c => c.innerText).join(' ')")
            assert not re.search(r"\\[a-z]|\$\\|\$\$", shown), shown  # no TeX shows
            assert "prices like $3 or $4 stay text" in shown
            assert "약 $5 정도이고" in page.evaluate("document.querySelector('main').innerText")
            colours = page.evaluate("""[getComputedStyle(document.querySelector('.cp-answer math')).color,
                                        getComputedStyle(document.querySelector('.cp-answer')).color]""")
            assert colours[0] == colours[1]  # math follows the theme's text colour
            font_ok = page.evaluate("document.fonts.check('16px \"STIX Two Math\"')")
            assert font_ok
            page.screenshot(path=str(tmp_path / f"math-{scheme}.png"), full_page=True)
            page.goto((site / "decks" / "bad.html").as_uri())
            page.keyboard.press("l")
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            assert page.locator("code.cp-math-source").inner_text() == "\\frac{1}{"
            # A formula wider than a phone scrolls inside its card; the page keeps its width.
            page.set_viewport_size({"width": 390, "height": 700})
            wide = page.evaluate("[document.querySelector('math[display=block]').scrollWidth, "
                                 "document.documentElement.scrollWidth]")
            assert wide[0] > 390 and wide[1] <= 390, wide
            assert not errors and not remote, (errors, remote)
            ctx.close()
        browser.close()


@pytest.mark.slow
def test_example_deck_builds_clean_in_every_format(tmp_path):
    result = build([str(EXAMPLE.parent)], tmp_path / "dist", ["apkg", "html", "pdf"])
    assert result.ok and list(result.diagnostics) == [], [str(d) for d in result.diagnostics]
