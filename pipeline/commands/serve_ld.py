"""`servicegraph serve-ld`: the front door for consumers (IRIs, documents, site, SPARQL)."""

from __future__ import annotations

import socket
from pathlib import Path

import typer

from pipeline.config import Settings
from pipeline.errors import PipelineError


def _listening_socket(host: str, port: int) -> socket.socket:
    """The server's socket, bound here so that a busy port is one line before the (slow) load,
    and no other program can take the port between the check and the start."""
    from pipeline.sparql.server import ServerError, check_port

    check_port(port, host)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ServerError(f"port {port} on {host}: cannot listen ({exc.strerror or exc})") from None
    sock.set_inheritable(True)
    return sock


def register(app: typer.Typer) -> None:
    @app.command("serve-ld")
    def serve_ld(
        port: int = typer.Option(8000, "--port", help="Port to listen on (1-65535, free)."),
        host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (default: loopback only)."),
        output: Path = typer.Option(None, "--output", help="Folder of releases; serves its latest [default: output/]"),
    ) -> None:
        """Serve output/latest as linked data: /id/… and /def/… (303 by Accept), /doc/…, /site/…,
        /sparql (read-only, CORS).

        A new release under --output is served once it is loaded completely; until then the
        previous one answers. Ctrl-C stops (exit 0). docs/queries.md, "The front door".
        """
        import uvicorn

        from pipeline.sparql.linked_data import create_app

        sock = None
        try:
            settings = Settings.from_env()
            latest = (output or settings.output) / "latest"
            sock = _listening_socket(host, port)
            application = create_app(latest, settings)
        except PipelineError as exc:
            if sock is not None:
                sock.close()
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1)
        except KeyboardInterrupt:  # Ctrl-C while the release loads
            raise typer.Exit(0)
        shown = f"[{host}]" if ":" in host else host
        typer.echo(f"linked data for {latest}: http://{shown}:{port}/id/…  SPARQL: http://{shown}:{port}/sparql")
        server = uvicorn.Server(uvicorn.Config(application, log_level="warning", lifespan="off"))
        try:
            server.run(sockets=[sock])
        except KeyboardInterrupt:
            # uvicorn shuts down on SIGINT, then raises the signal again for the caller: stopping is the
            # normal end of a server, not an error.
            pass
        finally:
            sock.close()
