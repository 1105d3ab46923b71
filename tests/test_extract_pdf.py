"""Opening a PDF: every unusable file gives the project's own error, naming the file and why.

The bad files are made in the test from the committed PDF (a truncated copy, an encrypted copy
made with qpdf, an image-only copy made with pdftoppm + LibreOffice) or from scratch.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.config import Settings
from pipeline.errors import SourceError
from pipeline.extract import extract_document
from pipeline.extract.pdf import (
    EncryptedPdfError,
    NoTextLayerError,
    PdfError,
    PdfTooLargeError,
    read_pdf,
)
from pipeline.model import Source
from conftest import need as _need

ROOT = Path(__file__).resolve().parents[1]
TABLE_PDF = ROOT / "raw" / "002_liitetaulukko.pdf"
BUILDER_DIR = ROOT / "raw" / "src"




def _refused(path: Path, error: type[SourceError], settings: Settings | None = None) -> SourceError:
    """read_pdf and extract_document both refuse `path` with `error`, naming the file."""
    with pytest.raises(error) as caught:
        read_pdf(path, settings)
    assert path.name in str(caught.value)
    assert caught.value.reason
    with pytest.raises(error):
        extract_document(Source(id=path.stem, path=path, sha256="0" * 64), settings)
    return caught.value


def test_the_committed_pdf_reads_every_page_once():
    content = read_pdf(TABLE_PDF)
    assert len(content.pages) >= 4
    assert all(p.words for p in content.pages if p.number == 1)
    assert content.pages[0].words[0].page == 1


def test_an_empty_file_is_refused(tmp_path: Path):
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    assert "empty" in _refused(path, PdfError).reason


def test_a_text_file_named_pdf_is_refused(tmp_path: Path):
    path = tmp_path / "notes.pdf"
    path.write_text("Tämä ei ole PDF.\n" * 20, encoding="utf-8")
    assert "not a PDF" in _refused(path, PdfError).reason


def test_a_missing_file_is_refused(tmp_path: Path):
    assert "not found" in _refused(tmp_path / "gone.pdf", PdfError).reason


def test_a_truncated_pdf_is_refused(tmp_path: Path):
    path = tmp_path / "truncated.pdf"
    data = TABLE_PDF.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert "truncated" in _refused(path, PdfError).reason


def test_a_pdf_with_a_corrupt_body_is_refused_without_a_pdfminer_exception(tmp_path: Path):
    # Header and end marker intact, everything between them noise: only the parser can tell.
    path = tmp_path / "corrupt.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\nstartxref\n999999\n%%EOF\n")
    _refused(path, PdfError)


def test_an_encrypted_pdf_is_refused(tmp_path: Path):
    qpdf = shutil.which("qpdf")
    if qpdf is None:
        _need("qpdf (apt-get install qpdf)")
    path = tmp_path / "locked.pdf"
    subprocess.run([qpdf, "--encrypt", "user-secret", "owner-secret", "256", "--",
                    str(TABLE_PDF), str(path)], check=True, capture_output=True, timeout=60)
    assert "encrypted" in _refused(path, EncryptedPdfError).reason


@pytest.mark.office
def test_an_image_only_pdf_is_refused_as_needing_ocr(tmp_path: Path):
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        _need("pdftoppm (poppler-utils)")
    sys.path.insert(0, str(BUILDER_DIR))
    try:
        from office import convert_to_pdf, soffice_path
    finally:
        sys.path.remove(str(BUILDER_DIR))
    if soffice_path() is None:
        _need("LibreOffice (soffice)")
    subprocess.run([pdftoppm, "-png", "-r", "40", "-f", "1", "-l", "1", "-singlefile",
                    str(TABLE_PDF), str(tmp_path / "scan")], check=True, timeout=60)
    path = convert_to_pdf(tmp_path / "scan.png", tmp_path / "pdf")
    error = _refused(path, NoTextLayerError)
    assert "OCR is not supported" in error.reason


def test_more_pages_than_the_limit_is_refused():
    error = _refused(TABLE_PDF, PdfTooLargeError, Settings(max_pages=2))
    assert "max_pages" in error.reason


def test_a_file_larger_than_the_limit_is_refused():
    error = _refused(TABLE_PDF, PdfTooLargeError, Settings(max_bytes=1024))
    assert "max_bytes" in error.reason
