"""A third reader, the worked example of docs/layouts.md: a one-column service list.

The document: a title line, then service names one per line, under bold headings that say the
audience. Everything the reader needs is in this folder (the code and profiles/one-column-list.yaml);
tests/test_reader_registry.py registers it with one line and runs it through extract ->
normalise -> map.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from pipeline.extract.pdf import PdfContent
from pipeline.extract.readers.base import (Reading, ReadError, Signals, flatten, settings_from,
                                           signature_score, weigh)
from pipeline.extract.words import Line, words_to_lines
from pipeline.model import Cell, Location, PrintedEntry, Record


@dataclass(frozen=True)
class ListSettings:
    """Named defaults, written once; the profile may change any of them (geometry: ...)."""

    line_centre_tolerance: float = 0.35
    bold_markers: tuple[str, ...] = ("Bold",)
    # The title is the first line when it is at least this much larger than the list (x size).
    title_scale: float = 1.2


@dataclass(frozen=True)
class ListItem(Record):
    """One service line: its text, the bold heading above it, where it was printed."""

    index: int
    text: str
    heading: str | None
    locations: tuple[Location, ...] = field(default=())


# ------------------------------------------------------------------ the chain, each step pure


def pages_to_lines(content: PdfContent, settings: ListSettings) -> tuple[Line, ...]:
    """Every printed line of every page, top to bottom, page by page."""
    return tuple(line for page in content.pages
                 for line in words_to_lines(page.words, settings.line_centre_tolerance))


def split_title(lines: Sequence[Line], settings: ListSettings) -> tuple[str, tuple[Line, ...]]:
    """The title line (clearly larger than what follows) and the rest."""
    if len(lines) > 1 and lines[0].size >= settings.title_scale * max(l.size for l in lines[1:]):
        return lines[0].text, tuple(lines[1:])
    return "", tuple(lines)


def lines_to_items(lines: Sequence[Line]) -> tuple[tuple[ListItem, ...], tuple[str, ...]]:
    """A bold line is the heading of the lines below it; every other line is an item."""
    items: list[ListItem] = []
    warnings: list[str] = []
    heading: str | None = None
    for line in lines:
        if line.bold:
            heading = line.text
            continue
        if heading is None:
            warnings.append(f"page {line.page}: {line.text!r} has no heading above it")
        items.append(ListItem(index=len(items) + 1, text=line.text, heading=heading,
                              locations=(Location(line.page, line.bbox.rounded(1)),)))
    return tuple(items), tuple(warnings)


class ListReader:
    name = "list"

    def settings(self, data: Mapping[str, Any], layout: str) -> ListSettings:
        return settings_from(ListSettings, flatten(data, {"geometry": {}}))

    def detect(self, signals: Signals, profile: Any) -> tuple[float, int, int]:
        return signature_score(signals, profile.detect_words, profile.min_hits)

    def read(self, content: PdfContent, settings: ListSettings) -> Reading:
        title, rest = split_title(pages_to_lines(weigh(content, settings.bold_markers), settings), settings)
        items, warnings = lines_to_items(rest)
        if not items:
            raise ReadError("no list lines found")
        return Reading(title=title, area_name=None, records=items, warnings=warnings)

    def printed_entries(self, records: Sequence[Record]) -> tuple[PrintedEntry, ...]:
        return tuple(
            PrintedEntry(container="list", item=f"line {r.index}", place="l",
                         cells={"text": Cell(r.text, r.locations)},
                         labels={"heading": (r.heading,) if r.heading else ()},
                         headings=(r.heading,) if r.heading else ())
            for r in records if isinstance(r, ListItem))

    def describe(self, record: Record) -> str:
        assert isinstance(record, ListItem)
        return f"L #{record.index:>2} p{record.locations[0].page} [{record.heading}] {record.text}"
