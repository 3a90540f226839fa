"""The deck in real Anki: import, study, edit, rebuild, re-import.

This is the promise users care about most: a rebuild updates the notes they
already study, in place, and never costs them a review."""

from __future__ import annotations

import hashlib
import html
import os
import re
import zipfile
from pathlib import Path

import pytest

from cardpress.build import build
from anki_helpers import import_apkg, notes_by_question, open_collection, review
from conftest import NOTES

DECK = "AI 개발관련 지식"


def _build(src: Path, out: Path) -> Path:
    result = build([str(src)], out, ["apkg"])
    assert result.ok, result.diagnostics
    (apkg,) = result.outputs
    return apkg


def _questions_in_notes() -> list[str]:
    return [line[3:].strip() for line in NOTES.read_text("utf-8").splitlines() if line.startswith("## ")]


def _touch_later(path: Path, seconds: int = 5) -> None:
    """Editors set the mtime to now; tests run faster than the clock, so
    push it forward explicitly (mod times are whole seconds)."""
    st = path.stat()
    os.utime(path, (st.st_atime + seconds, st.st_mtime + seconds))


@pytest.fixture
def col(tmp_path):
    c = open_collection(tmp_path / "collection.anki2")
    yield c
    c.close()


def test_fresh_import_has_every_card_intact(notes_copy, tmp_path, col):
    apkg = _build(notes_copy, tmp_path / "dist")
    log = import_apkg(col, apkg)
    assert len(log.new) == 19 and not log.duplicate and not log.conflicting

    assert col.note_count() == 19
    assert DECK in [d.name for d in col.decks.all_names_and_ids()]
    deck_id = col.decks.id_for_name(DECK)
    assert len(col.find_cards(f"did:{deck_id}")) == 19

    notes = notes_by_question(col)
    assert sorted(notes) == sorted(_questions_in_notes())
    relu = notes["ReLU의 문제점은?"]
    assert "max(0, x)" in relu["Answer"] and "LeakyReLU" in relu["Answer"]
    image = notes["Gradient Descent 종류에 대한 각각을 설명한다면?"]
    assert '<img src="https://www.dropbox.com/s/k03ffo5rjlwc03z/optimizers.png?raw=1" alt="참조">' in image["Answer"]
    assert image.note_type()["name"] == "cardpress Basic"
    assert [f["name"] for f in image.note_type()["flds"]] == ["Question", "Answer", "Extra", "CardId"]
    # No stray BOM or CR anywhere.
    for note in notes.values():
        assert "\r" not in note["Answer"] and "\ufeff" not in note["Question"]

    # The card renders through the shared partial, with the bundled font in media.
    card = col.get_card(col.find_cards('"Question:ReLU의 문제점은?"')[0])
    assert 'class="cp-question"' in card.question() and "ReLU의 문제점은?" in card.question()
    assert "LeakyReLU" in card.answer()
    media = os.listdir(col.media.dir())
    assert any(name.startswith("_cardpress-pretendard-regular-") for name in media)


def test_edit_rebuild_reimport_keeps_history(notes_copy, tmp_path, col):
    out = tmp_path / "dist"
    import_apkg(col, _build(notes_copy, out))
    reviewed = review(col, 3, "good")
    assert len(reviewed) == 3
    before = {cid: (col.get_card(cid).reps, col.get_card(cid).ivl, col.get_card(cid).type) for cid in reviewed}
    assert all(reps == 1 for reps, _, _ in before.values())

    # Edit one answer (the first reviewed card's) in the user's copy.
    notes = notes_copy / "ai-dev-knowledge.md"
    edited_q = col.get_card(reviewed[0]).note()["Question"]
    text = notes.read_text("utf-8")
    lines = text.split("\n")
    i = lines.index(f"## {edited_q}")
    lines[i + 1] = lines[i + 1] + " 수정된 답변입니다."
    notes.write_text("\n".join(lines), "utf-8")
    _touch_later(notes)

    log = import_apkg(col, _build(notes_copy, out))
    # Anki logs unchanged notes (same mod time) as "duplicate": nothing else changed.
    assert len(log.updated) == 1 and not log.new and not log.conflicting and len(log.duplicate) == 18
    assert log.updated[0].fields[0] == edited_q
    assert col.note_count() == 19
    assert "수정된 답변입니다." in notes_by_question(col)[edited_q]["Answer"]
    after = {cid: (col.get_card(cid).reps, col.get_card(cid).ivl, col.get_card(cid).type) for cid in reviewed}
    assert after == before

    # An unchanged rebuild changes nothing: every note is a "duplicate" (same mod time).
    log = import_apkg(col, _build(notes_copy, out))
    assert not log.new and not log.updated and not log.conflicting
    assert len(log.duplicate) == 19
    assert col.note_count() == 19


def test_reworded_pinned_question_updates_same_note(notes_copy, tmp_path, col):
    out = tmp_path / "dist"
    notes = notes_copy / "ai-dev-knowledge.md"
    notes.write_text(notes.read_text("utf-8").replace("## ReLU의 문제점은?", "## ReLU의 문제점은? {#relu-problem}"), "utf-8")
    import_apkg(col, _build(notes_copy, out))
    (cid,) = col.find_cards('"Question:ReLU의 문제점은?"')
    col.sched.set_due_date([cid], "0")  # make sure it is queued today
    reviewed = review(col, 19, "good")
    assert cid in reviewed
    reps_before, ivl_before = col.get_card(cid).reps, col.get_card(cid).ivl

    notes.write_text(notes.read_text("utf-8").replace("## ReLU의 문제점은? {#relu-problem}",
                                                     "## ReLU 함수의 약점은 무엇인가? {#relu-problem}"), "utf-8")
    _touch_later(notes)
    log = import_apkg(col, _build(notes_copy, out))
    assert len(log.updated) == 1 and not log.new and not log.conflicting
    assert col.note_count() == 19
    card = col.get_card(cid)
    assert card.note()["Question"] == "ReLU 함수의 약점은 무엇인가?"
    assert (card.reps, card.ivl) == (reps_before, ivl_before)


def test_same_sources_give_identical_bytes(notes_copy, tmp_path):
    first = _build(notes_copy, tmp_path / "a").read_bytes()
    second = _build(notes_copy, tmp_path / "b").read_bytes()  # no manifest: fresh build
    again = _build(notes_copy, tmp_path / "a").read_bytes()  # with manifest
    assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest() == hashlib.sha256(again).digest()


def test_ids_do_not_depend_on_machine_or_answer(notes_copy, tmp_path):
    """GUIDs come from the deck title and the question only."""
    import sqlite3

    def guids(apkg: Path) -> dict[str, str]:
        with zipfile.ZipFile(apkg) as z:
            db = tmp_path / "c.sqlite"
            db.write_bytes(z.read("collection.anki2"))
        con = sqlite3.connect(db)
        rows = dict((flds.split("\x1f")[0], guid) for guid, flds in con.execute("select guid, flds from notes"))
        con.close()
        return rows

    before = guids(_build(notes_copy, tmp_path / "a"))
    notes = notes_copy / "ai-dev-knowledge.md"
    notes.write_text(re.sub(r"(\n## [^\n]+\n)([^\n#])", r"\1다른 답. \2", notes.read_text("utf-8")), "utf-8")
    after = guids(_build(notes_copy, tmp_path / "b"))
    assert before == after and len(before) == 19


def test_remote_image_is_not_fetched(notes_copy, tmp_path, monkeypatch):
    """No network during a build: any socket use fails the test."""
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("the build opened a network connection")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    apkg = _build(notes_copy, tmp_path / "dist")
    with zipfile.ZipFile(apkg) as z:
        names = set(z.read("media").decode())
    assert "optimizers" not in "".join(names)


def test_local_images_are_bundled_and_referenced(tmp_path, col):
    """Images in questions and answers, with names that need escaping, reach
    Anki's media folder and the fields point at them."""
    src = tmp_path / "src"
    (src / "img" / "a").mkdir(parents=True)
    (src / "img" / "b").mkdir(parents=True)
    png = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
    (src / "img" / "a" / "x.png").write_bytes(png)
    (src / "img" / "b" / "x.png").write_bytes(png + b"\0")  # same name, other content
    (src / "img" / "it's & fine.png").write_bytes(png)
    (src / "deck.md").write_text(
        "# 그림 덱\n## 이 그림은? ![q](img/a/x.png)\n![a](img/b/x.png)\n\n## 둘째\n![c](<img/it's & fine.png>)\n", "utf-8")
    import_apkg(col, _build(src, tmp_path / "dist"))
    notes = notes_by_question(col)
    media = set(os.listdir(col.media.dir()))
    first = next(n for q, n in notes.items() if q.startswith("이 그림은?"))
    for field in (first["Question"], first["Answer"], notes["둘째"]["Answer"]):
        (name,) = re.findall(r'src="([^"]+)"', field)
        assert html.unescape(name) in media, (name, media)
