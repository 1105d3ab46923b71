"""The DCAT + VoID description of a release (catalog.ttl).

It lives in its own file because it holds the sha256 of every data file: inside the data it
would checksum itself. Its dates come from the sources, never from the clock, so identical
sources give a byte-identical catalog.ttl:

- dct:modified / dct:temporal = the newest (and oldest) date the sources manifest gives
  (`Source.date`); a source without a date contributes nothing; with no dates at all the
  catalogue carries no date rather than a made-up one (docs/publishing.md).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from urllib.parse import urljoin

import yaml
from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDFS, SKOS, VOID

from pipeline.config import DEFAULT_DEF_IRI
from pipeline.publish.serialise import PublishError

CATALOG_YAML = Path(__file__).resolve().parent / "catalog.yaml"
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
CV = Namespace("http://data.europa.eu/m8g/")
DCAT_VERSION = URIRef("http://www.w3.org/ns/dcat#version")  # DCAT 3; not in rdflib's DCAT namespace
SG_SOURCE_DATE_PREDICATES = (DCTERMS.modified, DCTERMS.issued, DCTERMS.date)


@dataclass(frozen=True)
class PublishedFile:
    name: str  # file name inside the release ("servicegraph.ttl", "areas/x.ttl")
    size: int
    sha256: str


@dataclass(frozen=True)
class DatasetStats:
    """VoID counts of the data, summed over shards whose subjects are disjoint."""

    triples: int = 0
    subjects: int = 0
    entities: int = 0  # subjects with an rdf:type
    classes: dict[str, int] | None = None  # class IRI -> instances
    properties: frozenset[str] = frozenset()
    publishers: tuple[tuple[str, str], ...] = ()  # (organisation IRI, name)


@lru_cache(maxsize=1)
def catalog_settings() -> dict:
    return yaml.safe_load(CATALOG_YAML.read_text(encoding="utf-8"))


def parse_date(text: str | None) -> dt.date | None:
    """A manifest date as a date: ISO "2025-01-31", or a year-month / year (taken as its start)."""
    if not text:
        return None
    text = str(text).strip()
    for fmt in ("%Y-%m-%d", "%Y-%m", "%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    m = re.match(r"(\d{4}-\d{2}-\d{2})", text)  # a datetime: keep its date
    return dt.date.fromisoformat(m.group(1)) if m else None


def source_dates(manifest_dates: Iterable[str | None] = (), graph: Graph | None = None) -> list[dt.date]:
    """Every date the sources carry: from the manifest, else the source nodes in the graph."""
    dates = [d for d in (parse_date(x) for x in manifest_dates) if d]
    if not dates and graph is not None:
        for pred in SG_SOURCE_DATE_PREDICATES:
            for s, o in graph.subject_objects(pred):
                if "/source/" in str(s):
                    d = parse_date(str(o))
                    if d:
                        dates.append(d)
    return sorted(set(dates))


def release_date() -> dt.date:
    """The date of a release whose sources carry none: SOURCE_DATE_EPOCH when set (the
    reproducible-builds convention), else today (UTC)."""
    import os

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
    return dt.datetime.now(dt.timezone.utc).date()


def _iri(base: str, value: str, def_iri: str) -> URIRef:
    value = value.replace("{def}", def_iri)
    return URIRef(value if "://" in value else base + value)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _lit_lang(values: dict[str, str | list[str]]) -> list[Literal]:
    out = []
    for lang, v in sorted(values.items()):
        for item in v if isinstance(v, list) else [v]:
            out.append(Literal(" ".join(str(item).split()), lang=lang))
    return out


def void_statistics(g: Graph, dataset: URIRef, stats: DatasetStats, shrink) -> None:
    """VoID counts attached to `dataset`, with one class partition per class.

    void:distinctObjects is not given: objects are shared between shards (concepts, literals),
    so it cannot be summed from them without holding every object of the dataset.
    """
    classes = stats.classes or {}
    g.add((dataset, VOID.triples, Literal(stats.triples, datatype=XSD.integer)))
    g.add((dataset, VOID.entities, Literal(stats.entities, datatype=XSD.integer)))
    g.add((dataset, VOID.classes, Literal(len(classes), datatype=XSD.integer)))
    g.add((dataset, VOID.properties, Literal(len(stats.properties), datatype=XSD.integer)))
    g.add((dataset, VOID.distinctSubjects, Literal(stats.subjects, datatype=XSD.integer)))
    for cls, members in sorted(classes.items()):
        part = URIRef(f"{dataset}/class/{_slug(shrink(URIRef(cls)))}")
        g.add((dataset, VOID.classPartition, part))
        g.add((part, RDF.type, VOID.Dataset))
        g.add((part, VOID["class"], URIRef(cls)))
        g.add((part, VOID.entities, Literal(members, datatype=XSD.integer)))


def catalog_graph(
    *,
    base_iri: str,
    stats: DatasetStats,
    files: list[PublishedFile],
    release_id: str,
    dates: list[dt.date],
    download_base: str | None = None,
    prefixes: dict[str, str] | None = None,
    sparql_endpoint: str | None = None,
    issued: dt.date | None = None,
    def_iri: str = DEFAULT_DEF_IRI,
) -> Graph:
    """The catalog graph of one release. `files` are the data files described (never catalog.ttl)."""
    cfg = catalog_settings()
    base = base_iri if base_iri.endswith("/") else base_iri + "/"
    catalog = URIRef(f"{base}catalog")
    dataset = URIRef(f"{base}dataset/{cfg['dataset_slug']}")
    ds = cfg["dataset"]
    g = Graph()
    pfx = prefixes or {}
    for p, ns in pfx.items():
        g.bind(p, ns)

    def shrink(iri: URIRef) -> str:
        for p, ns in sorted(pfx.items(), key=lambda kv: -len(kv[1])):
            if str(iri).startswith(ns):
                return f"{p}:{str(iri)[len(ns):]}"
        return str(iri)

    license = URIRef(ds["license"])
    g.add((catalog, RDF.type, DCAT.Catalog))
    for lit in _lit_lang(cfg["catalog"]["title"]):
        g.add((catalog, DCTERMS.title, lit))
    for lit in _lit_lang(cfg["catalog"]["description"]):
        g.add((catalog, DCTERMS.description, lit))
    g.add((catalog, DCAT.dataset, dataset))
    g.add((catalog, DCTERMS.license, license))
    g.add((catalog, DCTERMS.language, URIRef(ds["language"])))

    g.add((dataset, RDF.type, DCAT.Dataset))
    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, DCTERMS.identifier, Literal(cfg["dataset_slug"])))
    for lit in _lit_lang(ds["title"]):
        g.add((dataset, DCTERMS.title, lit))
    for lit in _lit_lang(ds["description"]):
        g.add((dataset, DCTERMS.description, lit))
    for lit in _lit_lang(ds["keywords"]):
        g.add((dataset, DCAT.keyword, lit))
    standard = URIRef(ds["conforms_to"])
    g.add((dataset, DCTERMS.conformsTo, standard))
    g.add((standard, RDF.type, DCTERMS.Standard))
    g.add((standard, DCTERMS.title, Literal(ds["conforms_to_title"], lang="en")))
    g.add((dataset, DCTERMS.license, license))
    g.add((dataset, DCTERMS.language, URIRef(ds["language"])))
    g.add((dataset, DCAT.theme, URIRef(ds["theme"])))
    g.add((URIRef(ds["theme"]), RDF.type, SKOS.Concept))
    for lit in _lit_lang(ds["theme_label"]):
        g.add((URIRef(ds["theme"]), SKOS.prefLabel, lit))
    g.add((dataset, DCAT_VERSION, Literal(release_id)))
    # The ranges DCAT-AP checks with sh:class, typed where they are used.
    g.add((license, RDF.type, DCTERMS.LicenseDocument))
    g.add((license, RDFS.seeAlso, URIRef(ds["license_document"])))
    g.add((URIRef(ds["language"]), RDF.type, DCTERMS.LinguisticSystem))
    g.add((SPDX.checksumAlgorithm_sha256, RDF.type, SPDX.ChecksumAlgorithm))

    # One publisher (DCAT-AP allows one): who publishes the linked data. The employment areas
    # whose documents it comes from are its creators.
    publisher = _iri(base, cfg["publisher"]["iri"], def_iri)
    for node in (catalog, dataset):
        g.add((node, DCTERMS.publisher, publisher))
    g.add((publisher, RDF.type, FOAF.Agent))
    for lit in _lit_lang(cfg["publisher"]["name"]):
        g.add((publisher, FOAF.name, lit))
    g.add((publisher, DCTERMS.type, URIRef(cfg["publisher"]["type"])))
    g.add((URIRef(cfg["publisher"]["type"]), RDF.type, SKOS.Concept))
    for lit in _lit_lang(cfg["publisher"]["type_label"]):
        g.add((URIRef(cfg["publisher"]["type"]), SKOS.prefLabel, lit))
    for iri, name in sorted(stats.publishers):
        org = URIRef(iri)
        g.add((dataset, DCTERMS.creator, org))
        g.add((org, FOAF.name, Literal(name, lang="fi")))
        g.add((org, RDF.type, FOAF.Agent))
    contact = URIRef(f"{base}contact/{cfg['dataset_slug']}")
    g.add((dataset, DCAT.contactPoint, contact))
    g.add((contact, RDF.type, VCARD.Kind))
    for lit in _lit_lang(cfg["contact_point"]["name"]):
        g.add((contact, VCARD.fn, lit))
    g.add((contact, VCARD.hasEmail, URIRef(f"mailto:{cfg['contact_point']['email']}")))

    issued_on = (max(dates) if dates else issued or release_date()).isoformat()
    for node in (catalog, dataset):
        g.add((node, DCTERMS.issued, Literal(issued_on, datatype=XSD.date)))
        g.add((node, DCTERMS.modified, Literal(issued_on, datatype=XSD.date)))
    if dates:
        newest, oldest = max(dates), min(dates)
        period = URIRef(f"{dataset}/temporal")
        g.add((dataset, DCTERMS.temporal, period))
        g.add((period, RDF.type, DCTERMS.PeriodOfTime))
        g.add((period, DCAT.startDate, Literal(oldest.isoformat(), datatype=XSD.date)))
        g.add((period, DCAT.endDate, Literal(newest.isoformat(), datatype=XSD.date)))

    if sparql_endpoint:
        service = URIRef(f"{base}service/sparql")
        g.add((catalog, DCAT.service, service))
        g.add((service, RDF.type, DCAT.DataService))
        g.add((service, DCAT.endpointURL, URIRef(sparql_endpoint)))
        g.add((service, DCAT.servesDataset, dataset))
        g.add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
        g.add((URIRef("https://www.w3.org/TR/sparql11-protocol/"), RDF.type, DCTERMS.Standard))
        g.add((service, DCTERMS.license, license))
        g.add((service, DCTERMS.publisher, publisher))
        for lit in _lit_lang({"fi": "SPARQL-rajapinta", "en": "SPARQL endpoint"}):
            g.add((service, DCTERMS.title, lit))

    void_statistics(g, dataset, stats, shrink)

    media, formats = cfg["media_types"], cfg.get("file_types", {})
    download = (download_base or cfg["default_download_base"]).replace("{release}", release_id)
    download = urljoin(base, download if download.endswith("/") else download + "/")
    for f in sorted(files, key=lambda f: f.name):
        suffix = Path(f.name).suffix
        if suffix not in media:
            raise PublishError(f"{f.name}: no media type configured for {suffix!r} in {CATALOG_YAML}")
        dist = URIRef(f"{dataset}/distribution/{f.name}")  # areas/x.ttl -> …/distribution/areas/x.ttl
        checksum = URIRef(f"{dist}/checksum")
        g.add((dataset, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(f.name)))
        g.add((dist, DCAT.mediaType, URIRef(media[suffix])))
        g.add((URIRef(media[suffix]), RDF.type, DCTERMS.MediaType))
        if suffix in formats:
            g.add((dist, DCTERMS.format, URIRef(formats[suffix])))
            g.add((URIRef(formats[suffix]), RDF.type, DCTERMS.MediaTypeOrExtent))
        g.add((dist, DCTERMS.issued, Literal(issued_on, datatype=XSD.date)))
        # DCAT-AP's shapes require xsd:nonNegativeInteger, which Oxigraph folds to xsd:integer:
        # the one datatype the endpoint answers differently (docs/publishing.md).
        g.add((dist, DCAT.byteSize, Literal(f.size, datatype=XSD.nonNegativeInteger)))
        g.add((dist, DCTERMS.license, license))
        url = URIRef(download + f.name)
        g.add((dist, DCAT.downloadURL, url))
        g.add((dist, DCAT.accessURL, url))
        g.add((dist, SPDX.checksum, checksum))
        g.add((checksum, RDF.type, SPDX.Checksum))
        g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add((checksum, SPDX.checksumValue, Literal(f.sha256, datatype=XSD.hexBinary)))
    return g
