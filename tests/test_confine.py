"""Nothing outside the sources is read, nothing hangs (issue 10, items 6, 7,
11, 14, 15; issue 12's images that are not images).

Each test builds the situation the issue describes, runs the real CLI (or
the reader) and checks what was read, reported and bundled. Anything that
could block (a FIFO, /dev/zero) runs in a subprocess with a timeout and a
memory limit, so a regression fails the test instead of hanging the suite.
"""

from __future__ import annotations

import dataclasses
import json
import pickle
import mimetypes
import os
import re
import resource
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from pathlib import Path

import pytest

from cardpress import userkey
from cardpress.build import build
from cardpress.options import BuildOptions
from cardpress.read import read_library
from cardpress.sniff import MEDIA_KINDS, sniff, svg_problem
from conftest import REPO

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
SECRET = "TOP-SECRET-7f3a"


def run(*args, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    """The CLI in a child process with a 2 GB address-space limit: a read
    that never ends fails fast instead of eating the machine."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
    return subprocess.run([sys.executable, str(REPO / "build.py"), *args], cwd=cwd, capture_output=True,
                          timeout=timeout, preexec_fn=limit)


def err(proc: subprocess.CompletedProcess) -> list[str]:
    """What the CLI printed on stderr (strict UTF-8: everything printed
    must be), without the progress lines a build prints off a terminal."""
    return [line for line in proc.stderr.decode("utf-8").splitlines() if not re.match(r"\[\d+/\d+\] ", line)]


def note(path: Path, body: str, title: str = "D") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"# {title}\n\n## Q\n{body}\n", "utf-8")
    return path


def apkg_media(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        names = json.loads(z.read("media"))
        return {name: z.read(i) for i, name in names.items() if not name.startswith("_")}


def everything_under(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file())


# -- item 6: each source is its own root ---------------------------------------------

def test_several_sources_do_not_widen_to_their_common_folder(tmp_path: Path):
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_rsa").write_text(SECRET)
    (home / "notes" / "pic.png").parent.mkdir(parents=True)
    (home / "notes" / "pic.png").write_bytes(PNG)
    note(home / "notes" / "mine.md", "![](pic.png)", "Mine")
    note(home / "Downloads" / "shared.md", "![](../.ssh/id_rsa) ![](../notes/pic.png)", "Shared")
    proc = run("build", "home/notes/mine.md", "home/Downloads/shared.md", "-o", "out", "-f", "apkg", "-f", "html",
               cwd=tmp_path)
    assert proc.returncode == 1
    assert err(proc) == [
        "home/Downloads/shared.md:4: error: image '../.ssh/id_rsa' is outside the source folder home/Downloads",
        "home/Downloads/shared.md:4: error: image '../notes/pic.png' is outside the source folder home/Downloads",
        # Decks are independent (issue 12): the file with errors is skipped, the other built.
        "skipped 1 file(s) with errors, their last good outputs kept: home/Downloads/shared.md",
    ]
    assert (tmp_path / "out" / "notes" / "mine.apkg").is_file()
    assert not (tmp_path / "out").exists() or SECRET.encode() not in everything_under(tmp_path / "out")

    # Each within its own folder: both build, names relative to the common folder as before.
    note(home / "Downloads" / "shared.md", "text", "Shared")
    proc = run("build", "home/notes/mine.md", "home/Downloads/shared.md", "-o", "out", "-f", "apkg", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.apkg")) == \
        ["Downloads/shared.apkg", "notes/mine.apkg"]
    assert list(apkg_media(tmp_path / "out" / "notes" / "mine.apkg").values()) == [PNG]


def test_a_file_source_is_confined_to_its_own_folder_even_through_a_symlink(tmp_path: Path):
    (tmp_path / "private").mkdir()
    (tmp_path / "private" / "diary.md").write_text(f"# Diary\n\n## Q\n{SECRET}\n")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "x.md").symlink_to("../private/diary.md")  # e.g. `notes/*.md` from a shell glob
    proc = run("check", "notes/x.md", cwd=tmp_path)
    assert (proc.returncode, err(proc)) == (1, ["notes/x.md:1: error: is a symlink to a file outside the "
                                                "source folder; it is not read"])


# -- item 7: hidden files are never notes or media; images by content ----------------

def _cloned_deck(src: Path) -> None:
    (src / ".git").mkdir(parents=True)
    (src / ".git" / "config").write_text(f"[remote]\n\ttoken = {SECRET}\n")
    (src / ".env").write_text(f"TOKEN={SECRET}\n")
    (src / "img" / ".cache").mkdir(parents=True)
    (src / "img" / ".cache" / "x.png").write_bytes(PNG)
    (src / "img" / "ok.png").write_bytes(PNG)
    (src / "img" / "logo.png").symlink_to("../.git/config")
    (src / "deck.md").write_text(
        "# Cloned\n\n## Q\n![](.env)\n![](.git/config)\n![](img/.cache/x.png)\n![](img/logo.png)\n"
        "![](img/ok.png)\n<img src=\"./.env\">\n")


def test_hidden_files_are_never_media(tmp_path: Path):
    _cloned_deck(tmp_path / "src")
    never = "hidden files are never bundled"
    expected = [
        f"src/deck.md:4: error: image '.env' is a hidden file or folder; {never}",
        f"src/deck.md:5: error: image '.git/config' is a hidden file or folder; {never}",
        f"src/deck.md:6: error: image 'img/.cache/x.png' is a hidden file or folder; {never}",
        f"src/deck.md:7: error: image 'img/logo.png' is a symlink to a hidden file or folder; {never}",
        f"src/deck.md:9: error: image './.env' is a hidden file or folder; {never}",
    ]
    check = run("check", "src", cwd=tmp_path)
    assert (check.returncode, err(check)) == (1, expected)
    built = run("build", "src", "-o", "out", "-f", "apkg", cwd=tmp_path)
    assert (built.returncode, err(built)) == (1, expected + ["build failed: nothing was written"])


def test_hidden_notes_are_never_read(tmp_path: Path):
    src = tmp_path / "src"
    note(src / ".git" / "notes.md", SECRET, "Git")
    (src / "linked.md").symlink_to(".git/notes.md")
    (src / "docs").symlink_to(".git")
    note(src / ".draft.md", SECRET, "Draft")
    proc = run("check", "src", "src/.draft.md", cwd=tmp_path)
    assert proc.returncode == 1
    assert err(proc) == [
        "src/.draft.md:1: error: is a hidden file; hidden files are never notes (rename it)",
        "src/docs: error: is a symlink to a hidden folder; hidden files are never notes",
        "src/linked.md:1: error: is a symlink to a hidden file; hidden files are never notes",
    ]


def test_a_file_that_is_not_an_image_is_a_warning_and_bundled_nowhere(tmp_path: Path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "slides.png").write_bytes(b"%PDF-1.4\n" + SECRET.encode())
    (src / "board.xopp").write_bytes(b"\x1f\x8b\x08\x00" + SECRET.encode())
    (src / "secret.jpg").write_text(f"KEY={SECRET}\n")
    (src / "empty.gif").write_bytes(b"")
    (src / "photo.heic").write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + SECRET.encode())
    (src / "ok.png").write_bytes(PNG)
    (src / "n.md").write_text("# N\n\nIntro ![](slides.png)\n\n## Q\n![](board.xopp)\n\n<img src=\"secret.jpg\">\n\n"
                              "![](empty.gif) ![](photo.heic) ![](ok.png)\n")
    expected = [
        "src/n.md:3: warning: image 'slides.png' is a PDF document, not an image; it is not bundled "
        "(export the page as PNG)",
        "src/n.md:6: warning: image 'board.xopp' is a gzip-compressed file, not an image; it is not bundled",
        "src/n.md:8: warning: image 'secret.jpg' is not an image (its content is not PNG, JPEG, GIF, WebP, "
        "AVIF, BMP or SVG); it is not bundled",
        "src/n.md:10: warning: image 'empty.gif' is an empty file; it is not bundled",
        "src/n.md:10: warning: image 'photo.heic' is a HEIC photo, which Anki and browsers do not show; "
        "it is not bundled (export it as JPEG)",
    ]
    check = run("check", "src", cwd=tmp_path)
    assert (check.returncode, err(check)) == (0, expected)
    built = run("build", "src", "-o", "out", "-f", "apkg", "-f", "html", cwd=tmp_path)
    assert (built.returncode, err(built)) == (0, expected)
    out = tmp_path / "out"
    assert apkg_media(out / "n.apkg") == {"ok.png": PNG}
    assert sorted(p.name for p in (out / "html" / "media").iterdir()) == ["ok.png"]
    assert SECRET.encode() not in everything_under(out)
    page = (out / "html" / "decks" / "n.html").read_text("utf-8")
    assert "slides.png" not in page and "secret.jpg" not in page and 'src="../media/ok.png"' in page


def test_a_cached_deck_loses_an_image_that_became_a_pdf(tmp_path: Path):
    src = tmp_path / "src"
    (src / "pic.png").parent.mkdir()
    (src / "pic.png").write_bytes(PNG)
    note(src / "n.md", "![](pic.png)")
    out = tmp_path / "out"
    first = build([str(src)], out, ["apkg"])
    assert first.ok and not first.diagnostics
    assert apkg_media(out / "n.apkg") == {"pic.png": PNG}
    (src / "pic.png").write_bytes(b"%PDF-1.7\n")  # the note is unchanged: its parse is cached
    second = build([str(src)], out, ["apkg"])
    assert [d.message for d in second.diagnostics] == [
        "image 'pic.png' is a PDF document, not an image; it is not bundled (export the page as PNG)"]
    assert apkg_media(out / "n.apkg") == {}


def test_a_crafted_cache_entry_cannot_bundle_a_file_outside_the_sources(tmp_path: Path):
    src = tmp_path / "src"
    note(src / "n.md", "text")
    (tmp_path / "secret.png").write_bytes(PNG[:-12] + SECRET.encode() + PNG[-12:])
    out = tmp_path / "out"
    assert build([str(src)], out, ["apkg"]).ok
    [entry] = (out / ".cardpress" / "parsed").iterdir()
    signature, _, body = entry.read_bytes().partition(b"\n")  # signed: see cache.ParseCache
    deck = pickle.loads(body)
    entry.write_bytes(signature + b"\n" + pickle.dumps(dataclasses.replace(deck, media=("../secret.png",))))
    (src / "n.md").touch()
    assert build([str(src)], out, ["apkg"]).ok
    assert apkg_media(out / "n.apkg") == {}
    assert SECRET.encode() not in everything_under(out)


# -- the sniffer and SVG ---------------------------------------------------------------

@pytest.mark.parametrize("head, name, category", [
    (PNG, "PNG", "image"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG", "image"),
    (b"GIF89a\x01\x00", "GIF", "image"),
    (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "WebP", "image"),
    (b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf", "AVIF", "image"),
    (b"BM\x36\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00\x28\x00\x00\x00", "BMP", "image"),
    (b"II*\x00\x08\x00\x00\x00", "TIFF image", "image"),
    (b"%PDF-1.5\n", "PDF document", "document"),
    (b"ID3\x04\x00\x00\x00\x00\x00\x00", "MP3 audio", "audio"),
    (b"\xff\xfb\x90\x64\x00", "MP3 audio", "audio"),
    (b"OggS\x00\x02", "Ogg audio", "audio"),
    (b"RIFF\x24\x00\x00\x00WAVEfmt ", "WAV audio", "audio"),
    (b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00M4A isom", "M4A audio", "audio"),
    (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom", "MP4 video", "video"),
    (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81", "WebM video", "video"),
    (b"PK\x03\x04\x14\x00", "ZIP archive", "archive"),
    (b'<?xml version="1.0"?>\n<!-- by hand -->\n<svg xmlns="http://www.w3.org/2000/svg"/>', "SVG", "image"),
])
def test_sniff_knows_kinds_by_content(head: bytes, name: str, category: str):
    kind = sniff(head)
    assert kind is not None and (kind.name, kind.category) == (name, category)


def test_sniff_does_not_guess():
    for head in (b"", b"BM", b"hello <svg>", b"KEY=value\n", b"\x00" * 64, b"<html><svg></svg></html>"):
        assert sniff(head) is None, head
    assert len({k.name for _, k in MEDIA_KINDS}) == len(MEDIA_KINDS)


SVG_NS = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'


@pytest.mark.parametrize("body, problem", [
    ('<defs><linearGradient id="g"/></defs><rect style="fill:url(#g)"/><use xlink:href="#g"/>', None),
    ('<image href="data:image/png;base64,AAAA"/><a href="https://example.com/"><text>x</text></a>', None),
    ("<script>alert(1)</script>", "it contains <script>"),
    ('<rect onclick="alert(1)"/>', "it has an event handler (onclick=)"),
    ('<a href=" java\tscript:alert(1)"><text>x</text></a>', "it has a script URL"),
    ('<foreignObject><div xmlns="http://www.w3.org/1999/xhtml"><iframe src="x"/></div></foreignObject>',
     "it contains <iframe>"),
    ('<a href="#x"><set attributeName="href" to="https://evil"/></a>', 'it animates a link'),
    ('<image href="file:///etc/passwd"/>', "it refers to another file or page"),
    ('<image xlink:href="../secret.png"/>', "it refers to another file or page"),
    ("<style>@import url(https://evil/x.css);</style>", "its <style> loads other files"),
    ('<rect style="fill:url(https://evil/track)"/>', "a style= attribute loads other files"),
])
def test_svg_is_accepted_only_when_static(body: str, problem: str | None):
    found = svg_problem(f"<svg {SVG_NS}>{body}</svg>".encode())
    assert (found is None) if problem is None else (found or "").startswith(problem), found


def test_svg_entity_bombs_and_bad_xml_are_refused_quickly():
    bomb = ('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
            + "".join(f'<!ENTITY {c} "{("&" + p + ";") * 10}">' for p, c in zip("abcdefgh", "bcdefghi"))
            + f']><svg {SVG_NS}><text>&i;</text></svg>').encode()
    assert svg_problem(bomb).startswith("it is not well-formed XML")  # expat's amplification limit
    assert svg_problem(b"<svg><rect></svg>").startswith("it is not well-formed XML")
    assert svg_problem(b"<html/>") == "its root element is not <svg>"


def test_an_svg_with_script_is_not_bundled_a_static_one_is(tmp_path: Path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "ok.svg").write_text(f'<svg {SVG_NS} width="10" height="10"><rect width="5" height="5"/></svg>')
    (src / "bad.svg").write_text(f'<svg {SVG_NS} onload="alert(document.domain)"/>')
    note(src / "n.md", "![](ok.svg) ![](bad.svg)")
    lib = read_library([str(src)])
    assert [(d.location.line, d.message) for d in lib.diagnostics] == [
        (4, "image 'bad.svg' is an SVG that is not a static image: it has an event handler (onload=); it is not "
            "bundled (only SVGs without script or outside references are; or export it as PNG)")]
    assert lib.decks[0].media == ("ok.svg",)


# -- item 11: FIFOs, devices, size limits ------------------------------------------------

def test_fifos_and_devices_are_never_opened(tmp_path: Path):
    src = tmp_path / "src"
    src.mkdir()
    os.mkfifo(src / "evil.md")
    os.mkfifo(src / "pipe.png")
    (src / "zero.png").symlink_to("/dev/zero")  # outside anyway
    (src / "dev").symlink_to("/dev")
    note(src / "n.md", "![](pipe.png) ![](zero.png) ![](dev/zero)")
    os.mkfifo(tmp_path / "given.md")
    proc = run("check", "given.md", "/dev/zero", "src", cwd=tmp_path, timeout=60)
    assert proc.returncode == 1
    assert err(proc) == [
        "/dev/zero:1: error: is a character device, not a regular file; it is not read",
        "given.md:1: error: is a FIFO (named pipe), not a regular file; it is not read",
        "src/dev: error: is a symlink to a folder outside the source folder; it is not read",
        "src/evil.md:1: error: is a FIFO (named pipe), not a regular file; it is not read",
        "src/n.md:4: error: image 'dev/zero' is a symlink to a file outside the source folder src; it is not read",
        "src/n.md:4: error: image 'pipe.png' is a FIFO (named pipe), not a regular file; it is not read",
        "src/n.md:4: error: image 'zero.png' is a symlink to a file outside the source folder src; it is not read",
    ]
    built = run("build", "given.md", "src", "-o", "out", cwd=tmp_path, timeout=60)
    assert built.returncode == 1 and "Traceback" not in built.stderr.decode()


def test_notes_and_media_over_the_size_limit_are_errors(tmp_path: Path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "big.png").write_bytes(PNG + b"\0" * 2000)
    (src / "small.png").write_bytes(PNG)
    note(src / "a.md", "![](big.png) ![](small.png)", "A")
    note(src / "b.md", "x" * 3000, "B")
    options = BuildOptions(max_note_bytes=1000, max_media_bytes=1000)
    result = build([str(src)], tmp_path / "out", ["apkg"], options)
    assert [str(d) for d in result.diagnostics] == [
        f"{src}/a.md:4: error: image 'big.png' is {len(PNG) + 2000} bytes; media files larger than 1000 bytes "
        "are not read",
        f"{src}/b.md:1: error: is {(src / 'b.md').stat().st_size} bytes; notes larger than 1000 bytes are not read",
    ]
    assert not (tmp_path / "out").exists()
    assert build([str(src)], tmp_path / "out", ["apkg"]).ok  # the defaults: 50 MB a note, 100 MB a media file
    with pytest.raises(ValueError):
        BuildOptions(max_note_bytes=0)


# -- item 14: file names that are not UTF-8 ------------------------------------------------

def test_non_utf8_names_check_and_build_agree(tmp_path: Path):
    src = tmp_path / "src"
    note(src / "ok.md", "fine", "Ok")
    note(src / os.fsdecode(b"caf\xe9.md"), "latin-1 name", "Cafe")
    note(src / os.fsdecode(b"d\xefr") / "inner.md", "in a latin-1 folder", "Inner")
    (src / os.fsdecode(b"img\xff.png")).write_bytes(PNG)  # not a note: never named by one, never read
    expected = ["src/caf\ufffd.md:1: error: file name is not valid UTF-8 (shown with \ufffd); rename it",
                "src/d\ufffdr: error: folder name is not valid UTF-8 (shown with \ufffd); rename it: its notes "
                "are not read"]
    check = run("check", "src", cwd=tmp_path)
    built = run("build", "src", "-o", "out", cwd=tmp_path)
    assert (check.returncode, err(check)) == (1, expected)
    assert (built.returncode, err(built)) == (1, expected + [
        "skipped 2 file(s) with errors, their last good outputs kept: src/caf\ufffd.md, src/d\ufffdr"])
    # Only the good deck was written (decks are independent, issue 12), nothing named after the bad names.
    assert sorted(p.name for p in (tmp_path / "out").glob("*.apkg")) == ["ok.apkg"]
    assert not any("\ufffd" in os.fsdecode(p.name) or b"\xe9" in os.fsencode(p.name)
                   for p in (tmp_path / "out").rglob("*"))


def test_a_source_folder_whose_own_name_is_not_utf8_builds(tmp_path: Path):
    root = tmp_path / os.fsdecode(b"notes-\xe9")
    (root / "img.png").parent.mkdir()
    (root / "img.png").write_bytes(PNG)
    (root / "doc.png").write_bytes(b"%PDF-1.4\n")
    note(root / "n.md", "![](img.png) ![](doc.png)")
    args = [b"notes-\xe9"]
    check = run("check", *args, cwd=tmp_path)
    built = run("build", *args, "-o", "out", "-f", "apkg", "-f", "html", cwd=tmp_path)
    warning = ("notes-\ufffd/n.md:4: warning: image 'doc.png' is a PDF document, not an image; it is not bundled "
               "(export the page as PNG)")
    assert (check.returncode, err(check)) == (0, [warning])
    assert (built.returncode, err(built)) == (0, [warning])
    assert apkg_media(tmp_path / "out" / "n.apkg") == {"img.png": PNG}
    again = run("build", *args, "-o", "out", "-f", "apkg", "-f", "html", cwd=tmp_path)  # the caches read back
    assert (again.returncode, err(again)) == (0, [warning])
    assert b"(0 written, 3 up to date)" in again.stdout


# -- item 15: NFC and NFD names ------------------------------------------------------------

NFC = "다이어그램.png"
NFD = unicodedata.normalize("NFD", NFC)


def test_decomposed_names_are_found_and_bundled_under_the_composed_name(tmp_path: Path):
    from anki_helpers import import_apkg, open_collection

    src = tmp_path / "src"
    (src / unicodedata.normalize("NFD", "그림")).mkdir(parents=True)
    (src / unicodedata.normalize("NFD", "그림") / NFD).write_bytes(PNG)  # as macOS writes them
    (src / "plain.png").write_bytes(PNG + b"\0")
    (src / "n.md").write_text(f"# 한국어\n\n## Q\n![](그림/{NFC})\n\n## R\n"
                              f"![]({unicodedata.normalize('NFD', 'plain.png')}) [링크](그림/{NFC})\n", "utf-8")
    nfd_note = unicodedata.normalize("NFD", f"# 둘\n\n## Q\n![](그림/{NFC})\n")  # the note decomposed too
    (src / "m.md").write_bytes(nfd_note.encode("utf-8"))
    out = tmp_path / "out"
    result = build([str(src)], out, ["apkg", "html"])
    assert result.ok and not result.diagnostics, result.diagnostics
    assert result.library.decks[0].media == (f"그림/{NFC}",)
    assert apkg_media(out / "n.apkg") == {NFC: PNG, "plain.png": PNG + b"\0"}
    assert (out / "html" / "media" / "그림" / NFC).read_bytes() == PNG
    col = open_collection(tmp_path / "c.anki2")
    try:
        log = import_apkg(col, out / "n.apkg")
        assert len(log.new) == 2
        assert (Path(col.media.dir()) / NFC).read_bytes() == PNG
        fields = " ".join(col.get_note(n)["Answer"] for n in col.find_notes(""))
        assert f'src="{NFC}"' in fields
    finally:
        col.close()
    again = build([str(src)], out, ["apkg", "html"])  # not cached (renamed media), still the same
    assert again.ok and again.written == []


def test_names_that_differ_only_in_normalization_are_ambiguous_not_guessed(tmp_path: Path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "x").mkdir()
    (src / "x" / NFD).write_bytes(PNG)
    (src / "x" / (NFD.replace(".png", "") + "\u200b.png")).write_bytes(PNG)  # not the same name in any form
    (src / "y").mkdir()
    for name in (NFD, "다이어그램.png"):  # Linux keeps both
        (src / "y" / name).write_bytes(PNG + name.encode())
    (src / "z").mkdir()
    for name in (NFD, "다" + NFD[2:]):  # two decomposed spellings, neither the one written
        (src / "z" / name).write_bytes(PNG)
    note(src / "n.md", f"![](x/{NFC}) ![](y/{NFC})\n![](z/{NFC})")
    lib = read_library([str(src)])
    assert [(d.location.line, d.message) for d in lib.diagnostics] == [
        (5, f"image 'z/{NFC}' matches several files whose names differ only in Unicode normalization (NFC/NFD); "
            "rename one")]
    assert lib.decks[0].media == (f"x/{NFC}", f"y/{NFC}")
    assert lib.media_path(f"x/{NFC}") == src / "x" / NFD
    assert lib.media_path(f"y/{NFC}").read_bytes() == PNG + NFC.encode()  # the exact name wins


# -- the whole build: what is opened ---------------------------------------------------------

AUDIT = r"""
import json, os, sys
sys.path.insert(0, sys.argv[1])
opened = []
def hook(event, args):
    if event in ("open", "os.listdir", "os.scandir") and args and isinstance(args[0], (str, bytes, os.PathLike)):
        opened.append((event, os.fsdecode(args[0])))
from cardpress import userkey
from cardpress.build import build
from pathlib import Path
sys.addaudithook(hook)
result = build(sys.argv[4:], Path(sys.argv[2]), sys.argv[3].split(","))
json.dump({"opened": opened, "diagnostics": [str(d) for d in result.diagnostics]}, sys.stdout)
"""


def _strays(opened: list[tuple[str, str]], allowed: list[Path], cwd: Path) -> list[str]:
    """What was opened outside `allowed` folders, beyond what Python and
    its libraries do on their own: the import system lists the cwd and the
    checkout (lazy imports),
    `mimetypes` reads the system's types, `ctypes` and WeasyPrint make
    temporaries (gone once the build is over)."""
    tmp = tempfile.gettempdir()
    own = {os.devnull, tmp, *mimetypes.knownfiles}
    strays = []
    for event, path in opened:
        real = os.path.realpath(path if os.path.isabs(path) else cwd / path)
        if any(real == str(a) or real.startswith(str(a) + "/") for a in allowed) or real in own:
            continue
        if event != "open" and real in (str(cwd), str(REPO)):  # the import system's look at sys.path
            continue
        if real.startswith(tmp + "/") and not os.path.lexists(real):
            continue
        strays.append(real)
    return sorted(set(strays))


def _hostile_tree(tmp_path: Path) -> tuple[Path, Path]:
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_rsa").write_text(SECRET)
    notes, shared = home / "notes", home / "Downloads"
    _cloned_deck(notes)
    (notes / "deck.md").write_text(f"# Mine\n\n## Q\n![](img/ok.png) ![](img/{NFC})\n")
    (notes / "img" / NFD).write_bytes(PNG)
    os.mkfifo(notes / "pipe.md")
    os.mkfifo(notes / "img" / "pipe.png")
    (notes / "out.png").symlink_to("../.ssh/id_rsa")
    (notes / "doc.png").write_bytes(b"%PDF-1.4 " + SECRET.encode())
    note(notes / "more.md", "![](img/pipe.png) ![](out.png) ![](doc.png) ![](.env) [x](../.ssh/id_rsa)", "More")
    note(shared / "shared.md", "![](../.ssh/id_rsa) ![](../notes/img/ok.png)", "Shared")
    return notes, shared


def _audited_build(tmp_path: Path, out: Path, formats: str, *sources: Path) -> dict:
    proc = subprocess.run([sys.executable, "-c", AUDIT, str(REPO), str(out), formats, *map(str, sources)],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _assert_confined(report: dict, roots: list[Path], out: Path, cwd: Path) -> list[str]:
    package = [REPO / "cardpress", REPO / "assets", REPO / "templates", Path(sys.prefix), Path(sys.base_prefix)]
    key = userkey.key_path()  # the user's key that signs the parse cache (cardpress/userkey.py)
    assert _strays(report["opened"], [*roots, out, *package, *([key] if key else [])], cwd) == []
    opened = [os.path.realpath(path) for _, path in report["opened"] if os.path.isabs(path)]
    own = os.path.realpath(out) + "/"  # the output may sit inside a source folder: its files are the build's own
    for p in opened:
        if p.startswith(own):
            continue
        for root in roots:
            if p.startswith(str(root) + "/"):
                assert not any(part.startswith(".") for part in Path(p).relative_to(root).parts), p
    return opened


@pytest.mark.slow
def test_a_build_opens_nothing_outside_the_sources_output_and_package(tmp_path: Path):
    notes, shared = _hostile_tree(tmp_path)
    out = tmp_path / "out"
    # The hostile tree: every read the reader makes, and the writers' for the
    # files without errors (the others are skipped).
    report = _audited_build(tmp_path, out, "apkg,html,pdf", notes, shared / "shared.md")
    _assert_confined(report, [notes, shared], out, tmp_path)
    assert len(report["diagnostics"]) == 8, "\n".join(report["diagnostics"])
    assert not out.exists() or SECRET.encode() not in everything_under(out)

    # Without the errors, through every writer.
    (notes / "pipe.md").unlink()
    (notes / "more.md").unlink()
    (shared / "shared.md").write_text("# Shared\n\n## Q\ntext\n")
    report = _audited_build(tmp_path, out, "apkg,html,pdf", notes, shared / "shared.md")
    assert report["diagnostics"] == []
    opened = _assert_confined(report, [notes, shared], out, tmp_path)
    assert any(p.endswith(NFD) for p in opened)  # the NFD image was read, under its own name
    assert SECRET.encode() not in everything_under(out)


def test_hostile_tree_check_reports_each_problem_once_and_never_hangs(tmp_path: Path):
    notes, shared = _hostile_tree(tmp_path)
    proc = run("check", "home/notes", "home/Downloads/shared.md", cwd=tmp_path, timeout=60)
    assert proc.returncode == 1
    lines = err(proc)
    assert "Traceback" not in proc.stderr.decode()
    assert lines == sorted(lines) and len(lines) == len(set(lines))
    assert "home/notes/pipe.md:1: error: is a FIFO (named pipe), not a regular file; it is not read" in lines
    assert any("'../.ssh/id_rsa' is outside the source folder home/Downloads" in x for x in lines)
    assert any("'../notes/img/ok.png' is outside the source folder home/Downloads" in x for x in lines)
    assert any("'out.png' is a symlink to a file outside the source folder home/notes" in x for x in lines)
    assert any("link target '../.ssh/id_rsa' is outside the source folder home/notes" in x for x in lines)
    assert SECRET not in proc.stderr.decode()


@pytest.mark.slow
def test_the_pdf_prints_the_nfd_image_and_leaves_out_the_non_image(tmp_path: Path):
    from pypdf import PdfReader

    src = tmp_path / "src"
    src.mkdir()
    (src / NFD).write_bytes(PNG)
    (src / "slides.png").write_bytes(b"%PDF-1.4\n" + SECRET.encode())
    note(src / "n.md", f"![a]({NFC})\n\n![b](slides.png)")
    result = build([str(src)], tmp_path / "out", ["pdf"])
    assert [d.message for d in result.diagnostics] == [
        "image 'slides.png' is a PDF document, not an image; it is not bundled (export the page as PNG)"]
    pdf = PdfReader(tmp_path / "out" / "n.pdf")
    assert len({image.name for page in pdf.pages for image in page.images}) == 1  # one resource, shared by pages
    assert SECRET.encode() not in (tmp_path / "out" / "n.pdf").read_bytes()
