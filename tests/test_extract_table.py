"""The table extractor reads the appendix table's rows from positions, in any print geometry.

Every row of raw/002_liitetaulukko.pdf is compared with the hand-written records in
tests/expected/002_liitetaulukko.yaml. The same comparison runs on two more renderings built
in the test with the sheet's builder: one on Letter paper, portrait, in another font and
column widths, other page breaks, "over, then down" page order and no ruling lines (the left
columns no longer fit one page, so the sheet prints in three page columns); one in the
committed geometry without ruling lines, where LibreOffice leaves out the empty right-hand
page, so right-hand pages must be paired with left-hand pages by their rows, not by count.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from expected.loader import TABLE_FILE, load_document
from pipeline.extract import extract_document
from pipeline.extract.layout import load_profiles
from pipeline.extract.readers.table import TableSettings, area_from_title
from pipeline.model import ExtractedDocument, Source, TableRow
from conftest import need as _need

ROOT = Path(__file__).resolve().parents[1]
TABLE_PDF = ROOT / "raw" / "002_liitetaulukko.pdf"
BUILDER_DIR = ROOT / "raw" / "src"
VARIANTS = {
    "letter-portrait-serif-overThenDown-unruled": dict(
        paper="Letter", orientation="portrait", width_scale=0.85, font_name="DejaVu Serif",
        font_size=8.0, row_breaks=((12, 26), (9,)), page_order="overThenDown", ruling=False),
    "a4-landscape-downThenOver-unruled": dict(ruling=False),
}




def _extract(pdf: Path) -> ExtractedDocument:
    return extract_document(Source(id=pdf.stem, path=pdf, sha256="0" * 64))


@dataclass(frozen=True)
class Rendering:
    name: str
    pdf: Path
    doc: ExtractedDocument


@pytest.fixture(scope="session")
def committed() -> Rendering:
    assert TABLE_PDF.is_file(), f"{TABLE_PDF} is missing (make raw rebuilds it)"
    return Rendering("committed", TABLE_PDF, _extract(TABLE_PDF))


@pytest.fixture(scope="session")
def variants(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Rendering]:
    """Both extra renderings, built once per session (about 2 s each)."""
    sys.path.insert(0, str(BUILDER_DIR))
    try:
        from appendix import AppendixVariant, build_appendix_pdf
        from office import soffice_path
    finally:
        sys.path.remove(str(BUILDER_DIR))
    if soffice_path() is None:
        _need("LibreOffice (soffice)")
    out: dict[str, Rendering] = {}
    for name, params in VARIANTS.items():
        pdf = build_appendix_pdf(tmp_path_factory.mktemp(name), AppendixVariant(**params))
        out[name] = Rendering(name, pdf, _extract(pdf))
    return out


@pytest.fixture(params=["committed", *(pytest.param(n, marks=pytest.mark.office) for n in VARIANTS)])
def rendering(request: pytest.FixtureRequest) -> Rendering:
    if request.param == "committed":
        return request.getfixturevalue("committed")
    return request.getfixturevalue("variants")[request.param]


@pytest.fixture(scope="session")
def expected() -> ExtractedDocument:
    return load_document(TABLE_FILE)


def _ws(text: str | None) -> str | None:
    return " ".join(text.split()) if text is not None else None


def _key(row: TableRow) -> tuple:
    """What the hand-written records pin: table, index, group and every cell's text."""
    cells = tuple(sorted((role, _ws(cell.text)) for role, cell in row.cells.items()))
    return (row.table, _ws(row.table_title), row.index, _ws(row.group), cells)


# --------------------------------------------------------------------------- the whole table


def test_every_row_matches_the_hand_written_records(rendering: Rendering, expected: ExtractedDocument):
    got = [_key(r) for r in rendering.doc.records]
    want = [_key(r) for r in expected.records]
    missing = [k for k in want if k not in got]
    extra = [k for k in got if k not in want]
    assert not missing and not extra, f"{rendering.name}: missing {missing[:3]}, unexpected {extra[:3]}"
    assert got == want, f"{rendering.name}: same rows, different order"


def test_a_clean_table_gives_no_warnings(rendering: Rendering):
    assert rendering.doc.warnings == ()


def test_title_is_the_first_line_and_names_the_area_in_the_genitive(rendering: Rendering,
                                                                      expected: ExtractedDocument):
    doc = rendering.doc
    assert doc.layout == "appendix-table"
    assert doc.title == expected.title
    # The raw genitive phrase; the normaliser makes "Päijät-Hämeen työllisyysalue" of it.
    assert doc.area_name == "Päijät-Hämeen työllisyysalueen"
    assert expected.area_name and doc.area_name.startswith(expected.area_name)


def test_right_hand_cells_come_from_the_paired_right_hand_page(committed: Rendering):
    doc = committed.doc
    first = doc.records[0]
    name_page = first.cells["name"].locations[0].page
    area_page = first.cells["tem_area"].locations[0].page
    assert name_page == 1 and area_page > name_page
    # A right-hand cell sits at the height of the row it was joined to.
    name_box, area_box = first.cells["name"].locations[0].bbox, first.cells["tem_area"].locations[0].bbox
    assert abs(name_box.top - area_box.top) < 2.0


def test_a_row_with_an_empty_right_hand_row_keeps_only_its_left_cells(rendering: Rendering):
    row = next(r for r in rendering.doc.records if r.cells["name"].text == "Työkykykoordinaattorin palvelut")
    assert set(row.cells) == {"name", "type", "producers"}
    # The row after it (the next page pair) got its own right-hand cells, not shifted ones.
    after = next(r for r in rendering.doc.records if r.table == 1 and r.index == row.index + 1)
    assert _ws(after.cells["tem_area"].text) == "4 Työkyvyn tukeminen"


def test_group_rows_set_the_group_and_are_not_counted(rendering: Rendering):
    rows = [r for r in rendering.doc.records if r.table == 2]
    assert [r.index for r in rows] == list(range(1, len(rows) + 1))
    assert rows[0].group == "Alkavan yrityksen palvelut" and _ws(rows[0].cells["name"].text) == "Starttiraha"
    assert {r.group for r in rows} == {"Alkavan yrityksen palvelut", "Työnantaja- ja yrityspalvelut",
                                       "Kuntien ekosysteemit:"}
    assert not any(r.cells["name"].text in {"Kotoutumispalvelut", "Kuntien ekosysteemit:"}
                   for r in rendering.doc.records)


def test_multi_line_cells_keep_their_printed_lines(committed: Rendering):
    row = committed.doc.records[0]
    assert "\n" in row.cells["name"].text
    assert row.cells["name"].text.startswith("Työnhakijan lakisääteinen palveluprosessi")


def test_every_cell_has_a_location_inside_its_page(rendering: Rendering):
    import pdfplumber

    with pdfplumber.open(rendering.pdf) as pdf:
        sizes = {p.page_number: (float(p.width), float(p.height)) for p in pdf.pages}
    for row in rendering.doc.records:
        for role, cell in row.cells.items():
            assert cell.locations, (row.index, role)
            for loc in cell.locations:
                width, height = sizes[loc.page]
                b = loc.bbox
                assert 0 <= b.x0 < b.x1 <= width + 0.5 and 0 <= b.top < b.bottom <= height + 0.5


def test_pages_is_the_page_count(rendering: Rendering):
    import pdfplumber

    with pdfplumber.open(rendering.pdf) as pdf:
        assert rendering.doc.pages == len(pdf.pages)


# --------------------------------------------------------------------------- pieces


def _settings() -> TableSettings:
    return next(p for p in load_profiles() if p.id == "appendix-table").settings


@pytest.mark.parametrize("title, area", [
    ("Päijät-Hämeen työllisyysalueen palveluita koskeva liitetaulukko.", "Päijät-Hämeen työllisyysalueen"),
    ("Kuopion seudun työllisyysalueen palvelut", "Kuopion seudun työllisyysalueen"),
    ("Helsingin työllisyysalueen liitetaulukko", "Helsingin työllisyysalueen"),
    ("Palveluluokittelu", None),
])
def test_area_name_is_read_from_the_title_for_any_area(title: str, area: str | None):
    assert area_from_title(title, _settings()) == area


def test_profile_settings_have_a_column_per_role_in_sheet_order():
    settings = _settings()
    assert settings.roles == ("name", "type", "producers", "shared", "tem_area", "immigrant",
                              "multiprofessional")
    assert settings.columns[0].title and not settings.columns[0].headers


# --------------------------------------------------------------------------- synthetic pages


def _page(number: int, cells: list[tuple[float, float, str, bool]], width: float = 600.0):
    """A page from (x, top, text, bold) cells: each word 5 pt per character, 9 pt type."""
    from pipeline.extract.pdf import PageContent
    from pipeline.extract.words import Word

    words = []
    for x, top, text, bold in cells:
        for token in text.split():
            words.append(Word(token, x, top, x + 5 * len(token), top + 9, "F-Bold" if bold else "F",
                              9.0, number, bold))
            x += 5 * len(token) + 3
    return PageContent(number, width, 400.0, tuple(words), (), 0)


def _synthetic(right_cells: list[tuple[float, float, str, bool]]):
    from pipeline.extract.pdf import PdfContent
    from pipeline.extract.readers.table import extract_tables

    left = _page(1, [
        (40, 30, "Kuopion seudun työllisyysalueen liitetaulukko", True),
        (40, 70, "Asiakkaat", True), (300, 70, "Tyyppi", True), (420, 70, "Ohjaus/mahdollinen", True),
        (420, 81, "tuottaminen", True),
        (40, 100, "Yrityspalvelut", True),
        (40, 120, "Neuvonta", False), (300, 120, "Lakisääteinen", False), (420, 120, "Kunnat", False),
        (40, 150, "Koulutus ja", False), (40, 161, "valmennus", False), (300, 150, "Muu", False),
    ])
    right = _page(2, [(40, 70, "Yhteinen palvelu", True), (40, 81, "toisen alueen", True),
                      (40, 92, "kanssa", True), (150, 70, "Työvoimapalvelujen", True),
                      (150, 81, "viitearkkitehtuurin palvelualue", True), (150, 92, "(TEM)", True),
                      *right_cells])
    return extract_tables(PdfContent(Path("synthetic.pdf"), (left, right)), _settings())


def test_a_table_of_another_area_reads_by_header_words_not_fixed_positions():
    result = _synthetic([(40, 120, "x", False), (150, 120, "2 Osaamisen kehittäminen", False)])
    assert result.area_name == "Kuopion seudun työllisyysalueen"
    assert [(r.index, r.group, r.table_title, {k: c.text for k, c in r.cells.items()}) for r in result.rows] == [
        (1, "Yrityspalvelut", "Asiakkaat", {"name": "Neuvonta", "type": "Lakisääteinen", "producers": "Kunnat",
                                            "shared": "x", "tem_area": "2 Osaamisen kehittäminen"}),
        (2, "Yrityspalvelut", "Asiakkaat", {"name": "Koulutus ja\nvalmennus", "type": "Muu"}),
    ]
    assert result.warnings == ()


def test_a_right_hand_cell_beside_no_row_is_reported_with_its_page():
    result = _synthetic([(150, 300, "5 Tieto", False)])
    assert result.warnings and all(w.startswith("page 2:") for w in result.warnings)
    assert any("'5 Tieto' matches no row of page 1" in w for w in result.warnings)
    assert all("tem_area" not in r.cells for r in result.rows)


def test_a_data_word_that_is_also_a_header_word_does_not_hide_the_header():
    from pipeline.extract.readers.table import find_header
    from pipeline.extract.words import words_to_lines

    # "Yhteinen" names the shared column's header, but here it starts a service name just
    # below a one-line header, inside the band where header cells are looked for.
    page = _page(1, [
        (40, 70, "Uusi työnhakija", True), (300, 70, "Tyyppi", True), (420, 70, "Ohjaus/mahdollinen", True),
        (420, 81, "tuottaminen", True), (40, 95, "Yhteinen markkinointi", False), (300, 95, "Muu lisäpalvelu", False),
    ])
    header = find_header(page, words_to_lines(page.words), _settings())
    assert header is not None
    assert header.roles == ("name", "type", "producers") and header.title == "Uusi työnhakija"
    assert header.bottom < 95


# --------------------------------------------------------------------------- three page pairs


def _kuntien_first(rows: list[TableRow]) -> list[tuple]:
    """Keys of table 2 rows with the "Kuntien ekosysteemit:" group moved to the top."""
    first = [r for r in rows if r.group == "Kuntien ekosysteemit:"]
    ordered = first + [r for r in rows if r.group != "Kuntien ekosysteemit:"]
    return [(k[0], k[1], i, *k[3:]) for i, k in enumerate((_key(r) for r in ordered), start=1)]


@pytest.mark.office
def test_a_table_over_three_page_pairs_joins_each_right_page_to_its_own_left_page(
        soffice_or_skip: None, tmp_path: Path, expected: ExtractedDocument):
    # Table 1 printed down, then over, on three page pairs (left pages 1-3, right pages 4-6,
    # only page 4 with the right-hand header), then table 2 on pages 7-8. Table 2 starts with
    # the group whose first service is "Yhteinen markkinointi": a header word of the shared
    # column just below table 2's header. Once that hid the header, pages 7-8 were read as
    # more pages of table 1 and their right-hand cells were joined to table 1's first rows.
    from appendix import AppendixVariant, build_appendix_pdf, load_content

    content = load_content()
    rows = content["sheets"][1]["rows"]
    k = next(i for i, r in enumerate(rows) if isinstance(r, dict) and r.get("group") == "Kuntien ekosysteemit:")
    content["sheets"][1]["rows"] = rows[k:] + rows[:k]
    pdf = build_appendix_pdf(tmp_path, AppendixVariant(row_breaks=((10, 20), ())), content=content)
    doc = _extract(pdf)

    assert doc.pages == 8 and doc.warnings == ()
    name_pages = {r.cells["name"].locations[0].page for r in doc.records if r.table == 1}
    assert name_pages == {1, 2, 3}
    for row in doc.records:
        left = row.cells["name"].locations[0].page
        for role in ("shared", "tem_area", "immigrant", "multiprofessional"):
            if role in row.cells:
                # Each right-hand cell comes from the one right page paired with its left page.
                assert [loc.page for loc in row.cells[role].locations] == [left + (3 if row.table == 1 else 1)]
    want1 = [_key(r) for r in expected.records if r.table == 1]
    assert [_key(r) for r in doc.records if r.table == 1] == want1
    assert [_key(r) for r in doc.records if r.table == 2] == _kuntien_first([r for r in expected.records if r.table == 2])


# --------------------------------------------------------------------------- header wording


@pytest.mark.parametrize("printed, breaks, wording", [
    ("Kotoutujat", [False], "Kotoutuja"),                      # plural ending
    ("Monialaiset asiakkaat", [False, False], "Monialaiset asiakkaat"),
    ("MONIALAINEN", [False], "Monialainen"),                    # case
    ("Monialain en", [True, False], "Monialainen"),             # wrapped inside the word
    ("Kotou- tuja", [True, False], "Kotoutuja"),                # hyphenated at the break
    ("TEM- palvelualue", [True, False], "TEM-palvelualue"),     # broken at its own hyphen
    ("Ohjaus/ mahdollinen tuottaminen", [True, False, False], "Ohjaus/mahdollinen tuottaminen"),
    ("Työvoimapalvelujen viitearkkitehtuurin palvelualue (TEM)", [False, True, False, False],
     "Työvoimapalvelujen viitearkkitehtuurin palvelualue (TEM)"),
    ("Tuottajat", [False], "Tuottaja(t)"),                      # brackets do not count
])
def test_a_header_cell_matches_its_wording_across_case_endings_and_line_breaks(printed, breaks, wording):
    from pipeline.extract.readers.table.wording import matches_phrase, phrase_tokens, word_key

    assert matches_phrase([word_key(t) for t in printed.split()], breaks, phrase_tokens(wording))


@pytest.mark.parametrize("printed, wording", [
    ("Palvelun tyyppi", "Palvelu"),                  # a longer cell is another column
    ("Monialainen yhteispalvelu", "Monialainen"),    # a data cell that begins like a header
    ("Tuottaminen", "Tuottaja(t)"),                  # a shared stem is not enough
    ("Monialain en", "Monialainen"),                 # two words on one line are two words
])
def test_a_header_cell_does_not_match_another_cells_wording(printed, wording):
    from pipeline.extract.readers.table.wording import matches_phrase, phrase_tokens, word_key

    tokens = [word_key(t) for t in printed.split()]
    assert not matches_phrase(tokens, [False] * len(tokens), phrase_tokens(wording))


def _service_table_settings() -> TableSettings:
    return next(p for p in load_profiles() if p.id == "service-table").settings


def _service_table_pdf(header: list[tuple[float, float, str, bool]], data: list[tuple[float, float, str, bool]]):
    from pipeline.extract.pdf import PdfContent

    page = _page(1, [(40, 30, "Kuopion seudun työllisyysalueen palvelut", True),
                     (40, 60, "Henkilöasiakkaat", True), *header, *data])
    return PdfContent(Path("synthetic.pdf"), (page,))


def test_a_column_starts_at_its_header_cells_left_edge_not_at_a_matched_word():
    from pipeline.extract.readers.table import extract_tables

    # "Yhteinen toisen alueen kanssa" centred over two lines: its second line starts left of
    # the first, and the column's marks are printed at that left edge.
    header = [(40, 80, "Palvelu", True), (150, 80, "TEM-palvelualue", True),
              (330, 80, "Yhteinen toisen", True), (322, 91, "alueen kanssa", True)]
    data = [(40, 110, "Neuvonta", False), (150, 110, "5 Tieto", False), (322, 110, "x", False)]
    result = extract_tables(_service_table_pdf(header, data), _service_table_settings())
    assert [(r.table_title, {k: c.text for k, c in r.cells.items()}) for r in result.rows] == [
        ("Henkilöasiakkaat", {"name": "Neuvonta", "tem_area": "5 Tieto", "shared": "x"})]


def test_columns_are_read_in_any_order():
    from pipeline.extract.readers.table import extract_tables

    header = [(40, 80, "Palvelu", True), (150, 80, "Kotoutujat", True), (230, 80, "Tuottaja(t)", True),
              (330, 80, "Palvelun tyyppi", True)]
    data = [(40, 110, "Neuvonta", False), (150, 110, "x", False), (230, 110, "Kunnat", False),
            (330, 110, "Lakisääteinen", False)]
    result = extract_tables(_service_table_pdf(header, data), _service_table_settings())
    assert {k: c.text for k, c in result.rows[0].cells.items()} == {
        "name": "Neuvonta", "immigrant": "x", "producers": "Kunnat", "type": "Lakisääteinen"}


def test_a_column_headed_twice_in_one_row_is_refused_naming_the_column_order():
    from pipeline.extract.readers.table import HeaderError, extract_tables

    header = [(40, 80, "Palvelu", True), (150, 80, "Kotoutujat", True), (250, 80, "Kotoutuja", True)]
    data = [(40, 110, "Neuvonta", False), (150, 110, "x", False), (250, 110, "x", False)]
    with pytest.raises(HeaderError, match="column order is ambiguous: column 'immigrant' is headed twice"):
        extract_tables(_service_table_pdf(header, data), _service_table_settings())


def test_a_header_cell_no_wording_fits_is_a_missing_column_not_a_stray_data_cell():
    from pipeline.extract.readers.table import HeaderError, extract_tables

    header = [(40, 80, "Palvelu", True), (150, 80, "Kotoutujat", True), (250, 80, "Moniammatilliset", True)]
    data = [(40, 110, "Neuvonta", False), (150, 110, "x", False), (250, 110, "(x)", False)]
    with pytest.raises(HeaderError, match="a missing column: the header row has a cell 'Moniammatilliset'"):
        extract_tables(_service_table_pdf(header, data), _service_table_settings())


def test_a_table_profile_with_an_unknown_key_is_refused(tmp_path: Path):
    from pipeline.extract.layout import PROFILES_DIR, ProfileError, load_profile_file

    path = tmp_path / "appendix-table.yaml"
    text = (PROFILES_DIR / "appendix-table.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace("  column_slack:", "  colum_slack:"), encoding="utf-8")
    with pytest.raises(ProfileError, match="unknown geometry keys: colum_slack"):
        load_profile_file(path)


def test_a_key_column_that_is_not_leftmost_is_refused_naming_the_column_order():
    from pipeline.extract.readers.table import HeaderError, extract_tables

    header = [(40, 80, "Kotoutujat", True), (150, 80, "Palvelu", True), (300, 80, "Tuottaja(t)", True)]
    data = [(40, 110, "x", False), (150, 110, "Neuvonta", False), (300, 110, "Kunnat", False)]
    with pytest.raises(HeaderError, match="column order: the key column 'name' .* is not the leftmost"):
        extract_tables(_service_table_pdf(header, data), _service_table_settings())
