"""Query speed: the median time of each canned query in Oxigraph's engine.

Each query on the whole release, with a first page (LIMIT 100), per employment area
(`servicegraph query --area`), per source document (`--bind source=IRI`, provenance) and per
service (`--bind service=IRI`).

    .venv/bin/python benchmarks/queries.py                       # N = 100 (built once, then reused)
    .venv/bin/python benchmarks/queries.py --sizes 100,1000      # also N = 1,000 (about 25 min of 2 cores)
    .venv/bin/python benchmarks/queries.py --release output/latest

For a size N it takes the benchmark corpus (benchmarks/corpus.py: N real LibreOffice PDFs) and
publishes it once with `servicegraph run --no-prefect` into benchmarks/results/queries/n{N}/
(reused while it is there). A query's time is what `servicegraph query --format json` and the
/sparql endpoint spend after loading: Oxigraph evaluates it and writes the SPARQL JSON results
(one warm-up, then --repeat runs; the median). The per-area form runs on a store holding only the
largest area's file (areas/{area}.ttl) with the ontology and catalogue, as `query --area` does.
The per-service form restricts ?service (`query --bind service=IRI`: a VALUES block) to the
service with the most entries in that area, on the whole release; the per-source form restricts
?source (`--bind source=IRI`, provenance) to the source document of that area with the most
entries. The targets (issue 15): ≤ 20 ms for the small answers (the count, differs-by-audience)
on the whole release; the others per area, per source or per service. A missed target is
reported, not an error.

It also checks what a rewritten query must keep: differs-by-audience gives the rows of its former
shape, which pairs every entry (queries/checks/classification-differs-by-audience-from-entries.rq),
and immigrant-or-multiprofessional those of its own (…-union-first.rq), both timed too ("whole,
former shape"); and sg:audienceDependentFacet is stated exactly where the
entries disagree (queries/checks/audience-dependent-facet-mismatches.rq answers nothing).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import pyoxigraph as ox  # noqa: E402

import corpus as corpus_mod  # noqa: E402
from pipeline.config import Settings  # noqa: E402
from pipeline.store import AREAS_DIR, bind_values, load_store, localise_prefixes  # noqa: E402

TARGET_MS = 20.0
SMALL_ANSWERS = ("services-per-tem-area-count", "classification-differs-by-audience")
PAGE = 100
RESULTS = HERE / "results" / "queries"
CHECKS = ROOT / "queries" / "checks"
# canned query -> its former shape, which must give the same rows (timed as "whole, former shape")
FORMER_SHAPES = {"classification-differs-by-audience": CHECKS / "classification-differs-by-audience-from-entries.rq",
                 "immigrant-or-multiprofessional": CHECKS / "immigrant-or-multiprofessional-union-first.rq"}
MISMATCH_CHECK = CHECKS / "audience-dependent-facet-mismatches.rq"


@dataclass
class Timing:
    query: str
    form: str  # "whole", "first page" (LIMIT 100), "area" (largest area's file), "source" or "service" (bound)
    rows: int
    median_ms: float
    min_ms: float
    target: str  # "≤ 20 ms" where the target applies to this form, else ""

    @property
    def met(self) -> bool | None:
        return None if not self.target else self.median_ms <= TARGET_MS


def build_release(n: int, engine: str, corpus_root: Path = corpus_mod.CORPUS_DIR) -> Path:
    """output/latest of the N-document corpus, published once by the real command (the SHACL
    engine does not change the release: docs/benchmarks.md checks the bytes; turbo is faster)."""
    work = RESULTS / f"n{n}"
    latest = work / "output" / "latest"
    if (latest / "servicegraph.ttl").is_file():
        return latest
    sources = corpus_mod.ensure_corpus(n, corpus_root, log=lambda m: print(m, flush=True))
    print(f"[N={n}] servicegraph run --no-prefect ...", flush=True)
    started = time.monotonic()
    env = {**os.environ, "SERVICEGRAPH_CACHE_DIR": str(work / "cache"), "SERVICEGRAPH_SHACL_ENGINE": engine}
    done = subprocess.run([sys.executable, "-m", "pipeline.cli", "run", "--no-prefect", "--no-fetch", "--sources",
                           str(sources), "--output", str(work / "output")], cwd=ROOT, env=env)
    if done.returncode not in (0, 3):
        raise SystemExit(f"[N={n}] the run failed (exit {done.returncode})")
    print(f"[N={n}] published in {time.monotonic() - started:.0f} s", flush=True)
    return latest


def largest_area(release: Path) -> str:
    return max((release / AREAS_DIR).glob("*.ttl"), key=lambda p: (p.stat().st_size, p.name)).stem


def busiest_service(store: ox.Store) -> str:
    """The service of the area with the most entries: the largest answer of the per-service form."""
    sparql = ("SELECT ?s (COUNT(?e) AS ?n) WHERE { ?s <https://servicegraph.example.org/def/ontology#hasEntry> ?e } "
              "GROUP BY ?s ORDER BY DESC(?n) ?s LIMIT 1")
    return next(iter(store.query(localise_prefixes(sparql, Settings.from_env()))))["s"].value


def busiest_source(store: ox.Store) -> str:
    """The source document with the most entries (in the one area's store): provenance's largest page."""
    sparql = ("SELECT ?s (COUNT(?e) AS ?n) WHERE { ?e <http://www.w3.org/ns/prov#wasDerivedFrom> ?s } "
              "GROUP BY ?s ORDER BY DESC(?n) ?s LIMIT 1")
    return next(iter(store.query(sparql)))["s"].value


def rows_of(store: ox.Store, sparql: str) -> list[tuple[str, ...]]:
    """The answer's rows as sorted tuples of N-Triples terms: a comparison that ignores row order."""
    solutions = store.query(sparql)
    names = [v.value for v in solutions.variables]
    return sorted(tuple(str(sol[n]) if sol[n] is not None else "" for n in names) for sol in solutions)


def check_rewrites(store: ox.Store, queries: dict[str, str], settings: Settings) -> dict:
    """Same rows as the former shapes; the precomputed statement agrees with the entries."""
    same = {name: rows_of(store, queries[name]) == rows_of(store, localise_prefixes(path.read_text(encoding="utf-8"), settings))
            for name, path in FORMER_SHAPES.items() if name in queries}
    mismatches = rows_of(store, localise_prefixes(MISMATCH_CHECK.read_text(encoding="utf-8"), settings))
    return {"same_rows_as_former_shape": same, "audience_dependent_facet_mismatches": len(mismatches)}


def time_query(store: ox.Store, sparql: str, repeat: int) -> tuple[int, list[float]]:
    def once() -> bytes:
        result = store.query(sparql)
        if isinstance(result, ox.QueryBoolean):
            return b"true" if result else b"false"
        return result.serialize(format=ox.QueryResultsFormat.JSON)

    body = once()  # warm-up, and the answer's size
    rows = len(json.loads(body)["results"]["bindings"]) if body.startswith(b"{") else 1
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        once()
        times.append((time.perf_counter() - started) * 1000)
    return rows, times


def measure(release: Path, repeat: int, settings: Settings) -> dict:
    queries = {p.stem: localise_prefixes(p.read_text(encoding="utf-8"), settings)
               for p in sorted(settings.queries_dir.glob("*.rq"))}
    started = time.perf_counter()
    whole = load_store(release)
    load_s = time.perf_counter() - started
    area = largest_area(release)
    started = time.perf_counter()
    one_area = load_store(release, area)
    area_load_s = time.perf_counter() - started
    service = busiest_service(one_area)
    source = busiest_source(one_area)
    timings: list[Timing] = []
    for name, sparql in queries.items():
        small = name in SMALL_ANSWERS
        forms = [("whole", whole, sparql, "≤ 20 ms" if small else "")]
        if name in FORMER_SHAPES:
            former = localise_prefixes(FORMER_SHAPES[name].read_text(encoding="utf-8"), settings)
            forms.append(("whole, former shape", whole, former, ""))
        if not small:
            forms.append(("first page", whole, f"{sparql.rstrip()}\nLIMIT {PAGE}", ""))
        forms.append(("area", one_area, sparql, "" if small else "≤ 20 ms"))
        for variable, iri in (("source", source), ("service", service)):
            if re.search(rf"SELECT[^{{]*\?{variable}\b", sparql) and (variable == "service" or not small):
                # a bound variable must be selected (?source: provenance only); the count has no per-source form
                forms.append((variable, whole, bind_values(sparql, {variable: iri}), "" if small else "≤ 20 ms"))
        for form, store, text, target in forms:
            rows, times = time_query(store, text, repeat)
            t = Timing(name, form, rows, round(statistics.median(times), 1), round(min(times), 1), target)
            timings.append(t)
            print(f"  {name:38} {form:10} {t.rows:7} rows  median {t.median_ms:8.1f} ms  min {t.min_ms:8.1f} ms"
                  + (f"  target {target}: {'met' if t.met else 'MISSED'}" if target else ""), flush=True)
    checks = check_rewrites(whole, queries, settings)
    print(f"  checks: {checks}", flush=True)
    return {"release": str(release.resolve()), "triples": len(whole), "area": area, "area_triples": len(one_area),
            "service": service, "source": source, "checks": checks,
            "load_s": round(load_s, 2), "area_load_s": round(area_load_s, 2),
            "timings": [asdict(t) | {"met": t.met} for t in timings]}


def table(results: dict) -> str:
    lines = []
    for label, r in results.items():
        lines += [f"\n{label}: {r['triples']:,} triples (loaded in {r['load_s']} s); largest area {r['area']}: "
                  f"{r['area_triples']:,} triples (loaded in {r['area_load_s']} s); service form: ?service = "
                  f"<{r['service']}>, source form: ?source = <{r['source']}> (whole release)",
                  f"checks: {r['checks']}", "",
                  "| query | form | rows | median (ms) | min (ms) | target |", "|---|---|---:|---:|---:|---|"]
        for t in r["timings"]:
            verdict = "" if t["met"] is None else (" met" if t["met"] else " **missed**")
            lines.append(f"| {t['query']} | {t['form']} | {t['rows']:,} | {t['median_ms']} | {t['min_ms']} | "
                         f"{t['target']}{verdict} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--sizes", default="100", help="corpus sizes, comma-separated (default 100)")
    parser.add_argument("--release", type=Path, action="append", default=[], help="measure this release instead")
    parser.add_argument("--repeat", type=int, default=9, help="timed runs per query (default 9)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where results.json goes (default %(default)s)")
    parser.add_argument("--corpus-root", type=Path, default=corpus_mod.CORPUS_DIR,
                        help="where the benchmark corpus is (or is built), as for benchmarks/run.py")
    parser.add_argument("--engine", default="pyshacl", help="SHACL engine of the run that builds a release "
                        "(pyshacl or turbo: same release, turbo ~40 %% less CPU)")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    releases = {str(p): p for p in args.release} or {
        f"N = {int(n):,}": build_release(int(n), args.engine, args.corpus_root) for n in args.sizes.split(",") if n.strip()}
    results = {}
    for label, release in releases.items():
        print(f"{label}: {release}", flush=True)
        results[label] = measure(release, args.repeat, settings)
    args.out.mkdir(parents=True, exist_ok=True)
    meta = {"when": time.strftime("%Y-%m-%d %H:%M:%S"), "load_average": os.getloadavg()[0],
            "python": sys.version.split()[0], "pyoxigraph": ox.__version__ if hasattr(ox, "__version__") else "?"}
    (args.out / "results.json").write_text(json.dumps({"meta": meta, "results": results}, indent=1,
                                                     ensure_ascii=False) + "\n", encoding="utf-8")
    print(table(results))
    missed = [t for r in results.values() for t in r["timings"] if t["met"] is False]
    print(f"{len(missed)} target(s) missed" if missed else "all targets met")
    # A failed check means wrong answers, not slow ones (e.g. a release published before
    # sg:audienceDependentFacet existed): the timings of that release say nothing.
    failed = [label for label, r in results.items() if r["checks"]["audience_dependent_facet_mismatches"]
              or not all(r["checks"]["same_rows_as_former_shape"].values())]
    if failed:
        print(f"CHECK FAILED on {', '.join(failed)}: a rewritten query's rows differ from its former shape's, or "
              "sg:audienceDependentFacet disagrees with the entries (republish the release with this code)")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
