"""Identification of long and nested unit names, and of regions that rule a participant out (issue 18, point 7)."""

from __future__ import annotations

import pytest

from models.identify import Identifier
from models.names import JATIM_REGIONS, REGION_ABBREVIATIONS, split_regions, tokens
from models.records import Reason
from models.roster import parse_roster

# Units of several regions, the nested names secretariats really write, and their parents and siblings.
NESTED_CSV = """id,name,category,parent_id
dp3akb,"Dinas Pemberdayaan Perempuan, Perlindungan Anak dan Keluarga Berencana",perangkat_daerah,
uptd-ppa,"UPTD PPA Dinas Pemberdayaan Perempuan, Perlindungan Anak dan Keluarga Berencana",perangkat_daerah,
uptd-puspaga,"UPTD Puspaga Dinas Pemberdayaan Perempuan, Perlindungan Anak dan Keluarga Berencana",perangkat_daerah,
dinsos-p3ap2kb,"Dinas Sosial, Pemberdayaan Perempuan, Perlindungan Anak, Pengendalian Penduduk dan Keluarga Berencana",perangkat_daerah,
dinsos,Dinas Sosial,perangkat_daerah,
satpol,Satuan Polisi Pamong Praja,perangkat_daerah,
upt-damkar,UPT Pemadam Kebakaran dan Penyelamatan pada Satpol PP,perangkat_daerah,satpol
upt-linmas,UPT Perlindungan Masyarakat pada Satuan Polisi Pamong Praja,perangkat_daerah,satpol
bappeda,Badan Perencanaan Pembangunan Daerah,perangkat_daerah,
bidang-ekonomi,Bidang Perekonomian dan Sumber Daya Alam BAPPEDA,perangkat_daerah,
bidang-infra,Bidang Infrastruktur dan Kewilayahan BAPPEDA,perangkat_daerah,
dinkes,Dinas Kesehatan,perangkat_daerah,
"""


@pytest.fixture(scope="module")
def nested() -> Identifier:
    return Identifier(parse_roster(NESTED_CSV))


def test_uptd_named_before_its_dinas_matches_itself_and_not_the_dinas_or_a_sibling(nested: Identifier) -> None:
    name = "UPTD PPA Dinas Pemberdayaan Perempuan, Perlindungan Anak dan Keluarga Berencana"
    # The roster name against itself: the kind word "dinas" comes after the distinctive words.
    assert nested.identify(f"{name}.pdf").participant_id == "uptd-ppa"
    cover = ("PROPOSAL INOVASI PELAYANAN PUBLIK\nSAPA PEREMPUAN\nUPTD PPA\nDINAS PEMBERDAYAAN PEREMPUAN,\n"
             "PERLINDUNGAN ANAK DAN KELUARGA BERENCANA\nTAHUN 2021")
    result = nested.identify("Inovasi UPTD PPA.pdf", cover)
    assert (result.participant_id, result.score) == ("uptd-ppa", 100.0), result
    # The Dinas itself is still its own sender, and the sibling UPTD is never taken for it.
    dinas_cover = ("PROPOSAL KINERJA PENYELENGGARAAN PELAYANAN PUBLIK\nDINAS PEMBERDAYAAN PEREMPUAN,\n"
                   "PERLINDUNGAN ANAK DAN KELUARGA BERENCANA")
    assert nested.identify("kinerja.pdf", dinas_cover).participant_id == "dp3akb"
    puspaga = "PROPOSAL INOVASI\nUPTD PUSPAGA\nDINAS PEMBERDAYAAN PEREMPUAN, PERLINDUNGAN ANAK\nDAN KELUARGA BERENCANA"
    assert nested.identify("inovasi.pdf", puspaga).participant_id == "uptd-puspaga"


def test_agency_name_wrapped_over_three_cover_lines_is_identified(nested: Identifier) -> None:
    cover = ("PROPOSAL KINERJA PENYELENGGARAAN PELAYANAN PUBLIK\nDINAS SOSIAL, PEMBERDAYAAN PEREMPUAN,\n"
             "PERLINDUNGAN ANAK, PENGENDALIAN\nPENDUDUK DAN KELUARGA BERENCANA\nTAHUN 2021")
    result = nested.identify("KINERJA PPP - Dinsos-P3AP2KB.pdf", cover)
    assert (result.participant_id, result.source) == ("dinsos-p3ap2kb", "path+cover"), result
    # Neither the cover alone nor the file name alone is taken for the plain Dinas Sosial or DP3AKB.
    assert nested.identify("dokumen.pdf", cover).participant_id == "dinsos-p3ap2kb"
    assert nested.identify("KINERJA PPP - Dinsos-P3AP2KB.pdf").participant_id == "dinsos-p3ap2kb"
    assert nested.identify("Dinsos kinerja.pdf").participant_id == "dinsos"


def test_upt_named_with_its_satpol_pp_matches_the_upt(nested: Identifier) -> None:
    cover = ("PROPOSAL INOVASI\nTANGGAP API\nUPT PEMADAM KEBAKARAN DAN PENYELAMATAN\n"
             "SATUAN POLISI PAMONG PRAJA\nPEMERINTAH KOTA MALANG")
    assert nested.identify("proposal.pdf", cover).participant_id == "upt-damkar"
    assert nested.identify("UPT Pemadam Kebakaran dan Penyelamatan pada Satpol PP.docx").participant_id == "upt-damkar"
    # The parent alone is the parent; the sibling UPT is never the Damkar's.
    satpol = "PROPOSAL KINERJA PENYELENGGARAAN PELAYANAN PUBLIK\nSATUAN POLISI PAMONG PRAJA\nKOTA MALANG"
    assert nested.identify("kinerja satpol pp.pdf", satpol).participant_id == "satpol"
    linmas = "PROPOSAL INOVASI\nUPT PERLINDUNGAN MASYARAKAT\nSATPOL PP KOTA MALANG"
    assert nested.identify("inovasi.pdf", linmas).participant_id == "upt-linmas"


def test_bidang_of_bappeda_matches_the_bidang_and_not_bappeda_or_another_bidang(nested: Identifier) -> None:
    cover = ("PROPOSAL INOVASI PELAYANAN PUBLIK\nBIDANG PEREKONOMIAN DAN SUMBER DAYA ALAM\n"
             "BADAN PERENCANAAN PEMBANGUNAN DAERAH\nKOTA MALANG")
    assert nested.identify("Inovasi Bidang Ekonomi.pdf", cover).participant_id == "bidang-ekonomi"
    assert nested.identify("Bidang Infrastruktur dan Kewilayahan Bappeda.pdf").participant_id == "bidang-infra"
    assert nested.identify("Bappeda - Proposal Kinerja.pdf").participant_id == "bappeda"
    # A bidang that is not registered is not given to Bappeda, nor to a registered bidang.
    other = "PROPOSAL INOVASI\nBIDANG PEMERINTAHAN DAN PEMBANGUNAN MANUSIA\nBAPPEDA KOTA MALANG"
    assert nested.identify("dokumen.pdf", other).participant_id is None


REGIONS_CSV = """id,name,category,parent_id
bappeda-kota-malang,Bappeda Kota Malang,perangkat_daerah,
bappeda-kab-blitar,BAPPEDA Kabupaten Blitar,perangkat_daerah,
bapenda-kota-malang,Badan Pendapatan Daerah Kota Malang,perangkat_daerah,
bapenda-kab-malang,Badan Pendapatan Daerah Kabupaten Malang,perangkat_daerah,
smp17-kab-malang,SMP Negeri 17 Kabupaten Malang,smp,
smp17-kota-kediri,SMP Negeri 17 Kota Kediri,smp,
smp17-kab-kediri,SMP Negeri 17 Kabupaten Kediri,smp,
dinkes-sby,Dinas Kesehatan Kota Surabaya,perangkat_daerah,
pkm-sukorejo-sby,UPT Puskesmas Sukorejo,puskesmas,dinkes-sby
dinkes-blitar,Dinas Kesehatan Kabupaten Blitar,perangkat_daerah,
pkm-sukorejo-blitar,UPT Puskesmas Sukorejo,puskesmas,dinkes-blitar
kec-lamongan,Kecamatan Lamongan Kabupaten Lamongan,perangkat_daerah,
sd-tuban-1,SD Negeri Tuban 1 Kabupaten Tuban,sd,
"""


@pytest.fixture(scope="module")
def regional() -> Identifier:
    return Identifier(parse_roster(REGIONS_CSV))


def test_region_words_tell_roster_entries_apart(regional: Identifier) -> None:
    cover = "PROPOSAL INOVASI\nBADAN PERENCANAAN PEMBANGUNAN DAERAH\nKABUPATEN BLITAR\nTAHUN 2021"
    assert regional.identify("inovasi bappeda.pdf", cover).participant_id == "bappeda-kab-blitar"
    assert regional.identify("Bappeda Kota Malang.pdf").participant_id == "bappeda-kota-malang"
    # Kota Malang and Kabupaten Malang are two regions; "Malang" alone is either.
    assert regional.identify("Bapenda Kab. Malang.pdf").participant_id == "bapenda-kab-malang"
    assert regional.identify("x.pdf", "BADAN PENDAPATAN DAERAH\nKOTA MALANG").participant_id == "bapenda-kota-malang"
    result = regional.identify("Bapenda Malang.pdf")
    assert result.participant_id is None and result.reason is Reason.AMBIGUOUS_PARTICIPANT
    assert set(result.candidates) == {"bapenda-kota-malang", "bapenda-kab-malang"}
    assert regional.identify("Bappeda.pdf").reason is Reason.AMBIGUOUS_PARTICIPANT


def test_a_region_that_contradicts_the_entry_rules_it_out(regional: Identifier) -> None:
    # The provincial failure: a Surabaya school that is not registered went to the Kabupaten Malang one.
    result = regional.identify("INOVASI SMPN 17 SUR 2021.pdf", "PROPOSAL INOVASI\nSMP NEGERI 17\nKOTA SURABAYA")
    assert result.participant_id is None and result.reason is Reason.UNIDENTIFIED, result
    assert regional.identify("INOVASI SMPN 17 SBY.pdf").participant_id is None
    assert regional.identify("x.pdf", "SMP NEGERI 17 SURABAYA").participant_id is None
    # The file name's region rules out what the cover alone would name, and the other way round.
    assert regional.identify("SMPN 17 Kediri.pdf", "SMP NEGERI 17\nKABUPATEN MALANG").participant_id is None
    assert regional.identify("SMPN 17 Kab Malang.pdf").participant_id == "smp17-kab-malang"


def test_region_abbreviations_in_file_names_are_understood_or_left_undecided(regional: Identifier) -> None:
    # KED is Kediri, but the Kota or the Kabupaten? Never guessed.
    result = regional.identify("KINERJA SMPN 17 KED.pdf")
    assert result.participant_id is None and result.reason is Reason.AMBIGUOUS_PARTICIPANT
    assert set(result.candidates) == {"smp17-kota-kediri", "smp17-kab-kediri"}
    assert regional.identify("KINERJA SMPN 17 KED.pdf", "SMP NEGERI 17 KOTA KEDIRI").participant_id == "smp17-kota-kediri"
    assert regional.identify("SMPN 17 Kab. Kediri.docx").participant_id == "smp17-kab-kediri"
    assert regional.identify("SMPN17 Kota Kediri.docx").participant_id == "smp17-kota-kediri"


def test_a_unit_without_a_region_in_its_name_has_its_parents(regional: Identifier) -> None:
    assert regional.identify("PKM Sukorejo.pdf").reason is Reason.AMBIGUOUS_PARTICIPANT
    cover = "PROPOSAL INOVASI\nUPT PUSKESMAS SUKOREJO\nDINAS KESEHATAN KOTA SURABAYA"
    assert regional.identify("PKM Sukorejo.pdf", cover).participant_id == "pkm-sukorejo-sby"
    assert regional.identify("PKM Sukorejo BLITAR.pdf").participant_id == "pkm-sukorejo-blitar"


def test_a_place_right_after_a_kind_is_the_units_name_not_a_region(regional: Identifier) -> None:
    assert split_regions(tokens("Kecamatan Lamongan Kab. Lamongan"), JATIM_REGIONS) == (
        ["kecamatan", "lamongan"], {("kabupaten", "lamongan")})
    assert split_regions(tokens("INOVASI SMPN 17 SUR"), JATIM_REGIONS, REGION_ABBREVIATIONS) == (
        ["inovasi", "smp", "17"], {("kota", "surabaya")})
    assert regional.identify("Kec. Lamongan.pdf").participant_id == "kec-lamongan"
    # In a text the place counts both ways: "SDN 1 Tuban" is SD Negeri Tuban 1 of Kabupaten Tuban.
    assert regional.identify("SDN 1 Tuban.pdf").participant_id == "sd-tuban-1"
    assert regional.identify("SD Negeri Tuban 1 Kab. Lamongan.pdf").participant_id is None


def test_roster_words_in_most_names_carry_no_identity_unless_they_tell_two_apart() -> None:
    rows = ["id,name,category,parent_id"] + [
        f"kel-{n.lower()},Kelurahan {n} Layanan Prima,kelurahan," for n in ("Sukun", "Gadang", "Bandulan", "Kebonsari")
    ] + ["pkm-a,Puskesmas Janti Layanan Prima,puskesmas,", "pkm-b,Puskesmas Janti,puskesmas,",
         "pkm-c,Puskesmas Arjuno,puskesmas,"]
    ident = Identifier(parse_roster("\n".join(rows)))
    # "layanan prima" is in most names, but one of the two must stay to tell Puskesmas Janti's entries apart.
    assert len({"layanan", "prima"} & ident.derived_generic) == 1
    assert ident.identify("Puskesmas Janti Layanan Prima.pdf").participant_id == "pkm-a"
    assert ident.identify("PKM Janti.pdf").participant_id == "pkm-b"
    rows[-2] = "pkm-b,Puskesmas Gribig,puskesmas,"
    ident = Identifier(parse_roster("\n".join(rows)))
    assert {"layanan", "prima"} <= ident.derived_generic
    assert ident.identify("Kel Sukun.pdf").participant_id == "kel-sukun"
    assert ident.identify("PKM Janti.pdf").participant_id == "pkm-a"  # its "layanan prima" says nothing


def test_fixed_generic_words_are_still_honoured(regional: Identifier) -> None:
    # KIPP_GENERIC_WORDS replaces the fixed list; the roster's words come on top of it.
    ident = Identifier(parse_roster(REGIONS_CSV), frozenset({"dan", "negeri", "daerah", "kota", "kabupaten"}))
    assert "daerah" in ident.generic and "kota" not in ident.generic  # kota must stay to read a region
    assert ident.identify("Badan Pendapatan Kabupaten Malang.pdf").participant_id == "bapenda-kab-malang"


def test_what_a_cover_says_of_its_region(regional: Identifier) -> None:
    # "Malang" alone and "Kabupaten Malang" on one cover: the Kabupaten.
    cover = "PROPOSAL INOVASI\nSMPN 17 MALANG\nPEMERINTAH KABUPATEN MALANG"
    assert regional.regions_mentioned(cover) == {("kabupaten", "malang")}
    assert regional.identify("dokumen.pdf", cover).participant_id == "smp17-kab-malang"
    # The competition's own line names the organiser, not the sender.
    cover = "KOMPETISI INOVASI PELAYANAN PUBLIK (KIPP) KOTA MALANG TAHUN 2021\nSMP NEGERI 17\nKABUPATEN KEDIRI"
    assert regional.identify("dokumen.pdf", cover).participant_id == "smp17-kab-kediri"
    # "Kota" before a word that is no known region says nothing: a programme name, not a place.
    assert regional.regions_mentioned("MENUJU KOTA LAYAK ANAK\nSMP NEGERI 17") == frozenset()
    # Two regions on one cover and no way to tell: neither is ruled out, so the file stays undecided.
    both = regional.identify("x.pdf", "SMP NEGERI 17\nKOTA KEDIRI\nKABUPATEN KEDIRI")
    assert both.reason is Reason.AMBIGUOUS_PARTICIPANT
