"""Load the ontology and the SKOS concept schemes (configuration data in ontology/).

The Turtle files are written against `DEFAULT_DEF_IRI`; when a publisher configures another
definitions base, every IRI under the default is rewritten on load. A mapping asks for a concept
by scheme and id (the enum values of pipeline.model) and gets a clear error naming the scheme
file when the id is not in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS
from rdflib.term import Node

from pipeline.config import DEFAULT_DEF_IRI, Settings
from pipeline.errors import SourceError
from pipeline.rdf.iris import concept_iri, scheme_iri

ONTOLOGY_FILE = "servicegraph.ttl"
SCHEMES_DIR = "schemes"


class UnknownConcept(SourceError):
    """A value has no concept in its scheme: names the scheme file and the value."""


def rewrite_def_iri(graph: Graph, new_def_iri: str, old_def_iri: str = DEFAULT_DEF_IRI) -> Graph:
    """A copy of `graph` with every IRI under `old_def_iri` moved under `new_def_iri`."""
    if new_def_iri == old_def_iri:
        return graph

    def move(term: Node) -> Node:
        if isinstance(term, URIRef) and str(term).startswith(old_def_iri):
            return URIRef(new_def_iri + str(term)[len(old_def_iri):])
        return term

    out = Graph()
    for s, p, o in graph:
        out.add((move(s), move(p), move(o)))
    for prefix, ns in graph.namespaces():
        out.bind(prefix, move(URIRef(ns)), override=True)
    return out


def parse_turtle(path: Path, def_iri: str = DEFAULT_DEF_IRI) -> Graph:
    """Parse a project Turtle file; a missing or malformed file is a SourceError naming it."""
    if not path.is_file():
        raise SourceError(path, "file not found")
    graph = Graph()
    try:
        graph.parse(path, format="turtle")
    except Exception as exc:  # rdflib raises several unrelated types for bad Turtle
        raise SourceError(path, f"not valid Turtle: {exc}") from None
    return rewrite_def_iri(graph, def_iri)


@dataclass(frozen=True)
class ConceptSchemes:
    """All concept schemes of the project, merged into one graph, with lookups by id."""

    def_iri: str
    graph: Graph
    files: dict[str, Path]  # scheme id -> the file it came from
    concepts: dict[str, frozenset[str]] = field(default_factory=dict)  # scheme id -> concept ids

    def iri(self, scheme: str, concept_id: str) -> URIRef:
        """The concept's IRI; raises UnknownConcept when the scheme has no such concept."""
        if scheme not in self.concepts:
            known = ", ".join(sorted(self.concepts))
            raise UnknownConcept(f"ontology/{SCHEMES_DIR}/{scheme}.ttl", f"no concept scheme {scheme!r} (known: {known})")
        if concept_id not in self.concepts[scheme]:
            known = ", ".join(sorted(self.concepts[scheme]))
            raise UnknownConcept(self.files[scheme], f"scheme {scheme!r} has no concept {concept_id!r} (known: {known})")
        return concept_iri(self.def_iri, scheme, concept_id)

    def scheme_iri(self, scheme: str) -> URIRef:
        return scheme_iri(self.def_iri, scheme)

    def label(self, scheme: str, concept_id: str, lang: str = "fi") -> str:
        iri = self.iri(scheme, concept_id)
        for value in self.graph.objects(iri, SKOS.prefLabel):
            if isinstance(value, Literal) and value.language == lang:
                return str(value)
        raise UnknownConcept(self.files[scheme], f"concept {concept_id!r} has no prefLabel in {lang!r}")

    def match_label(self, scheme: str, text: str) -> str | None:
        """The id of the concept one of whose labels (pref, alt, hidden) matches `text`.

        Matching ignores case, surrounding space and a trailing colon ("Kuntien ekosysteemit:").
        """
        wanted = _label_key(text)
        scheme_node = self.scheme_iri(scheme)
        for concept in sorted(self.graph.subjects(SKOS.inScheme, scheme_node)):
            for prop in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel):
                if any(_label_key(str(v)) == wanted for v in self.graph.objects(concept, prop)):
                    return _concept_id(self.def_iri, scheme, concept)
        return None


def _label_key(text: str) -> str:
    return " ".join(text.split()).rstrip(":").strip().casefold()


def _concept_id(def_iri: str, scheme: str, concept: Node) -> str:
    return str(concept)[len(def_iri) + len(scheme) + 1:]


def load_concept_schemes(settings: Settings) -> ConceptSchemes:
    """All schemes under the configured definitions base (cached: treat `.graph` as read-only)."""
    return _load_concept_schemes(Path(settings.ontology_dir), settings.def_iri)


@lru_cache(maxsize=8)
def _load_concept_schemes(ontology_dir: Path, def_iri: str) -> ConceptSchemes:
    folder = ontology_dir / SCHEMES_DIR
    paths = sorted(folder.glob("*.ttl"))
    if not paths:
        raise SourceError(folder, "no concept scheme files (*.ttl)")
    merged = Graph()
    files: dict[str, Path] = {}
    concepts: dict[str, frozenset[str]] = {}
    for path in paths:
        graph = parse_turtle(path, def_iri)
        schemes = sorted(graph.subjects(RDF.type, SKOS.ConceptScheme))
        if len(schemes) != 1:
            raise SourceError(path, f"expected exactly one skos:ConceptScheme, found {len(schemes)}")
        scheme = str(schemes[0])
        if not scheme.startswith(def_iri) or "/" in scheme[len(def_iri):]:
            raise SourceError(path, f"concept scheme IRI {scheme} is not {def_iri}{{scheme}}")
        scheme_id = scheme[len(def_iri):]
        if scheme_id != path.stem:
            raise SourceError(path, f"file name must equal the scheme id {scheme_id!r}")
        ids = set()
        for concept in graph.subjects(SKOS.inScheme, schemes[0]):
            if not str(concept).startswith(f"{scheme}/"):
                raise SourceError(path, f"concept {concept} is not under {scheme}/")
            ids.add(_concept_id(def_iri, scheme_id, concept))
        files[scheme_id] = path
        concepts[scheme_id] = frozenset(ids)
        merged += graph
    return ConceptSchemes(def_iri=def_iri, graph=merged, files=files, concepts=concepts)


def load_ontology(settings: Settings) -> Graph:
    """The ontology under the configured definitions base (a fresh copy: callers may add to it)."""
    copy = Graph()
    cached = _load_ontology(Path(settings.ontology_dir), settings.def_iri)
    copy += cached
    for prefix, ns in cached.namespaces():
        copy.bind(prefix, ns, override=True)
    return copy


@lru_cache(maxsize=8)
def _load_ontology(ontology_dir: Path, def_iri: str) -> Graph:
    return parse_turtle(ontology_dir / ONTOLOGY_FILE, def_iri)
