"""`servicegraph run` on Prefect, with Prefect's fixed cost hidden behind the run's own work.

Prefect's temporary API server spends ~3.5 s of CPU importing itself, and the client ~1.2 s.
Here the server subprocess starts first (before this process imports Prefect), the worker
processes are forked (before Prefect starts threads) and the extract jobs start on them while
both import, each area's shard job as soon as its sources are extracted (pipeline.run.speculate);
the flow's "extract <id>" and "shard <area>" tasks then pick up those running jobs. A run with nothing
to do never starts any of it. Measured in docs/orchestration.md.
"""

from __future__ import annotations

import importlib

from pipeline.config import Settings
from pipeline.run.executors import LocalExecutor
from pipeline.run.interrupt import INTERRUPTS
from pipeline.run.jobs import extract_job
from pipeline.run.plan import Options, Plan, Progress, prepare, run_lock, unchanged_report
from pipeline.run.report import RunReport
from pipeline.run.speculate import speculate

_STAGE_MODULES = ("pipeline.extract.document", "pipeline.normalise.services", "pipeline.rdf.mapping")


def run_with_prefect(settings: Settings, options: Options | None = None, *, dask: bool = False,
                     dask_address: str | None = None, progress: Progress | None = None) -> RunReport:
    with run_lock(settings):
        plan = prepare(settings, options)
        if plan.unchanged:
            return unchanged_report(plan)
        return run_plan_flow(plan, dask=dask, dask_address=dask_address, progress=progress)


def run_plan_flow(plan: Plan, *, dask: bool = False, dask_address: str | None = None,
                  progress: Progress | None = None) -> RunReport:
    from pipeline.prefect_api import LocalApi, configured_api_url

    api = None if configured_api_url() else LocalApi()
    stop_api = INTERRUPTS.on_interrupt(api.stop) if api is not None else None
    local = None if (dask or dask_address) else LocalExecutor(plan.settings.workers)
    speculation = None
    kill = INTERRUPTS.on_interrupt(local.kill) if local is not None else None
    try:
        if local is not None:
            for module in _STAGE_MODULES:  # imported once here, inherited by the forked workers
                importlib.import_module(module)
            local.warm()
            extracts = local.prefetch(extract_job, [(s, plan.settings) for s in plan.sources])
            speculation = speculate(plan, local, extracts)  # the shards follow, on the workers
        from pipeline import flows  # imports Prefect while the server boots and the PDFs parse

        return flows.run_plan(plan, local, api, dask=dask, dask_address=dask_address, progress=progress,
                              speculation=speculation)
    finally:
        if local is not None:
            local.close()
        for cleanup in (kill, stop_api):
            if cleanup is not None:
                INTERRUPTS.forget(cleanup)
        if api is not None:
            api.stop()
