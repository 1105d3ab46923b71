"""A whole run, and what it reports: shared by the bare pipeline and the Prefect flow.

`run_pipeline` composes the stages in plain Python (the benchmark's baseline and the engine of
`servicegraph run --no-prefect`); `pipeline.flows` composes the very same stage functions as
Prefect tasks. Both hold the output lock for the whole run, skip the run when its fingerprint
equals the last published one, and never touch the previous release when a stage fails.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rdflib import Graph

from pipeline import stages
from pipeline.config import Settings
from pipeline.workers import Progress
from pipeline.fingerprint import run_fingerprint
from pipeline.model import Catalogue, ExtractedDocument, Source
from pipeline.sources import discover_sources



@dataclass
class RunReport:
    status: str  # "published", "unchanged" (nothing new to publish)
    message: str
    sources: int = 0
    parsed: int = 0  # sources whose PDF was parsed in this run
    cached: int = 0  # sources taken from the extraction cache
    entries: int = 0
    services: int = 0
    triples: int = 0
    violations: int = 0
    release: str | None = None
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


# --------------------------------------------------------------------------- run state

_STATE = "last-run.json"


def _state_path(settings: Settings) -> Path:
    return settings.cache_dir / _STATE


def last_fingerprint(settings: Settings) -> tuple[str | None, str | None]:
    """(fingerprint, release id) of the last run that published or confirmed a release."""
    try:
        state = json.loads(_state_path(settings).read_text(encoding="utf-8"))
        return state.get("fingerprint"), state.get("release")
    except (OSError, ValueError):
        return None, None


def remember_fingerprint(settings: Settings, fingerprint: str, release: str) -> None:
    path = _state_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".last-run-")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump({"fingerprint": fingerprint, "release": release, "output": str(settings.output)}, handle)
    os.replace(tmp, path)


def unchanged_release(settings: Settings, sources: list[Source]) -> tuple[str, str | None]:
    """This run's fingerprint, and the release it already produced if nothing changed since."""
    from pipeline.publish.release import current_release

    fingerprint = run_fingerprint(sources, settings)
    last, release = last_fingerprint(settings)
    if last == fingerprint and release and current_release(settings.output) == release:
        return fingerprint, release
    return fingerprint, None


@contextmanager
def run_lock(settings: Settings) -> Iterator[None]:
    from pipeline.publish.release import output_lock

    with output_lock(settings.output):
        yield


# --------------------------------------------------------------------------- composition


def summarise(
    report: RunReport,
    extracted: list[stages.Extracted],
    catalogue: Catalogue,
    graph: Graph,
) -> None:
    report.parsed = sum(not e.cached for e in extracted)
    report.cached = sum(e.cached for e in extracted)
    report.services = len(catalogue.services)
    report.entries = sum(len(s.entries) for s in catalogue.services)
    report.triples = len(graph)
    report.warnings = sorted({*catalogue.warnings, *(w for e in extracted for w in e.document.warnings)})


def finish(report: RunReport, settings: Settings, fingerprint: str, graph: Graph, sources: list[Source]) -> RunReport:
    """Publish the validated graph and fill in what changed."""
    from pipeline.publish.release import publish

    result = publish(graph, settings.output, settings=settings, manifest_dates=[s.date for s in sources], locked=True)
    report.release = result.release_id
    report.status = "published" if result.created else "unchanged"
    report.message = result.message
    if result.changes is not None:
        report.added = [c.title for c in result.changes.added]
        report.removed = [c.title for c in result.changes.removed]
        report.changed = [c.title for c in result.changes.changed]
    remember_fingerprint(settings, fingerprint, result.release_id)
    return report


def run_pipeline(settings: Settings, progress: Progress | None = None) -> RunReport:
    """Run every stage in this process, without Prefect."""
    with run_lock(settings):
        sources = discover_sources(settings.sources)
        fingerprint, release = unchanged_release(settings, sources)
        if release:
            return RunReport("unchanged", f"nothing changed since release {release}: nothing published",
                             sources=len(sources), cached=len(sources), release=release)
        extracted = stages.extract_sources(sources, settings, progress)
        documents: list[ExtractedDocument] = [e.document for e in extracted]
        catalogue = stages.normalise_documents(documents)
        graph = stages.map_catalogue(catalogue, settings)
        report = RunReport("running", "", sources=len(sources))
        summarise(report, extracted, catalogue, graph)
        stages.validate_graph(graph, settings)
        return finish(report, settings, fingerprint, graph, sources)
