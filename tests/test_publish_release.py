"""Releases are atomic, content-addressed and come with a changelog of what changed."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from pipeline.config import Settings
from pipeline.errors import RunLocked
from pipeline.publish import assemble, release
from pipeline.publish.serialise import read_jsonld
from pipeline.rdf.mapping import catalogue_to_graph
from pipeline.rdf.namespaces import CPSV, DCT, SG
from sample_catalogue import sample_catalogue

FIXED_NAMES = {"servicegraph.ttl", "servicegraph.jsonld", "context.jsonld", "catalog.ttl", "ontology.ttl", "CHANGELOG.md",
               "changes.json", "shards.json", "areas", "site"}
B = "https://servicegraph.example.org/id/"
TSA = "https://servicegraph.example.org/def/tem-service-area/"


@pytest.fixture(scope="module")
def graph() -> Graph:
    return catalogue_to_graph(sample_catalogue(), Settings())


def _publish(g: Graph, out: Path, **kw) -> release.ReleaseResult:
    return assemble.publish(g, out, settings=Settings(output=out), manifest_dates=kw.pop("dates", ["2025-03-01"]), **kw)


def _service_with_title(g: Graph, title: str) -> URIRef:
    return next(s for s, t in g.subject_objects(DCT.title) if str(t) == title and (s, RDF.type, CPSV.PublicService) in g)


def test_first_release_has_fixed_names_and_latest_points_at_it(graph, tmp_path):
    result = _publish(graph, tmp_path)
    assert result.created
    assert result.release_id.startswith("20250301-") and len(result.release_id) == len("20250301-") + 12
    latest = tmp_path / "latest"
    assert latest.is_symlink() and os.readlink(latest) == f"releases/{result.release_id}"
    assert {p.name for p in latest.iterdir()} == FIXED_NAMES
    assert isomorphic(Graph().parse(latest / "servicegraph.ttl"), read_jsonld(latest / "servicegraph.jsonld"))
    assert "first release" in (latest / "CHANGELOG.md").read_text(encoding="utf-8")
    assert not list(tmp_path.glob(".staging-*"))


def test_unchanged_content_writes_no_new_release(graph, tmp_path):
    first = _publish(graph, tmp_path)
    before = sorted(p.name for p in (tmp_path / "releases").iterdir())
    again = _publish(graph, tmp_path)
    assert not again.created and again.release_id == first.release_id
    assert "unchanged" in again.message
    assert sorted(p.name for p in (tmp_path / "releases").iterdir()) == before


def test_identical_sources_give_byte_identical_releases(graph, tmp_path):
    a = _publish(graph, tmp_path / "a")
    b = _publish(graph, tmp_path / "b")
    assert a.release_id == b.release_id
    names = sorted(str(p.relative_to(a.path)) for p in a.path.rglob("*") if p.is_file())
    assert names == sorted(str(p.relative_to(b.path)) for p in b.path.rglob("*") if p.is_file())
    for name in names:
        assert (a.path / name).read_bytes() == (b.path / name).read_bytes(), name


def test_failure_mid_write_keeps_previous_release_and_latest(graph, tmp_path, monkeypatch):
    first = _publish(graph, tmp_path)
    changed = Graph() + graph
    changed.add((_service_with_title(graph, "Starttiraha"), DCT.description, Literal("muutettu", lang="fi")))
    import pipeline.publish.assemble as assemble

    real_write, calls = assemble._write_streamed, []

    def failing_write(path: Path, name: str, chunks):
        calls.append(name)
        if len(calls) == 3:
            raise OSError("disk full (injected)")
        return real_write(path, name, chunks)

    monkeypatch.setattr(assemble, "_write_streamed", failing_write)
    with pytest.raises(OSError, match="injected"):
        _publish(changed, tmp_path)
    assert len(calls) == 3
    assert os.readlink(tmp_path / "latest") == f"releases/{first.release_id}"
    assert [p.name for p in (tmp_path / "releases").iterdir()] == [first.release_id]
    assert not list(tmp_path.glob(".staging-*"))
    assert {p.name for p in (tmp_path / "latest").iterdir()} == FIXED_NAMES


def test_changelog_lists_added_removed_and_changed_services(graph, tmp_path):
    first = _publish(graph, tmp_path)
    changed = Graph() + graph
    removed = _service_with_title(graph, "Starttiraha")
    for t in list(changed.triples((removed, None, None))):
        changed.remove(t)
    for t in list(changed.triples((None, None, removed))):
        changed.remove(t)
    palkkatuki = _service_with_title(graph, "Palkkatuki ja työllistämistuki")
    entry = next(e for e in graph.objects(palkkatuki, SG.hasEntry) if (e, SG.temServiceArea, URIRef(TSA + "1")) in graph)
    changed.remove((entry, SG.temServiceArea, URIRef(TSA + "1")))
    changed.add((entry, SG.temServiceArea, URIRef(TSA + "2")))
    new = URIRef(B + "service/paijat-hameen-tyollisyysalue/uusi-palvelu")
    changed.add((new, RDF.type, CPSV.PublicService))
    changed.add((new, DCT.title, Literal("Uusi palvelu", lang="fi")))

    second = _publish(changed, tmp_path)
    assert second.created and second.release_id != first.release_id
    changes = json.loads((second.path / "changes.json").read_text(encoding="utf-8"))
    assert changes["previous_release"] == first.release_id
    assert [c["service"] for c in changes["added"]] == [str(new)]
    assert [c["service"] for c in changes["removed"]] == [str(removed)]
    [pt] = [c for c in changes["changed"] if c["service"] == str(palkkatuki)]
    assert {"field": "TEM service area", "old": ["1 Työn löytyminen"], "new": ["2 Osaamisen kehittäminen"]} in [
        {k: f[k] for k in ("field", "old", "new")} for f in pt["changes"]]
    md = (tmp_path / "latest" / "CHANGELOG.md").read_text(encoding="utf-8")
    assert md.index(f"## {second.release_id}") < md.index(f"## {first.release_id}")
    assert "Uusi palvelu" in md and "Starttiraha" in md and "### Changed" in md


def test_second_run_while_locked_is_refused_with_the_holders_pid(graph, tmp_path):
    with release.output_lock(tmp_path):
        with pytest.raises(RunLocked, match=rf"another run is in progress \(pid {os.getpid()}\)"):
            _publish(graph, tmp_path)
    assert _publish(graph, tmp_path).created  # the lock is released afterwards


def test_a_caller_holding_the_lock_can_publish_with_locked_true(graph, tmp_path):
    with release.output_lock(tmp_path):
        assert assemble.publish(graph, tmp_path, settings=Settings(output=tmp_path), locked=True).created


def test_changelog_names_a_service_that_starts_to_differ_by_audience(graph, tmp_path):
    """sg:audienceDependentFacet is a service fact of its own in the changelog, not a move of
    print boxes: a release before it existed, then one with it."""
    palkkatuki = _service_with_title(graph, "Palkkatuki ja työllistämistuki")
    assert (palkkatuki, SG.audienceDependentFacet, SG.temServiceArea) in graph
    before = Graph() + graph
    before.remove((palkkatuki, SG.audienceDependentFacet, None))
    _publish(before, tmp_path)
    second = _publish(graph, tmp_path)
    changes = json.loads((second.path / "changes.json").read_text(encoding="utf-8"))
    [pt] = [c for c in changes["changed"] if c["service"] == str(palkkatuki)]
    assert [{k: f[k] for k in ("field", "old", "new")} for f in pt["changes"]] == [
        {"field": "differs by audience in", "old": [], "new": ["temServiceArea"]}]
