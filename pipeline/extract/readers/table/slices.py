"""Pages with headers -> tables -> each page's slice (page column) -> page pairs.

An office program prints a sheet wider than the paper in page columns ("slices"): the first
columns on some pages, the rest on others, either "down, then over" (every page of the first
slice, then every page of the next) or "over, then down" (the slices of each band of rows side
by side). The header row is printed once, on the first page of each slice.

    pages   -> pages_to_tables  (a table begins at a header that holds its first column)
    table   -> assign_slices    (each page's slice, from the headers and the page order)
    slices  -> pair_pages       (each later-slice page with the first-slice page it continues)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from pipeline.extract.pdf import PageContent
from pipeline.extract.readers.table.headers import Header
from pipeline.extract.readers.table.settings import TableSettings
from pipeline.extract.words import Line


@dataclass(frozen=True)
class PageRead:
    """A page's printed lines and the header row on it, if any."""

    page: PageContent
    lines: tuple[Line, ...]
    header: Header | None


@dataclass(frozen=True)
class SlicePage:
    """A page of a table with the columns of its slice."""

    page: PageContent
    lines: tuple[Line, ...]
    header: Header | None
    roles: tuple[str, ...]
    starts: tuple[float, ...]


@dataclass(frozen=True)
class TablePages:
    number: int
    title: str
    pages: tuple[PageRead, ...]


class ColumnOrderError(Exception):
    """Two page columns of one table claim the same column."""

    def __init__(self, page: int, reason: str):
        self.page = page
        self.reason = reason
        super().__init__(f"page {page}: {reason}")


def pages_to_tables(pages: Sequence[PageRead]) -> tuple[tuple[TablePages, ...], tuple[str, ...]]:
    """Split the document into tables: each begins on a page whose header holds the title column.

    A header repeated on a later page of the same table (same title) continues that table.
    """
    warnings: list[str] = []
    tables: list[list[PageRead]] = []
    titles: list[str] = []
    for pr in pages:
        h = pr.header
        if h is not None and h.has_title_column and (not titles or h.title != titles[-1]
                                                     or _slice_seen_since_title(tables[-1])):
            tables.append([pr])
            titles.append(h.title or "")
        elif tables:
            tables[-1].append(pr)
        elif pr.page.words and pr.page.number != 1:
            warnings.append(f"page {pr.page.number}: text before the first table header is ignored")
    return (tuple(TablePages(i, t, tuple(p)) for i, (t, p) in enumerate(zip(titles, tables), start=1)),
            tuple(warnings))


def _slice_seen_since_title(pages: list[PageRead]) -> bool:
    # A second title header after another slice's header means a new table with an equal title.
    return any(p.header is not None and not p.header.has_title_column for p in pages)


def assign_slices(table: TablePages) -> tuple[tuple[SlicePage, ...], ...]:
    """Every page of a table with its slice; the pages of each slice, in order.

    The slice of a page without a header follows from the page order: "over, then down"
    when the slices' first pages come one after another and the pages cycle through the
    slices; "down, then over" (each slice's pages in one run) otherwise.
    """
    pages = list(table.pages)
    firsts: list[tuple[int, Header]] = []
    seen: set[tuple[str, ...]] = set()
    for pos, pr in enumerate(pages):
        if pr.header is not None and pr.header.roles not in seen:
            seen.add(pr.header.roles)
            firsts.append((pos, pr.header))
    _check_slices([h for _, h in firsts])
    k = len(firsts)
    over_then_down = (k > 1 and [pos for pos, _ in firsts] == list(range(k)) and len(pages) > k
                      and len(pages) % k == 0
                      and all(pr.header is None or pr.header.roles == firsts[i % k][1].roles
                              for i, pr in enumerate(pages)))
    slices: list[list[SlicePage]] = [[] for _ in range(k)]
    for pos, pr in enumerate(pages):
        s = pos % k if over_then_down else max(i for i, (p, _) in enumerate(firsts) if p <= pos)
        header = firsts[s][1]
        slices[s].append(SlicePage(pr.page, pr.lines, pr.header, header.roles, header.starts))
    return tuple(tuple(s) for s in slices)


def _check_slices(headers: Sequence[Header]) -> None:
    owner: dict[str, Header] = {}
    for h in headers:
        for role in h.roles:
            if role in owner and owner[role].page != h.page:
                raise ColumnOrderError(h.page, f"column order: column {role!r} is headed on page "
                                               f"{owner[role].page} and again on page {h.page} "
                                               "in another page column of the same table")
            owner[role] = h


def pair_pages(first: Sequence[SlicePage], other: Sequence[SlicePage],
               fit: Callable[[int, SlicePage], float],
               settings: TableSettings) -> tuple[tuple[tuple[int | None, SlicePage], ...], tuple[str, ...]]:
    """Each page of a later slice with the index of the first-slice page whose rows it continues.

    Equal counts pair in order. When a slice has fewer pages (an office program leaves out a
    page with nothing on it), the order-keeping pairing with the best row fit is chosen;
    `fit(i, page)` says how well `page` lines up with the rows of `first[i]` (0..1).
    """
    warnings: list[str] = []
    n, m = len(first), len(other)
    extra = tuple((None, sp) for sp in other[n:])
    for sp in other[n:]:
        warnings.append(f"page {sp.page.number}: no first-column page left to pair it with; "
                        "its cells are ignored")
    other = other[:n]
    m = len(other)
    if m == n:
        chosen = list(range(m))
    else:
        score = [[fit(i, other[j]) for i in range(n)] for j in range(m)]
        # best[j][i]: best total fit pairing other[:j+1] with first[:i+1], other[j] -> first[i]
        neg = float("-inf")
        best = [[neg] * n for _ in range(m)]
        back = [[-1] * n for _ in range(m)]
        for i in range(n):
            best[0][i] = score[0][i] + (1.0 if i == 0 else 0.0)  # header pages pair with each other
        for j in range(1, m):
            running, arg = neg, -1
            for i in range(n):
                if i > 0 and best[j - 1][i - 1] > running:
                    running, arg = best[j - 1][i - 1], i - 1
                if running > neg:
                    best[j][i], back[j][i] = running + score[j][i], arg
        i = max(range(n), key=lambda x: (best[m - 1][x], -x))
        chosen = [0] * m
        for j in range(m - 1, -1, -1):
            chosen[j] = i
            i = back[j][i]
    pairs: list[tuple[int | None, SlicePage]] = []
    for j, sp in enumerate(other):
        i = chosen[j]
        pairs.append((i, sp))
        quality = fit(i, sp)
        if quality < settings.min_pair_fit and (sp.page.words or sp.page.h_edges):
            warnings.append(f"page {sp.page.number}: its rows line up poorly with page "
                            f"{first[i].page.number} ({quality:.0%} of its cells overlap a row there)")
    return (*pairs, *extra), tuple(warnings)
