"""`servicegraph run`: publish output/ from the sources folder."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import typer

from pipeline.config import Settings
from pipeline.errors import PipelineError, SettingsError, ValidationFailed, WarningsAsErrors
from pipeline.run.report import EXIT_FAILED, EXIT_USAGE


def fail(exc: BaseException, code: int = EXIT_FAILED) -> "typer.Exit":
    """Print a pipeline error the way a person wants to read it, and give the exit code."""
    typer.echo(f"error: {exc}", err=True)
    if isinstance(exc, ValidationFailed) and exc.report_path:
        typer.echo(f"validation report: {exc.report_path}", err=True)
    return typer.Exit(code)


def checked_settings(**overrides: object) -> Settings:
    """Settings from the environment and the options, every value in range, or exit 2."""
    from pipeline.run.guards import check_settings

    try:
        return check_settings(Settings.from_env(**overrides))
    except SettingsError as exc:
        raise fail(exc, EXIT_USAGE) from None


def terminal_progress(stream=sys.stderr):
    start = time.monotonic()
    what = {"extract": "documents extracted", "shard": "areas built"}

    def show(stage: str, done: int, total: int, label: str) -> None:
        stream.write(f"\r[{done}/{total}] {what.get(stage, stage)} ({label}) {time.monotonic() - start:.1f}s\033[K")
        if done == total:
            stream.write("\n")
        stream.flush()

    return show


def register(app: typer.Typer) -> None:
    @app.command()
    def run(
        sources: Path = typer.Option(None, help="Folder of source PDFs and sources.yaml [default: raw/]"),
        output: Path = typer.Option(None, help="Folder of releases [default: output/]"),
        base_iri: str = typer.Option(None, help="Base IRI of the published data, ending in / or # (or SERVICEGRAPH_BASE_IRI)"),
        prefect: bool = typer.Option(True, "--prefect/--no-prefect", help="Run as a Prefect flow (default) or as plain Python"),
        dask: bool = typer.Option(False, help="Run the jobs on a local Dask cluster"),
        dask_address: str = typer.Option(None, help="Run the jobs on this Dask scheduler (tcp://host:8786)"),
        workers: int = typer.Option(None, min=0, help="Worker processes (or SERVICEGRAPH_WORKERS) [default: one per core]"),
        fetch: bool = typer.Option(True, "--fetch/--no-fetch", help="Fetch remote (url:) sources first"),
        strict: bool = typer.Option(False, help="Publish nothing if any source cannot be used (default: quarantine it)"),
        strict_warnings: bool = typer.Option(False, help="Publish nothing if the run has any warning (an unknown audience, producer role, area name...)"),
        allow_shrink: bool = typer.Option(False, help="Publish even if the release drops more than SERVICEGRAPH_MAX_SHRINK of the services"),
        shacl_engine: str = typer.Option(None, help="pyshacl (default, the reference) or turbo (or SERVICEGRAPH_SHACL_ENGINE)"),
        download_base: str = typer.Option(None, help="URL of the folder the release's files are served from; {release} = the release id (or SERVICEGRAPH_DOWNLOAD_BASE)"),
        sparql_endpoint: str = typer.Option(None, help="Public SPARQL endpoint URL, described in catalog.ttl (or SERVICEGRAPH_SPARQL_ENDPOINT)"),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress, only the result line"),
    ) -> None:
        """Run raw -> extract -> normalise -> map -> validate -> publish; skip if nothing changed.

        Exit status: 0 published or unchanged; 1 nothing published (an error, a refused guard,
        a warning with --strict-warnings); 2 a bad option; 3 published, but some sources were
        quarantined; 130 interrupted.
        """
        from pipeline.run.interrupt import INTERRUPTS
        from pipeline.run.plan import Options

        settings = checked_settings(sources=sources, output=output, base_iri=base_iri, workers=workers,
                                    shacl_engine=shacl_engine, download_base=download_base,
                                    sparql_endpoint=sparql_endpoint)
        options = Options(strict=strict, allow_shrink=allow_shrink, strict_warnings=strict_warnings)
        progress = None
        if not quiet and sys.stderr.isatty() or os.environ.get("SERVICEGRAPH_PROGRESS") == "1":
            progress = terminal_progress()
        INTERRUPTS.install()
        try:
            if fetch:
                from pipeline.fetch import fetch_remote_sources

                fetch_remote_sources(settings.sources)
            if prefect:
                from pipeline.run.with_prefect import run_with_prefect

                report = run_with_prefect(settings, options, dask=dask, dask_address=dask_address, progress=progress)
            else:
                report = _run_bare(settings, options, dask, dask_address, progress)
        except WarningsAsErrors as exc:
            for warning in exc.warnings:  # every one of them, then the refusal
                typer.echo(f"warning: {warning}", err=True)
            raise fail(exc) from None
        except PipelineError as exc:
            raise fail(exc) from None
        except OSError as exc:  # Reliability: a full disk or a read-only output folder, said plainly
            raise fail(exc) from None
        if not quiet:
            for warning in report.warnings:
                typer.echo(f"warning: {warning}", err=True)
        for item in report.quarantined:
            typer.echo(f"error: {item.line()}", err=True)
        typer.echo(report.result_line())
        if report.added or report.removed or report.changed:
            typer.echo(f"changes: +{len(report.added)} -{len(report.removed)} ~{len(report.changed)} services")
        raise typer.Exit(report.exit_code)


def _run_bare(settings: Settings, options, dask: bool, dask_address: str | None, progress):
    from pipeline.run.executors import DaskExecutor, LocalExecutor
    from pipeline.run.interrupt import INTERRUPTS
    from pipeline.run.plan import run_pipeline

    executor = DaskExecutor(dask_address, settings.workers) if (dask or dask_address) else LocalExecutor(settings.workers)
    kill = INTERRUPTS.on_interrupt(executor.kill)
    try:
        return run_pipeline(settings, progress, options, executor)
    finally:
        executor.close()
        INTERRUPTS.forget(kill)
