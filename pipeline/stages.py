"""The pipeline's stages as plain typed functions, composed by `runner` (bare) and `flows` (Prefect).

raw -> extract -> normalise -> map -> validate -> publish. Nothing here imports Prefect.
"""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from pipeline import cache
from pipeline.config import Settings
from pipeline.errors import ValidationFailed
from pipeline.workers import Progress
from pipeline.model import Catalogue, ExtractedDocument, Source


@dataclass(frozen=True)
class Extracted:
    document: ExtractedDocument
    cached: bool  # True: this exact file was parsed by an earlier run with the same code


def parse_source(source: Source, settings: Settings) -> ExtractedDocument:
    """Parse the PDF and keep its records in the cache: the job a worker process runs."""
    from pipeline.extract.document import extract_document

    document = extract_document(source, settings)
    cache.store(settings.cache_dir, document)
    return document


def extract_source(source: Source, settings: Settings, pool: Executor | None = None) -> Extracted:
    """The records of one source: from the cache when the file and the code are unchanged,
    else parsed here or, given a process `pool`, on one of its workers."""
    hit = cache.load(settings.cache_dir, source)
    if hit is not None:
        return Extracted(hit, cached=True)
    if pool is not None:
        return Extracted(pool.submit(parse_source, source, settings).result(), cached=False)
    return Extracted(parse_source(source, settings), cached=False)


def extract_sources(sources: list[Source], settings: Settings, progress: Progress | None = None) -> list[Extracted]:
    """Every source, in order; documents not in the cache are parsed on Settings.workers processes."""
    from pipeline.workers import extract_all

    return extract_all(sources, settings, progress)


def normalise_documents(documents: list[ExtractedDocument]) -> Catalogue:
    from pipeline.normalise.services import normalise

    return normalise(sorted(documents, key=lambda d: d.source.id))


def map_catalogue(catalogue: Catalogue, settings: Settings) -> Graph:
    from pipeline.rdf.mapping import catalogue_to_graph

    return catalogue_to_graph(catalogue, settings)


def shapes_files(settings: Settings) -> list[Path]:
    return sorted(settings.shapes_dir.glob("*.ttl"))


def validate_graph(graph: Graph, settings: Settings) -> int:
    """Validate against the project's shapes; on violations write the report and raise.

    Returns the number of violations (0). The report goes to `<output>/validation/` so that a
    failed run leaves its reason beside the untouched previous release.
    """
    from pipeline.validate import validate, write_report

    result = validate(graph, shapes_files(settings), def_iri=settings.def_iri)
    if not result.conforms:
        report_dir = settings.output / "validation"
        write_report(result, report_dir)
        raise ValidationFailed(result.summary(), report_dir)
    return 0
