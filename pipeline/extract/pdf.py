"""Open a source PDF safely and read each page's geometry once.

Every way a file can be unusable (empty, not a PDF, truncated, encrypted, scanned without a
text layer, too large, too many pages) becomes a `SourceError` subclass naming the file and
the reason; no pdfminer exception escapes. The result holds plain values (words, ruling
edges), so the extractors never touch pdfplumber and the file is closed when this returns.
"""

from __future__ import annotations

import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError
from pdfminer.psparser import PSException
from pdfplumber.utils.exceptions import PdfminerException

from pipeline.config import Settings
from pipeline.errors import SourceError
from pipeline.extract.words import DEFAULT_BOLD_MARKERS, Mark, Word, page_marks, page_words
from pipeline.model import BBox

PDF_MAGIC = b"%PDF-"
# A PDF may carry a little junk before its header; readers look this far for it.
MAGIC_WINDOW = 1024
# The end-of-file marker must be near the end; a cut-off download lacks it.
EOF_WINDOW = 2048
# pdfminer prints a glyph it cannot map to Unicode as "(cid:N)". A few such glyphs can be
# symbols; this share of the words means the fonts are broken and the text is garbage.
MAX_UNDECODABLE_SHARE = 0.02


class PdfError(SourceError):
    """The file is not a readable PDF (empty, bad magic, truncated, corrupt)."""


class EncryptedPdfError(SourceError):
    """The PDF is encrypted: we do not guess passwords."""


class NoTextLayerError(SourceError):
    """The PDF has no text layer (scanned or image-only): OCR is not supported."""


class PdfTooLargeError(SourceError):
    """The PDF exceeds Settings.max_bytes or Settings.max_pages."""


@dataclass(frozen=True)
class Edge:
    """A ruling line (or a rectangle's side) on a page: horizontal when top == bottom."""

    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def horizontal(self) -> bool:
        return (self.bottom - self.top) <= (self.x1 - self.x0)


@dataclass(frozen=True)
class PageContent:
    number: int  # 1-based
    width: float
    height: float
    words: tuple[Word, ...]
    edges: tuple[Edge, ...]
    images: int
    fills: tuple[BBox, ...] = ()  # filled rectangles and paths: slide boxes, cell shading
    marks: tuple[Mark, ...] = ()  # small filled or stroked shapes: vector list markers
    frames: tuple[BBox, ...] = ()  # outlined, unfilled rectangles and paths: bordered boxes

    @property
    def h_edges(self) -> tuple[Edge, ...]:
        return tuple(e for e in self.edges if e.horizontal)

    @property
    def v_edges(self) -> tuple[Edge, ...]:
        return tuple(e for e in self.edges if not e.horizontal)


@dataclass(frozen=True)
class PdfContent:
    path: Path
    pages: tuple[PageContent, ...]

    @property
    def words(self) -> tuple[Word, ...]:
        return tuple(w for page in self.pages for w in page.words)

    @property
    def marks(self) -> dict[int, tuple[Mark, ...]]:
        """Each page's small shapes (candidate list markers), by 1-based page number."""
        return {page.number: page.marks for page in self.pages}


def check_file(path: Path, settings: Settings) -> None:
    """Cheap checks before the parser sees the file: size, magic bytes, end-of-file marker."""
    if not path.is_file():
        raise PdfError(path, "file not found")
    size = path.stat().st_size
    if size == 0:
        raise PdfError(path, "the file is empty (0 bytes)")
    if size > settings.max_bytes:
        raise PdfTooLargeError(path, f"the file is {size} bytes, more than the limit of "
                                     f"{settings.max_bytes} bytes (Settings.max_bytes)")
    with path.open("rb") as fh:
        head = fh.read(MAGIC_WINDOW)
        fh.seek(max(0, size - EOF_WINDOW))
        tail = fh.read()
    if PDF_MAGIC not in head:
        raise PdfError(path, "not a PDF file (no %PDF- header)")
    if b"%%EOF" not in tail:
        raise PdfError(path, "the PDF is truncated or corrupt (no %%EOF marker at its end)")


def read_pdf(path: Path | str, settings: Settings | None = None,
             bold_markers: Sequence[str] = DEFAULT_BOLD_MARKERS) -> PdfContent:
    """Open `path`, check it, and read every page's words and ruling edges once."""
    path = Path(path)
    settings = settings or Settings()
    check_file(path, settings)
    try:
        with pdfplumber.open(path) as pdf:
            # An encrypted PDF that opens with the empty user password (an owner-password
            # "protected" export) is readable; one that needs a password fails in open().
            count = len(pdf.pages)
            if count == 0:
                raise PdfError(path, "the PDF has no pages")
            if count > settings.max_pages:
                raise PdfTooLargeError(path, f"the PDF has {count} pages, more than the limit of "
                                             f"{settings.max_pages} (Settings.max_pages)")
            pages = tuple(_read_page(path, page, n, settings, bold_markers)
                          for n, page in enumerate(pdf.pages, start=1))
    except SourceError:
        raise
    except Exception as exc:  # pdfminer raises its own and bare KeyError/ValueError/...
        raise _as_source_error(path, _unwrap(exc)) from None
    words = [w for page in pages for w in page.words]
    undecodable = sum(1 for w in words if "(cid:" in w.text)
    if words and undecodable / len(words) > MAX_UNDECODABLE_SHARE:
        raise PdfError(path, f"the PDF text cannot be decoded (fonts without a Unicode mapping in "
                             f"{undecodable} of {len(words)} words): corrupt or unsupported")
    if not words:
        if any(page.images for page in pages):
            raise NoTextLayerError(path, "the PDF has no text layer (image-only, e.g. a scan); "
                                         "OCR is not supported")
        raise NoTextLayerError(path, "the PDF contains no text")
    return PdfContent(path, pages)


def _unwrap(exc: BaseException) -> BaseException:
    # pdfplumber wraps pdfminer's exception in its own PdfminerException(original).
    if isinstance(exc, PdfminerException) and exc.args and isinstance(exc.args[0], BaseException):
        return exc.args[0]
    return exc


def _as_source_error(path: Path, exc: BaseException) -> SourceError:
    if isinstance(exc, (PDFPasswordIncorrect, PDFEncryptionError)):
        return EncryptedPdfError(path, f"the PDF is encrypted and needs a password ({_describe(exc)})")
    if isinstance(exc, (PDFSyntaxError, PSException)):
        return PdfError(path, f"the PDF is corrupt: {_describe(exc)}")
    return PdfError(path, f"the PDF cannot be read: {_describe(exc)}")


class PageTimeout(Exception):
    pass


@contextmanager
def time_limit(seconds: float):
    """Interrupt the block after `seconds` (SIGALRM; main thread on POSIX only).

    Elsewhere (a worker thread, Windows) nothing interrupts pdfminer, and the caller's check
    after the page is the only limit.
    """
    usable = (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
              and seconds > 0)
    if not usable:
        yield
        return

    def on_alarm(signum, frame):
        raise PageTimeout()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _read_page(path: Path, page, number: int, settings: Settings,
               bold_markers: Sequence[str]) -> PageContent:
    started = time.monotonic()
    try:
        with time_limit(settings.page_timeout_s):
            words = page_words(page, number, bold_markers)
            edges = tuple(Edge(float(e["x0"]), float(e["top"]), float(e["x1"]), float(e["bottom"]))
                          for e in page.edges)
            images = len(page.images)
            fills = tuple(
                BBox(float(o["x0"]), float(o["top"]), float(o["x1"]), float(o["bottom"]))
                for o in list(page.rects) + list(page.curves)
                if o.get("fill")
            )
            marks = page_marks(page)
            frames = tuple(
                BBox(float(o["x0"]), float(o["top"]), float(o["x1"]), float(o["bottom"]))
                for o in list(page.rects) + list(page.curves)
                if o.get("stroke") and not o.get("fill")
            )
    except PageTimeout:
        elapsed = time.monotonic() - started
        raise PdfError(path, f"page {number} took {elapsed:.1f} s, more than the limit of "
                             f"{settings.page_timeout_s} s (Settings.page_timeout_s); "
                             "reading stopped") from None
    elapsed = time.monotonic() - started
    # Where no alarm could interrupt pdfminer, a page that took too long still marks a
    # hostile or broken file, and the rest of the document is not worth the wait.
    if elapsed > settings.page_timeout_s:
        raise PdfError(path, f"page {number} took {elapsed:.1f} s to read, more than "
                             f"{settings.page_timeout_s} s (Settings.page_timeout_s)")
    return PageContent(number, float(page.width), float(page.height), tuple(words), edges, images, fills, marks, frames)


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
