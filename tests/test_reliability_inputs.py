"""Bad source files: each is refused with the file and the reason, `servicegraph run` exits non-zero,
and the previously published release stays byte-for-byte as it was.

Every case drops one bad PDF beside the two real sources (a bad day: one new file is broken) and
runs `servicegraph run --no-prefect` over a copy of a release published from the real sources.
"""

from __future__ import annotations

import os
import re
import threading
import time
from pathlib import Path
from typing import Callable

import pytest

import reliability_helpers as rh
from conftest import need
from pipeline.config import Settings
from pipeline.errors import NormalisationError, PipelineError
from pipeline.extract.document import extract_document
from pipeline.model import Source
from pipeline.sources import discover_sources


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.getbasetemp()


@pytest.fixture(scope="module")
def baseline(root: Path) -> Path:
    return rh.baseline_output(root)


@pytest.fixture(scope="module")
def office_pdfs(root: Path, soffice_or_skip: None) -> dict[str, Path]:
    """The real appendix rebuilt with one bad cell each (LibreOffice, ~3 s each, built once)."""
    out = root / "office-variants"
    return {
        # data row 1, column 5 (Kotoutuja) printed "xx": not one of x, (x), ?, x?
        "unknown-mark": rh.appendix_with(out, column=5, value="xx", stem="outo-merkki"),
        # data row 2, column 1 (Tyyppi) printed "Salainen": no such service type
        "unknown-type": rh.appendix_with(out, row=2, column=1, value="Salainen", stem="outo-tyyppi"),
    }


def _needs_qpdf() -> None:
    if rh.qpdf_path() is None:
        need("qpdf (apt-get install qpdf) to build an encrypted PDF")


# name -> (builder of the bad file at the given path, what the error must say after the file name)
Builder = Callable[[Path], Path]
CASES: dict[str, tuple[Builder, str]] = {
    "zero-byte": (rh.zero_byte, r"the file is empty \(0 bytes\)"),
    "not-a-pdf": (rh.not_a_pdf, r"not a PDF file \(no %PDF- header\)"),
    "truncated": (rh.truncated, r"truncated or corrupt"),
    "corrupted": (rh.corrupted, r"the PDF text cannot be decoded \(fonts without a Unicode mapping"),
    "encrypted": (rh.encrypted, r"encrypted and needs a password"),
    "image-only": (rh.image_only, r"no text layer .*OCR is not supported"),
    "unknown-layout": (rh.unknown_layout, r"unknown layout.*header words found: Kuukausiraportti, Budjetti, Toteuma, Poikkeama"),
    "too-many-pages": (rh.many_pages, r"has 60 pages, more than the limit of 50 \(Settings\.max_pages\)"),
}


def refused_run(tmp: Path, root: Path, baseline: Path, bad: Path, env: dict[str, str] | None = None,
                exit_code: int = 3):
    """Run the CLI on the real sources plus `bad` over a copy of the baseline release: the bad
    file is quarantined (exit 3), the release of the good ones is what it was.

    Returns the CLI result.
    """
    sources = rh.real_sources(tmp / "sources")
    if bad.parent != sources:
        os.replace(bad, sources / bad.name)
    output = rh.copy_output(baseline, tmp / "output")
    before, target = rh.snapshot(output), rh.latest_target(output)
    releases = sorted(p.name for p in (output / "releases").iterdir())
    env = {"SERVICEGRAPH_CACHE_DIR": str(rh.shared_cache(root)), **(env or {})}
    result = rh.invoke(["run", "--no-prefect", "--no-fetch", "--sources", str(sources), "--output", str(output)], env)
    assert result.exit_code == exit_code, result.output
    assert rh.latest_target(output) == target
    assert rh.snapshot(output) == before, "output/latest changed although only a bad file was added"
    assert sorted(p.name for p in (output / "releases").iterdir()) == releases
    assert rh.leftovers(output) == []
    return result


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_bad_pdf_beside_good_ones_is_quarantined_naming_the_file_and_leaves_the_release(
    case: str, tmp_path: Path, root: Path, baseline: Path
) -> None:
    builder, reason = CASES[case]
    if case == "encrypted":
        _needs_qpdf()
    bad = builder(tmp_path / f"uusi-{case}.pdf")
    result = refused_run(tmp_path, root, baseline, bad)
    line = result.stderr.strip().splitlines()[-1]
    assert re.search(rf"^error: .*uusi-{case}\.pdf: .*{reason}", line), line
    assert "Traceback" not in result.output


@pytest.mark.parametrize("case", ["unknown-mark", "unknown-type"])
def test_a_table_cell_with_an_unknown_value_is_quarantined_with_file_page_and_text(
    case: str, tmp_path: Path, root: Path, baseline: Path, office_pdfs: dict[str, Path]
) -> None:
    bad = tmp_path / office_pdfs[case].name
    bad.write_bytes(office_pdfs[case].read_bytes())
    result = refused_run(tmp_path, root, baseline, bad)
    line = result.stderr.strip().splitlines()[-1]
    expected = {
        "unknown-mark": r"outo-merkki\.pdf: page 3, table 1 row 1 .*column immigrant: not a mark .*'xx'",
        "unknown-type": r"outo-tyyppi\.pdf: page 1, table 1 row 2 .*column type: unknown service type: 'Salainen'",
    }[case]
    assert re.search(expected, line), line


def test_the_page_limit_comes_from_SERVICEGRAPH_MAX_PAGES(tmp_path: Path, root: Path, baseline: Path) -> None:
    # The real table has 6 pages: a limit of 5 refuses it. A fresh cache, so the limit is
    # checked on the file rather than skipped for an earlier extraction.
    sources = rh.real_sources(tmp_path / "sources")
    result = refused_run(tmp_path, root, baseline, sources / "002_liitetaulukko.pdf",
                         env={"SERVICEGRAPH_MAX_PAGES": "5", "SERVICEGRAPH_CACHE_DIR": str(tmp_path / "cache")})
    assert re.search(r"002_liitetaulukko\.pdf: the PDF has 6 pages, more than the limit of 5", result.stderr)
    assert Settings.from_env().max_pages == 50


def test_a_pdf_over_the_byte_limit_is_refused_before_parsing(tmp_path: Path) -> None:
    settings = Settings(max_bytes=10_000)
    with pytest.raises(PipelineError, match=r"002_liitetaulukko\.pdf: the file is \d+ bytes, more than the limit"):
        extract_document(Source("t", rh.TABLE_PDF, ""), settings)


def test_a_pdf_whose_fonts_are_corrupt_is_refused_as_undecodable_not_read_as_cid_garbage(tmp_path: Path) -> None:
    bad = rh.corrupted(tmp_path / "rikki.pdf")
    with pytest.raises(PipelineError) as caught:
        extract_document(Source("rikki", bad, ""), Settings())
    assert not isinstance(caught.value, NormalisationError)
    assert "(cid:" not in str(caught.value)
    assert re.search(r"rikki\.pdf: the PDF text cannot be decoded", str(caught.value))


def test_a_slide_deck_whose_fonts_are_corrupt_is_refused_the_same_way(tmp_path: Path) -> None:
    bad = rh.corrupted(tmp_path / "rikki.pdf", rh.SLIDES_PDF)
    with pytest.raises(PipelineError, match=r"rikki\.pdf: the PDF text cannot be decoded"):
        extract_document(Source("rikki", bad, ""), Settings())


def test_the_page_time_limit_is_checked_after_each_page() -> None:
    # A limit nobody can meet: the first page already exceeds it, and the error says so.
    with pytest.raises(PipelineError, match=r"page 1 took .* more than .* \(Settings\.page_timeout_s\)"):
        extract_document(Source("t", rh.TABLE_PDF, ""), Settings(page_timeout_s=1e-9))


def test_a_page_that_never_finishes_is_interrupted_at_the_page_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    import pipeline.extract.pdf as pdf

    real = pdf.page_words

    def slow(*args, **kwargs):  # a hostile page: pdfminer busy for far longer than the limit
        time.sleep(4)
        return real(*args, **kwargs)

    monkeypatch.setattr(pdf, "page_words", slow)
    started = time.monotonic()
    with pytest.raises(PipelineError, match="page 1"):
        extract_document(Source("t", rh.TABLE_PDF, ""), Settings(page_timeout_s=0.5))
    assert time.monotonic() - started < 2.0


def test_a_page_that_never_finishes_is_interrupted_on_an_extraction_worker_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import multiprocessing

    import pipeline.extract.pdf as pdf
    from pipeline.run import executors
    from pipeline.run.jobs import extract_job

    real = pdf.page_words

    def slow(*args, **kwargs):
        time.sleep(4)
        return real(*args, **kwargs)

    monkeypatch.setattr(pdf, "page_words", slow)
    # fork, so that the workers inherit the hostile page (forkserver would start clean ones)
    monkeypatch.setattr(executors.LocalExecutor, "_context", lambda self: multiprocessing.get_context("fork"))
    folder = rh.real_sources(tmp_path / "sources")
    settings = Settings(sources=folder, cache_dir=tmp_path / "cache", page_timeout_s=0.5, workers=2)
    sources = discover_sources(folder)
    started = time.monotonic()
    executor = executors.LocalExecutor(2)
    try:
        outcomes = dict(executor.map("extract", extract_job, [(s, settings) for s in sources], [s.id for s in sources]))
    finally:
        executor.close()
    assert time.monotonic() - started < 3.0
    assert all(isinstance(o.error, PipelineError) and "page 1" in str(o.error) for o in outcomes.values())


@pytest.mark.xfail(strict=True, reason=(
    "Known gap: SIGALRM can interrupt a page only in the main thread. The default flow and the "
    "bare run parse on worker processes (pipeline/run/executors.py), in their main threads, so there "
    "the limit holds; on Dask workers (threads of worker processes) a slow page is only detected "
    "after it ends. A full fix reads each PDF in a child process joined with a timeout "
    "(docs/reliability.md)."))
def test_a_page_that_never_finishes_is_interrupted_in_a_worker_thread_too(monkeypatch: pytest.MonkeyPatch) -> None:
    import pipeline.extract.pdf as pdf

    real = pdf.page_words

    def slow(*args, **kwargs):
        time.sleep(2.5)
        return real(*args, **kwargs)

    monkeypatch.setattr(pdf, "page_words", slow)
    outcome: list[BaseException | None] = []

    def extract() -> None:
        try:
            extract_document(Source("t", rh.TABLE_PDF, ""), Settings(page_timeout_s=0.5))
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread
            outcome.append(exc)

    started = time.monotonic()
    worker = threading.Thread(target=extract)  # as Prefect's ThreadPoolTaskRunner runs a task
    worker.start()
    worker.join()
    assert isinstance(outcome[0], PipelineError) and "page 1" in str(outcome[0])
    assert time.monotonic() - started < 2.0


def test_the_prefect_flow_quarantines_a_bad_file_in_one_line_and_keeps_the_release(
    tmp_path: Path, root: Path, baseline: Path
) -> None:
    # The default `servicegraph run` (a Prefect flow, real CLI in a subprocess): the error of a
    # bad file inside an extract task reaches the user as one line, no traceback, exit 3
    # (quarantined), and the release of the good files is what it was.
    import subprocess

    sources = rh.real_sources(tmp_path / "sources")
    rh.image_only(sources / "skannattu.pdf")
    output = rh.copy_output(baseline, tmp_path / "output")
    before, target = rh.snapshot(output), rh.latest_target(output)
    done = subprocess.run(rh.servicegraph_cmd("run", "--no-fetch", "--quiet", "--sources", str(sources),
                                              "--output", str(output)),
                          cwd=rh.ROOT, env=rh.run_env(rh.shared_cache(root)), capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 3, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    errors = [line for line in lines if line.startswith("error:")]
    assert len(errors) == 1 and all(line.startswith(("error:", "warning:")) for line in lines), done.stderr
    (line,) = errors
    assert re.search(r"^error: .*skannattu\.pdf: the PDF has no text layer .*OCR is not supported.* \(quarantined; ",
                     line), done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert rh.latest_target(output) == target and rh.snapshot(output) == before


def test_a_full_disk_during_publication_is_a_one_line_error_and_the_release_stays(
    tmp_path: Path, root: Path, baseline: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pipeline.publish.assemble as assemble

    def full_disk(path: Path, name: str, chunks) -> None:
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(assemble, "_write_streamed", full_disk)
    sources = rh.real_sources(tmp_path / "sources")
    output = rh.copy_output(baseline, tmp_path / "output")
    before, target = rh.snapshot(output), rh.latest_target(output)
    result = rh.invoke(["run", "--no-prefect", "--no-fetch", "--quiet", "--sources", str(sources), "--output",
                        str(output)], {"SERVICEGRAPH_CACHE_DIR": str(rh.shared_cache(root)),
                                       "SERVICEGRAPH_BASE_IRI": "https://tyollisyys.example.fi/id/"})
    assert result.exit_code == 1
    assert re.search(r"^error: \[Errno 28\] No space left on device: '.*\.staging-", result.stderr), result.stderr
    assert rh.latest_target(output) == target and rh.snapshot(output) == before
    assert rh.leftovers(output) == []
