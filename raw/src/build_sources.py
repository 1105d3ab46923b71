"""Rebuild the two source PDFs with LibreOffice and write their manifest (sources.yaml).

    python raw/src/build_sources.py [--out DIR]

The default DIR is raw/; the generated .xlsx/.pptx then go to raw/src/ next to their builders.
With another DIR everything (office files, PDFs, manifest) goes to DIR.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
RAW = HERE.parent
sys.path.insert(0, str(HERE))

from appendix import build_appendix_pdf, load_content as appendix_content  # noqa: E402
from slides import build_slides_pdf, load_content as slides_content  # noqa: E402

ORIGIN = "Rebuilt with LibreOffice from the text published in the original PDF; not the original file"
PUBLISHER = "Päijät-Hämeen työllisyysalue"
HEADER = (
    "# Source documents of the pipeline. Written by raw/src/build_sources.py; do not edit by hand.\n"
    "# The PDFs are rebuilds from the seed texts, not the published originals (see raw/README.md).\n"
)


@dataclass(frozen=True)
class BuiltSource:
    id: str
    path: Path
    title: str
    publisher: str | None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def build_all(out_dir: Path) -> list[BuiltSource]:
    src_dir = HERE if out_dir.resolve() == RAW.resolve() else out_dir
    slides_pdf = build_slides_pdf(out_dir, src_dir=src_dir)
    appendix_pdf = build_appendix_pdf(out_dir, src_dir=src_dir)
    return [
        # The slides do not name their publisher; the appendix's title does, so it gets none.
        BuiltSource(slides_pdf.stem, slides_pdf, slides_content()["title"], PUBLISHER),
        BuiltSource(appendix_pdf.stem, appendix_pdf, appendix_content()["title"].rstrip("."), None),
    ]


def manifest(built: list[BuiltSource], out_dir: Path) -> dict[str, object]:
    entries = []
    for source in built:
        entry: dict[str, object] = {
            "id": source.id,
            "file": source.path.relative_to(out_dir).as_posix(),
            "title": source.title,
        }
        if source.publisher:
            entry["publisher"] = source.publisher
        entry.update({"date": None, "origin": ORIGIN, "sha256": sha256_of(source.path)})
        entries.append(entry)
    return {"sources": entries}


def write_manifest(data: dict[str, object], path: Path) -> None:
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120)
    path.write_text(HEADER + text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--out", type=Path, default=RAW, help="output folder (default: raw/)")
    args = parser.parse_args(argv)
    out_dir: Path = args.out
    out_dir.mkdir(parents=True, exist_ok=True)
    built = build_all(out_dir)
    write_manifest(manifest(built, out_dir), out_dir / "sources.yaml")
    for source in built:
        print(f"{source.path}  {sha256_of(source.path)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
