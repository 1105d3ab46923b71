"""Conflicting or impossible options of `push` and `serve-sparql` are one-line errors with the
exit status docs/reliability.md gives them, and nothing is sent or started."""

from __future__ import annotations

from typer.testing import CliRunner

from pipeline.cli import app


def _one_error_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), output
    assert "Traceback" not in output
    return lines[0]


def test_push_refuses_graph_together_with_default_graph_before_reading_anything(tmp_path):
    # Port 9 (discard) has nobody listening: had the push been attempted it would say "cannot connect".
    out = CliRunner().invoke(
        app,
        ["push", "--endpoint", "http://127.0.0.1:9/store", "--graph", "urn:g", "--default-graph",
         "--release", str(tmp_path / "no-release")],
    )
    assert out.exit_code == 2
    line = _one_error_line(out.output)
    assert "--graph" in line and "--default-graph" in line
