"""Jinja2 templates to page bytes: one environment, autoescaped, the same bytes for the same data."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pipeline.publish.site.paths import relative_href

TEMPLATES = Path(__file__).parent / "templates"
STYLESHEET = "style.css"  # site/style.css, written once per release
INDEX = "index.html"

RDF_TYPES = (("text/turtle", "Turtle"), ("application/ld+json", "JSON-LD"), ("application/n-triples", "N-Triples"))


@lru_cache(maxsize=1)
def environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(("html",)),
        undefined=StrictUndefined,  # a template naming a missing field is a bug, not a blank
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env


def render(template: str, page: str, **context) -> bytes:
    """The page at `page` (relative to site/) from `template`; links to the stylesheet and the
    index are made relative to it."""
    html = environment().get_template(template).render(
        page=page,
        css=relative_href(page, STYLESHEET),
        home=relative_href(page, INDEX),
        rdf_types=RDF_TYPES,
        **context,
    )
    return html.encode("utf-8")


def stylesheet() -> bytes:
    return (TEMPLATES / STYLESHEET).read_bytes()


def write(root: Path, page: str, data: bytes) -> None:
    target = root / page
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
