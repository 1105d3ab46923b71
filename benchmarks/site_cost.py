"""What the static site costs: time per area (pages, crops) and at assembly, and bytes in a release.

    .venv/bin/python benchmarks/site_cost.py                 # raw/
    .venv/bin/python benchmarks/site_cost.py --corpus 8      # the first 8 benchmark documents (4 areas)

Publishes a release from the sources into a temporary folder (fresh cache, one worker), then
rebuilds each area's pages from its published shard, timing the crops apart, and the release-wide
pages; prints a Markdown table (docs/site.md keeps the figures).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rdflib import Graph  # noqa: E402

from pipeline.config import Settings  # noqa: E402
from pipeline.publish.assemble import _link_or_copy as link_or_copy  # noqa: E402
from pipeline.publish.site import assemble, crops  # noqa: E402
from pipeline.publish.site.area import build_area_site, pdfs_in_folder  # noqa: E402
from pipeline.rdf.mapping import definitions_graph  # noqa: E402
from pipeline.run import run_pipeline  # noqa: E402


def corpus_sources(n: int, target: Path, built: Path | None = None) -> Path:
    """The first n documents of the benchmark corpus (benchmarks/corpus.py) as a sources folder,
    taken from `built` (a corpus folder already built, e.g. another checkout's n1000) if given."""
    if built is None:
        from benchmarks.corpus import ensure_corpus

        built = ensure_corpus(n)
    full = built
    manifest = yaml.safe_load((full / "sources.yaml").read_text(encoding="utf-8"))
    chosen = sorted(manifest["sources"], key=lambda s: s["id"])[:n]
    target.mkdir(parents=True)
    for entry in chosen:
        shutil.copy2(full / entry["file"], target / entry["file"])
    (target / "sources.yaml").write_text(yaml.safe_dump({"sources": chosen}, allow_unicode=True), encoding="utf-8")
    return target


class CropClock:
    """Wraps crops.crop_png to add up its time."""

    def __init__(self) -> None:
        self.seconds, self.count, self._real = 0.0, 0, crops.crop_png

    def __call__(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            return self._real(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - start
            self.count += 1


def sizes(folder: Path) -> dict[str, int]:
    out = {"html": 0, "png": 0, "other": 0, "files": 0}
    for path in folder.rglob("*"):
        if path.is_file():
            kind = path.suffix.lstrip(".") if path.suffix in (".html", ".png") else "other"
            out[kind] += path.stat().st_size
            out["files"] += 1
    return out


def measure(sources: Path, label: str) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="site-cost-") as tmp:
        settings = replace(Settings(), sources=sources, output=Path(tmp) / "out", cache_dir=Path(tmp) / "cache", workers=1)
        start = time.perf_counter()
        report = run_pipeline(settings)
        run_s = time.perf_counter() - start
        release = (Path(tmp) / "out" / "latest").resolve()
        definitions = definitions_graph(settings)
        sg = settings.def_iri + "ontology#"
        rows = []
        clock = CropClock()
        import pipeline.publish.site.area as area_module

        area_module.crops.crop_png = clock
        try:
            pages_s, areas = 0.0, []
            for ttl in sorted((release / "areas").glob("*.ttl")):
                graph = Graph().parse(ttl, format="turtle")
                pdfs = pdfs_in_folder(graph, sources, sg)
                start = time.perf_counter()
                site = build_area_site(graph, definitions, pdfs, area_id=ttl.stem, base=settings.base_iri,
                                       def_base=settings.def_iri, out=Path(tmp) / "rebuild" / ttl.stem)
                pages_s += time.perf_counter() - start
                areas.append(assemble.AreaPages(site, Path(tmp) / "rebuild" / ttl.stem))
        finally:
            area_module.crops.crop_png = clock._real
        start = time.perf_counter()
        assemble.write_site(Path(tmp) / "site", areas, definitions, changelog=(release / "CHANGELOG.md").read_text(),
                            release_id=release.name, base=settings.base_iri, def_base=settings.def_iri,
                            link=link_or_copy)  # hard links, as assembly does
        release_pages_s = time.perf_counter() - start
        site = sizes(release / "site")
        data = sum(p.stat().st_size for p in release.rglob("*") if p.is_file() and "site" not in p.relative_to(release).parts)
        rows.append(
            f"| {label} | {len(areas)} | {report.services} | {run_s:.1f} | {pages_s:.2f} | {clock.seconds:.2f} ({clock.count}) "
            f"| {release_pages_s:.2f} | {site['files']} | {site['html'] / 1e6:.2f} | {site['png'] / 1e6:.2f} | {data / 1e6:.2f} |")
        return rows


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=int, default=0, help="also measure the first N benchmark documents")
    parser.add_argument("--corpus-dir", type=Path, help="a built corpus folder to take them from")
    args = parser.parse_args(argv)
    print("| sources | areas | services | whole run s | area pages s | of which crops s (n) | release-wide pages s "
          "| site files | site HTML MB | site PNG MB | rest of release MB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in measure(ROOT / "raw", "raw/"):
        print(row, flush=True)
    if args.corpus:
        with tempfile.TemporaryDirectory(prefix="site-corpus-") as tmp:
            for row in measure(corpus_sources(args.corpus, Path(tmp) / "sources", args.corpus_dir), f"corpus, first {args.corpus} documents"):
                print(row, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
