"""Property-based: random bytes, mutated copies of the real PDFs and random manifests raise only
the project's own errors (PipelineError subclasses), in bounded time, without crashing Python.

PDFs go through `extract_document` in a child process (reliability_helpers.ExtractWorker) so a
segfault or a hang in the parser fails a check instead of the test run. Examples are derandomised
(the same cases on every machine) and bounded so the file stays well under a minute.
"""

from __future__ import annotations

import itertools
import os
import random
from pathlib import Path
from typing import Iterator

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import reliability_helpers as rh
from pipeline.errors import PipelineError
from pipeline.sources import discover_sources

# A real page is read in ~0.1 s; 15 s for a whole mutated file means something hangs.
FILE_TIMEOUT_S = 15.0
BOUNDED = settings(max_examples=30, deadline=20_000, derandomize=True, database=None,
                   suppress_health_check=[HealthCheck.too_slow])
REAL_BYTES = {p.name: p.read_bytes() for p in rh.REAL_PDFS}
_names = itertools.count()


@pytest.fixture(scope="module")
def worker() -> Iterator[rh.ExtractWorker]:
    w = rh.ExtractWorker()
    yield w
    w.close()


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def check_extraction(worker: rh.ExtractWorker, folder: Path, data: bytes) -> dict[str, object]:
    path = folder / f"f{next(_names)}.pdf"
    path.write_bytes(data)
    try:
        result = worker.extract(path, FILE_TIMEOUT_S)
    finally:
        path.unlink()
    assert result["ok"] or result["pipeline"], (
        f"{len(data)} bytes gave {result['type']}: {result['message']}\n{result.get('traceback', '')}")
    if not result["ok"]:
        assert str(path) in str(result["message"]), result  # the error names the file
    return result


@BOUNDED
@given(body=st.binary(max_size=4096), header=st.booleans(), trailer=st.booleans())
def test_random_bytes_raise_only_pipeline_errors(worker, scratch, body: bytes, header: bool, trailer: bool) -> None:
    # With a %PDF- header and a %%EOF trailer the bytes get past the cheap checks into the parser.
    data = (b"%PDF-1.7\n" if header else b"") + body + (b"\n%%EOF\n" if trailer else b"")
    check_extraction(worker, scratch, data)


def mutations_for(size: int, rng: random.Random) -> list[tuple[str, int, int]]:
    """1-6 byte flips, 16-byte insertions or chunk deletions anywhere after the %PDF- header,
    and in one case of five a cut. Positions are uniform over the file (hypothesis' own integers
    crowd towards 0, which only ever hit the header)."""
    out = []
    for _ in range(rng.randint(1, 6)):
        kind = rng.choice(("flip", "flip", "delete", "insert"))
        arg = rng.randint(1, 4096) if kind == "delete" else rng.randint(1, 255)
        out.append((kind, rng.randrange(9, size), arg))
    if rng.random() < 0.2:
        out.append(("truncate", rng.randrange(9, size), 0))
    return out


def mutate(data: bytes, mutations: list[tuple[str, int, int]]) -> bytes:
    out = bytearray(data)
    for kind, pos, arg in mutations:
        pos = min(pos, max(len(out) - 1, 0))
        if kind == "flip" and out:
            out[pos] ^= arg
        elif kind == "truncate":
            del out[pos:]
        elif kind == "delete":
            del out[pos:pos + arg]
        elif kind == "insert":
            out[pos:pos] = bytes([arg]) * 16
    return bytes(out)


@settings(BOUNDED, max_examples=40)
@given(name=st.sampled_from(sorted(REAL_BYTES)), seed=st.integers(0, 2**32 - 1))
def test_mutated_real_pdfs_raise_only_pipeline_errors(worker, scratch, name: str, seed: int) -> None:
    original = REAL_BYTES[name]
    check_extraction(worker, scratch, mutate(original, mutations_for(len(original), random.Random(seed))))


def test_the_worker_reports_a_crash_as_a_crash_not_a_pass(tmp_path: Path) -> None:
    # The harness itself: a worker that dies mid-file is reported, and the next file still runs.
    w = rh.ExtractWorker()
    try:
        os.kill(w.proc.pid, 9)
        w.proc.wait()
        w.proc.stdin = open(os.devnull, "w")  # the write goes nowhere; the read sees end of file
        assert w.extract(rh.TABLE_PDF, 5)["type"] == "Crash"
        assert w.extract(rh.TABLE_PDF, 30)["ok"] is True
    finally:
        w.close()


# --------------------------------------------------------------------------- manifests

_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                     st.text(max_size=30), st.sampled_from(["a.pdf", "../x.pdf", "/etc/passwd", "", ".", "raw"]))
_keys = st.one_of(st.sampled_from(["id", "file", "title", "publisher", "date", "sha256", "layout", "url", "origin"]),
                  st.text(max_size=10))
_values = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                          st.dictionaries(_keys, inner, max_size=5)), max_leaves=12)
_entries = st.dictionaries(_keys, _values, max_size=6)
_manifests = st.one_of(
    st.builds(lambda es: {"sources": es}, st.lists(_entries, max_size=4)),
    _values,
)


@settings(max_examples=40, deadline=5_000, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(manifest=_manifests)
def test_random_manifests_raise_only_manifest_or_source_errors(tmp_path: Path, manifest: object) -> None:
    (tmp_path / "sources.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    try:
        found = discover_sources(tmp_path)
    except PipelineError as exc:
        assert str(tmp_path) in str(exc)
    else:
        assert all(s.path.is_relative_to(tmp_path.resolve()) for s in found)


@settings(max_examples=40, deadline=5_000, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300))
def test_random_manifest_text_raises_only_manifest_errors(tmp_path: Path, text: str) -> None:
    (tmp_path / "sources.yaml").write_text(text, encoding="utf-8")
    try:
        discover_sources(tmp_path)
    except PipelineError as exc:
        assert str(tmp_path) in str(exc)
