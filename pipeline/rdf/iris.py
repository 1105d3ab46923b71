"""Stable IRIs: one function per pattern of docs/rdf-model.md.

Every path segment goes through `slug()`, so an IRI depends only on ids and names, never on
where a PDF put things; the same catalogue always gives the same IRIs.
"""

from __future__ import annotations

import re

from rdflib import URIRef

# Finnish and Swedish letters fold to their base letter; everything else that is not
# [a-z0-9] becomes "-" (see slug()).
_FOLD = str.maketrans({"ä": "a", "ö": "o", "å": "a", "é": "e", "ü": "u"})
_NON_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """Lower case, ä->a ö->o å->a, other characters to "-", repeats collapsed, ends stripped.

    >>> slug("Päijät-Hämeen työllisyysalue")
    'paijat-hameen-tyollisyysalue'
    """
    folded = text.lower().translate(_FOLD)
    result = _NON_SLUG.sub("-", folded).strip("-")
    if not result:
        raise ValueError(f"cannot make an IRI segment from {text!r}: no letters or digits")
    return result


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
