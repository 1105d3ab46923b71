"""Extract: PDFs -> `ExtractedDocument`s (table rows or outline items, with provenance).

`extract_document` is the entry point; `pdf` opens files safely, `layout` recognises the
layout, `table` and `outline` read the two kinds of document, `words` holds shared geometry.
"""

from pipeline.extract.document import extract_document

__all__ = ["extract_document"]
