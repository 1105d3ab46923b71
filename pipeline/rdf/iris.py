"""Stable IRIs: one function per pattern of docs/rdf-model.md.

Every path segment goes through `slug()`, so an IRI depends only on ids and names, never on
where a PDF put things; the same catalogue always gives the same IRIs.
"""

from __future__ import annotations

from rdflib import URIRef

from pipeline.normalise.text import slug  # one slug rule for ids and IRI segments


def _join(base: str, *segments: str) -> URIRef:
    return URIRef(base + "/".join(slug(s) for s in segments))


def organisation_iri(base: str, area_id: str) -> URIRef:
    return _join(base, "organisation", area_id)


def location_iri(base: str, area_id: str) -> URIRef:
    return _join(base, "location", area_id)


def service_iri(base: str, area_id: str, service_id: str) -> URIRef:
    return _join(base, "service", area_id, service_id)


def entry_iri(base: str, source_id: str, entry_id: str) -> URIRef:
    return _join(base, "entry", source_id, entry_id)


def print_location_iri(base: str, source_id: str, entry_id: str, k: int) -> URIRef:
    return _join(base, "entry", source_id, entry_id, "location", str(k))


def participation_iri(base: str, source_id: str, entry_id: str, k: int) -> URIRef:
    return _join(base, "entry", source_id, entry_id, "participation", str(k))


def cell_iri(base: str, source_id: str, entry_id: str, role: str) -> URIRef:
    return _join(base, "entry", source_id, entry_id, "cell", role)


def agent_iri(base: str, area_id: str, name: str) -> URIRef:
    return _join(base, "agent", area_id, name)


def source_iri(base: str, source_id: str) -> URIRef:
    return _join(base, "source", source_id)


def checksum_iri(base: str, source_id: str) -> URIRef:
    return _join(base, "source", source_id, "sha256")


def event_iri(base: str, area_id: str, event_id: str) -> URIRef:
    return _join(base, "event", area_id, event_id)


def scheme_iri(def_iri: str, scheme: str) -> URIRef:
    return URIRef(def_iri + scheme)


def concept_iri(def_iri: str, scheme: str, concept_id: str) -> URIRef:
    # Concept ids are the enum values of pipeline.model ("1", "not-in-architecture"), used verbatim.
    return URIRef(f"{def_iri}{scheme}/{concept_id}")
