"""Table rows -> printed entries: a row's cells as they are; its table's title and its group
row are the labels it sits under (which entry field each fills is the profile's role table)."""

from __future__ import annotations

from typing import Sequence

from pipeline.model import PrintedEntry, Record, TableRow


def rows_to_printed(records: Sequence[Record]) -> tuple[PrintedEntry, ...]:
    rows = sorted((r for r in records if isinstance(r, TableRow)), key=lambda r: (r.table, r.index))
    return tuple(
        PrintedEntry(
            container=f"table {row.table}",
            item=f"row {row.index}",
            place=f"t{row.table}",
            cells=dict(row.cells),
            labels={"title": (row.table_title,), "group": (row.group,) if row.group else ()},
            headings=(row.group,) if row.group else (),
        )
        for row in rows
    )
