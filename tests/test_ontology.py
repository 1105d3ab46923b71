"""The ontology and the concept schemes: labelled, aligned, and in step with pipeline.model."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from pipeline.config import PROJECT_ROOT, Settings
from pipeline.errors import SourceError
from pipeline.model import Audience, DeliveryLevel, Mark, ServiceType, TemAreaKind
from pipeline.rdf.concepts import load_concept_schemes, load_ontology, parse_turtle
from pipeline.rdf.namespaces import sg_namespace
from pipeline.rdf.mapping import catalogue_to_graph
from sample_catalogue import sample_catalogue

SETTINGS = Settings()
SG = sg_namespace(SETTINGS.def_iri)
D = SETTINGS.def_iri
ALIGNMENT = (RDFS.subClassOf, RDFS.subPropertyOf, SKOS.closeMatch)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load_ontology(SETTINGS)


def _own_terms(graph: Graph) -> list[URIRef]:
    return sorted({s for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(str(SG))})


def _langs(graph: Graph, node: URIRef, prop: URIRef) -> set[str | None]:
    return {o.language for o in graph.objects(node, prop) if isinstance(o, Literal)}


def test_every_own_term_has_finnish_and_english_labels_and_comments(ontology: Graph) -> None:
    terms = _own_terms(ontology)
    assert len(terms) >= 20
    for term in terms:
        assert {"fi", "en"} <= _langs(ontology, term, RDFS.label), term
        assert {"fi", "en"} <= _langs(ontology, term, RDFS.comment), term


def test_every_own_term_is_aligned_to_a_standard_term(ontology: Graph) -> None:
    for term in _own_terms(ontology):
        targets = [o for p in ALIGNMENT for o in ontology.objects(term, p)]
        standard = [t for t in targets if isinstance(t, URIRef) and not str(t).startswith(str(SG))]
        assert standard, f"{term} has no rdfs:subClassOf / rdfs:subPropertyOf / skos:closeMatch to a standard term"


def test_every_own_term_the_mapping_uses_is_declared(ontology: Graph) -> None:
    graph = catalogue_to_graph(sample_catalogue(), SETTINGS)
    used = {p for p in graph.predicates() if str(p).startswith(str(SG))}
    used |= {o for o in graph.objects(None, RDF.type) if str(o).startswith(str(SG))}
    declared = set(ontology.subjects(RDF.type, OWL.Class)) | set(ontology.subjects(RDF.type, OWL.ObjectProperty))
    declared |= set(ontology.subjects(RDF.type, OWL.DatatypeProperty))
    assert used - declared == set()


def test_the_rdf_model_contract_documents_every_own_term(ontology: Graph) -> None:
    contract = (PROJECT_ROOT / "docs" / "rdf-model.md").read_text(encoding="utf-8")
    missing = [str(t).split("#")[1] for t in _own_terms(ontology) if f"sg:{str(t).split('#')[1]}" not in contract]
    assert missing == []


def test_tem_scheme_has_the_six_areas_with_notations_and_trilingual_labels() -> None:
    schemes = load_concept_schemes(SETTINGS)
    expected = {
        "1": ("Työn löytyminen", "Att hitta arbete", "Finding work"),
        "2": ("Osaamisen kehittäminen", "Kompetensutveckling", "Skills development"),
        "3": ("Kotoutumisen edistäminen", "Främjande av integration", "Promoting integration"),
        "4": ("Työkyvyn tukeminen", "Stöd för arbetsförmågan", "Supporting work ability"),
        "5": ("Tieto, neuvonta ja ohjaus", "Information, rådgivning och vägledning", "Information, advice and guidance"),
        "6": ("Yhteiset tukipalvelut", "Gemensamma stödtjänster", "Shared support services"),
    }
    g = schemes.graph
    for code, (fi, sv, en) in expected.items():
        concept = schemes.iri("tem-service-area", code)
        assert g.value(concept, SKOS.notation) == Literal(code)
        assert (concept, SKOS.inScheme, schemes.scheme_iri("tem-service-area")) in g
        labels = {o.language: str(o) for o in g.objects(concept, SKOS.prefLabel)}
        assert labels == {"fi": fi, "sv": sv, "en": en}
    assert schemes.concepts["tem-service-area"] == set(expected) | {
        TemAreaKind.UNKNOWN.value,
        TemAreaKind.NOT_IN_ARCHITECTURE.value,
    }


@pytest.mark.parametrize(
    ("scheme", "enum"),
    [("service-type", ServiceType), ("mark", Mark), ("audience", Audience), ("delivery-level", DeliveryLevel)],
)
def test_scheme_ids_equal_the_model_enum_values(scheme: str, enum: type) -> None:
    assert load_concept_schemes(SETTINGS).concepts[scheme] == {m.value for m in enum}


def test_customer_process_and_producer_role_schemes_have_the_agreed_ids() -> None:
    concepts = load_concept_schemes(SETTINGS).concepts
    assert concepts["customer-process"] == {"direct-to-labour-market", "skills-development", "multiprofessional", "integration"}
    assert concepts["producer-role"] == {
        "employment-area", "purchased-service", "municipalities", "contract-municipalities",
        "municipal-ecosystems", "wellbeing-services-county", "other-authority", "tyomarkkinatori",
        "education-providers", "organisations", "other-producers",
    }  # fmt: skip


def test_every_concept_has_finnish_and_english_labels() -> None:
    g = load_concept_schemes(SETTINGS).graph
    for concept in g.subjects(RDF.type, SKOS.Concept):
        assert {"fi", "en"} <= _langs(g, concept, SKOS.prefLabel), concept
    for scheme in g.subjects(RDF.type, SKOS.ConceptScheme):
        assert {"fi", "en"} <= _langs(g, scheme, SKOS.prefLabel), scheme


def test_ontology_and_schemes_have_no_blank_nodes(ontology: Graph) -> None:
    for graph in (ontology, load_concept_schemes(SETTINGS).graph):
        assert not [t for t in graph if any(isinstance(x, BNode) for x in t)]


def test_group_headings_match_event_concepts_by_label() -> None:
    schemes = load_concept_schemes(SETTINGS)
    assert schemes.match_label("business-event", "Alkavan yrityksen palvelut") == "starting-business"
    assert schemes.match_label("life-event", " kotoutumispalvelut ") == "integration"
    assert schemes.match_label("business-event", "Kuntien ekosysteemit:") is None


def test_another_def_iri_rewrites_every_definition_iri() -> None:
    settings = Settings(def_iri="https://example.fi/def/")
    schemes = load_concept_schemes(settings)
    assert schemes.iri("mark", "yes") == URIRef("https://example.fi/def/mark/yes")
    terms = {t for triple in schemes.graph for t in triple if isinstance(t, URIRef)}
    assert not any(str(t).startswith(SETTINGS.def_iri) for t in terms)
    assert (URIRef("https://example.fi/def/ontology#Entry"), RDF.type, OWL.Class) in load_ontology(settings)


def test_malformed_turtle_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.ttl"
    bad.write_text("@prefix x: <http://x/> .\nx:a x:b", encoding="utf-8")
    with pytest.raises(SourceError, match="broken.ttl: not valid Turtle"):
        parse_turtle(bad)
