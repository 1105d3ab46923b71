"""A document's layout is recognised by its words (profiles are data), or taken from the manifest."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import ExtractionError
from pipeline.extract.layout import (
    ProfileError,
    detect_layout,
    load_profile_file,
    load_profiles,
)
from pipeline.extract.pdf import read_pdf
from pipeline.extract.readers import readers
from pipeline.extract.words import Word

ROOT = Path(__file__).resolve().parents[1]
TABLE_PDF = ROOT / "raw" / "002_liitetaulukko.pdf"
SLIDES_PDF = ROOT / "raw" / "000_palveluluokittelu.pdf"


def _words(*lines: str, bold: bool = True) -> list[Word]:
    out: list[Word] = []
    for n, line in enumerate(lines):
        x = 40.0
        for text in line.split():
            out.append(Word(text, x, 40.0 + 14 * n, x + 6 * len(text), 49.0 + 14 * n,
                            "Sans-Bold" if bold else "Sans", 9.0, 1, bold))
            x += 6 * len(text) + 4
    return out


def test_every_profile_loads_with_a_registered_reader_and_detection_words():
    profiles = load_profiles()
    ids = [p.id for p in profiles]
    assert "appendix-table" in ids and "service-slides" in ids
    for p in profiles:
        assert p.reader in readers() and p.detect_words and p.min_hits >= 1


def test_the_appendix_table_is_recognised_by_its_header_words():
    content = read_pdf(TABLE_PDF)
    assert detect_layout(content.words, load_profiles(), TABLE_PDF).id == "appendix-table"


def test_the_slide_deck_is_recognised_by_its_words_and_bullets():
    if not SLIDES_PDF.is_file():
        pytest.skip(f"{SLIDES_PDF} is not built yet")
    content = read_pdf(SLIDES_PDF)
    assert detect_layout(content.words, load_profiles(), SLIDES_PDF).id == "service-slides"


def test_a_table_of_another_area_is_recognised_by_content_alone():
    words = _words("Kuopion seudun työllisyysalueen palvelut",
                   "Yrityspalvelut Tyyppi Ohjaus/mahdollinen tuottaminen Kotoutuja Monialainen")
    assert detect_layout(words, load_profiles(), "other.pdf").id == "appendix-table"


def test_the_manifest_override_wins_over_the_content():
    content = read_pdf(TABLE_PDF)
    chosen = detect_layout(content.words, load_profiles(), TABLE_PDF, override="service-slides")
    assert chosen.id == "service-slides"


def test_an_unknown_override_names_the_known_layouts():
    with pytest.raises(ExtractionError) as caught:
        detect_layout(_words("Tyyppi"), load_profiles(), "x.pdf", override="minutes")
    assert "x.pdf" in str(caught.value) and "appendix-table" in str(caught.value)


def test_an_unknown_layout_lists_the_header_words_found():
    words = _words("Pöytäkirja", "Läsnä Poissa Päätökset")
    with pytest.raises(ExtractionError) as caught:
        detect_layout(words, load_profiles(), "minutes.pdf")
    message = str(caught.value)
    assert "minutes.pdf" in message and "unknown layout" in message
    assert "Läsnä" in message and "Päätökset" in message


def test_a_malformed_profile_names_its_file(tmp_path: Path):
    path = tmp_path / "broken.yaml"
    path.write_text("id: broken\nextractor: spreadsheet\ndetect: {words: [a]}\n", encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        load_profile_file(path)
    assert "broken.yaml" in str(caught.value) and "extractor" in str(caught.value)


def _profile_text(**changes: str) -> str:
    lines = {"id": "other", "reader": "table", "detect": "{words: [palvelu]}",
             "entries": "{fields: {name: name}}", "columns": "[{role: name, headers: [Palvelu]}]",
             "title": "{table_title: caption}"}
    lines.update(changes)
    return "".join(f"{k}: {v}\n" for k, v in lines.items() if v)


def test_a_minimal_table_profile_loads_with_every_default_from_the_settings_dataclass(tmp_path: Path):
    from pipeline.extract.readers.table import TableSettings

    path = tmp_path / "other.yaml"
    path.write_text(_profile_text(), encoding="utf-8")
    profile = load_profile_file(path)
    assert profile.reader == "table" and profile.entries.fields == {"name": "name"}
    assert profile.settings.line_gap == TableSettings.line_gap and profile.settings.min_columns == 2


@pytest.mark.parametrize("changes, reason", [
    ({"reader": "spreadsheet"}, "unknown reader 'spreadsheet' (registered readers: "),
    ({"colour": "red"}, "unknown keys: colour"),
    ({"geometry": "{colum_slack: 3}"}, "unknown geometry keys: colum_slack"),
    ({"geometry": "{line_gap: wide}"}, "line_gap: Input should be a valid number"),
    ({"detect": "{words: [a], min_hit: 2}"}, "detect.min_hit: unknown key"),
    ({"entries": "{fields: {name: name, colour: x}}"}, "no such entry field: colour"),
    ({"entries": "{fields: {name: name, group: x}}"}, "no such entry field: group (fields: name, service_type"),
    ({"entries": "{fields: {name: name}, labels: {service_type: [title]}}"}, "no such entry field: service_type (labels: audience"),
    ({"entries": "{fields: {type: type}}"}, "which record field is the service 'name'"),
    ({"reader": ""}, "reader: Field required"),
])
def test_a_profile_with_an_unknown_key_or_reader_is_one_error_naming_file_and_reason(
        tmp_path: Path, changes: dict[str, str], reason: str):
    path = tmp_path / "other.yaml"
    path.write_text(_profile_text(**changes), encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        load_profile_file(path)
    assert str(caught.value).startswith(f"{path}: ") and reason in str(caught.value)
    assert "\n" not in str(caught.value)
