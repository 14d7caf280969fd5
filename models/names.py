"""Unit names as tokens: abbreviations expanded, noise dropped, numbers kept exact."""

from __future__ import annotations

import re
import unicodedata

# Abbreviations that secretariats and participants write for the units of a Pemerintah Kota.
# Keys are single normalised tokens; values are what they stand for.
ABBREVIATIONS: dict[str, str] = {
    "sdn": "sd negeri",
    "smpn": "smp negeri",
    "sman": "sma negeri",
    "smkn": "smk negeri",
    "negri": "negeri",
    "ngeri": "negeri",
    "pkm": "puskesmas",
    "kel": "kelurahan",
    "kelur": "kelurahan",
    "kec": "kecamatan",
    "kecam": "kecamatan",
    "din": "dinas",
    "dinkes": "dinas kesehatan",
    "disdikbud": "dinas pendidikan kebudayaan",
    "dikbud": "dinas pendidikan kebudayaan",
    "disdik": "dinas pendidikan",
    "diknas": "dinas pendidikan",
    "dispendik": "dinas pendidikan",
    "dispendukcapil": "dinas kependudukan pencatatan sipil",
    "disdukcapil": "dinas kependudukan pencatatan sipil",
    "dukcapil": "dinas kependudukan pencatatan sipil",
    "bapenda": "badan pendapatan daerah",
    "bappeda": "badan perencanaan pembangunan daerah",
    "dlh": "dinas lingkungan hidup",
    "dishub": "dinas perhubungan",
    "diskominfo": "dinas komunikasi informatika",
    "kominfo": "dinas komunikasi informatika",
    "satpol": "satuan polisi pamong praja",
    "satpolpp": "satuan polisi pamong praja",
    "bpbd": "badan penanggulangan bencana daerah",
    "dpmptsp": "dinas penanaman modal pelayanan terpadu satu pintu",
    "dinsos": "dinas sosial",
    "disnaker": "dinas tenaga kerja",
    "disnakerpmptsp": "dinas tenaga kerja penanaman modal pelayanan terpadu satu pintu",
    "disperkim": "dinas perumahan kawasan permukiman",
    "dpupr": "dinas pekerjaan umum penataan ruang",
    "dpuprpkp": "dinas pekerjaan umum penataan ruang perumahan kawasan permukiman",
    "diskopindag": "dinas koperasi perindustrian perdagangan",
    "dispora": "dinas kepemudaan olahraga",
    "disporapar": "dinas kepemudaan olahraga pariwisata",
    "dispangtan": "dinas ketahanan pangan pertanian",
    "bkpsdm": "badan kepegawaian pengembangan sumber daya manusia",
    "bkd": "badan kepegawaian daerah",
    "bakesbangpol": "badan kesatuan bangsa politik",
    "bakesbang": "badan kesatuan bangsa politik",
    "rsud": "rumah sakit umum daerah",
    "setda": "sekretariat daerah",
    "setwan": "sekretariat dprd",
    "dispussipda": "dinas perpustakaan umum arsip daerah",
    "dispusip": "dinas perpustakaan umum arsip daerah",
    "damkar": "dinas pemadam kebakaran",
}

# Abbreviations and spelled-out kinds of more than one token: "SD N", "Satpol PP", "Sekolah Dasar".
PHRASES: dict[tuple[str, ...], str] = {
    ("sd", "n"): "sd negeri",
    ("smp", "n"): "smp negeri",
    ("satpol", "pp"): "satuan polisi pamong praja",
    ("upt", "pkm"): "puskesmas",
    ("sekolah", "dasar"): "sd",
    ("sekolah", "menengah", "pertama"): "smp",
    ("sekolah", "menengah", "atas"): "sma",
    ("sekolah", "menengah", "kejuruan"): "smk",
    ("pusat", "kesehatan", "masyarakat"): "puskesmas",
}
_LONGEST_PHRASE = max(len(k) for k in PHRASES)

# Words that say what kind of unit a name is. Two units of different kinds never match.
KINDS = frozenset(
    {
        "sd", "smp", "sma", "smk", "mi", "mts", "tk",
        "puskesmas", "kelurahan", "desa", "kecamatan",
        "dinas", "badan", "sekretariat", "inspektorat", "satuan", "rumah", "kantor", "bagian",
    }
)

# Kinds whose names are ordinary words ("Dinas Kesehatan", "Badan Pendapatan Daerah"): without the
# kind, "kesehatan" in an innovation's title names no one. Place names (Kelurahan Bunulrejo) do.
KIND_REQUIRED = frozenset({"dinas", "badan", "sekretariat", "inspektorat", "satuan", "rumah", "kantor", "bagian"})

# Tokens that carry no identity. The city is generic for a city edition; a national edition
# sets KIPP_GENERIC_WORDS so that region names count again.
DEFAULT_GENERIC = frozenset(
    {
        "dan", "negeri", "upt", "unit", "pelaksana", "teknis", "kota", "kab", "kabupaten",
        "pemerintah", "pemkot", "provinsi", "malang", "dari", "di", "the",
    }
)

# A prefix glued to a place name ("SDNSawojajar1"); only unambiguous abbreviations qualify.
_GLUED = re.compile(r"^(sdn|smpn|pkm)([a-z]{4,})$")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")
# "(1)" and "(2)" are what browsers and Windows add to a second download of the same name.
_COPY_SUFFIX = re.compile(r"\(\s*\d{1,2}\s*\)")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """NFKC, lower case, accents removed."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def tokens(text: str, generic: frozenset[str] = DEFAULT_GENERIC) -> list[str]:
    """Normalised tokens of a unit name, a file name or a cover line.

    Numbers lose leading zeros ("05" is "5"); numbers of four digits or more (years, dates,
    scanner counters) are dropped, since no unit name carries one.
    """
    text = _COPY_SUFFIX.sub(" ", fold(text))
    raw = _NON_WORD.sub(" ", text).split()
    split: list[str] = []
    for tok in raw:
        for part in _LETTER_DIGIT.sub(" ", tok).split():
            glued = _GLUED.match(part)
            split.extend(glued.groups() if glued else (part,))
    expanded: list[str] = []
    i = 0
    while i < len(split):
        for n in range(_LONGEST_PHRASE, 1, -1):
            phrase = tuple(split[i : i + n])
            if phrase in PHRASES:
                expanded.extend(PHRASES[phrase].split())
                i += n
                break
        else:
            expanded.extend(ABBREVIATIONS.get(split[i], split[i]).split())
            i += 1
    out: list[str] = []
    for tok in expanded:
        if tok.isdigit():
            if len(tok) > 3:
                continue
            tok = str(int(tok))
        elif tok in generic:
            continue
        out.append(tok)
    return out
