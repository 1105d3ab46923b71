"""The canned queries answer their questions, identically from the Turtle (Oxigraph) and from
the JSON-LD (rdflib), and the query command refuses what it must."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import PROJECT_ROOT, Settings
from pipeline.publish import assemble, release
from pipeline.publish.serialise import read_jsonld
from pipeline.rdf.mapping import catalogue_to_graph
from pipeline.store import (QueryError, bind_values, canned_query, load_store, query_header, query_store, run_query, run_raw,
                            write_result)
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


def test_select_results_are_written_by_oxigraphs_serialisers_and_agree_with_the_rdflib_rows(release_dir):
    sparql = canned_query("services-per-tem-area-count")
    rows = run_query(sparql, release_dir).rows
    as_json = json.loads(write_result(run_raw(sparql, release_dir), "json"))
    assert as_json["head"]["vars"] == ["area", "areaLabel", "services"]
    bindings = as_json["results"]["bindings"]
    assert [(b["area"]["value"], int(b["services"]["value"])) for b in bindings] == [(str(r[0]), int(r[2])) for r in rows]
    assert bindings[0]["services"]["datatype"] == str(XSD.integer)
    assert bindings[0]["areaLabel"]["xml:lang"] == "fi"
    csv_lines = write_result(run_raw(sparql, release_dir), "csv").decode().splitlines()
    assert csv_lines[0] == "area,areaLabel,services" and csv_lines[1].startswith(TSA + "1,Työn löytyminen,")
    tsv_lines = write_result(run_raw(sparql, release_dir), "tsv").decode().splitlines()
    assert tsv_lines[0] == "?area\t?areaLabel\t?services" and tsv_lines[1].startswith(f"<{TSA}1>\t\"Työn löytyminen\"@fi\t")
    xml = write_result(run_raw(sparql, release_dir), "xml").decode()
    assert xml.count("<result>") == len(rows) and "http://www.w3.org/2005/sparql-results#" in xml
    ask = write_result(run_raw("ASK { ?s ?p ?o }", release_dir), "json")
    assert json.loads(ask)["boolean"] is True


def test_the_table_shortens_iris_with_the_published_prefixes_and_the_data_base_iri(release_dir):
    from pipeline.store import TABLE_CELL_MAX, display_prefixes

    settings = Settings()
    count = write_result(run_raw(canned_query("services-per-tem-area-count"), release_dir), None, display_prefixes(settings))
    table = count.decode()
    assert "tsa:1 " in table and TSA not in table and table.endswith(f"({len(table.splitlines()) - 3} rows)\n")
    provenance = write_result(run_raw(canned_query("provenance"), release_dir), "table", display_prefixes(settings)).decode()
    assert "id:service/paijat-hameen-tyollisyysalue/" in provenance and "id:source/" in provenance
    assert settings.base_iri not in provenance
    header = provenance.splitlines()[0]
    assert len(header) <= 8 * (TABLE_CELL_MAX + 3)  # eight columns, none wider than a cell may be


def test_construct_and_describe_write_turtle_by_default_with_the_prefixes_they_use(release_dir):
    from pipeline.store import display_prefixes

    prefixes = display_prefixes(Settings())
    sparql = f"DESCRIBE <{TSA}1>"
    turtle = write_result(run_raw(sparql, release_dir), None, prefixes)
    assert turtle.startswith(b"@prefix ") and b"skos:prefLabel" in turtle
    assert b"@prefix tsa: <" + TSA.encode() + b">" in turtle and b"@prefix dl:" not in turtle  # only those used
    graph = Graph().parse(data=turtle, format="turtle")
    assert (URIRef(TSA + "1"), None, Literal("Työn löytyminen", lang="fi")) in graph
    nt = Graph().parse(data=write_result(run_raw(sparql, release_dir), "ntriples", prefixes), format="nt")
    jsonld = Graph().parse(data=write_result(run_raw(sparql, release_dir), "jsonld", prefixes), format="json-ld")
    assert set(graph) == set(nt) == set(jsonld) and len(graph) >= 5
    with pytest.raises(QueryError, match="for SELECT and ASK"):
        write_result(run_raw(sparql, release_dir), "csv")
    with pytest.raises(QueryError, match="for CONSTRUCT and DESCRIBE"):
        write_result(run_raw("SELECT * WHERE { ?s ?p ?o } LIMIT 1", release_dir), "turtle")


def test_cli_query_writes_construct_as_turtle_and_refuses_an_unknown_format(release_dir):
    runner = CliRunner()
    q = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> CONSTRUCT { ?c skos:prefLabel ?l } WHERE { ?c skos:prefLabel ?l }"
    ok = runner.invoke(app, ["query", q, "--release", str(release_dir)])
    assert ok.exit_code == 0, ok.output
    graph = Graph().parse(data=ok.stdout, format="turtle")
    assert (URIRef(TSA + "1"), None, Literal("Finding work", lang="en")) in graph
    bad = runner.invoke(app, ["query", q, "--format", "yaml", "--release", str(release_dir)])
    assert bad.exit_code == 2 and bad.output.startswith("error: --format yaml: unknown format")


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


@pytest.mark.parametrize("query", QUERIES, ids=lambda p: p.stem)
def test_the_per_area_form_answers_from_the_area_file_alone(query, release_dir):
    """`--area` loads areas/{area}.ttl instead of the whole dataset; with one area in the release
    the answer is the same, which shows the area file carries everything the queries read."""
    (area,) = [p.stem for p in (release_dir / "areas").glob("*.ttl")]
    sparql = query.read_text(encoding="utf-8")
    whole = write_result(run_raw(sparql, release_dir), "csv")
    assert write_result(run_raw(sparql, release_dir, area=area), "csv") == whole


def test_cli_query_refuses_an_unknown_area_in_one_line(release_dir):
    result = CliRunner().invoke(app, ["query", "--name", "provenance", "--area", "nowhere", "--release", str(release_dir)])
    assert result.exit_code == 1
    assert result.output.startswith("error: ") and "no employment area 'nowhere'" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_bind_restricts_a_query_to_one_service_and_refuses_a_variable_it_does_not_select(release_dir):
    service = SVC + "palkkatuki-ja-tyollistamistuki"
    sparql = canned_query("provenance")
    whole = run_query(sparql, release_dir)
    i = whole.variables.index("service")
    expected = sorted(r for r in whole.rows if str(r[i]) == service)
    bound = run_query(bind_values(sparql, {"service": service}), release_dir)
    assert expected and sorted(bound.rows) == expected
    runner = CliRunner()
    ok = runner.invoke(app, ["query", "--name", "provenance", "--bind", "service=id:service/paijat-hameen-tyollisyysalue/"
                             "palkkatuki-ja-tyollistamistuki", "--format", "csv", "--release", str(release_dir)])
    assert ok.exit_code == 0 and len(list(csv.reader(io.StringIO(ok.stdout)))) == len(expected) + 1
    refused = runner.invoke(app, ["query", "--name", "services-per-tem-area-count", "--bind", f"service={service}",
                                  "--release", str(release_dir)])
    assert refused.exit_code == 1 and refused.output.strip() == "error: --bind service=…: the query does not select ?service"


# --------------------------------------------------------------------------- differs-by-audience, precomputed

CHECKS = PROJECT_ROOT / "queries" / "checks"
SG = "https://servicegraph.example.org/def/ontology#"


def _release(which: str, sample: Path) -> Path:
    if which == "sample release":
        return sample
    if not (LATEST / "servicegraph.ttl").exists():
        pytest.skip("no committed release in output/latest yet")
    return LATEST


FORMER_SHAPES = {  # canned query -> its former, slower shape, kept in queries/checks/
    "classification-differs-by-audience": "classification-differs-by-audience-from-entries.rq",
    "immigrant-or-multiprofessional": "immigrant-or-multiprofessional-union-first.rq",
}


@pytest.mark.parametrize("which", ["sample release", "committed release"])
@pytest.mark.parametrize("name", sorted(FORMER_SHAPES))
def test_a_rewritten_query_gives_the_rows_of_its_former_shape(name, which, release_dir):
    """differs-by-audience now starts from sg:audienceDependentFacet (its former shape pairs every
    entry); immigrant-or-multiprofessional joins inside each UNION branch. Same columns, same rows:
    consumers see no difference."""
    release = _release(which, release_dir)
    new = run_query(canned_query(name), release)
    old = run_query((CHECKS / FORMER_SHAPES[name]).read_text(encoding="utf-8"), release)
    assert new.variables == old.variables
    assert new.rows and sorted(new.rows, key=repr) == sorted(old.rows, key=repr)


def test_differs_by_audience_finds_palkkatuki_on_the_committed_release():
    titles = _titles(_release("committed release", Path()), "classification-differs-by-audience")
    assert "Palkkatuki ja työllistämistuki" in titles


@pytest.mark.parametrize("which", ["sample release", "committed release"])
def test_audience_dependent_facet_mismatch_check_finds_nothing_on_a_published_release(which, release_dir):
    release = _release(which, release_dir)
    check = (CHECKS / "audience-dependent-facet-mismatches.rq").read_text(encoding="utf-8")
    assert query_store(load_store(release), check).rows == []


def test_audience_dependent_facet_mismatch_check_reports_a_missing_and_a_wrong_statement(release_dir):
    store = load_store(release_dir)
    facet, tem = ox.NamedNode(SG + "audienceDependentFacet"), ox.NamedNode(SG + "temServiceArea")
    palkkatuki, starttiraha = ox.NamedNode(SVC + "palkkatuki-ja-tyollistamistuki"), ox.NamedNode(SVC + "starttiraha")
    store.remove(ox.Quad(palkkatuki, facet, tem))
    store.add(ox.Quad(starttiraha, facet, tem))
    check = (CHECKS / "audience-dependent-facet-mismatches.rq").read_text(encoding="utf-8")
    rows = {(str(s), str(p), str(problem)) for s, p, problem in query_store(store, check).rows}
    assert rows == {(palkkatuki.value, tem.value, "not stated"), (starttiraha.value, tem.value, "stated, entries agree")}


def test_provenance_of_one_source_document_is_the_whole_answer_for_that_source():
    """`--bind source=IRI`: the page of provenance a reader checking one document asks for (the
    per-area answer of a large area is every box of every document: docs/queries.md)."""
    if not (LATEST / "servicegraph.ttl").exists():
        pytest.skip("no committed release in output/latest yet")
    sparql = canned_query("provenance")
    whole = run_query(sparql, LATEST)
    i = whole.variables.index("source")
    source = "https://servicegraph.example.org/id/source/000-palveluluokittelu"
    expected = [r for r in whole.rows if str(r[i]) == source]
    assert expected and len(expected) < len(whole.rows)
    assert run_query(bind_values(sparql, {"source": source}), LATEST).rows == expected  # same rows, same order
    ok = CliRunner().invoke(app, ["query", "--name", "provenance", "--bind", "source=id:source/000-palveluluokittelu",
                                  "--format", "csv", "--release", str(LATEST)])
    assert ok.exit_code == 0 and len(list(csv.reader(io.StringIO(ok.stdout)))) == len(expected) + 1
