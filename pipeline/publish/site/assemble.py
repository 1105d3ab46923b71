"""A release's site/: the areas' pages (built on the workers, linked in) plus the release-wide
pages written at assembly: the index, the ontology and concept pages, the changelog, the stylesheet.

An area's pages live beside its shard (`{folder}/site/…` with the summary `{folder}/site.json`),
in the shard cache or in a temporary folder (publish_graph); in a release, the shard index
(shards.json) keeps each area's summary, so a shard kept from the latest release keeps its pages.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

from rdflib import RDF, Graph, URIRef
from rdflib.namespace import SKOS

from pipeline.publish.site import render
from pipeline.publish.site.area import AreaSite, build_area_site, definition_pages
from pipeline.publish.site.definitions import DefinitionPages
from pipeline.publish.site.file_cache import FileCache
from pipeline.publish.site.paths import ONTOLOGY_PAGE, page_for_iri, relative_href
from pipeline.publish.site.resources import Labels

SITE = "site"  # the folder of a release, and of a shard's own pages
SUMMARY = "site.json"  # beside a shard's site/ folder: its AreaSite
CHANGELOG_PAGE = "changelog.html"
TEM_SCHEME = "tem-service-area"
PACKAGE = Path(__file__).parent


@dataclass(frozen=True)
class AreaPages:
    """One area's pages and where their files are (laid out like site/)."""

    site: AreaSite
    folder: Path


@lru_cache(maxsize=1)
def code_version() -> str:
    """Digest of the generator (modules and templates): part of the release id, so that a new
    generator publishes a new site even when the data is unchanged."""
    digest = hashlib.sha256()
    for path in sorted(p for p in PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(PACKAGE)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def build_shard_pages(graph: Graph, definitions: Graph, pdfs: dict[str, Path], *, area_id: str, base: str,
                      def_base: str, folder: Path, crop_cache: Path | None = None) -> AreaSite:
    """Write an area's pages to `folder/site/` and its summary to `folder/site.json`."""
    site = build_area_site(graph, definitions, pdfs, area_id=area_id, base=base, def_base=def_base, out=folder / SITE,
                           crop_cache=crop_cache)
    (folder / SUMMARY).write_text(json.dumps(site.to_json(), indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                                  encoding="utf-8")
    return site


def shard_pages(ttl: Path, area_id: str, indexes: dict[Path, dict] | None = None) -> AreaPages | None:
    """The pages of the shard whose Turtle is `ttl`: beside it (shard cache, temporary folder), or
    in the release it was published in (`{release}/areas/{area}.ttl`); None if it has none.
    `indexes` keeps the release indexes read so far (10 MB each at N = 1,000), for a caller
    looking up many areas kept from one release."""
    folder = ttl.parent
    indexes = {} if indexes is None else indexes
    try:
        if (folder / SUMMARY).is_file():
            return AreaPages(AreaSite.from_json(json.loads((folder / SUMMARY).read_text(encoding="utf-8"))), folder / SITE)
        release = folder.parent
        if release not in indexes:
            indexes[release] = json.loads((release / "shards.json").read_text(encoding="utf-8"))
        entry = indexes[release]["areas"][area_id].get("site")
        return AreaPages(AreaSite.from_json(entry), release / SITE) if entry else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def site_digest(areas: list[AreaPages]) -> bytes:
    """What the release id adds for the site: the generator and every area's page digests."""
    parts = [code_version()] + [f"{a.site.area_id}\0{a.site.digest}" for a in sorted(areas, key=lambda a: a.site.area_id)]
    return "\n".join(parts).encode()


def changelog_html(markdown: str, cache: Path | None = None) -> str:
    """CHANGELOG.md as HTML, rendered a release's section at a time (the same bytes either way):
    a section is rendered once and kept in `cache`, since every release repeats all earlier ones
    and the first lists every service (15k at N = 1,000, seconds of markdown-it)."""
    head, *sections = markdown.split("\n## ")
    parts = [head] + ["## " + s for s in sections]
    return "".join(_section_html(part, cache) for part in parts)


def _section_html(markdown: str, cache: Path | None) -> str:
    markdown = markdown.rstrip("\n") + "\n"
    files = FileCache(cache / "changelog-html" if cache is not None else None, ".html")
    key = hashlib.sha256((code_version() + "\0" + markdown).encode()).hexdigest()
    cached = files.get(key)
    if cached is not None:
        return cached.decode("utf-8")
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown)
    files.put(key, html.encode("utf-8"))
    return html


def write_site(target: Path, areas: list[AreaPages], definitions: Graph, *, changelog: str, release_id: str,
               base: str, def_base: str, link: Callable[[Path, Path], None], cache: Path | None = None) -> int:
    """Write the release's site/ into `target` (inside the release's staging folder); the number
    of files it holds. `cache` keeps the changelog's rendered sections between runs."""
    owner: dict[str, str] = {}
    for area in sorted(areas, key=lambda a: a.site.area_id):
        for root in area.site.roots:
            if root in owner:
                raise ValueError(f"site/{root} is written by areas {owner[root]} and {area.site.area_id}")
            owner[root] = area.site.area_id
    linked = sum(_link_tree(area.folder, target, area.site.roots, link) for area in areas)
    def_pages = definition_pages(definitions, base, def_base)
    sites = [a.site for a in areas]
    # The pages the release-wide ones may link to: data pages only through the areas' summaries.
    pages = def_pages | {render.INDEX, CHANGELOG_PAGE} | {a.page for a in sites if a.page} \
        | {s.page for a in sites for s in a.services}
    written = DefinitionPages(definitions, sites, base, def_base, pages).pages()
    written[render.INDEX] = _index(definitions, sites, release_id, def_base, pages)
    written[CHANGELOG_PAGE] = render.render("changelog.html", CHANGELOG_PAGE, title="Changelog", iri="", crumbs=[],
                                            turtle="", body=changelog_html(changelog, cache))
    written[render.STYLESHEET] = render.stylesheet()
    for name, data in sorted(written.items()):
        render.write(target, name, data)
    return linked + len(written)


def _link_tree(folder: Path, target: Path, roots: tuple[str, ...], link: Callable[[Path, Path], None]) -> int:
    """Link every file under `roots` of `folder` into `target`; how many. Plain strings and one
    mkdir per folder: at N = 1,000 this links 130k files."""
    count = 0
    base, out_base = str(folder), str(target)
    for root in roots:
        source = os.path.join(base, root)
        if os.path.isfile(source):
            os.makedirs(os.path.dirname(os.path.join(out_base, root)), exist_ok=True)
            link(Path(source), Path(out_base, root))
            count += 1
            continue
        for here, _dirs, names in os.walk(source):
            out = os.path.join(out_base, os.path.relpath(here, base))
            os.makedirs(out, exist_ok=True)
            for name in names:
                try:
                    os.link(os.path.join(here, name), os.path.join(out, name))
                except FileExistsError:
                    raise ValueError(f"site/{os.path.relpath(os.path.join(out, name), out_base)} is written twice") from None
                except OSError:  # another file system, or links not allowed: the caller's way
                    link(Path(here, name), Path(out, name))
            count += len(names)
    return count


def _index(definitions: Graph, areas: list[AreaSite], release_id: str, def_base: str, pages: set[str]) -> bytes:
    page = render.INDEX
    labels = Labels((definitions,))
    counts: dict[str, int] = {}
    for area in areas:
        for service in area.services:
            for concept in service.concepts:
                counts[concept] = counts.get(concept, 0) + 1
    area_rows = [{"name": a.name, "href": relative_href(page, a.page) if a.page in pages else "",
                  "services": len(a.services)} for a in sorted(areas, key=lambda a: (a.name, a.area_id))]
    tem_scheme = URIRef(def_base + TEM_SCHEME)
    tem = []
    for concept in sorted(definitions.subjects(SKOS.inScheme, tem_scheme), key=str):
        notation = definitions.value(concept, SKOS.notation)
        label = labels.label(concept)
        tem.append({"label": f"{notation} {label}" if notation is not None else label,
                    "href": relative_href(page, page_for_iri(str(concept), "", def_base)[0]),
                    "services": counts.get(str(concept), 0)})
    schemes = []
    for scheme in sorted(definitions.subjects(RDF.type, SKOS.ConceptScheme), key=str):
        target = page_for_iri(str(scheme), "", def_base)[0]
        if target in pages:
            schemes.append({"label": labels.label(scheme), "en": labels.label(scheme, "en"),
                            "href": relative_href(page, target)})
    return render.render("index.html", page, title="Employment-area services as linked data", iri="", crumbs=[],
                         turtle="", release=release_id, areas=area_rows, tem=tem, schemes=schemes,
                         service_count=sum(len(a.services) for a in areas),
                         ontology_href=relative_href(page, ONTOLOGY_PAGE),
                         changelog_href=relative_href(page, CHANGELOG_PAGE))
