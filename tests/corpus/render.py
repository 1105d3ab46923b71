"""Render the corpus of renderings.yaml: each entry's PDF made by its producer, cached by content.

A rendering's cache key hashes its entry and every builder and content file under raw/src/, so
a changed builder, content or variant renders again and an unchanged one is reused (also across
test sessions: the cache is a directory under the system tmp dir). All LibreOffice inputs of a
batch are converted by one soffice call (one start-up instead of one per file).

    from corpus.render import load_renderings, render_all
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
BUILDER_DIR = ROOT / "raw" / "src"
TABLE = Path(__file__).resolve().parent / "renderings.yaml"
PRODUCERS = {"table": ("calc", "writer", "chromium"), "slides": ("impress", "chromium")}
# One soffice call converts the whole batch (about 2 s a file).
SOFFICE_TIMEOUT_S = 600


@dataclass(frozen=True)
class Entry:
    id: str
    document: str
    producer: str
    variant: dict[str, Any] = field(default_factory=dict)
    xfail: str | None = None

    @property
    def needs(self) -> str:
        """The outside program the producer runs."""
        return "chromium" if self.producer == "chromium" else "soffice"


def load_renderings(path: Path = TABLE) -> list[Entry]:
    entries = [Entry(**raw) for raw in yaml.safe_load(path.read_text(encoding="utf-8"))]
    ids = [e.id for e in entries]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{path}: duplicate ids")
    for e in entries:
        if e.producer not in PRODUCERS.get(e.document, ()):
            raise ValueError(f"{path}: {e.id}: no producer {e.producer!r} for {e.document!r}")
    return entries


def _builders():
    sys.path.insert(0, str(BUILDER_DIR))
    try:
        import appendix
        import appendix_html
        import office
        import slides
        import slides_html
    finally:
        sys.path.remove(str(BUILDER_DIR))
    return appendix, appendix_html, office, slides, slides_html


def _sources_digest() -> str:
    h = hashlib.sha256()
    for p in sorted(BUILDER_DIR.glob("*.py")) + sorted(BUILDER_DIR.glob("*.yaml")):
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def _key(entry: Entry, digest: str) -> str:
    data = json.dumps([entry.document, entry.producer, entry.variant, digest], sort_keys=True)
    return hashlib.sha256(data.encode()).hexdigest()[:16]


def default_cache_dir() -> Path:
    return Path(os.environ.get("SERVICEGRAPH_CORPUS_CACHE")
                or Path(tempfile.gettempdir()) / "servicegraph-corpus")


def _variant(entry: Entry, cls: type) -> Any:
    v = dict(entry.variant)
    if "row_breaks" in v:
        v["row_breaks"] = tuple(tuple(b) for b in v["row_breaks"])
    return cls(**v, stem=entry.id)


def _soffice_batch(soffice: str, sources: list[Path], out_dir: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        cmd = [soffice, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
               "--norestore", "--convert-to", "pdf", "--outdir", str(out_dir), *map(str, sources)]
        subprocess.run(cmd, capture_output=True, text=True, timeout=SOFFICE_TIMEOUT_S)


def render_all(entries: list[Entry], cache_dir: Path | None = None) -> dict[str, Path]:
    """Each entry's PDF (rendered now or taken from the cache), by id. Entries whose producer
    is not installed are left out: the caller skips them with a reason."""
    appendix, appendix_html, office, slides, slides_html = _builders()
    cache_dir = cache_dir or default_cache_dir()
    digest = _sources_digest()
    have = {"soffice": office.soffice_path(), "chromium": slides_html.chromium_path()}
    out: dict[str, Path] = {}
    batch: list[tuple[Entry, Path, Path]] = []  # (entry, office source, final pdf)
    work = Path(tempfile.mkdtemp(prefix="corpus-batch-"))
    try:
        for e in entries:
            if not have[e.needs]:
                continue
            final = cache_dir / _key(e, digest) / f"{e.id}.pdf"
            if final.is_file() and final.stat().st_size:
                out[e.id] = final
                continue
            final.parent.mkdir(parents=True, exist_ok=True)
            if e.producer == "chromium":
                made = (appendix_html.build_appendix_html_pdf(work / e.id, _variant(e, appendix_html.HtmlTableVariant))
                        if e.document == "table"
                        else slides_html.build_slides_html_pdf(work / e.id, stem=e.id))
                shutil.move(made, final)
                out[e.id] = final
            elif e.producer == "calc":
                batch.append((e, appendix.build_appendix_xlsx(work / f"{e.id}.xlsx", _variant(e, appendix.AppendixVariant)), final))
            elif e.producer == "impress":
                batch.append((e, slides.build_slides_pptx(work / f"{e.id}.pptx", _variant(e, slides.SlidesVariant)), final))
            else:  # writer: the same HTML Chromium prints, laid out by LibreOffice Writer
                page = work / f"{e.id}.html"
                page.write_text(appendix_html.appendix_html(_variant(e, appendix_html.HtmlTableVariant)), encoding="utf-8")
                batch.append((e, page, final))
        if batch:
            _soffice_batch(have["soffice"], [src for _, src, _ in batch], work / "pdf")
            for e, src, final in batch:
                made = work / "pdf" / f"{src.stem}.pdf"
                if not made.is_file():
                    raise RuntimeError(f"soffice wrote no PDF for {src.name}")
                shutil.move(made, final)
                out[e.id] = final
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out
