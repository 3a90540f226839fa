"""The no-op path (cardpress/noop.py): a build that would change nothing
prints exactly what a real no-op build prints, without importing the reader;
anything that could change an output makes it a real build again."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO


def cli(*args: str, cwd: Path) -> tuple[subprocess.CompletedProcess, bool]:
    """Run the CLI; also say whether the reader was imported (a real build)."""
    proc = subprocess.run([sys.executable, "-X", "importtime", str(REPO / "build.py"), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)
    real = "cardpress.read.deck" in proc.stderr
    stderr = "\n".join(line for line in proc.stderr.splitlines() if not line.startswith("import time:"))
    return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout, stderr), real


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    src = tmp_path / "notes"
    src.mkdir()
    (src / "a.md").write_text("# A\n\n## Q1?\nOne.\n\n## Q2?\nTwo <center>x</center>.\n", "utf-8")  # a warning
    (src / "b.md").write_text("# B\n\n## R1?\nThree.\n", "utf-8")
    return src


def test_a_no_op_replays_exactly_what_a_real_no_op_prints(notes: Path, tmp_path: Path):
    args = ("build", str(notes), "-o", "out", "-f", "apkg", "-f", "html")
    first, _ = cli(*args, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    for flag in ((), ("-q",), ("-v",)):
        (tmp_path / "out" / ".cardpress" / "noop.json").unlink(missing_ok=True)  # a real no-op first
        real, was_real = cli(*args, *flag, cwd=tmp_path)
        replay, was_real_again = cli(*args, *flag, cwd=tmp_path)
        assert was_real and not was_real_again, flag
        assert (replay.returncode, replay.stdout, replay.stderr) == (real.returncode, real.stdout, real.stderr), flag
    assert "unsupported" in replay.stderr or "not supported" in replay.stderr  # the warning is repeated


@pytest.mark.parametrize("change", ["edit", "touch", "new file", "deleted output", "other option", "planted record"])
def test_anything_that_could_change_an_output_is_a_real_build(notes: Path, tmp_path: Path, change: str):
    args = ["build", str(notes), "-o", "out", "-f", "apkg"]
    cli(*args, cwd=tmp_path)
    cli(*args, cwd=tmp_path)  # a real no-op: recorded
    _, real = cli(*args, cwd=tmp_path)
    assert not real  # replayed
    out = tmp_path / "out"
    if change == "edit":
        (notes / "b.md").write_text("# B\n\n## R1?\nThree, edited.\n", "utf-8")
    elif change == "touch":
        os.utime(notes / "b.md", (1, 1))
    elif change == "new file":
        (notes / "c.md").write_text("# C\n\n## S?\nFour.\n", "utf-8")
    elif change == "deleted output":
        (out / "a.apkg").unlink()
    elif change == "other option":
        args += ["--question-level", "3"]
    elif change == "planted record":
        record = out / ".cardpress" / "noop.json"
        data = record.read_bytes()
        record.write_bytes(data.replace(b'"code": 0', b'"code": 7'))  # the signature no longer matches
    proc, real = cli(*args, cwd=tmp_path)
    assert real, change
    assert proc.returncode == 0, proc.stderr
    if change in ("edit", "new file", "deleted output"):
        assert "0 written" not in proc.stdout
