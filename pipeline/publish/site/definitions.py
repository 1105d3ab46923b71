"""The pages of the definitions: the ontology (one page, a #Term anchor per term), each concept
scheme and each concept, written once per release at assembly.

A concept page also lists the services that point at the concept, across every area, from the
areas' summaries (so the page of TEM service area 1 is the index of that service area).
"""

from __future__ import annotations

from collections import defaultdict

from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.namespace import SKOS

from pipeline.publish.site import render
from pipeline.publish.site.area import AreaSite, definition_pages
from pipeline.publish.site.links import Linker
from pipeline.publish.site.paths import ONTOLOGY_PAGE, page_for_iri, relative_href
from pipeline.publish.site.resources import Labels, Value, local_name, page_turtle, section

TERM_KINDS = (  # the order the ontology page lists its terms in
    (OWL.Class, "Classes"),
    (OWL.ObjectProperty, "Object properties"),
    (OWL.DatatypeProperty, "Datatype properties"),
    (RDF.Property, "Other properties"),
)


IN_LANGUAGE_TABLE = frozenset({SKOS.prefLabel, SKOS.altLabel, SKOS.definition, RDFS.label, RDFS.comment})


def _lang_rows(labels: Labels, iri: URIRef) -> list[dict]:
    rows = []
    for predicate, name in ((SKOS.prefLabel, "Preferred label"), (RDFS.label, "Label"), (SKOS.altLabel, "Alternative label"),
                            (SKOS.definition, "Definition"), (RDFS.comment, "Comment")):
        texts = labels.in_languages(iri, predicate)
        if texts:
            rows.append({"name": name, "texts": texts})
    return rows


class DefinitionPages:
    def __init__(self, definitions: Graph, areas: list[AreaSite], base: str, def_base: str, pages: set[str]):
        self.graph, self.base, self.def_base = definitions, base, def_base
        self.labels = Labels((definitions,))
        self.linker = Linker(base, def_base, pages)
        self.services: dict[str, list[dict]] = defaultdict(list)  # concept IRI -> services
        for area in areas:
            for s in area.services:
                for concept in s.concepts:
                    self.services[concept].append({"area": area.name, "title": s.title, "page": s.page})
        self.by_page: dict[str, list[URIRef]] = defaultdict(list)
        own = definition_pages(definitions, base, def_base)
        for subject in sorted({s for s in definitions.subjects() if isinstance(s, URIRef)}, key=str):
            found = page_for_iri(str(subject), base, def_base)
            if found is not None and found[0] in own:
                self.by_page[found[0]].append(subject)

    def pages(self) -> dict[str, bytes]:
        out = {}
        for page in sorted(self.by_page):
            if page == ONTOLOGY_PAGE:
                out[page] = self.ontology_page(page)
                continue
            subject = next((s for s in self.by_page[page] if not page_for_iri(str(s), self.base, self.def_base)[1]),
                           self.by_page[page][0])
            if (subject, RDF.type, SKOS.ConceptScheme) in self.graph:
                out[page] = self.scheme_page(page, subject)
            else:
                out[page] = self.concept_page(page, subject)
        return out

    def common(self, page: str, subject: URIRef, title: str) -> dict:
        return {"title": title, "iri": str(subject), "crumbs": [],
                "turtle": page_turtle(self.graph, self.by_page[page], self.def_base)}

    def service_links(self, page: str, concept: URIRef) -> list[dict]:
        rows = [{"area": s["area"], "title": s["title"], "href": relative_href(page, s["page"])}
                for s in self.services.get(str(concept), [])]
        return sorted(rows, key=lambda r: (r["area"], r["title"].casefold(), r["href"]))

    def concept_page(self, page: str, concept: URIRef) -> bytes:
        sec = section(self.graph, concept, page, self.labels, self.linker, IN_LANGUAGE_TABLE)
        scheme = self.graph.value(concept, SKOS.inScheme)
        crumbs = [Value(self.labels.label(scheme), self.linker.href(page, scheme))] if scheme is not None else []
        notation = self.graph.value(concept, SKOS.notation)
        title = f"{notation} {sec.title}" if notation is not None and not sec.title.startswith(str(notation)) else sec.title
        return render.render("concept.html", page, resource=sec, languages=_lang_rows(self.labels, concept),
                             services=self.service_links(page, concept),
                             **{**self.common(page, concept, title), "crumbs": crumbs})

    def scheme_page(self, page: str, scheme: URIRef) -> bytes:
        sec = section(self.graph, scheme, page, self.labels, self.linker, IN_LANGUAGE_TABLE)
        concepts = []
        for concept in sorted(self.graph.subjects(SKOS.inScheme, scheme), key=str):
            concepts.append({"href": self.linker.href(page, concept), "iri": str(concept),
                             "labels": self.labels.in_languages(concept),
                             "services": len(self.services.get(str(concept), []))})
        return render.render("scheme.html", page, resource=sec, languages=_lang_rows(self.labels, scheme),
                             concepts=concepts, **self.common(page, scheme, sec.title))

    def ontology_page(self, page: str) -> bytes:
        ontology = URIRef(self.def_base + "ontology")
        groups = []
        own = [s for s in self.by_page[page] if s != ontology]
        placed: set[URIRef] = set()
        for kind, name in (*TERM_KINDS, (None, "Other terms")):
            terms = []
            for term in own:
                if term in placed or (kind is not None and (term, RDF.type, kind) not in self.graph):
                    continue
                placed.add(term)
                sec = section(self.graph, term, page, self.labels, self.linker,
                              frozenset({RDFS.label, RDFS.comment, RDFS.isDefinedBy}))
                terms.append({"section": sec, "name": "sg:" + local_name(str(term)),
                              "languages": _lang_rows(self.labels, term)})
            if terms:
                groups.append({"name": name, "terms": terms})
        reused = []
        for term in sorted(self.graph.subjects(RDF.type, OWL.Class), key=str):
            if isinstance(term, URIRef) and page_for_iri(str(term), self.base, self.def_base) is None:
                supers = [self.labels.label(o) if isinstance(o, URIRef) else "…" for o in self.graph.objects(term, RDFS.subClassOf)]
                reused.append({"iri": str(term), "name": local_name(str(term)), "supers": sorted(supers)})
        sec = section(self.graph, ontology, page, self.labels, self.linker, frozenset({RDFS.label, RDFS.comment}))
        return render.render("ontology.html", page, resource=sec, languages=_lang_rows(self.labels, ontology), groups=groups,
                             reused=reused, **self.common(page, ontology, self.labels.label(ontology, "en") or sec.title))
