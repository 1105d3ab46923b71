"""Where a resource's page is in a release's site/ folder (the contract of docs/site.md).

serve-ld imports `page_for_iri` to answer `text/html` for an IRI, so the rule lives in one place.
"""

from __future__ import annotations

import posixpath
from functools import lru_cache

DATA_DIR = "id"  # site/id/… holds the pages of data IRIs, whatever the data base IRI is
DEF_DIR = "def"  # site/def/… those of the ontology and the concept schemes
ONTOLOGY_PAGE = "def/ontology.html"

# How many path segments of a data IRI name a page; the rest becomes the fragment. Entries, their
# print locations, cells and participations get no page of their own: they sit on their source's
# entry list (entry/{source}.html#{entry}-location-1).
PAGE_DEPTH = {
    "service": 3,
    "agent": 3,
    "event": 3,
    "organisation": 2,
    "location": 2,
    "source": 2,
    "entry": 2,
}


def page_for_iri(iri: str, base: str, def_base: str) -> tuple[str, str] | None:
    """(path relative to site/, fragment or "") of the page that shows `iri`; None if not ours.

    `base` is the data base IRI (settings.base_iri, e.g. https://…/id/), `def_base` the ontology base
    (settings.def_iri, e.g. https://…/def/).
    """
    iri = str(iri)
    if def_base and iri.startswith(def_base):
        rest = iri[len(def_base):]
        path, _, fragment = rest.partition("#")
        path = path.strip("/")
        if not path:
            return None
        if path == "ontology":
            return ONTOLOGY_PAGE, fragment
        return f"{DEF_DIR}/{path}.html", fragment
    if base and iri.startswith(base):
        rest = iri[len(base):]
        path, _, fragment = rest.partition("#")
        segments = [s for s in path.split("/") if s]
        if not segments:
            return None
        depth = PAGE_DEPTH.get(segments[0], len(segments))
        page, extra = segments[:depth], segments[depth:]
        fragment = "-".join(extra + ([fragment] if fragment else []))
        return f"{DATA_DIR}/{'/'.join(page)}.html", fragment
    return None


def relative_href(from_page: str, to_page: str, fragment: str = "") -> str:
    """A link from one site page to another that works from file://, a static host or /site/."""
    href = _relative(posixpath.dirname(from_page) or ".", to_page)
    return f"{href}#{fragment}" if fragment else href


@lru_cache(maxsize=1 << 16)
def _relative(folder: str, to_page: str) -> str:
    # posixpath.relpath normalises both paths on every call: an area's pages ask for 100k links,
    # most of them from one folder to the same few pages (stylesheet, index, concepts).
    return posixpath.relpath(to_page, folder)
