"""Review history through the edits people make, in a real Anki collection
(issue 10, items 4, 5 and 20-23): study, edit, rebuild, re-import, then
count notes and reps. Every scenario here lost history or edits before."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from anki_helpers import import_apkg, open_collection, review
from cardpress.build import build
from cardpress.errors import CardpressError
from conftest import REPO

pytestmark = pytest.mark.slow


@pytest.fixture
def col(tmp_path):
    c = open_collection(tmp_path / "collection.anki2")
    yield c
    c.close()


def _apkg(src: Path, out: Path, name: str, **kw) -> Path:
    result = build([str(src)], out, ["apkg"], **kw)
    assert result.ok, [str(d) for d in result.diagnostics]
    return out / f"{name}.apkg"


def _later(path: Path, seconds: int = 5) -> None:
    st = path.stat()
    os.utime(path, (st.st_atime + seconds, st.st_mtime + seconds))


def _reps(col) -> dict[str, int]:
    """Question -> reps of its card, for every note in the collection."""
    return {col.get_note(col.get_card(cid).nid)["Question"]: col.get_card(cid).reps for cid in col.find_cards("")}


def _study_all(col, deck: str) -> None:
    for cid in col.find_cards(f'"deck:{deck}"'):
        col.sched.set_due_date([cid], "0")
    review(col, 50, "good", deck=deck)


# -- item 20: a card moved to another file keeps its note -----------------------

def test_a_card_moved_to_another_file_keeps_its_history(tmp_path, col):
    src, out = tmp_path / "src", tmp_path / "dist"
    src.mkdir()
    (src / "a.md").write_text("# Alpha\n\n## Moving card\nIt moves.\n\n## Staying\nStays.\n", "utf-8")
    (src / "b.md").write_text("# Beta\n\n## Other\nOther.\n", "utf-8")
    for name in ("a", "b"):
        import_apkg(col, _apkg(src, out, name))
    _study_all(col, "Alpha")
    before = _reps(col)
    assert before["Moving card"] == 1

    (src / "a.md").write_text("# Alpha\n\n## Staying\nStays.\n", "utf-8")
    (src / "b.md").write_text("# Beta\n\n## Other\nOther.\n\n## Moving card\nIt moves, edited.\n", "utf-8")
    _later(src / "a.md"), _later(src / "b.md")
    result = build([str(src)], out, ["apkg"])
    (warning,) = [d for d in result.diagnostics if "moved" in d.message]
    assert warning.location.path.endswith("b.md") and warning.location.line == 6
    assert 'card moved from deck "Alpha"' in warning.message and "Change Deck" in warning.message
    beta = next(c for c in result.changes if c.title == "Beta")
    alpha = next(c for c in result.changes if c.title == "Alpha")
    assert beta.moved_in == [("Moving card", "Alpha")] and not beta.new
    assert alpha.moved_out == [("Moving card", "Beta")] and not alpha.removed

    logs = [import_apkg(col, out / f"{name}.apkg") for name in ("a", "b")]
    assert sum(len(log.new) for log in logs) == 0
    assert col.note_count() == 3
    after = _reps(col)
    assert after["Moving card"] == before["Moving card"] == 1  # the studied card, not a copy
    note = col.get_note(col.find_notes('"Question:Moving card"')[0])
    assert note["Answer"] == "<p>It moves, edited.</p>"

    # And the next build remembers: same GUID, nothing new.
    again = build([str(src)], out, ["apkg"])
    assert not any("moved" in d.message for d in again.diagnostics)
    assert not import_apkg(col, out / "b.apkg").new


# -- item 21: renaming a file whose deck is named after it -----------------------

def test_renaming_a_file_that_names_its_deck_keeps_the_notes(tmp_path, col):
    src, out = tmp_path / "src", tmp_path / "dist"
    src.mkdir()
    (src / "old-name.md").write_text("## First\nOne.\n\n## Second\nTwo.\n", "utf-8")  # no `# title`
    import_apkg(col, _apkg(src, out, "old-name"))
    _study_all(col, "old name")
    assert set(_reps(col).values()) == {1}

    (src / "old-name.md").rename(src / "new-name.md")
    result = build([str(src)], out, ["apkg"])
    (warning,) = result.diagnostics
    assert 'deck renamed from "old name": its 2 card(s) keep their review history' in warning.message
    log = import_apkg(col, out / "new-name.apkg")
    assert not log.new and col.note_count() == 2
    assert set(_reps(col).values()) == {1}

    # Then retitle it: still the same notes.
    (src / "new-name.md").write_text("# A real title\n\n## First\nOne.\n\n## Second\nTwo.\n", "utf-8")
    result = build([str(src)], out, ["apkg"])
    assert any('deck renamed from "new name"' in d.message for d in result.diagnostics)
    log = import_apkg(col, out / "new-name.apkg")
    assert not log.new and col.note_count() == 2


# -- item 22: a change of case only ------------------------------------------

def test_a_deck_title_changed_only_in_case_does_not_duplicate(tmp_path, col):
    src, out = tmp_path / "src", tmp_path / "dist"
    src.mkdir()
    (src / "d.md").write_text("# Beta\n\n## Q1\nA1.\n\n## Q2\nA2.\n", "utf-8")
    import_apkg(col, _apkg(src, out, "d"))
    (src / "d.md").write_text("# beta\n\n## Q1\nA1.\n\n## Q2\nA2.\n", "utf-8")
    result = build([str(src)], out, ["apkg"])
    (warning,) = result.diagnostics
    assert "only in case" in warning.message
    log = import_apkg(col, out / "d.apkg")
    assert not log.new and col.note_count() == 2


def test_two_decks_whose_titles_differ_only_in_case_are_an_error(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.md").write_text("# Beta\n\n## Q\nA\n", "utf-8")
    (src / "b.md").write_text("# BETA\n\n## R\nB\n", "utf-8")
    result = build([str(src)], tmp_path / "dist", ["apkg"])
    assert not result.ok
    (error,) = [d for d in result.diagnostics if d.severity.value == "error"]
    assert "BETA" in error.message and "case" in error.message and error.location.path.endswith("b.md")


# -- item 23: questions that differ only in punctuation -------------------------

def test_questions_differing_only_in_punctuation_name_the_id_and_the_fix(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "langs.md").write_text("# Langs\n\n## C\nc\n\n## C++\ncpp\n\n## C#\ncs\n", "utf-8")
    result = build([str(src)], tmp_path / "dist", ["apkg"])
    messages = [str(d) for d in result.diagnostics]
    assert any(":6: error: question 'C++' has the same id {#c} as 'C' (line 3)" in m and "{#c-2}" in m
               for m in messages), messages
    assert any(":9: error: question 'C#'" in m and "{#c-3}" in m for m in messages), messages


# -- item 4: the records are saved before the package that depends on them ------

def test_a_full_disk_at_the_manifest_writes_no_package_and_loses_no_edit(tmp_path, col, monkeypatch):
    from cardpress import atomic

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # every build stamps the same base time
    src, out = tmp_path / "src", tmp_path / "dist"
    src.mkdir()
    notes = src / "d.md"
    notes.write_text("# D\n\n## Q\nfirst\n", "utf-8")
    import_apkg(col, _apkg(src, out, "d"))
    package = (out / "d.apkg").read_bytes()

    notes.write_text("# D\n\n## Q\nsecond\n", "utf-8")
    real = atomic.write_at  # every file in the output folder is written through it

    def full_disk(target, name, data, *args, **kwargs):
        if name == "manifest.json":
            raise OSError(28, "No space left on device", str(target.path / name))
        return real(target, name, data, *args, **kwargs)

    monkeypatch.setattr(atomic, "write_at", full_disk)
    with pytest.raises(CardpressError, match="No space left on device"):
        build([str(src)], out, ["apkg"])
    assert (out / "d.apkg").read_bytes() == package  # nothing Anki could import with unsaved times
    monkeypatch.setattr(atomic, "write_at", real)

    # Space freed: the edit goes through.
    log = import_apkg(col, _apkg(src, out, "d"))
    assert len(log.updated) == 1
    notes.write_text("# D\n\n## Q\nthird\n", "utf-8")
    log = import_apkg(col, _apkg(src, out, "d"))
    assert len(log.updated) == 1
    assert col.get_note(col.find_notes("")[0])["Answer"] == "<p>third</p>"


DIE_AFTER_APKG = """
import os, sys
from cardpress.writers import WRITERS, WriterSpec
WRITERS["die"] = WriterSpec("die_writer")
from cardpress.cli import main
main()
"""


def test_a_kill_after_the_package_still_lets_the_next_edit_through(tmp_path, col):
    """kill -9 (no cleanup at all) after the .apkg is written, then the user
    imports that package and edits again: the edit must reach Anki."""
    (tmp_path / "die_writer.py").write_text("import os\ndef write(ctx):\n    os._exit(137)\n", "utf-8")
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{REPO}", "SOURCE_DATE_EPOCH": "1700000000"}
    src, out = tmp_path / "src", tmp_path / "dist"
    src.mkdir()
    notes = src / "d.md"
    notes.write_text("# D\n\n## Q\nfirst\n", "utf-8")

    def cli(*formats: str) -> subprocess.CompletedProcess:
        args = [a for f in formats for a in ("-f", f)]
        return subprocess.run([sys.executable, "-c", DIE_AFTER_APKG, "build", str(src), "-o", str(out), *args],
                              cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)

    assert cli("apkg").returncode == 0
    import_apkg(col, out / "d.apkg")
    notes.write_text("# D\n\n## Q\nsecond\n", "utf-8")
    assert cli("apkg", "die").returncode == 137
    assert len(import_apkg(col, out / "d.apkg").updated) == 1  # the user imports what was written
    notes.write_text("# D\n\n## Q\nthird\n", "utf-8")
    assert cli("apkg").returncode == 0
    assert len(import_apkg(col, out / "d.apkg").updated) == 1
    assert col.get_note(col.find_notes("")[0])["Answer"] == "<p>third</p>"


# -- item 5: file times from the future, and absurd mod times --------------------

def test_a_file_dated_in_the_future_does_not_block_later_edits(tmp_path, col):
    src, out = tmp_path / "src", tmp_path / "dist"
    src.mkdir()
    notes = src / "d.md"
    notes.write_text("# D\n\n## Q\nfrom the zip\n", "utf-8")
    future = time.mktime((2030, 1, 1, 0, 0, 0, 0, 0, 0))
    os.utime(notes, (future, future))
    result = build([str(src)], out, ["apkg"])
    (warning,) = result.diagnostics
    assert "in the future (2030-01-01" in warning.message
    import_apkg(col, out / "d.apkg")

    # The README says deleting the caches is safe; then a real edit, dated now.
    import shutil

    shutil.rmtree(out / ".cardpress")
    time.sleep(1.1)  # Anki's mod times are whole seconds: the edit comes later than the first build
    notes.write_text("# D\n\n## Q\nedited today\n", "utf-8")
    log = import_apkg(col, _apkg(src, out, "d"))
    assert len(log.updated) == 1
    assert col.get_note(col.find_notes("")[0])["Answer"] == "<p>edited today</p>"


def test_a_manifest_with_an_absurd_mod_time_is_ignored_not_a_crash(tmp_path):
    src, out = tmp_path / "src", tmp_path / "dist"
    src.mkdir()
    (src / "d.md").write_text("# D\n\n## Q\nA\n", "utf-8")
    _apkg(src, out, "d")
    path = out / ".cardpress" / "manifest.json"
    data = json.loads(path.read_text("utf-8"))
    for note in data["decks"]["D"]["notes"].values():
        note["mod"] = 2 ** 62
    path.write_text(json.dumps(data), "utf-8")
    (src / "d.md").write_text("# D\n\n## Q\nB\n", "utf-8")
    result = build([str(src)], out, ["apkg"])
    assert result.ok and (out / "d.apkg").is_file()
