"""PDF and DOCX extraction on real files, and format detection by content."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from extractors import extract
from extractors.detect import InputFormat, detect_format
from extractors.text import normalize_text
from models.errors import ExtractionError
from models.records import Reason
from tests.conftest import make_docx, make_pdf


def test_pdf_text_pages_and_cover(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "a.pdf", ["PROPOSAL INOVASI\nSD NEGERI SAWOJAJAR 1", "Latar belakang inovasi", "Penutup"])
    ex = extract(pdf)
    assert (ex.format, ex.pages) == ("pdf", 3)
    assert "SD NEGERI SAWOJAJAR 1" in ex.cover
    assert "Latar belakang" not in ex.cover
    assert "Penutup" in ex.text


def test_docx_reads_body_tables_and_headers(tmp_path: Path) -> None:
    import docx

    path = tmp_path / "b.docx"
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "UPT PUSKESMAS KENDALKEREP"
    document.add_paragraph("PROPOSAL KINERJA PENYELENGGARAAN PELAYANAN PUBLIK")
    document.add_page_break()
    document.add_paragraph("Bab I Pendahuluan")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Indikator"
    table.cell(1, 1).text = "Waktu tunggu 15 menit"
    document.save(str(path))
    ex = extract(path)
    assert ex.format == "docx"
    assert "UPT PUSKESMAS KENDALKEREP" in ex.cover  # headers count as cover: the unit is often only there
    assert "PROPOSAL KINERJA" in ex.cover
    assert "Bab I" not in ex.cover  # the cover ends at the first page break
    assert "Waktu tunggu 15 menit" in ex.text
    assert ex.pages == 2


def test_pdf_named_docx_is_read_as_pdf_and_the_mismatch_noted(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "a.pdf", ["PROPOSAL INOVASI PELAYANAN PUBLIK"])  # 20+ characters: a text layer, no OCR
    disguised = tmp_path / "proposal.docx"
    shutil.copy(pdf, disguised)
    ex = extract(disguised)
    assert ex.format == "pdf"
    assert "extension_mismatch:docx" in ex.notes


@pytest.mark.parametrize(
    ("content", "reason", "words"),
    [
        (b"", Reason.EMPTY_FILE, "kosong"),
        (b"<!DOCTYPE html><html><body>Login</body></html>", Reason.UNSUPPORTED_FORMAT, "HTML"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, Reason.UNSUPPORTED_FORMAT, ".doc"),
        (b"{\\rtf1\\ansi hello}", Reason.UNSUPPORTED_FORMAT, "RTF"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 50, Reason.UNSUPPORTED_FORMAT, "PNG"),
        (b"PK\x03\x04garbage", Reason.CORRUPT_DOCX, "rusak"),
    ],
)
def test_unreadable_content_raises_with_reason(tmp_path: Path, content: bytes, reason: Reason, words: str) -> None:
    path = tmp_path / "proposal.pdf"
    path.write_bytes(content)
    with pytest.raises(ExtractionError) as err:
        extract(path)
    assert err.value.reason is reason
    assert words in str(err.value)


def test_truncated_pdf_is_corrupt(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "a.pdf", ["PROPOSAL INOVASI"] * 3)
    data = pdf.read_bytes()
    pdf.write_bytes(data[: len(data) // 3])
    with pytest.raises(ExtractionError) as err:
        extract(pdf)
    assert err.value.reason is Reason.CORRUPT_PDF


def test_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    plain = make_pdf(tmp_path / "a.pdf", ["PROPOSAL INOVASI"])
    writer = PdfWriter()
    writer.append(PdfReader(plain))
    writer.encrypt(user_password="rahasia", algorithm="AES-128")
    locked = tmp_path / "locked.pdf"
    with locked.open("wb") as fh:
        writer.write(fh)
    with pytest.raises(ExtractionError) as err:
        extract(locked)
    assert err.value.reason is Reason.ENCRYPTED_PDF


def test_docx_detected_by_content_not_name(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "x.pdf", ["Proposal"])
    assert detect_format(path) is InputFormat.DOCX


def test_normalize_joins_hyphenated_line_ends_and_ligatures() -> None:
    assert normalize_text("pela-\nyanan e\ufb01sien") == "pelayanan efisien"
