"""Two runs on one output folder: the second stops with "another run is in progress" (the output
lock, output/.lock) and the output stays consistent."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

import reliability_helpers as rh
from pipeline.errors import RunLocked
from pipeline.publish.release import output_lock
from pipeline.run import run_pipeline

NEW_BASE = "https://tyollisyys.example.fi/id/"


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.getbasetemp()


@pytest.fixture(scope="module")
def baseline(root: Path) -> Path:
    return rh.baseline_output(root)


def run_args(sources: Path, output: Path, *, prefect: bool = False) -> list[str]:
    return ["run", "--prefect" if prefect else "--no-prefect", "--no-fetch", "--quiet",
            "--sources", str(sources), "--output", str(output)]


@pytest.mark.parametrize("prefect", [False, True], ids=["bare", "prefect"])
def test_a_run_while_another_holds_the_output_lock_stops_with_a_clear_message(
    prefect: bool, tmp_path: Path, root: Path, baseline: Path
) -> None:
    # Both entry points take the lock before any work (the Prefect one before Prefect starts).
    sources = rh.real_sources(tmp_path / "sources")
    output = rh.copy_output(baseline, tmp_path / "output")
    before, target = rh.snapshot(output), rh.latest_target(output)
    with output_lock(output):
        done = subprocess.run(rh.servicegraph_cmd(*run_args(sources, output, prefect=prefect)), cwd=rh.ROOT,
                              env=rh.run_env(rh.shared_cache(root), SERVICEGRAPH_BASE_IRI=NEW_BASE),
                              capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stderr.strip() == f"error: {output / '.lock'}: another run is in progress (pid {os.getpid()})"
    assert rh.latest_target(output) == target and rh.snapshot(output) == before


def test_the_lock_refuses_a_second_holder_in_the_same_process_and_frees_on_exit(tmp_path: Path) -> None:
    with output_lock(tmp_path):
        with pytest.raises(RunLocked, match=r"another run is in progress"):
            with output_lock(tmp_path):
                pass
    with output_lock(tmp_path):  # released: taken again at once
        pass


def test_the_bare_pipeline_refuses_to_run_under_a_held_lock(tmp_path: Path, root: Path) -> None:
    sources = rh.real_sources(tmp_path / "sources")
    settings = rh.settings_for(tmp_path, sources, cache_dir=rh.shared_cache(root))
    with output_lock(settings.output):
        with pytest.raises(RunLocked):
            run_pipeline(settings)
    assert not (settings.output / "latest").exists()


def test_two_runs_started_together_publish_once_and_leave_a_consistent_output(
    tmp_path: Path, root: Path, baseline: Path
) -> None:
    sources = rh.real_sources(tmp_path / "sources")
    output = rh.copy_output(baseline, tmp_path / "output")
    old = rh.latest_target(output)
    # A fresh cache each: both parse the PDFs, so each holds the lock for seconds.
    procs = [
        subprocess.Popen(rh.servicegraph_cmd(*run_args(sources, output)), cwd=rh.ROOT,
                         env=rh.run_env(tmp_path / f"cache{n}", SERVICEGRAPH_BASE_IRI=NEW_BASE),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for n in (1, 2)
    ]
    results = [(p.wait(timeout=120), *p.communicate()) for p in procs]
    outcomes = sorted("published" if rc == 0 and out.startswith("published:") else
                      "unchanged" if rc == 0 and out.startswith("unchanged:") else
                      "refused" if rc == 1 and "another run is in progress" in err else
                      f"unexpected rc={rc}: {out} {err}" for rc, out, err in results)
    # The usual outcome is published + refused; one run finishing before the other takes the
    # lock gives published + unchanged. Never two publications, never a crash.
    assert outcomes in (["published", "refused"], ["published", "unchanged"]), outcomes
    new = rh.latest_target(output)
    assert new != old
    assert NEW_BASE.encode() in (output / "latest" / "servicegraph.ttl").read_bytes()
    rh.check_release(output / "latest")
    assert len(list((output / "releases").iterdir())) == 2
    assert rh.leftovers(output) == []
