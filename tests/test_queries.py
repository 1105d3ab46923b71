"""The canned queries answer their questions, identically from the Turtle (Oxigraph) and from
the JSON-LD (rdflib), and the query command refuses what it must."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import PROJECT_ROOT, Settings
from pipeline.publish import assemble, release
from pipeline.publish.serialise import read_jsonld
from pipeline.rdf.mapping import catalogue_to_graph
from pipeline.store import QueryError, canned_query, format_result, query_header, run_query
from sample_catalogue import sample_catalogue

QUERIES = sorted((PROJECT_ROOT / "queries").glob("*.rq"))
SVC = "https://servicegraph.example.org/id/service/paijat-hameen-tyollisyysalue/"
TSA = "https://servicegraph.example.org/def/tem-service-area/"


@pytest.fixture(scope="module")
def release_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out")
    data = catalogue_to_graph(sample_catalogue(), Settings())
    return assemble.publish(data, out, settings=Settings(output=out)).path


# Oxigraph stores the types derived from xsd:integer as xsd:integer (it keeps the value, not
# the declared subtype: "3"^^xsd:positiveInteger comes back as "3"^^xsd:integer); rdflib keeps
# the declared type. Same value, so compare them as xsd:integer (docs/queries.md says so).
INTEGER_SUBTYPES = {XSD.positiveInteger, XSD.nonNegativeInteger, XSD.int, XSD.long, XSD.short, XSD.unsignedInt}


def _normalise(value):
    if isinstance(value, Literal) and value.datatype == XSD.string:
        return Literal(str(value))
    if isinstance(value, Literal) and value.datatype in INTEGER_SUBTYPES:
        return Literal(str(value), datatype=XSD.integer)
    return value


def _rows_from_rdflib(graph: Graph, sparql: str) -> list[tuple]:
    result = graph.query(sparql)
    if result.type == "ASK":
        return [(result.askAnswer,)]
    return sorted((tuple(_normalise(v) for v in row) for row in result), key=lambda r: [x.n3() if x is not None else "" for x in r])


def _rows_from_store(release_dir: Path, sparql: str) -> list[tuple]:
    result = run_query(sparql, release_dir)
    if result.kind == "ask":
        return [(result.boolean,)]
    return sorted((tuple(_normalise(v) for v in row) for row in result.rows), key=lambda r: [x.n3() if x is not None else "" for x in r])


def _titles(release_dir: Path, name: str, column: str = "title") -> set[str]:
    result = run_query(canned_query(name), release_dir)
    i = result.variables.index(column)
    return {str(r[i]) for r in result.rows}


def test_every_canned_query_has_a_title_and_says_what_it_answers():
    assert len(QUERIES) >= 6
    for q in QUERIES:
        header = query_header(q.read_text(encoding="utf-8"))
        assert header.get("title") and header.get("answers"), q.name


@pytest.mark.parametrize("query", QUERIES, ids=lambda p: p.stem)
def test_turtle_in_oxigraph_and_jsonld_in_rdflib_give_the_same_answers(query, release_dir):
    sparql = query.read_text(encoding="utf-8")
    jsonld = read_jsonld(release_dir / "servicegraph.jsonld")
    for extra in ("ontology.ttl", "catalog.ttl"):  # what the store loads besides the data
        jsonld.parse(release_dir / extra, format="turtle")
    from_store = _rows_from_store(release_dir, sparql)
    assert from_store, f"{query.name} finds nothing in the sample catalogue"
    assert from_store == _rows_from_rdflib(jsonld, sparql)


def test_services_per_tem_area_keeps_both_audiences_classifications(release_dir):
    result = run_query(canned_query("services-per-tem-area"), release_dir)
    pairs = {(str(r[0]), str(r[2])) for r in result.rows}
    assert (TSA + "1", SVC + "palkkatuki-ja-tyollistamistuki") in pairs
    assert (TSA + "6", SVC + "palkkatuki-ja-tyollistamistuki") in pairs
    assert (TSA + "not-in-architecture", SVC + "palveluihin-ohjaaminen-ja-neuvonta") in pairs


def test_classification_differs_by_audience_finds_palkkatuki(release_dir):
    assert _titles(release_dir, "classification-differs-by-audience") == {"Palkkatuki ja työllistämistuki"}


def test_statutory_purchased_finds_tyovoimakoulutus_and_possible_language_teaching(release_dir):
    result = run_query(canned_query("statutory-purchased"), release_dir)
    rows = {str(r[1]): r for r in result.rows}
    assert "Työvoimakoulutus" in rows
    possible = result.variables.index("possible")
    assert rows["Kielen opetus / suomen kielen opetus"][possible] == Literal(True)


def test_immigrant_and_multiprofessional_include_the_slides_integration_process(release_dir):
    result = run_query(canned_query("immigrant-or-multiprofessional"), release_dir)
    found = {(str(r[1]), str(r[2])) for r in result.rows}
    assert ("Monikielinen yhteiskuntaorientaatio", "kotoutuja") in found
    assert ("Muutosturvapalvelut", "monialainen") in found


def test_provenance_names_document_page_and_box(release_dir):
    result = run_query(canned_query("provenance"), release_dir)
    v = result.variables
    rows = [dict(zip(v, r)) for r in result.rows if str(r[v.index("title")]) == "Starttiraha"]
    assert rows and all(int(r["page"]) >= 1 and len(str(r["bbox"]).split()) == 4 for r in rows)
    assert all(str(r["source"]).endswith("/source/002-liitetaulukko") for r in rows)


def test_update_is_refused_with_a_clear_error(release_dir):
    with pytest.raises(QueryError, match="SPARQL Update is not allowed"):
        run_query("INSERT DATA { <urn:a> <urn:b> <urn:c> }", release_dir)
    with pytest.raises(QueryError, match="invalid SPARQL"):
        run_query("SELECT WHERE {", release_dir)


def test_unknown_canned_query_lists_the_known_ones():
    with pytest.raises(QueryError, match="known: .*provenance"):
        canned_query("no-such-query")


def test_query_without_a_release_names_the_folder(tmp_path):
    with pytest.raises(QueryError, match=str(tmp_path)):
        run_query("ASK {}", tmp_path)


def test_result_formats(release_dir):
    result = run_query(canned_query("services-per-tem-area-count"), release_dir)
    as_json = json.loads(format_result(result, "json"))
    assert as_json["head"]["vars"] == ["area", "areaLabel", "services"]
    first = as_json["results"]["bindings"][0]
    assert first["services"]["datatype"] == str(XSD.integer)
    csv_lines = format_result(result, "csv").splitlines()
    assert csv_lines[0] == "area,areaLabel,services" and csv_lines[1].startswith(TSA + "1,Työn löytyminen,")
    table = format_result(result, "table", {"tsa": TSA})
    assert "tsa:1" in table and table.endswith(f"({len(result.rows)} rows)")


def test_cli_query_by_name_and_refuses_updates(release_dir):
    runner = CliRunner()
    ok = runner.invoke(app, ["query", "--name", "services-per-tem-area-count", "--format", "csv", "--release", str(release_dir)])
    assert ok.exit_code == 0, ok.output
    assert "Työn löytyminen" in ok.output
    refused = runner.invoke(app, ["query", "DELETE WHERE { ?s ?p ?o }", "--release", str(release_dir)])
    assert refused.exit_code == 1 and "SPARQL Update is not allowed" in refused.output


LATEST = PROJECT_ROOT / "output" / "latest"


@pytest.mark.skipif(not (LATEST / "servicegraph.ttl").exists(), reason="no committed release in output/latest yet")
@pytest.mark.parametrize("query", QUERIES, ids=lambda p: p.stem)
def test_committed_release_gives_the_same_answers_from_turtle_and_jsonld(query):
    sparql = query.read_text(encoding="utf-8")
    jsonld = read_jsonld(LATEST / "servicegraph.jsonld")
    for extra in ("ontology.ttl", "catalog.ttl"):
        jsonld.parse(LATEST / extra, format="turtle")
    assert _rows_from_store(LATEST, sparql) == _rows_from_rdflib(jsonld, sparql)
