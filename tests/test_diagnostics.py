"""Bad input: every problem reported as `path:line: severity: message`, all in
one run, sorted, on stderr, exit 1; nothing written. The corpus under
tests/corpus/bad/ pins the exact messages and lines (expected.txt)."""

from __future__ import annotations

import ctypes
import os
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from cardpress.model import Diagnostic, Severity, SourceLocation
from cardpress.read import read_text
from conftest import REPO

CORPUS = REPO / "tests" / "corpus" / "bad"
EXPECTED = (CORPUS / "expected.txt").read_text("utf-8").splitlines()


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "build.py"), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A copy of the corpus as `<tmp>/bad`, plus the symlinks git should not
    carry: an image and a note that point outside the tree."""
    bad = tmp_path / "bad"
    shutil.copytree(CORPUS, bad)
    (bad / "expected.txt").unlink()
    (tmp_path / "secret.txt").write_text("not for a deck\n", "utf-8")
    (tmp_path / "secret.md").write_text("# Secret\n\n## Q\nA\n", "utf-8")
    (bad / "images" / "escape.png").symlink_to("../../secret.txt")
    (bad / "linked-out.md").symlink_to("../secret.md")
    return bad


def tree(path: Path) -> dict[str, bytes]:
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def test_check_reports_every_problem_sorted_with_exact_lines(corpus: Path):
    before = tree(corpus.parent)
    proc = run("check", "bad", cwd=corpus.parent)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == EXPECTED
    assert "Traceback" not in proc.stderr
    assert tree(corpus.parent) == before  # check writes nothing, anywhere


def test_build_fail_fast_reports_the_same_and_writes_nothing(corpus: Path):
    before = tree(corpus.parent)
    proc = run("build", "bad", "-o", "out", "-f", "apkg", "--fail-fast", cwd=corpus.parent)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == EXPECTED + ["build failed: nothing was written"]
    assert not (corpus.parent / "out").exists() or not any((corpus.parent / "out").rglob("*.apkg"))
    assert tree(corpus.parent) == before  # sources untouched


def test_build_reports_the_same_and_skips_only_the_files_with_errors(corpus: Path):
    """Decks are independent (issue 12): the same lines as check, the files
    with errors skipped (and named), the others written."""
    before = tree(corpus.parent)
    proc = run("build", "bad", "-o", "out", "-f", "apkg", cwd=corpus.parent)
    assert proc.returncode == 1
    lines = [line for line in proc.stderr.splitlines() if not line.startswith("[")]  # progress lines
    skipped = sorted({line.split(":")[0] for line in EXPECTED if ": error: " in line})
    assert lines == EXPECTED + [f"skipped {len(skipped)} file(s) with errors, their last good outputs kept: "
                                + ", ".join(skipped[:5]) + (" …" if len(skipped) > 5 else "")]
    written = {p.stem for p in (corpus.parent / "out").rglob("*.apkg")}
    assert written and not {Path(s).stem for s in skipped} & written
    assert "good" in written and "control-chars" in written  # warnings only: built
    assert {k: v for k, v in tree(corpus.parent).items() if not k.startswith("out/")} == before  # sources untouched


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.md")))
def test_each_file_alone(corpus: Path, name: str):
    """One file checked on its own gives its own lines of expected.txt (the
    duplicate deck title needs both files, so it is not expected here).
    Top-level files only: a file given alone is its own source root, so
    `sub/nested.md`'s `../images` would be outside it."""
    mine = [line for line in EXPECTED if line.startswith(f"bad/{name}:") and "is already used by" not in line]
    proc = run("check", f"bad/{name}", cwd=corpus.parent)
    assert proc.stderr.splitlines() == mine
    has_error = any(": error: " in line for line in mine)
    assert proc.returncode == (1 if has_error else 0)


def test_warnings_fail_only_under_strict(tmp_path: Path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.md").write_text("# A\n\n## Q\nText <center>x</center>\n", "utf-8")
    warning = "src/a.md:4: warning: HTML tag <center> is not supported: tag removed, text kept"
    proc = run("check", "src", cwd=tmp_path)
    assert (proc.returncode, proc.stderr.strip()) == (0, warning)
    proc = run("check", "--strict", "src", cwd=tmp_path)
    assert (proc.returncode, proc.stderr.strip()) == (1, warning)
    proc = run("build", "--strict", "src", "-o", "out", "-f", "apkg", cwd=tmp_path)
    assert proc.returncode == 1 and not (tmp_path / "out" / "a.apkg").exists()
    proc = run("build", "src", "-o", "out", "-f", "apkg", cwd=tmp_path)
    assert proc.returncode == 0 and warning in proc.stderr and (tmp_path / "out" / "a.apkg").is_file()


# -- line numbers inside blocks --------------------------------------------------

def lines_of(text: str) -> list[tuple[int, str, str]]:
    lib = read_text(text, path="n.md")
    return [(d.location.line, d.severity.value, d.message) for d in lib.diagnostics]


def test_image_lines_are_exact_inside_multiline_blocks():
    text = ("# D\n\n## Q\n"
            "para one\n"                      # 4
            "![a](a.png) and\n"               # 5
            "`code\nspan` ![b](b.png)\n"      # 6, 7: the code span's newline is not a token
            "<span\nclass=x>t</span> ![c](c.png)\n"  # 8, 9: raw HTML spanning lines
            "[l](l.md)  \n"                   # 10: hard break follows
            "![d](d.png)\n")                  # 11
    assert [line for line, *_ in lines_of(text)] == [5, 7, 9, 10, 11]


def test_same_bad_url_twice_is_reported_on_both_lines():
    assert [line for line, *_ in lines_of("# D\n\n## Q\n![x](x.png)\n\n![x](x.png)\n")] == [4, 6]


def test_safe_html_is_kept_without_a_word():
    text = ("# D\n\n## Q\nH<sub>2</sub>O<br>x<sup>2</sup> <kbd>Ctrl</kbd> <mark>m</mark> <abbr title=t>a</abbr> "
            "<ruby>漢<rt>한</rt></ruby> <del>d</del> <ins>i</ins> <small>s</small> <q>q</q> <span class=k>s</span>\n\n"
            "<details open><summary>More</summary>\n\nHidden\n\n</details>\n\n"
            "| a | b |\n|:--|--:|\n| 1 | 2 |\n\n- [x] done\n")
    lib = read_text(text)
    assert lib.diagnostics == ()
    html = lib.decks[0].cards[0].answer_html
    for kept in ("<sub>2</sub>", "<br>", "<kbd>Ctrl</kbd>", "<mark>m</mark>", '<abbr title="t">a</abbr>',
                 "<rt>한</rt>", "<details open", "<summary>More</summary>", 'style="text-align:right"',
                 'type="checkbox"'):
        assert kept in html, kept


def test_unsafe_html_is_removed_with_a_warning_per_line():
    text = ('# D\n\n## Q\nok\n<svg onload=alert(1)><circle/></svg> <math><mi>x</mi></math>\n'
            '<a href=" javascript:alert(1)">x</a> <img src=a.png srcset="b.png 2x">\n'
            '<base href="https://evil.example/"> <meta http-equiv=refresh content="0;url=https://evil.example">\n')
    found = lines_of(text)
    assert found == [
        (5, "warning", "unsafe HTML removed: <math> and its content"),
        (5, "warning", "unsafe HTML removed: <svg> and its content"),
        (6, "error", "image 'a.png' not found"),
        (6, "warning", "HTML attribute srcset= on <img> is not supported: removed"),
        (6, "warning", "unsafe HTML removed: javascript: URL in <a href>"),
        (7, "warning", "unsafe HTML removed: <base>"),
        (7, "warning", "unsafe HTML removed: <meta>"),
    ]
    html = read_text(text).decks[0].cards[0].answer_html
    for gone in ("<svg", "onload", "<math", "javascript", "srcset", "<base", "<meta", "src="):
        assert gone not in html, gone


def test_raw_html_image_outside_the_tree_is_never_referenced(tmp_path: Path):
    (tmp_path / "root").mkdir()
    (tmp_path / "outside.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    lib = read_text('# D\n\n## Q\n<img src="../outside.png" alt=x> <img src="/etc/hostname" alt=y>\n',
                    root=str(tmp_path / "root"))
    assert [(d.location.line, d.message) for d in lib.diagnostics] == [
        (4, "image '../outside.png' is outside the source folder " + os.path.relpath(tmp_path / "root")
         if not os.path.relpath(tmp_path / "root").startswith("..") else
         "image '../outside.png' is outside the source folder " + str(tmp_path / "root")),
        (4, "image '/etc/hostname' is an absolute path; use a path inside the source folder"),
    ]
    html = lib.decks[0].cards[0].answer_html
    assert "outside.png" not in html and "hostname" not in html and lib.decks[0].media == ()


def test_raw_html_local_image_is_bundled_like_markdown(tmp_path: Path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "pic.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    lib = read_text('# D\n\n## Q\n<img src="pic.png" alt="p" width="10">\n', path="sub/n.md", root=str(tmp_path))
    assert lib.diagnostics == ()
    assert lib.decks[0].media == ("sub/pic.png",)
    assert '<img src="sub/pic.png" alt="p" width="10">' in lib.decks[0].cards[0].answer_html


def test_frontmatter_sets_the_deck_and_keeps_line_numbers():
    text = "---\ntitle: From frontmatter\nauthor: Kim\nlang: en-US\ntags: [ml, deep-learning]\n---\n# Heading\n\n## Q\n![x](x.png)\n"
    lib = read_text(text, path="n.md")
    (deck,) = lib.decks
    assert (deck.title, deck.author, deck.lang, deck.tags) == ("From frontmatter", "Kim", "en-US", ("ml", "deep-learning"))
    assert deck.cards[0].location.line == 9
    assert [(d.location.line, d.message) for d in lib.diagnostics] == [(10, "image 'x.png' not found")]
    # Scalars are taken as written: YAML 1.1 would turn `no` into False.
    lib = read_text("---\nlang: no\ntitle: 2024\ntags: a, b c\n---\n## Q\nA\n")
    assert (lib.decks[0].lang, lib.decks[0].title, lib.decks[0].tags) == ("no", "2024", ("a", "b", "c"))


def test_hidden_files_and_folders_are_not_decks(tmp_path: Path):
    src = tmp_path / "src"
    (src / ".obsidian").mkdir(parents=True)
    (src / ".obsidian" / "x.md").write_text("not a deck", "utf-8")
    (src / ".draft.md").write_text("not a deck", "utf-8")
    (src / "a.md").write_text("# A\n## Q\nA\n", "utf-8")
    proc = run("check", "src", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stderr == "" and "1 deck(s)" in proc.stdout


def test_symlinked_folder_inside_the_tree_is_read_once_and_loops_end(tmp_path: Path):
    src = tmp_path / "src"
    (src / "real").mkdir(parents=True)
    (src / "real" / "a.md").write_text("# A\n## Q\nA\n", "utf-8")
    (src / "real" / "loop").symlink_to("..")  # a cycle
    (src / "alias").symlink_to("real")
    proc = run("check", "src", cwd=tmp_path)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert "1 deck(s)" in proc.stdout


# -- files, folders and outputs that cannot be used ------------------------------

def _without_dac_override() -> None:
    """In the child, before exec: drop the capabilities that let root ignore
    file permissions (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH) from the
    bounding set, so the CLI meets `chmod 000` as a user would."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def run_unprivileged(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "build.py"), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, preexec_fn=_without_dac_override if os.geteuid() == 0 else None)


def test_unreadable_file_dir_and_unwritable_output_are_one_line(tmp_path: Path):
    src = tmp_path / "src"
    (src / "locked").mkdir(parents=True)
    (src / "a.md").write_text("# A\n## Q\nA\n", "utf-8")
    (src / "secret.md").write_text("# S\n## Q\nA\n", "utf-8")
    (src / "locked" / "b.md").write_text("# B\n## Q\nB\n", "utf-8")
    probe = tmp_path / "probe.md"
    probe.write_text("# P\n## Q\nA\n", "utf-8")
    probe.chmod(0o000)
    if run_unprivileged("check", "probe.md", cwd=tmp_path).returncode == 0:
        pytest.skip("file permissions are not enforced for this user")
    (src / "secret.md").chmod(0o000)
    (src / "locked").chmod(0o000)
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o555)
    try:
        proc = run_unprivileged("check", "src", cwd=tmp_path)
        assert proc.returncode == 1
        assert proc.stderr.splitlines() == [
            "src/locked: error: cannot read directory: Permission denied",
            "src/secret.md:1: error: cannot read file: Permission denied",
        ]

        (src / "secret.md").chmod(0o644)
        (src / "locked").chmod(0o755)
        proc = run_unprivileged("build", "src", "-o", "out", "-f", "apkg", cwd=tmp_path)
        assert (proc.returncode, proc.stderr) == (1, "out: error: output directory is not writable\n")

        src.chmod(0o000)
        proc = run_unprivileged("check", "src", cwd=tmp_path)
        assert (proc.returncode, proc.stderr) == (1, "src: error: cannot read directory: permission denied\n")
    finally:
        for p in (src, src / "locked", out):
            p.chmod(0o755)


def test_output_path_that_cannot_be_a_folder_is_one_line(tmp_path: Path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.md").write_text("# A\n## Q\nA\n", "utf-8")
    (tmp_path / "file").write_text("x", "utf-8")
    proc = run("build", "src", "-o", "file/out", cwd=tmp_path)
    assert (proc.returncode, proc.stderr) == (1, "file/out: error: cannot create output directory: Not a directory\n")


BOOM_WRITER = """
import sys
from cardpress.writers import WRITERS
from cardpress.writers import WriterSpec
WRITERS["boom"] = WriterSpec("boom_writer")
from cardpress.cli import main
main()
"""


def test_a_crashing_writer_is_one_internal_error_line(tmp_path: Path):
    """An unexpected exception inside a writer: one line naming the writer,
    exit 1, no traceback (unless --debug), the previous output kept."""
    (tmp_path / "boom_writer.py").write_text("def write(ctx):\n    raise ValueError('kaboom')\n", "utf-8")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.md").write_text("# A\n## Q\nA\n", "utf-8")
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{REPO}"}

    def cli(*args):
        return subprocess.run([sys.executable, "-c", BOOM_WRITER, *args], cwd=tmp_path, capture_output=True,
                              text=True, timeout=120, env=env)

    assert cli("build", "src", "-o", "out", "-f", "apkg").returncode == 0
    good = (tmp_path / "out" / "a.apkg").read_bytes()
    proc = cli("build", "src", "-o", "out", "-f", "apkg", "-f", "boom")
    assert proc.returncode == 1
    # The last line (progress lines may come before it), and no traceback.
    assert proc.stderr.splitlines()[-1] == ("cardpress: internal error in the boom writer: ValueError: kaboom "
                                            "(this is a bug; run with --debug for the traceback and report it)")
    assert "Traceback" not in proc.stderr
    assert (tmp_path / "out" / "a.apkg").read_bytes() == good
    proc = cli("--debug", "build", "src", "-o", "out", "-f", "boom")
    assert proc.returncode == 1
    assert "Traceback" in proc.stderr and "ValueError: kaboom" in proc.stderr


def test_problems_print_as_one_line_each_and_only_errors_fail():
    """What a user sees: `path:line: severity: message`, sorted by line;
    an error fails the read, a warning alone does not; a problem with the
    whole file has no line number."""
    lib = read_text("# D\n\n## Q\nA <center>x</center>\n\n## Q\nB\n", path="d.md")
    assert [str(d) for d in lib.diagnostics] == [
        "d.md:4: warning: HTML tag <center> is not supported: tag removed, text kept",
        "d.md:6: error: duplicate question (first at line 3)",
    ]
    assert [d.severity for d in lib.diagnostics] == [Severity.WARNING, Severity.ERROR]
    assert lib.has_errors
    only_warning = read_text("# D\n\n## Q\nA <center>x</center>\n", path="d.md")
    assert [d.severity for d in only_warning.diagnostics] == [Severity.WARNING] and not only_warning.has_errors
    assert str(Diagnostic(SourceLocation("d.md", 0), Severity.ERROR, "unreadable")) == "d.md: error: unreadable"


def test_frontmatter_tags_reach_every_anki_note(tmp_path: Path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.md").write_text("---\ntags: [ml, deep learning]\n---\n# A\n\n## Q1\nA1\n\n## Q2\nA2\n", "utf-8")
    proc = run("build", "src", "-o", "out", "-f", "apkg", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "src/a.md:2: warning: tag 'deep learning' contains spaces" in proc.stderr
    with zipfile.ZipFile(tmp_path / "out" / "a.apkg") as z:
        (tmp_path / "c.anki2").write_bytes(z.read("collection.anki2"))
    conn = sqlite3.connect(tmp_path / "c.anki2")
    assert [sorted(t.split()) for (t,) in conn.execute("SELECT tags FROM notes")] == [["deep_learning", "ml"]] * 2
    conn.close()


def test_symlinks_out_of_the_tree_and_broken_ones_are_errors(tmp_path: Path):
    src = tmp_path / "src"
    src.mkdir()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "x.md").write_text("# X\n## Q\nA\n", "utf-8")
    (src / "a.md").write_text("# A\n## Q\nA\n", "utf-8")
    (src / "away").symlink_to(tmp_path / "elsewhere")
    (src / "gone.md").symlink_to(tmp_path / "nothing.md")
    proc = run("check", "src", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "src/away: error: is a symlink to a folder outside the source folder; it is not read",
        "src/gone.md:1: error: is a symlink to a file that does not exist",
    ]
