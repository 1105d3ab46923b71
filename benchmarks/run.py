"""The benchmark: time per stage, peak memory of every process, re-runs, and the orchestrators.

    .venv/bin/python benchmarks/run.py                 # N = 10, 100, 1000 (make bench)
    .venv/bin/python benchmarks/run.py --sizes 2       # a quick check (the test does this)
    .venv/bin/python benchmarks/run.py --report-only   # table and plot again from results/

For each size N it builds (or reuses) a corpus of N real LibreOffice PDFs (benchmarks/corpus.py)
and runs, each in a fresh process (benchmarks/measure.py): the bare pipeline cold, pyshacl-turbo
cold (--turbo-sizes, if installed), Prefect and Prefect + Dask cold (--prefect-sizes; their output
compared byte for byte with the bare run's), the no-change re-run, and the re-run after one
document changed. It prints tables, checks the targets and writes docs/benchmarks.png; the raw
figures go to benchmarks/results/results.json.
"""

from __future__ import annotations

import argparse
import filecmp
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
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


def run_worker(mode: str, sources: Path, work: Path, out: Path, options: dict[str, Any], log_dir: Path,
               tag: str) -> dict[str, Any]:
    """Run one measurement in a fresh process; its result plus the process's own wall time."""
    name = f"{tag}-{mode}" + (f"-{options['engine']}" if options.get("engine") else "")
    result_path = out / f"{name}.json"
    result_path.unlink(missing_ok=True)
    code = CODE["root"]
    # One Prefect home for the whole benchmark, as a user has one (its database is created once).
    env = {**os.environ, "PREFECT_HOME": str(out / "work" / "prefect-home"), "PREFECT_LOGGING_LEVEL": "WARNING",
           "PYTHONPATH": str(code), "SERVICEGRAPH_BENCH_CODE": str(code)}
    env.pop("PREFECT_API_URL", None)
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{name}.log"
    load = os.getloadavg()[0]  # the machine is shared: how busy it was when this one started
    started = time.perf_counter()
    with log_path.open("w") as log:
        done = subprocess.run([sys.executable, str(MEASURE), mode, str(sources), str(work), str(result_path),
                               json.dumps(options)], stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    wall = time.perf_counter() - started
    if done.returncode != 0 or not result_path.is_file():
        tail = log_path.read_text(errors="replace").strip().splitlines()[-15:]
        return {"mode": mode, "error": f"exit status {done.returncode}", "log": str(log_path), "log_tail": tail,
                "process_s": round(wall, 3)}
    result = json.loads(result_path.read_text(encoding="utf-8"))
    result["process_s"] = round(wall, 3)
    result["load_at_start"] = round(load, 2)
    result["log"] = str(log_path)
    return result


def link_copy(corpus: Path, target: Path) -> Path:
    """A sources folder of hard links to the corpus, with its own manifest (the changed re-run
    edits it; the corpus stays as built)."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for path in corpus.iterdir():
        if path.suffix == ".pdf":
            os.link(path, target / path.name)
        elif path.is_file():
            shutil.copyfile(path, target / path.name)
    return target


def replacement(n: int, root: Path) -> tuple[str, Path]:
    """Document 0 (the appendix of the first area) and a newer version of it that is not in the
    corpus of n: document 90·k ≥ n has the same area and layout and other rows (built once)."""
    index = 90 * -(-n // 90)
    spec = corpus_mod.doc_spec(index)
    pool = corpus_mod.version_dir(root) / "pool"
    pdf = pool / f"{spec.id}.pdf"
    if not pdf.is_file():
        src = corpus_mod.version_dir(root) / "src"
        src.mkdir(parents=True, exist_ok=True)
        pool.mkdir(parents=True, exist_ok=True)
        office, _ = corpus_mod.build_office_file(spec, src)
        staging = Path(tempfile.mkdtemp(prefix=".convert-", dir=corpus_mod.version_dir(root)))
        try:
            corpus_mod.convert_many([office], staging)
            os.replace(staging / pdf.name, pdf)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return corpus_mod.doc_spec(0).id, pdf


def same_output(a: Path, b: Path) -> dict[str, Any]:
    """Every file under a/ and b/ (latest/ of two runs), compared byte for byte."""
    def files(root: Path) -> dict[str, Path]:
        return {str(p.relative_to(root)): p for p in sorted(root.rglob("*")) if p.is_file()}

    fa, fb = files(a), files(b)
    differ = sorted(k for k in fa.keys() & fb.keys() if not filecmp.cmp(fa[k], fb[k], shallow=False))
    return {"files": len(fa), "identical": fa.keys() == fb.keys() and not differ and bool(fa),
            "only_in_bare": sorted(fa.keys() - fb.keys()), "only_here": sorted(fb.keys() - fa.keys()),
            "differ": differ}


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
    started = time.monotonic()
    corpus = corpus_mod.ensure_corpus(n, args.corpus_root, log=lambda m: print(m, flush=True))
    changed_id, new_pdf = replacement(n, args.corpus_root)
    corpus_s = time.monotonic() - started
    work_root = out / "work" / f"n{n}"
    shutil.rmtree(work_root, ignore_errors=True)
    tag = f"n{n}"
    result: dict[str, Any] = {"n": n, "corpus": str(corpus), "corpus_build_s": round(corpus_s, 1),
                              "expected_records": corpus_mod.expected_records(corpus)}
    bare = work_root / "bare"
    sources = link_copy(corpus, bare / "sources")
    steps: list[tuple[str, str, Path, Path, dict[str, Any]]] = [("cold", "cold", sources, bare, {})]
    if n in args.turbo_sizes:
        steps.append(("turbo", "cold", corpus, work_root / "turbo", {"engine": "turbo"}))
    if n in args.prefect_sizes:
        steps += [(mode, mode, corpus, work_root / mode, {}) for mode in args.prefect_modes]
    steps += [("nochange", "nochange", sources, bare, {}),
              ("changed", "changed", sources, bare, {"changed_id": changed_id, "replacement": str(new_pdf)})]
    for key, mode, src, work, options in steps:
        print(f"[N={n}] {key} ...", flush=True)
        result[key] = run_worker(mode, src, work, out, options, log_dir, tag)
        if key in ("turbo", "prefect", "prefect-dask") and "error" not in result[key]:
            result[key]["same_as_bare"] = same_output(bare / "output" / "latest", work / "output" / "latest")
        r = result[key]
        print(f"[N={n}] {key}: {r.get('total_s', r.get('error'))} s (process {r['process_s']} s), "
              f"parsed {r.get('report', {}).get('parsed')}, shards built {r.get('report', {}).get('shards_built')}, "
              f"peak process {r.get('memory', {}).get('max_process_mib')} MiB"
              + (f", same as bare: {r['same_as_bare']['identical']}" if "same_as_bare" in r else ""), flush=True)
    if not args.keep_work:
        shutil.rmtree(work_root, ignore_errors=True)
    return result


def parse_sizes(text: str) -> list[int]:
    return [int(x.replace("_", "")) for x in text.split(",") if x.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--sizes", type=parse_sizes, default=[10, 100, 1000], help="corpus sizes (default 10,100,1000)")
    parser.add_argument("--prefect-sizes", type=parse_sizes, default=None,
                        help="sizes that also run Prefect and Prefect + Dask (default: the smallest and largest)")
    parser.add_argument("--prefect-modes", type=lambda t: [m for m in t.split(",") if m],
                        default=["prefect", "prefect-dask"], help="at those sizes: prefect (thread runner), "
                        "prefect-dask, or both (the default)")
    parser.add_argument("--turbo-sizes", type=parse_sizes, default=None,
                        help="sizes that also run cold with pyshacl-turbo (default: the largest, if installed)")
    parser.add_argument("--corpus-root", type=Path, default=corpus_mod.CORPUS_DIR)
    parser.add_argument("--out", type=Path, default=HERE / "results", help="results folder")
    parser.add_argument("--plot", type=Path, default=ROOT / "docs" / "benchmarks.png")
    parser.add_argument("--code", type=Path, default=None,
                        help="measure this code snapshot (a results/code folder) instead of copying the checkout")
    parser.add_argument("--keep-work", action="store_true", help="keep the outputs and caches of the runs")
    parser.add_argument("--report-only", action="store_true", help="print tables and plot from results.json")
    args = parser.parse_args(argv)
    if args.prefect_sizes is None:
        args.prefect_sizes = sorted({min(args.sizes), max(args.sizes)})
    if args.turbo_sizes is None:
        args.turbo_sizes = [max(args.sizes)] if importlib.util.find_spec("pyshacl_turbo") else []
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    results_path = out / "results.json"

    if args.report_only:
        data = json.loads(results_path.read_text(encoding="utf-8"))
    else:
        data = {"machine": machine(), "command": "python benchmarks/run.py " + " ".join(argv or sys.argv[1:]),
                "started": time.strftime("%Y-%m-%d %H:%M:%S"), "generator_version": corpus_mod.GENERATOR_VERSION,
                "code": code_description(), "sizes": {}}
        CODE["root"] = args.code.resolve() if args.code else snapshot_code(out)
        if args.code:
            data["code"] = f"snapshot {args.code}"
        CODE["description"] = data["code"]
        for n in args.sizes:
            data["sizes"][str(n)] = measure_size(n, args, out)
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
