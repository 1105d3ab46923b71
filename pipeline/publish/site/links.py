"""Links between the site's pages: an IRI becomes a relative link only when its page exists."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.publish.site.paths import page_for_iri, relative_href


@dataclass
class Linker:
    """Turns IRIs into links from one page to another, by the page-location contract.

    `pages` is every page the release's site will hold (relative to site/); an IRI whose page is
    not among them (another site, a page this build does not write) links to the IRI itself, so a
    crawl of the site never meets a broken relative link.
    """

    base: str
    def_base: str
    pages: set[str] = field(default_factory=set)

    def page(self, iri: str) -> tuple[str, str] | None:
        return page_for_iri(str(iri), self.base, self.def_base)

    def href(self, from_page: str, iri: str) -> str:
        found = self.page(iri)
        if found is None or found[0] not in self.pages:
            return str(iri)
        page, fragment = found
        if page == from_page:
            return f"#{fragment}" if fragment else "#top"
        return relative_href(from_page, page, fragment)

    def local(self, from_page: str, iri: str) -> bool:
        """True when `iri` is shown on `from_page` itself."""
        found = self.page(iri)
        return found is not None and found[0] == from_page
