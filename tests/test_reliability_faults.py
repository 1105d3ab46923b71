"""A run killed mid-publication never leaves a mixture: output/latest is the old release or the
new one, complete (every file parses, catalog.ttl's checksums match), and the next run ignores
the dead run's staging folder and publishes normally."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

import reliability_helpers as rh
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from pipeline.config import Settings
from pipeline.publish.assemble import publish
from pipeline.publish.release import current_release
from pipeline.run import run_pipeline

NEW_BASE = "https://tyollisyys.example.fi/id/"  # a different base IRI: every published byte changes

# `servicegraph run` with a slow disk: each release file takes 0.4 s, so a kill lands mid-write.
SLOW_RUN = """
import sys, time
import pipeline.publish.assemble as assemble
real = assemble._write_streamed
def slow(path, name, chunks):
    written = real(path, name, chunks)
    time.sleep(0.4)
    return written
assemble._write_streamed = slow
from pipeline.cli import app
app(sys.argv[1:])
"""


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.getbasetemp()


@pytest.fixture(scope="module")
def baseline(root: Path) -> Path:
    return rh.baseline_output(root)


def start_run(sources: Path, output: Path, root: Path, *, slow: bool) -> subprocess.Popen:
    args = ["run", "--no-prefect", "--no-fetch", "--quiet", "--sources", str(sources), "--output", str(output)]
    cmd = [rh.PYTHON, "-c", SLOW_RUN, *args] if slow else rh.servicegraph_cmd(*args)
    env = rh.run_env(rh.shared_cache(root), SERVICEGRAPH_BASE_IRI=NEW_BASE)
    return subprocess.Popen(cmd, cwd=rh.ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def wait_for_staging(proc: subprocess.Popen, output: Path, timeout_s: float = 60) -> bool:
    """Poll until the run's staging folder appears (True) or the run ends first (False)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if any(p.name.startswith(".staging-") for p in output.iterdir()):
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.002)
    proc.kill()
    raise AssertionError("the run neither staged a release nor ended in time")


def assert_consistent(output: Path, old_target: str, old_snapshot: dict[str, bytes]) -> str:
    """latest is the old release byte-for-byte, or a complete new one; every release is complete."""
    target = rh.latest_target(output)
    if target == old_target:
        assert rh.snapshot(output) == old_snapshot
    else:
        assert target is not None and target.startswith("releases/")
        assert NEW_BASE.encode() in (output / "latest" / "servicegraph.ttl").read_bytes()
    rh.check_release(output / "latest")
    for release in (output / "releases").iterdir():
        rh.check_release(release)  # no half-written folder ever sits under releases/
    return target


def test_a_run_killed_while_writing_the_release_leaves_the_old_release_whole(
    tmp_path: Path, root: Path, baseline: Path
) -> None:
    sources = rh.real_sources(tmp_path / "sources")
    output = rh.copy_output(baseline, tmp_path / "output")
    old_target, old_snapshot = rh.latest_target(output), rh.snapshot(output)
    proc = start_run(sources, output, root, slow=True)
    try:
        assert wait_for_staging(proc, output), proc.communicate()
        time.sleep(0.5)  # one or two files written, the rest not
        staged = [p for p in output.iterdir() if p.name.startswith(".staging-")]
        assert staged and 0 < len(list(staged[0].iterdir())) < 7
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert assert_consistent(output, old_target, old_snapshot) == old_target
    assert rh.leftovers(output) != []  # the dead run's staging folder is still there...

    # ...and the next run ignores it: it takes the lock the dead run held and publishes.
    settings = rh.settings_for(tmp_path, sources, output, cache_dir=rh.shared_cache(root), base_iri=NEW_BASE)
    report = run_pipeline(settings)
    assert report.status == "published"
    new_target = assert_consistent(output, old_target, old_snapshot)
    assert new_target != old_target and current_release(output) == report.release


@pytest.mark.parametrize("delay_s", [0.0, 0.1])
def test_a_run_killed_at_any_moment_of_publication_leaves_old_or_new_never_a_mixture(
    delay_s: float, tmp_path: Path, root: Path, baseline: Path
) -> None:
    sources = rh.real_sources(tmp_path / "sources")
    output = rh.copy_output(baseline, tmp_path / "output")
    old_target, old_snapshot = rh.latest_target(output), rh.snapshot(output)
    proc = start_run(sources, output, root, slow=False)
    try:
        if wait_for_staging(proc, output):
            time.sleep(delay_s)
            proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert_consistent(output, old_target, old_snapshot)


def test_the_next_run_cleans_up_the_staging_folder_a_killed_run_left(tmp_path: Path, baseline: Path) -> None:
    output = rh.copy_output(baseline, tmp_path / "output")
    stale = output / ".staging-deadrun"
    stale.mkdir()
    (stale / "servicegraph.ttl").write_bytes(b"@prefix : <x:> .\n:half")
    assert publish(tiny_graph(), output, settings=Settings()).created
    assert rh.leftovers(output) == []


def tiny_graph() -> Graph:
    """A one-service graph: publication cost without a whole run (publish does not validate)."""
    g = Graph()
    g.add((URIRef(Settings().base_iri + "service/koe"), DCTERMS.title, Literal("Koepalvelu", lang="fi")))
    return g


def test_a_publication_that_fails_midway_leaves_no_staging_folder_and_the_old_release(
    tmp_path: Path, baseline: Path
) -> None:
    # A fault inside publication itself (the disk fills up after two files): the staging folder
    # is removed, releases/ and latest are as before, and the error reaches the caller.
    import pipeline.publish.assemble as assemble

    output = rh.copy_output(baseline, tmp_path / "output")
    old_target, old_snapshot = rh.latest_target(output), rh.snapshot(output)
    real, written = assemble._write_streamed, []

    def full_disk(path: Path, name: str, chunks):
        if len(written) == 2:
            raise OSError(28, "No space left on device")
        written.append(name)
        return real(path, name, chunks)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(assemble, "_write_streamed", full_disk)
        with pytest.raises(OSError, match="No space left"):
            publish(tiny_graph(), output, settings=Settings())
    assert written and rh.latest_target(output) == old_target and rh.snapshot(output) == old_snapshot
    assert rh.leftovers(output) == []
    assert sorted(p.name for p in (output / "releases").iterdir()) == [old_target.split("/")[-1]]
