"""Hand-written expected records (the YAML files next to this module) -> pipeline.model values.

The extraction tests compare their output with these; the normalise tests feed them to
`normalise` as if extraction had produced them. Locations are placeholders: every row or item
gets page `page_of(...)` (default: table rows page 1, slide items their slide) and a box from
its position. Texts keep their "\\n" where the YAML has one; nothing else is invented.

    from expected.loader import load_document, TABLE_FILE, SLIDES_FILE
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import yaml

from pipeline.model import BBox, Cell, ExtractedDocument, Location, OutlineItem, Source, TableRow

HERE = Path(__file__).resolve().parent
TABLE_FILE = HERE / "002_liitetaulukko.yaml"
SLIDES_FILE = HERE / "000_palveluluokittelu.yaml"
SERVICES_FILE = HERE / "services.yaml"
ROW_KEYS = frozenset({"index", "group"})  # every other key of a row is a column role
PLACEHOLDER_SHA256 = "0" * 64
DEFAULT_BULLET = "\uf076"  # the glyph of the seed text; only its presence is compared

PageOf = Callable[[int, int], int]  # (table or slide number, 1-based index) -> page


def read_yaml(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _source(data: dict[str, Any], publisher: str | None) -> Source:
    return Source(
        id=data["source"],
        path=Path("raw") / f"{data['source']}.pdf",
        sha256=PLACEHOLDER_SHA256,
        title=data["title"],
        publisher=publisher,
        layout=data["layout"],
    )


def _box(index: int) -> BBox:
    return BBox(40.0, 40.0 + 20.0 * index, 400.0, 58.0 + 20.0 * index)


def expected_rows(data: dict[str, Any], page_of: PageOf | None = None) -> tuple[TableRow, ...]:
    page_of = page_of or (lambda table, index: 1)
    rows = []
    for table in data["tables"]:
        for row in table["rows"]:
            loc = (Location(page_of(table["table"], row["index"]), _box(row["index"])),)
            cells = {role: Cell(str(text), loc) for role, text in row.items() if role not in ROW_KEYS}
            rows.append(TableRow(table["table"], table["title"], row["index"], row.get("group"), cells))
    return tuple(rows)


def expected_items(data: dict[str, Any], page_of: PageOf | None = None) -> tuple[OutlineItem, ...]:
    page_of = page_of or (lambda slide, index: slide)
    items = []
    for slide in data["slides"]:
        for index, item in enumerate(slide["items"], start=1):
            items.append(
                OutlineItem(
                    slide=slide["slide"],
                    slide_title=slide["title"],
                    path=tuple(item.get("path") or ()),
                    level=int(item["level"]),
                    text=str(item["text"]),
                    bullet=DEFAULT_BULLET if item.get("bullet", True) else None,
                    index=index,
                    locations=(Location(page_of(slide["slide"], index), _box(index)),),
                    column=item.get("column"),
                )
            )
    return tuple(items)


def load_document(
    path: Path, page_of: PageOf | None = None, publisher: str | None = None
) -> ExtractedDocument:
    """One expected YAML file -> the ExtractedDocument extraction should produce for it."""
    data = read_yaml(path)
    rows = expected_rows(data, page_of) if "tables" in data else ()
    items = expected_items(data, page_of) if "slides" in data else ()
    pages = max((loc.page for r in rows for c in r.cells.values() for loc in c.locations), default=0)
    pages = max([pages, *(loc.page for it in items for loc in it.locations)])
    return ExtractedDocument(
        source=_source(data, publisher),
        layout=data["layout"],
        title=data["title"],
        area_name=data.get("area_name"),
        pages=pages,
        reader=data.get("reader") or ("table" if rows else "slides"),
        records=rows or items,
    )


def all_texts() -> list[str]:
    """Every text of both expected documents (for checks such as "each alias occurs")."""
    texts: list[str] = []
    for path in (TABLE_FILE, SLIDES_FILE):
        data = read_yaml(path)
        texts.append(data["title"])
        for table in data.get("tables", ()):
            texts.append(table["title"])
            for row in table["rows"]:
                texts += [str(v) for k, v in row.items() if k != "index" and v is not None]
        for slide in data.get("slides", ()):
            texts.append(slide["title"])
            for item in slide["items"]:
                texts += [str(item["text"]), *item.get("path", ()), *([item["column"]] if item.get("column") else [])]
    return texts
