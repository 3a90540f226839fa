"""What a media file is, by its content (magic bytes), never by its name: a
`.png` that is really a PDF is not an image. Stdlib only.

`MEDIA_KINDS` is the one table: each kind with its category (`image`,
`audio`, `video`, `document`, `archive`) and whether Anki's and the browsers'
`<img>`, `<audio>` and `<video>` show it (`shown`). The reader bundles a
file only when its content is a kind that is shown, of a category the
element accepts (`read/files.py`: `![](x.mp3)` plays, `<img src="x.mp3">`
does not); audio and video kinds carry the extension Anki's players and
browsers know them by (`ext`).

SVG is accepted, but only a static one (`svg_problem`): an SVG is an XML
document that can carry script, event handlers and references to other
files. Every output shows images through `<img>` (Anki, the site) or
WeasyPrint, where no browser runs an SVG's script; but the site also copies
the file into `media/`, where it can be opened on its own, and then its
script would run with the site's origin. Diagrams exported as SVG are common
in notes, so refusing all SVG would cost more than checking them.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from typing import Callable
from xml.etree import ElementTree

# Enough for every signature below and for an SVG's prologue (XML
# declaration, comments, doctype) before its root element.
SNIFF_BYTES = 4096


@dataclass(frozen=True)
class MediaKind:
    name: str  # "PNG", "PDF document": what messages call it
    category: str  # image | audio | video | document | archive
    mime: str
    shown: bool = True  # images: whether Anki's and the browsers' <img> display it
    hint: str = ""  # what to do instead, for messages
    ext: str = ""  # audio and video: the file extension players expect ("mp3")


def _ftyp_brands(b: bytes) -> set[bytes]:
    """ISO base media (MP4, MOV, HEIF, AVIF): the major and compatible
    brands of the leading `ftyp` box."""
    if len(b) < 16 or b[4:8] != b"ftyp":
        return set()
    size = min(struct.unpack(">I", b[:4])[0], len(b))
    return {b[8:12]} | {b[i:i + 4] for i in range(16, size - 3, 4)}


def _bmp(b: bytes) -> bool:
    # "BM" alone is too weak: also a known DIB header size.
    return b[:2] == b"BM" and len(b) >= 18 and struct.unpack("<I", b[14:18])[0] in (12, 40, 52, 56, 108, 124)


def _mp3(b: bytes) -> bool:
    return b[:3] == b"ID3" or (len(b) > 1 and b[0] == 0xFF and b[1] & 0xE6 in (0xE2, 0xE4, 0xE6))


_HEIC = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis"}
_AUDIO_MP4 = {b"M4A ", b"M4B ", b"M4P "}
_VIDEO_MP4 = {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"qt  ", b"dash"}
# An XML prologue (BOM, declaration, comments, a doctype), then <svg>.
_SVG_START = re.compile(rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*\?>\s*)?"
                        rb"(?:(?:<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>)\s*)*"
                        rb"<(?:[A-Za-z_][\w.-]*:)?svg[\s>/]", re.DOTALL)

SVG = MediaKind("SVG", "image", "image/svg+xml")

# First match wins: order the specific signatures before the general ones.
MEDIA_KINDS: tuple[tuple[Callable[[bytes], bool], MediaKind], ...] = (
    (lambda b: b.startswith(b"\x89PNG\r\n\x1a\n"), MediaKind("PNG", "image", "image/png")),
    (lambda b: b.startswith(b"\xff\xd8\xff"), MediaKind("JPEG", "image", "image/jpeg")),
    (lambda b: b[:6] in (b"GIF87a", b"GIF89a"), MediaKind("GIF", "image", "image/gif")),
    (lambda b: b[:4] == b"RIFF" and b[8:12] == b"WEBP", MediaKind("WebP", "image", "image/webp")),
    (lambda b: bool(_ftyp_brands(b) & {b"avif", b"avis"}), MediaKind("AVIF", "image", "image/avif")),
    (_bmp, MediaKind("BMP", "image", "image/bmp")),
    (lambda b: bool(_ftyp_brands(b) & _HEIC),
     MediaKind("HEIC photo", "image", "image/heic", shown=False, hint="export it as JPEG")),
    (lambda b: b[:4] in (b"II*\x00", b"MM\x00*"),
     MediaKind("TIFF image", "image", "image/tiff", shown=False, hint="convert it to PNG")),
    (lambda b: b.startswith(b"%PDF-"), MediaKind("PDF document", "document", "application/pdf",
                                                  hint="export the page as PNG")),
    (lambda b: b[:4] == b"RIFF" and b[8:12] == b"WAVE", MediaKind("WAV audio", "audio", "audio/wav", ext="wav")),
    (lambda b: b[:4] == b"fLaC", MediaKind("FLAC audio", "audio", "audio/flac", ext="flac")),
    (lambda b: b[:4] == b"OggS", MediaKind("Ogg audio", "audio", "audio/ogg", ext="ogg")),
    (lambda b: bool(_ftyp_brands(b) & _AUDIO_MP4), MediaKind("M4A audio", "audio", "audio/mp4", ext="m4a")),
    (lambda b: bool(_ftyp_brands(b) & _VIDEO_MP4), MediaKind("MP4 video", "video", "video/mp4", ext="mp4")),
    (lambda b: b[:4] == b"\x1a\x45\xdf\xa3", MediaKind("WebM video", "video", "video/webm", ext="webm")),
    (_mp3, MediaKind("MP3 audio", "audio", "audio/mpeg", ext="mp3")),
    (lambda b: b[:4] == b"PK\x03\x04", MediaKind("ZIP archive", "archive", "application/zip")),
    (lambda b: b[:2] == b"\x1f\x8b", MediaKind("gzip-compressed file", "archive", "application/gzip")),
    (lambda b: _SVG_START.match(b) is not None, SVG),
)


def sniff(head: bytes) -> MediaKind | None:
    """The kind of a file from its first `SNIFF_BYTES` bytes, or None."""
    for matches, kind in MEDIA_KINDS:
        if matches(head):
            return kind
    return None


# -- static SVG ------------------------------------------------------------------

# Elements that run script, embed other documents or change where URLs go.
_ACTIVE_ELEMENTS = {"script", "handler", "listener", "iframe", "frame", "frameset", "embed", "object", "applet",
                    "base", "meta", "link", "form", "input", "button", "textarea", "select", "audio", "video"}
_ANIMATIONS = {"set", "animate", "animatetransform", "animatemotion", "animatecolor"}
_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "background", "poster", "srcset", "codebase"}
_SAFE_URL = re.compile(r"^(?:#|data:image/(?:png|jpeg|gif|webp)[;,])", re.IGNORECASE)
_CSS_URL = re.compile(r"@import|url\(\s*['\"]?\s*(?!#|data:image/(?:png|jpeg|gif|webp)[;,])", re.IGNORECASE)
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()


def svg_problem(data: bytes) -> str | None:
    """Why the SVG `data` is not a static image (a short reason for a
    message), or None when it is one: well-formed, `<svg>` at the root, no
    script, no event handlers, no animation of links, no reference to
    anything but its own fragments and embedded raster images."""
    try:
        root = ElementTree.fromstring(data, parser=ElementTree.XMLParser())
    except (ElementTree.ParseError, ValueError) as exc:
        return f"it is not well-formed XML ({exc})"
    if _local(root.tag) != "svg":
        return "its root element is not <svg>"
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        tag = _local(el.tag)
        if tag in _ACTIVE_ELEMENTS:
            return f"it contains <{tag}>"
        if tag == "style" and _CSS_URL.search(el.text or ""):
            return "its <style> loads other files"
        for attr, value in el.attrib.items():
            name = _local(attr)
            bare = _INVISIBLE.sub("", value).lower()
            if name.startswith("on"):
                return f"it has an event handler ({name}=)"
            if "javascript:" in bare or "vbscript:" in bare:
                return "it has a script URL"
            if tag in _ANIMATIONS and name == "attributename" and _local(value) in _URL_ATTRIBUTES:
                return f"it animates a link (<{tag} attributeName=\"{value}\">)"
            if name == "style" and _CSS_URL.search(value):
                return "a style= attribute loads other files"
            if name in _URL_ATTRIBUTES and value.strip() and not _SAFE_URL.match(value.strip()) \
                    and not (tag == "a" and bare.startswith(("https:", "http:"))):
                return f"it refers to another file or page ({name}=\"{value[:40]}\")"
    return None


# -- what a name promises -----------------------------------------------------

_AUDIO_NAMES = frozenset({"mp3", "ogg", "oga", "opus", "m4a", "wav", "flac", "aac"})
_VIDEO_NAMES = frozenset({"mp4", "m4v", "webm", "ogv", "mov"})


def category_by_name(name: str) -> str:
    """What a file's name says it is ("audio", "video", else "image"): only
    for wording messages and for remote files, which are never read; local
    files are judged by their content."""
    ext = name.rsplit("/", 1)[-1].rpartition(".")[2].lower()
    return "audio" if ext in _AUDIO_NAMES else "video" if ext in _VIDEO_NAMES else "image"
