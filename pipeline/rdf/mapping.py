"""Catalogue -> rdflib Graph, following docs/rdf-model.md.

A service is a cpsv:PublicService carrying the union of what its entries say; each entry is an
sg:Entry carrying its own (per-audience) facts and provenance. Concept values are looked up in
the concept schemes (ontology/schemes/*.ttl) by the enum values of pipeline.model, so an unknown
value fails with the scheme file named. The ontology and the concept schemes are added to the
graph: every class a sh:class constraint points at is then typed inside the published data.
No blank nodes: every resource gets an IRI from pipeline.rdf.iris.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from typing import Callable

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS as DCT
from rdflib.namespace import FOAF, PROV, RDF, SKOS, XSD

from pipeline.config import Settings
from pipeline.errors import PipelineError
from pipeline.model import Catalogue, EmploymentArea, Entry, Producer, Service, SourceDocument, TemArea, TemAreaKind
from pipeline.rdf import iris
from pipeline.rdf.concepts import ConceptSchemes, load_concept_schemes, load_ontology
from pipeline.rdf.namespaces import BIBO, CPSV, CV, SPDX, bind_prefixes, sg_namespace

TEM = "tem-service-area"
# Groups of a source become events when a concept of one of these schemes has the group's text
# as a label; the scheme decides the CPSV-AP class.
EVENT_SCHEMES = (("business-event", CV.BusinessEvent), ("life-event", CV.LifeEvent))
EMPLOYMENT_AREA_ROLE = "employment-area"


class MappingError(PipelineError):
    """The catalogue is inconsistent (a service names an area or source it does not contain)."""


@dataclass(frozen=True)
class _Ctx:
    base: str
    sg: Namespace
    schemes: ConceptSchemes
    areas: dict[str, EmploymentArea]
    sources: dict[str, SourceDocument]

    def concept(self, scheme: str, concept_id: str) -> URIRef:
        return self.schemes.iri(scheme, concept_id)

    def label(self, scheme: str, concept_id: str) -> str:
        return self.schemes.label(scheme, concept_id, "fi")


def definitions_graph(settings: Settings) -> Graph:
    """The ontology and the concept schemes: what every shard refers to, published once."""
    return _definitions(settings.ontology_dir, settings.def_iri)


@lru_cache(maxsize=4)
def _definitions(ontology_dir, def_iri: str) -> Graph:
    from dataclasses import replace

    settings = replace(Settings(), ontology_dir=ontology_dir, def_iri=def_iri)
    graph = Graph()
    graph += load_ontology(settings)
    graph += load_concept_schemes(settings).graph
    return graph


def catalogue_to_graph(catalogue: Catalogue, settings: Settings) -> Graph:
    schemes = load_concept_schemes(settings)
    ctx = _Ctx(
        base=settings.base_iri,
        sg=sg_namespace(settings.def_iri),
        schemes=schemes,
        areas={a.id: a for a in catalogue.areas},
        sources={s.source.id: s for s in catalogue.sources},
    )
    graph = bind_prefixes(Graph(), settings.def_iri, settings.base_iri)
    graph += load_ontology(settings)
    graph += schemes.graph
    for area in catalogue.areas:
        _add_area(graph, ctx, area)
    for source in catalogue.sources:
        _add_source(graph, ctx, source)
    for service in catalogue.services:
        _add_service(graph, ctx, service)
    return graph


# --------------------------------------------------------------------------- areas and sources


def _add_area(g: Graph, ctx: _Ctx, area: EmploymentArea) -> None:
    org = iris.organisation_iri(ctx.base, area.id)
    where = iris.location_iri(ctx.base, area.id)
    g.add((org, RDF.type, CV.PublicOrganisation))
    g.add((org, DCT.identifier, Literal(iris.slug(area.id))))
    g.add((org, SKOS.prefLabel, Literal(area.name, lang="fi")))
    g.add((org, DCT.title, Literal(area.name, lang="fi")))  # CPSV-AP's Agent.name
    g.add((org, DCT.spatial, where))
    g.add((where, RDF.type, DCT.Location))
    g.add((where, SKOS.prefLabel, Literal(area.region, lang="fi")))


def _area_of(ctx: _Ctx, area_id: str, what: str) -> EmploymentArea:
    try:
        return ctx.areas[area_id]
    except KeyError:
        raise MappingError(f"{what} names employment area {area_id!r}, which the catalogue does not contain") from None


def _add_source(g: Graph, ctx: _Ctx, doc: SourceDocument) -> None:
    src = iris.source_iri(ctx.base, doc.source.id)
    checksum = iris.checksum_iri(ctx.base, doc.source.id)
    area = _area_of(ctx, doc.area_id, f"source {doc.source.id!r}")
    g.add((src, RDF.type, ctx.sg.SourceDocument))
    g.add((src, DCT.identifier, Literal(doc.source.id)))
    g.add((src, DCT.title, Literal(doc.title or doc.source.title or doc.source.id, lang="fi")))
    g.add((src, ctx.sg.fileName, Literal(doc.source.path.name)))
    g.add((src, BIBO.numPages, Literal(doc.pages, datatype=XSD.integer)))
    g.add((src, DCT.publisher, iris.organisation_iri(ctx.base, area.id)))
    if doc.source.date:
        g.add((src, DCT.date, Literal(doc.source.date)))
    if doc.source.url:
        g.add((src, DCT.source, URIRef(doc.source.url)))
    # DCAT 3 / SPDX checksum pattern, with an IRI instead of the usual blank node.
    g.add((src, SPDX.checksum, checksum))
    g.add((checksum, RDF.type, SPDX.Checksum))
    g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    g.add((checksum, SPDX.checksumValue, Literal(doc.source.sha256.lower(), datatype=XSD.hexBinary)))


# --------------------------------------------------------------------------- services


def _tem_concept_id(area: TemArea) -> str:
    if area.kind is TemAreaKind.AREA:
        return str(area.code)
    return area.kind.value


def _service_tem_ids(service: Service) -> list[str]:
    """The service's TEM classification: what its entries state, "unknown" only when none knows.

    "?" and "not stated" say nothing about the service when another entry gives an area, so
    they do not survive next to one; "not-in-architecture" is a statement and does.
    """
    stated = {_tem_concept_id(e.tem_area) for e in service.entries if e.tem_area is not None}
    known = stated - {TemAreaKind.UNKNOWN.value}
    return sorted(known) if known else [TemAreaKind.UNKNOWN.value]


# The per-entry facets whose value can depend on the audience, with the concept each entry states
# (None: not stated). sg:audienceDependentFacet names those on which a service's entries for two
# different audiences disagree (docs/rdf-model.md): computed here, where the service's entries are
# together, so that a query need not pair every entry of the release (docs/queries.md).
AUDIENCE_FACETS: tuple[tuple[str, Callable[[Entry], str | None]], ...] = (
    ("sg:temServiceArea", lambda e: _tem_concept_id(e.tem_area) if e.tem_area is not None else None),
    ("dct:type", lambda e: e.service_type.value if e.service_type is not None else None),
)


def audience_dependent_facets(service: Service) -> list[str]:
    """The facets (AUDIENCE_FACETS CURIEs) on which two of the service's entries with different
    audiences state different values: what queries/classification-differs-by-audience.rq pairs."""
    found = []
    for name, value_of in AUDIENCE_FACETS:
        stated = {(e.audience, value_of(e)) for e in service.entries if e.audience is not None and value_of(e) is not None}
        if any(a1 != a2 and v1 != v2 for (a1, v1), (a2, v2) in combinations(stated, 2)):
            found.append(name)
    return found


def _add_service(g: Graph, ctx: _Ctx, service: Service) -> None:
    area = _area_of(ctx, service.area_id, f"service {service.id!r}")
    svc = iris.service_iri(ctx.base, area.id, service.id)
    org = iris.organisation_iri(ctx.base, area.id)
    if not service.entries:
        raise MappingError(f"service {service.id!r} has no entries: nothing says it exists")
    g.add((svc, RDF.type, CPSV.PublicService))
    g.add((svc, DCT.identifier, Literal(f"{iris.slug(area.id)}/{iris.slug(service.id)}")))
    g.add((svc, DCT.title, Literal(service.name, lang="fi")))
    g.add((svc, DCT.description, Literal(describe_service(service, area, ctx), lang="fi")))
    g.add((svc, CV.hasCompetentAuthority, org))
    g.add((svc, DCT.spatial, iris.location_iri(ctx.base, area.id)))
    for tem_id in _service_tem_ids(service):
        g.add((svc, CV.isClassifiedBy, ctx.concept(TEM, tem_id)))
    for facet in audience_dependent_facets(service):
        prefix, local = facet.split(":")
        g.add((svc, ctx.sg.audienceDependentFacet, {"sg": ctx.sg, "dct": DCT}[prefix][local]))
    for entry in service.entries:
        entry_node = _add_entry(g, ctx, area, svc, entry)
        g.add((svc, ctx.sg.hasEntry, entry_node))
        if entry.service_type is not None:
            g.add((svc, DCT.type, ctx.concept("service-type", entry.service_type.value)))
        if entry.audience is not None:
            g.add((svc, DCT.audience, ctx.concept("audience", entry.audience.value)))
        for participation in g.objects(entry_node, CV.hasParticipation):
            g.add((svc, CV.hasParticipation, participation))
        if entry.group:
            event = _add_event(g, ctx, area, entry.group)
            if event is not None:
                g.add((svc, CV.isGroupedBy, event))
                g.add((event, CV.hasRelatedService, svc))


def _add_event(g: Graph, ctx: _Ctx, area: EmploymentArea, group: str) -> URIRef | None:
    for scheme, cls in EVENT_SCHEMES:
        concept_id = ctx.schemes.match_label(scheme, group)
        if concept_id is None:
            continue
        event = iris.event_iri(ctx.base, area.id, concept_id)
        g.add((event, RDF.type, cls))
        g.add((event, DCT.identifier, Literal(f"{iris.slug(area.id)}/{concept_id}")))
        g.add((event, DCT.title, Literal(ctx.label(scheme, concept_id), lang="fi")))
        g.add((event, DCT.type, ctx.concept(scheme, concept_id)))
        return event
    return None


# --------------------------------------------------------------------------- entries


def _add_entry(g: Graph, ctx: _Ctx, area: EmploymentArea, svc: URIRef, entry: Entry) -> URIRef:
    if entry.source_id not in ctx.sources:
        raise MappingError(f"entry {entry.id!r} names source {entry.source_id!r}, which the catalogue does not contain")
    if not entry.locations:
        raise MappingError(f"entry {entry.id!r} of source {entry.source_id!r} has no location")
    sg = ctx.sg
    node = iris.entry_iri(ctx.base, entry.source_id, entry.id)
    g.add((node, RDF.type, sg.Entry))
    g.add((node, DCT.identifier, Literal(f"{iris.slug(entry.source_id)}/{iris.slug(entry.id)}")))
    g.add((node, sg.entryOf, svc))
    g.add((node, PROV.wasDerivedFrom, iris.source_iri(ctx.base, entry.source_id)))
    g.add((node, sg.printedName, Literal(entry.name_as_printed, lang="fi")))
    g.add((node, sg.page, Literal(min(loc.page for loc in entry.locations), datatype=XSD.integer)))
    location_iris = {}
    for k, loc in enumerate(entry.locations, start=1):
        where = iris.print_location_iri(ctx.base, entry.source_id, entry.id, k)
        location_iris[loc] = where
        box = loc.bbox.rounded(1)
        g.add((node, sg.printedAt, where))
        g.add((where, RDF.type, sg.PrintLocation))
        g.add((where, sg.page, Literal(loc.page, datatype=XSD.integer)))
        g.add((where, sg.bbox, Literal(f"{box.x0:.1f} {box.top:.1f} {box.x1:.1f} {box.bottom:.1f}")))
    for role, text in sorted(entry.raw.items()):
        cell = iris.cell_iri(ctx.base, entry.source_id, entry.id, role)
        g.add((node, sg.printedCell, cell))
        g.add((cell, RDF.type, sg.PrintedCell))
        g.add((cell, sg.columnRole, Literal(role)))
        g.add((cell, PROV.value, Literal(text)))
        for loc in entry.cell_locations.get(role, ()):
            if loc in location_iris:  # each fact points at where its own cell was printed
                g.add((cell, sg.printedAt, location_iris[loc]))

    if entry.audience is not None:
        g.add((node, DCT.audience, ctx.concept("audience", entry.audience.value)))
    if entry.service_type is not None:
        g.add((node, DCT.type, ctx.concept("service-type", entry.service_type.value)))
    if entry.tem_area is not None:
        g.add((node, sg.temServiceArea, ctx.concept(TEM, _tem_concept_id(entry.tem_area))))
        if entry.tem_area.uncertain:
            g.add((node, sg.temAreaUncertain, Literal(True)))
    for prop, mark in (
        (sg.sharedWithOtherArea, entry.shared),
        (sg.immigrantRelevance, entry.immigrant),
        (sg.multiprofessionalRelevance, entry.multiprofessional),
    ):
        if mark is not None:
            g.add((node, prop, ctx.concept("mark", mark.value)))
    if entry.delivery_level is not None:
        g.add((node, sg.deliveryLevel, ctx.concept("delivery-level", entry.delivery_level.value)))
    if entry.customer_process is not None:
        g.add((node, sg.customerProcess, ctx.concept("customer-process", entry.customer_process)))
    if entry.group:
        g.add((node, sg.group, Literal(entry.group, lang="fi")))
    if entry.path:
        g.add((node, sg.outlinePath, Literal(" > ".join(entry.path), lang="fi")))
    for k, producer in enumerate(entry.producers, start=1):
        participation = _add_participation(g, ctx, area, entry, k, producer)
        g.add((node, CV.hasParticipation, participation))
    return node


def _add_participation(g: Graph, ctx: _Ctx, area: EmploymentArea, entry: Entry, k: int, producer: Producer) -> URIRef:
    node = iris.participation_iri(ctx.base, entry.source_id, entry.id, k)
    role = ctx.concept("producer-role", producer.role)
    g.add((node, RDF.type, CV.Participation))
    g.add((node, DCT.identifier, Literal(f"{iris.slug(entry.source_id)}/{iris.slug(entry.id)}/participation/{k}")))
    g.add((node, DCT.description, Literal(producer.label, lang="fi")))
    g.add((node, CV.role, role))
    g.add((node, CV.hasParticipant, _agent(g, ctx, area, producer.role)))
    if producer.possible:
        g.add((node, ctx.sg.possible, Literal(True)))
    return node


def _agent(g: Graph, ctx: _Ctx, area: EmploymentArea, role: str) -> URIRef:
    """The agent in a producer role: the area itself, or the area's producers in that role."""
    if role == EMPLOYMENT_AREA_ROLE:
        return iris.organisation_iri(ctx.base, area.id)
    agent = iris.agent_iri(ctx.base, area.id, role)
    label = ctx.label("producer-role", role)
    g.add((agent, RDF.type, FOAF.Agent))
    g.add((agent, DCT.identifier, Literal(f"{iris.slug(area.id)}/{iris.slug(role)}")))
    g.add((agent, DCT.title, Literal(label, lang="fi")))
    g.add((agent, SKOS.prefLabel, Literal(label, lang="fi")))
    return agent


# --------------------------------------------------------------------------- description


def describe_service(service: Service, area: EmploymentArea, ctx: _Ctx) -> str:
    """An honest Finnish description built only from the service's facts (no invented prose)."""
    entries = service.entries
    parts = [f"Palvelun järjestää {area.name}."]

    types = sorted({e.service_type.value for e in entries if e.service_type is not None})
    if types:
        parts.append("Tyyppi: " + ", ".join(ctx.label("service-type", t).lower() for t in types) + ".")

    audiences = [a.value for a in _ordered_audiences(entries)]
    if audiences:
        parts.append("Asiakasryhmät: " + ", ".join(ctx.label("audience", a).lower() for a in audiences) + ".")

    tem_lines: list[str] = []
    for entry in entries:
        if entry.tem_area is None:
            continue
        concept = _tem_concept_id(entry.tem_area)
        text = ctx.label(TEM, concept)
        if entry.tem_area.kind is TemAreaKind.AREA:
            text = f"{concept} {text}"
        if entry.tem_area.uncertain:
            text += " (epävarma)"
        if entry.audience is not None:
            text += f" – {ctx.label('audience', entry.audience.value).lower()}"
        if text not in tem_lines:
            tem_lines.append(text)
    if tem_lines:
        parts.append("Työvoimapalvelujen viitearkkitehtuurin (TEM) palvelualue: " + "; ".join(tem_lines) + ".")
    else:
        parts.append("Työvoimapalvelujen viitearkkitehtuurin (TEM) palvelualuetta lähteet eivät ilmoita.")

    levels = sorted({e.delivery_level.value for e in entries if e.delivery_level is not None})
    if levels:
        parts.append("Tuottamistaso: " + ", ".join(ctx.label("delivery-level", lv).lower() for lv in levels) + ".")

    producers: list[str] = []
    for entry in entries:
        for producer in entry.producers:
            name = area.name if producer.role == EMPLOYMENT_AREA_ROLE else ctx.label("producer-role", producer.role)
            text = name + (" (mahdollinen)" if producer.possible else "")
            if text not in producers:
                producers.append(text)
    if producers:
        parts.append("Ohjaus tai mahdollinen tuottaminen: " + ", ".join(producers) + ".")

    n_sources = len({e.source_id for e in entries})
    parts.append(f"Tiedot {len(entries)} lähdemerkinnästä {n_sources} lähdeasiakirjassa.")
    return " ".join(parts)


def _ordered_audiences(entries: tuple[Entry, ...]) -> list:
    seen = []
    for entry in entries:
        if entry.audience is not None and entry.audience not in seen:
            seen.append(entry.audience)
    return seen
