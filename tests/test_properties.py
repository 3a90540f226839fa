"""Property-based tests: whatever the input (arbitrary text, arbitrary bytes,
real notes mangled at random), reading never raises, every problem is a
diagnostic with a line inside the file, and input without errors builds.

Example counts are kept small so the file runs in well under a minute on 2
cores; raise them locally with CARDPRESS_FUZZ_SCALE=20.
"""

from __future__ import annotations

import os
import re
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cardpress import sanitize
from cardpress.build import build
from cardpress.read import read_library, read_text
from conftest import NOTES

# Derandomized: CI runs the same examples every time (a failure replays).
# CARDPRESS_FUZZ_SCALE=20 runs twenty times as many, with fresh randomness.
SCALE = int(os.environ.get("CARDPRESS_FUZZ_SCALE", "1"))


def examples(n: int):
    return settings(max_examples=n * SCALE, deadline=None, derandomize=SCALE == 1,
                    suppress_health_check=[HealthCheck.too_slow])

REAL = NOTES.read_text("utf-8")
REAL_LINES = REAL.split("\n")

# Pieces that steer random text into the reader's interesting corners.
SNIPPETS = [
    "# ", "## ", "### ", "\n", "\n\n", "---\n", "title: x\n", "tags: [a, b\n", "{#pin}", "{#pin} ", "```\n", "`",
    "![a](", "](", ")", "[l](", "x.png", "../", "/etc/passwd", "~/", "C:\\", "%00", "%2e%2e/", "http://", "https://",
    "javascript:", "data:", "file:///", "<script>", "</script>", "<img src=x onerror=alert(1)>", "<b onclick=x>",
    "<a href='javascript:x'>", "<iframe>", "<style>", "<svg><script>", "<!--", "-->", "<details>", "<br>",
    "<kbd>", "|", "|---|", "> ", "- ", "1. ", "- [x] ", "\t", "\r", "\r\n", "\ufeff", "\x00", "\x07", "\u200b",
    "한", "é", "日本", "😀", "&amp;", "&#x6a;", "\\", "*", "_", "~~", "<", ">", "\"", "'",
]

markdownish = st.lists(st.one_of(st.sampled_from(SNIPPETS), st.text(max_size=8)), max_size=60).map("".join)


class _Attributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.found += [(tag, name, value or "") for name, value in attrs]


def attributes(html: str) -> list[tuple[str, str, str]]:
    parser = _Attributes()
    parser.feed(html)
    parser.close()
    return parser.found


def check_library(library, text_lines: int) -> None:
    """What must hold for any read: diagnostics have sane lines and
    severities; every card's HTML is already what the sanitizer gives."""
    for d in library.diagnostics:
        assert 0 <= d.location.line <= text_lines + 1, d
        assert d.severity.value in ("error", "warning")
        assert "\n" not in d.message, d
    for deck in library.decks:
        assert deck.title
        for card in deck.cards:
            for html in (card.question_html, card.answer_html):
                assert sanitize.clean(html, lambda tag, attr, value: value) == html
                assert "<script" not in html.lower()
                assert not re.search(r"<[^>]+\son\w+\s*=", html, re.I), html
                for tag, name, value in attributes(html):  # as text "javascript:" is fine; as a URL never
                    assert sanitize.url_scheme(value) not in ("javascript", "vbscript", "data", "file"), (tag, name)
            assert card.question_text and card.location.line >= 1


@given(st.text(max_size=400))
@examples(150)
def test_arbitrary_text_never_raises(text):
    check_library(read_text(text, path="x.md"), text.count("\n") + text.count("\r"))


@given(markdownish)
@examples(300)
def test_markdownish_text_never_raises(text):
    check_library(read_text(text, path="x.md"), text.count("\n") + text.count("\r"))


@given(st.binary(max_size=400))
@examples(150)
def test_arbitrary_bytes_never_raise(data):
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "x.md").write_bytes(data)
        check_library(read_library([tmp]), data.count(b"\n") + data.count(b"\r"))


@st.composite
def mutated_notes(draw) -> str:
    """The shipped notes with a few random edits: lines dropped, doubled
    or swapped, snippets or random text inserted anywhere."""
    lines = list(REAL_LINES)
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["drop", "dup", "swap", "insert", "splice"]))
        i = draw(st.integers(0, max(len(lines) - 1, 0)))
        if op == "drop" and lines:
            del lines[i]
        elif op == "dup" and lines:
            lines.insert(i, lines[i])
        elif op == "swap" and len(lines) > 1:
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "insert":
            lines.insert(i, draw(markdownish))
        elif lines:
            line = lines[i]
            k = draw(st.integers(0, len(line)))
            lines[i] = line[:k] + draw(st.one_of(st.sampled_from(SNIPPETS), st.text(max_size=5))) + line[k:]
    return "\n".join(lines)


def build_or_diagnose(text: str, formats: list[str]) -> None:
    """The promise to users: a build either writes its outputs or reports
    errors and writes nothing; never an exception."""
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "src", Path(tmp) / "out"
        src.mkdir()
        (src / "notes.md").write_text(text, "utf-8", errors="surrogatepass")
        result = build([str(src)], out, formats=formats)
        check_library(result.library, text.count("\n") + text.count("\r"))
        if result.ok:
            assert result.outputs or not result.library.decks
            for path in result.outputs:
                assert path.is_file() and path.stat().st_size > 0
                assert path.resolve().is_relative_to(out.resolve())  # never outside the output folder
        else:
            assert not any(p.suffix in (".apkg", ".pdf") for p in out.rglob("*")) if out.exists() else True
        assert (src / "notes.md").read_bytes() == text.encode("utf-8", "surrogatepass")  # sources untouched


@given(mutated_notes())
@examples(25)
def test_mutated_real_notes_build_or_give_diagnostics(text):
    build_or_diagnose(text, ["apkg", "html"])


@pytest.mark.slow  # four PDF builds
@given(mutated_notes())
@examples(4)
def test_mutated_real_notes_build_the_pdf_or_give_diagnostics(text):
    build_or_diagnose(text, ["pdf"])
