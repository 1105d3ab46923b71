"""No silent loss (issue 13): what the vocabularies cannot place is a warning naming file, page
and text, returned with the catalogue, shown in the run summary and the release's changelog;
`servicegraph run --strict-warnings` makes warnings errors.

The document is real: the appendix table rebuilt by LibreOffice Calc (raw/src/appendix.py) and
printed as HTML by headless Chromium (raw/src/appendix_html.py), as another employment area
would print it, with three things our data files do not know:
the area ("Kuusamon työllisyysalueen ...", not in areas.yaml), table 2's title cell
("Palvelut yrittäjille", no audience in vocab.yaml) and a producer ("seurakunta", no role in
producers.yaml) in table 1, row 1.
"""

from __future__ import annotations

import copy
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

import reliability_helpers as rh
from conftest import need
from pipeline.extract.document import extract_document
from pipeline.model import Catalogue, ExtractedDocument, Source
from pipeline.normalise.services import normalise

STEM = "kuusamo_liitetaulukko"
TITLE = "Kuusamon työllisyysalueen palveluita koskeva liitetaulukko."
UNKNOWN_AUDIENCE = "Palvelut yrittäjille"
UNKNOWN_PRODUCER = "seurakunta"


def _other_area_content() -> dict:
    from appendix import load_content

    content = copy.deepcopy(load_content())
    content["title"] = TITLE
    content["sheets"][1]["header"][0] = UNKNOWN_AUDIENCE
    first_row = content["sheets"][0]["rows"][0]
    first_row[2] = f"{first_row[2]}, {UNKNOWN_PRODUCER}"
    return content


def _calc_pdf(out: Path) -> Path:
    from appendix import AppendixVariant, build_appendix_pdf

    return build_appendix_pdf(out, AppendixVariant(stem=STEM), content=_other_area_content())


def _chromium_pdf(out: Path) -> Path:
    if str(rh.RAW_SRC) not in sys.path:
        sys.path.insert(0, str(rh.RAW_SRC))
    from appendix_html import build_appendix_html_pdf, chromium_path

    if chromium_path() is None:
        need("Chromium (chromium)")
    pdf = build_appendix_html_pdf(out, content=_other_area_content())
    return pdf.rename(out / f"{STEM}.pdf")


@pytest.fixture(scope="module", params=[pytest.param("calc", marks=pytest.mark.office),
                                        pytest.param("chromium", marks=pytest.mark.browser)])
def other_area_pdf(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp(f"other-area-{request.param}")
    if request.param == "calc":
        request.getfixturevalue("soffice_or_skip")
        return _calc_pdf(out)
    return _chromium_pdf(out)


@pytest.fixture(scope="module")
def printed_by_chromium(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The run tests' source: Chromium's rendering (its reading does not depend on which
    fallback fonts are installed, unlike Calc's: docs/producers.md)."""
    return _chromium_pdf(tmp_path_factory.mktemp("other-area-run"))


@pytest.fixture(scope="module")
def extracted(other_area_pdf: Path) -> ExtractedDocument:
    return extract_document(Source(id=STEM, path=other_area_pdf, sha256="0" * 64))


@pytest.fixture(scope="module")
def catalogue(extracted: ExtractedDocument) -> Catalogue:
    return normalise([extracted])


def _only(warnings: tuple[str, ...], text: str) -> str:
    found = [w for w in warnings if text in w]
    assert len(found) == 1, warnings
    return found[0]


def test_a_table_title_that_maps_to_no_audience_is_a_warning_with_file_page_and_title(
        extracted: ExtractedDocument, catalogue: Catalogue, other_area_pdf: Path):
    assert {r.table_title for r in extracted.records if r.table == 2} == {UNKNOWN_AUDIENCE}  # the premise
    warning = _only(catalogue.warnings, repr(UNKNOWN_AUDIENCE))
    pages = {loc.page for r in extracted.records if r.table == 2 for c in r.cells.values() for loc in c.locations}
    assert warning.startswith(f"{other_area_pdf}: page {min(pages)}, table 2 title: ")
    assert "no audience" in warning
    # The rows whose group does not name one either really are published without an audience.
    without = [e for s in catalogue.services for e in s.entries if e.id.startswith("t2") and e.audience is None]
    assert f"{len(without)} of its 23 rows" in warning and without


def test_a_producer_phrase_that_maps_to_no_role_is_a_warning_with_file_page_and_text(
        catalogue: Catalogue, other_area_pdf: Path):
    warning = _only(catalogue.warnings, f"no producer role for {UNKNOWN_PRODUCER!r}")
    assert warning.startswith(f"{other_area_pdf}: page 1, table 1 row 1 (")
    assert "column producers" in warning


def test_an_area_name_not_in_areas_yaml_is_a_warning_with_file_page_and_name(
        catalogue: Catalogue, other_area_pdf: Path):
    warning = _only(catalogue.warnings, "'Kuusamon' is not in pipeline/normalise/areas.yaml")
    assert warning.startswith(f"{other_area_pdf}: page 1, document title: area name 'Kuusamon'")
    assert [a.region for a in catalogue.areas] == ["Kuusamo"]


def test_the_committed_sources_give_no_warning():
    docs = [extract_document(Source(id=p.stem, path=p, sha256="0" * 64, publisher=publisher))
            for p, publisher in ((rh.RAW / "000_palveluluokittelu.pdf", "Päijät-Hämeen työllisyysalue"),
                                 (rh.RAW / "002_liitetaulukko.pdf", None))]
    assert normalise(docs).warnings == ()


# --------------------------------------------------------------------------- the run


def _sources(folder: Path, pdf: Path) -> Path:
    """A sources folder with `pdf` only; no publisher: the area comes from the title."""
    manifest = {"sources": [{"id": STEM, "file": pdf.name, "title": TITLE.rstrip("."), "date": None,
                             "sha256": hashlib.sha256(pdf.read_bytes()).hexdigest()}]}
    return rh.sources_folder(folder, {pdf.name: pdf}, manifest)


def _run(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`servicegraph run` as a user runs it: Prefect (the default), a temporary server."""
    return subprocess.run(rh.servicegraph_cmd("run", "--no-fetch", *args), cwd=rh.ROOT,
                          env=rh.run_env(tmp / "cache"), capture_output=True, text=True, timeout=300)


@pytest.mark.slow
@pytest.mark.browser
def test_strict_warnings_on_the_prefect_path_publishes_nothing_and_exits_1(printed_by_chromium: Path, tmp_path: Path):
    other_area_pdf = printed_by_chromium
    sources = _sources(tmp_path / "sources", other_area_pdf)
    output = tmp_path / "output"
    result = _run(tmp_path, "--strict-warnings", "--sources", str(sources), "--output", str(output))
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith(f"error: {sources / other_area_pdf.name}: ")
    assert "--strict-warnings makes warnings errors: nothing published" in lines[-1]
    warned = [line for line in lines if line.startswith("warning: ")]
    assert len(warned) == 3 and all(str(sources / other_area_pdf.name) in line for line in warned)
    assert "Traceback" not in result.stderr
    assert rh.snapshot(output) == {} and rh.latest_target(output) is None


@pytest.mark.slow
@pytest.mark.browser
def test_without_strict_warnings_the_run_publishes_and_reports_the_warnings_in_summary_and_changelog(
        printed_by_chromium: Path, tmp_path: Path):
    other_area_pdf = printed_by_chromium
    sources = _sources(tmp_path / "sources", other_area_pdf)
    output = tmp_path / "output"
    result = _run(tmp_path, "--no-prefect", "--sources", str(sources), "--output", str(output))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "| warnings 3" in result.stdout
    warned = sorted(line[len("warning: "):] for line in result.stderr.splitlines() if line.startswith("warning: "))
    assert len(warned) == 3
    changelog = (output / "latest" / "CHANGELOG.md").read_text(encoding="utf-8")
    section = changelog.split("### Warnings\n\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert section == [f"- {' '.join(w.split())}" for w in warned]  # sorted, whole, once each
    changes = json.loads((output / "latest" / "changes.json").read_text(encoding="utf-8"))
    assert changes["warnings"] == warned
