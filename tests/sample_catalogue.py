"""A hand-built, realistic `Catalogue` for tests of the map, validate, publish and query stages.

Every entry is a real row or bullet of the two source documents of the Päijät-Hämeen
työllisyysalue (seed texts in ../shared/seeds/, PDFs in raw/), with the text as printed (typos
included) and page/bbox as pdfplumber reads them from raw/*.pdf. It is built by hand, not by the
extractor, so that the later stages can be tested without depending on the earlier ones.

What it covers on purpose:
- "Palkkatuki ja työllistämistuki" in both tables: individual -> 1 Työn löytyminen,
  employer -> 6 Yhteiset tukipalvelut (printed lower case, "6 yhteiset tukipalvelut");
- "Palveluihin ohjaaminen ja neuvonta": Muu (ei viitearkkitehtuurissa);
- "Kulukorvaukset": TEM "?" in the table, plus a slide bullet (central services);
- "Työpaikkailmoitukset": "1 Työn löytyminen ?" (uncertain), producers incl. Työmarkkinatori;
- "Työvoimakoulutus": purchased-service producer, and a joint-procurement slide bullet;
- "Kielen opetus/ suomen kielen opetus": possible purchased service, group "Kotoutumispalvelut";
- "Starttiraha": start-up audience, group "Alkavan yrityksen palvelut" (a business event);
- "Työnhakukeskustelut ja työllistymissuunnitelmat": slide bullets with delivery level and
  customer service process (two processes);
- "Monikielinen yhteiskuntaorientaatio": one service under three headings (local, integration
  process with the source's "yhteiskunta-orientaatio", joint procurement);
- "Muutosturvapalvelut": both tables, Monialainen "x?" (probably);
- "Kuntouttava työtoiminta": "Lakisääteinen (HVA)", another authority's possible service.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.model import (
    Audience,
    BBox,
    Catalogue,
    DeliveryLevel,
    EmploymentArea,
    Entry,
    Location,
    Mark,
    Producer,
    Service,
    ServiceType,
    Source,
    SourceDocument,
    TemArea,
    TemAreaKind,
)

AREA_ID = "paijat-hameen-tyollisyysalue"
AREA_NAME = "Päijät-Hämeen työllisyysalue"
SLIDES = "000_palveluluokittelu"
TABLE = "002_liitetaulukko"

_EA = Producer(role="employment-area", label="Päijät-Hämeen työllisyysalue")


def _loc(page: int, x0: float, top: float, x1: float, bottom: float) -> Location:
    return Location(page=page, bbox=BBox(x0, top, x1, bottom))


def _area(code: int, uncertain: bool = False) -> TemArea:
    return TemArea(kind=TemAreaKind.AREA, code=code, uncertain=uncertain)


def _sources() -> tuple[SourceDocument, ...]:
    slides = Source(
        id=SLIDES,
        path=Path("raw/000_palveluluokittelu.pdf"),
        sha256="8675d7eeba9568c723ebb5c38253639a6cf537864a4b736dbf486f0087bec4f0",
        title="Palveluluokittelu",
        publisher=AREA_NAME,
    )
    table = Source(
        id=TABLE,
        path=Path("raw/002_liitetaulukko.pdf"),
        sha256="85a53b46f396f0006ae01097f77d345fa0a2423b5e7c36362469b23d763f836c",
        title="Päijät-Hämeen työllisyysalueen palveluita koskeva liitetaulukko",
    )
    return (
        SourceDocument(source=slides, layout="service-slides", title="Palveluluokittelu", pages=3, area_id=AREA_ID),
        SourceDocument(
            source=table,
            layout="appendix-table",
            title="Päijät-Hämeen työllisyysalueen palveluita koskeva liitetaulukko.",
            pages=8,
            area_id=AREA_ID,
        ),
    )


def _service(service_id: str, name: str, *entries: Entry) -> Service:
    return Service(id=service_id, area_id=AREA_ID, name=name, entries=tuple(entries))


def _services() -> tuple[Service, ...]:
    palkkatuki = "palkkatuki-ja-tyollistamistuki"
    kulukorvaukset = "kulukorvaukset"
    tpi = "tyopaikkailmoitukset"
    tvk = "tyovoimakoulutus"
    kieli = "kielen-opetus-suomen-kielen-opetus"
    start = "starttiraha"
    tyk = "tyonhakukeskustelut-ja-tyollistymissuunnitelmat"
    myo = "monikielinen-yhteiskuntaorientaatio"
    mts = "muutosturvapalvelut"
    ktt = "kuntouttava-tyotoiminta"
    poh = "palveluihin-ohjaaminen-ja-neuvonta"
    return (
        _service(
            palkkatuki,
            "Palkkatuki ja työllistämistuki",
            Entry(
                id="t1-r9",
                source_id=TABLE,
                service_id=palkkatuki,
                name_as_printed="Palkkatuki ja työllistämistuki (95 § 55 vuotta\ntäyttäneiden työllistämistuki)",
                locations=(_loc(1, 37.0, 325.0, 636.0, 344.5), _loc(4, 37.0, 325.0, 476.3, 334.0)),
                raw={
                    "name": "Palkkatuki ja työllistämistuki (95 § 55 vuotta\ntäyttäneiden työllistämistuki)",
                    "type": "Lakisääteinen",
                    "producers": "Päijät-Hämeen\ntyöllisyysalue",
                    "shared": "x",
                    "tem_area": "1 Työn löytyminen",
                    "multiprofessional": "x",
                },
                audience=Audience.INDIVIDUAL,
                service_type=ServiceType.STATUTORY,
                producers=(_EA,),
                shared=Mark.YES,
                tem_area=_area(1),
                multiprofessional=Mark.YES,
            ),
            Entry(
                id="t2-r9",
                source_id=TABLE,
                service_id=palkkatuki,
                name_as_printed="Palkkatuki ja työllistämistuki",
                locations=(_loc(7, 37.0, 260.0, 636.0, 268.7), _loc(8, 37.0, 260.0, 242.9, 268.7)),
                raw={
                    "name": "Palkkatuki ja työllistämistuki",
                    "type": "Lakisääteinen",
                    "producers": "Päijät-Hämeen\ntyöllisyysalue",
                    "shared": "x",
                    "tem_area": "6 yhteiset tukipalvelut",
                },
                audience=Audience.EMPLOYER,
                group="Työnantaja- ja yrityspalvelut",
                service_type=ServiceType.STATUTORY,
                producers=(_EA,),
                shared=Mark.YES,
                tem_area=_area(6),
            ),
        ),
        _service(
            poh,
            "Palveluihin ohjaaminen ja neuvonta",
            Entry(
                id="t1-r4",
                source_id=TABLE,
                service_id=poh,
                name_as_printed="Palveluihin ohjaaminen ja neuvonta",
                locations=(_loc(1, 37.0, 243.0, 636.0, 251.6), _loc(4, 142.0, 243.0, 476.3, 251.6)),
                raw={
                    "name": "Palveluihin ohjaaminen ja neuvonta",
                    "type": "Lakisääteinen",
                    "producers": "Päijät-Hämeen\ntyöllisyysalue",
                    "tem_area": "Muu (ei viitearkkitehtuurissa)",
                    "multiprofessional": "x",
                },
                audience=Audience.INDIVIDUAL,
                service_type=ServiceType.STATUTORY,
                producers=(_EA,),
                tem_area=TemArea(kind=TemAreaKind.NOT_IN_ARCHITECTURE),
                multiprofessional=Mark.YES,
            ),
        ),
        _service(
            kulukorvaukset,
            "Kulukorvaukset",
            Entry(
                id="t1-r15",
                source_id=TABLE,
                service_id=kulukorvaukset,
                name_as_printed="Kulukorvaukset",
                locations=(_loc(1, 37.0, 467.0, 636.0, 475.6), _loc(4, 37.0, 467.0, 476.3, 475.6)),
                raw={
                    "name": "Kulukorvaukset",
                    "type": "Lakisääteinen",
                    "producers": "Päijät-Hämeen\ntyöllisyysalue",
                    "shared": "(x)",
                    "tem_area": "?",
                    "multiprofessional": "x",
                },
                audience=Audience.INDIVIDUAL,
                service_type=ServiceType.STATUTORY,
                producers=(_EA,),
                shared=Mark.PARTLY,
                tem_area=TemArea(kind=TemAreaKind.UNKNOWN),
                multiprofessional=Mark.YES,
            ),
            Entry(
                id="s3-i19",
                source_id=SLIDES,
                service_id=kulukorvaukset,
                name_as_printed="Kulukorvaukset",
                locations=(_loc(3, 46.8, 318.0, 126.5, 328.7),),
                raw={"text": "Kulukorvaukset"},
                group="Tuki- ja korvausasiat",
                delivery_level=DeliveryLevel.CENTRAL,
                path=("Keskitetyt palvelut", "Tuki- ja korvausasiat", "Kulukorvaukset"),
            ),
        ),
        _service(
            tpi,
            "Työpaikkailmoitukset",
            Entry(
                id="t2-r4",
                source_id=TABLE,
                service_id=tpi,
                name_as_printed="Työpaikkailmoitukset (ml. EURES ja\nkolmansien maiden työnhaku)",
                locations=(_loc(7, 37.0, 155.0, 646.4, 174.3), _loc(8, 37.0, 155.0, 225.9, 174.3)),
                raw={
                    "name": "Työpaikkailmoitukset (ml. EURES ja\nkolmansien maiden työnhaku)",
                    "type": "Lakisääteinen",
                    "producers": "Päijät-Hämeen\ntyöllisyysalue +\ntyömarkkinatori",
                    "shared": "x",
                    "tem_area": "1 Työn löytyminen\n?",
                },
                audience=Audience.EMPLOYER,
                group="Työnantaja- ja yrityspalvelut",
                service_type=ServiceType.STATUTORY,
                producers=(_EA, Producer(role="tyomarkkinatori", label="työmarkkinatori")),
                shared=Mark.YES,
                tem_area=_area(1, uncertain=True),
            ),
        ),
        _service(
            tvk,
            "Työvoimakoulutus",
            Entry(
                id="t1-r8",
                source_id=TABLE,
                service_id=tvk,
                name_as_printed="Työvoimakoulutus (ja uudelleenkoulutus)",
                locations=(_loc(1, 37.0, 311.0, 558.0, 319.7), _loc(4, 37.0, 311.0, 476.3, 319.7)),
                raw={
                    "name": "Työvoimakoulutus (ja uudelleenkoulutus)",
                    "type": "Lakisääteinen",
                    "producers": "ostopalvelu",
                    "shared": "x",
                    "tem_area": "2 Osaamisen kehittäminen",
                    "multiprofessional": "x",
                },
                audience=Audience.INDIVIDUAL,
                service_type=ServiceType.STATUTORY,
                producers=(Producer(role="purchased-service", label="ostopalvelu"),),
                shared=Mark.YES,
                tem_area=_area(2),
                multiprofessional=Mark.YES,
            ),
            Entry(
                id="s3-i31",
                source_id=SLIDES,
                service_id=tvk,
                name_as_printed="Työvoimakoulutukset",
                locations=(_loc(3, 352.8, 234.0, 462.6, 244.3),),
                raw={"text": "Työvoimakoulutukset"},
                group="Työvoimakoulutukset",
                delivery_level=DeliveryLevel.JOINT_PROCUREMENT,
                path=("Ostopalvelut, hankinnat keskitetysti", "Työvoimakoulutukset", "Työvoimakoulutukset"),
            ),
        ),
        _service(
            kieli,
            "Kielen opetus / suomen kielen opetus",
            Entry(
                id="t1-r24",
                source_id=TABLE,
                service_id=kieli,
                name_as_printed="Kielen opetus/ suomen kielen opetus",
                locations=(_loc(3, 37.0, 152.0, 616.5, 160.8), _loc(6, 37.0, 152.0, 399.3, 160.8)),
                raw={
                    "name": "Kielen opetus/ suomen kielen opetus",
                    "type": "Lakisääteinen",
                    "producers": "mahdollinen\nostopalvelu",
                    "shared": "x",
                    "tem_area": "3 Kotoutumisen edistäminen",
                    "immigrant": "x",
                },
                audience=Audience.INDIVIDUAL,
                group="Kotoutumispalvelut",
                service_type=ServiceType.STATUTORY,
                producers=(Producer(role="purchased-service", label="mahdollinen ostopalvelu", possible=True),),
                shared=Mark.YES,
                tem_area=_area(3),
                immigrant=Mark.YES,
            ),
        ),
        _service(
            start,
            "Starttiraha",
            Entry(
                id="t2-r1",
                source_id=TABLE,
                service_id=start,
                name_as_printed="Starttiraha",
                locations=(_loc(7, 37.0, 87.0, 636.0, 95.6), _loc(8, 37.0, 87.0, 264.7, 95.6)),
                raw={
                    "name": "Starttiraha",
                    "type": "Lakisääteinen",
                    "producers": "Päijät-Hämeen\ntyöllisyysalue",
                    "shared": "x",
                    "tem_area": "5 Tieto, neuvonta ja ohjaus",
                },
                audience=Audience.STARTUP,
                group="Alkavan yrityksen palvelut",
                service_type=ServiceType.STATUTORY,
                producers=(_EA,),
                shared=Mark.YES,
                tem_area=_area(5),
            ),
        ),
        _service(
            tyk,
            "Työnhakukeskustelut ja työllistymissuunnitelmat",
            Entry(
                id="s2-i10",
                source_id=SLIDES,
                service_id=tyk,
                name_as_printed="Työnhakukeskustelut ja työllistymissuunnitelmat",
                locations=(_loc(2, 46.8, 269.0, 348.0, 279.0),),
                raw={"text": "Työnhakukeskustelut ja työllistymissuunnitelmat"},
                audience=Audience.INDIVIDUAL,
                group="Suoraan työmarkkinoille suuntaava, asiakkaan palveluprosessi",
                delivery_level=DeliveryLevel.LOCAL,
                customer_process="direct-to-labour-market",
                path=(
                    "Lähipalvelut kunnissa",
                    "Palvelut henkilöasiakkaille",
                    "Suoraan työmarkkinoille suuntaava, asiakkaan palveluprosessi",
                ),
            ),
            Entry(
                id="s2-i14",
                source_id=SLIDES,
                service_id=tyk,
                name_as_printed="Työnhakukeskustelut ja työllistymissuunnitelmat",
                locations=(_loc(2, 46.8, 354.0, 299.1, 364.1),),
                raw={"text": "Työnhakukeskustelut ja työllistymissuunnitelmat"},
                audience=Audience.INDIVIDUAL,
                group="Osaamisen kehittämisen tarve, asiakkaan palveluprosessi",
                delivery_level=DeliveryLevel.LOCAL,
                customer_process="skills-development",
                path=(
                    "Lähipalvelut kunnissa",
                    "Palvelut henkilöasiakkaille",
                    "Osaamisen kehittämisen tarve, asiakkaan palveluprosessi",
                ),
            ),
        ),
        _service(
            myo,
            "Monikielinen yhteiskuntaorientaatio",
            Entry(
                id="s1-i22",
                source_id=SLIDES,
                service_id=myo,
                name_as_printed="Monikielinen yhteiskuntaorientaatio",
                locations=(_loc(1, 219.6, 444.0, 372.6, 452.6),),
                raw={"text": "Monikielinen yhteiskuntaorientaatio"},
                group="Lähipalvelut kunnissa",
                delivery_level=DeliveryLevel.LOCAL,
                path=("Lähipalvelut", "Lähipalvelut kunnissa"),
            ),
            Entry(
                id="s2-i27",
                source_id=SLIDES,
                service_id=myo,
                name_as_printed="Monikielinen yhteiskunta-orientaatio",
                locations=(_loc(2, 352.8, 220.0, 543.3, 230.5),),
                raw={"text": "Monikielinen yhteiskunta-orientaatio"},
                audience=Audience.INDIVIDUAL,
                group="Kotoutumisasiakkaan palveluprosessi",
                delivery_level=DeliveryLevel.LOCAL,
                customer_process="integration",
                path=("Lähipalvelut kunnissa", "Palvelut henkilöasiakkaille", "Kotoutumisasiakkaan palveluprosessi"),
            ),
            Entry(
                id="s3-i38",
                source_id=SLIDES,
                service_id=myo,
                name_as_printed="Monikielinen yhteiskuntaorientaatio",
                locations=(_loc(3, 352.8, 375.0, 539.3, 385.7),),
                raw={"text": "Monikielinen yhteiskuntaorientaatio"},
                group="Muut hankinnat",
                delivery_level=DeliveryLevel.JOINT_PROCUREMENT,
                path=("Ostopalvelut, hankinnat keskitetysti", "Muut hankinnat"),
            ),
        ),
        _service(
            mts,
            "Muutosturvapalvelut",
            Entry(
                id="t1-r23",
                source_id=TABLE,
                service_id=mts,
                name_as_printed="Muutosturvapalvelut",
                locations=(_loc(3, 37.0, 123.0, 636.0, 132.3), _loc(6, 37.0, 123.0, 481.1, 132.3)),
                raw={
                    "name": "Muutosturvapalvelut",
                    "type": "Lakisääteinen",
                    "producers": "Päijät-Hämeen\ntyöllisyysalue",
                    "shared": "x",
                    "tem_area": "5 Tieto, neuvonta ja ohjaus",
                    "multiprofessional": "x?",
                },
                audience=Audience.INDIVIDUAL,
                service_type=ServiceType.STATUTORY,
                producers=(_EA,),
                shared=Mark.YES,
                tem_area=_area(5),
                multiprofessional=Mark.PROBABLY,
            ),
            Entry(
                id="t2-r13",
                source_id=TABLE,
                service_id=mts,
                name_as_printed="Muutosturvapalvelut",
                locations=(_loc(7, 37.0, 328.0, 636.0, 336.9), _loc(8, 37.0, 328.0, 264.7, 336.9)),
                raw={
                    "name": "Muutosturvapalvelut",
                    "type": "Lakisääteinen",
                    "producers": "Päijät-Hämeen\ntyöllisyysalue",
                    "shared": "x",
                    "tem_area": "5 Tieto, neuvonta ja ohjaus",
                },
                audience=Audience.EMPLOYER,
                group="Työnantaja- ja yrityspalvelut",
                service_type=ServiceType.STATUTORY,
                producers=(_EA,),
                shared=Mark.YES,
                tem_area=_area(5),
            ),
        ),
        _service(
            ktt,
            "Kuntouttava työtoiminta",
            Entry(
                id="t1-r20",
                source_id=TABLE,
                service_id=ktt,
                name_as_printed="Kuntouttava työtoiminta",
                locations=(_loc(3, 37.0, 36.0, 686.0, 55.9), _loc(6, 37.0, 36.0, 476.3, 45.4)),
                raw={
                    "name": "Kuntouttava työtoiminta",
                    "type": "Lakisääteinen\n(HVA)",
                    "producers": "Muun viranomaisen\n(oma tai hankkima)\npalvelu?",
                    "shared": "(x)",
                    "tem_area": "4 Työkyvyn tukeminen",
                    "multiprofessional": "x",
                },
                audience=Audience.INDIVIDUAL,
                service_type=ServiceType.STATUTORY_WELLBEING_COUNTY,
                producers=(
                    Producer(role="other-authority", label="Muun viranomaisen (oma tai hankkima) palvelu?", possible=True),
                ),
                shared=Mark.PARTLY,
                tem_area=_area(4),
                multiprofessional=Mark.YES,
            ),
        ),
    )


def sample_catalogue() -> Catalogue:
    """The sample: one employment area, its two source documents, eleven services."""
    return Catalogue(
        areas=(EmploymentArea(id=AREA_ID, name=AREA_NAME, region="Päijät-Häme"),),
        sources=_sources(),
        services=_services(),
    )
