"""The README shows each canned query with the result it really gives on the committed output/."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs"))

from render_query_results import README, render, updated_readme  # noqa: E402


def test_readme_canned_query_results_match_the_committed_output() -> None:
    text = README.read_text(encoding="utf-8")
    assert updated_readme(text, render()) == text, "run: .venv/bin/python docs/render_query_results.py"


def test_readme_lists_every_canned_query() -> None:
    text = README.read_text(encoding="utf-8")
    for query in sorted((ROOT / "queries").glob("*.rq")):
        assert f"servicegraph query --name {query.stem}`" in text
