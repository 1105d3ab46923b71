"""Executors run the plan's jobs the same way: worker processes give what one process gives."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
import reliability_helpers as rh
from pipeline.config import Settings
from pipeline.errors import ExtractionError, SourceError
from pipeline.run.executors import LocalExecutor, worker_count
from pipeline.run.jobs import extract_job
from pipeline.sources import discover_sources


def _settings(sources: Path, tmp: Path, workers: int) -> Settings:
    return Settings(sources=sources, output=tmp / "output", cache_dir=tmp / f"cache-{workers}", workers=workers)


def _outcomes(executor: LocalExecutor, sources, settings: Settings) -> list:
    jobs = [(s, settings) for s in sources]
    results: list = [None] * len(jobs)
    order = []
    try:
        for index, outcome in executor.map("extract", extract_job, jobs, [s.id for s in sources]):
            results[index] = outcome
            order.append(index)
    finally:
        executor.close()
    assert sorted(order) == list(range(len(jobs)))  # every job reported exactly once
    return results


def test_two_worker_processes_give_the_outcomes_of_one_process(tmp_path: Path) -> None:
    sources = discover_sources(rh.RAW)
    parallel = _outcomes(LocalExecutor(2), sources, _settings(rh.RAW, tmp_path, 2))
    serial = _outcomes(LocalExecutor(1), sources, _settings(rh.RAW, tmp_path, 1))
    assert [o.source_id for o in parallel] == [s.id for s in sources]
    assert [(o.area_id, o.warnings, o.error) for o in parallel] == [(o.area_id, o.warnings, o.error) for o in serial]
    assert {o.area_id for o in parallel} == {"paijat-hameen-tyollisyysalue"}
    assert not any(o.cached for o in parallel)
    again = _outcomes(LocalExecutor(2), sources, _settings(rh.RAW, tmp_path, 2))
    assert all(o.cached for o in again)


def test_a_document_failing_on_a_worker_comes_back_as_its_own_error_naming_the_file(tmp_path: Path) -> None:
    folder = rh.real_sources(tmp_path / "sources")
    rh.truncated(folder / "zz-rikki.pdf")
    sources = discover_sources(folder)
    outcomes = _outcomes(LocalExecutor(2), sources, _settings(folder, tmp_path, 2))
    failed = [o for o in outcomes if o.error is not None]
    assert [o.source_id for o in failed] == ["zz-rikki"]
    assert isinstance(failed[0].error, SourceError)
    assert failed[0].error.path.endswith("zz-rikki.pdf")
    assert str(failed[0].error).startswith(failed[0].error.path + ": ")
    assert all(o.area_id for o in outcomes if o.error is None)  # the good ones are unaffected


def test_pipeline_errors_cross_a_process_boundary_with_message_and_fields() -> None:
    error = ExtractionError("raw/x.pdf", "no table header found", page=3)
    back = pickle.loads(pickle.dumps(error))
    assert (type(back), str(back), back.path, back.page) == (ExtractionError, str(error), "raw/x.pdf", 3)


def test_worker_count_uses_the_cores_but_never_more_processes_than_jobs() -> None:
    assert worker_count(0, 1) == 1
    assert worker_count(4, 3) == 3
    assert 1 <= worker_count(0, 100) <= (os.cpu_count() or 1)


def test_prefetched_jobs_are_picked_up_by_a_later_submit(tmp_path: Path) -> None:
    sources = discover_sources(rh.RAW)
    settings = _settings(rh.RAW, tmp_path, 2)
    executor = LocalExecutor(2)
    try:
        executor.prefetch(extract_job, [(s, settings) for s in sources])
        outcomes = [executor.submit(extract_job, s, settings) for s in sources]
        assert not executor._prefetched  # each running job was taken, none started twice
    finally:
        executor.close()
    assert [o.source_id for o in outcomes] == [s.id for s in sources]
    assert not any(o.cached for o in outcomes)


class _Submitting:
    """The shape of PrefectExecutor on the thread runner, without Prefect: each job a submit."""

    def __init__(self, local: LocalExecutor) -> None:
        self.local = local

    def map(self, stage, fn, jobs, labels):
        for index, job in enumerate(jobs):
            yield index, self.local.submit(fn, *job)

    def close(self) -> None:
        pass


def test_shards_started_while_prefect_boots_are_built_once_and_publish_what_a_plain_run_publishes(tmp_path: Path) -> None:
    from pipeline.run.plan import execute, prepare, run_pipeline
    from pipeline.run.speculate import speculate

    settings = _settings(rh.RAW, tmp_path, 2)
    local = LocalExecutor(2)
    try:
        plan = prepare(settings)
        extracts = local.prefetch(extract_job, [(s, settings) for s in plan.sources])
        speculation = speculate(plan, local, extracts)
        assert speculation is not None
        report = execute(plan, _Submitting(local), planner=speculation.planner)
        assert not local._prefetched  # the speculated shard job was taken by the shard stage
    finally:
        local.close()
    assert (report.status, report.shards_built, report.parsed) == ("published", 1, 2)

    plain = Settings(sources=rh.RAW, output=tmp_path / "plain", cache_dir=tmp_path / "cache-plain", workers=1)
    run_pipeline(plain)
    for name in ("servicegraph.ttl", "servicegraph.jsonld"):
        assert (settings.output / "latest" / name).read_bytes() == (plain.output / "latest" / name).read_bytes()


def test_a_speculated_shard_plan_is_used_only_for_the_outcomes_it_was_made_from(tmp_path: Path) -> None:
    from pipeline.run.plan import Options, prepare
    from pipeline.run.speculate import speculate

    settings = _settings(rh.RAW, tmp_path, 2)
    local = LocalExecutor(2)
    try:
        plan = prepare(settings)
        assert speculate(plan, local, []) is None  # nothing prefetched: nothing to follow
        strict = prepare(settings, Options(strict=True))
        assert speculate(strict, local, [object()]) is None  # a strict run builds nothing ahead
        extracts = local.prefetch(extract_job, [(s, settings) for s in plan.sources])
        speculation = speculate(plan, local, extracts)
        fresh = speculation.planner(plan, [], None, None)  # other outcomes: planned anew
        assert (fresh.jobs, fresh.shards) == ((), {})
        same = speculation.planner(plan, [f.result() for f in extracts], None, None)
        assert [j.area_id for j in same.jobs] == ["paijat-hameen-tyollisyysalue"]
    finally:
        local.close()


@pytest.mark.slow
def test_the_tasks_prefect_sends_to_dask_do_not_carry_the_plan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Prefect ships the flow (in its context) with every task. If cloudpickle pickles the flow's
    # function by value, the globals it reads go too, and with them every plan of this process:
    # at N = 1,000 that was ~1 MB in each of ~1,045 tasks, 1.5 GiB kept in the main process.
    import cloudpickle
    from distributed import Client

    from pipeline import flows
    from pipeline.run.with_prefect import run_with_prefect

    sizes: list[int] = []
    submit = Client.submit

    def measured(self, func, *args, **kwargs):
        if "context" in kwargs:  # a Prefect task (prefect_dask.client.PrefectDaskClient.submit)
            sizes.append(len(cloudpickle.dumps((func, args, kwargs))))
        return submit(self, func, *args, **kwargs)

    monkeypatch.setattr(Client, "submit", measured)
    monkeypatch.setitem(flows._RUNS, "a-plan-of-another-run", "x" * 2_000_000)  # as a large plan would weigh
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect"))
    settings = Settings(sources=rh.RAW, output=tmp_path / "output", cache_dir=tmp_path / "cache", workers=2)
    report = run_with_prefect(settings, dask=True)
    assert report.status == "published"
    assert len(sizes) >= 3  # two extract tasks and a shard task went through Dask
    assert max(sizes) < 200_000, sorted(sizes)[-3:]
