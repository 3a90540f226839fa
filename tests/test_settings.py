"""Project settings (issue 13): cardpress.toml in the source root, or
[tool.cardpress] in a pyproject.toml there. Precedence: a command-line flag,
then the settings, then the default; a file's frontmatter over [deck].
Every problem is `path:line: error|warning: message`, at its line."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest

from cardpress.settings import load
from conftest import subprocess_env

DECK = "# Deck\n\n## Question one?\nAnswer one.\n\n### Sub question?\nIn the answer unless level 3.\n"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cardpress", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env=subprocess_env())


def package_notes(apkg: Path) -> list[tuple[str, tuple[str, ...]]]:
    """(question, tags) of each note of a package, as Anki would read them."""
    with zipfile.ZipFile(apkg) as z, tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "c.anki2"
        db.write_bytes(z.read("collection.anki2"))
        con = sqlite3.connect(db)
        try:
            rows = con.execute("SELECT flds, tags FROM notes ORDER BY sfld").fetchall()
        finally:
            con.close()
    return [(flds.split("\x1f")[0], tuple(tags.split())) for flds, tags in rows]


def notes(tmp_path: Path, settings: str, name: str = "cardpress.toml") -> Path:
    src = tmp_path / "source"
    src.mkdir()
    (src / "deck.md").write_text(DECK, "utf-8")
    (src / name).write_text(settings, "utf-8")
    return src


def test_unknown_keys_warn_at_their_line_with_the_nearest_key(tmp_path, monkeypatch):
    notes(tmp_path, 'output = "../out"\nformat = ["apkg"]\n\n[deck]\nlang = "ko"\nrevers = true\n'
                    "[pdf]\npaper = \"letter\"\npapr = 1\nlayout = 'quiz'\n[pfd]\nx = 1\n")
    monkeypatch.chdir(tmp_path)
    settings = load(["source"])
    assert [str(d) for d in settings.diagnostics] == [
        "source/cardpress.toml:2: warning: unknown setting 'format'; did you mean 'formats'?",
        "source/cardpress.toml:6: warning: unknown setting 'deck.revers'; did you mean 'deck.reverse'?",
        "source/cardpress.toml:9: warning: unknown setting 'pdf.papr'; did you mean 'pdf.paper'?",
        "source/cardpress.toml:11: warning: unknown setting 'pfd'; did you mean [pdf]?",
    ]
    assert dict(settings.options) == {"output": "out", "paper": "letter", "layout": "quiz"}
    assert dict(settings.deck_defaults) == {"lang": "ko"}


def test_a_key_in_the_wrong_table_is_pointed_to_its_table(tmp_path, monkeypatch):
    notes(tmp_path, '# settings\n\npaper = "a4"\n[deck]\n"layout" = "quiz"\n')
    monkeypatch.chdir(tmp_path)
    assert [str(d) for d in load(["source"]).diagnostics] == [
        "source/cardpress.toml:3: warning: unknown setting 'paper'; did you mean 'pdf.paper'?",
        "source/cardpress.toml:5: warning: unknown setting 'deck.layout'; did you mean 'pdf.layout'?",
    ]


def test_pyproject_tool_table_is_read_at_its_lines(tmp_path, monkeypatch):
    src = notes(tmp_path, '[project]\nname = "notes"\n\n[tool.black]\nline-length = 100\n\n'
                          '[tool.cardpress]\nformats = ["apkg"]\ncolour = "blue"\n\n[tool.cardpress.pdf]\n'
                          'paper = "A4"\n', name="pyproject.toml")
    monkeypatch.chdir(tmp_path)
    settings = load(["source"])
    assert [str(d) for d in settings.diagnostics] == [
        "source/pyproject.toml:9: warning: unknown setting 'colour'; known settings: output, formats, templates, "
        "deck.lang, deck.tags, deck.reverse, deck.question_level, pdf.layout, pdf.paper, pdf.per",
        "source/pyproject.toml:12: error: setting 'pdf.paper' must be one of a4, letter (not 'A4')",
    ]
    # A cardpress.toml next to it wins, and the table says it is not used.
    (src / "cardpress.toml").write_text("formats = ['pdf']\n", "utf-8")
    settings = load(["source"])
    assert dict(settings.options) == {"formats": ("pdf",)}
    assert [str(d) for d in settings.diagnostics] == [
        "source/pyproject.toml:7: warning: [tool.cardpress] is not used: cardpress.toml in the same folder is"]


def test_invalid_toml_is_one_error_at_its_line_and_nothing_is_built(tmp_path):
    notes(tmp_path, '[deck]\nlang = "ko"\ntags = [\n  "a",\n  oops\n]\n')
    proc = run("build", "-f", "apkg", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == ["source/cardpress.toml:5: error: invalid settings: Invalid value"]
    assert not (tmp_path / "dist").exists()


def test_bad_values_are_errors_at_their_line(tmp_path):
    notes(tmp_path, '[deck]\nlang = "ko_KR"\nquestion_level = 5\nreverse = "yes"\ntags = "ml deep learning"\n'
                    '[pdf]\nper = "chapter"\n')
    proc = run("check", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "source/cardpress.toml:2: error: setting 'deck.lang' must be a language tag such as \"ko\" or \"en-US\" "
        "(not 'ko_KR')",
        "source/cardpress.toml:3: error: setting 'deck.question_level' must be 2, 3, 4 or \"auto\" (not 5)",
        "source/cardpress.toml:4: error: setting 'deck.reverse' must be true or false (not 'yes')",
        "source/cardpress.toml:7: error: setting 'pdf.per' must be one of deck, folder (not 'chapter')",
    ]


@pytest.mark.slow
def test_precedence_flag_then_settings_then_default_and_frontmatter_over_deck(tmp_path):
    src = notes(tmp_path, '# every deck\noutput = "../out"\nformats = ["apkg", "html"]\n'
                          '[deck]\nlang = "ko"\ntags = ["project", "shared::x"]\nquestion_level = 3\n')
    (src / "own.md").write_text("---\nlang: en\ntags: [mine]\nquestion_level: 2\n---\n# Own\n\n## Q?\nA.\n", "utf-8")
    proc = run("build", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "out"  # `output`, relative to the settings file
    assert sorted(p.name for p in out.iterdir()) == [".cardpress", "deck.apkg", "html", "own.apkg"]  # `formats`
    # question_level = 3: the ### heading is the question; [deck] tags on every card.
    assert package_notes(out / "deck.apkg") == [("Sub question?", ("project", "shared::x"))]
    assert package_notes(out / "own.apkg") == [("Q?", ("mine",))]  # its frontmatter's tags replace the project's
    # [deck] lang marks the deck's text; the frontmatter's wins for its file.
    assert '<h1 lang="ko">Deck</h1>' in (out / "html" / "decks" / "deck.html").read_text("utf-8")
    assert '<h1 lang="en">Own</h1>' in (out / "html" / "decks" / "own.html").read_text("utf-8")

    # Flags win: -o, -f and --question-level given on the command line.
    proc = run("build", "-o", "flags", "-f", "apkg", "--question-level", "2", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (tmp_path / "flags").iterdir()) == [".cardpress", "deck.apkg", "own.apkg"]
    assert package_notes(tmp_path / "flags" / "deck.apkg") == [("Question one?", ("project", "shared::x"))]


@pytest.mark.slow
def test_pdf_settings_and_their_flags(tmp_path):
    notes(tmp_path, "formats = ['pdf']\n[pdf]\nlayout = 'quiz'\nper = 'folder'\n")
    proc = run("build", "-q", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (tmp_path / "dist").glob("*.pdf")) == ["source.quiz.pdf"]
    proc = run("build", "-q", "--layout", "handout", "--pdf-per", "deck", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (tmp_path / "dist").glob("*.pdf")) == ["deck.pdf", "source.quiz.pdf"]


def test_warnings_in_settings_fail_strict_and_print_with_check(tmp_path):
    notes(tmp_path, "formts = ['apkg']\n")
    warning = "source/cardpress.toml:1: warning: unknown setting 'formts'; did you mean 'formats'?"
    proc = run("check", cwd=tmp_path)
    assert (proc.returncode, proc.stderr.splitlines()) == (0, [warning])
    assert proc.stdout.strip() == "ok: 1 deck(s), 1 card(s)"
    proc = run("check", "--strict", cwd=tmp_path)
    assert (proc.returncode, proc.stderr.splitlines()) == (1, [warning])
    proc = run("build", "--strict", "-f", "apkg", cwd=tmp_path)
    assert (proc.returncode, proc.stderr.splitlines()) == (1, [warning])
    assert not (tmp_path / "dist").exists()


def test_a_settings_file_linked_from_outside_is_not_read(tmp_path, monkeypatch):
    outside = tmp_path / "elsewhere.toml"
    outside.write_text("formats = ['pdf']\n", "utf-8")
    src = tmp_path / "source"
    src.mkdir()
    (src / "deck.md").write_text(DECK, "utf-8")
    (src / "cardpress.toml").symlink_to(outside)
    monkeypatch.chdir(tmp_path)
    settings = load(["source"])
    assert [str(d) for d in settings.diagnostics] == [
        "source/cardpress.toml:1: error: is a symlink to a file outside the source folder; it is not read"]
    assert settings.options == ()
