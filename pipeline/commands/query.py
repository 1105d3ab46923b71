"""CLI: `query`, `serve-sparql`, `push` over a published release."""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from typing import Optional

import typer

from pipeline.config import Settings
from pipeline.errors import PipelineError


def _fail(exc: PipelineError) -> None:
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(1)


def _usage(message: str) -> None:
    """A bad combination of options: one line, exit 2 (docs/reliability.md, exit statuses)."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _release_id(release_dir: Path) -> str:
    return release_dir.resolve().name


def register(app: typer.Typer) -> None:
    @app.command("query")
    def query(
        sparql: Optional[str] = typer.Argument(None, help="A SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE)."),
        name: Optional[str] = typer.Option(None, "--name", "-n", help="Run the canned query queries/NAME.rq."),
        fmt: Optional[str] = typer.Option(
            None,
            "--format",
            "-f",
            help="SELECT/ASK: table (default), json, csv, tsv, xml. CONSTRUCT/DESCRIBE: turtle (default), ntriples, jsonld.",
        ),
        release: Optional[Path] = typer.Option(None, "--release", help="Release folder (default: output/latest)."),
        area: Optional[str] = typer.Option(
            None, "--area", help="Only this employment area's data (areas/AREA.ttl of the release), e.g. paijat-hameen-tyollisyysalue."
        ),
        bind: list[str] = typer.Option(
            [], "--bind", help="Fix a variable to an IRI before evaluation: NAME=IRI (full, <…> or id:…), repeatable."
        ),
        list_queries: bool = typer.Option(False, "--list", help="List the canned queries and exit."),
    ) -> None:
        """Query a published release in an embedded Oxigraph store (read-only)."""
        from pipeline.store import (
            FORMATS,
            canned_query,
            display_prefixes,
            parse_binding,
            query_header,
            run_raw,
            write_result,
        )

        settings = Settings.from_env()
        try:
            if list_queries:
                for path in sorted(settings.queries_dir.glob("*.rq")):
                    header = query_header(path.read_text(encoding="utf-8"))
                    typer.echo(f"{path.stem:40} {header.get('title', '')}")
                return
            if (sparql is None) == (name is None):
                typer.echo("error: give either a SPARQL query or --name NAME", err=True)
                raise typer.Exit(2)
            if fmt is not None and fmt not in FORMATS:
                _usage(f"--format {fmt}: unknown format (use one of {', '.join(FORMATS)})")
            text = canned_query(name, settings) if name else sparql
            prefixes = display_prefixes(settings)
            bindings = dict(parse_binding(b, prefixes) for b in bind)
            result = run_raw(text, release, settings, area, bindings)
            out = write_result(result, fmt, prefixes)
            sys.stdout.buffer.write(out if out.endswith(b"\n") else out + b"\n")
            sys.stdout.flush()
        except PipelineError as exc:
            _fail(exc)

    @app.command("serve-sparql")
    def serve_sparql(
        port: int = typer.Option(7878, "--port", help="Port on 127.0.0.1 (1-65535, free)."),
        allow_updates: bool = typer.Option(
            False, "--allow-updates", help="Accept SPARQL Update (on a scratch copy; the release never changes)."
        ),
        release: Optional[Path] = typer.Option(None, "--release", help="Release folder (default: output/latest)."),
    ) -> None:
        """Serve a release as a SPARQL endpoint on http://127.0.0.1:PORT/query (Ctrl-C stops)."""
        from pipeline.sparql.server import check_port, load_location, start_server
        from pipeline.store import release_dir_for

        settings = Settings.from_env()
        try:
            check_port(port)  # before the (slow) load: a busy port is known at once
            release_dir = release_dir_for(release, settings)
            location = load_location(release_dir, settings.cache_dir / "oxigraph" / _release_id(release_dir))
            server = start_server(location, port, allow_updates=allow_updates)
        except PipelineError as exc:
            _fail(exc)
            return
        mode = "read-write (scratch copy)" if allow_updates else "read-only"
        typer.echo(f"SPARQL endpoint ({mode}) for {release_dir.resolve()}: {server.query_url}")
        if allow_updates:
            typer.echo(f"updates: {server.update_url}   graph store: {server.store_url}")
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        try:
            server.process.wait()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()

    @app.command("push")
    def push(
        endpoint: str = typer.Option(..., "--endpoint", help="Graph Store Protocol URL, e.g. http://host:7878/store"),
        graph: Optional[str] = typer.Option(
            None, "--graph", help="Named graph IRI to replace (default: the dataset IRI under the base IRI)."
        ),
        default_graph: bool = typer.Option(False, "--default-graph", help="Replace the default graph instead."),
        release: Optional[Path] = typer.Option(None, "--release", help="Release folder (default: output/latest)."),
    ) -> None:
        """Replace a named graph on a remote store with the release (HTTP PUT).

        Credentials: SERVICEGRAPH_PUSH_USER + SERVICEGRAPH_PUSH_PASSWORD, or SERVICEGRAPH_PUSH_TOKEN.
        """
        from pipeline.sparql.push import push_turtle
        from pipeline.store import release_dir_for

        if graph is not None and default_graph:
            # Which graph to replace would be a guess: a usage error, before anything is read or sent.
            _usage("--graph and --default-graph name different targets: give one of them")
        settings = Settings.from_env()
        try:
            release_dir = release_dir_for(release, settings)
            payload = push_payload(release_dir)
            target = None if default_graph else (graph or f"{settings.base_iri}dataset/servicegraph")
            result = push_turtle(endpoint, payload, target)
        except PipelineError as exc:
            _fail(exc)
            return
        where = f"<{result.graph}>" if result.graph else "the default graph"
        typer.echo(f"pushed {result.bytes_sent} bytes to {where} at {result.endpoint} (HTTP {result.status})")


def push_payload(release_dir: Path) -> bytes:
    """Data + ontology of a release as one Turtle document (each file declares its prefixes)."""
    parts = []
    for name in ("servicegraph.ttl", "ontology.ttl"):
        f = release_dir / name
        if f.is_file():
            parts.append(f.read_bytes())
    return b"\n".join(parts)
