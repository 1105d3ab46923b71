"""Build source 000 (the "Palveluluokittelu" slides) as .pptx with python-pptx and export a PDF.

The content and positions are data (slides.yaml); this module only draws them. A
`SlidesVariant` renders the same content in another geometry (4:3, other fonts or sizes,
another bullet glyph) so tests can check that extraction does not depend on one layout.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from lxml import etree
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from office import convert_to_pdf
from textfit import wrap

HERE = Path(__file__).resolve().parent
CONTENT = HERE / "slides.yaml"
STEM = "000_palveluluokittelu"
FIXED_TIME = dt.datetime(2024, 1, 1, 0, 0, 0)

# The seed text's bullets are U+F076: Wingdings "v" (a four-diamond glyph), as PowerPoint
# stores a Wingdings bullet in the private-use area. Exported as a real paragraph bullet with
# buFont Wingdings, LibreOffice draws it from OpenSymbol and keeps U+F076 in the PDF text.
SOURCE_BULLET = "\uf076"

# style -> (size pt, bold, bullet level: None = no bullet, space before pt)
STYLES: dict[str, tuple[float, bool, int | None, float]] = {
    "label": (12, False, None, 0),
    "title": (24, True, None, 0),
    "subtitle": (16, False, None, 0),  # only in the `subtitle` variant
    "box_head": (12, True, None, 0),
    "box_text": (9, False, None, 2),
    "h1": (14, True, None, 6),
    "h2": (12, True, None, 6),
    "list_head": (11, True, None, 0),
    "item": (0, False, None, 0),  # size 0: the shape's body size
    "bullet": (0, False, 1, 0),
    "sub": (0, False, 2, 0),
}
DEFAULT_BODY_PT = 10.5
# Bullet hanging indents per level (left margin, first-line indent), in inches.
INDENTS = {1: (0.2, -0.2), 2: (0.5, -0.2)}
INSET_IN = 0.05
LINE_HEIGHT = 1.2  # line pitch / font size used for the fit check (DejaVu Sans measures ~1.17)
TEXT_RGB = RGBColor(0x1A, 0x1A, 0x1A)
LABEL_RGB = RGBColor(0x59, 0x59, 0x59)
BOX_TEXT_RGB = RGBColor(0xFF, 0xFF, 0xFF)


@dataclass(frozen=True)
class SlidesVariant:
    """Geometry of one rendering. The defaults reproduce the committed PDF."""

    aspect: str = "16:9"  # or "4:3" (10 x 7.5 in; x positions and widths scale down)
    font_name: str = "DejaVu Sans"
    font_scale: float = 1.0
    bullet: str = SOURCE_BULLET  # or "•"
    stem: str = STEM
    sub_bullet: str | None = None  # the level-2 glyph ("–", "-"); None: the same as `bullet`
    # Slide 1 as a "title + subtitle" layout: the deck's name ("Palveluluokittelu") is the
    # 24 pt title and the slide's own title a 16 pt regular subtitle under it.
    subtitle: bool = False
    # Extra space after every character (points; a:rPr/@spc), on the runs of `tracked_styles`:
    # what "expanded" character spacing in Impress does. Wide enough, it splits words.
    tracking_pt: float = 0.0
    tracked_styles: tuple[str, ...] = ("bullet", "sub", "item", "box_text")
    # The descriptions inside the delivery-level boxes as bulleted paragraphs with this glyph.
    box_bullet: str | None = None

    def __post_init__(self) -> None:
        if self.aspect not in ("16:9", "4:3"):
            raise ValueError(f"aspect must be '16:9' or '4:3', not {self.aspect!r}")
        for glyph in (self.bullet, self.sub_bullet or self.bullet):
            if len(glyph) != 1:
                raise ValueError(f"a bullet must be one character, not {glyph!r}")


def load_content(path: Path = CONTENT) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _set_bullet(paragraph: Any, level: int | None, glyph: str, font_name: str) -> None:
    """Write the paragraph's bullet properties (python-pptx has no API for them)."""
    pPr = paragraph._p.get_or_add_pPr()
    for tag in ("a:buFont", "a:buChar", "a:buNone"):
        for old in pPr.findall(qn(tag)):
            pPr.remove(old)
    if level is None:
        pPr.set("marL", "0")
        pPr.set("indent", "0")
        etree.SubElement(pPr, qn("a:buNone"))
        return
    left, first = INDENTS[level]
    pPr.set("marL", str(Inches(left)))
    pPr.set("indent", str(Inches(first)))
    # A private-use glyph is a symbol-font code point: name the symbol font so the office
    # program maps it (LibreOffice substitutes OpenSymbol); an ordinary bullet uses the body font.
    bu_font = etree.SubElement(pPr, qn("a:buFont"))
    bu_font.set("typeface", "Wingdings" if 0xF000 <= ord(glyph) <= 0xF0FF else font_name)
    bu_char = etree.SubElement(pPr, qn("a:buChar"))
    bu_char.set("char", glyph)


def _check_fit(paras: list[tuple[str, float, bool, int | None, float, float]], width_in: float,
               height_in: float, font_name: str, where: str) -> None:
    """Refuse a layout whose text would overflow its box (nothing may be clipped or overlap)."""
    needed = 2 * INSET_IN * 72
    for text, size, bold, level, before, tracking in paras:
        indent = INDENTS[level][0] if level else 0.0
        usable = (width_in - 2 * INSET_IN - indent) * 72
        lines = len(wrap(text, usable, font_name, size, bold, tracking))
        needed += before + lines * size * LINE_HEIGHT
    if needed > height_in * 72:
        raise ValueError(f"{CONTENT}: {where}: text needs {needed / 72:.2f} in, box is {height_in} in")


def _add_shape(slide: Any, spec: dict[str, Any], x_scale: float, v: SlidesVariant, where: str) -> None:
    x, y, w, h = spec["box"]
    x, w = x * x_scale, w * x_scale
    args = (Inches(x), Inches(y), Inches(w), Inches(h))
    if "fill" in spec:
        shape = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, *args)
        shape.fill.solid()
        shape.fill.fore_color.rgb = RGBColor.from_string(spec["fill"])
        shape.line.fill.background()
    else:
        shape = slide.shapes.add_textbox(*args)
    tf = shape.text_frame
    tf.word_wrap = True
    tf.auto_size = MSO_AUTO_SIZE.NONE
    tf.vertical_anchor = MSO_ANCHOR.TOP
    tf.margin_left = tf.margin_right = tf.margin_top = tf.margin_bottom = Inches(INSET_IN)

    body = spec.get("size", DEFAULT_BODY_PT)
    planned: list[tuple[str, float, bool, int | None, float, float]] = []
    for i, (style, text) in enumerate(spec["paras"]):
        size, bold, level, before = STYLES[style]
        size = (size or body) * v.font_scale
        before = before * v.font_scale if i else 0.0
        tracking = v.tracking_pt if style in v.tracked_styles else 0.0
        paragraph = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        glyph = v.sub_bullet if level == 2 and v.sub_bullet else v.bullet
        if style == "box_text" and v.box_bullet:
            level, glyph = 1, v.box_bullet
        _set_bullet(paragraph, level, glyph, v.font_name)
        if before:
            paragraph.space_before = Pt(before)
        for j, line in enumerate(text.split("\n")):
            if j:
                paragraph.add_line_break()
            run = paragraph.add_run()
            run.text = line
            run.font.name = v.font_name
            run.font.size = Pt(size)
            run.font.bold = bold
            if tracking:
                run.font._rPr.set("spc", str(round(tracking * 100)))  # hundredths of a point
            fill = "fill" in spec
            run.font.color.rgb = BOX_TEXT_RGB if fill else LABEL_RGB if style == "label" else TEXT_RGB
        planned.append((text, size, bold, level, before, tracking))
    _check_fit(planned, w, h, v.font_name, where)


def with_subtitle(content: dict[str, Any]) -> dict[str, Any]:
    """Slide 1 as title + subtitle: the label's text becomes the title, the title a subtitle."""
    first = content["slides"][0]["shapes"]
    label = next(s for s in first if s["paras"][0][0] == "label")
    title = next(s for s in first if s["paras"][0][0] == "title")
    x, _, w, _ = title["box"]
    shapes = [{"box": [x, 0.08, w, 0.5], "paras": [["title", label["paras"][0][1]]]},
              {"box": [x, 0.6, w, 0.42], "paras": [["subtitle", title["paras"][0][1]]]},
              *(s for s in first if s is not label and s is not title)]
    return {**content, "slides": [{**content["slides"][0], "shapes": shapes}, *content["slides"][1:]]}


def build_slides_pptx(path: Path, variant: SlidesVariant = SlidesVariant(),
                      content: dict[str, Any] | None = None) -> Path:
    """Write the presentation to `path` (`content`: another deck of slides.yaml's shape)."""
    content = content if content is not None else load_content()
    if variant.subtitle:
        content = with_subtitle(content)
    base_w, height = content["slide_width_in"], content["slide_height_in"]
    width = base_w if variant.aspect == "16:9" else height * 4 / 3
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(width), Inches(height)
    blank = prs.slide_layouts[6]
    for n, slide_spec in enumerate(content["slides"], start=1):
        slide = prs.slides.add_slide(blank)
        for k, spec in enumerate(slide_spec["shapes"], start=1):
            _add_shape(slide, spec, width / base_w, variant, f"slide {n}, shape {k}")
    props = prs.core_properties
    props.title = content["title"]
    props.author = props.last_modified_by = "servicegraph raw/src/slides.py"
    props.created = props.modified = FIXED_TIME
    props.revision = 1
    path.parent.mkdir(parents=True, exist_ok=True)
    prs.save(path)
    return path


def build_slides_pdf(out_dir: Path, variant: SlidesVariant = SlidesVariant(),
                     src_dir: Path | None = None) -> Path:
    """Build the presentation (in `src_dir`, default `out_dir`) and export `out_dir/<stem>.pdf`."""
    pptx = build_slides_pptx((src_dir or out_dir) / f"{variant.stem}.pptx", variant)
    return convert_to_pdf(pptx, out_dir)
