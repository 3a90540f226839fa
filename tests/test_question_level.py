"""Questions at any heading level (issue 12): the layouts real note
repositories use, read as their authors meant them."""

from __future__ import annotations

import subprocess
import sys

from cardpress.build import build
from cardpress.read import read_text
from conftest import REPO

NUMBERED = """\
# 면접 질문

## #1
#### TCP와 UDP의 차이는?
TCP는 연결 지향이고 UDP는 비연결이다.

## #2
#### 프로세스와 스레드의 차이는?
프로세스는 독립된 메모리를 가진다.

## #3
#### What is a deadlock?
Two processes waiting on each other.
"""

SECTIONS = """\
# ML

## 딥러닝
### Dropout이란?
노드를 무작위로 끈다.
### Batch Norm이란?
배치마다 정규화한다.

## 통계
### p-value란?
귀무가설이 참일 때 관측값 이상이 나올 확률.
"""


def _messages(lib) -> list[str]:
    return [str(d) for d in lib.diagnostics]


def test_numbered_headings_over_the_real_questions_warn_and_name_the_level():
    lib = read_text(NUMBERED, path="n.md")
    # Default level 2: three cards called "#1".."#3", and one warning saying why and what to do.
    assert [c.question_text for c in lib.decks[0].cards] == ["#1", "#2", "#3"]
    (warning,) = [m for m in _messages(lib) if "no words" in m]
    assert warning.startswith("n.md:3: warning: question '#1' has no words (3 questions like it)")
    assert "'#### TCP와 UDP의 차이는?' (line 4) looks like the real question" in warning
    assert "question_level: 4" in warning


def test_question_level_4_from_the_frontmatter():
    lib = read_text("---\nquestion_level: 4\n---\n" + NUMBERED, path="n.md")
    deck = lib.decks[0]
    assert [c.question_text for c in deck.cards] == ["TCP와 UDP의 차이는?", "프로세스와 스레드의 차이는?",
                                                       "What is a deadlock?"]
    assert deck.cards[0].answer_html == "<p>TCP는 연결 지향이고 UDP는 비연결이다.</p>"
    assert deck.question_level == 4 and lib.diagnostics == ()


def test_auto_picks_the_level_that_reads_like_questions():
    for text, level, count in ((NUMBERED, 4, 3), (SECTIONS, 3, 3)):
        lib = read_text("---\nquestion_level: auto\n---\n" + text, path="x.md")
        assert lib.decks[0].question_level == level
        assert len(lib.decks[0].cards) == count and lib.diagnostics == ()
    # The shipped notes stay at level 2.
    shipped = (REPO / "source" / "ai-dev-knowledge.md").read_text("utf-8")
    assert read_text("---\nquestion_level: auto\n---\n" + shipped).decks[0].question_level == 2


def test_sections_holding_questions_at_level_2_warn_with_the_level():
    lib = read_text(SECTIONS, path="s.md")
    # Level 2 reads the sections as questions; the answer of "딥러닝" holds two
    # question-like ### headings (fewer than 3: no hint), "통계" one.
    assert [c.question_text for c in lib.decks[0].cards] == ["딥러닝", "통계"]
    many = SECTIONS.replace("## 통계\n", "### Adam이란?\n적응형 학습률.\n\n## 통계\n")
    hints = [m for m in _messages(read_text(many, path="s.md")) if "look like questions" in m]
    assert hints == ["s.md:3: warning: the answer of '딥러닝' holds 3 '###' headings that look like questions; "
                     "if they are the questions, add 'question_level: 3' to the frontmatter"]


def test_level_3_sections_and_text_under_a_section():
    text = SECTIONS.replace("## 딥러닝\n", "## 딥러닝\n딥러닝 관련 질문 모음.\n\n")
    lib = read_text("---\nquestion_level: 3\n---\n" + text, path="s.md")
    assert [c.question_text for c in lib.decks[0].cards] == ["Dropout이란?", "Batch Norm이란?", "p-value란?"]
    assert _messages(lib) == ["s.md:6: warning: the text under the section '딥러닝' (before its first question) is "
                              "in no card; move it into an answer, or into the deck's description"]


def test_a_heading_followed_by_a_heading_is_a_section_not_an_error():
    lib = read_text("# D\n## 딥러닝\n## 딥러닝 일반\n내용.\n", path="d.md")
    assert [c.question_text for c in lib.decks[0].cards] == ["딥러닝 일반"]
    assert _messages(lib) == ["d.md:2: warning: '딥러닝' has no answer and another heading follows it: read as a "
                              "section heading, not a question"]


def test_cli_question_level_and_verbose_says_what_auto_chose(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "n.md").write_text(NUMBERED, "utf-8")
    proc = subprocess.run([sys.executable, str(REPO / "build.py"), "build", str(src), "-o", str(tmp_path / "out"),
                           "-f", "apkg", "--question-level", "auto", "-v"], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "n.md: questions are the '####' headings" in proc.stdout and "3 card(s)" in proc.stdout
    check = subprocess.run([sys.executable, str(REPO / "build.py"), "check", str(src), "--question-level", "4"],
                           capture_output=True, text=True, timeout=120)
    assert check.returncode == 0 and "ok: 1 deck(s), 3 card(s)" in check.stdout


def test_changing_the_level_is_seen_by_the_caches(tmp_path):
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    (src / "n.md").write_text(NUMBERED, "utf-8")
    first = build([str(src)], out, ["apkg"])
    second = build([str(src)], out, ["apkg"], question_level="4")
    assert [c.question_text for c in first.library.decks[0].cards] == ["#1", "#2", "#3"]
    assert second.library.decks[0].cards[0].question_text == "TCP와 UDP의 차이는?"
    assert second.written  # not "up to date"


def test_a_file_with_no_questions_writes_nothing_and_says_so(tmp_path):
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    (src / "a.md").write_text("# A\n\n## Q\nA\n", "utf-8")
    (src / "empty.md").write_text("# Empty\n\nJust notes, no questions.\n", "utf-8")
    result = build([str(src)], out, ["apkg", "html"])
    assert [str(d) for d in result.diagnostics] == [
        f"{src}/empty.md:1: warning: no questions found (questions are '## ' headings); nothing is written for "
        "this file"]
    assert (out / "a.apkg").is_file() and not (out / "empty.apkg").exists()
    assert not (out / "html" / "decks" / "empty.html").exists()
    assert "Empty" not in (out / "html" / "index.html").read_text("utf-8")
