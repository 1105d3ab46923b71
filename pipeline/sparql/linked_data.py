"""The front door: dereferenceable IRIs, the release's site and a read-only SPARQL endpoint.

A Starlette application, served by uvicorn (both in the locked dependency set): no hand-written
HTTP. Paths (docs/queries.md, "The front door"):

- `/id/{path}` is the data IRI `{base_iri}{path}`, `/def/{path}` the definition IRI
  `{def_iri}{path}` (ontology, concept schemes, concepts), whatever host and path the two base
  IRIs have: a publisher maps its bases onto these two folders. Either answers **303 See
  Other** (`Vary: Accept`) to the document chosen by `Accept`: `/doc/{id|def}/{path}.ttl`,
  `.jsonld`, `.nt`, or, for `text/html`, the resource's page in the release's site
  (`/site/…`, where `page_for_iri` says) when the release has one. An IRI the release says
  nothing about is 404.
- `/doc/{id|def}/{path}.{ttl|jsonld|nt}` is the document (pipeline/sparql/documents.py).
- `/site/…` is the release's `site/` folder, as static files.
- `/sparql` answers SPARQL queries (GET `?query=`, POST form or `application/sparql-query`),
  read-only (SPARQL Update is 403, and so is a federated SERVICE query: pipeline/sparql/guard.py),
  with CORS for any origin.

Every request is answered from the release `latest` pointed to when it was last loaded
completely (pipeline/sparql/latest.py).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs

import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from pipeline.config import Settings
from pipeline.publish.site.paths import page_for_iri
from pipeline.sparql.documents import describe, is_described, named_node
from pipeline.sparql.guard import uses_service
from pipeline.sparql.latest import LatestRelease
from pipeline.sparql.negotiation import preferred
from pipeline.store import QueryError, UpdateRefused, display_prefixes, execute, write_result, write_triples

# Document extension -> (format of store.write_triples, media type). The order is the
# preference on equal quality (and for `*/*`): Turtle first.
DOCUMENTS = {
    "ttl": ("turtle", "text/turtle; charset=utf-8"),
    "jsonld": ("jsonld", "application/ld+json"),
    "nt": ("ntriples", "application/n-triples"),
}
RDF_OFFERS = {"text/turtle": "ttl", "application/ld+json": "jsonld", "application/n-triples": "nt"}
HTML_OFFERS = {"text/html": "html", "application/xhtml+xml": "html"}
RESULTS_OFFERS = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
RESULTS_MEDIA = {v: k for k, v in RESULTS_OFFERS.items()}
GRAPH_OFFERS = {"text/turtle": "turtle", "application/n-triples": "ntriples", "application/ld+json": "jsonld"}
GRAPH_MEDIA = {v: k for k, v in GRAPH_OFFERS.items()}
SITE_INDEX = "index.html"
USAGE = """servicegraph linked data
/id/{path}    data IRIs (303 to a document by Accept: text/turtle, application/ld+json,
              application/n-triples, text/html when the release has a site)
/def/{path}   ontology, concept schemes and concepts, the same way
/sparql       SPARQL queries (GET ?query=, POST), read-only
/site/        the release's static site, when it has one
"""


def _not_found(what: str = "") -> Response:
    return PlainTextResponse(f"not found{': ' + what if what else ''}\n", status_code=404)


def create_app(latest: Path, settings: Settings | None = None) -> Starlette:
    """The application over the release `latest` points to (loaded now: no release is a QueryError)."""
    settings = settings or Settings.from_env()
    releases = LatestRelease(latest)
    prefixes = display_prefixes(settings)
    bases = {"id": settings.base_iri, "def": settings.def_iri}

    def site_page(release: Path, iri: str) -> str | None:
        """`/site/…#fragment` of the resource's page, if the release has that page."""
        found = page_for_iri(iri, settings.base_iri, settings.def_iri)
        if found is None:
            return None
        page, fragment = found
        if not (release / "site" / page).is_file():
            return None
        return f"/site/{page}" + (f"#{fragment}" if fragment else "")

    def resource_under(kind: str):
        def resource(request: Request) -> Response:
            path = request.path_params["path"]
            iri = named_node(bases[kind] + path)
            loaded = releases.current()
            if iri is None or not path or not is_described(loaded.store, iri):
                return _not_found(bases[kind] + path)
            page = site_page(loaded.release, iri.value)
            offers = {**RDF_OFFERS, **(HTML_OFFERS if page else {})}
            # Nothing acceptable (a browser, and no page to show): Turtle rather than a 406.
            ext = preferred(request.headers.get("accept"), offers, "ttl")
            target = page if ext == "html" else f"/doc/{kind}/{path}.{ext}"
            return RedirectResponse(target, status_code=303, headers={"Vary": "Accept"})

        return resource

    def document(request: Request) -> Response:
        kind = request.path_params["kind"]
        path, _, ext = request.path_params["path"].rpartition(".")
        if kind not in bases or ext not in DOCUMENTS or not path:
            return _not_found()
        iri = named_node(bases[kind] + path)
        store = releases.current().store
        if iri is None or not is_described(store, iri):
            return _not_found(bases[kind] + path)
        fmt, media = DOCUMENTS[ext]
        return Response(write_triples(describe(store, iri), fmt, prefixes), media_type=media)

    def site(request: Request) -> Response:
        root = (releases.current().release / "site").resolve()
        target = (root / request.path_params["path"]).resolve()
        if target.is_dir():
            target = target / SITE_INDEX
        if not target.is_relative_to(root) or not target.is_file():
            return _not_found()
        return FileResponse(target)

    def home(request: Request) -> Response:
        if (releases.current().release / "site" / SITE_INDEX).is_file():
            return RedirectResponse(f"/site/{SITE_INDEX}", status_code=303)
        return PlainTextResponse(USAGE)

    def answer(text: str, accept: str | None) -> Response:
        result = execute(releases.current().store, text)
        if isinstance(result, ox.QueryTriples):
            fmt = preferred(accept, GRAPH_OFFERS, "turtle")
            return Response(write_result(result, fmt, prefixes), media_type=GRAPH_MEDIA[fmt])
        fmt = preferred(accept, RESULTS_OFFERS, "json")
        return Response(write_result(result, fmt, prefixes), media_type=RESULTS_MEDIA[fmt])

    async def sparql(request: Request) -> Response:
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if request.method == "POST" and kind == "application/sparql-update":
            return PlainTextResponse("read-only endpoint: SPARQL Update is refused\n", status_code=403)
        if request.method == "POST" and kind == "application/sparql-query":
            text = (await request.body()).decode("utf-8", "replace")
        elif request.method == "POST":
            # The protocol's form is URL-encoded (SPARQL 1.1 Protocol 2.1.2); read with the standard
            # library rather than adding python-multipart for one field.
            form = parse_qs((await request.body()).decode("utf-8", "replace"))
            if "update" in form:
                return PlainTextResponse("read-only endpoint: SPARQL Update is refused\n", status_code=403)
            text = (form.get("query") or [None])[0]
        else:
            text = request.query_params.get("query")
        if not text or not isinstance(text, str):
            return PlainTextResponse("give a SPARQL query as ?query= or in the POST body\n", status_code=400)
        if uses_service(text):
            return PlainTextResponse("SERVICE (a federated query) is not allowed on this endpoint\n", status_code=403)
        try:
            # In a worker thread: a long query must not hold up the other requests.
            return await run_in_threadpool(answer, text, request.headers.get("accept"))
        except UpdateRefused:
            return PlainTextResponse("read-only endpoint: SPARQL Update is refused\n", status_code=403)
        except QueryError as exc:
            return PlainTextResponse(f"{exc}\n", status_code=400)

    return Starlette(
        routes=[
            Route("/", home),
            Route("/id/{path:path}", resource_under("id")),
            Route("/def/{path:path}", resource_under("def")),
            Route("/doc/{kind}/{path:path}", document),
            Route("/site/{path:path}", site),
            Route("/sparql", sparql, methods=["GET", "POST"]),
        ],
        middleware=[
            Middleware(
                CORSMiddleware,
                allow_origins=["*"],
                allow_methods=["GET", "POST"],
                allow_headers=["Accept", "Content-Type"],
                max_age=600,
            )
        ],
    )
