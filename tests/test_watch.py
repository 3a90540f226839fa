"""`cardpress watch` in a real subprocess: edit -> rebuilt; broken notes ->
error shown, old output intact; fixed -> rebuilt; Ctrl-C -> clean exit."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import NOTES, REPO

# Real subprocesses waiting on file events and debounce timers: 1-2 s each.
pytestmark = pytest.mark.slow

TIMEOUT = 30  # seconds for any one step; a healthy loop needs well under 2


class Watcher:
    def __init__(self, src: Path, out: Path):
        self.start([sys.executable, "-m", "cardpress", "watch", str(src), "-o", str(out), "-f", "apkg",
                    "--debounce", "100"])

    def start(self, cmd: list[str]) -> None:
        # One pipe for stdout and stderr: lines arrive in the order printed.
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     env=env)
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, text: str) -> list[str]:
        """Lines up to and including the first containing `text`."""
        got = []
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            try:
                item = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            got.append(item)
            self.seen.append(item)
            if text in item:
                return got
        raise AssertionError(f"no {text!r} within {TIMEOUT}s; saw {self.seen}")

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
        try:
            return self.proc.wait(timeout=TIMEOUT)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()


def test_watch_rebuilds_survives_errors_and_stops_on_ctrl_c(notes_copy, tmp_path):
    out = tmp_path / "dist"
    notes = notes_copy / NOTES.name
    apkg = out / "ai-dev-knowledge.apkg"
    w = Watcher(notes_copy, out)
    try:
        w.wait_for("(1 written, 0 up to date)")
        w.wait_for("watching for changes")
        first = apkg.read_bytes()

        # An edit is rebuilt, with its changelog.
        notes.write_text(notes.read_text("utf-8").replace("LeakyReLU라는", "Leaky ReLU라는"), "utf-8")
        got = w.wait_for("(1 written, 0 up to date)")
        assert any("~1 changed" in line for line in got)
        edited = apkg.read_bytes()
        assert edited != first
        w.wait_for("watching for changes")

        # Broken notes: the error is shown, nothing is written, the watch goes on.
        good = notes.read_text("utf-8")
        notes.write_text(good + "\n\n## ReLU의 문제점은?\n같은 질문.\n", "utf-8")
        got = w.wait_for("build failed: nothing was written")
        assert any("error: duplicate question" in line for line in got)
        assert apkg.read_bytes() == edited
        w.wait_for("watching for changes")

        # Fixed: rebuilt again.
        notes.write_text(good.replace("Leaky ReLU라는", "Leaky-ReLU라는"), "utf-8")
        w.wait_for("(1 written, 0 up to date)")
        assert apkg.read_bytes() not in (first, edited)
        w.wait_for("watching for changes")
    finally:
        code = w.stop()
    assert code == 0
    rest = []
    while not w.lines.empty():
        rest.append(w.lines.get())
    assert "stopped watching" in w.seen + rest
    assert not any("Traceback" in line for line in w.seen + rest)
    assert not list(out.glob(".*.tmp"))  # no temporary file left behind


def test_watch_ignores_its_own_outputs_inside_the_source_folder(notes_copy):
    """dist/ inside the watched folder must not trigger rebuild after rebuild."""
    out = notes_copy / "dist"
    w = Watcher(notes_copy, out)
    try:
        w.wait_for("watching for changes")
        time.sleep(1.5)  # a loop would show up here as more builds
        w.lines.put("<mark>")
        got = w.wait_for("<mark>")
        assert not any("built" in line for line in got), got
    finally:
        assert w.stop() == 0


def test_serve_reloads_the_page_after_an_edit(notes_copy, tmp_path):
    import http.client
    import urllib.request

    out = tmp_path / "dist"
    notes = notes_copy / NOTES.name
    w = Watcher.__new__(Watcher)
    w.start([sys.executable, "-m", "cardpress", "serve", str(notes_copy), "-o", str(out), "-p", "0",
             "--debounce", "100"])
    try:
        url = w.wait_for("serving http://127.0.0.1:")[-1].split()[-1]
        assert url.startswith("http://127.0.0.1:")
        w.wait_for("watching for changes")
        index = urllib.request.urlopen(url, timeout=10).read().decode()
        assert '<script src="/__cardpress/reload.js" defer></script></body>' in index
        assert not (out / "html" / "index.html").read_text("utf-8").count("__cardpress")  # only in the response

        host, port = url[len("http://"):].rstrip("/").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=TIMEOUT)
        conn.request("GET", "/__cardpress/events")
        events = conn.getresponse()
        assert events.getheader("Content-Type") == "text/event-stream"
        first = events.readline().decode().strip()
        assert first.startswith("data: ")
        events.readline()

        notes.write_text(notes.read_text("utf-8").replace("LeakyReLU라는", "새로고침확인 LeakyReLU라는"), "utf-8")
        line = events.readline().decode().strip()
        while line.startswith(":") or not line:  # idle comments
            line = events.readline().decode().strip()
        assert line.startswith("data: ") and line != first  # the page reloads now
        conn.close()
        page = urllib.request.urlopen(url + "decks/ai-dev-knowledge.html", timeout=10).read().decode()
        assert "새로고침확인" in page
    finally:
        code = w.stop()
    assert code == 0
