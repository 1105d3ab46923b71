"""Extraction on worker processes gives what one process gives, and its errors intact."""

from __future__ import annotations

import pickle
import os
from dataclasses import replace
from pathlib import Path

import pytest

import reliability_helpers as rh
from pipeline.config import Settings
from pipeline.errors import ExtractionError, SourceError
from pipeline.sources import discover_sources
from pipeline.workers import extract_all, worker_count


def _settings(sources: Path, tmp: Path, workers: int) -> Settings:
    return Settings(sources=sources, output=tmp / "output", cache_dir=tmp / f"cache-{workers}", workers=workers)


def test_two_workers_give_the_documents_of_one_process_in_the_sources_order(tmp_path: Path) -> None:
    sources = discover_sources(rh.RAW)
    seen: list[tuple[int, int, str]] = []
    parallel = extract_all(sources, _settings(rh.RAW, tmp_path, 2), progress=lambda *a: seen.append(a))
    serial = extract_all(sources, _settings(rh.RAW, tmp_path, 1))
    assert [e.document.source.id for e in parallel] == [s.id for s in sources]
    assert [e.document for e in parallel] == [e.document for e in serial]
    assert not any(e.cached for e in parallel)
    assert sorted(done for done, _, _ in seen) == list(range(1, len(sources) + 1))
    again = extract_all(sources, _settings(rh.RAW, tmp_path, 2))
    assert all(e.cached for e in again)


def test_a_document_failing_on_a_worker_raises_its_own_error_naming_the_file(tmp_path: Path) -> None:
    folder = rh.real_sources(tmp_path / "sources")
    rh.truncated(folder / "zz-rikki.pdf")
    sources = discover_sources(folder)
    with pytest.raises(SourceError) as caught:
        extract_all(sources, _settings(folder, tmp_path, 2))
    assert caught.value.path.endswith("zz-rikki.pdf")
    assert str(caught.value).startswith(caught.value.path + ": ")


def test_pipeline_errors_cross_a_process_boundary_with_message_and_fields() -> None:
    error = ExtractionError("raw/x.pdf", "no table header found", page=3)
    back = pickle.loads(pickle.dumps(error))
    assert (type(back), str(back), back.path, back.page) == (ExtractionError, str(error), "raw/x.pdf", 3)


def test_worker_count_uses_the_cores_but_never_more_processes_than_documents() -> None:
    settings = Settings(workers=0)
    assert worker_count(settings, 1) == 1
    assert worker_count(replace(settings, workers=4), 3) == 3
    assert 1 <= worker_count(settings, 100) <= (os.cpu_count() or 1)
