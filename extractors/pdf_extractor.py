"""Text of a PDF with pypdf; plain extract_text() keeps the reading order of two-column pages."""

from __future__ import annotations

import logging
from pathlib import Path

from extractors.text import normalize_text
from models.errors import ExtractionError
from models.records import Extraction, Reason

MAX_PAGES = 2000  # a proposal has tens of pages; thousands is a broken or hostile file


def extract_pdf(path: Path) -> Extraction:
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
        if n_pages > MAX_PAGES:
            raise ExtractionError(Reason.CORRUPT_PDF, f"PDF dengan {n_pages} halaman melebihi batas {MAX_PAGES}")
        pages = [normalize_text(page.extract_text() or "") for page in reader.pages]
    except ExtractionError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as e:
        raise ExtractionError(Reason.CORRUPT_PDF, f"PDF rusak atau terpotong ({type(e).__name__}: {e})") from e
    text = "\n\f\n".join(pages)
    notes: tuple[str, ...] = ()
    if not text.strip():
        notes = ("no_text_layer",)
    return Extraction(format="pdf", text=text, pages=n_pages, cover=pages[0] if pages else "", notes=notes)
