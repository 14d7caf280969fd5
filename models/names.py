"""Unit names as tokens: abbreviations expanded, noise dropped, numbers kept exact."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

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
    "pusk": "puskesmas",
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
    # Dinas Sosial, Pemberdayaan Perempuan, Perlindungan Anak, Pengendalian Penduduk dan Keluarga Berencana
    # and its neighbours; looked up before letters and digits are split ("P3AP2KB").
    "p3a": "pemberdayaan perempuan perlindungan anak",
    "p2kb": "pengendalian penduduk keluarga berencana",
    "p3akb": "pemberdayaan perempuan perlindungan anak keluarga berencana",
    "p3ap2kb": "pemberdayaan perempuan perlindungan anak pengendalian penduduk keluarga berencana",
    "dp3a": "dinas pemberdayaan perempuan perlindungan anak",
    "dp3akb": "dinas pemberdayaan perempuan perlindungan anak keluarga berencana",
    "dp3ap2kb": "dinas pemberdayaan perempuan perlindungan anak pengendalian penduduk keluarga berencana",
    "dppkb": "dinas pengendalian penduduk keluarga berencana",
    "uptd": "upt",
    "sda": "sumber daya alam",  # "Bidang Perekonomian dan SDA"; never read as Sidoarjo
    "kabupatan": "kabupaten",
}

# Abbreviations and spelled-out kinds of more than one token: "SD N", "Satpol PP", "Sekolah Dasar".
PHRASES: dict[tuple[str, ...], str] = {
    ("sd", "n"): "sd negeri",
    ("smp", "n"): "smp negeri",
    ("satpol", "pp"): "satuan polisi pamong praja",
    ("upt", "pkm"): "puskesmas",
    ("upt", "puskesmas"): "puskesmas",
    ("uptd", "puskesmas"): "puskesmas",
    ("unit", "pelaksana", "teknis", "daerah"): "upt",
    ("unit", "pelaksana", "teknis"): "upt",
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
        "upt", "bidang", "seksi", "subbagian",
    }
)

# Kinds whose names are ordinary words ("Dinas Kesehatan", "Badan Pendapatan Daerah"): without the
# kind, "kesehatan" in an innovation's title names no one. Place names (Kelurahan Bunulrejo) do.
KIND_REQUIRED = frozenset(
    {"dinas", "badan", "sekretariat", "inspektorat", "satuan", "rumah", "kantor", "bagian", "upt", "bidang", "seksi",
     "subbagian"}
)

# Tokens that never carry identity. Region words (kota, kabupaten, a city's name) are not among them: a
# region is read apart from the name (`split_regions`) and only ever rules a participant out. The identifier
# adds the words the roster itself shows to be uninformative (models/identify.py, `roster_generic`).
DEFAULT_GENERIC = frozenset(
    {
        "dan", "negeri", "unit", "pelaksana", "teknis", "pemerintah", "pemkot", "pemkab", "pemprov",
        "dari", "di", "pada", "the",
    }
)

# Words that say the next word is a region: "Kota Malang", "Kab. Blitar".
REGION_MARKERS: dict[str, str] = {"kota": "kota", "kabupaten": "kabupaten", "kab": "kabupaten"}

# The 38 cities and regencies of Jawa Timur, with the levels each name exists at: Malang is a Kota and
# a Kabupaten, Surabaya only a Kota. A roster adds its own regions ("Kota X", "Kabupaten Y") to these.
JATIM_REGIONS: dict[str, frozenset[str]] = {
    **dict.fromkeys(("surabaya", "batu"), frozenset({"kota"})),
    **dict.fromkeys(("malang", "kediri", "blitar", "mojokerto", "pasuruan", "probolinggo", "madiun"),
                    frozenset({"kota", "kabupaten"})),
    **dict.fromkeys(("bangkalan", "banyuwangi", "bojonegoro", "bondowoso", "gresik", "jember", "jombang",
                     "lamongan", "lumajang", "magetan", "nganjuk", "ngawi", "pacitan", "pamekasan", "ponorogo",
                     "sampang", "sidoarjo", "situbondo", "sumenep", "trenggalek", "tuban", "tulungagung"),
                    frozenset({"kabupaten"})),
}
# Places that are also ordinary words: a region only right after kota/kabupaten ("Kota Batu").
REGION_NEEDS_MARKER = frozenset({"batu"})

# How file names shorten a region. Only unambiguous ones: SDA (Sumber Daya Alam), BLT (Bantuan Langsung
# Tunai), TA and PAS are ordinary words in file names and are left out, so they never guess a region.
REGION_ABBREVIATIONS: dict[str, str] = {
    "sby": "surabaya", "sur": "surabaya", "sbya": "surabaya",
    "mlg": "malang", "ked": "kediri", "kdr": "kediri", "bltr": "blitar", "mjk": "mojokerto", "mjkt": "mojokerto",
    "psr": "pasuruan", "pbl": "probolinggo", "prob": "probolinggo", "prb": "probolinggo",
    "mdn": "madiun", "sdj": "sidoarjo", "gsk": "gresik", "jbr": "jember", "jmb": "jombang",
    "bwi": "banyuwangi", "bjn": "bojonegoro", "lmg": "lamongan", "tbn": "tuban", "tlg": "tulungagung",
    "trk": "trenggalek", "png": "ponorogo", "mgt": "magetan", "ngw": "ngawi", "njk": "nganjuk", "pct": "pacitan",
    "lmj": "lumajang", "bdw": "bondowoso", "stb": "situbondo", "bkl": "bangkalan", "spg": "sampang",
    "pmk": "pamekasan", "smn": "sumenep",
}

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
        if tok in ABBREVIATIONS:  # "p3ap2kb" before it is split into letters and digits
            split.append(tok)
            continue
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
    for n, tok in enumerate(expanded):
        if tok == "upt" and expanded[n + 1 : n + 2] == ["puskesmas"]:
            continue  # "Unit Pelaksana Teknis Puskesmas" is a puskesmas
        if tok.isdigit():
            if len(tok) > 3:
                continue
            tok = str(int(tok))
        elif tok in generic:
            continue
        out.append(tok)
    return out


# A region a text or a name mentions: (level, place); the level is None where the text does not say
# ("Kediri", "KED") and the place exists at both levels.
Region = tuple[str | None, str]


def split_regions(
    toks: list[str],
    places: Mapping[str, frozenset[str]],
    abbreviations: Mapping[str, str] | None = None,
    keep_places: bool = False,
) -> tuple[list[str], frozenset[Region]]:
    """The tokens without the regions they mention, and those regions.

    A place right after a kind is the unit's own name ("Kecamatan Lamongan", "SD Negeri Kediri 2"),
    not a region; "Kota" or "Kabupaten" before an unknown word is dropped and says nothing. With
    `keep_places` (a text, not a roster name) the place stays among the tokens too: "SDN 1 Tuban" may
    be SD Negeri Tuban 1.
    """
    rest: list[str] = []
    found: set[Region] = set()
    i = 0
    while i < len(toks):
        tok = toks[i]
        after_kind = bool(rest) and rest[-1] in KINDS
        if tok in REGION_MARKERS and not after_kind:
            nxt = toks[i + 1] if i + 1 < len(toks) else ""
            nxt = abbreviations.get(nxt, nxt) if abbreviations else nxt
            if nxt in places:
                found.add((REGION_MARKERS[tok], nxt))
                if keep_places:
                    rest.append(nxt)
                i += 2
            else:
                i += 1
            continue
        place = abbreviations.get(tok, tok) if abbreviations else tok
        if place in places and not after_kind and place not in REGION_NEEDS_MARKER:
            levels = places[place]
            found.add((next(iter(levels)) if len(levels) == 1 else None, place))
            if keep_places:
                rest.append(place)
        else:
            rest.append(tok)
        i += 1
    return rest, frozenset(found)


def same_region(a: Region, b: Region) -> bool:
    """Kota Malang is not Kabupaten Malang; "Malang" alone may be either."""
    return a[1] == b[1] and (a[0] is None or b[0] is None or a[0] == b[0])


def regions_agree(own: frozenset[Region], mentioned: frozenset[Region]) -> bool:
    """False when a text mentions regions and none of them is the participant's own."""
    if not own or not mentioned:
        return True
    return any(same_region(a, b) for a in own for b in mentioned)
