"""Extraction time against the pdfplumber floor, per PDF: prints a table.

    .venv/bin/python benchmarks/extraction.py                 # raw/*.pdf and the table corpus
    .venv/bin/python benchmarks/extraction.py --corpus DIR    # corpus renderings already in DIR
    .venv/bin/python benchmarks/extraction.py --repeat 7 --no-corpus

The floor is what no reader built on pdfplumber can avoid: opening the PDF and, on every page,
extracting the words (with the font attributes the reader asks for) and the ruling edges.
Extraction is `pipeline.extract.extract_document` on the same file: read_pdf (which also reads
images, filled and stroked shapes), layout detection and the layout's reader; "reader" is
extraction less read_pdf. Each is timed `--repeat` times in this process after one warm-up, in
CPU time; the table shows the fastest of each, and the ratio extraction / floor (target: at
most 1.3). The table corpus (tests/renderings/tables.yaml)
is rendered into a temporary directory first unless --corpus names one (about a minute).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import pdfplumber  # noqa: E402

from pipeline.extract import extract_document  # noqa: E402
from pipeline.extract.pdf import read_pdf  # noqa: E402
from pipeline.model import Source  # noqa: E402

TARGET = 1.3


def floor(pdf: Path) -> None:
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            page.extract_words(x_tolerance=1.5, y_tolerance=1.5, keep_blank_chars=False,
                               use_text_flow=False, extra_attrs=["fontname", "size"])
            page.edges  # noqa: B018  (the ruling lines: computed on access)


def extraction(pdf: Path) -> None:
    extract_document(Source(id=pdf.stem, path=pdf, sha256="0" * 64))


def reading(pdf: Path) -> None:
    read_pdf(pdf)


def fastest(fn, pdf: Path, repeat: int) -> float:
    """The least CPU time of `repeat` runs (CPU, not wall time: other processes on a shared
    machine slow the wall clock, not the work)."""
    fn(pdf)  # warm-up: imports, profiles, font caches
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn(pdf)
        times.append(time.process_time() - start)
    return min(times)


def corpus_pdfs(directory: Path | None) -> list[tuple[str, Path]]:
    from renderings.render_tables import load_renderings, missing_tool, render

    out = []
    for r in load_renderings():
        if directory is not None:
            pdf = directory / r.id / "002_liitetaulukko.pdf"
            if pdf.is_file():
                out.append((r.id, pdf))
            continue
        if missing_tool(r) is None:
            out.append((r.id, render(r, Path(tempfile.mkdtemp(prefix="bench-corpus-")) / r.id)))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--corpus", type=Path, help="a directory of rendered corpus PDFs (DIR/<id>/*.pdf)")
    parser.add_argument("--no-corpus", action="store_true", help="raw/ only")
    args = parser.parse_args(argv)
    pdfs = [(p.name, p) for p in sorted((ROOT / "raw").glob("*.pdf"))]
    if not args.no_corpus:
        pdfs += corpus_pdfs(args.corpus)
    rows = []
    for name, pdf in pdfs:
        with pdfplumber.open(pdf) as doc:
            pages = len(doc.pages)
        base = fastest(floor, pdf, args.repeat)
        read = fastest(reading, pdf, args.repeat)
        full = fastest(extraction, pdf, args.repeat)
        rows.append((name, pages, base, read, full, full / base))
    width = max(len(r[0]) for r in rows)
    print(f"{'PDF':<{width}}  pages  floor ms  read_pdf ms  extract ms  reader ms  ratio")
    for name, pages, base, read, full, ratio in rows:
        flag = "" if ratio <= TARGET else "  > target"
        print(f"{name:<{width}}  {pages:>5}  {base * 1000:>8.1f}  {read * 1000:>11.1f}  {full * 1000:>10.1f}"
              f"  {max(0.0, full - read) * 1000:>9.1f}  {ratio:>5.2f}{flag}")
    ratios = [r[5] for r in rows]
    blank = f"{'':>5}  {'':>8}  {'':>11}  {'':>10}  {'':>9}"
    print(f"{'median':<{width}}  {blank}  {statistics.median(ratios):>5.2f}")
    print(f"{'max':<{width}}  {blank}  {max(ratios):>5.2f}   (target {TARGET})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
