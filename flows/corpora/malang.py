"""Kota Malang: its perangkat daerah, kecamatan, kelurahan, puskesmas and school counts, the one list the
generators draw on (the demo inbox, the theme seed and held-out proposals, the duplicates corpus).

The order of every tuple is part of what the generators produce for a seed: append, never reorder.
"""

from __future__ import annotations

# (name, id slug, how secretariats abbreviate it in file names)
DINAS = (
    ("Dinas Kesehatan", "dinkes", ("Dinkes",)),
    ("Dinas Pendidikan dan Kebudayaan", "disdikbud", ("Disdikbud", "Dindikbud")),
    ("Dinas Kependudukan dan Pencatatan Sipil", "dispendukcapil", ("Dispendukcapil", "Disdukcapil")),
    ("Badan Pendapatan Daerah", "bapenda", ("Bapenda",)),
    ("Badan Perencanaan Pembangunan Daerah", "bappeda", ("Bappeda",)),
    ("Dinas Lingkungan Hidup", "dlh", ("DLH",)),
    ("Dinas Perhubungan", "dishub", ("Dishub",)),
    ("Dinas Sosial Pemberdayaan Perempuan dan Perlindungan Anak", "dinsos-p3a", ("Dinsos P3A", "Dinsos-P3A")),
    ("Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "dpmptsp", ("DPMPTSP",)),
    ("Dinas Komunikasi dan Informatika", "diskominfo", ("Diskominfo",)),
    ("Satuan Polisi Pamong Praja", "satpolpp", ("Satpol PP",)),
    ("Badan Penanggulangan Bencana Daerah", "bpbd", ("BPBD",)),
    ("Dinas Perumahan dan Kawasan Permukiman", "disperkim", ("Disperkim",)),
    ("Dinas Pekerjaan Umum dan Penataan Ruang", "dpupr", ("DPUPR", "Dinas PUPR")),
    ("Dinas Tenaga Kerja", "disnaker", ("Disnaker",)),
    ("Dinas Koperasi Perindustrian dan Perdagangan", "diskopindag", ("Diskopindag",)),
    ("Dinas Kepemudaan dan Olahraga", "dispora", ("Dispora",)),
    ("Dinas Ketahanan Pangan dan Pertanian", "dispangtan", ("Dispangtan", "DKPP")),
    ("Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", "bkpsdm", ("BKPSDM",)),
    ("Badan Kesatuan Bangsa dan Politik", "bakesbangpol", ("Bakesbangpol",)),
    ("Sekretariat DPRD", "setwan", ("Setwan", "Sekwan")),
    ("Dinas Perpustakaan Umum dan Arsip Daerah", "dispussipda", ("Dispussipda",)),
    ("Rumah Sakit Umum Daerah", "rsud", ("RSUD",)),
    # Known to callers' rosters, but not an entrant in the 2021 shape (23 dinas/badan + 5 kecamatan = 28).
    ("Inspektorat", "inspektorat", ("Inspektorat",)),
)
ENTRANT_DINAS = 23  # the first 23 of DINAS entered KIPP 2021

# The 57 kelurahan of the 5 kecamatan.
KELURAHAN = {
    "Blimbing": ("Arjosari", "Balearjosari", "Blimbing", "Bunulrejo", "Jodipan", "Kesatrian", "Pandanwangi",
                 "Polehan", "Polowijen", "Purwantoro", "Purwodadi"),
    "Kedungkandang": ("Arjowinangun", "Bumiayu", "Buring", "Cemorokandang", "Kedungkandang", "Kotalama",
                      "Lesanpuro", "Madyopuro", "Mergosono", "Sawojajar", "Tlogowaru", "Wonokoyo"),
    "Klojen": ("Bareng", "Gadingkasri", "Kasin", "Kauman", "Kiduldalem", "Klojen", "Oro-oro Dowo",
               "Penanggungan", "Rampal Celaket", "Samaan", "Sukoharjo"),
    "Lowokwaru": ("Dinoyo", "Jatimulyo", "Ketawanggede", "Lowokwaru", "Merjosari", "Mojolangu", "Sumbersari",
                  "Tasikmadu", "Tlogomas", "Tulusrejo", "Tunggulwulung", "Tunjungsekar"),
    "Sukun": ("Bakalankrajan", "Bandulan", "Bandungrejosari", "Ciptomulyo", "Gadang", "Karangbesuki", "Kebonsari",
              "Mulyorejo", "Pisang Candi", "Sukun", "Tanjungrejo"),
}
KECAMATAN = tuple(KELURAHAN)
KECAMATAN_OF = {kel: kec for kec, kels in KELURAHAN.items() for kel in kels}
# Every kelurahan, kecamatan by kecamatan.
PLACES = tuple(kel for kels in KELURAHAN.values() for kel in kels)
# Names that proposals also write in two words.
WRITTEN_APART = {"Bakalankrajan": "Bakalan Krajan", "Karangbesuki": "Karang Besuki"}
PUSKESMAS = ("Arjuno", "Bareng", "Cisadea", "Dinoyo", "Janti", "Kedungkandang", "Kendalkerep", "Kendalsari",
             "Mojolangu", "Mulyorejo", "Pandanwangi", "Rampal Celaket", "Arjowinangun", "Ciptomulyo", "Gribig",
             "Polowijen")
SMP_COUNT, SD_COUNT = 27, 195  # SMP Negeri 1..27; SD Negeri spread over the kelurahan


def _checked(kind: str, known: tuple[str, ...] | dict, names: tuple[str, ...]) -> tuple[str, ...]:
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"not a {kind} of Kota Malang: {', '.join(map(str, unknown))}")
    return names


def kecamatan(*names: str) -> tuple[str, ...]:
    """The given kecamatan, checked against KECAMATAN."""
    return _checked("kecamatan", KECAMATAN, names)


def kelurahan(*names: str) -> tuple[str, ...]:
    """The given kelurahan, checked against KELURAHAN (a typo fails at import, not in a generated text)."""
    return _checked("kelurahan", KECAMATAN_OF, names)


def puskesmas(*names: str) -> tuple[str, ...]:
    """The given puskesmas, checked against PUSKESMAS."""
    return _checked("puskesmas", PUSKESMAS, names)


def smp(*numbers: int) -> tuple[int, ...]:
    """The given SMP Negeri numbers, checked against 1..SMP_COUNT."""
    return _checked("SMP Negeri", tuple(range(1, SMP_COUNT + 1)), numbers)


def sd(*names: str) -> tuple[str, ...]:
    """The given SD Negeri names ("Sawojajar 2", or a bare "Klojen"), their kelurahan checked against KELURAHAN."""
    kelurahan(*(name.rstrip("0123456789 ") for name in names))
    return names
