"""Joins PDF parts that were laid out in separate processes into one file
(pypdf), and restores what a plain concatenation loses: the document-wide
metadata and language, page labels, the links from the contents into the
later part, and a fixed file identifier (same parts, same bytes)."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from pypdf import PdfReader, PdfWriter
from pypdf.annotations import Link
from pypdf.generic import ArrayObject, ByteStringObject, Fit, NameObject


@dataclass(frozen=True)
class LinkSpec:
    """A link to add: where it is (page index, rectangle in PDF points,
    origin bottom-left) and where it goes (page index, point)."""

    page: int
    rect: tuple[float, float, float, float]
    target_page: int
    target_left: float
    target_top: float


def join(parts: list[bytes], *, links: list[LinkSpec], roman_pages: int, identifier: bytes) -> bytes:
    readers = [PdfReader(BytesIO(part)) for part in parts]
    writer = PdfWriter()
    for reader in readers:
        # Outlines (bookmarks) come along; each part's own links too.
        writer.append(reader, import_outline=True)
    first = readers[0]
    writer.add_metadata({k: v for k, v in (first.metadata or {}).items()})
    root = first.trailer["/Root"]
    if "/Lang" in root:
        writer._root_object[NameObject("/Lang")] = root["/Lang"]
    if roman_pages:
        writer.set_page_label(0, roman_pages - 1, "/r")
        writer.set_page_label(roman_pages, len(writer.pages) - 1, "/D", start=1)
    for link in links:
        writer.add_annotation(link.page, Link(rect=link.rect, target_page_index=link.target_page,
                                              fit=Fit.xyz(link.target_left, link.target_top, 0)))
    writer._ID = ArrayObject([ByteStringObject(identifier), ByteStringObject(identifier)])
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
