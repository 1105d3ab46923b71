"""Wide spreadsheet tables printed over several page columns -> `TableRow`s, by position.

An office program prints a sheet wider than the paper in page columns ("slices"): the first
columns (name, type, producers) on some pages, the remaining columns on others, either "down,
then over" (every page of the first slice, then every page of the next) or "over, then down"
(the slices of each band of rows side by side). The header row is printed once, on the first
page of each slice. Read, named for the transformation each step makes:

    page lines -> find_header                 (header words -> column roles and x starts)
    headers    -> pages_to_tables             (tables, each page's slice, page order)
               -> pair_pages                  (each page with the first-slice page it continues)
    page       -> lines_to_column_blocks      (cells: lines of one column that belong together)
    blocks     -> blocks_to_rows              (a row per name cell; group rows)
               -> join_blocks_to_rows         (other slices' cells by vertical overlap)
    rows       -> rows_to_table_rows          (TableRow with cells and provenance)

Nothing depends on one geometry: columns come from header words (and ruling lines when
present), rows from where the name column starts a new cell, the pairing from row geometry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Sequence

from pipeline.extract.pdf import Edge, PageContent, PdfContent
from pipeline.extract.words import (
    Block,
    Line,
    Word,
    column_of,
    lines_to_blocks,
    normalise_token,
    overlap,
    split_line_at,
    words_to_lines,
)
from pipeline.model import BBox, Cell, Location, TableRow

# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class ColumnSpec:
    role: str
    header_words: tuple[str, ...] = ()
    title: bool = False  # the header cell is the table's title


@dataclass(frozen=True)
class TableSettings:
    """The table part of a layout profile, with named defaults for what it leaves out."""

    columns: tuple[ColumnSpec, ...]
    min_roles: int = 2
    unique_words: tuple[str, ...] = ()
    band_lines: float = 6.0
    group_bold: bool = True
    group_only_first_column: bool = True
    area_pattern: str | None = None
    line_centre_tolerance: float = 0.35
    line_gap: float = 0.4
    column_slack: float = 2.0
    rule_snap: float = 12.0
    rule_min_share: float = 0.6
    join_tolerance: float = 1.0
    min_pair_fit: float = 0.6

    @classmethod
    def from_profile(cls, profile: dict[str, Any]) -> "TableSettings":
        columns = tuple(
            ColumnSpec(role=str(c["role"]),
                       header_words=tuple(normalise_token(str(w)) for w in c.get("header_words", ())),
                       title=bool(c.get("title", False)))
            for c in profile.get("columns", ())
        )
        header = profile.get("header") or {}
        groups = profile.get("group_rows") or {}
        geometry = profile.get("geometry") or {}
        floats = {k: float(v) for k, v in geometry.items() if k in cls.__dataclass_fields__}
        return cls(
            columns=columns,
            min_roles=int(header.get("min_roles", 2)),
            unique_words=tuple(normalise_token(str(w)) for w in header.get("unique_words", ())),
            band_lines=float(header.get("band_lines", 6.0)),
            group_bold=bool(groups.get("bold", True)),
            group_only_first_column=bool(groups.get("only_first_column", True)),
            area_pattern=(profile.get("title") or {}).get("area_pattern"),
            **floats,
        )

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(c.role for c in self.columns)


# --------------------------------------------------------------------------- headers


@dataclass(frozen=True)
class Header:
    """The header row of one slice, as found on a page."""

    page: int
    roles: tuple[str, ...]  # the slice's columns, left to right
    starts: tuple[float, ...]  # x where each column starts
    top: float
    bottom: float
    title: str | None  # the first header cell's text when the slice holds the title column
    blocks: tuple[Block, ...]

    @property
    def has_title_column(self) -> bool:
        return self.title is not None


@dataclass
class PageLayout:
    """What the extractor decided about one page."""

    page: PageContent
    lines: list[Line]
    header: Header | None = None
    table: int = 0  # 1-based, 0 = not part of a table
    slice_roles: tuple[str, ...] = ()
    starts: tuple[float, ...] = ()
    pair: "PageLayout | None" = None  # first-slice page whose rows this page continues
    rows: list["RowDraft"] = field(default_factory=list)


@dataclass
class RowDraft:
    """A row as read from its first-slice page, before it becomes a TableRow."""

    page: int
    name: Block
    top: float
    bottom: float
    group: bool = False
    cells: dict[str, list[Block]] = field(default_factory=dict)


def _anchors(lines: Sequence[Line], settings: TableSettings) -> list[tuple[int, Word]]:
    lookup: dict[str, int] = {}
    for i, col in enumerate(settings.columns):
        for w in col.header_words:
            lookup.setdefault(w, i)
    return [(lookup[normalise_token(w.text)], w) for line in lines for w in line.words
            if normalise_token(w.text) in lookup]


def _anchor_window(anchors: list[tuple[int, Word]], settings: TableSettings) -> dict[int, list[Word]] | None:
    """The topmost group of header words that reads as a header row, by role index."""
    ordered = sorted(anchors, key=lambda a: (a[1].top, a[1].x0))
    for _, seed in ordered:
        reach = seed.top + settings.band_lines * seed.size
        window = [(role, w) for role, w in ordered if seed.top - 0.5 <= w.top <= reach]
        # Header words run left to right in sheet order. A data cell just below a short header
        # row can hold a header word too ("Yhteinen markkinointi" in the name column): keep
        # the largest set of words in sheet order, which drops such strays, and skip the
        # window when the seed itself is a stray.
        kept = _in_sheet_order(window)
        if not any(w is seed for _, w in kept):
            continue
        by_role: dict[int, list[Word]] = {}
        for role, w in kept:
            by_role.setdefault(role, []).append(w)
        if len(by_role) >= settings.min_roles:
            return by_role
        if len(by_role) == 1 and any(normalise_token(w.text) in settings.unique_words
                                     for ws in by_role.values() for w in ws):
            return by_role
    return None


def _in_sheet_order(words: list[tuple[int, Word]]) -> list[tuple[int, Word]]:
    """The longest run of words, left to right, whose column roles never go back.

    Ties go to the run whose words sit higher (closer to the seed), so a stray data word
    below the header loses to the header word it competes with.
    """
    by_x = sorted(words, key=lambda a: (a[1].x0, a[1].top))
    # best[i]: (length, -sum of tops) of the best run ending at word i; prev[i] its predecessor
    best: list[tuple[int, float]] = []
    prev: list[int] = []
    for i, (role, w) in enumerate(by_x):
        score, back = (1, -w.top), -1
        for j in range(i):
            # Words of one header cell may stack (x overlaps); other columns lie right.
            if by_x[j][0] == role or (by_x[j][0] < role and by_x[j][1].x0 < w.x0):
                cand = (best[j][0] + 1, best[j][1] - w.top)
                if cand > score:
                    score, back = cand, j
        best.append(score)
        prev.append(back)
    if not best:
        return []
    i = max(range(len(best)), key=lambda k: best[k])
    run: list[tuple[int, Word]] = []
    while i >= 0:
        run.append(by_x[i])
        i = prev[i]
    return run[::-1]


def _snap(x: float, v_edges: Sequence[Edge], top: float, bottom: float, settings: TableSettings) -> float:
    """A column start moved onto the ruling line just left of it, if there is one."""
    best = x
    for e in v_edges:
        if x - settings.rule_snap <= e.x0 <= x and overlap(e.top, e.bottom, top, bottom) > 0:
            if best == x or e.x0 > best:
                best = e.x0
    return best


def find_header(page: PageContent, lines: Sequence[Line], settings: TableSettings) -> Header | None:
    """The header row on a page, found by the header words of its columns (not by x)."""
    by_role = _anchor_window(_anchors(lines, settings), settings)
    if by_role is None:
        return None
    role_ids = sorted(by_role)
    first_role = role_ids[0]
    anchor_top = min(w.top for ws in by_role.values() for w in ws)
    anchor_bottom = max(w.bottom for ws in by_role.values() for w in ws)
    v_edges = page.v_edges
    starts = [_snap(min(w.x0 for w in by_role[r]) - settings.column_slack, v_edges,
                    anchor_top, anchor_bottom, settings) for r in role_ids]
    roles = [settings.columns[r].role for r in role_ids]
    # The title column sits left of the first named column when that column is the second.
    title_col = first_role == 1 and settings.columns[0].title
    if title_col:
        left_words = [w for line in lines for w in line.words
                      if w.x1 <= starts[0] + settings.column_slack
                      and overlap(w.top, w.bottom, anchor_top, anchor_bottom + settings.band_lines * w.size) > 0]
        x_name = min((w.x0 for w in left_words), default=min(w.x0 for line in lines for w in line.words))
        starts.insert(0, _snap(x_name - settings.column_slack, v_edges, anchor_top, anchor_bottom, settings))
        roles.insert(0, settings.columns[0].role)
    blocks = lines_to_column_blocks(page, lines, tuple(starts), settings)
    anchor_ids = {id(w) for ws in by_role.values() for w in ws}
    header_blocks: dict[int, Block] = {}
    for col, col_blocks in blocks.items():
        for b in col_blocks:
            if any(id(w) in anchor_ids for w in b.words):
                header_blocks.setdefault(col, b)
    if not header_blocks:
        return None
    top = min(b.top for b in header_blocks.values())
    bottom = max(b.bottom for b in header_blocks.values())
    title: str | None = None
    if title_col:
        candidates = [b for b in blocks.get(0, []) if overlap(b.top, b.bottom, top, bottom) > 0]
        if candidates:
            best = max(candidates, key=lambda b: overlap(b.top, b.bottom, top, bottom))
            header_blocks[0] = best
            title = " ".join(line.text for line in best.lines)
            top, bottom = min(top, best.top), max(bottom, best.bottom)
        else:
            title = ""
    return Header(page=page.number, roles=tuple(roles), starts=tuple(starts), top=top, bottom=bottom,
                  title=title, blocks=tuple(header_blocks[c] for c in sorted(header_blocks)))


# --------------------------------------------------------------------------- cells


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


# --------------------------------------------------------------------------- tables and page order


@dataclass(frozen=True)
class TablePages:
    number: int
    title: str
    pages: tuple[PageLayout, ...]


def pages_to_tables(layouts: Sequence[PageLayout], settings: TableSettings,
                    warnings: list[str]) -> list[TablePages]:
    """Split the document into tables: each begins on a page whose header holds the title column.

    A header repeated on a later page of the same table (same title) continues that table.
    """
    tables: list[list[PageLayout]] = []
    titles: list[str] = []
    for lay in layouts:
        h = lay.header
        if h is not None and h.has_title_column and (not titles or h.title != titles[-1]
                                                     or _slice_seen_since_title(tables[-1])):
            tables.append([lay])
            titles.append(h.title or "")
        elif tables:
            tables[-1].append(lay)
        elif lay.page.words and lay.page.number != 1:
            warnings.append(f"page {lay.page.number}: text before the first table header is ignored")
    return [TablePages(i, t, tuple(p)) for i, (t, p) in enumerate(zip(titles, tables), start=1)]


def _slice_seen_since_title(pages: list[PageLayout]) -> bool:
    # A second title header after another slice's header means a new table with an equal title.
    return any(p.header is not None and not p.header.has_title_column for p in pages)


def assign_slices(table: TablePages, warnings: list[str]) -> list[list[PageLayout]]:
    """Give every page of a table its slice; return the pages of each slice, in order.

    The slice of a page without a header follows from the page order: "over, then down"
    when the slices' first pages come one after another and the pages cycle through the
    slices; "down, then over" (each slice's pages in one run) otherwise.
    """
    pages = list(table.pages)
    firsts: list[tuple[int, Header]] = []
    seen: set[tuple[str, ...]] = set()
    for pos, lay in enumerate(pages):
        if lay.header is not None and lay.header.roles not in seen:
            seen.add(lay.header.roles)
            firsts.append((pos, lay.header))
    k = len(firsts)
    over_then_down = (k > 1 and [pos for pos, _ in firsts] == list(range(k)) and len(pages) > k
                      and len(pages) % k == 0
                      and all(lay.header is None or lay.header.roles == firsts[i % k][1].roles
                              for i, lay in enumerate(pages)))
    slices: list[list[PageLayout]] = [[] for _ in range(k)]
    for pos, lay in enumerate(pages):
        if over_then_down:
            s = pos % k
        else:
            s = max(i for i, (p, _) in enumerate(firsts) if p <= pos)
        slices[s].append(lay)
        header = firsts[s][1]
        lay.table, lay.slice_roles, lay.starts = table.number, header.roles, header.starts
    return slices


def page_fit(left: PageLayout, right: PageLayout, settings: TableSettings) -> float:
    """How well a page's cells line up with a first-slice page's rows (0..1).

    Cells of one band of rows share the rows' vertical extents; ruling lines, when both pages
    have them, must sit at the same heights.
    """
    scores: list[float] = []
    blocks = [b for bs in _data_blocks(right, settings).values() for b in bs]
    if blocks and left.rows:
        hit = sum(1 for b in blocks if any(overlap(b.top, b.bottom, r.top, r.bottom) > 0 for r in left.rows))
        scores.append(hit / len(blocks))
    ly = {round(e.top) for e in left.page.h_edges}
    ry = {round(e.top) for e in right.page.h_edges}
    if ly and ry:
        scores.append(len(ly & ry) / len(ly | ry))
    if not scores:
        return 0.5 if not blocks else 0.0
    return sum(scores) / len(scores)


def pair_pages(first: Sequence[PageLayout], other: Sequence[PageLayout], settings: TableSettings,
               warnings: list[str]) -> None:
    """Pair each page of a later slice with the first-slice page whose rows it continues.

    Equal counts pair in order. When a slice has fewer pages (an office program leaves out a
    page with nothing on it), the order-keeping pairing with the best row fit is chosen.
    """
    n, m = len(first), len(other)
    if m > n:
        for lay in other[n:]:
            warnings.append(f"page {lay.page.number}: no first-column page left to pair it with; "
                            "its cells are ignored")
        other = other[:n]
        m = n
    if m == n:
        pairs = list(zip(first, other))
    else:
        fit = [[page_fit(first[i], other[j], settings) for i in range(n)] for j in range(m)]
        # best[j][i]: best total fit pairing other[:j+1] with first[:i+1], other[j] -> first[i]
        neg = float("-inf")
        best = [[neg] * n for _ in range(m)]
        back = [[-1] * n for _ in range(m)]
        for i in range(n):
            best[0][i] = fit[0][i] + (1.0 if i == 0 else 0.0)  # header pages pair with each other
        for j in range(1, m):
            running, arg = neg, -1
            for i in range(n):
                if i > 0 and best[j - 1][i - 1] > running:
                    running, arg = best[j - 1][i - 1], i - 1
                if running > neg:
                    best[j][i], back[j][i] = running + fit[j][i], arg
        i = max(range(n), key=lambda x: (best[m - 1][x], -x))
        chosen = [0] * m
        for j in range(m - 1, -1, -1):
            chosen[j] = i
            i = back[j][i]
        pairs = [(first[chosen[j]], other[j]) for j in range(m)]
    for left, right in pairs:
        right.pair = left
        score = page_fit(left, right, settings)
        if score < settings.min_pair_fit and (right.page.words or right.page.h_edges):
            warnings.append(f"page {right.page.number}: its rows line up poorly with page "
                            f"{left.page.number} ({score:.0%} of its cells overlap a row there)")


# --------------------------------------------------------------------------- rows


def _data_lines(lay: PageLayout) -> list[Line]:
    if lay.header is None:
        return lay.lines
    return [line for line in lay.lines if line.top > lay.header.bottom]


def _data_blocks(lay: PageLayout, settings: TableSettings) -> dict[int, list[Block]]:
    return lines_to_column_blocks(lay.page, _data_lines(lay), lay.starts, settings)


def blocks_to_rows(lay: PageLayout, settings: TableSettings, warnings: list[str]) -> list[RowDraft]:
    """A row per cell of the first column; the other columns' cells join by vertical overlap."""
    blocks = _data_blocks(lay, settings)
    rows = [RowDraft(page=lay.page.number, name=b, top=b.top, bottom=b.bottom)
            for b in blocks.get(0, [])]
    for col, col_blocks in sorted(blocks.items()):
        if col == 0:
            continue
        role = lay.slice_roles[col]
        for b in col_blocks:
            row = _row_for(b, rows, settings)
            if row is None:
                warnings.append(f"page {lay.page.number}: {role} text {b.text!r} has no "
                                f"{lay.slice_roles[0]} cell in its row; ignored")
                continue
            row.cells.setdefault(role, []).append(b)
    for row in rows:
        row.top = min([row.top] + [b.top for bs in row.cells.values() for b in bs])
        row.bottom = max([row.bottom] + [b.bottom for bs in row.cells.values() for b in bs])
        only_first = not row.cells or not settings.group_only_first_column
        row.group = only_first and (row.name.bold or not settings.group_bold)
    _widen_to_rules(lay, rows)
    return rows


def _widen_to_rules(lay: PageLayout, rows: list[RowDraft]) -> None:
    # With ruling lines a row's extent is its band between two rules, so cells aligned
    # differently on another page of the band still overlap it.
    if not rows or len(lay.starts) < 1:
        return
    end = lay.starts[1] if len(lay.starts) > 1 else lay.page.width
    cuts = sorted({round(e.top, 1) for e in lay.page.h_edges
                   if overlap(e.x0, e.x1, lay.starts[0], end) > 0.5 * (end - lay.starts[0])})
    if not cuts:
        return
    for row in rows:
        above = [c for c in cuts if c <= row.name.top + 0.5]
        below = [c for c in cuts if c >= row.name.bottom - 0.5]
        if above:
            row.top = min(row.top, above[-1])
        if below:
            row.bottom = max(row.bottom, below[0])


def _row_for(block: Block, rows: Sequence[RowDraft], settings: TableSettings) -> RowDraft | None:
    """The row a cell belongs to: most vertical overlap, else the nearest within tolerance."""
    if not rows:
        return None
    best = max(rows, key=lambda r: (overlap(block.top, block.bottom, r.top, r.bottom), -r.top))
    if overlap(block.top, block.bottom, best.top, best.bottom) > 0:
        return best
    size = block.lines[0].size
    nearest = min(rows, key=lambda r: abs((r.top + r.bottom) / 2 - (block.top + block.bottom) / 2))
    gap = max(nearest.top - block.bottom, block.top - nearest.bottom)
    return nearest if gap <= settings.join_tolerance * size else None


def join_blocks_to_rows(lay: PageLayout, settings: TableSettings, warnings: list[str]) -> None:
    """Give a later slice's cells to the rows of its paired first-slice page, by overlap."""
    blocks = _data_blocks(lay, settings)
    if lay.pair is None:
        if any(blocks.values()):
            warnings.append(f"page {lay.page.number}: no first-column page to join its cells to; ignored")
        return
    rows = lay.pair.rows
    for col, col_blocks in sorted(blocks.items()):
        role = lay.slice_roles[col]
        for b in col_blocks:
            row = _row_for(b, rows, settings)
            if row is None:
                warnings.append(f"page {lay.page.number}: {role} text {b.text!r} matches no row of "
                                f"page {lay.pair.page.number}; ignored")
                continue
            if row.group:
                warnings.append(f"page {lay.page.number}: {role} text {b.text!r} is beside the group "
                                f"row {row.name.text!r} on page {lay.pair.page.number}; ignored")
                continue
            # A row pairs with one page per slice, so a column's text on two pages means two
            # slices claim one column: a page was put in the wrong table (a missed header).
            earlier = [x.page for x in row.cells.get(role, ()) if x.page != b.page]
            if earlier:
                warnings.append(f"page {lay.page.number}: {role} text {b.text!r} would join row "
                                f"{row.name.text!r} of page {lay.pair.page.number}, which already has "
                                f"{role} text from page {earlier[0]}; ignored")
                continue
            row.cells.setdefault(role, []).append(b)


def rows_to_table_rows(table: TablePages, first_pages: Sequence[PageLayout],
                       name_role: str) -> list[TableRow]:
    out: list[TableRow] = []
    group: str | None = None
    index = 0
    for lay in first_pages:
        for row in sorted(lay.rows, key=lambda r: r.name.top):
            if row.group:
                group = " ".join(line.text for line in row.name.lines)
                continue
            index += 1
            cells = {name_role: blocks_to_cell([row.name])}
            for role, blocks in row.cells.items():
                cells[role] = blocks_to_cell(blocks)
            out.append(TableRow(table=table.number, table_title=table.title, index=index,
                                group=group, cells=cells))
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


# --------------------------------------------------------------------------- title


def document_title(page: PageContent, lines: Sequence[Line], before: float | None,
                   settings: TableSettings) -> str:
    """The first line(s) of the first page: the lines above the table in the first line's font."""
    candidates = [line for line in lines if before is None or line.bottom <= before]
    if not candidates:
        return ""
    first = candidates[0]
    font = (first.words[0].fontname, first.size)
    picked = [first]
    for line in candidates[1:]:
        if (line.words[0].fontname, line.size) != font:
            break
        if line.top - picked[-1].bottom > settings.line_gap * line.size * 2:
            break
        picked.append(line)
    return " ".join(line.text for line in picked)


def area_from_title(title: str, settings: TableSettings) -> str | None:
    if not settings.area_pattern or not title:
        return None
    found = re.search(settings.area_pattern, title)
    return found.group("area") if found else None


# --------------------------------------------------------------------------- the whole table


@dataclass(frozen=True)
class TableResult:
    title: str
    area_name: str | None
    rows: tuple[TableRow, ...]
    warnings: tuple[str, ...]


def extract_tables(pdf: PdfContent, settings: TableSettings) -> TableResult:
    warnings: list[str] = []
    layouts: list[PageLayout] = []
    for page in pdf.pages:
        lines = words_to_lines(page.words, settings.line_centre_tolerance)
        lay = PageLayout(page=page, lines=lines)
        lay.header = find_header(page, lines, settings) if lines else None
        layouts.append(lay)
    tables = pages_to_tables(layouts, settings, warnings)
    first_page = layouts[0]
    header_top = first_page.header.top if first_page.header else None
    title = document_title(first_page.page, first_page.lines, header_top, settings)
    name_role = settings.columns[0].role
    rows: list[TableRow] = []
    for table in tables:
        slices = assign_slices(table, warnings)
        for lay in slices[0]:
            lay.rows = blocks_to_rows(lay, settings, warnings)
        for other in slices[1:]:
            pair_pages(slices[0], other, settings, warnings)
            for lay in other:
                join_blocks_to_rows(lay, settings, warnings)
        rows.extend(rows_to_table_rows(table, slices[0], name_role))
    return TableResult(title=title, area_name=area_from_title(title, settings), rows=tuple(rows),
                       warnings=tuple(warnings))
