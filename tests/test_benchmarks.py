"""The benchmark runs end to end on a tiny corpus. Timing lives in the benchmark, not here."""

from __future__ import annotations

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
    # Prefect (~10 s of server start-up) is left out: its flow has its own tests.
    cmd = [sys.executable, str(BENCH / "run.py"), "--sizes", "2", "--prefect-sizes=", "--query-runs", "1",
           "--rdflib-timeout", "60", "--corpus-root", str(tmp / "corpus"), "--out", str(tmp / "results"),
           "--plot", str(tmp / "benchmarks.png")]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=600)
    return tmp, done


def test_benchmark_on_two_documents_exits_cleanly_and_prints_the_cost_table(tiny_run) -> None:
    tmp, done = tiny_run
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "## Cost per size" in done.stdout
    assert "| extract (s) |" in done.stdout
    assert "## Targets (2-core machine)" in done.stdout
    assert (tmp / "benchmarks.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_benchmark_corpus_has_both_layouts_and_each_document_is_read_with_every_record(tiny_run) -> None:
    tmp, _ = tiny_run
    data = json.loads((tmp / "results" / "results.json").read_text(encoding="utf-8"))
    size = data["sizes"]["2"]
    docs = {d["id"]: d for d in size["pipeline"]["documents"]}
    assert {d["layout"] for d in docs.values()} == {"appendix-table", "service-slides"}
    assert {doc_id: d["records"] for doc_id, d in docs.items()} == size["expected_records"]
    # The generated table names its own (other) employment area in its title.
    assert docs["00000_liitetaulukko"]["area"].startswith("Päijät-Hämeen")
    manifest = (Path(size["corpus"]) / "sources.yaml").read_text(encoding="utf-8")
    assert "publisher: Päijät-Hämeen työllisyysalue" in manifest


def test_benchmark_no_change_rerun_opens_no_pdf_and_queries_run_on_both_engines(tiny_run) -> None:
    tmp, _ = tiny_run
    size = json.loads((tmp / "results" / "results.json").read_text(encoding="utf-8"))["sizes"]["2"]
    assert size["rerun"]["status"] == "unchanged"
    assert size["rerun"]["pdf_opens"] == 0
    assert size["pipeline"]["report"]["triples"] > 1000
    queries = size["pipeline"]["queries"]["queries"]
    assert queries, "no canned query was measured"
    for name, q in queries.items():
        assert q["rows"] == q["rdflib_rows"], name
    assert size["floor"]["pages"] == sum(d["pages"] for d in size["pipeline"]["documents"])


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
