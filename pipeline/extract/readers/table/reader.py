"""A PDF's pages -> the rows of every table in it (the chain, end to end)."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.extract.pdf import PdfContent
from pipeline.extract.readers.table.headers import find_header
from pipeline.extract.readers.table.rows import (blocks_to_rows, join_blocks_to_rows, page_fit,
                                         rows_to_table_rows)
from pipeline.extract.readers.table.settings import TableSettings
from pipeline.extract.readers.table.slices import PageRead, assign_slices, pages_to_tables, pair_pages
from pipeline.extract.readers.table.title import area_from_title, document_title
from pipeline.extract.words import words_to_lines
from pipeline.model import TableRow


@dataclass(frozen=True)
class TableResult:
    title: str
    area_name: str | None
    rows: tuple[TableRow, ...]
    warnings: tuple[str, ...]


def read_pages(pdf: PdfContent, settings: TableSettings) -> tuple[PageRead, ...]:
    out = []
    for page in pdf.pages:
        lines = tuple(words_to_lines(page.words, settings.line_centre_tolerance))
        out.append(PageRead(page, lines, find_header(page, lines, settings)))
    return tuple(out)


def extract_tables(pdf: PdfContent, settings: TableSettings) -> TableResult:
    """Raises headers.HeaderError or slices.ColumnOrderError when the columns cannot be told."""
    pages = read_pages(pdf, settings)
    tables, warnings = pages_to_tables(pages)
    all_warnings = list(warnings)
    first = pages[0]
    title = document_title(first.lines, first.header.top if first.header else None, settings)
    rows: list[TableRow] = []
    for table in tables:
        slices = assign_slices(table)
        left_rows = []
        for sp in slices[0]:
            drafts, found = blocks_to_rows(sp, settings)
            left_rows.append(drafts)
            all_warnings.extend(found)
        for other in slices[1:]:
            pairs, found = pair_pages(slices[0], other,
                                      lambda i, sp: page_fit(slices[0][i], left_rows[i], sp, settings),
                                      settings)
            all_warnings.extend(found)
            for i, sp in pairs:
                joined, found = join_blocks_to_rows(sp, None if i is None else slices[0][i].page.number,
                                                    () if i is None else left_rows[i], settings)
                if i is not None:
                    left_rows[i] = joined
                all_warnings.extend(found)
        rows.extend(rows_to_table_rows(table.number, table.title, left_rows, settings.name_role))
    return TableResult(title=title, area_name=area_from_title(title, settings), rows=tuple(rows),
                       warnings=tuple(all_warnings))
