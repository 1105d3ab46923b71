"""Under Prefect, start each area's shard job as soon as its sources are extracted.

Prefect's temporary API server needs ~4 s to answer its first request; the plan's work does not
need it. `with_prefect` prefetches the extract jobs on the worker processes; this thread waits
for them, makes the same shard plan `execute` would (`plan_shards`, which only reads) and
prefetches those shard jobs too. When the flow reaches its shard stage, `planner` hands it that
plan, and each "shard <area>" task picks up its running (often finished) job. Nothing is
published from here: assembling the release stays in the flow.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future

from pipeline.run.executors import LocalExecutor
from pipeline.run.jobs import SourceOutcome, shard_job
from pipeline.run.plan import Plan, ShardPlan, plan_shards


class ShardSpeculation:
    def __init__(self, plan: Plan, local: LocalExecutor, extracts: list[Future]) -> None:
        self._plan, self._local, self._extracts = plan, local, extracts
        self._outcomes: list[SourceOutcome] | None = None
        self._previous_id: str | None = None
        self._areas: ShardPlan | None = None
        # A daemon: an interrupted run kills the pool, this thread's wait then fails, and it ends.
        self._thread = threading.Thread(target=self._run, name="servicegraph-speculate", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        from pipeline.publish.assemble import previous_shards

        try:
            outcomes = [future.result() for future in self._extracts]
            previous_id, previous = previous_shards(self._plan.settings.output)
            areas = plan_shards(self._plan, outcomes, previous_id, previous)
            self._local.prefetch(shard_job, [(job,) for job in areas.jobs])
        except BaseException:  # noqa: BLE001 - a killed pool, or the flow will meet the error itself
            return
        self._outcomes, self._previous_id, self._areas = outcomes, previous_id, areas

    def planner(self, plan: Plan, outcomes: list[SourceOutcome], previous_id: str | None,
                previous: dict | None) -> ShardPlan:
        """`plan_shards` for the flow: the speculated plan when it was made from the same
        extraction outcomes and the same latest release, else a fresh one."""
        self._thread.join()
        same = (self._areas is not None and plan.fingerprint == self._plan.fingerprint
                and previous_id == self._previous_id and list(outcomes) == self._outcomes)
        return self._areas if same else plan_shards(plan, outcomes, previous_id, previous)


def speculate(plan: Plan, local: LocalExecutor, extracts: list[Future]) -> ShardSpeculation | None:
    """Start the speculation, unless there is nothing to wait for or the run is strict (a strict
    run stops at the first unusable source: no shard may be built behind its back)."""
    if not extracts or plan.options.strict:
        return None
    return ShardSpeculation(plan, local, extracts)
