"""One language per deck (issue 12, "Language"), and the site's description
area (issue 12, "Site").

A deck's language is its frontmatter `lang`, else the script of all its
prose (title, description, questions and answers; code and formulas left
out). The reader sets `Deck.lang`, so the PDF's own words and the site's
interface agree: English chrome for English decks, Korean for Korean ones,
whatever the file name or the questions' language. The fixtures are
tests/corpus/print/*.md; PDFs are real WeasyPrint builds read back with
pdftotext and pypdf, pages in Debian's Chromium.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from pypdf import PdfReader

from cardpress.build import build
from cardpress.read import read_text
from conftest import REPO

CORPUS = REPO / "tests" / "corpus" / "print"


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def lang_of(text: str) -> str:
    (deck,) = read_text(text).decks
    return deck.lang


# -- the reader decides ----------------------------------------------------------

def test_frontmatter_lang_wins():
    assert lang_of("---\nlang: en-GB\n---\n# 노트\n\n## 질문은?\n한국어 답이다.\n") == "en-GB"
    assert lang_of("---\nlang: ko\n---\n# Notes\n\n## What?\nAn English answer.\n") == "ko"


def test_korean_answers_under_english_titles_are_korean():
    assert lang_of((CORPUS / "mixed.md").read_text("utf-8")) == "ko"


def test_english_notes_are_english_even_with_a_korean_word():
    assert lang_of((CORPUS / "english.md").read_text("utf-8")) == "en"
    assert lang_of("# Words\n\n## What is 김치?\nA Korean side dish of fermented vegetables, eaten with most meals.\n") \
        == "en"


def test_code_and_formulas_do_not_count():
    """A Korean deck whose answers are mostly code or TeX stays Korean."""
    code = "```python\n" + "result = compute_everything(with_these_arguments, and_those_ones)\n" * 20 + "```\n"
    notes = f"# 코드 노트\n\n## 이 함수는 무엇을 하나?\n모든 것을 계산한다.\n\n{code}\n$\\frac{{a}}{{b}} + \\alpha\\beta\\gamma$\n"
    assert lang_of(notes) == "ko"


# -- the PDF's own words ---------------------------------------------------------

@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, Path]:
    """english.md and mixed.md in every layout."""
    root = tmp_path_factory.mktemp("lang")
    src = root / "notes"
    src.mkdir()
    for name in ("english.md", "mixed.md"):
        shutil.copy(CORPUS / name, src / name)
    out: dict[str, Path] = {}
    for layout, suffix in (("handout", ""), ("quiz", ".quiz"), ("cards", ".cards")):
        result = build([str(src)], root / "dist", ["pdf"], layout=layout, incremental=False)
        assert result.ok, [str(d) for d in result.diagnostics]
        for stem in ("english", "mixed"):
            out[f"{stem}{suffix}"] = root / "dist" / f"{stem}{suffix}.pdf"
    return out


KOREAN_CHROME = ("문답 노트 · 인쇄본", "차례", "문답 2개", "퀴즈", "이름", "날짜", "정답")


@pytest.mark.slow  # the PDFs, built once for the module
def test_english_deck_gets_english_pdf_chrome(pdfs):
    handout, quiz = pdf_text(pdfs["english"]), pdf_text(pdfs["english.quiz"])
    assert "Q&A notes · print edition" in handout and "2 questions · english.md" in handout
    assert "Contents" in handout and "Questions" in handout  # the contents, the running header over the cards
    assert "Data structures · Quiz" in quiz and "2 questions · the answers are at the end." in quiz
    assert "Name" in quiz and "Date" in quiz and "Answers" in quiz
    everything = handout + quiz + pdf_text(pdfs["english.cards"])
    assert not [w for w in KOREAN_CHROME if w in everything]
    reader = PdfReader(pdfs["english"])
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert [item.title for item in reader.outline][0] == "Contents"
    assert [item.title for item in PdfReader(pdfs["english.quiz"]).outline] == ["Questions", "Answers"]


@pytest.mark.slow  # the PDFs, built once for the module
def test_korean_answers_get_korean_pdf_chrome(pdfs):
    handout, quiz = pdf_text(pdfs["mixed"]), pdf_text(pdfs["mixed.quiz"])
    assert "문답 노트 · 인쇄본" in handout and "차례" in handout and "문답 2개" in handout
    assert "퀴즈" in quiz and "이름" in quiz and "날짜" in quiz and "정답" in quiz
    assert "Contents" not in handout and "print edition" not in handout
    assert PdfReader(pdfs["mixed"]).trailer["/Root"]["/Lang"] == "ko"


# -- the site's interface ----------------------------------------------------------

def _site(tmp_path: Path, names: dict[str, str]) -> Path:
    src = tmp_path / "notes"
    src.mkdir(parents=True)
    for name, text in names.items():
        (src / name).write_text(text, "utf-8")
    result = build([str(src)], tmp_path / "dist", ["html"], incremental=False)
    assert result.ok, [str(d) for d in result.diagnostics]
    return tmp_path / "dist" / "html"


def test_each_deck_page_speaks_its_decks_language(tmp_path):
    site = _site(tmp_path, {"english.md": (CORPUS / "english.md").read_text("utf-8"),
                            "mixed.md": (CORPUS / "mixed.md").read_text("utf-8")})
    english = (site / "decks" / "english.html").read_text("utf-8")
    mixed = (site / "decks" / "mixed.html").read_text("utf-8")
    assert '<html lang="en"' in english and "Show answer" in english and "정답 보기" not in english
    assert '<html lang="ko"' in mixed and "정답 보기" in mixed and "Show answer" not in mixed
    assert '<ol class="cards" id="_cp-cards" lang="ko">' in mixed


def test_index_speaks_the_majority_and_marks_each_deck(tmp_path):
    english = "# {t}\n\n## What is {t}?\nAn English answer about {t}.\n"
    site = _site(tmp_path, {"a.md": english.format(t="Alpha"), "b.md": english.format(t="Beta"),
                            "c.md": (CORPUS / "mixed.md").read_text("utf-8")})
    index = (site / "index.html").read_text("utf-8")
    assert '<html lang="en"' in index
    assert index.count('<h2 lang="en">') == 2 and index.count('<h2 lang="ko">') == 1
    assert "Flashcards" in index and "플래시카드" not in index
    # Two Korean decks of three: the index turns Korean.
    site = _site(tmp_path / "ko", {"a.md": english.format(t="Alpha"),
                                   "c.md": (CORPUS / "mixed.md").read_text("utf-8"),
                                   "d.md": "# 노트\n\n## 질문은?\n한국어로 쓴 답이다.\n"})
    assert '<html lang="ko"' in (site / "index.html").read_text("utf-8")


# -- the site's description area ---------------------------------------------------

def _png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\x2f\x5d\x8a" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


DESCRIBED = """# Described

The description holds what an answer may: a wide image,

![wide](wide.png)

a long code line,

```python
result = some_function_with_a_long_name(first_argument, second_argument, third_argument, fourth_argument_here)
```

| a wide | table | with | many | long | column | headings | that | do | not | fit | on | a | phone | screen |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
| 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15 |

and https://example.com/a/very/long/address/without/any/spaces/in/it/that/goes/on/and/on/and/on/forever.

## What is this?
A deck whose description is wide.
"""


@pytest.mark.browser
@pytest.mark.parametrize("width", [1200, 390])
def test_description_never_widens_the_page(tmp_path, width):
    from rendered import CHROMIUM_ARGS, open_offline

    src = tmp_path / "notes"
    src.mkdir()
    (src / "described.md").write_text(DESCRIBED, "utf-8")
    (src / "wide.png").write_bytes(_png(2400, 300))
    result = build([str(src)], tmp_path / "dist", ["html"], incremental=False)
    assert result.ok, [str(d) for d in result.diagnostics]
    site = tmp_path / "dist" / "html"
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("no Chromium binary")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            for page_path, mode in (("index.html", None), ("decks/described.html", "list")):
                context, page, blocked, errors = open_offline(browser, (site / page_path).as_uri(), width)
                if mode:
                    page.click(f"[data-mode-button={mode}]")
                page.wait_for_function("() => document.querySelector('.description img').complete")
                sizes = page.evaluate("""() => {
                    const d = document.querySelector('.description');
                    const box = el => el.getBoundingClientRect();
                    return {page: document.documentElement.scrollWidth, desc: box(d).right,
                            img: box(d.querySelector('img')).right, pre: box(d.querySelector('pre')).right,
                            table: box(d.querySelector('table')).right,
                            preScrolls: d.querySelector('pre').scrollWidth > d.querySelector('pre').clientWidth};
                }""")
                assert sizes["page"] <= width, (page_path, sizes)
                for part in ("img", "pre", "table"):
                    assert sizes[part] <= sizes["desc"] + 0.5, (page_path, part, sizes)
                assert sizes["preScrolls"], sizes  # the long line scrolls inside its block, as in answers
                assert not blocked and not errors, (blocked, errors)
                context.close()
        finally:
            browser.close()
