"""Shared geometry helpers: pdfplumber words -> `Word`s -> printed lines -> text blocks.

Everything here works on positions only (pdfplumber's top-left origin, PDF points), never on
text order, so that columns printed side by side are read apart. The table extractor and the
slides extractor both build on these functions; keep them layout-neutral.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
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
    """Words printed on one baseline, left to right (one column's part of it, or all).

    A list line also has the bullet that introduces it: `bullet` is its glyph (or the glyph
    recorded for a drawn marker) and `marker` the glyph's or marker's box. The bullet is not one
    of the words, but it is part of the printed line: x0, top, bottom and bbox include it, and
    `text_x0` is where the text after it starts.
    """

    words: tuple[Word, ...]
    bullet: str | None = None
    marker: BBox | None = None
    # Extents, computed once (lines are read many times over): not part of the line's identity.
    x0: float = field(init=False, compare=False, repr=False)
    x1: float = field(init=False, compare=False, repr=False)
    top: float = field(init=False, compare=False, repr=False)
    bottom: float = field(init=False, compare=False, repr=False)
    text_x0: float = field(init=False, compare=False, repr=False)  # where the text after the bullet starts
    size: float = field(init=False, compare=False, repr=False)
    bold: bool = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        words, marker = self.words, self.marker
        if not words:
            return  # an empty piece has no extents (reading one raises, as min() of nothing would)
        extents = {
            "x0": min(w.x0 for w in words), "x1": max(w.x1 for w in words),
            "top": min(w.top for w in words), "bottom": max(w.bottom for w in words),
            "text_x0": words[0].x0, "size": max(w.size for w in words), "bold": all(w.bold for w in words),
        }
        if marker is not None:
            extents["x0"], extents["x1"] = min(extents["x0"], marker.x0), max(extents["x1"], marker.x1)
            extents["top"], extents["bottom"] = min(extents["top"], marker.top), max(extents["bottom"], marker.bottom)
        for name, value in extents.items():
            object.__setattr__(self, name, value)  # frozen: set once, here

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def yc(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def page(self) -> int:
        return self.words[0].page

    @property
    def bbox(self) -> BBox:
        return BBox(self.x0, self.top, self.x1, self.bottom)


@dataclass(frozen=True)
class Block:
    """Consecutive lines of one column that belong together (one cell, one list item, one
    heading broken over lines). `level`: a heading's level (1 = outermost) or a list item's
    indentation level, where the reader sets one."""

    lines: tuple[Line, ...]
    level: int = 0

    @property
    def first(self) -> Line:
        return self.lines[0]

    @property
    def last(self) -> Line:
        return self.lines[-1]

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
    def x1(self) -> float:
        return max(line.x1 for line in self.lines)

    @property
    def size(self) -> float:
        return self.lines[0].size

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
    page break prints its overflow at negative x on the next page. Words that character
    spacing split apart are joined again (join_letter_spaced).
    """
    raw = page.extract_words(x_tolerance=x_tolerance, y_tolerance=y_tolerance,
                             keep_blank_chars=False, use_text_flow=False,
                             extra_attrs=["fontname", "size"], return_chars=True)
    raw = join_letter_spaced(raw)
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


# --------------------------------------------------------------------------- letter spacing

# Character spacing ("expanded" text in an office program, CSS letter-spacing, reportlab's
# charSpace) adds the same gap after every glyph; once it passes the extractor's x tolerance a
# word falls apart ("a siakasta", "P ä ä t ö s"). A word space is still wider than the letter
# gaps around it by at least this much (x font size): spaces are 0.22-0.32 em in text fonts.
WORD_SPACE_EM = 0.15
# Below this letter spacing (x font size) a line is set normally and nothing is joined.
MIN_TRACKING_EM = 0.04
# How many glyph gaps on each side of a word break measure the letter spacing there.
TRACKING_WINDOW = 5


def _baseline_rows(raw: Sequence[dict]) -> list[list[dict]]:
    """Raw pdfplumber words in rows of one font size and baseline, each row left to right."""
    rows: list[list[dict]] = []
    for w in sorted(raw, key=lambda w: (round(float(w["size"]), 1), float(w["bottom"]), float(w["x0"]))):
        size = float(w["size"])
        if rows:
            last = rows[-1][-1]
            if (abs(float(last["size"]) - size) < 0.05
                    and abs(float(last["bottom"]) - float(w["bottom"])) <= 0.2 * size):
                rows[-1].append(w)
                continue
        rows.append([w])
    return [sorted(row, key=lambda w: float(w["x0"])) for row in rows]


def _glyph_gaps(row: Sequence[dict]) -> tuple[list[float], list[int]]:
    """Every gap between neighbouring glyphs of a row, and the positions of the word breaks."""
    gaps: list[float] = []
    breaks: list[int] = []
    previous = None
    for word in row:
        for i, char in enumerate(word["chars"]):
            if previous is not None:
                if i == 0:
                    breaks.append(len(gaps))
                gaps.append(float(char["x0"]) - float(previous["x1"]))
            previous = char
    return gaps, breaks


def join_letter_spaced(raw: list[dict], word_space_em: float = WORD_SPACE_EM,
                       min_tracking_em: float = MIN_TRACKING_EM, window: int = TRACKING_WINDOW) -> list[dict]:
    """Join raw pdfplumber words (extracted with return_chars) that letter spacing split.

    Decided by glyph gaps, not by a dictionary: the letter spacing at a word break is the
    median gap of the glyphs around it; the break is a real word space only when it is wider
    than that by `word_space_em` x the font size. Normally set text (letter spacing under
    `min_tracking_em`) is returned as it is.
    """
    if not raw or "chars" not in raw[0]:
        return list(raw)
    joined: dict[int, dict] = {}  # id of a word's first piece -> the whole word
    absorbed: set[int] = set()
    for row in _baseline_rows(raw):
        gaps, breaks = _glyph_gaps(row)
        size = float(row[0]["size"])
        head = row[0]
        for word, at in zip(row[1:], breaks):
            near = gaps[max(0, at - window):at] + gaps[at + 1:at + 1 + window]
            tracking = sorted(near)[len(near) // 2] if near else 0.0
            whole = joined.get(id(head), head)
            if (tracking >= min_tracking_em * size
                    and -0.1 * size <= gaps[at] <= tracking + word_space_em * size
                    and whole["fontname"] == word["fontname"]):
                joined[id(head)] = {**whole, "text": whole["text"] + word["text"], "x1": word["x1"],
                                    "top": min(whole["top"], word["top"]),
                                    "bottom": max(whole["bottom"], word["bottom"]),
                                    "chars": [*whole["chars"], *word["chars"]]}
                absorbed.add(id(word))
            else:
                head = word
    # The extractor's own order, with each split word in the place of its first piece.
    return [joined.get(id(w), w) for w in raw if id(w) not in absorbed]


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
