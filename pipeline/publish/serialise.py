"""Graph -> bytes, deterministically: the same triples always give the same bytes.

Why it matters: the release id is a hash of these bytes, and output/ is committed to git, so
an unchanged source must produce an unchanged file (no churn, no new release).

- Turtle: a fixed prefix table (from the published JSON-LD context), so neither the insertion
  order nor whatever prefixes the mapper bound can leak into the file; data is written by
  `turtle.write_turtle` (sorted, linear), the ontology (which has OWL blank nodes) by rdflib.
- JSON-LD: compacted against the project's context (context.jsonld, published beside it and
  referenced by the relative IRI "context.jsonld"), nodes sorted by @id, values sorted,
  keys sorted.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, URIRef
from rdflib.plugins.serializers.jsonld import from_rdf

from pipeline.config import DEFAULT_DEF_IRI
from pipeline.errors import PipelineError
from pipeline.publish.turtle import write_turtle
from pipeline.rdf.namespaces import sg_namespace as _sg_namespace

CONTEXT_FILE = Path(__file__).resolve().parent / "context.jsonld"
CONTEXT_NAME = "context.jsonld"  # the published file name, and how the JSON-LD refers to it


class PublishError(PipelineError):
    """Something in the graph cannot be published as it is (names the node and the reason)."""


@lru_cache(maxsize=1)
def _context_template() -> dict[str, Any]:
    return json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))


def context_document(def_iri: str | None = None) -> dict[str, Any]:
    """The context as published: the committed file with the definitions base of this run.

    The committed file is written against DEFAULT_DEF_IRI (like ontology/); every namespace
    under it (sg:, the concept-scheme prefixes) moves to `def_iri`.
    """
    ctx = copy.deepcopy(_context_template())
    if def_iri is not None and def_iri != DEFAULT_DEF_IRI:
        for key, value in ctx["@context"].items():
            if isinstance(value, str) and value.startswith(DEFAULT_DEF_IRI):
                ctx["@context"][key] = def_iri + value[len(DEFAULT_DEF_IRI):]
    return ctx


def sg_namespace(def_iri: str) -> str:
    return str(_sg_namespace(def_iri))


def prefixes(def_iri: str | None = None) -> dict[str, str]:
    """The fixed prefix table: every string-valued context entry that ends like a namespace."""
    ctx = context_document(def_iri)["@context"]
    return {
        k: v
        for k, v in sorted(ctx.items())
        if isinstance(v, str) and not k.startswith("@") and v.endswith(("#", "/")) and ":" not in k
    }


def context_bytes(def_iri: str | None = None) -> bytes:
    return _dump_json(context_document(def_iri))


def _check_no_blank_nodes(graph: Graph) -> None:
    # The RDF contract forbids blank nodes in data: they have no stable label, so two runs
    # could not be compared and a JSON-LD round trip could not be checked for identity.
    for s, p, o in graph:
        if isinstance(s, BNode) or isinstance(o, BNode):
            raise PublishError(f"blank node in published data: ({s.n3()} {p.n3()} {o.n3()})")


def _canonical_copy(graph: Graph, def_iri: str | None) -> Graph:
    out = Graph(bind_namespaces="none")
    for prefix, ns in prefixes(def_iri).items():
        out.bind(prefix, URIRef(ns), override=True, replace=True)
    for triple in sorted(graph, key=lambda t: (t[0].n3(), t[1].n3(), t[2].n3())):
        out.add(triple)
    return out


def to_turtle(graph: Graph, def_iri: str | None = None, *, allow_blank_nodes: bool = False) -> bytes:
    """Deterministic Turtle. Blank nodes only where allowed (the ontology's own axioms)."""
    if not allow_blank_nodes:
        _check_no_blank_nodes(graph)
        return write_turtle(graph, prefixes(def_iri))
    # The ontology's OWL axioms have blank nodes: rdflib's serializer nests them.
    return _canonical_copy(graph, def_iri).serialize(format="turtle", encoding="utf-8")


def _sort_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _sorted_values(node: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in node.items():
        if isinstance(value, list):
            value = sorted(value, key=_sort_key)
            if len(value) == 1 and key != "@type":
                value = value[0]
        out[key] = value
    return out


def to_jsonld_object(graph: Graph, def_iri: str | None = None) -> dict[str, Any]:
    """The compacted document as a Python object, with "@context": "context.jsonld"."""
    _check_no_blank_nodes(graph)
    ctx = context_document(def_iri)
    # No sorted copy needed: the nodes and their values are sorted below, and compaction
    # depends on each triple alone, not on the order they come in.
    doc = from_rdf(graph, context_data=ctx["@context"])
    if isinstance(doc, dict) and "@graph" in doc:
        nodes = doc["@graph"]
    elif isinstance(doc, dict) and doc.get("@id"):
        nodes = [{k: v for k, v in doc.items() if k != "@context"}]
    else:
        nodes = []
    nodes = sorted((_sorted_values(n) for n in nodes), key=lambda n: str(n.get("@id", "")))
    return {"@context": CONTEXT_NAME, "@graph": nodes}


def _dump_json(obj: Any) -> bytes:
    return (json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def to_jsonld(graph: Graph, def_iri: str | None = None) -> bytes:
    return _dump_json(to_jsonld_object(graph, def_iri))


def read_jsonld(path: Path, def_iri: str | None = None) -> Graph:
    """Parse a published JSON-LD file, resolving "context.jsonld" from beside it.

    The file beside it is used when present (a release folder); otherwise the project's own
    context, so a document can be read anywhere without network access.
    """
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    beside = Path(path).with_name(CONTEXT_NAME)
    if doc.get("@context") == CONTEXT_NAME:
        ctx = json.loads(beside.read_text(encoding="utf-8")) if beside.exists() else context_document(def_iri)
        doc["@context"] = ctx["@context"]
    g = Graph()
    g.parse(data=json.dumps(doc), format="json-ld")
    return g
