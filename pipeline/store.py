"""The embedded SPARQL store: a release's Turtle in an in-memory Oxigraph, read-only queries.

`run_query(sparql, release_dir)` loads the release (data + ontology, so concept labels are
there to query) and answers SELECT / ASK / CONSTRUCT / DESCRIBE. SPARQL Update is refused:
a release is immutable and a query command must never look like it changed it.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from pipeline.config import DEFAULT_BASE_IRI, DEFAULT_DEF_IRI, Settings
from pipeline.errors import PipelineError

# Files of a release loaded into the store (fixed names, see pipeline/publish/release.py).
STORE_FILES = ("servicegraph.ttl", "ontology.ttl", "catalog.ttl")
FORMATS = ("table", "csv", "json")


class QueryError(PipelineError):
    """A query cannot be run: bad syntax, an update, an unknown canned query, no release."""


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
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value if term.datatype else None
        # Oxigraph types every plain string xsd:string; rdflib leaves it untyped. Same thing.
        return Literal(term.value, datatype=None if dt == str(XSD.string) else URIRef(dt))
    raise QueryError(f"unsupported term in result: {term!r}")


# --------------------------------------------------------------------------- loading


def release_dir_for(release: Path | None, settings: Settings | None = None) -> Path:
    """The release folder to query: the given one, else output/latest."""
    settings = settings or Settings.from_env()
    path = Path(release) if release else settings.output / "latest"
    if not (path / STORE_FILES[0]).is_file():
        raise QueryError(f"{path}: no published release here (missing {STORE_FILES[0]}); run the pipeline first")
    return path


def load_store(release_dir: Path) -> ox.Store:
    store = ox.Store()
    for name in STORE_FILES:
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


def query_store(store: ox.Store, sparql: str) -> QueryResult:
    try:
        result = store.query(sparql)
    except SyntaxError as exc:
        if _is_update(sparql):
            raise QueryError(
                "SPARQL Update is not allowed here: `query` reads a published release, which never "
                "changes (use `serve-sparql --allow-updates` for a writable scratch store)"
            ) from None
        raise QueryError(f"invalid SPARQL: {exc}") from None
    except OSError as exc:
        raise QueryError(f"query failed: {exc}") from exc
    if isinstance(result, ox.QueryBoolean):
        return QueryResult("ask", boolean=bool(result))
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        rows = [tuple(_to_rdflib(sol[n]) for n in names) for sol in result]
        return QueryResult("select", names, rows)
    rows = [(_to_rdflib(t.subject), _to_rdflib(t.predicate), _to_rdflib(t.object)) for t in result]
    return QueryResult("graph", ["subject", "predicate", "object"], rows)


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


def _plain(term: Node | None) -> str:
    return "" if term is None else str(term)


def _shrink(term: Node | None, prefixes: dict[str, str]) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        for p, ns in sorted(prefixes.items(), key=lambda kv: -len(kv[1])):
            if str(term).startswith(ns) and re.fullmatch(r"[\w./-]*", str(term)[len(ns):]):
                return f"{p}:{str(term)[len(ns):]}"
        return f"<{term}>"
    if isinstance(term, Literal) and term.language:
        return f"{term}@{term.language}"
    return str(term)


def _json_term(term: Node) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype:
        out["datatype"] = str(term.datatype)
    return out


def format_result(result: QueryResult, fmt: str, prefixes: dict[str, str] | None = None) -> str:
    """table (IRIs shortened with the published prefixes), csv (SPARQL CSV) or json (SPARQL JSON)."""
    if fmt not in FORMATS:
        raise QueryError(f"unknown format {fmt!r} (use one of {', '.join(FORMATS)})")
    if result.kind == "ask":
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": result.boolean}, indent=2)
        return "true" if result.boolean else "false"
    if fmt == "json":
        bindings = [
            {v: _json_term(t) for v, t in zip(result.variables, row) if t is not None} for row in result.rows
        ]
        return json.dumps({"head": {"vars": result.variables}, "results": {"bindings": bindings}}, indent=2, ensure_ascii=False)
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(result.variables)
        for row in result.rows:
            w.writerow([_plain(t) for t in row])
        return buf.getvalue()
    cells = [[_shrink(t, prefixes or {}) for t in row] for row in result.rows]
    widths = [max([len(v)] + [len(r[i]) for r in cells]) for i, v in enumerate(result.variables)]
    line = lambda vals: " | ".join(v.ljust(w) for v, w in zip(vals, widths)).rstrip()  # noqa: E731
    out = [line(result.variables), "-+-".join("-" * w for w in widths)]
    out += [line(r) for r in cells]
    out.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(out)
