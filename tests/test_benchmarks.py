"""The benchmark runs end to end on a tiny corpus. Timing lives in the benchmark, not here."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory, soffice_or_skip: None) -> tuple[Path, subprocess.CompletedProcess]:
    tmp = tmp_path_factory.mktemp("bench")
    # The threaded Prefect run (its server start-up) and turbo are left out to keep it short:
    # Prefect + Dask goes through the same run_with_prefect.
    cmd = [sys.executable, str(BENCH / "run.py"), "--sizes", "2", "--prefect-modes", "prefect-dask",
           "--turbo-sizes=", "--corpus-root", str(tmp / "corpus"), "--out", str(tmp / "results"),
           "--plot", str(tmp / "benchmarks.png")]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=600)
    return tmp, done


def _size(tmp: Path) -> dict:
    return json.loads((tmp / "results" / "results.json").read_text(encoding="utf-8"))["sizes"]["2"]


def test_benchmark_on_two_documents_exits_cleanly_and_prints_the_tables(tiny_run) -> None:
    tmp, done = tiny_run
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "## Cost per size" in done.stdout
    for stage in ("extract", "shard", "publish"):
        assert f"| {stage} (s) |" in done.stdout
    assert "## Every run" in done.stdout
    assert "## Targets (2-core machine)" in done.stdout
    assert (tmp / "benchmarks.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_benchmark_corpus_has_both_layouts_and_each_document_is_read_with_every_record(tiny_run) -> None:
    tmp, _ = tiny_run
    size = _size(tmp)
    docs = {d["id"]: d for d in size["cold"]["documents"]}
    assert {d["layout"] for d in docs.values()} == {"appendix-table", "service-slides"}
    assert {doc_id: d["records"] for doc_id, d in docs.items()} == size["expected_records"]
    # The generated table names its own (other) employment area in its title.
    assert docs["00000_liitetaulukko"]["area"].startswith("Päijät-Hämeen")
    manifest = (Path(size["corpus"]) / "sources.yaml").read_text(encoding="utf-8")
    assert "publisher: Päijät-Hämeen työllisyysalue" in manifest


def test_benchmark_stages_and_memory_cover_the_whole_run(tiny_run) -> None:
    tmp, _ = tiny_run
    cold = _size(tmp)["cold"]
    assert {"prepare", "extract", "shard", "publish"} <= set(cold["stages_s"])
    assert sum(cold["stages_s"][k] for k in ("prepare", "extract", "shard", "publish")) <= cold["total_s"] + 0.01
    assert cold["report"]["parsed"] == 2 and cold["report"]["triples"] > 1000
    memory = _size(tmp)["prefect-dask"]["memory"]
    assert memory["max_processes"] > 1  # Dask's worker processes are counted, not only the main one
    assert memory["max_sum_mib"] > memory["max_process_mib"] > 0


def test_benchmark_reruns_parse_only_what_changed_and_dask_output_equals_bare(tiny_run) -> None:
    tmp, _ = tiny_run
    size = _size(tmp)
    assert size["nochange"]["report"]["status"] == "unchanged"
    assert size["nochange"]["report"]["parsed"] == 0
    changed = size["changed"]["report"]
    assert (changed["status"], changed["parsed"], changed["shards_built"]) == ("published", 1, 1)
    same = size["prefect-dask"]["same_as_bare"]
    assert same["identical"] and same["files"] > 5, same
    # The corpus itself is untouched: the changed re-run edits its own copy.
    corpus = Path(size["corpus"])
    digest = hashlib.sha256((corpus / "00000_liitetaulukko.pdf").read_bytes()).hexdigest()
    assert f"sha256: {digest}" in (corpus / "sources.yaml").read_text(encoding="utf-8")


def test_corpus_generator_is_deterministic_and_varies_rows_and_areas() -> None:
    sys.path.insert(0, str(BENCH))
    import corpus

    spec_a, spec_b = corpus.doc_spec(0), corpus.doc_spec(2)
    assert (spec_a.layout, spec_b.layout) == ("appendix-table", "appendix-table")
    assert spec_a.area_genitive != spec_b.area_genitive
    base = corpus.appendix.load_content()
    first, breaks = corpus.appendix_content(spec_b, base)
    again, breaks_again = corpus.appendix_content(spec_b, base)
    assert (first, breaks) == (again, breaks_again)
    assert first["title"].startswith(f"{spec_b.area_genitive} työllisyysalueen")
    counts = {len(corpus.appendix_content(corpus.doc_spec(i), base)[0]["sheets"][0]["rows"]) for i in range(0, 40, 2)}
    assert len(counts) > 3, counts
