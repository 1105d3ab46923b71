"""The guards and the failure isolation of `servicegraph run`, on the default (Prefect) path.

Two employment areas: Päijät-Häme (raw/) and Kanta-Häme (a copy of the appendix whose manifest
entry names Kanta-Häme as publisher), so that one area can fail or change while the other is
published.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

import reliability_helpers as rh
from pipeline.errors import SettingsError
from pipeline.run.guards import check_iri_base

pytestmark = pytest.mark.slow

PH, KH = "paijat-hameen-tyollisyysalue", "kanta-hameen-tyollisyysalue"
KH_ENTRY = {"id": "kh_liitetaulukko", "file": "kh_liitetaulukko.pdf", "publisher": "Kanta-Hämeen työllisyysalue",
            "title": "Kanta-Hämeen työllisyysalueen palveluita koskeva liitetaulukko"}


def two_areas(folder: Path) -> Path:
    rh.real_sources(folder)
    shutil.copy2(rh.RAW / "002_liitetaulukko.pdf", folder / KH_ENTRY["file"])
    edit_manifest(folder, lambda entries: entries.append(dict(KH_ENTRY)))
    return folder


def edit_manifest(folder: Path, change) -> None:
    path = folder / "sources.yaml"
    manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(manifest["sources"])
    path.write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False), encoding="utf-8")


def set_field(folder: Path, source_id: str, **fields: str) -> None:
    edit_manifest(folder, lambda entries: [e.update(fields) for e in entries if e["id"] == source_id])


def run(tmp: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`servicegraph run ARGS` as a user runs it (Prefect, temporary server), own cache."""
    return subprocess.run(rh.servicegraph_cmd("run", "--no-fetch", *args), cwd=rh.ROOT,
                          env=rh.run_env(tmp / "cache", **env), capture_output=True, text=True, timeout=300)


def built(result: subprocess.CompletedProcess[str]) -> tuple[int, int, int]:
    """(parsed documents, areas in the release, areas built) from the result line."""
    m = re.search(r"parsed (\d+), cached \d+\) \| areas (\d+) \(built (\d+)\)", result.stdout)
    assert m, result.stdout + result.stderr
    return int(m[1]), int(m[2]), int(m[3])


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(sources, output, tmp) after a first run that published both areas."""
    tmp = tmp_path_factory.mktemp("guards")
    sources, output = two_areas(tmp / "sources"), tmp / "output"
    first = run(tmp, "--sources", str(sources), "--output", str(output))
    assert first.returncode == 0, first.stderr
    parsed, areas, areas_built = built(first)
    assert (areas, areas_built) == (2, 2) and parsed in (2, 3)  # the copy has the same bytes
    return sources, output, tmp


def fresh_copy(published, tmp_path: Path) -> tuple[Path, Path, Path]:
    sources, output, tmp = published
    shutil.copytree(tmp / "cache", tmp_path / "cache")
    return shutil.copytree(sources, tmp_path / "sources"), rh.copy_output(output, tmp_path / "output"), tmp_path


def test_each_area_is_published_on_its_own_and_in_the_dataset(published) -> None:
    _, output, _ = published
    latest = output / "latest"
    for area in (PH, KH):
        assert (latest / "areas" / f"{area}.ttl").stat().st_size > 0
        assert (latest / "areas" / f"{area}.jsonld").stat().st_size > 0
    data = (latest / "servicegraph.ttl").read_text(encoding="utf-8")
    assert f"/service/{PH}/" in data and f"/service/{KH}/" in data
    assert "owl:Class" not in data and "skos:Concept ;" not in data  # definitions only in ontology.ttl


def test_one_changed_document_rebuilds_only_its_own_area(published, tmp_path: Path) -> None:
    sources, output, tmp = fresh_copy(published, tmp_path)
    set_field(sources, KH_ENTRY["id"], date="2026-11-30")
    result = run(tmp, "--sources", str(sources), "--output", str(output))
    assert result.returncode == 0, result.stderr
    assert built(result) == (0, 2, 1)  # nothing parsed again; Päijät-Häme from the shard cache
    assert "published" in result.stdout


def test_an_unreadable_pdf_is_quarantined_its_area_keeps_its_shard_and_the_rest_is_published(
    published, tmp_path: Path
) -> None:
    sources, output, tmp = fresh_copy(published, tmp_path)
    first_release = rh.latest_target(output).split("/")[-1]
    kept = (output / "latest" / "areas" / f"{KH}.ttl").read_bytes()
    rh.truncated(sources / KH_ENTRY["file"])
    set_field(sources, "002_liitetaulukko", date="2026-11-30")  # the healthy area changes too
    result = run(tmp, "--sources", str(sources), "--output", str(output))
    assert result.returncode == 3, result.stdout + result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {sources / KH_ENTRY['file']}: ")
    assert f"area {KH} keeps its shard of release {first_release}" in line
    assert "Traceback" not in result.stderr
    assert rh.latest_target(output).split("/")[-1] != first_release  # the healthy change is out
    assert (output / "latest" / "areas" / f"{KH}.ttl").read_bytes() == kept
    rh.check_release(output / "latest")


def test_strict_publishes_nothing_when_one_source_is_unreadable(published, tmp_path: Path) -> None:
    sources, output, tmp = fresh_copy(published, tmp_path)
    before = rh.snapshot(output)
    rh.truncated(sources / KH_ENTRY["file"])
    result = run(tmp, "--strict", "--sources", str(sources), "--output", str(output))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith(f"error: {sources / KH_ENTRY['file']}: ")
    assert rh.snapshot(output) == before


@pytest.mark.parametrize("make", [lambda p: p.mkdir(), lambda p: None], ids=["empty", "missing"])
def test_an_empty_or_missing_sources_folder_is_refused_and_the_release_stays(published, tmp_path: Path, make) -> None:
    _, output, tmp = fresh_copy(published, tmp_path)
    before = rh.snapshot(output)
    folder = tmp_path / "unmounted"
    make(folder)
    result = run(tmp, "--sources", str(folder), "--output", str(output))
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {folder}")
    assert rh.snapshot(output) == before


def test_a_release_dropping_most_services_is_refused_unless_allowed(published, tmp_path: Path) -> None:
    sources, output, tmp = fresh_copy(published, tmp_path)
    before = rh.snapshot(output)
    (sources / KH_ENTRY["file"]).unlink()
    (sources / "000_palveluluokittelu.pdf").unlink()
    edit_manifest(sources, lambda entries: entries.__setitem__(
        slice(None), [e for e in entries if e["id"] == "002_liitetaulukko"]))
    refused = run(tmp, "--sources", str(sources), "--output", str(output))
    assert refused.returncode == 1
    assert "refusing to publish" in refused.stderr and "--allow-shrink" in refused.stderr
    assert rh.snapshot(output) == before
    allowed = run(tmp, "--allow-shrink", "--sources", str(sources), "--output", str(output))
    assert allowed.returncode == 0, allowed.stderr
    assert not (output / "latest" / "areas" / f"{KH}.ttl").exists()


@pytest.mark.parametrize("args, env", [
    (["--base-iri", "not an iri"], {}),
    (["--base-iri", "https://data.example.fi/id"], {}),  # no trailing / or #: IRIs would be glued
    (["--base-iri", "ftp://data.example.fi/id/"], {}),
    (["--workers", "-1"], {}),
    ([], {"SERVICEGRAPH_WORKERS": "many"}),
    ([], {"SERVICEGRAPH_MAX_SHRINK": "1.5"}),
    ([], {"SERVICEGRAPH_PAGE_TIMEOUT_S": "0"}),
    (["--shacl-engine", "fast"], {}),
], ids=["not-an-iri", "no-trailing-slash", "not-http", "negative-workers", "workers-not-a-number",
        "shrink-over-1", "zero-timeout", "unknown-engine"])
def test_bad_options_are_refused_before_anything_runs(tmp_path: Path, args: list[str], env: dict[str, str]) -> None:
    output = tmp_path / "output"
    result = run(tmp_path, *args, "--output", str(output), **env)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert not output.exists()


@pytest.mark.parametrize("iri", ["https://data.example.fi/id/", "http://localhost:8080/ld#"])
def test_absolute_http_bases_ending_in_slash_or_hash_are_accepted(iri: str) -> None:
    check_iri_base("base IRI", iri)


@pytest.mark.parametrize("iri", ["data.example.fi/id/", "https:///id/", "https://x.example/a b/", "urn:x:y/"])
def test_other_bases_are_refused_with_the_reason(iri: str) -> None:
    with pytest.raises(SettingsError, match="base IRI"):
        check_iri_base("base IRI", iri)


def test_a_source_whose_data_fails_its_area_on_first_publication_is_left_out_and_the_area_published(
    tmp_path: Path, soffice_or_skip: None
) -> None:
    """A PDF that reads but whose cells contradict themselves (TEM number 2 with area 1's name)
    fails its whole area's shard. With no earlier shard to keep, the area is built again from its
    other sources; the file is named once, and the line says what became of the area."""
    import sys

    sys.path.insert(0, str(rh.RAW / "src"))
    from appendix import build_appendix_pdf, load_content

    content = load_content()
    rows = content["sheets"][0]["rows"]
    row = next(i for i, r in enumerate(rows) if isinstance(r, list) and r[0] == "Ammatinvalinnan ohjaus")
    rows[row][4] = "2 Työn löytyminen"
    bad = build_appendix_pdf(tmp_path / "render", content=content)
    sources = two_areas(tmp_path / "sources")
    shutil.copy2(bad, sources / KH_ENTRY["file"])
    # Kanta-Häme also publishes the slides: the area has a healthy source left.
    shutil.copy2(sources / "000_palveluluokittelu.pdf", sources / "kh_palveluluokittelu.pdf")
    edit_manifest(sources, lambda entries: entries.append(
        {"id": "kh_palveluluokittelu", "file": "kh_palveluluokittelu.pdf", "title": "Palveluluokittelu",
         "publisher": "Kanta-Hämeen työllisyysalue"}))
    output = tmp_path / "output"
    result = run(tmp_path, "--sources", str(sources), "--output", str(output))
    assert result.returncode == 3, result.stdout + result.stderr
    (line,) = [l for l in result.stderr.splitlines() if l.startswith("error:")]
    assert line.startswith(f"error: {sources / KH_ENTRY['file']}: ") and "TEM area" in line
    assert f"area {KH} published from its other sources" in line
    assert "Traceback" not in result.stderr
    assert (output / "latest" / "areas" / f"{KH}.ttl").is_file()
    assert b"kh_palveluluokittelu" in (output / "latest" / "areas" / f"{KH}.ttl").read_bytes()
    assert b"kh_liitetaulukko" not in (output / "latest" / "areas" / f"{KH}.ttl").read_bytes()
    rh.check_release(output / "latest")
