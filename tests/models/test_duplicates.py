"""Duplicate detection on small hand-written proposals: copies are flagged, templates are not."""

from __future__ import annotations

import hashlib
import random
from dataclasses import replace
from pathlib import Path

import pytest

from models.duplicates import (
    Decision,
    DocText,
    DuplicateKind,
    DuplicateSettings,
    Severity,
    apply_decisions,
    decision_key,
    derive_title,
    find_duplicates,
)
from models.records import FileStatus, ParticipantStatus

COVER = "PROPOSAL INOVASI PELAYANAN PUBLIK\nKOMPETISI INOVASI PELAYANAN PUBLIK (KIPP) KOTA MALANG TAHUN 2021\n"

# An Inovasi proposal of UPT Puskesmas Dinoyo; {unit} is the unit's name.
ANTRIAN = [
    "Latar belakang: {unit} melayani sekitar 340 pasien setiap hari pada poli umum dan poli gigi.",
    "Pasien lansia harus datang sebelum subuh untuk mendapatkan nomor antrian di loket pendaftaran.",
    "Ruang tunggu yang sempit membuat pasien berdesakan dan sebagian pulang tanpa sempat diperiksa.",
    "Survei kepuasan semester kedua tahun 2020 memberi nilai unsur waktu pelayanan hanya 61,4.",
    "Petugas pendaftaran di {unit} berjumlah empat orang dan juga menangani klaim BPJS.",
    "Inovasi SI CANTIK memungkinkan pasien mengambil nomor antrian melalui pesan WhatsApp dari rumah.",
    "Pasien menerima perkiraan jam dipanggil sehingga cukup datang lima belas menit sebelumnya.",
    "Kader posyandu membantu lansia yang tidak memiliki telepon pintar untuk mendaftar lewat kader RW.",
    "Tahap pertama dimulai pada bulan Maret 2020 dengan pemetaan alur pendaftaran bersama kader.",
    "Tim kemudian menyusun standar operasional prosedur yang memuat sembilan langkah pelayanan.",
    "Uji coba selama enam minggu melibatkan 410 pasien dari tiga kelurahan di wilayah kerja.",
    "Sosialisasi dilakukan melalui radio komunitas, spanduk di pasar, dan pengajian ibu-ibu.",
    "Setelah inovasi berjalan, rata-rata waktu tunggu turun dari 142 menit menjadi 38 menit.",
    "Jumlah pasien yang pulang sebelum diperiksa berkurang dari 27 orang menjadi dua orang per hari.",
    "Nilai survei kepuasan naik dari 61,4 menjadi 86,9 pada akhir tahun 2021.",
    "Anggaran pengembangan sebesar Rp14.500.000 berasal dari dana kapitasi {unit}.",
    "Sarana yang digunakan meliputi satu komputer, satu telepon pintar, dan layar panggil di ruang tunggu.",
    "Kendala utama adalah jaringan internet yang sering terputus pada jam sibuk pagi hari.",
    "Untuk mengatasinya, {unit} menyiapkan modem cadangan dan pencatatan manual sementara.",
    "Keberlanjutan dijamin melalui surat keputusan kepala {unit} tentang tim pengelola antrian.",
    "Inovasi ini telah direplikasi oleh dua puskesmas tetangga pada awal tahun 2022.",
    "Ke depan, {unit} berencana menambahkan pengingat jadwal kontrol bagi pasien hipertensi.",
    "Komitmen pimpinan dituangkan dalam rencana kerja tahunan dan rapat evaluasi bulanan.",
    "Warga menyampaikan apresiasi karena tidak lagi kehilangan setengah hari kerja untuk berobat.",
]

# An unrelated school innovation.
LITERASI = [
    "{unit} menghadapi rendahnya minat baca siswa kelas rendah sejak pembelajaran jarak jauh.",
    "Hasil asesmen awal menunjukkan 43 persen siswa kelas dua belum lancar membaca kalimat sederhana.",
    "Program POJOK BACA GEMBIRA menempatkan rak buku bergambar di setiap sudut kelas dan teras sekolah.",
    "Setiap pagi siswa membaca bersama selama lima belas menit sebelum pelajaran dimulai.",
    "Orang tua diundang menjadi relawan pendongeng satu kali dalam sebulan.",
    "Koleksi buku bertambah dari 210 judul menjadi 1.140 judul berkat donasi alumni dan komite.",
    "Guru mencatat kemajuan membaca setiap siswa dalam buku jurnal yang dibagikan kepada wali murid.",
    "Setelah satu semester, siswa yang belum lancar membaca turun menjadi sembilan persen.",
    "Perpustakaan keliling mengunjungi dua SD kecil di sekitar {unit} setiap hari Sabtu.",
    "Kendala yang muncul adalah buku cepat rusak karena sering dipinjam anak-anak kelas satu.",
    "Sekolah melatih siswa kelas enam menjadi dokter buku yang merawat sampul dan halaman sobek.",
    "Keberlanjutan program dianggarkan dalam rencana kegiatan dan anggaran sekolah setiap tahun.",
    "Kegiatan ini juga melahirkan lomba menulis cerita pendek yang diikuti 96 siswa.",
    "Dinas Pendidikan dan Kebudayaan menjadikan program ini contoh dalam forum kepala sekolah.",
]

# The legal basis every Kinerja proposal repeats.
REGULATION = (
    "Undang-Undang Nomor 25 Tahun 2009 tentang Pelayanan Publik menegaskan bahwa negara berkewajiban "
    "melayani setiap warga negara dan penduduk untuk memenuhi hak dan kebutuhan dasarnya dalam kerangka "
    "pelayanan publik yang merupakan amanat Undang-Undang Dasar Negara Republik Indonesia Tahun 1945. "
    "Penyelenggara wajib menyusun dan menetapkan standar pelayanan, menyusun dan menetapkan maklumat "
    "pelayanan, menempatkan pelaksana yang kompeten, menyediakan sarana, prasarana, dan fasilitas pelayanan "
    "publik yang mendukung terciptanya iklim pelayanan yang memadai, serta memberikan pelayanan yang "
    "berkualitas sesuai dengan asas penyelenggaraan pelayanan publik. Peraturan Menteri Pendayagunaan "
    "Aparatur Negara dan Reformasi Birokrasi Nomor 15 Tahun 2014 tentang Pedoman Standar Pelayanan "
    "menetapkan bahwa standar pelayanan sekurang-kurangnya memuat komponen persyaratan, sistem, mekanisme, "
    "dan prosedur, jangka waktu pelayanan, biaya atau tarif, produk pelayanan, sarana, prasarana, dan "
    "fasilitas, kompetensi pelaksana, pengawasan internal, penanganan pengaduan, saran, dan masukan, jumlah "
    "pelaksana, jaminan pelayanan, jaminan keamanan dan keselamatan pelayanan, serta evaluasi kinerja "
    "pelaksana. Peraturan Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi Nomor 14 Tahun 2017 "
    "mewajibkan setiap unit melaksanakan survei kepuasan masyarakat secara berkala paling sedikit satu kali "
    "dalam setahun dengan unsur persyaratan, prosedur, waktu penyelesaian, biaya, produk, kompetensi "
    "pelaksana, perilaku pelaksana, penanganan pengaduan, serta sarana dan prasarana."
)

KINERJA_UNITS = ["Kelurahan Bunulrejo", "Kelurahan Arjosari", "UPT Puskesmas Kendalkerep", "SMP Negeri 5 Malang",
                 "SD Negeri Sawojajar 1", "Dinas Kependudukan dan Pencatatan Sipil"]
# Each unit's own facts, worded its own way.
KINERJA_OWN = [
    "Kantor kami melayani surat pengantar nikah dan pindah domisili; antrean terpanjang terjadi tiap awal bulan.",
    "Pada 2020 tercatat 2.114 permohonan legalisasi, seluruhnya selesai di hari yang sama tanpa biaya.",
    "Poli TB kami mendampingi 57 pasien hingga sembuh dengan kunjungan rumah oleh kader setiap Kamis.",
    "Layanan mutasi siswa dan legalisasi ijazah alumni dibuka di ruang tata usaha pukul tujuh sampai dua.",
    "Komite sekolah memeriksa laporan dana BOS tiap triwulan dan menempelkannya di papan pengumuman.",
    "Perekaman KTP elektronik jemput bola menjangkau 1.380 warga lansia dan penyandang disabilitas di panti.",
]


def _sha(text: str, fmt: str = "pdf") -> str:
    return hashlib.sha256(f"{fmt}\n{text}".encode()).hexdigest()


def _doc(path: str, text: str, participant: str | None, doc_type: str = "inovasi", fmt: str = "pdf",
         sha: str | None = None, **extra) -> DocText:
    return DocText(path, sha or _sha(text, fmt), text, participant, doc_type, format=fmt, **extra)


def _proposal(sentences: list[str], unit: str, title: str) -> str:
    body = "\n".join(" ".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4))
    return COVER + f"{title}\n{unit.upper()}\n" + body.replace("{unit}", unit)


def _copy(sentences: list[str], rng: random.Random) -> list[str]:
    """A third of the sentences rewritten, two added, the order of paragraphs shuffled."""
    out = list(sentences)
    for i in rng.sample(range(len(out)), len(out) // 3):
        out[i] = f"Bagian ini kami tulis ulang dengan kata-kata sendiri nomor {i} agar tidak sama persis."
    out.insert(5, "Tim juga mengajak karang taruna untuk membantu warga yang belum paham teknologi.")
    out.insert(12, "Kami bersyukur inovasi ini mendapat dukungan penuh dari lurah dan camat setempat.")
    blocks = [out[i : i + 4] for i in range(0, len(out), 4)]
    rng.shuffle(blocks)
    return [s for block in blocks for s in block]


def _as_pdf(text: str, width: int = 60, footers: bool = False) -> str:
    """The same text wrapped and hyphenated the way a PDF extractor returns it."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            if len(line) + len(word) + 1 <= width:
                line = f"{line} {word}" if line else word
            elif len(word) > 8 and word.isalpha():
                lines.append(f"{line} {word[:4]}-")
                line = word[4:]
            else:
                lines.append(line)
                line = word
        lines.append(line)
    if footers:
        lines = [x for i, line in enumerate(lines, 1) for x in ([line, f"Halaman {i // 10}"] if not i % 10 else [line])]
    return "\n".join(lines)


SOURCE = _proposal(ANTRIAN, "UPT Puskesmas Dinoyo", "SI CANTIK (Sistem Antrian Cepat Tanpa Keluhan)")
COPY = _proposal(_copy(ANTRIAN, random.Random(3)), "Kelurahan Bunulrejo", "SIGAP (Sistem Giliran Antrian Pintar)")
OTHER = _proposal(LITERASI, "SD Negeri Sawojajar 1", "POJOK BACA GEMBIRA (Pojok Buku Bacaan Gemar Membaca)")


def _kinds(flags) -> list[tuple[str, str, str]]:
    return [(f.a, f.b, f.kind.value) for f in flags]


# -- exact and cross_format -------------------------------------------------------------------


def test_same_bytes_from_two_participants_is_exact() -> None:
    flags = find_duplicates([
        _doc("pkm-dinoyo/inovasi.pdf", SOURCE, "pkm-dinoyo"),
        _doc("kel-bunulrejo/inovasi.pdf", SOURCE, "kel-bunulrejo"),
        _doc("sd-sawojajar-1/inovasi.pdf", OTHER, "sd-sawojajar-1"),
    ])
    assert _kinds(flags) == [("kel-bunulrejo/inovasi.pdf", "pkm-dinoyo/inovasi.pdf", "exact")]
    flag = flags[0]
    assert flag.score == 1.0 and flag.severity is Severity.HIGH
    assert flag.evidence and flag.evidence[0].a == flag.evidence[0].b


def test_identical_copy_of_ones_own_file_is_left_to_screening() -> None:
    flags = find_duplicates([
        _doc("pkm-dinoyo/inovasi.pdf", SOURCE, "pkm-dinoyo"),
        _doc("pkm-dinoyo/inovasi (1).pdf", SOURCE, "pkm-dinoyo"),
    ])
    assert flags == []


def test_pdf_and_docx_of_one_text_is_cross_format() -> None:
    flags = find_duplicates([
        _doc("kel-bunulrejo/inovasi.docx", SOURCE, "kel-bunulrejo", fmt="docx"),
        _doc("pkm-dinoyo/inovasi.pdf", _as_pdf(SOURCE), "pkm-dinoyo", fmt="pdf"),
    ])
    assert _kinds(flags) == [("kel-bunulrejo/inovasi.docx", "pkm-dinoyo/inovasi.pdf", "cross_format")]
    assert flags[0].score == 1.0 and flags[0].severity is Severity.HIGH


def test_one_participants_pdf_with_page_numbers_and_its_docx_is_cross_format_info() -> None:
    flags = find_duplicates([
        _doc("pkm-dinoyo/inovasi.docx", SOURCE, "pkm-dinoyo", fmt="docx"),
        _doc("pkm-dinoyo/inovasi.pdf", _as_pdf(SOURCE, footers=True), "pkm-dinoyo", fmt="pdf"),
        _doc("sd-sawojajar-1/inovasi.pdf", OTHER, "sd-sawojajar-1"),
    ])
    assert _kinds(flags) == [("pkm-dinoyo/inovasi.docx", "pkm-dinoyo/inovasi.pdf", "cross_format")]
    assert flags[0].severity is Severity.INFO and 0.9 <= flags[0].score < 1.0


# -- near copies --------------------------------------------------------------------------------


def test_copy_with_unit_name_changed_and_sentences_edited_is_near() -> None:
    flags = find_duplicates([
        _doc("pkm-dinoyo/inovasi.pdf", SOURCE, "pkm-dinoyo"),
        _doc("kel-bunulrejo/inovasi.docx", COPY, "kel-bunulrejo", fmt="docx"),
        _doc("sd-sawojajar-1/inovasi.pdf", OTHER, "sd-sawojajar-1"),
    ])
    assert _kinds(flags) == [("kel-bunulrejo/inovasi.docx", "pkm-dinoyo/inovasi.pdf", "near")]
    flag = flags[0]
    assert 0.5 <= flag.score < 1.0
    assert (flag.a_participant, flag.b_participant) == ("kel-bunulrejo", "pkm-dinoyo")
    # Side by side, the names differ and the sentences around them match.
    assert any("Kelurahan Bunulrejo" in p.a and "UPT Puskesmas Dinoyo" in p.b for p in flag.evidence)


def test_evidence_passages_come_longest_first() -> None:
    flags = find_duplicates(
        [_doc("a.pdf", SOURCE, "pkm-dinoyo"), _doc("b.pdf", COPY, "kel-bunulrejo")],
        settings=DuplicateSettings(evidence_passages=5),
    )
    words = [p.words for p in flags[0].evidence]
    assert len(words) >= 3
    assert words == sorted(words, reverse=True)
    assert all(p.words >= 8 and 0 < p.similarity <= 1 for p in flags[0].evidence)


def test_versions_of_one_participants_proposal_are_not_near_duplicates() -> None:
    flags = find_duplicates([
        _doc("pkm-dinoyo/inovasi v1.pdf", SOURCE, "pkm-dinoyo"),
        _doc("pkm-dinoyo/inovasi v2.pdf", COPY, "pkm-dinoyo"),
    ])
    assert flags == []


def test_unrelated_proposals_are_not_flagged() -> None:
    flags = find_duplicates([_doc("a.pdf", SOURCE, "pkm-dinoyo"), _doc("b.pdf", OTHER, "sd-sawojajar-1")])
    assert flags == []


# -- templates ----------------------------------------------------------------------------------


def _kinerja(i: int) -> DocText:
    unit = KINERJA_UNITS[i]
    text = (f"PROPOSAL KINERJA PENYELENGGARAAN PELAYANAN PUBLIK\n{unit.upper()}\nBAB I DASAR HUKUM\n"
            f"{REGULATION}\nBAB II PROFIL\n{unit}: {KINERJA_OWN[i]}")
    return _doc(f"k{i}/kinerja.pdf", text, f"p{i}", doc_type="kinerja")


def test_kinerja_proposals_sharing_only_the_legal_basis_are_not_flagged() -> None:
    docs = [_kinerja(i) for i in range(6)]
    assert find_duplicates(docs) == []


def test_known_template_text_never_counts_as_copying() -> None:
    docs = [_kinerja(0), _kinerja(1)]  # two documents alone cannot tell a template from a copy
    assert [f.kind for f in find_duplicates(docs)] == [DuplicateKind.NEAR]
    assert find_duplicates(docs, templates=[REGULATION]) == []


# -- earlier editions ---------------------------------------------------------------------------


def test_resubmitted_innovation_from_an_earlier_edition_is_flagged_with_its_edition() -> None:
    old = _doc("prior/2020/pkm-dinoyo/inovasi.pdf", SOURCE.replace("2021", "2020"), "pkm-dinoyo", edition="2020")
    flags = find_duplicates([_doc("pkm-dinoyo/inovasi.pdf", COPY, "pkm-dinoyo")], prior=[old])
    assert _kinds(flags) == [("pkm-dinoyo/inovasi.pdf", "prior/2020/pkm-dinoyo/inovasi.pdf", "prior_edition")]
    assert flags[0].edition == "2020" and flags[0].severity is Severity.HIGH
    assert flags[0].to_json()["edition"] == "2020"


def test_kinerja_text_reused_from_an_earlier_edition_is_medium() -> None:
    old = replace(_kinerja(0), path="prior/2020/k0/kinerja.pdf", edition="2020")
    docs = [_kinerja(i) for i in range(6)]
    flags = find_duplicates(docs, prior=[old])
    assert [(f.a, f.b, f.kind, f.severity) for f in flags] == [
        ("k0/kinerja.pdf", "prior/2020/k0/kinerja.pdf", DuplicateKind.PRIOR_EDITION, Severity.MEDIUM)]


def test_earlier_editions_are_not_compared_with_each_other_and_get_the_prior_prefix() -> None:
    prior = [_doc("2019/a.pdf", SOURCE, "x", edition="2019"), _doc("2020/a.pdf", SOURCE, "y", edition="2020")]
    assert find_duplicates([_doc("c.pdf", OTHER, "z")], prior=prior) == []
    flags = find_duplicates([_doc("c.pdf", SOURCE, "z")], prior=prior)
    assert [(f.b, f.edition, f.score) for f in flags] == [("prior/2019/a.pdf", "2019", 1.0),
                                                          ("prior/2020/a.pdf", "2020", 1.0)]


# -- names --------------------------------------------------------------------------------------


def _titled(title: str, sentences: list[str], unit: str, participant: str, path: str, **extra) -> DocText:
    """An Inovasi proposal whose cover carries this innovation name; the name is read from the text."""
    return _doc(path, _proposal(sentences, unit, title), participant, **extra)


# Names only: the bodies of these proposals are unrelated, so only a title flag can appear.
def _names_only(*titles: str) -> list:
    bodies = [(ANTRIAN, "UPT Puskesmas Dinoyo"), (LITERASI, "SD Negeri Sawojajar 1")]
    docs = [
        _titled(title, *bodies[i % 2], f"p{i}", f"p{i}/inovasi.pdf")
        for i, title in enumerate(titles)
    ]
    return find_duplicates(docs, settings=DuplicateSettings(near_threshold=1.01))


def test_one_acronym_spelt_out_two_ways_is_two_innovations_and_never_flags() -> None:
    # The independent edition's 270 needless flags: PPINTAR is two different innovations here.
    assert _names_only("PPINTAR (Perpustakaan Terpadu)", "PPINTAR (Pembelajaran Keliling)") == []
    assert _names_only("SI CANTIK (Sistem Antrian Cepat Tanpa Keluhan)", "Sistem Cerdas Anak Tangguh (SI CANTIK)") == []


@pytest.mark.parametrize(
    "other",
    [
        "Si-Cantik (sistem antrian cepat, tanpa keluhan)",  # case and punctuation
        "Sistem Antrian Cepat Tanpa Keluhan (SICANTIK)",  # acronym last, written together
        "SI CANTIK: Sistem Antrian Cepat Tanpa Keluhan",  # a colon instead of brackets
        "“SI CANTIK” (Sistem Antrean Cepat Tanpa Keluhan)",  # quoted; antrean is how KBBI spells it
        "SI CANTIK (Sistem Cepat Antrian Tanpa Keluhan)",  # word order
        "SI CANTIK (Sistem Antrian Cepat Tanpa Kluhan)",  # a typo
        "SICANTIKTAKEL (Sistem Antrian Cepat Tanpa Keluhan)",  # the acronym in full, or cut short
    ],
)
def test_the_same_whole_name_written_differently_is_a_low_title_flag(other: str) -> None:
    name = "SI CANTIK (Sistem Antrian Cepat Tanpa Keluhan)"
    flags = _names_only(name, other)
    assert _kinds(flags) == [("p0/inovasi.pdf", "p1/inovasi.pdf", "title")]
    assert flags[0].severity is Severity.LOW and 0.8 <= flags[0].score <= 1.0
    assert (flags[0].evidence[0].a, flags[0].evidence[0].b) == (name, other.replace("“", "").replace("”", ""))


def test_the_same_long_name_without_an_acronym_is_a_title_flag() -> None:
    flags = _names_only("Judul Inovasi: Gerakan Masyarakat Peduli Lansia",
                        "Nama Inovasi: gerakan masyarakat peduli lansia.")
    assert _kinds(flags) == [("p0/inovasi.pdf", "p1/inovasi.pdf", "title")]
    assert flags[0].score == 1.0
    # In capitals, three words are still a name, not an acronym.
    assert len(_names_only("Nama Inovasi: KAMPUNG SEHAT GURU", "Nama Inovasi: Kampung Sehat Guru")) == 1


def test_a_spelt_out_name_on_one_side_agrees_with_the_same_name_and_its_acronym_on_the_other() -> None:
    flags = _names_only("GEMAR (Gerakan Masyarakat Peduli Lansia)", "Nama Inovasi: Gerakan Masyarakat Peduli Lansia")
    assert _kinds(flags) == [("p0/inovasi.pdf", "p1/inovasi.pdf", "title")]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("SI CANTIK", "SI CANTIK (Sistem Antrian Cepat Tanpa Keluhan)"),  # an acronym alone says nothing
        ("SIMPEL", "SIMPEL"),
        ("GEMAR (Gerakan Masyarakat Peduli Lansia)", "GMPL (Gerakan Masyarakat Peduli Lansia)"),  # not the whole name
        ("Pelayanan Gigi Keliling Sekolah", "Pelayanan Gizi Keliling Sekolah"),  # one word apart is another name
        ("Posyandu Lansia", "Posyandu Lansia"),  # a service every puskesmas runs, not one innovation
        ("Nama Inovasi: Inovasi Pelayanan Publik", "Nama Inovasi: Inovasi Pelayanan Publik"),
        ("Nama Inovasi: Proposal Inovasi", "Nama Inovasi: Proposal Inovasi"),
        ("Nama Inovasi: Sistem Informasi Pelayanan Publik", "Nama Inovasi: Sistem Informasi Pelayanan"),
        ("Nama Inovasi: UPT Puskesmas Dinoyo", "Nama Inovasi: UPT Puskesmas Dinoyo"),  # the unit's own name
        ("Nama Inovasi: SD Negeri Sawojajar 1", "Nama Inovasi: SDN Sawojajar 2"),
        ("Gerakan Literasi Kelas 3 Ceria", "Gerakan Literasi Kelas 4 Ceria"),  # numbers are exact
    ],
)
def test_acronyms_alone_other_words_and_generic_names_never_flag(a: str, b: str) -> None:
    assert _names_only(a, b) == []


def test_many_units_sharing_popular_acronyms_raise_only_the_one_real_flag() -> None:
    objects = ("Lansia", "Balita", "Ibu Hamil", "Siswa", "Perizinan", "Pajak Daerah", "Sampah", "Akta",
               "Posyandu", "Warga", "Pasar", "Literasi")
    heads = ("Sistem", "Layanan", "Gerakan", "Aplikasi")
    acronyms = ("SIMPEL", "SI CANTIK", "LAPOR")
    titles = [
        f"{acronym} ({head} {mid} {obj})"
        for acronym, mid in zip(acronyms, ("Mudah Pelayanan", "Cepat Antar", "Pengaduan Online"), strict=True)
        for head in heads for obj in objects
    ]
    assert len(titles) == len(set(titles)) == 144
    # One unit entered another's innovation under its whole name: the one flag to read.
    titles.append(titles[17].upper())
    flags = _names_only(*titles)
    assert [(f.kind, f.a, f.b) for f in flags] == [(DuplicateKind.TITLE, "p144/inovasi.pdf", "p17/inovasi.pdf")]


def test_kinerja_names_no_innovation_and_earlier_editions_share_names_too() -> None:
    name = "GEMAR (Gerakan Masyarakat Peduli Lansia)"
    docs = [
        _doc("a.pdf", SOURCE, "p1", title=name),
        _doc("c.pdf", OTHER.replace("Sawojajar", "Bareng"), "p3", doc_type="kinerja", title=name),
    ]
    old = _doc("2020/x.pdf", OTHER, None, title="Gerakan Masyarakat Peduli Lansia (GEMAR)", edition="2020")
    flags = find_duplicates(docs, prior=[old], settings=DuplicateSettings(near_threshold=1.01))
    assert [(f.a, f.b, f.kind.value, f.edition) for f in flags] == [("a.pdf", "prior/2020/x.pdf", "title", "2020")]


@pytest.mark.parametrize(
    ("text", "title"),
    [
        (COVER + "SI CANTIK (Sistem Antrian Cepat)\nUPT PUSKESMAS DINOYO", "SI CANTIK (Sistem Antrian Cepat)"),
        (COVER + "Sistem Antrian Cepat (SI CANTIK)\n", "Sistem Antrian Cepat (SI CANTIK)"),
        (COVER + "SI CANTIK: Sistem Antrian Cepat\n", "SI CANTIK: Sistem Antrian Cepat"),
        (COVER + "SI CANTIK\n(Sistem Antrian Cepat)\nUPT PUSKESMAS DINOYO", "SI CANTIK (Sistem Antrian Cepat)"),
        (COVER + "Simpel\n(Sistem Pelayanan Lansia)\nUPT PUSKESMAS DINOYO", "Simpel (Sistem Pelayanan Lansia)"),
        ("PROPOSAL\nJudul Inovasi:\nSI CANTIK\n(Sistem Antrian Cepat)\n", "SI CANTIK (Sistem Antrian Cepat)"),
        ("PROPOSAL\nNama Inovasi : Gerakan Peduli Lansia\nKelurahan Arjosari", "Gerakan Peduli Lansia"),
        ("PROPOSAL\nJudul Inovasi:\nRumah Gizi Balita\n", "Rumah Gizi Balita"),
        (COVER + "UPT PUSKESMAS DINOYO\nLatar belakang", None),
        (COVER + "SI CANTIK\nUPT PUSKESMAS DINOYO", None),  # an acronym alone on a line is not taken for a name
    ],
)
def test_innovation_name_is_read_from_the_first_lines(text: str, title: str | None) -> None:
    assert derive_title(text) == title


# -- decisions, output, order -------------------------------------------------------------------


def _copy_flags():
    return find_duplicates([
        _doc("pkm-dinoyo/inovasi.pdf", SOURCE, "pkm-dinoyo"),
        _doc("kel-bunulrejo/inovasi.docx", COPY, "kel-bunulrejo", fmt="docx"),
        _doc("kel-arjosari/inovasi.pdf", SOURCE, "kel-arjosari"),
    ])


def test_decisions_are_kept_by_a_key_that_survives_renaming() -> None:
    flags = _copy_flags()
    near = next(f for f in flags if f.kind is DuplicateKind.NEAR)
    key = decision_key(near)
    assert key == f"near:{min(near.a_sha256, near.b_sha256)}:{max(near.a_sha256, near.b_sha256)}"
    decided = apply_decisions(flags, {key: "dismissed"})
    assert [f.decision for f in decided if f.key == key] == [Decision.DISMISSED] * sum(f.key == key for f in flags)
    assert all(f.decision is None for f in decided if f.key != key)
    renamed = replace(near, a="elsewhere/" + near.a)
    assert apply_decisions([renamed], {key: "confirmed"})[0].decision is Decision.CONFIRMED
    # Kelurahan Arjosari handed in Puskesmas Dinoyo's very bytes: both near flags to Bunulrejo's copy
    # have one key and one decision; the exact flag keeps none.
    assert [(f.to_json()["kind"], f.to_json()["decision"]) for f in decided] == [
        ("exact", None), ("near", "dismissed"), ("near", "dismissed")]
    with pytest.raises(ValueError, match="unknown decision"):
        apply_decisions(flags, {key: "maybe"})


def test_flags_publish_the_five_keys() -> None:
    flags = _copy_flags()
    assert [f.kind for f in flags] == [DuplicateKind.EXACT, DuplicateKind.NEAR, DuplicateKind.NEAR]
    for flag in flags:
        row = flag.to_json()
        assert {"a", "b", "kind", "score", "evidence"} <= row.keys()
        assert row["kind"] in {k.value for k in DuplicateKind}
        assert row["evidence"] and all({"a", "b"} <= p.keys() for p in row["evidence"])


def _inbox(root: Path, copies: bool) -> Path:
    """Five participants' proposals; with copies, Kelurahan Bunulrejo's Inovasi is an edited copy of
    Puskesmas Kendalkerep's and SMP Negeri 5 names its innovation as SD Negeri Sawojajar 1 does."""
    from tests.conftest import BODY, cover, make_docx, make_pdf

    def pdf(path: str, unit: str, title: str, sentences: list[str]) -> None:
        body = "\n".join(sentences).replace("{unit}", unit)
        make_pdf(root / path, [cover("PROPOSAL INOVASI PELAYANAN PUBLIK", unit.upper(), title), body])

    pdf("Puskesmas Kendalkerep/Proposal Inovasi.pdf", "UPT Puskesmas Kendalkerep",
        "SI CANTIK (Sistem Antrian Cepat Tanpa Keluhan)", ANTRIAN)
    if copies:
        make_docx(root / "Kel Bunulrejo/Proposal Inovasi.docx",
                  ["PROPOSAL INOVASI PELAYANAN PUBLIK", "KELURAHAN BUNULREJO", "SIGAP (Sistem Giliran Antrian Pintar)",
                   *(s.replace("{unit}", "Kelurahan Bunulrejo") for s in _copy(ANTRIAN, random.Random(3)))])
    else:
        make_docx(root / "Kel Bunulrejo/Proposal Inovasi.docx",
                  ["PROPOSAL INOVASI PELAYANAN PUBLIK", "KELURAHAN BUNULREJO", "SIGAP (Sistem Giliran Antrian Pintar)",
                   *(s.replace("{unit}", "Kelurahan Bunulrejo") for s in KINERJA_OWN)])
    pdf("SDN Sawojajar 1/Proposal Inovasi.pdf", "SD Negeri Sawojajar 1",
        "POJOK BACA GEMBIRA (Pojok Buku Bacaan Gemar Membaca)", LITERASI)
    pdf("SMPN 5/Proposal Inovasi.pdf", "SMP Negeri 5 Malang",
        "POJOK BACA GEMBIRA (Pojok Buku Bacaan Gemar Membaca)" if copies else "KANTIN JUJUR (Kantin Sehat Jujur)",
        [f"Kantin sekolah {{unit}} menyediakan {n} menu sehat tanpa pengawet setiap hari." for n in range(3, 9)])
    for unit, folder in (("UPT Puskesmas Kendalkerep", "Puskesmas Kendalkerep"),
                         ("SD Negeri Sawojajar 1", "SDN Sawojajar 1"), ("Kelurahan Arjosari", "Kel Arjosari")):
        make_pdf(root / folder / "Proposal Kinerja.pdf",
                 [cover("PROPOSAL KINERJA PENYELENGGARAAN PELAYANAN PUBLIK", unit.upper()), f"Profil {unit}.", BODY])
    return root


def test_flags_never_change_a_documents_status_or_a_participants_completeness(
    tmp_path: Path, roster_file: Path
) -> None:
    from flows.steps import RunConfig, open_run
    from flows.steps.decide import decide
    from flows.steps.duplicates import duplicates
    from flows.steps.extract import extract
    from flows.steps.scan import scan
    from models.settings import Settings

    def screen(copies: bool):
        """run_once's steps up to the duplicates (themes and reports left out: they take seconds)."""
        name = "copies" if copies else "own"
        config = RunConfig(_inbox(tmp_path / name / "inbox", copies), roster_file, tmp_path / name / "reports",
                           "2021", Settings(workers=1, settle_seconds=0, isolate=False))
        with open_run(config) as run:
            for step in (scan, extract, decide):
                step(run)
            decided = run.screening
            duplicates(run)
            flagged = run.screening
        assert documents(flagged) == documents(decided) and participants(flagged) == participants(decided)
        return flagged

    def documents(screening) -> dict:
        return {o.path: (o.status, o.reason, o.participant_id, o.doc_type) for o in screening.documents}

    def participants(screening) -> dict:
        return {r.participant.id: (r.status, r.inovasi, r.kinerja) for r in screening.participants}

    with_copies, without = screen(True), screen(False)
    flagged = {(f.kind, f.a, f.b) for f in with_copies.duplicates}
    assert flagged == {
        (DuplicateKind.NEAR, "Kel Bunulrejo/Proposal Inovasi.docx", "Puskesmas Kendalkerep/Proposal Inovasi.pdf"),
        (DuplicateKind.TITLE, "SDN Sawojajar 1/Proposal Inovasi.pdf", "SMPN 5/Proposal Inovasi.pdf"),
    }
    assert without.duplicates == ()
    assert documents(with_copies) == documents(without)
    assert participants(with_copies) == participants(without)
    # Every flagged file still counts, and the participants' completeness is what their files give.
    assert {status for status, *_ in documents(with_copies).values()} == {FileStatus.ACCEPTED}
    assert participants(with_copies)["pkm-kendalkerep"][0] is ParticipantStatus.COMPLETE
    assert participants(with_copies)["kel-bunulrejo"][0] is ParticipantStatus.MISSING_KINERJA


def test_output_does_not_depend_on_input_order() -> None:
    docs = [
        _doc("pkm-dinoyo/inovasi.pdf", SOURCE, "pkm-dinoyo"),
        _doc("kel-bunulrejo/inovasi.docx", COPY, "kel-bunulrejo", fmt="docx"),
        _doc("kel-arjosari/inovasi.pdf", SOURCE, "kel-arjosari"),
        _doc("sd-sawojajar-1/inovasi.pdf", OTHER, "sd-sawojajar-1"),
        *(_kinerja(i) for i in range(6)),
    ]
    first = [f.to_json() for f in find_duplicates(docs)]
    shuffled = list(docs)
    random.Random(1).shuffle(shuffled)
    assert [f.to_json() for f in find_duplicates(shuffled)] == first
    assert [row["kind"] for row in first] == ["exact", "near", "near"]


def test_nothing_to_compare_gives_no_flags() -> None:
    assert find_duplicates([]) == []
    assert find_duplicates([_doc("scan.pdf", "", "x"), _doc("scan2.pdf", "  ", "y", sha=_sha("other"))]) == []


def test_a_path_given_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="given twice"):
        find_duplicates([_doc("a.pdf", SOURCE, "x"), _doc("a.pdf", OTHER, "y")])


def test_generated_corpus_copies_are_found_and_templates_are_not() -> None:
    from flows.bench.duplicates import score
    from flows.corpora.duplicates import generate_corpus

    corpus = generate_corpus(160, 600, seed=5)
    result = score(corpus, find_duplicates(corpus.current, corpus.prior))
    assert result.recall >= 0.95 and result.precision >= 0.95
    assert result.templated_pairs == 0
    # Names: every planted whole-name pair found; a planted shared acronym (or a spelt-out name
    # under two acronyms) never flags, nor does any other pair of the many sharing popular acronyms.
    assert result.title_truth >= 2 and result.title_found == result.title_truth
    assert result.title_distinct >= 2 and result.title_wrong == 0
    assert result.title_extra == 0 and result.title_flags == result.title_truth


def test_flags_cached_by_an_earlier_version_of_the_rules_are_computed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pickle

    from flows.steps import duplicates as dedupe

    docs = [_titled("PPINTAR (Perpustakaan Terpadu)", ANTRIAN, "UPT Puskesmas Dinoyo", "p0", "p0/inovasi.pdf"),
            _titled("PPINTAR (Pembelajaran Keliling)", LITERASI, "SD Negeri Sawojajar 1", "p1", "p1/inovasi.pdf")]
    cache = tmp_path / ".kipp" / "duplicates.pickle"
    assert dedupe.find_flags(docs, [], cache, 1) == []
    key, _ = pickle.loads(cache.read_bytes())
    # The cache an earlier version left for the same documents, holding its rule's acronym flag.
    monkeypatch.setattr(dedupe, "FLAGS_VERSION", dedupe.FLAGS_VERSION - 1)
    dedupe.find_flags(docs, [], cache, 1)
    old_key, _ = pickle.loads(cache.read_bytes())
    cache.write_bytes(pickle.dumps((old_key, ["title flag of the old rule"])))
    assert dedupe.find_flags(docs, [], cache, 1) == ["title flag of the old rule"]  # the cache is used
    monkeypatch.undo()
    assert dedupe.find_flags(docs, [], cache, 1) == []  # recomputed, not the old version's flags
    assert pickle.loads(cache.read_bytes())[0] == key != old_key
