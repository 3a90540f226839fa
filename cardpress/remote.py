"""`--fetch-remote-media`: download remote images into a cache next to the
outputs, so the deck, the PDF and the site carry them and the next build
needs no network.

Nothing here runs unless the user passes the flag: without it a build never
opens a socket, and remote images stay URLs.

The cache is `<output>/.cardpress/media-cache/<sha256(url)[:24]>.<ext>`: a
URL already in the cache is never fetched again (delete the folder to
refresh). Downloads are bounded (timeout, size limit) and only images of a
few raster types are kept, checked against both the Content-Type header and
the file's first bytes.
"""

from __future__ import annotations

import hashlib
import http.client
import time
import urllib.error
import urllib.request
from pathlib import Path

from . import outdir

CACHE_NAME = "media-cache"  # in the output's `.cardpress/`
CACHE_DIR = f".cardpress/{CACHE_NAME}"
# Name under which a cached file appears in `Deck.media` and card HTML.
MEDIA_PREFIX = "remote-media/"

DEFAULT_TIMEOUT = 10.0  # seconds, per request (connect and each read)
DEFAULT_MAX_BYTES = 10 * 1024 * 1024

# Raster images only: an SVG is a document that can carry script and
# external references of its own.
CONTENT_TYPES = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
}
_MAGIC = {
    ".png": lambda b: b.startswith(b"\x89PNG\r\n\x1a\n"),
    ".jpg": lambda b: b.startswith(b"\xff\xd8\xff"),
    ".gif": lambda b: b[:6] in (b"GIF87a", b"GIF89a"),
    ".webp": lambda b: b[:4] == b"RIFF" and b[8:12] == b"WEBP",
}


class FetchError(Exception):
    """Why one URL could not be cached; `str()` is the reason."""


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    # urllib would also follow a redirect to ftp://; only http(s) may answer.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if not newurl.lower().startswith(("http://", "https://")):
            raise FetchError(f"redirected to a non-HTTP URL {newurl!r}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class RemoteMedia:
    """Fetches and caches remote images for one build."""

    def __init__(self, out_dir: Path, timeout: float = DEFAULT_TIMEOUT, max_bytes: int = DEFAULT_MAX_BYTES):
        self.out_dir = Path(out_dir).resolve()
        self.cache = self.out_dir / CACHE_DIR  # absolute: writers turn it into file: URIs
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.fetched: list[str] = []  # URLs downloaded in this build (tests read it)
        self._failed: dict[str, str] = {}
        self._opener = urllib.request.build_opener(_HttpOnlyRedirects())

    @staticmethod
    def key(url: str) -> str:
        return hashlib.sha256(url.encode("utf-8")).hexdigest()[:24]

    def cached(self, url: str) -> Path | None:
        """The cached file for `url`: a regular file in the cache (a link
        there is not followed), within the size limit, and an image of the
        type its name says; anything else there is fetched again."""
        key = self.key(url)
        for ext in CONTENT_TYPES.values():
            try:
                data = outdir.read_state(self.out_dir, f"{CACHE_NAME}/{key}{ext}", limit=self.max_bytes, head=16)
            except outdir.StateProblem:
                continue
            if data is not None and _MAGIC[ext](data):
                return self.cache / f"{key}{ext}"
        return None

    def get(self, url: str) -> tuple[str, Path]:
        """(media name, cached file) for `url`, downloading it if needed.
        Raises FetchError with the reason."""
        path = self.cached(url)
        if path is None:
            if url in self._failed:  # one attempt per build, however often it is used
                raise FetchError(self._failed[url])
            try:
                path = self._download(url)
            except FetchError as exc:
                self._failed[url] = str(exc)
                raise
        return MEDIA_PREFIX + path.name, path

    def _read(self, resp) -> bytes:
        # The socket timeout bounds each read; this bounds the whole body, so
        # a server trickling bytes cannot hold the build.
        deadline = time.monotonic() + self.timeout
        chunks: list[bytes] = []
        size = 0
        while size <= self.max_bytes:
            chunk = resp.read(min(65536, self.max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if time.monotonic() > deadline:
                raise FetchError(f"timed out after {self.timeout:g} s")
        return b"".join(chunks)

    def _download(self, url: str) -> Path:
        request = urllib.request.Request(url, headers={"User-Agent": "cardpress", "Accept": "image/*"})
        try:
            with self._opener.open(request, timeout=self.timeout) as resp:
                ctype = (resp.headers.get("Content-Type") or "").split(";")[0].strip().lower()
                ext = CONTENT_TYPES.get(ctype)
                if ext is None:
                    raise FetchError(f"not an image (Content-Type {ctype or 'missing'}; "
                                     f"allowed: {', '.join(sorted(CONTENT_TYPES))})")
                length = resp.headers.get("Content-Length")
                if length and length.isdigit() and int(length) > self.max_bytes:
                    raise FetchError(f"larger than the {_size(self.max_bytes)} limit ({_size(int(length))})")
                data = self._read(resp)
        except FetchError:
            raise
        except urllib.error.HTTPError as exc:
            raise FetchError(f"HTTP {exc.code} {exc.reason}") from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, TimeoutError) or "timed out" in str(reason):
                raise FetchError(f"timed out after {self.timeout:g} s") from None
            raise FetchError(str(getattr(reason, "strerror", None) or reason)) from None
        except TimeoutError:
            raise FetchError(f"timed out after {self.timeout:g} s") from None
        except (OSError, ValueError, http.client.HTTPException) as exc:  # reset, bad URL, bad response...
            raise FetchError(str(exc) or type(exc).__name__) from None
        if len(data) > self.max_bytes:
            raise FetchError(f"larger than the {_size(self.max_bytes)} limit")
        if not _MAGIC[ext](data):
            raise FetchError(f"Content-Type says {ctype} but the data is not")
        path = self.cache / f"{self.key(url)}{ext}"
        outdir.write_state(self.out_dir, f"{CACHE_NAME}/{path.name}", data)
        self.fetched.append(url)
        return path


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n} bytes"
