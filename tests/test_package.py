"""cardpress as a user installs it: the wheel built from this checkout,
installed into a fresh virtualenv in a temporary folder, used on a notes
folder elsewhere, with nothing of the checkout on sys.path.

The wheel's dependencies come from the package index (pip's cache makes
later runs fast). The outputs are checked with the real tools: the .apkg is
imported by the `anki` package, the PDF's fonts are listed by `pdffonts`.
"""

from __future__ import annotations

import html.parser
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from anki_helpers import import_apkg, open_collection
from conftest import REPO

pytestmark = pytest.mark.slow

VERSION_LINE = "cardpress, version "


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP") and not k.startswith("CARDPRESS_")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra)
    return env


def _run(argv, cwd: Path, timeout: float = 900, **env: str) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(a) for a in argv], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env=_clean_env(**env))
    assert proc.returncode == 0, f"{argv}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def _wheel(out: Path, cwd: Path) -> Path:
    # Build isolation fetches the build backend (hatchling) like any user's pip.
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", out, REPO], cwd=cwd,
         SOURCE_DATE_EPOCH="1700000000")
    (wheel,) = out.glob("cardpress-*.whl")
    return wheel


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(wheel, venv bin dir, a work folder outside the checkout)."""
    root = tmp_path_factory.mktemp("package")
    work = root / "work"
    work.mkdir()
    wheel = _wheel(root / "wheel", work)
    venv = root / "venv"
    _run([sys.executable, "-m", "venv", venv], cwd=work)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    _run([bin_dir / "python", "-m", "pip", "install", "--quiet", "--prefer-binary", wheel], cwd=work)
    return wheel, bin_dir, work


def test_wheel_is_reproducible_and_carries_templates_fonts_and_licences(installed, tmp_path):
    wheel, _, _ = installed
    again = _wheel(tmp_path / "again", tmp_path)
    assert again.read_bytes() == wheel.read_bytes()
    names = set(zipfile.ZipFile(wheel).namelist())
    for family in ("pretendard", "jetbrains-mono", "noto-sans-kr-hanja"):
        assert f"cardpress/_assets/fonts/{family}/LICENSE.txt" in names
        assert any(n.startswith("cardpress-") and n.endswith(f"licenses/assets/fonts/{family}/LICENSE.txt")
                   for n in names), family
    for rel in ("_card.html.j2", "anki/note.css.j2", "html/site.js", "pdf/print.css.j2", "init/ko/example.md",
                "init/en/example.md", "init/gitignore"):
        assert f"cardpress/_templates/{rel}" in names
    assert "cardpress/_assets/fonts/pretendard/Pretendard-Regular.otf" in names
    assert not any(n.startswith(("tests/", "source/", "build.py")) or "__pycache__" in n for n in names)


def test_installed_command_runs_outside_the_checkout(installed):
    _, bin_dir, work = installed
    where = _run([bin_dir / "python", "-c", "import cardpress, sys; print(cardpress.__file__); print(sys.path)"],
                 cwd=work).stdout
    assert str(REPO) not in where
    assert str(bin_dir.parent) in where.splitlines()[0]
    version = _run([bin_dir / "cardpress", "--version"], cwd=work).stdout
    assert version.startswith(VERSION_LINE) and version.strip() != VERSION_LINE.strip()
    assert _run([bin_dir / "python", "-m", "cardpress", "--version"], cwd=work).stdout == version
    assert "Usage:" in _run([bin_dir / "python", "-m", "cardpress", "--help"], cwd=work).stdout


class _Refs(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.refs.append(value)


def test_init_then_build_gives_a_deck_a_pdf_and_an_offline_site(installed, tmp_path):
    _, bin_dir, work = installed
    notes = tmp_path / "notes"
    out = _run([bin_dir / "cardpress", "init", notes, "--lang", "ko"], cwd=work).stdout
    assert f"created {notes / 'source' / 'example.md'}" in out
    assert "next: cd " in out
    # As init says: in the notes folder, `cardpress build` (source/ -> dist/).
    proc = _run([bin_dir / "cardpress", "build"], cwd=notes)
    assert "6 card(s)" in proc.stdout
    dist = notes / "dist"

    col = open_collection(tmp_path / "collection.anki2")
    try:
        log = import_apkg(col, dist / "example.apkg")
        assert len(log.new) == 6
        nids = col.find_notes('"deck:나의 첫 덱"')
        assert len(nids) == 6
        assert {col.get_note(n).note_type()["name"] for n in nids} == {
            "cardpress Basic", "cardpress Cloze", "cardpress Reversed"}
        assert any(n.startswith("_cardpress-pretendard-") for n in os.listdir(col.media.dir()))
    finally:
        col.close()

    fonts = subprocess.run(["pdffonts", str(dist / "example.pdf")], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows, fonts
    families = {row.split()[0].split("+")[-1] for row in rows}
    assert {"Pretendard", "JetBrains-Mono"} <= families, fonts
    assert families <= {"Pretendard", "Pretendard-Bold", "JetBrains-Mono", "JetBrains-Mono-Bold",
                        "Noto-Sans-KR-Hanja", "Noto-Sans-KR-Hanja-Bold"}, fonts
    for row in rows:  # columns: name type encoding emb sub uni object ID
        assert row.split()[-5] == "yes", f"font not embedded: {row}"

    site = dist / "html"
    index = site / "index.html"
    assert index.is_file()
    for page in (index, *sorted((site / "decks").glob("*.html"))):
        parser = _Refs()
        parser.feed(page.read_text("utf-8"))
        assert parser.refs
        for ref in parser.refs:
            parts = urlsplit(ref)
            if parts.scheme == "data":  # inline, nothing fetched
                continue
            assert not parts.scheme and not parts.netloc, f"{page.name} references {ref}"
            if parts.path:
                assert (page.parent / unquote(parts.path)).exists(), f"{page.name}: missing {ref}"
