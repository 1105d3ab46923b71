"""Sources: PDFs found without a manifest, manifest fields, layout override."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from pipeline.config import Settings
from pipeline.errors import PipelineError
from pipeline.run import run_pipeline
from pipeline.sources import discover_sources

ROOT = Path(__file__).resolve().parents[1]


def settings_for(tmp: Path, sources: Path) -> Settings:
    return replace(Settings(), sources=sources, output=tmp / "output", cache_dir=tmp / "cache")


def test_a_pdf_dropped_without_manifest_is_recognised_and_its_area_read_from_its_title(tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    shutil.copy2(ROOT / "raw" / "002_liitetaulukko.pdf", drop / "Liitetaulukko 2025.pdf")
    [source] = discover_sources(drop)
    assert source.id == "Liitetaulukko-2025" and source.layout is None
    report = run_pipeline(settings_for(tmp_path, drop))
    assert report.status == "published" and report.services > 40
    turtle = (tmp_path / "output" / "latest" / "servicegraph.ttl").read_text(encoding="utf-8")
    assert '"Päijät-Hämeen työllisyysalue"@fi' in turtle


def test_a_slide_deck_that_names_no_area_needs_a_publisher_in_the_manifest(tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    shutil.copy2(ROOT / "raw" / "000_palveluluokittelu.pdf", drop / "deck.pdf")
    with pytest.raises(PipelineError, match=r"deck\.pdf: .*names no employment area.*publisher"):
        run_pipeline(settings_for(tmp_path, drop))
    (drop / "sources.yaml").write_text(
        yaml.safe_dump({"sources": [{"id": "deck", "file": "deck.pdf", "publisher": "Lahden työllisyysalue"}]},
                       allow_unicode=True),
        encoding="utf-8",
    )
    report = run_pipeline(settings_for(tmp_path, drop))
    assert report.status == "published"
    turtle = (tmp_path / "output" / "latest" / "servicegraph.ttl").read_text(encoding="utf-8")
    assert '"Lahden työllisyysalue"@fi' in turtle and "Päijät-Häme" not in turtle


def test_a_wrong_layout_override_in_the_manifest_is_obeyed_and_fails_clearly(tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    shutil.copy2(ROOT / "raw" / "002_liitetaulukko.pdf", drop / "table.pdf")
    (drop / "sources.yaml").write_text(
        yaml.safe_dump({"sources": [{"id": "table", "file": "table.pdf", "layout": "service-slides"}]}),
        encoding="utf-8",
    )
    [source] = discover_sources(drop)
    assert source.layout == "service-slides"
    with pytest.raises(PipelineError, match=r"table\.pdf"):
        run_pipeline(settings_for(tmp_path, drop))
