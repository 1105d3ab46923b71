"""Provenance images: the part of a source PDF page where an entry is printed, its boxes highlighted.

Each page is rendered once (pypdfium2) per area build and cut into one crop per entry and page;
the boxes are filled with a highlighter colour multiplied over the page, so the printed text stays
readable. PNGs are written as palette images without any metadata chunk, so the same PDF gives the
same bytes (the test builds twice and compares).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pipeline.publish.site.file_cache import FileCache

SCALE = 1.5  # 108 DPI: cell text stays legible, a crop stays a few kilobytes
MARGIN_X = 90.0  # PDF points of context left and right of the boxes
MARGIN_Y = 24.0  # above and below
HIGHLIGHT = (255, 214, 0)  # highlighter yellow; tests look for it inside the box
OUTLINE = (214, 40, 0)
COLOURS = 32  # palette size of a crop: text, grey rules, the highlight and its blends


@dataclass(frozen=True)
class Box:
    """A rectangle on a page in PDF points, origin top left (sg:bbox)."""

    x0: float
    top: float
    x1: float
    bottom: float

    @staticmethod
    def parse(text: str) -> "Box":
        x0, top, x1, bottom = (float(v) for v in str(text).split())
        return Box(x0, top, x1, bottom)


@dataclass(frozen=True)
class Crop:
    """Where the boxes of one entry on one page are, inside the crop image (pixels)."""

    page: int
    box: Box  # the crop's own rectangle on the page, in points
    highlights: tuple[tuple[int, int, int, int], ...]  # pixel rectangles inside the image
    width: int
    height: int


@dataclass
class PageRenderer:
    """Renders the pages of one PDF on demand, each at most once."""

    path: Path
    _pages: dict[int, object] = field(default_factory=dict)
    _doc: object = None

    def page(self, number: int):
        """The page (1-based) as an RGB Pillow image, or None if the PDF has no such page."""
        if number not in self._pages:
            import pypdfium2 as pdfium

            if self._doc is None:
                self._doc = pdfium.PdfDocument(str(self.path))
            if not 1 <= number <= len(self._doc):
                self._pages[number] = None
            else:
                self._pages[number] = self._doc[number - 1].render(scale=SCALE).to_pil().convert("RGB")
        return self._pages[number]

    def close(self) -> None:
        if self._doc is not None:
            self._doc.close()
        self._pages.clear()


def crop_png(renderer: PageRenderer, page: int, boxes: list[Box]) -> tuple[bytes, Crop] | None:
    """A PNG of `boxes` on `page` with some context, the boxes highlighted; None if no page."""
    from PIL import Image, ImageChops, ImageDraw

    image = renderer.page(page)
    if image is None or not boxes:
        return None
    width_pt, height_pt = image.width / SCALE, image.height / SCALE
    area = Box(max(0.0, min(b.x0 for b in boxes) - MARGIN_X), max(0.0, min(b.top for b in boxes) - MARGIN_Y),
               min(width_pt, max(b.x1 for b in boxes) + MARGIN_X), min(height_pt, max(b.bottom for b in boxes) + MARGIN_Y))
    left, top = round(area.x0 * SCALE), round(area.top * SCALE)
    right, bottom = round(area.x1 * SCALE), round(area.bottom * SCALE)
    if right <= left or bottom <= top:
        return None
    crop = image.crop((left, top, right, bottom))
    marker = Image.new("RGB", crop.size, (255, 255, 255))
    draw = ImageDraw.Draw(marker)
    rects = []
    for b in boxes:
        rect = (round(b.x0 * SCALE) - left - 2, round(b.top * SCALE) - top - 2,
                round(b.x1 * SCALE) - left + 2, round(b.bottom * SCALE) - top + 2)
        rects.append(rect)
        draw.rectangle(rect, fill=HIGHLIGHT)
    crop = ImageChops.multiply(crop, marker)  # a highlighter: white turns yellow, ink stays ink
    draw = ImageDraw.Draw(crop)
    for rect in rects:
        draw.rectangle((rect[0] - 2, rect[1] - 2, rect[2] + 2, rect[3] + 2), outline=OUTLINE, width=2)
    return _png(crop), Crop(page, area, tuple(rects), crop.width, crop.height)


def _png(image) -> bytes:
    from PIL import Image

    # Fast octree: 4 ms a crop against 25 ms for median cut with optimize=True, and smaller files.
    palette = image.quantize(colors=COLOURS, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    out = io.BytesIO()
    # No pnginfo, no tIME, no ICC profile: only the pixels and the palette go into the file.
    palette.save(out, format="PNG")
    return out.getvalue()


# --------------------------------------------------------------------------- the crop cache


@dataclass(frozen=True)
class CachedCrop:
    png: bytes
    width: int
    height: int


class CropCache:
    """Crops kept between runs (`.cache/crops/`): a crop depends only on the PDF's bytes (its
    published sha256), the page, the boxes and this module, so a changed document leaves its
    area's other crops as they were (rendering the pages is most of an area's page build)."""

    def __init__(self, folder: Path | None) -> None:
        self.files = FileCache(folder, ".png")

    @staticmethod
    def key(pdf_sha256: str, page: int, boxes: list[Box]) -> str:
        text = "\n".join([_code_digest(), pdf_sha256, str(page)] + [repr(b) for b in boxes])
        return hashlib.sha256(text.encode()).hexdigest()

    def get(self, key: str) -> CachedCrop | None:
        png = self.files.get(key)
        if png is None or png[12:16] != b"IHDR":
            return None
        return CachedCrop(png, int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big"))

    def put(self, key: str, png: bytes) -> None:
        self.files.put(key, png)


@lru_cache(maxsize=1)
def _code_digest() -> str:
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
