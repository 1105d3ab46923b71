"""Tables, target checks and the plot of a benchmark run (from the results.json of benchmarks/run.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

STAGES = ("prepare", "extract", "shard", "publish")
RUNS = (("cold", "bare, cold"), ("turbo", "bare, cold, pyshacl-turbo"), ("prefect", "Prefect, cold"),
        ("prefect-dask", "Prefect + Dask, cold"), ("nochange", "no-change re-run"),
        ("changed", "one changed document"))
GIB = 1024


def _get(d: Any, *keys: str, default: Any = None) -> Any:
    for k in keys:
        if not isinstance(d, dict) or d.get(k) is None:
            return default
        d = d[k]
    return d


def _fmt(v: Any, unit: str = "", nd: int = 1) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        text = f"{v:,.{nd}f}"
    else:
        text = f"{v:,}" if isinstance(v, int) else str(v)
    return f"{text}{unit}"


def _sizes(data: dict[str, Any]) -> list[dict[str, Any]]:
    return sorted(data.get("sizes", {}).values(), key=lambda s: s["n"])


def _ok(run: Any) -> bool:
    return isinstance(run, dict) and "error" not in run and "total_s" in run


def stages(run: dict[str, Any]) -> dict[str, float]:
    """Seconds per stage of one run, with the rest of the call as "other"."""
    st = {k: run.get("stages_s", {}).get(k, 0.0) for k in STAGES}
    st["other"] = max(0.0, run["total_s"] - sum(st.values()))
    return st


def _bound(run: dict[str, Any]) -> str:
    st = sorted(stages(run).items(), key=lambda kv: -kv[1])
    return ", ".join(f"{k} {v:.1f} s" for k, v in st[:2] if v > 0)


def _cpu(run: dict[str, Any]) -> str:
    m = run.get("memory", {})
    if m.get("cpu_tree_s") is None:
        return f"load {_fmt(run.get('load_at_start'), '', 1)} at start" if run.get("load_at_start") else "–"
    return f"{m['cpu_tree_s']:,.0f} / {m['cpu_others_s']:,.0f} / {m['cpu_capacity_s']:,.0f}"


def failures(data: dict[str, Any]) -> list[str]:
    """What makes the benchmark itself fail: a run that crashed, a document not read as printed,
    a re-run that did more than it had to, an orchestrator whose output differs from the bare run's."""
    out: list[str] = []
    for size in _sizes(data):
        n = size["n"]
        for key, _ in RUNS:
            run = size.get(key)
            if isinstance(run, dict) and "error" in run:
                out.append(f"N={n}: {key} failed ({run['error']}); log: {run.get('log')}")
            elif _ok(run):
                out += [f"N={n}: {key}: quarantined {q}" for q in run.get("quarantined", [])]
                same = run.get("same_as_bare")
                if same is not None and not same["identical"]:
                    out.append(f"N={n}: {key}: output differs from the bare run's: {same['differ'][:5]} "
                               f"{same['only_in_bare'][:5]} {same['only_here'][:5]}")
        expected = size.get("expected_records", {})
        for doc in _get(size, "cold", "documents", default=[]):
            if "error" in doc or expected.get(doc["id"]) != doc["records"]:
                out.append(f"N={n}: {doc['id']}: {doc.get('records', doc.get('error'))} records extracted, "
                           f"{expected.get(doc['id'])} printed")
        nochange = size.get("nochange")
        if _ok(nochange) and (nochange["report"]["status"] != "unchanged" or nochange["report"]["parsed"]):
            out.append(f"N={n}: the no-change re-run was {nochange['report']['status']!r} and parsed "
                       f"{nochange['report']['parsed']} documents")
        changed = size.get("changed")
        if _ok(changed):
            r = changed["report"]
            if (r["status"], r["parsed"], r["shards_built"]) != ("published", 1, 1):
                out.append(f"N={n}: after one changed document the re-run was {r['status']!r}, parsed "
                           f"{r['parsed']} documents and built {r['shards_built']} shards (expected 1 and 1)")
    return out


def targets(data: dict[str, Any]) -> list[tuple[str, str, bool | None, str]]:
    """(target, measured, met, what bounds it) for each target of issue 12."""
    sizes = _sizes(data)
    if not sizes:
        return []
    big = sizes[-1]
    n = big["n"]
    rows: list[tuple[str, str, bool | None, str]] = []

    def timed(name: str, run: Any, limit: float, value_key: str = "total_s") -> None:
        if not _ok(run):
            rows.append((name, "not measured", None, ""))
            return
        value = run[value_key]
        rows.append((name, f"{value:.1f} s", value <= limit, _bound(run)))

    timed(f"N={n:,} cold ≤ 300 s (pyshacl)", big.get("cold"), 300)
    timed(f"N={n:,} cold ≤ 200 s (pyshacl-turbo)", big.get("turbo"), 200)
    peaks = [(s["n"], key, s[key]["memory"]) for s in sizes for key, _ in RUNS if _ok(s.get(key))]
    if peaks:
        pn, key, m = max(peaks, key=lambda p: p[2]["max_process_mib"])
        rows.append(("peak RSS of any process ≤ 1.5 GiB (every run, every process)",
                     f"{m['max_process_mib']:,.0f} MiB ({m['max_process_kind']}, N={pn:,} {key}, during "
                     f"{m['max_process_stage']})", m["max_process_mib"] <= 1.5 * GIB,
                     f"{m['max_process_kind']} during {m['max_process_stage']}"))
    timed(f"one changed document at N={n:,} ≤ 20 s", big.get("changed"), 20)
    reruns = [(s["n"], s["nochange"]) for s in sizes if _ok(s.get("nochange"))]
    if reruns:
        wn, worst = max(reruns, key=lambda r: r[1]["total_s"])
        parsed = sum(r["report"]["parsed"] for _, r in reruns)
        rows.append(("no-change re-run ≤ 1 s, parsing nothing (`run_pipeline` call, worst N)",
                     f"{worst['total_s']:.2f} s at N={wn:,} (process {worst['process_s']:.1f} s), {parsed} parsed",
                     worst["total_s"] <= 1 and parsed == 0, "discover + fingerprint: hashing every PDF"))
    if _ok(big.get("prefect")) and _ok(big.get("cold")):
        ratio = big["prefect"]["total_s"] / big["cold"]["total_s"]
        rows.append((f"Prefect ≤ 1.2× bare (N={n:,})", f"{ratio:.2f}× ({big['prefect']['total_s']:.1f} s vs "
                     f"{big['cold']['total_s']:.1f} s)", ratio <= 1.2, "Prefect's server start-up and task overhead"))
    else:
        rows.append((f"Prefect ≤ 1.2× bare (N={n:,})", "not measured", None, ""))
    dask = [(s["n"], s["prefect-dask"]["same_as_bare"]) for s in sizes if _ok(s.get("prefect-dask"))]
    if dask:
        bad = [dn for dn, same in dask if not same["identical"]]
        rows.append(("Prefect + Dask output byte-identical to bare (every file under latest/)",
                     ", ".join(f"N={dn:,}: {same['files']} files {'identical' if same['identical'] else 'DIFFER'}"
                               for dn, same in dask), not bad, f"differs at N={bad}" if bad else ""))
    else:
        rows.append(("Prefect + Dask output byte-identical to bare", "not measured", None, ""))
    return rows


def render(data: dict[str, Any]) -> str:
    sizes = _sizes(data)
    m = data.get("machine", {})
    lines = [f"# Benchmark ({data.get('started', '?')} → {data.get('finished', 'running')})", "",
             f"Machine: {m.get('cpu')}, {m.get('cores')} cores, {m.get('memory_gib')} GiB, {m.get('system')}, "
             f"Python {m.get('python')}, {m.get('libreoffice')}.", f"Code: `{data.get('code')}` (snapshot); "
             f"command: `{data.get('command')}`", ""]
    lines += ["## Cost per size (bare `run_pipeline`, cold)", "",
              "| | " + " | ".join(f"N = {s['n']:,}" for s in sizes) + " |", "|---|" + "---:|" * len(sizes)]

    def row(label: str, values: list[str]) -> None:
        lines.append(f"| {label} | " + " | ".join(values) + " |")

    cold = [s.get("cold") if _ok(s.get("cold")) else None for s in sizes]
    docs = [(c or {}).get("documents", []) for c in cold]
    row("documents / pages", [f"{len(d):,} / {sum(x.get('pages', 0) for x in d):,}" for d in docs])
    row("records (rows + items) / services / triples",
        [f"{sum(x.get('records', 0) for x in d):,} / {_fmt(_get(c, 'report', 'services'))} / "
         f"{_fmt(_get(c, 'report', 'triples'))}" for d, c in zip(docs, cold)])
    row("employment areas (shards)", [_fmt(_get(c, "report", "shards")) for c in cold])
    for st in (*STAGES, "other"):
        label = "prepare: discover + fingerprint" if st == "prepare" else st
        row(f"{label} (s)", [_fmt(stages(c)[st], "", 2) if c else "–" for c in cold])
    row("**end to end (s)**", [f"**{_fmt(_get(c, 'total_s'))}**" for c in cold])
    row("per document (ms)", [_fmt(c["total_s"] / len(d) * 1000, "", 0) if c and d else "–" for c, d in zip(cold, docs)])
    row("whole process incl. interpreter and imports (s)", [_fmt(_get(c, "process_s")) for c in cold])
    row("peak RSS, largest process (MiB)",
        [f"{_fmt(_get(c, 'memory', 'max_process_mib'), '', 0)} ({_get(c, 'memory', 'max_process_kind')})"
         if c else "–" for c in cold])
    row("peak RSS, sum over the process tree (MiB)", [_fmt(_get(c, "memory", "max_sum_mib"), "", 0) for c in cold])
    row("documents read as printed",
        [f"{sum(1 for x in d if s['expected_records'].get(x['id']) == x.get('records'))} / {s['n']}"
         for d, s in zip(docs, sizes)])
    lines.append("")

    lines += ["## Every run", "",
              "| N | run | `run_*` call (s) | process (s) | parsed | shards built | peak RSS, largest process (MiB) "
              "| peak RSS, sum (MiB, processes) | output = bare | CPU s: run / other processes / capacity |",
              "|---:|---|---:|---:|---:|---:|---|---:|---|---:|"]
    for s in sizes:
        for key, label in RUNS:
            run = s.get(key)
            if not isinstance(run, dict):
                continue
            if not _ok(run):
                lines.append(f"| {s['n']:,} | {label} | failed: {run.get('error')} | | | | | | | |")
                continue
            mem, rep, same = run["memory"], run["report"], run.get("same_as_bare")
            lines.append(
                f"| {s['n']:,} | {label} | {run['total_s']:.2f} | {run['process_s']:.1f} | {rep['parsed']} | "
                f"{rep['shards_built']} | {mem['max_process_mib']:,.0f} ({mem['max_process_kind']}, "
                f"{mem['max_process_stage']}) | {mem['max_sum_mib']:,.0f} ({mem['max_sum_processes']}) | "
                f"{'–' if same is None else ('identical' if same['identical'] else 'DIFFERS')} | "
                f"{_cpu(run)} |")
    lines.append("")

    lines += ["## Targets (2-core machine)", "", "| target | measured | met | bounded by |", "|---|---|---|---|"]
    for name, measured, met, bound in targets(data):
        lines.append(f"| {name} | {measured} | {'yes' if met else 'no' if met is False else '–'} | {bound} |")
    fails = failures(data)
    lines += ["", "## Problems found", ""] + ([f"- {f}" for f in fails] or ["None."])
    return "\n".join(lines) + "\n"


def plot(data: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [s for s in _sizes(data) if _ok(s.get("cold"))]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.6))
    labels = [f"N={s['n']:,}" for s in sizes]

    ax = axes[0]
    bottom = [0.0] * len(sizes)
    for st in (*STAGES, "other"):
        vals = [stages(s["cold"])[st] / max(1, s["n"]) * 1000 for s in sizes]
        ax.bar(labels, vals, bottom=bottom, label=st)
        bottom = [b + v for b, v in zip(bottom, vals)]
    ax.set_title("Bare cold run: time per document by stage")
    ax.set_ylabel("ms per document")
    ax.legend(fontsize=8)

    ax = axes[1]
    for (key, label), marker in zip(RUNS, "osD^vx"):
        pts = [(s["n"], s[key]["total_s"]) for s in sizes if _ok(s.get(key))]
        if pts:
            ax.plot(*zip(*pts), marker=marker, label=label)
    ax.axhline(300, color="red", lw=0.8, ls=":", label="cold target 300 s")
    ax.axhline(20, color="orange", lw=0.8, ls=":", label="one-change target 20 s")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("documents")
    ax.set_ylabel("wall time (s)")
    ax.set_title("Wall time vs documents")
    ax.legend(fontsize=7)

    ax = axes[2]
    big = sizes[-1] if sizes else {}
    runs = [(label, big[key]["memory"]) for key, label in RUNS if _ok(big.get(key))]
    ys = range(len(runs))
    ax.barh([y + 0.2 for y in ys], [m["max_process_mib"] for _, m in runs], height=0.4, label="largest process")
    ax.barh([y - 0.2 for y in ys], [m["max_sum_mib"] for _, m in runs], height=0.4, label="sum over the tree")
    ax.axvline(1.5 * GIB, color="red", lw=0.8, ls=":", label="target 1.5 GiB (one process)")
    ax.set_yticks(list(ys), [label for label, _ in runs], fontsize=8)
    ax.set_xlabel("peak RSS (MiB)")
    ax.set_title(f"Peak memory, N={big.get('n', 0):,}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
