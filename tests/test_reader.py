"""The reader: one Markdown file -> one deck, every card with its line."""

from __future__ import annotations

from cardpress.identity import note_guid, slugify
from cardpress.read import read_library, read_text
from conftest import NOTES, SOURCE


def deck_of(text: str, **kw):
    lib = read_text(text, **kw)
    assert lib.decks, lib.diagnostics
    return lib.decks[0], lib.diagnostics


def test_shipped_notes(monkeypatch):
    monkeypatch.chdir(SOURCE.parent)
    lib = read_library(["source"])
    assert lib.diagnostics == ()
    (deck,) = lib.decks
    assert deck.title == "AI 개발관련 지식"
    assert len(deck.cards) == 19
    heading_lines = [i + 1 for i, line in enumerate(NOTES.read_text("utf-8").splitlines()) if line.startswith("## ")]
    assert [c.location.line for c in deck.cards] == heading_lines
    assert deck.cards[0].location.path == "source/ai-dev-knowledge.md"
    assert deck.cards[0].question_text == "하이퍼 파라미터는 무엇인가?"
    assert deck.cards[0].answer_html == "<p>하이퍼 파라미터는 모델의 학습에 필요한 수동 설정값이다.</p>"
    # The last answer has no trailing newline in the file: still whole.
    assert deck.cards[-1].answer_text.endswith(NOTES.read_text("utf-8").rstrip().split("\n")[-1][-10:])


def test_title_description_and_cards():
    deck, diags = deck_of("# My deck\nIntro *text*.\n\nMore intro.\n\n## Q1\nA1\n\n## Q2\nA2\n")
    assert diags == ()
    assert deck.title == "My deck"
    assert deck.description_html == "<p>Intro <em>text</em>.</p>\n<p>More intro.</p>\n"
    assert [(c.question_text, c.answer_html, c.location.line) for c in deck.cards] == [
        ("Q1", "<p>A1</p>", 6), ("Q2", "<p>A2</p>", 9)]


def test_title_falls_back_to_file_name_keeping_its_case():
    deck, _ = deck_of("## Q\nA\n", path="machine_learning-basics.md")
    assert deck.title == "machine learning basics"
    for name, title in (("[DB] Key.md", "[DB] Key"), ("[Web] REST API.md", "[Web] REST API")):
        assert deck_of("## Q\nA\n", path=name)[0].title == title


def test_a_title_from_the_file_name_keeps_the_guids_it_always_had():
    """Titles from file names used to be Title-Cased, and GUIDs derive from
    the title: the old spelling stays the GUIDs' namespace."""
    from cardpress.identity import note_guid

    deck, _ = deck_of("## Q\nA\n", path="[DB] Key.md")
    assert deck.namespace == "[Db] Key"
    assert note_guid(deck.namespace, "q") == note_guid("[Db] Key", "q")
    titled, _ = deck_of("# [DB] Key\n## Q\nA\n", path="x.md")
    assert titled.namespace == "[DB] Key"  # a written title is its own namespace, as always


def test_h2_inside_code_fence_is_code():
    deck, diags = deck_of("# D\n## Q1\n```python\n## not a question\nx = 1\n```\n## Q2\nA\n")
    assert diags == ()
    assert [c.question_text for c in deck.cards] == ["Q1", "Q2"]
    assert [c.location.line for c in deck.cards] == [2, 7]
    assert "## not a question" in deck.cards[0].answer_html
    assert 'class="language-python"' in deck.cards[0].answer_html
    assert 'class="hl-' in deck.cards[0].answer_html  # highlighted once, here


def test_setext_headings_behave_like_atx():
    deck, diags = deck_of("Title\n=====\n\nFirst question\n--------------\nAnswer one\n\n## Second\nAnswer two\n")
    assert diags == ()
    assert deck.title == "Title"
    assert [(c.question_text, c.location.line) for c in deck.cards] == [("First question", 4), ("Second", 8)]


def test_subheadings_lists_tables_and_code_stay_in_the_answer():
    text = "# D\n## Q\nText\n\n### Sub\n- a\n- b\n\n| x | y |\n|---|---|\n| 1 | 2 |\n\n~~old~~\n\n- [x] done\n## Next\nN\n"
    deck, diags = deck_of(text)
    assert diags == ()
    html = deck.cards[0].answer_html
    for fragment in ("<h3>Sub</h3>", "<li>a</li>", "<table>", "<td>2</td>", "<s>old</s>", 'type="checkbox"'):
        assert fragment in html
    assert deck.cards[1].location.line == 16


def test_bom_and_crlf_never_reach_a_card():
    deck, diags = deck_of("\ufeff# D\r\n## Q1\r\nline one\r\nline two\r\n\r\n## Q2\rA2\r")
    assert diags == ()
    assert deck.title == "D"
    for card in deck.cards:
        assert "\r" not in card.answer_html and "\ufeff" not in card.question_html
    assert [c.location.line for c in deck.cards] == [2, 6]


def test_pin_sets_the_key_and_is_hidden():
    deck, _ = deck_of("# D\n## Why ReLU? {#relu-why}\nBecause.\n## Plain *question*?\nA\n")
    first, second = deck.cards
    assert (first.key, first.pinned, first.question_html) == ("relu-why", True, "Why ReLU?")
    assert (second.key, second.pinned) == ("plain-question", False)
    assert second.question_html == "Plain <em>question</em>?"


def test_guid_depends_on_question_not_answer():
    a, _ = deck_of("# D\n## Q?\nA\n")
    b, _ = deck_of("# D\n## Q?\nB, a much longer answer\n")
    assert note_guid(a.title, a.cards[0].key) == note_guid(b.title, b.cards[0].key)
    c, _ = deck_of("# D\n## Other?\nA\n")
    assert note_guid(a.title, a.cards[0].key) != note_guid(c.title, c.cards[0].key)
    assert slugify("ReLU의 문제점은?") == "relu의-문제점은"


def test_duplicates_and_empty_answers_are_reported_with_lines():
    lib = read_text("# D\n## Q\nA\n## Other\n\n## Q\nB\n## Last\n<!-- todo -->\n", path="x.md")
    assert [str(d) for d in lib.diagnostics] == [
        # Directly followed by a heading: a section, as GitHub shows it (issue 12).
        "x.md:4: warning: 'Other' has no answer and another heading follows it: read as a section heading, "
        "not a question",
        "x.md:6: error: duplicate question (first at line 2)",
        "x.md:8: error: question 'Last' has an empty answer",
    ]


def test_raw_html_is_sanitized():
    deck, _ = deck_of('# D\n## Q\n<script>alert(1)</script><b onclick="x()">bold</b><br><kbd>Ctrl</kbd>\n[x](javascript:alert(1)) <a href="javascript:alert(2)">y</a>\n')
    html = deck.cards[0].answer_html
    assert "<script" not in html and "onclick" not in html and 'href="javascript:' not in html
    assert "<b>bold</b>" in html and "<kbd>Ctrl</kbd>" in html and "<br>" in html


def test_decomposed_hangul_is_composed():
    """NFD Hangul (as macOS can produce) becomes the same card as NFC."""
    import unicodedata

    nfd = unicodedata.normalize("NFD", "# 덱\n## 하이퍼 파라미터란?\n답이다.\n")
    deck, _ = deck_of(nfd)
    card = deck.cards[0]
    assert card.question_html == "하이퍼 파라미터란?" and card.answer_html == "<p>답이다.</p>"
    assert card.key == slugify("하이퍼 파라미터란?") and deck.title == "덱"


def test_new_syntax_never_changes_an_existing_questions_key():
    """Keys (and so Anki GUIDs) are slugs of the question as cardpress read
    it before it understood math: `$a*b*c$` used to be emphasis, read as
    "abc". Learning a syntax must not give such a question a new note."""
    cases = {"$a*b*c$ 란?": "abc-란", "$x_i$의 의미는?": "x_i-의-의미는", r"\(\sigma(x)\) 의 범위는?": "sigma-x-의-범위는",
             "**$p$-value**란?": "p-value란"}
    for question, key in cases.items():
        deck, _ = deck_of(f"# D\n## {question}\nanswer\n")
        assert deck.cards[0].key == key, question
    # The question itself shows the formula as written.
    deck, _ = deck_of("# D\n## $a*b*c$ 란?\nanswer\n")
    assert deck.cards[0].question_text == "a*b*c 란?"


def test_a_title_from_a_decomposed_file_name_is_composed():
    """macOS writes Korean file names decomposed (NFD); the title shows
    composed, while the GUIDs keep the spelling they always had."""
    import unicodedata

    name = unicodedata.normalize("NFD", "딥러닝-기초.md")
    deck, _ = deck_of("## Q\nA\n", path=name)
    assert deck.title == "딥러닝 기초" and unicodedata.is_normalized("NFC", deck.title)
    assert deck.namespace == unicodedata.normalize("NFD", "딥러닝 기초")


def test_heading_attributes_pin_options_and_tags():
    """One syntax for a card's settings: `{#id .option key="value"}` ends the
    heading; a `{...}` that is not made of such items is question text."""
    lib = read_text('# D\n## Q one {#q1 .reverse tags="ml::basics  b"}\nA\n## Q two {.type .bogus x=1}\nB\n'
                    '## Set {1, 2}\nC\n## Old pin {#p}\nD\n## Bad tag {tags="a\u0007b ::c::"}\nE\n', path="x.md")
    got = [(c.key, c.pinned, c.classes, c.tags, c.question_text) for c in lib.decks[0].cards]
    assert got == [("q1", True, ("reverse",), ("ml::basics", "b"), "Q one"),
                   ("q-two", False, ("type",), (), "Q two"),
                   ("set-1-2", False, (), (), "Set {1, 2}"),
                   ("p", True, (), (), "Old pin"),
                   ("bad-tag", False, (), ("ab", "c"), "Bad tag")]
    assert [str(d) for d in lib.diagnostics] == [
        "x.md:4: warning: unknown card option '.bogus'; known: .reverse, .type",
        "x.md:4: warning: unknown heading attribute 'x='; known: tags=",
        "x.md:10: warning: invisible control character U+0007 removed",  # by the decoder, before attributes
        "x.md:10: warning: tag '::c::' holds characters Anki tags cannot; using 'c'",
    ]
