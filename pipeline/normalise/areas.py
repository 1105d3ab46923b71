"""The employment area a document belongs to, from a name such as the document title
("Päijät-Hämeen työllisyysalueen palveluita koskeva liitetaulukko.") or the manifest's
publisher ("Päijät-Hämeen työllisyysalue").

No place is named in this code: the genitive -> nominative table is areas.yaml.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import yaml

from pipeline.model import EmploymentArea
from pipeline.normalise.text import DATA_DIR, collapse_whitespace, join_lines, slug


@lru_cache(maxsize=2)
def _table() -> dict[str, Any]:
    return yaml.safe_load((DATA_DIR / "areas.yaml").read_text(encoding="utf-8"))


def region_from_genitive(words: str) -> tuple[str, tuple[str, ...]]:
    """ "Päijät-Hämeen" -> "Päijät-Häme". Only the last word inflects ("Kuopion seudun" ->
    "Kuopion seutu"). A word not in areas.yaml loses its final "n", with a warning."""
    table: dict[str, str] = _table()["genitive_to_nominative"]
    *attributes, head = words.split(" ")
    if head in table:
        nominative, warnings = table[head], ()
    elif head.endswith("n"):
        nominative = head[:-1]
        warnings = (
            f"area name {words!r}: {head!r} is not in pipeline/normalise/areas.yaml; "
            f"read its nominative as {nominative!r} (add it to areas.yaml if that is wrong)",
        )
    else:
        nominative, warnings = head, (f"area name {words!r}: {head!r} is not a genitive; kept as is",)
    return " ".join([*attributes, nominative]), warnings


def find_area_name(text: str) -> str | None:
    """The place words before "työllisyysalue…" in a title or name, or None.

    The place is the capitalised word before the area word, with a lower-case word between
    them if any ("Kuopion seudun työllisyysalue").
    """
    word = re.escape(_table()["area_word"])
    one_line = join_lines(collapse_whitespace(text))
    found = re.search(rf"((?:\b[A-ZÅÄÖ][\w-]*\s)(?:[a-zåäö][\w-]*\s)?){word}", one_line)
    return found.group(1).strip() if found else None


def area_from_text(text: str) -> tuple[EmploymentArea, tuple[str, ...]] | None:
    """A title or name that names an employment area -> the area (+ warnings), else None."""
    place = find_area_name(text)
    if place is None:
        return None
    region, warnings = region_from_genitive(place)
    name = f"{place} {_table()['area_word']}"
    return EmploymentArea(id=slug(name), name=name, region=region), warnings
