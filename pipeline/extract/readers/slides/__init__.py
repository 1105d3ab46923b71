"""The slides reader: a presentation exported to PDF -> `OutlineItem`s (headed bullet lists in
columns, read by position; outline.py), and items -> printed entries (entries.py); the
profile's slides part is settings.OutlineSettings.

`SlidesReader` is what the registry (readers/__init__.py) hands out as "slides".
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Mapping, Sequence

from pipeline.extract.pdf import PdfContent
from pipeline.extract.readers.base import VECTOR_MARK, Reading, Signals, signature_score, weigh
from pipeline.extract.readers.slides.entries import items_to_printed, outline_containers
from pipeline.extract.readers.slides.outline import read_slides
from pipeline.extract.readers.slides.settings import OutlineSettings, settings_from_profile
from pipeline.model import OutlineItem, PrintedEntry, Record

__all__ = ["OutlineSettings", "SlidesReader", "outline_containers"]


class SlidesReader:
    """Slide decks in any producer's geometry (registered as "slides")."""

    name = "slides"

    def settings(self, data: Mapping[str, Any], layout: str) -> OutlineSettings:
        return settings_from_profile(data, layout)

    def detect(self, signals: Signals, profile: Any) -> tuple[float, int, int]:
        return signature_score(signals, profile.detect_words, profile.min_hits, profile.settings.bullets,
                               profile.min_bullets, VECTOR_MARK)

    def read(self, content: PdfContent, settings: OutlineSettings) -> Reading:
        weighed = weigh(content, settings.bold_markers)
        pages = [replace(p, words=tuple(w for w in p.words if w.text.strip())) for p in weighed.pages]
        return read_slides(pages, settings)

    def printed_entries(self, records: Sequence[Record]) -> tuple[PrintedEntry, ...]:
        return items_to_printed(records)

    def describe(self, record: Record) -> str:
        """One line for `servicegraph extract`: slide, item, page, column box, headings, text."""
        assert isinstance(record, OutlineItem)
        path = " > ".join(" ".join(p.split()) for p in record.path)
        indent = "  " * (record.level - 1)
        column = f" [{' '.join(record.column.split())}]" if record.column else ""
        return (f"S{record.slide} #{record.index:>2} p{record.locations[0].page}{column} {path} :: "
                f"{indent}{' '.join(record.text.split())}")
