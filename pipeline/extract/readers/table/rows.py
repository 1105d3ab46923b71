"""A page's lines, cut at its columns, -> cells -> rows; other slices' cells -> the same rows.

    lines  -> lines_to_column_blocks  (cells: lines of one column that belong together)
    blocks -> blocks_to_rows          (a row per first-column cell; group rows)
           -> join_blocks_to_rows     (a later slice's cells to the rows of its paired page)
    rows   -> rows_to_table_rows      (TableRow with cells and provenance)

Every function returns new values and the warnings it has; nothing is filled in place.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

from pipeline.extract.pdf import PageContent
from pipeline.extract.readers.table.settings import TableSettings
from pipeline.extract.readers.table.slices import SlicePage
from pipeline.extract.words import Block, Line, Word, column_of, lines_to_blocks, overlap, split_line_at
from pipeline.model import BBox, Cell, Location, TableRow


@dataclass(frozen=True)
class RowDraft:
    """A row as read from its first-slice page, before it becomes a TableRow."""

    page: int
    name: Block
    top: float
    bottom: float
    group: bool = False
    cells: tuple[tuple[str, tuple[Block, ...]], ...] = ()

    def blocks(self, role: str) -> tuple[Block, ...]:
        return dict(self.cells).get(role, ())

    def with_block(self, role: str, block: Block) -> "RowDraft":
        cells = dict(self.cells)
        cells[role] = (*cells.get(role, ()), block)
        return replace(self, cells=tuple(cells.items()))


def column_cuts(page: PageContent, start: float, end: float, settings: TableSettings) -> list[float]:
    """y of the ruling lines that cross a column (most of its width): its cell borders."""
    width = max(1.0, end - start)
    return sorted({round(e.top, 1) for e in page.h_edges
                   if overlap(e.x0, e.x1, start, end) >= settings.rule_min_share * width})


def lines_to_column_blocks(page: PageContent, lines: Sequence[Line], starts: Sequence[float],
                           settings: TableSettings) -> dict[int, list[Block]]:
    """Cut lines at the column starts and join each column's lines into cells."""
    pieces: dict[int, list[Line]] = {}
    for line in lines:
        for piece in split_line_at(line, starts):
            col = max(0, column_of(piece.words[0].x0, starts))
            pieces.setdefault(col, []).append(piece)
    blocks: dict[int, list[Block]] = {}
    for col, col_lines in sorted(pieces.items()):
        end = starts[col + 1] if col + 1 < len(starts) else page.width
        cuts = column_cuts(page, starts[col], end, settings)
        blocks[col] = lines_to_blocks(col_lines, settings.line_gap, cuts)
    return blocks


def data_blocks(sp: SlicePage, settings: TableSettings) -> dict[int, list[Block]]:
    lines = sp.lines if sp.header is None else [line for line in sp.lines if line.top > sp.header.bottom]
    return lines_to_column_blocks(sp.page, lines, sp.starts, settings)


def blocks_to_rows(sp: SlicePage, settings: TableSettings) -> tuple[tuple[RowDraft, ...], tuple[str, ...]]:
    """A row per cell of the first column; the other columns' cells join by vertical overlap."""
    warnings: list[str] = []
    blocks = data_blocks(sp, settings)
    rows = [RowDraft(page=sp.page.number, name=b, top=b.top, bottom=b.bottom) for b in blocks.get(0, [])]
    for col, col_blocks in sorted(blocks.items()):
        if col == 0:
            continue
        role = sp.roles[col]
        for b in col_blocks:
            at = _row_for(b, rows, settings)
            if at is None:
                warnings.append(f"page {sp.page.number}: {role} text {b.text!r} has no "
                                f"{sp.roles[0]} cell in its row; ignored")
                continue
            rows[at] = rows[at].with_block(role, b)
    finished = []
    for row in rows:
        tops = [row.top] + [b.top for _, bs in row.cells for b in bs]
        bottoms = [row.bottom] + [b.bottom for _, bs in row.cells for b in bs]
        only_first = not row.cells or not settings.group_only_first_column
        finished.append(replace(row, top=min(tops), bottom=max(bottoms),
                                group=only_first and (row.name.bold or not settings.group_bold)))
    return widen_to_rules(sp, finished), tuple(warnings)


def widen_to_rules(sp: SlicePage, rows: Sequence[RowDraft]) -> tuple[RowDraft, ...]:
    """With ruling lines a row's extent is its band between two rules, so cells aligned
    differently on another page of the band still overlap it."""
    if not rows:
        return tuple(rows)
    start = sp.starts[0]
    end = sp.starts[1] if len(sp.starts) > 1 else sp.page.width
    cuts = sorted({round(e.top, 1) for e in sp.page.h_edges
                   if overlap(e.x0, e.x1, start, end) > 0.5 * (end - start)})
    if not cuts:
        return tuple(rows)
    out = []
    for row in rows:
        above = [c for c in cuts if c <= row.name.top + 0.5]
        below = [c for c in cuts if c >= row.name.bottom - 0.5]
        out.append(replace(row, top=min(row.top, above[-1]) if above else row.top,
                           bottom=max(row.bottom, below[0]) if below else row.bottom))
    return tuple(out)


def _row_for(block: Block, rows: Sequence[RowDraft], settings: TableSettings) -> int | None:
    """The row a cell belongs to: most vertical overlap, else the nearest within tolerance."""
    if not rows:
        return None
    top, bottom = block.top, block.bottom
    best, best_key = 0, (-1.0, 0.0)
    for i, r in enumerate(rows):
        key = (overlap(top, bottom, r.top, r.bottom), -r.top)
        if key > best_key:
            best, best_key = i, key
    if best_key[0] > 0:
        return best
    size = block.lines[0].size
    centre = (top + bottom) / 2
    nearest = min(range(len(rows)), key=lambda i: abs((rows[i].top + rows[i].bottom) / 2 - centre))
    r = rows[nearest]
    gap = max(r.top - bottom, top - r.bottom)
    return nearest if gap <= settings.join_tolerance * size else None


def join_blocks_to_rows(sp: SlicePage, left_page: int | None, rows: Sequence[RowDraft],
                        settings: TableSettings) -> tuple[tuple[RowDraft, ...], tuple[str, ...]]:
    """The rows of a first-slice page with a later slice's cells (from its paired page) joined."""
    warnings: list[str] = []
    blocks = data_blocks(sp, settings)
    out = list(rows)
    if left_page is None:
        if any(blocks.values()):
            warnings.append(f"page {sp.page.number}: no first-column page to join its cells to; ignored")
        return tuple(out), tuple(warnings)
    for col, col_blocks in sorted(blocks.items()):
        role = sp.roles[col]
        for b in col_blocks:
            at = _row_for(b, out, settings)
            if at is None:
                warnings.append(f"page {sp.page.number}: {role} text {b.text!r} matches no row of "
                                f"page {left_page}; ignored")
                continue
            row = out[at]
            if row.group:
                warnings.append(f"page {sp.page.number}: {role} text {b.text!r} is beside the group "
                                f"row {row.name.text!r} on page {left_page}; ignored")
                continue
            # A row pairs with one page per slice, so a column's text on two pages means two
            # slices claim one column: a page was put in the wrong table (a missed header).
            earlier = [x.page for x in row.blocks(role) if x.page != b.page]
            if earlier:
                warnings.append(f"page {sp.page.number}: {role} text {b.text!r} would join row "
                                f"{row.name.text!r} of page {left_page}, which already has "
                                f"{role} text from page {earlier[0]}; ignored")
                continue
            out[at] = row.with_block(role, b)
    return tuple(out), tuple(warnings)


def rows_to_table_rows(number: int, title: str, pages_rows: Sequence[Sequence[RowDraft]],
                       name_role: str) -> list[TableRow]:
    out: list[TableRow] = []
    group: str | None = None
    index = 0
    for rows in pages_rows:
        for row in sorted(rows, key=lambda r: r.name.top):
            if row.group:
                group = " ".join(line.text for line in row.name.lines)
                continue
            index += 1
            cells = {name_role: blocks_to_cell([row.name])}
            for role, blocks in row.cells:
                cells[role] = blocks_to_cell(blocks)
            out.append(TableRow(table=number, table_title=title, index=index, group=group, cells=cells))
    return out


def blocks_to_cell(blocks: Sequence[Block]) -> Cell:
    """One cell from its pieces: text top to bottom, a location per page it is printed on."""
    ordered = sorted(blocks, key=lambda b: (b.page, b.top))
    by_page: dict[int, list[Word]] = {}
    for b in ordered:
        by_page.setdefault(b.page, []).extend(b.words)
    locations = tuple(Location(page, BBox(min(w.x0 for w in ws), min(w.top for w in ws),
                                          max(w.x1 for w in ws), max(w.bottom for w in ws)).rounded(1))
                      for page, ws in sorted(by_page.items()))
    return Cell(text="\n".join(b.text for b in ordered), locations=locations)


def page_fit(left: SlicePage, rows: Sequence[RowDraft], right: SlicePage, settings: TableSettings) -> float:
    """How well a page's cells line up with a first-slice page's rows (0..1).

    Cells of one band of rows share the rows' vertical extents; ruling lines, when both pages
    have them, must sit at the same heights.
    """
    scores: list[float] = []
    blocks = [b for bs in data_blocks(right, settings).values() for b in bs]
    if blocks and rows:
        hit = sum(1 for b in blocks if any(overlap(b.top, b.bottom, r.top, r.bottom) > 0 for r in rows))
        scores.append(hit / len(blocks))
    ly = {round(e.top) for e in left.page.h_edges}
    ry = {round(e.top) for e in right.page.h_edges}
    if ly and ry:
        scores.append(len(ly & ry) / len(ly | ry))
    if not scores:
        return 0.5 if not blocks else 0.0
    return sum(scores) / len(scores)
