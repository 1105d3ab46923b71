"""Extraction in worker processes, one document per job.

pdfminer is pure-Python CPU work: threads share one core, processes use them all. Each document
is parsed in the main thread of its worker, where the per-page time limit (SIGALRM) still
interrupts a page that runs over it. Results come back in the sources' order, so the output does
not depend on which worker finished first.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_EXCEPTION, Executor, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from typing import TYPE_CHECKING

from pipeline import cache
from pipeline.config import Settings
from pipeline.model import Source

if TYPE_CHECKING:
    from pipeline.stages import Extracted

Progress = Callable[[int, int, str], None]  # (done, total, what)


def worker_count(settings: Settings, jobs: int) -> int:
    """How many processes `jobs` documents are worth: Settings.workers (0 = one per core), never
    more than the jobs, and 1 (no pool at all) for a single document."""
    wanted = settings.workers or os.cpu_count() or 1
    return max(1, min(wanted, jobs))


def _context() -> multiprocessing.context.BaseContext:
    # fork is the cheapest start (the parent has imported pdfminer already) but is unsafe once
    # other threads run, as under Prefect; forkserver then starts clean workers.
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver")


@contextmanager
def extraction_pool(workers: int) -> Iterator[Executor | None]:
    """A process pool of `workers`, or None when one process is all there is to use."""
    if workers <= 1:
        yield None
        return
    ctx = _context()
    if ctx.get_start_method() == "forkserver":
        ctx.set_forkserver_preload(["pipeline.stages", "pipeline.extract.document"])
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def extract_all(sources: list[Source], settings: Settings, progress: Progress | None = None) -> list[Extracted]:
    """`stages.extract_source` for every source: cache hits here, the rest parsed on worker processes.

    The first failing document (in the sources' order) is raised as it was raised in the worker;
    the documents not started yet are cancelled.
    """
    from pipeline import stages

    results: dict[int, Extracted] = {}
    done = 0

    def record(index: int, result: Extracted) -> None:
        nonlocal done
        results[index] = result
        done += 1
        if progress:
            progress(done, len(sources), sources[index].id)

    todo: list[int] = []
    for index, source in enumerate(sources):
        hit = cache.load(settings.cache_dir, source)
        if hit is not None:
            record(index, stages.Extracted(hit, cached=True))
        else:
            todo.append(index)
    with extraction_pool(worker_count(settings, len(todo))) as pool:
        if pool is None:
            for index in todo:
                record(index, stages.extract_source(sources[index], settings))
        else:
            futures: dict[Future, int] = {pool.submit(stages.parse_source, sources[i], settings): i for i in todo}
            pending = set(futures)
            failed: dict[int, BaseException] = {}
            while pending:
                finished, pending = wait(pending, return_when=FIRST_EXCEPTION)
                for future in sorted(finished, key=futures.__getitem__):
                    error = future.exception()
                    if error is not None:
                        failed[futures[future]] = error
                    else:
                        record(futures[future], stages.Extracted(future.result(), cached=False))
                if failed:
                    for future in pending:
                        future.cancel()
                    wait(pending)
                    for future in pending:  # those already running when the first one failed
                        if not future.cancelled() and future.exception() is not None:
                            failed[futures[future]] = future.exception()
                    raise failed[min(failed)]
    return [results[i] for i in range(len(sources))]
