"""One source PDF -> `ExtractedDocument`: open it safely, recognise its layout, read it."""

from __future__ import annotations

import pdfplumber

from pipeline.config import Settings
from pipeline.errors import ExtractionError, SourceError
from pipeline.extract.layout import Profile, detect_layout, load_profiles
from pipeline.extract.pdf import PageTimeout, PdfContent, PdfError, read_pdf, time_limit
from pipeline.extract.table import TableSettings, extract_tables
from pipeline.model import ExtractedDocument, Source


def extract_document(source: Source, settings: Settings | None = None) -> ExtractedDocument:
    settings = settings or Settings()
    content = read_pdf(source.path, settings)
    profile = detect_layout(content.words, load_profiles(), source.path, source.layout)
    if profile.extractor == "table":
        return extract_table_document(content, source, profile)
    return extract_outline_document(source, profile)


def extract_table_document(content: PdfContent, source: Source, profile: Profile) -> ExtractedDocument:
    result = extract_tables(content, TableSettings.from_profile(profile.data))
    if not result.rows:
        raise ExtractionError(source.path, f"no table rows found for layout {profile.id!r} "
                                           "(no header row with the profile's header words)")
    warnings = list(result.warnings)
    title = result.title
    if not title:
        title = source.title or source.path.stem
        warnings.append(f"page 1: no title line found; using {title!r}")
    return ExtractedDocument(source=source, layout=profile.id, title=title, area_name=result.area_name,
                             pages=len(content.pages), rows=result.rows, warnings=tuple(warnings))


def extract_outline_document(source: Source, profile: Profile) -> ExtractedDocument:
    # The outline extractor reads the pages itself; the file has passed read_pdf's checks.
    from pipeline.extract.outline import extract_outline

    try:
        with pdfplumber.open(source.path) as pdf:
            return extract_outline(pdf, source, profile.data)
    except SourceError:
        raise
    except Exception as exc:  # pdfminer's own exceptions never leave the extract stage
        raise PdfError(source.path, f"the PDF cannot be read: {type(exc).__name__}: {exc}") from None
