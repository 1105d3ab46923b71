"""Build source 002 (the appendix table) as .xlsx with openpyxl and print it to PDF.

The content is data (appendix.yaml); this module only lays it out. An `AppendixVariant`
renders the same content in another geometry (paper, column widths, fonts, page breaks,
page order, ruling lines) so tests can check that extraction does not depend on one layout.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from office import convert_to_pdf
from textfit import wrap

HERE = Path(__file__).resolve().parent
CONTENT = HERE / "appendix.yaml"
STEM = "002_liitetaulukko"

# openpyxl's paperSize codes (ECMA-376 ST_PaperSize) and the paper's short side x long side in pt.
PAPERS: dict[str, tuple[int, float, float]] = {
    "A4": (9, 595.3, 841.9),
    "A3": (8, 841.9, 1190.6),
    "Letter": (1, 612.0, 792.0),
}
PAGE_ORDERS = ("downThenOver", "overThenDown")
# A fixed timestamp keeps the .xlsx free of the build time.
FIXED_TIME = dt.datetime(2024, 1, 1, 0, 0, 0)

# Calc converts a column width in character units to points from the default font's digit
# width. openpyxl's default style names Calibri 11, which Calc replaces by whatever fontconfig
# substitutes: DejaVu Sans (7.0 pt per unit, measured from the rendered borders: 50 units ->
# 350 pt) on a machine with only DejaVu and Liberation, Noto Sans (6.3 pt) once fonts-noto-core
# is installed. Rows are sized from the wrapped text, so the width must be the one Calc uses,
# or it wraps a cell into more lines than its row holds and clips them.
DEFAULT_FONT = "Calibri"
DEFAULT_FONT_PT = 11.0
PT_PER_WIDTH_UNIT = 7.0  # DejaVu Sans, when fontconfig cannot be asked
CELL_PADDING_PT = 6.0  # left + right inner margin Calc keeps inside a cell, plus slack
LINE_HEIGHT = 1.18  # line pitch as a multiple of the font size (measured 1.167 for DejaVu Sans)
ROW_PADDING_PT = 3.0  # above + below the text in a row
MARGIN_IN = 0.5


@dataclass(frozen=True)
class AppendixVariant:
    """Geometry of one rendering. The defaults reproduce the committed PDF."""

    paper: str = "A4"
    orientation: str = "landscape"
    width_scale: float = 1.0
    font_name: str = "DejaVu Sans"
    font_size: float = 9.0
    # Data rows (1-based, per table) after which a page ends; None keeps appendix.yaml's.
    row_breaks: tuple[tuple[int, ...], ...] | None = None
    page_order: str = "downThenOver"
    ruling: bool = True
    # What the row heights leave beside a cell's text when they predict its wrapping. Calc
    # wraps a few points earlier than textfit measures in some fonts (DejaVu Serif); a rendering
    # whose columns are narrow relative to its text leaves more, or Calc clips a line.
    cell_padding_pt: float = CELL_PADDING_PT
    stem: str = STEM

    def __post_init__(self) -> None:
        if self.paper not in PAPERS:
            raise ValueError(f"paper must be one of {sorted(PAPERS)}, not {self.paper!r}")
        if self.orientation not in ("landscape", "portrait"):
            raise ValueError(f"orientation must be landscape or portrait, not {self.orientation!r}")
        if self.page_order not in PAGE_ORDERS:
            raise ValueError(f"page_order must be one of {PAGE_ORDERS}, not {self.page_order!r}")


@lru_cache(maxsize=1)
def pt_per_width_unit() -> float:
    """The advance of the digit 0 in the font Calc will use for the default font, in points."""
    try:
        found = subprocess.run(["fc-match", "-f", "%{file}", DEFAULT_FONT], capture_output=True,
                               text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return PT_PER_WIDTH_UNIT
    if not found or not Path(found).is_file():
        return PT_PER_WIDTH_UNIT
    from matplotlib.ft2font import FT2Font

    font = FT2Font(found)
    font.set_size(DEFAULT_FONT_PT, 72)
    glyph = font.load_char(ord("0"))
    return round(glyph.linearHoriAdvance / 65536, 2)


def load_content(path: Path = CONTENT) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _line_count(text: str, width_pt: float, v: AppendixVariant, bold: bool) -> int:
    return len(wrap(text, width_pt - v.cell_padding_pt, v.font_name, v.font_size, bold))


def _row_height(cells: list[tuple[str, float, bool]], v: AppendixVariant) -> float:
    """Height that shows every wrapped line of the tallest cell (text, width pt, bold)."""
    lines = max((_line_count(t, w, v, b) for t, w, b in cells if t), default=1)
    return round(lines * v.font_size * LINE_HEIGHT + ROW_PADDING_PT, 1)


def _write_sheet(ws: Worksheet, sheet: dict[str, Any], content: dict[str, Any],
                 breaks: tuple[int, ...], v: AppendixVariant) -> None:
    widths_units = [w * v.width_scale for w in sheet["widths"]]
    widths_pt = [w * pt_per_width_unit() for w in widths_units]
    ncols = len(widths_units)
    split = sheet["split_after_column"]
    for i, w in enumerate(widths_units, start=1):
        ws.column_dimensions[get_column_letter(i)].width = round(w, 2)

    regular = Font(name=v.font_name, size=v.font_size)
    bold = Font(name=v.font_name, size=v.font_size, bold=True)
    title_font = Font(name=v.font_name, size=v.font_size + 2, bold=True)
    wrap_top = Alignment(wrap_text=True, vertical="top")
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin) if v.ruling else Border()

    row = 1
    if sheet.get("with_intro"):
        # Merged across the left-page columns so the text wraps inside them instead of
        # running over the neighbouring cells (overflowing text overprints in the PDF).
        left_width = sum(widths_pt[:split])
        for text, font in ((content["title"], title_font), (content["description"], regular)):
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=split)
            cell = ws.cell(row=row, column=1, value=text)
            cell.font, cell.alignment = font, wrap_top
            size = font.sz
            lines = len(wrap(text, left_width - v.cell_padding_pt, v.font_name, size, bool(font.b)))
            ws.row_dimensions[row].height = round(lines * size * LINE_HEIGHT + ROW_PADDING_PT, 1)
            row += 1
        ws.row_dimensions[row].height = v.font_size * LINE_HEIGHT  # a blank line before the table
        row += 1

    if sheet.get("caption"):
        # The table's title on its own bold row above the header (a layout whose first header
        # cell names the key column instead, e.g. "Palvelu").
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=split)
        cell = ws.cell(row=row, column=1, value=sheet["caption"])
        cell.font, cell.alignment = bold, wrap_top
        ws.row_dimensions[row].height = _row_height([(sheet["caption"], sum(widths_pt[:split]), True)], v)
        row += 1

    header_row = row
    for col, text in enumerate(sheet["header"], start=1):
        cell = ws.cell(row=row, column=col, value=text)
        cell.font, cell.alignment, cell.border = bold, wrap_top, border
    ws.row_dimensions[row].height = _row_height(
        [(t, widths_pt[i], True) for i, t in enumerate(sheet["header"])], v)
    row += 1

    for n, item in enumerate(sheet["rows"], start=1):
        if isinstance(item, dict):
            values: list[str | None] = [item["group"]] + [None] * (ncols - 1)
            fonts = [bold] * ncols
        else:
            if len(item) != ncols:
                raise ValueError(f"{CONTENT}: row {n} of {sheet['name']!r} has {len(item)} cells, "
                                 f"expected {ncols}")
            values, fonts = list(item), [regular] * ncols
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=col, value=value)
            cell.font, cell.alignment, cell.border = fonts[col - 1], wrap_top, border
        ws.row_dimensions[row].height = _row_height(
            [(t or "", widths_pt[i], bool(fonts[i].b)) for i, t in enumerate(values)], v)
        if n in breaks:
            ws.row_breaks.append(Break(id=row))
        row += 1

    last_row = row - 1
    if split < ncols:  # split == ncols: every column on one page width
        ws.col_breaks.append(Break(id=split))
    ws.print_area = f"A1:{get_column_letter(ncols)}{last_row}"
    ws.print_options.gridLines = False
    ws.page_setup.pageOrder = v.page_order
    ws.page_setup.paperSize = PAPERS[v.paper][0]
    ws.page_setup.orientation = v.orientation
    ws.page_setup.scale = 100
    ws.sheet_properties.pageSetUpPr.fitToPage = False
    ws.page_margins.left = ws.page_margins.right = MARGIN_IN
    ws.page_margins.top = ws.page_margins.bottom = MARGIN_IN - 0.1
    ws.page_margins.header = ws.page_margins.footer = 0.2
    # Header rows are printed once, as in the source (its later pages start with data rows).
    del header_row


def build_appendix_xlsx(path: Path, variant: AppendixVariant = AppendixVariant(),
                        content: dict[str, Any] | None = None) -> Path:
    """Write the appendix workbook to `path` (one sheet per table); `content` defaults to appendix.yaml."""
    content = content or load_content()
    sheets = content["sheets"]
    breaks = variant.row_breaks or tuple(tuple(s["row_breaks_after"]) for s in sheets)
    wb = Workbook()
    wb.remove(wb.active)
    for sheet, sheet_breaks in zip(sheets, breaks, strict=True):
        _write_sheet(wb.create_sheet(sheet["name"]), sheet, content, tuple(sheet_breaks), variant)
    props = wb.properties
    props.title = content["title"].rstrip(".")
    props.creator = props.lastModifiedBy = "servicegraph raw/src/appendix.py"
    props.created = props.modified = FIXED_TIME
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    _fix_zip_times(path)
    return path


def _fix_zip_times(path: Path) -> None:
    """Rewrite the archive with fixed dates: openpyxl stamps the members and dcterms:modified
    with the save time, whatever the workbook properties say."""
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(path) as zin:
        members = [(info, zin.read(info)) for info in zin.infolist()]
    members = [
        (info, re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, data)
         if info.filename == "docProps/core.xml" else data)
        for info, data in members
    ]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in members:
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            zout.writestr(fixed, data)


def build_appendix_pdf(out_dir: Path, variant: AppendixVariant = AppendixVariant(),
                       src_dir: Path | None = None, content: dict[str, Any] | None = None) -> Path:
    """Build the workbook (in `src_dir`, default `out_dir`) and print it to `out_dir/<stem>.pdf`."""
    xlsx = build_appendix_xlsx((src_dir or out_dir) / f"{variant.stem}.xlsx", variant, content)
    return convert_to_pdf(xlsx, out_dir)
