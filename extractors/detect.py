"""What a file is, from its first bytes, never from its extension."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from models.errors import ExtractionError
from models.records import InputFormat, Reason

# Formats we recognise but do not read, with what to ask the participant for instead.
_KNOWN_OTHERS: tuple[tuple[bytes, str], ...] = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "dokumen Word lama (.doc); mohon kirim ulang sebagai DOCX atau PDF"),
    (b"{\\rtf", "dokumen RTF; mohon kirim ulang sebagai DOCX atau PDF"),
    (b"\x89PNG", "gambar PNG; mohon kirim proposal sebagai PDF"),
    (b"\xff\xd8\xff", "gambar JPEG; mohon kirim proposal sebagai PDF"),
    (b"GIF8", "gambar GIF; mohon kirim proposal sebagai PDF"),
    (b"II*\x00", "gambar TIFF; mohon kirim proposal sebagai PDF"),
    (b"MM\x00*", "gambar TIFF; mohon kirim proposal sebagai PDF"),
    (b"Rar!", "arsip RAR; mohon kirim dokumen PDF atau DOCX, bukan arsip"),
    (b"7z\xbc\xaf", "arsip 7z; mohon kirim dokumen PDF atau DOCX, bukan arsip"),
)
PDF_MAGIC_WINDOW = 1024  # the PDF spec lets a header start anywhere in the first 1024 bytes


def detect_format(source: bytes | Path) -> InputFormat:
    """The format of a file's bytes; ExtractionError, with a message for the admin, for anything else."""
    if isinstance(source, Path):
        from extractors.source import read_source

        source = read_source(source)
    head = source[:PDF_MAGIC_WINDOW]
    if not head:
        raise ExtractionError(Reason.EMPTY_FILE, "berkas kosong (0 byte)")
    # A ZIP first: a stored entry puts its bytes, "%PDF-" among them, in the first kilobyte.
    if head.startswith(b"PK\x03\x04"):
        return _detect_zip(source)
    if b"%PDF-" in head:
        return InputFormat.PDF
    for magic, description in _KNOWN_OTHERS:
        if head.startswith(magic):
            raise ExtractionError(Reason.UNSUPPORTED_FORMAT, description)
    if head.lstrip().lower().startswith((b"<!doctype html", b"<html")):
        raise ExtractionError(
            Reason.UNSUPPORTED_FORMAT, "halaman web (HTML), bukan dokumen; kemungkinan unduhan yang gagal"
        )
    raise ExtractionError(Reason.UNSUPPORTED_FORMAT, "format tidak dikenal; mohon kirim sebagai PDF atau DOCX")


def _detect_zip(data: bytes) -> InputFormat:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            if "word/document.xml" in names or _main_part_is_word(zf):
                return InputFormat.DOCX
            if "mimetype" in names and b"opendocument" in zf.read("mimetype")[:100]:
                raise ExtractionError(
                    Reason.UNSUPPORTED_FORMAT,
                    "dokumen OpenDocument (.odt); mohon kirim ulang sebagai DOCX atau PDF",
                )
    except zipfile.BadZipFile as e:
        raise ExtractionError(Reason.CORRUPT_DOCX, f"arsip DOCX/ZIP rusak atau terpotong ({e})") from e
    raise ExtractionError(
        Reason.UNSUPPORTED_FORMAT, "arsip ZIP, bukan dokumen Word; mohon kirim dokumen PDF atau DOCX"
    )


def _main_part_is_word(zf: zipfile.ZipFile) -> bool:
    # Word finds its main part through the content types and relations, whatever its name; the
    # guard checks that part like any other before python-docx reads it. Read at most 1 MB here.
    try:
        with zf.open("[Content_Types].xml") as fh:
            types = fh.read(1 << 20)
    except KeyError:
        return False
    return b"wordprocessingml.document.main" in types or "wordprocessingml.document.main".encode("utf-16-le") in types
