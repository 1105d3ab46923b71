"""Measure and wrap text with the real font metrics, to size rows and boxes before rendering.

LibreOffice does not grow a spreadsheet row that has an explicit height, and it clips what
does not fit; so the builders compute each height from the wrapped line count themselves.
matplotlib (a project dependency) ships FreeType bindings and the DejaVu fonts.
"""

from __future__ import annotations

from functools import lru_cache

from matplotlib import font_manager
from matplotlib.ft2font import FT2Font


@lru_cache(maxsize=16)
def _font(name: str, bold: bool) -> FT2Font:
    props = font_manager.FontProperties(family=name, weight="bold" if bold else "normal")
    return FT2Font(font_manager.findfont(props, fallback_to_default=True))


def text_width_pt(text: str, font_name: str, size_pt: float, bold: bool = False,
                  tracking_pt: float = 0.0) -> float:
    """Advance width of `text` in points (`tracking_pt`: extra space after every character)."""
    font = _font(font_name, bold)
    font.set_size(size_pt, 72)
    font.set_text(text)
    return font.get_width_height()[0] / 64.0 + tracking_pt * len(text)


def wrap(text: str, width_pt: float, font_name: str, size_pt: float, bold: bool = False,
         tracking_pt: float = 0.0) -> list[str]:
    """Greedy word wrap at spaces (explicit newlines kept), like an office program does."""
    lines: list[str] = []
    for hard_line in text.split("\n"):
        current = ""
        for word in hard_line.split(" "):
            candidate = f"{current} {word}" if current else word
            if current and text_width_pt(candidate, font_name, size_pt, bold, tracking_pt) > width_pt:
                lines.append(current)
                current = word
            else:
                current = candidate
        lines.append(current)
    return lines
