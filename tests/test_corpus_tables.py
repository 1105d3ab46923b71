"""The appendix table reads the same from other producers' PDFs: a multi-producer corpus (issue 13).

Each rendering in tests/renderings/tables.yaml prints the content of raw/src/appendix.yaml (the
source of raw/002_liitetaulukko.pdf) with another program, geometry, font, wording or column
order; every row is compared with the hand-written records in
tests/expected/002_liitetaulukko.yaml, every field, nothing invented, as
tests/test_extract_table.py compares the committed PDF. Each PDF is rendered once per session
(lazily, so `-k` renders only what it selects) under a session tmp dir. The producers and
variants are listed in docs/producers.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pdfplumber
import pytest

from conftest import need as _need
from renderings.render_tables import TableRendering, load_renderings, missing_tool, render
from expected.loader import TABLE_FILE, load_document
from pipeline.errors import ExtractionError
from pipeline.extract.document import extract_document
from pipeline.model import ExtractedDocument, Source, TableRow
from pipeline.normalise.text import join_lines

pytestmark = pytest.mark.corpus

RENDERINGS = {r.id: r for r in load_renderings()}
PAPER_PT = {"A4": (595, 842), "A3": (842, 1191)}


@dataclass(frozen=True)
class Read:
    rendering: TableRendering
    pdf: Path
    doc: ExtractedDocument


def _extract(pdf: Path) -> ExtractedDocument:
    # The whole production path: read_pdf, layout detection (no override), the table reader.
    return extract_document(Source(id=pdf.stem, path=pdf, sha256="0" * 64))


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Read]:
    """Renders (and reads) a rendering the first time a test asks for it, then reuses it."""
    root = tmp_path_factory.mktemp("table-corpus")
    cache: dict[str, Read | Exception] = {}

    def get(rid: str) -> Read:
        r = RENDERINGS[rid]
        lacking = missing_tool(r)
        if lacking:
            _need(lacking)
        if rid not in cache:
            # A failed rendering or reading is kept too: the rendering's other tests report the
            # same error instead of rendering it again.
            try:
                pdf = render(r, root / rid)
                cache[rid] = Read(r, pdf, _extract(pdf))
            except Exception as exc:  # noqa: BLE001 (re-raised below, for every test of it)
                cache[rid] = exc
        found = cache[rid]
        if isinstance(found, Exception):
            raise found
        return found

    return get


def _param(r: TableRendering):
    return pytest.param(r.id, id=r.id, marks=[getattr(pytest.mark, r.marker)] if r.marker else [])


ALL = [_param(r) for r in RENDERINGS.values()]


@pytest.fixture(params=ALL)
def read(request: pytest.FixtureRequest, corpus: Callable[[str], Read]) -> Read:
    return corpus(request.param)


@pytest.fixture(scope="session")
def expected() -> ExtractedDocument:
    return load_document(TABLE_FILE)


def _text(text: str | None) -> str | None:
    # Cell lines joined as the normaliser joins them (a compound hyphen at a line end stays).
    return join_lines(text) if text is not None else None


def _key(row: TableRow) -> tuple:
    cells = tuple(sorted((role, _text(cell.text)) for role, cell in row.cells.items()))
    return (row.table, _text(row.table_title), row.index, _text(row.group), cells)


# --------------------------------------------------------------------------- every rendering


def test_every_row_of_every_rendering_matches_the_hand_written_records(read: Read, expected: ExtractedDocument):
    got = [_key(r) for r in read.doc.records]
    want = [_key(r) for r in expected.records]
    missing = [k for k in want if k not in got]
    extra = [k for k in got if k not in want]
    assert not missing and not extra, f"{read.rendering.id}: missing {missing[:3]}, unexpected {extra[:3]}"
    assert got == want, f"{read.rendering.id}: same rows, different order"


def test_every_rendering_is_recognised_with_its_layout_title_and_area_and_no_warnings(
        read: Read, expected: ExtractedDocument):
    doc = read.doc
    assert doc.layout == read.rendering.layout
    assert doc.title == expected.title
    assert doc.area_name == "Päijät-Hämeen työllisyysalueen"
    assert doc.warnings == (), f"{read.rendering.id}: {doc.warnings}"


def test_every_cell_is_located_on_a_page_inside_it(read: Read):
    with pdfplumber.open(read.pdf) as pdf:
        sizes = {p.page_number: (float(p.width), float(p.height)) for p in pdf.pages}
    assert read.doc.pages == len(sizes)
    for row in read.doc.records:
        for role, cell in row.cells.items():
            assert cell.locations, (row.index, role)
            for loc in cell.locations:
                width, height = sizes[loc.page]
                b = loc.bbox
                assert 0 <= b.x0 < b.x1 <= width + 0.5 and 0 <= b.top < b.bottom <= height + 0.5


def test_each_rendering_has_the_geometry_it_claims(read: Read):
    """The premises: paper and orientation, ruling lines or none, page columns or one width."""
    r = read.rendering
    paper = r.variant.get("paper", "A4")
    short, long = PAPER_PT[paper]
    want = (long, short) if r.variant.get("orientation", "landscape") == "landscape" else (short, long)
    with pdfplumber.open(read.pdf) as pdf:
        sizes = {(round(float(p.width)), round(float(p.height))) for p in pdf.pages}
        edges = sum(len(p.edges) for p in pdf.pages)
    assert all(abs(w - want[0]) <= 1 and abs(h - want[1]) <= 1 for w, h in sizes), sizes
    ruled = r.variant.get("ruling", True)
    assert (edges > 0) == ruled, f"{r.id}: {edges} ruling lines"
    name_pages = {loc.page for row in read.doc.records for loc in row.cells["name"].locations}
    area_pages = {loc.page for row in read.doc.records if "tem_area" in row.cells
                  for loc in row.cells["tem_area"].locations}
    split = (r.producer == "calc" and r.content.get("split_after", 3) < 7) or (
        r.producer == "reportlab" and r.variant.get("split_after") is not None)
    # Page columns: the right-hand cells are printed on other pages than the names.
    assert (not (area_pages & name_pages)) == split, r.id


# --------------------------------------------------------------------------- single premises


@pytest.mark.parametrize("rid", [_param(RENDERINGS["calc-a4-landscape-ruled-wrapped-header-words"]),
                                 _param(RENDERINGS["chromium-a4-landscape-ruled-wrapped-header-words"])])
def test_a_header_word_wrapped_inside_itself_still_names_its_column(rid: str, corpus: Callable[[str], Read],
                                                                    expected: ExtractedDocument):
    read = corpus(rid)
    with pdfplumber.open(read.pdf) as pdf:
        words = {w["text"] for w in pdf.pages[0].extract_words(extra_attrs=["fontname"]) if "Bold" in w["fontname"]}
    # The premise: the header cells "Monialainen" and "Kotoutuja" are each printed in two pieces.
    assert "Monialainen" not in words and "Kotoutuja" not in words
    assert any(w.startswith("Mon") and len(w) < 11 for w in words)
    got = [(r.index, r.cells["multiprofessional"].text) for r in read.doc.records if "multiprofessional" in r.cells]
    want = [(r.index, r.cells["multiprofessional"].text) for r in expected.records if "multiprofessional" in r.cells]
    assert got == want


@pytest.mark.parametrize("rid", [_param(RENDERINGS["calc-column-order-tem-before-shared"]),
                                 _param(RENDERINGS["writer-a3-landscape-column-order"])])
def test_columns_in_another_order_keep_each_cell_in_its_own_column(rid: str, corpus: Callable[[str], Read]):
    read = corpus(rid)
    first = read.doc.records[0]
    assert first.cells["tem_area"].text == "1 Työn löytyminen"
    shared = [r for r in read.doc.records if "shared" in r.cells]
    assert shared and all(r.cells["shared"].text in {"x", "(x)", "?"} for r in shared)
    # The premise: the area column is printed left of the shared column.
    row = next(r for r in read.doc.records if {"shared", "tem_area"} <= set(r.cells))
    assert row.cells["tem_area"].locations[0].bbox.x0 < row.cells["shared"].locations[0].bbox.x0


# --------------------------------------------------------------------------- refusals


@pytest.mark.office
def test_a_header_cell_no_wording_fits_is_refused_as_a_missing_column(tmp_path: Path, soffice_or_skip: None):
    """The narrow last column is worded as no profile words it: the reader refuses the table and
    names that header cell, not the data cell whose marks would have fallen into its neighbour."""
    r = TableRendering("unknown-wording", "calc", {"paper": "A4", "orientation": "landscape", "width_scale": 0.62},
                       {"split_after": 7, "headers": {"multiprofessional": "Moniammatillinen"},
                        "widths": {"immigrant": 9, "multiprofessional": 9}})
    pdf = render(r, tmp_path)
    with pytest.raises(ExtractionError) as caught:
        _extract(pdf)
    message = str(caught.value)
    assert "missing column" in message and "'Monia" in message and "(page 1)" in message
    assert "multiprofessional: Monialainen" in message  # the wordings the profile knows
    assert "(x) x" not in message and "text" not in message.split("missing column")[0]


def test_reportlab_refusal_names_the_column_order_when_two_page_columns_head_one_column(tmp_path: Path):
    """The same column headed on the left and the right pages of one table: the pages cannot be
    joined, and the error says so instead of joining the cells of two rows."""
    pytest.importorskip("reportlab")
    from appendix import load_content
    from renderings.table_content import reshape
    from renderings.table_reportlab import ReportlabTableVariant, build_appendix_reportlab_pdf, fonts_available

    if not fonts_available("Liberation Sans"):
        _need("Liberation Sans (fonts-liberation2)")
    content = reshape(load_content(), split_after=3)
    for sheet in content["sheets"]:
        sheet["header"][3] = "Tyyppi"  # the first right-hand column headed like column 2
    pdf = build_appendix_reportlab_pdf(tmp_path, ReportlabTableVariant(split_after=3), content)
    with pytest.raises(ExtractionError, match=r"column order: column 'type' is headed on page \d+ and again"):
        _extract(pdf)


@pytest.mark.office
def test_a_header_repeated_on_every_page_continues_its_table(corpus: Callable[[str], Read]):
    read = corpus("writer-a4-portrait-liberation-unruled-centred-repeated-header")
    with pdfplumber.open(read.pdf) as pdf:
        headed = [any(w["text"] == "Tyyppi" for w in p.extract_words()) for p in pdf.pages]
    assert len(headed) > 2 and all(headed)  # the premise: Writer repeats the header row
    assert sorted({r.table for r in read.doc.records}) == [1, 2]
