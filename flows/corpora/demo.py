"""Generate a realistic, messy KIPP Kota Malang submission inbox together with its ground truth."""

from __future__ import annotations

import csv
import io
import json
import os
import random
import re
import zipfile
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from flows.corpora import malang

DOC_TYPES = ("inovasi", "kinerja")
CATEGORIES = ("perangkat_daerah", "kelurahan", "puskesmas", "smp", "sd")


@dataclass(frozen=True, slots=True)
class RosterRow:
    id: str
    name: str
    category: str
    parent_id: str | None


@dataclass(frozen=True, slots=True)
class TruthRecord:
    path: str
    participant_id: str | None
    doc_type: str | None
    expected_status: str
    naming: str
    copy_of: str | None = None  # a planted copy: the path of the proposal it copies


# --------------------------------------------------------------------------- roster data

# The units and places of Kota Malang are in flows/corpora/malang.py.
_DINKES, _DISDIKBUD = "pd-dinkes", "pd-disdikbud"

# The demo roster is hand-picked so that look-alike names (Kelurahan/UPT Puskesmas Dinoyo, Kecamatan/Kelurahan
# Kedungkandang, SMP Negeri 5/15, SD Negeri Sawojajar 1/2) sit side by side, as they do in the real inbox.
_DEMO_DINAS = ("dinkes", "disdikbud", "dispendukcapil", "bapenda", "dlh")
_DEMO_KELURAHAN = malang.kelurahan("Bunulrejo", "Pandanwangi", "Polowijen", "Dinoyo", "Mojolangu", "Tunggulwulung",
                                   "Kedungkandang", "Sawojajar")
_DEMO_PUSKESMAS = malang.puskesmas("Dinoyo", "Kendalkerep", "Pandanwangi", "Kedungkandang", "Mojolangu")
_DEMO_SMP = malang.smp(1, 3, 5, 11, 15, 21)
_DEMO_SD = (("Sawojajar", 1), ("Sawojajar", 2), ("Sawojajar", 3), ("Bunulrejo", 1), ("Bunulrejo", 2),
            ("Dinoyo", 1), ("Dinoyo", 2), ("Mojolangu", 1), ("Mojolangu", 4), ("Polowijen", 2),
            ("Kedungkandang", 1), ("Pandanwangi", 1), ("Tunggulwulung", 1))
malang.kelurahan(*(kel for kel, _ in _DEMO_SD))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _kecamatan_row(kec: str) -> RosterRow:
    return RosterRow(f"kec-{_slug(kec)}", f"Kecamatan {kec}", "perangkat_daerah", None)


def _kelurahan_row(kel: str) -> RosterRow:
    return RosterRow(f"kel-{_slug(kel)}", f"Kelurahan {kel}", "kelurahan", f"kec-{_slug(malang.KECAMATAN_OF[kel])}")


def _puskesmas_row(name: str) -> RosterRow:
    return RosterRow(f"pkm-{_slug(name)}", f"UPT Puskesmas {name}", "puskesmas", _DINKES)


def _smp_row(n: int) -> RosterRow:
    return RosterRow(f"smp-{n:02d}", f"SMP Negeri {n} Malang", "smp", _DISDIKBUD)


def _sd_row(kel: str, n: int) -> RosterRow:
    return RosterRow(f"sd-{_slug(kel)}-{n}", f"SD Negeri {kel} {n}", "sd", _DISDIKBUD)


def malang_roster(size: str = "demo", seed: int = 0) -> list[RosterRow]:
    """Participants of KIPP Kota Malang: "demo" (40, fixed selection) or "full" (323, the 2021 shape);
    "province" is the provincial edition of Jawa Timur (`province_roster`).

    The seed only matters for "full": it decides how the 195 SD Negeri spread over the kelurahan.
    """
    if size == "demo":
        dinas = [(n, s) for n, s, _ in malang.DINAS if s in _DEMO_DINAS]
        kecamatan = sorted({malang.KECAMATAN_OF[k] for k in _DEMO_KELURAHAN})
        return ([RosterRow(f"pd-{s}", n, "perangkat_daerah", None) for n, s in dinas]
                + [_kecamatan_row(k) for k in kecamatan]
                + [_kelurahan_row(k) for k in _DEMO_KELURAHAN]
                + [_puskesmas_row(p) for p in _DEMO_PUSKESMAS]
                + [_smp_row(n) for n in _DEMO_SMP]
                + [_sd_row(k, n) for k, n in _DEMO_SD])
    if size == "province":
        return province_roster(seed)
    if size != "full":
        raise ValueError(f"unknown roster size {size!r} (expected 'demo', 'full' or 'province')")
    rng = random.Random(seed)
    kelurahan = list(malang.PLACES)
    # Every kelurahan has at least one SD Negeri and at most five; the rest is spread at random.
    sd_count = dict.fromkeys(kelurahan, 1)
    for _ in range(malang.SD_COUNT - len(kelurahan)):
        sd_count[rng.choice([k for k in kelurahan if sd_count[k] < 5])] += 1
    return ([RosterRow(f"pd-{s}", n, "perangkat_daerah", None) for n, s, _ in malang.DINAS[:malang.ENTRANT_DINAS]]
            + [_kecamatan_row(k) for k in malang.KELURAHAN]
            + [_kelurahan_row(k) for k in kelurahan]
            + [_puskesmas_row(p) for p in malang.PUSKESMAS]
            + [_smp_row(n) for n in range(1, malang.SMP_COUNT + 1)]
            + [_sd_row(k, n) for k in kelurahan for n in range(1, sd_count[k] + 1)])


# --------------------------------------------------------------------------- the provincial edition

# The 38 cities and regencies of Jawa Timur: (level, place, how file names shorten the place). Some
# shortenings are ones the identifier does not know (BLT, SDA, TA): those files must stay undecided.
_JATIM = (
    ("Kota", "Surabaya", ("SBY", "SUR")), ("Kota", "Malang", ("MLG",)), ("Kabupaten", "Malang", ("MLG",)),
    ("Kota", "Kediri", ("KED", "KDR")), ("Kabupaten", "Kediri", ("KED",)), ("Kota", "Blitar", ("BLT",)),
    ("Kabupaten", "Blitar", ("BLTR",)), ("Kota", "Mojokerto", ("MJK",)), ("Kabupaten", "Mojokerto", ("MJK",)),
    ("Kota", "Pasuruan", ("PSR",)), ("Kabupaten", "Pasuruan", ("PSR",)), ("Kota", "Probolinggo", ("PBL",)),
    ("Kabupaten", "Probolinggo", ("PROB",)), ("Kota", "Madiun", ("MDN",)), ("Kabupaten", "Madiun", ("MDN",)),
    ("Kota", "Batu", ()), ("Kabupaten", "Sidoarjo", ("SDA", "SDJ")), ("Kabupaten", "Gresik", ("GSK",)),
    ("Kabupaten", "Jember", ("JBR",)), ("Kabupaten", "Jombang", ("JMB",)), ("Kabupaten", "Banyuwangi", ("BWI",)),
    ("Kabupaten", "Bojonegoro", ("BJN",)), ("Kabupaten", "Lamongan", ("LMG",)), ("Kabupaten", "Tuban", ("TBN",)),
    ("Kabupaten", "Tulungagung", ("TA",)), ("Kabupaten", "Trenggalek", ("TRK",)),
    ("Kabupaten", "Ponorogo", ("PNG",)), ("Kabupaten", "Magetan", ("MGT",)), ("Kabupaten", "Ngawi", ("NGW",)),
    ("Kabupaten", "Nganjuk", ("NJK",)), ("Kabupaten", "Pacitan", ("PCT",)), ("Kabupaten", "Lumajang", ("LMJ",)),
    ("Kabupaten", "Bondowoso", ("BDW",)), ("Kabupaten", "Situbondo", ("STB",)),
    ("Kabupaten", "Bangkalan", ("BKL",)), ("Kabupaten", "Sampang", ("SPG",)), ("Kabupaten", "Pamekasan", ("PMK",)),
    ("Kabupaten", "Sumenep", ("SMN",)),
)
_REGION_SHORT = {f"{level} {place}": shorts for level, place, shorts in _JATIM}
# Village and kelurahan names that recur all over the province: without the region they name no one.
_JATIM_PLACES = ("Sukorejo", "Sumberejo", "Karangrejo", "Tegalsari", "Wonorejo", "Kedungrejo", "Ngadirejo",
                 "Purworejo", "Sidomulyo", "Tanjungrejo", "Banjarsari", "Kebonsari", "Sumbersari", "Kalirejo",
                 "Mojosari", "Sukodadi", "Tambakrejo", "Gedangan", "Jatirejo", "Kepuharjo", "Sidorejo", "Candirejo",
                 "Rejoagung", "Ngembul", "Pakisaji", "Balongsari", "Kauman", "Kepatihan", "Kranggan", "Pandean",
                 "Panggungrejo", "Krajan", "Sumbergondo", "Tlogosari", "Wates", "Gondang", "Sambirejo", "Bendo",
                 "Kedungsari", "Pucangsari")
# Agencies of every region, and the variants of the social agency that regions really have.
_PROVINCE_AGENCIES = (("Dinas Kesehatan", "dinkes"), ("Dinas Pendidikan", "dispendik"),
                      ("Badan Perencanaan Pembangunan Daerah", "bappeda"), ("Badan Pendapatan Daerah", "bapenda"),
                      ("Dinas Kependudukan dan Pencatatan Sipil", "dispendukcapil"),
                      ("Dinas Lingkungan Hidup", "dlh"), ("Dinas Perhubungan", "dishub"),
                      ("Satuan Polisi Pamong Praja", "satpolpp"))
_SOCIAL_AGENCIES = (("Dinas Sosial", "dinsos", ()),
                    ("Dinas Sosial, Pemberdayaan Perempuan, Perlindungan Anak, Pengendalian Penduduk dan Keluarga "
                     "Berencana", "dinsos-p3ap2kb", ("Dinsos-P3AP2KB", "DINSOS P3AP2KB")),
                    ("Dinas Pemberdayaan Perempuan, Perlindungan Anak dan Keluarga Berencana", "dp3akb",
                     ("DP3AKB",)))
_PROVINCE_SMP, _PROVINCE_SD, _PROVINCE_PLACES = 12, 35, 12


def province_roster(seed: int = 0) -> list[RosterRow]:
    """KIPP of Jawa Timur: about 2,700 participants in the 38 cities and regencies.

    Every region has its agencies (named with the region: "Dinas Kesehatan Kabupaten Malang"), one or
    two sub-units named with their parent ("UPT ... pada Satuan Polisi Pamong Praja ...", "Bidang ...
    BAPPEDA ...", "UPTD PPA Dinas ..."), kecamatan and kelurahan, puskesmas, SMP Negeri 1-8 up to 1-16
    (numbers repeat in every region) and SD Negeri named after places that recur across the province; schools,
    puskesmas and kelurahan carry their region only through their parent.
    """
    rng = random.Random(seed)
    rows: list[RosterRow] = []
    for level, place, _ in _JATIM:
        region = f"{level} {place}"
        r = _slug(region)
        pd = {slug: f"{r}-pd-{slug}" for _, slug in _PROVINCE_AGENCIES}
        rows += [RosterRow(pd[slug], f"{name} {region}", "perangkat_daerah", None) for name, slug in _PROVINCE_AGENCIES]
        social, social_slug, _ = rng.choice(_SOCIAL_AGENCIES)
        rows.append(RosterRow(f"{r}-pd-{social_slug}", f"{social} {region}", "perangkat_daerah", None))
        subunits = [RosterRow(f"{r}-upt-damkar", f"UPT Pemadam Kebakaran pada Satuan Polisi Pamong Praja {region}",
                              "perangkat_daerah", pd["satpolpp"]),
                    RosterRow(f"{r}-bidang-ekonomi", f"Bidang Perekonomian dan Sumber Daya Alam BAPPEDA {region}",
                              "perangkat_daerah", pd["bappeda"]),
                    RosterRow(f"{r}-bidang-infra", f"Bidang Infrastruktur dan Kewilayahan BAPPEDA {region}",
                              "perangkat_daerah", pd["bappeda"])]
        if social_slug == "dp3akb":
            subunits.append(RosterRow(f"{r}-uptd-ppa", f"UPTD PPA {social} {region}", "perangkat_daerah",
                                      f"{r}-pd-{social_slug}"))
        rows += rng.sample(subunits, 2)
        places = rng.sample(_JATIM_PLACES, _PROVINCE_PLACES)
        kecamatan = places[:3]
        rows += [RosterRow(f"{r}-kec-{_slug(k)}", f"Kecamatan {k} {region}", "perangkat_daerah", None)
                 for k in kecamatan]
        rows += [RosterRow(f"{r}-kel-{_slug(k)}", f"Kelurahan {k}", "kelurahan", f"{r}-kec-{_slug(kecamatan[i % 3])}")
                 for i, k in enumerate(places[3:9])]
        rows += [RosterRow(f"{r}-pkm-{_slug(k)}", f"UPT Puskesmas {k}", "puskesmas", pd["dinkes"])
                 for k in places[:6]]
        # Regions have more or fewer SMP: SMP Negeri 14 is registered in some and unknown in others.
        rows += [RosterRow(f"{r}-smp-{n:02d}", f"SMP Negeri {n} {region}", "smp", pd["dispendik"])
                 for n in range(1, rng.randint(_PROVINCE_SMP - 4, _PROVINCE_SMP + 4) + 1)]
        sd: list[tuple[str, int]] = []
        for k in places:
            sd += [(k, n) for n in range(1, 4)]
        rows += [RosterRow(f"{r}-sd-{_slug(k)}-{n}", f"SD Negeri {k} {n}", "sd", pd["dispendik"])
                 for k, n in sorted(rng.sample(sd, _PROVINCE_SD))]
    return rows


def _region_of(name: str) -> tuple[str, str] | None:
    """("SMP Negeri 17", "Kota Surabaya") for a name that ends in a Jawa Timur region."""
    m = re.fullmatch(r"(.+) ((?:Kota|Kabupaten) \w+)", name)
    return (m[1], m[2]) if m and m[2] in _REGION_SHORT else None


def _region_file_forms(region: str) -> tuple[str, ...]:
    """How a file name says the region: in full, shortened, abbreviated, or not at all."""
    level, place = region.split(" ", 1)
    short = ("Kab.", "Kab", "Kabupaten") if level == "Kabupaten" else ("Kota",)
    return tuple(f"{s} {place}" for s in short) + _REGION_SHORT[region] + (place.upper(), "")


def write_roster(path: Path, rows: list[RosterRow]) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with Path(path).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(("id", "name", "category", "parent_id"))
        writer.writerows((r.id, r.name, r.category, r.parent_id or "") for r in rows)


def write_truth(path: Path, truth: list[TruthRecord]) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps([asdict(t) for t in truth], ensure_ascii=False, indent=1), encoding="utf-8")


def read_truth(path: Path) -> list[TruthRecord]:
    return [TruthRecord(**item) for item in json.loads(Path(path).read_text(encoding="utf-8"))]


# --------------------------------------------------------------------------- how a unit is written

@dataclass(frozen=True, slots=True)
class _UnitForms:
    full: str
    file_forms: tuple[str, ...]   # as typed in file and folder names
    cover_forms: tuple[str, ...]  # as printed on a cover
    core: str                     # the distinctive word a typist may misspell


_STOPWORDS = {"dinas", "badan", "daerah", "umum", "kota", "malang", "satuan", "negeri", "dan"}
_ABBREVIATIONS = {name: abbrevs for name, _, abbrevs in malang.DINAS}


_PROVINCE_ABBREVIATIONS = {
    "Dinas Pendidikan": ("Dispendik", "Dindik"),
    "Dinas Sosial": ("Dinsos",),
    **{name: shorts for name, _, shorts in _SOCIAL_AGENCIES if shorts},
    "UPT Pemadam Kebakaran pada Satuan Polisi Pamong Praja": ("UPT Pemadam Kebakaran Satpol PP",
                                                               "UPT Pemadam Kebakaran pada Satpol PP"),
    "Bidang Perekonomian dan Sumber Daya Alam BAPPEDA": ("Bidang Perekonomian dan SDA Bappeda",
                                                         "Bidang Perekonomian SDA - BAPPEDA"),
    "Bidang Infrastruktur dan Kewilayahan BAPPEDA": ("Bidang Infrastruktur Kewilayahan Bappeda",),
}
# How covers break the long names of nested and merged agencies over two or three lines.
_WRAPPED = {
    "Dinas Sosial, Pemberdayaan Perempuan, Perlindungan Anak, Pengendalian Penduduk dan Keluarga Berencana":
        "DINAS SOSIAL, PEMBERDAYAAN PEREMPUAN,\nPERLINDUNGAN ANAK, PENGENDALIAN\nPENDUDUK DAN KELUARGA BERENCANA",
    "Dinas Pemberdayaan Perempuan, Perlindungan Anak dan Keluarga Berencana":
        "DINAS PEMBERDAYAAN PEREMPUAN,\nPERLINDUNGAN ANAK DAN KELUARGA BERENCANA",
    "UPT Pemadam Kebakaran pada Satuan Polisi Pamong Praja":
        "UPT PEMADAM KEBAKARAN\nSATUAN POLISI PAMONG PRAJA",
    "Bidang Perekonomian dan Sumber Daya Alam BAPPEDA":
        "BIDANG PEREKONOMIAN DAN SUMBER DAYA ALAM\nBADAN PERENCANAAN PEMBANGUNAN DAERAH",
    "Bidang Infrastruktur dan Kewilayahan BAPPEDA": "BIDANG INFRASTRUKTUR DAN KEWILAYAHAN\nBAPPEDA",
}


def _province_forms(base: str, region: str) -> _UnitForms:
    """Spellings of a provincial unit: its own name's forms, each with or without its region."""
    if m := re.fullmatch(r"SMP Negeri (\d+)", base):
        n = int(m[1])
        files: tuple[str, ...] = (f"SMPN {n}", f"SMPN {n:02d}", f"SMP Negeri {n}", f"SMP N {n}")
        covers: tuple[str, ...] = (f"SMP NEGERI {n}", f"SMPN {n}", f"SEKOLAH MENENGAH PERTAMA NEGERI {n}")
        core = ""
    else:
        if base.startswith("UPTD PPA "):
            parent = base[len("UPTD PPA "):]
            files = ("UPTD PPA " + (_PROVINCE_ABBREVIATIONS.get(parent, ()) + (parent,))[0], base)
            covers = ("UPTD PPA\n" + _WRAPPED.get(parent, parent.upper()),)
        else:
            files = _ABBREVIATIONS.get(base, ()) + _PROVINCE_ABBREVIATIONS.get(base, ()) + (base,)
            covers = (_WRAPPED.get(base, base.upper()), base)
        words = [w for w in re.findall(r"\w+", base) if w.lower() not in _STOPWORDS | {"kecamatan", "bidang"} and len(w) >= 5]
        core = max(words, key=len) if words else ""
    up = region.upper()
    files = tuple(f"{f} {r}".strip() for f in files for r in _region_file_forms(region))
    covers = tuple(c for cover in covers for c in (f"{cover}\n{up}", f"{cover} {up}" if "\n" not in cover else cover))
    return _UnitForms(f"{base} {region}", files, covers, core)


def _unit_forms(name: str) -> _UnitForms:
    """Derive the spellings of a unit from its roster name alone, so any caller-supplied roster works."""
    if split := _region_of(name):
        return _province_forms(*split)
    if m := re.fullmatch(r"SD Negeri (.+) (\d+)", name):
        place, n = m[1], int(m[2])
        files = (f"SDN {place} {n}", f"SD Negeri {place} {n}", f"SDN {place}{n}", f"SDN {place} {n:02d}",
                 f"SD N {place} {n}")
        covers = (f"SD NEGERI {place.upper()} {n}", f"SDN {place.upper()} {n}", name,
                  f"SEKOLAH DASAR NEGERI {place.upper()} {n}")
        return _UnitForms(name, files, covers, max(place.split(), key=len))
    if m := re.fullmatch(r"SMP Negeri (\d+) Malang", name):
        n = int(m[1])
        files = (f"SMPN {n}", f"SMPN {n:02d}", f"SMP Negeri {n}", f"SMPN {n} Malang", f"SMP N {n}")
        covers = (name.upper(), f"SMPN {n} MALANG", name, f"SEKOLAH MENENGAH PERTAMA NEGERI {n} MALANG")
        return _UnitForms(name, files, covers, "Negeri")
    for prefix, shorts in (("UPT Puskesmas", ("PKM", "Puskesmas", "UPT PKM", "Pusk.")),
                           ("Kelurahan", ("Kel.", "Kel", "")), ("Kecamatan", ("Kec.", "Kec"))):
        if name.startswith(prefix + " "):
            place = name[len(prefix) + 1:]
            files = tuple(f"{s} {place}".strip() for s in shorts) + (name,)
            covers = (name.upper(), name) + ((f"PUSKESMAS {place.upper()}",) if prefix == "UPT Puskesmas" else ())
            return _UnitForms(name, files, covers, max(place.split(), key=len))
    words = [w for w in name.split() if w.lower() not in _STOPWORDS and len(w) >= 5]
    covers = (name.upper(), name, f"{name.upper()} KOTA MALANG")
    return _UnitForms(name, _ABBREVIATIONS.get(name, ()) + (name,), covers, max(words, key=len) if words else "")


def _misspell(word: str, rng: random.Random) -> str:
    """One keyboard slip: a dropped vowel (Bunulrjo), swapped letters, or a doubled consonant."""
    for _ in range(20):
        op, i = rng.choice(("drop", "drop", "swap", "double")), rng.randrange(1, max(2, len(word) - 1))
        if op == "drop" and word[i].lower() in "aeiou":
            out = word[:i] + word[i + 1:]
        elif op == "swap" and i + 1 < len(word) and word[i] != word[i + 1]:
            out = word[:i] + word[i + 1] + word[i] + word[i + 2:]
        elif op == "double" and word[i].isalpha() and word[i].lower() not in "aeiou":
            out = word[:i] + word[i] + word[i:]
        else:
            continue
        return out
    return word + word[-1]


# --------------------------------------------------------------------------- file naming

_CLEAN_LABELS = {"inovasi": ("Proposal Inovasi", "Proposal Inovasi Pelayanan Publik"),
                 "kinerja": ("Proposal Kinerja", "Proposal Kinerja Penyelenggaraan Pelayanan Publik"),
                 None: ("Lampiran", "Lampiran Dokumentasi")}
_LOOSE_LABELS = {"inovasi": ("proposal inovasi", "Inovasi", "PROPOSAL INOVASI", "Prop Inovasi", "KIPP 2021 Inovasi",
                             "proposal KIPP"),
                 "kinerja": ("proposal kinerja", "KINERJA", "Kinerja", "Kinerja Pelayanan",
                             "PROPOSAL KINERJA PELAYANAN PUBLIK"),
                 None: ("lampiran", "LAMPIRAN", "dokumentasi")}
_FOLDER_FILES = {"inovasi": ("proposal", "Proposal Inovasi", "Inovasi", "PROPOSAL INOVASI FINAL"),
                 "kinerja": ("Kinerja", "Proposal Kinerja", "proposal kinerja", "KINERJA PELAYANAN")}
_CATEGORY_FOLDERS = {"sd": ("SD", "SD Negeri"), "smp": ("SMP", "SMP Negeri"), "puskesmas": ("Puskesmas", "PKM"),
                     "kelurahan": ("Kelurahan",), "perangkat_daerah": ("OPD", "Perangkat Daerah")}
_COPY_SUFFIXES = (" (1)", " (2)", "_final", "_revisi", " - Copy", "_fix", " final revisi")
_REVISION_SUFFIXES = (" revisi", "_revisi2", " (revisi)", " FINAL", "_rev", " perbaikan")
_GFORMS_ORIGINALS = ("proposal", "proposal fix", "Proposal KIPP 2021", "file proposal", "KIPP", "Document")
_GFORMS_FOLDER = "Pengumpulan Proposal KIPP 2021 (File responses)/Unggah Dokumen Proposal (File responses)"
_FIRST_NAMES = ("Siti", "Budi", "Agus", "Dwi", "Sri", "Eko", "Rina", "Yuli", "Hendra", "Wahyu", "Nur", "Dian",
                "Fitri", "Andi", "Ratna", "Bambang", "Endah", "Lilik", "Anik", "Teguh", "Moch.", "Retno")
_LAST_NAMES = ("Rahmawati", "Santoso", "Wibowo", "Lestari", "Hidayat", "Purnomo", "Kurniawan", "Susanti",
               "Setiawan", "Prasetyo", "Wulandari", "Hartono", "Handayani", "Saputra", "Maulana", "Ningsih")
# clean: "Proposal Inovasi - SD Negeri Sawojajar 1"; abbrev: abbreviations plus case/punctuation noise
# ("KINERJA.SMPN.05"); typo: a misspelt unit; gforms: "<upload name> - <respondent>"; scan: scanner/WhatsApp
# names that say nothing; folder: per-participant or per-category folders; copy_suffix: " (1)", "_final", ...
_STYLE_WEIGHTS = {"clean": 24, "abbrev": 22, "typo": 8, "gforms": 12, "scan": 10, "folder": 14, "copy_suffix": 10}


def _person(rng: random.Random) -> str:
    name = f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}"
    return name + rng.choice(("", "", "", ", S.Pd", ", S.Kep", ", S.AP"))


def _loose_join(parts: list[str], rng: random.Random) -> str:
    """Join label and unit the way hurried people do: any order, any separator, any case."""
    if rng.random() < 0.25:
        parts = parts[::-1]
    sep = rng.choice((" ", " - ", "_", ".", "-", "_"))
    out = []
    keep_spaces = sep in (" ", " - ")
    for part in parts:
        roll = rng.random()
        part = part.lower() if roll < 0.25 else part.upper() if roll < 0.45 else part
        out.append(part if keep_spaces else re.sub(r"[\s.]+", sep, part).strip(sep))
    return sep.join(out)


def _clean_stem(doc_type: str | None, unit: str, rng: random.Random) -> str:
    label = rng.choice(_CLEAN_LABELS[doc_type])
    return rng.choice((f"{label} - {unit}", f"{label} - {unit}", f"{label} {unit}", f"{unit} - {label}"))


def _loose_stem(doc_type: str | None, unit: str, rng: random.Random) -> str:
    return _loose_join([rng.choice(_LOOSE_LABELS[doc_type]), unit], rng)


def _scanner_stem(fmt: str, d: datetime, rng: random.Random) -> str:
    """Names given by scanner apps and WhatsApp downloads, dated like the submission itself."""
    if fmt == "pdf":
        options = (f"Scan_{d:%Y%m%d}_{rng.randint(1, 60):04d}", f"IMG-{d:%Y%m%d}-WA{rng.randint(0, 99):04d}",
                   f"DOC-{d:%Y%m%d}-WA{rng.randint(0, 99):04d}", f"CamScanner {d:%m-%d-%Y} {d:%H.%M}",
                   f"scan{rng.randint(1, 30):04d}", "dokumen final", "proposal")
    else:
        options = ("dokumen final", "Document1", "proposal", "Untitled document", "fix",
                   f"DOC-{d:%Y%m%d}-WA{rng.randint(0, 99):04d}")
    return rng.choice(options)


def _name_file(style: str, forms: _UnitForms | None, category: str, doc_type: str | None, fmt: str,
               when: datetime, folder: str, rng: random.Random) -> tuple[str, str, str]:
    """Return (folder, stem, extension) for one submission in the given naming style."""
    ext = fmt if style in ("clean", "scan", "folder", "anonymous") or rng.random() > 0.15 else fmt.upper()
    unit = forms.full if forms else ""
    if style == "clean":
        return "", _clean_stem(doc_type, unit, rng), ext
    if style == "abbrev":
        return "", _loose_stem(doc_type, rng.choice(forms.file_forms), rng), ext
    if style == "typo":
        spelled = [f for f in forms.file_forms if forms.core and forms.core in f] or [forms.full]
        unit = rng.choice(spelled)
        unit = unit.replace(forms.core, _misspell(forms.core, rng)) if forms.core else _misspell(unit, rng)
        return "", (_clean_stem if rng.random() < 0.5 else _loose_stem)(doc_type, unit, rng), ext
    if style == "gforms":
        # Google Forms keeps the uploader's file name and appends the respondent's name.
        if forms and rng.random() < 0.5:
            original = _loose_stem(doc_type, rng.choice(forms.file_forms), rng)
        else:
            original = rng.choice(_GFORMS_ORIGINALS + _LOOSE_LABELS[doc_type])
        return (_GFORMS_FOLDER if rng.random() < 0.4 else ""), f"{original} - {_person(rng)}", ext
    if style == "scan":
        return "", _scanner_stem(fmt, when, rng), ext
    if style == "folder":
        if folder in _CATEGORY_FOLDERS.get(category, ()):
            return folder, _loose_stem(doc_type, rng.choice(forms.file_forms), rng), ext
        return folder, rng.choice(_FOLDER_FILES[doc_type]), ext
    if style == "anonymous":
        # Nothing in the name points at a unit: a bare label, a scanner name, or a form upload.
        roll = rng.random()
        if roll < 0.35:
            return "", rng.choice(_CLEAN_LABELS[doc_type]), ext
        if roll < 0.7:
            return "", _scanner_stem(fmt, when, rng), ext
        return "", f"{rng.choice(_GFORMS_ORIGINALS + _LOOSE_LABELS[doc_type])} - {_person(rng)}", ext
    if style == "copy_suffix":
        base = (_clean_stem(doc_type, unit, rng) if rng.random() < 0.5
                else _loose_stem(doc_type, rng.choice(forms.file_forms), rng))
        return "", base + rng.choice(_COPY_SUFFIXES), ext
    raise ValueError(f"unknown naming style {style!r}")


def _participant_folder(style: str, forms: _UnitForms, category: str, rng: random.Random) -> str:
    """Folder shared by a participant's documents: its own (60%) or its category's (40%)."""
    if style != "folder":
        return ""
    if rng.random() < 0.6:
        return rng.choice(forms.file_forms)
    return rng.choice(_CATEGORY_FOLDERS.get(category, ("Lain-lain",)))


# --------------------------------------------------------------------------- document content

_COMPETITION_LINE = "KOMPETISI INOVASI PELAYANAN PUBLIK (KIPP) KOTA MALANG TAHUN 2021"
_PROVINCE_COMPETITION_LINE = "KOMPETISI INOVASI PELAYANAN PUBLIK (KIPP) PROVINSI JAWA TIMUR TAHUN 2021"
_TITLES = {"inovasi": ("PROPOSAL INOVASI PELAYANAN PUBLIK", "Proposal Kompetisi Inovasi Pelayanan Publik",
                       "PROPOSAL INOVASI"),
           "kinerja": ("PROPOSAL KINERJA PENYELENGGARAAN PELAYANAN PUBLIK",
                       "Proposal Kinerja Penyelenggaraan Pelayanan Publik Tahun 2021"),
           None: ("LAMPIRAN DOKUMENTASI KEGIATAN", "Lampiran Dokumentasi")}

# theme -> ((acronym, expansion), ...); the issue text keeps the body consistent with the innovation.
_INNOVATIONS = {
    "health": (("SI CANTIK", "Sistem Informasi Cepat Antrian Terpadu Kesehatan"),
               ("GERCEP BUMIL", "Gerakan Cepat Peduli Ibu Hamil"), ("SAPA LANSIA", "Sistem Aktif Pelayanan Lansia"),
               ("PINTAR GIZI", "Pelayanan Informasi Terpadu Asupan Gizi"),
               ("JEMPOL", "Jemput Bola Obat Lansia"), ("SIAGA STUNTING", "Sinergi Aksi Gizi Anak Cegah Stunting")),
    "education": (("SIPINTAR", "Sistem Informasi Prestasi dan Inovasi Pembelajaran Terpadu"),
                  ("GEMAR LITERASI", "Gerakan Masyarakat Gemar Literasi"),
                  ("BELA DIRI", "Belajar Daring Interaktif"), ("POCADI", "Pojok Baca Digital"),
                  ("SI JARI", "Sistem Jurnal Harian Siswa"), ("SEMAI", "Sekolah Menanam dan Mengolah Sampah")),
    "adminduk": (("SIMPATI", "Sistem Pelayanan Administrasi Terpadu Kelurahan"),
                 ("AJAK", "Antar Jemput Administrasi Kependudukan"),
                 ("SIDAK", "Sistem Informasi Data Kependudukan"),
                 ("SI SUKET", "Sistem Surat Keterangan Elektronik")),
    "tax": (("SI PAJAK", "Sistem Informasi Pajak Daerah"), ("PANTAU", "Pemantauan Pembayaran Pajak Terpadu"),
            ("JEMPOL PAJAK", "Jemput Bola Pelayanan Pajak")),
    "environment": (("SI BERSIH", "Sistem Informasi Bank Sampah Bersih"),
                    ("GERCEP SAMPAH", "Gerakan Cepat Pengangkutan Sampah"),
                    ("SEDEKAH SAMPAH", "Sedekah Sampah untuk Sesama"), ("KAMPUNG IKLIM", "Kampung Iklim Mandiri")),
    "social": (("SIAP PEDULI", "Sistem Informasi Aduan dan Pelayanan Peduli Sosial"),
               ("JAGA ANAK", "Jaringan Aman Gerakan Perlindungan Anak"),
               ("SAHABAT DISABILITAS", "Sarana Hak dan Bantuan Disabilitas")),
    "economy": (("UGD", "UMKM Go Digital"), ("PASAR PINTAR", "Pasar Berbasis Informasi Terpadu"),
                ("LAPAK", "Layanan Promosi Aneka Karya")),
    "disaster": (("SIAGA BENCANA", "Sistem Informasi dan Aksi Tanggap Bencana"),
                 ("TANGGUH", "Tanggap Gerak Unit Hadapi Bencana")),
    "permits": (("SIMPEL", "Sistem Perizinan Elektronik"), ("MOBIL IZIN", "Mobil Layanan Perizinan Keliling")),
    "transport": (("SIPARKIR", "Sistem Informasi Parkir Tertib"), ("BUSKOLA", "Bus Sekolah Gratis Kota Malang")),
    "communication": (("SAMBAT", "Sistem Aplikasi Masyarakat Bertanya Terpadu"),
                      ("NGALAM CERDAS", "Layanan Aspirasi Masyarakat Cerdas")),
}
# Most units name their innovation themselves: a lead, a theme's object and a qualifier, abbreviated
# syllable by syllable ("GEBUMIL (Gerakan Ibu Hamil Peduli)"); a few reuse a well-known name above.
_NAME_LEADS = (("Sistem", "SI"), ("Gerakan", "GE"), ("Layanan", "LA"), ("Pojok", "PO"), ("Jemput Bola", "JEBOL"),
               ("Sahabat", "SAHA"), ("Program", "PRO"), ("Aksi", "AK"), ("Klinik", "KLIN"), ("Sinergi", "SIN"),
               ("Gerai", "GERAI"), ("Gerobak", "ROBAK"))
_NAME_QUALIFIERS = (("Terpadu", "PADU"), ("Digital", "DIGI"), ("Keliling", "LING"), ("Mandiri", "MANDIRI"),
                    ("Cerdas", "CERDAS"), ("Ramah Warga", "RAWA"), ("Bersama", "SAMA"), ("Cepat", "CEPAT"),
                    ("Daring", "RING"), ("Tuntas", "TUNTAS"), ("Peduli", "PEDULI"), ("Prima", "PRIMA"),
                    ("Berbasis Aplikasi", "APLI"), ("Satu Pintu", "SATPI"))
_NAME_OBJECTS = {
    "health": (("Ibu Hamil", "BUMIL"), ("Lansia Sehat", "LANSIA"), ("Gizi Balita", "GIBA"), ("Antrean Pasien", "ANPAS"),
               ("Posyandu", "YANDU"), ("Imunisasi Anak", "MUNI"), ("Kesehatan Jiwa", "KESWA"), ("Obat Pasien", "BAT")),
    "education": (("Literasi Siswa", "LISA"), ("Pojok Baca", "BACA"), ("Belajar Interaktif", "BELIN"),
                  ("Jurnal Siswa", "JURSI"), ("Karakter Anak", "KARA"), ("Numerasi Siswa", "NUMER"),
                  ("Perpustakaan Kelas", "PUSKEL"), ("Orang Tua Murid", "ORTU")),
    "adminduk": (("Surat Keterangan", "SUKET"), ("Administrasi Kependudukan", "MINDUK"), ("KTP Elektronik", "KTPEL"),
                 ("Data Warga", "DAWA"), ("Akta Kelahiran", "AKLA"), ("Kartu Identitas Anak", "KIA"),
                 ("Pindah Datang", "PINDA")),
    "tax": (("Pajak Daerah", "PADA"), ("Retribusi Daerah", "RETRI"), ("Pajak Bumi dan Bangunan", "PBB"),
            ("Wajib Pajak", "WAPA"), ("Tagihan Pajak", "TAPA"), ("Pajak Restoran", "PARES")),
    "environment": (("Bank Sampah", "BASA"), ("Pilah Sampah", "PISA"), ("Kompos Warga", "KOMPOS"),
                    ("Ruang Terbuka Hijau", "RTH"), ("Sungai Bersih", "SUBER"), ("Lubang Biopori", "BIOPORI"),
                    ("Penghijauan", "HIJAU")),
    "social": (("Penyandang Disabilitas", "DIFA"), ("Perlindungan Anak", "LINDA"), ("Bantuan Sosial", "BANSOS"),
               ("Warga Rentan", "TAN"), ("Lansia Terlantar", "LANTAR"), ("Pemberdayaan Perempuan", "PUAN")),
    "economy": (("UMKM", "UMKM"), ("Pasar Rakyat", "PASRA"), ("Produk Lokal", "PROLOK"), ("Koperasi", "KOP"),
                ("Pelaku Usaha", "PUSA"), ("Wirausaha Muda", "WIRA")),
    "disaster": (("Tanggap Bencana", "TABEN"), ("Siaga Banjir", "BANJIR"), ("Kebakaran", "BAKAR"),
                 ("Relawan Bencana", "RELA"), ("Evakuasi Warga", "EVA")),
    "permits": (("Perizinan Berusaha", "IZIN"), ("Izin Usaha", "ZIUS"), ("Izin Bangunan", "IMB"),
                ("Investasi", "INVEST")),
    "transport": (("Parkir Tertib", "PARKIR"), ("Angkutan Sekolah", "ANSEK"), ("Lalu Lintas", "LALIN"),
                  ("Terminal", "TERMI")),
    "communication": (("Aduan Warga", "ADUWA"), ("Informasi Publik", "INFO"), ("Aspirasi Masyarakat", "ASMARA"),
                      ("Media Sosial", "MEDSOS")),
}
WELL_KNOWN_NAME_RATE = 0.05


def _innovation_name(theme: str, rng: random.Random) -> tuple[str, str]:
    """(acronym, spelt-out name) of one unit's innovation."""
    if rng.random() < WELL_KNOWN_NAME_RATE:
        return rng.choice(_INNOVATIONS[theme])
    (lead, a), (obj, b), (qualifier, c) = (rng.choice(_NAME_LEADS), rng.choice(_NAME_OBJECTS[theme]),
                                           rng.choice(_NAME_QUALIFIERS))
    acronym = a + b + c if rng.random() < 0.5 else f"{a} {b}"
    return acronym, f"{lead} {obj} {qualifier}"


_ISSUES = {
    "health": "antrean pasien yang panjang dan pemantauan kesehatan warga yang belum terjadwal",
    "education": "rendahnya minat baca siswa dan terbatasnya komunikasi antara sekolah dan orang tua",
    "adminduk": "lamanya pengurusan dokumen kependudukan dan surat keterangan",
    "tax": "rendahnya kepatuhan wajib pajak dan sulitnya memperoleh informasi tagihan pajak daerah",
    "environment": "menumpuknya sampah rumah tangga dan rendahnya kesadaran memilah sampah",
    "social": "belum terdatanya warga rentan yang membutuhkan bantuan sosial",
    "economy": "terbatasnya akses pemasaran bagi pelaku usaha mikro",
    "disaster": "lambatnya respons terhadap kejadian banjir, pohon tumbang, dan kebakaran",
    "permits": "panjangnya alur perizinan berusaha dan ketidakpastian waktu penerbitan izin",
    "transport": "kemacetan di sekitar sekolah dan pasar serta parkir yang tidak tertib",
    "communication": "lambatnya tindak lanjut aduan masyarakat",
}
_THEMES_BY_CATEGORY = {"sd": ("education",) * 4 + ("environment", "social"),
                       "smp": ("education",) * 4 + ("environment", "social"),
                       "puskesmas": ("health",),
                       "kelurahan": ("adminduk", "environment", "social", "economy", "disaster")}
_THEMES_BY_KEYWORD = (("kesehatan", "health"), ("rumah sakit", "health"), ("pendidikan", "education"),
                      ("perpustakaan", "education"), ("kependudukan", "adminduk"), ("kecamatan", "adminduk"),
                      ("pendapatan", "tax"), ("lingkungan", "environment"), ("perhubungan", "transport"),
                      ("sosial", "social"), ("penanaman modal", "permits"), ("komunikasi", "communication"),
                      ("bencana", "disaster"), ("koperasi", "economy"), ("tenaga kerja", "economy"))

# Body sections: (heading, sentences separated by " | "); a paragraph keeps an ordered subset of the sentences.
_INOVASI_SECTIONS = (
    ("Ringkasan", "{acr} ({long}) merupakan inovasi yang dikembangkan oleh {unit} untuk menjawab {issue}. | Inovasi "
     "ini mulai dirancang pada awal tahun 2020 dan diuji coba selama tiga bulan. | Layanan dapat diakses masyarakat "
     "secara langsung maupun melalui telepon seluler. | Seluruh proses layanan dilaksanakan tanpa dipungut biaya."),
    ("Latar Belakang", "Pelayanan publik di {unit} selama ini masih menghadapi kendala berupa {issue}. | Hasil survei "
     "kepuasan masyarakat tahun 2020 menunjukkan {pct0} persen responden menilai proses layanan masih terlalu lama. | "
     "Pandemi COVID-19 menuntut penyesuaian cara pelayanan agar masyarakat tetap terlayani dengan aman dan kontak "
     "langsung dapat dikurangi. | Jumlah pengguna layanan terus meningkat, sementara jumlah petugas tidak bertambah. | "
     "Kondisi tersebut mendorong lahirnya inovasi {acr}."),
    ("Tujuan", "Inovasi {acr} bertujuan mempercepat proses pelayanan dan memberikan kepastian waktu. | Secara khusus, "
     "inovasi ini diarahkan untuk mengatasi {issue}. | Inovasi ini juga diharapkan meningkatkan transparansi dan "
     "akuntabilitas pelayanan publik. | Layanan didekatkan kepada kelompok rentan seperti lansia, penyandang "
     "disabilitas, dan ibu hamil."),
    ("Manfaat", "Masyarakat tidak perlu lagi datang berulang kali untuk menanyakan perkembangan layanan. | Waktu "
     "pelayanan dapat dipangkas dari rata-rata {n1} hari menjadi {n2} hari. | Petugas dapat memantau kinerja layanan "
     "secara langsung melalui dasbor sederhana. | Biaya transportasi dan fotokopi berkas masyarakat berkurang."),
    ("Pelaksanaan dan Kolaborasi", "Dalam pelaksanaannya, {unit} bekerja sama dengan {p1} dan {p2}. | Koordinasi "
     "dilakukan setiap bulan bersama {p1} untuk mengevaluasi inovasi. | Dukungan kader, tokoh masyarakat, serta ketua "
     "RT dan RW sangat membantu sosialisasi inovasi ini. | Sosialisasi dilakukan melalui media sosial, grup WhatsApp "
     "warga, dan papan pengumuman."),
    ("Hasil yang Dicapai", "Sejak diluncurkan pada bulan {month} 2020, inovasi {acr} telah dimanfaatkan oleh {n3} "
     "warga. | Indeks kepuasan masyarakat meningkat dari {pct0} menjadi {pct}. | Jumlah pengaduan terkait lamanya "
     "pelayanan turun secara signifikan. | Inovasi ini mulai direplikasi oleh unit lain di lingkungan Pemerintah Kota "
     "Malang."),
    ("Keberlanjutan", "Inovasi {acr} telah ditetapkan dengan surat keputusan pimpinan {unit}. | Anggaran pemeliharaan "
     "telah dialokasikan dalam DPA tahun 2021. | Ke depan, inovasi ini akan diintegrasikan dengan aplikasi milik "
     "Pemerintah Kota Malang."),
)
_KINERJA_SECTIONS = (
    ("Kebijakan Pelayanan", "{unit} telah menetapkan standar pelayanan sesuai Peraturan Menteri PANRB Nomor 15 Tahun "
     "2014. | Maklumat pelayanan dipasang di ruang tunggu dan dapat dibaca seluruh pengguna layanan. | Standar "
     "pelayanan ditinjau setiap tahun melalui forum konsultasi publik. | Survei kepuasan masyarakat dilaksanakan "
     "secara berkala dan hasilnya dipublikasikan."),
    ("Profesionalisme SDM", "Jumlah pegawai yang terlibat langsung dalam pelayanan sebanyak {staff} orang. | Petugas "
     "pelayanan telah mengikuti pelatihan pelayanan prima dan budaya kerja. | Kode etik dan kode perilaku pelaksana "
     "pelayanan telah ditetapkan dan disosialisasikan. | Penilaian kinerja pegawai dilakukan setiap bulan melalui "
     "aplikasi e-kinerja."),
    ("Sarana dan Prasarana", "Ruang pelayanan dilengkapi kursi tunggu, pendingin ruangan, dan nomor antrean. | "
     "Tersedia jalur landai, kursi roda, dan toilet khusus bagi penyandang disabilitas. | Ruang laktasi dan area "
     "bermain anak disediakan untuk kenyamanan pengguna layanan. | Sarana cuci tangan disediakan untuk menjaga "
     "protokol kesehatan."),
    ("Sistem Informasi Pelayanan Publik", "Informasi pelayanan dapat diakses melalui laman resmi, media sosial, dan "
     "papan informasi. | {unit} memanfaatkan aplikasi daring untuk pendaftaran layanan. | Data pelayanan terintegrasi "
     "dengan sistem milik Dinas Komunikasi dan Informatika."),
    ("Konsultasi dan Pengaduan", "Pengaduan dapat disampaikan melalui SAMBAT Online, kotak saran, telepon, dan "
     "WhatsApp. | Selama tahun 2020 tercatat {compl} pengaduan dan seluruhnya telah ditindaklanjuti. | Waktu "
     "penyelesaian pengaduan rata-rata {n2} hari kerja. | Konsultasi publik dilakukan bersama {p1}."),
    ("Inovasi", "Untuk meningkatkan kualitas layanan, {unit} mengembangkan inovasi {acr} ({long}). | Inovasi tersebut "
     "dilaksanakan bersama {p1} dan {p2}. | Inovasi ini menjawab {issue}."),
)
_LAMPIRAN_SECTIONS = (
    ("Dokumentasi Kegiatan", "Foto kegiatan sosialisasi inovasi kepada masyarakat. | Foto rapat koordinasi bersama "
     "{p1}. | Tangkapan layar aplikasi yang digunakan dalam pelayanan."),
)
# Fragments of the one paragraph that is each proposal's own: real proposals tell their own story,
# and without it every same-theme proposal of the demo would share most of its text.
_OWN_OPENERS = ("Di wilayah kami", "Berdasarkan data tahun 2020", "Hasil survei internal menunjukkan bahwa",
                "Dari catatan buku tamu", "Menurut laporan bulanan", "Dalam rapat evaluasi triwulan")
_OWN_SUBJECTS = ("warga lanjut usia", "pedagang pasar", "orang tua murid", "pekerja pabrik", "mahasiswa pendatang",
                 "pengemudi ojek", "ibu rumah tangga", "pemuda karang taruna", "kader posyandu", "penyandang disabilitas",
                 "petani kota", "pemilik warung", "guru honorer", "pengurus masjid", "nelayan sungai Brantas")
_OWN_PROBLEMS = ("harus antre sejak subuh", "tidak mendapat kabar tindak lanjut", "kesulitan mengisi formulir kertas",
                 "bolak-balik karena berkas kurang", "tidak tahu jadwal layanan", "terkendala biaya transportasi",
                 "enggan datang karena ruang tunggu sempit", "kehilangan satu hari kerja",
                 "tidak memiliki telepon pintar", "menunggu tanda tangan pejabat berhari-hari")
_OWN_PLACES = ("balai RW {n}", "pos ronda RT {n}", "gang {n}", "lapangan blok {n}", "musala RW {n}", "aula lantai {n}")


def _own_story(rng: random.Random) -> str:
    place = rng.choice(_OWN_PLACES).format(n=rng.randint(1, 19))
    subjects = rng.sample(_OWN_SUBJECTS, 2)
    return (f"{rng.choice(_OWN_OPENERS)}, sekitar {rng.randint(12, 480)} {subjects[0]} {rng.choice(_OWN_PROBLEMS)}, "
            f"terutama yang tinggal dekat {place}. Keluhan serupa datang dari {subjects[1]} yang "
            f"{rng.choice(_OWN_PROBLEMS)} pada hari {rng.choice(('Senin', 'Selasa', 'Rabu', 'Kamis', 'Jumat'))}.")


_MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober")


@dataclass(frozen=True, slots=True)
class _Identity:
    """What a cover says about its author; None in place of it means an anonymous cover."""
    forms: _UnitForms
    parent_line: str   # e.g. "DINAS KESEHATAN"; "" when there is none
    government: str    # "PEMERINTAH KOTA MALANG" (or another region for out-of-town units)
    always_government: bool = False  # a provincial edition's covers always say the region


@dataclass(slots=True)
class _Content:
    cover: list[tuple[str, str]]        # (style, text); style "gap" is vertical space
    header: str                         # DOCX section header; "" when none
    pages: list[list[tuple[str, str]]]  # body pages of ("h" | "p", text)
    table: list[list[str]]              # DOCX table rows; [] when none


def _pick_theme(name: str, category: str, rng: random.Random) -> str:
    if category in _THEMES_BY_CATEGORY:
        return rng.choice(_THEMES_BY_CATEGORY[category])
    for keyword, theme in _THEMES_BY_KEYWORD:
        if keyword in name.lower():
            return theme
    return rng.choice(tuple(_INNOVATIONS))


def _compose_cover(doc_type: str | None, ident: _Identity | None, innovation: tuple[str, str], fmt: str,
                   rng: random.Random) -> tuple[list[tuple[str, str]], str]:
    """Cover lines and DOCX header text; the competition line says "inovasi" on kinerja covers too."""
    acr, long = innovation
    cover: list[tuple[str, str]] = []
    competition = rng.random()
    line = _PROVINCE_COMPETITION_LINE if ident and ident.always_government else _COMPETITION_LINE
    if competition < 0.4:
        cover.append(("small", line))
    cover += [("gap", ""), ("title", rng.choice(_TITLES[doc_type]))]
    if doc_type == "inovasi":
        if label := rng.choice(("", "", "Judul Inovasi:", "Nama Inovasi:")):
            cover.append(("normal", label))
        cover += [("subtitle", f"{acr} ({long})")] if rng.random() < 0.5 else [("subtitle", acr),
                                                                              ("normal", f"({long})")]
    header = ""
    if ident:
        lines = rng.choice(ident.forms.cover_forms).split("\n")  # a long name wraps over lines
        if ident.parent_line and rng.random() < 0.7:
            lines.append(ident.parent_line)
        if fmt == "docx" and rng.random() < 0.25:
            header = " - ".join(lines)  # some offices only put their name in the letterhead header
        else:
            cover.append(("gap", ""))
            if rng.random() < 0.4:
                cover.append(("normal", rng.choice(("Disusun oleh:", "Diajukan oleh:"))))
            cover += [("name", line) for line in lines]
        if rng.random() < 0.8 or ident.always_government:
            cover.append(("name", ident.government))
    elif rng.random() < 0.4:
        cover.append(("name", "PEMERINTAH KOTA MALANG"))
    if rng.random() < 0.75:
        cover.append(("name", rng.choice(("TAHUN 2021", "Tahun 2021", "2021"))))
    if 0.4 <= competition < 0.6:
        cover += [("gap", ""), ("small", line)]
    return cover, header


def _compose_body(doc_type: str | None, author: _Author, partners: list[str], fmt: str,
                  rng: random.Random, min_pages: int = 1) -> tuple[list[list[tuple[str, str]]], list[list[str]]]:
    """Body pages (1-3, at least min_pages) and, for some DOCX, a table."""
    n1, pct0 = rng.randint(3, 14), rng.randint(62, 78)
    ctx = {"unit": author.ident.forms.full if author.ident else rng.choice(("unit kerja kami", "kantor kami")),
           "acr": author.innovation[0], "long": author.innovation[1], "issue": _ISSUES[author.theme],
           "p1": partners[0], "p2": partners[1], "n1": n1, "n2": rng.randint(1, max(1, n1 // 3)),
           "n3": rng.randint(120, 4800), "pct0": pct0, "pct": rng.randint(pct0 + 3, 95),
           "month": rng.choice(_MONTHS), "staff": rng.randint(6, 60), "compl": rng.randint(4, 180)}
    sections = {"inovasi": _INOVASI_SECTIONS, "kinerja": _KINERJA_SECTIONS, None: _LAMPIRAN_SECTIONS}[doc_type]
    # At most three sections per body page keeps every page from overflowing, so a PDF has 2-4 pages.
    n_pages = max(min_pages, rng.randint(1, 3)) if doc_type else 1
    chosen = sorted(rng.sample(range(len(sections)), min(len(sections), n_pages * rng.choice((2, 2, 3)))))
    numbering = rng.choice(("letter", "number", "upper"))
    pages: list[list[tuple[str, str]]] = [[] for _ in range(min(n_pages, len(chosen)))]
    for k, index in enumerate(chosen):
        heading, sentences = sections[index]
        heading = {"letter": f"{'ABCDEFG'[k]}. {heading}", "number": f"{k + 1}. {heading}",
                   "upper": heading.upper()}[numbering]
        pool = sentences.split(" | ")
        picked = sorted(rng.sample(range(len(pool)), rng.randint(min(2, len(pool)), len(pool))))
        paragraph = " ".join(pool[i].format(**ctx) for i in picked)
        if doc_type and (k == 0 or rng.random() < 0.5):
            paragraph = f"{_own_story(rng)} {paragraph}"
        pages[k * len(pages) // len(chosen)] += [("h", heading), ("p", paragraph)]
    table: list[list[str]] = []
    if fmt == "docx" and doc_type == "inovasi" and rng.random() < 0.5:
        table = [["Indikator", "Sebelum Inovasi", "Sesudah Inovasi"],
                 ["Waktu layanan (hari)", str(n1), str(ctx["n2"])],
                 ["Indeks kepuasan masyarakat", str(pct0), str(ctx["pct"])]]
    elif fmt == "docx" and doc_type == "kinerja" and rng.random() < 0.5:
        table = [["Jenis Layanan", "Jumlah Layanan 2020", "Waktu Penyelesaian"]] + [
            [service, str(rng.randint(50, 3000)), f"{rng.randint(1, 7)} hari"]
            for service in ("Pelayanan administrasi", "Pelayanan informasi", "Pengaduan masyarakat")]
    return pages, table


# --------------------------------------------------------------------------- writers

# reportlab and python-docx are imported lazily: reading a truth file or a roster should not pay for them.
@lru_cache(maxsize=1)
def _pdf_styles() -> dict:
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
    from reportlab.lib.styles import ParagraphStyle

    center = {"alignment": TA_CENTER, "spaceAfter": 8}
    return {"title": ParagraphStyle("title", fontName="Helvetica-Bold", fontSize=18, leading=24, **center),
            "subtitle": ParagraphStyle("subtitle", fontName="Helvetica-Bold", fontSize=14, leading=19, **center),
            "name": ParagraphStyle("name", fontName="Helvetica-Bold", fontSize=13, leading=17, **center),
            "normal": ParagraphStyle("normal", fontName="Helvetica", fontSize=11, leading=15, **center),
            "small": ParagraphStyle("small", fontName="Helvetica", fontSize=10, leading=13, **center),
            "h": ParagraphStyle("h", fontName="Helvetica-Bold", fontSize=12, leading=16, spaceBefore=10,
                                spaceAfter=4),
            "p": ParagraphStyle("p", fontName="Helvetica", fontSize=11, leading=15, alignment=TA_JUSTIFY)}


def _write_pdf(path: Path, content: _Content) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

    styles = _pdf_styles()
    story: list = []
    for style, text in content.cover:
        story.append(Spacer(1, 48) if style == "gap" else Paragraph(escape(text), styles[style]))
    for page in content.pages:
        story.append(PageBreak())
        story += [Paragraph(escape(text), styles[kind]) for kind, text in page]
    # invariant=1 pins the creation date and document id, so a seed always yields the same bytes.
    SimpleDocTemplate(str(path), pagesize=A4, invariant=1, author="", creator="").build(story)


def _write_docx(path: Path, content: _Content, when: datetime, author: str) -> None:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    doc = Document()
    if content.header:
        doc.sections[0].header.paragraphs[0].text = content.header
    sizes = {"title": 18, "subtitle": 14, "name": 13, "normal": 11, "small": 10, "gap": 11}
    for style, text in content.cover:
        paragraph = doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(text)
        run.bold = style in ("title", "subtitle", "name")
        run.font.size = Pt(sizes[style])
    for index, page in enumerate(content.pages):
        doc.add_page_break()
        for kind, text in page:
            if kind == "h":
                doc.add_heading(text, level=2)
            else:
                doc.add_paragraph(text)
        if content.table and index == len(content.pages) - 1:
            table = doc.add_table(rows=len(content.table), cols=len(content.table[0]))
            table.style = "Table Grid"
            for row, values in zip(table.rows, content.table):
                for cell, value in zip(row.cells, values):
                    cell.text = value
    props = doc.core_properties
    props.author, props.last_modified_by, props.title = author, author, ""
    props.created = props.modified = when.astimezone(timezone.utc).replace(tzinfo=None)
    # python-docx stamps zip members with the wall clock; re-pack them with the submission time so that
    # a seed reproduces the DOCX bytes too.
    buffer = io.BytesIO()
    doc.save(buffer)
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for member in src.infolist():
            dst.writestr(zipfile.ZipInfo(member.filename, when.timetuple()[:6]), src.read(member),
                         compress_type=zipfile.ZIP_DEFLATED)


# --------------------------------------------------------------------------- inbox assembly

_WIB = timezone(timedelta(hours=7))
_WINDOW_START = datetime(2021, 1, 11, 7, 30, tzinfo=_WIB)
_WINDOW_END = datetime(2021, 2, 26, 23, 59, tzinfo=_WIB)
_UNSAFE = re.compile(r'[\\/:*?"<>|]')
_PRIVATE_UNITS = (("SD Islam Sabilillah Malang", "sd"), ("SD Katolik Santa Maria 2 Malang", "sd"),
                  ("SD Muhammadiyah 9 Malang", "sd"), ("SMP Kristen Kalam Kudus Malang", "smp"),
                  ("SMP Islam Malang", "smp"))
# Units of the neighbouring Kabupaten Malang sometimes submit to the city's competition by mistake.
_OUT_OF_TOWN = (("UPT Puskesmas Dau", "puskesmas", "DINAS KESEHATAN KABUPATEN MALANG"),
                ("Desa Pandanlandung", "kelurahan", "KECAMATAN WAGIR"))
_CITY, _REGENCY = "PEMERINTAH KOTA MALANG", "PEMERINTAH KABUPATEN MALANG"


@dataclass(frozen=True, slots=True)
class _Author:
    """Who hands a document in, as its cover and body will show it."""
    participant_id: str | None  # None: not identifiable, the file must end up quarantined
    category: str
    ident: _Identity | None     # None: the cover names no unit at all
    theme: str
    innovation: tuple[str, str]


@dataclass(slots=True)
class _Plan:
    """One document to write, before its file name and content are drawn."""
    author: _Author
    doc_type: str | None
    style: str
    folder: str
    naming: str
    resubmitted: bool = False
    copy_of: _Plan | None = None  # another participant's proposal this one copies, names changed
    long_body: bool = False  # a copied proposal has substance: copies of a one-page text are not flagged


class _InboxBuilder:
    def __init__(self, inbox: Path, roster: list[RosterRow], rng: random.Random):
        self.inbox, self.roster, self.rng = inbox, roster, rng
        self.names = {r.id: r.name for r in roster}
        self.rows = {r.id: r for r in roster}
        self.taken: set[str] = set()
        self.truth: list[TruthRecord] = []
        self.written: dict[int, tuple[str, list[list[tuple[str, str]]]]] = {}  # id(plan) -> (path, body)

    def random_time(self, start: datetime = _WINDOW_START, end: datetime = _WINDOW_END) -> datetime:
        return start + timedelta(seconds=self.rng.randint(0, int((end - start).total_seconds())))

    def author(self, row: RosterRow, parent_line: str | None = None, government: str = _CITY,
               registered: bool = True) -> _Author:
        if parent_line is None:
            parent_line = self.names.get(row.parent_id or "", "").upper()
        region = self.region(row)
        if region:
            government = f"PEMERINTAH {region.upper()}"
        theme = _pick_theme(row.name, row.category, self.rng)
        return _Author(row.id if registered else None, row.category,
                       _Identity(_unit_forms(row.name), parent_line, government, bool(region)), theme,
                       _innovation_name(theme, self.rng))

    def region(self, row: RosterRow) -> str | None:
        """The provincial region in a unit's name or its parent's ("Kabupaten Malang"); None in a city edition."""
        name, parent = row.name, row.parent_id
        for _ in range(5):
            if split := _region_of(name):
                return split[1]
            if not parent or parent not in self.rows:
                return None
            name, parent = self.rows[parent].name, self.rows[parent].parent_id
        return None

    def partners(self, author: _Author, rng: random.Random) -> list[str]:
        # Other participants mentioned in passing: decoys for any name matcher that reads the body.
        own = author.ident.forms.full if author.ident else ""
        others = [r.name for r in self.roster if r.name != own] or ["Dinas Kesehatan", "Kelurahan Dinoyo"]
        return rng.sample(others, 2) if len(others) > 1 else others * 2

    def claim(self, folder: str, stem: str, ext: str) -> str:
        """Reserve a unique relative path (case-insensitively, as on Windows/macOS); clashes get " (2)"."""
        folder = "/".join(_UNSAFE.sub("", part).strip(" .") for part in folder.split("/")) if folder else ""
        stem = _UNSAFE.sub("", stem).strip() or "dokumen"
        for n in range(1, 1000):
            rel = (f"{folder}/" if folder else "") + (f"{stem}.{ext}" if n == 1 else f"{stem} ({n}).{ext}")
            if rel.lower() not in self.taken:
                self.taken.add(rel.lower())
                return rel
        raise RuntimeError(f"cannot find a free name for {stem!r}")

    def write(self, plan: _Plan, when: datetime, status: str, naming: str,
              rename: tuple[str, str] | None = None) -> tuple[str, str]:
        """Name, compose and write one file; returns its (folder, stem) so that a revision can follow it."""
        author = plan.author
        fmt = "pdf" if self.rng.random() < 0.6 else "docx"
        forms = author.ident.forms if author.ident else None
        folder, stem, ext = _name_file(plan.style, forms, author.category, plan.doc_type, fmt, when, plan.folder,
                                       self.rng)
        folder, stem = rename or (folder, stem)
        rel = self.claim(folder, stem, ext)
        # Content draws from its own generator, so that tuning the text never reshuffles names or mtimes.
        content_rng = random.Random(self.rng.getrandbits(64))
        cover, header = _compose_cover(plan.doc_type, author.ident, author.innovation, fmt, content_rng)
        pages, table = _compose_body(plan.doc_type, author, self.partners(author, content_rng), fmt,
                                    content_rng, min_pages=3 if plan.long_body else 1)
        # A copy still draws its own body first: its table is its own, and the draws keep the corpus stable.
        copied = self.written.get(id(plan.copy_of)) if plan.copy_of else None
        if copied:
            pages = _copied_body(copied[1], plan.copy_of.author, author, content_rng)
        content = _Content(cover, header, pages, table)
        path = self.inbox / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "pdf":
            _write_pdf(path, content)
        else:
            _write_docx(path, content, when, _person(self.rng))
        os.utime(path, (when.timestamp(), when.timestamp()))
        self.truth.append(TruthRecord(rel, author.participant_id, plan.doc_type, status, naming,
                                      copied[0] if copied else None))
        self.written[id(plan)] = (rel, pages)
        return folder, stem

    def handle(self, plan: _Plan) -> None:
        status = "accepted" if plan.author.participant_id else "quarantined"
        if not plan.resubmitted:
            self.write(plan, self.random_time(), status, plan.naming)
            return
        # The first version lands early; a revised one (new content, later mtime) follows it.
        old_when = self.random_time(end=_WINDOW_END - timedelta(days=14))
        new_when = old_when + timedelta(days=self.rng.randint(1, 13), seconds=self.rng.randint(0, 36000))
        folder, stem = self.write(plan, old_when, "superseded", "resubmission")
        revised = stem + self.rng.choice(_REVISION_SUFFIXES) if self.rng.random() < 0.7 else f"REVISI {stem}"
        self.write(plan, new_when, "accepted", "resubmission", rename=(folder, revised))

    def unregistered_plans(self, count: int) -> list[_Plan]:
        """Units missing from the roster: a sibling SD number, a high SMP number, private, out of town."""
        taken = {r.name for r in self.roster}
        sd_places = sorted({m[1] for r in self.roster if (m := re.fullmatch(r"SD Negeri (.+) \d+", r.name))})
        disdikbud = self.names.get(_DISDIKBUD, "Dinas Pendidikan dan Kebudayaan").upper()
        groups = [[(f"SD Negeri {place} {n}", "sd", disdikbud, _CITY) for place in sd_places or ["Sawojajar"]
                   for n in range(6, 10)],
                  [(f"SMP Negeri {n} Malang", "smp", disdikbud, _CITY) for n in range(28, 41)],
                  [(name, category, "", "KOTA MALANG") for name, category in _PRIVATE_UNITS],
                  [(name, category, parent, _REGENCY) for name, category, parent in _OUT_OF_TOWN]]
        regions = sorted({region for r in self.roster if (region := self.region(r))})
        if regions:
            # A provincial school that is not registered, named with its region (SMP Negeri 17 Kota Surabaya),
            # while schools of its number are registered in other regions.
            groups.append([(f"SMP Negeri {n} {region}", "smp", f"DINAS PENDIDIKAN {region.upper()}", "")
                           for region in regions for n in range(_PROVINCE_SMP - 3, _PROVINCE_SMP + 9)])
        groups = [[unit for unit in group if unit[0] not in taken] for group in groups]
        for group in groups:
            self.rng.shuffle(group)
        # Round-robin over the kinds so that even the small demo shows several of them.
        units: list[tuple[str, str, str, str]] = []
        while len(units) < count and any(groups):
            units += [group.pop() for group in groups if group][:count - len(units)]
        plans = []
        for name, category, parent_line, government in units:
            author = self.author(RosterRow("", name, category, None), parent_line, government, registered=False)
            style = self.rng.choice(("clean", "abbrev", "gforms", "folder"))
            folder = _participant_folder(style, author.ident.forms, category, self.rng)
            plans += [_Plan(author, doc_type, style, folder, "unregistered")
                      for doc_type in self.rng.choice((("inovasi",), ("kinerja",), DOC_TYPES))]
        return plans

    def anonymous_plan(self, doc_type: str | None) -> _Plan:
        theme = self.rng.choice(tuple(_INNOVATIONS))
        author = _Author(None, "", None, theme, _innovation_name(theme, self.rng))
        return _Plan(author, doc_type, "anonymous", "", "anonymous")


def _plant_copies(plans: list[_Plan], count: int, rng: random.Random) -> list[_Plan]:
    """Let `count` participants hand in a copy of another's Inovasi proposal; copies are written last."""
    inovasi = [p for p in plans if p.doc_type == "inovasi" and p.author.participant_id and not p.resubmitted]
    if len(inovasi) < 2 * count:
        return plans
    picked = rng.sample(inovasi, 2 * count)
    for source, copier in zip(picked[::2], picked[1::2], strict=True):
        copier.copy_of, source.long_body = source, True
    return [p for p in plans if p.copy_of is None] + [p for p in plans if p.copy_of is not None]


def _copied_body(pages: list[list[tuple[str, str]]], source: _Author, copier: _Author,
                 rng: random.Random) -> list[list[tuple[str, str]]]:
    """Another unit's body with the unit and innovation renamed, some sentences dropped and some added."""
    renames = [(source.innovation[1], copier.innovation[1]), (source.innovation[0], copier.innovation[0])]
    if source.ident and copier.ident:
        renames.insert(0, (source.ident.forms.full, copier.ident.forms.full))
    out = []
    for page in pages:
        new_page = []
        for kind, text in page:
            for old, new in renames:
                text = text.replace(old, new)
            if kind == "p":
                sentences = re.split(r"(?<=\.) ", text)
                if len(sentences) > 3 and rng.random() < 0.5:
                    sentences.pop(rng.randrange(len(sentences)))
                if rng.random() < 0.4:
                    sentences.insert(rng.randrange(len(sentences) + 1), _own_story(rng))
                text = " ".join(sentences)
            new_page.append((kind, text))
        out.append(new_page)
    return out


def generate_inbox(inbox: Path, roster: list[RosterRow], seed: int = 0, *, missing_rate: float = 0.12,
                   noise: bool = True) -> list[TruthRecord]:
    """Write the documents of `roster` (plus noise) into `inbox` and return the truth, sorted by path."""
    inbox = Path(inbox)
    inbox.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    builder = _InboxBuilder(inbox, roster, rng)
    styles, weights = list(_STYLE_WEIGHTS), list(_STYLE_WEIGHTS.values())

    plans: list[_Plan] = []
    for row in roster:
        author = builder.author(row)
        style = rng.choices(styles, weights)[0]
        folder = _participant_folder(style, author.ident.forms, row.category, rng)
        for doc_type in DOC_TYPES:
            if rng.random() < missing_rate:
                continue
            # Now and then the two documents of one participant arrive by different routes.
            doc_style = style if rng.random() < 0.85 else rng.choices(styles, weights)[0]
            doc_folder = folder if doc_style == style else _participant_folder(doc_style, author.ident.forms,
                                                                                 row.category, rng)
            plans.append(_Plan(author, doc_type, doc_style, doc_folder, doc_style))
    if noise:
        n = len(roster)
        for plan in rng.sample(plans, min(len(plans), max(2, n // 20))):
            plan.resubmitted = True
        plans += builder.unregistered_plans(max(3, n // 20))
        # One anonymous file is not even a proposal (doc_type None): a loose attachment.
        plans += [builder.anonymous_plan(None if k == 1 else rng.choice(DOC_TYPES)) for k in range(max(2, n // 40))]
        plans = _plant_copies(plans, max(1, n // 40), rng)
    for plan in plans:
        builder.handle(plan)

    # Folder mtimes follow their newest entry, so the whole tree is reproducible.
    for directory in sorted((p for p in inbox.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
        newest = max(child.stat().st_mtime for child in directory.iterdir())
        os.utime(directory, (newest, newest))
    return sorted(builder.truth, key=lambda t: t.path)
