"""Catalogue -> RDF: stable IRIs, no blank nodes, per-audience facts and provenance queryable."""

from __future__ import annotations

from dataclasses import replace

import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS as DCT
from rdflib.namespace import RDF

from pipeline.config import DEFAULT_DEF_IRI, PROJECT_ROOT, Settings
from pipeline.model import Audience, Producer, TemArea, TemAreaKind
from pipeline.rdf.concepts import UnknownConcept
from pipeline.rdf.iris import service_iri, slug
from pipeline.rdf.mapping import MappingError, catalogue_to_graph
from pipeline.rdf.namespaces import CPSV, CV
from sample_catalogue import AREA_ID, sample_catalogue

SETTINGS = Settings()
B = SETTINGS.base_iri
D = SETTINGS.def_iri
SG = Namespace(D + "ontology#")

PREFIXES = f"""
PREFIX cpsv: <http://purl.org/vocab/cpsv#>
PREFIX cv: <http://data.europa.eu/m8g/>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX spdx: <http://spdx.org/rdf/terms#>
PREFIX sg: <{SG}>
"""


@pytest.fixture(scope="module")
def graph() -> Graph:
    return catalogue_to_graph(sample_catalogue(), SETTINGS)


def _service(service_id: str) -> URIRef:
    return service_iri(B, AREA_ID, service_id)


def test_slug_folds_finnish_letters_and_collapses_separators() -> None:
    assert slug("Päijät-Hämeen työllisyysalue") == "paijat-hameen-tyollisyysalue"
    assert slug("  Kielen opetus/ suomen kielen opetus ") == "kielen-opetus-suomen-kielen-opetus"
    assert slug("Åland -- Öö_ä") == "aland-oo-a"
    assert slug("002_liitetaulukko") == "002-liitetaulukko"
    with pytest.raises(ValueError):
        slug("?!")


def test_published_graph_has_no_blank_nodes(graph: Graph) -> None:
    blanks = [t for t in graph if any(isinstance(term, BNode) for term in t)]
    assert blanks == []


def test_same_catalogue_twice_gives_isomorphic_graphs_with_the_same_iris(graph: Graph) -> None:
    again = catalogue_to_graph(sample_catalogue(), SETTINGS)
    assert isomorphic(graph, again)
    iris = lambda g: {t for triple in g for t in triple if isinstance(t, URIRef)}  # noqa: E731
    assert iris(graph) == iris(again)
    assert set(graph) == set(again)  # no blank nodes, so even the triples are equal


def test_iris_follow_the_documented_patterns(graph: Graph) -> None:
    svc = URIRef(f"{B}service/{AREA_ID}/palkkatuki-ja-tyollistamistuki")
    assert (svc, RDF.type, CPSV.PublicService) in graph
    assert (svc, CV.hasCompetentAuthority, URIRef(f"{B}organisation/{AREA_ID}")) in graph
    assert (URIRef(f"{B}entry/002-liitetaulukko/t1-r9"), SG.entryOf, svc) in graph
    assert (svc, CV.isClassifiedBy, URIRef(f"{D}tem-service-area/1")) in graph
    assert (URIRef(f"{B}source/002-liitetaulukko"), RDF.type, SG.SourceDocument) in graph
    assert graph.value(svc, DCT.identifier) == Literal(f"{AREA_ID}/palkkatuki-ja-tyollistamistuki")


def test_every_service_is_a_public_service_with_title_description_and_authority(graph: Graph) -> None:
    services = set(graph.subjects(RDF.type, CPSV.PublicService))
    assert len(services) == len(sample_catalogue().services) == 11
    for svc in services:
        assert graph.value(svc, DCT.title).language == "fi"
        description = graph.value(svc, DCT.description)
        assert description.language == "fi" and "Päijät-Hämeen työllisyysalue" in description


def test_area_is_a_public_organisation_with_its_region(graph: Graph) -> None:
    rows = list(
        graph.query(
            PREFIXES
            + """SELECT ?name ?region WHERE {
                ?org a cv:PublicOrganisation ; skos:prefLabel ?name ; dct:spatial ?loc .
                ?loc a dct:Location ; skos:prefLabel ?region }"""
        )
    )
    assert [(str(n), str(r)) for n, r in rows] == [("Päijät-Hämeen työllisyysalue", "Päijät-Häme")]


def test_per_audience_tem_areas_stay_distinguishable_in_sparql(graph: Graph) -> None:
    rows = graph.query(
        PREFIXES
        + """SELECT ?audience ?notation WHERE {
            ?svc dct:title "Palkkatuki ja työllistämistuki"@fi ; sg:hasEntry ?entry .
            ?entry dct:audience ?audience ; sg:temServiceArea ?area .
            ?area skos:notation ?notation } ORDER BY ?notation"""
    )
    assert [(str(a).rsplit("/", 1)[1], str(n)) for a, n in rows] == [("individual", "1"), ("employer", "6")]
    # The service itself carries the union.
    svc = _service("palkkatuki-ja-tyollistamistuki")
    assert {str(c).rsplit("/", 1)[1] for c in graph.objects(svc, CV.isClassifiedBy)} == {"1", "6"}
    assert {str(c).rsplit("/", 1)[1] for c in graph.objects(svc, DCT.audience)} == {"individual", "employer"}


def test_tem_classification_is_explicit_when_unknown_or_outside_the_architecture(graph: Graph) -> None:
    def areas(service_id: str) -> set[str]:
        return {str(c).rsplit("/", 1)[1] for c in graph.objects(_service(service_id), CV.isClassifiedBy)}

    assert areas("kulukorvaukset") == {"unknown"}  # printed "?"
    assert areas("monikielinen-yhteiskuntaorientaatio") == {"unknown"}  # slides only: not stated
    assert areas("palveluihin-ohjaaminen-ja-neuvonta") == {"not-in-architecture"}


def test_uncertain_area_is_flagged_on_its_entry(graph: Graph) -> None:
    entry = URIRef(f"{B}entry/002-liitetaulukko/t2-r4")
    assert graph.value(entry, SG.temAreaUncertain) == Literal(True)
    assert graph.value(entry, SG.temServiceArea) == URIRef(f"{D}tem-service-area/1")
    assert graph.value(URIRef(f"{B}entry/002-liitetaulukko/t1-r9"), SG.temAreaUncertain) is None


def test_every_entry_has_source_page_and_bbox_provenance(graph: Graph) -> None:
    rows = list(
        graph.query(
            PREFIXES
            + """SELECT ?entry ?source ?sha ?file ?page ?bbox WHERE {
                ?entry a sg:Entry ; prov:wasDerivedFrom ?src ; sg:page ?page ; sg:printedAt ?loc .
                ?src dct:identifier ?source ; sg:fileName ?file ; spdx:checksum/spdx:checksumValue ?sha .
                ?loc sg:page ?p ; sg:bbox ?bbox }"""
        )
    )
    entries = {r[0] for r in rows}
    assert entries == set(graph.subjects(RDF.type, SG.Entry))
    assert len(entries) == sum(len(s.entries) for s in sample_catalogue().services)
    by_entry = {str(r[0]).split("/entry/")[1]: r for r in rows}
    _, source, sha, file, page, _ = by_entry["000-palveluluokittelu/s3-i19"]
    assert (str(source), str(file), int(page)) == ("000_palveluluokittelu", "000_palveluluokittelu.pdf", 3)
    assert str(sha).startswith("8675d7ee")
    bboxes = {str(r[5]) for r in rows if str(r[0]).endswith("/t1-r9")}
    assert bboxes == {"37.0 325.0 636.0 344.5", "37.0 325.0 476.3 334.0"}


def test_text_as_printed_is_kept_with_its_typos(graph: Graph) -> None:
    entry = URIRef(f"{B}entry/000-palveluluokittelu/s2-i27")
    assert graph.value(entry, SG.printedName) == Literal("Monikielinen yhteiskunta-orientaatio", lang="fi")
    cell = URIRef(f"{B}entry/002-liitetaulukko/t2-r9/cell/tem-area")
    assert str(graph.value(cell, URIRef("http://www.w3.org/ns/prov#value"))) == "6 yhteiset tukipalvelut"


def test_producers_are_participations_with_role_and_agent(graph: Graph) -> None:
    rows = graph.query(
        PREFIXES
        + """SELECT ?role ?agentName ?possible WHERE {
            ?svc dct:title ?t ; cv:hasParticipation ?p .
            FILTER(STR(?t) = "Kielen opetus / suomen kielen opetus")
            ?p cv:role ?role ; cv:hasParticipant ?agent ; dct:description ?d .
            ?agent dct:title ?agentName .
            OPTIONAL { ?p sg:possible ?possible } }"""
    )
    assert [(str(r).rsplit("/", 1)[1], str(n), p) for r, n, p in rows] == [
        ("purchased-service", "Ostopalvelun tuottaja", Literal(True))
    ]
    # The employment area itself is the participant in the employment-area role.
    part = URIRef(f"{B}entry/002-liitetaulukko/t1-r9/participation/1")
    assert graph.value(part, CV.hasParticipant) == URIRef(f"{B}organisation/{AREA_ID}")


def test_group_headings_become_business_and_life_events(graph: Graph) -> None:
    start = graph.value(_service("starttiraha"), CV.isGroupedBy)
    assert (start, RDF.type, CV.BusinessEvent) in graph
    kieli = graph.value(_service("kielen-opetus-suomen-kielen-opetus"), CV.isGroupedBy)
    assert (kieli, RDF.type, CV.LifeEvent) in graph
    assert graph.value(_service("palkkatuki-ja-tyollistamistuki"), CV.isGroupedBy) is None


def test_slide_entries_carry_delivery_level_and_customer_process(graph: Graph) -> None:
    rows = graph.query(
        PREFIXES
        + """SELECT ?level ?process ?path WHERE {
            ?e sg:entryOf ?svc ; sg:deliveryLevel ?level ; sg:customerProcess ?process ; sg:outlinePath ?path .
            ?svc dct:title "Työnhakukeskustelut ja työllistymissuunnitelmat"@fi } ORDER BY ?process"""
    )
    got = [(str(lv).rsplit("/", 1)[1], str(p).rsplit("/", 1)[1]) for lv, p, _ in rows]
    assert got == [("local", "direct-to-labour-market"), ("local", "skills-development")]


def test_class_declarations_needed_by_sh_class_travel_with_the_data(graph: Graph) -> None:
    rdfs_sub = URIRef("http://www.w3.org/2000/01/rdf-schema#subClassOf")
    assert (CV.BusinessEvent, rdfs_sub, CV.Event) in graph
    assert (CV.PublicOrganisation, rdfs_sub, URIRef("http://www.w3.org/ns/org#Organization")) in graph
    assert (URIRef(f"{D}tem-service-area/1"), RDF.type, URIRef("http://www.w3.org/2004/02/skos/core#Concept")) in graph


def test_base_and_def_iris_come_from_settings() -> None:
    settings = Settings(base_iri="https://data.lahti.fi/tyollisyys/id/", def_iri="https://data.lahti.fi/tyollisyys/def/")
    graph = catalogue_to_graph(sample_catalogue(), settings)
    terms = {t for triple in graph for t in triple if isinstance(t, URIRef)}
    assert not any(str(t).startswith(DEFAULT_DEF_IRI) or str(t).startswith(SETTINGS.base_iri) for t in terms)
    svc = URIRef(f"https://data.lahti.fi/tyollisyys/id/service/{AREA_ID}/starttiraha")
    assert (svc, CV.isClassifiedBy, URIRef("https://data.lahti.fi/tyollisyys/def/tem-service-area/5")) in graph


def test_unknown_concept_id_fails_naming_the_scheme_file() -> None:
    catalogue = sample_catalogue()
    service = catalogue.services[0]
    entry = replace(service.entries[0], producers=(Producer(role="consultants", label="konsultit"),))
    broken = replace(catalogue, services=(replace(service, entries=(entry,)),) + catalogue.services[1:])
    with pytest.raises(UnknownConcept) as err:
        catalogue_to_graph(broken, SETTINGS)
    assert "producer-role.ttl" in str(err.value) and "'consultants'" in str(err.value)


def test_service_of_an_unknown_area_is_refused() -> None:
    catalogue = sample_catalogue()
    broken = replace(catalogue, services=(replace(catalogue.services[0], area_id="nowhere"),))
    with pytest.raises(MappingError, match="nowhere"):
        catalogue_to_graph(broken, SETTINGS)


# --------------------------------------------------------------------------- audience-dependent facets

# The definition sg:audienceDependentFacet must agree with: every pair of a service's entries for
# two audiences that state different values, found by SPARQL over the entries alone.
FROM_ENTRIES = PROJECT_ROOT / "queries" / "checks" / "classification-differs-by-audience-from-entries.rq"
FACET_PROPERTY = {"TEM service area": SG.temServiceArea, "service type": DCT.type}


@pytest.fixture(scope="module")
def raw_graph() -> Graph:
    """The documents of raw/ as the pipeline reads them: extracted from the PDFs, normalised, mapped."""
    from pipeline.extract.document import extract_document
    from pipeline.normalise.services import normalise
    from pipeline.sources import discover_sources

    docs = [extract_document(source) for source in discover_sources(PROJECT_ROOT / "raw")]
    return catalogue_to_graph(normalise(docs), SETTINGS)


def _stated_facets(graph: Graph) -> set[tuple[URIRef, URIRef]]:
    return set(graph.subject_objects(SG.audienceDependentFacet))


def _disagreeing_facets(graph: Graph) -> set[tuple[URIRef, URIRef]]:
    rows = graph.query(FROM_ENTRIES.read_text(encoding="utf-8"))
    return {(row.service, FACET_PROPERTY[str(row.facet)]) for row in rows}


@pytest.mark.parametrize("which", ["sample catalogue", "raw/ as extracted"])
def test_audience_dependent_facet_is_stated_exactly_where_entries_for_two_audiences_disagree(
        which: str, graph: Graph, raw_graph: Graph) -> None:
    g = graph if which == "sample catalogue" else raw_graph
    stated = _stated_facets(g)
    assert stated == _disagreeing_facets(g)
    # Palkkatuki ja työllistämistuki: 1 Työn löytyminen for individuals, 6 for employers (both tables).
    assert (_service("palkkatuki-ja-tyollistamistuki"), SG.temServiceArea) in stated
    assert all(p in (SG.temServiceArea, DCT.type) for _, p in stated)


def _palkkatuki_with_employer_entry(**changes) -> Graph:
    catalogue = sample_catalogue()
    services = []
    for service in catalogue.services:
        if service.id == "palkkatuki-ja-tyollistamistuki":
            entries = tuple(replace(e, **changes) if e.audience is Audience.EMPLOYER else e for e in service.entries)
            service = replace(service, entries=entries)
        services.append(service)
    return catalogue_to_graph(replace(catalogue, services=tuple(services)), SETTINGS)


@pytest.mark.parametrize("change", [
    {"tem_area": TemArea(kind=TemAreaKind.AREA, code=1)},  # both audiences say 1: they agree
    {"audience": Audience.INDIVIDUAL},  # 1 and 6, but for the same audience
    {"audience": None},  # 6 for no stated audience
], ids=["same area", "same audience", "no audience"])
def test_audience_dependent_facet_is_not_stated_without_two_audiences_that_disagree(change: dict) -> None:
    g = _palkkatuki_with_employer_entry(**change)
    assert (_service("palkkatuki-ja-tyollistamistuki"), SG.temServiceArea) not in _stated_facets(g)
    assert _stated_facets(g) == _disagreeing_facets(g)
