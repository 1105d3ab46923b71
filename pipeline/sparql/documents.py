"""What the document of a resource holds: its concise bounded description and labels.

The document of IRI X holds
- every triple with X as subject (its concise bounded description: the data and the ontology
  have no blank nodes, so there is nothing further to follow);
- for a hash namespace (the ontology, `{def}ontology`), the same for every term `X#…` that says
  `rdfs:isDefinedBy X`: a client strips the fragment of `{def}ontology#Entry` and asks for X;
- the labels (skos:prefLabel, rdfs:label, dct:title) of every IRI those triples point at, so
  that a reader of one document sees names, not only IRIs.

Read straight from the store's indexes (no SPARQL text is built from a request path).
"""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox

RDFS_IS_DEFINED_BY = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#isDefinedBy")
LABELS = tuple(
    ox.NamedNode(iri)
    for iri in (
        "http://www.w3.org/2004/02/skos/core#prefLabel",
        "http://www.w3.org/2000/01/rdf-schema#label",
        "http://purl.org/dc/terms/title",
    )
)


def named_node(iri: str) -> ox.NamedNode | None:
    """The IRI as an Oxigraph term; None when it is not a valid IRI (a request path can be anything)."""
    try:
        return ox.NamedNode(iri)
    except ValueError:
        return None


def _about(store: ox.Store, subject: ox.NamedNode) -> Iterator[ox.Triple]:
    for quad in store.quads_for_pattern(subject, None, None):
        yield quad.triple


def _hash_terms(store: ox.Store, iri: ox.NamedNode) -> Iterator[ox.NamedNode]:
    prefix = iri.value + "#"
    for quad in store.quads_for_pattern(None, RDFS_IS_DEFINED_BY, iri):
        if isinstance(quad.subject, ox.NamedNode) and quad.subject.value.startswith(prefix):
            yield quad.subject


def is_described(store: ox.Store, iri: ox.NamedNode) -> bool:
    """True when the store says anything about `iri` (it is a subject)."""
    return next(iter(store.quads_for_pattern(iri, None, None)), None) is not None


def describe(store: ox.Store, iri: ox.NamedNode) -> list[ox.Triple]:
    """The triples of the document of `iri` (unordered; `store.write_triples` sorts them)."""
    subjects = [iri, *sorted(set(_hash_terms(store, iri)), key=str)]
    triples = {t for s in subjects for t in _about(store, s)}
    described = set(subjects)
    for target in {t.object for t in triples if isinstance(t.object, ox.NamedNode)} - described:
        for label in LABELS:
            triples.update(q.triple for q in store.quads_for_pattern(target, label, None))
    return list(triples)
