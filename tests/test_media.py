"""Sound, video and images as notes write them (issue 11, "Media"), end to end:
- the reader: `[sound:x]`, `![](x.mp3)`, `![[x.mp3]]`, `<audio src>` and
  `<video><source src>` are judged by their content, found where Obsidian
  finds them, and every problem is a diagnostic at its line;
- Anki (a real import): the file is in the collection's media folder under a
  content-hashed name and the field plays it with `[sound:...]`; a remote
  image keeps its alt text and address as a caption;
- the PDF (extracted text, image sizes): a small mark names the file, in the
  deck's language; size hints hold;
- the site (Chromium, offline): `<audio controls>` that really loads, sizes,
  the caption of a remote image, no console error, no request off the disk.
"""

from __future__ import annotations

import json
import math
import shutil
import struct
import wave
import zipfile
import zlib
from io import BytesIO
from pathlib import Path

import pytest

from cardpress import sanitize
from cardpress.build import build
from cardpress.read import read_library
from cardpress.sniff import sniff
from cardpress.writers.anki_media import sound_name
from conftest import REPO
import test_html
from test_html import Tab

EXAMPLES = REPO / "examples"
browser = test_html.browser  # Chromium, once per module (a fixture)
CHIME = (EXAMPLES / "attachments" / "chime.wav").read_bytes()


def wav(seconds: float = 0.3, pitch: float = 440.0) -> bytes:
    out = BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(8000)
        w.writeframes(bytes(int(128 + 60 * math.sin(2 * math.pi * pitch * i / 8000)) for i in range(int(8000 * seconds))))
    return out.getvalue()


def png(width: int = 40, height: int = 20) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\x30\x70\xd0" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


# The first bytes of each format: what sniff (and so the reader) judges by.
HEADS = {
    "talk.mp3": b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 64,
    "talk.ogg": b"OggS\x00\x02" + b"\x00" * 64,
    "talk.m4a": b"\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00M4A isom" + b"\x00" * 64,
    "talk.flac": b"fLaC\x00\x00\x00\x22" + b"\x00" * 64,
    "clip.mp4": b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 64,
    "clip.webm": b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01" + b"\x00" * 64,
}


def notes(tmp_path: Path, text: str, files: dict[str, bytes] | None = None, name: str = "n.md") -> Path:
    src = tmp_path / "src"
    src.mkdir(exist_ok=True)
    for rel, data in (files or {}).items():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_bytes(data)
    (src / name).parent.mkdir(parents=True, exist_ok=True)
    (src / name).write_text(text, "utf-8")
    return src


def messages(lib) -> list[str]:
    return [str(d) for d in lib.diagnostics]


# ---- the reader --------------------------------------------------------------

def test_every_way_of_writing_sound_plays_the_same_file(tmp_path):
    src = notes(tmp_path, "# D\n\n## Q1\n[sound:chime.wav]\n\n## Q2\n![The chime](att/chime.wav)\n\n"
                          "## Q3\n![[chime.wav]]\n\n## Q4\n<audio src=\"att/chime.wav\" controls></audio>\n\n"
                          "## Q5\n<audio controls><source src=\"att/chime.wav\" type=\"audio/wav\"></audio>\n",
                {"att/chime.wav": CHIME})
    lib = read_library([str(src)])
    assert messages(lib) == []
    (deck,) = lib.decks
    assert deck.media == ("att/chime.wav",)
    answers = [c.answer_html for c in deck.cards]
    assert answers[0] == '<p><audio class="cp-audio" src="att/chime.wav"></audio></p>'
    assert answers[1] == '<p><audio class="cp-audio" src="att/chime.wav" title="The chime"></audio></p>'
    assert answers[2] == answers[0]
    assert answers[3] == '<p><audio src="att/chime.wav" controls=""></audio></p>'
    assert answers[4] == '<p><audio controls=""><source src="att/chime.wav" type="audio/wav"></audio></p>'


@pytest.mark.parametrize("name", list(HEADS))
def test_formats_are_known_by_their_content(tmp_path, name):
    kind = sniff(HEADS[name])
    assert kind is not None and kind.ext == name.rsplit(".", 1)[1]
    # Named wrongly on purpose: the content decides, and the name in the card stays.
    src = notes(tmp_path, "# D\n\n## Q\n![](media/file.bin)\n", {"media/file.bin": HEADS[name]})
    lib = read_library([str(src)])
    assert messages(lib) == []
    tag = kind.category
    assert lib.decks[0].cards[0].answer_html == f'<p><{tag} class="cp-{tag}" src="media/file.bin"></{tag}></p>'


def test_problems_are_diagnostics_at_their_line(tmp_path):
    src = notes(tmp_path, "\n".join([
        "# D", "", "## Q",
        "[sound:missing.mp3]",  # 4
        "![](slides.mp3)",  # 5: a PDF named .mp3
        '<audio src="pic.png"></audio>',  # 6: an image is not sound
        "[sound:../outside.mp3]",  # 7
        "![[twice.wav]]",  # 8: two files of that name
        "[sound:.hidden.mp3]",  # 9
        '<video src="clip.webm" poster="pic.png" autoplay onplay="x()"></video>',  # 10
        "![](x.zip)",  # 11: an archive
        "",
    ]), {"slides.mp3": b"%PDF-1.4\n", "pic.png": png(), "a/twice.wav": CHIME, "b/twice.wav": CHIME,
         ".hidden.mp3": HEADS["talk.mp3"], "clip.webm": HEADS["clip.webm"], "x.zip": b"PK\x03\x04zip"})
    (tmp_path / "outside.mp3").write_bytes(HEADS["talk.mp3"])
    lib = read_library([str(src)])
    assert messages(lib) == [
        f"{src}/n.md:4: error: sound 'missing.mp3' not found (looked in the note's folder and the whole source folder)",
        f"{src}/n.md:5: warning: audio 'slides.mp3' is a PDF document, not audio or video; it is not bundled "
        "(export the page as PNG)",
        f"{src}/n.md:6: warning: audio 'pic.png' is a PNG, not audio or video; it is not bundled",
        f"{src}/n.md:7: error: sound '../outside.mp3' is outside the source folder {src}",
        f"{src}/n.md:8: error: audio 'twice.wav' is ambiguous: 2 files have that name (a/twice.wav, b/twice.wav); "
        "write its path from the source folder, e.g. ![[a/twice.wav]]",
        f"{src}/n.md:9: error: sound '.hidden.mp3' is a hidden file or folder; hidden files are never bundled",
        f"{src}/n.md:10: warning: HTML attribute autoplay= on <video> is not supported: removed",
        f"{src}/n.md:10: warning: HTML attribute poster= on <video> is not supported: removed",
        f"{src}/n.md:10: warning: unsafe HTML removed: event handler onplay= on <video>",
        f"{src}/n.md:11: warning: image 'x.zip' is a ZIP archive, not an image; it is not bundled",
    ]
    # Only the video is bundled: nothing outside the source folder, hidden, or not what it claims.
    assert lib.decks[0].media == ("clip.webm",)
    assert lib.decks[0].cards[0].answer_html.count("src=") == 1


def test_the_sanitizer_allows_sound_and_video_and_nothing_more():
    assert sanitize.scan('<audio src="a.mp3" controls></audio><video src="v.mp4" width="320"></video>'
                         '<source src="a.ogg" type="audio/ogg">').findings == []
    urls = sanitize.scan('<audio src="a.mp3"><source src="b.ogg"></audio>').urls
    assert [(u.tag, u.url) for u in urls] == [("audio", "a.mp3"), ("source", "b.ogg")]
    found = [f.message for f in sanitize.scan('<audio src="javascript:alert(1)"></audio><track src="t.vtt">'
                                              '<picture></picture>').findings]
    assert found == ["unsafe HTML removed: javascript: URL in <audio src>", "unsafe HTML removed: <track>",
                     "unsafe HTML removed: <picture>"]
    # Handlers go; a URL the reader did not approve goes; a data: one goes even if approved.
    assert sanitize.clean('<audio src="a.mp3" onplay="x()"></audio>') == '<audio src="a.mp3"></audio>'
    assert sanitize.clean('<audio src="a.mp3"></audio>', lambda *a: None) == "<audio></audio>"
    assert sanitize.clean('<video src="data:video/mp4;base64,AAAA"></video>', lambda *a: a[2]) == "<video></video>"


def test_size_hints_reach_the_card(tmp_path):
    src = notes(tmp_path, "# D\n\n## Q\n![[pic.png|300]] ![[pic.png|320x200]] ![[pic.png|A chart|240]]\n\n"
                          '![small|120](pic.png) <img src="pic.png" width="90">\n', {"pic.png": png()})
    lib = read_library([str(src)])
    assert messages(lib) == []
    assert lib.decks[0].cards[0].answer_html == (
        '<p><img src="pic.png" alt="" width="300"> <img src="pic.png" alt="" width="320" height="200"> '
        '<img src="pic.png" alt="A chart" width="240"></p>\n'
        '<p><img src="pic.png" alt="small" width="120"> <img src="pic.png" width="90"></p>')


def test_embeds_look_in_the_note_folder_first_then_everywhere(tmp_path):
    src = notes(tmp_path, "# D\n\n## Q\n![[pic.png]] ![[deep.png]] ![[img/deep.png]]\n",
                {"sub/pic.png": png(), "pic.png": png(3, 3), "x/y/img/deep.png": png()}, name="sub/n.md")
    lib = read_library([str(src)])
    assert messages(lib) == []
    assert lib.decks[0].media == ("sub/pic.png", "x/y/img/deep.png")


def test_sound_names_are_content_hashed_and_what_anki_keeps():
    name = sound_name("talks/_발표 [1] & Q?.MP3", HEADS["talk.mp3"])
    stem, digest = name.rsplit(".", 1)[0].rsplit("-", 1)
    assert stem == "발표 1 Q" and len(digest) == 10 and name.endswith(".mp3")
    assert sound_name("a.wav", CHIME) != sound_name("a.wav", wav())  # other bytes, another name
    assert sound_name("x" * 300 + ".ogg", HEADS["talk.ogg"]).encode().__len__() <= 120


# ---- Anki --------------------------------------------------------------------

@pytest.mark.slow
def test_anki_plays_the_bundled_sound_and_captions_remote_images(tmp_path):
    from anki_helpers import import_apkg, open_collection

    src = tmp_path / "src"
    shutil.copytree(EXAMPLES / "attachments", src / "attachments")
    shutil.copy(EXAMPLES / "media.md", src / "media.md")
    (src / "more.md").write_text("# More\n\n## Video?\n![](clip.webm)\n\n## Remote?\n"
                                 "![A chart](https://example.com/chart.png)\n", "utf-8")
    (src / "clip.webm").write_bytes(HEADS["clip.webm"])
    result = build([str(src)], tmp_path / "dist", ["apkg"])
    assert result.ok, [str(d) for d in result.diagnostics]
    col = open_collection(tmp_path / "c.anki2")
    try:
        for apkg in result.outputs:
            import_apkg(col, apkg)
        notes_ = {col.get_note(n)["CardId"]: col.get_note(n) for n in col.find_notes("")}
        media_dir = Path(col.media.dir())
        (chime,) = [p.name for p in media_dir.iterdir() if p.name.startswith("chime-")]
        assert (media_dir / chime).read_bytes() == CHIME and chime.endswith(".wav")
        for key in ("sound", "audio-forms"):
            answer = notes_[key]["Answer"]
            assert f"[sound:{chime}]" in answer and "<audio" not in answer and "<source" not in answer
        assert notes_["audio-forms"]["Answer"].count(f"[sound:{chime}]") == 2
        (clip,) = [p.name for p in media_dir.iterdir() if p.name.startswith("clip-")]
        assert clip.endswith(".webm") and f"[sound:{clip}]" in notes_["video"]["Answer"]
        assert '<img src="network.png" alt="" width="240">' in notes_["image-size"]["Answer"]
        remote = notes_["remote"]["Answer"]
        assert ('<img src="https://example.com/chart.png" alt="A chart"><span class="cp-remote-caption">A chart · '
                '<a href="https://example.com/chart.png">https://example.com/chart.png</a></span>') in remote
        # Anki's own media check: every reference has its file, no sound of ours is unused.
        check = col.media.check()
        assert list(check.missing) == [] and not [n for n in check.unused if n.startswith(("chime-", "clip-"))]
    finally:
        col.close()

    # New bytes under the same file name: a new media name, so Anki plays the new recording.
    (src / "attachments" / "chime.wav").write_bytes(wav(pitch=880))
    again = build([str(src)], tmp_path / "dist", ["apkg"])
    assert again.ok
    with zipfile.ZipFile(tmp_path / "dist" / "media.apkg") as z:
        names = set(json.loads(z.read("media")).values())
    assert chime not in names and any(n.startswith("chime-") and n.endswith(".wav") for n in names)


# ---- PDF ---------------------------------------------------------------------

@pytest.mark.slow
def test_pdf_names_the_sound_in_the_decks_language_and_keeps_sizes(tmp_path):
    import pdfplumber

    src = tmp_path / "src"
    shutil.copytree(EXAMPLES / "attachments", src / "attachments")
    shutil.copy(EXAMPLES / "media.md", src / "media.md")
    (src / "english.md").write_text("# English\n\n## Which sound?\n[sound:chime.wav] and ![](clip.mp4)\n", "utf-8")
    (src / "clip.mp4").write_bytes(HEADS["clip.mp4"])
    result = build([str(src)], tmp_path / "dist", ["pdf"])
    assert result.ok and list(result.diagnostics) == [], [str(d) for d in result.diagnostics]
    with pdfplumber.open(tmp_path / "dist" / "media.pdf") as doc:
        text = "\n".join(p.extract_text() for p in doc.pages)
        images = [im for p in doc.pages for im in p.images]
    assert text.count("오디오: chime.wav") == 3 and "[sound:chime" not in text and "audio:" not in text
    # width=240, 160 and 120 CSS px: 180, 120 and 90 pt wide; the aspect kept (480×240).
    widths = sorted(round(im["x1"] - im["x0"]) for im in images)
    assert widths == [90, 120, 180], widths
    assert all(abs((im["x1"] - im["x0"]) / (im["bottom"] - im["top"]) - 2) < 0.05 for im in images)
    with pdfplumber.open(tmp_path / "dist" / "english.pdf") as doc:
        text = "\n".join(p.extract_text() for p in doc.pages)
    assert "audio: chime.wav" in text and "video: clip.mp4" in text and "오디오" not in text


# ---- the site ------------------------------------------------------------------

@pytest.mark.browser
@pytest.mark.slow
def test_site_plays_sound_offline_and_captions_remote_images(tmp_path, browser):
    src = tmp_path / "src"
    shutil.copytree(EXAMPLES / "attachments", src / "attachments")
    shutil.copy(EXAMPLES / "media.md", src / "media.md")
    (src / "remote.md").write_text("# Remote\n\n## Chart?\n![Loss curve](https://example.com/loss.png)\n", "utf-8")
    result = build([str(src)], tmp_path / "dist", ["html"])
    assert result.ok
    site = tmp_path / "dist" / "html"
    assert (site / "media" / "attachments" / "chime.wav").read_bytes() == CHIME
    tab = Tab(browser, viewport={"width": 800, "height": 900})
    page = tab.open(site, "decks/media.html")
    # Studying: a click on the player is the player's, it does not flip the card back.
    page.locator("#_cp-cards > li.current summary").click()
    page.wait_for_selector("#_cp-cards > li.current details[open] audio")
    page.locator("#_cp-cards > li.current audio").click()
    page.wait_for_timeout(400)
    assert page.locator("#_cp-cards > li.current details[open] audio").count() == 1
    page.click("[data-mode-button=list]")
    page.evaluate("document.querySelectorAll('#_cp-cards details').forEach(d => d.open = true)")
    audio = page.locator("audio")
    assert audio.count() == 3
    assert all(page.evaluate("[...document.querySelectorAll('audio')].map(a => a.controls)"))
    durations = page.evaluate("""Promise.all([...document.querySelectorAll('audio')].map(a => a.readyState >= 1
        ? a.duration : new Promise(r => a.addEventListener('loadedmetadata', () => r(a.duration), {once: true}))))""")
    assert all(d == pytest.approx(0.5, abs=0.01) for d in durations), durations  # the real file, decoded
    widths = page.evaluate("[...document.querySelectorAll('.cp-answer img')].map(i => i.getBoundingClientRect().width)")
    assert [round(w) for w in widths] == [240, 160, 120]
    tab.check_clean()

    tab = Tab(browser, viewport={"width": 390, "height": 800})
    page = tab.open(site, "decks/remote.html")
    page.locator(".cp-details > summary").first.click()  # study mode: flip
    caption = page.locator(".cp-remote-caption")
    caption.wait_for(state="visible")
    assert caption.is_visible() and "Loss curve" in caption.inner_text()
    assert caption.locator("a").get_attribute("href") == "https://example.com/loss.png"
    # Offline: the image hides, and the caption says why (in the site's language).
    assert page.locator(".cp-remote-caption.cp-img-offline .cp-offline-note").is_visible()
    assert not page.locator("img[data-remote-src]").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    tab.check_clean()

