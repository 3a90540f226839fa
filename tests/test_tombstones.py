"""Safe removal (issue 13): a card removed from the notes is not left behind
silently. The next package carries its note once more, fields unchanged,
tagged `cardpress::removed`; a card that comes back loses the tag and keeps
its history; `cardpress forget` drops the tombstones. In a real collection."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from anki_helpers import import_apkg, open_collection, review
from cardpress.build import build
from conftest import REPO

DECK = "# Removal\n\n## Keeps?\nStays.\n\n## Goes?\nIt leaves, with $x_i$ and `code`.\n\n## Other?\nAlso stays.\n"


@pytest.fixture
def col(tmp_path):
    c = open_collection(tmp_path / "collection.anki2")
    yield c
    c.close()


def _notes(col) -> dict[str, object]:
    return {col.get_note(nid)["CardId"]: col.get_note(nid) for nid in col.find_notes("")}


def _package_guids(apkg: Path, tmp: Path) -> dict[str, str]:
    with zipfile.ZipFile(apkg) as z:
        (tmp / "p.db").write_bytes(z.read("collection.anki2"))
    with sqlite3.connect(tmp / "p.db") as db:
        return dict(db.execute("select guid, tags from notes"))


def _later(path: Path, seconds: int) -> None:
    st = path.stat()
    os.utime(path, (st.st_atime + seconds, st.st_mtime + seconds))


@pytest.mark.slow
def test_a_removed_card_is_tagged_then_forgotten_and_one_that_returns_keeps_its_history(tmp_path, col):
    src, out = tmp_path / "src", tmp_path / "dist"
    src.mkdir()
    notes = src / "removal.md"
    notes.write_text(DECK, "utf-8")
    assert build([str(src)], out, ["apkg"]).ok
    import_apkg(col, out / "removal.apkg")
    for cid in col.find_cards(""):
        col.sched.set_due_date([cid], "0")
    review(col, 3, "good", deck="Removal")
    before = _notes(col)
    goes_fields = list(before["goes"].values())
    reps = {key: col.get_card(col.find_cards(f'"CardId:{key}"')[0]).reps for key in before}
    assert set(reps.values()) == {1}

    # Remove "Goes?": the changelog says how to find it; the package carries it tagged.
    notes.write_text(DECK.replace("## Goes?\nIt leaves, with $x_i$ and `code`.\n\n", ""), "utf-8")
    _later(notes, 10)
    result = build([str(src)], out, ["apkg"])
    (changes,) = result.changes
    assert changes.removed == ["Goes?"]
    log = import_apkg(col, out / "removal.apkg")
    assert len(log.updated) == 1 and not log.new and not log.conflicting
    now = _notes(col)
    assert col.note_count() == 3
    assert "cardpress::removed" in now["goes"].tags
    assert list(now["goes"].values()) == goes_fields  # fields unchanged
    assert all("cardpress::removed" not in now[k].tags for k in ("keeps", "other"))
    assert col.get_card(col.find_cards('"CardId:goes"')[0]).reps == 1  # history intact
    assert len(col.find_notes("tag:cardpress::removed")) == 1

    # An unchanged rebuild changes nothing in Anki (the tombstone keeps its time).
    log = import_apkg(col, build([str(src)], out, ["apkg"]).outputs[0])
    assert not log.updated and not log.new

    # It comes back: same note, tag gone, history kept.
    notes.write_text(DECK, "utf-8")
    _later(notes, 20)
    assert build([str(src)], out, ["apkg"]).ok
    log = import_apkg(col, out / "removal.apkg")
    assert len(log.updated) == 1 and not log.new
    back = _notes(col)["goes"]
    assert "cardpress::removed" not in back.tags and col.note_count() == 3
    assert col.get_card(col.find_cards('"CardId:goes"')[0]).reps == 1

    # Removed again, then forgotten: the next package leaves it out.
    notes.write_text(DECK.replace("## Goes?\nIt leaves, with $x_i$ and `code`.\n\n", ""), "utf-8")
    _later(notes, 30)
    build([str(src)], out, ["apkg"])
    assert len(_package_guids(out / "removal.apkg", tmp_path)) == 3
    forgot = subprocess.run([sys.executable, str(REPO / "build.py"), "forget", "-o", str(out)],
                            capture_output=True, text=True, timeout=120)
    assert forgot.returncode == 0 and "forgot 1 removed note(s) in 1 deck(s)" in forgot.stdout
    assert build([str(src)], out, ["apkg"]).ok
    packaged = _package_guids(out / "removal.apkg", tmp_path)
    assert len(packaged) == 2 and not any("cardpress::removed" in tags for tags in packaged.values())


def test_a_subdecks_removed_card_keeps_its_own_tags_and_forget_takes_the_deck_name(tmp_path, col):
    src, out = tmp_path / "src", tmp_path / "dist"
    (src / "ml").mkdir(parents=True)
    notes = src / "ml" / "basics.md"
    deck = "# Basics\n\n## Stays? {tags=keep}\nYes.\n\n## Goes? {tags=\"vision ml::cnn\"}\nNo.\n"
    notes.write_text(deck, "utf-8")
    assert build([str(src)], out, ["apkg"]).ok
    import_apkg(col, out / "ml" / "basics.apkg")
    notes.write_text(deck.split("\n## Goes?")[0] + "\n", "utf-8")
    _later(notes, 10)
    (changes,) = build([str(src)], out, ["apkg"]).changes
    assert changes.removed == ["Goes?"]
    log = import_apkg(col, out / "ml" / "basics.apkg")
    assert len(log.updated) == 1 and not log.new and not log.conflicting
    (nid,) = col.find_notes("tag:cardpress::removed")
    assert set(col.get_note(nid).tags) == {"vision", "ml::cnn", "cardpress::removed"}
    assert col.decks.name(col.get_card(col.get_note(nid).card_ids()[0]).did) == "ml::Basics"

    cli = [sys.executable, "-m", "cardpress", "forget", "-o", str(out)]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    shown = subprocess.run([*cli, "--deck", "Basics"], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert shown.returncode == 0 and "0 removed note(s)" in shown.stdout, shown.stdout + shown.stderr
    done = subprocess.run([*cli, "--deck", "ml::Basics"], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert done.returncode == 0 and "1 removed note(s)" in done.stdout, done.stdout + done.stderr
    build([str(src)], out, ["apkg"])
    assert len(_package_guids(out / "ml" / "basics.apkg", tmp_path)) == 1
