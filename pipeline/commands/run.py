"""`servicegraph run`: publish output/ from the sources folder."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from pipeline.config import Settings
from pipeline.errors import PipelineError, ValidationFailed


def fail(exc: BaseException, code: int = 1) -> "typer.Exit":
    """Print a pipeline error the way a person wants to read it, and give the exit code."""
    typer.echo(f"error: {exc}", err=True)
    if isinstance(exc, ValidationFailed) and exc.report_path:
        typer.echo(f"validation report: {exc.report_path}", err=True)
    return typer.Exit(code)


def register(app: typer.Typer) -> None:
    @app.command()
    def run(
        sources: Path = typer.Option(None, help="Folder of source PDFs and sources.yaml [default: raw/]"),
        output: Path = typer.Option(None, help="Folder of releases [default: output/]"),
        base_iri: str = typer.Option(None, help="Base IRI of the published data (or SERVICEGRAPH_BASE_IRI)"),
        prefect: bool = typer.Option(True, "--prefect/--no-prefect", help="Run as a Prefect flow (default) or as plain Python"),
        dask: bool = typer.Option(False, help="Extract documents in parallel on a local Dask cluster"),
        dask_address: str = typer.Option(None, help="Use this Dask scheduler (tcp://host:8786) instead"),
        workers: int = typer.Option(None, help="Processes that parse PDFs (or SERVICEGRAPH_WORKERS) [default: one per core]"),
        fetch: bool = typer.Option(True, "--fetch/--no-fetch", help="Fetch remote (url:) sources first"),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress, only the result line"),
    ) -> None:
        """Run raw -> extract -> normalise -> map -> validate -> publish; skip if nothing changed."""
        settings = Settings.from_env(sources=sources, output=output, base_iri=base_iri, workers=workers)
        progress = None
        if not quiet and sys.stderr.isatty() or os.environ.get("SERVICEGRAPH_PROGRESS") == "1":
            from pipeline.flows import terminal_progress

            progress = terminal_progress()
        try:
            if prefect:
                from pipeline.flows import run_flow

                report = run_flow(settings, dask=dask, dask_address=dask_address, workers=workers, fetch=fetch, progress=progress)
            else:
                from pipeline.fetch import fetch_remote_sources
                from pipeline.runner import run_pipeline

                if fetch:
                    fetch_remote_sources(settings.sources)
                report = run_pipeline(settings, progress=progress)
        except PipelineError as exc:
            raise fail(exc) from None
        except OSError as exc:  # Reliability: a full disk or a read-only output folder, said plainly
            raise fail(exc) from None
        if not quiet:
            for warning in report.warnings:
                typer.echo(f"warning: {warning}", err=True)
        typer.echo(
            f"{report.status}: {report.message} | sources {report.sources} (parsed {report.parsed}, cached "
            f"{report.cached}) | services {report.services} | entries {report.entries} | triples {report.triples}"
        )
        if report.added or report.removed or report.changed:
            typer.echo(f"changes: +{len(report.added)} -{len(report.removed)} ~{len(report.changed)} services")
