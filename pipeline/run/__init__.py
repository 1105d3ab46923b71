"""The run: one plan (plan.py) of jobs (jobs.py) on one executor interface (executors.py),
with guards (guards.py), a shard cache (shard_cache.py), a report (report.py) and a clean
interrupt (interrupt.py). The Prefect flows (pipeline.flows) only wrap the same plan."""

from __future__ import annotations

from typing import Any

_EXPORTS = ("Options", "execute", "prepare", "run_pipeline")


def __getattr__(name: str) -> Any:
    # Lazy, so that importing a submodule (pipeline.run.guards) does not import the plan.
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module("pipeline.run.plan"), name)
    raise AttributeError(name)


__all__ = list(_EXPORTS)
