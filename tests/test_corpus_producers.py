"""Both source documents read the same from every producer's PDF (issue 13).

tests/corpus/renderings.yaml lists each rendering (producer, variant, and an expected failure
where the current reader fails); tests/corpus/render.py makes the PDFs once per session (cached
by content hash, LibreOffice's in one soffice call). Each PDF goes through the production path
(read_pdf, layout detection without override, the layout's reader), and every row or item is
compared with tests/expected/*.yaml, every field, nothing missing, nothing invented. The
producers and variants are listed in docs/producers.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import need as _need
from corpus.render import Entry, load_renderings, render_all
from expected.loader import SLIDES_FILE, TABLE_FILE, load_document
from pipeline.extract.document import extract_document
from pipeline.model import ExtractedDocument, OutlineItem, Source, TableRow

pytestmark = pytest.mark.corpus

ENTRIES = load_renderings()
LAYOUTS = {"table": "service-table", "slides": "service-slides"}
PAGES = {"slides": 3}


def _param(e: Entry):
    marks = [pytest.mark.browser if e.producer == "chromium" else pytest.mark.office]
    if e.xfail:
        marks.append(pytest.mark.xfail(strict=True, reason=e.xfail))
    return pytest.param(e, id=e.id, marks=marks)


@pytest.fixture(scope="session")
def corpus_pdfs() -> dict[str, Path]:
    return render_all(ENTRIES)


@pytest.fixture(scope="session")
def corpus_docs() -> dict[str, ExtractedDocument]:
    return {}


@pytest.fixture(params=[_param(e) for e in ENTRIES])
def rendering(request: pytest.FixtureRequest, corpus_pdfs: dict[str, Path],
              corpus_docs: dict[str, ExtractedDocument]) -> tuple[Entry, ExtractedDocument]:
    entry: Entry = request.param
    pdf = corpus_pdfs.get(entry.id)
    if pdf is None:
        _need("Chromium (chromium)" if entry.needs == "chromium" else "LibreOffice (soffice)")
    if entry.id not in corpus_docs:
        # The whole production path, no layout override. Read once per session per rendering.
        corpus_docs[entry.id] = extract_document(Source(id=pdf.stem, path=pdf, sha256="0" * 64))
    return entry, corpus_docs[entry.id]


@pytest.fixture(scope="session")
def expected() -> dict[str, ExtractedDocument]:
    return {"table": load_document(TABLE_FILE), "slides": load_document(SLIDES_FILE)}


def _ws(text: str | None) -> str | None:
    return " ".join(text.split()) if text is not None else None


def _row_key(row: TableRow) -> tuple:
    """Table, index, group and every cell's text (as tests/test_extract_table.py pins them)."""
    cells = tuple(sorted((role, _ws(cell.text)) for role, cell in row.cells.items()))
    return (row.table, _ws(row.table_title), row.index, _ws(row.group), cells)


def _item_key(item: OutlineItem) -> tuple:
    """Every field the hand-written records pin (geometry and the exact glyph aside)."""
    return (item.slide, _ws(item.slide_title), tuple(_ws(p) for p in item.path), item.level,
            _ws(item.text), _ws(item.column), item.bullet is not None, item.index)


def _keys(entry: Entry, doc: ExtractedDocument) -> list[tuple]:
    return [_row_key(r) for r in doc.rows] if entry.document == "table" else [_item_key(i) for i in doc.items]


def test_every_row_and_bullet_matches_the_hand_written_records(rendering, expected):
    entry, doc = rendering
    got, want = _keys(entry, doc), _keys(entry, expected[entry.document])
    missing = [k for k in want if k not in got]
    extra = [k for k in got if k not in want]
    assert not missing and not extra, f"{entry.id}: missing {missing[:3]}, invented {extra[:3]}"
    assert got == want, f"{entry.id}: same records, different order"


def test_every_rendering_is_recognised_with_its_title_and_no_warnings(rendering, expected):
    entry, doc = rendering
    want = expected[entry.document]
    assert (doc.layout, doc.title) == (LAYOUTS[entry.document], want.title)
    if entry.document in PAGES:
        assert doc.pages == PAGES[entry.document]
    assert not doc.warnings, f"{entry.id}: {doc.warnings}"


def test_the_corpus_has_both_documents_from_at_least_four_producers():
    producers = {e.producer for e in ENTRIES}
    assert {e.document for e in ENTRIES} == {"table", "slides"}
    assert len(producers) >= 4, producers
