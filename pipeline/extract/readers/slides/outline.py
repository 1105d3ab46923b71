"""Slides -> outline items: columns, headings and bullet levels read from positions.

A presentation exported to PDF draws its text boxes in whatever order the slide stores them
(a heading may come after its list), so nothing here trusts the text order. Each page is read
once as words with font name and size; then, named for the transformation they make:

    PageContent (words, filled shapes, small marks, read once by pdf.read_pdf)
    -> chain_words_to_lines   (words.Line per text-box line, a leading bullet glyph split off)
    -> marks_to_bullets       (vector list markers become the bullets of the lines they lead)
    -> lines_to_title         (title, the label above it, the rest)
    -> box_headings           (boxes naming the column below them; their descriptions dropped)
    -> slide_subtitle         (a subtitle becomes the title)
    -> lines_to_headings + with_heading_levels, lines_to_items -> items_to_columns
    -> columns_with_headings  (heading_reach, the naming box) -> columns_to_items
    read_slide is that chain for one slide, read_slides for the deck: each returns values and
    its warnings, nothing is filled in by a later step.

Every threshold comes from the layout profile and is a multiple of the font size, so another
slide size or font scale reads the same.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable, Sequence

from pipeline.extract.pdf import PageContent
from pipeline.extract.readers.base import Reading, ReadError
from pipeline.extract.readers.slides.settings import OutlineSettings
from pipeline.extract.words import Block, Line, Mark, Word, leading_mark
from pipeline.model import BBox, Location, OutlineItem

# --------------------------------------------------------------------------- geometry records


@dataclass(frozen=True)
class Column:
    """A vertical strip of list text; the headings over it and the box naming it."""

    x0: float
    x1: float
    items: tuple[Block, ...] = ()
    headings: tuple[Block, ...] = ()
    box_heading: str | None = None


@dataclass(frozen=True)
class Slide:
    number: int
    title: str
    label: str | None  # small text above the title (the deck's name on the first slide)
    items: tuple[OutlineItem, ...]
    warnings: tuple[str, ...]


# --------------------------------------------------------------------------- words and lines


def chain_words_to_lines(words: Sequence[Word], settings: OutlineSettings) -> list[Line]:
    """Chain words left to right into the lines of each text box (words.Line, the bullet split off).

    Not words.words_to_lines, which cuts page-wide rows by vertical centre (right for a table's
    cells, whose columns the header cuts apart afterwards): slides put text boxes side by side
    with baselines that interleave, so lines are chained word by word instead.

    A word continues a line when its vertical centre is close to the line's and it starts
    just after the line's last word. Chaining by neighbours (rather than cutting page-wide
    rows) keeps apart columns whose baselines interleave, and lets a bullet glyph, which sits
    ~0.2 em higher than its text and a hanging indent away, stay with its text.
    """
    chains: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.x0, w.yc)):
        best: list[Word] | None = None
        best_distance = 0.0
        # A bullet glyph opens a line of its own: one printed right after the text of the
        # column to its left (boxes set close together) is the next column's item.
        opens_line = _is_glyph(word.text, settings) and word.text not in settings.prose_glyphs
        for chain in chains if not opens_line else ():
            last = chain[-1]
            size = max(last.size, word.size)
            gap = word.x0 - last.x1
            # A bullet reaches across its hanging indent; a dash inside running text does not.
            bullet_head = _is_glyph(last.text, settings) and (len(chain) == 1 or last.text not in settings.prose_glyphs)
            reach = (settings.bullet_gap if bullet_head else settings.word_gap) * size
            if not -0.2 * size <= gap <= reach:
                continue
            anchor = next((w for w in chain if not _is_glyph(w.text, settings)), chain[0])
            distance = abs(word.yc - anchor.yc)
            if distance > settings.line_centre_tolerance * size:
                continue
            if best is None or distance < best_distance:
                best, best_distance = chain, distance
        if best is None:
            chains.append([word])
        else:
            best.append(word)
    lines = [line for chain in chains for line in _segment_to_line(chain, settings)]
    return sorted(lines, key=lambda l: (l.top, l.x0))


def marks_to_bullets(lines: Sequence[Line], marks: Sequence[Mark], settings: OutlineSettings) -> list[Line]:
    """A line without a bullet glyph that a vector marker leads gets that marker as its bullet.

    The marker's left edge becomes the line's x0, so indentation levels are read from the
    markers as from glyphs: a browser's hollow second-level circle stands further right.
    """
    if not marks:
        return list(lines)
    filled_glyph, hollow_glyph = settings.vector_bullets
    result = []
    for line in lines:
        mark = None
        if line.bullet is None:
            mark = leading_mark(marks, line.text_x0, line.top, line.bottom, line.size,
                                settings.mark_min, settings.mark_max, settings.bullet_gap)
        if mark is None:
            result.append(line)
            continue
        result.append(replace(line, bullet=filled_glyph if mark.filled else hollow_glyph,
                              marker=BBox(mark.x0, mark.top, mark.x1, mark.bottom)))
    return result


def _is_glyph(text: str, settings: OutlineSettings) -> bool:
    if len(text) != 1:
        return False
    return text in settings.bullets or any(lo <= ord(text) <= hi for lo, hi in settings.bullet_ranges)


def _opens_item(words: list[Word], settings: OutlineSettings) -> bool:
    """A glyph that also occurs in running text (a dash) starts an item only when a hanging
    indent follows it; after an ordinary space it is the first word of a wrapped line."""
    head = words[0]
    if head.text not in settings.prose_glyphs or len(words) == 1:
        return True
    return words[1].x0 - head.x1 >= settings.hanging_gap * head.size


def _segment_to_line(segment: list[Word], settings: OutlineSettings) -> list[Line]:
    """A chain of words -> its line, a leading bullet glyph split off (kept as the line's marker)."""
    words = list(segment)
    bullet: str | None = None
    marker: BBox | None = None
    head = words[0]
    if _is_glyph(head.text, settings) and _opens_item(words, settings):
        bullet, marker = head.text, head.bbox
        words = words[1:]
    elif len(head.text) > 1 and _is_glyph(head.text[0], settings):
        # Glyph and text in one word (same font, no gap): split it by its share of the width.
        bullet = head.text[0]
        share = (head.x1 - head.x0) / len(head.text)
        marker = BBox(head.x0, head.top, head.x0 + share, head.bottom)
        words[0] = replace(head, text=head.text[1:].lstrip(), x0=head.x0 + share)
    if not words:
        return []  # a lone glyph (an empty bullet) prints nothing to read
    return [Line(words=tuple(words), bullet=bullet, marker=marker)]


# --------------------------------------------------------------------------- boxes


def filled_boxes(page: PageContent, body_size: float, settings: OutlineSettings) -> list[BBox]:
    """Filled or outlined shapes big enough to hold text but not the slide background."""
    page_area = page.width * page.height
    boxes = []
    for box in page.fills + page.frames:
        width, height = box.x1 - box.x0, box.bottom - box.top
        if min(width, height) < settings.min_box * body_size:
            continue
        if width * height > settings.max_box_share * page_area:
            continue
        boxes.append(box)
    return boxes


def _box_heading_lines(inside: Sequence[Line], settings: OutlineSettings) -> list[Line]:
    """The lines naming a box: its bold lines, else its largest lines when others are smaller."""
    bold = [l for l in inside if l.bold]
    if bold:
        return bold
    largest = max(l.size for l in inside)
    head = [l for l in inside if _same_size(l.size, largest, settings)]
    return head if len(head) < len(inside) else []


def _heads_a_list(box: BBox, lines: Sequence[Line], boxes: Sequence[BBox]) -> bool:
    """Some text outside every box stands below `box`, within its width: the column it names."""
    return any(
        line.top >= box.bottom and _overlap(line.x0, line.x1, box.x0, box.x1) > 0
        and not any(_inside(line, other) for other in boxes)
        for line in lines
    )


def slide_subtitle(title: Block | None, lines: Sequence[Line], body_size: float,
                   settings: OutlineSettings) -> Block | None:
    """The subtitle: unbulleted regular-face text right under the title, across the title's
    width, smaller than the title but larger than the body; nothing printed between them."""
    if title is None:
        return None
    below = sorted((l for l in lines if l.top >= title.bottom - 1), key=lambda l: (l.top, l.x0))
    if not below:
        return None
    first = below[0]
    if (first.bullet or first.bold or first.size >= title.size - settings.size_tolerance
            or first.size <= body_size + settings.size_tolerance
            or first.top - title.bottom > settings.subtitle_gap * title.size
            or _overlap(first.x0, first.x1, title.x0, title.x1) <= 0):
        return None
    same = [l for l in below if _same_size(l.size, first.size, settings) and not l.bullet and not l.bold]
    return next(b for b in lines_to_headings(same, settings) if first in b.lines)


def _inside(line: Line, box: BBox) -> bool:
    cx, cy = (line.x0 + line.x1) / 2, (line.top + line.bottom) / 2
    return box.x0 <= cx <= box.x1 and box.top <= cy <= box.bottom


# --------------------------------------------------------------------------- blocks


def _same_size(a: float, b: float, settings: OutlineSettings) -> bool:
    return abs(a - b) <= settings.size_tolerance


def _follows(above: Line, below: Line, settings: OutlineSettings) -> bool:
    """`below` is the next printed line of the same paragraph as `above`, going by the gap."""
    gap = below.top - above.bottom
    size = max(above.size, below.size)
    return -0.3 * size <= gap <= settings.line_gap * size


def lines_to_headings(lines: Iterable[Line], settings: OutlineSettings) -> list[Block]:
    """Join bold lines of one size that follow each other at the same x into one heading."""
    groups: list[list[Line]] = []
    for line in sorted(lines, key=lambda l: (l.top, l.x0)):
        for group in groups:
            last = group[-1]
            aligned = (abs(line.x0 - last.x0) <= settings.align_tolerance * line.size
                       or abs((line.x0 + line.x1) - (last.x0 + last.x1)) / 2
                       <= settings.align_tolerance * line.size)
            if aligned and _same_size(line.size, last.size, settings) and _follows(last, line, settings):
                group.append(line)
                break
        else:
            groups.append([line])
    return [Block(tuple(group)) for group in groups]


def _starts_continuation(line: Line, settings: OutlineSettings) -> bool:
    first = line.text[:1]
    if settings.continuation_starts == "lower":
        # A digit too: "– kehittämishanke" / "2" is a name wrapped before its number.
        return first.islower() or first.isdigit() or first in "(-–,;:)"
    return False


def lines_to_items(lines: Iterable[Line], settings: OutlineSettings) -> list[Block]:
    """Start an item at every bullet or plain line; attach the lines that continue it.

    A line continues the item above when it has no glyph, follows it closely and starts where
    the item's text starts (a hanging indent); for an unbulleted item, where every new item
    starts at the same x, it must also start like a wrapped line (lower case).
    """
    groups: list[list[Line]] = []
    for line in sorted(lines, key=lambda l: (l.top, l.x0)):
        if line.bullet is None:
            for group in reversed(groups):
                last = group[-1]
                if not _follows(last, line, settings):
                    continue
                if abs(line.x0 - last.text_x0) > settings.align_tolerance * line.size:
                    continue
                if group[0].bullet is None and not _starts_continuation(line, settings):
                    continue
                group.append(line)
                break
            else:
                groups.append([line])
        else:
            groups.append([line])
    return [Block(tuple(group)) for group in groups]


# --------------------------------------------------------------------------- columns


def items_to_columns(items: Sequence[Block]) -> list[Column]:
    """Columns are the x-extents of list text that overlap; a wide heading does not join them."""
    spans: list[list[float]] = []
    for x0, x1 in sorted((b.x0, b.x1) for b in items):
        if spans and x0 < spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], x1)
        else:
            spans.append([x0, x1])
    # Each item goes to the first span holding its left edge (in the items' own order).
    span_of = [next(n for n, (x0, x1) in enumerate(spans) if x0 <= b.x0 <= x1) for b in items]
    return [Column(x0, x1, items=tuple(b for b, m in zip(items, span_of) if m == n))
            for n, (x0, x1) in enumerate(spans)]


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return min(a1, b1) - max(a0, b0)


def heading_reach(heading: Block, columns: Sequence[Column], headings: Sequence[Block]) -> list[Column]:
    """The columns a heading governs: those its text overlaps, then the adjacent ones to the
    right that it was evidently meant to span.

    Only the printed text is in the PDF, not the width of its text box, so a left-aligned
    heading over two columns may not reach into the second. It is taken to span the next
    column when that column has nothing beside or above it and opens with a deeper heading
    (a sub-group of it); a column that opens with bare items is a group of its own.
    Heading levels must be set.
    """
    reach = [c for c in columns if _overlap(heading.x0, heading.x1, c.x0, c.x1) >= 0.5 * heading.size]
    if not reach:
        return reach
    for column in columns:
        if column.x0 <= reach[-1].x0:
            continue
        contents = [(b.top, 1, b) for b in column.items] + [
            (h.top, 0, h) for h in headings
            if h is not heading and _overlap(h.x0, h.x1, column.x0, column.x1) >= 0.5 * h.size
        ]
        if not contents:
            break
        top, kind, first = min(contents, key=lambda c: (c[0], c[1]))
        if top < heading.bottom or kind != 0 or first.level <= heading.level:
            break
        reach.append(column)
    return reach


def with_heading_levels(headings: Sequence[Block], settings: OutlineSettings) -> list[Block]:
    """The headings with their level by size on the slide: the largest headings are level 1."""
    sizes: list[float] = []
    for size in sorted({b.size for b in headings}, reverse=True):
        if not sizes or not _same_size(sizes[-1], size, settings):
            sizes.append(size)
    return [replace(block, level=next(n for n, s in enumerate(sizes, 1) if _same_size(s, block.size, settings)))
            for block in headings]


def with_item_levels(column_events: Sequence[tuple[str, Block]],
                     settings: OutlineSettings) -> list[tuple[str, Block]]:
    """The column's events with each item's indentation level, counted afresh under each heading.

    The x that counts is the bullet glyph's (or the text's, without one): an item further
    right than the one above is one level deeper; one further left closes levels.
    """
    stack: list[float] = []
    out: list[tuple[str, Block]] = []
    for kind, block in column_events:
        if kind == "heading":
            stack = []
            out.append((kind, block))
            continue
        x = block.first.x0
        tolerance = settings.indent_tolerance * block.size
        while stack and x < stack[-1] - tolerance:
            stack.pop()
        if not stack or x > stack[-1] + tolerance:
            stack.append(x)
        out.append((kind, replace(block, level=len(stack))))
    return out


# --------------------------------------------------------------------------- one slide


@dataclass(frozen=True)
class TitleLines:
    """A slide's lines split into its title, the label above the title, and the rest."""

    title: Block | None
    label: str | None
    rest: tuple[Line, ...]


def lines_to_title(lines: Sequence[Line], settings: OutlineSettings) -> TitleLines:
    """The slide title is the largest text; what is printed above it is a label, not content."""
    biggest = max(line.size for line in lines)
    title_lines = [l for l in lines if _same_size(l.size, biggest, settings) and l.bullet is None]
    title = lines_to_headings(title_lines, settings)[0] if title_lines else None
    rest = [l for l in lines if title is None or l not in title.lines]
    label_lines = [l for l in rest if title is not None and l.bottom <= title.top + 1]
    label = "\n".join(l.text for l in sorted(label_lines, key=lambda l: (l.top, l.x0))) or None
    return TitleLines(title, label, tuple(l for l in rest if l not in label_lines))


def box_headings(page: PageContent, lines: Sequence[Line], body_size: float,
                 settings: OutlineSettings) -> tuple[tuple[tuple[BBox, str], ...], tuple[Line, ...]]:
    """The boxes that name the column below them, with their heading; and the lines left.

    Boxes (filled or outlined) that open with a heading name the column below them; the rest of
    their text is a description, not a list item, even when it is bulleted, as long as the
    column's list stands below the box (a box holding its own list is a list box). The heading
    is the bold text, or, where a producer sets it in the regular face, the text larger than
    the rest.
    """
    rest = list(lines)
    boxes = filled_boxes(page, body_size, settings)
    named: list[tuple[BBox, str]] = []
    for box in boxes:
        inside = [l for l in rest if _inside(l, box)]
        if not inside:
            continue
        if any(l.bullet for l in inside) and not _heads_a_list(box, rest, boxes):
            continue
        head_lines = _box_heading_lines(inside, settings)
        if not head_lines or min(l.top for l in head_lines) > min(l.top for l in inside) + 1:
            continue
        named.append((box, "\n".join(l.text for l in sorted(head_lines, key=lambda l: l.top))))
        rest = [l for l in rest if l not in inside]
    return tuple(named), tuple(rest)


def columns_with_headings(columns: Sequence[Column], headings: Sequence[Block],
                          named_boxes: Sequence[tuple[BBox, str]],
                          number: int) -> tuple[list[Column], tuple[str, ...]]:
    """The columns with the headings that reach them and the box that names them; the warnings."""
    warnings = []
    reached: dict[int, list[Block]] = {id(c): [] for c in columns}
    for heading in headings:
        reach = heading_reach(heading, columns, headings)
        if not reach:
            warnings.append(f"slide {number}: heading {heading.text!r} is over no list")
        for column in reach:
            reached[id(column)].append(heading)
    return [replace(column, headings=tuple(reached[id(column)]), box_heading=_naming_box(column, named_boxes))
            for column in columns], tuple(warnings)


def _naming_box(column: Column, named_boxes: Sequence[tuple[BBox, str]]) -> str | None:
    """The heading of the named box most over the column, if one is over it at all."""
    if not named_boxes:
        return None
    best = max(named_boxes, key=lambda bh: _overlap(bh[0].x0, bh[0].x1, column.x0, column.x1))
    return best[1] if _overlap(best[0].x0, best[0].x1, column.x0, column.x1) > 0 else None


def columns_to_items(columns: Sequence[Column], number: int, title: str,
                     settings: OutlineSettings) -> tuple[OutlineItem, ...]:
    """Each column's headings and items in reading order -> outline items with path and level."""
    outline: list[OutlineItem] = []
    for column in columns:
        events = with_item_levels(sorted(
            [("heading", h) for h in column.headings] + [("item", b) for b in column.items],
            key=lambda e: (e[1].top, 0 if e[0] == "heading" else 1, e[1].x0),
        ), settings)
        stack: list[Block] = []
        for kind, block in events:
            if kind == "heading":
                stack = [h for h in stack if h.level < block.level] + [block]
                continue
            outline.append(
                OutlineItem(
                    slide=number,
                    slide_title=title,
                    path=tuple(h.text for h in stack),
                    level=block.level,
                    text=block.text,
                    bullet=block.first.bullet,
                    index=len(outline) + 1,
                    locations=tuple(Location(number, line.bbox.rounded(2)) for line in block.lines),
                    column=column.box_heading,
                )
            )
    return tuple(outline)


def read_slide(page: PageContent, settings: OutlineSettings) -> Slide:
    """One slide's title, label and outline items in reading order."""
    number = page.number
    if not page.words:
        raise ReadError("the slide has no text layer (is it a scanned image?)", number)
    lines = marks_to_bullets(chain_words_to_lines(page.words, settings), page.marks, settings)
    found = lines_to_title(lines, settings)
    title = found.title.text if found.title else ""
    label = found.label
    warnings: tuple[str, ...] = () if found.title else (f"slide {number}: no title found",)
    rest = found.rest
    body_size = sorted(l.size for l in rest)[len(rest) // 2] if rest else max(l.size for l in lines)
    named_boxes, rest = box_headings(page, rest, body_size, settings)

    # A subtitle under the title (a "title + subtitle" slide) is the slide's own title; the
    # title above it then names the deck or section, as a label above the title does.
    subtitle = slide_subtitle(found.title, rest, body_size, settings)
    if subtitle is not None:
        rest = tuple(l for l in rest if l not in subtitle.lines)
        label = label or title
        title = subtitle.text

    headings = with_heading_levels(
        lines_to_headings([l for l in rest if l.bold and l.bullet is None], settings), settings)
    items = lines_to_items([l for l in rest if not (l.bold and l.bullet is None)], settings)
    if not items:
        return Slide(number, title, label, (), warnings)
    columns, found_warnings = columns_with_headings(items_to_columns(items), headings, named_boxes, number)
    warnings += found_warnings
    return Slide(number, title, label, columns_to_items(columns, number, title, settings), warnings)


# --------------------------------------------------------------------------- document


def read_slides(pages: Sequence[PageContent], settings: OutlineSettings) -> Reading:
    """The slides' pages (already read) -> every slide's outline items, in reading order."""
    if not pages:
        raise ReadError("the PDF has no pages")
    slides = [read_slide(page, settings) for page in pages]
    items = tuple(item for slide in slides for item in slide.items)
    if not items:
        raise ReadError("no bulleted or listed items found on any slide")
    first = slides[0]
    # The deck's own name is the small label above the first slide's title, when it has one.
    return Reading(title=first.label or first.title, area_name=None, records=items,
                   warnings=tuple(w for slide in slides for w in slide.warnings))
