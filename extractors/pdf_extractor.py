"""Text of a PDF with pypdf; plain extract_text() keeps the reading order of two-column pages."""

from __future__ import annotations

import io
import logging
import subprocess

from extractors.ocr_extractor import ENABLE_HINT, ocr_available, ocr_pdf
from extractors.text import normalize_text
from models.errors import ExtractionError
from models.records import Extraction, InputFormat, Reason
from models.settings import Limits

MIN_CHARS_PER_PAGE = 20


class _Enough(Exception):
    """Raised from pypdf's text visitor once a page has given all the characters we keep."""


def extract_pdf(data: bytes, limits: Limits) -> Extraction:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PyPdfError

    # pypdf logs every recoverable defect of a sloppy PDF; the outcome says what matters.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            # Many PDFs carry only an owner password (no copying) and open with an empty one.
            try:
                if not reader.decrypt(""):
                    raise FileNotDecryptedError("password required")
            except (FileNotDecryptedError, NotImplementedError) as e:
                raise ExtractionError(
                    Reason.ENCRYPTED_PDF, "PDF terkunci kata sandi; mohon kirim tanpa kata sandi"
                ) from e
        n_pages = len(reader.pages)
        if n_pages > limits.pdf_pages:
            # A proposal has tens of pages; thousands is a broken or hostile file.
            raise ExtractionError(
                Reason.TOO_MANY_PAGES, f"PDF dengan {n_pages} halaman melebihi batas {limits.pdf_pages}"
            )
        pages: list[str] = []
        budget = limits.max_chars
        truncated = False
        for page in reader.pages:
            text, cut = _page_text(page, budget) if budget > 0 else ("", True)
            truncated = truncated or cut
            pages.append(normalize_text(text))
            budget -= len(pages[-1])
    except ExtractionError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as e:
        raise ExtractionError(Reason.CORRUPT_PDF, f"PDF rusak atau terpotong ({type(e).__name__}: {e})") from e
    notes = (f"text_truncated:{limits.max_chars}",) if truncated else ()
    if _has_text_layer(pages) or truncated:
        return Extraction(InputFormat.PDF, "\n\f\n".join(pages), n_pages, pages[0] if pages else "", notes)
    return _scanned(data, n_pages, pages, limits)


def _page_text(page, budget: int) -> tuple[str, bool]:
    """The page's text, and whether it was cut at `budget` characters.

    A page of nested forms can draw millions of characters; counting them as pypdf meets them
    stops the work (and the memory) at the budget, not after the whole page.
    """
    pieces: list[str] = []
    seen = 0

    def count(text: str, *_args) -> None:
        nonlocal seen
        pieces.append(text)
        seen += len(text)
        if seen > budget:
            raise _Enough

    try:
        text = page.extract_text(visitor_text=count) or ""
    except _Enough:
        return "".join(pieces)[:budget], True
    if len(text) > budget:
        return text[:budget], True
    return text, False


def _has_text_layer(pages: list[str]) -> bool:
    # A scan may carry a page number or a stamp as text; a real text layer has words on most pages.
    chars = sum(len(p.strip()) for p in pages)
    return chars >= MIN_CHARS_PER_PAGE * max(1, len(pages))


def _scanned(data: bytes, n_pages: int, pages: list[str], limits: Limits) -> Extraction:
    """A PDF without a text layer: OCR when Tesseract is installed, else say how to enable it."""
    if not ocr_available():
        text = "\n\f\n".join(pages)
        return Extraction(InputFormat.PDF, text, n_pages, pages[0] if pages else "", ("no_text_layer", ENABLE_HINT))
    try:
        result = ocr_pdf(data, min(n_pages, limits.ocr_pages), limits.seconds)
    except subprocess.TimeoutExpired as e:
        raise ExtractionError(Reason.TIMEOUT, f"OCR melebihi batas waktu {limits.seconds:g} detik") from e
    except subprocess.CalledProcessError as e:
        raise ExtractionError(Reason.CORRUPT_PDF, f"halaman PDF tidak dapat dirender untuk OCR ({e.stderr[-200:]!r})") from e
    ocr_pages = [normalize_text(p) for p in result.pages]
    notes = ["no_text_layer", f"ocr:{result.language}"]
    if n_pages > len(ocr_pages):
        notes.append(f"ocr_pages:{len(ocr_pages)}/{n_pages}")
    return Extraction(
        InputFormat.PDF, "\n\f\n".join(ocr_pages), n_pages, ocr_pages[0] if ocr_pages else "", tuple(notes),
        ocr_confidence=result.confidence,
    )
