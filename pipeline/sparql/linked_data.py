"""The front door: dereferenceable IRIs and a read-only SPARQL endpoint over `output/latest`.

A Starlette application (served by uvicorn, both in the locked dependency set), no
hand-written HTTP:

- `/id/{path}` is the IRI `{base_iri}{path}` of a thing (a service, an entry, a source). It
  answers **303 See Other** (`Vary: Accept`) to a document about it, chosen by `Accept`:
  `/doc/{path}.ttl`, `.jsonld`, `.nt`; HTML goes to the release's static page
  `/site/id/{path}.html` when the release has one, else to the Turtle document.
- `/doc/{path}.{ttl|jsonld|nt}` is that document: the resource's own triples (its concise
  bounded description: the data has no blank nodes) plus the labels of what it points at.
- `/site/…` serves the release's `site/` folder as static files, when there is one.
- `/sparql` answers SPARQL queries (GET `?query=`, POST form or `application/sparql-query`),
  read-only (an update is a 400), with CORS for GET and POST from any origin.

The store is an in-memory Oxigraph loaded from the release `output/latest` points to. Each
request checks where `latest` points; after a new release the next request loads it completely
and only then swaps it in, so there is no moment with an empty or half-loaded store.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from pipeline.config import Settings
from pipeline.store import (
    QueryError,
    display_prefixes,
    execute,
    load_store,
    release_dir_for,
    write_result,
)

# extension -> (format name of store.write_result, media type)
DOCUMENT_TYPES = {
    "ttl": ("turtle", "text/turtle; charset=utf-8"),
    "jsonld": ("jsonld", "application/ld+json"),
    "nt": ("ntriples", "application/n-triples"),
}
# Accept media type -> extension; the first of these wins on equal quality.
NEGOTIATED = {
    "text/turtle": "ttl",
    "application/ld+json": "jsonld",
    "application/n-triples": "nt",
    "text/html": "html",
    "application/xhtml+xml": "html",
}
RESULTS_TYPES = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {"text/turtle": "turtle", "application/n-triples": "ntriples", "application/ld+json": "jsonld"}
LABELS = (
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://purl.org/dc/terms/title",
)


@dataclass
class _Loaded:
    release: Path  # resolved folder of the release
    store: ox.Store


class LatestRelease:
    """The store of the release `latest` points to, reloaded when it points elsewhere."""

    def __init__(self, latest: Path) -> None:
        self.latest = latest
        self._lock = threading.Lock()
        self._loaded: _Loaded | None = None
        self.current()  # fail at start, not at the first request, when there is no release

    def current(self) -> _Loaded:
        target = Path(os.path.realpath(self.latest))
        loaded = self._loaded
        if loaded is not None and loaded.release == target:
            return loaded
        with self._lock:  # one load at a time; others keep answering from the old store
            if self._loaded is None or self._loaded.release != target:
                release = release_dir_for(target)
                self._loaded = _Loaded(target, load_store(release))
            return self._loaded


def _preferred(accept: str, offered: dict[str, str], default: str) -> str:
    """The offered value whose media type `accept` ranks highest (q-values; ties: offer order)."""
    best, best_q = default, 0.0
    ranked = []
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        q = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        ranked.append((fields[0].lower(), q))
    for media, value in offered.items():
        for pattern, q in ranked:
            matches = pattern in (media, "*/*") or (pattern.endswith("/*") and media.startswith(pattern[:-1]))
            if matches and q > best_q:
                best, best_q = value, q
    return best


def _describe(store: ox.Store, iri: str) -> ox.QueryTriples:
    labels = " ".join(f"<{p}>" for p in LABELS)
    return execute(
        store,
        f"""CONSTRUCT {{ <{iri}> ?p ?o . ?o ?lp ?label }}
        WHERE {{ <{iri}> ?p ?o .
                 OPTIONAL {{ ?o ?lp ?label . VALUES ?lp {{ {labels} }} FILTER(isIRI(?o)) }} }}""",
    )


def _known(store: ox.Store, iri: str) -> bool:
    return bool(execute(store, f"ASK {{ <{iri}> ?p ?o }}"))


def _safe_path(path: str) -> bool:
    # An IRI path is data, pasted into SPARQL between < >: refuse what could close the IRI.
    return bool(path) and not any(c in path for c in '<>"{}|\\^` \n\r\t') and ".." not in path.split("/")


def create_app(latest: Path, settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    releases = LatestRelease(latest)
    prefixes = display_prefixes(settings)

    def resource(request: Request) -> Response:
        path = request.path_params["path"]
        if not _safe_path(path):
            return PlainTextResponse("not found\n", status_code=404)
        loaded = releases.current()
        if not _known(loaded.store, settings.base_iri + path):
            return PlainTextResponse(f"not found: {settings.base_iri}{path}\n", status_code=404)
        ext = _preferred(request.headers.get("accept", "*/*"), NEGOTIATED, "ttl")
        if ext == "html":
            page = loaded.release / "site" / "id" / f"{path}.html"
            target = f"/site/id/{path}.html" if page.is_file() else f"/doc/{path}.ttl"
        else:
            target = f"/doc/{path}.{ext}"
        return RedirectResponse(target, status_code=303, headers={"Vary": "Accept"})

    def document(request: Request) -> Response:
        path, _, ext = request.path_params["path"].rpartition(".")
        if ext not in DOCUMENT_TYPES or not _safe_path(path):
            return PlainTextResponse("not found\n", status_code=404)
        loaded = releases.current()
        iri = settings.base_iri + path
        if not _known(loaded.store, iri):
            return PlainTextResponse(f"not found: {iri}\n", status_code=404)
        fmt, media = DOCUMENT_TYPES[ext]
        return Response(write_result(_describe(loaded.store, iri), fmt, prefixes), media_type=media)

    def site(request: Request) -> Response:
        root = (releases.current().release / "site").resolve()
        target = (root / request.path_params["path"]).resolve()
        if not target.is_relative_to(root) or not target.is_file():
            return PlainTextResponse("not found\n", status_code=404)
        return FileResponse(target)

    async def sparql(request: Request) -> Response:
        if request.method == "POST":
            kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if kind == "application/sparql-query":
                text = (await request.body()).decode("utf-8", "replace")
            else:
                text = (await request.form()).get("query")
        else:
            text = request.query_params.get("query")
        if not text:
            return PlainTextResponse("give a SPARQL query as ?query= or in the POST body\n", status_code=400)
        accept = request.headers.get("accept", "*/*")
        try:
            result = execute(releases.current().store, str(text))
            if isinstance(result, ox.QueryTriples):
                fmt = _preferred(accept, GRAPH_TYPES, "turtle")
                media = {v: k for k, v in GRAPH_TYPES.items()}[fmt]
            else:
                fmt = _preferred(accept, RESULTS_TYPES, "json")
                media = {v: k for k, v in RESULTS_TYPES.items()}[fmt]
            body = write_result(result, fmt, prefixes)
        except QueryError as exc:
            return PlainTextResponse(f"{exc}\n", status_code=400)
        return Response(body, media_type=media)

    return Starlette(
        routes=[
            Route("/id/{path:path}", resource),
            Route("/doc/{path:path}", document),
            Route("/site/{path:path}", site),
            Route("/sparql", sparql, methods=["GET", "POST"]),
        ],
        middleware=[
            Middleware(
                CORSMiddleware,
                allow_origins=["*"],
                allow_methods=["GET", "POST"],
                allow_headers=["Accept", "Content-Type"],
            )
        ],
    )
