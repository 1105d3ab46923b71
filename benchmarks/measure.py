"""One measurement of the benchmark, run in a fresh Python process so that its peak memory and
its imports are its own: `python benchmarks/measure.py MODE CORPUS WORK RESULT.json`.

Modes:
  pipeline   `run_pipeline` (bare, no Prefect) with a timer around each stage, then the store
             load and the canned queries on Oxigraph and on rdflib's SPARQL engine
  floor      bare pdfplumber word extraction of every page of the corpus (extraction's floor)
  rerun      `run_pipeline` again on the output and cache of `pipeline`: must parse no PDF
  prefect    `run_flow` (Prefect, thread task runner); `prefect-dask`: Dask, 2 worker processes
  prefect-server  start and stop Prefect's temporary local server alone

Peak memory is `resource.getrusage(...).ru_maxrss` (the resident-set high-water mark, KiB on
Linux) of this process, and separately of its waited-for children (Prefect's server, Dask workers).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import threading
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

# The code snapshot benchmarks/run.py made for this run (the checkout itself when run alone).
ROOT = Path(os.environ.get("SERVICEGRAPH_BENCH_CODE") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))


RDFLIB_MAX_QUADS = 1_000_000


def maxrss_mib() -> dict[str, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"self_mib": round(own, 1), "children_mib": round(children, 1)}


def current_rss_mib() -> float:
    """The resident set now (Linux /proc), not its high-water mark."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        return 0.0
    return round(pages * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024, 1)


# --------------------------------------------------------------------------- stage timer


class StageTimer:
    """Wraps the stage functions where the runner and the flow look them up, and adds up the
    wall time spent in each (several threads may be inside `extract` at once under Prefect)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.documents: list[dict[str, Any]] = []
        # Resident set right after each stage ends, and the high-water mark then: where memory goes.
        self.rss_after: dict[str, float] = {}
        self.peak_after: dict[str, float] = {}
        self._lock = threading.Lock()

    def _wrap(self, owner: Any, attr: str, stage: str, on_result: Callable[[tuple, Any], None] | None = None) -> None:
        original = getattr(owner, attr)

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                result = original(*args, **kwargs)
            except Exception as exc:
                if on_result:
                    on_result(args, exc)
                raise
            finally:
                elapsed = time.perf_counter() - started
                with self._lock:
                    self.seconds[stage] += elapsed
                    self.calls[stage] += 1
                    self.rss_after[stage] = current_rss_mib()
                    self.peak_after[stage] = maxrss_mib()["self_mib"]
            if on_result:
                on_result(args, result)
            return result

        setattr(owner, attr, timed)

    def _document(self, args: tuple, result: Any) -> None:
        source = args[0]
        if isinstance(result, Exception):
            row = {"id": source.id, "error": f"{type(result).__name__}: {result}"}
        else:
            doc = result.document
            row = {"id": source.id, "layout": doc.layout, "pages": doc.pages, "cached": result.cached,
                   "records": len(doc.rows) + len(doc.items), "area": doc.area_name or source.publisher,
                   "warnings": list(doc.warnings)}
        with self._lock:
            self.documents.append(row)

    def _documents(self, args: tuple, result: Any) -> None:
        if isinstance(result, Exception):
            return
        for item in result:
            self._document((item.document.source,), item)

    def install(self, per_source: bool = False) -> "StageTimer":
        """per_source: time each `extract_source` call (the Prefect flow's tasks); otherwise
        `extract_sources`, which the bare runner calls once (its documents parse on worker
        processes, where a wrapper's timings would be lost)."""
        from pipeline import flows, runner, stages
        from pipeline.publish import changelog, metadata, release, serialise

        for module in (runner, flows):
            self._wrap(module, "discover_sources", "discover")
            self._wrap(module, "unchanged_release", "fingerprint")
        if per_source:
            self._wrap(stages, "extract_source", "extract", self._document)
        else:
            self._wrap(stages, "extract_sources", "extract", self._documents)
        self._wrap(stages, "normalise_documents", "normalise")
        self._wrap(stages, "map_catalogue", "map")
        self._wrap(stages, "validate_graph", "validate")
        self._wrap(release, "publish", "publish")
        # Inside publish: where its time goes.
        self._wrap(release, "load_ontology", "publish.ontology")
        self._wrap(serialise, "to_turtle", "publish.turtle")
        self._wrap(serialise, "to_jsonld", "publish.jsonld")
        self._wrap(changelog, "diff_graphs", "publish.changelog")
        self._wrap(metadata, "catalog_graph", "publish.catalog")
        self._wrap(release, "_write_release", "publish.write")
        return self


@contextmanager
def counting_pdf_opens() -> Iterator[list[str]]:
    """Count every pdfplumber.open (the only way the pipeline parses a PDF)."""
    import pdfplumber

    opened: list[str] = []
    original = pdfplumber.open

    def counted(path: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(str(path))
        return original(path, *args, **kwargs)

    pdfplumber.open = counted
    try:
        yield opened
    finally:
        pdfplumber.open = original


def settings_for(corpus: Path, work: Path):
    from pipeline.config import Settings

    return Settings(sources=corpus, output=work / "output", cache_dir=work / "cache")


# --------------------------------------------------------------------------- queries


def _in_child(run: Callable[[], int], timeout_s: float) -> tuple[float | None, int | None]:
    """Run `run` once in a forked child (it shares the parsed graph copy-on-write) and return
    (seconds, rows), or (None, None) when it did not finish in `timeout_s` (then it is killed:
    rdflib's engine cannot be interrupted inside the process)."""
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)

    def child() -> None:
        t0 = time.perf_counter()
        rows = run()
        send.send((time.perf_counter() - t0, rows))

    proc = ctx.Process(target=child)
    proc.start()
    answer = receive.recv() if receive.poll(timeout_s) else (None, None)
    if proc.is_alive():
        proc.kill()
    proc.join()
    return answer


def _median_ms(run: Callable[[], int], runs: int, budget_s: float) -> tuple[float, int, int]:
    """Median wall time in ms of `run` over `runs` calls after one warm-up (fewer if one call
    takes long: at most `budget_s` in all); also the row count and the number of timed calls."""
    started = time.perf_counter()
    rows = run()
    first = time.perf_counter() - started
    times: list[float] = []
    for _ in range(runs if first * runs <= budget_s else max(1, int(budget_s / max(first, 1e-9)))):
        t0 = time.perf_counter()
        rows = run()
        times.append(time.perf_counter() - t0)
    return round(statistics.median(times) * 1000, 3), rows, len(times)


def measure_queries(settings, runs: int, budget_s: float, rdflib_timeout_s: float) -> dict[str, Any]:
    from rdflib import Graph

    from pipeline.store import STORE_FILES, load_store, localise_prefixes, query_store

    latest = settings.output / "latest"
    t0 = time.perf_counter()
    store = load_store(latest)
    load_s = time.perf_counter() - t0
    out: dict[str, Any] = {"store_load_s": round(load_s, 3), "store_quads": len(store)}
    # rdflib holds ~3 KiB per triple and each timed-out query runs in a forked copy of it: past
    # RDFLIB_MAX_QUADS the baseline would need more memory than the machine has.
    with_rdflib = len(store) <= RDFLIB_MAX_QUADS
    graph = Graph()
    t0 = time.perf_counter()
    for name in STORE_FILES if with_rdflib else ():
        if (latest / name).is_file():
            graph.parse(latest / name, format="turtle")
    out["rdflib_parse_s"] = round(time.perf_counter() - t0, 3) if with_rdflib else None
    out["rdflib_triples"] = len(graph)
    queries: dict[str, Any] = {}
    for path in sorted(settings.queries_dir.glob("*.rq")):
        sparql = localise_prefixes(path.read_text(encoding="utf-8"), settings)
        # query_store: what `servicegraph query` does (results converted to rdflib terms);
        # engine: Oxigraph alone, the solutions only iterated.
        # A query whose cost grows with the square of the data can take minutes on the largest
        # store: its first run is in a child with a time limit too.
        first, _ = _in_child(lambda: len(query_store(store, sparql).rows), rdflib_timeout_s)
        if first is None:
            queries[path.stem] = {"oxigraph_ms": None, "oxigraph_timeout_s": rdflib_timeout_s, "rows": None,
                                  "oxigraph_engine_ms": None, "rdflib_ms": None, "rdflib_timeout_s": rdflib_timeout_s}
            continue
        ox_ms, ox_rows, ox_n = _median_ms(lambda: len(query_store(store, sparql).rows), runs, budget_s)
        eng_ms, _, _ = _median_ms(lambda: sum(1 for _ in store.query(sparql)), runs, budget_s)
        row = {"oxigraph_ms": ox_ms, "oxigraph_engine_ms": eng_ms, "oxigraph_runs": ox_n, "rows": ox_rows}
        # rdflib: the first run in a child with a time limit; more runs only if it was quick.
        if not with_rdflib:
            row.update(rdflib_ms=None, rdflib_skipped=f"store has more than {RDFLIB_MAX_QUADS:,} quads")
            queries[path.stem] = row
            continue
        first, rdf_rows = _in_child(lambda: len(list(graph.query(sparql))), rdflib_timeout_s)
        if first is None:
            row.update(rdflib_ms=None, rdflib_timeout_s=rdflib_timeout_s)
        else:
            rdf_ms, rdf_rows, rdf_n = _median_ms(lambda: len(list(graph.query(sparql))), runs, budget_s)
            row.update(rdflib_ms=rdf_ms, rdflib_runs=rdf_n, rdflib_rows=rdf_rows)
        queries[path.stem] = row
    out["queries"] = queries
    return out


# --------------------------------------------------------------------------- modes


def _spot_one(source, settings) -> dict[str, Any]:
    from pipeline import stages
    from pipeline.errors import PipelineError

    try:
        doc = stages.extract_source(source, settings).document
    except PipelineError as exc:
        return {"id": source.id, "error": f"extract: {exc}"}
    row = {"id": source.id, "layout": doc.layout, "pages": doc.pages, "records": len(doc.rows) + len(doc.items),
           "area": doc.area_name or source.publisher}
    try:
        stages.normalise_documents([doc])
    except PipelineError as exc:
        row["error"] = f"normalise: {exc}"
    return row


def spot_check(corpus: Path, work: Path) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Extract and normalise every document alone (own cache, not timed, one process per core):
    what each yields, and the documents that fail (id -> reason). A failing document is a bug
    to report; the timed run leaves it out, so that one bad document does not hide the cost of
    the others."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    from pipeline.config import Settings
    from pipeline.sources import discover_sources

    settings = Settings(sources=corpus, output=work / "spot-output", cache_dir=work / "spot-cache")
    sources = discover_sources(corpus)
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1, mp_context=mp.get_context("fork")) as pool:
        rows = list(pool.map(_spot_one, sources, [settings] * len(sources), chunksize=4))
    failed = {row["id"]: row["error"] for row in rows if "error" in row}
    return rows, failed


def without(corpus: Path, excluded: set[str], target: Path) -> Path:
    """A sources folder like `corpus` without the `excluded` source ids (hard links, own manifest)."""
    import os

    import yaml

    target.mkdir(parents=True, exist_ok=True)
    manifest = yaml.safe_load((corpus / "sources.yaml").read_text(encoding="utf-8"))
    kept = [e for e in manifest["sources"] if e["id"] not in excluded]
    for entry in kept:
        os.link(corpus / entry["file"], target / entry["file"])
    (target / "sources.yaml").write_text(yaml.safe_dump({"sources": kept}, sort_keys=False, allow_unicode=True),
                                         encoding="utf-8")
    return target


def mode_pipeline(corpus: Path, work: Path, options: dict[str, Any]) -> dict[str, Any]:
    t0 = time.perf_counter()
    spot, failed = spot_check(corpus, work)
    spot_s = time.perf_counter() - t0
    if failed:
        corpus = without(corpus, set(failed), work / "sources")
    t_import = time.perf_counter()
    from pipeline.runner import run_pipeline

    timer = StageTimer().install()
    import_s = time.perf_counter() - t_import
    settings = settings_for(corpus, work)
    t0 = time.perf_counter()
    report = run_pipeline(settings)
    total = time.perf_counter() - t0
    result: dict[str, Any] = {
        "import_s": round(import_s, 3),
        "total_s": round(total, 3),
        "stages_s": {k: round(v, 3) for k, v in timer.seconds.items()},
        "report": {k: report.as_dict()[k] for k in ("status", "sources", "parsed", "cached", "entries",
                                                     "services", "triples", "release")},
        "warnings": len(report.warnings),
        "documents": timer.documents,
        "memory_pipeline": maxrss_mib(),
        "rss_after_mib": timer.rss_after, "peak_after_mib": timer.peak_after,
        "spot_check": spot, "spot_check_s": round(spot_s, 1), "excluded": failed,
    }
    t0 = time.perf_counter()
    result["queries"] = measure_queries(settings, options.get("query_runs", 7), options.get("query_budget_s", 20.0),
                                        options.get("rdflib_timeout_s", 120.0))
    result["queries"]["total_s"] = round(time.perf_counter() - t0, 3)
    result["memory_with_queries"] = maxrss_mib()
    return result


def _floor_words(pdf_path: Path) -> tuple[int, int]:
    import pdfplumber

    pages = words = 0
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            words += len(page.extract_words())
            pages += 1
    return pages, words


def mode_floor(corpus: Path, work: Path, options: dict[str, Any]) -> dict[str, Any]:
    """pdfplumber's word extraction of every page: in one process, and on as many processes as
    the pipeline extracts with (one per core), so that extraction is compared like for like."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    import pdfplumber  # noqa: F401  (imported before the clock starts, as the pipeline has it)

    paths = sorted(corpus.glob("*.pdf"))
    t0 = time.perf_counter()
    counts = [_floor_words(path) for path in paths]
    serial = time.perf_counter() - t0
    workers = os.cpu_count() or 1
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("fork")) as pool:
        again = list(pool.map(_floor_words, paths, chunksize=1))
    parallel = time.perf_counter() - t0
    assert again == counts
    return {"total_s": round(serial, 3), "parallel_s": round(parallel, 3), "workers": workers,
            "pages": sum(p for p, _ in counts), "words": sum(w for _, w in counts), "memory": maxrss_mib()}


def mode_rerun(corpus: Path, work: Path, options: dict[str, Any]) -> dict[str, Any]:
    from pipeline.runner import run_pipeline

    with counting_pdf_opens() as opened:
        t0 = time.perf_counter()
        report = run_pipeline(settings_for(corpus, work))
        total = time.perf_counter() - t0
    return {"total_s": round(total, 3), "status": report.status, "parsed": report.parsed,
            "pdf_opens": len(opened), "message": report.message, "memory": maxrss_mib()}


def mode_prefect(corpus: Path, work: Path, options: dict[str, Any], dask: bool = False) -> dict[str, Any]:
    t_import = time.perf_counter()
    from pipeline.flows import run_flow

    timer = StageTimer().install(per_source=True)
    import_s = time.perf_counter() - t_import
    settings = settings_for(corpus, work)
    t0 = time.perf_counter()
    report = run_flow(settings, dask=dask, workers=2 if dask else None, fetch=False)
    total = time.perf_counter() - t0
    return {"import_s": round(import_s, 3), "total_s": round(total, 3),
            "stages_s": {k: round(v, 3) for k, v in timer.seconds.items()},
            "report": {"status": report.status, "triples": report.triples, "parsed": report.parsed},
            "memory": maxrss_mib()}


def mode_prefect_server(corpus: Path, work: Path, options: dict[str, Any]) -> dict[str, Any]:
    t0 = time.perf_counter()
    from prefect.server.api.server import SubprocessASGIServer

    import_s = time.perf_counter() - t0
    server = SubprocessASGIServer()
    t0 = time.perf_counter()
    server.start()
    start_s = time.perf_counter() - t0
    server.stop()
    return {"import_s": round(import_s, 3), "start_s": round(start_s, 3)}


MODES: dict[str, Callable[[Path, Path, dict[str, Any]], dict[str, Any]]] = {
    "pipeline": mode_pipeline,
    "floor": mode_floor,
    "rerun": mode_rerun,
    "prefect": mode_prefect,
    "prefect-dask": lambda c, w, o: mode_prefect(c, w, o, dask=True),
    "prefect-server": mode_prefect_server,
}


def main(argv: list[str]) -> int:
    mode, corpus, work, out = argv[0], Path(argv[1]), Path(argv[2]), Path(argv[3])
    options = json.loads(argv[4]) if len(argv) > 4 else {}
    work.mkdir(parents=True, exist_ok=True)
    result = MODES[mode](corpus, work, options)
    result["mode"] = mode
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
