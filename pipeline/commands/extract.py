"""`servicegraph extract FILE.pdf`: the records of one file, as a table or JSON."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import typer

from pipeline.config import Settings
from pipeline.errors import PipelineError
from pipeline.model import ExtractedDocument, Source
from pipeline.sources import sha256_file, source_id_for


def _jsonable(value: object) -> object:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def document_json(doc: ExtractedDocument) -> str:
    return json.dumps(_jsonable(asdict(doc)), ensure_ascii=False, indent=2)


def document_table(doc: ExtractedDocument) -> str:
    """One line per record, as the document's reader describes its records."""
    from pipeline.extract.readers import get as get_reader

    reader = get_reader(doc.reader)
    lines = [f"{doc.source.path.name}: layout {doc.layout}, {doc.pages} pages, title {doc.title!r}, area {doc.area_name!r}"]
    lines += [reader.describe(record) for record in doc.records]
    lines += [f"warning: {w}" for w in doc.warnings]
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    @app.command()
    def extract(
        file: Path = typer.Argument(..., help="A source PDF"),
        format: str = typer.Option("table", "--format", "-f", help="table or json"),
        layout: str = typer.Option(None, help="Layout profile id, overriding detection"),
    ) -> None:
        """Print the records extracted from one PDF (no normalisation)."""
        from pipeline.extract.document import extract_document

        if format not in ("table", "json"):
            raise typer.BadParameter("--format must be table or json")
        try:
            if not file.is_file():
                raise PipelineError(f"{file}: no such file")
            source = Source(id=source_id_for(file), path=file.resolve(), sha256=sha256_file(file), layout=layout)
            doc = extract_document(source, Settings.from_env())
        except PipelineError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None
        typer.echo(document_json(doc) if format == "json" else document_table(doc))
