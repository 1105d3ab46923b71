"""The benchmark runs end to end on a tiny corpus. Timing lives in the benchmark, not here."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory, soffice_or_skip: None) -> tuple[Path, subprocess.CompletedProcess]:
    tmp = tmp_path_factory.mktemp("bench")
    # Prefect (its server start-up, 15-40 s on this machine) and turbo are left out to keep it
    # short; `run.py --sizes 2` alone runs them too.
    cmd = [sys.executable, str(BENCH / "run.py"), "--sizes", "2", "--prefect-sizes=", "--turbo-sizes=", "--corpus-root", str(tmp / "corpus"), "--out", str(tmp / "results"),
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
    memory = cold["memory"]
    if (os.cpu_count() or 1) > 1:
        assert memory["max_processes"] > 1  # the worker processes are counted, not only the main one
        assert memory["max_sum_mib"] > memory["max_process_mib"] > 0
    assert memory["cpu_tree_s"] > 0


def test_benchmark_reruns_parse_only_what_changed(tiny_run) -> None:
    tmp, _ = tiny_run
    size = _size(tmp)
    assert size["nochange"]["report"]["status"] == "unchanged"
    assert size["nochange"]["report"]["parsed"] == 0
    changed = size["changed"]["report"]
    assert (changed["status"], changed["parsed"], changed["shards_built"]) == ("published", 1, 1)
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


def test_output_comparison_sees_every_file_below_latest(tmp_path: Path) -> None:
    sys.path.insert(0, str(BENCH))
    import run

    for side in ("a", "b"):
        (tmp_path / side / "areas").mkdir(parents=True)
        (tmp_path / side / "servicegraph.ttl").write_bytes(b"same")
        (tmp_path / side / "areas" / "x.ttl").write_bytes(b"one")
    assert run.same_output(tmp_path / "a", tmp_path / "b")["identical"]
    (tmp_path / "b" / "areas" / "x.ttl").write_bytes(b"two")
    (tmp_path / "b" / "extra.json").write_bytes(b"{}")
    same = run.same_output(tmp_path / "a", tmp_path / "b")
    assert not same["identical"]
    assert (same["differ"], same["only_here"]) == (["areas/x.ttl"], ["extra.json"])


def test_the_query_benchmark_times_every_canned_query_in_every_form(tmp_path: Path) -> None:
    """On the committed release: every canned query is timed whole and per area, the row counts are
    the query command's, and the small answers carry their target. No timing is asserted."""
    from pipeline.store import run_query

    done = subprocess.run([sys.executable, str(BENCH / "queries.py"), "--release", str(ROOT / "output" / "latest"),
                           "--repeat", "1", "--out", str(tmp_path)], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    (result,) = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))["results"].values()
    timings = {(t["query"], t["form"]): t for t in result["timings"]}
    for query in sorted((ROOT / "queries").glob("*.rq")):
        assert (query.stem, "area") in timings
        whole = timings[(query.stem, "whole")]
        assert whole["rows"] == len(run_query(query.read_text(encoding="utf-8"), ROOT / "output" / "latest").rows)
        assert whole["median_ms"] > 0
    assert timings[("services-per-tem-area-count", "whole")]["target"] == "≤ 20 ms"
    assert timings[("provenance", "service")]["rows"] > 0
    assert timings[("provenance", "source")]["rows"] > 0 and timings[("provenance", "source")]["target"] == "≤ 20 ms"
    assert "| provenance | area |" in done.stdout
    # the rewritten queries are timed against their former shapes, and give their rows
    assert timings[("classification-differs-by-audience", "whole, former shape")]["rows"] == \
        timings[("classification-differs-by-audience", "whole")]["rows"] > 0
    assert result["checks"] == {"same_rows_as_former_shape": {"classification-differs-by-audience": True,
                                                             "immigrant-or-multiprofessional": True},
                                "audience_dependent_facet_mismatches": 0}


def test_the_query_benchmark_fails_on_a_release_whose_precomputed_statement_is_missing(tmp_path: Path) -> None:
    """A release published without sg:audienceDependentFacet answers differs-by-audience wrongly (fast,
    and empty): the benchmark says so and exits 1 instead of reporting the timing as met."""
    release = tmp_path / "release"
    latest = ROOT / "output" / "latest"
    data = ("servicegraph.ttl", *(f"areas/{p.name}" for p in (latest / "areas").glob("*.ttl")))
    for name in (*data, "ontology.ttl", "catalog.ttl"):
        text = (latest / name).read_text(encoding="utf-8")
        (release / name).parent.mkdir(parents=True, exist_ok=True)
        (release / name).write_text("".join(line for line in text.splitlines(keepends=True)
                                            if name not in data or "sg:audienceDependentFacet" not in line), encoding="utf-8")
    assert "audienceDependentFacet" in (latest / "servicegraph.ttl").read_text(encoding="utf-8")
    done = subprocess.run([sys.executable, str(BENCH / "queries.py"), "--release", str(release), "--repeat", "1",
                           "--out", str(tmp_path / "out")], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 1
    assert f"CHECK FAILED on {release}" in done.stdout


def test_extraction_benchmark_prints_a_row_per_pdf_against_the_pdfplumber_floor() -> None:
    done = subprocess.run([sys.executable, str(BENCH / "extraction.py"), "--no-corpus", "--repeat", "1"],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines[0].split()[:3] == ["PDF", "pages", "floor"] and lines[0].split()[-1] == "ratio"
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert {"000_palveluluokittelu.pdf", "002_liitetaulukko.pdf"} <= set(rows)
    # the ratio is the 7th column; a row over the target ends with "> target" (timing, not a failure)
    assert rows["002_liitetaulukko.pdf"][1] == "6" and float(rows["002_liitetaulukko.pdf"][6]) > 0
    assert lines[-1].startswith("max") and "(target 1.3)" in lines[-1]
