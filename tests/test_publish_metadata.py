"""catalog.ttl describes every data file (size, sha256, media type) with dates from the sources."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, URIRef
import rdflib.namespace as rns

from pipeline.config import Settings
from pipeline.publish import assemble, metadata, release
from pipeline.rdf.mapping import catalogue_to_graph, definitions_graph
from sample_catalogue import sample_catalogue

SPDX = metadata.SPDX
DCAT, DCTERMS, VOID, XSD = rns.DCAT, rns.DCTERMS, rns.VOID, rns.XSD
DATASET = URIRef("https://servicegraph.example.org/id/dataset/servicegraph")


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> tuple[Graph, Path, Graph]:
    out = tmp_path_factory.mktemp("out")
    data = catalogue_to_graph(sample_catalogue(), Settings()) - definitions_graph(Settings())  # published apart
    result = assemble.publish(data, out, settings=Settings(output=out), manifest_dates=["2025-01-15", "2025-02-03", None])
    return data, result.path, Graph().parse(result.path / "catalog.ttl")


def test_every_data_file_has_a_distribution_with_its_sha256(published):
    _, path, cat = published
    dists = set(cat.objects(DATASET, DCAT.distribution))
    names = {str(cat.value(d, DCTERMS.title)) for d in dists}
    areas = {f"areas/{a.id}.{suffix}" for a in sample_catalogue().areas for suffix in ("ttl", "jsonld")}
    assert names == {"servicegraph.ttl", "servicegraph.jsonld", "context.jsonld", "ontology.ttl"} | areas
    for d in dists:
        data = (path / str(cat.value(d, DCTERMS.title))).read_bytes()
        checksum = cat.value(d, SPDX.checksum)
        assert checksum == URIRef(f"{d}/checksum")  # an IRI node, not a blank node
        assert str(cat.value(checksum, SPDX.checksumValue)) == hashlib.sha256(data).hexdigest()
        assert cat.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert cat.value(d, DCAT.byteSize) == Literal(len(data), datatype=XSD.nonNegativeInteger)
        assert str(cat.value(d, DCAT.mediaType)).startswith("http://www.iana.org/assignments/media-types/")


def test_dates_come_from_the_sources_not_the_clock(published):
    _, _, cat = published
    assert cat.value(DATASET, DCTERMS.modified) == Literal("2025-02-03", datatype=XSD.date)
    period = cat.value(DATASET, DCTERMS.temporal)
    assert cat.value(period, DCAT.startDate) == Literal("2025-01-15", datatype=XSD.date)


def test_without_source_dates_the_release_is_dated_by_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764547200")  # 2025-12-01T00:00:00Z
    g = metadata.catalog_graph(base_iri="https://x.example/id/", stats=metadata.DatasetStats(), files=[], release_id="r", dates=[])
    assert set(g.objects(None, DCTERMS.modified)) == {Literal("2025-12-01", datatype=XSD.date)}
    assert not list(g.objects(None, DCTERMS.temporal))  # no period without source dates


def test_licence_publisher_and_void_statistics(published):
    data, _, cat = published
    licence = URIRef("http://publications.europa.eu/resource/authority/licence/CC_BY_4_0")  # EU licence table
    assert cat.value(DATASET, DCTERMS.license) == licence
    assert cat.value(licence, rns.RDFS.seeAlso) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert cat.value(DATASET, DCTERMS.publisher) == URIRef("https://servicegraph.example.org/def/publisher")
    assert cat.value(DATASET, DCTERMS.creator) == URIRef("https://servicegraph.example.org/id/organisation/paijat-hameen-tyollisyysalue")
    assert cat.value(DATASET, VOID.triples).toPython() == len(data)
    assert cat.value(DATASET, VOID.distinctSubjects).toPython() == len(set(data.subjects()))
    assert cat.value(DATASET, VOID.properties).toPython() == len(set(data.predicates()))
    classes = set(data.objects(None, RDF.type))
    assert cat.value(DATASET, VOID.classes).toPython() == len(classes)
    parts = {cat.value(p, VOID["class"]): cat.value(p, VOID.entities).toPython() for p in cat.objects(DATASET, VOID.classPartition)}
    cpsv_service = URIRef("http://purl.org/vocab/cpsv#PublicService")
    assert parts[cpsv_service] == len(set(data.subjects(RDF.type, cpsv_service)))
