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

The profile's table part is `settings.TableSettings`; header wording is compared by
`wording.matches_phrase`. docs/layouts.md says how to add a wording or a column order.
"""

from pipeline.extract.table.headers import Header, HeaderError, find_header
from pipeline.extract.table.reader import TableResult, extract_tables
from pipeline.extract.table.settings import TableProfileError, TableSettings
from pipeline.extract.table.slices import ColumnOrderError
from pipeline.extract.table.title import area_from_title, document_title

__all__ = ["ColumnOrderError", "Header", "HeaderError", "TableProfileError", "TableResult",
           "TableSettings", "area_from_title", "document_title", "extract_tables", "find_header"]
