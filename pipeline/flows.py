"""Prefect flows: the plan of pipeline.run, with each job a Prefect task. Nothing else.

- `publish_flow` runs `plan.execute` with a `PrefectExecutor`: one task per source
  ("extract <id>") and one per employment area ("shard <area>"), on the flow's task runner:
  threads whose bodies run on a LocalExecutor's worker processes (the default), or Dask.
- `run_plan` runs a prepared plan as that flow (pipeline.run.with_prefect is the entry of
  `servicegraph run`, which starts the work before Prefect is imported).
- `watch_flow` is the scheduled check of `servicegraph serve`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.prefect_api import prefect_api, quiet_prefect, warm_engine

quiet_prefect()  # before Prefect reads its settings: no telemetry, no "View at" links

from prefect import flow, get_run_logger, task  # noqa: E402
from prefect.artifacts import create_markdown_artifact  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.futures import as_completed  # noqa: E402

from pipeline.config import Settings  # noqa: E402
from pipeline.fetch import FetchOutcome, TransientFetchError, fetch_remote_sources  # noqa: E402
from pipeline.run.executors import LocalExecutor  # noqa: E402
from pipeline.run.jobs import JOBS  # noqa: E402
from pipeline.run.plan import Plan, Progress, execute, prepare, run_lock, unchanged_report  # noqa: E402
from pipeline.run.report import RunReport  # noqa: E402
from pipeline.run.speculate import ShardSpeculation  # noqa: E402

# --------------------------------------------------------------------------- tasks


def run_job(stage: str, label: str, args: tuple, local: LocalExecutor | None) -> Any:
    # On the thread runner the body waits for a worker process; on Dask it runs on the worker.
    # The job is named by its stage, not passed as a function: parameters stay plain data.
    fn = JOBS[stage]
    return local.submit(fn, *args) if local is not None else fn(*args)


# A task of its own name, so that Dask pickles `run_job` by reference (a decorated function
# under its own name is "not the same object" and would be pickled by value).
job_task = task(name="job", cache_policy=NO_CACHE, persist_result=False, task_run_name="{stage} {label}")(run_job)


class PrefectExecutor:
    """Each job a Prefect task on the current flow's task runner."""

    def __init__(self, local: LocalExecutor | None) -> None:
        self.local = local

    def map(self, stage: str, fn: Callable[..., Any], jobs: Sequence[tuple], labels: Sequence[str]) -> Iterator[tuple[int, Any]]:
        if self.local is not None and len(jobs) > 1:
            self.local.warm()  # from the flow's thread, not from a task's
        assert JOBS[stage] is fn, f"{stage}: not the plan's job"
        futures = {job_task.submit(stage, label, job, self.local): i for i, (job, label) in enumerate(zip(jobs, labels))}
        for future in as_completed(list(futures)):
            yield futures[future], future.result()

    def kill(self) -> None:
        if self.local is not None:
            self.local.kill()

    def close(self) -> None:
        pass  # the LocalExecutor belongs to the caller


def _is_transient(task, task_run, state) -> bool:  # Prefect's retry_condition_fn signature
    try:
        # _sync: State.result dispatches to its coroutine when it sees an event loop in this
        # thread (one a test's browser fixture left, say), and an unawaited coroutine raises nothing.
        state.result(_sync=True)
    except TransientFetchError:
        return True
    except Exception:
        return False
    return False


@task(name="fetch-remote-sources", retries=3, retry_delay_seconds=[1, 3, 9], retry_condition_fn=_is_transient,
      cache_policy=NO_CACHE, persist_result=False)
def fetch_task(sources_dir: Path) -> list[FetchOutcome]:
    outcomes = fetch_remote_sources(sources_dir)
    logger = get_run_logger()
    for o in outcomes:
        logger.info("%s: %s (%s)", o.source_id, "downloaded" if o.downloaded else "not modified", o.url)
    return outcomes


# --------------------------------------------------------------------------- flows


@dataclass(frozen=True)
class _Run:
    plan: Plan
    local: LocalExecutor | None
    progress: Progress | None
    speculation: ShardSpeculation | None


# The plans being run in this process, by token. A flow's parameters go into the context that
# Prefect ships with every task it submits: on Dask, a plan of 1,000 sources as a parameter was
# pickled into each of ~1,045 tasks and held by the workers until the flow ended (2.9 GiB in one
# worker at N = 1,000). The flow takes only the token; the flow body runs in this process.
_RUNS: dict[str, _Run] = {}


def publish_run(run: str) -> RunReport:
    """The plan's jobs as tasks; the report as a markdown artifact. `run` names a plan of this
    process (its fingerprint)."""
    job = _RUNS[run]
    report = execute(job.plan, PrefectExecutor(job.local), job.progress,
                     planner=job.speculation.planner if job.speculation else None)
    create_markdown_artifact(key="servicegraph-run", markdown=report.markdown(), description=report.message)
    return report


# The flow under another name than its function, as job_task above: Prefect puts the flow into the
# context it ships with every task, and cloudpickle pickles a function by value, with the globals
# it reads, when its module's attribute of that name is another object. `_RUNS` (the plan of
# 1,000 sources) then went with each of ~1,045 tasks, and the in-process Dask scheduler kept every
# copy: 1.5 GiB in the main process at N = 1,000 (test_orchestration pins the payload's size).
publish_flow = flow(name="servicegraph-publish", log_prints=False, validate_parameters=False,
                    persist_result=False)(publish_run)


def task_runner_for(dask: bool, dask_address: str | None, workers: int):
    """Threads by default; Dask processes (a local cluster, or a scheduler) when asked."""
    if not (dask or dask_address):
        return None
    from prefect_dask import DaskTaskRunner

    if dask_address:
        return DaskTaskRunner(address=dask_address)
    from pipeline.run.executors import worker_count

    import logging

    return DaskTaskRunner(cluster_kwargs={"n_workers": worker_count(workers), "threads_per_worker": 1,
                                          "processes": True, "dashboard_address": "127.0.0.1:0",
                                          "silence_logs": logging.ERROR})


def run_plan(plan: Plan, local: LocalExecutor | None, api=None, *, dask: bool = False,
             dask_address: str | None = None, progress: Progress | None = None,
             speculation: ShardSpeculation | None = None) -> RunReport:
    """The plan as the publish flow, on the configured API or the temporary one (`api`)."""
    runner = task_runner_for(dask, dask_address, plan.settings.workers)
    with prefect_api(api) as ready:
        if ready is not None:
            warm_engine()
            ready.wait_ready()
        flow_ = publish_flow.with_options(task_runner=runner) if runner else publish_flow
        token = plan.fingerprint
        _RUNS[token] = _Run(plan, local, progress, speculation)
        try:
            return flow_(token)
        finally:
            _RUNS.pop(token, None)


@flow(name="servicegraph-watch", log_prints=False, persist_result=False, validate_parameters=False)
def watch_flow(sources: str | None = None, output: str | None = None, base_iri: str | None = None) -> RunReport:
    """Scheduled check: fetch remote sources (transient errors retried), publish only on change.

    Parameters are plain strings so that a Prefect deployment can carry them.
    """
    settings = Settings.from_env(
        sources=Path(sources) if sources else None, output=Path(output) if output else None, base_iri=base_iri
    )
    fetch_task(settings.sources)
    with run_lock(settings):
        plan = prepare(settings)
        if plan.unchanged:
            report = unchanged_report(plan)
        else:
            local = LocalExecutor(settings.workers)
            try:
                report = execute(plan, PrefectExecutor(local))
            finally:
                local.close()
    get_run_logger().info(report.message)
    return report


__all__ = ["PrefectExecutor", "fetch_task", "publish_flow", "run_plan", "task_runner_for", "watch_flow"]
