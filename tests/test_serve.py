"""`servicegraph serve` as a scheduler runs it, and what the run sends anywhere (nothing)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import reliability_helpers as rh
from pipeline.errors import ManifestError, SourceError
from pipeline.fetch import TransientFetchError


def test_only_transient_fetch_errors_are_retried() -> None:
    from prefect.states import Failed

    from pipeline.flows import _is_transient

    assert _is_transient(None, None, Failed(data=TransientFetchError("https://x.example/a.pdf", "no answer within 30 s")))
    assert not _is_transient(None, None, Failed(data=ManifestError("raw/sources.yaml", "invalid YAML")))
    assert not _is_transient(None, None, Failed(data=SourceError("https://x.example/a.pdf", "HTTP 404 Not Found")))


@pytest.mark.slow
def test_serve_with_a_broken_manifest_says_so_once_per_check_and_exits_1(tmp_path) -> None:
    sources = rh.real_sources(tmp_path / "sources")
    (sources / "sources.yaml").write_text("sources: [ {id: x\n", encoding="utf-8")
    done = subprocess.run(rh.servicegraph_cmd("serve", "--sources", str(sources), "--output", str(tmp_path / "out"),
                                              "--interval", "1", "--max-checks", "2"),
                          cwd=rh.ROOT, env=rh.run_env(tmp_path / "cache"), capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 2 and all(line.startswith(f"error: {sources / 'sources.yaml'}: invalid YAML") for line in lines)
    assert "Traceback" not in done.stdout + done.stderr


@pytest.mark.slow
def test_serve_publishes_then_finds_nothing_changed(tmp_path) -> None:
    sources = rh.real_sources(tmp_path / "sources")
    done = subprocess.run(rh.servicegraph_cmd("serve", "--sources", str(sources), "--output", str(tmp_path / "out"),
                                              "--interval", "1", "--max-checks", "2"),
                          cwd=rh.ROOT, env=rh.run_env(tmp_path / "cache"), capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    first, second = done.stdout.strip().splitlines()
    assert first.startswith("published: ") and second.startswith("unchanged: nothing changed")
    assert done.stderr == ""


@pytest.mark.parametrize("args", [["--interval", "-5"], ["--interval", "0"], ["--max-checks", "-1"]])
def test_serve_refuses_intervals_and_counts_out_of_range(args: list[str]) -> None:
    result = rh.invoke(["serve", *args])
    assert result.exit_code == 2


def test_the_run_sends_no_telemetry_anywhere() -> None:
    # Prefect turns its own telemetry off on CI; a user's machine is not CI, so check without it.
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "GITHUB_ACTIONS") and not k.startswith("PREFECT_")}
    code = (
        "import pipeline.flows\n"
        "from prefect._internal.analytics.enabled import is_telemetry_enabled\n"
        "from prefect.settings import get_current_settings as s\n"
        "print(is_telemetry_enabled(), s().server.analytics_enabled, s().client.metrics.enabled)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=rh.ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["False", "False", "False"], done.stderr
