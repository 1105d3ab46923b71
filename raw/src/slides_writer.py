"""Source 000's slides as a LibreOffice Writer document (flat ODF, .fodt), printed to PDF by soffice.

A word processor's geometry: one landscape page per slide (the slide's own 13.333 x 7.5 in),
every shape of slides.yaml a text frame anchored to its page at the shape's position, the
delivery-level boxes filled frames (framed paragraphs), the bulleted paragraphs Writer lists
(text:list) whose markers Writer draws itself from the list style: "•" at level 1, "◦" at
level 2 (Writer's default bullet glyphs, OpenSymbol in the PDF). The content, positions and
type sizes are slides.yaml's and slides.py's, as in slides_html.py; the conversion is
office.convert_to_pdf, as for the table corpus's Writer rendering
(tests/renderings/table_writer.py). Used by tests/test_corpus_slides.py; the committed PDF
stays Impress's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from office import convert_to_pdf
from slides import DEFAULT_BODY_PT, INDENTS, INSET_IN, STYLES, load_content, with_subtitle

STEM = "000_palveluluokittelu"
BULLETS = {1: "\u2022", 2: "\u25e6"}  # Writer's own default list bullets
TEXT_RGB, LABEL_RGB, BOX_TEXT_RGB = "#1a1a1a", "#595959", "#ffffff"


def _lines(text: str) -> str:
    return "<text:line-break/>".join(escape(line) for line in text.split("\n"))


class _Styles:
    """The automatic paragraph and frame styles, one per distinct combination, named in order."""

    def __init__(self) -> None:
        self.defs: dict[tuple, str] = {}

    def para(self, size: float, bold: bool, before: float, colour: str) -> str:
        key = ("P", size, bold, before, colour)
        if key not in self.defs:
            name = f"P{len(self.defs)}"
            weight = "bold" if bold else "normal"
            self.defs[key] = (
                f'<style:style style:name="{name}" style:family="paragraph" style:parent-style-name="Slide">'
                f'<style:paragraph-properties fo:margin-top="{before}pt" fo:margin-bottom="0pt" '
                f'fo:line-height="117%"/>'
                f'<style:text-properties fo:font-size="{size}pt" fo:font-weight="{weight}" '
                f'style:font-weight-complex="{weight}" fo:color="{colour}"/></style:style>')
        return self.defs[key].split('"', 2)[1]

    def frame(self, fill: str | None) -> str:
        key = ("F", fill)
        if key not in self.defs:
            name = f"F{len(self.defs)}"
            # Without parent "Frame" soffice imports the frame as a drawing shape (stroked outline,
            # list style ignored: no bullets); without background-transparency 100% an unfilled
            # frame is still painted as a white rectangle, which reads as a box.
            background = (f'draw:fill="solid" draw:fill-color="#{fill}" fo:background-color="#{fill}"' if fill
                          else 'draw:fill="none" fo:background-color="transparent" '
                               'style:background-transparency="100%"')
            self.defs[key] = (
                f'<style:style style:name="{name}" style:family="graphic" style:parent-style-name="Frame">'
                f'<style:graphic-properties {background} draw:stroke="none" fo:border="none" fo:padding="{INSET_IN}in" '
                'style:wrap="run-through" style:run-through="foreground" '
                'style:vertical-pos="from-top" style:vertical-rel="page" '
                'style:horizontal-pos="from-left" style:horizontal-rel="page" '
                'draw:textarea-vertical-align="top"/></style:style>')
        return self.defs[key].split('"', 2)[1]


def _shape(spec: dict[str, Any], n: int, styles: _Styles) -> str:
    x, y, w, h = spec["box"]
    body = spec.get("size", DEFAULT_BODY_PT)
    fill = spec.get("fill")
    parts: list[str] = []
    level_open = 0
    for i, (style, text) in enumerate(spec["paras"]):
        size, bold, level, before = STYLES[style]
        colour = BOX_TEXT_RGB if fill else (LABEL_RGB if style == "label" else TEXT_RGB)
        p = f'<text:p text:style-name="{styles.para(size or body, bold, before if i else 0, colour)}">' \
            f'{_lines(text)}</text:p>'
        level = level or 0
        # Close lists deeper than this paragraph; open (nested) lists up to its level.
        while level_open > level:
            parts.append("</text:list-item></text:list>")
            level_open -= 1
        if level:
            if level_open == level:
                parts.append("</text:list-item>")
            while level_open < level:
                parts.append('<text:list text:style-name="Bullets">' if level_open == 0 else "<text:list>")
                level_open += 1
                if level_open < level:
                    parts.append("<text:list-item>")
            parts.append(f"<text:list-item>{p}")
        else:
            parts.append(p)
    parts.extend("</text:list-item></text:list>" for _ in range(level_open))
    return (f'<draw:frame draw:style-name="{styles.frame(fill)}" draw:name="Shape{n}" text:anchor-type="paragraph" '
            f'svg:x="{x}in" svg:y="{y}in" svg:width="{w}in" svg:height="{h}in" draw:z-index="{n}">'
            f'<draw:text-box>{"".join(parts)}</draw:text-box></draw:frame>')


def _list_style() -> str:
    levels = []
    for level, glyph in BULLETS.items():
        margin, indent = INDENTS[level]
        levels.append(
            f'<text:list-level-style-bullet text:level="{level}" text:bullet-char="{glyph}">'
            '<style:list-level-properties text:list-level-position-and-space-mode="label-alignment">'
            f'<style:list-level-label-alignment text:label-followed-by="listtab" '
            f'text:list-tab-stop-position="{margin}in" fo:text-indent="{indent}in" fo:margin-left="{margin}in"/>'
            '</style:list-level-properties>'
            '<style:text-properties fo:font-family="OpenSymbol" style:font-charset="x-symbol"/>'
            '</text:list-level-style-bullet>')
    return f'<text:list-style style:name="Bullets">{"".join(levels)}</text:list-style>'


def slides_fodt(content: dict[str, Any] | None = None) -> str:
    content = content if content is not None else load_content()
    w, h = content["slide_width_in"], content["slide_height_in"]
    styles = _Styles()
    pages = []
    n = 0
    for k, slide in enumerate(content["slides"]):
        frames = []
        for spec in slide["shapes"]:
            n += 1
            frames.append(_shape(spec, n, styles))
        # One (empty) anchor paragraph per page; the frames are placed relative to the page.
        pages.append(f'<text:p text:style-name="{"Anchor" if k == 0 else "AnchorBreak"}">{"".join(frames)}</text:p>')
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
 xmlns:dc="http://purl.org/dc/elements/1.1/"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
<office:meta><dc:title>{escape(content["title"])}</dc:title></office:meta>
<office:font-face-decls><style:font-face style:name="DejaVu Sans" svg:font-family="'DejaVu Sans'"/>
<style:font-face style:name="OpenSymbol" svg:font-family="OpenSymbol" style:font-charset="x-symbol"/></office:font-face-decls>
<office:styles>
<style:default-style style:family="paragraph"><style:paragraph-properties fo:margin-top="0pt" fo:margin-bottom="0pt"/>
<style:text-properties style:font-name="DejaVu Sans" fo:font-size="{DEFAULT_BODY_PT}pt" fo:language="fi" fo:country="FI"/></style:default-style>
<style:style style:name="Slide" style:family="paragraph"/>
<style:style style:name="Frame" style:family="graphic"/>
{_list_style()}
</office:styles>
<office:automatic-styles>
<style:page-layout style:name="PL"><style:page-layout-properties fo:page-width="{w}in" fo:page-height="{h}in"
 style:print-orientation="landscape" fo:margin-top="0in" fo:margin-bottom="0in"
 fo:margin-left="0in" fo:margin-right="0in"/></style:page-layout>
<style:style style:name="Anchor" style:family="paragraph"><style:text-properties fo:font-size="1pt"/></style:style>
<style:style style:name="AnchorBreak" style:family="paragraph"><style:paragraph-properties fo:break-before="page"/>
<style:text-properties fo:font-size="1pt"/></style:style>
{"".join(styles.defs.values())}
</office:automatic-styles>
<office:master-styles><style:master-page style:name="Standard" style:page-layout-name="PL"/></office:master-styles>
<office:body><office:text>{"".join(pages)}</office:text></office:body>
</office:document>
"""


def build_slides_writer_pdf(out_dir: Path, stem: str = STEM, subtitle: bool = False) -> Path:
    """Write `out_dir/<stem>.fodt` and convert it to `out_dir/<stem>.pdf` with LibreOffice Writer."""
    out_dir.mkdir(parents=True, exist_ok=True)
    source = out_dir / f"{stem}.fodt"
    content = with_subtitle(load_content()) if subtitle else None
    source.write_text(slides_fodt(content), encoding="utf-8")
    return convert_to_pdf(source, out_dir)
