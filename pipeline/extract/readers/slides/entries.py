"""Outline items -> printed entries: an item that only groups the deeper items after it is no
entry but their parent; an item's slide title, headings and column box are the labels it sits
under (which entry field each fills is the profile's role table)."""

from __future__ import annotations

from typing import Sequence

from pipeline.model import Cell, OutlineItem, PrintedEntry, Record


def outline_containers(items: Sequence[OutlineItem]) -> set[int]:
    """Positions (in `items`) of items that only group the deeper items right after them."""
    return {
        i
        for i, item in enumerate(items)
        if i + 1 < len(items)
        and items[i + 1].slide == item.slide
        and items[i + 1].level > item.level
    }


def parent_of(items: Sequence[OutlineItem], i: int) -> OutlineItem | None:
    level = items[i].level
    for j in range(i - 1, -1, -1):
        if items[j].slide != items[i].slide:
            return None
        if items[j].level < level:
            return items[j]
    return None


def item_to_printed(item: OutlineItem, parent: OutlineItem | None) -> PrintedEntry:
    cells = {"text": Cell(item.text, tuple(sorted(set(item.locations))))}
    if item.column:
        cells["column"] = Cell(item.column, ())  # a box heading: its place is the column's
    return PrintedEntry(
        container=f"slide {item.slide}",
        item=f"item {item.index}",
        place=f"s{item.slide}",
        cells=cells,
        labels={"title": (item.slide_title,), "headings": item.path,
                "column": (item.column,) if item.column else ()},
        headings=item.path,
        parent=parent.text if parent is not None else None,
        outline=True,
    )


def items_to_printed(records: Sequence[Record]) -> tuple[PrintedEntry, ...]:
    items = tuple(sorted((r for r in records if isinstance(r, OutlineItem)), key=lambda it: (it.slide, it.index)))
    containers = outline_containers(items)
    return tuple(item_to_printed(item, parent_of(items, i))
                 for i, item in enumerate(items) if i not in containers)
