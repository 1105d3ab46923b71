"""`servicegraph serve`: check the sources on a schedule and publish when they change."""

from __future__ import annotations

import os
import time
from pathlib import Path

import typer

from pipeline.config import Settings
from pipeline.errors import PipelineError


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        sources: Path = typer.Option(None, help="Folder of source PDFs and sources.yaml [default: raw/]"),
        output: Path = typer.Option(None, help="Folder of releases [default: output/]"),
        interval: int = typer.Option(600, help="Seconds between checks"),
        cron: str = typer.Option(None, help="A cron schedule instead of --interval (Prefect server only)"),
        max_checks: int = typer.Option(0, help="Stop after this many checks (0: run until stopped)"),
    ) -> None:
        """Run the watch flow on a schedule; only changed sources lead to a new release.

        With PREFECT_API_URL set, this serves a Prefect deployment ("servicegraph-watch") that the
        server schedules; without it, the same flow runs in a local loop on Prefect's embedded
        server (the server cannot schedule ephemeral runs).
        """
        from pipeline.flows import watch_flow

        params = {
            "sources": str(sources) if sources else None,
            "output": str(output) if output else None,
        }
        if os.environ.get("PREFECT_API_URL"):
            schedule = {"cron": cron} if cron else {"interval": interval}
            watch_flow.serve(name="servicegraph-watch", parameters=params, **schedule)
            return
        if cron:
            raise typer.BadParameter("--cron needs a Prefect server (set PREFECT_API_URL); use --interval")
        Settings.from_env(sources=sources, output=output)  # fail early on bad settings
        checks = 0
        while True:
            checks += 1
            try:
                typer.echo(watch_flow(**params))
            except PipelineError as exc:
                typer.echo(f"error: {exc}", err=True)
            if max_checks and checks >= max_checks:
                return
            time.sleep(interval)
