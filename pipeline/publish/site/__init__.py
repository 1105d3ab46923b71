"""The release's static site (issue 15, part 2, docs/site.md).

paths.py is the page-location contract (serve-ld imports it); area.py writes one area's pages on
the worker that builds its shard; assemble.py puts them together with the release-wide pages.
"""

from pipeline.publish.site.paths import page_for_iri, relative_href

__all__ = ["page_for_iri", "relative_href"]
