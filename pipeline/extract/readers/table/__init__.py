"""The table reader: tables printed by any producer, in any page geometry -> `TableRow`s.

A spreadsheet, a word processor, a browser or a report generator prints a table; wider than the
paper, it may come in page columns ("slices"). Read by position, never by text order, as a
chain of functions that each return new values and the warnings they have (pdfplumber's
table.py is the model):

    pages   -> headers.find_header        (header cells by wording -> column roles, starts, band)
            -> slices.pages_to_tables     (a table begins at the header holding its first column)
            -> slices.assign_slices       (each page's page column, from headers and page order)
            -> rows.blocks_to_rows        (a row per first-column cell; group rows)
            -> slices.pair_pages          (each later-slice page with the page it continues)
            -> rows.join_blocks_to_rows   (the other slices' cells by vertical overlap)
            -> rows.rows_to_table_rows    (TableRow with cells and provenance)

The profile's table part is `settings.TableSettings` (`settings.settings_from_profile`); header
wording is compared by `wording.matches_phrase`; `entries.rows_to_printed` turns rows into
printed entries for normalisation. `TableReader` is what the registry (readers/__init__.py)
hands out. docs/layouts.md says how to add a wording or a column order.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from pipeline.extract.readers.table.headers import Header, HeaderError, find_header
from pipeline.extract.readers.table.reader import TableResult, extract_tables
from pipeline.extract.pdf import PdfContent
from pipeline.extract.readers.base import Reading, ReadError, Signals, signature_score, weigh
from pipeline.extract.readers.table.entries import rows_to_printed
from pipeline.extract.readers.table.settings import TableProfileError, TableSettings, settings_from_profile
from pipeline.extract.readers.table.slices import ColumnOrderError
from pipeline.extract.readers.table.title import area_from_title, document_title

from pipeline.model import PrintedEntry, Record, TableRow

__all__ = ["ColumnOrderError", "Header", "HeaderError", "TableProfileError", "TableReader", "TableResult",
           "TableSettings", "area_from_title", "document_title", "extract_tables", "find_header"]


class TableReader:
    """Tables in any producer's geometry (registered as "table")."""

    name = "table"

    def settings(self, data: Mapping[str, Any], layout: str) -> TableSettings:
        return settings_from_profile(data)

    def detect(self, signals: Signals, profile: Any) -> tuple[float, int, int]:
        return signature_score(signals, profile.detect_words, profile.min_hits)

    def read(self, content: PdfContent, settings: TableSettings) -> Reading:
        try:
            result = extract_tables(weigh(content, settings.bold_markers), settings)
        except (HeaderError, ColumnOrderError) as exc:
            raise ReadError(exc.reason, exc.page) from None
        if not result.rows:
            raise ReadError("no table rows found (no header row with the profile's header words)")
        return Reading(title=result.title, area_name=result.area_name, records=result.rows,
                       warnings=result.warnings)

    def printed_entries(self, records: Sequence[Record]) -> tuple[PrintedEntry, ...]:
        return rows_to_printed(records)


    def describe(self, record: Record) -> str:
        """One line for `servicegraph extract`: table, row, first page, group, cells."""
        assert isinstance(record, TableRow)
        first = min(loc.page for cell in record.cells.values() for loc in cell.locations)
        cells = " | ".join(f"{role}={' '.join(cell.text.split())}" for role, cell in record.cells.items())
        group = f" [{record.group}]" if record.group else ""
        return f"T{record.table} #{record.index:>2} p{first}{group} {cells}"
