"""Published files are deterministic and the JSON-LD says exactly what the Turtle says."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest
import yaml
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from pipeline.config import Settings
from pipeline.publish import context_builder, serialise
from pipeline.publish.serialise import PublishError
from pipeline.rdf.mapping import catalogue_to_graph
from sample_catalogue import sample_catalogue

OFFICIAL_CONTEXT = Path(__file__).resolve().parents[2] / "shared/reference/cpsv-ap-3.2.0/cpsv-ap-context.jsonld"


def _official_context() -> dict:
    if not OFFICIAL_CONTEXT.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{OFFICIAL_CONTEXT} is missing (required when CI=true)")
        pytest.skip(f"{OFFICIAL_CONTEXT} not present (../shared is a development-time reference)")
    return json.loads(OFFICIAL_CONTEXT.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def graph() -> Graph:
    return catalogue_to_graph(sample_catalogue(), Settings())


def _shuffled_copy(g: Graph, seed: int) -> Graph:
    triples = list(g)
    random.Random(seed).shuffle(triples)
    out = Graph()
    out.bind("zzz", URIRef("http://purl.org/dc/terms/"))  # a stray prefix must not leak out
    for t in triples:
        out.add(t)
    return out


def test_turtle_is_byte_identical_whatever_the_insertion_order(graph):
    first = serialise.to_turtle(_shuffled_copy(graph, 1))
    second = serialise.to_turtle(_shuffled_copy(graph, 2))
    assert first == second
    assert b"@prefix zzz:" not in first
    assert b"@prefix cpsv: <http://purl.org/vocab/cpsv#> ." in first


def test_jsonld_is_byte_identical_and_sorted(graph):
    first = serialise.to_jsonld(_shuffled_copy(graph, 3))
    assert first == serialise.to_jsonld(_shuffled_copy(graph, 4))
    doc = json.loads(first)
    assert doc["@context"] == "context.jsonld"
    ids = [node["@id"] for node in doc["@graph"]]
    assert ids == sorted(ids) and len(ids) == len(set(ids))


def test_jsonld_holds_exactly_the_turtle_triples(graph, tmp_path):
    (tmp_path / "servicegraph.ttl").write_bytes(serialise.to_turtle(graph))
    (tmp_path / "servicegraph.jsonld").write_bytes(serialise.to_jsonld(graph))
    (tmp_path / "context.jsonld").write_bytes(serialise.context_bytes())
    from_turtle = Graph().parse(tmp_path / "servicegraph.ttl", format="turtle")
    from_jsonld = serialise.read_jsonld(tmp_path / "servicegraph.jsonld")
    assert len(from_turtle) == len(graph) > 100
    assert isomorphic(from_turtle, from_jsonld), set(from_turtle) ^ set(from_jsonld)


def test_jsonld_uses_cpsv_ap_term_names(graph):
    doc = serialise.to_jsonld_object(graph)
    services = [n for n in doc["@graph"] if n.get("@type") == "PublicService" or "PublicService" in n.get("@type", [])]
    assert services, "services are typed with the CPSV-AP term name"
    assert all("hasCompetentAuthority" in s for s in services)


def test_blank_nodes_are_refused_in_data():
    g = Graph()
    g.add((URIRef("https://servicegraph.example.org/id/x"), URIRef("http://purl.org/dc/terms/relation"), BNode()))
    with pytest.raises(PublishError, match="blank node"):
        serialise.to_turtle(g)


def test_context_follows_the_configured_definitions_base(graph):
    ctx = serialise.context_document("https://data.example.fi/def/")["@context"]
    assert ctx["sg"] == "https://data.example.fi/def/ontology#"
    assert ctx["tsa"] == "https://data.example.fi/def/tem-service-area/"
    assert ctx["cv"] == "http://data.europa.eu/m8g/"


def test_context_terms_agree_with_the_official_cpsv_ap_context():
    official = _official_context()["@context"]
    ours = json.loads(serialise.CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]
    prefixes = {k: v for k, v in ours.items() if isinstance(v, str) and v.endswith(("#", "/"))}

    def expand(value):
        iri = value if isinstance(value, str) else value["@id"]
        head, _, tail = iri.partition(":")
        return prefixes[head] + tail if head in prefixes else iri

    def official_iri(value):
        return value if isinstance(value, str) else value["@id"]

    checked = 0
    for name, value in ours.items():
        if name.startswith("@") or name in prefixes:
            continue
        if name in official:  # same term name: same IRI
            assert expand(value) == official_iri(official[name]), name
            checked += 1
        dotted = [official_iri(v) for k, v in official.items() if k.endswith("." + name)]
        if dotted:  # our bare "title" is CPSV-AP's "PublicService.title" and the like
            assert expand(value) in dotted, name
            checked += 1
    assert checked > 40
    for must in ("PublicService", "Participation", "PublicOrganization", "hasCompetentAuthority", "isClassifiedBy"):
        assert must in ours


def test_committed_context_is_what_the_builder_makes():
    official = _official_context()
    terms = yaml.safe_load(context_builder.TERMS_FILE.read_text(encoding="utf-8"))
    built = context_builder.build_context(official, terms)
    assert json.loads(serialise.CONTEXT_FILE.read_text(encoding="utf-8")) == built
