"""One source PDF -> `ExtractedDocument`: open it safely, recognise its layout, let the
profile's registered reader read it. Nothing here knows a layout: see pipeline/extract/readers."""

from __future__ import annotations

from pipeline.config import Settings
from pipeline.errors import ExtractionError
from pipeline.extract.layout import detect_layout, load_profiles
from pipeline.extract.pdf import read_pdf
from pipeline.extract.readers import get as get_reader
from pipeline.extract.readers.base import ReadError
from pipeline.model import ExtractedDocument, Source


def extract_document(source: Source, settings: Settings | None = None) -> ExtractedDocument:
    settings = settings or Settings()
    content = read_pdf(source.path, settings)
    profile = detect_layout(content.words, load_profiles(), source.path, source.layout,
                            marks=content.marks)
    try:
        reading = get_reader(profile.reader).read(content, profile.settings)
    except ReadError as exc:
        raise ExtractionError(source.path, f"layout {profile.id!r}: {exc.reason}", exc.page) from None
    warnings = reading.warnings
    title = reading.title
    if not title:
        title = source.title or source.path.stem
        warnings += (f"page 1: no title line found; using {title!r}",)
    return ExtractedDocument(source=source, layout=profile.id, title=title, area_name=reading.area_name,
                             pages=len(content.pages), reader=profile.reader, records=reading.records,
                             warnings=warnings)
