"""Read the text of an inbox file, choosing the reader by what the file is."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from extractors.detect import InputFormat, detect_format
from extractors.docx_extractor import extract_docx
from extractors.limits import Limits
from extractors.pdf_extractor import extract_pdf
from models.records import Extraction

Extractor = Callable[[Path, Limits], Extraction]

EXTRACTORS: dict[InputFormat, Extractor] = {
    InputFormat.PDF: extract_pdf,
    InputFormat.DOCX: extract_docx,
}


def extract(path: Path, limits: Limits | None = None) -> Extraction:
    """Extract one file; raises ExtractionError with a reason code when it cannot be read.

    This runs in the calling process: for files from outside, use extractors.sandbox.
    """
    fmt = detect_format(path)
    extraction = EXTRACTORS[fmt](path, limits or Limits())
    suffix = path.suffix.lower().lstrip(".")
    if suffix != fmt.value:
        # A PDF named .docx is read as a PDF; the admin sees that the name was wrong.
        extraction = replace(extraction, notes=(*extraction.notes, f"extension_mismatch:{suffix or 'none'}"))
    return extraction


__all__ = ["EXTRACTORS", "Extraction", "InputFormat", "Limits", "detect_format", "extract"]
