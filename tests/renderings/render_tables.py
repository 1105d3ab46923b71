"""Render the table corpus (tests/renderings/tables.yaml): one PDF per rendering.

    .venv/bin/python tests/renderings/render_tables.py OUT_DIR [ID ...]

Imported by tests/test_corpus_tables.py and benchmarks/extraction.py. The builders of the
committed PDF (raw/src/appendix.py, appendix_html.py) draw Calc's and Chromium's renderings;
Writer's and reportlab's builders live next to this file.
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RAW_SRC = ROOT / "raw" / "src"
CORPUS = HERE / "tables.yaml"
for _path in (RAW_SRC, HERE.parent):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

# The pytest marker each producer's renderings carry (an outside tool they need).
MARKERS = {"calc": "office", "writer": "office", "chromium": "browser", "reportlab": None}


@dataclass(frozen=True)
class TableRendering:
    id: str
    producer: str
    variant: dict[str, Any] = field(default_factory=dict, hash=False)
    content: dict[str, Any] = field(default_factory=dict, hash=False)
    layout: str = "appendix-table"

    @property
    def marker(self) -> str | None:
        return MARKERS[self.producer]


def load_renderings(path: Path = CORPUS) -> tuple[TableRendering, ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    wordings = data.get("wordings") or {}
    out = []
    for entry in data["renderings"]:
        content = dict(entry.get("content") or {})
        if "wording" in content:
            content["headers"] = wordings[content.pop("wording")]
        if entry["producer"] not in MARKERS:
            raise ValueError(f"{path}: {entry['id']}: unknown producer {entry['producer']!r}")
        out.append(TableRendering(entry["id"], entry["producer"], dict(entry.get("variant") or {}),
                                  content, entry.get("layout", "appendix-table")))
    ids = [r.id for r in out]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{path}: a rendering id is listed twice")
    return tuple(out)


def missing_tool(r: TableRendering) -> str | None:
    """What the rendering needs and this machine lacks, or None."""
    if r.producer in ("calc", "writer"):
        from office import soffice_path

        return None if soffice_path() else "LibreOffice (soffice)"
    if r.producer == "chromium":
        from slides_html import chromium_path

        return None if chromium_path() else "Chromium (chromium)"
    try:
        from renderings.table_reportlab import fonts_available
    except ImportError:
        return "reportlab (pip install -e '.[dev]')"
    font = r.variant.get("font_name", "Liberation Sans")
    return None if fonts_available(font) else f"the font {font}"


def render(r: TableRendering, out_dir: Path) -> Path:
    """Build the rendering's PDF in `out_dir` and return its path."""
    from appendix import load_content
    from renderings.table_content import reshape

    content = reshape(load_content(), **r.content)
    out_dir.mkdir(parents=True, exist_ok=True)
    if r.producer == "calc":
        from appendix import AppendixVariant, build_appendix_pdf

        return build_appendix_pdf(out_dir, AppendixVariant(**r.variant), content=content)
    if r.producer == "writer":
        from renderings.table_writer import WriterTableVariant, build_appendix_writer_pdf

        return build_appendix_writer_pdf(out_dir, WriterTableVariant(**r.variant), content)
    if r.producer == "chromium":
        from appendix_html import HtmlTableVariant, build_appendix_html_pdf

        pdf = build_appendix_html_pdf(out_dir, HtmlTableVariant(**r.variant), content)
        shutil.rmtree(out_dir / "chromium-profile", ignore_errors=True)
        return pdf
    from renderings.table_reportlab import ReportlabTableVariant, build_appendix_reportlab_pdf

    return build_appendix_reportlab_pdf(out_dir, ReportlabTableVariant(**r.variant), content)


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    out = Path(argv[0])
    wanted = set(argv[1:])
    for r in load_renderings():
        if wanted and r.id not in wanted:
            continue
        lacking = missing_tool(r)
        if lacking:
            print(f"{r.id}: skipped ({lacking} is not available)")
            continue
        pdf = render(r, out / r.id)
        print(f"{r.id}: {pdf}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
