"""Oxigraph terms as rdflib terms: one conversion for the store's results and the changelog's
reading of shard files (both parse with Oxigraph, both hand rdflib terms on)."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_rdflib(term) -> Node:
    """One Oxigraph term as rdflib makes it when it parses the same text. Oxigraph types every
    plain string xsd:string; rdflib leaves it untyped (the same literal)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value if term.datatype else None
        return Literal(term.value, datatype=None if datatype in (None, _XSD_STRING) else URIRef(datatype))
    raise ValueError(f"unsupported term: {term!r}")
