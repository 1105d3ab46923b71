"""Prefect flows: the stages of `pipeline.stages` as tasks, one extract task per source document.

The flows only compose; every task body is a call into a plain, tested stage function. The
no-change check runs before the flow is entered (`run_flow`), so a run with nothing to do never
pays for Prefect's start-up.
"""

from __future__ import annotations

import importlib
import sys
import time
from concurrent.futures import Executor
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from rdflib import Graph

from pipeline import stages
from pipeline.config import Settings
from pipeline.fetch import FetchOutcome, fetch_remote_sources
from pipeline.prefect_api import prefect_api
from pipeline.model import Catalogue, ExtractedDocument, Source
from pipeline.runner import (
    Progress,
    RunReport,
    finish,
    run_lock,
    summarise,
    unchanged_release,
)
from pipeline.sources import discover_sources
from pipeline.workers import extraction_pool, worker_count


# --------------------------------------------------------------------------- tasks


@task(name="fetch-remote-sources", retries=3, retry_delay_seconds=[1, 3, 9])
def fetch_task(sources_dir: Path) -> list[FetchOutcome]:
    outcomes = fetch_remote_sources(sources_dir)
    logger = get_run_logger()
    for o in outcomes:
        logger.info("%s: %s (%s)", o.source_id, "downloaded" if o.downloaded else "not modified", o.url)
    return outcomes


@task(name="extract", cache_policy=NO_CACHE, persist_result=False, task_run_name="extract {source.id}")
def extract_task(source: Source, settings: Settings, pool: Executor | None = None) -> stages.Extracted:
    result = stages.extract_source(source, settings, pool)
    get_run_logger().info(
        "%s: %s, %d rows, %d items",
        source.id,
        "cached (unchanged file)" if result.cached else "parsed",
        len(result.document.rows),
        len(result.document.items),
    )
    return result


@task(name="normalise", cache_policy=NO_CACHE, persist_result=False)
def normalise_task(documents: list[ExtractedDocument]) -> Catalogue:
    return stages.normalise_documents(documents)


@task(name="map", cache_policy=NO_CACHE, persist_result=False)
def map_task(catalogue: Catalogue, settings: Settings) -> Graph:
    return stages.map_catalogue(catalogue, settings)


@task(name="validate", cache_policy=NO_CACHE, persist_result=False)
def validate_task(graph: Graph, settings: Settings) -> int:
    return stages.validate_graph(graph, settings)


@task(name="publish", cache_policy=NO_CACHE, persist_result=False)
def publish_task(report: RunReport, settings: Settings, fingerprint: str, graph: Graph, sources: list[Source]) -> RunReport:
    return finish(report, settings, fingerprint, graph, sources)


# --------------------------------------------------------------------------- flows


def _summary_markdown(report: RunReport) -> str:
    rows = [
        ("status", report.status),
        ("release", report.release or "-"),
        ("sources", report.sources),
        ("parsed / cached", f"{report.parsed} / {report.cached}"),
        ("entries (rows and bullets)", report.entries),
        ("services", report.services),
        ("triples", report.triples),
        ("SHACL violations", report.violations),
        ("services added / removed / changed", f"{len(report.added)} / {len(report.removed)} / {len(report.changed)}"),
    ]
    lines = ["# servicegraph run", "", report.message, "", "| | |", "| --- | --- |"]
    lines += [f"| {k} | {v} |" for k, v in rows]
    for title, names in (("Added", report.added), ("Removed", report.removed), ("Changed", report.changed)):
        if names:
            lines += ["", f"## {title}", ""] + [f"- {n}" for n in names]
    if report.warnings:
        lines += ["", "## Warnings", ""] + [f"- {w}" for w in report.warnings]
    return "\n".join(lines) + "\n"


@flow(name="servicegraph-publish", log_prints=False, validate_parameters=False)
def publish_flow(
    settings: Settings,
    sources: list[Source],
    fingerprint: str,
    progress: Progress | None = None,
    parallel: bool = False,
) -> RunReport:
    """Extract every source, then normalise, map, validate, publish.

    With `parallel` the extract tasks are submitted to the flow's task runner (Dask processes).
    Without it they run on Prefect's threads but parse on Settings.workers processes
    (pdfminer is CPU-bound: threads alone would share one core); in a worker's main thread a
    page that runs over Settings.page_timeout_s is interrupted (SIGALRM).
    """
    done: dict[str, stages.Extracted] = {}

    def record(result: stages.Extracted) -> None:
        done[result.document.source.id] = result
        if progress:
            progress(len(done), len(sources), result.document.source.id)

    if parallel:
        for future in as_completed([extract_task.submit(source, settings) for source in sources]):
            record(future.result())
    else:
        # Tasks on Prefect's threads, each parsing on a worker process of one pool: the cores
        # in use without a Dask cluster, and a page over its time limit still interrupted.
        with extraction_pool(worker_count(settings, len(sources))) as pool:
            if pool is None:
                for source in sources:
                    record(extract_task(source, settings))
            else:
                for future in as_completed([extract_task.submit(source, settings, pool) for source in sources]):
                    record(future.result())
    extracted = [done[s.id] for s in sources]
    catalogue = normalise_task([e.document for e in extracted])
    graph = map_task(catalogue, settings)
    report = RunReport("running", "", sources=len(sources))
    summarise(report, extracted, catalogue, graph)
    validate_task(graph, settings)
    report = publish_task(report, settings, fingerprint, graph, sources)
    create_markdown_artifact(key="servicegraph-run", markdown=_summary_markdown(report), description=report.message)
    return report


def task_runner_for(dask: bool, dask_address: str | None, workers: int | None):
    """Threads by default; Dask processes (a local cluster, or a scheduler) for many documents."""
    if not (dask or dask_address):
        return None
    from prefect_dask import DaskTaskRunner

    if dask_address:
        return DaskTaskRunner(address=dask_address)
    return DaskTaskRunner(
        cluster_kwargs={"n_workers": workers or 2, "threads_per_worker": 1, "processes": True, "dashboard_address": None}
    )


_STAGE_MODULES = (
    "pipeline.extract.document",
    "pipeline.normalise.services",
    "pipeline.rdf.mapping",
    "pipeline.validate",
    "pipeline.publish.release",
)


def run_flow(
    settings: Settings,
    *,
    dask: bool = False,
    dask_address: str | None = None,
    workers: int | None = None,
    fetch: bool = True,
    progress: Progress | None = None,
) -> RunReport:
    """Fetch remote sources, skip the run if nothing changed, else run the Prefect flow."""
    with run_lock(settings):
        if fetch:
            fetch_remote_sources(settings.sources)
        sources = discover_sources(settings.sources)
        fingerprint, release = unchanged_release(settings, sources)
        if release:
            return RunReport(
                "unchanged",
                f"nothing changed since release {release}: nothing published",
                sources=len(sources),
                cached=len(sources),
                release=release,
            )
        with prefect_api() as local_api:
            for module in _STAGE_MODULES:  # while the local API server boots on the other core
                importlib.import_module(module)
            if local_api is not None:
                local_api.wait_ready()
            runner = task_runner_for(dask, dask_address, workers)
            flow_ = publish_flow.with_options(task_runner=runner) if runner else publish_flow
            return flow_(settings, sources, fingerprint, progress, parallel=runner is not None)


def terminal_progress(stream=sys.stderr) -> Progress:
    start = time.monotonic()

    def show(done: int, total: int, what: str) -> None:
        stream.write(f"\r[{done}/{total}] documents extracted ({what}) {time.monotonic() - start:.1f}s")
        if done == total:
            stream.write("\n")
        stream.flush()

    return show


__all__ = ["fetch_task", "publish_flow", "run_flow", "terminal_progress", "task_runner_for"]


@flow(name="servicegraph-watch", log_prints=False)
def watch_flow(sources: str | None = None, output: str | None = None, base_iri: str | None = None) -> str:
    """Scheduled check: fetch remote sources (with retries), publish only when something changed.

    Parameters are plain strings so that a Prefect deployment can carry them.
    """
    settings = Settings.from_env(
        sources=Path(sources) if sources else None, output=Path(output) if output else None, base_iri=base_iri
    )
    fetch_task(settings.sources)
    with run_lock(settings):
        found = discover_sources(settings.sources)
        fingerprint, release = unchanged_release(settings, found)
        if release:
            message = f"nothing changed since release {release}: nothing published"
            get_run_logger().info(message)
            return message
        report = publish_flow(settings, found, fingerprint)
    return f"{report.status}: {report.message}"
