"""The appendix table drawn with reportlab's platypus Table: a report generator's geometry.

Every cell is a Paragraph (reportlab's own word wrap and line pitch), rows keep their height on
every page column. With `split_after` the table is printed as a spreadsheet does when it is
wider than the paper: the first columns on some pages and the rest on others, with the same
row breaks, in "down, then over" or "over, then down" page order; the header row is printed
once per page column. Without it, every column is on one page width and the table breaks
across pages where the rows stop fitting.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A3, A4, landscape, portrait
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from appendix import STEM, load_content

FONT_FILES = {
    "DejaVu Sans": ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    "Liberation Sans": ("/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
                        "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf"),
    "Liberation Serif": ("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
                         "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf"),
}
PAPERS = {"A4": A4, "A3": A3}
MARGIN = 36.0
PADDING = 3.0


@dataclass(frozen=True)
class ReportlabTableVariant:
    paper: str = "A4"
    orientation: str = "landscape"
    font_name: str = "Liberation Sans"
    font_size: float = 8.0
    ruling: bool = True
    split_after: int | None = None  # columns on the left pages; None: one page width
    page_order: str = "downThenOver"
    stem: str = STEM


def fonts_available(name: str) -> bool:
    return name in FONT_FILES and all(Path(f).is_file() for f in FONT_FILES[name])


def _fonts(name: str) -> tuple[str, str]:
    regular, bold = (name.replace(" ", ""), name.replace(" ", "") + "-Bold")
    for font, file in zip((regular, bold), FONT_FILES[name]):
        if font not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(font, file))
    return regular, bold


def _p(text: str | None, style: ParagraphStyle) -> Paragraph:
    return Paragraph("<br/>".join(escape(line) for line in (text or "").split("\n")), style)


def _grid(sheet: dict[str, Any], regular: ParagraphStyle, bold: ParagraphStyle) -> list[list[Paragraph]]:
    rows = [[_p(t, bold) for t in sheet["header"]]]
    for item in sheet["rows"]:
        if isinstance(item, dict):
            rows.append([_p(item["group"], bold)] + [_p(None, regular) for _ in sheet["header"][1:]])
        else:
            rows.append([_p(v, regular) for v in item])
    return rows


def _heights(grid: list[list[Paragraph]], widths: list[float]) -> list[float]:
    return [max(p.wrap(w - 2 * PADDING, 10_000)[1] for p, w in zip(row, widths)) + 2 * PADDING for row in grid]


def _style(v: ReportlabTableVariant, n_rows: int) -> TableStyle:
    commands: list[tuple] = [("VALIGN", (0, 0), (-1, -1), "TOP"),
                             ("LEFTPADDING", (0, 0), (-1, -1), PADDING), ("RIGHTPADDING", (0, 0), (-1, -1), PADDING),
                             ("TOPPADDING", (0, 0), (-1, -1), PADDING), ("BOTTOMPADDING", (0, 0), (-1, -1), PADDING)]
    if v.ruling:
        commands.append(("GRID", (0, 0), (-1, n_rows - 1), 0.5, colors.black))
    return TableStyle(commands)


def _chunks(heights: list[float], first_room: float, room: float) -> list[list[int]]:
    """Row indices per page: as many whole rows as fit (the first page has less room)."""
    pages: list[list[int]] = [[]]
    used, limit = 0.0, first_room
    for i, h in enumerate(heights):
        if pages[-1] and used + h > limit:
            pages.append([])
            used, limit = 0.0, room
        pages[-1].append(i)
        used += h
    return pages


def build_appendix_reportlab_pdf(out_dir: Path, v: ReportlabTableVariant = ReportlabTableVariant(),
                                 content: dict[str, Any] | None = None) -> Path:
    content = content if content is not None else load_content()
    regular_font, bold_font = _fonts(v.font_name)
    size = v.font_size
    regular = ParagraphStyle("r", fontName=regular_font, fontSize=size, leading=size * 1.2)
    bold = ParagraphStyle("b", parent=regular, fontName=bold_font)
    title = ParagraphStyle("t", parent=bold, fontSize=size + 2, leading=(size + 2) * 1.2)
    pagesize = (landscape if v.orientation == "landscape" else portrait)(PAPERS[v.paper])
    frame_w, frame_h = pagesize[0] - 2 * MARGIN, pagesize[1] - 2 * MARGIN - 12  # platypus frame padding
    story: list[Any] = []
    for n, sheet in enumerate(content["sheets"]):
        if n:
            story.append(PageBreak())
        intro: list[Any] = []
        if sheet.get("with_intro"):
            intro += [_p(content["title"], title), _p(content["description"], regular), Spacer(1, size * 1.2)]
        if sheet.get("caption"):
            intro.append(_p(sheet["caption"], bold))
        intro_h = sum(f.wrap(frame_w, frame_h)[1] for f in intro)
        story += intro
        grid = _grid(sheet, regular, bold)
        split = v.split_after if v.split_after is not None else len(sheet["header"])
        parts = [list(range(split))] + ([list(range(split, len(sheet["header"])))] if split < len(sheet["header"]) else [])
        # Each page column is as wide as the page allows for its share of the sheet's widths.
        widths = []
        for cols in parts:
            share = sum(sheet["widths"][c] for c in cols)
            widths += [frame_w * sheet["widths"][c] / share for c in cols]
        heights = _heights(grid, widths)
        pages = _chunks(heights, frame_h - intro_h - 2, frame_h - 2)
        blocks = []  # (part, page) in print order
        if v.page_order == "overThenDown":
            blocks = [(p, k) for k in range(len(pages)) for p in range(len(parts))]
        else:
            blocks = [(p, k) for p in range(len(parts)) for k in range(len(pages))]
        for b, (p, k) in enumerate(blocks):
            if b:
                story.append(PageBreak())
            rows = pages[k]
            data = [[grid[r][c] for c in parts[p]] for r in rows]
            table = Table(data, colWidths=[widths[c] for c in parts[p]], rowHeights=[heights[r] for r in rows])
            table.setStyle(_style(v, len(rows)))
            if p > 0 and k == 0 and intro_h:
                story.append(Spacer(1, intro_h))  # right-hand pages start at the left pages' height
            story.append(table)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{v.stem}.pdf"
    doc = SimpleDocTemplate(str(target), pagesize=pagesize, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN, bottomMargin=MARGIN, title=content["title"].rstrip("."),
                            author="servicegraph tests/renderings", invariant=1)
    doc.build(story)
    return target
