"""User templates (issue 13): a `templates/` folder next to the notes (or
--templates DIR) overrides any built-in template by name, the card partial
and each output's CSS included; a broken override is one error line naming
the template and its line, exit 1, nothing written; editing an override
rebuilds what it shapes. Real WeasyPrint/pdftotext and Anki packages."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest

from cardpress.build import build
from cardpress.templating import builtin_names
from conftest import REPO, subprocess_env

DECK = "# Deck\n\n## Why templates? {tags=\"custom\"}\nTo change how cards look.\n"
# The card partial, with a mark every output shows: the built-in one,
# included by name, inside a wrapper.
PARTIAL = """{% import "builtin/_card.html.j2" as base %}
{% macro question(html, number=none, tag="div") -%}
{{ base.question(html, number, tag) }}
{%- endmacro %}
{% macro answer(html) -%}
<div class="mine">MY-ANSWER-MARK</div>{{ base.answer(html) }}
{%- endmacro %}
{% macro tag_list(tags, tag="div") -%}
{{ base.tag_list(tags, tag) }}
{%- endmacro %}
{% macro card(question_html, answer_html=none) -%}
{{ base.card(question_html, answer("") ~ answer_html if answer_html is not none else none, **kwargs) }}
{%- endmacro %}
"""


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cardpress", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env=subprocess_env())


def project(tmp_path: Path, templates: dict[str, str]) -> Path:
    src = tmp_path / "source"
    src.mkdir()
    (src / "deck.md").write_text(DECK, "utf-8")
    for name, text in templates.items():
        (src / "templates" / name).parent.mkdir(parents=True, exist_ok=True)
        (src / "templates" / name).write_text(text, "utf-8")
    return src


def outputs(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and ".cardpress" not in p.parts}


def note_type(apkg: Path) -> dict:
    with zipfile.ZipFile(apkg) as z, tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "c.anki2"
        db.write_bytes(z.read("collection.anki2"))
        con = sqlite3.connect(db)
        try:
            (models,) = con.execute("SELECT models FROM col").fetchone()
        finally:
            con.close()
    (model,) = json.loads(models).values()
    return model


@pytest.mark.slow
def test_overrides_replace_built_ins_in_every_output(tmp_path):
    project(tmp_path, {
        "_card.html.j2": PARTIAL,
        "html/site.css.j2": '{% include "builtin/html/site.css.j2" %}\n.mine { color: rebeccapurple; }\n',
        "pdf/print.css.j2": '{% include "builtin/pdf/print.css.j2" %}\n.mine { font-weight: 700; }\n',
        "anki/note.css.j2": '{% include "builtin/anki/note.css.j2" %}\n.mine { color: teal; }\n',
    })
    proc = run("build", "-q", cwd=tmp_path)  # templates/ next to the notes: no option needed
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    out = tmp_path / "dist"
    page = (out / "html" / "decks" / "deck.html").read_text("utf-8")
    assert '<div class="mine">MY-ANSWER-MARK</div><div class="cp-answer">' in page
    assert '<span class="cp-tag">custom</span>' in page  # the built-in partial, through the override
    (css,) = (out / "html" / "assets").glob("cardpress.*.css")
    assert css.read_text("utf-8").rstrip().endswith(".mine { color: rebeccapurple; }")
    text = subprocess.run(["pdftotext", str(out / "deck.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "MY-ANSWER-MARK" in text and "custom" in text
    model = note_type(out / "deck.apkg")
    assert "MY-ANSWER-MARK" in model["tmpls"][0]["afmt"]  # the card partial, in Anki's back template
    assert model["css"].rstrip().endswith(".mine { color: teal; }")
    assert [t["name"] for t in model["tmpls"]] == ["Card 1"]  # names stay: Anki updates the note type in place


@pytest.mark.parametrize("text, line, message", [
    ("{% extends 'html/base.html.j2' %}\n{% block body %}\n{% for d in decks %}\n{{ d.title }\n{% endblock %}\n",
     4, "template error: unexpected '}'"),
    ("{% extends 'html/base.html.j2' %}\n{% block body %}\n\n{{ decks[0].missing }}\n{% endblock %}\n",
     4, "template failed to render: 'dict object' has no attribute 'missing'"),
    ("{% extends 'html/base.html.j2' %}\n{% block body %}\n{{ palette.code_css.__globals__ }}\n{% endblock %}\n",
     3, "template failed to render: "),
])
def test_a_broken_override_is_one_error_line_and_nothing_is_written(tmp_path, text, line, message):
    project(tmp_path, {"html/index.html.j2": text})
    proc = run("build", "-q", cwd=tmp_path)
    assert proc.returncode == 1
    first, *rest = proc.stderr.splitlines()
    assert first.startswith(f"source/templates/html/index.html.j2:{line}: error: {message}"), proc.stderr
    assert rest in ([], ["build failed: nothing was written"]), proc.stderr
    assert "Traceback" not in proc.stderr
    assert not outputs(tmp_path / "dist")  # no package, PDF or site: the site's template failed first


def test_a_template_that_overrides_nothing_is_a_warning_with_the_name_meant(tmp_path):
    project(tmp_path, {"html/dek.html.j2": "x"})
    proc = run("check", cwd=tmp_path)
    assert proc.returncode == 0
    assert proc.stderr.splitlines() == [
        "source/templates/html/dek.html.j2:1: warning: template 'html/dek.html.j2' overrides no built-in template, "
        "so it is not used; did you mean 'html/deck.html.j2'?"]


def test_a_template_linked_from_outside_the_folder_is_refused(tmp_path):
    src = project(tmp_path, {})
    (tmp_path / "secret.txt").write_text("SECRET", "utf-8")
    (src / "templates" / "html").mkdir(parents=True)
    (src / "templates" / "html" / "site.js").symlink_to(tmp_path / "secret.txt")
    proc = run("build", "-f", "html", "-q", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.splitlines()[0] == ("source/templates/html/site.js:1: error: not read: not a regular file, "
                                           "over 1 MB, or a link out of the templates folder")
    assert not outputs(tmp_path / "dist")


@pytest.mark.slow
def test_editing_an_override_rebuilds_what_it_shapes(tmp_path):
    src = project(tmp_path, {"pdf/print.css.j2": '{% include "builtin/pdf/print.css.j2" %}\n'})
    out = tmp_path / "dist"
    options = {"templates": str(src / "templates")}
    first = build([str(src)], out, ["apkg", "pdf"], **options)
    assert first.ok and len(first.written) == 2
    again = build([str(src)], out, ["apkg", "pdf"], **options)
    assert again.written == []  # nothing changed: nothing written
    before = outputs(out)
    (src / "templates" / "pdf" / "print.css.j2").write_text(
        '{% include "builtin/pdf/print.css.j2" %}\n.cp-question { color: #b00; }\n', "utf-8")
    edited = build([str(src)], out, ["apkg", "pdf"], **options)
    assert {p.name for p in edited.written} == {"deck.apkg", "deck.pdf"}  # every output's fingerprint covers them
    after = outputs(out)
    assert after["deck.pdf"] != before["deck.pdf"]
    assert after["deck.apkg"] == before["deck.apkg"]  # the CSS is the PDF's: the package's bytes are the same


def test_check_and_build_refuse_a_broken_override_given_with_the_option(tmp_path):
    src = tmp_path / "notes"
    src.mkdir()
    (src / "deck.md").write_text(DECK, "utf-8")
    mine = tmp_path / "mine" / "anki"
    mine.mkdir(parents=True)
    (mine / "front.html.j2").write_text("{{ Question }\n", "utf-8")
    proc = run("check", "notes", "--templates", "mine", cwd=tmp_path)
    assert proc.returncode == 1 and proc.stderr.splitlines() == [
        "mine/anki/front.html.j2:1: error: template error: unexpected '}'"]
    result = build([str(src)], tmp_path / "dist", ["apkg"], templates=str(tmp_path / "mine"))
    assert [str(d).split(": error: ")[1] for d in result.diagnostics] == ["template error: unexpected '}'"]
    assert not result.ok and not (tmp_path / "dist").exists()


def test_readme_lists_every_template():
    readme = (REPO / "README.md").read_text("utf-8")
    section = readme[readme.index("## Your own templates"):]
    section = section[:section.index("\n## ", 4)]
    for name in builtin_names():
        assert f"`{name}`" in section, name


@pytest.mark.slow
def test_a_no_op_build_sees_an_edited_override_outside_the_sources(tmp_path):
    """The no-op path (noop.py) answers before anything is read: it must
    count a templates folder given with --templates, wherever it is."""
    src = tmp_path / "notes"
    src.mkdir()
    (src / "deck.md").write_text(DECK, "utf-8")
    mine = tmp_path / "mine" / "html"
    mine.mkdir(parents=True)
    (mine / "site.css.j2").write_text('{% include "builtin/html/site.css.j2" %}\n', "utf-8")
    args = ("build", "notes", "-f", "html", "--templates", "mine")
    for _ in range(2):  # the second is a no-op, and records itself as one
        proc = run(*args, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
    assert "(0 written, 2 up to date)" in proc.stdout
    (mine / "site.css.j2").write_text('{% include "builtin/html/site.css.j2" %}\n.x { color: red; }\n', "utf-8")
    proc = run(*args, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "(2 written, 0 up to date)" in proc.stdout
    (css,) = (tmp_path / "dist" / "html" / "assets").glob("cardpress.*.css")
    assert css.read_text("utf-8").rstrip().endswith(".x { color: red; }")
