"""Builders of bad inputs for the reliability tests, and helpers to compare releases.

Every builder writes a real file (a PDF made by matplotlib, qpdf or LibreOffice, or deliberately
broken bytes) so the tests exercise the same code path as a bad day in production.
"""

from __future__ import annotations

import copy
import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "raw"
RAW_SRC = RAW / "src"
TABLE_PDF = RAW / "002_liitetaulukko.pdf"
SLIDES_PDF = RAW / "000_palveluluokittelu.pdf"
REAL_PDFS = (SLIDES_PDF, TABLE_PDF)
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable


# --------------------------------------------------------------------------- broken bytes


def zero_byte(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def not_a_pdf(path: Path) -> Path:
    """An HTML error page saved under a .pdf name: what a failed download often is."""
    path.write_text("<!DOCTYPE html><html><body><h1>404 Not Found</h1></body></html>\n", encoding="utf-8")
    return path


def truncated(path: Path, source: Path = TABLE_PDF, keep: float = 0.6) -> Path:
    """The first `keep` share of a real PDF: an interrupted download."""
    data = source.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def corrupted(path: Path, source: Path = TABLE_PDF) -> Path:
    """A real PDF with its middle overwritten by junk; header and %%EOF intact."""
    data = bytearray(source.read_bytes())
    start, end = len(data) // 5, len(data) * 4 // 5
    junk = (b"\x00\xff garbage ) ] >> endobj " * ((end - start) // 24 + 1))[: end - start]
    data[start:end] = junk
    path.write_bytes(bytes(data))
    return path


# --------------------------------------------------------------------------- real but unusable PDFs


def qpdf_path() -> str | None:
    return shutil.which("qpdf")


def encrypted(path: Path, source: Path = TABLE_PDF, user_password: str = "s3cret") -> Path:
    """The real table PDF encrypted (AES-256) with a user password: it cannot be opened without it."""
    exe = qpdf_path()
    if exe is None:
        raise RuntimeError("qpdf is not installed")
    subprocess.run([exe, "--encrypt", user_password, "owner-pw", "256", "--", str(source), str(path)],
                   check=True, capture_output=True, timeout=60)
    return path


def _matplotlib():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def image_only(path: Path) -> Path:
    """A one-page PDF holding only a raster image (like a scan): no text layer at all."""
    import numpy as np

    plt = _matplotlib()
    rng = np.random.default_rng(7)
    fig = plt.figure(figsize=(8.27, 5.0))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.imshow(rng.integers(0, 255, size=(60, 100, 3), dtype=np.uint8), interpolation="nearest")
    ax.set_axis_off()
    fig.savefig(path, format="pdf")
    plt.close(fig)
    return path


UNKNOWN_LAYOUT_WORDS = ("Kuukausiraportti", "Budjetti", "Toteuma", "Poikkeama")


def unknown_layout(path: Path, words: tuple[str, ...] = UNKNOWN_LAYOUT_WORDS) -> Path:
    """A text PDF that is neither of the known layouts: a small budget report."""
    plt = _matplotlib()
    fig = plt.figure(figsize=(8.27, 5.0))
    fig.text(0.05, 0.9, words[0], fontsize=16, weight="bold")
    for n, word in enumerate(words[1:]):
        fig.text(0.05 + 0.25 * n, 0.75, word, fontsize=11, weight="bold")
        fig.text(0.05 + 0.25 * n, 0.65, f"{1000 * (n + 1)} €", fontsize=11)
    fig.savefig(path, format="pdf")
    plt.close(fig)
    return path


def many_pages(path: Path, pages: int = 60) -> Path:
    """A text PDF with `pages` pages: far more than any real source (3 and 4 pages)."""
    from matplotlib.backends.backend_pdf import PdfPages

    plt = _matplotlib()
    with PdfPages(path) as pdf:
        for n in range(1, pages + 1):
            fig = plt.figure(figsize=(4, 3))
            fig.text(0.1, 0.5, f"Sivu {n}")
            pdf.savefig(fig)
            plt.close(fig)
    return path


def appendix_with(path_dir: Path, *, row: int = 1, column: int, value: str, stem: str) -> Path:
    """The real appendix table rebuilt with LibreOffice, one cell of data row `row` replaced.

    Needs soffice. Column 1 is "Tyyppi", columns 3..6 the marks and the TEM area.
    """
    if str(RAW_SRC) not in sys.path:
        sys.path.insert(0, str(RAW_SRC))
    from appendix import AppendixVariant, build_appendix_pdf, load_content

    content = copy.deepcopy(load_content())
    rows = [r for r in content["sheets"][0]["rows"] if isinstance(r, list)]
    rows[row - 1][column] = value
    path_dir.mkdir(parents=True, exist_ok=True)
    return build_appendix_pdf(path_dir, AppendixVariant(stem=stem), src_dir=path_dir, content=content)


# --------------------------------------------------------------------------- folders and releases


def sources_folder(folder: Path, files: dict[str, Path | bytes], manifest: object | None = None) -> Path:
    """A sources folder holding `files` (copied or written) and, if given, a sources.yaml."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        target = folder / name
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            shutil.copyfile(content, target)
    if manifest is not None:
        text = manifest if isinstance(manifest, str) else yaml.safe_dump(manifest, allow_unicode=True)
        (folder / "sources.yaml").write_text(text, encoding="utf-8")
    return folder


def real_sources(folder: Path) -> Path:
    """A copy of raw/: the two real PDFs and their manifest."""
    return sources_folder(folder, {p.name: p for p in REAL_PDFS}, (RAW / "sources.yaml").read_text(encoding="utf-8"))


def snapshot(output: Path) -> dict[str, bytes]:
    """Every file reachable under output/latest, by relative path, with its bytes."""
    latest = output / "latest"
    if not latest.exists():
        return {}
    return {str(p.relative_to(latest)): p.read_bytes() for p in sorted(latest.rglob("*")) if p.is_file()}


def latest_target(output: Path) -> str | None:
    latest = output / "latest"
    return os.readlink(latest) if latest.is_symlink() else None


def copy_output(src: Path, dst: Path) -> Path:
    """A copy of a whole output folder, symlinks kept as symlinks (latest stays relative)."""
    shutil.copytree(src, dst, symlinks=True)
    return dst


def run_env(cache: Path, **extra: str) -> dict[str, str]:
    """Environment for a `servicegraph` subprocess: own cache, no progress bar, no CI leakage."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SERVICEGRAPH_")}
    env.update({"SERVICEGRAPH_CACHE_DIR": str(cache), "PYTHONUNBUFFERED": "1"})
    env.update(extra)
    return env


def servicegraph_cmd(*args: str) -> list[str]:
    return [PYTHON, "-m", "pipeline.cli", *args]


# --------------------------------------------------------------------------- checking a release


def check_release(release: Path) -> dict[str, str]:
    """Parse every file of a release and compare the checksums catalog.ttl records.

    Returns {file name: sha256} as checked; raises AssertionError on any mismatch.
    """
    import json

    from rdflib import Graph, Namespace
    from rdflib.namespace import DCTERMS, RDF

    spdx = Namespace("http://spdx.org/rdf/terms#")
    dcat = Namespace("http://www.w3.org/ns/dcat#")
    files = {str(p.relative_to(release)): p for p in release.rglob("*") if p.is_file()}
    for name in ("servicegraph.ttl", "servicegraph.jsonld", "catalog.ttl", "ontology.ttl"):
        assert name in files, f"{release}: {name} missing"
    for name, path in files.items():
        if name.endswith(".ttl"):
            Graph().parse(path, format="turtle")
        elif name.endswith((".json", ".jsonld")):
            json.loads(path.read_bytes())
    catalog = Graph().parse(files["catalog.ttl"], format="turtle")
    checked: dict[str, str] = {}
    for dist in catalog.subjects(RDF.type, dcat.Distribution):
        # A distribution is named by its title (the file name), or by the last part of its URL.
        url = catalog.value(dist, DCTERMS.title) or catalog.value(dist, dcat.downloadURL)
        checksum = catalog.value(dist, spdx.checksum)
        if url is None or checksum is None:
            continue
        name = str(url)
        value = str(catalog.value(checksum, spdx.checksumValue))
        assert name in files, f"{release}: catalog.ttl lists {name}, which is not in the release"
        data = files[name].read_bytes()
        actual = hashlib.sha256(data).hexdigest()
        assert actual == value, f"{release}/{name}: sha256 {actual}, catalog.ttl says {value}"
        size = catalog.value(dist, dcat.byteSize)
        assert size is None or int(size) == len(data), f"{release}/{name}: {len(data)} bytes, catalog says {size}"
        checked[name] = value
    assert checked, f"{release}: catalog.ttl records no checksums"
    return checked


def settings_for(tmp: Path, sources: Path, output: Path | None = None, **kw):
    from pipeline.config import Settings

    kw.setdefault("cache_dir", tmp / "cache")
    return replace(Settings(), sources=sources, output=output or tmp / "output", **kw)


# --------------------------------------------------------------------------- shared baseline

_BASELINES: dict[Path, Path] = {}


def baseline_output(root: Path) -> Path:
    """A release published from the real sources under `root/baseline/output`, built once per
    session (the tests copy it; they never change it). Extraction is cached in `root/cache`."""
    if root not in _BASELINES:
        from pipeline.run import run_pipeline

        base = root / "baseline"
        sources = real_sources(base / "sources")
        report = run_pipeline(settings_for(base, sources, base / "output", cache_dir=shared_cache(root)))
        assert report.status == "published", report
        _BASELINES[root] = base / "output"
    return _BASELINES[root]


def shared_cache(root: Path) -> Path:
    return root / "cache"


def invoke(args: list[str], env: dict[str, str] | None = None):
    """`servicegraph ARGS` in this process (typer's CliRunner): exit code, stdout and stderr."""
    from typer.testing import CliRunner

    from pipeline.cli import app

    return CliRunner().invoke(app, args, env=env, catch_exceptions=False)


def leftovers(output: Path) -> list[str]:
    """Temporary names a publish leaves only while it runs (or after it was killed)."""
    return sorted(p.name for p in output.iterdir() if p.name.startswith((".staging-", ".latest-")))


# --------------------------------------------------------------------------- crash-isolated extraction

_WORKER = r"""
import json, sys, traceback
from pathlib import Path
from pipeline.config import Settings
from pipeline.errors import PipelineError
from pipeline.extract.document import extract_document
from pipeline.model import Source
settings = Settings()
for line in sys.stdin:
    path = Path(json.loads(line)["path"])
    try:
        doc = extract_document(Source(path.stem, path, ""), settings)
        out = {"ok": True, "reader": doc.reader, "records": len(doc.records)}
    except PipelineError as exc:
        out = {"ok": False, "pipeline": True, "type": type(exc).__name__, "message": str(exc)}
    except BaseException as exc:
        out = {"ok": False, "pipeline": False, "type": type(exc).__name__, "message": str(exc),
               "traceback": traceback.format_exc()[-2000:]}
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()
"""


class ExtractWorker:
    """`extract_document` in a long-lived child process: a segfault or a hang in the PDF parser
    shows up as a failed check here instead of taking the test run down with it."""

    def __init__(self) -> None:
        self._start()

    def _start(self) -> None:
        self.proc = subprocess.Popen([PYTHON, "-c", _WORKER], cwd=ROOT, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)

    def extract(self, path: Path, timeout_s: float) -> dict[str, object]:
        import json
        import selectors

        self.proc.stdin.write(json.dumps({"path": str(path)}) + "\n")
        self.proc.stdin.flush()
        with selectors.DefaultSelector() as sel:
            sel.register(self.proc.stdout, selectors.EVENT_READ)
            ready = sel.select(timeout_s)
        if not ready:
            self.proc.kill()
            self.proc.wait()
            self._start()
            return {"ok": False, "pipeline": False, "type": "Hang", "message": f"no answer within {timeout_s} s"}
        line = self.proc.stdout.readline()
        if not line:  # the interpreter died
            code = self.proc.wait()
            self._start()
            return {"ok": False, "pipeline": False, "type": "Crash", "message": f"worker exited with {code}"}
        return json.loads(line)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
