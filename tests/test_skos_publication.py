"""The concept schemes are publishable SKOS (docs/ontology.md, "SKOS for publishers").

Vocabulary services (Finto/Skosmos, the Interoperability Platform's Sanastot) take a scheme file
as it is: every scheme needs its title, description, creator, publisher, dates and licence, every
concept a definition in Finnish and English and rdfs:isDefinedBy its scheme, and the top-concept
links must agree both ways. The files are read one by one with rdflib, against the default
definitions base they are written in; each check is parametrized by IRI so a failure names it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, SKOS

from pipeline.config import DEFAULT_DEF_IRI, PROJECT_ROOT, Settings
from pipeline.rdf.concepts import load_concept_schemes, load_ontology, parse_turtle

SCHEMES_DIR = PROJECT_ROOT / "ontology" / "schemes"
ONTOLOGY_FILE = PROJECT_ROOT / "ontology" / "servicegraph.ttl"
CATALOG_YAML = PROJECT_ROOT / "pipeline" / "publish" / "catalog.yaml"

PUBLISHER = URIRef(f"{DEFAULT_DEF_IRI}publisher")
LICENCE = URIRef("https://creativecommons.org/licenses/by/4.0/")
# Not rdflib's XSD namespace object: pytest's collection trips over its attribute lookup.
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")
CREATED = Literal("2026-10-01", datatype=XSD_DATE)
MODIFIED = Literal("2026-12-01", datatype=XSD_DATE)
REQUIRED_LANGS = {"fi", "en"}

FILES: dict[Path, Graph] = {path: parse_turtle(path) for path in sorted(SCHEMES_DIR.glob("*.ttl"))}
MERGED = Graph()
for _graph in FILES.values():
    MERGED += _graph

SCHEME_FILE: dict[URIRef, Path] = {
    scheme: path for path, graph in FILES.items() for scheme in graph.subjects(RDF.type, SKOS.ConceptScheme)
}
SCHEMES = sorted(SCHEME_FILE)
CONCEPTS = sorted(set(MERGED.subjects(RDF.type, SKOS.Concept)))


def _literals(graph: Graph, node: URIRef, prop: URIRef) -> list[Literal]:
    return [o for o in graph.objects(node, prop) if isinstance(o, Literal)]


def _one_per_language(graph: Graph, node: URIRef, prop: URIRef, required: set[str] = REQUIRED_LANGS) -> dict[str, str]:
    """The values of `prop` by language: exactly one per language, the required ones present."""
    values = list(graph.objects(node, prop))
    literals = _literals(graph, node, prop)
    assert len(literals) == len(values), f"{node} {prop}: every value must be a literal"
    langs = [lit.language for lit in literals]
    assert None not in langs, f"{node} {prop}: a value has no language tag"
    duplicated = sorted({lang for lang in langs if langs.count(lang) > 1})
    assert not duplicated, f"{node} {prop}: more than one value in {duplicated}"
    missing = sorted(required - set(langs))
    assert not missing, f"{node} {prop}: no value in {missing}"
    by_lang = {lit.language: str(lit) for lit in literals}
    empty = sorted(lang for lang, text in by_lang.items() if not text.strip() or text != text.strip())
    assert not empty, f"{node} {prop}: empty or padded value in {empty}"
    return by_lang


def _scheme_of(concept: URIRef) -> URIRef:
    schemes = list(MERGED.objects(concept, SKOS.inScheme))
    assert len(schemes) == 1, f"{concept} is in {len(schemes)} schemes, needs exactly one: {sorted(schemes)}"
    return schemes[0]


def test_every_scheme_file_is_found() -> None:
    assert len(FILES) == 9
    assert len(SCHEMES) == len(FILES), "each file holds exactly one skos:ConceptScheme"
    assert len(CONCEPTS) >= 39


# --------------------------------------------------------------------------- schemes


@pytest.mark.parametrize("scheme", SCHEMES, ids=str)
def test_scheme_has_one_label_title_and_description_per_language(scheme: URIRef) -> None:
    _one_per_language(MERGED, scheme, SKOS.prefLabel)
    _one_per_language(MERGED, scheme, DCTERMS.title)
    _one_per_language(MERGED, scheme, DCTERMS.description)


@pytest.mark.parametrize("scheme", SCHEMES, ids=str)
def test_scheme_has_creator_publisher_fixed_dates_and_licence(scheme: URIRef) -> None:
    g = MERGED
    assert list(g.objects(scheme, DCTERMS.creator)) == [PUBLISHER], scheme
    assert list(g.objects(scheme, DCTERMS.publisher)) == [PUBLISHER], scheme
    # Fixed dates, typed xsd:date, never the clock: a rebuild must give the same bytes.
    assert list(g.objects(scheme, DCTERMS.created)) == [CREATED], scheme
    assert list(g.objects(scheme, DCTERMS.modified)) == [MODIFIED], scheme
    assert list(g.objects(scheme, DCTERMS.license)) == [LICENCE], scheme


@pytest.mark.parametrize("scheme", SCHEMES, ids=str)
def test_scheme_lists_exactly_its_top_concepts(scheme: URIRef) -> None:
    members = set(MERGED.subjects(SKOS.inScheme, scheme))
    assert members, f"{scheme} has no concepts"
    top = {c for c in members if (c, SKOS.broader, None) not in MERGED}
    assert set(MERGED.objects(scheme, SKOS.hasTopConcept)) == top, scheme
    assert set(MERGED.subjects(SKOS.topConceptOf, scheme)) == top, scheme


# --------------------------------------------------------------------------- concepts


@pytest.mark.parametrize("concept", CONCEPTS, ids=str)
def test_concept_is_in_exactly_one_scheme_and_file(concept: URIRef) -> None:
    scheme = _scheme_of(concept)
    assert scheme in SCHEME_FILE, f"{concept}: skos:inScheme {scheme} is not a scheme of ontology/schemes/"
    files = [path.name for path, graph in FILES.items() if (concept, None, None) in graph]
    assert files == [SCHEME_FILE[scheme].name], f"{concept} is described in {files}"
    assert str(concept).startswith(f"{scheme}/"), f"{concept} is not under {scheme}/"


@pytest.mark.parametrize("concept", CONCEPTS, ids=str)
def test_concept_has_one_label_per_language(concept: URIRef) -> None:
    _one_per_language(MERGED, concept, SKOS.prefLabel)


@pytest.mark.parametrize("concept", CONCEPTS, ids=str)
def test_concept_has_a_definition_in_finnish_and_english_unlike_its_label(concept: URIRef) -> None:
    labels = _one_per_language(MERGED, concept, SKOS.prefLabel)
    definitions = _one_per_language(MERGED, concept, SKOS.definition)
    for lang, text in definitions.items():
        label = labels.get(lang)
        assert label is None or text.casefold().rstrip(".") != label.casefold(), f"{concept}: definition@{lang} repeats the label"


@pytest.mark.parametrize("concept", CONCEPTS, ids=str)
def test_concept_is_defined_by_its_scheme(concept: URIRef) -> None:
    assert list(MERGED.objects(concept, RDFS.isDefinedBy)) == [_scheme_of(concept)], concept


@pytest.mark.parametrize("concept", CONCEPTS, ids=str)
def test_top_concept_links_agree_both_ways(concept: URIRef) -> None:
    scheme = _scheme_of(concept)
    has_top = (scheme, SKOS.hasTopConcept, concept) in MERGED
    top_of = set(MERGED.objects(concept, SKOS.topConceptOf))
    assert top_of <= {scheme}, f"{concept} is skos:topConceptOf another scheme: {sorted(top_of)}"
    assert has_top == bool(top_of), f"{concept}: skos:hasTopConcept and skos:topConceptOf disagree"
    if (concept, SKOS.broader, None) in MERGED:
        assert not has_top, f"{concept} has skos:broader, so it is no top concept"
    else:
        assert has_top, f"{concept} has no skos:broader, so its scheme must list it as a top concept"


# --------------------------------------------------------------------------- the publisher, the licence


def test_publisher_is_one_agent_defined_in_the_ontology() -> None:
    ontology = parse_turtle(ONTOLOGY_FILE)
    assert {FOAF.Agent, FOAF.Organization} <= set(ontology.objects(PUBLISHER, RDF.type))
    names = _one_per_language(ontology, PUBLISHER, FOAF.name)
    assert _one_per_language(ontology, PUBLISHER, DCTERMS.title) == names  # CPSV-AP's Agent.name
    assert len(list(ontology.objects(PUBLISHER, DCTERMS.identifier))) == 1
    # Defined once: the scheme files only point at it.
    assert (PUBLISHER, None, None) not in MERGED


def test_publisher_names_match_the_catalogue_publisher() -> None:
    cfg = yaml.safe_load(CATALOG_YAML.read_text(encoding="utf-8"))
    names = _one_per_language(parse_turtle(ONTOLOGY_FILE), PUBLISHER, FOAF.name)
    assert names == cfg["publisher"]["name"]


def test_licence_is_the_catalogue_licence() -> None:
    dataset = yaml.safe_load(CATALOG_YAML.read_text(encoding="utf-8"))["dataset"]
    assert str(LICENCE) in {dataset.get("license"), dataset.get("license_document")}


def test_publisher_and_isdefinedby_move_with_another_def_iri() -> None:
    settings = Settings(def_iri="https://example.fi/def/")
    schemes = load_concept_schemes(settings)
    scheme = schemes.scheme_iri("mark")
    publisher = URIRef("https://example.fi/def/publisher")
    assert schemes.graph.value(scheme, DCTERMS.publisher) == publisher
    assert schemes.graph.value(schemes.iri("mark", "yes"), RDFS.isDefinedBy) == scheme
    assert (publisher, RDF.type, FOAF.Agent) in load_ontology(settings)
