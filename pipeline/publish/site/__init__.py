"""The release's static site (issue 15, part 2): page locations first; the generator follows."""

from pipeline.publish.site.paths import page_for_iri, relative_href

__all__ = ["page_for_iri", "relative_href"]
