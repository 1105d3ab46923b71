"""What joining letter-spaced words costs: pipeline.extract.words.page_words against pdfplumber's
own extract_words (the floor), on the committed PDFs.

    .venv/bin/python benchmarks/word_join.py [--repeat 5] [PDF ...]

Prints one row per PDF: the best of `repeat` timings of each, and the ratio. page_words asks
pdfplumber for the characters of each word too (return_chars) and measures the glyph gaps of
every baseline; the chars are parsed by pdfplumber either way.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pdfplumber

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.extract.words import page_words  # noqa: E402

DEFAULT_PDFS = (ROOT / "raw" / "000_palveluluokittelu.pdf", ROOT / "raw" / "002_liitetaulukko.pdf")


def _best_of_alternating(fns, repeat: int) -> list[float]:
    """Best time of each function, run in turn `repeat` times (a busy machine slows both alike)."""
    best = [float("inf")] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            started = time.perf_counter()
            fn()
            best[i] = min(best[i], time.perf_counter() - started)
    return best


def floor(path: Path) -> None:
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_words(x_tolerance=1.5, y_tolerance=1.5, extra_attrs=["fontname", "size"])


def joined(path: Path) -> None:
    with pdfplumber.open(path) as pdf:
        for n, page in enumerate(pdf.pages, 1):
            page_words(page, n)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdfs", nargs="*", type=Path, default=list(DEFAULT_PDFS))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print("| PDF | extract_words (floor) s | page_words (with join) s | ratio |")
    print("| --- | ---: | ---: | ---: |")
    for path in args.pdfs:
        a, b = _best_of_alternating([lambda: floor(path), lambda: joined(path)], args.repeat)
        print(f"| {path.name} | {a:.3f} | {b:.3f} | {b / a:.2f} |")


if __name__ == "__main__":
    main()
