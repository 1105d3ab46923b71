"""The run: one plan (plan.py) of jobs (jobs.py) on one executor interface (executors.py),
with guards (guards.py), a shard cache (shard_cache.py), a report (report.py) and a clean
interrupt (interrupt.py). The Prefect flows (pipeline.flows) only wrap the same plan."""

from pipeline.run.plan import Options, execute, prepare, run_pipeline

__all__ = ["Options", "execute", "prepare", "run_pipeline"]
