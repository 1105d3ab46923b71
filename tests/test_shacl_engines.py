"""pyshacl-turbo against pyshacl, the reference engine: the same violations on every case we have.

The cases are the ones of test_shapes.py (the conforming sample and one breaking mutation per
declared shape), all of those mutations at once, the official CPSV-AP shapes on the same cases, and
the committed release. docs/validation-engines.md has the results, timings and the decision.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from dataclasses import replace
from typing import Callable

import pytest
from rdflib import Graph

from pipeline.config import PROJECT_ROOT
from pipeline.validate import ENGINES, ValidationResult, Violation, load_shapes, project_shapes, validate
from test_shapes import BREAKERS, CPSV_AP_SHAPES, SETTINGS, _copy, _declared_shapes, require_shared
from test_shapes import data, shapes  # noqa: F401  (fixtures)

RELEASE = PROJECT_ROOT / "output" / "latest"
ANONYMOUS = "(anonymous shape)"
# Shapes as loaded from their files; each engine run gets a fresh copy (what load_shapes would give):
# one Graph for both runs would share rdflib's qname cache and so hide a difference in how paths print.
PROJECT_SHAPES = load_shapes(project_shapes(SETTINGS))


def _comparable(result: ValidationResult) -> set[tuple[str | None, ...]]:
    return {(v.focus_node, v.shape, v.path, v.component, v.value, v.severity) for v in result.violations}


def _fresh(shapes: Graph) -> Graph:
    out = Graph()
    out += shapes
    return out


def _both(graph: Graph, loaded_shapes: Graph) -> tuple[ValidationResult, ValidationResult]:
    return validate(graph, _fresh(loaded_shapes)), validate(graph, _fresh(loaded_shapes), engine="turbo")


def _assert_same(reference: ValidationResult, turbo: ValidationResult) -> None:
    assert turbo.conforms == reference.conforms
    assert _comparable(turbo) == _comparable(reference), (
        f"pyshacl only: {sorted(_comparable(reference) - _comparable(turbo))}\n"
        f"turbo only: {sorted(_comparable(turbo) - _comparable(reference))}"
    )


def _broken(data: Graph, shape_name: str | None) -> Graph:
    graph = _copy(data)
    if shape_name is not None:
        BREAKERS[shape_name](graph)
    return graph


@pytest.fixture(scope="module")
def bitten(data: Graph) -> Callable[[str], tuple[ValidationResult, ValidationResult]]:
    """Both engines' results for a shape-bite case, computed once for the tests that share it."""
    cache: dict[str, tuple[ValidationResult, ValidationResult]] = {}

    def results(shape_name: str) -> tuple[ValidationResult, ValidationResult]:
        if shape_name not in cache:
            cache[shape_name] = _both(_broken(data, shape_name), PROJECT_SHAPES)
        return cache[shape_name]

    return results


# --------------------------------------------------------------------------- the engine option


def test_engines_are_pyshacl_and_turbo() -> None:
    assert ENGINES == ("pyshacl", "turbo")


def test_an_unknown_engine_is_refused_naming_the_allowed_ones(data: Graph, shapes: Graph) -> None:
    with pytest.raises(ValueError, match="pyshacl, turbo") as raised:
        validate(data, shapes, engine="jena")
    assert "jena" in str(raised.value)


def test_pyshacl_turbo_is_imported_only_when_the_turbo_engine_is_asked_for() -> None:
    code = "import sys, pipeline.validate; assert 'pyshacl_turbo' not in sys.modules, 'imported eagerly'"
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_turbo_engine_without_its_package_says_how_to_install_it(
    data: Graph, shapes: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyshacl_turbo", None)  # makes `import pyshacl_turbo` fail
    with pytest.raises(RuntimeError, match=r"pip install pyshacl-turbo==0\.6\.5"):
        validate(data, shapes, engine="turbo")


def test_turbo_validates_without_network(data: Graph, shapes: Graph, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args, **kwargs):
        raise AssertionError("the SHACL engine tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    broken = _broken(data, "PublicService-description")
    result = validate(broken, shapes, engine="turbo")
    assert not result.conforms
    assert [v.shape for v in result.violations] == ["sgsh:PublicService-description"]


# --------------------------------------------------------------------------- differential: the sample


def test_turbo_finds_the_conforming_sample_conforming_like_pyshacl(data: Graph) -> None:
    reference, turbo = _both(data, PROJECT_SHAPES)
    assert reference.conforms and turbo.conforms, turbo.summary()
    _assert_same(reference, turbo)


@pytest.mark.parametrize("shape_name", _declared_shapes())
def test_turbo_reports_the_same_violations_as_pyshacl_for_every_shape_bite(shape_name: str, bitten) -> None:
    reference, turbo = bitten(shape_name)
    assert not reference.conforms, "the breaking case must break something, or the comparison is vacuous"
    _assert_same(reference, turbo)


@pytest.mark.parametrize("shape_name", _declared_shapes())
def test_turbo_violations_match_pyshacl_field_for_field_but_generated_messages(shape_name: str, bitten) -> None:
    """Service, source location and the shape's own sh:message agree too. Only a result of an anonymous
    shape without sh:message (a sh:detail under sh:node) has an engine-made message, worded differently."""
    reference, turbo = bitten(shape_name)

    def named(result: ValidationResult) -> list[Violation]:
        return sorted((v for v in result.violations if v.shape != ANONYMOUS), key=repr)

    def anonymous(result: ValidationResult) -> list[Violation]:
        return sorted((replace(v, message="") for v in result.violations if v.shape == ANONYMOUS), key=repr)

    assert named(turbo) == named(reference)
    assert anonymous(turbo) == anonymous(reference)


def test_turbo_reports_the_same_violations_as_pyshacl_with_every_shape_bitten_at_once(data: Graph) -> None:
    broken = _copy(data)
    for shape_name in _declared_shapes():
        BREAKERS[shape_name](broken)
    reference, turbo = _both(broken, PROJECT_SHAPES)
    assert len(reference.violations) > len(BREAKERS) / 2
    _assert_same(reference, turbo)


@pytest.fixture(scope="module")
def cpsv_ap_shapes() -> Graph:
    return load_shapes([require_shared(CPSV_AP_SHAPES)])


@pytest.mark.parametrize("shape_name", [None, *_declared_shapes()])
def test_turbo_reports_the_same_violations_as_pyshacl_against_the_official_cpsv_ap_shapes(
    shape_name: str | None, data: Graph, cpsv_ap_shapes: Graph
) -> None:
    """CPSV-AP's shapes have no sh:message and print paths as dcterms:; the comparison leaves messages out."""
    reference, turbo = _both(_broken(data, shape_name), cpsv_ap_shapes)
    _assert_same(reference, turbo)


# --------------------------------------------------------------------------- differential: the release


def test_turbo_gives_the_same_verdict_as_pyshacl_on_the_committed_release() -> None:
    release = Graph()
    release.parse(RELEASE / "servicegraph.ttl", format="turtle")
    release.parse(RELEASE / "ontology.ttl", format="turtle")
    reference, turbo = _both(release, PROJECT_SHAPES)
    assert reference.conforms, reference.summary()
    _assert_same(reference, turbo)


# --------------------------------------------------------------------------- property shapes given their targets
# pipeline.validate.targeted_property_shapes gives each property shape of a targeted node shape that
# node shape's targets, so pyshacl checks it once over all focus nodes (6x faster on an area of 80k
# triples). The results must be those of the shapes as written, on every case.


def _as_written(graph: Graph, loaded_shapes: Graph) -> ValidationResult:
    import pipeline.validate as validation

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(validation, "targeted_property_shapes", lambda shapes: shapes)
        return validate(graph, _fresh(loaded_shapes))


def _assert_same_results(written: ValidationResult, targeted: ValidationResult) -> None:
    assert targeted.conforms == written.conforms
    assert sorted(targeted.violations, key=repr) == sorted(written.violations, key=repr), (
        f"as written only: {sorted(_comparable(written) - _comparable(targeted))}\n"
        f"targeted only: {sorted(_comparable(targeted) - _comparable(written))}"
    )


def test_property_shapes_of_targeted_node_shapes_get_the_node_shapes_targets() -> None:
    from pipeline.validate import targeted_property_shapes

    from rdflib.namespace import SH
    from test_shapes import SGSH, SG

    rewritten = targeted_property_shapes(PROJECT_SHAPES)
    assert (SGSH["Entry-service"], SH.targetClass, SG.Entry) in rewritten
    assert (SGSH.Entry, SH.property, SGSH["Entry-service"]) not in rewritten
    # A shape used through sh:node is checked per value node and keeps its property shapes as written.
    for nested in PROJECT_SHAPES.objects(None, SH.node):
        assert set(rewritten.objects(nested, SH.property)) == set(PROJECT_SHAPES.objects(nested, SH.property))
    assert len(list(rewritten.triples((None, SH.property, None)))) < len(list(PROJECT_SHAPES.triples((None, SH.property, None))))


@pytest.mark.parametrize("shape_name", [None, *_declared_shapes()])
def test_property_shapes_given_targets_report_what_the_shapes_as_written_report(shape_name: str | None,
                                                                                 data: Graph) -> None:
    broken = _broken(data, shape_name)  # one graph for both: a breaking case may add a blank node
    written = _as_written(broken, PROJECT_SHAPES)
    assert written.conforms == (shape_name is None)
    _assert_same_results(written, validate(broken, _fresh(PROJECT_SHAPES)))


def test_property_shapes_given_targets_report_what_the_shapes_as_written_report_all_bitten_at_once(data: Graph) -> None:
    broken = _copy(data)
    for shape_name in _declared_shapes():
        BREAKERS[shape_name](broken)
    _assert_same_results(_as_written(broken, PROJECT_SHAPES), validate(broken, _fresh(PROJECT_SHAPES)))


def test_official_cpsv_ap_shapes_given_targets_report_what_they_report_as_written(data: Graph,
                                                                                 cpsv_ap_shapes: Graph) -> None:
    broken = _copy(data)
    for shape_name in _declared_shapes():
        BREAKERS[shape_name](broken)
    for graph in (data, broken):
        written = _as_written(graph, cpsv_ap_shapes)
        _assert_same_results(written, validate(graph, _fresh(cpsv_ap_shapes)))
