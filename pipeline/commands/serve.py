"""`servicegraph serve`: check the sources on a schedule and publish when they change."""

from __future__ import annotations

import os
import time
from pathlib import Path

import typer

from pipeline.commands.run import checked_settings
from pipeline.errors import PipelineError
from pipeline.run.report import EXIT_FAILED, EXIT_OK


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        sources: Path = typer.Option(None, help="Folder of source PDFs and sources.yaml [default: raw/]"),
        output: Path = typer.Option(None, help="Folder of releases [default: output/]"),
        interval: float = typer.Option(600, min=1, help="Seconds between checks (at least 1)"),
        cron: str = typer.Option(None, help="A cron schedule instead of --interval (Prefect server only)"),
        max_checks: int = typer.Option(0, min=0, help="Stop after this many checks (0: run until stopped)"),
    ) -> None:
        """Run the watch flow on a schedule; only changed sources lead to a new release.

        With PREFECT_API_URL set, this serves a Prefect deployment ("servicegraph-watch") that the
        server schedules; without it, the same flow runs in a local loop on one temporary local
        server. Exit status after --max-checks: that of the last check (0 ok, 1 failed, 3 ok but
        sources quarantined); Ctrl-C: 130.
        """
        settings = checked_settings(sources=sources, output=output)  # fail early on bad settings
        params = {"sources": str(settings.sources), "output": str(settings.output)}
        if os.environ.get("PREFECT_API_URL"):
            from pipeline.flows import watch_flow

            schedule = {"cron": cron} if cron else {"interval": interval}
            watch_flow.serve(name="servicegraph-watch", parameters=params, **schedule)
            return
        if cron:
            raise typer.BadParameter("--cron needs a Prefect server (set PREFECT_API_URL); use --interval")
        from pipeline.run.interrupt import INTERRUPTS

        INTERRUPTS.install()
        raise typer.Exit(_local_loop(params, interval, max_checks))


def _local_loop(params: dict[str, str], interval: float, max_checks: int) -> int:
    """Checks on one temporary API server until stopped; the status of the last check."""
    from pipeline.flows import watch_flow
    from pipeline.prefect_api import prefect_api

    status = EXIT_OK
    checks = 0
    with prefect_api() as api:
        if api is not None:
            api.wait_ready()
        while True:
            checks += 1
            state = watch_flow(**params, return_state=True)
            outcome = state.result(raise_on_failure=False)
            if isinstance(outcome, PipelineError):
                typer.echo(f"error: {outcome}", err=True)
                status = EXIT_FAILED
            elif isinstance(outcome, BaseException):
                raise outcome  # a bug, not bad input: its traceback is wanted
            else:
                for item in outcome.quarantined:
                    typer.echo(f"error: {item.line()}", err=True)
                typer.echo(outcome.result_line())
                status = outcome.exit_code
            if max_checks and checks >= max_checks:
                return status
            time.sleep(interval)
