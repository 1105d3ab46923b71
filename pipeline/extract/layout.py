"""Layout profiles (YAML, in profiles/) and recognising a document's layout from its words.

A profile is configuration, validated by one typed schema (`ProfileSpec`, pydantic, unknown
keys refused): what every profile has

    id: appendix-table          # the layout id stored in ExtractedDocument.layout
    reader: table               # the registered reader that reads it (pipeline/extract/readers)
    detect: {words: [...], min_hits: N, min_bullets: N}
    entries: {fields: {...}, labels: {...}}   # the role table: record field -> entry field

and the reader's own keys (columns, geometry, bullets, ...), validated against the reader's
settings dataclass, whose defaults are the only defaults. A document is recognised by its
content, never by its file name; the manifest may override the choice (Source.layout).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Sequence

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from pipeline.errors import ExtractionError, SourceError
from pipeline.extract.readers import UnknownReader, get as get_reader, profile_folders
from pipeline.extract.readers.base import VECTOR_MARK, SettingsError, Signals
from pipeline.extract.words import Mark, Word, leading_mark, normalise_token, words_to_lines
from pipeline.model import ENTRY_CELL_FIELDS, ENTRY_LABEL_FIELDS

PROFILES_DIR = Path(__file__).resolve().parent / "profiles"
# How many words an unknown-layout error quotes.
QUOTED_WORDS = 25


class ProfileError(SourceError):
    """A layout profile file is malformed."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DetectSpec(_Strict):
    """The words (and bulleted lines) that identify the layout."""

    words: tuple[str, ...]
    min_hits: int | None = None  # None: every word
    min_bullets: int = 0

    @field_validator("words")
    @classmethod
    def _normalised(cls, words: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(normalise_token(str(w)) for w in words)


class RoleTable(_Strict):
    """Which record field fills which entry field; which labels (by kind) say which entry field.

    `fields`: entry field -> record field ("service_type: type"); "name" is required.
    `labels`: entry field -> label kinds, outermost first ("audience: [title, group]").
    `warn_unnamed`: entry field -> label kind that should name it; warned per container when not.
    """

    fields: dict[str, str]
    labels: dict[str, tuple[str, ...]] = {}
    warn_unnamed: dict[str, str] = {}

    @model_validator(mode="after")
    def _known_fields(self) -> "RoleTable":
        if "name" not in self.fields:
            raise ValueError("entries.fields must say which record field is the service 'name'")
        unknown = sorted(set(self.fields) - {"name", *ENTRY_CELL_FIELDS})
        if unknown:
            raise ValueError(f"no such entry field: {', '.join(unknown)} (fields: name, "
                             f"{', '.join(ENTRY_CELL_FIELDS)})")
        unknown = sorted((set(self.labels) | set(self.warn_unnamed)) - set(ENTRY_LABEL_FIELDS))
        if unknown:
            raise ValueError(f"no such entry field: {', '.join(unknown)} (labels: {', '.join(ENTRY_LABEL_FIELDS)})")
        return self


class ProfileSpec(_Strict):
    """Every profile's common part; the remaining keys belong to its reader."""

    id: str
    reader: str
    description: str = ""
    detect: DetectSpec
    entries: RoleTable


COMMON_KEYS = frozenset(ProfileSpec.model_fields)


@dataclass(frozen=True)
class Profile:
    id: str
    reader: str
    detect: DetectSpec
    entries: RoleTable
    settings: Any = field(compare=False, hash=False, repr=False)  # the reader's settings dataclass
    path: Path | None = None

    @property
    def detect_words(self) -> tuple[str, ...]:
        return self.detect.words

    @property
    def min_hits(self) -> int:
        return len(self.detect.words) if self.detect.min_hits is None else self.detect.min_hits

    @property
    def min_bullets(self) -> int:
        return self.detect.min_bullets


def _reason(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'profile'}: "
        + ("unknown key" if e["type"] == "extra_forbidden" else e["msg"])
        for e in exc.errors())


def parse_profile(data: Any, path: Path) -> Profile:
    """A profile from its YAML data: the common part by ProfileSpec, the rest by its reader."""
    if not isinstance(data, Mapping):
        raise ProfileError(path, "a layout profile must be a mapping")
    common = {k: v for k, v in data.items() if k in COMMON_KEYS}
    try:
        spec = ProfileSpec.model_validate(common)
    except ValidationError as exc:
        reason = _reason(exc)
        if "reader" not in data:  # no reader: nobody can claim the other keys
            strays = sorted(str(k) for k in data if k not in COMMON_KEYS)
            reason += "".join(f"; {k}: unknown key" for k in strays)
        raise ProfileError(path, reason) from None
    try:
        reader = get_reader(spec.reader)
    except UnknownReader as exc:
        raise ProfileError(path, exc.reason) from None
    try:
        settings = reader.settings({k: v for k, v in data.items() if k not in COMMON_KEYS}, spec.id)
    except SettingsError as exc:
        raise ProfileError(path, f"reader {spec.reader!r}: {exc}") from None
    return Profile(id=spec.id, reader=spec.reader, detect=spec.detect, entries=spec.entries,
                   settings=settings, path=path)


def load_profile_file(path: Path) -> Profile:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ProfileError(path, f"cannot read the layout profile: {exc}") from None
    return parse_profile(data, path)


def load_profiles(directory: Path | None = None) -> tuple[Profile, ...]:
    """Every profile in `directory`, else in profiles/ and in the `profiles/` folder of every
    registered reader that ships one; ordered by id (deterministic detection ties)."""
    return _load_profiles((directory,) if directory else (PROFILES_DIR, *profile_folders()))


@lru_cache(maxsize=8)
def _load_profiles(directories: tuple[Path, ...]) -> tuple[Profile, ...]:
    profiles = [load_profile_file(p) for d in directories for p in sorted(d.glob("*.yaml"))]
    seen = Counter(p.id for p in profiles)
    twice = [pid for pid, n in seen.items() if n > 1]
    if twice:
        raise ProfileError(directories[0], f"layout ids defined twice: {', '.join(sorted(twice))}")
    return tuple(sorted(profiles, key=lambda p: p.id))


def profile_by_id(layout: str, profiles: Sequence[Profile], path: Path | str) -> Profile:
    for profile in profiles:
        if profile.id == layout:
            return profile
    known = ", ".join(p.id for p in profiles)
    raise ExtractionError(path, f"unknown layout {layout!r} requested (known layouts: {known})")


@dataclass(frozen=True)
class Match:
    profile: Profile
    score: float  # share of signature words found; 0 when the profile does not fit
    hits: int
    bullets: int


def match_profile(profile: Profile, signals: Signals) -> Match:
    score, hits, bullets = get_reader(profile.reader).detect(signals, profile)
    return Match(profile, score, hits, bullets)


def document_signals(words: Sequence[Word], marks: Mapping[int, Sequence[Mark]] | None = None) -> Signals:
    return Signals(frozenset(normalise_token(w.text) for w in words),
                   tuple(_line_start(line, marks or {}) for line in words_to_lines(words)))


def detect_layout(words: Sequence[Word], profiles: Sequence[Profile], path: Path | str,
                  override: str | None = None,
                  marks: Mapping[int, Sequence[Mark]] | None = None) -> Profile:
    """The profile whose signature the document's words carry best (or the override).

    `marks` (small shapes by page number) lets lines led by a drawn list marker count as
    bulleted. Raises ExtractionError listing the header words found when no profile fits.
    """
    if override:
        return profile_by_id(override, profiles, path)
    signals = document_signals(words, marks)
    matches = [match_profile(p, signals) for p in profiles]
    fitting = [m for m in matches if m.score > 0]
    if fitting:
        # Highest share of signature words wins; ties go to the profile id order.
        return max(fitting, key=lambda m: (m.score, -profiles.index(m.profile))).profile
    found = ", ".join(_header_words(words)) or "no words"
    tried = "; ".join(f"{m.profile.id}: {m.hits}/{m.profile.min_hits} words"
                      + (f", {m.bullets}/{m.profile.min_bullets} bullets" if m.profile.min_bullets else "")
                      for m in matches)
    raise ExtractionError(path, f"unknown layout: no layout profile matches ({tried}); "
                                f"header words found: {found}")


def _first_glyph(text: str) -> str:
    return text[:1]


def _line_start(line, marks: Mapping[int, Sequence[Mark]]) -> str:
    first = line.words[0]
    if leading_mark(marks.get(first.page, ()), first.x0, line.top, line.bottom, first.size) is not None:
        return VECTOR_MARK
    return _first_glyph(first.text)


def _header_words(words: Sequence[Word]) -> list[str]:
    """The first page's bold words (a header's usual face), else its first words, deduplicated."""
    if not words:
        return []
    first_page = [w for w in words if w.page == words[0].page]
    chosen = [w for w in first_page if w.bold] or first_page
    seen: dict[str, None] = {}
    for w in sorted(chosen, key=lambda w: (w.top, w.x0)):
        seen.setdefault(w.text, None)
    return list(seen)[:QUOTED_WORDS]
