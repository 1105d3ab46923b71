"""`servicegraph extract FILE.pdf` prints one file's records, as a table or JSON."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from pipeline.cli import app

ROOT = Path(__file__).resolve().parents[1]


def test_extract_prints_every_table_row_as_json() -> None:
    result = CliRunner().invoke(app, ["extract", str(ROOT / "raw" / "002_liitetaulukko.pdf"), "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["layout"] == "appendix-table" and doc["reader"] == "table" and len(doc["records"]) == 55
    starttiraha = next(r for r in doc["records"] if r["cells"]["name"]["text"] == "Starttiraha")
    assert starttiraha["group"] == "Alkavan yrityksen palvelut"
    assert starttiraha["cells"]["tem_area"]["text"] == "5 Tieto, neuvonta ja ohjaus"
    assert starttiraha["cells"]["name"]["locations"][0]["page"] >= 1


def test_extract_prints_slide_items_with_column_path_and_level_as_a_table() -> None:
    result = CliRunner().invoke(app, ["extract", str(ROOT / "raw" / "000_palveluluokittelu.pdf")])
    assert result.exit_code == 0, result.output
    assert "layout service-slides, 3 pages" in result.stdout
    assert "[LÄHIPALVELUT] Lähipalvelut kunnissa ::   Työnhaun käynnistäminen ja päättäminen" in result.stdout


def test_extract_names_the_file_and_the_reason_for_a_file_that_is_not_a_pdf(tmp_path: Path) -> None:
    fake = tmp_path / "notes.pdf"
    fake.write_text("just text", encoding="utf-8")
    result = CliRunner().invoke(app, ["extract", str(fake)])
    assert result.exit_code == 1
    assert "notes.pdf" in result.output and "error:" in result.output
