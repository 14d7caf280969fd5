"""Judges for the generated editions: the Kota Malang demo panel (a judges.csv), and a national-size
edition (a roster with deep parent trees, themes, judges with affiliations, duplicate groups) for
`kipp bench judges`."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from flows.corpora.demo import malang_roster
from models.judges import Proposal, parse_judges
from models.records import Category, Judge, Participant
from models.roster import Roster
from models.themes.taxonomy import DEFAULT_THEME_IDS

HEADER = ("id", "name", "affiliation_id", "expertise", "capacity", "contact")


class RosterLine(Protocol):
    """A roster row as the generators and the roster both have it (RosterRow, Participant)."""

    id: str
    name: str
    category: str
    parent_id: str | None


# --------------------------------------------------------------------------------- Kota Malang demo

# (id, name, affiliation: a roster id or "" or a kind to look up, expertise, capacity, contact)
_DEMO_PANEL = (
    ("akd-ub-1", "Prof. Dr. Sri Wahyuni, M.Si. (Universitas Brawijaya)", "", "tata_kelola_perencanaan;pendidikan;infrastruktur_transportasi",
     "", "sri.wahyuni@ub.ac.id"),
    ("akd-ub-2", "Dr. Andi Kurniawan (Universitas Brawijaya)", "", "ekonomi_umkm;perizinan_investasi;pendapatan_daerah",
     "", "andi.k@ub.ac.id"),
    ("akd-um-1", "Dr. Retno Anggraini, M.Pd. (Universitas Negeri Malang)", "", "pendidikan;perlindungan_anak_keluarga",
     "", "retno.anggraini@um.ac.id"),
    ("akd-um-2", "Prof. Dr. Bambang Supriyadi (Universitas Negeri Malang)", "", "pendidikan;lingkungan_hidup", "",
     "bambang.s@um.ac.id"),
    ("akd-umm-1", "dr. Lailatul Fitriyah, M.Kes. (Universitas Muhammadiyah Malang)", "",
     "kesehatan;kesejahteraan_sosial", "", "laila.f@umm.ac.id"),
    ("akd-polinema", "Ir. Hendro Wibowo, M.T. (Politeknik Negeri Malang)", "",
     "infrastruktur_transportasi;ketertiban_kebencanaan;lingkungan_hidup", "", "hendro.w@polinema.ac.id"),
    ("pd-disdikbud-1", "Drs. Agus Salim, M.Pd. (Dinas Pendidikan dan Kebudayaan)", "pd-disdikbud", "pendidikan", "",
     ""),
    ("pd-dinkes-1", "dr. Maria Ulfa (Dinas Kesehatan)", "pd-dinkes", "kesehatan;perlindungan_anak_keluarga", "40", ""),
    ("camat-lowokwaru", "Drs. Imam Mustofa (Camat Lowokwaru)", "kec-lowokwaru",
     "administrasi_kependudukan;kesejahteraan_sosial;ketertiban_kebencanaan", "", ""),
    ("pd-capil-1", "Siti Nurhaliza, S.H. (Dinas Kependudukan dan Pencatatan Sipil)", "pd-dispendukcapil",
     "administrasi_kependudukan;tata_kelola_perencanaan;perizinan_investasi", "", ""),
    ("pd-dlh-1", "Ir. Yuli Astuti (Dinas Lingkungan Hidup)", "pd-dlh", "lingkungan_hidup;kesehatan", "", ""),
    ("pd-bapenda-1", "Rudi Hartono, S.E. (Badan Pendapatan Daerah)", "pd-bapenda",
     "pendapatan_daerah;pendidikan;ekonomi_umkm", "", ""),
)


def demo_judges(roster: Iterable[RosterLine]) -> str:
    """judges.csv for KIPP Kota Malang (the demo's roster, "demo" or "full"): 12 judges.

    Six academics (no affiliation) and six officials of competing units: Dinas Pendidikan dan
    Kebudayaan (whose schools compete), Dinas Kesehatan (its puskesmas; a capacity of 40), the Camat
    of Lowokwaru (its kelurahan), Dispendukcapil, DLH and Bapenda. Expertise covers every theme of
    models/data/themes.json at least twice.
    """
    ids = {r.id for r in roster}
    missing = sorted({a for _, _, a, *_ in _DEMO_PANEL if a and a not in ids})
    if missing:
        raise ValueError(f"not a Kota Malang roster: no {', '.join(missing)}")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(_DEMO_PANEL)
    return out.getvalue()


# Themes by category, with weights: schools are mostly about learning, a puskesmas about health.
_THEME_WEIGHTS = {
    "sd": {"pendidikan": 8, "lingkungan_hidup": 1, "perlindungan_anak_keluarga": 1, "kesehatan": 1},
    "smp": {"pendidikan": 8, "lingkungan_hidup": 1, "perlindungan_anak_keluarga": 1, "kesehatan": 1},
    "puskesmas": {"kesehatan": 9, "perlindungan_anak_keluarga": 1, "kesejahteraan_sosial": 1},
    "kelurahan": {"administrasi_kependudukan": 3, "lingkungan_hidup": 2, "kesejahteraan_sosial": 2,
                  "ekonomi_umkm": 2, "ketertiban_kebencanaan": 1, "perlindungan_anak_keluarga": 1},
    "perangkat_daerah": dict.fromkeys(DEFAULT_THEME_IDS, 1),
}
_UNDER_REVIEW = 0.1  # share of proposals whose theme is under review: the runner-up counts too


def sample_proposals(roster: Iterable[RosterLine], seed: int = 1) -> list[Proposal]:
    """One proposal per participant with a theme drawn by its category; a tenth under review (two themes)."""
    rng = random.Random(seed)
    proposals = []
    for r in roster:
        weights = _THEME_WEIGHTS[str(r.category)]
        theme = rng.choices(list(weights), list(weights.values()))[0]
        themes = (theme,)
        if rng.random() < _UNDER_REVIEW:
            themes += (rng.choice([t for t in DEFAULT_THEME_IDS if t != theme]),)
        proposals.append(Proposal(r.id, themes))
    return proposals


@dataclass(frozen=True, slots=True)
class Edition:
    """A generated edition: the roster, the proposals handed off, the panel and the duplicate pairs."""

    roster: Roster
    proposals: tuple[Proposal, ...]
    judges: tuple[Judge, ...]
    together: tuple[tuple[str, str], ...]


def malang_edition(seed: int = 1) -> Edition:
    """The full Kota Malang demo (323 participants, all handed off) and the demo panel of 12 judges."""
    rows = malang_roster("full", 2021)
    roster = Roster(tuple(Participant(r.id, r.name, Category(r.category), r.parent_id) for r in rows))
    judges = parse_judges(demo_judges(rows), roster, DEFAULT_THEME_IDS, source="demo judges.csv")
    return Edition(roster, tuple(sample_proposals(rows, seed)), judges,
                   duplicate_pairs([r.id for r in rows], random.Random(seed)))


# --------------------------------------------------------------------------------- national edition


_REGION_AGENCIES = (("dinkes", "Dinas Kesehatan"), ("disdik", "Dinas Pendidikan"), ("capil", "Dinas Kependudukan"),
                    ("bapenda", "Badan Pendapatan Daerah"), ("dlh", "Dinas Lingkungan Hidup"),
                    ("dinsos", "Dinas Sosial"))
_PROVINCE_AGENCIES = (("dinkes", "Dinas Kesehatan Provinsi"), ("disdik", "Dinas Pendidikan Provinsi"),
                      ("bappeda", "Bappeda Provinsi"), ("dpmptsp", "DPMPTSP Provinsi"))


def national_edition(seed: int = 1, provinces: int = 20, regions: int = 4, proposals: int = 3000,
                     judges: int = 100) -> Edition:
    """A national-size edition: provinces, their regions, agencies, kecamatan, kelurahan, puskesmas, schools.

    The parent trees are four deep (Provinsi > Kabupaten > Dinas > school; Kabupaten > Kecamatan >
    Kelurahan), so a judge from a Pemerintah Provinsi is in conflict with a few hundred participants
    and one from a school with its Dinas, its Kabupaten and its Provinsi. `proposals` of the roster
    are handed off (the others incomplete). Of the judges 45% are academics and the rest officials
    at every level; 15% have a capacity. 2% of the proposals are in high-severity duplicate groups
    (pairs, and a few of four).
    """
    rng = random.Random(seed)
    rows: list[Participant] = []
    levels: dict[str, list[str]] = {level: [] for level in _JUDGE_LEVELS}

    def add(pid: str, name: str, category: Category, parent: str | None, level: str) -> str:
        rows.append(Participant(pid, name, category, parent))
        levels[level].append(pid)
        return pid

    for p in range(1, provinces + 1):
        prov = add(f"prov-{p:02d}", f"Pemerintah Provinsi {p:02d}", Category.PERANGKAT_DAERAH, None, "provinsi")
        for slug, name in _PROVINCE_AGENCIES:
            add(f"{prov}-{slug}", f"{name} {p:02d}", Category.PERANGKAT_DAERAH, prov, "dinas")
        for r in range(1, regions + 1):
            reg = add(f"{prov}-kab-{r}", f"Pemerintah Kabupaten {p:02d}.{r}", Category.PERANGKAT_DAERAH, prov,
                      "kabupaten")
            agency = {slug: add(f"{reg}-{slug}", f"{name} Kabupaten {p:02d}.{r}", Category.PERANGKAT_DAERAH, reg,
                                "dinas")
                      for slug, name in _REGION_AGENCIES}
            for c in range(1, 4):
                kec = add(f"{reg}-kec-{c}", f"Kecamatan {p:02d}.{r}.{c}", Category.PERANGKAT_DAERAH, reg, "kecamatan")
                for v in range(1, 3):
                    add(f"{kec}-kel-{v}", f"Kelurahan {p:02d}.{r}.{c}.{v}", Category.KELURAHAN, kec, "unit")
            for n in range(1, 5):
                add(f"{reg}-pkm-{n}", f"Puskesmas {p:02d}.{r}.{n}", Category.PUSKESMAS, agency["dinkes"], "unit")
            for n in range(1, 7):
                add(f"{reg}-smp-{n}", f"SMP Negeri {n} {p:02d}.{r}", Category.SMP, agency["disdik"], "unit")
            for n in range(1, 13):
                add(f"{reg}-sd-{n}", f"SD Negeri {n} {p:02d}.{r}", Category.SD, agency["disdik"], "unit")
    roster = Roster(tuple(rows))
    handed = sorted(rng.sample(rows, min(proposals, len(rows))), key=lambda r: r.id)
    return Edition(roster, tuple(sample_proposals(handed, seed)), _national_panel(levels, judges, rng),
                   duplicate_pairs([p.id for p in handed], rng))


# Where the officials among 100 judges come from; the rest (45) are academics.
_JUDGE_LEVELS = {"provinsi": 3, "kabupaten": 8, "dinas": 25, "kecamatan": 10, "unit": 9}


def _national_panel(levels: dict[str, list[str]], count: int, rng: random.Random) -> tuple[Judge, ...]:
    officials = [level for level, n in _JUDGE_LEVELS.items() for _ in range(n)]
    theme_weights = [4 if t in ("pendidikan", "kesehatan") else 1 for t in DEFAULT_THEME_IDS]
    judges = []
    for i in range(count):
        affiliation = rng.choice(levels[officials[i]]) if i < len(officials) else None
        expertise = tuple(dict.fromkeys(rng.choices(DEFAULT_THEME_IDS, theme_weights, k=rng.randint(1, 3))))
        capacity = rng.randint(40, 90) if rng.random() < 0.15 else None
        judges.append(Judge(f"juri-{i + 1:03d}", f"Juri {i + 1}", affiliation, expertise, capacity))
    return tuple(judges)


def duplicate_pairs(ids: list[str], rng: random.Random) -> tuple[tuple[str, str], ...]:
    """High-severity duplicate flags over 2% of the proposals: pairs, one in five joined to the next (four)."""
    picked = rng.sample(ids, len(ids) // 50)
    pairs = []
    for i in range(0, len(picked) - 1, 2):
        pairs.append((picked[i], picked[i + 1]))
        if i % 10 == 0 and i + 2 < len(picked):
            pairs.append((picked[i + 1], picked[i + 2]))  # joins the next pair: a group of four
    return tuple(pairs)
