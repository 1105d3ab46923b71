"""catalog.ttl conforms to the official DCAT-AP 3.0.1 shapes, as portals (data.europa.eu,
avoindata.fi) harvest it: every distribution downloadable, licence, media type, format and
language from the EU authority tables, checksums with their algorithm, dates, contact point."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, XSD

from pipeline.config import Settings
from pipeline.publish import assemble
from pipeline.rdf.mapping import catalogue_to_graph
from sample_catalogue import sample_catalogue

ROOT = Path(__file__).resolve().parents[1]
SH = Namespace("http://www.w3.org/ns/shacl#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
EU = "http://publications.europa.eu/resource/authority/"


@pytest.fixture(scope="module")
def dcat_ap_shapes(shared_dir: Path) -> Graph:
    path = shared_dir / "reference" / "dcat-ap-3.0.1" / "dcat-ap-SHACL.ttl"
    shapes = Graph().parse(path, format="turtle")
    # The official file names two property shapes of dcat:DataService that it never defines
    # (like its separate ranges.ttl); pyshacl refuses such a shapes graph once a DataService is
    # in the data. Dropping the two dangling references keeps every constraint the file has.
    dangling = [(s, o) for s, o in shapes.subject_objects(SH.property) if shapes.value(o, SH.path) is None]
    assert len(dangling) == 2, dangling
    for s, o in dangling:
        shapes.remove((s, SH.property, o))
    return shapes


def _violations(catalog: Graph, shapes: Graph) -> str:
    conforms, _, text = validate(catalog, shacl_graph=shapes, inference="none")
    return "" if conforms else text


def test_the_committed_catalogue_conforms_to_dcat_ap_3_0_1(dcat_ap_shapes: Graph) -> None:
    catalog = Graph().parse(ROOT / "output" / "latest" / "catalog.ttl", format="turtle")
    assert _violations(catalog, dcat_ap_shapes) == ""


@pytest.fixture(scope="module")
def configured(tmp_path_factory):
    out = tmp_path_factory.mktemp("dcat")
    settings = Settings(output=out, download_base="https://data.example.fi/servicegraph/{release}",
                        sparql_endpoint="https://data.example.fi/sparql")
    result = assemble.publish(catalogue_to_graph(sample_catalogue(), settings), out, settings=settings,
                              manifest_dates=["2025-01-15"])
    return Graph().parse(result.path / "catalog.ttl", format="turtle"), result


def test_a_catalogue_with_a_download_base_and_a_sparql_endpoint_conforms(configured, dcat_ap_shapes: Graph) -> None:
    catalog, _ = configured
    assert _violations(catalog, dcat_ap_shapes) == ""


def test_every_distribution_is_downloadable_from_the_download_base(configured) -> None:
    catalog, result = configured
    dists = list(catalog.subjects(RDF.type, DCAT.Distribution))
    assert len(dists) == 6  # 2 dataset files + context + ontology + 1 area x 2
    for dist in dists:
        name = str(catalog.value(dist, DCTERMS.title))
        url = str(catalog.value(dist, DCAT.downloadURL))
        assert url == f"https://data.example.fi/servicegraph/{result.release_id}/{name}"
        assert catalog.value(dist, DCAT.accessURL) == URIRef(url)
        assert (result.path / name).is_file()
        assert str(catalog.value(dist, DCTERMS.license)).startswith(EU + "licence/")
        assert str(catalog.value(dist, DCTERMS.format)).startswith(EU + "file-type/")
        checksum = catalog.value(dist, SPDX.checksum)
        assert catalog.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256


def test_the_sparql_endpoint_is_a_data_service_serving_the_dataset(configured) -> None:
    catalog, _ = configured
    (service,) = catalog.subjects(RDF.type, DCAT.DataService)
    assert catalog.value(service, DCAT.endpointURL) == URIRef("https://data.example.fi/sparql")
    assert (service, DCAT.servesDataset, None) in catalog


def test_release_dates_contact_point_and_one_publisher(configured) -> None:
    catalog, _ = configured
    (dataset,) = catalog.subjects(RDF.type, DCAT.Dataset)
    assert catalog.value(dataset, DCTERMS.issued) == Literal("2025-01-15", datatype=XSD.date)
    assert catalog.value(dataset, DCTERMS.modified) == Literal("2025-01-15", datatype=XSD.date)
    assert len(list(catalog.objects(dataset, DCTERMS.publisher))) == 1
    assert list(catalog.objects(dataset, DCTERMS.creator))  # the employment areas
    contact = catalog.value(dataset, DCAT.contactPoint)
    assert str(catalog.value(contact, URIRef("http://www.w3.org/2006/vcard/ns#hasEmail"))).startswith("mailto:")
    assert catalog.value(dataset, DCTERMS.language) == URIRef(EU + "language/FIN")


def test_an_undated_release_takes_its_date_from_source_date_epoch(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764547200")  # 2025-12-01
    settings = Settings(output=tmp_path)
    result = assemble.publish(catalogue_to_graph(sample_catalogue(), settings), tmp_path, settings=settings)
    catalog = Graph().parse(result.path / "catalog.ttl", format="turtle")
    (dataset,) = catalog.subjects(RDF.type, DCAT.Dataset)
    assert catalog.value(dataset, DCTERMS.issued) == Literal("2025-12-01", datatype=XSD.date)
