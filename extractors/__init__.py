"""Read the text of an inbox file, choosing the reader by what the file is."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from extractors.detect import InputFormat, detect_format
from extractors.docx_extractor import extract_docx
from extractors.pdf_extractor import extract_pdf
from extractors.source import read_source
from models.records import Extraction
from models.settings import Limits

Extractor = Callable[[bytes, Limits], Extraction]

EXTRACTORS: dict[InputFormat, Extractor] = {
    InputFormat.PDF: extract_pdf,
    InputFormat.DOCX: extract_docx,
}
COVER_CHARS = 20_000  # a cover page has a few hundred characters


def extract(
    path: Path, limits: Limits | None = None, expected_sha256: str | None = None, root: Path | None = None
) -> Extraction:
    """Extract one file; raises ExtractionError with a reason code when it cannot be read.

    The file is opened once (never through a link) and parsed from the bytes that were hashed; with
    `expected_sha256`, bytes other than those the scan recorded are refused (CHANGED_SINCE_SCAN).
    With `root`, `path` is the stored path inside that inbox (see extractors.source.read_source).
    This runs in the calling process: for files from outside, use extractors.sandbox.
    """
    limits = limits or Limits()
    # pypdf and python-docx hold a file's bytes and more; a quarter of the address space is the most
    # a file may take before parsing starts.
    data = read_source(path, expected_sha256, max_bytes=limits.memory_mb * (1 << 20) // 4, root=root)
    fmt = detect_format(data)
    extraction = cap_text(EXTRACTORS[fmt](data, limits), limits.max_chars)
    suffix = path.suffix.lower().lstrip(".")
    if suffix != fmt.value:
        # A PDF named .docx is read as a PDF; the admin sees that the name was wrong.
        extraction = replace(extraction, notes=(*extraction.notes, f"extension_mismatch:{suffix or 'none'}"))
    return extraction


def cap_text(extraction: Extraction, max_chars: int) -> Extraction:
    """Keep at most max_chars of text (and a cover of at most COVER_CHARS); note the cut."""
    cut = len(extraction.text) > max_chars or any(n.startswith("text_truncated") for n in extraction.notes)
    cover = extraction.cover[: min(COVER_CHARS, max_chars)]
    if not cut and cover == extraction.cover:
        return extraction
    notes = tuple(n for n in extraction.notes if not n.startswith("text_truncated"))
    if cut:
        notes = (*notes, f"text_truncated:{max_chars}")
    return replace(extraction, text=extraction.text[:max_chars], cover=cover, notes=notes)


__all__ = ["EXTRACTORS", "Extraction", "InputFormat", "Limits", "cap_text", "detect_format", "extract"]
