"""The real `oxigraph` server answers SPARQL over HTTP on 127.0.0.1, and refuses updates when
read-only; a push replaces a named graph on a real read-write server."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import Settings
from pipeline.publish import assemble, release
from pipeline.rdf.mapping import catalogue_to_graph
from pipeline.sparql import push as push_mod
from pipeline.sparql.server import load_location, start_server, start_writable_empty
from pipeline.store import canned_query, run_query
from sample_catalogue import sample_catalogue

pytestmark = pytest.mark.slow
GRAPH = "https://servicegraph.example.org/id/dataset/servicegraph"


@pytest.fixture(scope="module")
def release_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out")
    data = catalogue_to_graph(sample_catalogue(), Settings())
    return assemble.publish(data, out, settings=Settings(output=out)).path


def _select(url: str, sparql: str) -> list[dict]:
    req = urllib.request.Request(
        url + "?" + urllib.parse.urlencode({"query": sparql}), headers={"Accept": "application/sparql-results+json"}
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.load(resp)["results"]["bindings"]


def test_read_only_endpoint_answers_canned_queries_and_refuses_updates(release_dir, tmp_path):
    location = load_location(release_dir, tmp_path / "store")
    with start_server(location) as server:
        assert server.base_url.startswith("http://127.0.0.1:")
        sparql = canned_query("services-per-tem-area-count")
        over_http = {(b["area"]["value"], int(b["services"]["value"])) for b in _select(server.query_url, sparql)}
        embedded = {(str(r[0]), int(r[2])) for r in run_query(sparql, release_dir).rows}
        assert over_http == embedded and len(over_http) >= 6
        update = urllib.request.Request(
            server.update_url,
            data=b"INSERT DATA { <urn:a> <urn:b> <urn:c> }",
            headers={"Content-Type": "application/sparql-update"},
            method="POST",
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(update, timeout=10)
        assert refused.value.code in (403, 404, 405)
        assert not _select(server.query_url, "SELECT * WHERE { <urn:a> ?p ?o }")
    assert server.process.poll() is not None  # stopped


def test_push_replaces_the_named_graph_and_reads_back(release_dir):
    with start_writable_empty() as server:
        payload = (release_dir / "servicegraph.ttl").read_bytes()
        stale = b"<urn:old> <urn:p> <urn:o> ."
        push_mod.push_turtle(server.store_url, stale, GRAPH, env={})
        result = push_mod.push_turtle(server.store_url, payload, GRAPH, env={})
        assert result.status in (200, 201, 204)
        with urllib.request.urlopen(push_mod.graph_url(server.store_url, GRAPH), timeout=10) as resp:
            back = Graph().parse(data=resp.read(), format="turtle")
        sent = Graph().parse(data=payload, format="turtle")
        assert len(back) == len(sent)  # PUT replaced the stale triple
        assert (URIRef("urn:old"), None, None) not in back
        count = _select(server.query_url, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}")
        assert int(count[0]["n"]["value"]) == len(sent)


def test_cli_push_sends_data_and_ontology(release_dir, monkeypatch):
    monkeypatch.delenv(push_mod.ENV_TOKEN, raising=False)
    monkeypatch.delenv(push_mod.ENV_USER, raising=False)
    monkeypatch.delenv(push_mod.ENV_PASSWORD, raising=False)
    with start_writable_empty() as server:
        out = CliRunner().invoke(app, ["push", "--endpoint", server.store_url, "--release", str(release_dir)])
        assert out.exit_code == 0, out.output
        assert f"<{GRAPH}>" in out.output
        scheme = "https://servicegraph.example.org/def/tem-service-area"
        assert _select(server.query_url, f"SELECT ?p WHERE {{ GRAPH <{GRAPH}> {{ <{scheme}> ?p ?o }} }} LIMIT 1")


def test_push_errors_never_show_credentials(release_dir):
    port_nobody_listens = "http://127.0.0.1:9/store"
    env = {push_mod.ENV_USER: "alice", push_mod.ENV_PASSWORD: "s3cr3t-pw"}
    with pytest.raises(push_mod.PushError) as err:
        push_mod.push_turtle(port_nobody_listens, b"", GRAPH, env=env, timeout_s=2)
    assert "s3cr3t-pw" not in str(err.value) and "alice" not in str(err.value)
    with pytest.raises(push_mod.PushError) as err:
        push_mod.push_turtle("http://bob:hunter2@127.0.0.1:9/store", b"", GRAPH, env={}, timeout_s=2)
    assert "hunter2" not in str(err.value) and "127.0.0.1:9/store" in str(err.value)
    with pytest.raises(push_mod.PushError, match="set both"):
        push_mod.auth_header({push_mod.ENV_USER: "alice"})


def test_a_refused_push_reports_the_http_status_without_the_token(release_dir, tmp_path):
    # Oxigraph has no authentication; a read-only server refusing the PUT stands in for a 401/403.
    location = load_location(release_dir, tmp_path / "ro")
    with start_server(location) as ro:
        with pytest.raises(push_mod.PushError) as err:
            push_mod.push_turtle(ro.store_url, b"<urn:a> <urn:b> <urn:c> .", GRAPH, env={push_mod.ENV_TOKEN: "tok-123456"})
        assert "tok-123456" not in str(err.value) and "HTTP" in str(err.value)
