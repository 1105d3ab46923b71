"""The appendix table as a LibreOffice Writer document (flat ODF, .fodt), printed to PDF by soffice.

A word processor's geometry: every column on one page width, the table broken across pages
where Writer breaks it (rows kept whole), the header printed once or repeated on every page,
cells top- or centre-aligned, borders on or off. The title and description are paragraphs
above the first table; the second table starts on a new page.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from appendix import STEM, load_content
from office import convert_to_pdf

PAPERS_MM = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}
MARGIN_MM = 12.7
PT_PER_MM = 72 / 25.4


@dataclass(frozen=True)
class WriterTableVariant:
    paper: str = "A4"
    orientation: str = "landscape"
    font_name: str = "DejaVu Sans"
    font_size: float = 8.0
    ruling: bool = True
    repeat_header: bool = False
    valign: str = "top"  # or "middle"
    header_align: str = "start"  # or "center" (Writer's own "Table Heading" style centres)
    stem: str = STEM


def _para(text: str | None, style: str) -> str:
    lines = (text or "").split("\n")
    body = "<text:line-break/>".join(escape(line) for line in lines)
    return f'<text:p text:style-name="{style}">{body}</text:p>'


def _table(n: int, sheet: dict[str, Any], head_style: str) -> str:
    cols = "".join(f'<table:table-column table:style-name="T{n}.C{i}"/>' for i in range(len(sheet["widths"])))
    head = "".join(f'<table:table-cell table:style-name="Cell" office:value-type="string">{_para(t, head_style)}'
                   "</table:table-cell>" for t in sheet["header"])
    rows = []
    for item in sheet["rows"]:
        if isinstance(item, dict):
            cells = [(item["group"], "Bold")] + [(None, "Body")] * (len(sheet["header"]) - 1)
        else:
            cells = [(v, "Body") for v in item]
        rows.append('<table:table-row table:style-name="Row">' + "".join(
            f'<table:table-cell table:style-name="Cell" office:value-type="string">{_para(t, s)}</table:table-cell>'
            for t, s in cells) + "</table:table-row>")
    return (f'<table:table table:name="Table{n}" table:style-name="T{n}">{cols}'
            f'<table:table-header-rows><table:table-row table:style-name="Row">{head}</table:table-row>'
            f'</table:table-header-rows>{"".join(rows)}</table:table>')


def appendix_fodt(v: WriterTableVariant, content: dict[str, Any] | None = None) -> str:
    content = content if content is not None else load_content()
    short, long = PAPERS_MM[v.paper]
    page_w, page_h = (long, short) if v.orientation == "landscape" else (short, long)
    text_w = (page_w - 2 * MARGIN_MM) * PT_PER_MM
    border = "0.5pt solid #000000" if v.ruling else "none"
    styles = []
    body = []
    for n, sheet in enumerate(content["sheets"], start=1):
        total = sum(sheet["widths"])
        brk = ' fo:break-before="page"' if n > 1 else ""
        styles.append(f'<style:style style:name="T{n}" style:family="table"><style:table-properties '
                      f'style:width="{text_w:.2f}pt" table:align="left"{brk}/></style:style>')
        for i, w in enumerate(sheet["widths"]):
            styles.append(f'<style:style style:name="T{n}.C{i}" style:family="table-column">'
                          f'<style:table-column-properties style:column-width="{text_w * w / total:.2f}pt"/>'
                          "</style:style>")
        if sheet.get("with_intro"):
            body.append(_para(content["title"], "Title"))
            body.append(_para(content["description"], "Body"))
            body.append(_para("", "Body"))
        if sheet.get("caption"):
            body.append(_para(sheet["caption"], "Bold"))
        table = _table(n, sheet, "Heading" if v.header_align == "center" else "Bold")
        if not v.repeat_header:
            table = table.replace("<table:table-header-rows>", "").replace("</table:table-header-rows>", "")
        body.append(table)
    font = quoteattr(v.font_name)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
<office:font-face-decls><style:font-face style:name="Main" svg:font-family={font}/></office:font-face-decls>
<office:styles>
<style:default-style style:family="paragraph"><style:paragraph-properties fo:margin-top="0pt" fo:margin-bottom="0pt"/>
<style:text-properties style:font-name="Main" fo:font-size="{v.font_size}pt" fo:language="fi" fo:country="FI"/></style:default-style>
<style:style style:name="Body" style:family="paragraph"/>
<style:style style:name="Bold" style:family="paragraph"><style:text-properties fo:font-weight="bold"/></style:style>
<style:style style:name="Heading" style:family="paragraph"><style:paragraph-properties fo:text-align="center"/><style:text-properties fo:font-weight="bold"/></style:style>
<style:style style:name="Title" style:family="paragraph"><style:text-properties fo:font-size="{v.font_size + 2}pt" fo:font-weight="bold"/></style:style>
</office:styles>
<office:automatic-styles>
<style:page-layout style:name="PL"><style:page-layout-properties fo:page-width="{page_w}mm" fo:page-height="{page_h}mm"
 style:print-orientation="{v.orientation}" fo:margin-top="{MARGIN_MM}mm" fo:margin-bottom="{MARGIN_MM}mm"
 fo:margin-left="{MARGIN_MM}mm" fo:margin-right="{MARGIN_MM}mm"/></style:page-layout>
<style:style style:name="Row" style:family="table-row"><style:table-row-properties fo:keep-together="always"/></style:style>
<style:style style:name="Cell" style:family="table-cell"><style:table-cell-properties fo:padding="2pt"
 fo:border="{border}" style:vertical-align="{v.valign}"/></style:style>
{"".join(styles)}
</office:automatic-styles>
<office:master-styles><style:master-page style:name="Standard" style:page-layout-name="PL"/></office:master-styles>
<office:body><office:text>{"".join(body)}</office:text></office:body>
</office:document>
"""


def build_appendix_writer_pdf(out_dir: Path, variant: WriterTableVariant = WriterTableVariant(),
                              content: dict[str, Any] | None = None) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    source = out_dir / f"{variant.stem}.fodt"
    source.write_text(appendix_fodt(variant, content), encoding="utf-8")
    return convert_to_pdf(source, out_dir)
