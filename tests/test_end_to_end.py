"""The whole flow on the committed raw/: the real CLI, the real Prefect flow, the real PDFs."""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF, SKOS

ROOT = Path(__file__).resolve().parents[1]
CPSV = Namespace("http://purl.org/vocab/cpsv#")
CV = Namespace("http://data.europa.eu/m8g/")
CLI = [sys.executable, "-m", "pipeline.cli"]

pytestmark = pytest.mark.slow


def committed_release_epoch() -> str:
    """SOURCE_DATE_EPOCH of the committed release: raw/ carries no dates, so a release is dated by
    its run (docs/publishing.md); the same epoch reproduces the committed catalogue byte for byte."""
    import datetime as dt
    import re

    catalog = ROOT / "output" / "latest" / "catalog.ttl"
    found = re.search(r'dct:issued "(\d{4}-\d{2}-\d{2})"', catalog.read_text(encoding="utf-8")) if catalog.exists() else None
    day = dt.date.fromisoformat(found.group(1)) if found else dt.date(2026, 1, 1)
    return str(int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc).timestamp()))


def run_cli(args: list[str], tmp: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "SERVICEGRAPH_CACHE_DIR": str(tmp / "cache"), "PREFECT_HOME": str(tmp / "prefect"),
                   "SOURCE_DATE_EPOCH": committed_release_epoch(), **env}
    return subprocess.run(CLI + args, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300)


def tree(folder: Path) -> list[str]:
    """Every file under `folder` (areas/ included), as sorted relative paths."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def flow_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`servicegraph run` as a user runs it: Prefect flow, embedded server, default sources."""
    tmp = tmp_path_factory.mktemp("e2e")
    result = run_cli(["run", "--output", str(tmp / "output")], tmp)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "published" in result.stdout
    return tmp / "output"


def test_run_publishes_turtle_and_jsonld_that_parse_to_the_same_triples(flow_run: Path) -> None:
    latest = flow_run / "latest"
    turtle = Graph().parse(latest / "servicegraph.ttl", format="turtle")
    from pipeline.publish.serialise import read_jsonld

    jsonld = read_jsonld(latest / "servicegraph.jsonld")
    assert len(turtle) > 1000
    assert isomorphic(turtle, jsonld)


def test_run_output_holds_a_named_service_with_its_type_area_and_authority(flow_run: Path) -> None:
    g = Graph().parse(flow_run / "latest" / "servicegraph.ttl", format="turtle")
    services = [s for s in g.subjects(DCTERMS.title, Literal("Palkkatuki ja työllistämistuki", lang="fi"))]
    assert len(services) == 1
    service = services[0]
    assert (service, RDF.type, CPSV.PublicService) in g
    types = {str(t) for t in g.objects(service, DCTERMS.type)}
    assert any(t.endswith("service-type/statutory") for t in types)
    areas = {str(a) for a in g.objects(service, CV.isClassifiedBy)}
    assert any(a.endswith("tem-service-area/1") for a in areas)
    authority = g.value(service, CV.hasCompetentAuthority)
    assert g.value(authority, SKOS.prefLabel) == Literal("Päijät-Hämeen työllisyysalue", lang="fi")


def test_second_run_with_nothing_changed_publishes_nothing_and_says_so(flow_run: Path, tmp_path: Path) -> None:
    # The module's run used its own cache dir; re-use it so the fingerprint is known.
    cache_tmp = flow_run.parent
    result = run_cli(["run", "--output", str(flow_run)], cache_tmp)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("unchanged: nothing changed")
    assert "Starting temporary server" not in result.stderr  # no Prefect start-up for a no-op
    assert len(list((flow_run / "releases").iterdir())) == 1


def test_dask_task_runner_gives_byte_identical_output(flow_run: Path, tmp_path: Path) -> None:
    result = run_cli(["run", "--dask", "--workers", "2", "--output", str(tmp_path / "output")], tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    default, dask = flow_run / "latest", tmp_path / "output" / "latest"
    names = tree(default)
    assert names == tree(dask) and "areas/paijat-hameen-tyollisyysalue.ttl" in names
    match, mismatch, errors = filecmp.cmpfiles(default, dask, names, shallow=False)
    assert mismatch == [] and errors == []


def test_committed_output_is_what_run_produces_from_committed_raw(flow_run: Path) -> None:
    committed = ROOT / "output" / "latest"
    if not committed.exists():
        pytest.fail("output/latest is not committed: run `servicegraph run` and commit output/")
    produced = flow_run / "latest"
    assert os.readlink(committed) == os.readlink(produced), "release ids differ: regenerate output/"
    names = tree(produced)
    assert names == tree(committed)
    _, mismatch, errors = filecmp.cmpfiles(committed, produced, names, shallow=False)
    assert mismatch == [] and errors == [], f"regenerate output/: {mismatch or errors} differ"


def test_bare_pipeline_and_prefect_flow_publish_the_same_bytes(flow_run: Path, tmp_path: Path) -> None:
    result = run_cli(["run", "--no-prefect", "--output", str(tmp_path / "output")], tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    bare = tmp_path / "output" / "latest"
    for name in ("servicegraph.ttl", "servicegraph.jsonld", "catalog.ttl"):
        assert (bare / name).read_bytes() == (flow_run / "latest" / name).read_bytes(), name
    shutil.rmtree(tmp_path / "output")
