"""Shared geometry helpers: pdfplumber words -> `Word`s -> printed lines -> text blocks.

Everything here works on positions only (pdfplumber's top-left origin, PDF points), never on
text order, so that columns printed side by side are read apart. The table extractor and the
slides extractor both build on these functions; keep them layout-neutral.
"""

from __future__ import annotations

from bisect import bisect_right
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
                # Is there a cut strictly between the two lines' centres? (bisect: ruled pages
                # of a browser carry thousands of cell borders)
                upper, lower = prev.yc, line.yc
                i = bisect_right(cut_list, upper)
                separated = i < len(cut_list) and cut_list[i] < lower
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


# --------------------------------------------------------------------------- vector marks

# A list marker a browser or reporting tool draws is a small path, not a glyph: a filled disc
# or square at level 1, a stroked circle at level 2. Only shapes this small (points, in both
# directions) are kept as candidates; whether one is a bullet depends on the text beside it.
MAX_MARK_PT = 24.0
# Relative to the font size of the line it would introduce: a bullet is about the x-height
# (Chromium's disc is 0.35 em, a Wingdings square ~0.5 em), never smaller than a full stop's
# dot nor larger than a capital letter.
MARK_MIN_EM = 0.15
MARK_MAX_EM = 0.8
# How far left of the text a marker may stand (x font size): the hanging indent.
MARK_GAP_EM = 4.0


@dataclass(frozen=True)
class Mark:
    """A small vector shape on a page: a candidate list marker. `filled` False = outline only."""

    x0: float
    top: float
    x1: float
    bottom: float
    filled: bool


def page_marks(page) -> tuple[Mark, ...]:
    """The small filled or stroked rectangles and paths of one pdfplumber page."""
    marks = []
    for o in list(page.rects) + list(page.curves):
        x0, top, x1, bottom = float(o["x0"]), float(o["top"]), float(o["x1"]), float(o["bottom"])
        if x1 - x0 > MAX_MARK_PT or bottom - top > MAX_MARK_PT:
            continue
        if not (o.get("fill") or o.get("stroke")):
            continue
        marks.append(Mark(x0, top, x1, bottom, bool(o.get("fill"))))
    return tuple(sorted(marks, key=lambda m: (m.top, m.x0)))


def leading_mark(marks: Sequence[Mark], x0: float, top: float, bottom: float, size: float,
                 min_em: float = MARK_MIN_EM, max_em: float = MARK_MAX_EM,
                 gap_em: float = MARK_GAP_EM) -> Mark | None:
    """The marker that introduces text starting at `x0` on the line `top`..`bottom`, if any.

    Sized like a bullet (both sides between min_em and max_em of the font size, roughly
    square), its centre within the line's height, ending left of the text within the hanging
    indent; the nearest one wins.
    """
    best: Mark | None = None
    for mark in marks:
        w, h = mark.x1 - mark.x0, mark.bottom - mark.top
        if not (min_em * size <= w <= max_em * size and min_em * size <= h <= max_em * size):
            continue
        if not 0.5 <= w / h <= 2.0:
            continue
        if not top <= (mark.top + mark.bottom) / 2 <= bottom:
            continue
        if not 0 <= x0 - mark.x1 <= gap_em * size:
            continue
        if best is None or mark.x1 > best.x1:
            best = mark
    return best
