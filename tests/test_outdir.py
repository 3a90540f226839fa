"""The output folder is ours, and only ours (issue 10, items 1, 2, 3, 9, 12):
a build never deletes, replaces or writes through anything it did not
create, and reads its records in `OUTPUT/.cardpress/` as untrusted input.

Real builds (the CLI in a subprocess where the exit code and the exact
stderr matter, `build()` in-process elsewhere), real Anki for the package
that a crafted cache entry must not poison. Each test also checks that
nothing outside the output folder changed (`tree`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from anki_helpers import import_apkg, open_collection
from cardpress import outdir, userkey
from cardpress.build import build
from cardpress.cache import ParseCache
from cardpress.errors import OutputError
from conftest import REPO

DECK = "# Deck\n\n## Why?\nBecause.\n\n## How?\nLike this.\n"
HOUR_AGO = time.time() - 2 * 3600


def run(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """The CLI, bounded: 60 s and 2 GB of address space, so a build that
    blocks on a FIFO or reads /dev/zero fails the test instead of the machine."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
    return subprocess.run([sys.executable, str(REPO / "build.py"), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=60, preexec_fn=limit, env={**os.environ, **(env or {})})


def tree(top: Path, skip: Path | None = None) -> dict[str, tuple]:
    """Everything under `top` (but `skip`): kind, link target, size, bytes."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(top):
        here = Path(dirpath)
        if skip is not None and (here == skip or skip in here.parents):
            dirnames[:] = []
            continue
        for name in dirnames + filenames:
            p = here / name
            rel = p.relative_to(top).as_posix()
            if p.is_symlink():
                found[rel] = ("link", os.readlink(p))
            elif p.is_file():
                found[rel] = ("file", p.read_bytes())
            elif p.is_dir():
                found[rel] = ("dir",)
            else:
                found[rel] = ("other",)
    return found


def one_line(proc: subprocess.CompletedProcess, severity: str) -> str:
    """The one problem line on stderr (progress lines aside)."""
    lines = [line for line in proc.stderr.splitlines() if not line.startswith("[")]
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    problems = [line for line in lines if f": {severity}: " in line]
    assert len(problems) == 1, proc.stderr
    return problems[0]


@pytest.fixture(autouse=True)
def own_key(tmp_path_factory, monkeypatch):
    """A key of this test session's, not the user's."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))


# -- item 1: the sweep deletes only what a build left in its own staging folder -------------

def test_the_sweep_never_deletes_the_users_files(tmp_path):
    """`cardpress build notes -o notes` deleted `notes/.backup.20240101.old`
    and `notes/sub/.draft.original.tmp`: names the old sweep's pattern took
    for its own temporaries."""
    notes = tmp_path / "notes"
    (notes / "sub").mkdir(parents=True)
    (notes / "deck.md").write_text(DECK, "utf-8")
    users = [notes / ".backup.20240101.old", notes / "sub" / ".draft.original.tmp"]
    for p in users:
        p.write_text("mine", "utf-8")
        os.utime(p, (HOUR_AGO, HOUR_AGO))
    before = tree(tmp_path)
    proc = run("build", "notes", "-o", "notes", "-f", "apkg", cwd=tmp_path)
    assert proc.returncode == 1
    assert one_line(proc, "error").startswith("notes: error: the output folder is the source folder")
    assert tree(tmp_path) == before  # nothing written, nothing deleted

    # The same names in an output folder of its own are kept too; what a
    # killed build left in the staging folder goes once it is an hour old.
    out = tmp_path / "out"
    kept = [out / ".backup.20240101.old", out / "sub" / ".draft.original.tmp", out / ".deck.apkg.0123456789abcdef.tmp"]
    for p in kept:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("mine", "utf-8")
        os.utime(p, (HOUR_AGO, HOUR_AGO))
    staging = out / ".cardpress" / "tmp"
    staging.mkdir(parents=True)
    stale, fresh = staging / "0123456789abcdef.tmp", staging / "fedcba9876543210.tmp"
    stale.mkdir()
    (stale / "index.html").write_text("half a site", "utf-8")
    fresh.write_text("a running build's", "utf-8")
    os.utime(stale, (HOUR_AGO, HOUR_AGO))
    result = build([str(notes)], out, ["apkg"])
    assert result.ok and (out / "deck.apkg").is_file()
    assert all(p.read_text("utf-8") == "mine" for p in kept)
    assert sorted(p.name for p in staging.iterdir()) == [fresh.name]


# -- item 2: a folder of the user's is never replaced by the site ------------------------------

def test_building_into_the_source_folder_is_refused_and_loses_nothing(tmp_path):
    """`cardpress build notes -o notes -f html` swapped the site in as
    `notes/html/`, deleting the user's deck folder `notes/html/`."""
    notes = tmp_path / "notes"
    (notes / "html").mkdir(parents=True)
    (notes / "deck.md").write_text(DECK, "utf-8")
    (notes / "html" / "web.md").write_text("# Web\n\n## What is HTML?\nMarkup.\n", "utf-8")
    before = tree(tmp_path)
    proc = run("build", "notes", "-o", "notes", "-f", "html", cwd=tmp_path)
    assert proc.returncode == 1
    line = one_line(proc, "error")
    assert line.startswith("notes: error: the output folder is the source folder") and "notes/html/web.md" in line
    assert tree(tmp_path) == before
    # A file of the folder, or a folder inside it, is the same refusal.
    for source, relation in (("notes/deck.md", "is"), ("notes/html", "contains")):
        proc = run("build", source, "-o", "notes", "-f", "html", cwd=tmp_path)
        assert proc.returncode == 1 and f"the output folder {relation} the source folder" in one_line(proc, "error")
    assert tree(tmp_path) == before


def test_a_folder_of_the_users_where_the_site_goes_is_refused_before_anything_is_written(tmp_path):
    notes, out = tmp_path / "notes", tmp_path / "out"
    notes.mkdir()
    (notes / "deck.md").write_text(DECK, "utf-8")
    (out / "html").mkdir(parents=True)
    (out / "html" / "CNAME").write_text("cards.example.org", "utf-8")
    before = tree(tmp_path)
    proc = run("build", "notes", "-o", "out", "-f", "apkg", "-f", "html", cwd=tmp_path)
    assert proc.returncode == 1
    assert one_line(proc, "error").startswith("out/html: error: is a folder cardpress did not write")
    assert tree(tmp_path) == before  # not even the .apkg: an error writes nothing
    assert run("build", "notes", "-o", "out", "-f", "apkg", cwd=tmp_path).returncode == 0  # no site: not in the way

    # Empty (as `serve` makes it), it is ours to fill; then ours to replace.
    (out / "html" / "CNAME").unlink()
    for _ in range(2):
        assert build([str(notes)], out, ["html"], incremental=False).ok
    assert (out / "html" / "index.html").is_file() and (out / "html" / outdir.MARKER).is_file()


def test_a_site_from_before_the_marker_is_still_replaced(tmp_path):
    notes, out = tmp_path / "notes", tmp_path / "out"
    notes.mkdir()
    (notes / "deck.md").write_text(DECK, "utf-8")
    assert build([str(notes)], out, ["html"]).ok
    (out / "html" / outdir.MARKER).unlink()  # as an older cardpress left it
    assert build([str(notes)], out, ["html"], incremental=False).ok
    assert (out / "html" / outdir.MARKER).is_file()


def test_an_output_folder_inside_the_sources_holding_only_our_outputs_is_fine(tmp_path, monkeypatch):
    """`cardpress build . -o dist`, the usual layout, keeps working: through
    --force builds of one format, and from a folder built before cardpress
    kept its `written` record; a file of the user's there is refused."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "deck.md").write_text(DECK, "utf-8")
    dist = Path("dist")
    assert build(["."], dist, ["apkg", "html"]).ok
    assert build(["."], dist, ["apkg"], incremental=False).ok
    (dist / ".cardpress" / "written").unlink()  # outputs.json still lists them
    assert build(["."], dist, ["apkg"]).ok
    (dist / "notes.txt").write_text("mine", "utf-8")
    with pytest.raises(OutputError) as refused:
        build(["."], dist, ["apkg"])
    assert str(refused.value).startswith("dist: error: the output folder lies inside the source folder")
    assert "dist/notes.txt" in str(refused.value) and (dist / "notes.txt").read_text("utf-8") == "mine"


# -- item 3: symlinks below the output are never followed --------------------------------------

def test_a_symlinked_cache_folder_deletes_nothing_outside(tmp_path):
    """With `dist/.cardpress/parsed` a symlink to `../..`, the parse-cache
    flush wrote through it and unlinked every other `*.json` there."""
    notes, dist = tmp_path / "notes", tmp_path / "dist"
    notes.mkdir()
    (notes / "deck.md").write_text(DECK, "utf-8")
    (tmp_path / "package.json").write_text("{}", "utf-8")
    (dist / ".cardpress").mkdir(parents=True)
    (dist / ".cardpress" / "parsed").symlink_to("../..")
    (dist / ".cardpress" / "media-cache").symlink_to("../..")
    before = tree(tmp_path, skip=dist)
    proc = run("build", "notes", "-o", "dist", "-f", "apkg", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    warnings = sorted(line for line in proc.stderr.splitlines() if ": warning: " in line)
    assert warnings == [f"dist/.cardpress/{name}: warning: was a symlink, not cardpress's folder: removed (not followed)"
                        for name in ("media-cache", "parsed")]
    assert tree(tmp_path, skip=dist) == before
    assert (dist / ".cardpress" / "parsed").is_dir() and not (dist / ".cardpress" / "parsed").is_symlink()
    assert list((dist / ".cardpress" / "parsed").glob("*.pickle"))  # the cache works again


def test_links_where_outputs_go_are_replaced_or_refused_never_written_through(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    notes, dist, elsewhere = Path("notes"), Path("dist"), tmp_path / "elsewhere"
    (notes / "sub").mkdir(parents=True)
    (notes / "deck.md").write_text(DECK, "utf-8")
    (notes / "sub" / "more.md").write_text(DECK.replace("# Deck", "# More"), "utf-8")
    elsewhere.mkdir()
    (elsewhere / "victim").write_text("precious", "utf-8")
    dist.mkdir()
    (dist / "deck.apkg").symlink_to("../elsewhere/victim")  # a link where an output goes: replaced
    (dist / "html").symlink_to("../elsewhere")  # a link where the site goes: refused
    before = tree(tmp_path, skip=tmp_path / "dist")
    with pytest.raises(OutputError, match=r"^dist/html: error: is a symlink;"):
        build(["notes"], dist, ["apkg", "html"])
    (dist / "html").unlink()
    (dist / "sub").symlink_to("../elsewhere")  # a link where a folder of outputs goes: refused
    with pytest.raises(OutputError, match=r"^dist/sub: error: is a symlink, where cardpress writes a folder"):
        build(["notes"], dist, ["apkg"])
    assert tree(tmp_path, skip=tmp_path / "dist") == before
    assert (dist / "deck.apkg").is_file() and not (dist / "deck.apkg").is_symlink()
    (dist / "sub").unlink()
    assert build(["notes"], dist, ["apkg"]).ok
    assert (dist / "sub" / "more.apkg").is_file() and tree(tmp_path, skip=tmp_path / "dist") == before


# -- item 9: what is read back from .cardpress/ cannot inject anything -------------------------

def _entry(dist: Path) -> Path:
    (entry,) = (dist / ".cardpress" / "parsed").glob("*.pickle")
    return entry


class _Payload:
    """A pickle that runs code when it is loaded: what a crafted entry
    would carry. It must never be unpickled (the signature is checked first)."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.write_text, (self.marker, "PWNED"))


def _poison(entry: Path, key: bytes | None) -> None:
    """The entry as a crafted `dist/` would carry it: a deck with a script in
    an answer and a file from outside the source folder as its media, and a
    pickle that runs code when loaded, signed with `key` (None: unsigned)."""
    import dataclasses
    import pickle

    data = entry.read_bytes()
    deck = pickle.loads(data.split(b"\n", 1)[1])  # our own entry, to alter
    card = dataclasses.replace(deck.cards[0], answer_html='<p>pwned<script>alert("PWNED")</script>'
                                                          '<img src="../secret.txt"></p>')
    deck = dataclasses.replace(deck, cards=(card, *deck.cards[1:]), media=("../secret.txt",))
    raw = pickle.dumps((deck, _Payload(entry.parent.parent.parent / "UNPICKLED")))
    if key is None:
        entry.write_bytes(raw)
    else:
        mac = hmac.new(key, entry.name.encode() + b"\x00" + raw, hashlib.sha256).hexdigest().encode()
        entry.write_bytes(ParseCache.MAGIC + mac + b"\n" + raw)


@pytest.mark.parametrize("signed_with", ["unsigned", "another key"])
def test_a_crafted_parse_cache_entry_is_parsed_again(tmp_path, signed_with):
    """A crafted entry in `OUTPUT/.cardpress/parsed/` put `<script>` into the
    site and bundled a file from outside the source folder into the .apkg."""
    notes, dist = tmp_path / "notes", tmp_path / "dist"
    notes.mkdir()
    (notes / "deck.md").write_text(DECK, "utf-8")
    (tmp_path / "secret.txt").write_text("SECRET-TOKEN-123", "utf-8")
    assert build([str(notes)], dist, ["apkg", "html"]).ok
    _poison(_entry(dist), None if signed_with == "unsigned" else b"k" * 32)
    (dist / ".cardpress" / "outputs.json").unlink()  # so every output is written again, from the cache
    result = build([str(notes)], dist, ["apkg", "html"])
    assert result.ok, result.diagnostics
    site = "".join(p.read_text("utf-8") for p in (dist / "html").rglob("*.html"))
    assert "PWNED" not in site and "Because." in site
    assert not (tmp_path / "UNPICKLED").exists()  # the crafted pickle never ran
    with zipfile.ZipFile(dist / "deck.apkg") as z:
        assert not any(b"SECRET-TOKEN" in z.read(name) for name in z.namelist())
    col = open_collection(tmp_path / "col.anki2")
    try:
        log = import_apkg(col, dist / "deck.apkg")
        assert len(log.new) == 2
        fields = [col.get_note(nid)["Answer"] for nid in col.find_notes("")]
        assert sorted(fields) == ["<p>Because.</p>", "<p>Like this.</p>"]
    finally:
        col.close()


def test_an_authentic_entry_is_used_and_no_key_means_no_cache(tmp_path, monkeypatch):
    notes, dist = tmp_path / "notes", tmp_path / "dist"
    notes.mkdir()
    (notes / "deck.md").write_text(DECK, "utf-8")
    assert build([str(notes)], dist, ["apkg"]).ok
    key = userkey.key_path()
    assert key is not None and key.is_file() and key.stat().st_mode & 0o777 == 0o600
    cache = ParseCache(dist)
    from cardpress.read import read_library
    read_library([str(notes)], cache=cache)
    assert cache.used and not cache.pending  # served from the cache: not parsed again

    # A key others can read is no key; nor is one that cannot be made.
    key.chmod(0o644)
    userkey._key.cache_clear()
    assert userkey.user_key() is None and ParseCache(dist).dir is None
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("", "utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert userkey.user_key() is None
    result = build([str(notes)], dist, ["apkg"], incremental=False)
    assert result.ok and (dist / "deck.apkg").is_file()
    key.chmod(0o600)
    userkey._key.cache_clear()


def test_crafted_output_records_never_reach_outside(tmp_path):
    """`outputs.json` and the manifest may make a build redo work, never
    look at, vouch for or write a file outside the output folder."""
    notes, dist = tmp_path / "notes", tmp_path / "dist"
    notes.mkdir()
    (notes / "deck.md").write_text(DECK, "utf-8")
    (tmp_path / "victim.apkg").write_text("precious", "utf-8")
    assert build([str(notes)], dist, ["apkg"]).ok
    records = dist / ".cardpress"
    outputs = json.loads((records / "outputs.json").read_text("utf-8"))
    entry = outputs["formats"]["apkg"]["decks"]["Deck"]
    st = (tmp_path / "victim.apkg").stat()  # as it is: the entry would vouch for it
    entry["files"] = {"../victim.apkg": [st.st_size, st.st_mtime_ns],
                      str(tmp_path / "victim.apkg"): [st.st_size, st.st_mtime_ns]}
    (records / "outputs.json").write_text(json.dumps(outputs), "utf-8")
    manifest = json.loads((records / "manifest.json").read_text("utf-8"))
    manifest["decks"]["Deck"]["source"] = "../../../etc/passwd"
    (records / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    before = tree(tmp_path, skip=dist)
    result = build([str(notes)], dist, ["apkg"])
    assert result.ok
    assert all(dist in p.resolve().parents for p in result.outputs), result.outputs
    assert [p.name for p in result.written] == ["deck.apkg"]  # redone, not vouched for
    assert tree(tmp_path, skip=dist) == before


# -- item 12: a damaged output state is one warning or one error line ------------------------

def _nested(records: Path) -> None:
    (records / "manifest.json").write_text('{"version": 1, "decks": ' + "[" * 100_000 + "]" * 100_000 + "}", "utf-8")


DAMAGE = {
    # name: (what to do to OUTPUT/.cardpress, the one line's severity and start)
    "nested manifest": (_nested, "warning", "dist/.cardpress/manifest.json: warning: ignored, it is nested too deeply"),
    "manifest is a folder": (lambda r: (r / "manifest.json").mkdir(),
                             "error", "dist/.cardpress/manifest.json: error: is a folder"),
    "manifest is a FIFO": (lambda r: os.mkfifo(r / "manifest.json"),
                           "warning", "dist/.cardpress/manifest.json: warning: ignored, it is a FIFO"),
    "manifest is /dev/zero": (lambda r: (r / "manifest.json").symlink_to("/dev/zero"),
                              "warning", "dist/.cardpress/manifest.json: warning: ignored, it is a symlink"),
    "outputs.json is /dev/zero": (lambda r: (r / "outputs.json").symlink_to("/dev/zero"),
                                  "warning", "dist/.cardpress/outputs.json: warning: ignored, it is a symlink"),
    "outputs.json is a FIFO": (lambda r: os.mkfifo(r / "outputs.json"),
                               "warning", "dist/.cardpress/outputs.json: warning: ignored, it is a FIFO"),
    "a cache entry is /dev/zero": (lambda r: [p.unlink() or p.symlink_to("/dev/zero") for p in r.glob("parsed/*")],
                                   None, None),
    "written is a FIFO": (lambda r: os.mkfifo(r / "written"), None, None),
    "a file named .cardpress": (lambda r: None, "error", "dist/.cardpress: error: is a file"),
    ".cardpress is a link": (lambda r: None, "error", "dist/.cardpress: error: is a symlink"),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_output_state_is_one_line_never_a_traceback_or_hang(tmp_path, damage):
    notes, dist = tmp_path / "notes", tmp_path / "dist"
    notes.mkdir()
    (notes / "deck.md").write_text(DECK, "utf-8")
    assert build([str(notes)], dist, ["apkg"]).ok
    records = dist / ".cardpress"
    for p in records.iterdir():
        if p.name in ("manifest.json", "outputs.json", "written"):
            p.unlink()
    make, severity, start = DAMAGE[damage]
    if damage in ("a file named .cardpress", ".cardpress is a link"):
        os.rename(records, tmp_path / "records")
        if damage == ".cardpress is a link":
            records.symlink_to(tmp_path / "records")
        else:
            records.write_text("", "utf-8")
    make(records)
    (dist / "deck.apkg").unlink()
    before = tree(tmp_path, skip=dist)
    proc = run("build", "notes", "-o", "dist", "-f", "apkg", cwd=tmp_path)
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    if severity is None:  # repaired in silence: a cache is allowed to miss
        assert proc.returncode == 0 and ": warning: " not in proc.stderr, proc.stderr
    else:
        assert proc.returncode == (1 if severity == "error" else 0), proc.stderr
        assert one_line(proc, severity).startswith(start), proc.stderr
    assert (dist / "deck.apkg").is_file() == (severity != "error")
    assert tree(tmp_path, skip=dist) == before
    if severity == "warning":  # the full rebuild rewrote the record: the next build is quiet
        again = build([str(notes)], dist, ["apkg"])
        assert again.ok and again.diagnostics == [], again.diagnostics


def test_a_deep_tree_in_the_staging_folder_is_swept_as_far_as_is_safe(tmp_path):
    notes, dist = tmp_path / "notes", tmp_path / "dist"
    notes.mkdir()
    (notes / "deck.md").write_text(DECK, "utf-8")
    staging = dist / ".cardpress" / "tmp"
    (staging / "old").mkdir(parents=True)
    fd = os.open(staging / "old", os.O_RDONLY)
    for _ in range(1200):  # crafted: deeper than Python's recursion limit (and than PATH_MAX as a path)
        os.mkdir("a", dir_fd=fd)
        fd, parent = os.open("a", os.O_RDONLY, dir_fd=fd), fd
        os.close(parent)
    os.close(fd)
    os.utime(staging / "old", (HOUR_AGO, HOUR_AGO))
    try:
        result = build([str(notes)], dist, ["apkg"])  # no RecursionError
        assert result.ok and result.diagnostics == [] and (dist / "deck.apkg").is_file()
    finally:
        _unnest(staging / "old")  # pytest's own clean-up would recurse into what is left


def _unnest(top: Path) -> None:
    """Remove a deep chain `top/a/a/...` one level at a time, without recursion."""
    if not top.exists():
        return
    fd = os.open(top, os.O_RDONLY)
    try:
        while "a" in os.listdir(fd):
            inner = os.open("a", os.O_RDONLY, dir_fd=fd)
            try:
                os.rename("a", "b", src_dir_fd=inner, dst_dir_fd=fd)  # a/a -> b
                moved = True
            except FileNotFoundError:
                moved = False
            finally:
                os.close(inner)
            os.rmdir("a", dir_fd=fd)
            if not moved:
                break
            os.rename("b", "a", src_dir_fd=fd, dst_dir_fd=fd)
    finally:
        os.close(fd)
    top.rmdir()


def test_the_media_cache_is_read_without_following_links(tmp_path):
    """A cached download is used only if it is a regular file in the cache
    holding an image of its type; else the URL is fetched again."""
    from cardpress.remote import CACHE_DIR, RemoteMedia

    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    (tmp_path / "secret.png").write_bytes(png)
    media = RemoteMedia(tmp_path / "dist")
    url = "https://example.org/a.png"
    cached = tmp_path / "dist" / CACHE_DIR / f"{media.key(url)}.png"
    cached.parent.mkdir(parents=True)
    cached.symlink_to(tmp_path / "secret.png")
    assert media.cached(url) is None
    cached.unlink()
    cached.write_bytes(b"<svg onload=alert(1)>")
    assert media.cached(url) is None
    cached.write_bytes(png)
    assert media.cached(url) == cached.resolve()
