"""Source 000's slides as HTML, printed to PDF by headless Chromium (another producer's geometry).

The content and box positions are slides.yaml's, the type sizes slides.py's; only the drawing
differs: bulleted paragraphs become `<ul>` lists, so Chromium draws their markers as vector
shapes (a filled disc at level 1, a stroked circle at level 2) and the PDF text has no bullet
glyph at all. Used by tests/test_corpus_slides.py; the committed PDF stays LibreOffice's.

`letter_spacing="0.16em"` spaces out the list items of slides 2-3 with CSS letter-spacing: wide enough that
an extractor's word grouping splits words apart ("a siakasta").

`subtitle=True` sets slide 1 as title ("Palveluluokittelu") + subtitle, as slides.with_subtitle.

`boxes="outlined"` draws the delivery-level boxes as bordered (stroked, unfilled) rectangles
with their heading in the regular face, only larger than the description, and the level-1
markers as filled squares: what a web page styled by hand tends to look like.
"""

from __future__ import annotations

import html
import shutil
import subprocess
from pathlib import Path
from typing import Any

from slides import DEFAULT_BODY_PT, STYLES, load_content, with_subtitle

STEM = "000_palveluluokittelu"
# One print takes about 1 s; a hung browser must not hang a test run.
PRINT_TIMEOUT_S = 120
CSS = """
@page { size: %(w)sin %(h)sin; margin: 0 }
html, body { margin: 0; padding: 0 }
body { font-family: "DejaVu Sans"; color: #1a1a1a }
.slide { position: relative; width: %(w)sin; height: %(h)sin; overflow: hidden; page-break-after: always }
.slide:last-child { page-break-after: auto }
.shape { position: absolute; box-sizing: border-box; padding: 0.05in }
.shape p { margin: 0; line-height: 1.17 }
.filled p { color: #ffffff }
.label { color: #595959 }
ul { margin: 0; padding-left: 0.2in; list-style-type: disc; line-height: 1.17 }
ul ul { padding-left: 0.3in; list-style-type: circle }
.boxes-outlined ul { list-style-type: square }
.boxes-outlined ul ul { list-style-type: circle }
.boxes-outlined .framed { border: 1.5px solid currentColor }
.boxes-outlined .framed p { color: #1a1a1a; font-weight: normal !important }
"""


def chromium_path() -> str | None:
    """The Chromium executable, or None when no browser is installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _text(text: str) -> str:
    return "<br>".join(html.escape(line) for line in text.split("\n"))


def _style(style: str, body: float) -> str:
    size, bold, _level, before = STYLES[style]
    return f"font-size:{size or body}pt;font-weight:{'bold' if bold else 'normal'}"


def _shape_html(spec: dict[str, Any], boxes: str) -> str:
    x, y, w, h = spec["box"]
    body = spec.get("size", DEFAULT_BODY_PT)
    fill = spec.get("fill")
    css = f"left:{x}in;top:{y}in;width:{w}in;height:{h}in"
    if fill:
        css += f";background:#{fill}" if boxes == "filled" else f";color:#{fill}"
    parts: list[str] = []
    open_levels = 0  # how many <ul> are open
    for i, (style, text) in enumerate(spec["paras"]):
        level = STYLES[style][2] or 0
        before = STYLES[style][3] if i else 0
        while open_levels > level:
            parts.append("</li></ul>")
            open_levels -= 1
        if level:
            if open_levels == level:
                parts.append("</li>")
            while open_levels < level:
                parts.append("<ul>")
                open_levels += 1
            parts.append(f'<li style="{_style(style, body)}">{_text(text)}')
        else:
            klass = ' class="label"' if style == "label" else ""
            parts.append(f'<p{klass} style="{_style(style, body)};margin-top:{before}pt">{_text(text)}</p>')
    parts.extend("</li></ul>" for _ in range(open_levels))
    klass = ("shape filled" if boxes == "filled" else "shape framed") if fill else "shape"
    return f'<div class="{klass}" style="{css}">{"".join(parts)}</div>'


def slides_html(content: dict[str, Any] | None = None, boxes: str = "filled", letter_spacing: str = "") -> str:
    """The deck as one HTML page; `letter_spacing` (a CSS length) spaces out slides 2-3's lists."""
    if boxes not in ("filled", "outlined"):
        raise ValueError(f"boxes must be 'filled' or 'outlined', not {boxes!r}")
    content = content if content is not None else load_content()
    w, h = content["slide_width_in"], content["slide_height_in"]
    slides = [
        '<div class="slide">' + "".join(_shape_html(s, boxes) for s in slide["shapes"]) + "</div>"
        for slide in content["slides"]
    ]
    head = f'<meta charset="utf-8"><title>{html.escape(content["title"])}</title>'
    if letter_spacing:
        # Not on slide 1: its long 8.5 pt list would run past the slide's bottom and be clipped.
        head += f"<style>.slide + .slide li {{ letter-spacing: {letter_spacing} }}</style>"
    return f"<!DOCTYPE html><html lang=\"fi\"><head>{head}<style>{CSS % {'w': w, 'h': h}}</style></head>" \
           f"<body class=\"boxes-{boxes}\">{''.join(slides)}</body></html>"


def build_slides_html_pdf(out_dir: Path, stem: str = STEM, boxes: str = "filled", letter_spacing: str = "",
                          subtitle: bool = False) -> Path:
    """Write `out_dir/<stem>.html` and print it to `out_dir/<stem>.pdf` with headless Chromium."""
    exe = chromium_path()
    if exe is None:
        raise RuntimeError("Chromium is not installed; cannot print the HTML slides")
    out_dir.mkdir(parents=True, exist_ok=True)
    page = out_dir / f"{stem}.html"
    content = with_subtitle(load_content()) if subtitle else None  # slide 1 as title + subtitle
    page.write_text(slides_html(content, boxes=boxes, letter_spacing=letter_spacing), encoding="utf-8")
    target = out_dir / f"{stem}.pdf"
    profile = out_dir / "chromium-profile"
    cmd = [exe, "--headless=new", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}",
           f"--print-to-pdf={target}", "--no-pdf-header-footer", page.resolve().as_uri()]
    subprocess.run(cmd, check=True, capture_output=True, timeout=PRINT_TIMEOUT_S)
    if not target.is_file() or target.stat().st_size == 0:
        raise RuntimeError(f"Chromium wrote no PDF for {page}")
    return target
