"""Inovasi or Kinerja, from cover titles and file names."""

from __future__ import annotations

import pytest

from models.doctype import detect_doc_type, doc_type_from_cover, doc_type_from_path
from models.records import DocType

COMPETITION = "KOMPETISI INOVASI PELAYANAN PUBLIK (KIPP) KOTA MALANG TAHUN 2021"


@pytest.mark.parametrize(
    ("cover", "expected"),
    [
        ("PROPOSAL INOVASI PELAYANAN PUBLIK\nSI CANTIK", DocType.INOVASI),
        ("Proposal Kompetisi Inovasi Pelayanan Publik", DocType.INOVASI),
        (f"{COMPETITION}\nPROPOSAL INOVASI\nSDN Sawojajar 1", DocType.INOVASI),
        ("PROPOSAL KINERJA PENYELENGGARAAN PELAYANAN PUBLIK", DocType.KINERJA),
        # The competition's own name on a Kinerja cover says "Inovasi" first.
        (f"{COMPETITION}\nPROPOSAL KINERJA PENYELENGGARAAN PELAYANAN PUBLIK", DocType.KINERJA),
        ("Proposal Kinerja Penyelenggaraan Pelayanan Publik Tahun 2021", DocType.KINERJA),
        (COMPETITION, None),
        ("SD NEGERI SAWOJAJAR 1", None),
    ],
)
def test_cover_title_decides_the_type(cover: str, expected: DocType | None) -> None:
    assert doc_type_from_cover(cover) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("Proposal Inovasi - SDN 1.pdf", DocType.INOVASI),
        ("KINERJA.SMPN.05.docx", DocType.KINERJA),
        ("Kel. Bunulrejo/Kinerja.docx", DocType.KINERJA),
        ("inovsi sdn 3.pdf", DocType.INOVASI),
        ("Scan_20210203_0012.pdf", None),
        ("proposal KIPP.pdf", None),
        ("inovasi dan kinerja.pdf", None),
    ],
)
def test_file_name_gives_the_type_when_it_names_exactly_one(path: str, expected: DocType | None) -> None:
    assert doc_type_from_path(path) == expected


def test_cover_wins_over_a_misleading_file_name() -> None:
    assert detect_doc_type("inovasi.pdf", "PROPOSAL KINERJA PENYELENGGARAAN PELAYANAN PUBLIK") == DocType.KINERJA
    assert detect_doc_type("inovasi.pdf", "SD NEGERI 1") == DocType.INOVASI
