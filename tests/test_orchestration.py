"""Change detection, remote sources and the run fingerprint (issue 6), without Prefect start-up."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import threading
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from pipeline.config import Settings
from pipeline.fetch import fetch_remote_sources
from pipeline.run.with_prefect import run_with_prefect
from pipeline.run import Options, run_pipeline

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "raw"


def copy_sources(target: Path) -> Path:
    target.mkdir(parents=True)
    for pdf in RAW.glob("*.pdf"):
        shutil.copy2(pdf, target / pdf.name)
    shutil.copy2(RAW / "sources.yaml", target / "sources.yaml")
    return target


def settings_for(tmp: Path, sources: Path) -> Settings:
    return replace(Settings(), sources=sources, output=tmp / "output", cache_dir=tmp / "cache")


def test_unchanged_sources_are_not_parsed_and_nothing_new_is_published(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, copy_sources(tmp_path / "raw"))
    first = run_pipeline(settings)
    assert (first.status, first.parsed) == ("published", 2)
    second = run_pipeline(settings)
    assert second.status == "unchanged" and second.parsed == 0
    assert "nothing changed" in second.message
    assert [p.name for p in (settings.output / "releases").iterdir()] == [first.release]


def test_prefect_entry_point_skips_an_unchanged_run_before_starting_prefect(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, copy_sources(tmp_path / "raw"))
    run_pipeline(settings)
    report = run_with_prefect(settings)
    assert report.status == "unchanged" and report.parsed == 0


def test_lost_run_state_re_uses_the_extraction_cache_and_finds_the_same_release(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, copy_sources(tmp_path / "raw"))
    first = run_pipeline(settings)
    (settings.cache_dir / "last-run.json").unlink()
    again = run_pipeline(settings)
    assert (again.parsed, again.cached) == (0, 2)
    assert again.status == "unchanged" and again.release == first.release


def test_a_removed_source_gives_a_new_release_whose_changelog_lists_the_removed_services(tmp_path: Path) -> None:
    sources = copy_sources(tmp_path / "raw")
    settings = settings_for(tmp_path, sources)
    first = run_pipeline(settings)
    manifest = yaml.safe_load((sources / "sources.yaml").read_text(encoding="utf-8"))
    manifest["sources"] = [s for s in manifest["sources"] if s["id"] != "000_palveluluokittelu"]
    (sources / "sources.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    (sources / "000_palveluluokittelu.pdf").unlink()
    second = run_pipeline(settings, options=Options(allow_shrink=True))  # 124 -> 52 services
    assert second.status == "published" and second.release != first.release
    assert second.cached == 1 and second.parsed == 0
    assert "Tietohallintopalvelut" in second.removed  # a service only the slides name
    assert (settings.output / "releases" / first.release).is_dir()  # the old release stays
    changelog = (settings.output / "latest" / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "Tietohallintopalvelut" in changelog


@pytest.mark.office
def test_a_changed_source_is_parsed_again_and_gives_a_new_release(tmp_path: Path, soffice_or_skip: None) -> None:
    sys.path.insert(0, str(RAW / "src"))
    from appendix import build_appendix_pdf, load_content

    sources = copy_sources(tmp_path / "raw")
    settings = settings_for(tmp_path, sources)
    first = run_pipeline(settings)

    content = load_content()
    rows = content["sheets"][0]["rows"]
    index = next(i for i, r in enumerate(rows) if isinstance(r, list) and r[0] == "Kulukorvaukset")
    rows[index] = ["Matkakorvaukset", *rows[index][1:]]
    ammatinvalinta = next(i for i, r in enumerate(rows) if isinstance(r, list) and r[0] == "Ammatinvalinnan ohjaus")
    rows[ammatinvalinta][4] = "1 Työn löytyminen"  # was 2 Osaamisen kehittäminen
    pdf = build_appendix_pdf(tmp_path / "render", content=content)
    shutil.copy2(pdf, sources / "002_liitetaulukko.pdf")
    manifest = yaml.safe_load((sources / "sources.yaml").read_text(encoding="utf-8"))
    for entry in manifest["sources"]:
        if entry["id"] == "002_liitetaulukko":
            entry["sha256"] = hashlib.sha256(pdf.read_bytes()).hexdigest()
    (sources / "sources.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")

    second = run_pipeline(settings)
    assert (second.parsed, second.cached) == (1, 1)
    assert second.status == "published" and second.release != first.release
    assert "Matkakorvaukset" in second.added
    assert "Kulukorvaukset" in second.changed  # still on the slides, lost its table entry

    # The changelog says in words what changed, per entry (audience, source), never as triples.
    latest = settings.output / "latest"
    section = (latest / "CHANGELOG.md").read_text(encoding="utf-8").split(f"## {first.release}")[0]
    assert "<http" not in "".join(l for l in section.splitlines() if l.startswith("  - "))
    assert ("Henkilöasiakas · 002_liitetaulukko · “Ammatinvalinnan ohjaus”: TEM service area: "
            "2 Osaamisen kehittäminen → 1 Työn löytyminen") in section
    assert "entry removed: Henkilöasiakas · 002_liitetaulukko · “Kulukorvaukset”" in section
    changes = json.loads((latest / "changes.json").read_text(encoding="utf-8"))
    [added] = [c for c in changes["added"] if c["title"] == "Matkakorvaukset"]
    assert added["entries_added"] == ["Henkilöasiakas · 002_liitetaulukko · “Matkakorvaukset”"]
    [ammatti] = [c for c in changes["changed"] if c["title"] == "Ammatinvalinnan ohjaus"]
    assert [(f["field"], f["old"], f["new"]) for f in ammatti["changes"]] == [
        ("TEM service area", ["2 Osaamisen kehittäminen"], ["1 Työn löytyminen"]),
        ("TEM service area", ["2 Osaamisen kehittäminen"], ["1 Työn löytyminen"])]  # the entry, then the service


class _PdfServer(BaseHTTPRequestHandler):
    """Serves one file with an ETag and honours If-None-Match, counting what it sends."""

    body = b""
    etag = '"v1"'
    downloads = 0
    not_modified = 0

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        cls = type(self)
        if self.headers.get("If-None-Match") == cls.etag:
            cls.not_modified += 1
            self.send_response(304)
            self.end_headers()
            return
        cls.downloads += 1
        self.send_response(200)
        self.send_header("Content-Type", "application/pdf")
        self.send_header("Content-Length", str(len(cls.body)))
        self.send_header("ETag", cls.etag)
        self.end_headers()
        self.wfile.write(cls.body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def pdf_server():
    handler = type("Handler", (_PdfServer,), {"body": (RAW / "002_liitetaulukko.pdf").read_bytes()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield handler, f"http://127.0.0.1:{server.server_address[1]}/liitetaulukko.pdf"
    server.shutdown()
    server.server_close()


def test_remote_source_with_unchanged_etag_is_not_downloaded_again(tmp_path: Path, pdf_server) -> None:
    handler, url = pdf_server
    sources = tmp_path / "raw"
    sources.mkdir()
    (sources / "sources.yaml").write_text(
        yaml.safe_dump({"sources": [{"id": "remote-table", "file": "remote-table.pdf", "url": url}]}),
        encoding="utf-8",
    )
    settings = settings_for(tmp_path, sources)

    first = fetch_remote_sources(sources)
    assert [o.downloaded for o in first] == [True]
    assert (sources / "remote-table.pdf").read_bytes() == handler.body
    published = run_pipeline(settings)
    assert published.status == "published" and published.parsed == 1

    second = fetch_remote_sources(sources)
    assert [o.downloaded for o in second] == [False]
    assert (handler.downloads, handler.not_modified) == (1, 1)
    assert run_pipeline(settings).status == "unchanged"

    handler.etag, handler.body = '"v2"', handler.body + b"\n% a changed file\n"
    third = fetch_remote_sources(sources)
    assert [o.downloaded for o in third] == [True]
    assert os.path.getsize(sources / "remote-table.pdf") == len(handler.body)
    rerun = run_pipeline(settings)
    assert rerun.parsed == 1  # new bytes: parsed again (same records, so the same release)
