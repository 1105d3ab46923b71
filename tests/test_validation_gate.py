"""A graph that breaks the shapes stops the run before publication and leaves a readable report."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import DCTERMS

import pipeline.rdf.mapping as mapping
from pipeline.config import Settings
from pipeline.errors import ValidationFailed
from pipeline.run import Options, run_pipeline
from reliability_helpers import snapshot

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def broken_mapping(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """(settings, first report): a good release published, then a mapping bug (services lose
    their dct:title) and the caches that would skip the work cleared."""
    sources = tmp_path / "raw"
    shutil.copytree(ROOT / "raw", sources, ignore=shutil.ignore_patterns("src"))
    settings = replace(Settings(), sources=sources, output=tmp_path / "output", cache_dir=tmp_path / "cache")
    first = run_pipeline(settings)
    real_map = mapping.catalogue_to_graph

    def map_without_titles(catalogue, settings_):
        graph: Graph = real_map(catalogue, settings_)
        graph.remove((None, DCTERMS.title, None))
        return graph

    monkeypatch.setattr(mapping, "catalogue_to_graph", map_without_titles)
    (settings.cache_dir / "last-run.json").unlink()  # make the run do the work again
    shutil.rmtree(settings.cache_dir / "shards")
    return settings, first


def test_violations_stop_a_strict_run_keep_the_previous_release_and_write_report_and_summary(broken_mapping) -> None:
    settings, first = broken_mapping
    before = snapshot(settings.output)
    with pytest.raises(ValidationFailed) as failure:
        run_pipeline(settings, options=Options(strict=True))

    assert "title" in str(failure.value).lower()
    report = settings.output / "validation" / "paijat-hameen-tyollisyysalue"
    assert Graph().parse(report / "report.ttl", format="turtle")  # the SHACL report, as Turtle
    summary = (report / "summary.txt").read_text(encoding="utf-8")
    assert "Palkkatuki ja työllistämistuki" in summary or "palkkatuki-ja-tyollistamistuki" in summary
    assert "002_liitetaulukko" in summary or "002-liitetaulukko" in summary  # the source location
    after = snapshot(settings.output)
    assert after == before
    assert [p.name for p in (settings.output / "releases").iterdir()] == [first.release]


def test_an_area_that_fails_validation_keeps_its_last_good_shard_and_is_reported(broken_mapping) -> None:
    settings, first = broken_mapping
    report = run_pipeline(settings)

    assert report.exit_code == 3 and report.release == first.release
    (item,) = report.quarantined
    assert item.area == "paijat-hameen-tyollisyysalue" and item.kept == first.release
    assert "SHACL" in item.reason
    assert (settings.output / "validation" / item.area / "summary.txt").is_file()
