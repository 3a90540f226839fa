"""The command line as a user runs it: real subprocesses, real exit codes
(each command's help is read in process, through click)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cardpress.cli import main
from conftest import REPO


def run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "build.py"), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def test_help_lists_every_command():
    """The real entry point: `cardpress --help` names every command of the
    group with its one-line summary."""
    proc = run("--help")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Usage: ")
    listed = proc.stdout.split("Commands:", 1)[1]
    for name, command in main.commands.items():
        line = next((ln for ln in listed.splitlines() if ln.split()[:1] == [name]), None)
        assert line is not None, f"{name} missing from --help"
        summary = command.get_short_help_str(limit=200)
        assert summary and " ".join(line.split()[1:])[:20] == summary[:20], line


# Every command of the group, so a new command is covered without editing this.
@pytest.mark.parametrize("name", sorted(main.commands))
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_on_every_command(name, flag):
    result = CliRunner().invoke(main, [name, flag], prog_name="cardpress")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: cardpress {name} ")
    command = main.commands[name]
    assert command.help and command.help.split("\n")[0].strip() in result.output
    for param in command.params:  # every option is documented
        if isinstance(param, click.Option) and not param.hidden:
            assert param.help, f"{name} {param.opts[0]} has no help text"
            assert param.opts[-1] in result.output


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
