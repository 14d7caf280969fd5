"""Limits that keep one hostile file from exhausting the machine, and the DOCX package guard."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from models.errors import ExtractionError
from models.records import Reason


@dataclass(frozen=True, slots=True)
class Limits:
    seconds: float = 120.0  # wall time for one file, OCR included
    memory_mb: int = 1024  # address space of a worker process
    docx_total_mb: int = 200  # all parts of a DOCX, uncompressed
    docx_part_mb: int = 64  # one XML part, uncompressed
    docx_ratio: int = 200  # uncompressed/compressed above which a large part is a bomb
    docx_entries: int = 5000
    pdf_pages: int = 2000
    ocr_pages: int = 12  # the cover and the first pages identify a scan; all 40 pages would cost minutes

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Limits:
        env = os.environ if env is None else env
        kwargs: dict = {}
        if env.get("KIPP_EXTRACT_SECONDS"):
            kwargs["seconds"] = float(env["KIPP_EXTRACT_SECONDS"])
        if env.get("KIPP_OCR_PAGES"):
            kwargs["ocr_pages"] = int(env["KIPP_OCR_PAGES"])
        if env.get("KIPP_EXTRACT_MEMORY_MB"):
            kwargs["memory_mb"] = int(env["KIPP_EXTRACT_MEMORY_MB"])
        return cls(**kwargs)


_CHUNK = 1 << 20
_MB = 1 << 20
# A DOCX never carries a DTD; one in a part is an entity bomb or an attempt to read other files.
_DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY", b"<!doctype", b"<!entity")


def check_docx_package(path: Path, limits: Limits) -> None:
    """Refuse zip bombs and DTDs before python-docx parses anything.

    Declared sizes are checked first, then every XML part is inflated in chunks and counted, so a
    part that lies about its size is caught after at most one chunk past its limit.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > limits.docx_entries:
                raise ExtractionError(Reason.ZIP_BOMB, f"DOCX berisi {len(infos)} bagian (batas {limits.docx_entries})")
            declared = sum(i.file_size for i in infos)
            if declared > limits.docx_total_mb * _MB:
                raise ExtractionError(
                    Reason.ZIP_BOMB,
                    f"DOCX mengembang menjadi {declared // _MB} MB (batas {limits.docx_total_mb} MB)",
                )
            for info in infos:
                if info.file_size > 10 * _MB and info.file_size > limits.docx_ratio * max(info.compress_size, 1):
                    raise ExtractionError(
                        Reason.ZIP_BOMB,
                        f"bagian {info.filename} dimampatkan {info.file_size // max(info.compress_size, 1)}:1",
                    )
            total = 0
            for info in infos:
                if info.filename.endswith((".xml", ".rels")):
                    total += _inflate_checked(zf, info, limits)
                    if total > limits.docx_total_mb * _MB:
                        raise ExtractionError(Reason.ZIP_BOMB, f"isi XML DOCX melebihi {limits.docx_total_mb} MB")
    except zipfile.BadZipFile as e:
        raise ExtractionError(Reason.CORRUPT_DOCX, f"arsip DOCX rusak ({e})") from e
    except (OSError, EOFError, ValueError, NotImplementedError) as e:
        raise ExtractionError(Reason.CORRUPT_DOCX, f"arsip DOCX tidak dapat dibuka ({type(e).__name__}: {e})") from e


def _inflate_checked(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> int:
    limit = min(limits.docx_part_mb * _MB, limits.docx_total_mb * _MB)
    size = 0
    tail = b""
    with zf.open(info) as fh:
        while chunk := fh.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise ExtractionError(Reason.ZIP_BOMB, f"bagian {info.filename} melebihi {limit // _MB} MB setelah diurai")
            window = tail + chunk
            if any(marker in window for marker in _DTD_MARKERS):
                raise ExtractionError(
                    Reason.XML_ENTITIES,
                    f"bagian {info.filename} memuat deklarasi DTD/entitas; DOCX yang sah tidak pernah memuatnya",
                )
            tail = chunk[-16:]
    return size
