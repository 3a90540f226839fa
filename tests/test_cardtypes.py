"""Card kinds (issue 13): clozes, reversed and typed cards, each its own Anki
note type with a fixed id, fields and template names.

Real parts: the reader; Anki's own backend (import, card generation,
rendering, reviews, Change Note Type); WeasyPrint and pdftotext/pdfplumber
for the PDFs. The site in Chromium is tests/test_cardtypes_browser.py.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from anki.scheduler_pb2 import CardAnswer

from anki_helpers import import_apkg, open_collection, review
from conftest import REPO, subprocess_env

from cardpress.apkg_read import read_package
from cardpress.build import build
from cardpress.identity import note_guid
from cardpress.manifest import Manifest
from cardpress.markup import plain_text
from cardpress.model import Severity
from cardpress.notetypes import BASIC, CLOZE, REVERSED, TYPED
from cardpress.read import read_library

DECK = "Kinds"
CARDS = """# Kinds

## 활성화 함수 {#act}
{{c1::ReLU}}는 음수를 0으로 만들고, {{c2::시그모이드::함수 이름}}는
출력을 {{c3::$\\frac{1}{1+e^{-x}}$}} 사이로 누릅니다.

## The capital of South Korea is {{c1::Seoul}} {#capital}

## 과적합 · overfitting {#overfit .reverse}
훈련 데이터에는 잘 맞지만 새 데이터에는 잘 맞지 않는 상태.

## Which Python keyword defines a function? {#def .type}
`def`

Then the name and the parameters.

## Plain question {#plain}
Plain answer.
"""


def write_notes(root: Path, text: str = CARDS, name: str = "kinds.md") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    path = root / name
    path.write_text(text, "utf-8")
    return path


def touch_later(path: Path, seconds: int = 5) -> None:
    """Mod times are whole seconds and tests outrun the clock."""
    st = path.stat()
    os.utime(path, (st.st_atime + seconds, st.st_mtime + seconds))


def read(text: str, tmp_path: Path):
    write_notes(tmp_path / "src", text)
    return read_library([str(tmp_path / "src")])


def apkg_build(src: Path, out: Path):
    result = build([str(src)], out, ["apkg"])
    assert result.ok, [str(d) for d in result.diagnostics]
    return result


def shown(rendered: str) -> str:
    """The text a rendered Anki card shows (its CSS and tags left out)."""
    return plain_text(rendered.split("</style>")[-1])


def answer(col, card_id: int) -> None:
    """Study one card (Good) through Anki's scheduler."""
    card = col.get_card(card_id)
    card.start_timer()
    states = col._backend.get_scheduling_states(card.id)
    col.sched.answer_card(col.sched.build_answer(card=card, states=states, rating=CardAnswer.GOOD))


@pytest.fixture
def col(tmp_path):
    c = open_collection(tmp_path / "collection.anki2")
    yield c
    c.close()


# ---- the reader ---------------------------------------------------------------

def test_kinds_and_cloze_elements(tmp_path):
    lib = read(CARDS, tmp_path)
    assert not lib.diagnostics, [str(d) for d in lib.diagnostics]
    cards = {c.key: c for c in lib.decks[0].cards}
    assert {k: c.kind for k, c in cards.items()} == {
        "act": "cloze", "capital": "cloze", "overfit": "reversed", "def": "typed", "plain": "basic"}
    act = cards["act"].answer_html
    assert '<span class="cp-cloze cp-c1">ReLU</span>' in act
    assert '<span class="cp-cloze cp-c2" title="함수 이름">시그모이드</span>' in act
    # Math inside a cloze is a formula, and its `}}` did not end the cloze.
    assert '<span class="cp-cloze cp-c3"><span class="cp-math">\\frac{1}{1+e^{-x}}</span></span>' in act
    # A question holding the clozes needs no answer.
    assert cards["capital"].answer_html == "" and "cp-c1" in cards["capital"].question_html
    assert cards["def"].typed == "def"


def test_markdown_inside_and_escapes(tmp_path):
    lib = read("# D\n\n## Q\n{{c1::**bold** `a::b}}` ![i](x.png)::hint}} and \\{{c2::not}} `{{c3::code}}`\n",
               tmp_path)
    (card,) = lib.decks[0].cards
    html = card.answer_html
    assert '<span class="cp-cloze cp-c1" title="hint"><strong>bold</strong> <code>a::b}}</code>' in html
    assert "{{c2::not}}" in html and "<code>{{c3::code}}</code>" in html and "cp-c2" not in html


@pytest.mark.parametrize("line, message", [
    ("{{c1:x}}", "malformed cloze '{{c1:x}}'"),
    ("{{c0::x}}", "cloze numbers start at 1"),
    ("text {{c1::never closed", "is not closed with '}}'"),
    ("{{c::x}}", "has no number"),
    ("{{c1::}}", "is empty"),
    ("{{c1::a {{c2::b}} c}}", "is inside another cloze"),
])
def test_malformed_cloze_is_an_error_at_its_line(tmp_path, line, message):
    lib = read(f"# D\n\n## Q\nfirst line\n{line}\n", tmp_path)
    errors = [d for d in lib.diagnostics if d.severity is Severity.ERROR]
    assert len(errors) == 1, [str(d) for d in lib.diagnostics]
    assert errors[0].location.line == 5 and message in errors[0].message


def test_malformed_cloze_on_the_command_line(tmp_path):
    write_notes(tmp_path / "src", "# D\n\n## Q\n{{c1:x}}\n")
    proc = subprocess.run([sys.executable, str(REPO / "build.py"), "check", "src"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, env=subprocess_env())
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "src/kinds.md:4: error: malformed cloze '{{c1:x}}': write {{c1::text}} or {{c1::text::hint}}" \
        in proc.stderr


def test_option_conflicts_and_defaults(tmp_path):
    text = ("---\nreverse: true\n---\n# D\n\n## both {.reverse .type}\nx\n\n## cloze typed {.type}\n{{c1::x}}\n\n"
            "## long {.type}\n" + "word " * 15 + "\n\n## ok {.type}\nshort\n\n## default\nanswer\n\n"
            "## cloze default\n{{c1::y}}\n")
    lib = read(text, tmp_path)
    found = sorted((d.location.line, d.severity.value, d.message[:44]) for d in lib.diagnostics)
    assert found == [
        (6, "error", "a card cannot be both .reverse and .type (it"),
        (9, "error", "a card with clozes is a cloze card and canno"),
        (12, "warning", "the answer to type is 74 characters long ('w"),
    ]
    kinds = {c.key: c.kind for c in lib.decks[0].cards}
    assert kinds == {"long": "typed", "ok": "typed", "default": "reversed", "cloze-default": "cloze"}


def test_cloze_element_survives_the_sanitizer():
    """What the reader writes passes nh3 and reads back the same, a hint with
    quotes and `<&>` and a formula inside included."""
    from cardpress import sanitize
    from cardpress.markup import Cloze, cloze_open, map_cloze

    hint = 'say "x" <&>'
    html = f'<p>a {cloze_open(2, hint)}<em>b</em> <span class="cp-math">x^{{2}}</span></span> c</p>'
    found: list[Cloze] = []
    out = map_cloze(sanitize.clean(html), lambda c: found.append(c) or "[]")
    assert out == "<p>a [] c</p>"
    assert found == [Cloze(2, '<em>b</em> <span class="cp-math">x^{2}</span>', hint)]


def test_keys_do_not_change_when_clozes_are_learnt(tmp_path):
    """A question already holding `{{c1::...}}` keeps the key it had as text."""
    lib = read("# D\n\n## The capital is {{c1::Seoul}}\nx\n", tmp_path)
    assert lib.decks[0].cards[0].key == "the-capital-is-c1-seoul"


# ---- Anki ---------------------------------------------------------------------

def test_note_types_cards_and_rendering(tmp_path, col):
    write_notes(tmp_path / "src")
    result = apkg_build(tmp_path / "src", tmp_path / "dist")
    (apkg,) = result.outputs
    log = import_apkg(col, apkg)
    assert len(log.new) == 5 and not log.conflicting
    by_key = {col.get_note(n)["CardId"]: col.get_note(n) for n in col.find_notes("")}
    for key, nt in {"act": CLOZE, "capital": CLOZE, "overfit": REVERSED, "def": TYPED, "plain": BASIC}.items():
        model = by_key[key].note_type()
        assert (model["id"], model["name"]) == (nt.id, nt.name)
        assert tuple(f["name"] for f in model["flds"]) == nt.fields
        assert tuple(t["name"] for t in model["tmpls"]) == nt.templates
        assert by_key[key].guid == note_guid(DECK, key)
    assert col.models.by_name("cardpress Cloze")["type"] == 1  # Anki's cloze kind
    # Anki makes the cards: one per distinct cN, two for a reversed note.
    assert sorted(c.ord for c in by_key["act"].cards()) == [0, 1, 2]
    assert len(by_key["capital"].cards()) == 1
    assert sorted(c.ord for c in by_key["overfit"].cards()) == [0, 1]
    assert len(by_key["def"].cards()) == len(by_key["plain"].cards()) == 1

    act = by_key["act"]
    assert act["Context"] == "활성화 함수" and act["Back"] == ""
    first = next(c for c in act.cards() if c.ord == 0)
    question = first.question()
    assert shown(question).startswith("활성화 함수 [...]는 음수를 0으로 만들고, 시그모이드는")
    # The formula's `}}` reaches MathJax as written, and did not end the cloze for Anki.
    assert "\\(\\frac{1}{1+e^{-x}}\\)" in shown(question)
    assert "ReLU는" in shown(first.answer())
    hinted = next(c for c in act.cards() if c.ord == 1).question()
    assert "[함수 이름]는" in shown(hinted)
    reverse = next(c for c in by_key["overfit"].cards() if c.ord == 1)
    assert shown(reverse.question()) == "훈련 데이터에는 잘 맞지만 새 데이터에는 잘 맞지 않는 상태."
    assert shown(reverse.answer()).endswith("과적합 · overfitting")
    typed = by_key["def"]
    assert typed["Typed"] == "def"
    assert "[[type:Typed]]" in typed.cards()[0].question()  # the reviewer's type-in box


def test_review_edit_cloze_reimport_updates_in_place(tmp_path, col):
    src = write_notes(tmp_path / "src")
    out = tmp_path / "dist"
    (apkg,) = apkg_build(src.parent, out).outputs
    import_apkg(col, apkg)
    reviewed = review(col, 3, deck=DECK)
    assert len(reviewed) == 3
    reps = {c: col.get_card(c).reps for c in reviewed}
    ids = {n: col.get_note(n).guid for n in col.find_notes("")}

    src.write_text(CARDS.replace("{{c1::ReLU}}는", "{{c1::ReLU}}(정류 선형 유닛)는"), "utf-8")
    touch_later(src)
    (apkg,) = apkg_build(src.parent, out).outputs
    log = import_apkg(col, apkg)
    assert (len(log.new), len(log.updated), len(log.conflicting)) == (0, 1, 0)
    assert {n: col.get_note(n).guid for n in col.find_notes("")} == ids
    note = col.get_note(col.find_notes('"CardId:act"')[0])
    assert "{{c1::ReLU}}(정류 선형 유닛)" in note["Text"]
    assert sorted(c.ord for c in note.cards()) == [0, 1, 2]
    assert {c: col.get_card(c).reps for c in reviewed} == reps


def test_switching_kind_is_warned_and_updates_after_change_note_type(tmp_path, col):
    src = write_notes(tmp_path / "src")
    out = tmp_path / "dist"
    (apkg,) = apkg_build(src.parent, out).outputs
    import_apkg(col, apkg)
    plain = col.get_note(col.find_notes('"CardId:plain"')[0])
    card_id = plain.cards()[0].id
    answer(col, card_id)
    reps = col.get_card(card_id).reps
    assert reps == 1

    src.write_text(CARDS.replace("Plain answer.", "Plain {{c1::answer}}."), "utf-8")
    touch_later(src)
    result = apkg_build(src.parent, out)
    (warning,) = [d for d in result.diagnostics if "note type" in d.message]
    line = CARDS.splitlines().index("## Plain question {#plain}") + 1
    assert warning.location.line == line
    assert warning.message.endswith('Anki has its note as "cardpress Basic" and cannot change a note\'s type on '
                                    "import: it keeps its history only if you change its note type in Anki "
                                    "(Browse → Notes → Change Note Type); the next import will then update it")
    (changes,) = result.changes
    assert changes.retyped == [("Plain question", "cardpress Basic", "cardpress Cloze")]
    manifest = json.loads((out / ".cardpress" / "manifest.json").read_text("utf-8"))
    assert manifest["decks"][DECK]["notes"][plain.guid]["notetype"] == CLOZE.id

    (apkg,) = result.outputs
    log = import_apkg(col, apkg)  # Anki cannot change the note's type on import
    assert (len(log.new), len(log.updated), len(log.conflicting)) == (0, 0, 1)
    assert col.get_note(plain.id).note_type()["name"] == "cardpress Basic"
    assert not [m.name for m in col.models.all_names_and_ids() if m.name.endswith("+")]

    # The user changes it in Anki, then imports the same package again.
    info = col.models.change_notetype_info(old_notetype_id=BASIC.id, new_notetype_id=CLOZE.id)
    request = info.input
    request.note_ids.append(plain.id)
    col.models.change_notetype_of_notes(request)
    log = import_apkg(col, apkg)
    assert (len(log.new), len(log.updated), len(log.conflicting)) == (0, 1, 0)
    note = col.get_note(plain.id)
    assert note.note_type()["name"] == "cardpress Cloze" and note["Text"] == "<p>Plain {{c1::answer}}.</p>"
    assert note["Context"] == "Plain question" and note.guid == plain.guid
    assert col.get_card(card_id).reps == reps  # the same card, its history kept

    # The next build no longer warns: the manifest knows the new type.
    touch_later(src)
    again = build([str(src.parent)], out, ["apkg"], incremental=False)
    assert not [d for d in again.diagnostics if "note type" in d.message]


def test_shipped_deck_reimports_unchanged(notes_copy, tmp_path, col):
    """The shipped (all Basic) deck: a package from before card kinds, then
    one from this build, re-imported: nothing new, nothing conflicting,
    nothing updated, and no second note type."""
    out = tmp_path / "dist"
    (apkg,) = apkg_build(notes_copy, out).outputs
    assert len(import_apkg(col, apkg).new) == 19
    reviewed = review(col, 3)
    reps = {c: col.get_card(c).reps for c in reviewed}
    package = read_package(apkg)
    assert list(package.notetypes) == [BASIC.id]
    basic = package.notetypes[BASIC.id]
    assert (basic.name, basic.field_names, tuple(basic.templates)) == (BASIC.name, BASIC.fields, BASIC.templates)
    manifest = (out / ".cardpress" / "manifest.json").read_text("utf-8")
    assert not re.search(r'"notetype":\d', manifest)  # Basic notes are recorded as before

    # An old manifest (no note types in it) reads as Basic: no type change.
    assert all(r.notetype == BASIC.id for r in Manifest.load(out).decks["AI 개발관련 지식"].notes.values())
    before = apkg.read_bytes()
    result = build([str(notes_copy)], out, ["apkg"], incremental=False)
    assert result.ok and not [d for d in result.diagnostics if "note type" in d.message]
    assert apkg.read_bytes() == before  # written again, the same bytes
    log = import_apkg(col, apkg)
    assert (len(log.new), len(log.updated), len(log.conflicting)) == (0, 0, 0)
    ours = [m.name for m in col.models.all_names_and_ids() if m.name.startswith("cardpress")]
    assert ours == ["cardpress Basic"]  # no "cardpress Basic+" copy
    assert {c: col.get_card(c).reps for c in reviewed} == reps


# ---- push: packages with several note types -------------------------------------

@pytest.mark.slow
def test_push_several_note_types(tmp_path):
    from ankiconnect_server import AnkiConnectServer

    write_notes(tmp_path / "source")
    (tmp_path / "anki").mkdir()
    with AnkiConnectServer(tmp_path / "anki" / "collection.anki2") as server:
        env = {k: v for k, v in subprocess_env().items() if not k.startswith("ANKICONNECT_")}
        env.update({"HTTP_PROXY": "http://127.0.0.1:9", "http_proxy": "http://127.0.0.1:9", "NO_PROXY": ""})

        def push() -> subprocess.CompletedProcess:
            return subprocess.run([sys.executable, str(REPO / "build.py"), "push", "source", "-f", "apkg",
                                   "--url", server.url], cwd=tmp_path, capture_output=True, text=True, timeout=180,
                                  env=env, stdin=subprocess.DEVNULL)
        first = push()
        assert first.returncode == 0, first.stderr
        assert f"{DECK}: +5 new, ~0 updated, 0 unchanged in Anki" in first.stdout
        second = push()
        assert second.returncode == 0 and f"{DECK}: up to date in Anki (5 card(s))" in second.stdout

        src = tmp_path / "source" / "kinds.md"
        src.write_text(CARDS.replace("Plain answer.", "Plain {{c1::answer}}."), "utf-8")
        touch_later(src)
        third = push()
        assert third.returncode == 1, third.stderr
        assert ('dist/kinds.apkg: error: 1 card(s) have another note type in Anki than in the notes (first: '
                '"Plain question", "cardpress Basic" in Anki, "cardpress Cloze" now), which no import can change: '
                "change it there (Browse → Notes → Change Note Type), then push again") in third.stderr
        assert "Traceback" not in third.stderr
        with server.lock:  # nothing was imported: AnkiConnect's "Merge note types" would have failed the deck
            col = server.col
            assert sorted(m.name for m in col.models.all_names_and_ids() if m.name.startswith("cardpress")) == [
                "cardpress Basic", "cardpress Cloze", "cardpress Reversed", "cardpress Typed"]
            nid = col.find_notes('"CardId:plain"')[0]
            request = col.models.change_notetype_info(old_notetype_id=BASIC.id, new_notetype_id=CLOZE.id).input
            request.note_ids.append(nid)
            col.models.change_notetype_of_notes(request)
        fourth = push()
        assert fourth.returncode == 0, fourth.stderr
        assert f"{DECK}: +0 new, ~1 updated, 4 unchanged in Anki" in fourth.stdout
        with server.lock:
            assert server.col.get_note(nid)["Text"] == "<p>Plain {{c1::answer}}.</p>"
            assert [t["name"] for t in server.col.models.by_name("cardpress Cloze")["tmpls"]] == ["Cloze"]


# ---- the PDF (WeasyPrint, read back with pdfplumber) ----------------------------

def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    """The three layouts of the kinds deck."""
    root = tmp_path_factory.mktemp("kinds-pdf")
    write_notes(root / "src")
    out = root / "dist"
    for layout in ("handout", "quiz", "cards"):
        result = build([str(root / "src")], out, ["pdf"], layout=layout, incremental=False)
        assert result.ok and not result.diagnostics, [str(d) for d in result.diagnostics]
    return {"handout": out / "kinds.pdf", "quiz": out / "kinds.quiz.pdf", "cards": out / "kinds.cards.pdf"}


@pytest.mark.slow
def test_handout_blanks_and_key(pdfs):
    import pdfplumber

    with pdfplumber.open(pdfs["handout"]) as pdf:
        pages = [squash(p.extract_text() or "") for p in pdf.pages]
        body = pages[-1]
        # Numbered blanks with their hints, then the key under the card.
        blanks = "1활성화함수1는음수를0으로만들고,2함수이름는출력을3사이로누릅니다."
        assert blanks + "1ReLU2시그모이드3" in body
        assert body.index("ReLU") > body.index(blanks)
        assert "2ThecapitalofSouthKoreais11Seoul" in body
        # The contents give nothing away.
        assert "2ThecapitalofSouthKoreais[…]1" in pages[1] and "Seoul" not in pages[1]
        look_at_a_blank(pdfs["handout"], pdf.pages[-1])


def look_at_a_blank(path: Path, page) -> None:
    """Render the page and look: under the first blank's number, a drawn
    line about as wide as the blank (3.4 em), dark on the paper."""
    from PIL import Image

    number = next(w for w in page.extract_words(extra_attrs=["size"]) if w["text"] == "1" and w["size"] < 7)
    box = next(r for r in page.rects if r["x0"] <= number["x0"] and number["x1"] <= r["x1"] and r["width"] < 60)
    scale = 2  # 144 dpi
    png = path.with_suffix(".png")
    subprocess.run(["pdftoppm", "-r", str(72 * scale), "-f", str(page.page_number), "-l", str(page.page_number),
                    "-png", "-singlefile", str(path), str(png.with_suffix(""))], check=True)
    image = Image.open(png).convert("L")
    rows = range(int(number["bottom"] * scale), int((box["bottom"] + 3) * scale))
    span = range(int(box["x0"] * scale), int(box["x1"] * scale))
    dark = max(sum(image.getpixel((x, y)) < 100 for x in span) for y in rows)
    assert dark >= 0.9 * len(span), (dark, len(span))


@pytest.mark.slow
def test_quiz_blanks_then_filled_key(pdfs):
    import pdfplumber

    with pdfplumber.open(pdfs["quiz"]) as pdf:
        pages = [squash(p.extract_text() or "") for p in pdf.pages]
        first_key = next(i for i, text in enumerate(pages) if text.startswith("Kinds정답"))
        # The key is set in two columns: each read top to bottom.
        key = "".join(squash(page.crop((0, 0, page.width / 2, page.height)).extract_text() +
                             page.crop((page.width / 2, 0, page.width, page.height)).extract_text())
                      for page in pdf.pages[first_key:])
    questions = "".join(pages[:first_key])
    assert "1활성화함수1는음수를0으로만들고,2함수이름는출력을3사이로누릅니다." in questions
    assert "ReLU" not in questions and "Seoul" not in questions
    assert "1활성화함수ReLU는음수를0으로만들고,시그모이드는" in key
    assert "2ThecapitalofSouthKoreaisSeoul" in key


@pytest.mark.slow
def test_flashcards_one_per_cloze_and_both_directions(pdfs):
    import pdfplumber

    from cardpress.writers.pdf.layout import PAPERS, Grid

    grid = Grid(PAPERS["a4"])
    mm = 72 / 25.4
    with pdfplumber.open(pdfs["cards"]) as pdf:
        assert len(pdf.pages) == 2  # 8 cards: one sheet, fronts then backs
        cells = {}
        for n in range(1, 9):
            texts = []
            for page, (x, y) in ((pdf.pages[0], grid.front(n - 1)), (pdf.pages[1], grid.back(n - 1))):
                crop = page.crop((x * mm, y * mm, (x + grid.cell_width) * mm, (y + grid.cell_height) * mm))
                texts.append(squash(crop.extract_text() or ""))
            cells[n] = texts
    # act: c1, c2, c3, each a blank on the front (the others shown), filled on the back.
    assert "ReLU" not in cells[1][0] and "시그모이드" in cells[1][0] and "ReLU는" in cells[1][1]
    assert "ReLU는" in cells[2][0] and "함수이름" in cells[2][0] and "시그모이드" not in cells[2][0]
    assert "시그모이드는" in cells[2][1]
    assert "ReLU" in cells[3][0] and "시그모이드" in cells[3][0]
    assert "Seoul" not in cells[4][0] and "ThecapitalofSouthKoreaisSeoul" in cells[4][1]
    # The reversed card both ways.
    assert cells[5][0].startswith("5과적합") and "새데이터에는" in cells[5][1]
    assert "훈련데이터에는" in cells[6][0] and "과적합·overfitting" in cells[6][1]
    assert "Whichkeyword" not in cells[7][0] and "def" in cells[7][1]
