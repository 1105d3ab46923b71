"""Extracted documents -> the catalogue: one `Entry` per record that names a service (a table
row, an outline item), merged into canonical `Service`s per employment area. The document's
reader turns its records into `PrintedEntry`s; the profile's role table (`entries:`) says which
cell fills which entry field and which labels say the audience, so nothing here names a column.

An entry keeps its own source, audience and facts; a service is only the set of entries
that name it. Facts that disagree between entries stay side by side on their entries:
nothing here merges, picks or drops a value. See docs/normalisation.md.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Callable, Sequence

from pipeline.errors import NormalisationError
from pipeline.extract.layout import RoleTable, load_profiles, profile_by_id
from pipeline.extract.readers import get as get_reader
from pipeline.model import (
    Catalogue,
    EmploymentArea,
    Entry,
    ExtractedDocument,
    Location,
    PrintedEntry,
    Service,
    SourceDocument,
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


def unnamed_label_warnings(doc: ExtractedDocument, printed: Sequence[PrintedEntry],
                           roles: RoleTable) -> tuple[str, ...]:
    """One warning per container whose labels the role table says must name a value (a table
    title its audience) and do not: without it, its entries are published without one (unless
    a closer label names it)."""
    path = str(doc.source.path)
    warnings = []
    for field_name, kind in sorted(roles.warn_unnamed.items()):
        parse = LABEL_PARSERS[field_name]
        by_container: dict[str, list[PrintedEntry]] = defaultdict(list)
        for entry in printed:
            by_container[entry.container].append(entry)
        for container, entries in by_container.items():
            title = entries[0].labels.get(kind, ())
            if not title or parse(title) is not None:
                continue
            pages = [loc.page for e in entries for cell in e.cells.values() for loc in cell.locations]
            without = sum(1 for e in entries if parse(_labels(e, roles, field_name)) is None)
            noun = entries[0].item.split()[0]
            warnings.append(Where(path, min(pages, default=None), f"{container} {kind}").warning(
                f"{collapse_whitespace(' '.join(title))!r} names no {field_name} in pipeline/normalise/vocab.yaml "
                f"({field_name}s); {without} of its {len(entries)} {noun}s are published without one"))
    return tuple(warnings)


# --------------------------------------------------------------------------- printed entries

# Entry fields read from one cell, in the order they are parsed (the first bad cell is the error).
def _single(parse: Callable[[str, Where], object]) -> Callable[[str, Where], tuple[object, tuple[str, ...]]]:
    return lambda text, where: (parse(text, where), ())


CELL_PARSERS: dict[str, Callable[[str, Where], tuple[object, tuple[str, ...]]]] = {
    "service_type": _single(parse_service_type),
    "producers": parse_producers,
    "tem_area": _single(parse_tem_area),
    "shared": _single(parse_mark),
    "immigrant": _single(parse_mark),
    "multiprofessional": _single(parse_mark),
}
# Entry fields read from the labels a record sits under (innermost label that names one wins).
LABEL_PARSERS: dict[str, Callable[[Sequence[str]], object]] = {
    "audience": audience_of,
    "delivery_level": delivery_level_of,
    "customer_process": customer_process_of,
}


def _locations(*groups: tuple[Location, ...]) -> tuple[Location, ...]:
    return tuple(sorted({loc for group in groups for loc in group}))


def _labels(printed: PrintedEntry, roles: RoleTable, field_name: str) -> list[str]:
    return [label for kind in roles.labels.get(field_name, ()) for label in printed.labels.get(kind, ())]


def entry_from_printed(doc: ExtractedDocument, printed: PrintedEntry,
                       roles: RoleTable) -> tuple[_Draft, tuple[str, ...]]:
    """One entry, its cells typed by the parser of the entry field the role table gives them."""
    path = str(doc.source.path)
    cells = printed.cells
    page = min((loc.page for c in cells.values() for loc in c.locations), default=None)
    name_cell = cells.get(roles.fields["name"])
    if name_cell is None or not join_lines(name_cell.text):
        raise Where(path, page, printed.what).error("no service name")
    name = canonical_name(name_cell.text)
    if not any(c.isalnum() for c in name):
        raise Where(path, page, printed.what).error(f"no letters in the name {name_cell.text!r}")

    def where(field: str) -> Where:
        cell_page = min((loc.page for loc in cells[field].locations), default=page)
        return Where(path, cell_page, f"{printed.what} ({name}), column {field}")

    facts: dict[str, object] = {}
    warnings: tuple[str, ...] = ()
    for entry_field, parse in CELL_PARSERS.items():
        field = roles.fields.get(entry_field)
        if field in cells:
            facts[entry_field], found = parse(cells[field].text, where(field))
            warnings += found
    for entry_field, parse_labels in LABEL_PARSERS.items():
        if entry_field in roles.labels:
            facts[entry_field] = parse_labels(_labels(printed, roles, entry_field))

    headings = [clean_label(h) for h in printed.headings]
    parent_label = container_label(printed.parent) if printed.parent is not None else None
    id_parts = [printed.place, *(slug(h) for h in headings if any(c.isalnum() for c in h)),
                *([slug(parent_label)] if parent_label else []), slug(name)]
    path_labels = (*headings, *([parent_label] if parent_label else []), clean_label(name_cell.text))
    entry = Entry(
        id=ID_SEPARATOR.join(id_parts),
        source_id=doc.source.id,
        service_id=slug(name),
        name_as_printed=join_lines(name_cell.text),
        locations=_locations(*(c.locations for c in cells.values())),
        raw={field: cell.text for field, cell in sorted(cells.items())},
        cell_locations={field: cell.locations for field, cell in sorted(cells.items()) if cell.locations},
        group=parent_label or (headings[-1] if headings else None),
        path=path_labels if printed.outline else (),
        **facts,  # type: ignore[arg-type]
    )
    return _Draft(entry, name), warnings


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
    """Every record of one document that names a service, as drafts: the document's reader
    turns its records into printed entries; its profile's role table types them."""
    profile = profile_by_id(doc.layout, load_profiles(), doc.source.path)
    printed = get_reader(doc.reader or profile.reader).printed_entries(doc.records)
    drafts: list[_Draft] = []
    warnings: tuple[str, ...] = ()
    for entry in printed:
        draft, found = entry_from_printed(doc, entry, profile.entries)
        drafts.append(draft)
        warnings += found
    drafts, id_warnings = _unique_ids(drafts, doc.source.id)
    return drafts, (document_warnings(doc) + unnamed_label_warnings(doc, printed, profile.entries)
                    + warnings + id_warnings)


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
