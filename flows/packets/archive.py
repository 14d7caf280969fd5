"""Zips that are the same bytes whenever their contents are: sorted members, one fixed time, fixed modes.

A packet is rebuilt on every run; an unchanged one must come out byte-identical, so that a judge,
a checksum or a sync tool can tell that nothing changed. zipfile stamps each member with the clock
and the platform, and openpyxl writes its workbook through zipfile: both are rewritten here.
"""

from __future__ import annotations

import shutil
import zipfile
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

ZIP_EPOCH = datetime(1980, 1, 1, tzinfo=UTC)  # the earliest time a zip member can carry
_UNIX = 3  # create_system: Unix, so the mode bits below are read on every platform
_FILE_MODE = 0o644
# Formats that are compressed already (PDF streams, the zips of DOCX and XLSX): deflating them again
# costs seconds per packet and saves a few percent, so they are stored as they are.
_STORED = (".pdf", ".docx", ".xlsx")


def fixed_time(iso: str) -> datetime:
    """The one time every file of a packet carries: `iso` (the hand-off), never before 1980.

    A time without a zone is taken as UTC, so the same string gives the same time on any machine.
    """
    when = datetime.fromisoformat(iso)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(when, ZIP_EPOCH)


def _member(name: str, when: datetime, size: int, compress: bool = True) -> zipfile.ZipInfo:
    from zoneinfo import ZoneInfo

    # A zip stores wall-clock time without a zone: Malang's, where the packets are read.
    local = when.astimezone(ZoneInfo("Asia/Jakarta"))
    info = zipfile.ZipInfo(name, date_time=local.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    info.create_system = _UNIX
    info.external_attr = (0o100000 | _FILE_MODE) << 16  # a regular file, rw-r--r--
    info.file_size = size  # lets zipfile choose ZIP64 for a member over 2 GB before it writes
    return info


def normalised_zip(data: bytes, when: datetime) -> bytes:
    """The same zip (an XLSX) with every member stamped `when`, in the order it was written."""
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            target.writestr(_member(item.filename, when, len(content)), content)
    return out.getvalue()


def write_zip(target: Path, folder: Path, prefix: str, when: datetime) -> None:
    """Zip every file of `folder` (flat) as `prefix/<name>`, sorted by name, streamed from disk."""
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.iterdir(), key=lambda p: p.name):
            info = _member(f"{prefix}/{path.name}", when, path.stat().st_size, not path.name.endswith(_STORED))
            with path.open("rb") as source, archive.open(info, "w") as sink:
                shutil.copyfileobj(source, sink, 1 << 20)
