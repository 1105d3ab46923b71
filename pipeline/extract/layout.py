"""Layout profiles (YAML, in profiles/) and recognising a document's layout from its words.

A profile is configuration: the words that identify the layout, header words per column
role, bullet glyphs, tolerances. Every profile has at least

    id: appendix-table          # the layout id stored in ExtractedDocument.layout
    extractor: table            # which extractor reads it ("table" or "outline")
    detect: {words: [...], min_hits: N, min_bullets: N}

and the rest is read by its extractor. A document is recognised by its content, never by
its file name; the manifest may override the choice (Source.layout).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Sequence

import yaml

from pipeline.errors import ExtractionError, SourceError
from pipeline.extract.words import Mark, Word, leading_mark, normalise_token, words_to_lines

PROFILES_DIR = Path(__file__).resolve().parent / "profiles"
# Extractors by profile id, for profiles written before the `extractor` key existed.
DEFAULT_EXTRACTORS = {"service-slides": "outline", "appendix-table": "table"}
# How many words an unknown-layout error quotes.
QUOTED_WORDS = 25
# The line start recorded for a line that a vector list marker (a small shape) introduces:
# it counts as a bullet for every profile that counts bullets.
VECTOR_MARK = "\x00vector-mark"


class ProfileError(SourceError):
    """A layout profile file is malformed."""


@dataclass(frozen=True)
class Profile:
    id: str
    extractor: str
    detect_words: tuple[str, ...]
    min_hits: int
    min_bullets: int
    bullets: tuple[str, ...]
    data: dict[str, Any] = field(compare=False, hash=False, repr=False)
    path: Path | None = None


def parse_profile(data: Any, path: Path) -> Profile:
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        raise ProfileError(path, "a layout profile must be a mapping with a string 'id'")
    detect = data.get("detect") or {}
    if not isinstance(detect, dict) or not isinstance(detect.get("words", []), list):
        raise ProfileError(path, "'detect' must be a mapping with a list 'words'")
    extractor = data.get("extractor") or DEFAULT_EXTRACTORS.get(data["id"])
    if extractor not in ("table", "outline"):
        raise ProfileError(path, f"'extractor' must be 'table' or 'outline', not {extractor!r}")
    words = tuple(normalise_token(str(w)) for w in detect.get("words", []))
    try:
        min_hits = int(detect.get("min_hits", len(words)))
        min_bullets = int(detect.get("min_bullets", 0))
    except (TypeError, ValueError):
        raise ProfileError(path, "'detect.min_hits' and 'detect.min_bullets' must be integers") from None
    return Profile(id=data["id"], extractor=extractor, detect_words=words, min_hits=min_hits,
                   min_bullets=min_bullets, bullets=tuple(str(b) for b in data.get("bullets", ())),
                   data=data, path=path)


def load_profile_file(path: Path) -> Profile:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ProfileError(path, f"cannot read the layout profile: {exc}") from None
    return parse_profile(data, path)


@lru_cache(maxsize=4)
def load_profiles(directory: Path = PROFILES_DIR) -> tuple[Profile, ...]:
    """Every profile in `directory`, ordered by id (deterministic detection ties)."""
    profiles = [load_profile_file(p) for p in sorted(directory.glob("*.yaml"))]
    seen = Counter(p.id for p in profiles)
    twice = [pid for pid, n in seen.items() if n > 1]
    if twice:
        raise ProfileError(directory, f"layout ids defined twice: {', '.join(sorted(twice))}")
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
    hits: int
    bullets: int

    @property
    def score(self) -> float:
        return self.hits / max(1, len(self.profile.detect_words))


def match_profile(profile: Profile, tokens: set[str], line_starts: Sequence[str]) -> Match:
    hits = sum(1 for w in profile.detect_words if w in tokens)
    bullets = (sum(1 for start in line_starts if start in profile.bullets or start == VECTOR_MARK)
               if profile.bullets else 0)
    return Match(profile, hits, bullets)


def detect_layout(words: Sequence[Word], profiles: Sequence[Profile], path: Path | str,
                  override: str | None = None,
                  marks: Mapping[int, Sequence[Mark]] | None = None) -> Profile:
    """The profile whose signature the document's words carry best (or the override).

    `marks` (small shapes by page number) lets lines led by a drawn list marker count as
    bulleted. Raises ExtractionError listing the header words found when no profile fits.
    """
    if override:
        return profile_by_id(override, profiles, path)
    tokens = {normalise_token(w.text) for w in words}
    line_starts = [_line_start(line, marks or {}) for line in words_to_lines(words)]
    matches = [match_profile(p, tokens, line_starts) for p in profiles]
    fitting = [m for m in matches if m.hits >= m.profile.min_hits and m.bullets >= m.profile.min_bullets]
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
