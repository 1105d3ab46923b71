"""Deterministic benchmark corpus: N real LibreOffice PDFs in both source layouts.

Document i depends only on i (and GENERATOR_VERSION): its employment area is AREAS[i // 2 % 45],
its layout alternates (even i: the appendix table, odd i: the slides), and a random generator
seeded with i drops and adds rows or bullets and moves the table's page breaks. So the corpus of
N=1000 contains the documents of N=100, and each PDF is built once: the PDFs live in a pool
(`benchmarks/corpus/v{VERSION}/pool/`) and each size gets a folder of hard links plus its own
`sources.yaml` (`benchmarks/corpus/v{VERSION}/n{N}/`), the sources folder of a benchmark run.

The content comes from raw/src/appendix.yaml and raw/src/slides.yaml; this module only varies it
and calls the builders in raw/src (their lower-level functions, so that one soffice process
converts many files, which is much cheaper per file than one process each).

    python benchmarks/corpus.py 100     # build (or reuse) the corpus of 100 documents
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RAW_SRC = ROOT / "raw" / "src"
if str(RAW_SRC) not in sys.path:
    sys.path.insert(0, str(RAW_SRC))
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import appendix  # noqa: E402  (raw/src)
import slides  # noqa: E402  (raw/src)
from office import CONVERT_TIMEOUT_S, soffice_path  # noqa: E402

# Bump when the generated content changes: the cache folder is keyed by it.
GENERATOR_VERSION = 1
CORPUS_DIR = HERE / "corpus"
SOURCE_AREA_GENITIVE = "Päijät-Hämeen"
AREA_WORD = "työllisyysalue"

# 45 employment areas, named by the genitive of their region or lead municipality (all listed in
# pipeline/normalise/areas.yaml, so no fallback warning is expected). Päijät-Häme is kept: its
# documents are then the source documents with other rows.
AREAS: tuple[str, ...] = (
    "Päijät-Hämeen", "Keski-Suomen", "Uudenmaan", "Varsinais-Suomen", "Satakunnan", "Kanta-Hämeen",
    "Pirkanmaan", "Kymenlaakson", "Etelä-Karjalan", "Etelä-Savon", "Pohjois-Savon", "Pohjois-Karjalan",
    "Etelä-Pohjanmaan", "Pohjanmaan", "Keski-Pohjanmaan", "Pohjois-Pohjanmaan", "Kainuun", "Lapin",
    "Itä-Uudenmaan", "Lahden", "Helsingin", "Vantaan", "Espoon", "Turun", "Tampereen", "Oulun",
    "Jyväskylän", "Kuopion", "Joensuun", "Porin", "Rovaniemen", "Hämeenlinnan", "Kotkan", "Kouvolan",
    "Lappeenrannan", "Vaasan", "Seinäjoen", "Kajaanin", "Mikkelin", "Savonlinnan", "Rauman",
    "Kokkolan", "Keravan", "Porvoon", "Salon",
)
BATCH = 40  # files per soffice process: start-up (~1.5 s) is paid once per batch


@dataclass(frozen=True)
class DocSpec:
    index: int
    id: str
    layout: str  # "appendix-table" or "service-slides"
    area_genitive: str
    version: int  # how many earlier documents of this area and layout exist in the corpus

    @property
    def area_name(self) -> str:
        return f"{self.area_genitive} {AREA_WORD}"

    @property
    def office_suffix(self) -> str:
        return ".xlsx" if self.layout == "appendix-table" else ".pptx"


def doc_spec(i: int) -> DocSpec:
    layout = "appendix-table" if i % 2 == 0 else "service-slides"
    pair = i // 2
    area = AREAS[pair % len(AREAS)]
    version = pair // len(AREAS)
    stem = "liitetaulukko" if layout == "appendix-table" else "palveluluokittelu"
    return DocSpec(i, f"{i:05d}_{stem}", layout, area, version)


# --------------------------------------------------------------------------- content variation


def _replace_area(value: Any, genitive: str) -> Any:
    if isinstance(value, str):
        return value.replace(SOURCE_AREA_GENITIVE, genitive)
    if isinstance(value, list):
        return [_replace_area(v, genitive) for v in value]
    if isinstance(value, dict):
        return {k: _replace_area(v, genitive) for k, v in value.items()}
    return value


def _pilot_name(name: str, rng: random.Random, k: int) -> str:
    """A new service name derived from an existing one (a new row, not a duplicate).

    Not in parentheses: the normaliser drops a trailing parenthesised qualifier, which would
    make the new row another mention of the old service."""
    suffix = rng.choice(("alueellinen kokeilu", "pilotti", "lisäresurssi", "kehittämishanke"))
    return f"{name} – {suffix} {k}"


def appendix_content(spec: DocSpec, base: dict[str, Any]) -> tuple[dict[str, Any], tuple[tuple[int, ...], ...]]:
    """The appendix of `spec`'s area: rows dropped and added, other page breaks."""
    rng = random.Random(f"appendix-{GENERATOR_VERSION}-{spec.index}")
    content = _replace_area(copy.deepcopy(base), spec.area_genitive)
    content["description"] = f"{content['description']} Versio {spec.version + 1}."
    breaks: list[tuple[int, ...]] = []
    for sheet in content["sheets"]:
        drop = rng.uniform(0.0, 0.3)
        rows: list[Any] = []
        for item in sheet["rows"]:
            if isinstance(item, dict) or rng.random() >= drop:
                rows.append(item)
        data_rows = [r for r in rows if not isinstance(r, dict)]
        for k in range(1, rng.randint(0, 8) + 1):
            model = list(rng.choice(data_rows))
            model[0] = _pilot_name(model[0], rng, k)
            rows.insert(rng.randint(0, len(rows)), model)
        # A group row with no data row under it (all dropped) would be a heading without rows.
        rows = [r for n, r in enumerate(rows)
                if not isinstance(r, dict) or (n + 1 < len(rows) and not isinstance(rows[n + 1], dict))]
        sheet["rows"] = rows
        n = len(rows)
        count = rng.choice((0, 1, 1, 2))
        breaks.append(tuple(sorted(rng.sample(range(3, n - 2), min(count, max(0, n - 5)))) if n > 5 else ()))
    return content, tuple(breaks)


_LIST_STYLES = {"bullet", "sub", "item"}


def slides_content(spec: DocSpec, base: dict[str, Any], extra: int) -> dict[str, Any]:
    """The slides with some list items dropped and up to `extra` items added per list."""
    rng = random.Random(f"slides-{GENERATOR_VERSION}-{spec.index}")
    content = copy.deepcopy(base)
    drop = rng.uniform(0.05, 0.25)
    for slide in content["slides"]:
        for shape in slide["shapes"]:
            paras = shape["paras"]
            kept: list[list[str]] = []
            for n, (style, text) in enumerate(paras):
                has_subs = style == "bullet" and n + 1 < len(paras) and paras[n + 1][0] == "sub"
                if style in _LIST_STYLES and not has_subs and rng.random() < drop:
                    continue
                kept.append([style, text])
            list_styles = [s for s, _ in kept if s in ("bullet", "item")]
            if list_styles and extra:
                style = list_styles[-1]
                for k in range(1, rng.randint(0, extra) + 1):
                    model = rng.choice([t for s, t in kept if s == style])
                    kept.append([style, _pilot_name(model.split("\n")[0], rng, k)])
            shape["paras"] = kept
    content["title"] = f"{content['title']}"
    return content


def build_office_file(spec: DocSpec, src_dir: Path) -> tuple[Path, int]:
    """Write the .xlsx or .pptx of document `spec` into `src_dir`; return it and the number
    of records (table rows, list items) it prints, which extraction must find again."""
    path = src_dir / f"{spec.id}{spec.office_suffix}"
    if spec.layout == "appendix-table":
        content, breaks = appendix_content(spec, appendix.load_content())
        order = appendix.PAGE_ORDERS[(spec.index // 2) % 2]
        variant = appendix.AppendixVariant(row_breaks=breaks, page_order=order, stem=spec.id)
        records = sum(not isinstance(r, dict) for sheet in content["sheets"] for r in sheet["rows"])
        return appendix.build_appendix_xlsx(path, variant, content), records
    bullet = slides.SOURCE_BULLET if spec.index % 4 == 1 else "•"
    variant = slides.SlidesVariant(bullet=bullet, stem=spec.id)
    # Added items may not fit their box (the builder refuses overflow): then add fewer.
    for extra in (3, 1, 0):
        content = slides_content(spec, slides.load_content(), extra)
        try:
            built = slides.build_slides_pptx(path, variant, content)
        except ValueError:
            if extra == 0:
                raise
            continue
        records = sum(style in _LIST_STYLES for s in content["slides"] for shape in s["shapes"]
                      for style, _ in shape["paras"])
        return built, records
    raise AssertionError("unreachable")


# --------------------------------------------------------------------------- conversion


def convert_many(files: list[Path], out_dir: Path) -> None:
    """Convert office files to PDF in `out_dir`, BATCH files per soffice process."""
    exe = soffice_path()
    if exe is None:
        raise RuntimeError("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc libreoffice-impress")
    batches = [files[k:k + BATCH] for k in range(0, len(files), BATCH)]

    def run(batch: list[Path]) -> None:
        with tempfile.TemporaryDirectory(prefix="lo-bench-profile-") as profile:
            cmd = [exe, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
                   "--convert-to", "pdf", "--outdir", str(out_dir), *map(str, batch)]
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=CONVERT_TIMEOUT_S * len(batch))
        missing = [f.name for f in batch if not (out_dir / f"{f.stem}.pdf").is_file()]
        if missing:
            raise RuntimeError(f"soffice did not convert {missing}: {(done.stderr or done.stdout).strip()}")

    # Two soffice processes at most: the machine has two cores.
    with ThreadPoolExecutor(max_workers=min(2, len(batches) or 1)) as pool:
        list(pool.map(run, batches))


# --------------------------------------------------------------------------- corpus


def version_dir(root: Path = CORPUS_DIR) -> Path:
    return root / f"v{GENERATOR_VERSION}"


def ensure_pool(n: int, root: Path = CORPUS_DIR, log=print) -> Path:
    """Make sure the pool holds the PDFs of documents 0..n-1; return the pool folder."""
    pool = version_dir(root) / "pool"
    src = version_dir(root) / "src"
    pool.mkdir(parents=True, exist_ok=True)
    todo = [doc_spec(i) for i in range(n) if not (pool / f"{doc_spec(i).id}.pdf").is_file()]
    if todo:
        started = time.monotonic()
        log(f"corpus: building {len(todo)} of {n} documents (LibreOffice) ...")
        # In chunks, so that an interrupted build keeps what it converted.
        for k in range(0, len(todo), 4 * BATCH):
            chunk = todo[k:k + 4 * BATCH]
            built = [build_office_file(spec, src) for spec in chunk]
            staging = Path(tempfile.mkdtemp(prefix=".convert-", dir=version_dir(root)))
            try:
                convert_many([path for path, _ in built], staging)
                for spec, (_, records) in zip(chunk, built):
                    (pool / f"{spec.id}.json").write_text(json.dumps({"records": records}) + "\n")
                    os.replace(staging / f"{spec.id}.pdf", pool / f"{spec.id}.pdf")
            finally:
                shutil.rmtree(staging, ignore_errors=True)
            log(f"corpus: {k + len(chunk)} / {len(todo)} converted")
        log(f"corpus: built {len(todo)} PDFs in {time.monotonic() - started:.0f} s")
    return pool


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def expected_records(corpus_dir: Path) -> dict[str, int]:
    """Source id -> number of rows or list items its PDF prints (written by the generator)."""
    return json.loads((corpus_dir / "expected.json").read_text())


def ensure_corpus(n: int, root: Path = CORPUS_DIR, log=print) -> Path:
    """The sources folder of the N-document corpus (PDFs + sources.yaml), built if missing."""
    target = version_dir(root) / f"n{n}"
    if (target / ".complete").is_file():
        return target
    pool = ensure_pool(n, root, log)
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    entries = []
    for i in range(n):
        spec = doc_spec(i)
        name = f"{spec.id}.pdf"
        os.link(pool / name, target / name)
        entry: dict[str, Any] = {"id": spec.id, "file": name}
        if spec.layout == "service-slides":
            # The slides never name their area: the manifest's publisher does.
            entry.update(title="Palveluluokittelu", publisher=spec.area_name)
        else:
            entry["title"] = f"{spec.area_genitive} työllisyysalueen palveluita koskeva liitetaulukko"
        entry.update(date=f"2024-{1 + spec.version % 12:02d}-01", origin="benchmarks/corpus.py, generator "
                     f"v{GENERATOR_VERSION}", sha256=_sha256(target / name))
        entries.append(entry)
    text = yaml.safe_dump({"sources": entries}, sort_keys=False, allow_unicode=True, width=120)
    (target / "sources.yaml").write_text(f"# Benchmark corpus of {n} documents, generator v{GENERATOR_VERSION}.\n"
                                         + text, encoding="utf-8")
    expected = {doc_spec(i).id: json.loads((pool / f"{doc_spec(i).id}.json").read_text())["records"] for i in range(n)}
    (target / "expected.json").write_text(json.dumps(expected, indent=0, sort_keys=True) + "\n")
    (target / ".complete").write_text("ok\n")
    return target


if __name__ == "__main__":
    for arg in sys.argv[1:] or ["10"]:
        print(ensure_corpus(int(arg)))
