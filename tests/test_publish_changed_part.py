"""The changelog reads only the services a change touches, and says what it says on whole files."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, URIRef

from pipeline.config import Settings
from pipeline.publish import changelog as cl
from pipeline.publish import serialise
from pipeline.publish.changed_part import changed_part
from pipeline.rdf.namespaces import CPSV, DCT, SG

ROOT = Path(__file__).resolve().parents[1]
AREA_TTL = sorted((ROOT / "output" / "latest" / "areas").glob("*.ttl"))[0]
SG_NS = serialise.sg_namespace(Settings().def_iri)


def _write(graph: Graph, path: Path) -> Path:
    path.write_bytes(serialise.to_turtle(graph, Settings().def_iri))
    return path


def _mutations(graph: Graph, seed: int) -> Graph:
    """A copy with a removed service, a changed entry fact, a moved print box, a renamed source,
    an added service and a few random triples dropped."""
    rng = random.Random(seed)
    out = Graph() + graph
    services = sorted(graph.subjects(RDF.type, CPSV.PublicService))
    gone = rng.choice(services)
    for t in list(out.triples((gone, None, None))) + list(out.triples((None, None, gone))):
        out.remove(t)
    entry = rng.choice(sorted(graph.subjects(RDF.type, SG.Entry)))
    out.set((entry, SG.printedName, Literal("Muutettu nimi", lang="fi")))
    location = rng.choice(sorted(graph.objects(None, SG.printedAt)))
    out.set((location, SG.page, Literal(99)))
    source = rng.choice(sorted(graph.objects(None, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"))))
    out.set((source, DCT.title, Literal("Toinen otsikko", lang="fi")))
    new = URIRef(str(gone) + "-uusi")
    out.add((new, RDF.type, CPSV.PublicService))
    out.add((new, DCT.title, Literal("Uusi palvelu", lang="fi")))
    for t in rng.sample(sorted(out), 5):
        out.remove(t)
    return out


@pytest.mark.parametrize("seed", range(4))
def test_the_changed_part_gives_the_same_changelog_as_the_whole_shard(tmp_path: Path, seed: int) -> None:
    before = Graph().parse(AREA_TTL, format="turtle")
    after_path = _write(_mutations(before, seed), tmp_path / "after.ttl")
    after = Graph().parse(after_path, format="turtle")
    whole = cl.diff_graphs(before, after, sg_namespace=SG_NS, previous_release="a", release="b")
    old_part, new_part = changed_part(AREA_TTL, after_path, SG_NS)
    part = cl.diff_graphs(old_part, new_part, sg_namespace=SG_NS, previous_release="a", release="b")
    assert part == whole
    assert whole.added and whole.removed and whole.changed  # the mutations were seen at all
    assert len(new_part) < len(after) / 2  # and only a part was read into rdflib


def test_an_unchanged_shard_has_no_services_in_its_changed_part() -> None:
    old_part, new_part = changed_part(AREA_TTL, AREA_TTL, SG_NS)
    assert not set(old_part.subjects(RDF.type, CPSV.PublicService))
    assert set(old_part) == set(new_part)
