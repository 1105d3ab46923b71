"""The rules serve-ld decides with, one by one: content negotiation (RFC 9110) and the refusal of
federated queries. The server itself is tested as a process in tests/test_serve_ld.py."""

from __future__ import annotations

import pytest

from pipeline.sparql.guard import uses_service
from pipeline.sparql.negotiation import preferred

RDF = {"text/turtle": "ttl", "application/ld+json": "jsonld", "application/n-triples": "nt"}
WITH_HTML = {**RDF, "text/html": "html"}
CHROMIUM_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@pytest.mark.parametrize(("accept", "offers", "expected"), [
    ("text/turtle", RDF, "ttl"),
    ("application/ld+json", RDF, "jsonld"),
    ("application/n-triples;q=1, text/turtle;q=0.5", RDF, "nt"),
    ("application/ld+json;q=0.9, */*;q=0.1", RDF, "jsonld"),
    ("*/*", RDF, "ttl"),  # equal quality: the first offer
    ("", RDF, "ttl"),  # no Accept accepts anything
    (None, RDF, "ttl"),
    (CHROMIUM_ACCEPT, WITH_HTML, "html"),
    (CHROMIUM_ACCEPT, RDF, "ttl"),  # no page to show: */* takes Turtle
    ("text/turtle;q=0, */*", RDF, "jsonld"),  # the most specific range wins: Turtle refused
    ("text/*", WITH_HTML, "ttl"),
    ("image/png", RDF, None),  # nothing acceptable: the caller's default
    ("text/turtle;q=abc, application/ld+json", RDF, "jsonld"),  # a malformed q counts as 0
    ("TEXT/TURTLE", RDF, "ttl"),
])
def test_the_offer_the_accept_header_ranks_highest_is_chosen(accept, offers, expected):
    assert preferred(accept, offers) == expected


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "select * where { service silent <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE {SERVICE<http://example.org/sparql>{?s ?p ?o}}",
    "SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p \"x\" . SERVICE <http://example.org/> { ?s ?p ?o } } # done",
])
def test_a_federated_query_is_recognised(query):
    assert uses_service(query)


@pytest.mark.parametrize("query", [
    "SELECT ?service WHERE { ?service a <http://purl.org/vocab/cpsv#PublicService> }",
    "PREFIX sg: <https://x.example/def#> SELECT * WHERE { ?s sg:service ?o }",
    'SELECT * WHERE { ?s ?p "SERVICE" }',
    "SELECT * WHERE { ?s <http://x.example/SERVICE> ?o } # SERVICE in a comment",
    "SELECT * WHERE { ?s ?p '''a long\nSERVICE literal''' }",
    "SELECT $service WHERE { $service ?p ?o }",
])
def test_variables_terms_literals_and_comments_named_service_pass(query):
    assert not uses_service(query)
