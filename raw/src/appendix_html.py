"""Source 002's tables as HTML, printed to PDF by headless Chromium (another producer's geometry).

The content is appendix.yaml's; only the drawing differs: each sheet is one HTML table with all
its columns on one page width (no left/right page pairs), the column widths in appendix.yaml's
proportions, rows broken across pages wherever the browser breaks them, the header printed once
(as in the source). `HtmlTableVariant` varies paper, orientation, font and ruling lines. Used by
tests/test_corpus_tables.py; the committed PDF stays LibreOffice Calc's.
"""

from __future__ import annotations

import html
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from appendix import STEM, load_content
from slides_html import PRINT_TIMEOUT_S, chromium_path

# CSS page sizes Chromium knows by name.
PAPERS = ("A4", "A3", "Letter")


@dataclass(frozen=True)
class HtmlTableVariant:
    paper: str = "A3"
    orientation: str = "landscape"
    font_name: str = "DejaVu Sans"
    font_size: float = 8.0
    ruling: bool = True
    # Break a header word that does not fit its column inside the word ("Monialain|en").
    break_words: bool = False
    stem: str = STEM

    def __post_init__(self) -> None:
        if self.paper not in PAPERS:
            raise ValueError(f"paper must be one of {PAPERS}, not {self.paper!r}")
        if self.orientation not in ("landscape", "portrait"):
            raise ValueError(f"orientation must be landscape or portrait, not {self.orientation!r}")


def _cell(text: str | None, tag: str = "td", bold: bool = False) -> str:
    body = "<br>".join(html.escape(line) for line in (text or "").split("\n"))
    style = ' style="font-weight:bold"' if bold else ""
    return f"<{tag}{style}>{body}</{tag}>"


def _sheet_html(sheet: dict[str, Any], content: dict[str, Any], first: bool) -> str:
    total = sum(sheet["widths"])
    cols = "".join(f'<col style="width:{100 * w / total:.2f}%">' for w in sheet["widths"])
    head = "<tr>" + "".join(_cell(t, "th") for t in sheet["header"]) + "</tr>"
    rows = []
    for item in sheet["rows"]:
        if isinstance(item, dict):
            rows.append("<tr>" + _cell(item["group"], bold=True)
                        + "".join(_cell(None) for _ in sheet["header"][1:]) + "</tr>")
        else:
            rows.append("<tr>" + "".join(_cell(v) for v in item) + "</tr>")
    intro = ""
    if sheet.get("with_intro"):
        intro = (f'<p class="title">{html.escape(content["title"])}</p>'
                 f'<p>{html.escape(content["description"])}</p><p>&nbsp;</p>')
    if sheet.get("caption"):
        intro += f'<p class="caption">{html.escape(sheet["caption"])}</p>'
    klass = "sheet" if first else "sheet next"
    return (f'<div class="{klass}">{intro}<table><colgroup>{cols}</colgroup>'
            f"<thead>{head}</thead><tbody>{''.join(rows)}</tbody></table></div>")


def appendix_html(v: HtmlTableVariant, content: dict[str, Any] | None = None) -> str:
    content = content if content is not None else load_content()
    border = "0.5pt solid #000" if v.ruling else "none"
    css = f"""
@page {{ size: {v.paper} {v.orientation}; margin: 0.5in }}
body {{ margin: 0; font-family: "{v.font_name}"; font-size: {v.font_size}pt; color: #000 }}
p {{ margin: 0 }}
.title {{ font-weight: bold; font-size: {v.font_size + 2}pt }}
.next {{ break-before: page }}
table {{ border-collapse: collapse; table-layout: fixed; width: 100% }}
/* The header is printed once, as in the source, not repeated on every page. */
thead {{ display: table-row-group }}
tr {{ break-inside: avoid }}
th, td {{ border: {border}; padding: 1.5pt 3pt; vertical-align: top; text-align: left;
          line-height: 1.17 }}
th {{ font-weight: bold{"; overflow-wrap: anywhere" if v.break_words else ""} }}
.caption {{ font-weight: bold; margin-bottom: 2pt }}
"""
    sheets = "".join(_sheet_html(s, content, i == 0) for i, s in enumerate(content["sheets"]))
    head = f'<meta charset="utf-8"><title>{html.escape(content["title"])}</title><style>{css}</style>'
    return f'<!DOCTYPE html><html lang="fi"><head>{head}</head><body>{sheets}</body></html>'


def build_appendix_html_pdf(out_dir: Path, variant: HtmlTableVariant = HtmlTableVariant(),
                            content: dict[str, Any] | None = None) -> Path:
    """Write `out_dir/<stem>.html` and print it to `out_dir/<stem>.pdf` with headless Chromium."""
    exe = chromium_path()
    if exe is None:
        raise RuntimeError("Chromium is not installed; cannot print the HTML table")
    out_dir.mkdir(parents=True, exist_ok=True)
    page = out_dir / f"{variant.stem}.html"
    page.write_text(appendix_html(variant, content), encoding="utf-8")
    target = out_dir / f"{variant.stem}.pdf"
    cmd = [exe, "--headless=new", "--no-sandbox", "--disable-gpu",
           f"--user-data-dir={out_dir / 'chromium-profile'}", f"--print-to-pdf={target}",
           "--no-pdf-header-footer", page.resolve().as_uri()]
    subprocess.run(cmd, check=True, capture_output=True, timeout=PRINT_TIMEOUT_S)
    if not target.is_file() or target.stat().st_size == 0:
        raise RuntimeError(f"Chromium wrote no PDF for {page}")
    return target
