"""SHACL validation with pyshacl and a report a person can act on.

`validate()` runs SHACL Core shapes without inference (fast: no rdflib SPARQL engine involved)
and turns pyshacl's report into `Violation`s that say which service, which rule, and where in
which source document the offending entry was printed.

pyshacl is the reference engine and the default. `engine="turbo"` runs pyshacl-turbo (a Rust
engine with pyshacl's API) instead; it is imported only when asked for. Both engines give the
same violations on every case of tests/test_shacl_engines.py; docs/validation-engines.md says
what was compared, how fast each is, and the one difference left (auto-generated messages).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pyshacl import validate as pyshacl_validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS as DCT
from rdflib.namespace import OWL, PROV, RDF, RDFS, SH
from rdflib.term import Node

from pipeline.config import DEFAULT_DEF_IRI, Settings
from pipeline.rdf.concepts import parse_turtle
from pipeline.rdf.namespaces import CPSV, CV, bind_prefixes, sg_namespace


@dataclass(frozen=True)
class Violation:
    focus_node: str
    path: str | None
    shape: str
    message: str
    severity: str  # "Violation", "Warning" or "Info"
    value: str | None = None
    component: str | None = None  # the SHACL constraint component, e.g. "MinCountConstraintComponent"
    service: str | None = None  # IRI of the service concerned, when there is one
    service_title: str | None = None
    source_id: str | None = None  # where the entry concerned was printed
    page: int | None = None

    def location(self) -> str:
        if self.source_id is None:
            return "no source location"
        page = f", page {self.page}" if self.page is not None else ""
        return f"source {self.source_id}{page}"


@dataclass
class ValidationResult:
    conforms: bool
    violations: list[Violation] = field(default_factory=list)
    report_graph: Graph = field(default_factory=Graph)
    shapes: Graph = field(default_factory=Graph, repr=False)

    def summary(self) -> str:
        if self.conforms:
            return "SHACL validation: the data conforms (0 violations)."
        lines = [f"SHACL validation: {len(self.violations)} result(s)."]
        for n, v in enumerate(self.violations, start=1):
            what = f'service "{v.service_title}"' if v.service_title else f"<{v.focus_node}>"
            lines.append(f"{n}. {v.severity} in {what} ({v.location()})")
            lines.append(f"   rule: {v.shape}" + (f" on {v.path}" if v.path else "") + (f" [{v.component}]" if v.component else ""))
            lines.append(f"   {v.message}")
            lines.append(f"   focus node: <{v.focus_node}>" + (f", value: {v.value}" if v.value is not None else ""))
        return "\n".join(lines)


def project_shapes(settings: Settings) -> list[Path]:
    """The project's shapes files (shapes/*.ttl), in a stable order."""
    return sorted(Path(settings.shapes_dir).glob("*.ttl"))


def load_shapes(shapes: list[Path] | Graph, def_iri: str = DEFAULT_DEF_IRI) -> Graph:
    """One shapes graph from files (IRIs under the default def base moved to `def_iri`)."""
    if isinstance(shapes, Graph):
        return shapes
    merged = Graph()
    for path in shapes:
        merged += parse_turtle(Path(path), def_iri)
    return merged


_TARGETS = (SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf)
_NESTING = (SH.node, SH.qualifiedValueShape, SH["not"])  # shapes these name are checked per value node
_NESTING_LISTS = (SH["and"], SH["or"], SH.xone)


def targeted_property_shapes(shapes: Graph) -> Graph:
    """The same shapes, each property shape of a targeted node shape given that node shape's targets.

    pyshacl checks a node shape's `sh:property` shapes one focus node at a time: it builds every
    constraint of the property shape again for each of an area's 5,000 printed cells, and spends
    5/6 of validation doing so. A property shape with targets of its own is checked once over all
    its focus nodes. SHACL gives both the same results (same focus node, path, source shape,
    message and severity): a property shape's results never depended on the node shape that
    listed it. Left as written: property shapes of a node shape that is deactivated, has no
    target, or is used through sh:node, sh:qualifiedValueShape, sh:not, sh:and, sh:or, sh:xone
    (those are checked for each value node). tests/test_shacl_engines.py compares both forms on
    every shape-bite case."""
    nested: set = set()
    for predicate in _NESTING:
        nested |= set(shapes.objects(None, predicate))
    for predicate in _NESTING_LISTS:
        for head in shapes.objects(None, predicate):
            nested |= set(shapes.items(head))

    def targets(node) -> list[tuple[URIRef, Node]]:
        found = [(p, o) for p in _TARGETS for o in shapes.objects(node, p)]
        if (node, RDF.type, RDFS.Class) in shapes or (node, RDF.type, OWL.Class) in shapes:
            found.append((SH.targetClass, node))  # an implicit class target
        return found

    listed_by: dict[Node, set[Node]] = {}
    for node, prop in shapes.subject_objects(SH.property):
        listed_by.setdefault(prop, set()).add(node)
    out = Graph()
    out += shapes
    for prop, nodes in listed_by.items():
        if prop in nested or any(n in nested or not targets(n) or (n, SH.deactivated, None) in shapes for n in nodes):
            continue
        for node in nodes:
            out.remove((node, SH.property, prop))
            for predicate, target in targets(node):
                out.add((prop, predicate, target))
    return out


# The SHACL engines `validate()` can run: pyshacl (the reference, default) and pyshacl-turbo.
ENGINES = ("pyshacl", "turbo")


def validate(
    data: Graph,
    shapes: list[Path] | Graph,
    *,
    def_iri: str = DEFAULT_DEF_IRI,
    engine: str = "pyshacl",
) -> ValidationResult:
    if engine not in ENGINES:
        raise ValueError(f"unknown SHACL engine {engine!r}: use one of {', '.join(ENGINES)}")
    shapes_graph = load_shapes(shapes, def_iri)
    run = _turbo_validate() if engine == "turbo" else pyshacl_validate
    conforms, report, text = run(
        data,
        shacl_graph=targeted_property_shapes(shapes_graph),
        inference="none",
        advanced=False,
        abort_on_first=False,
        allow_warnings=False,
    )
    if not isinstance(report, Graph):  # both engines return (False, ValidationFailure, text) on a failure
        raise RuntimeError(f"SHACL validation with {engine} failed: {text}")
    results = list(report.subjects(RDF.type, SH.ValidationResult))
    # A result path prints with the prefix the shapes graph had as loaded (rdflib's default dcterms:, say)
    # and only failing that with the project's (sg:, …): rdflib caches every qname it computes and bind()
    # does not clear that cache. pyshacl computes the qnames of the result paths while it validates,
    # pyshacl-turbo computes none; computing them here makes the printed paths the same for both engines.
    for result in results:
        path = report.value(result, SH.resultPath)
        if isinstance(path, URIRef):
            _short(shapes_graph, path)
    bind_prefixes(shapes_graph, def_iri)  # so that shapes and paths print as sgsh:…, sg:…
    violations = [_violation(report, result, data, shapes_graph, def_iri) for result in results]
    violations.sort(key=lambda v: (v.source_id or "~", v.page or 0, v.focus_node, v.shape, v.path or "", v.value or ""))
    return ValidationResult(conforms=bool(conforms), violations=violations, report_graph=report, shapes=shapes_graph)


def _turbo_validate():
    """pyshacl-turbo's validate(), imported lazily: pyshacl stays the only import-time engine."""
    try:
        from pyshacl_turbo import validate as turbo_validate
    except ImportError as exc:
        raise RuntimeError(
            "SHACL engine 'turbo' needs the pyshacl-turbo package (pip install pyshacl-turbo==0.6.5)"
        ) from exc
    return turbo_validate


def write_report(result: ValidationResult, directory: Path) -> tuple[Path, Path]:
    """Write report.ttl (the SHACL report) and summary.txt into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    report_path = directory / "report.ttl"
    summary_path = directory / "summary.txt"
    bind_prefixes(result.report_graph)
    result.report_graph.serialize(report_path, format="turtle")
    summary_path.write_text(result.summary() + "\n", encoding="utf-8")
    return report_path, summary_path


# --------------------------------------------------------------------------- report -> Violation


def _short(graph: Graph, node: Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, URIRef):
        try:
            return graph.namespace_manager.normalizeUri(node)
        except Exception:
            return str(node)
    if isinstance(node, Literal):
        return node.n3()
    return _path_text(graph, node)


def _path_text(graph: Graph, node: Node) -> str:
    inverse = graph.value(node, SH.inversePath)
    if inverse is not None:
        return f"^{_short(graph, inverse)}"
    return "(complex path)"


def _message(report: Graph, shapes: Graph, result: Node, shape: Node | None) -> str:
    messages = list(report.objects(result, SH.resultMessage))
    if shape is not None:
        messages += list(shapes.objects(shape, SH.message))
    for lang in ("en", None, "fi"):
        for m in messages:
            if isinstance(m, Literal) and m.language == lang:
                return str(m)
    return str(messages[0]) if messages else "(no message)"


def _violation(report: Graph, result: Node, data: Graph, shapes: Graph, def_iri: str) -> Violation:
    focus = report.value(result, SH.focusNode)
    shape = report.value(result, SH.sourceShape)
    path = report.value(result, SH.resultPath)
    value = report.value(result, SH.value)
    severity = report.value(result, SH.resultSeverity)
    component = report.value(result, SH.sourceConstraintComponent)
    path_text = None
    if path is not None:
        path_text = _short(shapes, path) if isinstance(path, URIRef) else _path_text(report, path)
    located = _locate(data, focus, def_iri)
    return Violation(
        focus_node=str(focus),
        path=path_text,
        shape=_short(shapes, shape) if isinstance(shape, URIRef) else "(anonymous shape)",
        message=_message(report, shapes, result, shape),
        severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
        value=_short(data, value),
        component=str(component).rsplit("#", 1)[-1] if component is not None else None,
        **located,
    )


def _locate(data: Graph, focus: Node | None, def_iri: str) -> dict[str, object]:
    """Which service and which printed entry a focus node belongs to, as far as the data says."""
    if focus is None:
        return {}
    sg = sg_namespace(def_iri)
    entry: Node | None = None
    service: Node | None = None
    if (focus, RDF.type, sg.Entry) in data:
        entry = focus
    elif (focus, RDF.type, CPSV.PublicService) in data:
        service = focus
        entries = sorted(data.objects(focus, sg.hasEntry))
        entry = entries[0] if entries else None
    else:
        # A participation, print location or cell hangs off an entry.
        for prop in (CV.hasParticipation, sg.printedAt, sg.printedCell):
            owners = sorted(s for s in data.subjects(prop, focus) if (s, RDF.type, sg.Entry) in data)
            if owners:
                entry = owners[0]
                break
    if entry is not None and service is None:
        service = data.value(entry, sg.entryOf)
    out: dict[str, object] = {}
    if service is not None:
        out["service"] = str(service)
        title = data.value(service, DCT.title) or data.value(service, RDFS.label)
        if title is not None:
            out["service_title"] = str(title)
    if entry is not None:
        source = data.value(entry, PROV.wasDerivedFrom)
        if source is not None:
            ident = data.value(source, DCT.identifier)
            out["source_id"] = str(ident) if ident is not None else str(source)
        # The entry's own sg:page, else the first page of its print locations.
        pages = [data.value(entry, sg.page)] + [data.value(loc, sg.page) for loc in data.objects(entry, sg.printedAt)]
        numbers = [int(p) for p in pages if isinstance(p, Literal) and str(p).isdigit()]
        if numbers:
            out["page"] = numbers[0] if pages[0] is not None and str(pages[0]).isdigit() else min(numbers)
    return out
