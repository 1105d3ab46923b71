"""One employment area's pages, built from its shard graph on the worker that built the shard.

    id/organisation/{area}.html        the area's index: every service, its TEM areas and audiences
    id/service/{area}/{service}.html   a service: facts, each audience's entries side by side, provenance
    id/entry/{source}.html             every entry of a source, its cells and print locations
    id/entry/{source}/{entry}-p{n}.png the crop of page n where the entry is printed, boxes highlighted
    id/source/…, agent/…, event/…, location/…   one page per resource, every fact listed

The area's summary (AreaSite) is what the release-wide pages need: the services and the
concepts they point at, and the files with their digests, so assembly never reads a graph.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from pipeline.publish.site import crops, render
from pipeline.publish.site.links import Linker
from pipeline.publish.site.paths import DATA_DIR, page_for_iri, relative_href
from pipeline.publish.site.resources import (Labels, Section, Value, facts, local_name, page_turtle, pick, section,
                                             value)


@dataclass(frozen=True)
class ServiceSummary:
    iri: str
    title: str
    page: str
    concepts: tuple[str, ...]  # definition IRIs the service points at (TEM area, audience, type)


@dataclass(frozen=True)
class AreaSite:
    """What an area contributed to site/: enough for the release-wide pages and for assembly.

    Not the list of its files (128k at N = 1,000, and read at every release): the folders and
    pages they lie under (`roots`, e.g. `id/service/{area}`, `id/entry/{source}.html`), which no
    other area writes, their number and a digest of their names and contents.
    """

    area_id: str
    name: str
    page: str  # the area's index page (its organisation's page)
    services: tuple[ServiceSummary, ...]
    roots: tuple[str, ...]
    files: int
    digest: str

    def to_json(self) -> dict:
        return asdict(self)

    @staticmethod
    def from_json(data: dict) -> "AreaSite":
        services = tuple(ServiceSummary(s["iri"], s["title"], s["page"], tuple(s["concepts"])) for s in data["services"])
        if isinstance(data["files"], dict):  # a summary written before roots (releases of 2026-12-04)
            files = data["files"]
            return AreaSite(data["area_id"], data["name"], data["page"], services,
                            tuple(sorted({page_root(f) for f in files})), len(files), files_digest(files))
        return AreaSite(data["area_id"], data["name"], data["page"], services, tuple(data["roots"]), int(data["files"]),
                        data["digest"])


# The first segments of a page's path that belong to one area: an area's own folder
# (id/service/{area}/…) or a source's (id/entry/{source}/…), or the page itself (id/source/{source}.html).
ROOT_DEPTH = 3


def page_root(page: str) -> str:
    return "/".join(page.split("/")[:ROOT_DEPTH])


def files_digest(files: dict[str, str]) -> str:
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(f"{name}\0{files[name]}\n".encode())
    return h.hexdigest()


@dataclass(frozen=True)
class Vocabulary:
    """The terms of the ontology this module needs, at the run's definitions base."""

    sg: str

    def __call__(self, name: str) -> URIRef:
        return URIRef(self.sg + name)


CPSV_SERVICE = URIRef("http://purl.org/vocab/cpsv#PublicService")
CV_CLASSIFIED = URIRef("http://data.europa.eu/m8g/isClassifiedBy")
PROV_DERIVED = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
SPDX_CHECKSUM_VALUE = URIRef("http://spdx.org/rdf/terms#checksumValue")
SPDX_CHECKSUM = URIRef("http://spdx.org/rdf/terms#checksum")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def pdfs_in_folder(graph: Graph, folder: Path, sg: str) -> dict[str, Path]:
    """Source identifier -> PDF in `folder`, for sources whose file there has the published digest."""
    found = {}
    for source in graph.subjects(RDF.type, URIRef(sg + "SourceDocument")):
        name, ident = graph.value(source, URIRef(sg + "fileName")), graph.value(source, DCTERMS.identifier)
        checksum = graph.value(source, SPDX_CHECKSUM)
        digest = graph.value(checksum, SPDX_CHECKSUM_VALUE) if checksum is not None else None
        path = folder / str(name) if name is not None else None
        if path is None or ident is None or not path.is_file():
            continue
        if digest is not None and hashlib.sha256(path.read_bytes()).hexdigest() != str(digest):
            continue
        found[str(ident)] = path
    return found


class _Builder:
    def __init__(self, graph: Graph, definitions: Graph, pdfs: dict[str, Path], base: str, def_base: str, out: Path,
                 crop_cache: Path | None = None):
        self.graph, self.definitions, self.pdfs, self.out = graph, definitions, pdfs, out
        self.sg = Vocabulary(def_base + "ontology#")
        self.base, self.def_base = base, def_base
        self.labels = Labels((graph, definitions), (self.sg("printedName"),))  # an entry by its printed name
        self.files: dict[str, str] = {}
        self.by_page: dict[str, list[URIRef]] = defaultdict(list)
        for subject in sorted({s for s in graph.subjects() if isinstance(s, URIRef)}, key=str):
            found = page_for_iri(str(subject), base, def_base)
            if found is not None and found[0].startswith(DATA_DIR + "/"):
                self.by_page[found[0]].append(subject)
        pages = set(self.by_page) | definition_pages(definitions, base, def_base)
        self.linker = Linker(base, def_base, pages)
        self.renderers: dict[str, crops.PageRenderer] = {}
        self.crop_cache = crops.CropCache(crop_cache)
        self.crops: dict[URIRef, list[dict]] = {}

    # ------------------------------------------------------------------ output

    def emit(self, page: str, data: bytes) -> None:
        render.write(self.out, page, data)
        self.files[page] = _digest(data)

    def turtle(self, subjects: list[URIRef]) -> str:
        return page_turtle(self.graph, subjects, self.def_base)

    def main_subject(self, page: str) -> URIRef:
        subjects = self.by_page[page]
        for s in subjects:
            if not page_for_iri(str(s), self.base, self.def_base)[1]:
                return s
        return subjects[0]

    def common(self, page: str, subject: URIRef, title: str) -> dict:
        org = self.graph.value(None, RDF.type, URIRef("http://data.europa.eu/m8g/PublicOrganisation"))
        crumbs = []
        if org is not None and subject != org:
            crumbs.append(Value(self.labels.label(org), self.linker.href(page, org)))
        return {"title": title, "iri": str(subject), "crumbs": crumbs, "turtle": self.turtle(self.by_page[page])}

    # ------------------------------------------------------------------ crops

    def entry_crops(self, entry: URIRef) -> list[dict]:
        """The entry's crops (one per page it is printed on), written once, shared by pages."""
        if entry in self.crops:
            return self.crops[entry]
        page_path, fragment = page_for_iri(str(entry), self.base, self.def_base)
        boxes: dict[int, list[crops.Box]] = defaultdict(list)
        for location in self.graph.objects(entry, self.sg("printedAt")):
            number, bbox = self.graph.value(location, self.sg("page")), self.graph.value(location, self.sg("bbox"))
            if number is not None and bbox is not None:
                boxes[int(number)].append(crops.Box.parse(str(bbox)))
        source = self.graph.value(entry, PROV_DERIVED)
        ident = self.graph.value(source, DCTERMS.identifier) if source is not None else None
        pdf = self.pdfs.get(str(ident)) if ident is not None else None
        checksum = self.graph.value(source, SPDX_CHECKSUM) if source is not None else None
        digest = self.graph.value(checksum, SPDX_CHECKSUM_VALUE) if checksum is not None else None
        made = []
        if pdf is not None:
            for number in sorted(boxes):
                ordered = sorted(boxes[number], key=lambda b: (b.top, b.x0))
                # The published checksum is the PDF's sha256 (checked when the sources are read).
                key = self.crop_cache.key(str(digest), number, ordered) if digest is not None else None
                cached = self.crop_cache.get(key) if key is not None else None
                if cached is None:
                    renderer = self.renderers.setdefault(str(pdf), crops.PageRenderer(pdf))
                    result = crops.crop_png(renderer, number, ordered)
                    if result is None:
                        continue
                    cached = crops.CachedCrop(result[0], result[1].width, result[1].height)
                    if key is not None:
                        self.crop_cache.put(key, cached.png)
                image = f"{page_path[:-len('.html')]}/{fragment}-p{number}.png"
                self.emit(image, cached.png)
                made.append({"image": image, "page": number, "width": cached.width, "height": cached.height,
                             "boxes": len(boxes[number])})
        self.crops[entry] = made
        return made

    def crop_views(self, page: str, entry: URIRef, name: str) -> list[dict]:
        views = []
        for c in self.entry_crops(entry):
            plural = "box" if c["boxes"] == 1 else "boxes"
            views.append({
                "href": relative_href(page, c["image"]), "width": c["width"], "height": c["height"],
                "alt": f"Page {c['page']} of the source PDF where “{name}” is printed, {c['boxes']} {plural} highlighted",
                "caption": f"Page {c['page']}: where the entry is printed ({c['boxes']} {plural} highlighted)",
            })
        return views

    # ------------------------------------------------------------------ pages

    def build(self) -> None:
        for page in sorted(self.by_page):
            kind = page.split("/")[1]
            subject = self.main_subject(page)
            if kind == "service" and (subject, RDF.type, CPSV_SERVICE) in self.graph:
                self.service_page(page, subject)
            elif kind == "entry":
                self.entries_page(page)
            elif kind == "organisation":
                self.area_page(page, subject)
            else:
                self.resource_page(page, subject)
        for renderer in self.renderers.values():
            renderer.close()

    def incoming(self, page: str, subjects: list[URIRef]) -> list[Value]:
        seen = {}
        for s in subjects:
            for referrer in self.graph.subjects(None, s):
                found = self.linker.page(referrer)
                if found is None or found[0] == page or not isinstance(referrer, URIRef):
                    continue
                v = value(referrer, page, self.labels, self.linker)
                seen[v.href] = v
        return sorted(seen.values(), key=lambda v: (v.text.casefold(), v.href))

    def resource_page(self, page: str, subject: URIRef) -> None:
        subjects = [subject] + [s for s in self.by_page[page] if s != subject]
        sections = [section(self.graph, s, page, self.labels, self.linker) for s in subjects]
        self.emit(page, render.render("resource.html", page, sections=sections,
                                      incoming=self.incoming(page, subjects),
                                      **self.common(page, subject, sections[0].title)))

    def area_page(self, page: str, org: URIRef) -> None:
        subjects = [org] + [s for s in self.by_page[page] if s != org]
        sections = [section(self.graph, s, page, self.labels, self.linker) for s in subjects]
        services = []
        for svc in self.graph.subjects(RDF.type, CPSV_SERVICE):
            services.append({
                "title": self.labels.label(svc), "href": self.linker.href(page, svc),
                "tem": sorted((value(c, page, self.labels, self.linker) for c in self.graph.objects(svc, CV_CLASSIFIED)),
                              key=lambda v: v.iri),
                "audiences": sorted((value(c, page, self.labels, self.linker) for c in self.graph.objects(svc, DCTERMS.audience)),
                                    key=lambda v: v.iri),
            })
        services.sort(key=lambda s: (s["title"].casefold(), s["href"]))
        others = [v for v in self.incoming(page, subjects) if not v.iri.startswith(self.base + "service/")]
        for p in sorted(self.by_page):
            kind = p.split("/")[1]
            if kind in ("source", "entry", "agent", "event", "location") and p != page:
                s = self.main_subject(p)
                text = self.labels.label(s) if kind != "entry" else f"Entries of {self.labels.label(self.source_of_entries(p))}"
                others.append(Value(text, relative_href(page, p), "", str(s)))
        others = sorted({v.href: v for v in others}.values(), key=lambda v: (v.text.casefold(), v.href))
        self.emit(page, render.render("area.html", page, sections=sections, services=services, others=others,
                                      **{**self.common(page, org, sections[0].title), "crumbs": []}))

    def source_of_entries(self, page: str) -> URIRef:
        for s in self.by_page[page]:
            source = self.graph.value(s, PROV_DERIVED)
            if source is not None:
                return source
        return self.by_page[page][0]

    def entries_page(self, page: str) -> None:
        sg, graph = self.sg, self.graph
        subjects = self.by_page[page]
        entries = [s for s in subjects if (s, RDF.type, sg("Entry")) in graph]
        views = []
        for entry in entries:
            printed = pick(graph.objects(entry, sg("printedName")))
            name = str(printed) if printed is not None else self.labels.label(entry)
            sec = section(graph, entry, page, self.labels, self.linker, frozenset({DCTERMS.identifier}))
            views.append({"section": Section(sec.iri, sec.anchor, name, sec.types, sec.facts),
                          "crops": self.crop_views(page, entry, name), **self.entry_parts(page, entry, subjects)})
        source = self.source_of_entries(page)
        context = self.common(page, subjects[0], f"Entries of {self.labels.label(source)}")
        context["iri"] = ""  # a list of entries has no IRI of its own: each entry shows its own
        context["turtle"] = ""  # ~1 MB per source: the IRIs and the area's Turtle file carry it
        self.emit(page, render.render("entries.html", page, entries=views, source_href=self.linker.href(page, source),
                                      source_title=self.labels.label(source), **context))

    def anchor(self, iri: URIRef) -> str:
        return page_for_iri(str(iri), self.base, self.def_base)[1]

    def entry_parts(self, page: str, entry: URIRef, subjects: list[URIRef]) -> dict:
        """An entry's cells with their print locations, its participations, and any other part,
        as compact rows (each with the anchor its IRI's fragment names)."""
        sg, graph = self.sg, self.graph
        prefix = str(entry) + "/"
        parts = [s for s in subjects if str(s).startswith(prefix)]
        cells, participations, shown = [], [], set()
        for cell in (s for s in parts if (s, RDF.type, sg("PrintedCell")) in graph):
            location = graph.value(cell, sg("printedAt"))
            shown |= {cell, location}
            cells.append({"anchor": self.anchor(cell), "role": str(graph.value(cell, sg("columnRole")) or ""),
                          "text": str(graph.value(cell, URIRef("http://www.w3.org/ns/prov#value")) or ""),
                          **self.location_row(location)})
        for location in (s for s in parts if (s, RDF.type, sg("PrintLocation")) in graph and s not in shown):
            shown.add(location)
            cells.append({"anchor": self.anchor(location), "role": "", "text": "", **self.location_row(location)})
            cells[-1]["location_anchor"] = ""
        cells.sort(key=lambda c: (c["page"], c["anchor"]))
        participant = URIRef("http://data.europa.eu/m8g/hasParticipant")
        role = URIRef("http://data.europa.eu/m8g/role")
        for p in (s for s in parts if (s, RDF.type, URIRef("http://data.europa.eu/m8g/Participation")) in graph):
            shown.add(p)
            text = pick(list(graph.objects(p, DCTERMS.description)) + list(graph.objects(p, DCTERMS.title)))
            participations.append({
                "anchor": self.anchor(p), "text": str(text) if text is not None else local_name(str(p)),
                "participant": [value(o, page, self.labels, self.linker) for o in sorted(graph.objects(p, participant), key=str)],
                "role": [value(o, page, self.labels, self.linker)
                         for o in sorted(list(graph.objects(p, role)) + list(graph.objects(p, DCTERMS.type)), key=str)],
            })
        others = [section(graph, s, page, self.labels, self.linker) for s in parts if s not in shown]
        return {"cells": cells, "participations": participations, "parts": others}

    def location_row(self, location: URIRef | None) -> dict:
        if location is None:
            return {"page": "", "bbox": "", "location_anchor": ""}
        number = self.graph.value(location, self.sg("page"))
        return {"page": str(number) if number is not None else "", "bbox": str(self.graph.value(location, self.sg("bbox")) or ""),
                "location_anchor": self.anchor(location)}

    def service_page(self, page: str, svc: URIRef) -> None:
        sg, graph = self.sg, self.graph
        service = section(graph, svc, page, self.labels, self.linker)
        entries = sorted(graph.objects(svc, sg("hasEntry")), key=str)
        structural = {RDF.type, sg("printedAt"), sg("printedCell"), sg("entryOf"), DCTERMS.identifier, DCTERMS.audience}
        groups: dict[str, dict] = {}
        for entry in entries:
            audiences = sorted(graph.objects(entry, DCTERMS.audience), key=str) or [None]
            for audience in audiences:
                key = str(audience) if audience is not None else ""
                group = groups.setdefault(key, {
                    "key": local_name(key) if key else "none",
                    "label": self.labels.label(audience) if audience is not None else "(no audience stated)",
                    "href": self.linker.href(page, audience) if audience is not None else "",
                    "entries": []})
                group["entries"].append(entry)
        ordered = [groups[k] for k in sorted(groups)]
        rows: dict[URIRef, dict] = {}
        columns = [e for g in ordered for e in g["entries"]]
        for col, entry in enumerate(columns):
            for fact in facts(graph, entry, page, self.labels, self.linker, frozenset(structural)):
                row = rows.setdefault(URIRef(fact.iri), {"label": fact.label, "href": fact.href, "iri": fact.iri,
                                                         "cells": [() for _ in columns]})
                row["cells"][col] = fact.values
        for group in ordered:
            views = []
            for entry in group["entries"]:
                source = graph.value(entry, PROV_DERIVED)
                printed = pick(graph.objects(entry, sg("printedName")))
                name = str(printed) if printed is not None else self.labels.label(entry)
                pages = sorted({int(graph.value(loc, sg("page"))) for loc in graph.objects(entry, sg("printedAt"))
                                if graph.value(loc, sg("page")) is not None})
                if not pages and graph.value(entry, sg("page")) is not None:
                    pages = [int(graph.value(entry, sg("page")))]
                file = graph.value(source, sg("fileName")) if source is not None else None
                views.append({
                    "href": self.linker.href(page, entry), "printed": name,
                    "source": str(file) if file is not None else self.labels.label(source),
                    "source_title": self.labels.label(source) if source is not None else "",
                    "source_href": self.linker.href(page, source) if source is not None else "",
                    "file": str(file) if file is not None else "",
                    "pages": ", ".join(str(p) for p in pages),
                    "crops": self.crop_views(page, entry, name),
                })
            group["entries"] = views
        row_list = sorted(rows.values(), key=lambda r: (r["label"].casefold(), r["iri"]))
        self.emit(page, render.render("service.html", page, service=service, audiences=ordered, rows=row_list,
                                      **self.common(page, svc, service.title)))

    # ------------------------------------------------------------------ summary

    def summary(self, area_id: str) -> AreaSite:
        org = self.graph.value(None, RDF.type, URIRef("http://data.europa.eu/m8g/PublicOrganisation"))
        services = []
        for svc in sorted(self.graph.subjects(RDF.type, CPSV_SERVICE), key=str):
            concepts = sorted({str(o) for o in self.graph.objects(svc) if isinstance(o, URIRef)
                               and str(o).startswith(self.def_base)})
            services.append(ServiceSummary(str(svc), self.labels.label(svc), self.linker.page(svc)[0], tuple(concepts)))
        services.sort(key=lambda s: s.iri)
        page = self.linker.page(org)[0] if org is not None else ""
        name = self.labels.label(org) if org is not None else area_id
        return AreaSite(area_id, name, page if page in self.files else "", tuple(services),
                        tuple(sorted({page_root(f) for f in self.files})), len(self.files), files_digest(self.files))


def definition_pages(definitions: Graph, base: str, def_base: str) -> set[str]:
    """The pages the release writes for the ontology and the concept schemes (see assemble.py)."""
    pages = set()
    for subject in set(definitions.subjects()):
        if isinstance(subject, URIRef):
            found = page_for_iri(str(subject), base, def_base)
            if found is not None and not found[0].startswith(DATA_DIR + "/"):
                pages.add(found[0])
    return pages


def build_area_site(graph: Graph, definitions: Graph, pdfs: dict[str, Path], *, area_id: str, base: str,
                    def_base: str, out: Path, crop_cache: Path | None = None) -> AreaSite:
    """Write one area's pages and crops under `out` (a folder laid out like site/); crops are
    kept in, and taken from, `crop_cache` (crops.CropCache)."""
    builder = _Builder(graph, definitions, pdfs, base, def_base, out, crop_cache)
    builder.build()
    return builder.summary(area_id)
