"""Shared test fixtures: outside tools and ../shared, skipped with a reason, never silently in CI."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
RAW_SRC = ROOT / "raw" / "src"


def need(thing: str) -> None:
    """Skip when an outside tool or file is missing, but fail when CI=true."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{thing} is not available (CI=true)")
    pytest.skip(f"{thing} is not available")


@pytest.fixture(scope="session")
def soffice_or_skip() -> None:
    if str(RAW_SRC) not in sys.path:
        sys.path.insert(0, str(RAW_SRC))
    from office import soffice_path

    if soffice_path() is None:
        need("LibreOffice (soffice)")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        need(f"{SHARED} (seeds and reference shapes)")
    return SHARED


# --------------------------------------------------------------------------- the browser

CHROMIUM = Path("/usr/bin/chromium")  # Debian's package (.ci/run installs it); Playwright downloads nothing
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-background-networking",  # no update checks, no safe-browsing lists: no traffic but ours
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """pytest-playwright's launch arguments, pointed at the system Chromium."""
    if not CHROMIUM.is_file():
        need(f"Chromium ({CHROMIUM}; apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}
