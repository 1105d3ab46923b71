"""The front door in a real browser: Debian's headless Chromium driven by Playwright, against the
real `servicegraph serve-ld` process over a copy of the committed release.

Two parts:
- what every release has: a page of the server fetches the same IRI as Turtle and as JSON-LD
  (fetch() with Accept, following the 303) and queries /sparql from another origin (CORS, with
  the browser's own preflight);
- the site flow (issue 15, items 2-3; docs/site.md): index -> employment area -> service page, its
  facts, its provenance image loaded and highlighted, and the service IRI opened as HTML. The
  committed release has no site/ yet (the generator is on branch i15-site-gen): those tests skip
  with that reason until a release with a site is committed, then they run.
"""

from __future__ import annotations

import json

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

import reliability_helpers as rh
from front_door import ServeLd, start_serve_ld
from pipeline.config import Settings

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AREA = "paijat-hameen-tyollisyysalue"
SERVICE_PATH = f"service/{AREA}/palkkatuki-ja-tyollistamistuki"  # classified 1 for individuals, 6 for employers
SERVICE = URIRef(Settings().base_iri + SERVICE_PATH)
COMMITTED_SITE = rh.ROOT / "output" / "latest" / "site" / "index.html"
needs_site = pytest.mark.skipif(
    not COMMITTED_SITE.is_file(),
    reason="the committed release has no site/ yet (generator on branch i15-site-gen); runs once output/ has one",
)
HIGHLIGHT = (255, 214, 0)  # the crops' highlighter yellow (docs/site.md)

# fetch() from inside the page: what a script on the page gets, redirects followed by the browser.
FETCH = """async ([url, accept]) => {
  const r = await fetch(url, {headers: {Accept: accept}});
  return {status: r.status, url: r.url, redirected: r.redirected,
          type: r.headers.get('content-type'), text: await r.text()};
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> ServeLd:
    work = tmp_path_factory.mktemp("browser")
    running = start_serve_ld(rh.copy_output(rh.ROOT / "output", work / "output"), work / "server")
    yield running
    running.stop()


def _service_triples() -> set:
    graph = Graph().parse(rh.ROOT / "output" / "latest" / "servicegraph.ttl", format="turtle")
    return set(graph.triples((SERVICE, None, None)))


@pytest.mark.parametrize(("accept", "ext", "media", "rdflib_format"), [
    ("text/turtle", "ttl", "text/turtle", "turtle"),
    ("application/ld+json", "jsonld", "application/ld+json", "json-ld"),
])
def test_a_page_fetches_the_service_iri_as_rdf_by_accept(page, server, accept, ext, media, rdflib_format):
    page.goto(f"{server.base}/")
    got = page.evaluate(FETCH, [f"/id/{SERVICE_PATH}", accept])
    assert got["status"] == 200 and got["redirected"]
    assert got["url"] == f"{server.base}/doc/id/{SERVICE_PATH}.{ext}"
    assert got["type"].split(";")[0] == media
    parsed = Graph().parse(data=got["text"], format=rdflib_format)
    assert set(parsed.triples((SERVICE, None, None))) == _service_triples()
    assert (SERVICE, DCTERMS.title, Literal("Palkkatuki ja työllistämistuki", lang="fi")) in parsed
    if ext == "jsonld":  # and the page itself can read it
        ids = page.evaluate("text => JSON.parse(text).map(node => node['@id'])", got["text"])
        assert str(SERVICE) in ids


def test_a_page_on_another_origin_queries_sparql_through_cors(page, server):
    """`localhost` and `127.0.0.1` are different origins: the POST with its own content type makes
    the browser send a preflight, and the answer is readable only if CORS allows it."""
    page.goto(f"http://localhost:{server.port}/")
    query = "SELECT (COUNT(?s) AS ?n) WHERE { ?s a <http://purl.org/vocab/cpsv#PublicService> }"
    got = page.evaluate("""async ([url, query]) => {
      const r = await fetch(url, {method: 'POST', body: query,
        headers: {'Content-Type': 'application/sparql-query', Accept: 'application/sparql-results+json'}});
      return {status: r.status, text: await r.text()};
    }""", [f"http://127.0.0.1:{server.port}/sparql", query])
    assert got["status"] == 200
    count = int(json.loads(got["text"])["results"]["bindings"][0]["n"]["value"])
    graph = Graph().parse(rh.ROOT / "output" / "latest" / "servicegraph.ttl", format="turtle")
    assert count == len(set(graph.subjects(None, URIRef("http://purl.org/vocab/cpsv#PublicService")))) > 100


# --------------------------------------------------------------------------- the site


def _highlighted_pixels(page, selector: str) -> list[int]:
    """Per image: how many pixels are the highlighter's yellow (read back through a canvas)."""
    return page.eval_on_selector_all(selector, """(images, [r, g, b]) => images.map(img => {
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
      const ctx = canvas.getContext('2d');
      ctx.drawImage(img, 0, 0);
      const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (Math.abs(data[i] - r) < 24 && Math.abs(data[i + 1] - g) < 24 && Math.abs(data[i + 2] - b) < 40) n++;
      }
      return n;
    })""", list(HIGHLIGHT))


@needs_site
def test_the_service_iri_opens_as_its_html_page(page, server):
    response = page.goto(f"{server.base}/id/{SERVICE_PATH}")  # the browser's own Accept: text/html first
    assert response.ok and response.headers["content-type"].startswith("text/html")
    assert page.url == f"{server.base}/site/id/{SERVICE_PATH}.html"
    assert "Palkkatuki ja työllistämistuki" in page.locator("h1").inner_text()


@needs_site
def test_index_to_area_to_service_shows_the_facts_and_the_highlighted_provenance(page, server):
    page.goto(f"{server.base}/")
    assert page.url == f"{server.base}/site/index.html"
    page.locator(f'a[href$="organisation/{AREA}.html"]').first.click()
    assert page.url == f"{server.base}/site/id/organisation/{AREA}.html"
    page.locator(f'a[href$="{SERVICE_PATH}.html"]').first.click()
    assert page.url == f"{server.base}/site/id/{SERVICE_PATH}.html"
    text = page.locator("body").inner_text()
    # Its facts, each audience's side by side: TEM area 1 for individuals, 6 for employers.
    for fact in ("Palkkatuki ja työllistämistuki", "Työn löytyminen", "Yhteiset tukipalvelut"):
        assert fact in text, fact
    # Provenance: the source file and page, and the crop of the PDF page with the box highlighted.
    assert "002_liitetaulukko.pdf" in text
    images = page.locator("#provenance img")
    assert images.count() >= 2  # one entry per audience
    loaded = page.eval_on_selector_all("#provenance img", "imgs => imgs.map(i => i.complete && i.naturalWidth)")
    assert all(width and width > 0 for width in loaded), loaded
    assert all(n > 50 for n in _highlighted_pixels(page, "#provenance img"))
    # The page names its RDF alternates by the service's IRI; fetched through the server from the
    # page, they are the service's Turtle and JSON-LD.
    for media, rdflib_format in (("text/turtle", "turtle"), ("application/ld+json", "json-ld")):
        href = page.locator(f'link[rel="alternate"][type="{media}"]').first.get_attribute("href")
        assert href and href.endswith(SERVICE_PATH), href
        got = page.evaluate(FETCH, [f"/id/{SERVICE_PATH}", media])
        assert got["status"] == 200 and got["type"].split(";")[0] == media
        assert set(Graph().parse(data=got["text"], format=rdflib_format).triples((SERVICE, None, None))) == _service_triples()


@needs_site
def test_the_service_page_shows_its_facts_without_javascript(browser, server):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        response = page.goto(f"{server.base}/site/id/{SERVICE_PATH}.html")
        assert response.ok
        assert "Palkkatuki ja työllistämistuki" in page.locator("h1").inner_text()
        text = page.locator("body").inner_text()
        assert "Työn löytyminen" in text and "Yhteiset tukipalvelut" in text
        assert page.locator("#provenance img").count() >= 2
    finally:
        context.close()
