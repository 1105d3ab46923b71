"""Source 000's slides drawn with reportlab: another producer, page size, font and bullets.

The content and box positions are slides.yaml's, the type sizes slides.py's, scaled uniformly
onto an A4 landscape page; the font is Liberation Sans (not DejaVu); level-1 bullets are the
"•" glyph and level-2 bullets the text marker "–" with a hanging indent. reportlab writes
exactly what is drawn here (no layout engine of its own), so wrapping is a greedy word wrap
with the font's own metrics. Used by tests/test_corpus_slides.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from slides import DEFAULT_BODY_PT, INDENTS, INSET_IN, STYLES, load_content

STEM = "000_palveluluokittelu"
FONT_DIR = Path("/usr/share/fonts/truetype/liberation2")
FONTS = {False: ("LiberationSans", "LiberationSans-Regular.ttf"), True: ("LiberationSans-Bold", "LiberationSans-Bold.ttf")}
BULLETS = {1: "\u2022", 2: "\u2013"}  # glyph bullet, text-marker bullet
LINE_PITCH = 1.17
TEXT = HexColor("#1A1A1A")
LABEL = HexColor("#595959")
WHITE = HexColor("#FFFFFF")


def fonts_available() -> bool:
    return all((FONT_DIR / file).is_file() for _, file in FONTS.values())


def _register() -> None:
    for name, file in FONTS.values():
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / file)))


def _wrap(text: str, width: float, font: str, size: float, char_space: float = 0.0) -> list[str]:
    lines: list[str] = []
    for hard in text.split("\n"):
        current = ""
        for word in hard.split(" "):
            candidate = f"{current} {word}" if current else word
            if current and pdfmetrics.stringWidth(candidate, font, size) + char_space * len(candidate) > width:
                lines.append(current)
                current = word
            else:
                current = candidate
        lines.append(current)
    return lines


def _draw_shape(canvas: Canvas, spec: dict[str, Any], scale: float, page_h: float, top_margin: float,
                char_space: float = 0.0) -> None:
    """One shape; `char_space` (points) spaces out the characters of its bulleted items."""
    inch = 72 * scale
    x, y, w, h = (v * inch for v in spec["box"])
    y += top_margin
    fill = spec.get("fill")
    if fill:
        canvas.setFillColor(HexColor(f"#{fill}"))
        canvas.rect(x, page_h - y - h, w, h, stroke=0, fill=1)
    inset = INSET_IN * inch
    body = spec.get("size", DEFAULT_BODY_PT)
    cursor = y + inset  # distance from the page top to the current line's top
    for i, (style, text) in enumerate(spec["paras"]):
        size, bold, level, before = STYLES[style]
        size = (size or body) * scale
        cursor += before * scale if i else 0.0
        font = FONTS[bold][0]
        indent = INDENTS[level][0] * inch if level else 0.0
        text_x = x + inset + indent
        canvas.setFillColor(WHITE if fill else LABEL if style == "label" else TEXT)
        spacing = char_space if level else 0.0
        for n, line in enumerate(_wrap(text, w - 2 * inset - indent, font, size, spacing)):
            baseline = page_h - cursor - 0.9 * size
            if level and n == 0:
                canvas.setFont(FONTS[False][0], size)
                canvas.drawString(x + inset + (INDENTS[level][0] + INDENTS[level][1]) * inch, baseline, BULLETS[level])
            canvas.setFont(font, size)
            canvas.drawString(text_x, baseline, line, charSpace=spacing)
            cursor += LINE_PITCH * size


def build_slides_reportlab_pdf(out_dir: Path, stem: str = STEM, char_space: float = 0.0) -> Path:
    """Draw the deck onto A4 landscape pages with reportlab: `out_dir/<stem>.pdf`.

    `char_space` (points, reportlab's charSpace) spaces out the bulleted items of slides 2-3
    (slide 1's long list would grow into the shapes below it).
    """
    _register()
    content = load_content()
    page_w, page_h = landscape(A4)
    scale = page_w / (content["slide_width_in"] * 72)
    top_margin = (page_h - content["slide_height_in"] * 72 * scale) / 2
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{stem}.pdf"
    # invariant=1: no creation date or random id, the same bytes on every run.
    canvas = Canvas(str(target), pagesize=(page_w, page_h), invariant=1)
    canvas.setTitle(content["title"])
    for number, slide in enumerate(content["slides"], start=1):
        for spec in slide["shapes"]:
            _draw_shape(canvas, spec, scale, page_h, top_margin, char_space if number > 1 else 0.0)
        canvas.showPage()
    canvas.save()
    return target
