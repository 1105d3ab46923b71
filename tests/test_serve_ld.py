"""`servicegraph serve-ld` as a user runs it: the real command in its own process on a free port,
over a copy of the committed release (built from raw/), asked over HTTP.

What it must do (issue 15, item 1; docs/queries.md, "The front door"): IRIs under /id/ and /def/
answer 303 by Accept to documents that parse (rdflib and Oxigraph, two independent parsers) and
hold the resource's triples and the labels of what it points at; unknown IRIs are 404; /sparql
answers GET and POST, read-only, with CORS; a new release is served without a moment of empty
answers; a busy or invalid port is one line and exit 1; Ctrl-C stops at once without a traceback.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDFS, SKOS

import reliability_helpers as rh
from front_door import ServeLd, release_graph, servicegraph_command, start_serve_ld
from pipeline.config import Settings
from pipeline.sparql.server import free_port

pytestmark = pytest.mark.slow

BASE = Settings().base_iri
DEF = Settings().def_iri
CPSV = Namespace("http://purl.org/vocab/cpsv#")
SG = Namespace(DEF + "ontology#")
LABELS = (SKOS.prefLabel, RDFS.label, DCTERMS.title)
DOCUMENT_TYPES = {  # Accept -> (extension, content type, rdflib format, Oxigraph format)
    "text/turtle": ("ttl", "text/turtle", "turtle", ox.RdfFormat.TURTLE),
    "application/ld+json": ("jsonld", "application/ld+json", "json-ld", ox.RdfFormat.JSON_LD),
    "application/n-triples": ("nt", "application/n-triples", "nt", ox.RdfFormat.N_TRIPLES),
}
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
COUNT_SERVICES = "SELECT (COUNT(?s) AS ?n) WHERE { ?s a <http://purl.org/vocab/cpsv#PublicService> }"


@pytest.fixture(scope="module")
def output(tmp_path_factory) -> Path:
    return rh.copy_output(rh.ROOT / "output", tmp_path_factory.mktemp("serve-ld") / "output")


@pytest.fixture(scope="module")
def server(output: Path, tmp_path_factory):
    running = start_serve_ld(output, tmp_path_factory.mktemp("serve-ld-work"))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def graph(output: Path) -> Graph:
    return release_graph(output / "latest")


@pytest.fixture(scope="module")
def client(server: ServeLd):
    with httpx.Client(base_url=server.base, follow_redirects=False, timeout=30) as c:
        yield c


def _services(graph: Graph) -> list[URIRef]:
    return sorted(s for s in graph.subjects(RDF.type, CPSV.PublicService) if isinstance(s, URIRef))


@pytest.fixture(scope="module")
def service(graph: Graph) -> URIRef:
    """The first service (by IRI) that has entries, a classification and an audience."""
    for s in _services(graph):
        if (s, SG.hasEntry, None) in graph and (s, DCTERMS.audience, None) in graph:
            return s
    raise AssertionError("the committed release has no service with entries and an audience")


def _path(iri: str) -> str:
    """The server path of an IRI: /id/… for the data base, /def/… for the definitions."""
    if iri.startswith(BASE):
        return "/id/" + iri[len(BASE):]
    assert iri.startswith(DEF), iri
    return "/def/" + iri[len(DEF):].split("#")[0]


# --------------------------------------------------------------------------- IRIs and documents


@pytest.mark.parametrize("accept", [*DOCUMENT_TYPES, "text/html", BROWSER_ACCEPT])
def test_a_service_iri_answers_303_with_vary_accept_to_the_document_the_client_asks_for(client, server, service, accept):
    answer = client.get(_path(service), headers={"Accept": accept})
    assert answer.status_code == 303
    assert "accept" in [v.strip().lower() for v in answer.headers["vary"].split(",")]
    rest = service[len(BASE):]
    if accept in DOCUMENT_TYPES:
        assert answer.headers["location"] == f"/doc/id/{rest}.{DOCUMENT_TYPES[accept][0]}"
    elif (server.output / "latest" / "site" / "id" / f"{rest}.html").is_file():
        assert answer.headers["location"] == f"/site/id/{rest}.html"
    else:  # without a page in the release, HTML is not on offer: a browser gets Turtle
        assert answer.headers["location"] == f"/doc/id/{rest}.ttl"


@pytest.mark.parametrize("accept", list(DOCUMENT_TYPES))
def test_documents_parse_with_rdflib_and_oxigraph_and_hold_the_description_and_the_labels(
    client, graph, service, accept
):
    ext, media, rdflib_format, ox_format = DOCUMENT_TYPES[accept]
    document = client.get(client.get(_path(service), headers={"Accept": accept}).headers["location"])
    assert document.status_code == 200
    assert document.headers["content-type"].split(";")[0] == media
    parsed = Graph().parse(data=document.content, format=rdflib_format)
    by_oxigraph = list(ox.parse(document.content, format=ox_format))
    assert len(by_oxigraph) == len(parsed) > 0
    assert {(str(t.subject.value), str(t.predicate.value)) for t in by_oxigraph} == {
        (str(s), str(p)) for s, p, _ in parsed}
    # Its concise bounded description: every triple of the release about it (no blank nodes).
    own = set(graph.triples((service, None, None)))
    assert own and set(parsed.triples((service, None, None))) == own
    # The labels of what it points at, and nothing about other resources beyond them.
    targets = {o for _, _, o in own if isinstance(o, URIRef)}
    expected_labels = {(o, p, label) for o in targets for p in LABELS for label in graph.objects(o, p)}
    assert expected_labels, "the service points at labelled resources (its area, audience, organisation)"
    assert expected_labels <= set(parsed)
    assert set(parsed) == own | expected_labels


def test_every_resource_of_the_release_dereferences(client, graph):
    """Every subject IRI under the two bases answers 303 to its Turtle document."""
    subjects = sorted({s for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith((BASE, DEF))})
    assert len(subjects) > 500
    wrong = []
    for s in subjects:
        answer = client.get(_path(s), headers={"Accept": "text/turtle"})
        if answer.status_code != 303 or not answer.headers["location"].endswith(".ttl"):
            wrong.append((s, answer.status_code))
    assert wrong == []


@pytest.mark.parametrize("path", [
    "/id/service/no-such-area/no-such-service",
    "/id/",
    "/id/service",  # a prefix of IRIs, not an IRI the release describes
    "/id/a%20b",  # not an IRI at all
    "/def/no-such-scheme",
    "/def/ontology/Entry",  # the ontology has hash IRIs: /def/ontology#Entry
    "/doc/id/service/no-such-area/no-such-service.ttl",
    "/doc/other/service.ttl",
    "/site/no-such-page.html",
])
def test_an_unknown_iri_or_document_is_404(client, path):
    assert client.get(path, headers={"Accept": "text/turtle"}).status_code == 404


def test_a_document_in_an_unknown_format_is_404(client, service):
    assert client.get(f"/doc/id/{service[len(BASE):]}.xml").status_code == 404


def test_ontology_terms_dereference_through_the_ontology_document(client, graph):
    """Hash IRIs: {def}ontology#Entry is read from /def/ontology, which describes every term."""
    answer = client.get("/def/ontology#Entry", headers={"Accept": "text/turtle"})
    assert answer.status_code == 303 and answer.headers["location"] == "/doc/def/ontology.ttl"
    parsed = Graph().parse(data=client.get(answer.headers["location"]).content, format="turtle")
    ontology = URIRef(DEF + "ontology")
    terms = {s for s in graph.subjects(RDFS.isDefinedBy, ontology) if str(s).startswith(f"{ontology}#")}
    assert SG.Entry in terms and len(terms) > 20
    for term in terms:
        assert set(parsed.triples((term, None, None))) == set(graph.triples((term, None, None)))
    assert (ontology, None, None) in parsed


def test_concept_schemes_and_concepts_dereference_with_their_labels(client, graph):
    schemes = sorted(graph.subjects(RDF.type, SKOS.ConceptScheme))
    assert len(schemes) >= 5
    for scheme in schemes:
        concept = sorted(graph.subjects(SKOS.inScheme, scheme))[0]
        for iri in (scheme, concept):
            answer = client.get(_path(iri), headers={"Accept": "application/ld+json"})
            assert answer.status_code == 303, iri
            parsed = Graph().parse(data=client.get(answer.headers["location"]).content, format="json-ld")
            assert set(parsed.triples((iri, None, None))) == set(graph.triples((iri, None, None)))
        languages = {label.language for label in parsed.objects(concept, SKOS.prefLabel)}
        assert {"fi", "en"} <= languages, concept


# --------------------------------------------------------------------------- the site


def test_html_goes_to_the_page_that_the_release_site_has(client, server, graph, service):
    """With a site/ in the release, text/html is offered: 303 to the page docs/site.md places it at.

    A release without a site (the committed one, until the generator's branch is merged) gets
    stand-in pages written by this test: what is tested is the server's routing and static
    serving, with the paths written out by hand from the contract (docs/site.md), not computed by
    page_for_iri. A release with a site is tested on its own pages, and left as it is.
    """
    other = [s for s in _services(graph) if s != service][0]
    rest = other[len(BASE):]  # service/{area}/{name}
    title = str(graph.value(other, DCTERMS.title))
    entry = sorted(graph.objects(other, SG.hasEntry))[0]
    source, entry_name = entry[len(BASE):].split("/")[1:3]  # entry/{source}/{entry}
    site = server.output / "latest" / "site"
    stand_ins = not (site / "index.html").is_file()
    pages = {f"id/{rest}.html": f"<!doctype html><title>{title}</title><h1>{title}</h1>\n",
             f"id/entry/{source}.html": "<!doctype html><title>entries</title>\n",
             "index.html": "<!doctype html><title>index</title>\n"}
    try:
        for page, html in pages.items() if stand_ins else ():
            (site / page).parent.mkdir(parents=True, exist_ok=True)
            (site / page).write_text(html, encoding="utf-8")
        answer = client.get(_path(other), headers={"Accept": BROWSER_ACCEPT})
        assert answer.status_code == 303 and answer.headers["location"] == f"/site/id/{rest}.html"
        page = client.get(answer.headers["location"])
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert title in page.text
        # An entry has no page of its own: it is a fragment of its source's entry list.
        answer = client.get(_path(entry), headers={"Accept": "text/html"})
        assert answer.headers["location"] == f"/site/id/entry/{source}.html#{entry_name}"
        # Asking for Turtle still gets Turtle.
        answer = client.get(_path(other), headers={"Accept": "text/turtle"})
        assert answer.headers["location"] == f"/doc/id/{rest}.ttl"
        assert client.get("/").headers["location"] == "/site/index.html"
        assert client.get("/site/../servicegraph.ttl").status_code == 404
    finally:
        if stand_ins:
            shutil.rmtree(site, ignore_errors=True)
    if stand_ins:  # gone again: HTML is no longer on offer
        assert client.get(_path(other), headers={"Accept": "text/html"}).headers["location"].endswith(".ttl")


# --------------------------------------------------------------------------- SPARQL


def test_sparql_answers_get_and_both_posts_alike(client, graph):
    expected = len(_services(graph))
    answers = [
        client.get("/sparql", params={"query": COUNT_SERVICES}),
        client.post("/sparql", data={"query": COUNT_SERVICES}),
        client.post("/sparql", content=COUNT_SERVICES.encode(), headers={"Content-Type": "application/sparql-query"}),
    ]
    for answer in answers:
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "application/sparql-results+json"
        assert int(answer.json()["results"]["bindings"][0]["n"]["value"]) == expected
    csv = client.get("/sparql", params={"query": COUNT_SERVICES}, headers={"Accept": "text/csv"})
    assert csv.headers["content-type"].startswith("text/csv") and csv.text.split() == ["n", str(expected)]
    construct = client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s a <http://purl.org/vocab/cpsv#PublicService> }"})
    assert construct.headers["content-type"].startswith("text/turtle")
    assert len(Graph().parse(data=construct.content, format="turtle")) == expected
    assert client.get("/sparql", params={"query": "SELEKT nothing"}).status_code == 400
    assert client.get("/sparql").status_code == 400


@pytest.mark.parametrize("how", ["query-param", "form-query", "form-update", "update-body"])
def test_sparql_is_read_only(client, how):
    update = "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }"
    if how == "query-param":
        answer = client.get("/sparql", params={"query": update})
    elif how == "form-query":
        answer = client.post("/sparql", data={"query": update})
    elif how == "form-update":
        answer = client.post("/sparql", data={"update": update})
    else:
        answer = client.post("/sparql", content=update.encode(), headers={"Content-Type": "application/sparql-update"})
    assert answer.status_code == 403 and "read-only" in answer.text
    ask = client.get("/sparql", params={"query": "ASK { <urn:x:a> ?p ?o }"})
    assert ask.json()["boolean"] is False


def test_sparql_refuses_a_federated_query(client):
    answer = client.get("/sparql", params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"})
    assert answer.status_code == 403 and "SERVICE" in answer.text
    # A variable or a term named service is no federated query.
    ok = client.get("/sparql", params={"query": "SELECT ?service WHERE { ?service a <http://purl.org/vocab/cpsv#PublicService> } LIMIT 1"})
    assert ok.status_code == 200


def test_sparql_sends_cors_headers_and_answers_the_preflight(client):
    origin = {"Origin": "https://app.example.net"}
    get = client.get("/sparql", params={"query": "ASK {}"}, headers=origin)
    assert get.headers["access-control-allow-origin"] == "*"
    post = client.post("/sparql", data={"query": "ASK {}"}, headers=origin)
    assert post.headers["access-control-allow-origin"] == "*"
    preflight = client.options("/sparql", headers={**origin, "Access-Control-Request-Method": "POST",
                                                   "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert {"GET", "POST"} <= {m.strip() for m in preflight.headers["access-control-allow-methods"].split(",")}
    assert "content-type" in preflight.headers["access-control-allow-headers"].lower()


# --------------------------------------------------------------------------- a new release


def test_a_new_release_is_served_and_no_query_during_the_swap_gets_an_empty_answer(tmp_path):
    from pipeline.publish import assemble
    from pipeline.rdf.mapping import catalogue_to_graph
    from sample_catalogue import sample_catalogue

    output = rh.copy_output(rh.ROOT / "output", tmp_path / "output")
    old_count = len(_services(release_graph(output / "latest")))
    running = start_serve_ld(output, tmp_path / "work")
    answers: list[object] = []
    stop = threading.Event()

    def ask_again_and_again() -> None:
        deadline = time.monotonic() + 180  # bounded: the loop ends by itself
        with httpx.Client(base_url=running.base, timeout=30) as c:
            while not stop.is_set() and time.monotonic() < deadline:
                try:
                    r = c.get("/sparql", params={"query": COUNT_SERVICES})
                    answers.append(int(r.json()["results"]["bindings"][0]["n"]["value"]) if r.status_code == 200
                                   else f"HTTP {r.status_code}")
                except (httpx.HTTPError, KeyError, IndexError, ValueError) as exc:
                    answers.append(repr(exc))

    loop = threading.Thread(target=ask_again_and_again)
    try:
        loop.start()
        while len(answers) < 20:
            time.sleep(0.02)
        data = catalogue_to_graph(sample_catalogue(), Settings())
        new = assemble.publish(data, output, settings=Settings(output=output))
        new_count = len(_services(release_graph(new.path)))
        assert new_count != old_count
        deadline = time.monotonic() + 60
        while new_count not in answers[-3:]:
            assert time.monotonic() < deadline, f"still serving the old release: {answers[-3:]}"
            time.sleep(0.05)
        seen = len(answers)
        while len(answers) < seen + 20:
            time.sleep(0.02)
    finally:
        stop.set()
        loop.join(timeout=60)
        running.stop()
    assert set(answers) == {old_count, new_count}, sorted(set(map(str, answers)))
    switched = answers.index(new_count)
    assert all(a == new_count for a in answers[switched:]), "went back to the old release"


# --------------------------------------------------------------------------- starting and stopping


def _run_briefly(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(servicegraph_command("serve-ld", *args), cwd=rh.ROOT, env=rh.run_env(tmp_path / "cache"),
                          capture_output=True, text=True, timeout=120)


def test_a_busy_port_is_one_line_and_exit_1(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = _run_briefly(tmp_path, "--port", str(port), "--output", str(rh.ROOT / "output"))
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"error: port {port} on 127.0.0.1 is already in use by another program (choose another with --port)"]
    assert done.stdout == ""


@pytest.mark.parametrize("port", ["99999", "0", "-1"])
def test_an_invalid_port_is_one_line_and_exit_1(tmp_path, port):
    done = _run_briefly(tmp_path, "--port", port, "--output", str(rh.ROOT / "output"))
    assert done.returncode == 1
    assert done.stderr.splitlines() == [f"error: port {port} is out of range (1-65535)"]


def test_no_release_is_one_line_and_exit_1(tmp_path):
    (tmp_path / "empty").mkdir()
    done = _run_briefly(tmp_path, "--port", str(free_port()), "--output", str(tmp_path / "empty"))
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "no published release" in lines[0]


def test_ctrl_c_stops_the_server_at_once_without_a_traceback(tmp_path):
    running = start_serve_ld(rh.ROOT / "output", tmp_path / "work")
    sent = time.monotonic()
    os.killpg(running.proc.pid, signal.SIGINT)  # the terminal's Ctrl-C: the whole foreground group
    running.proc.wait(timeout=30)
    took = time.monotonic() - sent
    stdout, stderr = running.stdout(), running.stderr()
    assert running.proc.returncode == 0, stderr
    assert took < 5, f"took {took:.1f} s"
    assert "Traceback" not in stdout + stderr and stderr == ""
    assert stdout.startswith("linked data for ")
    with socket.socket() as again:  # the port is free again
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", running.port))


def test_the_document_bytes_do_not_depend_on_the_server_run(client, service, tmp_path):
    """Deterministic output: a second server over the same release gives the same bytes."""
    first = client.get(f"/doc/id/{service[len(BASE):]}.ttl").content
    second_server = start_serve_ld(rh.ROOT / "output", tmp_path / "work")
    try:
        second = httpx.get(f"{second_server.base}/doc/id/{service[len(BASE):]}.ttl", timeout=30).content
    finally:
        second_server.stop()
    assert first == second
