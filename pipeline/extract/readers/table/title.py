"""The document's title (its first lines) and the employment area named in it."""

from __future__ import annotations

import re
from typing import Sequence

from pipeline.extract.readers.table.settings import TableSettings
from pipeline.extract.words import Line


def document_title(lines: Sequence[Line], before: float | None, settings: TableSettings) -> str:
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
