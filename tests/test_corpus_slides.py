"""The slides read the same from other producers' PDFs: a multi-producer corpus (issue 13).

Each rendering draws the deck of raw/src/slides.yaml (the content raw/src/build_sources.py
builds) with another program, and every item is compared with the hand-written records in
tests/expected/000_palveluluokittelu.yaml, every field, nothing invented, as
tests/test_extract_outline.py compares LibreOffice's renderings. Each PDF is made once per
session under a tmp dir. The producers and variants are listed in docs/producers.md.

- chromium-html: the slides as HTML with `<ul>` lists printed by headless Chromium. Its list
  markers are vector shapes (a filled disc at level 1, a stroked circle at level 2); the text
  layer has no bullet glyph at all.
- chromium-html-outlined: the same printed with the delivery-level boxes as bordered
  (stroked, unfilled) rectangles whose heading is in the regular face, larger than its
  description, and filled squares as level-1 markers: the box text must stay out of the items.
- reportlab-a4: the deck drawn with reportlab onto A4 landscape (another page size, uniformly
  scaled type), Liberation Sans instead of DejaVu, "•" glyph bullets and "–" text-marker
  sub-bullets.
- chromium-letter-spaced: CSS letter-spacing 0.16em on slides 2-3's lists: pdfplumber's own
  word grouping splits them into letters.
- chromium-outlined-subtitle: the outlined boxes (regular-face headings) with slide 1 as
  title + subtitle: two kinds of larger regular text, one inside boxes, one under the title.
- reportlab-char-spaced: reportlab's charSpace 1.6 pt on slides 2-3's items.
- impress-dash-boxes: LibreOffice Impress (python-pptx -> soffice) with "•" bullets, "–"
  sub-bullets, and the delivery-level boxes' descriptions as "–"-bulleted paragraphs under
  the box heading, in the same rectangle (issue 13: 5 invented items).
- impress-hyphen-subtitle: Impress with "-" sub-bullets and slide 1 as title + subtitle: the
  deck's name is the 24 pt title, "Palvelujen ja tehtävien jaottelu" a 16 pt subtitle.
- impress-tracked: Impress with expanded character spacing (1.6 pt, a:rPr/@spc) on the lists
  and box descriptions: words fall apart ("a siakasta") unless joined again.
- writer-frames: LibreOffice Writer (a flat .fodt, raw/src/slides_writer.py -> soffice
  writer_pdf_Export): one landscape page per slide, every shape a text frame anchored at its
  position on the page, the delivery-level boxes filled frames, the lists Writer lists whose
  markers Writer draws from the list style ("•" and "◦" in OpenSymbol).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pytest

from conftest import need as _need
from expected.loader import SLIDES_FILE, load_document, read_yaml
from pipeline.extract.document import extract_document
from pipeline.extract.layout import detect_layout, load_profiles
from pipeline.extract.pdf import read_pdf
from pipeline.model import ExtractedDocument, OutlineItem, Source

ROOT = Path(__file__).resolve().parents[1]
BUILDER_DIR = ROOT / "raw" / "src"

pytestmark = pytest.mark.corpus


def _builder(module: str):
    sys.path.insert(0, str(BUILDER_DIR))
    try:
        return __import__(module)
    finally:
        sys.path.remove(str(BUILDER_DIR))


@dataclass(frozen=True)
class Rendering:
    name: str
    pdf: Path
    doc: ExtractedDocument


def _read(pdf: Path) -> ExtractedDocument:
    # The whole production path: read_pdf, layout detection (no override), the outline reader.
    return extract_document(Source(id=pdf.stem, path=pdf, sha256="0" * 64))


@pytest.fixture(scope="session")
def chromium_html(tmp_path_factory: pytest.TempPathFactory) -> Rendering:
    builders = _builder("slides_html")
    if builders.chromium_path() is None:
        _need("Chromium (chromium)")
    pdf = builders.build_slides_html_pdf(tmp_path_factory.mktemp("corpus-chromium"))
    return Rendering("Chromium, HTML <ul> with vector markers", pdf, _read(pdf))


@pytest.fixture(scope="session")
def chromium_html_outlined(tmp_path_factory: pytest.TempPathFactory) -> Rendering:
    builders = _builder("slides_html")
    if builders.chromium_path() is None:
        _need("Chromium (chromium)")
    pdf = builders.build_slides_html_pdf(tmp_path_factory.mktemp("corpus-chromium-outlined"), boxes="outlined")
    return Rendering("Chromium, outlined boxes, square and circle markers", pdf, _read(pdf))


@pytest.fixture(scope="session")
def reportlab_a4(tmp_path_factory: pytest.TempPathFactory) -> Rendering:
    try:
        import reportlab  # noqa: F401  (a dev dependency)
    except ImportError:
        _need("reportlab (pip install -e '.[dev]')")
    builders = _builder("slides_reportlab")
    if not builders.fonts_available():
        _need("Liberation Sans (fonts-liberation2)")
    pdf = builders.build_slides_reportlab_pdf(tmp_path_factory.mktemp("corpus-reportlab"))
    return Rendering("reportlab, A4 landscape, Liberation Sans, • and – bullets", pdf, _read(pdf))


@pytest.fixture(scope="session")
def reportlab_char_spaced(tmp_path_factory: pytest.TempPathFactory) -> Rendering:
    try:
        import reportlab  # noqa: F401  (a dev dependency)
    except ImportError:
        _need("reportlab (pip install -e '.[dev]')")
    builders = _builder("slides_reportlab")
    if not builders.fonts_available():
        _need("Liberation Sans (fonts-liberation2)")
    pdf = builders.build_slides_reportlab_pdf(tmp_path_factory.mktemp("corpus-reportlab-spaced"), char_space=1.6)
    return Rendering("reportlab, charSpace 1.6 pt on slides 2-3", pdf, _read(pdf))


@pytest.fixture(scope="session")
def chromium_outlined_subtitle(tmp_path_factory: pytest.TempPathFactory) -> Rendering:
    builders = _builder("slides_html")
    if builders.chromium_path() is None:
        _need("Chromium (chromium)")
    pdf = builders.build_slides_html_pdf(tmp_path_factory.mktemp("corpus-chromium-subtitle"), boxes="outlined",
                                         subtitle=True)
    return Rendering("Chromium, outlined boxes, title + subtitle on slide 1", pdf, _read(pdf))


@pytest.fixture(scope="session")
def chromium_letter_spaced(tmp_path_factory: pytest.TempPathFactory) -> Rendering:
    builders = _builder("slides_html")
    if builders.chromium_path() is None:
        _need("Chromium (chromium)")
    pdf = builders.build_slides_html_pdf(tmp_path_factory.mktemp("corpus-chromium-spaced"), letter_spacing="0.16em")
    return Rendering("Chromium, CSS letter-spacing 0.16em on slides 2-3", pdf, _read(pdf))


# LibreOffice Impress renderings of python-pptx decks (raw/src/slides.py, SlidesVariant).
IMPRESS = {
    "impress_dash_boxes": ("Impress, • and – bullets, –-bulleted box descriptions",
                           {"bullet": "\u2022", "sub_bullet": "\u2013", "box_bullet": "\u2013"}),
    "impress_hyphen_subtitle": ("Impress, - sub-bullets, title + subtitle on slide 1",
                                {"bullet": "\u2022", "sub_bullet": "-", "subtitle": True}),
    # Type x0.85 so that the spaced-out lists still fit their boxes (the builder refuses overflow).
    "impress_tracked": ("Impress, U+F076 bullets, 1.6 pt character spacing, type x0.85",
                        {"tracking_pt": 1.6, "font_scale": 0.85}),
}


def _impress(name: str, tmp_path_factory: pytest.TempPathFactory) -> Rendering:
    office = _builder("office")
    if office.soffice_path() is None:
        _need("LibreOffice (soffice)")
    slides = _builder("slides")
    title, fields = IMPRESS[name]
    pdf = slides.build_slides_pdf(tmp_path_factory.mktemp(f"corpus-{name}"), slides.SlidesVariant(**fields))
    return Rendering(title, pdf, _read(pdf))


@pytest.fixture(scope="session")
def impress_dash_boxes(tmp_path_factory: pytest.TempPathFactory) -> Rendering:
    return _impress("impress_dash_boxes", tmp_path_factory)


@pytest.fixture(scope="session")
def impress_hyphen_subtitle(tmp_path_factory: pytest.TempPathFactory) -> Rendering:
    return _impress("impress_hyphen_subtitle", tmp_path_factory)


@pytest.fixture(scope="session")
def impress_tracked(tmp_path_factory: pytest.TempPathFactory) -> Rendering:
    return _impress("impress_tracked", tmp_path_factory)


@pytest.fixture(scope="session")
def writer_frames(tmp_path_factory: pytest.TempPathFactory) -> Rendering:
    office = _builder("office")
    if office.soffice_path() is None:
        _need("LibreOffice (soffice)")
    pdf = _builder("slides_writer").build_slides_writer_pdf(tmp_path_factory.mktemp("corpus-writer"))
    return Rendering("Writer, .fodt with page-anchored text frames, Writer's own \u2022 and \u25e6 list bullets",
                     pdf, _read(pdf))


@pytest.fixture(params=[pytest.param("chromium_html", marks=pytest.mark.browser),
                        pytest.param("chromium_html_outlined", marks=pytest.mark.browser),
                        pytest.param("chromium_letter_spaced", marks=pytest.mark.browser),
                        pytest.param("chromium_outlined_subtitle", marks=pytest.mark.browser),
                        "reportlab_a4", "reportlab_char_spaced",
                        *(pytest.param(name, marks=pytest.mark.office) for name in IMPRESS),
                        pytest.param("writer_frames", marks=pytest.mark.office)])
def rendering(request: pytest.FixtureRequest) -> Rendering:
    return request.getfixturevalue(request.param)


@pytest.fixture(scope="session")
def expected() -> ExtractedDocument:
    return load_document(SLIDES_FILE)


def _ws(text: str | None) -> str | None:
    return " ".join(text.split()) if text is not None else None


def _key(item: OutlineItem) -> tuple:
    """Every field the hand-written records pin (geometry and the exact glyph aside)."""
    return (item.slide, _ws(item.slide_title), tuple(_ws(p) for p in item.path), item.level,
            _ws(item.text), _ws(item.column), item.bullet is not None, item.index)


def test_every_item_of_every_rendering_matches_the_hand_written_records(rendering: Rendering,
                                                                        expected: ExtractedDocument):
    got = [_key(i) for i in rendering.doc.records]
    want = [_key(i) for i in expected.records]
    missing = [k for k in want if k not in got]
    extra = [k for k in got if k not in want]
    assert not missing and not extra, f"{rendering.name}: missing {missing[:5]}, unexpected {extra[:5]}"
    assert got == want, f"{rendering.name}: same items, different reading order"


def test_every_rendering_is_recognised_as_the_slides_layout_with_its_title(rendering: Rendering,
                                                                          expected: ExtractedDocument):
    doc = rendering.doc
    assert (doc.layout, doc.title, doc.pages) == ("service-slides", expected.title, 3)
    assert not doc.warnings, f"{rendering.name}: {doc.warnings}"


def test_sub_bullets_follow_their_parent_item(rendering: Rendering):
    parents = {_ws(item["text"]): _ws(item["parent"])
               for slide in read_yaml(SLIDES_FILE)["slides"] for item in slide["items"] if item["level"] == 2}
    last = None
    seen = 0
    for item in rendering.doc.records:
        if item.level == 1:
            last = item
        elif item.level == 2:
            assert last is not None and _ws(last.text) == parents[_ws(item.text)], rendering.name
            seen += 1
    assert seen == len(parents) == 14


@pytest.mark.browser
def test_chromium_list_markers_are_vector_shapes_read_as_filled_and_hollow_bullets(chromium_html: Rendering):
    with pdfplumber.open(chromium_html.pdf) as pdf:
        text = "".join(c["text"] for page in pdf.pages for c in page.chars)
    # The premise: no bullet glyph in the text layer; the markers are paths.
    assert not set(text) & {"•", "◦", "●", "○", "\uf076"}
    by_level = {}
    for item in chromium_html.doc.records:
        if item.bullet is not None:
            by_level.setdefault(item.level, set()).add(item.bullet)
    assert by_level == {1: {"●"}, 2: {"○"}}


@pytest.mark.browser
def test_layout_detection_counts_vector_bullets(chromium_html: Rendering):
    content = read_pdf(chromium_html.pdf)
    profiles = load_profiles()
    assert detect_layout(content.words, profiles, chromium_html.pdf, marks=content.marks).id == "service-slides"
    with pytest.raises(Exception, match="bullets"):
        detect_layout(content.words, profiles, chromium_html.pdf)  # without the shapes: no bullets


def test_reportlab_glyph_and_text_marker_bullets_give_the_two_levels(reportlab_a4: Rendering):
    by_level: dict[int, set[str]] = {}
    for item in reportlab_a4.doc.records:
        if item.bullet is not None:
            by_level.setdefault(item.level, set()).add(item.bullet)
    assert by_level == {1: {"\u2022"}, 2: {"\u2013"}}
    with pdfplumber.open(reportlab_a4.pdf) as pdf:
        assert {(round(float(p.width)), round(float(p.height))) for p in pdf.pages} == {(842, 595)}


@pytest.mark.browser
def test_an_outlined_box_with_a_regular_face_heading_names_its_column_and_is_no_item(
        chromium_html_outlined: Rendering):
    with pdfplumber.open(chromium_html_outlined.pdf) as pdf:
        page = pdf.pages[0]
        framed = [r for r in page.rects if r.get("stroke") and not r.get("fill") and r["width"] > 100]
        heads = [c for c in page.chars if c["text"] == "L" and c["size"] > 11]
    assert len(framed) == 4 and heads and not any("Bold" in c["fontname"] for c in heads)  # the premise
    texts = {" ".join(i.text.split()) for i in chromium_html_outlined.doc.records}
    assert "Täydentävät lähipalveluja" not in texts and "LÄHIPALVELUT" not in texts
    assert {i.column for i in chromium_html_outlined.doc.records if i.slide == 1} == {
        "TUKI-\nPALVELUT", "LÄHIPALVELUT", "KESKITETYT PALVELUT", "YHTEISET HANKINNAT"}


def _printed_words(pdf: Path) -> list[str]:
    """The words as pdfplumber's own grouping reads them (the premise of a rendering)."""
    with pdfplumber.open(pdf) as document:
        return [w["text"] for page in document.pages
                for w in page.extract_words(x_tolerance=1.5, y_tolerance=1.5, extra_attrs=["fontname", "size"])]


@pytest.mark.office
def test_words_split_by_impress_character_spacing_are_joined_again(impress_tracked: Rendering):
    printed = _printed_words(impress_tracked.pdf)
    assert "asiakasta" not in printed and sum(len(w) == 1 for w in printed) > 500  # the premise
    # The box description (no item) and every item read whole; the items are compared in full
    # by test_every_item_of_every_rendering_matches_the_hand_written_records.
    words = [w.text for w in read_pdf(impress_tracked.pdf).words]
    box_text = "Tuotetaan vastuukunnasta, viedään lähelle asiakasta monikanavaisesti (digi, puhelin, jalkautuen)"
    assert " ".join(box_text.split()) in " ".join(words)
    assert not [w for w in words if len(w) == 1 and w.isalpha()]  # no letter left alone


@pytest.mark.browser
def test_words_split_by_css_letter_spacing_are_joined_again(chromium_letter_spaced: Rendering):
    printed = _printed_words(chromium_letter_spaced.pdf)
    assert "Työvoimapalveluneuvonta" not in printed and "Y" in printed  # the premise: split into letters
    words = read_pdf(chromium_letter_spaced.pdf).words
    assert {"Yleisneuvonta", "Työnvälitys", "Työvoimapalveluneuvonta"} <= {w.text for w in words if w.page == 2}
    assert not [w.text for w in words if len(w.text) == 1 and w.text.isalpha()]


def test_words_split_by_reportlab_char_space_are_joined_again(reportlab_char_spaced: Rendering):
    printed = _printed_words(reportlab_char_spaced.pdf)
    assert "Työnvälitys" in printed and "Työvoimapalveluneuvonta" not in printed  # the premise: slides 2-3 split
    words = read_pdf(reportlab_char_spaced.pdf).words
    assert {"Yleisneuvonta", "Työnvälitys", "Työvoimapalveluneuvonta"} <= {w.text for w in words if w.page == 2}
    assert not [w.text for w in words if len(w.text) == 1 and w.text.isalpha()]


@pytest.mark.parametrize("name", ["000_palveluluokittelu.pdf", "002_liitetaulukko.pdf"])
def test_normally_set_text_is_not_rejoined(name: str):
    """On the committed PDFs (no letter spacing) the words are exactly pdfplumber's."""
    pdf = ROOT / "raw" / name
    assert [w.text for w in read_pdf(pdf).words] == [w for w in _printed_words(pdf) if w.strip()]


@pytest.fixture(params=[pytest.param("impress_hyphen_subtitle", marks=pytest.mark.office),
                        pytest.param("chromium_outlined_subtitle", marks=pytest.mark.browser)])
def with_subtitle(request: pytest.FixtureRequest) -> Rendering:
    return request.getfixturevalue(request.param)


def test_a_subtitle_is_the_slide_title_and_no_item(with_subtitle: Rendering):
    with pdfplumber.open(with_subtitle.pdf) as pdf:
        words = pdf.pages[0].extract_words(extra_attrs=["size", "fontname"])
    top = min(words, key=lambda w: w["top"])
    sub = next(w for w in words if w["text"] == "tehtävien")
    assert top["text"] == "Palveluluokittelu" and round(top["size"]) == 24  # the premise
    assert round(sub["size"]) == 16 and "Bold" not in sub["fontname"]
    doc = with_subtitle.doc
    assert doc.title == "Palveluluokittelu"
    assert {i.slide_title for i in doc.records if i.slide == 1} == {"Palvelujen ja tehtävien jaottelu"}
    assert "Palvelujen ja tehtävien jaottelu" not in {_ws(i.text) for i in doc.records}


@pytest.mark.office
def test_impress_hyphen_sub_bullets_are_read_as_bullets(impress_hyphen_subtitle: Rendering):
    assert {i.bullet for i in impress_hyphen_subtitle.doc.records if i.level == 2} == {"-"}


@pytest.mark.office
def test_bulleted_descriptions_in_a_heading_box_are_no_items(impress_dash_boxes: Rendering):
    with pdfplumber.open(impress_dash_boxes.pdf) as pdf:
        first = pdf.pages[0].extract_words()
    dashes = [w for w in first if w["text"] == "\u2013" and w["top"] < 160]
    assert len(dashes) == 5  # the premise: five "–"-bulleted description paragraphs in the boxes
    texts = {_ws(i.text) for i in impress_dash_boxes.doc.records}
    assert not texts & {"Täydentävät lähipalveluja", "Palvelujen hankintojen suunnittelu ja kilpailutus",
                        "Asiakkuuksia hoidetaan lähtökohtaisesti lähipalveluista"}
    assert {i.column for i in impress_dash_boxes.doc.records if i.slide == 1} == {
        "TUKI-\nPALVELUT", "LÄHIPALVELUT", "KESKITETYT PALVELUT", "YHTEISET HANKINNAT"}


@pytest.mark.office
def test_writer_list_bullets_are_its_own_glyphs_and_its_frames_leave_no_boxes(writer_frames: Rendering):
    with pdfplumber.open(writer_frames.pdf) as pdf:
        sizes = {(round(float(p.width)), round(float(p.height))) for p in pdf.pages}
        markers = {(c["text"], "OpenSymbol" in c["fontname"]) for page in pdf.pages for c in page.chars
                   if c["text"] in "\u2022\u25e6"}
        filled = [r for r in pdf.pages[0].rects if r.get("fill")]
    # The premise: landscape slide pages, Writer's list bullets in its OpenSymbol font, and only
    # the four delivery-level boxes painted (an unfilled frame is not drawn as a white box).
    assert sizes == {(960, 540)} and markers == {("\u2022", True), ("\u25e6", True)} and len(filled) == 4
    by_level: dict[int, set[str]] = {}
    for item in writer_frames.doc.records:
        if item.bullet is not None:
            by_level.setdefault(item.level, set()).add(item.bullet)
    assert by_level == {1: {"\u2022"}, 2: {"\u25e6"}}
