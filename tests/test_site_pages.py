"""The release's static site (docs/site.md), checked on a real release built from raw/.

Expectations come from the release's own RDF (servicegraph.ttl, ontology/*.ttl) read with rdflib,
never from the generator; the crops are read back with Pillow.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from PIL import Image
from rdflib import OWL, RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from pipeline.config import Settings
from pipeline.publish.site import crops
from pipeline.publish.site.paths import page_for_iri
from pipeline.rdf.concepts import parse_turtle
from pipeline.run import run_pipeline

ROOT = Path(__file__).resolve().parents[1]
CPSV_SERVICE = URIRef("http://purl.org/vocab/cpsv#PublicService")
PROV_DERIVED = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")

pytestmark = pytest.mark.slow


def build(tmp: Path) -> Path:
    """A release from the committed raw/ with its own fresh cache; its folder."""
    settings = replace(Settings(), sources=ROOT / "raw", output=tmp / "output", cache_dir=tmp / "cache")
    report = run_pipeline(settings)
    assert report.status == "published", report.message
    return (tmp / "output" / "latest").resolve()


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("site-a"))


@pytest.fixture(scope="module")
def data(release: Path) -> Graph:
    return Graph().parse(release / "servicegraph.ttl", format="turtle")


@pytest.fixture(scope="module")
def definitions(release: Path) -> Graph:
    return Graph().parse(release / "ontology.ttl", format="turtle")


SETTINGS = Settings()
SG = SETTINGS.def_iri + "ontology#"


def page_of(site: Path, iri) -> tuple[Path, str]:
    found = page_for_iri(str(iri), SETTINGS.base_iri, SETTINGS.def_iri)
    assert found is not None, iri
    return site / found[0], found[1]


class Page(HTMLParser):
    """The parts of a page the tests read: links, ids, texts by language, alternates, RDF block."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []  # (tag, url)
        self.ids: set[str] = set()
        self.alternates: list[tuple[str, str]] = []
        self.lang_texts: list[tuple[str, str]] = []
        self.text_parts: list[str] = []
        self.h1 = ""
        self.turtle = ""
        self._stack: list[tuple[str, str | None]] = []
        self._in = {"h1": False, "pre": False}
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and "href" in a:
            self.links.append(("a", a["href"]))
        if tag == "img" and "src" in a:
            self.links.append(("img", a["src"]))
        if tag == "link":
            if a.get("rel") == "alternate":
                self.alternates.append((a.get("type", ""), a.get("href", "")))
            elif "href" in a:
                self.links.append(("link", a["href"]))
        if tag in self._in:
            self._in[tag] = tag != "pre" or a.get("id") == "rdf-turtle"
        self._stack.append((tag, a.get("lang")))

    def handle_endtag(self, tag):
        if tag in self._in:
            self._in[tag] = False
        while self._stack:
            if self._stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        self.text_parts.append(data)
        if self._in["h1"]:
            self.h1 += data
        if self._in["pre"]:
            self.turtle += data
        lang = next((lang for _, lang in reversed(self._stack) if lang), None)
        if lang and data.strip():
            self.lang_texts.append((lang, data.strip()))

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())


def read(path: Path) -> Page:
    return Page(path.read_text(encoding="utf-8"))


def services(data: Graph) -> list[URIRef]:
    return sorted(data.subjects(RDF.type, CPSV_SERVICE), key=str)


# --------------------------------------------------------------------------- tests


def test_every_service_in_the_release_has_a_page_showing_its_iri(release: Path, data: Graph) -> None:
    found = services(data)
    assert len(found) > 100
    for svc in found:
        path, fragment = page_of(release / "site", svc)
        assert fragment == "" and path.is_file(), svc
        page = read(path)
        assert str(svc) in page.text
        assert page.h1 == str(data.value(svc, DCTERMS.title))


def test_service_page_shows_each_audiences_entry_with_source_file_and_page(release: Path, data: Graph,
                                                                          definitions: Graph) -> None:
    checked_two_audiences = False
    for svc in services(data):
        page = read(page_of(release / "site", svc)[0])
        entries = list(data.objects(svc, URIRef(SG + "hasEntry")))
        audiences = {a for e in entries for a in data.objects(e, DCTERMS.audience)}
        for audience in audiences:
            label = next(str(l) for l in definitions.objects(audience, SKOS.prefLabel) if l.language == "fi")
            assert label in page.text, (svc, audience)
        for entry in entries:
            printed = str(data.value(entry, URIRef(SG + "printedName")))
            source = data.value(entry, PROV_DERIVED)
            file = str(data.value(source, URIRef(SG + "fileName")))
            pages = {int(data.value(loc, URIRef(SG + "page"))) for loc in data.objects(entry, URIRef(SG + "printedAt"))}
            assert " ".join(printed.split()) in page.text, (svc, entry)
            assert file in page.text
            for number in pages:
                assert f"Page {number}:" in page.text, (svc, entry, number)
        checked_two_audiences |= len(audiences) >= 2
    assert checked_two_audiences, "no service with two audiences side by side was checked"


def test_palkkatuki_shows_both_tem_areas_side_by_side(release: Path, data: Graph) -> None:
    # The example of the README: TEM area 1 for individuals, 6 for employers, both kept.
    svc = next(s for s in services(data) if str(data.value(s, DCTERMS.title)) == "Palkkatuki ja työllistämistuki")
    html = page_of(release / "site", svc)[0].read_text(encoding="utf-8")
    table = html[html.index('class="audiences"'):html.index("</table>", html.index('class="audiences"'))]
    assert "Henkilöasiakas" in table and "Työnantaja- ja yritysasiakas" in table
    assert "Työn löytyminen" in table and "Yhteiset tukipalvelut" in table


def _highlighted(pixel: tuple[int, int, int]) -> bool:
    r, g, b = pixel[:3]
    return r > 200 and g > 160 and b < 120  # the highlighter yellow, also where blended with grey rules


def test_each_crop_highlights_the_entrys_boxes_and_nothing_far_from_them(release: Path, data: Graph) -> None:
    site = release / "site"
    checked = 0
    for entry in sorted(data.subjects(RDF.type, URIRef(SG + "Entry")), key=str):
        path, fragment = page_of(site, entry)
        boxes: dict[int, list[crops.Box]] = {}
        for loc in data.objects(entry, URIRef(SG + "printedAt")):
            boxes.setdefault(int(data.value(loc, URIRef(SG + "page"))), []).append(
                crops.Box.parse(str(data.value(loc, URIRef(SG + "bbox")))))
        for number, on_page in boxes.items():
            png = path.with_suffix("") / f"{fragment}-p{number}.png"
            assert png.is_file(), png
            image = Image.open(png).convert("RGB")
            # The crop starts MARGIN points left of and above the first box (clipped at the page edge).
            left = max(0.0, min(b.x0 for b in on_page) - crops.MARGIN_X)
            top = max(0.0, min(b.top for b in on_page) - crops.MARGIN_Y)
            for box in on_page:
                x0, y0 = round((box.x0 - left) * crops.SCALE), round((box.top - top) * crops.SCALE)
                x1, y1 = round((box.x1 - left) * crops.SCALE), round((box.bottom - top) * crops.SCALE)
                inside = [image.getpixel((x, y)) for x in range(x0, max(x0 + 1, x1)) for y in range(y0, max(y0 + 1, y1))
                          if 0 <= x < image.width and 0 <= y < image.height]
                share = sum(map(_highlighted, inside)) / len(inside)
                assert share > 0.3, (png, box, share)
            # The top-left corner is context, above and left of every box: never highlighted.
            corner = [image.getpixel((x, y)) for x in range(0, 8) for y in range(0, 8)]
            if min(b.x0 for b in on_page) > crops.MARGIN_X and min(b.top for b in on_page) > crops.MARGIN_Y:
                assert not any(map(_highlighted, corner)), png
            checked += 1
    assert checked > 150


def test_crop_pngs_carry_no_metadata_chunks(release: Path) -> None:
    for png in sorted((release / "site").rglob("*.png"))[:50]:
        data = png.read_bytes()
        for chunk in (b"tIME", b"tEXt", b"iTXt", b"zTXt", b"pHYs", b"iCCP"):
            assert chunk not in data, (png, chunk)


def _crawl(site: Path) -> tuple[set[Path], list[str]]:
    """Every file reached from index.html by relative links; the broken links met."""
    todo, seen, broken = [site / "index.html"], set(), []
    ids: dict[Path, set[str]] = {}
    wanted: list[tuple[Path, Path, str]] = []
    while todo:
        page = todo.pop()
        if page in seen:
            continue
        seen.add(page)
        parsed = read(page)
        ids[page] = parsed.ids
        for tag, url in parsed.links:
            parts = urlsplit(url)
            if parts.scheme or url.startswith("/"):
                continue  # an IRI (dereferenced by serve-ld) or a link leaving the static folder
            target = page if not parts.path else Path(posixpath.normpath(str(page.parent / unquote(parts.path))))
            if not target.is_file():
                broken.append(f"{page.relative_to(site)}: {url}")
                continue
            if not target.resolve().is_relative_to(site.resolve()):
                broken.append(f"{page.relative_to(site)}: {url} leaves site/")
                continue
            if parts.fragment:
                wanted.append((page, target, parts.fragment))
            if target.suffix == ".html":
                todo.append(target)
            else:
                seen.add(target)
    for page, target, fragment in wanted:
        if target.suffix == ".html" and target not in ids:
            ids[target] = read(target).ids
        if target.suffix == ".html" and fragment not in ids[target]:
            broken.append(f"{page.relative_to(site)}: #{fragment} not in {target.relative_to(site)}")
    return seen, broken


def test_every_link_from_the_index_resolves_and_every_file_is_reached(release: Path) -> None:
    site = release / "site"
    reached, broken = _crawl(site)
    assert broken == []
    files = {p for p in site.rglob("*") if p.is_file()}
    assert files - reached == set(), "files no page links to"


def test_two_builds_from_the_same_sources_are_byte_identical(release: Path, tmp_path: Path) -> None:
    again = build(tmp_path)
    assert again.name == release.name
    first = {p.relative_to(release): p.read_bytes() for p in (release / "site").rglob("*") if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in (again / "site").rglob("*") if p.is_file()}
    assert sorted(first) == sorted(second)
    assert [n for n in first if first[n] != second[n]] == []


def test_concept_and_scheme_pages_carry_their_labels_in_finnish_and_english(release: Path, definitions: Graph) -> None:
    subjects = sorted(set(definitions.subjects(RDF.type, SKOS.Concept)) | set(definitions.subjects(RDF.type, SKOS.ConceptScheme)),
                      key=str)
    assert len(subjects) > 30
    for subject in subjects:
        page = read(page_of(release / "site", subject)[0])
        for lang in ("fi", "sv", "en"):
            for label in definitions.objects(subject, SKOS.prefLabel):
                if isinstance(label, Literal) and label.language == lang:
                    assert (lang, str(label)) in page.lang_texts, (subject, lang)
        assert {l.language for l in definitions.objects(subject, SKOS.prefLabel)} >= {"fi", "en"}, subject


def test_tem_service_area_pages_list_their_services(release: Path, data: Graph) -> None:
    classified = URIRef("http://data.europa.eu/m8g/isClassifiedBy")
    for area in sorted(set(data.objects(None, classified)), key=str):
        page = read(page_of(release / "site", area)[0])
        expected = {str(data.value(s, DCTERMS.title)) for s in data.subjects(classified, area)}
        assert f"Services ({len(expected)})" in page.text
        for title in expected:
            assert " ".join(title.split()) in page.text, (area, title)


def test_ontology_page_has_an_anchor_per_class_and_property(release: Path) -> None:
    ontology = Graph()
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        ontology += parse_turtle(path, SETTINGS.def_iri)
    page_path = release / "site" / "def" / "ontology.html"
    page = read(page_path)
    terms = 0
    for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty):
        for term in ontology.subjects(RDF.type, kind):
            found = page_for_iri(str(term), SETTINGS.base_iri, SETTINGS.def_iri)
            if found is None:  # a reused class (CPSV-AP, PROV …): listed by its IRI
                assert str(term) in page.text, term
                continue
            assert found[0] == "def/ontology.html" and found[1] in page.ids, term
            terms += 1
    assert terms >= 20


def test_pages_link_their_rdf_alternates_and_embed_their_triples(release: Path, data: Graph) -> None:
    for svc in services(data)[:20]:
        page = read(page_of(release / "site", svc)[0])
        assert ("text/turtle", str(svc)) in page.alternates
        assert ("application/ld+json", str(svc)) in page.alternates
        embedded = Graph().parse(data=page.turtle, format="turtle")
        assert set(embedded.predicate_objects(svc)) == set(data.predicate_objects(svc))


def test_changelog_page_shows_the_releases_changelog(release: Path) -> None:
    markdown = (release / "CHANGELOG.md").read_text(encoding="utf-8")
    page = read(release / "site" / "changelog.html")
    headings = [line.lstrip("#").strip() for line in markdown.splitlines() if line.startswith("#")]
    assert headings
    for heading in headings:
        assert " ".join(heading.replace("`", "").split()) in page.text


def test_the_changelog_page_renders_each_release_once_and_the_same_from_its_cache(tmp_path: Path) -> None:
    # Every release repeats all earlier sections of CHANGELOG.md; a section is rendered once and
    # read from the cache after, and the page's bytes do not depend on the cache.
    from pipeline.publish.site.assemble import changelog_html

    older = "## r1 (first release)\n\n2 services added.\n\n### Added\n\n- A <https://x.example/id/service/a/a>\n"
    newer = "## r2 (since r1)\n\n0 services added, 1 removed.\n\n### Removed\n\n- A <https://x.example/id/service/a/a>\n"
    document = "# Changelog\n\nNewest first.\n\n" + newer + "\n" + older
    cache = tmp_path / "cache"
    uncached = changelog_html(document)
    assert changelog_html(document, cache) == uncached
    assert len(list((cache / "changelog-html").iterdir())) == 3  # the head and two sections
    for cached in (cache / "changelog-html").iterdir():
        cached.write_text(cached.read_text(encoding="utf-8").replace("r1", "CACHED"), encoding="utf-8")
    assert "CACHED" in changelog_html(document, cache)  # read back, not rendered again
    assert '<a href="https://x.example/id/service/a/a">' in uncached and "<h2>r2 (since r1)</h2>" in uncached


def test_an_unchanged_area_reuses_its_cached_pages(tmp_path: Path) -> None:
    settings = replace(Settings(), sources=ROOT / "raw", output=tmp_path / "output", cache_dir=tmp_path / "cache")
    run_pipeline(settings)
    first = {p.relative_to(tmp_path / "output" / "latest"): p.read_bytes()
             for p in (tmp_path / "output" / "latest" / "site").rglob("*") if p.is_file()}
    os.unlink(tmp_path / "cache" / "last-run.json")  # forget the run, keep the caches
    import shutil

    shutil.rmtree(tmp_path / "output")
    report = run_pipeline(settings)
    assert report.status == "published" and report.shards_built == 0
    site = tmp_path / "output" / "latest" / "site"
    again = {p.relative_to(tmp_path / "output" / "latest"): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert again == first
    # The area's pages are the shard cache's files, linked into the release, not written again.
    page = next(site.glob("id/service/*/*.html"))
    cached = list((tmp_path / "cache" / "shards").glob(f"*/site/{page.relative_to(site)}"))
    assert len(cached) == 1 and os.path.samefile(cached[0], page)


def test_a_site_that_fails_midway_leaves_the_previous_release_and_no_staging_folder(tmp_path: Path) -> None:
    # The disk fills up while the release-wide pages are written into the staging folder.
    from rdflib import Literal as L

    from pipeline.publish import assemble
    from pipeline.publish.site import render

    def graph(title: str) -> Graph:
        g = Graph()
        g.add((URIRef(SETTINGS.base_iri + "service/koe/palvelu"), DCTERMS.title, L(title, lang="fi")))
        return g

    output = tmp_path / "output"
    first = assemble.publish(graph("Koepalvelu"), output, settings=replace(Settings(), output=output))
    before = sorted(str(p.relative_to(output)) for p in output.rglob("*"))
    real, written = render.write, []

    def full_disk(root: Path, page: str, data: bytes) -> None:
        if ".staging-" in str(root):
            if len(written) == 3:
                raise OSError(28, "No space left on device")
            written.append(page)
        real(root, page, data)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(render, "write", full_disk)
        with pytest.raises(OSError, match="No space left"):
            assemble.publish(graph("Toinen koepalvelu"), output, settings=replace(Settings(), output=output))
    assert written
    assert os.readlink(output / "latest") == f"releases/{first.release_id}"
    assert sorted(str(p.relative_to(output)) for p in output.rglob("*")) == before
    assert (output / "latest" / "site" / "index.html").is_file()


def test_a_shard_kept_from_the_latest_release_finds_its_pages_there(release: Path) -> None:
    # An area whose source is quarantined keeps the latest release's shard (areas/{area}.ttl);
    # its pages come from that release's site/, listed in shards.json.
    from pipeline.publish.site.assemble import shard_pages

    for ttl in sorted((release / "areas").glob("*.ttl")):
        found = shard_pages(ttl, ttl.stem)
        assert found is not None and found.folder == release / "site"
        assert found.site.area_id == ttl.stem and found.site.files > 100
        under_roots = [p for root in found.site.roots for p in
                       ([found.folder / root] if (found.folder / root).is_file() else (found.folder / root).rglob("*"))
                       if p.is_file()]
        assert len(under_roots) == found.site.files
        assert (found.folder / found.site.page).is_file()


def test_crops_from_the_crop_cache_are_the_bytes_a_rendering_gives(data: Graph, definitions: Graph, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # A changed document rebuilds its area; the crops of the area's other documents come from
    # .cache/crops/ and must be what rendering their pages gives.
    from pipeline.publish.site.area import build_area_site, pdfs_in_folder

    area = str(next(data.subjects(RDF.type, URIRef("http://data.europa.eu/m8g/PublicOrganisation")))).rsplit("/", 1)[-1]
    pdfs = pdfs_in_folder(data, ROOT / "raw", SG)
    assert pdfs, "the committed raw/ PDFs have the published digests"
    args = dict(area_id=area, base=SETTINGS.base_iri, def_base=SETTINGS.def_iri, crop_cache=tmp_path / "crops")
    rendered = build_area_site(data, definitions, pdfs, out=tmp_path / "a", **args)
    assert len(list((tmp_path / "crops").rglob("*.png"))) > 100

    def no_rendering(*_args, **_kwargs):
        raise AssertionError("a cached crop was rendered again")

    monkeypatch.setattr(crops, "crop_png", no_rendering)
    cached = build_area_site(data, definitions, pdfs, out=tmp_path / "b", **args)
    assert cached == rendered
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)
