"""`servicegraph serve-ld`: the front door for consumers (IRIs, documents, site, SPARQL)."""

from __future__ import annotations

from pathlib import Path

import typer

from pipeline.config import Settings
from pipeline.errors import PipelineError


def register(app: typer.Typer) -> None:
    @app.command("serve-ld")
    def serve_ld(
        port: int = typer.Option(8000, "--port", help="Port to listen on (1-65535, free)."),
        host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (default: loopback only)."),
        output: Path = typer.Option(None, "--output", help="Folder of releases; serves its latest [default: output/]"),
    ) -> None:
        """Serve output/latest as linked data: /id/… (303 by Accept), /doc/…, /site/…, /sparql (read-only, CORS).

        A new release under --output is served from the next request on (loaded completely
        first). Ctrl-C stops. docs/queries.md, "The front door".
        """
        import uvicorn

        from pipeline.sparql.linked_data import create_app
        from pipeline.sparql.server import check_port

        settings = Settings.from_env()
        latest = (output or settings.output) / "latest"
        try:
            check_port(port, host)
            application = create_app(latest, settings)
        except PipelineError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1)
        shown = f"[{host}]" if ":" in host else host
        typer.echo(f"linked data for {latest}: http://{shown}:{port}/id/…  SPARQL: http://{shown}:{port}/sparql")
        uvicorn.run(application, host=host, port=port, log_level="warning")
