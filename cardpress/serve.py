"""`cardpress serve`: the HTML site on 127.0.0.1, rebuilt on save (see
watch.py) and reloaded in the browser.

Live reload: each HTML page is served with one extra `<script>` (added in
the response only; the files on disk stay as the build wrote them) that
listens to `/__cardpress/events` (server-sent events) and reloads the page
when a build has written something new. Only the loopback address is ever
bound: the site is the user's own notes. And only requests naming it
(`Host: 127.0.0.1`, `localhost` or `[::1]`, any port) are answered, so a web
page whose domain re-resolves to 127.0.0.1 (DNS rebinding) cannot read the
site. A bad path (`%00`, a name too long) is a 400/404, never a traceback.
"""

from __future__ import annotations

import re
import threading
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

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
# The names of this machine's loopback interface a browser may use.
_LOCAL_HOST_RE = re.compile(r"^(?:127\.0\.0\.1|localhost|\[::1\])(?::\d{1,5})?$", re.IGNORECASE)


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
        if self._refused():
            return None
        try:
            return self._get()
        except (OSError, ValueError):  # a name too long, a NUL the path check missed
            return self.send_error(HTTPStatus.NOT_FOUND)

    def do_HEAD(self) -> None:
        if self._refused():
            return None
        try:
            return super().do_HEAD()
        except (OSError, ValueError):
            return self.send_error(HTTPStatus.NOT_FOUND)

    def _refused(self) -> bool:
        """Answers requests for other hosts or with unusable paths with an
        error (True), before any file is looked at."""
        host = (self.headers.get("Host") or "").strip()
        if not _LOCAL_HOST_RE.match(host):
            self.send_error(HTTPStatus.MISDIRECTED_REQUEST, "this server only answers for 127.0.0.1 and localhost")
            return True
        try:
            path = unquote(self.path.split("?", 1)[0].split("#", 1)[0], errors="strict")
        except UnicodeDecodeError:  # the site's names are UTF-8
            path = "\x00"
        if any(ord(ch) < 0x20 or ord(ch) == 0x7f for ch in path):
            self.send_error(HTTPStatus.BAD_REQUEST, "bad path")
            return True
        return False

    def _get(self) -> None:
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


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # open event streams must not hold up the exit

    def handle_error(self, request, client_address) -> None:
        pass  # a client that went away (or a bug in one response) must not print a traceback over the build output


class SiteServer:
    """The site folder served in a background thread."""

    def __init__(self, site_dir: Path, port: int = 8000):
        self.builds = Builds()
        handler = partial(_Handler, directory=str(site_dir), builds=self.builds)
        self.httpd = _Server((HOST, port), handler)
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
