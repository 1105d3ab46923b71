"""The project's SHACL shapes: the sample conforms (to ours and to CPSV-AP 3.2.0), every shape bites."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS as DCT
from rdflib.namespace import PROV, RDF, SH, SKOS
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import PROJECT_ROOT, Settings
from pipeline.rdf.mapping import catalogue_to_graph
from pipeline.rdf.namespaces import BIBO, CPSV, CV, SPDX
from pipeline.validate import load_shapes, project_shapes, validate, write_report
from sample_catalogue import sample_catalogue

SHAPES_FILE = PROJECT_ROOT / "shapes" / "servicegraph-shapes.ttl"
CPSV_AP_SHAPES = Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "cpsv-ap-3.2.0" / "cpsv-ap-SHACL.ttl"

SETTINGS = Settings()
B = SETTINGS.base_iri
D = SETTINGS.def_iri
SG = Namespace(D + "ontology#")
SGSH = Namespace(D + "shapes#")
XSD_HEX_BINARY = URIRef("http://www.w3.org/2001/XMLSchema#hexBinary")

AREA = "paijat-hameen-tyollisyysalue"
SVC = URIRef(f"{B}service/{AREA}/palkkatuki-ja-tyollistamistuki")
STARTTIRAHA = URIRef(f"{B}service/{AREA}/starttiraha")
ENTRY = URIRef(f"{B}entry/002-liitetaulukko/t1-r9")
SLIDE_CENTRAL = URIRef(f"{B}entry/000-palveluluokittelu/s3-i19")
SLIDE_PROCESS = URIRef(f"{B}entry/000-palveluluokittelu/s2-i10")
LOC = URIRef(f"{ENTRY}/location/1")
CELL = URIRef(f"{ENTRY}/cell/tem-area")
PART = URIRef(f"{ENTRY}/participation/1")
AGENT = URIRef(f"{B}agent/{AREA}/purchased-service")
ORG = URIRef(f"{B}organisation/{AREA}")
LOCATION = URIRef(f"{B}location/{AREA}")
SRC = URIRef(f"{B}source/002-liitetaulukko")
CHECKSUM = URIRef(f"{SRC}/sha256")
EVENT = URIRef(f"{B}event/{AREA}/starting-business")
TEM1 = URIRef(f"{D}tem-service-area/1")
TEM6 = URIRef(f"{D}tem-service-area/6")
MARK_YES = URIRef(f"{D}mark/yes")
MARK_PARTLY = URIRef(f"{D}mark/partly")
INDIVIDUAL = URIRef(f"{D}audience/individual")
EMPLOYER = URIRef(f"{D}audience/employer")
STATUTORY = URIRef(f"{D}service-type/statutory")
ADDITIONAL = URIRef(f"{D}service-type/additional")
LOCAL = URIRef(f"{D}delivery-level/local")
CENTRAL_DL = URIRef(f"{D}delivery-level/support")
INTEGRATION = URIRef(f"{D}customer-process/integration")


def require_shared(path: Path) -> Path:
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path} is missing and CI=true: the shared reference files must be present in CI")
        pytest.skip(f"{path} is absent (the shared reference folder is not checked out here)")
    return path


@pytest.fixture(scope="module")
def data() -> Graph:
    return catalogue_to_graph(sample_catalogue(), SETTINGS)


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes(project_shapes(SETTINGS))


def test_sample_catalogue_conforms_to_project_shapes(data: Graph, shapes: Graph) -> None:
    result = validate(data, shapes)
    assert result.conforms, result.summary()
    assert result.violations == []


def test_sample_catalogue_conforms_to_official_cpsv_ap_shapes(data: Graph) -> None:
    result = validate(data, [require_shared(CPSV_AP_SHAPES)])
    assert result.conforms, result.summary()


def test_official_cpsv_ap_shapes_do_check_our_services(data: Graph) -> None:
    """Guards against a vacuous pass: without its description a service fails CPSV-AP."""
    broken = _copy(data)
    broken.remove((SVC, DCT.description, None))
    result = validate(broken, [require_shared(CPSV_AP_SHAPES)])
    assert not result.conforms
    assert any(v.focus_node == str(SVC) and v.path == "dcterms:description" for v in result.violations)


def test_data_mapped_under_another_def_iri_conforms_to_rewritten_shapes() -> None:
    settings = Settings(def_iri="https://data.example.fi/def/", base_iri="https://data.example.fi/id/")
    graph = catalogue_to_graph(sample_catalogue(), settings)
    result = validate(graph, project_shapes(settings), def_iri=settings.def_iri)
    assert result.conforms, result.summary()
    # The same data against shapes left on the default base fails: the rewrite is what makes it pass.
    assert not validate(graph, project_shapes(settings)).conforms


# --------------------------------------------------------------------------- every shape bites


def _copy(graph: Graph) -> Graph:
    out = Graph()
    out += graph
    return out


def _replace(g: Graph, s: URIRef, p: URIRef, o) -> None:
    g.remove((s, p, None))
    g.add((s, p, o))


def _bnode_of(cls: URIRef) -> Callable[[Graph], None]:
    def breaker(g: Graph) -> None:
        g.add((BNode(), RDF.type, cls))

    return breaker


def _drop(s: URIRef, p: URIRef, o=None) -> Callable[[Graph], None]:
    return lambda g: g.remove((s, p, o))


def _add(s: URIRef, p: URIRef, o) -> Callable[[Graph], None]:
    return lambda g: g.add((s, p, o))


def _set(s: URIRef, p: URIRef, o) -> Callable[[Graph], None]:
    return lambda g: _replace(g, s, p, o)


# shape local name -> how to break the sample so that exactly this shape's rule is violated
BREAKERS: dict[str, Callable[[Graph], None]] = {
    # concept helpers (reported through the property shape that uses them with sh:node)
    "TemServiceAreaConcept": _add(SVC, CV.isClassifiedBy, MARK_YES),
    "ServiceTypeConcept": _set(ENTRY, DCT.type, INDIVIDUAL),
    "AudienceConcept": _set(ENTRY, DCT.audience, MARK_YES),
    "MarkConcept": _set(ENTRY, SG.sharedWithOtherArea, TEM1),
    "DeliveryLevelConcept": _set(SLIDE_CENTRAL, SG.deliveryLevel, MARK_YES),
    "CustomerProcessConcept": _set(SLIDE_PROCESS, SG.customerProcess, LOCAL),
    "ProducerRoleConcept": _set(PART, CV.role, EMPLOYER),
    # public service
    "PublicService": _bnode_of(CPSV.PublicService),
    "PublicService-identifier": _set(SVC, DCT.identifier, Literal("Palkkatuki ja työllistämistuki")),
    "PublicService-title": _add(SVC, DCT.title, Literal("Palkkatuki", lang="fi")),
    "PublicService-title-fi": _set(SVC, DCT.title, Literal("Pay subsidy", lang="en")),
    "PublicService-description": _drop(SVC, DCT.description),
    "PublicService-authority": _drop(SVC, CV.hasCompetentAuthority),
    "PublicService-tem": _drop(SVC, CV.isClassifiedBy),
    "PublicService-type": _set(SVC, DCT.type, INDIVIDUAL),
    "PublicService-participation": _add(SVC, CV.hasParticipation, ENTRY),
    "PublicService-event": _add(SVC, CV.isGroupedBy, ORG),
    "PublicService-entry": _drop(SVC, SG.hasEntry),
    "PublicService-spatial": _set(SVC, DCT.spatial, ORG),
    "PublicService-audienceDependentFacet": _add(SVC, SG.audienceDependentFacet, SG.printedName),
    # a service with one audience (Starttiraha: start-ups) cannot differ by audience
    "AudienceDependentService": _add(STARTTIRAHA, SG.audienceDependentFacet, SG.temServiceArea),
    "AudienceDependentService-audiences": _add(STARTTIRAHA, SG.audienceDependentFacet, SG.temServiceArea),
    # entry
    "Entry": _bnode_of(SG.Entry),
    "Entry-service": _drop(ENTRY, SG.entryOf),
    "Entry-listed": _drop(SVC, SG.hasEntry, ENTRY),
    "Entry-identifier": _drop(ENTRY, DCT.identifier),
    "Entry-source": _drop(ENTRY, PROV.wasDerivedFrom),
    "Entry-page": _drop(ENTRY, SG.page),
    "Entry-printedAt": _drop(ENTRY, SG.printedAt),
    "Entry-printedName": _set(ENTRY, SG.printedName, Literal("Pay subsidy", lang="en")),
    "Entry-printedCell": _drop(ENTRY, SG.printedCell),
    "Entry-audience": _add(ENTRY, DCT.audience, EMPLOYER),
    "Entry-type": _add(ENTRY, DCT.type, ADDITIONAL),
    "Entry-tem": _add(ENTRY, SG.temServiceArea, TEM6),
    "Entry-temUncertain": _add(ENTRY, SG.temAreaUncertain, Literal("yes")),
    "Entry-shared": _add(ENTRY, SG.sharedWithOtherArea, MARK_PARTLY),
    "Entry-immigrant": lambda g: (g.add((ENTRY, SG.immigrantRelevance, MARK_YES)), g.add((ENTRY, SG.immigrantRelevance, MARK_PARTLY))),
    "Entry-multiprofessional": _add(ENTRY, SG.multiprofessionalRelevance, MARK_PARTLY),
    "Entry-deliveryLevel": _add(SLIDE_CENTRAL, SG.deliveryLevel, CENTRAL_DL),
    "Entry-customerProcess": _add(SLIDE_PROCESS, SG.customerProcess, INTEGRATION),
    "Entry-group": _add(ENTRY, SG.group, Literal("Ryhmä")),
    "Entry-outlinePath": _add(SLIDE_PROCESS, SG.outlinePath, Literal("A > B", lang="en")),
    "Entry-participation": _add(ENTRY, CV.hasParticipation, SRC),
    # print location, printed cell
    "PrintLocation": _bnode_of(SG.PrintLocation),
    "PrintLocation-page": _drop(LOC, SG.page),
    "PrintLocation-bbox": _set(LOC, SG.bbox, Literal("37 325 636 344.5")),
    "PrintLocation-entry": _drop(ENTRY, SG.printedAt, LOC),
    "PrintedCell": _bnode_of(SG.PrintedCell),
    "PrintedCell-role": _set(CELL, SG.columnRole, Literal("TEM area")),
    "PrintedCell-value": _drop(CELL, PROV.value),
    # participation and agents
    "Participation": _bnode_of(CV.Participation),
    "Participation-identifier": _drop(PART, DCT.identifier),
    "Participation-description": _set(PART, DCT.description, Literal("Päijät-Hämeen työllisyysalue")),
    "Participation-role": _drop(PART, CV.role),
    "Participation-participant": _set(PART, CV.hasParticipant, SRC),
    "Participation-possible": _add(PART, SG.possible, Literal("mahdollinen")),
    "Agent": _bnode_of(URIRef("http://xmlns.com/foaf/0.1/Agent")),
    "Agent-identifier": _drop(AGENT, DCT.identifier),
    "Agent-title": _drop(AGENT, DCT.title),
    "PublicOrganisation": _bnode_of(CV.PublicOrganisation),
    "PublicOrganisation-prefLabel": _drop(ORG, SKOS.prefLabel),
    "PublicOrganisation-spatial": _drop(ORG, DCT.spatial),
    "Location": _bnode_of(DCT.Location),
    "Location-prefLabel": _drop(LOCATION, SKOS.prefLabel),
    # source documents
    "SourceDocument": _bnode_of(SG.SourceDocument),
    "SourceDocument-identifier": _drop(SRC, DCT.identifier),
    "SourceDocument-title": _drop(SRC, DCT.title),
    "SourceDocument-fileName": _drop(SRC, SG.fileName),
    "SourceDocument-pages": _set(SRC, BIBO.numPages, Literal("8")),
    "SourceDocument-checksum": _drop(SRC, SPDX.checksum),
    "SourceDocument-publisher": _drop(SRC, DCT.publisher),
    "Checksum": _bnode_of(SPDX.Checksum),
    "Checksum-algorithm": _set(CHECKSUM, SPDX.algorithm, SPDX.checksumAlgorithm_md5),
    "Checksum-value": _set(CHECKSUM, SPDX.checksumValue, Literal("85A53B46", datatype=XSD_HEX_BINARY)),
    # events and concepts
    "Event": _bnode_of(CV.BusinessEvent),
    "Event-identifier": _drop(EVENT, DCT.identifier),
    "Event-title": _drop(EVENT, DCT.title),
    "Event-type": _drop(EVENT, DCT.type),
    "Event-service": _drop(EVENT, CV.hasRelatedService),
    "Concept": _bnode_of(SKOS.Concept),
    "Concept-prefLabel": _add(TEM1, SKOS.prefLabel, Literal("Työllistyminen", lang="fi")),
    "Concept-prefLabel-fi": _drop(TEM1, SKOS.prefLabel, Literal("Työn löytyminen", lang="fi")),
    "Concept-inScheme": _drop(TEM1, SKOS.inScheme),
}


# A concept shape's scheme check is its own property shape, broken the same way as the concept shape.
for _name in list(BREAKERS):
    if _name in ("TemServiceAreaConcept", "AudienceConcept", "MarkConcept", "DeliveryLevelConcept",
                 "CustomerProcessConcept", "ProducerRoleConcept"):
        BREAKERS[f"{_name}-scheme"] = BREAKERS[_name]


def _declared_shapes() -> list[str]:
    shapes = Graph().parse(SHAPES_FILE)
    names = {
        str(s)[len(str(SGSH)):]
        for cls in (SH.NodeShape, SH.PropertyShape)
        for s in shapes.subjects(RDF.type, cls)
        if isinstance(s, URIRef)
    }
    return sorted(names)


def test_every_breaking_case_names_a_declared_shape() -> None:
    assert sorted(set(BREAKERS) - set(_declared_shapes())) == []


@pytest.mark.parametrize("shape_name", _declared_shapes())
def test_every_shape_bites(shape_name: str, data: Graph, shapes: Graph) -> None:
    breaker = BREAKERS.get(shape_name)
    assert breaker is not None, f"shape sgsh:{shape_name} has no breaking case in BREAKERS"
    broken = _copy(data)
    breaker(broken)
    result = validate(broken, shapes)
    shape = SGSH[shape_name]
    # A helper node shape is reported by the property shape that refers to it with sh:node,
    # a targeted concept shape also by its own property shapes (the scheme check).
    reporters = {shape} | set(shapes.subjects(SH.node, shape)) | set(shapes.objects(shape, SH.property))
    fired = [v for v in result.violations if URIRef(v.shape.replace("sgsh:", str(SGSH), 1)) in reporters]
    assert fired, f"breaking sgsh:{shape_name} gave no violation of it:\n{result.summary()}"
    assert all(v.message and v.message != "(no message)" for v in fired)


def test_every_shape_has_a_message_and_labels(shapes: Graph) -> None:
    for name in _declared_shapes():
        shape = SGSH[name]
        langs = {lit.language for lit in shapes.objects(shape, SH.message)}
        assert "en" in langs, f"sgsh:{name} has no sh:message@en"
        labels = {lit.language for lit in shapes.objects(shape, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))}
        assert {"fi", "en"} <= labels, f"sgsh:{name} lacks rdfs:label fi/en"


def test_shapes_use_shacl_core_only(shapes: Graph) -> None:
    assert not list(shapes.subject_objects(SH.sparql)), "sh:sparql is slow in pyshacl: use SHACL Core"


# --------------------------------------------------------------------------- the report


def test_violation_names_service_rule_and_source_location(data: Graph, shapes: Graph) -> None:
    broken = _copy(data)
    broken.remove((LOC, SG.bbox, None))
    result = validate(broken, shapes)
    (violation,) = result.violations
    assert violation.shape == "sgsh:PrintLocation-bbox"
    assert violation.service_title == "Palkkatuki ja työllistämistuki"
    assert (violation.source_id, violation.page) == ("002_liitetaulukko", 1)
    summary = result.summary()
    assert 'service "Palkkatuki ja työllistämistuki"' in summary
    assert "source 002_liitetaulukko, page 1" in summary
    assert "sg:bbox" in summary


def test_write_report_writes_turtle_report_and_summary(data: Graph, shapes: Graph, tmp_path: Path) -> None:
    broken = _copy(data)
    broken.remove((SVC, DCT.description, None))
    report, summary = write_report(validate(broken, shapes), tmp_path / "validation")
    assert list(Graph().parse(report).objects(None, SH.conforms)) == [Literal(False)]
    assert "sgsh:PublicService-description" in summary.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- CLI


def test_cli_validate_exit_codes(data: Graph, tmp_path: Path) -> None:
    runner = CliRunner()
    good = tmp_path / "good.ttl"
    data.serialize(good, format="turtle")
    ok = runner.invoke(app, ["validate", str(good)])
    assert ok.exit_code == 0, ok.output
    assert "conforms" in ok.output

    broken = _copy(data)
    broken.remove((ENTRY, PROV.wasDerivedFrom, None))
    bad = tmp_path / "bad.ttl"
    broken.serialize(bad, format="turtle")
    failed = runner.invoke(app, ["validate", str(bad)])
    assert failed.exit_code == 1
    assert "sgsh:Entry-source" in failed.output

    garbage = tmp_path / "garbage.ttl"
    garbage.write_text("this is not turtle <<", encoding="utf-8")
    unreadable = runner.invoke(app, ["validate", str(garbage)])
    assert unreadable.exit_code == 2
    assert "garbage.ttl" in unreadable.output and "not valid Turtle" in unreadable.output

    missing = runner.invoke(app, ["validate", str(tmp_path / "missing.ttl")])
    assert missing.exit_code == 2
    assert "missing.ttl: file not found" in missing.output


def test_cli_validate_with_extra_cpsv_ap_shapes(data: Graph, tmp_path: Path) -> None:
    cpsv = require_shared(CPSV_AP_SHAPES)
    good = tmp_path / "good.ttl"
    data.serialize(good, format="turtle")
    result = CliRunner().invoke(app, ["validate", str(good), "--shapes", str(cpsv)])
    assert result.exit_code == 0, result.output
