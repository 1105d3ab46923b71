"""Extracted documents -> the catalogue: one `Entry` per table row or outline item, merged
into canonical `Service`s per employment area.

An entry keeps its own source, audience and facts; a service is only the set of entries
that name it. Facts that disagree between entries stay side by side on their entries:
nothing here merges, picks or drops a value. See docs/normalisation.md.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from pipeline.errors import NormalisationError
from pipeline.model import (
    Catalogue,
    EmploymentArea,
    Entry,
    ExtractedDocument,
    Location,
    OutlineItem,
    Service,
    SourceDocument,
    TableRow,
)
from pipeline.normalise.areas import area_from_text
from pipeline.normalise.text import canonical_name, clean_label, collapse_whitespace, join_lines, slug
from pipeline.normalise.values import (
    Where,
    audience_of,
    container_label,
    customer_process_of,
    delivery_level_of,
    parse_mark,
    parse_producers,
    parse_service_type,
    parse_tem_area,
)

ID_SEPARATOR = "--"  # never inside a slug, so the parts of an entry id stay readable
MARK_ROLES = ("shared", "immigrant", "multiprofessional")


@dataclass(frozen=True)
class _Draft:
    """An entry before it knows its final id (duplicates get a suffix) and its service."""

    entry: Entry
    name: str  # canonical name


# --------------------------------------------------------------------------- areas


def resolve_area(
    doc: ExtractedDocument, publisher_override: dict[str, str] | None = None
) -> tuple[EmploymentArea, tuple[str, ...]]:
    """Which employment area publishes `doc`: the run's override, else the manifest's
    publisher, else what the document itself names (extracted area, then its title)."""
    path = str(doc.source.path)
    stated = (publisher_override or {}).get(doc.source.id) or doc.source.publisher
    read = next(
        (found for text in (doc.area_name, doc.title) if text and (found := area_from_text(text))),
        None,
    )
    if stated:
        found = area_from_text(stated)
        if found is None:
            raise NormalisationError(
                path, f"publisher {stated!r} does not name an employment area (…työllisyysalue)"
            )
        area, name_warnings = found
        place = Where(path, None, f"publisher {stated!r} (sources manifest)")
        warnings = tuple(place.warning(w) for w in name_warnings)
        if read is not None and read[0].id != area.id:
            warnings += (
                f"{path}: the document names {read[0].name!r} but its publisher is {area.name!r}; "
                "using the publisher",
            )
        return area, warnings
    if read is None:
        raise NormalisationError(
            path,
            "the document names no employment area; set `publisher` for it in the sources manifest",
        )
    # The area is named in the document's title (or the table's title line): its first page.
    area, name_warnings = read
    place = Where(path, 1, "document title")
    return area, tuple(place.warning(w) for w in name_warnings)


def document_warnings(doc: ExtractedDocument) -> tuple[str, ...]:
    """The extractor's warnings about `doc`, each naming its file (they name page and text)."""
    path = str(doc.source.path)
    return tuple(w if w.startswith(f"{path}: ") else f"{path}: {w}" for w in doc.warnings)


def table_audience_warnings(doc: ExtractedDocument) -> tuple[str, ...]:
    """One warning per table whose title names no audience in vocab.yaml: without it, its
    rows are published with no audience (unless their group row names one)."""
    path = str(doc.source.path)
    warnings = []
    for number in sorted({row.table for row in doc.rows}):
        rows = [row for row in doc.rows if row.table == number]
        title = rows[0].table_title
        if audience_of([title]) is not None:
            continue
        pages = [loc.page for row in rows for cell in row.cells.values() for loc in cell.locations]
        without = sum(1 for row in rows if audience_of([title, *([row.group] if row.group else [])]) is None)
        warnings.append(Where(path, min(pages, default=None), f"table {number} title").warning(
            f"{collapse_whitespace(title)!r} names no audience in pipeline/normalise/vocab.yaml (audiences); "
            f"{without} of its {len(rows)} rows are published without one"))
    return tuple(warnings)


# --------------------------------------------------------------------------- table rows


def _locations(*groups: tuple[Location, ...]) -> tuple[Location, ...]:
    return tuple(sorted({loc for group in groups for loc in group}))


def entry_from_row(doc: ExtractedDocument, row: TableRow) -> tuple[_Draft, tuple[str, ...]]:
    path = str(doc.source.path)
    name_cell = row.cells.get("name")
    page = min((loc.page for c in row.cells.values() for loc in c.locations), default=None)
    if name_cell is None or not join_lines(name_cell.text):
        raise Where(path, page, f"table {row.table} row {row.index}").error("the row has no service name")
    name = canonical_name(name_cell.text)
    if not any(c.isalnum() for c in name):
        raise Where(path, page, f"table {row.table} row {row.index}").error(f"no letters in the name {name_cell.text!r}")

    def where(role: str) -> Where:
        cell = row.cells[role]
        cell_page = min((loc.page for loc in cell.locations), default=page)
        return Where(path, cell_page, f"table {row.table} row {row.index} ({name}), column {role}")

    facts: dict[str, object] = {}
    warnings: tuple[str, ...] = ()
    if "type" in row.cells:
        facts["service_type"] = parse_service_type(row.cells["type"].text, where("type"))
    if "producers" in row.cells:
        facts["producers"], warnings = parse_producers(row.cells["producers"].text, where("producers"))
    if "tem_area" in row.cells:
        facts["tem_area"] = parse_tem_area(row.cells["tem_area"].text, where("tem_area"))
    for role in MARK_ROLES:
        if role in row.cells:
            facts[role] = parse_mark(row.cells[role].text, where(role))

    group = clean_label(row.group) if row.group else None
    parts = [f"t{row.table}", *([slug(group)] if group else []), slug(name)]
    entry = Entry(
        id=ID_SEPARATOR.join(parts),
        source_id=doc.source.id,
        service_id=slug(name),
        name_as_printed=join_lines(name_cell.text),
        locations=_locations(*(c.locations for c in row.cells.values())),
        raw={role: cell.text for role, cell in sorted(row.cells.items())},
        cell_locations={role: cell.locations for role, cell in sorted(row.cells.items())},
        audience=audience_of([row.table_title, *([row.group] if row.group else [])]),
        group=group,
        **facts,  # type: ignore[arg-type]
    )
    return _Draft(entry, name), warnings


# --------------------------------------------------------------------------- outline items


def outline_containers(items: tuple[OutlineItem, ...]) -> set[int]:
    """Positions (in `items`) of items that only group the deeper items right after them."""
    return {
        i
        for i, item in enumerate(items)
        if i + 1 < len(items)
        and items[i + 1].slide == item.slide
        and items[i + 1].level > item.level
    }


def _parent_of(items: tuple[OutlineItem, ...], i: int) -> OutlineItem | None:
    level = items[i].level
    for j in range(i - 1, -1, -1):
        if items[j].slide != items[i].slide:
            return None
        if items[j].level < level:
            return items[j]
    return None


def entry_from_item(doc: ExtractedDocument, item: OutlineItem, parent: OutlineItem | None) -> _Draft:
    path = str(doc.source.path)
    if not join_lines(item.text):
        page = item.locations[0].page if item.locations else None
        raise Where(path, page, f"slide {item.slide} item {item.index}").error("empty outline item")
    name = canonical_name(item.text)
    if not any(c.isalnum() for c in name):
        raise Where(path, item.locations[0].page if item.locations else None, f"slide {item.slide} item {item.index}").error(
            f"no letters in the item {item.text!r}"
        )
    headings = [clean_label(h) for h in item.path]
    parent_label = container_label(parent.text) if parent is not None else None
    id_parts = [f"s{item.slide}", *(slug(h) for h in headings if any(c.isalnum() for c in h)), *([slug(parent_label)] if parent_label else []), slug(name)]
    # Most specific last: slide title < headings (outermost first) < the slide-1 column box.
    level_labels = [item.slide_title, *item.path, *([item.column] if item.column else [])]
    raw = {"text": item.text, **({"column": item.column} if item.column else {})}
    entry = Entry(
        id=ID_SEPARATOR.join(id_parts),
        source_id=doc.source.id,
        service_id=slug(name),
        name_as_printed=join_lines(item.text),
        locations=_locations(item.locations),
        raw=raw,
        cell_locations={"text": _locations(item.locations)},
        audience=audience_of(item.path),
        group=parent_label or (headings[-1] if headings else None),
        delivery_level=delivery_level_of(level_labels),
        customer_process=customer_process_of(item.path),
        path=(*headings, *([parent_label] if parent_label else []), clean_label(item.text)),
    )
    return _Draft(entry, name)


def entries_from_items(doc: ExtractedDocument) -> list[_Draft]:
    items = tuple(sorted(doc.items, key=lambda it: (it.slide, it.index)))
    containers = outline_containers(items)
    return [
        entry_from_item(doc, item, _parent_of(items, i))
        for i, item in enumerate(items)
        if i not in containers
    ]


# --------------------------------------------------------------------------- documents -> catalogue


def _unique_ids(drafts: list[_Draft], source_id: str) -> tuple[list[_Draft], tuple[str, ...]]:
    """Two entries of one source with the same id (same name under the same headings) get
    "-2", "-3" in reading order, with a warning: the document repeats itself."""
    seen: dict[str, int] = defaultdict(int)
    out, warnings = [], []
    for draft in drafts:
        # Keyed on the IRI form: iris.entry_iri slugs the id again, folding "--" into "-".
        key = slug(draft.entry.id)
        seen[key] += 1
        n = seen[key]
        if n > 1:
            warnings.append(f"{source_id}: {draft.entry.id!r} printed {n} times under the same headings")
            draft = _Draft(replace(draft.entry, id=f"{draft.entry.id}-{n}"), draft.name)
        out.append(draft)
    return out, tuple(warnings)


def document_entries(doc: ExtractedDocument) -> tuple[list[_Draft], tuple[str, ...]]:
    """Every service row and every service item of one document, as drafts."""
    drafts: list[_Draft] = []
    warnings: tuple[str, ...] = ()
    for row in sorted(doc.rows, key=lambda r: (r.table, r.index)):
        draft, row_warnings = entry_from_row(doc, row)
        drafts.append(draft)
        warnings += row_warnings
    drafts.extend(entries_from_items(doc))
    drafts, id_warnings = _unique_ids(drafts, doc.source.id)
    return drafts, document_warnings(doc) + table_audience_warnings(doc) + warnings + id_warnings


def normalise(
    docs: list[ExtractedDocument], publisher_override: dict[str, str] | None = None
) -> Catalogue:
    """Typed, canonical catalogue of every document; deterministic whatever the input order."""
    areas: dict[str, EmploymentArea] = {}
    sources: list[SourceDocument] = []
    by_service: dict[tuple[str, str], list[_Draft]] = defaultdict(list)
    warnings: list[str] = []
    for doc in sorted(docs, key=lambda d: d.source.id):
        area, area_warnings = resolve_area(doc, publisher_override)
        warnings += area_warnings
        if area.id in areas and areas[area.id] != area:
            warnings.append(f"{doc.source.path}: area {area.id!r} read differently: {areas[area.id]} vs {area}")
        areas.setdefault(area.id, area)
        sources.append(SourceDocument(doc.source, doc.layout, doc.title, doc.pages, area.id))
        drafts, doc_warnings = document_entries(doc)
        warnings += doc_warnings
        for draft in drafts:
            by_service[(area.id, draft.entry.service_id)].append(draft)

    services = []
    for (area_id, service_id), drafts in sorted(by_service.items()):
        names = sorted({d.name for d in drafts})
        if len(names) > 1:
            # Same slug, different spelling (case, punctuation): one service, reported.
            warnings.append(f"service {area_id}/{service_id} printed as {names}; named {names[0]!r}")
        entries = tuple(sorted((d.entry for d in drafts), key=lambda e: (e.source_id, e.id)))
        services.append(Service(id=service_id, area_id=area_id, name=names[0], entries=entries))
    return Catalogue(
        areas=tuple(sorted(areas.values(), key=lambda a: a.id)),
        sources=tuple(sources),
        services=tuple(services),
        warnings=tuple(warnings),
    )
