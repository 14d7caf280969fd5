"""Identification on the names secretariats really receive."""

from __future__ import annotations

import pytest

from models.identify import Identifier
from models.names import JATIM_REGIONS, split_regions, tokens
from models.records import Reason
from models.roster import parse_roster
from tests.conftest import ROSTER_CSV


@pytest.fixture(scope="module")
def ident() -> Identifier:
    return Identifier(parse_roster(ROSTER_CSV))


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("Proposal Inovasi - SDN Sawojajar 1.pdf", "sd-sawojajar-1"),
        ("proposal_inovasi_SDN_sawojajar2.PDF", "sd-sawojajar-2"),
        ("SDNSawojajar1.pdf", "sd-sawojajar-1"),
        ("SD N 1 Sawojajar.docx", "sd-sawojajar-1"),
        ("KINERJA.SMPN.05.docx", "smp-05"),
        ("SMPN 15/proposal.pdf", "smp-15"),
        ("SMP N 5 (1).pdf", "smp-05"),
        ("smp negri 15 malang.pdf", "smp-15"),
        ("Kel. Bunulrjo/Kinerja.docx", "kel-bunulrejo"),
        ("PKM Kendalkrep inovasi.pdf", "pkm-kendalkerep"),
        ("pkm rampalcelaket.docx", "pkm-rampal"),
        ("Puskesmas Rampal Celaket.docx", "pkm-rampal"),
        ("Dispendukcapil_inovasi.pdf", "pd-capil"),
        ("DINKES - kinerja.pdf", "pd-dinkes"),
        ("Kel Balearjosari.pdf", "kel-balearjosari"),
        ("Kel Arjosari.pdf", "kel-arjosari"),
        ("Kec. Kedungkandang/inovasi.pdf", "kec-kedungkandang"),
        ("Proposal Inovasi (File responses)/Inovasi SMPN 5 - Budi Santoso.pdf", "smp-05"),
    ],
)
def test_messy_file_names_name_the_right_participant(ident: Identifier, path: str, expected: str) -> None:
    result = ident.identify(path)
    assert result.participant_id == expected, result
    assert result.score >= 80


@pytest.mark.parametrize(
    "path",
    [
        "SMPN 25.pdf",  # not registered; SMP Negeri 5 and 15 must not be guessed
        "SDN Sawojajar 9.pdf",
        "SDN Sawojajar.pdf",  # which of the two?
        "Scan_20210203_0012.pdf",
        "Original - Respondent.pdf",
        "Proposal Inovasi - Budi Santoso.pdf",
    ],
)
def test_names_that_say_nothing_or_the_wrong_number_are_not_assigned(ident: Identifier, path: str) -> None:
    assert ident.identify(path).participant_id is None


def test_shared_place_name_without_a_kind_is_ambiguous(ident: Identifier) -> None:
    result = ident.identify("Kedungkandang.pdf")
    assert result.participant_id is None
    assert result.reason is Reason.AMBIGUOUS_PARTICIPANT
    # The kecamatan is the kelurahan's parent, so only the kelurahan and the puskesmas remain.
    assert set(result.candidates) == {"kel-kedungkandang", "pkm-kedungkandang"}


def test_scanner_name_is_identified_by_the_cover_page(ident: Identifier) -> None:
    cover = "PROPOSAL INOVASI PELAYANAN PUBLIK\nSI CANTIK\nUPT PUSKESMAS KENDALKEREP\nDINAS KESEHATAN\nTAHUN 2021"
    result = ident.identify("Scan_20210203_0012.pdf", cover)
    assert (result.participant_id, result.source) == ("pkm-kendalkerep", "cover")


def test_cover_names_split_over_two_lines_are_joined(ident: Identifier) -> None:
    cover = "PROPOSAL\nSD NEGERI\nSAWOJAJAR 2\nDINAS PENDIDIKAN DAN KEBUDAYAAN"
    assert ident.identify("dokumen final.pdf", cover).participant_id == "sd-sawojajar-2"


def test_parent_named_on_the_cover_does_not_compete_with_the_child(ident: Identifier) -> None:
    cover = "PROPOSAL KINERJA\nKELURAHAN KEDUNGKANDANG\nKECAMATAN KEDUNGKANDANG\nPEMERINTAH KOTA MALANG"
    assert ident.identify("dokumen.docx", cover).participant_id == "kel-kedungkandang"


def test_file_name_and_cover_that_disagree_leave_the_file_unidentified(ident: Identifier) -> None:
    result = ident.identify("SMPN 5 inovasi.pdf", "PROPOSAL INOVASI\nSD NEGERI SAWOJAJAR 2")
    assert result.participant_id is None
    assert result.reason is Reason.CONFLICTING_PARTICIPANT
    assert set(result.candidates) == {"smp-05", "sd-sawojajar-2"}


def test_file_named_after_the_dinas_with_a_school_cover_belongs_to_the_school(ident: Identifier) -> None:
    result = ident.identify("Disdikbud/kiriman.pdf", "PROPOSAL INOVASI\nSMP NEGERI 15 MALANG")
    assert result.participant_id == "smp-15"


def test_numbers_are_exact_and_lose_leading_zeros() -> None:
    assert tokens("SMPN 05") == ["smp", "5"]
    # "Malang" is a region, read apart from the name (see test_regions.py).
    assert split_regions(tokens("SMP Negeri 15 Malang"), JATIM_REGIONS) == (["smp", "15"], {(None, "malang")})
    assert tokens("Scan_20210203_0012") == ["scan"]


def test_abbreviations_expand_to_the_roster_wording() -> None:
    assert tokens("Dispendukcapil") == tokens("Dinas Kependudukan dan Pencatatan Sipil")
    assert tokens("UPT PKM Dinoyo") == tokens("Puskesmas Dinoyo")
    assert tokens("Satpol PP") == tokens("Satuan Polisi Pamong Praja")


def test_a_dinas_is_not_named_by_an_ordinary_word_in_a_title(ident: Identifier) -> None:
    cover = "Judul Inovasi:\nSI CANTIK\n(Sistem Informasi Cepat Antrian Terpadu Kesehatan)\nPEMERINTAH KOTA MALANG"
    assert ident.identify("KIPP - Ratna Susanti, S.Pd.pdf", cover).participant_id is None


def test_unregistered_school_under_its_dinas_is_not_given_to_the_dinas(ident: Identifier) -> None:
    cover = "Proposal Kinerja Penyelenggaraan Pelayanan Publik\nSDN PANDANWANGI 8\nDINAS PENDIDIKAN DAN KEBUDAYAAN"
    assert ident.identify("Kinerja - sdn pandanwangi8.PDF", cover).participant_id is None


def test_kind_names_only_the_place_right_after_it(ident: Identifier) -> None:
    cover = "SIMPATI\n(Sistem Pelayanan Administrasi Terpadu Kelurahan)\nKECAMATAN KEDUNGKANDANG"
    assert ident.identify("Kecamatan Kedungkandang proposal - Copy.docx", cover).participant_id == "kec-kedungkandang"


def test_spelled_out_school_kind_is_understood(ident: Identifier) -> None:
    cover = "PROPOSAL INOVASI\nDiajukan oleh:\nSEKOLAH DASAR NEGERI SAWOJAJAR 2\nPEMERINTAH KOTA MALANG"
    assert ident.identify("KIPP - Rina Wibowo.DOCX", cover).participant_id == "sd-sawojajar-2"
