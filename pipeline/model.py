"""Typed values that cross stage boundaries.

raw -> extract (`ExtractedDocument`: a reader's records (table rows, outline items) exactly as printed, with
geometry) -> normalise (`Catalogue`: canonical services, each with the entries that mention
it, every value typed) -> map (rdflib Graph) -> validate -> publish.

Nothing in this module knows about PDFs, RDF or Prefect; every stage imports it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from pathlib import Path


# --------------------------------------------------------------------------- provenance


@dataclass(frozen=True, order=True)
class BBox:
    """A rectangle on a PDF page in PDF points, origin top-left (pdfplumber's convention)."""

    x0: float
    top: float
    x1: float
    bottom: float

    @staticmethod
    def union(boxes: "list[BBox] | tuple[BBox, ...]") -> "BBox":
        return BBox(
            min(b.x0 for b in boxes),
            min(b.top for b in boxes),
            max(b.x1 for b in boxes),
            max(b.bottom for b in boxes),
        )

    def rounded(self, ndigits: int = 1) -> "BBox":
        return BBox(*(round(v, ndigits) for v in (self.x0, self.top, self.x1, self.bottom)))


@dataclass(frozen=True, order=True)
class Location:
    """Where something was printed: 1-based page number and the box on that page."""

    page: int
    bbox: BBox


@dataclass(frozen=True)
class Source:
    """One source document as the manifest (or discovery) describes it."""

    id: str
    path: Path
    sha256: str
    title: str | None = None
    publisher: str | None = None  # employment area named by the manifest, if any
    date: str | None = None
    origin: str | None = None
    layout: str | None = None  # layout override from the manifest
    url: str | None = None


# --------------------------------------------------------------------------- extract


@dataclass(frozen=True)
class Cell:
    """The text of one table cell as printed, lines joined with '\\n', and where it was.

    A cell broken over a page break has several locations.
    """

    text: str
    locations: tuple[Location, ...]


@dataclass(frozen=True)
class Record:
    """What every reader returns: one printed thing that may name a service (a table row, a
    list item), exactly as printed, with where it was.

    A reader defines its own record type (a frozen dataclass subclassing this) with the fields
    its geometry has; nothing after extraction looks at those fields except the reader's own
    converter (`records -> PrintedEntry`), which the profile's role table drives. The two
    built-in readers' record types are below (the tests' hand-written records use them).
    """


@dataclass(frozen=True)
class TableRow(Record):
    """One service row of a wide table, left and right page halves already joined.

    `cells` maps a column role from the layout profile ("name", "type", "producers",
    "shared", "tem_area", "immigrant", "multiprofessional") to the cell; an empty cell is
    absent. `group` is the text of the group row above it, if any.
    """

    table: int  # 1-based table number within the document
    table_title: str  # the first header cell, as printed ("Henkilöasiakkaan palvelut")
    index: int  # 1-based row number within the table, group rows not counted
    group: str | None
    cells: dict[str, Cell]


@dataclass(frozen=True)
class OutlineItem(Record):
    """One bullet (or plain list line) of a slide, lines of a broken item joined."""

    slide: int  # 1-based slide (= page) number
    slide_title: str
    path: tuple[str, ...]  # headings above the item on its slide, outermost first
    level: int  # 1 = top bullet level, 2 = sub-bullet, ...
    text: str  # as printed, lines joined with '\n', bullet glyph removed
    bullet: str | None  # the glyph that introduced it, None for an unbulleted list line
    index: int  # 1-based position of the item on its slide in reading order
    locations: tuple[Location, ...]
    column: str | None = None  # slide 1: the delivery-level box heading the column


@dataclass(frozen=True)
class ExtractedDocument:
    source: Source
    layout: str  # layout profile id ("appendix-table", "service-slides")
    title: str  # document title as printed
    area_name: str | None  # employment area read from the document, None if it names none
    pages: int
    reader: str = ""  # the registered reader that read it ("table", "slides"): pipeline/extract/readers
    records: tuple[Record, ...] = ()  # in reading order, of the reader's own record type
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class PrintedEntry:
    """A record as an entry, every value still as printed: what a reader's converter hands to
    normalisation. Which cell is the name, which cell fills which entry field and which labels
    say the audience is the profile's role table (`entries:`), applied by normalisation, which
    therefore knows no reader and no column role.
    """

    container: str  # "table 1", "slide 2": where the record is, in messages
    item: str  # "row 3", "item 4": which record it is there, in messages
    place: str  # "t1", "s2": the container as the first part of the entry id
    cells: dict[str, Cell]  # record field -> as printed (published as the entry's raw text)
    labels: dict[str, tuple[str, ...]]  # label kind ("title", "group", "headings") -> labels
    headings: tuple[str, ...] = ()  # labels it sits under, outermost first (group row, headings)
    parent: str | None = None  # the item whose sub-item it is ("…, koostuu seuraavista:")
    outline: bool = False  # its headings and name are an outline path (sg:outlinePath)

    @property
    def what(self) -> str:
        return f"{self.container} {self.item}"


# --------------------------------------------------------------------------- normalise


class ServiceType(str, Enum):
    STATUTORY = "statutory"  # Lakisääteinen
    STATUTORY_WELLBEING_COUNTY = "statutory-wellbeing-county"  # Lakisääteinen (HVA)
    ADDITIONAL = "additional"  # Lisäpalvelu (muu kuin lakisääteinen), Muu lisäpalvelu


class Mark(str, Enum):
    YES = "yes"  # x
    PARTLY = "partly"  # (x)
    UNKNOWN = "unknown"  # ?
    PROBABLY = "probably"  # x?


class Audience(str, Enum):
    INDIVIDUAL = "individual"  # henkilöasiakas
    EMPLOYER = "employer"  # työnantaja- ja yritysasiakas
    STARTUP = "startup"  # alkava yritys


class TemAreaKind(str, Enum):
    AREA = "area"  # one of the six areas, `code` 1..6
    UNKNOWN = "unknown"  # "?"
    NOT_IN_ARCHITECTURE = "not-in-architecture"  # "Muu (ei viitearkkitehtuurissa)"


@dataclass(frozen=True)
class TemArea:
    kind: TemAreaKind
    code: int | None = None  # 1..6 when kind is AREA
    uncertain: bool = False  # a "?" printed with the area


class DeliveryLevel(str, Enum):
    SUPPORT = "support"  # tukipalvelut
    LOCAL = "local"  # lähipalvelut
    CENTRAL = "central"  # keskitetyt palvelut
    JOINT_PROCUREMENT = "joint-procurement"  # yhteiset hankinnat


@dataclass(frozen=True)
class Producer:
    """One organisation or role named in "Ohjaus/mahdollinen tuottaminen"."""

    role: str  # concept id from the producer-role scheme ("employment-area", ...)
    label: str  # as it reads in the document, normalised whitespace
    possible: bool = False  # "mahdollinen", "mahdollisia", a trailing "?"


# The Entry fields a layout profile's role table may fill (pipeline/extract/layout.py checks
# them; normalise/services.py has a parser for each): from one printed cell, besides "name" ...
ENTRY_CELL_FIELDS = ("service_type", "producers", "tem_area", "shared", "immigrant", "multiprofessional")
# ... and from the labels a record sits under (table title, group row, headings, column box).
ENTRY_LABEL_FIELDS = ("audience", "delivery_level", "customer_process")


@dataclass(frozen=True)
class Entry:
    """One row or bullet of one source that mentions a service, with its facts as typed values."""

    id: str  # stable within the source: survives a re-export of the PDF
    source_id: str
    service_id: str
    name_as_printed: str
    locations: tuple[Location, ...]
    raw: dict[str, str]  # column role or "text" -> cell text as printed
    audience: Audience | None = None
    group: str | None = None  # group row / heading path, normalised
    service_type: ServiceType | None = None
    producers: tuple[Producer, ...] = ()
    shared: Mark | None = None
    tem_area: TemArea | None = None
    immigrant: Mark | None = None
    multiprofessional: Mark | None = None
    delivery_level: DeliveryLevel | None = None
    customer_process: str | None = None  # concept id of the customer service process
    path: tuple[str, ...] = ()  # outline path (delivery level > group > item), normalised
    # where each raw cell was printed (same keys as `raw`): the provenance of each single fact
    cell_locations: dict[str, tuple[Location, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Service:
    id: str  # slug of the canonical name, stable across runs and PDF versions
    area_id: str  # the employment area whose service this is (EmploymentArea.id)
    name: str  # canonical Finnish name
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class EmploymentArea:
    id: str  # slug
    name: str  # "Päijät-Hämeen työllisyysalue"
    region: str  # "Päijät-Häme", the dct:spatial location's label


@dataclass(frozen=True)
class SourceDocument:
    """A source as published: what the manifest says plus what was read from the file."""

    source: Source
    layout: str
    title: str
    pages: int
    area_id: str


@dataclass(frozen=True)
class Catalogue:
    """Everything one run publishes: possibly several employment areas' documents."""

    areas: tuple[EmploymentArea, ...]
    sources: tuple[SourceDocument, ...]
    services: tuple[Service, ...]
    warnings: tuple[str, ...] = field(default=())


# --------------------------------------------------------------------------- publish


@dataclass(frozen=True)
class ShardResult:
    """One area's shard as published: enough to assemble the release without reading it."""

    area_id: str
    area_name: str
    organisation: str  # IRI of the area's organisation (the publisher of its services)
    key: str
    source_ids: tuple[str, ...]
    ttl_sha256: str
    jsonld_sha256: str
    ttl_bytes: int
    jsonld_bytes: int
    triples: int
    entries: int
    subjects: int
    entities: int
    classes: dict[str, int] = field(default_factory=dict)  # class IRI -> instances
    properties: tuple[str, ...] = ()
    services: tuple[tuple[str, str], ...] = ()  # (IRI, title), sorted by IRI
    warnings: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return asdict(self)

    @staticmethod
    def from_json(data: dict) -> "ShardResult":
        data = dict(data)
        for name in ("source_ids", "properties", "warnings"):
            data[name] = tuple(data.get(name, ()))
        data["services"] = tuple(tuple(s) for s in data.get("services", ()))
        return ShardResult(**data)
