"""`cardpress init`: a notes folder a newcomer can build at once, in their
language, that never overwrites anything."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from anki_helpers import import_apkg, open_collection
from conftest import REPO

from cardpress.init import default_language

TEMPLATES = REPO / "templates" / "init"


def run(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")}
    base.update(env)
    return subprocess.run([sys.executable, str(REPO / "build.py"), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env=base)


@pytest.mark.parametrize("lang, title", [("en", "My first deck"), ("ko", "나의 첫 덱")])
def test_init_makes_a_folder_that_builds_and_imports(tmp_path, lang, title):
    notes = tmp_path / "notes"
    proc = run("init", str(notes), "--lang", lang, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        f"created {notes / 'source' / 'example.md'}",
        f"created {notes / 'source' / 'cardpress.toml'}",
        f"created {notes / '.gitignore'}",
        f"next: cd {notes} && cardpress build   (writes dist/: the Anki deck, a PDF and an offline site)",
    ]
    assert (notes / "source" / "example.md").read_bytes() == (TEMPLATES / lang / "example.md").read_bytes()
    assert "/dist/" in (notes / ".gitignore").read_text("utf-8").splitlines()

    # The example and its settings are clean (no warnings), and its
    # comments point at the settings file.
    proc = run("check", "--strict", cwd=notes)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert proc.stdout.strip() == "ok: 1 deck(s), 6 card(s)"
    assert "cardpress.toml" in (notes / "source" / "example.md").read_text("utf-8")

    proc = run("build", "-f", "apkg", cwd=notes)  # the defaults: source/ -> dist/
    assert proc.returncode == 0, proc.stderr
    col = open_collection(tmp_path / "collection.anki2")
    try:
        assert len(import_apkg(col, notes / "dist" / "example.apkg").new) == 6
        notes_in_deck = {col.get_note(n)["CardId"]: col.get_note(n) for n in col.find_notes(f'"deck:{title}"')}
        assert len(notes_in_deck) == 6 and "pin-ids" in notes_in_deck
        assert "<pre" in "".join(n.fields[1] for n in notes_in_deck.values())
        deck_tag = "example" if lang == "en" else "예제"
        assert all(n.tags == [deck_tag] for k, n in notes_in_deck.items() if k != "cloze-example")
        # The syntax the comments show: a cloze with math (2 cards), a reversed card (2), a callout.
        cloze, reversed_ = notes_in_deck["cloze-example"], notes_in_deck["overfitting"]
        assert sorted(cloze.tags) == sorted([deck_tag, "cloze"]) and len(cloze.card_ids()) == 2
        assert "\\((0, 1)\\)" in "".join(cloze.fields)  # the formula, as MathJax reads it
        assert len(reversed_.card_ids()) == 2 and "cp-callout" in "".join(reversed_.fields)
        assert len(col.find_cards(f'"deck:{title}"')) == 8
    finally:
        col.close()


def test_init_never_overwrites(tmp_path):
    notes = tmp_path / "notes"
    (notes / "source").mkdir(parents=True)
    (notes / "source" / "example.md").write_text("# Mine\n\n## Q?\nA.\n", "utf-8")
    (notes / "source" / "cardpress.toml").write_text("[pdf]\n", "utf-8")
    (notes / ".gitignore").write_text("node_modules/\n", "utf-8")
    proc = run("init", str(notes), "--lang", "en", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert f"kept {notes / 'source' / 'example.md'} (it exists; init never overwrites a file)" in proc.stdout
    assert f"kept {notes / 'source' / 'cardpress.toml'} (it exists; init never overwrites a file)" in proc.stdout
    assert f"kept {notes / '.gitignore'} (it exists; init never overwrites a file)" in proc.stdout
    assert "created" not in proc.stdout
    assert proc.stderr.strip() == f"{notes / '.gitignore'}: warning: it does not ignore the build output: " \
                                  "add a line /dist/"
    assert (notes / "source" / "example.md").read_text("utf-8") == "# Mine\n\n## Q?\nA.\n"
    assert (notes / ".gitignore").read_text("utf-8") == "node_modules/\n"

    # Half there: only the missing file is created.
    (notes / ".gitignore").unlink()
    proc = run("init", str(notes), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert f"created {notes / '.gitignore'}" in proc.stdout and "kept" in proc.stdout


def test_init_here_by_default_and_language_from_the_locale(tmp_path):
    proc = run("init", cwd=tmp_path, LANG="ko_KR.UTF-8")
    assert proc.returncode == 0, proc.stderr
    assert "# 나의 첫 덱" in (tmp_path / "source" / "example.md").read_text("utf-8")
    assert proc.stdout.splitlines()[-1].startswith("next: cardpress build")

    other = tmp_path / "other"
    proc = run("init", str(other), cwd=tmp_path, LANG="ko_KR.UTF-8", LC_ALL="en_US.UTF-8")  # LC_ALL wins
    assert proc.returncode == 0, proc.stderr
    assert "# My first deck" in (other / "source" / "example.md").read_text("utf-8")


def test_default_language():
    assert default_language({"LANG": "ko_KR.UTF-8"}) == "ko"
    assert default_language({"LANG": "ko"}) == "ko"
    assert default_language({"LANG": "Korean_Korea.949"}) == "ko"
    assert default_language({"LC_MESSAGES": "ko_KR.UTF-8", "LANG": "en_US.UTF-8"}) == "ko"
    assert default_language({"LC_ALL": "C", "LANG": "ko_KR.UTF-8"}) == "en"
    assert default_language({"LANG": "kok_IN"}) == "en"  # Konkani, not Korean
    assert default_language({}) == "en"


def test_init_errors_are_one_line(tmp_path):
    target = tmp_path / "file"
    target.write_text("x", "utf-8")
    proc = run("init", str(target), cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr  # a usage error: DIRECTORY is a file
    # A folder that cannot be made (a file is in the way; chmod would not stop root).
    proc = run("init", str(target / "notes"), "--lang", "en", cwd=tmp_path)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == f"{target / 'notes' / 'source'}: error: cannot create: Not a directory"
