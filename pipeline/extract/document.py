"""One source PDF -> `ExtractedDocument`: open it safely, recognise its layout, read it."""

from __future__ import annotations

from dataclasses import replace

from pipeline.config import Settings
from pipeline.errors import ExtractionError
from pipeline.extract.layout import Profile, ProfileError, detect_layout, load_profiles
from pipeline.extract.pdf import PdfContent, read_pdf
from pipeline.extract.table import (ColumnOrderError, HeaderError, TableProfileError, TableSettings,
                                   extract_tables)
from pipeline.extract.words import is_bold_font
from pipeline.model import ExtractedDocument, Source


def extract_document(source: Source, settings: Settings | None = None) -> ExtractedDocument:
    settings = settings or Settings()
    content = read_pdf(source.path, settings)
    profile = detect_layout(content.words, load_profiles(), source.path, source.layout,
                            marks=content.marks)
    if profile.extractor == "table":
        return extract_table_document(content, source, profile)
    return extract_outline_document(content, source, profile)


def extract_table_document(content: PdfContent, source: Source, profile: Profile) -> ExtractedDocument:
    try:
        settings = TableSettings.from_profile(profile.data)
    except TableProfileError as exc:
        raise ProfileError(profile.path or profile.id, str(exc)) from None
    try:
        result = extract_tables(content, settings)
    except (HeaderError, ColumnOrderError) as exc:
        raise ExtractionError(source.path, f"layout {profile.id!r}: {exc.reason}", exc.page) from None
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


def extract_outline_document(content: PdfContent, source: Source, profile: Profile) -> ExtractedDocument:
    """Slides from the pages read_pdf already read: each PDF is parsed once."""
    from pipeline.extract.outline import OutlineSettings, SlidePage, outline_document

    settings = OutlineSettings.from_profile(profile.data)

    def weighed(words):  # boldness by the profile's own font-name markers
        return tuple(replace(w, bold=is_bold_font(w.fontname, settings.bold_markers)) for w in words if w.text.strip())

    pages = [SlidePage(p.number, p.width, p.height, weighed(p.words), p.fills, p.marks, p.frames) for p in content.pages]
    return outline_document(pages, source, settings)
