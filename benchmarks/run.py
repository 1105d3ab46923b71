"""The benchmark: cost per document, scale-out and query speed of the whole pipeline.

    .venv/bin/python benchmarks/run.py                 # N = 10, 100, 1000 (make bench)
    .venv/bin/python benchmarks/run.py --sizes 2       # a quick check (the test does this)
    .venv/bin/python benchmarks/run.py --report-only   # table and plot again from results/

For each size N it builds (or reuses) a corpus of N real LibreOffice PDFs (benchmarks/corpus.py)
and runs, each in a fresh process (benchmarks/measure.py): bare pdfplumber word extraction (the
floor), the bare pipeline with a timer per stage followed by the store and the canned queries on
Oxigraph and on rdflib, a no-change re-run, and for the smaller sizes the Prefect flow (threads,
and Dask with 2 worker processes). It prints tables, checks the targets and writes
docs/benchmarks.png; the raw figures go to benchmarks/results/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import corpus as corpus_mod  # noqa: E402
import report  # noqa: E402

MEASURE = HERE / "measure.py"


CODE_DIRS = ("pipeline", "ontology", "shapes", "queries")
CODE = {"root": ROOT}  # where the workers import the pipeline from (a snapshot during a run)


def snapshot_code(out: Path) -> Path:
    """Copy the pipeline's code and data: the whole benchmark measures one version even while
    others edit the checkout (an edit changes the run fingerprint and would spoil the re-run)."""
    snap = out / "code"
    shutil.rmtree(snap, ignore_errors=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in CODE_DIRS:
        shutil.copytree(ROOT / name, snap / name, ignore=ignore)
    return snap


def code_description() -> str:
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"], capture_output=True,
                              text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        head = "unknown"
    return head or "unknown"


def run_worker(mode: str, corpus: Path, work: Path, out: Path, options: dict[str, Any], log_dir: Path,
               tag: str) -> dict[str, Any]:
    """Run one measurement in a fresh process; its result plus the process's own wall time."""
    result_path = out / f"{tag}-{mode}.json"
    result_path.unlink(missing_ok=True)
    code = CODE["root"]
    env = {**os.environ, "PREFECT_HOME": str(work.parent / f"prefect-home-{tag}-{mode}"),
           "PREFECT_LOGGING_LEVEL": "WARNING", "PYTHONPATH": str(code), "SERVICEGRAPH_BENCH_CODE": str(code)}
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{tag}-{mode}.log"
    started = time.perf_counter()
    with log_path.open("w") as log:
        done = subprocess.run([sys.executable, str(MEASURE), mode, str(corpus), str(work), str(result_path),
                               json.dumps(options)], stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    wall = time.perf_counter() - started
    if done.returncode != 0 or not result_path.is_file():
        tail = log_path.read_text(errors="replace").strip().splitlines()[-15:]
        return {"mode": mode, "error": f"exit status {done.returncode}", "log": str(log_path), "log_tail": tail,
                "process_s": round(wall, 3)}
    result = json.loads(result_path.read_text(encoding="utf-8"))
    result["process_s"] = round(wall, 3)
    result["code"] = CODE.get("description")
    return result


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    soffice = shutil.which("soffice")
    lo = None
    if soffice:
        try:
            lo = subprocess.run([soffice, "--version"], capture_output=True, text=True, timeout=60).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            lo = None
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": mem_gib, "python": platform.python_version(),
            "system": f"{platform.system()} {platform.release()}", "libreoffice": lo}


def measure_size(n: int, args: argparse.Namespace, out: Path) -> dict[str, Any]:
    log_dir = out / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    corpus = corpus_mod.ensure_corpus(n, args.corpus_root, log=lambda m: print(m, flush=True))
    corpus_s = time.monotonic() - started
    work_root = out / "work" / f"n{n}"
    shutil.rmtree(work_root, ignore_errors=True)
    options = {"query_runs": args.query_runs, "query_budget_s": args.query_budget, "rdflib_timeout_s": args.rdflib_timeout}
    tag = f"n{n}"
    result: dict[str, Any] = {"n": n, "corpus": str(corpus), "corpus_build_s": round(corpus_s, 1),
                              "expected_records": corpus_mod.expected_records(corpus)}
    steps = [("pipeline", work_root / "bare"), ("floor", work_root / "floor"), ("rerun", work_root / "bare")]
    if n in args.prefect_sizes:
        steps.append(("prefect", work_root / "prefect"))
        if args.dask:
            steps.append(("prefect-dask", work_root / "dask"))
    if args.modes:
        steps = [(mode, work) for mode, work in steps if mode in args.modes]
    for mode, work in steps:
        print(f"[N={n}] {mode} ...", flush=True)
        result[mode] = run_worker(mode, corpus, work, out, options, log_dir, tag)
        if mode == "pipeline" and result[mode].get("excluded"):
            # Documents the pipeline cannot read (reported as problems) are left out of every run.
            corpus = work_root / "bare" / "sources"
            print(f"[N={n}] left out (cannot be read): {sorted(result[mode]['excluded'])}", flush=True)
        took = result[mode].get("total_s", result[mode].get("error"))
        print(f"[N={n}] {mode}: {took} (process {result[mode]['process_s']} s)", flush=True)
    if not args.keep_work:
        shutil.rmtree(work_root, ignore_errors=True)
    return result


def parse_sizes(text: str) -> list[int]:
    return [int(x.replace("_", "")) for x in text.split(",") if x.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--sizes", type=parse_sizes, default=[10, 100, 1000], help="corpus sizes (default 10,100,1000)")
    parser.add_argument("--prefect-sizes", type=parse_sizes, default=None,
                        help="sizes that also run the Prefect flow (default: the sizes up to 100)")
    parser.add_argument("--no-dask", dest="dask", action="store_false", help="skip the Prefect + Dask run")
    parser.add_argument("--query-runs", type=int, default=7, help="timed runs per query (median reported)")
    parser.add_argument("--query-budget", type=float, default=20.0, help="seconds of timed runs per query at most")
    parser.add_argument("--rdflib-timeout", type=float, default=120.0, help="a query on rdflib slower than this is cut off")
    parser.add_argument("--corpus-root", type=Path, default=corpus_mod.CORPUS_DIR)
    parser.add_argument("--out", type=Path, default=HERE / "results", help="results folder")
    parser.add_argument("--plot", type=Path, default=ROOT / "docs" / "benchmarks.png")
    parser.add_argument("--keep-work", action="store_true", help="keep the outputs and caches of the runs")
    parser.add_argument("--report-only", action="store_true", help="print tables and plot from results.json")
    parser.add_argument("--modes", type=lambda t: [m for m in t.split(",") if m], default=None,
                        help="only these measurements (pipeline,floor,rerun,prefect,prefect-dask), merged into "
                             "the sizes already in results.json")
    args = parser.parse_args(argv)
    if args.prefect_sizes is None:
        args.prefect_sizes = [n for n in args.sizes if n <= 100]
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    results_path = out / "results.json"

    if args.report_only:
        data = json.loads(results_path.read_text(encoding="utf-8"))
    else:
        data = {"machine": machine(), "command": "python benchmarks/run.py " + " ".join(argv or sys.argv[1:]),
                "started": time.strftime("%Y-%m-%d %H:%M:%S"), "generator_version": corpus_mod.GENERATOR_VERSION,
                "code": code_description(), "sizes": {}}
        CODE["root"] = snapshot_code(out)
        CODE["description"] = data["code"]
        if args.modes and results_path.is_file():
            previous = json.loads(results_path.read_text(encoding="utf-8"))
            previous.setdefault("reruns", []).append({"command": data["command"], "code": data["code"],
                                                      "started": data["started"]})
            data = previous
        if args.prefect_sizes and (not args.modes or "prefect" in args.modes):
            print("Prefect server start-up ...", flush=True)
            (out / "work").mkdir(parents=True, exist_ok=True)
            data["prefect_server"] = run_worker("prefect-server", ROOT, out / "work" / "server", out, {},
                                                out / "logs", "once")
        for n in args.sizes:
            measured = measure_size(n, args, out)
            if args.modes and str(n) in data["sizes"]:
                measured = {**data["sizes"][str(n)], **{k: v for k, v in measured.items() if k in args.modes}}
            data["sizes"][str(n)] = measured
            # Written after every size: a long run leaves what it measured so far.
            results_path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        data["finished"] = time.strftime("%Y-%m-%d %H:%M:%S")
        results_path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    text = report.render(data)
    print(text)
    (out / "report.md").write_text(text, encoding="utf-8")
    report.plot(data, args.plot)
    print(f"\nplot: {args.plot}\nresults: {results_path}")
    return 1 if report.failures(data) else 0


if __name__ == "__main__":
    raise SystemExit(main())
