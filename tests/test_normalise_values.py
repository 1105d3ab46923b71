"""Typed cell values: every mark, type and TEM-area form of the sources, producers, headings;
malformed cells raise NormalisationError naming file, page and text."""

from __future__ import annotations

import pytest

from pipeline.errors import NormalisationError
from pipeline.model import Audience, DeliveryLevel, Mark, Producer, ServiceType, TemArea, TemAreaKind
from pipeline.normalise.areas import area_from_text, region_from_genitive
from pipeline.normalise.values import (
    Where,
    audience_of,
    container_label,
    customer_process_of,
    delivery_level_of,
    known_concepts,
    parse_mark,
    parse_producers,
    parse_service_type,
    parse_tem_area,
    split_producers,
)

HERE = Where("raw/002.pdf", 3, "table 1 row 15 (Kulukorvaukset), column shared")


@pytest.mark.parametrize(
    ("text", "mark"),
    [("x", Mark.YES), ("(x)", Mark.PARTLY), ("?", Mark.UNKNOWN), ("x?", Mark.PROBABLY), (" X ", Mark.YES), ("( x )", Mark.PARTLY)],
)
def test_every_printed_mark_is_a_mark(text, mark):
    assert parse_mark(text, HERE) is mark


@pytest.mark.parametrize("text", ["xx", "kyllä", "", "(x", "1"])
def test_anything_else_in_a_mark_column_is_a_located_error(text):
    with pytest.raises(NormalisationError) as err:
        parse_mark(text, HERE)
    message = str(err.value)
    assert "raw/002.pdf" in message and "page 3" in message and repr(text) in message


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Lakisääteinen", ServiceType.STATUTORY),
        ("Lakisääteinen\n(HVA)", ServiceType.STATUTORY_WELLBEING_COUNTY),
        ("Lisäpalvelu (muu\nkuin\n\nlakisääteinen)", ServiceType.ADDITIONAL),
        ("Muu lisäpalvelu", ServiceType.ADDITIONAL),
        ("Muu lisäpavelu", ServiceType.ADDITIONAL),
    ],
)
def test_every_printed_service_type_is_typed(text, kind):
    assert parse_service_type(text, HERE) is kind


def test_unknown_service_type_is_a_located_error():
    with pytest.raises(NormalisationError, match=r"raw/002.pdf: page 3, .*'Vapaaehtoinen'"):
        parse_service_type("Vapaaehtoinen", HERE)


@pytest.mark.parametrize(
    ("text", "area"),
    [
        ("1 Työn löytyminen", TemArea(TemAreaKind.AREA, 1)),
        ("2 Osaamisen kehittäminen", TemArea(TemAreaKind.AREA, 2)),
        ("3 Kotoutumisen edistäminen", TemArea(TemAreaKind.AREA, 3)),
        ("4 Työkyvyn tukeminen", TemArea(TemAreaKind.AREA, 4)),
        ("5 Tieto, neuvonta ja ohjaus", TemArea(TemAreaKind.AREA, 5)),
        ("6 Yhteiset tukipalvelut", TemArea(TemAreaKind.AREA, 6)),
        ("6 yhteiset tukipalvelut", TemArea(TemAreaKind.AREA, 6)),
        ("1 Työn löytyminen\n?", TemArea(TemAreaKind.AREA, 1, uncertain=True)),
        ("?", TemArea(TemAreaKind.UNKNOWN)),
        ("Muu (ei viitearkkitehtuurissa)", TemArea(TemAreaKind.NOT_IN_ARCHITECTURE)),
    ],
)
def test_every_printed_tem_area_form_is_typed(text, area):
    assert parse_tem_area(text, HERE) == area


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("4 Työn löytyminen", "number 4 is 'Työkyvyn tukeminen'"),
        ("7 Muu palvelualue", "no TEM service area number 7"),
        ("Työn löytyminen", "not a TEM service area"),
    ],
)
def test_tem_area_number_must_agree_with_its_name(text, reason):
    with pytest.raises(NormalisationError, match=reason) as err:
        parse_tem_area(text, HERE)
    assert "page 3" in str(err.value) and repr(text) in str(err.value)


def roles(text: str) -> list[str]:
    producers, warnings = parse_producers(text, HERE)
    assert warnings == ()
    return [p.role + ("?" if p.possible else "") for p in producers]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Päijät-Hämeen\ntyöllisyysalue,\nostopalvelut\nmahdollisia", ["employment-area", "purchased-service?"]),
        (
            "Päijät-Hämeen\ntyöllisyysalue ja\nostopalvelu sekä\n\nkuntien ekosysteemit.\nTämän lisäksi mm.\n\nTyömarkkinatori",
            ["employment-area", "purchased-service", "municipal-ecosystems", "tyomarkkinatori"],
        ),
        ("Muu palvelu (laaja\n\njoukko tuottajia)", ["other-producers"]),
        ("ostopalvelu / kunnan\nomaa toimintaa", ["purchased-service", "municipalities"]),
        ("Päijät-Hämeen\ntyöllisyysalue ja\nsopimuskunnat", ["employment-area", "contract-municipalities"]),
        ("Päijät-Hämeen\ntyöllisyysalue ja\nhyvinvointialue", ["employment-area", "wellbeing-services-county"]),
        ("Muun viranomaisen\n(oma tai hankkima)\n\npalvelu?", ["other-authority?"]),
        (
            "Palvelun tuottaa: Muun\nviranomaisen (HVA)\n(oma tai hankkima)\n\npalvelu, kuntien\nekosysteemi",
            ["wellbeing-services-county", "municipal-ecosystems"],
        ),
        ("mahdollinen\nostopalvelu", ["purchased-service?"]),
        ("Kunnat yhteistyössä\n\nkoulutuksenjärjestäjien\nkanssa", ["municipalities", "education-providers"]),
        ("Kunnat yhteistyössä\njärjestöjen kanssa", ["municipalities", "organisations"]),
        ("Päijät-Hämeen\ntyöllisyysalue +\ntyömarkkinatori", ["employment-area", "tyomarkkinatori"]),
        (
            "Päijät-Hämeen\ntyöllisyysalue ja kuntien\nekosysteemit. Yhteistyö\n\nHVA?",
            ["employment-area", "municipal-ecosystems", "wellbeing-services-county?"],
        ),
        ("Ostopalvelut", ["purchased-service"]),
    ],
)
def test_producers_of_every_printed_form_get_their_roles(text, expected):
    assert roles(text) == expected


def test_producer_labels_read_as_printed_with_whitespace_normalised():
    producers, _ = parse_producers("Päijät-Hämeen\ntyöllisyysalue,\nostopalvelut\nmahdollisia", HERE)
    assert producers == (
        Producer("employment-area", "Päijät-Hämeen työllisyysalue"),
        Producer("purchased-service", "ostopalvelut mahdollisia", possible=True),
    )


def test_producers_are_never_split_inside_parentheses():
    assert split_producers("Muun viranomaisen (oma ja hankkima, muu) palvelu") == [
        "Muun viranomaisen (oma ja hankkima, muu) palvelu"
    ]


def test_unknown_producer_is_a_located_warning_not_a_guess():
    producers, warnings = parse_producers("Päijät-Hämeen työllisyysalue ja Seurakunta", HERE)
    assert [p.role for p in producers] == ["employment-area"]
    assert len(warnings) == 1 and "raw/002.pdf" in warnings[0] and "'Seurakunta'" in warnings[0]


def test_audience_comes_from_the_innermost_listed_title_or_group():
    assert audience_of(["Henkilöasiakkaan palvelut"]) is Audience.INDIVIDUAL
    assert audience_of(["Uusi\ntyönhakija", "Alkavan yrityksen palvelut"]) is Audience.STARTUP
    assert audience_of(["Uusi\ntyönhakija", "Kuntien ekosysteemit:"]) is Audience.EMPLOYER
    assert audience_of(["Palvelut työnantaja-asiakkaille"]) is Audience.EMPLOYER
    assert audience_of(["Koulutuspalvelut"]) is None


@pytest.mark.parametrize(
    ("labels", "level"),
    [
        (["Palvelujen ja tehtävien jaottelu", "Tukipalvelut", "TUKI-\nPALVELUT"], DeliveryLevel.SUPPORT),
        (["Palvelujen ja tehtävien jaottelu", "Lähipalvelut kunnissa", "LÄHIPALVELUT"], DeliveryLevel.LOCAL),
        (["Palvelujen ja tehtävien jaottelu", "Keskitetyt palvelut", "Yhteiset hankinnat", "YHTEISET HANKINNAT"], DeliveryLevel.JOINT_PROCUREMENT),
        (["Palvelujen ja tehtävien jaottelu", "Keskitetyt palvelut", "Vastuukunnasta tuotettavat palvelut", "KESKITETYT PALVELUT"], DeliveryLevel.CENTRAL),
        (["Lähipalvelut kunnissa", "Palvelut henkilöasiakkaille"], DeliveryLevel.LOCAL),
        (["Keskitetyt palvelut", "Ostopalvelut, hankinnat \nkeskitetysti", "Muut hankinnat"], DeliveryLevel.JOINT_PROCUREMENT),
        (["Keskitetyt palvelut", "Tukipalvelut vastuukunnasta"], DeliveryLevel.SUPPORT),
        (["Keskitetyt palvelut", "Koulutuspalvelut"], DeliveryLevel.CENTRAL),
        (["Palveluluokittelu"], None),
    ],
)
def test_delivery_level_comes_from_the_most_specific_listed_label(labels, level):
    assert delivery_level_of(labels) is level


def test_customer_process_comes_from_the_slide_2_process_headings():
    assert customer_process_of(["Palvelut henkilöasiakkaille", "Kotoutumisasiakkaan palveluprosessi"]) == "integration"
    assert customer_process_of(["Osaamisen kehittämisen\ntarve, asiakkaan palveluprosessi"]) == "skills-development"
    assert customer_process_of(["Palvelut henkilöasiakkaille"]) is None


def test_container_label_drops_the_consists_of_ending():
    assert container_label("Asiakasprosessin hallinta, koostuu seuraavista:") == "Asiakasprosessin hallinta"


def test_every_concept_id_in_the_data_is_one_the_model_knows():
    concepts = known_concepts()
    assert concepts["mark"] == {m.value for m in Mark}
    assert concepts["service-type"] == {t.value for t in ServiceType}
    assert concepts["audience"] == {a.value for a in Audience}
    assert concepts["delivery-level"] == {d.value for d in DeliveryLevel}
    assert concepts["customer-process"] == {
        "direct-to-labour-market", "skills-development", "multiprofessional", "integration"
    }


def test_employment_area_is_read_from_the_document_title():
    area, warnings = area_from_text("Päijät-Hämeen työllisyysalueen palveluita koskeva liitetaulukko.")
    assert (area.id, area.name, area.region) == (
        "paijat-hameen-tyollisyysalue", "Päijät-Hämeen työllisyysalue", "Päijät-Häme"
    )
    assert warnings == ()


def test_employment_area_from_a_publisher_name_and_other_regions():
    assert area_from_text("Päijät-Hämeen työllisyysalue")[0].region == "Päijät-Häme"
    assert area_from_text("Lahden työllisyysalue")[0].region == "Lahti"
    assert area_from_text("Keski-Suomen työllisyysalue")[0].id == "keski-suomen-tyollisyysalue"
    assert area_from_text("Kuopion seudun työllisyysalue")[0].region == "Kuopion seutu"
    assert area_from_text("Palveluluokittelu") is None


@pytest.mark.parametrize(
    ("genitive", "nominative"),
    [("Uudenmaan", "Uusimaa"), ("Pirkanmaan", "Pirkanmaa"), ("Varsinais-Suomen", "Varsinais-Suomi"), ("Kymenlaakson", "Kymenlaakso")],
)
def test_region_genitives_come_from_the_data_table(genitive, nominative):
    assert region_from_genitive(genitive) == (nominative, ())


def test_unlisted_region_drops_its_final_n_with_a_warning():
    region, warnings = region_from_genitive("Imatran")
    assert region == "Imatra" and len(warnings) == 1 and "areas.yaml" in warnings[0]


@pytest.mark.parametrize("scheme", ["producer-role", "customer-process", "delivery-level", "audience", "service-type", "mark"])
def test_every_concept_id_the_data_can_produce_is_in_the_published_scheme(scheme):
    from pathlib import Path

    import rdflib

    ttl = Path(__file__).resolve().parent.parent / "ontology" / "schemes" / f"{scheme}.ttl"
    if not ttl.exists():
        pytest.skip(f"{ttl} not written yet")
    graph = rdflib.Graph().parse(ttl)
    concepts = {
        str(s).rsplit("/", 1)[-1]
        for s in graph.subjects(rdflib.RDF.type, rdflib.URIRef("http://www.w3.org/2004/02/skos/core#Concept"))
    }
    assert known_concepts()[scheme] <= concepts
