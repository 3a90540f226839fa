"""Remote images: no network unless asked; `--fetch-remote-media` downloads
them (timeout, size limit, content-type and magic-bytes check) into
`<out>/.cardpress/media-cache/` and every writer bundles them; the next
build runs offline from the cache.

The only server is this file's, on 127.0.0.1. "No network" is proved, not
assumed: the CLI runs under a Python audit hook that fails any socket
connect or name lookup.
"""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import threading
import time
import zipfile
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from pypdf import PdfReader

from cardpress.build import build
from cardpress.model import Severity
from cardpress.remote import CACHE_DIR, RemoteMedia
from conftest import REPO, subprocess_env


def _png(w: int = 8, h: int = 8) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + bytes([200, 30, 30]) * w for _ in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


PNG = _png()
BIG = 11 * 1024 * 1024  # over the 10 MB default limit


class Handler(BaseHTTPRequestHandler):
    hits: dict[str, int] = {}

    def log_message(self, *args) -> None:  # keep the test output clean
        pass

    def send(self, code: int, ctype: str, body: bytes, length: bool = True) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading at its size limit, as it should

    def do_GET(self) -> None:
        Handler.hits[self.path] = Handler.hits.get(self.path, 0) + 1
        if self.path == "/ok.png":
            self.send(200, "image/png", PNG)
        elif self.path == "/page.html":
            self.send(200, "text/html; charset=utf-8", b"<html>not an image</html>")
        elif self.path == "/fake.png":
            self.send(200, "image/png", b"<html>says png, is not</html>")
        elif self.path == "/big.png":  # announced size over the limit
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(BIG))
            self.end_headers()
        elif self.path == "/stream.png":  # no length given: the reader must stop by itself
            self.send(200, "image/png", PNG[:8] + b"\x00" * BIG, length=False)
            self.close_connection = True
        elif self.path == "/slow.png":
            time.sleep(3)
            self.send(200, "image/png", PNG)
        elif self.path == "/redirect.png":
            self.send_response(302)
            self.send_header("Location", "/ok.png")
            self.end_headers()
        elif self.path == "/to-ftp.png":
            self.send_response(302)
            self.send_header("Location", "ftp://127.0.0.1/x.png")
            self.end_headers()
        else:
            self.send(404, "text/plain", b"no")


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    Handler.hits = {}
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


# Fails the build on any socket use: the proof that a build stays offline.
GUARDED_CLI = """
import sys
def no_network(event, args):
    if event in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex"):
        raise RuntimeError(f"network access during a build: {event} {args!r}")
sys.addaudithook(no_network)
from cardpress.cli import main
main()
"""

# Straight to 127.0.0.1; and this checkout's cardpress, also for `python -c`.
ENV = {k: v for k, v in subprocess_env().items() if "proxy" not in k.lower()}


def cli(*args: str, cwd: Path, guarded: bool = False) -> subprocess.CompletedProcess:
    head = ["-c", GUARDED_CLI] if guarded else [str(REPO / "build.py")]
    return subprocess.run([sys.executable, *head, *args], cwd=cwd, capture_output=True, text=True, timeout=300,
                          env=ENV)


def notes(tmp_path: Path, base: str) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    (src / "deck.md").write_text(
        f"# Remote\n\n## Picture?\n![pic]({base}/ok.png)\n\n## Raw HTML picture?\n<img src=\"{base}/ok.png\" alt=r>\n",
        "utf-8")
    return src


def snapshot(path: Path) -> dict[str, bytes]:
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


@pytest.mark.slow  # a full build, every format, in a subprocess
def test_without_the_flag_a_build_never_touches_the_network(server, tmp_path):
    src = notes(tmp_path, server)
    proc = cli("build", "src", "-o", "out", cwd=tmp_path, guarded=True)
    assert proc.returncode == 0, proc.stderr
    assert "network access" not in proc.stderr
    assert Handler.hits == {}
    assert not (tmp_path / "out" / CACHE_DIR).exists()
    # The URL stays a URL for the writers to show as they choose.
    with zipfile.ZipFile(tmp_path / "out" / "deck.apkg") as z:
        assert json.loads(z.read("media")) == {} or all(not n.startswith("remote-media") for n in
                                                        json.loads(z.read("media")).values())
    assert src.exists()


@pytest.mark.slow  # two full builds, every format, in subprocesses
def test_fetched_images_are_bundled_by_every_writer_and_cached(server, tmp_path):
    notes(tmp_path, server)
    before = snapshot(tmp_path / "src")
    proc = cli("build", "--fetch-remote-media", "src", "-o", "out", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert Handler.hits == {"/ok.png": 1}  # one download for two uses
    out = tmp_path / "out"
    cached = list((out / CACHE_DIR).iterdir())
    assert [p.read_bytes() for p in cached] == [PNG]

    # Anki: the file is in the package and the fields point at it.
    with zipfile.ZipFile(out / "deck.apkg") as z:
        media = json.loads(z.read("media"))
        (index,) = [i for i, n in media.items() if n == cached[0].name]
        assert z.read(index) == PNG
    # The site: a copy of the file, and the page points at it, not the server.
    site_files = {p.relative_to(out / "html").as_posix(): p for p in (out / "html").rglob("*") if p.is_file()}
    copies = [p for rel, p in site_files.items() if rel.endswith(cached[0].name)]
    assert copies and copies[0].read_bytes() == PNG
    page = (out / "html" / "decks" / "deck.html").read_text("utf-8")
    assert cached[0].name in page and server not in page
    # The PDF: the image is drawn.
    reader = PdfReader(out / "deck.pdf")
    assert sum(len(page.images) for page in reader.pages) >= 1
    assert snapshot(tmp_path / "src") == before  # sources untouched

    # Offline from now on: the cache answers, and no socket is opened.
    first = snapshot(out)
    proc = cli("build", "--fetch-remote-media", "--force", "src", "-o", "out", cwd=tmp_path, guarded=True)
    assert proc.returncode == 0, proc.stderr
    assert Handler.hits == {"/ok.png": 1}
    assert {k: v for k, v in snapshot(out).items() if not k.startswith(".cardpress/")} == \
        {k: v for k, v in first.items() if not k.startswith(".cardpress/")}


def test_bad_remote_images_are_warnings_and_stay_remote(server, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    paths = ["/page.html", "/fake.png", "/big.png", "/stream.png", "/missing.png", "/to-ftp.png", "/redirect.png"]
    body = "".join(f"![{p}]({server}{p})\n" for p in paths)
    (src / "deck.md").write_text(f"# Bad remote\n\n## Q?\n{body}", "utf-8")
    result = build([str(src)], tmp_path / "out", formats=["apkg"],
                   fetch_remote_media=True, fetch_timeout=5)
    messages = [(d.location.line, d.severity, d.message) for d in result.diagnostics]
    allowed = "allowed: image/gif, image/jpeg, image/png, image/webp"
    assert messages == [
        (4, Severity.WARNING, f"image '{server}/page.html' could not be fetched: not an image "
                              f"(Content-Type text/html; {allowed}); kept as a remote URL"),
        (5, Severity.WARNING, f"image '{server}/fake.png' could not be fetched: Content-Type says image/png "
                              "but the data is not; kept as a remote URL"),
        (6, Severity.WARNING, f"image '{server}/big.png' could not be fetched: larger than the 10.0 MB limit "
                              "(11.0 MB); kept as a remote URL"),
        (7, Severity.WARNING, f"image '{server}/stream.png' could not be fetched: larger than the 10.0 MB limit; "
                              "kept as a remote URL"),
        (8, Severity.WARNING, f"image '{server}/missing.png' could not be fetched: HTTP 404 Not Found; "
                              "kept as a remote URL"),
        (9, Severity.WARNING, f"image '{server}/to-ftp.png' could not be fetched: redirected to a non-HTTP URL "
                              "'ftp://127.0.0.1/x.png'; kept as a remote URL"),
    ]  # and /redirect.png (line 10) followed the redirect to a good PNG
    (deck,) = result.library.decks
    assert len(deck.media) == 1
    html = deck.cards[0].answer_html
    for p in paths[:-1]:
        assert f'src="{server}{p}"' in html
    assert list((tmp_path / "out" / CACHE_DIR).iterdir())[0].read_bytes() == PNG


def test_a_slow_server_times_out(server, tmp_path):
    remote = RemoteMedia(tmp_path / "out", timeout=0.5)
    start = time.monotonic()
    with pytest.raises(Exception) as info:
        remote.get(f"{server}/slow.png")
    assert time.monotonic() - start < 2.5
    assert str(info.value) == "timed out after 0.5 s"
    # Asked again in the same build: the failure is remembered, no second wait.
    start = time.monotonic()
    with pytest.raises(Exception):
        remote.get(f"{server}/slow.png")
    assert time.monotonic() - start < 0.1


def test_check_never_fetches(server, tmp_path):
    notes(tmp_path, server)
    proc = cli("check", "src", cwd=tmp_path, guarded=True)
    assert proc.returncode == 0, proc.stderr
    assert Handler.hits == {}


def test_the_cache_lives_in_the_output_folder_only(server, tmp_path):
    notes(tmp_path, server)
    outside = {p for p in tmp_path.rglob("*")}
    proc = cli("build", "--fetch-remote-media", "src", "-o", "out", "-f", "apkg", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    new = {p for p in tmp_path.rglob("*")} - outside
    assert new and all(p.is_relative_to(tmp_path / "out") for p in new)
