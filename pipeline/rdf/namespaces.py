"""Every namespace the project writes, in one place.

The standard vocabularies are fixed. The project's own terms live under the configurable
definitions IRI (`Settings.def_iri`): the ontology at `{def}ontology#`, the SHACL shapes at
`{def}shapes#` and the concept schemes at `{def}{scheme}/{id}`. The Turtle files in ontology/
and shapes/ are written against `DEFAULT_DEF_IRI`; `pipeline.rdf.concepts` rewrites them on load.
"""

from __future__ import annotations

from rdflib import Graph, Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SH, SKOS, VOID, XSD

from pipeline.config import DEFAULT_DEF_IRI

CPSV = Namespace("http://purl.org/vocab/cpsv#")
CV = Namespace("http://data.europa.eu/m8g/")
ADMS = Namespace("http://www.w3.org/ns/adms#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
ORG = Namespace("http://www.w3.org/ns/org#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
BIBO = Namespace("http://purl.org/ontology/bibo/")
DQV = Namespace("http://www.w3.org/ns/dqv#")
OA = Namespace("http://www.w3.org/ns/oa#")

DCT = DCTERMS


def sg_namespace(def_iri: str = DEFAULT_DEF_IRI) -> Namespace:
    """The project's ontology namespace for a definitions base."""
    return Namespace(f"{def_iri}ontology#")


def shapes_namespace(def_iri: str = DEFAULT_DEF_IRI) -> Namespace:
    return Namespace(f"{def_iri}shapes#")


# The default-base namespaces, for code and tests that run on the defaults.
SG = sg_namespace()
SGSH = shapes_namespace()

PREFIXES: dict[str, Namespace] = {
    "cpsv": CPSV,
    "cv": CV,
    "dct": DCTERMS,
    "skos": SKOS,
    "prov": PROV,
    "dcat": DCAT,
    "void": VOID,
    "adms": ADMS,
    "foaf": FOAF,
    "locn": LOCN,
    "org": ORG,
    "spdx": SPDX,
    "bibo": BIBO,
    "owl": OWL,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "sh": SH,
}


def bind_prefixes(graph: Graph, def_iri: str = DEFAULT_DEF_IRI, base_iri: str | None = None) -> Graph:
    """Bind the project's prefixes so serialisations read like the docs."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
    graph.bind("sg", sg_namespace(def_iri), override=True, replace=True)
    graph.bind("sgsh", shapes_namespace(def_iri), override=True, replace=True)
    if base_iri:
        graph.bind("id", Namespace(base_iri), override=True, replace=True)
    return graph
