"""Extract: PDFs -> `ExtractedDocument`s (a reader's records, with provenance).

`extract_document` is the entry point; `pdf` opens files safely, `layout` loads and validates
the layout profiles and recognises a document's layout, `readers` is the registry of readers
(table, slides: one subpackage each) that read the records, `words` holds shared geometry.
"""

from pipeline.extract.document import extract_document

__all__ = ["extract_document"]
