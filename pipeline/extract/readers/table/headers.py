"""A page's header row -> its columns: which role each is, where each starts, where data begins.

    page lines -> header_cell_matches    (word runs whose joined text says a column's wording)
               -> claim_cells            (one column per word; a run inside a longer cell is no header)
               -> header_band            (the topmost row of header cells; ends where data begins)
               -> title_cell / caption   (the table's title: the first header cell, or the line above)
               -> column_starts          (ruling lines between the cells, else each cell's left edge)

A header cell is found by its whole text, in any column order and any geometry: words read left
to right along a line, then on down the next line under it (a wrapped cell), compared with the
profile's wordings by `wording.matches_phrase`. When the header row cannot be read for certain,
`HeaderError` names why (a header cell no column's wording fits, a column headed twice).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Sequence

from pipeline.extract.pdf import Edge, PageContent
from pipeline.extract.readers.table.settings import TableSettings
from pipeline.extract.readers.table.wording import could_begin_phrase, matches_phrase, word_key
from pipeline.extract.words import Line, Word, overlap, words_to_lines

# A wrapped header cell holds at most this many printed words per wording word (two-part
# wrapped words, a stray mark) and never runs over more lines than this.
MAX_WORDS_PER_TOKEN = 2
MAX_CELL_LINES = 8


class HeaderError(Exception):
    """A header row that cannot be read for certain; the reason names the cause."""

    def __init__(self, page: int, reason: str):
        self.page = page
        self.reason = reason
        super().__init__(f"page {page}: {reason}")


@dataclass(frozen=True)
class HeaderCell:
    role: str
    words: tuple[Word, ...]

    @property
    def x0(self) -> float:
        return min(w.x0 for w in self.words)

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def size(self) -> float:
        return max(w.size for w in self.words)

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass(frozen=True)
class Header:
    """The header row of one page column ("slice") of a table, as found on a page."""

    page: int
    roles: tuple[str, ...]  # the slice's columns, left to right
    starts: tuple[float, ...]  # x where each column starts
    top: float
    bottom: float  # data rows begin below this
    title: str | None  # the table's title when this slice holds the table's first column
    cells: tuple[HeaderCell, ...]

    @property
    def has_title_column(self) -> bool:
        return self.title is not None


# --------------------------------------------------------------------------- matching


def _line_of(lines: Sequence[Line]) -> dict[int, tuple[int, int]]:
    return {id(w): (li, wi) for li, line in enumerate(lines) for wi, w in enumerate(line.words)}


def _next_line_starts(lines: Sequence[Line], li: int, x0: float, x1: float, bottom: float,
                      settings: TableSettings) -> list[tuple[int, int]]:
    """Where a cell spanning x0..x1 may continue on the line under `bottom`: on the nearest line
    with a word under the cell, that word (left-aligned text) or the first word of the run of
    close words it is in (centred text that starts further left)."""
    for lj in range(li + 1, len(lines)):
        line = lines[lj]
        if line.top - bottom > settings.line_gap * line.size:
            return []
        hits = [wi for wi, w in enumerate(line.words) if w.x1 > x0 and w.x0 < x1]
        if not hits:
            continue
        wi = hits[0]
        words = line.words
        starts = [(lj, wi)]
        while wi > 0 and words[wi].x0 - words[wi - 1].x1 <= settings.word_gap * words[wi].size:
            wi -= 1
            starts.append((lj, wi))
        return starts
    return []


def _cell_runs(lines: Sequence[Line], li: int, wi: int, phrase: tuple[str, ...],
               settings: TableSettings) -> Iterator[tuple[Word, ...]]:
    """Word runs starting at lines[li].words[wi] whose text says `phrase`."""
    limit = MAX_WORDS_PER_TOKEN * len(phrase) + 1

    def grow(seq: list[tuple[int, int]], breaks: list[bool]) -> Iterator[tuple[Word, ...]]:
        words = [lines[a].words[b] for a, b in seq]
        tokens = [word_key(w.text) for w in words]
        if not matches_phrase(tokens, breaks + [False], phrase, prefix=True):
            return
        if matches_phrase(tokens, breaks + [False], phrase):
            yield tuple(words)
        if len(seq) >= limit:
            return
        a, b = seq[-1]
        last = lines[a].words[b]
        if b + 1 < len(lines[a].words):
            nxt = lines[a].words[b + 1]
            if nxt.x0 - last.x1 <= 2 * settings.word_gap * nxt.size:
                yield from grow(seq + [(a, b + 1)], breaks + [False])
        if len({x for x, _ in seq}) < MAX_CELL_LINES:
            x0, x1 = min(w.x0 for w in words), max(w.x1 for w in words)
            on_line = [w for w in words if w.top >= last.top - 0.5]
            for below in _next_line_starts(lines, a, x0, x1, max(w.bottom for w in on_line), settings):
                yield from grow(seq + [below], breaks + [True])

    yield from grow([(li, wi)], [])


@dataclass(frozen=True)
class _Match:
    role: str
    words: tuple[Word, ...]
    tokens: int


def header_cell_matches(lines: Sequence[Line], settings: TableSettings) -> list[_Match]:
    """Every word run on the page whose text says some column's header wording."""
    found: list[_Match] = []
    seen: set[tuple[str, tuple[int, ...]]] = set()
    for li, line in enumerate(lines):
        for wi, w in enumerate(line.words):
            key = word_key(w.text)
            for spec in settings.columns:
                for phrase in spec.headers:
                    if not could_begin_phrase(key, phrase):
                        continue
                    for run in _cell_runs(lines, li, wi, phrase, settings):
                        ident = (spec.role, tuple(id(x) for x in run))
                        if ident not in seen:
                            seen.add(ident)
                            found.append(_Match(spec.role, run, len(phrase)))
    return found


def claim_cells(matches: Sequence[_Match], lines: Sequence[Line],
                settings: TableSettings) -> list[HeaderCell]:
    """Each word to at most one header cell, the fullest wording first; a run that other
    words continue on its own line (a data cell that begins like a header) is no header cell."""
    ordered = sorted(matches, key=lambda m: (-m.tokens, -len(m.words), min(w.top for w in m.words),
                                             min(w.x0 for w in m.words)))
    kept: list[_Match] = []
    claimed: set[int] = set()
    for m in ordered:
        ids = {id(w) for w in m.words}
        if ids & claimed:
            continue
        kept.append(m)
        claimed |= ids
    where = _line_of(lines)
    while True:
        claimed = {id(w) for m in kept for w in m.words}
        loose = [m for m in kept if _continued(m, lines, where, claimed, settings)]
        if not loose:
            break
        kept = [m for m in kept if m not in loose]
    return [HeaderCell(m.role, m.words) for m in kept]


def _continued(m: _Match, lines: Sequence[Line], where: dict[int, tuple[int, int]],
               claimed: set[int], settings: TableSettings) -> bool:
    ids = {id(w) for w in m.words}
    for w in m.words:
        li, wi = where[id(w)]
        words = lines[li].words
        for nb in (wi - 1, wi + 1):
            if 0 <= nb < len(words) and id(words[nb]) not in ids and id(words[nb]) not in claimed:
                other = words[nb]
                gap = other.x0 - w.x1 if nb > wi else w.x0 - other.x1
                if gap <= settings.word_gap * max(w.size, other.size):
                    return True
    return False


# --------------------------------------------------------------------------- the header row


def _separated(page: PageContent, upper: float, lower: float, x0: float, x1: float) -> bool:
    """A ruling line between two heights, under part of x0..x1."""
    return any(upper - 0.5 <= e.top <= lower + 0.5 and overlap(e.x0, e.x1, x0, x1) > 0
               for e in page.h_edges)


def header_band(cells: Sequence[HeaderCell], page: PageContent,
                settings: TableSettings) -> list[tuple[HeaderCell, ...]]:
    """Header cells grouped into rows, top to bottom: a row takes every cell that starts before
    the row's cells end (with the small gap of a wrapped line) and no ruling line between."""
    rows: list[list[HeaderCell]] = []
    for cell in sorted(cells, key=lambda c: (c.top, c.x0)):
        if rows:
            row = rows[-1]
            bottom = max(c.bottom for c in row)
            reach = bottom + settings.line_gap * cell.size
            if cell.top <= reach and not (cell.top > bottom
                                          and _separated(page, bottom, cell.top, cell.x0, cell.x1)):
                row.append(cell)
                continue
        rows.append([cell])
    return [tuple(sorted(r, key=lambda c: c.x0)) for r in rows]


def _enough(row: Sequence[HeaderCell], settings: TableSettings) -> bool:
    roles = {c.role for c in row}
    return len(roles) >= settings.min_columns or bool(roles & set(settings.unique_roles))


def find_header(page: PageContent, lines: Sequence[Line], settings: TableSettings) -> Header | None:
    """The header row on a page, found by its cells' wording (not by x), or None."""
    if not lines:
        return None
    cells = claim_cells(header_cell_matches(lines, settings), lines, settings)
    row = next((r for r in header_band(cells, page, settings) if _enough(r, settings)), None)
    if row is None:
        return None
    _check_roles(row, page.number, settings)
    top = min(c.top for c in row)
    bottom = max(c.bottom for c in row)
    title_words: tuple[Word, ...] = ()
    title: str | None = None
    first_x0 = row[0].x0
    if settings.columns[0].title:
        title_words = title_cell(lines, page, top, bottom, first_x0, settings)
        if title_words:
            title = _lines_text(title_words, settings)
            top = min(top, min(w.top for w in title_words))
            bottom = max(bottom, max(w.bottom for w in title_words))
    elif row[0].role == settings.name_role:
        title = caption(lines, top, settings)
    _check_unclaimed(lines, row, title_words, top, bottom, page.number, settings)
    roles = tuple(c.role for c in row)
    lefts: list[tuple[float, float]] = [(c.x0, c.x1) for c in row]
    if title_words:
        roles = (settings.name_role, *roles)
        x0 = min([w.x0 for w in title_words]
                 + [w.x0 for line in lines for w in line.words if w.top >= top and w.x1 <= first_x0])
        lefts.insert(0, (x0, max(w.x1 for w in title_words)))
    data = [line for line in lines if line.top > bottom]
    starts = column_starts(lefts, page.v_edges, top, bottom, data, settings)
    return Header(page=page.number, roles=roles, starts=starts, top=top, bottom=bottom, title=title,
                  cells=tuple(row))


def _check_roles(row: Sequence[HeaderCell], page: int, settings: TableSettings) -> None:
    keyed = [c for c in row if c.role == settings.name_role]
    if keyed and keyed[0] is not row[0]:
        # Rows are told apart by the key column's cells, read left of every other column.
        raise HeaderError(page, f"column order: the key column {settings.name_role!r} "
                                f"({keyed[0].text!r}) is not the leftmost ({row[0].text!r} is left of it)")
    seen: dict[str, HeaderCell] = {}
    for c in row:
        if c.role in seen:
            raise HeaderError(page, f"column order is ambiguous: column {c.role!r} is headed twice "
                                    f"in one header row ({seen[c.role].text!r} and {c.text!r})")
        seen[c.role] = c


def _check_unclaimed(lines: Sequence[Line], row: Sequence[HeaderCell], title_words: Sequence[Word],
                     top: float, bottom: float, page: int, settings: TableSettings) -> None:
    """Header-row text that no column's wording claims is a column the layout does not know:
    reading on would pour its cells into the column on its left."""
    claimed = {id(w) for c in row for w in c.words} | {id(w) for w in title_words}
    left = min(c.x0 for c in row) - settings.column_slack
    strays = [w for line in lines for w in line.words
              if w.top >= top - 0.5 and w.bottom <= bottom + 0.5 and w.x0 >= left and id(w) not in claimed]
    if strays:
        text = _lines_text(strays, settings)
        known = "; ".join(f"{spec.role}: " + " / ".join(spec.wordings)
                          for spec in settings.columns if spec.wordings)
        raise HeaderError(page, f"a missing column: the header row has a cell {text!r} that no "
                                f"column's wording in the layout profile fits ({known})")


def _lines_text(words: Sequence[Word], settings: TableSettings) -> str:
    return " ".join(line.text for line in words_to_lines(words, settings.line_centre_tolerance))


def title_cell(lines: Sequence[Line], page: PageContent, top: float, bottom: float, right: float,
               settings: TableSettings) -> tuple[Word, ...]:
    """The first header cell (the table's title): the text left of the first named column that
    begins inside the header row, with the lines that follow it closely in the same face."""
    pieces = [Line(tuple(w for w in line.words if w.x1 <= right)) for line in lines]
    pieces = [p for p in pieces if p.words]
    start = next((i for i, p in enumerate(pieces)
                  if overlap(p.top, p.bottom, top, bottom) > 0 and p.top >= top - p.size), None)
    if start is None:
        return ()
    picked = [pieces[start]]
    for piece in pieces[start + 1:]:
        prev = picked[-1]
        if piece.top - prev.bottom > settings.line_gap * piece.size or piece.bold != picked[0].bold:
            break
        if _separated(page, prev.bottom, piece.top, piece.x0, piece.x1):
            break
        picked.append(piece)
    return tuple(w for p in picked for w in p.words)


def caption(lines: Sequence[Line], top: float, settings: TableSettings) -> str:
    """The table's title printed above its header row: the closest lines above it."""
    above = [line for line in lines if line.bottom <= top + 0.5]
    if not above:
        return ""
    picked = [above[-1]]
    if top - picked[0].bottom > settings.caption_lines * picked[0].size:
        return ""
    for line in reversed(above[:-1]):
        if picked[0].top - line.bottom > settings.line_gap * line.size or line.size != picked[0].size:
            break
        picked.insert(0, line)
    return " ".join(line.text for line in picked)


def column_starts(cells: Sequence[tuple[float, float]], v_edges: Sequence[Edge], top: float,
                  bottom: float, data: Sequence[Line], settings: TableSettings) -> tuple[float, ...]:
    """Where each column starts: the ruling line between a header cell and the one on its left
    when the page has one; otherwise the left edge of the column's text: its header cell's left
    edge, or further left where data cells start a line between the two header cells (a header
    centred over its column, data left-aligned), less a little slack."""
    height = max(1.0, bottom - top)
    rules = sorted({round(e.x0, 1) for e in v_edges if overlap(e.top, e.bottom, top, bottom) >= 0.5 * height})
    run_starts = _run_starts(data, settings)
    starts: list[float] = []
    prev_x1 = float("-inf")
    for x0, x1 in cells:
        between = [x for x in rules if prev_x1 - 0.5 <= x <= x0 + 0.5]
        if between:
            starts.append(between[-1])
        else:
            earlier = [x for x in run_starts if prev_x1 < x < x0 - 0.5]
            starts.append(min([x0, *earlier]) - settings.column_slack)
        prev_x1 = x1
    return tuple(starts)


def _run_starts(lines: Sequence[Line], settings: TableSettings) -> list[float]:
    """x of every word that starts a run of text on its line (a cell's line starts there)."""
    out = []
    for line in lines:
        prev = None
        for w in line.words:
            if prev is None or w.x0 - prev.x1 > settings.word_gap * w.size:
                out.append(w.x0)
            prev = w
    return out
