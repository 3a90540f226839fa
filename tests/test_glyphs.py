"""Glyphs that print, print typography, and one set of diagnostics (issue 12:
"One set of diagnostics", "Glyphs", "PDF typography").

- Emoji print in the bundled monochrome Noto Emoji; Mathematical
  Alphanumeric Symbols (𝐈𝐍𝐓𝐄𝐑𝐕𝐀𝐋) print as plain letters; only what no
  bundled face has prints as its framed code point, with one warning per
  character and file, at its first line, with its count.
- What the PDF would warn about is known before anything is written:
  `check` and `build` print the same diagnostics on the same input (over
  every fixture in tests/corpus/bad and tests/corpus/print), and `--strict`
  stops both before a file is written.
- A remote image in a line of text is a small inline placeholder; answers
  are ragged right, so a long URL opens no gaps.

Real parts: the CLI in a subprocess, WeasyPrint, pdffonts/pdftotext
(poppler), pdfplumber for positions.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pdfplumber
import pytest

from cardpress import glyphs
from cardpress.build import build, gather
from cardpress.fonts import print_faces
from conftest import REPO

CORPORA = REPO / "tests" / "corpus"
PRINT = CORPORA / "print"
EXPECTED = (PRINT / "expected.txt").read_text("utf-8").splitlines()
COMMON_EMOJI = "📌 💡 ⭐ ✅ ❌ 🔥 👍 😀 🚀 ⚠️ 🎯 📝 ➡️".split()
DIAGNOSTIC = re.compile(r"^.+:\d+: (error|warning): ")


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "build.py"), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600)


def diagnostics(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if DIAGNOSTIC.match(line)]


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, "utf-8")
    return folder


# -- coverage, without a page ------------------------------------------------------

def test_common_emoji_are_covered_by_the_bundled_faces():
    missing = [e for e in COMMON_EMOJI if glyphs.uncovered(e)]
    assert missing == []
    emoji_faces = [f for f in print_faces() if f.family == "Noto Emoji"]
    assert [f.weight for f in emoji_faces] == [400, 700]
    for face in emoji_faces:  # the emoji come from Noto Emoji, not from a lookalike elsewhere
        cmap = glyphs.font_cmap(face.print_path)
        assert all(ord(e[0]) in cmap for e in COMMON_EMOJI)
        assert (face.print_path.parent / "LICENSE.txt").read_text("utf-8").count("SIL OPEN FONT LICENSE") >= 1


def test_plain_text_needs_no_font_read():
    """glyphs.py skips the fonts for text made only of PLAIN_RANGES: every
    bundled text face, regular and bold, must really draw those."""
    text_faces = [f for f in print_faces() if f.family == "Pretendard"]
    plain = [cp for a, b in glyphs.PLAIN_RANGES for cp in range(a, b + 1)]
    assert len(plain) > 11_172 + 95
    for face in text_faces:
        cmap = glyphs.font_cmap(face.print_path)
        assert [hex(cp) for cp in plain if cp not in cmap] == []
    assert not glyphs.maybe_uncovered("ReLU는 음수에서 0을 낸다. (x > 0) ~ {a: [1, 2]}\n\t“인용” — A·B… ① → ㄱ Ａ")
    assert not glyphs.maybe_uncovered("Re\u200bLU\u2060의")  # print preparation's breaks and joiners
    assert glyphs.maybe_uncovered("a ☉ sun") and not glyphs.maybe_uncovered("📌 𝐁")  # the fonts read: covered


def test_math_letters_fold_to_plain_ones_and_nothing_else_does():
    assert glyphs.fold("𝐈𝐍𝐓𝐄𝐑𝐕𝐀𝐋 𝑥 𝔸 𝟙𝟚 𝛂") == "INTERVAL x A 12 α"
    kept = "ﬁ ① ｶ ™ ²"  # NFKC would change these too: they are left alone
    assert glyphs.fold(kept) == kept
    assert glyphs.uncovered("𝐈𝐍𝐓𝐄𝐑𝐕𝐀𝐋 tree 📌") == []
    assert glyphs.uncovered("☉ and ☉, ก") == ["☉", "☉", "ก"]
    assert glyphs.uncovered("a\u200db\ufe0f\u2060c") == []  # joiners and selectors draw nothing


# -- one warning per character and file, at its line -----------------------------

def test_glyph_and_remote_image_warnings_are_grouped_at_their_lines():
    library = gather([str(PRINT)])
    found = [(d.location.path.rsplit("/", 1)[-1], d.location.line, d.message) for d in library.diagnostics]
    suns = [f for f in found if "'☉'" in f[2]]
    # Five in the notes (once in the first card, three in the second, one in
    # code); the one inside a formula is drawn by the formula renderer.
    assert suns == [("emoji.md", 6, "no bundled font has '☉' (U+2609 SUN), 5 times (first here); "
                                    "the PDF prints its code point (U+...) instead")]
    assert [f[:2] for f in found if "THAI" in f[2]] == [("emoji.md", 18)]  # in a code block: printed too
    assert not [f for f in found if "📌" in f[2] or "U+1D" in f[2]]  # emoji and math letters print
    remote = [f for f in found if "remote image" in f[2]]
    assert len(remote) == 1 and remote[0][:2] == ("remote.md", 4)
    assert "4 remote images" in remote[0][2] and "also on line(s) 5, 8, 10" in remote[0][2]


def test_pdf_checks_apply_only_when_the_pdf_is_built(tmp_path):
    notes = write(tmp_path / "notes", "deck.md", "# Deck\n\n## Sun?\nA ☉ sun and ![x](https://example.com/x.png).\n")
    apkg_only = gather([str(notes)], formats=["apkg", "html"])
    assert apkg_only.diagnostics == ()
    with_pdf = gather([str(notes)], formats=["pdf"])
    assert [d.location.line for d in with_pdf.diagnostics] == [4, 4]
    proc = cli("check", "-f", "apkg", "notes", cwd=tmp_path)
    assert (proc.returncode, proc.stderr) == (0, "")
    proc = cli("check", "notes", cwd=tmp_path)  # default: every format, the PDF too
    assert proc.returncode == 0 and len(diagnostics(proc.stderr)) == 2


# -- check says what build will --------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("corpus", ["bad", "print"])
def test_check_and_build_print_the_same_diagnostics(tmp_path, corpus):
    """Every fixture: the same lines from `check` and from a build of every
    format, the PDF included (nothing a writer finds while writing is
    predictable from the notes)."""
    shutil.copytree(CORPORA / corpus, tmp_path / corpus)
    (tmp_path / corpus / "expected.txt").unlink()
    checked = cli("check", corpus, cwd=tmp_path)
    built = cli("build", corpus, "-o", "out", cwd=tmp_path)
    assert "Traceback" not in checked.stderr + built.stderr
    assert checked.returncode == built.returncode
    assert diagnostics(checked.stderr) == diagnostics(built.stderr)
    assert [line for line in checked.stderr.splitlines() if line] == diagnostics(checked.stderr)
    if corpus == "print":
        assert diagnostics(checked.stderr) == EXPECTED
        assert len(list((tmp_path / "out").glob("*.pdf"))) == 5


@pytest.mark.slow
def test_strict_means_the_same_in_check_and_build(tmp_path):
    write(tmp_path / "notes", "deck.md", "# Deck\n\n## Sun?\nA ☉ sun.\n")
    warning = "notes/deck.md:4: warning: no bundled font has '☉' (U+2609 SUN); the PDF prints its code point " \
              "(U+...) instead"
    checked = cli("check", "--strict", "notes", cwd=tmp_path)
    assert (checked.returncode, diagnostics(checked.stderr)) == (1, [warning])
    built = cli("build", "--strict", "notes", "-o", "out", cwd=tmp_path)
    assert (built.returncode, diagnostics(built.stderr)) == (1, [warning])
    assert not (tmp_path / "out").exists() or not [p for p in (tmp_path / "out").rglob("*") if p.is_file()
                                                    and ".cardpress" not in p.parts]
    # The warning is the PDF's: without the PDF, strict passes in both.
    checked = cli("check", "--strict", "-f", "apkg", "notes", cwd=tmp_path)
    built = cli("build", "--strict", "-f", "apkg", "notes", "-o", "out", cwd=tmp_path)
    assert (checked.returncode, built.returncode) == (0, 0)
    assert (tmp_path / "out" / "deck.apkg").is_file()


# -- what the PDF prints ---------------------------------------------------------------

@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> dict:
    """The print fixtures as handouts."""
    root = tmp_path_factory.mktemp("print")
    shutil.copytree(PRINT, root / "notes")
    (root / "notes" / "expected.txt").unlink()
    result = build([str(root / "notes")], root / "out", ["pdf"], incremental=False)
    assert result.ok, [str(d) for d in result.diagnostics]
    return {"out": root / "out", "result": result}


@pytest.mark.slow  # the PDFs, built once for the module
def test_emoji_are_drawn_in_noto_emoji(printed):
    pdf = printed["out"] / "emoji.pdf"
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Noto-Emoji" in fonts
    text = pdf_text(pdf)
    for emoji in COMMON_EMOJI:
        assert emoji[0] in text, emoji
    assert "U+1F" not in text  # no emoji fell back to its code point
    # The renderer met no character it could not draw (its .notdef backstop).
    assert not [d for d in printed["result"].diagnostics if "PDF:" in d.message]
    with pdfplumber.open(pdf) as doc:
        pin = [c for page in doc.pages for c in page.chars if c["text"] == "📌"]
    assert pin and {c["fontname"].split("+")[-1] for c in pin} <= {"Noto-Emoji", "Noto-Emoji-Bold"}


@pytest.mark.slow  # the PDFs, built once for the module
def test_math_letters_print_as_plain_letters(printed):
    text = pdf_text(printed["out"] / "emoji.pdf")
    assert "What is an INTERVAL tree?" in text and "A tree over intervals" in text
    assert "Pins 📌 and Bold letters" in text  # the title too (cover, header)
    assert not re.search("[\U0001D400-\U0001D7FF]", text) and "U+1D" not in text


@pytest.mark.slow  # the PDFs, built once for the module
def test_uncovered_characters_print_as_their_code_point(printed):
    text = pdf_text(printed["out"] / "emoji.pdf")
    assert text.count("U+2609") == 5 and "U+0E01" in text


def _body_words(pdf: Path, marker: str) -> list[dict]:
    """The words, in reading order, of the first page that has `marker`
    (past the cover and contents)."""
    with pdfplumber.open(pdf) as doc:
        page = next(p for p in doc.pages if marker in (p.extract_text() or ""))
        return page.extract_words(use_text_flow=True)


def _follows(words: list[dict], first: str, second: str) -> bool:
    """Whether `second` comes right after `first`, on the same line."""
    return any(a["text"] == first and b["text"] == second and abs(a["top"] - b["top"]) < 2
               for a, b in zip(words, words[1:]))


@pytest.mark.slow  # the PDFs, built once for the module
def test_inline_remote_image_is_a_small_placeholder_in_its_line(printed):
    words = _body_words(printed["out"] / "remote.pdf", "빌드")
    # The badge's alt text sits in the line between the words around it,
    # the link's address after it...
    assert _follows(words, "상태", "build") and _follows(words, "build", "(https://ci.example.com)")
    # ...an image without alt text shows the deck language's word for image.
    assert _follows(words, "그림", "아이콘이")
    # ...and an image alone in its paragraph keeps the framed box with its address.
    text = pdf_text(printed["out"] / "remote.pdf")
    assert "인터넷 그림 · 인쇄본에는 싣지 않음" in text and "https://example.com/diagram.png" in text
    assert "img.shields.io" not in text  # an inline placeholder is the label only


@pytest.mark.slow  # the PDFs, built once for the module
def test_long_url_in_a_paragraph_opens_no_gaps(printed):
    """Ragged right: every line of the paragraph holding a long URL keeps
    normal word spacing (justified, the line before the URL stretched)."""
    words = _body_words(printed["out"] / "english.pdf", "A map from keys")
    start = next(i for i, w in enumerate(words) if w["text"] == "A" and words[i + 1]["text"] == "map")
    end = next(i for i, w in enumerate(words) if w["text"].startswith("done"))
    paragraph = words[start:end + 1]
    gaps, lines = [], {}
    for a, b in zip(paragraph, paragraph[1:]):
        if abs(a["top"] - b["top"]) < 2:
            gaps.append(b["x0"] - a["x1"])
        lines.setdefault(round(a["top"]), []).append(a)
    assert len(lines) >= 3  # it wraps, the URL included
    assert max(gaps) < 5, max(gaps)  # a space is about 2.5 pt at 10 pt
    # The URL breaks after its separators, never inside a word of it.
    texts = [w["text"] for w in paragraph]
    first = next(i for i, t in enumerate(texts) if t.startswith("https://"))
    url = texts[first:texts.index("for", first)]
    assert "".join(url) == ("https://docs.example.com/reference/data-structures/hash-tables/"
                            "open-addressing-and-chaining?lang=en#collisions")
    assert len(url) > 1 and all(re.search(r"[/.?=#&_-]$", part) for part in url[:-1]), url
