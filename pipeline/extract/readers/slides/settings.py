"""The slides part of a layout profile as one frozen value, with its defaults written once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from pipeline.extract.readers.base import flatten, settings_from

@dataclass(frozen=True)
class OutlineSettings:
    """The outline part of a layout profile, with the defaults the profile may leave out."""

    layout: str = "service-slides"
    bullets: tuple[str, ...] = ("\uf076", "\uf0a7", "•", "▪", "–")
    bullet_ranges: tuple[tuple[int, int], ...] = ((0xF000, 0xF0FF),)
    prose_glyphs: tuple[str, ...] = ("–", "-")
    hanging_gap: float = 0.4
    bold_markers: tuple[str, ...] = ("Bold",)
    line_centre_tolerance: float = 0.4
    word_gap: float = 1.0
    bullet_gap: float = 4.0
    size_tolerance: float = 0.6
    line_gap: float = 0.8
    align_tolerance: float = 0.6
    indent_tolerance: float = 0.6
    min_box: float = 2.0
    max_box_share: float = 0.5
    subtitle_gap: float = 1.6
    continuation_starts: str = "lower"
    # Vector list markers (small shapes at a line start, words.leading_mark), recorded as
    # these glyphs: filled (disc, square) and hollow (circle).
    vector_bullets: tuple[str, str] = ("●", "○")
    mark_min: float = 0.15
    mark_max: float = 0.8


# The profile's sections and the settings fields their keys fill ({} = the keys are the fields).
SECTIONS = {"geometry": {}}


def settings_from_profile(data: Mapping[str, Any], layout: str) -> OutlineSettings:
    """The slides part of a profile -> OutlineSettings (validated; defaults are the dataclass's)."""
    return settings_from(OutlineSettings, {**flatten(data, SECTIONS), "layout": layout})
