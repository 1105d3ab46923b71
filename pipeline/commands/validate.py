"""`servicegraph validate FILE.ttl [--shapes PATH ...]`: check any Turtle file against the shapes."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rdflib import Graph

from pipeline.config import Settings
from pipeline.errors import SourceError
from pipeline.validate import project_shapes, validate


def _read_data(path: Path) -> Graph:
    if not path.is_file():
        raise SourceError(path, "file not found")
    graph = Graph()
    try:
        graph.parse(path, format="turtle")
    except UnicodeDecodeError:
        raise SourceError(path, "not UTF-8 text") from None
    except Exception as exc:  # rdflib raises several unrelated types for bad Turtle
        raise SourceError(path, f"not valid Turtle: {exc}") from None
    return graph


def validate_command(
    file: Path = typer.Argument(..., help="Turtle file to validate (e.g. output/servicegraph.ttl)."),
    shapes: Optional[list[Path]] = typer.Option(
        None, "--shapes", help="Extra SHACL shapes file(s), e.g. the CPSV-AP 3.2.0 shapes. Repeatable."
    ),
    def_iri: Optional[str] = typer.Option(None, "--def-iri", help="Definitions base IRI the data uses."),
    report_dir: Optional[Path] = typer.Option(None, "--report-dir", help="Also write report.ttl and summary.txt here."),
) -> None:
    """Validate FILE against the project's SHACL shapes (and any --shapes); exit 1 on violations."""
    settings = Settings.from_env(def_iri=def_iri)
    try:
        data = _read_data(file)
        shapes_files = project_shapes(settings) + list(shapes or [])
        if not shapes_files:
            raise SourceError(settings.shapes_dir, "no shapes files (*.ttl)")
        result = validate(data, shapes_files, def_iri=settings.def_iri)
    except SourceError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(result.summary())
    if report_dir is not None:
        from pipeline.validate import write_report

        write_report(result, report_dir)
    raise typer.Exit(0 if result.conforms else 1)


def register(app: typer.Typer) -> None:
    app.command("validate")(validate_command)
