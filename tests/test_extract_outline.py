"""The slides extractor reads columns, headings and bullet levels from positions.

Every item of raw/000_palveluluokittelu.pdf is compared with the hand-written records in
tests/expected/000_palveluluokittelu.yaml; the same comparison runs on a second rendering of
the deck, built in the test with another geometry (4:3, "•" bullets, smaller type), so that
nothing in the extractor depends on one layout.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pytest

from expected.loader import SLIDES_FILE, load_document, read_yaml
from pipeline.errors import SourceError
from pipeline.extract.document import extract_document
from pipeline.extract.readers.slides.outline import chain_words_to_lines, lines_to_items
from pipeline.extract.readers.slides.settings import OutlineSettings
from pipeline.extract.words import Word
from pipeline.model import ExtractedDocument, OutlineItem, Source
from conftest import need as _need

ROOT = Path(__file__).resolve().parents[1]
SLIDES_PDF = ROOT / "raw" / "000_palveluluokittelu.pdf"
BUILDER_DIR = ROOT / "raw" / "src"
# The second geometry. The builder refuses a layout whose text would overflow a box, and on
# a 4:3 slide the narrow heading boxes only fit at this scale.
VARIANT = {"aspect": "4:3", "bullet": "\u2022", "font_scale": 0.7}




def _extract(pdf_path: Path) -> ExtractedDocument:
    return extract_document(Source(id=pdf_path.stem, path=pdf_path, sha256="0" * 64, layout="service-slides"))


@dataclass(frozen=True)
class Rendering:
    name: str
    pdf: Path
    doc: ExtractedDocument


@pytest.fixture(scope="session")
def committed() -> Rendering:
    return Rendering("committed", SLIDES_PDF, _extract(SLIDES_PDF))


@pytest.fixture(scope="session")
def variant(tmp_path_factory: pytest.TempPathFactory) -> Rendering:
    sys.path.insert(0, str(BUILDER_DIR))
    try:
        from office import soffice_path
        from slides import SlidesVariant, build_slides_pdf
    finally:
        sys.path.remove(str(BUILDER_DIR))
    if soffice_path() is None:
        _need("LibreOffice (soffice)")
    out = tmp_path_factory.mktemp("slides-variant")
    pdf = build_slides_pdf(out, SlidesVariant(**VARIANT))
    return Rendering("4:3, bullet •, font x0.7", pdf, _extract(pdf))


@pytest.fixture(params=["committed", pytest.param("variant", marks=pytest.mark.office)])
def rendering(request: pytest.FixtureRequest) -> Rendering:
    return request.getfixturevalue(request.param)


@pytest.fixture(scope="session")
def expected() -> ExtractedDocument:
    return load_document(SLIDES_FILE)


def _ws(text: str | None) -> str | None:
    return " ".join(text.split()) if text is not None else None


def _key(item: OutlineItem) -> tuple:
    """What the hand-written records pin: everything but the geometry and the exact glyph."""
    return (
        item.slide,
        _ws(item.slide_title),
        tuple(_ws(p) for p in item.path),
        item.level,
        _ws(item.text),
        _ws(item.column),
        item.bullet is not None,
        item.index,
    )


# --------------------------------------------------------------------------- the whole deck


def test_every_item_matches_the_hand_written_records(rendering: Rendering, expected: ExtractedDocument):
    got = [_key(i) for i in rendering.doc.records]
    want = [_key(i) for i in expected.records]
    missing = [k for k in want if k not in got]
    extra = [k for k in got if k not in want]
    assert not missing and not extra, f"{rendering.name}: missing {missing[:5]}, unexpected {extra[:5]}"
    assert got == want, f"{rendering.name}: same items, different reading order"


def test_document_title_is_the_label_above_the_first_slide_title(rendering: Rendering,
                                                                  expected: ExtractedDocument):
    doc = rendering.doc
    assert (doc.title, doc.layout, doc.area_name, doc.pages) == ("Palveluluokittelu", "service-slides", None, 3)
    assert doc.title == expected.title
    assert not doc.warnings


def test_sub_bullets_follow_the_item_they_belong_to(rendering: Rendering):
    parents = {
        _ws(item["text"]): _ws(item["parent"])
        for slide in read_yaml(SLIDES_FILE)["slides"]
        for item in slide["items"]
        if item["level"] == 2
    }
    assert len(parents) == 14
    seen = 0
    last_top_level: OutlineItem | None = None
    for item in rendering.doc.records:
        if item.level == 1:
            last_top_level = item
        elif item.level == 2:
            assert last_top_level is not None and _ws(last_top_level.text) == parents[_ws(item.text)]
            assert (last_top_level.column, last_top_level.path) == (item.column, item.path)
            seen += 1
    assert seen == 14


# --------------------------------------------------------------------------- details of one item


def test_bullet_glyph_is_kept_apart_from_the_text(committed: Rendering):
    bulleted = [i for i in committed.doc.records if i.bullet is not None]
    assert {i.bullet for i in bulleted} == {"\uf076"}  # the seed's Wingdings glyph
    assert all("\uf076" not in i.text and "\u2022" not in i.text for i in committed.doc.records)
    plain = [i.text for i in committed.doc.records if i.bullet is None and i.slide == 1]
    assert "Päätöksenteon ja ohjauksen tuki" in plain and "Yhteishankintakoulutukset" in plain


@pytest.mark.office
def test_an_ordinary_bullet_glyph_is_read_like_the_symbol_font_one(variant: Rendering):
    assert {i.bullet for i in variant.doc.records if i.bullet is not None} == {"\u2022"}


def test_an_item_broken_over_lines_is_one_item_with_a_location_per_line(committed: Rendering):
    by_text = {_ws(i.text): i for i in committed.doc.records if i.slide == 3}
    item = by_text["Työllisyysalueen sisäinen työttömyysturva- ja järjestelmäkoulutus"]
    # The printed line break is kept: the hyphen is the Finnish shared-suffix hyphen.
    assert item.text == "Työllisyysalueen sisäinen työttömyysturva-\nja järjestelmäkoulutus"
    assert len(item.locations) == 2
    first, second = (loc.bbox for loc in item.locations)
    assert first.bottom <= second.top + 1 and abs(first.x0 - second.x0) < 20


def test_locations_are_on_the_item_slide_and_inside_the_page(committed: Rendering):
    with pdfplumber.open(committed.pdf) as pdf:
        sizes = [(float(p.width), float(p.height)) for p in pdf.pages]
    for item in committed.doc.records:
        assert item.locations
        for loc in item.locations:
            width, height = sizes[loc.page - 1]
            box = loc.bbox
            assert loc.page == item.slide
            assert 0 <= box.x0 < box.x1 <= width and 0 <= box.top < box.bottom <= height


def test_headings_drawn_after_their_list_still_head_it(committed: Rendering):
    """The slide stores column 2's list before its heading; only positions order them."""
    with pdfplumber.open(committed.pdf) as pdf:
        stream = "".join(c["text"] for c in pdf.pages[0].chars)
    assert stream.index("Työnvälitys") < stream.index("Lähipalvelut kunnissa")
    first = next(i for i in committed.doc.records if i.text == "Työnvälitys" and i.slide == 1)
    assert first.path == ("Lähipalvelut kunnissa",) and first.column == "LÄHIPALVELUT"


def test_a_heading_spanning_two_columns_heads_both(committed: Rendering):
    slide2 = [i for i in committed.doc.records if i.slide == 2]
    columns = {i.path[-1] for i in slide2 if len(i.path) == 2}
    assert all(i.path[0] == "Palvelut henkilöasiakkaille" for i in slide2 if len(i.path) == 2)
    assert "Kotoutumisasiakkaan palveluprosessi" in columns  # the second column's group
    # The third column's first bullets stand beside the heading, not under it.
    assert [i.path for i in slide2 if i.text in ("Yleisneuvonta", "Työnvälitys")] == [(), ()]


# --------------------------------------------------------------------------- geometry and errors


def _word(text: str, x0: float, top: float, size: float = 10.0) -> Word:
    return Word(text, x0, top, x0 + 6.0 * len(text), top + size, "DejaVuSans", size, 1)


def test_columns_with_interleaved_baselines_are_read_apart():
    # Column 2's lines sit half a line lower than column 1's; a bullet glyph rides 2 pt high.
    words = [
        _word("\uf076", 10, 98), _word("Eka", 24, 100), _word("rivi", 50, 100),
        _word("\uf076", 10, 110), _word("Toka", 24, 112),
        _word("Oikea", 120, 106), _word("palsta", 158, 106),
    ]
    lines = chain_words_to_lines(words, OutlineSettings())
    assert [(l.bullet, l.text) for l in lines] == [
        ("\uf076", "Eka rivi"), (None, "Oikea palsta"), ("\uf076", "Toka"),
    ]



def test_a_wrapped_line_starting_with_a_dash_continues_its_item_but_a_hanging_dash_is_a_sub_bullet():
    # Found by the benchmark corpus: "... ohjaus – kehittämishanke 1" wrapped before the dash.
    # A word space (0.3 em) follows that dash; a real "–" bullet has a hanging indent after it.
    words = [
        _word("•", 10, 100), _word("Neuvonta", 24, 100), _word("ja", 78, 100), _word("ohjaus", 94, 100),
        _word("–", 24, 112), _word("kehittämishanke", 33, 112), _word("1", 127, 112),
        _word("–", 24, 124), _word("Alakohta", 38, 124),
    ]
    settings = OutlineSettings()
    lines = chain_words_to_lines(words, settings)
    assert [(l.bullet, l.text) for l in lines] == [
        ("•", "Neuvonta ja ohjaus"), (None, "– kehittämishanke 1"), ("–", "Alakohta"),
    ]
    items = lines_to_items(lines, settings)
    assert [[l.text for l in block.lines] for block in items] == [
        ["Neuvonta ja ohjaus", "– kehittämishanke 1"], ["Alakohta"],
    ]

def test_a_bullet_set_close_after_the_left_column_text_opens_the_next_columns_item():
    # Found by the benchmark corpus: the left box's line ends 3 pt before the right box's bullet.
    words = [_word("Hallinnointi", 10, 100), _word("–", 84, 100), _word("•", 93, 100), _word("Valmennus", 107, 100)]
    lines = chain_words_to_lines(words, OutlineSettings())
    assert [(l.bullet, l.text) for l in lines] == [(None, "Hallinnointi –"), ("•", "Valmennus")]


def test_an_unbulleted_item_wrapped_before_its_number_stays_one_item():
    words = [_word("Henkilöstöpalvelut", 10, 100), _word("–", 124, 100), _word("kehittämishanke", 133, 100),
             _word("2", 10, 112), _word("Talouspalvelut", 10, 124)]
    settings = OutlineSettings()
    items = lines_to_items(chain_words_to_lines(words, settings), settings)
    assert [" ".join(l.text for l in block.lines) for block in items] == [
        "Henkilöstöpalvelut – kehittämishanke 2", "Talouspalvelut",
    ]


def test_a_pdf_without_text_raises_an_error_naming_the_file(tmp_path: Path):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    blank = tmp_path / "blank.pdf"
    fig = plt.figure(figsize=(4, 3))
    fig.savefig(blank)
    plt.close(fig)
    # Read as every document is (pdf.read_pdf, then the reader): refused before any slide is read.
    with pytest.raises(SourceError) as caught:
        _extract(blank)
    assert str(caught.value).startswith(f"{blank}: ") and "no text" in str(caught.value)
