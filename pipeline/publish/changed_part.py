"""The part of two versions of a shard that the changelog needs to read.

When one document of an area changes, most of the area's services keep every triple. The
changelog (pipeline.publish.changelog) compares services through rdflib graphs, and parsing two
versions of a 79k-triple shard into rdflib took most of a one-document re-run's publish step.
Here both files are parsed by Oxigraph into plain sets, the triples that differ are found by set
difference, and only the services owning one of them (by the changelog's own ownership rule),
with every triple that no service owns (sources, organisations: what entries point at), become
rdflib graphs. `changelog.diff_graphs` on those graphs says exactly what it says on the whole
files: an unaffected service has the same facts on both sides and would be reported as nothing.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Node

from pipeline.rdf.oxigraph_terms import to_rdflib

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_PUBLIC_SERVICE = "http://purl.org/vocab/cpsv#PublicService"

Triple = tuple[object, object, object]  # Oxigraph terms: hashable, compared by value


def read_triples(path: Path) -> set[Triple]:
    with open(path, "rb") as handle:
        return {(t.subject, t.predicate, t.object) for t in ox.parse(handle, format=ox.RdfFormat.TURTLE)}


def _owners(triples: set[Triple], sg_namespace: str) -> dict[str, set[str]]:
    """subject IRI -> the services owning it: the service itself, its entries (sg:hasEntry /
    sg:entryOf) and any IRI that extends an entry's IRI path (as changelog._owned_nodes)."""
    has_entry, entry_of = sg_namespace + "hasEntry", sg_namespace + "entryOf"
    services = {s.value for s, p, o in triples if p.value == _RDF_TYPE and isinstance(o, ox.NamedNode)
                and o.value == _PUBLIC_SERVICE and isinstance(s, ox.NamedNode)}
    roots: dict[str, set[str]] = defaultdict(set)  # an owned root IRI -> its services
    for s, p, o in triples:
        if p.value == has_entry and s.value in services and isinstance(o, ox.NamedNode):
            roots[o.value].add(s.value)
        elif p.value == entry_of and o.value in services and isinstance(s, ox.NamedNode):
            roots[s.value].add(o.value)
    owners: dict[str, set[str]] = {}
    for subject in {s.value for s, _, _ in triples if isinstance(s, ox.NamedNode)}:
        found = {subject} if subject in services else set()
        found |= roots.get(subject, set())
        cut = subject.find("/")
        while cut != -1:
            found |= roots.get(subject[:cut], set())
            cut = subject.find("/", cut + 1)
        owners[subject] = found
    return owners


def _to_rdflib(term, cache: dict) -> Node:
    made = cache.get(term)  # a shard repeats its terms: each is made once
    if made is None:
        made = cache[term] = to_rdflib(term)
    return made


def _graph(triples, cache: dict) -> Graph:
    graph = Graph()
    for s, p, o in triples:
        graph.add((_to_rdflib(s, cache), _to_rdflib(p, cache), _to_rdflib(o, cache)))
    return graph


def changed_part(old_path: Path, new_path: Path, sg_namespace: str) -> tuple[Graph, Graph]:
    """(old, new) graphs holding the services touched by the change and every unowned triple."""
    old, new = read_triples(old_path), read_triples(new_path)
    old_owners, new_owners = _owners(old, sg_namespace), _owners(new, sg_namespace)
    touched: set[str] = set()
    for s, _, _ in old ^ new:
        touched |= old_owners.get(s.value, set()) | new_owners.get(s.value, set())

    def keep(triples: set[Triple], owners: dict[str, set[str]]):
        for triple in triples:
            owned_by = owners.get(triple[0].value, set())
            if not owned_by or owned_by & touched:
                yield triple

    cache: dict = {}
    return _graph(keep(old, old_owners), cache), _graph(keep(new, new_owners), cache)
