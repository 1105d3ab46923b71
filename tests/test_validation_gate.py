"""A graph that breaks the shapes stops the run before publication and leaves a readable report."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import DCTERMS

from pipeline import stages
from pipeline.config import Settings
from pipeline.errors import ValidationFailed
from pipeline.runner import run_pipeline

ROOT = Path(__file__).resolve().parents[1]


def test_violations_stop_the_run_keep_the_previous_release_and_write_report_and_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = tmp_path / "raw"
    shutil.copytree(ROOT / "raw", sources, ignore=shutil.ignore_patterns("src"))
    settings = replace(Settings(), sources=sources, output=tmp_path / "output", cache_dir=tmp_path / "cache")
    first = run_pipeline(settings)
    before = {p.name: p.read_bytes() for p in (settings.output / "latest").iterdir()}

    real_map = stages.map_catalogue

    def map_without_titles(catalogue, settings_):  # a mapping bug: services lose their dct:title
        graph: Graph = real_map(catalogue, settings_)
        graph.remove((None, DCTERMS.title, None))
        return graph

    monkeypatch.setattr(stages, "map_catalogue", map_without_titles)
    (settings.cache_dir / "last-run.json").unlink()  # make the run do the work again

    with pytest.raises(ValidationFailed) as failure:
        run_pipeline(settings)

    assert "title" in str(failure.value).lower()
    report = settings.output / "validation"
    assert Graph().parse(report / "report.ttl", format="turtle")  # the SHACL report, as Turtle
    summary = (report / "summary.txt").read_text(encoding="utf-8")
    assert "Palkkatuki ja työllistämistuki" in summary or "palkkatuki-ja-tyollistamistuki" in summary
    assert "002_liitetaulukko" in summary or "002-liitetaulukko" in summary  # the source location
    after = {p.name: p.read_bytes() for p in (settings.output / "latest").iterdir()}
    assert after == before
    assert [p.name for p in (settings.output / "releases").iterdir()] == [first.release]
