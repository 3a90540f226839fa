"""One bad file never blocks the rest (issue 12): the decks of files with
errors are skipped and keep their last good outputs byte for byte; every
other deck is built; exit 1; `--fail-fast` keeps all-or-nothing."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

pytestmark = pytest.mark.slow  # three CLI builds of all formats


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "build.py"), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def digests(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file() and ".cardpress" not in p.parts}


def test_a_file_with_errors_keeps_its_last_good_outputs_and_the_others_are_built(tmp_path):
    src, out = tmp_path / "notes", tmp_path / "dist"
    src.mkdir()
    (src / "alpha.md").write_text("# Alpha\n\n## A1?\nOne.\n", "utf-8")
    (src / "beta.md").write_text("# Beta\n\n## B1?\nTwo.\n", "utf-8")
    (src / "gamma.md").write_text("# Gamma\n\n## G1?\nThree.\n", "utf-8")
    first = cli("build", str(src), "-o", str(out), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    before = digests(out)

    # Beta breaks (a duplicate question), Alpha is edited.
    (src / "beta.md").write_text("# Beta\n\n## B1?\nTwo.\n\n## B1?\nTwice.\n", "utf-8")
    (src / "alpha.md").write_text("# Alpha\n\n## A1?\nOne, edited.\n", "utf-8")
    second = cli("build", str(src), "-o", str(out), cwd=tmp_path)
    assert second.returncode == 1
    assert f"{src}/beta.md:6: error: duplicate question (first at line 3)" in second.stderr
    assert f"skipped 1 file(s) with errors, their last good outputs kept: {src}/beta.md" in second.stderr
    assert "Traceback" not in second.stderr
    after = digests(out)
    for name in ("beta.apkg", "beta.pdf", "html/decks/beta.html"):
        assert after[name] == before[name], name  # the last good outputs, byte for byte
    for name in ("alpha.apkg", "alpha.pdf", "html/decks/alpha.html"):
        assert after[name] != before[name], name  # written
    assert after["gamma.apkg"] == before["gamma.apkg"]  # unchanged, so up to date
    index = (out / "html" / "index.html").read_text("utf-8")
    assert "Beta" in index and "Alpha" in index  # the site still lists the skipped deck
    assert "One, edited." in (out / "html" / "decks" / "alpha.html").read_text("utf-8")

    # --fail-fast: all or nothing.
    (src / "alpha.md").write_text("# Alpha\n\n## A1?\nOne, edited again.\n", "utf-8")
    strict = cli("build", str(src), "-o", str(out), "--fail-fast", cwd=tmp_path)
    assert strict.returncode == 1 and "build failed: nothing was written" in strict.stderr
    assert digests(out) == after

    # Fixed: everything builds again.
    (src / "beta.md").write_text("# Beta\n\n## B1?\nTwo.\n\n## B2?\nTwice.\n", "utf-8")
    fixed = cli("build", str(src), "-o", str(out), cwd=tmp_path)
    assert fixed.returncode == 0, fixed.stderr
    assert "Twice." in (out / "html" / "decks" / "beta.html").read_text("utf-8")


def test_check_and_build_agree_on_a_bad_file(tmp_path):
    src = tmp_path / "notes"
    src.mkdir()
    (src / "ok.md").write_text("# Ok\n\n## Q?\nA.\n", "utf-8")
    (src / "bad.md").write_bytes("# Bad\n\n## Q?\n\xff\n".encode("latin-1"))
    check = cli("check", str(src), cwd=tmp_path)
    build = cli("build", str(src), "-o", str(tmp_path / "dist"), "-f", "apkg", cwd=tmp_path)
    assert check.returncode == build.returncode == 1
    errors = [line for line in check.stderr.splitlines() if ": error: " in line]
    assert errors and all(line in build.stderr for line in errors)
    assert (tmp_path / "dist" / "ok.apkg").is_file() and not (tmp_path / "dist" / "bad.apkg").exists()
