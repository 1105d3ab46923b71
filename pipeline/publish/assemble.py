"""A release assembled from per-area shards, streamed: no graph of the whole dataset is built.

    releases/{id}/servicegraph.ttl     every shard's Turtle, areas in id order, one prefix header
    releases/{id}/servicegraph.jsonld  every shard's nodes, areas in id order, one @graph
    releases/{id}/areas/{area}.ttl     one employment area's own files (hard links to the
    releases/{id}/areas/{area}.jsonld    shard cache where the file system allows)
    releases/{id}/ontology.ttl         the ontology and concept schemes, once
    releases/{id}/shards.json          the shard index: digests, counts and services per area
    releases/{id}/catalog.ttl, CHANGELOG.md, changes.json, context.jsonld
    releases/{id}/site/                the static site: each area's pages (built with its shard,
                                         linked in) and the release-wide ones (docs/site.md)

Shards are closed subgraphs (an area's services, entries, sources and print locations share no
subject with another area), so concatenating them sorted by area gives a deterministic file whose
triples are the union; each shard is itself sorted by subject. The release id hashes the shard
digests, so it is known before a byte is written; the changelog diffs only the areas whose digest
changed, one area's graph at a time.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO, Iterable

from rdflib import Graph

from pipeline.config import Settings
from pipeline.publish import changelog as cl
from pipeline.publish import metadata, serialise
from pipeline.publish.changed_part import changed_part
from pipeline.publish.release import (
    CATALOG,
    CHANGELOG,
    CHANGES,
    CONTEXT,
    DATA_JSONLD,
    DATA_TTL,
    ONTOLOGY,
    RELEASES,
    ReleaseResult,
    _fsync_dir,
    _swap_latest,
    current_release,
    load_ontology,
    remove_leftovers,
)
from pipeline.publish.turtle import header
from pipeline.publish.site import area as site_area
from pipeline.publish.site import assemble as site
from pipeline.model import ShardResult

AREAS = "areas"
INDEX = "shards.json"
_JSONLD_HEAD = '{\n  "@context": "' + serialise.CONTEXT_NAME + '",\n  "@graph": [\n'
_JSONLD_TAIL = "\n  ]\n}\n"
_JSONLD_EMPTY = '{\n  "@context": "' + serialise.CONTEXT_NAME + '",\n  "@graph": []\n}\n'


@dataclass(frozen=True)
class Shard:
    """One area's shard as it goes into a release: its result and where its files are."""

    result: ShardResult
    ttl: Path
    jsonld: Path
    kept_from: str | None = None  # the release whose shard was kept (its sources failed now)


# --------------------------------------------------------------------------- the shard index


def read_index(release_dir: Path) -> dict[str, tuple[ShardResult, str | None]] | None:
    """area id -> (shard result, kept_from) of a release; None for a release without an index."""
    try:
        data = json.loads((release_dir / INDEX).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return {a: (ShardResult.from_json(e["shard"]), e.get("kept_from")) for a, e in data["areas"].items()}


def previous_shards(output_dir: Path) -> tuple[str | None, dict[str, Shard] | None]:
    """The latest release and its shards (None when there is none, or it has no index)."""
    previous = current_release(output_dir)
    if previous is None:
        return None, None
    folder = output_dir / RELEASES / previous
    index = read_index(folder)
    if index is None:
        return previous, None
    shards = {
        area: Shard(result, folder / AREAS / f"{area}.ttl", folder / AREAS / f"{area}.jsonld", kept or previous)
        for area, (result, kept) in index.items()
    }
    return previous, shards


def _index_bytes(shards: list[Shard], pages: dict[str, site.AreaPages] | None = None) -> bytes:
    # Without the cache key: it hashes the code version, and a release's bytes depend on its data only.
    pages = pages or {}
    areas = {
        s.result.area_id: {"shard": {**s.result.to_json(), "key": ""},
                           **({"kept_from": s.kept_from} if s.kept_from else {}),
                           **({"site": pages[s.result.area_id].site.to_json()} if s.result.area_id in pages else {})}
        for s in shards
    }
    return (json.dumps({"areas": areas}, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


# --------------------------------------------------------------------------- streaming


class _Hashing:
    """A file being written, with its sha256 and size."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle, self.digest, self.size = handle, hashlib.sha256(), 0

    def write(self, data: bytes) -> None:
        self.handle.write(data)
        self.digest.update(data)
        self.size += len(data)


def _write_streamed(path: Path, name: str, chunks: Iterable[bytes]) -> metadata.PublishedFile:
    with open(path, "wb") as handle:
        out = _Hashing(handle)
        for chunk in chunks:
            out.write(chunk)
    # No fsync per file: assemble_release flushes the whole staging folder once (os.sync) before
    # the release is renamed into place.
    return metadata.PublishedFile(name, out.size, out.digest.hexdigest())


def _turtle_chunks(shards: list[Shard], head: bytes) -> Iterable[bytes]:
    yield head
    for shard in shards:
        with open(shard.ttl, "rb") as handle:
            if handle.read(len(head)) != head:
                raise serialise.PublishError(f"{shard.ttl}: shard does not start with the release's prefix table")
            while block := handle.read(1 << 20):
                yield block


def _jsonld_nodes(path: Path) -> bytes:
    text = path.read_bytes()
    if text == _JSONLD_EMPTY.encode():
        return b""
    head, tail = _JSONLD_HEAD.encode(), _JSONLD_TAIL.encode()
    if not (text.startswith(head) and text.endswith(tail)):
        raise serialise.PublishError(f"{path}: not a shard written by pipeline.publish.serialise")
    return text[len(head) : -len(tail)]


def _jsonld_chunks(shards: list[Shard]) -> Iterable[bytes]:
    parts = (nodes for nodes in (_jsonld_nodes(s.jsonld) for s in shards) if nodes)
    first = next(parts, None)
    if first is None:
        yield _JSONLD_EMPTY.encode()
        return
    yield _JSONLD_HEAD.encode()
    yield first
    for nodes in parts:
        yield b",\n"
        yield nodes
    yield _JSONLD_TAIL.encode()


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)  # cache entries are never modified in place: a link is safe
    except OSError:
        shutil.copyfile(source, target)


# --------------------------------------------------------------------------- the changelog


def _graph(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")


def shard_changes(old: dict[str, Shard] | None, new: list[Shard], *, sg: str, previous: str | None, release: str,
                  previous_dir: Path | None, labels: Graph | None = None) -> cl.Changes:
    """Services added, removed and changed, area by area; unchanged areas are not read."""
    if previous_dir is not None and old is None:
        # A release from before shards: compare it as a whole, once.
        whole = Graph()
        for shard in new:
            whole.parse(shard.ttl, format="turtle")
        changes = cl.diff_graphs(_graph(previous_dir / DATA_TTL), whole, sg_namespace=sg,
                                 previous_release=previous, release=release, labels=labels)
        return changes
    old = old or {}
    by_area = {s.result.area_id: s for s in new}
    added, removed, changed, other_added, other_removed = [], [], [], 0, 0
    areas_added: list[str] = []
    areas_removed: list[str] = []
    for area in sorted(set(old) | set(by_area)):
        before, after = old.get(area), by_area.get(area)
        if before is not None and after is not None and before.result.ttl_sha256 == after.result.ttl_sha256:
            continue
        if before is None or after is None:
            # A whole area comes or goes: its services from the shard index, no graph parsed
            # (a first release of 1,000 documents would otherwise parse all of them again).
            shard = after or before
            (areas_added if before is None else areas_removed).append(shard.result.area_id)
            listed = [cl.ServiceChange(iri, title) for iri, title in shard.result.services]
            (added if before is None else removed).extend(listed)
            continue
        # Only the services the change touches are read into rdflib (publish.changed_part).
        part = cl.diff_graphs(*changed_part(before.ttl, after.ttl, sg),
                              sg_namespace=sg, previous_release=previous, release=release, labels=labels)
        added += part.added
        removed += part.removed
        changed += part.changed
        other_added += part.other_added
        other_removed += part.other_removed
    key = lambda c: c.service  # noqa: E731
    return cl.Changes(previous, release, tuple(sorted(added, key=key)), tuple(sorted(removed, key=key)),
                      tuple(sorted(changed, key=key)), other_added, other_removed,
                      areas_added=tuple(areas_added), areas_removed=tuple(areas_removed))


# --------------------------------------------------------------------------- release


def release_warnings(shards: list[Shard]) -> tuple[str, ...]:
    """Every warning about the data in the release (kept shards' too: their data is in it), sorted."""
    return tuple(sorted({w for shard in shards for w in shard.result.warnings}))


def release_id(shards: list[Shard], fixed: dict[str, bytes], dates: list[dt.date], site_digest: bytes = b"") -> str:
    digest = hashlib.sha256(site_digest)
    for name in sorted(fixed):
        digest.update(name.encode() + b"\0" + hashlib.sha256(fixed[name]).digest())
    for shard in shards:
        r = shard.result
        digest.update(f"{r.area_id}\0{r.ttl_sha256}\0{r.jsonld_sha256}\n".encode())
    day = max(dates).strftime("%Y%m%d") if dates else "undated"
    return f"{day}-{digest.hexdigest()[:12]}"


def dataset_stats(shards: list[Shard]) -> metadata.DatasetStats:
    classes: dict[str, int] = {}
    for shard in shards:
        for cls, n in shard.result.classes.items():
            classes[cls] = classes.get(cls, 0) + n
    return metadata.DatasetStats(
        triples=sum(s.result.triples for s in shards),
        subjects=sum(s.result.subjects for s in shards),
        entities=sum(s.result.entities for s in shards),
        classes=classes,
        properties=frozenset(p for s in shards for p in s.result.properties),
        publishers=tuple(sorted({(s.result.organisation, s.result.area_name) for s in shards})),
    )


def assemble_release(
    shards: list[Shard],
    settings: Settings,
    *,
    manifest_dates: Iterable[str | None] = (),
    download_base: str | None = None,
    critical=contextlib.nullcontext,
) -> ReleaseResult:
    """Write the release of `shards` under settings.output (the caller holds the output lock).

    `critical` is entered around the moment output/latest moves, where an interrupt must wait.
    """
    output_dir = settings.output
    shards = sorted(shards, key=lambda s: s.result.area_id)
    remove_leftovers(output_dir)
    dates = metadata.source_dates(manifest_dates)
    ontology = serialise.to_turtle(load_ontology(settings.ontology_dir, settings.def_iri), settings.def_iri,
                                   allow_blank_nodes=True)
    fixed = {CONTEXT: serialise.context_bytes(settings.def_iri), ONTOLOGY: ontology}
    indexes: dict[Path, dict] = {}  # the release indexes of kept shards, each read once
    pages = {s.result.area_id: p for s in shards if (p := site.shard_pages(s.ttl, s.result.area_id, indexes)) is not None}
    rid = release_id(shards, fixed, dates, site.site_digest(list(pages.values())))
    releases = output_dir / RELEASES
    target = releases / rid
    previous, old_shards = previous_shards(output_dir)
    if previous == rid:
        return ReleaseResult(rid, target, False, f"data unchanged: it equals the latest release {rid}, nothing published")
    if target.is_dir():
        with critical():
            _swap_latest(output_dir, rid)
        return ReleaseResult(rid, target, False, f"content equals release {rid}; latest now points to it")

    releases.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=output_dir))
    # The dataset files (700 MB at N = 1,000: reading, hashing and writing, which release the GIL)
    # are streamed on a thread while this one works out the changelog.
    streaming = ThreadPoolExecutor(max_workers=1, thread_name_prefix="servicegraph-stream")
    try:
        content = streaming.submit(_write_content, staging, shards, fixed, settings, pages)
        previous_dir = releases / previous if previous else None
        from pipeline.rdf.mapping import definitions_graph

        changes = shard_changes(old_shards, shards, sg=serialise.sg_namespace(settings.def_iri), previous=previous,
                                release=rid, previous_dir=previous_dir, labels=definitions_graph(settings))
        files = content.result()
        changes = replace(changes, warnings=release_warnings(shards))
        old_changelog = None
        if previous_dir is not None and (previous_dir / CHANGELOG).exists():
            old_changelog = (previous_dir / CHANGELOG).read_text(encoding="utf-8")
        catalog = metadata.catalog_graph(
            base_iri=settings.base_iri,
            stats=dataset_stats(shards),
            files=files,
            release_id=rid,
            dates=dates,
            download_base=download_base or settings.download_base or None,
            prefixes=serialise.prefixes(settings.def_iri),
            sparql_endpoint=settings.sparql_endpoint or None,
            def_iri=settings.def_iri,
        )
        changelog = cl.changelog_document(changes, old_changelog)
        for name, data in (
            (CATALOG, serialise.to_turtle(catalog, settings.def_iri)),
            (CHANGES, cl.changes_json(changes)),
            (CHANGELOG, changelog),
        ):
            _write_streamed(staging / name, name, [data])
        site.write_site(staging / site.SITE, list(pages.values()), definitions_graph(settings),
                        changelog=changelog.decode("utf-8"), release_id=rid, base=settings.base_iri,
                        def_base=settings.def_iri, link=_link_or_copy, cache=settings.cache_dir)
        os.sync()  # many files (the site's are small): one flush instead of one fsync each
        for folder in (staging / AREAS, staging):
            if folder.is_dir():
                os.chmod(folder, 0o755)  # mkdtemp makes it 0700; a release is for everyone to read
                _fsync_dir(folder)
        with critical():
            os.rename(staging, target)
            _fsync_dir(releases)
            _swap_latest(output_dir, rid)
    except BaseException:
        streaming.shutdown(wait=True, cancel_futures=True)  # before its folder goes
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        streaming.shutdown(wait=True)
    return ReleaseResult(rid, target, True, f"published release {rid}", changes)


def _write_content(staging: Path, shards: list[Shard], fixed: dict[str, bytes], settings: Settings,
                   pages: dict[str, site.AreaPages]) -> list[metadata.PublishedFile]:
    head = header(serialise.prefixes(settings.def_iri)).encode("utf-8")
    files = [
        _write_streamed(staging / DATA_TTL, DATA_TTL, _turtle_chunks(shards, head)),
        _write_streamed(staging / DATA_JSONLD, DATA_JSONLD, _jsonld_chunks(shards)),
    ]
    files += [_write_streamed(staging / name, name, [data]) for name, data in sorted(fixed.items())]
    _write_streamed(staging / INDEX, INDEX, [_index_bytes(shards, pages)])  # the run's own index: no distribution
    (staging / AREAS).mkdir()
    for shard in shards:
        r = shard.result
        for path, suffix, size, sha in ((shard.ttl, "ttl", r.ttl_bytes, r.ttl_sha256),
                                        (shard.jsonld, "jsonld", r.jsonld_bytes, r.jsonld_sha256)):
            name = f"{AREAS}/{r.area_id}.{suffix}"
            _link_or_copy(path, staging / name)
            files.append(metadata.PublishedFile(name, size, sha))
    return sorted(files, key=lambda f: f.name)


# --------------------------------------------------------------------------- shards of a graph


def describe_shard(graph: Graph, *, area_id: str, key: str, ttl: bytes, jsonld: bytes,
                   source_ids: Iterable[str] = (), warnings: Iterable[str] = (), base_iri: str, def_iri: str) -> ShardResult:
    """The ShardResult of one area's (definition-free) graph and its serialised bytes."""
    from collections import Counter

    from rdflib import RDF, URIRef
    from rdflib.namespace import DCTERMS, SKOS

    from pipeline.rdf import iris
    from pipeline.rdf.namespaces import CPSV, sg_namespace

    org = iris.organisation_iri(base_iri, area_id)
    name = graph.value(org, SKOS.prefLabel)
    services = []
    for svc in graph.subjects(RDF.type, CPSV.PublicService):
        titles = sorted(graph.objects(svc, DCTERMS.title), key=lambda t: (getattr(t, "language", "") != "fi", str(t)))
        services.append((str(svc), str(titles[0]) if titles else str(svc).rsplit("/", 1)[-1]))
    classes = Counter(str(c) for c in graph.objects(None, RDF.type))
    return ShardResult(
        area_id=area_id,
        area_name=str(name) if name is not None else area_id,
        organisation=str(org),
        key=key,
        source_ids=tuple(sorted(source_ids)),
        ttl_sha256=hashlib.sha256(ttl).hexdigest(),
        jsonld_sha256=hashlib.sha256(jsonld).hexdigest(),
        ttl_bytes=len(ttl),
        jsonld_bytes=len(jsonld),
        triples=len(graph),
        entries=sum(1 for _ in graph.subjects(RDF.type, URIRef(str(sg_namespace(def_iri).Entry)))),
        subjects=len(set(graph.subjects())),
        entities=len(set(graph.subjects(RDF.type))),
        classes=dict(sorted(classes.items())),
        properties=tuple(sorted({str(p) for p in graph.predicates()})),
        services=tuple(sorted(services)),
        warnings=tuple(warnings),
    )


def split_by_area(graph: Graph, base_iri: str) -> dict[str, Graph]:
    """A data graph cut into its areas' closed subgraphs, by the IRI patterns of pipeline.rdf.iris.

    Sources and entries belong to the area that publishes their source (dct:publisher).
    """
    from rdflib.namespace import DCTERMS

    area_of_source: dict[str, str] = {}
    for s, org in graph.subject_objects(DCTERMS.publisher):
        path = str(s)[len(base_iri):].split("/")
        org_path = str(org)[len(base_iri):].split("/")
        if str(s).startswith(base_iri) and path[0] == "source" and org_path[0] == "organisation":
            area_of_source[path[1]] = org_path[1]
    parts: dict[str, Graph] = {}
    for triple in graph:
        subject = str(triple[0])
        path = subject[len(base_iri):].split("/") if subject.startswith(base_iri) else []
        area = None
        if len(path) >= 2 and path[0] in ("organisation", "location", "service", "agent", "event"):
            area = path[1]
        elif len(path) >= 2 and path[0] in ("source", "entry"):
            area = area_of_source.get(path[1])
        if area is None:
            raise serialise.PublishError(f"<{subject}> belongs to no employment area: it cannot be published in a shard")
        parts.setdefault(area, Graph()).add(triple)
    return parts


def publish_graph(data: Graph, settings: Settings, *, manifest_dates: Iterable[str | None] = (),
                  download_base: str | None = None) -> ReleaseResult:
    """Publish one in-memory graph (tests, library use): cut into area shards, then assembled.

    The definitions (ontology, concept schemes) are taken out: they are published once.
    """
    from pipeline.rdf.mapping import definitions_graph

    definitions = definitions_graph(settings)
    data = data - definitions
    with tempfile.TemporaryDirectory(prefix="servicegraph-shards-") as tmp:
        shards = []
        for area, part in sorted(split_by_area(data, settings.base_iri).items()):
            ttl = serialise.to_turtle(part, settings.def_iri)
            jsonld = serialise.to_jsonld(part, settings.def_iri)
            folder = Path(tmp) / area
            folder.mkdir()
            (folder / "shard.ttl").write_bytes(ttl)
            (folder / "shard.jsonld").write_bytes(jsonld)
            # No source list here: the crops come from the sources folder, where a PDF has the published digest.
            pdfs = site_area.pdfs_in_folder(part, settings.sources, serialise.sg_namespace(settings.def_iri))
            site.build_shard_pages(part, definitions, pdfs, area_id=area, base=settings.base_iri,
                                   def_base=settings.def_iri, folder=folder, crop_cache=settings.cache_dir / "crops")
            result = describe_shard(part, area_id=area, key="graph", ttl=ttl, jsonld=jsonld,
                                    base_iri=settings.base_iri, def_iri=settings.def_iri)
            shards.append(Shard(result, folder / "shard.ttl", folder / "shard.jsonld"))
        return assemble_release(shards, settings, manifest_dates=manifest_dates, download_base=download_base)


def publish(
    data: Graph,
    output_dir: Path | None = None,
    *,
    settings: Settings | None = None,
    manifest_dates: Iterable[str | None] = (),
    download_base: str | None = None,
    locked: bool = False,
) -> ReleaseResult:
    """Publish `data` (a validated service graph held in memory) as a release under `output_dir`.

    `locked=True` when the caller already holds `output_lock(output_dir)` (flock is per open
    file, so taking it again here would refuse our own run).
    """
    from dataclasses import replace

    from pipeline.publish.release import output_lock

    settings = settings or Settings.from_env()
    output_dir = Path(output_dir or settings.output)
    with contextlib.nullcontext() if locked else output_lock(output_dir):
        return publish_graph(data, replace(settings, output=output_dir), manifest_dates=manifest_dates,
                             download_base=download_base)
