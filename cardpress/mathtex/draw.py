"""MathML -> SVG with ziamath, for print: the only module that imports it.

ziamath lays a formula out with the OpenType MATH table of the STIX Two Math
font it bundles (OFL) and draws every glyph as a path, so the PDF needs no
math font and no JavaScript. Text the math font lacks (Korean in `\\text{}`)
is drawn from the bundled Pretendard, whose outlines are read with fontTools
and handed to ziamath as glyphs of its own kind, scaled to the math font's
units. Deterministic: the same formula gives the same bytes.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from functools import lru_cache

import ziamath
import ziamath.zmath
from fontTools.pens.basePen import BasePen
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont
from ziafont.fonttypes import BBox, FontInfo, Layout
from ziafont.glyph import SimpleGlyph
from ziafont.svgpath import Cubic, Lineto, Moveto, Point, Quad
from ziamath.mathfont import MathFont

from ..fonts import print_faces
from ..logs import catch_logs
from . import MathError
from .parse import tree

# ziamath works in pixels of this font size; the SVG is then sized in `em`,
# so it takes the size of the text around it.
SIZE = 20.0
MARGIN = 0.5
_FONT_KEY = "cardpress"
# Glyph ids for borrowed glyphs: past every real font's 65,535.
_BORROWED = 0x10000

ziamath.config.svg2 = False  # plain paths: no <symbol> ids to collide between formulas on one page


class _PathPen(BasePen):
    """fontTools outlines -> ziafont path operators, scaled."""

    def __init__(self, glyphset, scale: float):
        super().__init__(glyphset)
        self.scale = scale
        self.ops: list = []

    def _p(self, pt) -> Point:
        return Point(pt[0] * self.scale, pt[1] * self.scale)

    def _moveTo(self, pt) -> None:
        self.ops.append(Moveto(self._p(pt)))

    def _lineTo(self, pt) -> None:
        self.ops.append(Lineto(self._p(pt)))

    def _curveToOne(self, p1, p2, p3) -> None:
        self.ops.append(Cubic(self._p(p1), self._p(p2), self._p(p3)))

    def _qCurveToOne(self, p1, p2) -> None:
        self.ops.append(Quad(self._p(p1), self._p(p2)))


class _TextFont:
    """Pretendard's glyphs in the form ziamath draws (what ziafont's Font
    offers a glyph: `info`, `advance`), in the math font's units. ziafont
    cannot read Pretendard itself (a CID-keyed CFF font)."""

    def __init__(self, path, units_per_em: int):
        self.font = TTFont(str(path), lazy=True)
        self.cmap = self.font.getBestCmap()
        self.glyphset = self.font.getGlyphSet()
        self.scale = units_per_em / self.font["head"].unitsPerEm
        hhea = self.font["hhea"]
        ymax, ymin = round(hhea.ascent * self.scale), round(hhea.descent * self.scale)
        self.info = FontInfo(str(path), None, None, Layout(units_per_em, 0, units_per_em, ymin, ymax, ymax, ymin,
                                                           units_per_em, 0, 0))
        self._glyphs: dict[int, SimpleGlyph] = {}
        self._advances: dict[int, int] = {}

    def has(self, char: str) -> bool:
        return ord(char) in self.cmap

    def glyph(self, char: str) -> SimpleGlyph:
        index = _BORROWED + ord(char)
        if index not in self._glyphs:
            outline = self.glyphset[self.cmap[ord(char)]]
            pen, bounds = _PathPen(self.glyphset, self.scale), BoundsPen(self.glyphset)
            outline.draw(pen)
            outline.draw(bounds)
            x0, y0, x1, y1 = (v * self.scale for v in (bounds.bounds or (0, 0, 0, 0)))
            self._glyphs[index] = SimpleGlyph(index, pen.ops, BBox(x0, x1, y0, y1), self)  # type: ignore[arg-type]
            self._advances[index] = round(outline.width * self.scale)
        return self._glyphs[index]

    def advance(self, glyph: int, _next: int | None = None) -> int:
        return self._advances[glyph]


class _MathFont(MathFont):
    """STIX Two Math, borrowing what it lacks from the text faces the PDF
    uses (Pretendard, then Noto Sans KR Hanja), in that order."""

    def __init__(self, path, text_font_paths):
        super().__init__(path)
        self.texts = [_TextFont(p, self.info.layout.unitsperem) for p in text_font_paths]

    def _text_font(self, char: str) -> _TextFont | None:
        if self.glyphindex(char) != 0:
            return None
        return next((t for t in self.texts if t.has(char)), None)

    def covers(self, char: str) -> bool:
        return char.isspace() or self.glyphindex(char) != 0 or self._text_font(char) is not None

    def findglyph(self, char, variant):
        text = self._text_font(char)
        return text.glyph(char) if text is not None else super().findglyph(char, variant)


@lru_cache(maxsize=1)
def _font() -> _MathFont:
    # The regular text faces, in the PDF's fallback order (fonts.FACES).
    text_faces = [f.print_path for f in print_faces() if f.weight == 400 and f.family != "JetBrains Mono"]
    # ziamath logs through the root logger (logs.py); the font's notes
    # ("feature variations - unimplemented") are not the user's.
    with catch_logs("", logging.DEBUG):
        font = _MathFont(ziamath.zmath.loadedfonts["default"].info.filename, text_faces)
    ziamath.zmath.loadedfonts[_FONT_KEY] = font
    return font


def _fmt(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


@lru_cache(maxsize=4096)
def render(tex: str, display: bool) -> str:
    """An inline `<svg>` of the formula, sized in `em` of the text around
    it, sitting on its baseline. Raises MathError."""
    font = _font()
    root = tree(tex, display)
    missing = sorted({ch for el in root.iter() for ch in (el.text or "") if not font.covers(ch)})
    if missing:
        raise MathError("no bundled font has " + ", ".join(f"'{ch}' (U+{ord(ch):04X})" for ch in missing))
    try:
        with catch_logs("", logging.DEBUG) as log:
            math = ziamath.Math(root, size=SIZE, font=_FONT_KEY, margin=MARGIN)
            svg = math.svgxml()
            box = math.node.bbox
    except Exception as exc:  # noqa: BLE001 - ziamath on MathML it cannot lay out
        raise MathError(f"the PDF renderer failed on it ({type(exc).__name__})") from exc
    undrawn = sorted({m.split()[-1] for m in log.messages if m.startswith("Undefined element")})
    if undrawn:  # ziamath skips an element it does not know: the formula would print without it
        raise MathError("the PDF renderer cannot draw " + ", ".join(f"<{name}>" for name in undrawn))
    width = box.xmax - box.xmin + 2 * MARGIN
    height = box.ymax - box.ymin + 2 * MARGIN
    depth = -box.ymin + MARGIN  # below the baseline
    for name in ("width", "height", "xmlns:xlink"):
        svg.attrib.pop(name, None)
    svg.set("style", f"width:{_fmt(width / SIZE)}em;height:{_fmt(height / SIZE)}em;"
                     f"vertical-align:{_fmt(-depth / SIZE)}em")
    svg.set("class", "cp-math-svg")
    svg.set("role", "img")
    svg.set("aria-label", tex)
    return ET.tostring(svg, encoding="unicode")
