"""The two jobs a run is made of, as plain picklable functions that any executor can run.

- `extract_job`: one source -> its records (cached) and the employment area it belongs to.
- `shard_job`: one area's sources -> normalise -> map -> validate -> serialise, into the
  shard cache.

A job never raises a PipelineError: it returns it inside its outcome, so that one bad source or
one bad area is reported and isolated by the plan, on every executor alike (a task that returns
its failure does not make Prefect print a traceback). Anything else is a bug and propagates.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pipeline import cache
from pipeline.config import Settings
from pipeline.errors import PipelineError, ValidationFailed
from pipeline.model import ExtractedDocument, Source
from pipeline.run import shard_cache
from pipeline.model import ShardResult


@dataclass(frozen=True)
class SourceOutcome:
    source_id: str
    area_id: str | None = None
    area_name: str | None = None
    cached: bool = False
    warnings: tuple[str, ...] = ()
    error: PipelineError | None = None


@dataclass(frozen=True)
class ShardJob:
    area_id: str
    sources: tuple[Source, ...]
    settings: Settings
    key: str


@dataclass(frozen=True)
class ShardOutcome:
    area_id: str
    result: ShardResult | None = None
    error: PipelineError | None = None


# --------------------------------------------------------------------------- extract


def _area_index_path(settings: Settings, source: Source) -> Path:
    # The area depends on the extraction and on the manifest's publisher.
    publisher = hashlib.sha256((source.publisher or "").encode()).hexdigest()[:12]
    return settings.cache_dir / "areas" / f"{cache.key(source)}-{publisher}.json"


def _write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False)
    os.replace(tmp, path)


def document(source: Source, settings: Settings) -> tuple[ExtractedDocument, bool]:
    """The records of one source: from the extraction cache, else parsed (and cached)."""
    hit = cache.load(settings.cache_dir, source)
    if hit is not None:
        return hit, True
    from pipeline.extract.document import extract_document

    parsed = extract_document(source, settings)
    cache.store(settings.cache_dir, parsed)
    return parsed, False


def extract_job(source: Source, settings: Settings) -> SourceOutcome:
    """Extract one source (or find it cached) and say which employment area publishes it."""
    index = _area_index_path(settings, source)
    try:
        known = json.loads(index.read_text(encoding="utf-8"))
        if cache.load_exists(settings.cache_dir, source):
            return SourceOutcome(source.id, known["area_id"], known["area_name"], True, tuple(known["warnings"]))
    except (OSError, ValueError, KeyError):
        pass
    try:
        doc, cached = document(source, settings)
        from pipeline.normalise.services import document_warnings, resolve_area

        area, area_warnings = resolve_area(doc)
    except PipelineError as error:
        return SourceOutcome(source.id, error=error)
    warnings = document_warnings(doc) + tuple(area_warnings)
    _write_json(index, {"area_id": area.id, "area_name": area.name, "warnings": list(warnings)})
    return SourceOutcome(source.id, area.id, area.name, cached, warnings)


# --------------------------------------------------------------------------- shard


def shard_job(job: ShardJob) -> ShardOutcome:
    """Normalise, map, validate and serialise one employment area; the files go to the cache."""
    try:
        return ShardOutcome(job.area_id, result=build_shard(job))
    except PipelineError as error:
        return ShardOutcome(job.area_id, error=error)


def build_shard(job: ShardJob) -> ShardResult:
    from pipeline.normalise.services import normalise
    from pipeline.publish import serialise
    from pipeline.rdf.mapping import catalogue_to_graph, definitions_graph

    settings = job.settings
    docs = [document(source, settings)[0] for source in job.sources]
    catalogue = normalise(docs)
    graph = catalogue_to_graph(catalogue, settings)  # with the definitions, for sh:class checks
    validate_shard(graph, settings, job.area_id)
    graph -= definitions_graph(settings)  # published once, in ontology.ttl, not in every shard
    ttl = serialise.to_turtle(graph, settings.def_iri)
    jsonld = serialise.to_jsonld(graph, settings.def_iri)

    from pipeline.publish.assemble import describe_shard

    result = describe_shard(graph, area_id=job.area_id, key=job.key, ttl=ttl, jsonld=jsonld,
                            source_ids=(s.id for s in job.sources), warnings=catalogue.warnings,
                            base_iri=settings.base_iri, def_iri=settings.def_iri)
    with shard_cache.staging(settings) as folder:
        # The area's pages and PDF crops are built here, on the worker, so they scale with the shards.
        from pipeline.publish.site.assemble import build_shard_pages

        build_shard_pages(graph, definitions_graph(settings), {s.id: s.path for s in job.sources},
                          area_id=job.area_id, base=settings.base_iri, def_base=settings.def_iri, folder=folder,
                          crop_cache=settings.cache_dir / "crops")
        shard_cache.store(settings, result, ttl, jsonld, extra=folder)
    return result


def validate_shard(graph, settings: Settings, area_id: str) -> None:
    """SHACL on one area; on violations the report goes to <output>/validation/<area>/."""
    from pipeline.validate import project_shapes, validate, write_report

    engine = {} if settings.shacl_engine == "pyshacl" else {"engine": settings.shacl_engine}
    result = validate(graph, project_shapes(settings), def_iri=settings.def_iri, **engine)
    if not result.conforms:
        report_dir = settings.output / "validation" / area_id
        write_report(result, report_dir)
        raise ValidationFailed(f"area {area_id}: {result.summary()}", report_dir)


JOBS = {"extract": extract_job, "shard": shard_job}  # by stage name, for executors that name jobs
