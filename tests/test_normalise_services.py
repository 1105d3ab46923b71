"""The normalised catalogue of both source documents (built from the hand-written expected
records) against tests/expected/services.yaml, plus the invariants: no entry lost, every
service has entries, ids independent of page breaks, deterministic output, located errors."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from expected.loader import SERVICES_FILE, SLIDES_FILE, TABLE_FILE, load_document, read_yaml
from pipeline.errors import NormalisationError
from pipeline.model import Catalogue, Cell, Entry, ExtractedDocument, TemAreaKind
from pipeline.normalise import normalise
from pipeline.extract.readers.slides import outline_containers
from pipeline.model import OutlineItem, TableRow

PUBLISHER = "Päijät-Hämeen työllisyysalue"


def documents(**kwargs: Any) -> list[ExtractedDocument]:
    return [load_document(TABLE_FILE, **kwargs), load_document(SLIDES_FILE, **kwargs)]


@pytest.fixture(scope="module")
def docs() -> list[ExtractedDocument]:
    return documents()


@pytest.fixture(scope="module")
def catalogue(docs: list[ExtractedDocument]) -> Catalogue:
    # The slide deck names no area: the manifest's publisher says whose it is.
    return normalise(docs, {"000_544a51df7e5744cd": PUBLISHER})


def _tem(entry: Entry) -> str | None:
    if entry.tem_area is None:
        return None
    return str(entry.tem_area.code) if entry.tem_area.kind is TemAreaKind.AREA else entry.tem_area.kind.value


def entry_facts(entry: Entry) -> dict[str, Any]:
    """An entry in the vocabulary of services.yaml (absent = None / empty)."""
    facts: dict[str, Any] = {
        "source": entry.source_id,
        "printed": entry.name_as_printed,
        "audience": entry.audience.value if entry.audience else None,
        "group": entry.group,
        "type": entry.service_type.value if entry.service_type else None,
        "producers": [p.role + ("?" if p.possible else "") for p in entry.producers] or None,
        "shared": entry.shared.value if entry.shared else None,
        "tem_area": _tem(entry),
        "tem_uncertain": True if entry.tem_area and entry.tem_area.uncertain else None,
        "immigrant": entry.immigrant.value if entry.immigrant else None,
        "multiprofessional": entry.multiprofessional.value if entry.multiprofessional else None,
        "delivery_level": entry.delivery_level.value if entry.delivery_level else None,
        "customer_process": entry.customer_process,
        "path": list(entry.path) or None,
    }
    return {k: v for k, v in facts.items() if v is not None}


EXPECTED = read_yaml(SERVICES_FILE)


def test_both_documents_belong_to_the_area_named_in_the_table_title(catalogue):
    area = EXPECTED["area"]
    assert [(a.id, a.name, a.region) for a in catalogue.areas] == [(area["id"], area["name"], area["region"])]
    assert {s.area_id for s in catalogue.sources} == {area["id"]}
    assert {s.area_id for s in catalogue.services} == {area["id"]}


@pytest.mark.parametrize("expected", EXPECTED["services"], ids=lambda s: s["id"])
def test_service_matches_the_hand_written_record(catalogue, expected):
    services = {s.id: s for s in catalogue.services}
    assert expected["id"] in services, f"no service {expected['id']!r}"
    service = services[expected["id"]]
    assert service.name == expected["name"]
    got = {e.id: entry_facts(e) for e in service.entries}
    want = {e["id"]: {k: v for k, v in e.items() if k != "id"} for e in expected["entries"]}
    assert sorted(got) == sorted(want), "entries differ"
    for entry_id, facts in want.items():
        assert got[entry_id] == facts, entry_id


def test_no_entry_is_lost(docs, catalogue):
    rows = sum(1 for d in docs for r in d.records if isinstance(r, TableRow))
    items = sum(1 for d in docs for r in d.records if isinstance(r, OutlineItem))
    containers = sum(len(outline_containers(tuple(sorted(d.records, key=lambda i: (i.slide, i.index)))))
                     for d in docs if d.reader == "slides")
    entries = [e for s in catalogue.services for e in s.entries]
    assert (rows, items, containers) == (55, 142, 1)  # 32 + 23 rows; 64 + 37 + 41 items
    assert len(entries) == rows + items - containers
    assert len({(e.source_id, e.id) for e in entries}) == len(entries), "entry ids collide"


def test_every_service_has_an_entry_and_every_entry_its_service(catalogue):
    for service in catalogue.services:
        assert service.entries, service.id
        assert all(e.service_id == service.id for e in service.entries)


def test_the_container_bullet_is_not_a_service_but_its_sub_bullets_know_it(catalogue):
    ids = {s.id for s in catalogue.services}
    assert not any(i.startswith("asiakasprosessin-hallinta") for i in ids)
    subs = [e for s in catalogue.services for e in s.entries if e.group == "Asiakasprosessin hallinta"]
    assert len(subs) == 14


def test_raw_cells_keep_the_printed_text_with_its_typos(catalogue):
    entries = {e.id: e for s in catalogue.services for e in s.entries}
    kuntalisat = entries["t2--kuntien-ekosysteemit--kuntalisat"]
    assert kuntalisat.raw["type"] == "Muu lisäpavelu"
    assert kuntalisat.raw["name"] == "Kuntalisät"
    item = entries["s1--tukipalvelut--tietohallintopalvelut"]
    assert item.raw == {"text": "Tietohallintopalvelut", "column": "TUKI-\nPALVELUT"}
    assert item.delivery_level.value == "support"


def test_ids_survive_a_re_export_with_other_page_breaks():
    first = normalise(documents(), {"000_544a51df7e5744cd": PUBLISHER})
    # Every row and item on another page: only locations may change.
    moved = normalise(
        documents(page_of=lambda part, index: 7 + part + index // 5), {"000_544a51df7e5744cd": PUBLISHER}
    )
    ids = lambda c: [(s.id, [e.id for e in s.entries]) for s in c.services]  # noqa: E731
    assert ids(moved) == ids(first)
    pages = lambda c: {loc.page for s in c.services for e in s.entries for loc in e.locations}  # noqa: E731
    assert pages(moved) != pages(first)


def test_output_is_the_same_whatever_the_input_order(docs):
    override = {"000_544a51df7e5744cd": PUBLISHER}
    shuffled = [replace(d, records=d.records[::-1]) for d in docs[::-1]]
    assert normalise(shuffled, override) == normalise(docs, override)


def test_the_manifest_publisher_names_the_area_of_a_document_that_names_none():
    slides = load_document(SLIDES_FILE, publisher=PUBLISHER)
    assert normalise([slides]).areas[0].id == "paijat-hameen-tyollisyysalue"


def test_a_document_with_no_area_and_no_publisher_is_an_error():
    with pytest.raises(NormalisationError, match=r"raw/000_544a51df7e5744cd.pdf: .*publisher"):
        normalise([load_document(SLIDES_FILE)])


def test_a_publisher_that_disagrees_with_the_document_wins_with_a_warning():
    catalogue = normalise([load_document(TABLE_FILE, publisher="Lahden työllisyysalue")])
    assert catalogue.areas[0].region == "Lahti"
    assert any("Päijät-Hämeen työllisyysalue" in w for w in catalogue.warnings)


def test_a_malformed_mark_names_file_page_row_and_text():
    doc = load_document(TABLE_FILE, page_of=lambda table, index: 2 if index > 19 else 1)
    rows = list(doc.records)
    bad = rows[22]  # table 1 row 23, Muutosturvapalvelut
    rows[22] = replace(bad, cells={**bad.cells, "multiprofessional": Cell("xx?", bad.cells["name"].locations)})
    with pytest.raises(NormalisationError) as err:
        normalise([replace(doc, records=tuple(rows))])
    message = str(err.value)
    for part in ("raw/002_8224a2696a5ff68b.pdf", "page 2", "row 23", "Muutosturvapalvelut", "'xx?'"):
        assert part in message


def test_every_entry_field_a_role_table_may_fill_has_its_parser():
    from pipeline.model import ENTRY_CELL_FIELDS, ENTRY_LABEL_FIELDS
    from pipeline.normalise.services import CELL_PARSERS, LABEL_PARSERS

    assert tuple(CELL_PARSERS) == ENTRY_CELL_FIELDS and tuple(LABEL_PARSERS) == ENTRY_LABEL_FIELDS
