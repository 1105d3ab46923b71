"""One measurement of the benchmark, in a fresh Python process so that its memory and imports are
its own: `python benchmarks/measure.py MODE SOURCES WORK RESULT.json [OPTIONS_JSON]`.

Modes (WORK holds the run's output/ and cache/):
  cold          `pipeline.run.run_pipeline` (bare, worker processes) on an empty output and cache
  prefect       `pipeline.run.with_prefect.run_with_prefect` (what `servicegraph run` does)
  prefect-dask  the same with `dask=True` (a local Dask cluster, one worker process per core)
  nochange      `run_pipeline` again on the output and cache of `cold`: must parse nothing
  changed       one source replaced by another rendering (OPTIONS: changed_id, replacement), its
                manifest sha256 updated, then `run_pipeline` again on the same output and cache
OPTIONS: {"engine": "turbo"} validates with pyshacl-turbo (Settings.shacl_engine).

Stage times come from wrapping the plan where it looks them up: `prepare` (discover_sources +
run_fingerprint), `_run_stage` ("extract", "shard") and `assemble_release` ("publish").
Peak memory: a thread reads the resident set of every process of this process's tree (children
recursively: pool workers, the forkserver, Prefect's server, Dask's scheduler, nannies and
workers) from /proc every 50 ms; it reports the largest single process and the largest sum.
"""

from __future__ import annotations

import _thread
import json
import os
import resource
import shutil
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

# The code snapshot benchmarks/run.py made for this run (the checkout itself when run alone).
ROOT = Path(os.environ.get("SERVICEGRAPH_BENCH_CODE") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))

PAGE = os.sysconf("SC_PAGE_SIZE")
TICK = os.sysconf("SC_CLK_TCK")
MIB = 1024 * 1024


def machine_busy_s() -> float:
    """CPU seconds all cores have been busy since boot (/proc/stat), any process."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError):
        return 0.0
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    return (sum(values[:8]) - idle) / TICK


class TreeSampler:
    """Resident set of this process and all its descendants, sampled every `interval` s.

    A low-level thread (`_thread`), not a `threading.Thread`: the run forks its workers only
    while `threading.active_count() == 1` (pipeline.run.executors) and the sampler must not make
    it choose forkserver instead. The sum counts pages shared after fork once per process."""

    def __init__(self, interval: float = 0.05) -> None:
        self.root = os.getpid()
        self.interval = interval
        self.t0 = time.perf_counter()
        self.ppid: dict[int, int] = {}
        self.kind: dict[int, str] = {}
        self.max_single = (0, "", 0.0)  # bytes, process kind, seconds since start
        self.max_sum = (0, 0, 0.0)  # bytes, processes, seconds since start
        self.by_kind: dict[str, int] = defaultdict(int)
        self.max_procs = 0
        self.samples = 0
        self.main_rss: list[tuple[float, int]] = []  # (seconds since start, bytes): the main process over time
        self.cpu: dict[int, float] = {}  # CPU seconds of each process of the tree
        self.busy0 = machine_busy_s()
        self._stop = False
        self._done = _thread.allocate_lock()
        self._done.acquire()
        _thread.start_new_thread(self._loop, ())

    def _read_ppid(self, pid: int) -> int:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            return int(stat[stat.rindex(")") + 2:].split()[1])
        except (OSError, ValueError, IndexError):
            return -1

    def _kind(self, pid: int) -> str:
        if pid == self.root:
            return "main"
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            return "?"
        for needle, kind in (("uvicorn", "prefect server"), ("forkserver", "forkserver"),
                             ("resource_tracker", "resource tracker"), ("spawn_main", "spawned worker"),
                             ("measure.py", "forked worker")):
            if needle in cmd:
                # A forkserver's children run the same command line: they are the pool's workers.
                if kind == "forkserver" and self.kind.get(self.ppid.get(pid, -1)) == "forkserver":
                    return "forkserver worker"
                return kind
        return cmd[:40] or "exited"

    def sample(self) -> None:
        pids = [int(n) for n in os.listdir("/proc") if n.isdigit()]
        for pid in pids:
            if pid not in self.ppid:
                self.ppid[pid] = self._read_ppid(pid)
        children: dict[int, list[int]] = defaultdict(list)
        for pid in pids:
            children[self.ppid[pid]].append(pid)
        tree, todo = [], [self.root]
        while todo:
            pid = todo.pop()
            tree.append(pid)
            todo.extend(children.get(pid, ()))
        total = 0
        now = time.perf_counter() - self.t0
        for pid in tree:
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
                fields = stat[stat.rindex(")") + 2:].split()
                rss = int(fields[21]) * PAGE
                self.cpu[pid] = (int(fields[11]) + int(fields[12])) / TICK  # utime + stime, last seen
            except (OSError, ValueError, IndexError):
                continue
            if self.kind.get(pid, "forked worker") == "forked worker":  # a fork may exec later
                self.kind[pid] = self._kind(pid)
            kind = self.kind[pid]
            if pid == self.root:
                self.main_rss.append((now, rss))
            total += rss
            self.by_kind[kind] = max(self.by_kind[kind], rss)
            if rss > self.max_single[0]:
                self.max_single = (rss, kind, now)
        if total > self.max_sum[0]:
            self.max_sum = (total, len(tree), now)
        self.max_procs = max(self.max_procs, len(tree))
        self.samples += 1

    def _loop(self) -> None:
        try:
            while not self._stop:
                self.sample()
                time.sleep(self.interval)
        finally:
            self._done.release()

    def stop(self) -> dict[str, Any]:
        self._stop = True
        self._done.acquire()
        self.sample()
        busy = machine_busy_s() - self.busy0
        wall = time.perf_counter() - self.t0
        tree_cpu = sum(self.cpu.values())
        ru_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        ru_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        return {"max_process_mib": round(self.max_single[0] / MIB, 1), "max_process_kind": self.max_single[1],
                "max_process_at_s": round(self.max_single[2], 2), "max_sum_mib": round(self.max_sum[0] / MIB, 1),
                "max_sum_processes": self.max_sum[1], "max_sum_at_s": round(self.max_sum[2], 2),
                "max_processes": self.max_procs, "samples": self.samples,
                "by_kind_mib": {k: round(v / MIB, 1) for k, v in sorted(self.by_kind.items())},
                # The machine is shared: CPU seconds of this tree, and of everything else meanwhile.
                "cpu_tree_s": round(tree_cpu, 1), "cpu_others_s": round(max(0.0, busy - tree_cpu), 1),
                "cpu_capacity_s": round(wall * (os.cpu_count() or 1), 1),
                "ru_maxrss_self_mib": round(ru_self, 1), "ru_maxrss_children_mib": round(ru_children, 1)}


class StageTimer:
    """Wall time per stage, and when each ran (seconds since the sampler started)."""

    def __init__(self, t0: float) -> None:
        self.t0 = t0
        self.seconds: dict[str, float] = defaultdict(float)
        self.spans: dict[str, list[float]] = {}

    def wrap(self, owner: Any, attr: str, stage: str | None = None) -> None:
        original = getattr(owner, attr)

        def timed(*args: Any, **kwargs: Any) -> Any:
            name = stage or args[1]  # _run_stage(executor, stage, ...)
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                ended = time.perf_counter()
                self.seconds[name] += ended - started
                span = self.spans.setdefault(name, [started - self.t0, 0.0])
                span[1] = ended - self.t0

        setattr(owner, attr, timed)

    def install(self) -> "StageTimer":
        from pipeline.publish import assemble
        from pipeline.run import plan, with_prefect

        self.wrap(plan, "prepare", "prepare")
        self.wrap(with_prefect, "prepare", "prepare")
        self.wrap(plan, "discover_sources", "discover")
        self.wrap(plan, "run_fingerprint", "fingerprint")
        self.wrap(plan, "_run_stage")
        self.wrap(assemble, "assemble_release", "publish")
        return self

    def peak_by_stage(self, samples: list[tuple[float, int]]) -> dict[str, float]:
        """The largest value of `samples` within each stage (MiB): where a process grows."""
        peaks: dict[str, int] = {}
        for at, rss in samples:
            stage = self.stage_at(at)
            peaks[stage] = max(peaks.get(stage, 0), rss)
        return {k: round(v / MIB, 1) for k, v in sorted(peaks.items())}

    def stage_at(self, at: float) -> str:
        for name in ("publish", "shard", "extract", "prepare"):
            span = self.spans.get(name)
            if span and span[0] <= at <= span[1]:
                return name
        return "other"


def settings_for(sources: Path, work: Path, options: dict[str, Any]):
    from pipeline.config import Settings

    return Settings(sources=sources, output=work / "output", cache_dir=work / "cache",
                    shacl_engine=options.get("engine") or "pyshacl")


def documents(settings) -> list[dict[str, Any]]:
    """What the run extracted from each source (read back from the extraction cache)."""
    from pipeline import cache
    from pipeline.sources import discover_sources

    rows = []
    for source in discover_sources(settings.sources):
        doc = cache.load(settings.cache_dir, source)
        if doc is None:
            rows.append({"id": source.id, "error": "not extracted"})
            continue
        rows.append({"id": source.id, "layout": doc.layout, "pages": doc.pages,
                     "records": len(doc.records), "area": doc.area_name or source.publisher})
    return rows


def change_one(sources: Path, source_id: str, replacement: Path) -> str:
    """Replace one PDF (a hard link into the corpus pool: unlinked, never written through) and
    update its sha256 in the manifest, as a publisher dropping in a new version would."""
    from pipeline.sources import sha256_file

    pdf = sources / f"{source_id}.pdf"
    old = sha256_file(pdf)
    pdf.unlink()
    shutil.copyfile(replacement, pdf)
    new = sha256_file(pdf)
    manifest = sources / "sources.yaml"
    text = manifest.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{source_id}: its sha256 is not in the manifest once"
    manifest.write_text(text.replace(old, new), encoding="utf-8")
    return new


def main(argv: list[str]) -> int:
    sampler = TreeSampler()
    mode, sources, work, out = argv[0], Path(argv[1]), Path(argv[2]), Path(argv[3])
    options = json.loads(argv[4]) if len(argv) > 4 else {}
    work.mkdir(parents=True, exist_ok=True)
    if mode == "changed":
        change_one(sources, options["changed_id"], Path(options["replacement"]))
    from pipeline.run import run_pipeline
    from pipeline.run.with_prefect import run_with_prefect

    timer = StageTimer(sampler.t0).install()
    settings = settings_for(sources, work, options)
    started = time.perf_counter()
    if mode.startswith("prefect"):
        report = run_with_prefect(settings, dask=mode == "prefect-dask")
    else:
        report = run_pipeline(settings)
    ended = time.perf_counter()
    memory = sampler.stop()
    memory["max_process_stage"] = timer.stage_at(memory["max_process_at_s"])
    memory["max_sum_stage"] = timer.stage_at(memory["max_sum_at_s"])
    memory["main_peak_by_stage_mib"] = timer.peak_by_stage(sampler.main_rss)
    result: dict[str, Any] = {
        "mode": mode, "engine": settings.shacl_engine, "total_s": round(ended - started, 3),
        "start_s": round(started - sampler.t0, 3),  # interpreter to the call: imports, set-up
        "stages_s": {k: round(v, 3) for k, v in timer.seconds.items()},
        "spans_s": {k: [round(a, 2), round(b, 2)] for k, (a, b) in timer.spans.items()},
        "report": {k: v for k, v in report.as_dict().items()
                   if k in ("status", "sources", "parsed", "cached", "shards", "shards_built", "entries",
                            "services", "triples", "release")},
        "quarantined": [q.line() for q in report.quarantined],
        "memory": memory,
    }
    if mode == "cold":
        result["documents"] = documents(settings)
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
