"""Shared geometry helpers: pdfplumber words -> `Word`s -> printed lines -> text blocks.

Everything here works on positions only (pdfplumber's top-left origin, PDF points), never on
text order, so that columns printed side by side are read apart. The table extractor and the
slides extractor both build on these functions; keep them layout-neutral.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from pipeline.model import BBox, Location

# Font-name fragments that mark a bold face ("BAAAAA+DejaVuSans-Bold", "Arial,Bold", ...).
DEFAULT_BOLD_MARKERS: tuple[str, ...] = ("Bold", "Black", "Heavy", "Semibold", "Demi")


@dataclass(frozen=True)
class Word:
    """One printed word with its box, font and the 1-based page it is on."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    fontname: str
    size: float
    page: int
    bold: bool = False

    @property
    def bbox(self) -> BBox:
        return BBox(self.x0, self.top, self.x1, self.bottom)

    @property
    def xc(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def yc(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(frozen=True)
class Line:
    """Words printed on one baseline, left to right (one column's part of it, or all)."""

    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def x0(self) -> float:
        return min(w.x0 for w in self.words)

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def size(self) -> float:
        return max(w.size for w in self.words)

    @property
    def bold(self) -> bool:
        return all(w.bold for w in self.words)

    @property
    def yc(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def page(self) -> int:
        return self.words[0].page

    @property
    def bbox(self) -> BBox:
        return bbox_of(self.words)


@dataclass(frozen=True)
class Block:
    """Consecutive lines of one column that belong together (one cell, one list item)."""

    lines: tuple[Line, ...]

    @property
    def text(self) -> str:
        return lines_to_text(self.lines)

    @property
    def top(self) -> float:
        return self.lines[0].top

    @property
    def bottom(self) -> float:
        return max(line.bottom for line in self.lines)

    @property
    def x0(self) -> float:
        return min(line.x0 for line in self.lines)

    @property
    def bold(self) -> bool:
        return all(line.bold for line in self.lines)

    @property
    def page(self) -> int:
        return self.lines[0].page

    @property
    def words(self) -> tuple[Word, ...]:
        return tuple(w for line in self.lines for w in line.words)

    @property
    def location(self) -> Location:
        return Location(self.page, bbox_of(self.words).rounded(1))


def is_bold_font(fontname: str, markers: Sequence[str] = DEFAULT_BOLD_MARKERS) -> bool:
    return any(m.lower() in fontname.lower() for m in markers)


def page_words(page, page_number: int, bold_markers: Sequence[str] = DEFAULT_BOLD_MARKERS,
               x_tolerance: float = 1.5, y_tolerance: float = 1.5) -> list[Word]:
    """The words of a pdfplumber page, read once, with font and bold flag.

    Words whose centre lies outside the page are dropped: a spreadsheet cell that spans a
    page break prints its overflow at negative x on the next page.
    """
    raw = page.extract_words(x_tolerance=x_tolerance, y_tolerance=y_tolerance,
                             keep_blank_chars=False, use_text_flow=False,
                             extra_attrs=["fontname", "size"])
    width, height = float(page.width), float(page.height)
    words: list[Word] = []
    for w in raw:
        xc, yc = (w["x0"] + w["x1"]) / 2, (w["top"] + w["bottom"]) / 2
        if not (0 <= xc <= width and 0 <= yc <= height):
            continue
        words.append(Word(w["text"], float(w["x0"]), float(w["top"]), float(w["x1"]),
                          float(w["bottom"]), w["fontname"], round(float(w["size"]), 2),
                          page_number, is_bold_font(w["fontname"], bold_markers)))
    return words


def bbox_of(words: Iterable[Word]) -> BBox:
    items = list(words)
    return BBox(min(w.x0 for w in items), min(w.top for w in items),
                max(w.x1 for w in items), max(w.bottom for w in items))


def words_to_lines(words: Iterable[Word], tolerance: float = 0.35) -> list[Line]:
    """Group words into printed lines by vertical centre, top to bottom.

    Two words are on one line when their centres differ by less than `tolerance` x the font
    size; superscripts and bullet glyphs sit a little off the baseline, so this is not 0.
    """
    ordered = sorted(words, key=lambda w: (w.yc, w.x0))
    groups: list[list[Word]] = []
    for w in ordered:
        if groups:
            current = groups[-1]
            ref = sum(v.yc for v in current) / len(current)
            if abs(w.yc - ref) <= tolerance * max(w.size, current[0].size):
                current.append(w)
                continue
        groups.append([w])
    lines = [Line(tuple(sorted(g, key=lambda w: w.x0))) for g in groups]
    return sorted(lines, key=lambda line: (line.top, line.x0))


def split_line_at(line: Line, boundaries: Sequence[float]) -> list[Line]:
    """Cut a line into pieces at the given x positions (a word goes where its x0 falls)."""
    pieces: dict[int, list[Word]] = {}
    for w in line.words:
        pieces.setdefault(column_of(w.x0, boundaries), []).append(w)
    return [Line(tuple(ws)) for _, ws in sorted(pieces.items())]


def column_of(x: float, boundaries: Sequence[float]) -> int:
    """Index of the interval of `x` among sorted column start positions (-1 left of all)."""
    index = -1
    for i, start in enumerate(boundaries):
        if x >= start:
            index = i
        else:
            break
    return index


def lines_to_blocks(lines: Sequence[Line], max_gap: float, cuts: Sequence[float] = ()) -> list[Block]:
    """Join consecutive lines (top to bottom) whose vertical gap is at most `max_gap` x size.

    `cuts` are y positions (ruling lines) that always separate two blocks, whatever the gap;
    when cuts are given, the gap rule is not applied: ruled cells may hold blank lines.
    """
    ordered = sorted(lines, key=lambda line: line.top)
    blocks: list[list[Line]] = []
    cut_list = sorted(cuts)
    for line in ordered:
        if blocks:
            prev = blocks[-1][-1]
            if cut_list:
                separated = any(prev.yc < c < line.yc for c in cut_list)
            else:
                separated = line.top - prev.bottom > max_gap * max(line.size, prev.size)
            if not separated:
                blocks[-1].append(line)
                continue
        blocks.append([line])
    return [Block(tuple(b)) for b in blocks]


def lines_to_text(lines: Iterable[Line]) -> str:
    return "\n".join(line.text for line in lines)


def overlap(a_top: float, a_bottom: float, b_top: float, b_bottom: float) -> float:
    """Length of the vertical overlap of two intervals (0 when apart)."""
    return max(0.0, min(a_bottom, b_bottom) - max(a_top, b_top))


def normalise_token(text: str) -> str:
    """A word as compared with profile words: case-folded, outer punctuation stripped."""
    return text.strip(".,:;!?()[]\"'«»”“").casefold()
