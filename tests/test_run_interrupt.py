"""Ctrl-C on `servicegraph run` as a terminal sends it: SIGINT to the whole process group.

The default (Prefect) path, a real subprocess: extraction is held up on purpose so the signal
lands while the flow extracts. The run must exit within 5 s with one line, status 130, leave the
previous release byte-identical and leave no process behind (worker processes, Prefect's server).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest

import reliability_helpers as rh

pytestmark = pytest.mark.slow

# Every process of the run (the CLI, forked workers, Dask's spawned workers) starts with this
# sitecustomize on its path: its first page read announces itself, then hangs.
HANG = """
import os
if os.environ.get("SG_TEST_MARK"):
    import time
    from pathlib import Path
    import pipeline.extract.pdf as pdf
    def hang(*args, **kwargs):
        Path(os.environ["SG_TEST_MARK"]).touch()
        time.sleep(120)
    pdf.page_words = hang
"""


def _processes_with(token: str) -> list[int]:
    """Processes whose environment carries `token` (every child of the run inherits it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if token.encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


@pytest.mark.parametrize("mode", [[], ["--no-prefect"], ["--dask", "--workers", "2"]], ids=["prefect", "bare", "dask"])
def test_ctrl_c_during_extraction_exits_130_in_one_line_and_leaves_release_and_no_process(
    tmp_path: Path, mode: list[str]
) -> None:
    sources = rh.real_sources(tmp_path / "sources")
    output = rh.copy_output(rh.ROOT / "output", tmp_path / "output")
    before, target = rh.snapshot(output), rh.latest_target(output)
    token = f"sg-interrupt-{uuid.uuid4().hex}"
    mark = tmp_path / "extracting"
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(HANG, encoding="utf-8")
    env = rh.run_env(tmp_path / "cache", SG_TEST_MARK=str(mark), SG_TEST_TOKEN=token,
                     PYTHONPATH=f"{hook}{os.pathsep}{rh.ROOT}", SERVICEGRAPH_BASE_IRI="https://tyollisyys.example.fi/id/")
    proc = subprocess.Popen(rh.servicegraph_cmd("run", "--no-fetch", *mode, "--sources", str(sources),
                                                "--output", str(output)), cwd=rh.ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while not mark.exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "extraction never started"
            time.sleep(0.05)
        time.sleep(0.5)
        assert len(_processes_with(token)) >= 2, "the check must see the run's processes"
        sent = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)  # the terminal's Ctrl-C: the whole foreground group
        stdout, stderr = proc.communicate(timeout=30)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert took < 5.0, f"took {took:.1f} s to exit"
    assert proc.returncode == 130, stdout + stderr
    assert stderr.strip().splitlines() == [
        "interrupted: nothing was published by this run; the previous release is unchanged"], stderr
    assert "Traceback" not in stdout + stderr
    assert rh.latest_target(output) == target and rh.snapshot(output) == before
    deadline = time.monotonic() + 5
    while _processes_with(token) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_with(token) == [], "processes of the run are still alive"
