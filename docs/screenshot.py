"""Take docs/service-page.png and docs/service-provenance.png: a service page of the committed
release and its first provenance crop, as Chromium shows them.

    .venv/bin/python docs/screenshot.py

Uses Debian's /usr/bin/chromium through Playwright (no browser download).
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "output" / "latest" / "site" / "id" / "service" / "paijat-hameen-tyollisyysalue" / "palkkatuki-ja-tyollistamistuki.html"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]


def main() -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(PAGE.resolve().as_uri())
        page.screenshot(path=str(ROOT / "docs" / "service-page.png"), full_page=False)
        page.locator("#provenance figure.crop").first.screenshot(path=str(ROOT / "docs" / "service-provenance.png"))
        browser.close()


if __name__ == "__main__":
    main()
