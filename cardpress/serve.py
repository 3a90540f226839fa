"""`cardpress serve`: the HTML site on 127.0.0.1, rebuilt on save (see
watch.py) and reloaded in the browser.

Live reload: each HTML page is served with one extra `<script>` (added in
the response only; the files on disk stay as the build wrote them) that
listens to `/__cardpress/events` (server-sent events) and reloads the page
when a build has written something new. Only the loopback address is ever
bound: the site is the user's own notes.
"""

from __future__ import annotations

import threading
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HOST = "127.0.0.1"
EVENTS = "/__cardpress/events"
SCRIPT = "/__cardpress/reload.js"
_RELOAD_JS = b"""(function () {
  var seen = null;
  var source = new EventSource("%s");
  source.onmessage = function (e) {
    if (seen !== null && e.data !== seen) location.reload();
    seen = e.data;
  };
})();
""" % EVENTS.encode()
_TAG = f'<script src="{SCRIPT}" defer></script>'.encode()


class Builds:
    """A counter of finished builds that event streams wait on."""

    def __init__(self) -> None:
        self.version = 0
        self.closed = False
        self._cond = threading.Condition()

    def bump(self) -> None:
        with self._cond:
            self.version += 1
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self.closed = True
            self._cond.notify_all()

    def wait(self, seen: int, timeout: float) -> int:
        with self._cond:
            self._cond.wait_for(lambda: self.version != seen or self.closed, timeout)
            return self.version


class _Handler(SimpleHTTPRequestHandler):
    builds: Builds

    def __init__(self, *args, builds: Builds, **kwargs):
        self.builds = builds
        super().__init__(*args, **kwargs)

    def log_message(self, format, *args) -> None:  # noqa: A002 - the base class's name
        pass  # the terminal is for build messages

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == EVENTS:
            return self._events()
        if path == SCRIPT:
            return self._send(_RELOAD_JS, "text/javascript; charset=utf-8")
        target = Path(self.translate_path(self.path))
        if target.is_dir() and path.endswith("/"):
            target = target / "index.html"
        if target.suffix == ".html" and target.is_file():
            html = target.read_bytes()
            at = html.lower().rfind(b"</body>")
            html = html[:at] + _TAG + html[at:] if at >= 0 else html + _TAG
            return self._send(html, "text/html; charset=utf-8")
        return super().do_GET()

    def _send(self, body: bytes, ctype: str) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _events(self) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen = self.builds.version
        try:
            self.wfile.write(f"data: {seen}\n\n".encode())
            self.wfile.flush()
            while not self.builds.closed:
                now = self.builds.wait(seen, timeout=15)
                # A comment line when nothing happened keeps proxies and
                # browsers from timing the stream out.
                self.wfile.write(f"data: {now}\n\n".encode() if now != seen else b": idle\n\n")
                self.wfile.flush()
                seen = now
        except (BrokenPipeError, ConnectionResetError):
            pass


class SiteServer:
    """The site folder served in a background thread."""

    def __init__(self, site_dir: Path, port: int = 8000):
        self.builds = Builds()
        handler = partial(_Handler, directory=str(site_dir), builds=self.builds)
        self.httpd = ThreadingHTTPServer((HOST, port), handler)
        self.httpd.daemon_threads = True  # open event streams must not hold up the exit
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.httpd.server_address[1]}/"

    def __enter__(self) -> "SiteServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.builds.close()
        self.httpd.shutdown()
        self.httpd.server_close()
