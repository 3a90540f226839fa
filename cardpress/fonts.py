"""The bundled fonts: one table, a column per file format.

Web outputs (the Anki package, the site) use WOFF2; the PDF uses whole
OTF/TTF files, because WeasyPrint would decompress WOFF2 in Python on every
render (about 3 s a face; ../shared/FACTS.md). `anki` says which faces travel
in every `.apkg`. Licences travel with the files (the OFL asks for it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .paths import FONTS_DIR


@dataclass(frozen=True)
class Face:
    family: str
    weight: int
    web: str | None  # WOFF2, under assets/fonts/ (Anki, site)
    print: str | None  # OTF or TTF, under assets/fonts/ (PDF)
    anki: bool = False  # bundled into every .apkg

    @property
    def web_path(self) -> Path:
        assert self.web is not None
        return FONTS_DIR / self.web

    @property
    def print_path(self) -> Path:
        assert self.print is not None
        return FONTS_DIR / self.print

    @property
    def print_format(self) -> str:
        """The CSS `format()` of the print file."""
        return "opentype" if (self.print or "").endswith(".otf") else "truetype"


FACES = (
    Face("Pretendard", 400, "pretendard/Pretendard-Regular.woff2", "pretendard/Pretendard-Regular.otf", anki=True),
    Face("Pretendard", 700, "pretendard/Pretendard-Bold.woff2", "pretendard/Pretendard-Bold.otf", anki=True),
    # Hanja (KS X 1001) and CJK symbols, which Pretendard lacks: print only.
    Face("Noto Sans KR Hanja", 400, None, "noto-sans-kr-hanja/NotoSansKRHanja-Regular.ttf"),
    Face("Noto Sans KR Hanja", 700, None, "noto-sans-kr-hanja/NotoSansKRHanja-Bold.ttf"),
    # Emoji (monochrome outlines), which no other face has: print only (the
    # site and Anki show emoji in the reader's own fonts).
    Face("Noto Emoji", 400, None, "noto-emoji/NotoEmoji-Regular.ttf"),
    Face("Noto Emoji", 700, None, "noto-emoji/NotoEmoji-Bold.ttf"),
    # Code. In the .apkg too: a face the note type names but the collection
    # lacks falls back silently (to proportional Pretendard).
    Face("JetBrains Mono", 400, "jetbrains-mono/JetBrainsMono-Regular.woff2", "jetbrains-mono/JetBrainsMono-Regular.ttf",
         anki=True),
    Face("JetBrains Mono", 700, "jetbrains-mono/JetBrainsMono-Bold.woff2", "jetbrains-mono/JetBrainsMono-Bold.ttf",
         anki=True),
    # MathML on the site (a math font has an OpenType MATH table). The PDF
    # draws formulas as paths from the same font, as ziamath ships it.
    Face("STIX Two Math", 400, "stix-two-math/STIXTwoMath-Regular.woff2", None),
)

# (name the licence is published under, file) for the faces the site ships.
LICENSES = (
    ("Pretendard-LICENSE.txt", FONTS_DIR / "pretendard" / "LICENSE.txt"),
    ("JetBrainsMono-LICENSE.txt", FONTS_DIR / "jetbrains-mono" / "LICENSE.txt"),
    ("STIXTwoMath-LICENSE.txt", FONTS_DIR / "stix-two-math" / "LICENSE.txt"),
)


def web_faces() -> list[Face]:
    return [f for f in FACES if f.web]


def anki_faces() -> list[Face]:
    return [f for f in FACES if f.anki and f.web]


def print_faces() -> list[Face]:
    return [f for f in FACES if f.print]
