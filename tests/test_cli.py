"""The command line as a user runs it: real subprocesses, real exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import REPO


def run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "build.py"), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def test_help_on_every_command():
    for args in ([], ["build"], ["check"]):
        proc = run(*args, "--help")
        assert proc.returncode == 0 and "Usage:" in proc.stdout


def test_build_apkg_and_check(tmp_path):
    out = tmp_path / "dist"
    proc = run("build", "source", "-o", str(out), "-f", "apkg")
    assert proc.returncode == 0, proc.stderr
    assert (out / "ai-dev-knowledge.apkg").is_file()
    assert "19 card(s)" in proc.stdout
    proc = run("check", "source")
    assert proc.returncode == 0 and "ok: 1 deck(s), 19 card(s)" in proc.stdout


def test_errors_in_notes_exit_1_with_file_and_line_and_write_nothing(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "x.md").write_text("# D\n## Q\nA\n\n## Q\nB\n", "utf-8")
    out = tmp_path / "dist"
    proc = run("build", str(src), "-o", str(out), "-f", "apkg", cwd=tmp_path)
    assert proc.returncode == 1
    assert f"{src}/x.md:5: error: duplicate question (first at line 2)" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (out / "x.apkg").exists()
    proc = run("check", str(src), cwd=tmp_path)
    assert proc.returncode == 1 and "x.md:5: error:" in proc.stderr


def test_usage_errors_exit_2():
    assert run("build", "-f", "docx").returncode == 2
    assert run("frobnicate").returncode == 2


def test_missing_source_is_one_clear_line(tmp_path):
    proc = run("build", str(tmp_path / "nope"), "-o", str(tmp_path / "out"))
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"{tmp_path / 'nope'}: error: no such file or directory"
