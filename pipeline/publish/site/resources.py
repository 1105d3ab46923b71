"""What a page says about a resource: its label, its facts as rows, its values as links.

Pages are generated from the graph itself, so every published fact shows up without a template
knowing the property; only the order and the labels come from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from pipeline.publish.site.links import Linker

LANGS = ("fi", "en", "sv")  # the order a label is chosen in; the data is Finnish first
LABEL_PROPERTIES = (SKOS.prefLabel, DCTERMS.title, RDFS.label)
_PROV_VALUE = URIRef("http://www.w3.org/ns/prov#value")


@lru_cache(maxsize=1)
def reused_term_labels() -> dict[str, str]:
    """IRI -> English label of the reused terms listed in terms.yaml."""
    import yaml

    data = yaml.safe_load((Path(__file__).parent / "terms.yaml").read_text(encoding="utf-8"))
    spaces = data["namespaces"]
    return {spaces[name.split(":")[0]] + name.split(":", 1)[1]: label for name, label in data["labels"].items()}


def _lang_rank(value: Literal) -> tuple[int, str]:
    lang = value.language or ""
    return (LANGS.index(lang) if lang in LANGS else (len(LANGS) if lang else len(LANGS) + 1), str(value))


def pick(values, lang: str | None = None) -> Literal | None:
    """The literal in `lang` if given (else the best by LANGS), deterministic among equals."""
    literals = sorted((v for v in values if isinstance(v, Literal)), key=_lang_rank)
    if lang is not None:
        literals = [v for v in literals if (v.language or "") == lang]
    return literals[0] if literals else None


def local_name(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri.rstrip("/"):
            iri = iri.rstrip("/").rsplit(sep, 1)[-1]
    return iri


@dataclass
class Labels:
    """Labels of terms from the graphs a page can see (its area's data and the definitions)."""

    graphs: tuple[Graph, ...]
    extra: tuple[URIRef, ...] = ()  # label properties of the ontology (its base is a setting)
    _cache: dict[str, str] = field(default_factory=dict)

    def values(self, subject: URIRef, predicate: URIRef) -> list:
        return [o for g in self.graphs for o in g.objects(subject, predicate)]

    def label(self, iri: URIRef | str, lang: str | None = None) -> str:
        key = f"{iri}\0{lang or ''}"
        if key not in self._cache:
            subject = URIRef(str(iri))
            found = None
            for predicate in (*LABEL_PROPERTIES, *self.extra, _PROV_VALUE, DCTERMS.description):
                found = pick(self.values(subject, predicate), lang)
                if found is not None:
                    break
            self._cache[key] = str(found) if found is not None else ("" if lang else local_name(str(iri)))
        return self._cache[key]

    def term(self, iri: URIRef | str) -> str:
        """How a class or property is named on a page: in English (the pages' own language), from
        the ontology or terms.yaml, else its local name."""
        return self.label(iri, "en") or reused_term_labels().get(str(iri)) or local_name(str(iri))

    def in_languages(self, iri: URIRef, predicate: URIRef = SKOS.prefLabel) -> dict[str, str]:
        """lang -> text of `predicate` for fi, sv, en (where present), in that order."""
        out = {}
        for lang in ("fi", "sv", "en"):
            found = pick(self.values(iri, predicate), lang)
            if found is not None:
                out[lang] = str(found)
        return out


@dataclass(frozen=True)
class Value:
    text: str
    href: str | None = None
    lang: str = ""
    iri: str = ""


@dataclass(frozen=True)
class Fact:
    label: str
    href: str
    iri: str
    values: tuple[Value, ...]


@dataclass(frozen=True)
class Section:
    """One resource shown on a page: the page's own resource or one under a #fragment."""

    iri: str
    anchor: str
    title: str
    types: tuple[Value, ...]
    facts: tuple[Fact, ...]


def value(node, page: str, labels: Labels, linker: Linker) -> Value:
    if isinstance(node, URIRef):
        return Value(labels.label(node), linker.href(page, node), "", str(node))
    if isinstance(node, BNode):  # only the ontology's OWL axioms have them: shown in words, one level
        parts = []
        for graph in labels.graphs:
            for p, o in sorted(graph.predicate_objects(node), key=lambda po: (str(po[0]), str(po[1]))):
                shown = labels.label(o) if isinstance(o, URIRef) else ("…" if isinstance(o, BNode) else str(o))
                parts.append(f"{local_name(str(p))} {shown}")
        return Value("[" + "; ".join(parts) + "]")
    assert isinstance(node, Literal)
    return Value(str(node), None, node.language or "")


def facts(graph: Graph, subject: URIRef, page: str, labels: Labels, linker: Linker,
          skip: frozenset = frozenset()) -> tuple[Fact, ...]:
    """Every predicate of `subject` except rdf:type and `skip`, ordered by label then IRI."""
    by_predicate: dict[URIRef, list] = {}
    for p, o in graph.predicate_objects(subject):
        if p == RDF.type or p in skip:
            continue
        by_predicate.setdefault(p, []).append(o)
    rows = []
    for p, objects in by_predicate.items():
        values = sorted((value(o, page, labels, linker) for o in objects), key=lambda v: (v.text, v.lang, v.iri))
        rows.append(Fact(labels.term(p), linker.href(page, p), str(p), tuple(values)))
    return tuple(sorted(rows, key=lambda f: (f.label.casefold(), f.iri)))


def section(graph: Graph, subject: URIRef, page: str, labels: Labels, linker: Linker,
            skip: frozenset = frozenset()) -> Section:
    found = linker.page(subject)
    anchor = found[1] if found and found[1] else "top"
    types = tuple(sorted((Value(labels.term(t), linker.href(page, t), "", str(t)) for t in graph.objects(subject, RDF.type)),
                         key=lambda v: v.iri))
    return Section(str(subject), anchor, labels.label(subject), types, facts(graph, subject, page, labels, linker, skip))


@lru_cache(maxsize=4)
def _prefixes(def_iri: str) -> dict[str, str]:
    from pipeline.publish.serialise import prefixes

    return prefixes(def_iri)  # a deep copy of the context each call: once per build is enough


def page_turtle(graph: Graph, subjects: list, def_iri: str) -> str:
    """The triples of `subjects` (and of the blank nodes they lead to) as Turtle, with only the
    prefixes they use: the RDF a page embeds."""
    from pipeline.publish.serialise import to_turtle
    from pipeline.publish.turtle import write_turtle

    triples, todo, seen = [], list(subjects), set()
    while todo:
        s = todo.pop()
        if s in seen:
            continue
        seen.add(s)
        for p, o in graph.predicate_objects(s):
            triples.append((s, p, o))
            if isinstance(o, BNode):
                todo.append(o)
    if any(isinstance(t, BNode) for triple in triples for t in triple):
        part = Graph()
        for triple in triples:
            part.add(triple)
        return to_turtle(part, def_iri, allow_blank_nodes=True).decode("utf-8")
    used = {str(t) for triple in triples for t in triple if isinstance(t, URIRef)}
    used |= {str(o.datatype) for _, _, o in triples if isinstance(o, Literal) and o.datatype is not None}
    spaces = _prefixes(def_iri)
    names = {p: ns for p, ns in spaces.items() if any(u.startswith(ns) for u in used)}
    return write_turtle(triples, names).decode("utf-8")  # any iterable of triples will do
