"""Executors: one interface, several ways to run a plan's jobs.

    executor.map(stage, fn, jobs, labels) -> yields (index, fn(*jobs[index])) as jobs finish

- `LocalExecutor`: in this process (workers 1) or on a pool of worker processes. pdfminer and
  rdflib are pure-Python CPU work: threads would share one core, processes use them all. Workers
  run each job in their main thread, where the per-page time limit (SIGALRM) holds, and ignore
  SIGINT: the run stops them itself, so Ctrl-C prints no traceback from every worker.
- `DaskExecutor`: a Dask cluster (`--dask-address`, or a local one) without Prefect.
- `PrefectExecutor` (pipeline.flows): each job a Prefect task, on the flow's task runner; with
  the thread runner each task's body runs on a LocalExecutor's processes.

The plan (pipeline.run.plan) never knows which one it has. Results are put back in job order by
the plan, so the output never depends on which worker finished first.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, Protocol

Job = tuple[Any, ...]


class Executor(Protocol):
    def map(self, stage: str, fn: Callable[..., Any], jobs: Sequence[Job], labels: Sequence[str]) -> Iterator[tuple[int, Any]]: ...

    def close(self) -> None: ...

    def kill(self) -> None:
        """Stop every process this executor started, now (on an interrupt)."""


def worker_count(workers: int, jobs: int | None = None) -> int:
    """`workers` (0 = one per core), never more than the jobs when they are known."""
    wanted = workers or os.cpu_count() or 1
    return max(1, min(wanted, jobs) if jobs is not None else wanted)


def die_with_parent() -> None:
    """Linux: this process gets SIGKILL when its parent dies (a killed run leaves no orphans)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _quiet_worker() -> None:
    # The terminal sends SIGINT to the whole process group; the parent decides what happens.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()


def _ready() -> int:
    return os.getpid()


class LocalExecutor:
    """In-process for one worker, else a process pool started on first use (or by `warm`)."""

    def __init__(self, workers: int = 0) -> None:
        self.workers = worker_count(workers)
        self._pool: ProcessPoolExecutor | None = None
        self._prefetched: dict[tuple, Future] = {}

    def _context(self) -> multiprocessing.context.BaseContext:
        # fork is the cheapest start (the parent has imported the stages already) but is unsafe
        # once other threads run, as under Prefect; forkserver then starts clean workers.
        if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
            return multiprocessing.get_context("fork")
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["pipeline.run.jobs", "pipeline.extract.document", "pipeline.rdf.mapping"])
        return ctx

    def pool(self) -> ProcessPoolExecutor | None:
        if self.workers <= 1:
            return None
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers, mp_context=self._context(), initializer=_quiet_worker)
            # Start every worker now, from this thread: a worker dies with the thread that
            # started it (die_with_parent), so none may be started from a short-lived task thread.
            for future in [self._pool.submit(_ready) for _ in range(self.workers)]:
                future.result()
        return self._pool

    def warm(self) -> None:
        """Start every worker now: before Prefect starts its threads, they can still be forked."""
        self.pool()

    def prefetch(self, fn: Callable[..., Any], jobs: Sequence[Job]) -> list[Future]:
        """Start `jobs` now; a later `submit` of the same job waits for the running one.

        Under Prefect the extract and shard jobs start while the API server boots; the tasks
        that follow pick up their results (pipeline.run.speculate). Returns the futures started
        (none without a pool).
        """
        pool = self.pool()
        started: list[Future] = []
        if pool is not None:
            for job in jobs:
                future = pool.submit(fn, *job)
                self._prefetched[(fn, job)] = future
                started.append(future)
        return started

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run one job and wait for it (the body of a Prefect task on a thread)."""
        future = self._prefetched.pop((fn, args), None)
        if future is not None:
            return future.result()
        pool = self.pool()
        return fn(*args) if pool is None else pool.submit(fn, *args).result()

    def map(self, stage: str, fn: Callable[..., Any], jobs: Sequence[Job], labels: Sequence[str]) -> Iterator[tuple[int, Any]]:
        pool = self.pool() if len(jobs) > 1 else None
        if pool is None:
            for index, job in enumerate(jobs):
                yield index, fn(*job)
            return
        futures: dict[Future, int] = {pool.submit(fn, *job): i for i, job in enumerate(jobs)}
        pending = set(futures)
        try:
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in sorted(finished, key=futures.__getitem__):
                    yield futures[future], future.result()
        finally:
            for future in pending:
                future.cancel()

    def kill(self) -> None:
        pool = self._pool
        if pool is None:
            return
        for process in list(getattr(pool, "_processes", {}).values()):
            try:
                process.kill()
            except (OSError, AttributeError):
                pass
        pool.shutdown(wait=False, cancel_futures=True)
        self._pool = None

    def close(self) -> None:
        self._prefetched.clear()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class DaskExecutor:
    """Jobs on a Dask cluster: the scheduler at `address`, or a local cluster of `workers` processes.

    Workers must see the same sources folder and cache folder (one machine or a shared file system):
    jobs pass paths, not documents.
    """

    def __init__(self, address: str | None = None, workers: int = 0) -> None:
        from distributed import Client, LocalCluster

        if address:
            self.cluster = None
            self.client = Client(address, set_as_default=False)
        else:
            import logging

            self.cluster = LocalCluster(n_workers=worker_count(workers), threads_per_worker=1, processes=True,
                                        dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR)
            self.client = Client(self.cluster, set_as_default=False)

    def map(self, stage: str, fn: Callable[..., Any], jobs: Sequence[Job], labels: Sequence[str]) -> Iterator[tuple[int, Any]]:
        from distributed import as_completed

        futures = {self.client.submit(fn, *job, pure=False, key=f"{stage}-{label}-{os.getpid()}"): i
                   for i, (job, label) in enumerate(zip(jobs, labels))}
        for future in as_completed(list(futures)):
            yield futures[future], future.result()

    def kill(self) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
