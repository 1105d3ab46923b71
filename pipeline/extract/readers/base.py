"""What a reader is, and the one way every reader's settings are read from its profile.

A reader (registered in pipeline/extract/readers/__init__.py) is a class with:

    name                              the registry name a profile's `reader:` uses
    settings(profile_data, layout)    its settings dataclass from the profile's reader keys
    detect(signals, profile)          how well a document fits the profile (0 = not at all)
    read(content, settings)           PdfContent -> Reading (records, title, warnings), pure
    printed_entries(records)          its records -> PrintedEntry, for normalisation
    describe(record)                  one line per record for `servicegraph extract`

Settings are a frozen dataclass whose field defaults are the only defaults there are;
`settings_from` validates the profile against it with pydantic (an unknown key, a wrong type or
a missing required value is refused with the key's name).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, replace
from typing import Any, Mapping, Protocol, Sequence, TypeVar

from pydantic import TypeAdapter, ValidationError

from pipeline.extract.pdf import PdfContent
from pipeline.extract.words import is_bold_font
from pipeline.model import PrintedEntry, Record

T = TypeVar("T")
# The line start recorded for a line that a vector list marker (a small shape) introduces:
# it counts as a bullet for every profile that counts bullets.
VECTOR_MARK = "\x00vector-mark"


class SettingsError(ValueError):
    """A profile's reader keys do not fit the reader's settings (the loader names the file)."""


@dataclass(frozen=True)
class Reading:
    """What a reader read from one document: values only, warnings included."""

    title: str
    area_name: str | None
    records: tuple[Record, ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Signals:
    """What layout detection looks at, read once per document: its words and line starts."""

    tokens: frozenset[str]  # every word, normalised (words.normalise_token)
    line_starts: tuple[str, ...]  # the first glyph of every line (VECTOR_MARK for a drawn marker)


class Reader(Protocol):
    name: str

    def settings(self, data: Mapping[str, Any], layout: str) -> Any: ...

    def detect(self, signals: Signals, profile: Any) -> float: ...

    def read(self, content: PdfContent, settings: Any) -> Reading: ...

    def printed_entries(self, records: Sequence[Record]) -> tuple[PrintedEntry, ...]: ...

    def describe(self, record: Record) -> str: ...


def flatten(data: Mapping[str, Any], sections: Mapping[str, Mapping[str, str]]) -> dict[str, Any]:
    """Profile keys -> settings field names: a key inside a section (`geometry: {line_gap: ..}`)
    becomes the field the section's map names; a section with the map `{}` passes its keys as they
    are. An unknown section key is refused."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if key not in sections:
            flat[key] = value
            continue
        names = sections[key]
        if not isinstance(value, Mapping):
            raise SettingsError(f"{key!r} must be a mapping")
        for inner, inner_value in value.items():
            if names and inner not in names:
                raise SettingsError(f"unknown key {key}.{inner} (known: {', '.join(sorted(names))})")
            flat[names.get(inner, inner) if names else inner] = inner_value
    return flat


def settings_from(cls: type[T], values: Mapping[str, Any]) -> T:
    """The settings dataclass `cls` from `values`, validated and coerced by pydantic; every
    default is the dataclass's own."""
    known = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(values) - known)
    if unknown:
        raise SettingsError(f"unknown keys: {', '.join(unknown)}")
    try:
        return TypeAdapter(cls).validate_python(dict(values))
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise SettingsError(problems) from None


def signature_score(signals: Signals, words: Sequence[str], min_hits: int, bullets: Sequence[str] = (),
                    min_bullets: int = 0, vector_mark: str | None = None) -> tuple[float, int, int]:
    """(share of signature words found, words found, bulleted lines): 0 share when short of a minimum."""
    hits = sum(1 for w in words if w in signals.tokens)
    counted = sum(1 for s in signals.line_starts if s in bullets or (vector_mark and s == vector_mark)) \
        if bullets else 0
    share = hits / max(1, len(words))
    fits = hits >= min_hits and counted >= min_bullets
    return (share if fits else 0.0), hits, counted


class ReadError(Exception):
    """The document does not read as its layout; `reason` says why (the caller names the file)."""

    def __init__(self, reason: str, page: int | None = None) -> None:
        self.reason = reason
        self.page = page
        super().__init__(reason)


def weigh(content: PdfContent, bold_markers: Sequence[str]) -> PdfContent:
    """The same pages with every word's boldness decided by the profile's font-name markers."""
    return replace(content, pages=tuple(
        replace(page, words=tuple(replace(w, bold=is_bold_font(w.fontname, bold_markers)) for w in page.words))
        for page in content.pages))
