"""The rebuilt source PDFs in raw/ carry the seed texts word for word, in the layout the
extractor expects, and the manifest pins them by hash."""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pdfplumber
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "raw"
SEEDS = ROOT.parent / "shared" / "seeds"
sys.path.insert(0, str(RAW / "src"))

SLIDES_PDF = RAW / "000_palveluluokittelu.pdf"
APPENDIX_PDF = RAW / "002_liitetaulukko.pdf"
SEED_GLOB = {SLIDES_PDF: "000_*.txt", APPENDIX_PDF: "002_*.txt"}
SOURCE_BULLET = "\uf076"
BULLETS = SOURCE_BULLET + "\uf0a7\u2022"
# Where the seed's text extractor glued two headings that stand side by side on slide 1.
SEED_ARTEFACTS = {"palvelutLähipalvelut": ["palvelut", "Lähipalvelut"]}


def _need(thing: str) -> None:
    """Skip when an outside resource is missing, but never silently in CI."""
    message = f"{thing} is not available"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (CI=true)")
    pytest.skip(message)


def seed_text(pdf: Path) -> str:
    found = sorted(SEEDS.glob(SEED_GLOB[pdf])) if SEEDS.is_dir() else []
    if not found:
        _need(f"seed text {SEEDS / SEED_GLOB[pdf]}")
    return found[0].read_text(encoding="utf-8")


def words_of(text: str) -> Counter[str]:
    """Whitespace-separated words without bullet glyphs."""
    out: list[str] = []
    for word in text.split():
        word = word.strip(BULLETS)
        if word:
            out.extend(SEED_ARTEFACTS.get(word, [word]))
    return Counter(out)


@lru_cache(maxsize=None)
def pdf_words(pdf: Path) -> tuple[tuple[dict, ...], ...]:
    """Words per page, as pdfplumber reads them with its default tolerances."""
    with pdfplumber.open(pdf) as doc:
        return tuple(tuple(page.extract_words()) for page in doc.pages)


def page_text(pdf: Path, page: int) -> str:
    return " ".join(w["text"] for w in pdf_words(pdf)[page])


@pytest.mark.parametrize("pdf", [SLIDES_PDF, APPENDIX_PDF], ids=lambda p: p.stem)
def test_rebuilt_pdf_has_exactly_the_seed_words(pdf: Path) -> None:
    seed = words_of(seed_text(pdf))
    printed = words_of(" ".join(w["text"] for page in pdf_words(pdf) for w in page))
    assert seed - printed == Counter(), "seed words missing from (or split in) the PDF"
    assert printed - seed == Counter(), "words in the PDF that the seed does not have"


def test_slides_bullets_are_the_seed_glyph_once_per_item() -> None:
    expected = seed_text(SLIDES_PDF).count(SOURCE_BULLET)
    with pdfplumber.open(SLIDES_PDF) as doc:
        glyphs = [c for page in doc.pages for c in page.chars if c["text"] in BULLETS]
    assert expected == 119
    assert [c["text"] for c in glyphs] == [SOURCE_BULLET] * expected


def _bullet_x_before(words: tuple[dict, ...], text: str) -> float:
    """x of the bullet glyph printed on the same line just left of the word `text`."""
    target = next(w for w in words if w["text"] == text)
    glyphs = [w for w in words if w["text"] == SOURCE_BULLET and abs(w["top"] - target["top"]) < 3
              and w["x1"] <= target["x0"]]
    return max(glyphs, key=lambda w: w["x0"])["x0"]


def test_slide_one_sub_bullets_are_indented_further() -> None:
    words = pdf_words(SLIDES_PDF)[0]
    level1 = _bullet_x_before(words, "Työnvälitys")
    level2 = _bullet_x_before(words, "Alkuhaastattelu,")
    assert level2 - level1 > 10


@pytest.mark.parametrize("pdf", [SLIDES_PDF, APPENDIX_PDF], ids=lambda p: p.stem)
def test_no_words_overprint(pdf: Path) -> None:
    for number, words in enumerate(pdf_words(pdf), start=1):
        boxes = sorted(words, key=lambda w: w["x0"])
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                if b["x0"] >= a["x1"]:
                    break
                overlap_y = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
                assert overlap_y <= 0.5, f"page {number}: {a['text']!r} overprints {b['text']!r}"


def test_appendix_prints_down_then_over_with_the_row_break_after_row_19() -> None:
    pages = [page_text(APPENDIX_PDF, i) for i in range(len(pdf_words(APPENDIX_PDF)))]
    assert len(pages) == 6
    # Table 1: left pages (A-C) top to bottom, then its right pages (D-G).
    assert pages[0].startswith("Päijät-Hämeen työllisyysalueen palveluita koskeva liitetaulukko.")
    assert pages[0].rstrip().endswith("Työkykykoordinaattorin palvelut Muu lisäpalvelu "
                                      "Päijät-Hämeen työllisyysalue ja kuntien ekosysteemit")
    assert pages[1].startswith("Kuntouttava työtoiminta")
    assert "Kotoutuja Monialainen" in pages[2] and "Tyyppi" not in pages[2]
    assert "Kotoutuja" not in pages[3] and "x 5 Tieto, neuvonta ja ohjaus x?" in pages[3]
    # Table 2: one page pair; the area's "?" stands on its own line under the area.
    assert pages[4].startswith("Uusi työnhakija Tyyppi Ohjaus/mahdollinen tuottaminen")
    assert pages[5].startswith("Yhteinen palvelu toisen") and "alueen kanssa" in pages[5]
    assert "1 Työn löytyminen ? x 1 Työn löytyminen" in pages[5]


def test_appendix_right_rows_line_up_with_left_rows() -> None:
    words = pdf_words(APPENDIX_PDF)
    left = next(w for w in words[0] if w["text"] == "Palveluihin")  # table 1, row 4
    right = next(w for w in words[2] if w["text"] == "Muu")  # its area: Muu (ei ...)
    assert abs(left["top"] - right["top"]) < 1


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_manifest_pins_each_pdf_by_its_sha256() -> None:
    manifest = yaml.safe_load((RAW / "sources.yaml").read_text(encoding="utf-8"))
    entries = {e["id"]: e for e in manifest["sources"]}
    assert set(entries) == {"000_palveluluokittelu", "002_liitetaulukko"}
    for entry in entries.values():
        assert entry["sha256"] == sha256_of(RAW / entry["file"]), entry["file"]
        assert entry["origin"].startswith("Rebuilt with LibreOffice")
        assert "date" in entry and entry["date"] is None
    assert entries["000_palveluluokittelu"]["publisher"] == "Päijät-Hämeen työllisyysalue"
    assert "publisher" not in entries["002_liitetaulukko"]


@pytest.fixture
def soffice() -> None:
    if shutil.which("soffice") is None and shutil.which("libreoffice") is None:
        _need("LibreOffice (soffice)")


@pytest.mark.office
def test_appendix_renders_in_portrait_over_then_down(tmp_path: Path, soffice: None) -> None:
    from appendix import AppendixVariant, build_appendix_pdf

    variant = AppendixVariant(orientation="portrait", page_order="overThenDown",
                              width_scale=0.75, font_size=7.0, ruling=False)
    pdf = build_appendix_pdf(tmp_path, variant)
    with pdfplumber.open(pdf) as doc:
        texts = [page.extract_text() for page in doc.pages]
        assert doc.pages[0].width < doc.pages[0].height
        assert not doc.pages[0].edges  # no ruling lines
    assert len(texts) == 6
    assert texts[0].startswith("Päijät-Hämeen työllisyysalueen palveluita koskeva liitetaulukko.")
    # Over, then down: each left page is followed by its right page.
    assert "Monialainen" in texts[1] and "Kuntouttava työtoiminta" in texts[2]


@pytest.mark.office
def test_slides_render_in_four_to_three_with_another_bullet(tmp_path: Path, soffice: None) -> None:
    from slides import SlidesVariant, build_slides_pdf

    pdf = build_slides_pdf(tmp_path, SlidesVariant(aspect="4:3", font_scale=0.7, bullet="•"))
    with pdfplumber.open(pdf) as doc:
        assert len(doc.pages) == 3
        assert round(doc.pages[0].width / doc.pages[0].height, 2) == 1.33
        assert "Palvelujen ja tehtävien jaottelu" in doc.pages[0].extract_text()
        glyphs = [c["text"] for page in doc.pages for c in page.chars if c["text"] in BULLETS]
    assert set(glyphs) == {"•"} and len(glyphs) == 119
