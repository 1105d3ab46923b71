"""The run, as one plan that every executor runs the same way.

    prepare:  discover -> refuse an empty sources folder -> fingerprint -> nothing changed?
    execute:  extract (one job per source, cached) -> group by employment area -> per area
              (shard cache, else one job) normalise -> map -> validate -> serialise ->
              guards -> assemble the release from the shards -> remember the fingerprint

A source that cannot be used is quarantined: every other area is published, its own area keeps
the shard of the latest release when there is one (else it is built from its other sources),
and the report names the file and the reason once. `strict` keeps all-or-nothing. The caller
holds the output lock from `prepare` to the end of `execute`.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline.config import Settings
from pipeline.errors import GuardRefused, PipelineError, SourceError
from pipeline.fingerprint import run_fingerprint
from pipeline.model import Source
from pipeline.run import guards, shard_cache
from pipeline.run.executors import Executor
from pipeline.run.jobs import ShardJob, ShardOutcome, SourceOutcome, extract_job, shard_job
from pipeline.run.report import Quarantined, RunReport
from pipeline.sources import discover_sources

Progress = Callable[[str, int, int, str], None]  # (stage, done, total, what)
_STATE = "last-run.json"


@dataclass(frozen=True)
class Options:
    strict: bool = False  # any unusable source fails the whole run (nothing published)
    allow_shrink: bool = False  # publish even if more than Settings.max_shrink of the services go
    strict_warnings: bool = False  # any warning fails the whole run (nothing published)


@dataclass(frozen=True)
class Plan:
    settings: Settings
    sources: tuple[Source, ...]
    fingerprint: str
    options: Options = field(default_factory=Options)
    unchanged: str | None = None  # the release this exact input already produced
    quarantined: tuple[Quarantined, ...] = ()  # what that release's run quarantined


# --------------------------------------------------------------------------- run state


def _state_path(settings: Settings) -> Path:
    return settings.cache_dir / _STATE


def last_state(settings: Settings) -> dict:
    try:
        state = json.loads(_state_path(settings).read_text(encoding="utf-8"))
        return state if isinstance(state, dict) else {}
    except (OSError, ValueError):
        return {}


def remember(settings: Settings, fingerprint: str, release: str, quarantined: list[Quarantined]) -> None:
    path = _state_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".last-run-")
    state = {"fingerprint": fingerprint, "release": release, "output": str(settings.output),
             "quarantined": [q.__dict__ for q in quarantined]}
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(state, handle, ensure_ascii=False)
    os.replace(tmp, path)


@contextmanager
def run_lock(settings: Settings) -> Iterator[None]:
    from pipeline.publish.release import output_lock

    with output_lock(settings.output):
        yield


# --------------------------------------------------------------------------- prepare


def prepare(settings: Settings, options: Options | None = None) -> Plan:
    """Discover the sources and decide whether there is anything to do (cheap: no PDF is read)."""
    from pipeline.publish.release import current_release

    guards.check_settings(settings)
    sources = discover_sources(settings.sources)
    guards.check_sources_present(settings, sources)
    fingerprint = run_fingerprint(sources, settings)
    state = last_state(settings)
    unchanged = None
    quarantined: tuple[Quarantined, ...] = ()
    release = state.get("release")
    if state.get("fingerprint") == fingerprint and release and current_release(settings.output) == release:
        unchanged = release
        quarantined = tuple(Quarantined(**q) for q in state.get("quarantined", []))
    return Plan(settings, tuple(sources), fingerprint, options or Options(), unchanged, quarantined)


def unchanged_report(plan: Plan) -> RunReport:
    """The report of a run with nothing to do; its counts are those of the release it keeps."""
    from pipeline.publish.assemble import read_index
    from pipeline.publish.release import RELEASES

    shards = [r for r, _ in (read_index(plan.settings.output / RELEASES / plan.unchanged) or {}).values()]
    return RunReport(
        "unchanged",
        f"nothing changed since release {plan.unchanged}: nothing published",
        sources=len(plan.sources),
        cached=len(plan.sources) - len({q.source_id for q in plan.quarantined}),
        shards=len(shards),
        services=sum(len(r.services) for r in shards),
        entries=sum(r.entries for r in shards),
        triples=sum(r.triples for r in shards),
        release=plan.unchanged,
        quarantined=list(plan.quarantined),
    )


# --------------------------------------------------------------------------- execute


def _run_stage(executor: Executor, stage: str, fn, jobs: list[tuple], labels: list[str],
               progress: Progress | None) -> list:
    results: list = [None] * len(jobs)
    done = 0
    for index, result in executor.map(stage, fn, jobs, labels):
        results[index] = result
        done += 1
        if progress:
            progress(stage, done, len(jobs), labels[index])
    return results


def _area_of_failed(source: Source, previous: dict | None) -> str | None:
    """The area of a source that could not be read: the manifest's publisher, else the area
    whose shard held it in the latest release."""
    if source.publisher:
        from pipeline.normalise.areas import area_from_text

        found = area_from_text(source.publisher)
        if found is not None:
            return found[0].id
    for area, shard in (previous or {}).items():
        if source.id in shard.result.source_ids:
            return area
    return None


def _cached_shard(job: ShardJob, result=None):
    """The shard of `job` in the shard cache (`result` when the job has just written it), or None."""
    from pipeline.publish.assemble import Shard

    result = result if result is not None else shard_cache.load(job.settings, job.key)
    if result is None:
        return None
    folder = shard_cache.entry_dir(job.settings, job.key)
    return Shard(result, folder / shard_cache.TTL, folder / shard_cache.JSONLD)


def _source_named(job: ShardJob, error: PipelineError) -> Source | None:
    """The source of `job` whose file the error names (a cell or entry it printed), if any."""
    path = getattr(error, "path", None)
    for source in job.sources:
        if path is not None and str(source.path) == str(path):
            return source
    return None


def _reason(error: PipelineError) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__


@dataclass(frozen=True)
class ShardPlan:
    """What the areas need once the sources are extracted: shards kept or cached, jobs to run."""

    shards: dict  # area -> Shard (kept from the latest release, or from the shard cache)
    jobs: tuple[ShardJob, ...]
    quarantined: tuple[Quarantined, ...]  # the sources that could not be extracted


def plan_shards(plan: Plan, outcomes: list[SourceOutcome], previous_id: str | None, previous: dict | None) -> ShardPlan:
    """Group the extracted sources by area; an area with a quarantined source keeps its shard of
    the latest release, an area whose inputs are cached takes the cached shard, the rest become
    jobs. Reads only: the speculative start under Prefect (pipeline.run.speculate) calls it too."""
    from pipeline.publish.assemble import Shard

    settings, sources = plan.settings, list(plan.sources)
    failed = [(s, o) for s, o in zip(sources, outcomes) if o.error is not None]
    quarantined: list[Quarantined] = []
    affected: dict[str, str | None] = {}  # area -> release whose shard it keeps
    for source, outcome in failed:
        area = _area_of_failed(source, previous)
        kept = None
        if area is not None and previous and area in previous:
            kept = previous[area].kept_from or previous_id
            affected[area] = kept
        quarantined.append(Quarantined(source.id, str(source.path), _reason(outcome.error), area, kept))

    by_area: dict[str, list[Source]] = defaultdict(list)
    for source, outcome in zip(sources, outcomes):
        if outcome.error is None:
            by_area[outcome.area_id].append(source)
    for area in affected:
        by_area.setdefault(area, [])

    shards: dict[str, Shard] = {}
    jobs: list[ShardJob] = []
    for area in sorted(by_area):
        if area in affected:
            shards[area] = previous[area]
            continue
        job = ShardJob(area, tuple(by_area[area]), settings, shard_cache.shard_key(area, by_area[area], settings))
        cached = _cached_shard(job)
        if cached is not None:
            shards[area] = cached
        else:
            jobs.append(job)
    return ShardPlan(shards, tuple(jobs), tuple(quarantined))


def execute(plan: Plan, executor: Executor, progress: Progress | None = None, critical=None,
            planner: Callable[..., ShardPlan] | None = None) -> RunReport:
    """Run the plan's jobs on `executor` and publish what is healthy.

    `critical` guards the swap of output/latest against an interrupt (default: the process's
    handler, pipeline.run.interrupt). `planner` stands in for `plan_shards` (same signature):
    under Prefect, the shard plan made while the API server booted.
    """
    from pipeline.publish.assemble import assemble_release, previous_shards
    from pipeline.run.interrupt import INTERRUPTS

    critical = critical or INTERRUPTS.critical
    settings, options = plan.settings, plan.options
    sources = list(plan.sources)
    report = RunReport("running", "", sources=len(sources))

    outcomes: list[SourceOutcome] = _run_stage(
        executor, "extract", extract_job, [(s, settings) for s in sources], [s.id for s in sources], progress)
    failed = [(s, o) for s, o in zip(sources, outcomes) if o.error is not None]
    if failed and options.strict:
        raise failed[0][1].error
    report.parsed = sum(1 for o in outcomes if o.error is None and not o.cached)
    report.cached = sum(1 for o in outcomes if o.error is None and o.cached)
    warnings = {w for o in outcomes for w in o.warnings}

    previous_id, previous = previous_shards(settings.output)
    areas = (planner or plan_shards)(plan, outcomes, previous_id, previous)
    shards, jobs, quarantined = dict(areas.shards), list(areas.jobs), list(areas.quarantined)

    report.shards_built = 0
    while jobs:
        built: list[ShardOutcome] = _run_stage(
            executor, "shard", shard_job, [(j,) for j in jobs], [j.area_id for j in jobs], progress)
        retry: list[ShardJob] = []
        for job, outcome in zip(jobs, built):
            if outcome.error is None:
                shards[job.area_id] = _cached_shard(job, outcome.result)
                report.shards_built += 1
                continue
            if options.strict:
                raise outcome.error
            reason = _reason(outcome.error)
            culprit = _source_named(job, outcome.error)
            if previous and job.area_id in previous:
                shards[job.area_id] = previous[job.area_id]
                kept = previous[job.area_id].kept_from or previous_id
                name, path = (culprit.id, str(culprit.path)) if culprit else (f"area {job.area_id}", f"area {job.area_id}")
                quarantined.append(Quarantined(name, path, reason, job.area_id, kept))
                continue
            # No earlier shard to keep: one source's data (a cell it printed, say) failed the whole
            # area; the area is built again without that source, as when a source cannot be read.
            if culprit is not None and len(job.sources) > 1:
                quarantined.append(Quarantined(culprit.id, str(culprit.path), reason, job.area_id))
                rest = tuple(s for s in job.sources if s is not culprit)
                retry.append(ShardJob(job.area_id, rest, settings, shard_cache.shard_key(job.area_id, list(rest), settings)))
                continue
            path = getattr(outcome.error, "path", None) or f"area {job.area_id}"
            quarantined.append(Quarantined(f"area {job.area_id}", path, reason, job.area_id))
        jobs = []
        for job in retry:
            cached = _cached_shard(job)
            if cached is not None:
                shards[job.area_id] = cached
            else:
                jobs.append(job)
    # What became of each quarantined source's area is known only now.
    quarantined = [replace(q, published=q.area is None or q.area in shards) for q in quarantined]

    if not shards:
        reasons = "; ".join(q.reason for q in quarantined) or "no area"
        raise GuardRefused(f"no employment area could be published ({reasons}); the previous release is unchanged")
    services = sum(len(s.result.services) for s in shards.values())
    previous_services = sum(len(s.result.services) for s in previous.values()) if previous else None
    guards.check_shrink(previous_services, services, settings.max_shrink, options.allow_shrink)
    warnings |= {w for s in shards.values() if s.kept_from is None for w in s.result.warnings}  # kept: stale
    guards.check_warnings(tuple(sorted(warnings)), options.strict_warnings)

    result = assemble_release(
        list(shards.values()), settings, manifest_dates=[s.date for s in sources], critical=critical)
    report.release = result.release_id
    report.status = "published" if result.created else "unchanged"
    report.message = result.message
    report.shards = len(shards)
    report.services = services
    report.entries = sum(s.result.entries for s in shards.values())
    report.triples = sum(s.result.triples for s in shards.values())
    report.quarantined = quarantined
    report.warnings = sorted(warnings)
    if result.changes is not None:
        report.added = [c.title for c in result.changes.added]
        report.removed = [c.title for c in result.changes.removed]
        report.changed = [c.title for c in result.changes.changed]
    remember(settings, plan.fingerprint, result.release_id, quarantined)
    return report


# --------------------------------------------------------------------------- bare entry


def run_pipeline(settings: Settings, progress: Progress | None = None, options: Options | None = None,
                 executor: Executor | None = None) -> RunReport:
    """The whole run without Prefect: lock, prepare, execute on a local pool (or `executor`)."""
    from pipeline.run.executors import LocalExecutor

    with run_lock(settings):
        plan = prepare(settings, options)
        if plan.unchanged:
            return unchanged_report(plan)
        own = executor is None
        executor = executor or LocalExecutor(settings.workers)
        try:
            return execute(plan, executor, progress)
        finally:
            if own:
                executor.close()


__all__ = ["Options", "Plan", "prepare", "execute", "run_pipeline", "run_lock", "unchanged_report", "SourceError"]
