"""Text of a PDF with pypdf; plain extract_text() keeps the reading order of two-column pages."""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

from extractors.limits import Limits
from extractors.ocr_extractor import ENABLE_HINT, ocr_available, ocr_pdf
from extractors.text import normalize_text
from models.errors import ExtractionError
from models.records import Extraction, Reason

MIN_CHARS_PER_PAGE = 20


def extract_pdf(path: Path, limits: Limits) -> Extraction:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PyPdfError

    # pypdf logs every recoverable defect of a sloppy PDF; the outcome says what matters.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(path)
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
        pages = [normalize_text(page.extract_text() or "") for page in reader.pages]
    except ExtractionError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as e:
        raise ExtractionError(Reason.CORRUPT_PDF, f"PDF rusak atau terpotong ({type(e).__name__}: {e})") from e
    if _has_text_layer(pages):
        return Extraction(format="pdf", text="\n\f\n".join(pages), pages=n_pages, cover=pages[0] if pages else "")
    return _scanned(path, n_pages, pages, limits)


def _has_text_layer(pages: list[str]) -> bool:
    # A scan may carry a page number or a stamp as text; a real text layer has words on most pages.
    chars = sum(len(p.strip()) for p in pages)
    return chars >= MIN_CHARS_PER_PAGE * max(1, len(pages))


def _scanned(path: Path, n_pages: int, pages: list[str], limits: Limits) -> Extraction:
    """A PDF without a text layer: OCR when Tesseract is installed, else say how to enable it."""
    if not ocr_available():
        text = "\n\f\n".join(pages)
        return Extraction("pdf", text, n_pages, pages[0] if pages else "", ("no_text_layer", ENABLE_HINT))
    try:
        result = ocr_pdf(path, min(n_pages, limits.ocr_pages), limits.seconds)
    except subprocess.TimeoutExpired as e:
        raise ExtractionError(Reason.TIMEOUT, f"OCR melebihi batas waktu {limits.seconds:g} detik") from e
    except subprocess.CalledProcessError as e:
        raise ExtractionError(Reason.CORRUPT_PDF, f"halaman PDF tidak dapat dirender untuk OCR ({e.stderr[-200:]!r})") from e
    ocr_pages = [normalize_text(p) for p in result.pages]
    notes = ["no_text_layer", f"ocr:{result.language}"]
    if n_pages > len(ocr_pages):
        notes.append(f"ocr_pages:{len(ocr_pages)}/{n_pages}")
    return Extraction(
        "pdf", "\n\f\n".join(ocr_pages), n_pages, ocr_pages[0] if ocr_pages else "", tuple(notes),
        ocr_confidence=result.confidence,
    )
