"""The reader registry's contract: a new geometry is one folder and one registry line.

tests/listing_reader is a third reader (a one-column service list) with its profile in its own
folder. Registered from the test, with no edit anywhere else, a list PDF drawn by reportlab
goes through extract -> normalise -> map like the two built-in layouts.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal
from rdflib.namespace import DCTERMS as DCT

from conftest import need
from pipeline.config import Settings
from pipeline.extract import readers
from pipeline.extract.document import extract_document
from pipeline.extract.layout import load_profiles
from pipeline.model import Audience, Source
from pipeline.normalise.services import normalise
from pipeline.rdf.mapping import catalogue_to_graph

TITLE = "Päijät-Hämeen työllisyysalueen palvelulista"
LIST = [("Henkilöasiakkaan palvelut", ["Työnhakijan neuvonta", "Uravalmennus"]),
        ("Työnantaja- ja yrityspalvelut", ["Rekrytointipalvelu"])]


def _list_pdf(folder: Path) -> Path:
    try:
        from reportlab.lib.pagesizes import A4
        from reportlab.pdfgen import canvas
    except ImportError:
        need("reportlab (pip install -e '.[dev]')")
    path = folder / "palvelulista.pdf"
    page = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    y = A4[1] - 72
    page.setFont("Helvetica-Bold", 16)
    page.drawString(72, y, TITLE)
    for heading, names in LIST:
        y -= 32
        page.setFont("Helvetica-Bold", 11)
        page.drawString(72, y, heading)
        page.setFont("Helvetica", 11)
        for name in names:
            y -= 18
            page.drawString(72, y, name)
    page.save()
    return path


@pytest.fixture
def list_reader(monkeypatch: pytest.MonkeyPatch):
    """The registry with the third reader registered by its one line (undone afterwards)."""
    monkeypatch.setattr(readers, "_plugins", dict(readers._plugins))
    monkeypatch.setattr(readers, "_loaded", dict(readers._loaded))
    readers.register("list", "listing_reader", "ListReader")
    yield readers.get("list")


def test_the_built_in_readers_are_registered_by_name_and_imported_on_first_use():
    assert {"table", "slides"} <= set(readers.readers())
    assert {p.reader for p in load_profiles()} == {"table", "slides"}
    assert type(readers.get("table")).__name__ == "TableReader"
    with pytest.raises(readers.UnknownReader, match="unknown reader 'nope'"):
        readers.get("nope")


def test_a_third_reader_registered_by_one_line_reads_normalises_and_maps(list_reader, tmp_path: Path):
    pdf = _list_pdf(tmp_path)
    assert "one-column-list" in {p.id for p in load_profiles()}  # found in the reader's own folder

    doc = extract_document(Source(id="palvelulista", path=pdf, sha256="0" * 64))
    assert (doc.layout, doc.reader, doc.title) == ("one-column-list", "list", TITLE)
    assert [(r.heading, r.text) for r in doc.records] == [(h, n) for h, names in LIST for n in names]
    assert doc.warnings == ()

    catalogue = normalise([doc])
    assert [a.name for a in catalogue.areas] == ["Päijät-Hämeen työllisyysalue"]
    entries = {e.name_as_printed: e for s in catalogue.services for e in s.entries}
    assert set(entries) == {n for _, names in LIST for n in names}
    assert entries["Uravalmennus"].audience is Audience.INDIVIDUAL  # from its heading, by the role table
    assert entries["Rekrytointipalvelu"].audience is Audience.EMPLOYER
    assert entries["Uravalmennus"].group == "Henkilöasiakkaan palvelut"
    assert entries["Uravalmennus"].locations[0].page == 1 and entries["Uravalmennus"].raw == {"text": "Uravalmennus"}

    graph = catalogue_to_graph(catalogue, Settings())
    titles = {str(o) for o in graph.objects(None, DCT.title)}
    assert {"Työnhakijan neuvonta", "Uravalmennus", "Rekrytointipalvelu", TITLE} <= titles
    assert (None, DCT.title, Literal("Uravalmennus", lang="fi")) in graph


def test_without_its_registry_line_the_list_is_an_unknown_layout(tmp_path: Path):
    from pipeline.errors import ExtractionError

    pdf = _list_pdf(tmp_path)
    assert "one-column-list" not in {p.id for p in load_profiles()}
    with pytest.raises(ExtractionError, match="unknown layout"):
        extract_document(Source(id="palvelulista", path=pdf, sha256="0" * 64))


def test_a_reader_profile_with_an_unknown_key_is_one_error_line_naming_the_file(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    from typer.testing import CliRunner

    from pipeline.cli import app

    package = tmp_path / "badlist"
    (package / "profiles").mkdir(parents=True)
    (package / "__init__.py").write_text("from listing_reader import ListReader\n", encoding="utf-8")
    profile = (Path(__file__).parent / "listing_reader" / "profiles" / "one-column-list.yaml").read_text(encoding="utf-8")
    bad = package / "profiles" / "bad-list.yaml"
    bad.write_text(profile.replace("id: one-column-list", "id: bad-list").replace("reader: list", "reader: badlist")
                   + "colour: red\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(readers, "_plugins", dict(readers._plugins))
    monkeypatch.setattr(readers, "_loaded", dict(readers._loaded))
    readers.register("badlist", "badlist", "ListReader")

    result = CliRunner().invoke(app, ["extract", str(_list_pdf(tmp_path))])
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert errors == [f"error: {bad}: reader 'badlist': unknown keys: colour"], result.output
    assert "Traceback" not in result.output


FINNISH_ROLES = {"name": "palvelu", "type": "tyyppi", "producers": "tuottajat", "shared": "yhteinen",
                 "tem_area": "tem", "immigrant": "kotoutuja", "multiprofessional": "monialainen"}


def test_the_profiles_role_table_not_a_column_name_says_which_entry_field_a_cell_fills(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """The same table with every column role renamed, and a profile whose role table names the
    new roles: normalisation gives every entry the same facts."""
    from dataclasses import replace

    from expected.loader import TABLE_FILE, load_document
    from pipeline.extract.layout import PROFILES_DIR

    package = tmp_path / "renamedtable"
    (package / "profiles").mkdir(parents=True)
    (package / "__init__.py").write_text("from pipeline.extract.readers.table import TableReader\n", encoding="utf-8")
    text = (PROFILES_DIR / "appendix-table.yaml").read_text(encoding="utf-8")
    text = text.replace("id: appendix-table", "id: renamed-table").replace("reader: table", "reader: renamedtable")
    for old, new in FINNISH_ROLES.items():
        text = text.replace(f"role: {old}\n", f"role: {new}\n").replace(f": {old},", f": {new},").replace(f": {old}}}", f": {new}}}")
    text = text.replace("unique_roles: [type, producers, tem_area, immigrant]",
                        "unique_roles: [tyyppi, tuottajat, tem, kotoutuja]")
    (package / "profiles" / "renamed-table.yaml").write_text(text, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(readers, "_plugins", dict(readers._plugins))
    monkeypatch.setattr(readers, "_loaded", dict(readers._loaded))
    readers.register("renamedtable", "renamedtable", "TableReader")
    renamed_profile = next(p for p in load_profiles() if p.id == "renamed-table")
    assert set(renamed_profile.entries.fields.values()) == set(FINNISH_ROLES.values())  # the premise

    original = load_document(TABLE_FILE)
    renamed = replace(original, layout="renamed-table", reader="renamedtable", records=tuple(
        replace(row, cells={FINNISH_ROLES[role]: cell for role, cell in row.cells.items()})
        for row in original.records))

    def facts(doc) -> dict[str, tuple]:
        return {e.id: (e.name_as_printed, e.audience, e.group, e.service_type, e.producers, e.shared,
                       e.tem_area, e.immigrant, e.multiprofessional, e.locations)
                for s in normalise([doc]).services for e in s.entries}

    want, got = facts(original), facts(renamed)
    assert len(want) == 55 and got == want
    assert any(e.service_type is not None and e.tem_area is not None for s in normalise([renamed]).services
               for e in s.entries)
