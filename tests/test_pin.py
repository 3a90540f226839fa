"""`cardpress pin`: ids written into headings, nothing else touched, and
nothing changed in Anki (real Anki: the same notes, history kept)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from anki_helpers import import_apkg, open_collection, review
from cardpress.build import build
from cardpress.identity import slugify
from cardpress.pin import pin
from cardpress.read import read_library
from conftest import NOTES, REPO

DECK = "AI 개발관련 지식"


def _build(src: Path, out: Path, **kw) -> Path:
    result = build([str(src)], out, ["apkg"], **kw)
    assert result.ok, result.diagnostics
    (apkg,) = result.outputs
    return apkg


def _touch_later(path: Path, seconds: int = 5) -> None:
    st = path.stat()
    os.utime(path, (st.st_atime + seconds, st.st_mtime + seconds))


def test_pin_changes_only_the_19_heading_lines(notes_copy):
    notes = notes_copy / NOTES.name
    before = notes.read_bytes()
    result = pin([str(notes_copy)])
    assert not result.diagnostics and result.count == 19
    after = notes.read_bytes()

    old_lines, new_lines = before.split(b"\n"), after.split(b"\n")
    assert len(old_lines) == len(new_lines)  # no line added or removed, final newline (none) kept
    changed = [(o, n) for o, n in zip(old_lines, new_lines) if o != n]
    assert len(changed) == 19
    for old, new in changed:
        question = old.decode()[3:]
        assert old.startswith(b"## ") and new == old + f" {{#{slugify(question)}}}".encode()

    # Pinned twice is pinned once.
    assert pin([str(notes_copy)]).count == 0
    assert notes.read_bytes() == after


def test_pin_changes_no_guid_and_no_byte_of_the_package(notes_copy, tmp_path):
    first = _build(notes_copy, tmp_path / "dist").read_bytes()
    keys = [c.key for c in read_library([str(notes_copy)]).decks[0].cards]
    pin([str(notes_copy)], tmp_path / "dist")
    cards = read_library([str(notes_copy)]).decks[0].cards
    assert [c.key for c in cards] == keys and all(c.pinned for c in cards)
    # Same keys, same fields, same mod times: the very same package.
    result = build([str(notes_copy)], tmp_path / "dist", ["apkg"])
    assert result.written and result.outputs[0].read_bytes() == first


def test_pin_then_reword_keeps_history_in_anki(notes_copy, tmp_path):
    out = tmp_path / "dist"
    notes = notes_copy / NOTES.name
    col = open_collection(tmp_path / "collection.anki2")
    try:
        import_apkg(col, _build(notes_copy, out))
        reviewed = review(col, 5, "good", deck=DECK)
        before = {col.get_card(cid).note().guid: (col.get_card(cid).reps, col.get_card(cid).ivl) for cid in reviewed}
        assert len(before) == 5

        assert pin([str(notes_copy)], out).count == 19
        # Pinning changes nothing in Anki: every note is a "duplicate".
        log = import_apkg(col, _build(notes_copy, out))
        assert not log.new and not log.updated and len(log.duplicate) == 19

        # Reword every reviewed question (now pinned).
        text = notes.read_text("utf-8")
        reworded = {}
        for cid in reviewed:
            question = col.get_card(cid).note()["Question"]
            text = text.replace(f"## {question} {{#", f"## (다시 씀) {question} {{#", 1)
            reworded[col.get_card(cid).note().guid] = f"(다시 씀) {question}"
        notes.write_text(text, "utf-8")
        _touch_later(notes)

        result = build([str(notes_copy)], out, ["apkg"])
        assert result.ok and not result.diagnostics  # pinned: no reword warning
        (changes,) = result.changes
        assert (len(changes.new), len(changes.changed), len(changes.removed)) == (0, 5, 0)
        log = import_apkg(col, result.outputs[0])
        assert len(log.updated) == 5 and not log.new and not log.conflicting
        assert col.note_count() == 19
        for cid in reviewed:
            card = col.get_card(cid)
            assert card.note()["Question"] == reworded[card.note().guid]
            assert (card.reps, card.ivl) == before[card.note().guid]
    finally:
        col.close()


@pytest.mark.parametrize("name,body,expected", [
    ("crlf+bom+no final newline", b"\xef\xbb\xbf# D\r\n\r\n## One\r\nA1\r\n\r\n## Two ##\r\nA2",
     b"\xef\xbb\xbf# D\r\n\r\n## One {#one}\r\nA1\r\n\r\n## Two {#two} ##\r\nA2"),
    ("setext over two lines", b"# D\n\nFirst line\nsecond line\n---\nA1\n",
     b"# D\n\nFirst line\nsecond line {#first-line-second-line}\n---\nA1\n"),
    ("lone CR line ends", b"# D\r\r## One\rA1\r", b"# D\r\r## One {#one}\rA1\r"),
    ("trailing spaces, C# is not a closing sequence", b"# D\n\n## Why C#   \nA1\n",
     b"# D\n\n## Why C# {#why-c}   \nA1\n"),
    ("frontmatter kept", b"---\ntitle: T\n---\n\n## One\nA1\n", b"---\ntitle: T\n---\n\n## One {#one}\nA1\n"),
    ("a slug with _ that would read as emphasis", b"# D\n\n## a \\_b\\_ c\nA1\n",
     b"# D\n\n## a \\_b\\_ c {#a-\\_b\\_-c}\nA1\n"),
])
def test_pin_edge_cases(tmp_path, name, body, expected):
    path = tmp_path / "n.md"
    path.write_bytes(body)
    keys = [c.key for c in read_library([str(path)]).decks[0].cards]
    result = pin([str(path)])
    assert not result.diagnostics, (name, result.diagnostics)
    assert path.read_bytes() == expected, name
    cards = read_library([str(path)]).decks[0].cards
    assert [c.key for c in cards] == keys and all(c.pinned for c in cards)


def test_pin_keeps_file_mode_and_symlink(tmp_path):
    src = tmp_path / "src"
    (src / "real").mkdir(parents=True)
    real = src / "real" / "notes.md"
    real.write_text("# D\n\n## One\nA1\n", "utf-8")
    os.chmod(real, 0o600)
    (src / "link.md").symlink_to(real)
    result = pin([str(src / "link.md")])  # only the link: the file's folder is its root
    assert not result.diagnostics and result.count == 1
    assert (src / "link.md").is_symlink()
    assert real.read_text("utf-8") == "# D\n\n## One {#one}\nA1\n"
    assert stat.S_IMODE(real.stat().st_mode) == 0o600


def test_pin_writes_nothing_when_notes_have_errors(tmp_path):
    path = tmp_path / "n.md"
    body = "# D\n\n## One\nA1\n\n## One\nA2\n"  # duplicate question
    path.write_text(body, "utf-8")
    result = pin([str(path)])
    assert any(d.severity.value == "error" for d in result.diagnostics) and result.count == 0
    assert path.read_text("utf-8") == body


def test_pin_command_dry_run_and_run(notes_copy):
    notes = notes_copy / NOTES.name
    before = notes.read_bytes()
    cmd = [sys.executable, "-m", "cardpress", "pin", str(notes_copy), "-o", str(notes_copy.parent / "dist")]
    proc = subprocess.run(cmd + ["--dry-run"], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "would pin 19 question(s) in 1 file(s)" in proc.stdout
    assert f"{notes_copy}/{NOTES.name}:14: {{#relu의-문제점은}}" in proc.stdout
    assert notes.read_bytes() == before
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0 and "pinned 19 question(s) in 1 file(s)" in proc.stdout
    assert "## ReLU의 문제점은? {#relu의-문제점은}\n" in notes.read_text("utf-8")


def test_pin_keep_ids_pins_the_old_id_of_a_reworded_question(notes_copy, tmp_path):
    """Reworded before pinning: `pin --keep-ids` writes the id the last
    build gave it, so the next build updates the old note."""
    out = tmp_path / "dist"
    _build(notes_copy, out)
    notes = notes_copy / NOTES.name
    notes.write_text(notes.read_text("utf-8").replace("## ReLU의 문제점은?\n", "## ReLU의 단점은?\n"), "utf-8")
    result = pin([str(notes_copy)], out, keep_ids=True)
    assert not result.diagnostics and result.count == 19
    assert "## ReLU의 단점은? {#relu의-문제점은}\n" in notes.read_text("utf-8")
    after = build([str(notes_copy)], out, ["apkg"])
    (ch,) = after.changes
    assert not after.diagnostics and (len(ch.new), ch.changed, ch.removed) == (0, ["ReLU의 단점은?"], [])
