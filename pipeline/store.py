"""The embedded SPARQL store: a release's Turtle in an in-memory Oxigraph, read-only queries.

`run_query(sparql, release_dir)` loads the release (data + ontology, so concept labels are
there to query) and answers SELECT / ASK / CONSTRUCT / DESCRIBE. SPARQL Update is refused:
a release is immutable and a query command must never look like it changed it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.term import Node

from pipeline.config import DEFAULT_BASE_IRI, DEFAULT_DEF_IRI, Settings
from pipeline.errors import PipelineError
from pipeline.rdf.oxigraph_terms import to_rdflib

# Files of a release loaded into the store (fixed names, see pipeline/publish/release.py).
STORE_FILES = ("servicegraph.ttl", "ontology.ttl", "catalog.ttl")
# Result formats: SELECT/ASK are written by Oxigraph's own SPARQL results serialisers,
# CONSTRUCT/DESCRIBE by its RDF serialisers (Turtle with the published prefixes by default).
RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "xml": ox.QueryResultsFormat.XML,
}
GRAPH_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD}
FORMATS = ("table", *RESULT_FORMATS, *GRAPH_FORMATS)
# Longest cell of the table view; the full value is in every other format.
TABLE_CELL_MAX = 60


class QueryError(PipelineError):
    """A query cannot be run: bad syntax, an update, an unknown canned query, no release."""


class UpdateRefused(QueryError):
    """The text is SPARQL Update: a published release is read-only."""


@dataclass
class QueryResult:
    kind: str  # "select", "ask" or "graph" (CONSTRUCT / DESCRIBE)
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Node | None, ...]] = field(default_factory=list)  # graph: (s, p, o) rows
    boolean: bool | None = None


# --------------------------------------------------------------------------- terms


def _to_rdflib(term) -> Node | None:
    if term is None:
        return None
    try:
        return to_rdflib(term)
    except ValueError as exc:
        raise QueryError(f"unsupported term in result: {term!r}") from exc


# --------------------------------------------------------------------------- loading


def release_dir_for(release: Path | None, settings: Settings | None = None) -> Path:
    """The release folder to query: the given one, else output/latest."""
    settings = settings or Settings.from_env()
    path = Path(release) if release else settings.output / "latest"
    if not (path / STORE_FILES[0]).is_file():
        raise QueryError(f"{path}: no published release here (missing {STORE_FILES[0]}); run the pipeline first")
    return path


AREAS_DIR = "areas"  # areas/{area}.ttl: one employment area's data (pipeline/publish/assemble.py)


def area_names(release_dir: Path) -> list[str]:
    return sorted(p.stem for p in (release_dir / AREAS_DIR).glob("*.ttl"))


def load_store(release_dir: Path, area: str | None = None) -> ox.Store:
    """The release's data, ontology and catalogue in an in-memory store.

    With `area`, only that employment area's data (areas/{area}.ttl) instead of the whole
    dataset: the per-area form of every query, which does 1/45 of the work (docs/queries.md).
    """
    store = ox.Store()
    files = list(STORE_FILES)
    if area is not None:
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", area) or not (release_dir / AREAS_DIR / f"{area}.ttl").is_file():
            known = ", ".join(area_names(release_dir)[:5]) or "none"
            raise QueryError(f"{release_dir}: no employment area {area!r} in this release (e.g. {known}; "
                             f"`ls {release_dir / AREAS_DIR}`)")
        files[0] = f"{AREAS_DIR}/{area}.ttl"
    for name in files:
        f = release_dir / name
        if not f.is_file():
            continue
        try:
            store.load(path=str(f), format=ox.RdfFormat.TURTLE)
        except (SyntaxError, OSError) as exc:
            raise QueryError(f"{f}: cannot load into the store ({exc})") from exc
    return store


# --------------------------------------------------------------------------- queries


def _is_update(sparql: str) -> bool:
    """True when the text parses as SPARQL Update.

    Parsed only, never executed: running it, even on an empty store, would perform a LOAD's
    download or file read.
    """
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        parseUpdate(sparql)
    except (ParseException, ValueError, TypeError):
        return False
    return True


def localise_prefixes(sparql: str, settings: Settings) -> str:
    """Point the canned queries' default namespaces at this installation's base IRIs.

    The .rq files declare the default example.org namespaces so that they also run as-is
    against any endpoint; a publisher with its own base IRIs gets them rewritten here.
    """
    out = sparql
    for default, actual in ((DEFAULT_DEF_IRI, settings.def_iri), (DEFAULT_BASE_IRI, settings.base_iri)):
        if default != actual:
            out = re.sub(r"<" + re.escape(default), "<" + actual, out)
    return out


def execute(store: ox.Store, sparql: str) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    """Oxigraph's own answer (an iterator, read once); updates and bad syntax are QueryErrors."""
    try:
        return store.query(sparql)
    except SyntaxError as exc:
        if _is_update(sparql):
            raise UpdateRefused(
                "SPARQL Update is not allowed here: `query` reads a published release, which never "
                "changes (use `serve-sparql --allow-updates` for a writable scratch store)"
            ) from None
        raise QueryError(f"invalid SPARQL: {exc}") from None
    except OSError as exc:
        raise QueryError(f"query failed: {exc}") from exc


def query_store(store: ox.Store, sparql: str) -> QueryResult:
    """The answer as rdflib terms, for comparing with rdflib (tests, the README's tables).

    The command line does not use this: converting every row costs more than the query
    (docs/benchmarks.md); it writes Oxigraph's answer with `write_result`.
    """
    result = execute(store, sparql)
    if isinstance(result, ox.QueryBoolean):
        return QueryResult("ask", boolean=bool(result))
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        rows = [tuple(_to_rdflib(sol[n]) for n in names) for sol in result]
        return QueryResult("select", names, rows)
    rows = [(_to_rdflib(t.subject), _to_rdflib(t.predicate), _to_rdflib(t.object)) for t in result]
    return QueryResult("graph", ["subject", "predicate", "object"], rows)


def run_raw(
    sparql: str,
    release_dir: Path | None = None,
    settings: Settings | None = None,
    area: str | None = None,
    bindings: dict[str, str] | None = None,
) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    """Oxigraph's answer to `sparql` over a release (default output/latest), or one area of it,
    restricted to `bindings` (variable -> IRI, `bind_values`)."""
    settings = settings or Settings.from_env()
    release_dir = release_dir_for(release_dir, settings)
    return execute(load_store(release_dir, area), bind_values(localise_prefixes(sparql, settings), bindings or {}))


_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def bind_values(sparql: str, bindings: dict[str, str]) -> str:
    """The query with `VALUES ?name { <iri> }` first in its WHERE clause, one per binding.

    Why VALUES and not Oxigraph's substitutions: Oxigraph starts its joins from a VALUES block,
    but not from a substituted variable (statutory-purchased for one service at N = 1,000:
    0.2 ms against 59 ms; docs/benchmarks.md). The variable must be one the query selects, or the
    restriction would silently restrict nothing.
    """
    if not bindings:
        return sparql
    lines = sparql.splitlines(keepends=True)
    for n, line in enumerate(lines):
        match = None if line.lstrip().startswith("#") else _WHERE.search(line)
        if match:
            break
    else:
        raise QueryError("--bind needs a query with a WHERE { … } clause")
    head = "".join(lines[:n]) + line[: match.end()]
    selected = re.search(r"\bSELECT\b(.*)", head, re.IGNORECASE | re.DOTALL)
    values = []
    for name, iri in bindings.items():
        if not selected or not re.search(rf"(\*|[?$]{re.escape(name)}\b)", selected.group(1)):
            raise QueryError(f"--bind {name}=…: the query does not select ?{name}")
        try:
            values.append(f"\n  VALUES ?{name} {{ {ox.NamedNode(iri)} }}")
        except ValueError as exc:
            raise QueryError(f"--bind {name}={iri}: not an IRI ({exc})") from None
    return head + "".join(values) + line[match.end():] + "".join(lines[n + 1:])


def parse_binding(text: str, prefixes: dict[str, str]) -> tuple[str, str]:
    """`NAME=IRI` of `query --bind`: the IRI in full, in <…>, or with a published prefix (id:…)."""
    name, sep, value = text.partition("=")
    name = name.strip().lstrip("?$")
    value = value.strip()
    if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) or not value:
        raise QueryError(f"--bind {text!r}: give NAME=IRI, e.g. service=id:service/AREA/NAME")
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    prefix, colon, rest = value.partition(":")
    if colon and prefix in prefixes and not rest.startswith("//"):
        value = prefixes[prefix] + rest
    return name, value


def run_query(sparql: str, release_dir: Path | None = None, settings: Settings | None = None) -> QueryResult:
    """Answer `sparql` over a release (default output/latest)."""
    settings = settings or Settings.from_env()
    release_dir = release_dir_for(release_dir, settings)
    return query_store(load_store(release_dir), localise_prefixes(sparql, settings))


def canned_query(name: str, settings: Settings | None = None) -> str:
    settings = settings or Settings.from_env()
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", name):
        raise QueryError(f"{name!r}: not a query name (letters, digits, '-' and '_')")
    path = settings.queries_dir / f"{name}.rq"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in settings.queries_dir.glob("*.rq"))) or "none"
        raise QueryError(f"{path}: no such canned query (known: {known})")
    return path.read_text(encoding="utf-8")


def query_header(sparql: str) -> dict[str, str]:
    """The "# title: …" / "# answers: …" comment header of a canned query."""
    header: dict[str, str] = {}
    key = None
    for line in sparql.splitlines():
        m = re.match(r"#\s*(\w+):\s*(.*)", line)
        if m:
            key = m.group(1).lower()
            header[key] = m.group(2).strip()
        elif key and re.match(r"#\s{2,}\S", line):  # an indented comment line continues the field
            header[key] += " " + line.lstrip("#").strip()
        elif line.strip() and not line.startswith("#"):
            break
        else:
            key = None
    return header


# --------------------------------------------------------------------------- output


def display_prefixes(settings: Settings) -> dict[str, str]:
    """The published prefixes (those of context.jsonld) and the data base IRI as `id:`."""
    from pipeline.publish.serialise import prefixes

    return {**prefixes(settings.def_iri), "id": settings.base_iri}


class IriShortener:
    """`prefix:rest` with the longest matching namespace, else `<iri>`; memoised, because a
    table repeats the same IRIs row after row.

    For reading, not for parsing back: the rest may hold a `/` (id:service/area/name).
    """

    _LOCAL = re.compile(r"[\w./-]*")

    def __init__(self, prefixes: dict[str, str]) -> None:
        self._ordered = sorted(prefixes.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        self._memo: dict[str, str] = {}

    def __call__(self, iri: str) -> str:
        short = self._memo.get(iri)
        if short is None:
            short = f"<{iri}>"
            for p, ns in self._ordered:
                if iri.startswith(ns) and self._LOCAL.fullmatch(iri, len(ns)):
                    short = f"{p}:{iri[len(ns):]}"
                    break
            self._memo[iri] = short
        return short


def shorten_iri(iri: str, prefixes: dict[str, str]) -> str:
    return IriShortener(prefixes)(iri)


def _shrink(term: Node | None, prefixes: dict[str, str]) -> str:
    """An rdflib term as the table view shows it (the README's tables)."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return shorten_iri(str(term), prefixes)
    if isinstance(term, Literal) and term.language:
        return f"{term}@{term.language}"
    return str(term)


def _cell(term, shorten: IriShortener) -> str:
    """An Oxigraph term as the table view shows it, on one line and at most TABLE_CELL_MAX long."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        text = shorten(term.value)
    elif isinstance(term, ox.BlankNode):
        text = f"_:{term.value}"
    elif isinstance(term, ox.Literal) and term.language:
        text = f"{term.value}@{term.language}"
    else:
        text = term.value
    if len(text) > TABLE_CELL_MAX or not text.isprintable():
        text = " ".join(text.split())
    return text if len(text) <= TABLE_CELL_MAX else text[: TABLE_CELL_MAX - 1] + "…"


def _table(variables: list[str], rows: list[list[str]]) -> str:
    widths = [max([len(v)] + [len(r[i]) for r in rows]) for i, v in enumerate(variables)]
    line = lambda vals: " | ".join(v.ljust(w) for v, w in zip(vals, widths)).rstrip()  # noqa: E731
    out = [line(variables), "-+-".join("-" * w for w in widths)]
    out += [line(r) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def default_format(result) -> str:
    """Turtle for CONSTRUCT/DESCRIBE, the table for SELECT/ASK."""
    return "turtle" if isinstance(result, ox.QueryTriples) else "table"


def write_result(result, fmt: str | None = None, prefixes: dict[str, str] | None = None) -> bytes:
    """Oxigraph's answer in `fmt` (default: `default_format`), as bytes in UTF-8.

    SELECT/ASK: table (IRIs shortened with `prefixes`), json, csv, tsv, xml (the SPARQL 1.1
    results formats, written by Oxigraph). CONSTRUCT/DESCRIBE: turtle (with `prefixes`),
    ntriples, jsonld, or table (one row per triple).
    """
    fmt = fmt or default_format(result)
    prefixes = prefixes or {}
    if fmt not in FORMATS:
        raise QueryError(f"unknown format {fmt!r} (use one of {', '.join(FORMATS)})")
    if isinstance(result, ox.QueryTriples):
        if fmt == "table":
            shorten = IriShortener(prefixes)
            rows = [[_cell(t.subject, shorten), _cell(t.predicate, shorten), _cell(t.object, shorten)] for t in result]
            return _table(["subject", "predicate", "object"], rows).encode()
        if fmt not in GRAPH_FORMATS:
            raise QueryError(
                f"format {fmt!r} is for SELECT and ASK; CONSTRUCT and DESCRIBE give {', '.join(GRAPH_FORMATS)} or table"
            )
        return write_triples(result, fmt, prefixes)
    if fmt in GRAPH_FORMATS:
        raise QueryError(f"format {fmt!r} is for CONSTRUCT and DESCRIBE; SELECT and ASK give table, {', '.join(RESULT_FORMATS)}")
    if fmt in RESULT_FORMATS:
        return result.serialize(format=RESULT_FORMATS[fmt])
    if isinstance(result, ox.QueryBoolean):
        return b"true\n" if result else b"false\n"
    shorten = IriShortener(prefixes)
    variables = result.variables
    rows = [[_cell(sol[v], shorten) for v in variables] for sol in result]
    names = [v.value for v in variables]
    return _table(names, rows).encode()


def write_triples(triples, fmt: str, prefixes: dict[str, str] | None = None) -> bytes:
    """Triples (any iterable of Oxigraph triples) as Turtle, N-Triples or JSON-LD.

    Sorted, with only the prefixes they use: the same triples are the same bytes, and Turtle
    groups each subject's triples.
    """
    if fmt not in GRAPH_FORMATS:
        raise QueryError(f"unknown RDF format {fmt!r} (use one of {', '.join(GRAPH_FORMATS)})")
    rdf_format = GRAPH_FORMATS[fmt]
    ordered = sorted(triples, key=str)
    if rdf_format == ox.RdfFormat.N_TRIPLES:
        return ox.serialize(ordered, format=rdf_format)
    used = {p: ns for p, ns in sorted((prefixes or {}).items()) if any(_uses(t, ns) for t in ordered)}
    return ox.serialize(ordered, format=rdf_format, prefixes=used)


def _uses(triple: ox.Triple, ns: str) -> bool:
    for term in (triple.subject, triple.predicate, triple.object):
        if isinstance(term, ox.Literal):
            term = term.datatype
        if isinstance(term, ox.NamedNode) and term.value.startswith(ns):
            return True
    return False
