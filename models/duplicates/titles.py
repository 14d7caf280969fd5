"""Innovation names: the title a proposal gives itself, and when two names are the same innovation."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

# -- innovation names -------------------------------------------------------------------------
#
# Acronyms repeat across units all the time (SIMPEL, SI CANTIK, LAPOR: dozens of units each, each
# spelling them out its own way), so an acronym says nothing on its own. A `title` flag needs the
# innovation's whole name to agree: the spelt-out name word for word (case, punctuation, word order,
# glued words and small typos aside) and, where both titles give one, the acronym (or the acronym
# cut short: SI JURSI for SIJURSIPRIMA, as units write one name both ways). A title that is
# only an acronym never flags (its text is still compared in full, as every text is); nor does a
# generic title ("Inovasi Pelayanan Publik", "Proposal Inovasi", the unit's own name).


_TITLE_LINES = 40
_LABEL = re.compile(r"^\s*(?:nama|judul)\s+(?:inovasi|program)\s*[:.\-]?\s*(.*)$", re.IGNORECASE)
_ACRONYM_FIRST = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9.'\- ]{1,24}?)\s*\(\s*([^()]{8,160}?)\s*\)\s*\.?\s*$")
_ACRONYM_LAST = re.compile(r"^\s*([^()]{8,160}?)\s*\(\s*([A-Za-z0-9][A-Za-z0-9.'\- ]{1,24}?)\s*\)\s*\.?\s*$")
# "SI CANTIK: Sistem Antrian ..." and "SI CANTIK - Sistem Antrian ..."
_ACRONYM_SEP = re.compile(
    r"^\s*([A-Za-z0-9][A-Za-z0-9.'\- ]{1,24}?)\s*(?::|\s[-\u2013\u2014]\s)\s*([^()]{8,160}?)\s*\.?\s*$"
)
# The spelt-out name alone on the line under its acronym: "(Sistem Antrian Cepat)".
_EXPANSION_LINE = re.compile(r"^\s*\(\s*([^()]{8,160}?)\s*\)\s*\.?\s*$")
_QUOTES = str.maketrans("", "", "\"\u201c\u201d\u201e\u00ab\u00bb")
# Lines that name the competition or the document, not the innovation.
_NOT_A_TITLE = re.compile(r"kompetisi|proposal|\bkipp\b|\bbab\b|undang|peraturan|kinerja", re.IGNORECASE)
# Words that join a name's words and say nothing: left out before names are compared.
_TITLE_STOP_WORDS = frozenset(
    {"dan", "di", "ke", "dari", "yang", "untuk", "bagi", "dengan", "dalam", "melalui", "pada", "oleh", "serta",
     "atau", "the", "of", "and", "for"}
)
# Words any innovation's name may hold; a name made of these alone is generic ("Inovasi Pelayanan
# Publik", "Sistem Informasi Pelayanan", "Proposal Inovasi Tahun 2021") and never flags.
_GENERIC_TITLE_WORDS = frozenset(
    {"inovasi", "pelayanan", "layanan", "publik", "proposal", "program", "kompetisi", "kipp", "kota",
     "kabupaten", "provinsi", "daerah", "pemerintah", "tahun", "nama", "judul", "sistem", "informasi",
     "aplikasi", "unit", "kerja", "kinerja", "penyelenggaraan", "malang", "inovatif", "baru"}
)
# A name that starts with a kind of unit ("SD Negeri Sawojajar 1", "UPT Puskesmas Dinoyo",
# "Kelurahan Bunulrejo") is the participant's own name written where the innovation's belongs.
_UNIT_KINDS = frozenset(
    {"sd", "smp", "sma", "smk", "mi", "mts", "tk", "puskesmas", "kelurahan", "desa", "kecamatan", "dinas",
     "badan", "sekretariat", "inspektorat"}
)
_MIN_WORDS_WITHOUT_ACRONYM = 3  # a spelt-out name without an acronym on both sides needs this many words
_MIN_DISTINCTIVE_WITHOUT_ACRONYM = 2  # ... of which this many outside _GENERIC_TITLE_WORDS


@dataclass(frozen=True, slots=True)
class _Title:
    raw: str
    acronym: str | None  # letters and digits, upper-cased: "SI CANTIK", "Si-Cantik" -> "SICANTIK"
    words: tuple[str, ...]  # the spelt-out name's words, lower-case, stop words left out, sorted; () if none
    glued: str  # the same words' letters run together in their order: "Antrian Online" = "AntrianOnline"
    distinctive: int  # words outside _GENERIC_TITLE_WORDS
    generic: bool  # a generic title or the unit's own name: never flags


def _acronym_of(text: str, expansion: str) -> str | None:
    """The acronym side of "X (Y)": shorter than the spelt-out side, at most 3 words, capitals
    ("SI CANTIK", "Si-Cantik"; one word needs only its first: "Simpel")."""
    letters = re.sub(r"[^A-Za-z0-9]", "", text)
    upper = sum(c.isupper() for c in letters)
    words = len(text.split())
    if len(letters) < 3 or words > 3 or len(text) >= len(expansion) or upper < (1 if words == 1 else 2):
        return None
    return letters.upper()


def _acronym_alone(line: str, max_words: int = 2) -> str | None:
    """A title that is only an acronym: "SIMPEL", "Simpel", "SI CANTIK", "e-LAPOR", "Si-Cantik".

    Three words or more are a name, whatever their case ("KAMPUNG SEHAT GURU"), except over a
    "(spelt-out name)" line, where derive_title allows max_words=3.
    """
    letters = re.sub(r"[^A-Za-z0-9]", "", line)
    words = line.split()
    if not 3 <= len(letters) <= 16 or len(words) > max_words or sum(c.isupper() for c in letters) < min(2, len(words)):
        return None
    if any(c.islower() for c in letters) and len(words) > 1:
        return None  # "Rumah Gizi": words, not an acronym
    return letters.upper()


def _name_words(expansion: str) -> list[str]:
    from models.names import fold

    return [w for w in re.findall(r"[a-z0-9]+", fold(expansion)) if w not in _TITLE_STOP_WORDS]


def _unit_name(expansion: str) -> bool:
    from models.names import tokens

    first = tokens(expansion)[:1]
    return bool(first) and first[0] in _UNIT_KINDS


def _parse_title(raw: str) -> _Title | None:
    """An innovation's name split into its acronym and its spelt-out name, where it has them."""
    line = " ".join(raw.translate(_QUOTES).split()).strip(" .")
    acronym, expansion = None, None
    for pattern, short, long in ((_ACRONYM_FIRST, 1, 2), (_ACRONYM_LAST, 2, 1), (_ACRONYM_SEP, 1, 2)):
        if (m := pattern.match(line)) and len(m.group(long).split()) >= 2:
            acronym = _acronym_of(m.group(short), m.group(long))
            if pattern is _ACRONYM_SEP and acronym and len(m.group(short).split()) > 1:
                acronym = _acronym_alone(m.group(short))  # "Gerakan Peduli: ..." is a name with a colon
            if acronym:
                expansion = m.group(long)
                break
    if acronym is None:
        acronym = _acronym_alone(line)
        expansion = None if acronym else line
    words = _name_words(expansion) if expansion else []
    if not acronym and len("".join(words)) < 4:
        return None
    distinctive = sum(w not in _GENERIC_TITLE_WORDS and not w.isdigit() for w in words)
    generic = bool(words) and (distinctive == 0 or _unit_name(expansion))
    return _Title(line, acronym, tuple(sorted(words)), "".join(words), distinctive, generic)


def _same_word(a: str, b: str) -> bool:
    """One word, allowing a typo: one edit in a word of 6 letters or more, two from 9; numbers exact."""
    from rapidfuzz.distance import Levenshtein

    if a == b:
        return True
    if a.isdigit() or b.isdigit():
        return False
    shorter = min(len(a), len(b))
    allowed = 2 if shorter >= 9 else 1 if shorter >= 6 else 0
    return allowed > 0 and Levenshtein.distance(a, b, score_cutoff=allowed) <= allowed


def _same_words(x: _Title, y: _Title) -> bool:
    """The two spelt-out names hold the same words, in any order, up to typos and glued words."""
    if x.glued == y.glued:
        return True
    if len(x.words) != len(y.words):
        return False
    left = Counter(x.words)
    left.subtract(Counter(y.words))
    rest_x = sorted(left.elements())
    rest_y = sorted((Counter(y.words) - Counter(x.words)).elements())
    for word in rest_x:
        match = next((i for i, other in enumerate(rest_y) if _same_word(word, other)), None)
        if match is None:
            return False
        rest_y.pop(match)
    return True


def _same_acronym(a: str, b: str) -> bool:
    """Equal once spacing, case and punctuation are gone, up to a typo (one letter from 6 letters);
    or one is the other cut short, keeping 4 letters or more: SIJURSI for SIJURSIPRIMA."""
    shorter, longer = sorted((a, b), key=len)
    return a == b or _same_word(a.lower(), b.lower()) or (len(shorter) >= 4 and longer.startswith(shorter))


def same_innovation_name(x: _Title, y: _Title) -> bool:
    """The whole name agrees: the spelt-out names word for word and, where both have one, the acronyms.

    An acronym alone never agrees with anything (SIMPEL is dozens of different innovations); nor
    does a generic title. Without an acronym on both sides, the spelt-out name must be long enough
    to be one innovation's (three words, two of them not generic): "Posyandu Lansia" is a service
    every puskesmas runs, "Gerakan Masyarakat Peduli Lansia" an innovation's name.
    """
    if not x.words or not y.words or x.generic or y.generic:
        return False
    if x.acronym and y.acronym:
        if not _same_acronym(x.acronym, y.acronym):
            return False
    elif (min(len(x.words), len(y.words)) < _MIN_WORDS_WITHOUT_ACRONYM
          or min(x.distinctive, y.distinctive) < _MIN_DISTINCTIVE_WITHOUT_ACRONYM):
        return False
    return _same_words(x, y)


def derive_title(text: str) -> str | None:
    """The innovation's name from the first lines: after "Nama Inovasi:", or an acronym line.

    "SI CANTIK (Sistem Informasi ...)", "Sistem Informasi ... (SI CANTIK)" and "SI CANTIK: Sistem
    ..." count, and so does an acronym with its spelt-out name in brackets on the next line; lines
    naming the competition or the document ("PROPOSAL INOVASI ...", "(KIPP)") do not.
    """
    lines = [line.strip() for line in text.split("\n", _TITLE_LINES)[:_TITLE_LINES]]
    lines = [line for line in lines if line]

    def with_expansion(value: str, at: int) -> str:
        """The value, and the "(spelt-out name)" on the line after it when the value has none."""
        if "(" not in value and at + 1 < len(lines) and (m := _EXPANSION_LINE.match(lines[at + 1])):
            return f"{value} ({m.group(1)})"
        return value

    for i, line in enumerate(lines):
        if m := _LABEL.match(line):
            value = m.group(1).strip(" :-")
            if value:
                return with_expansion(value, i)
            if i + 1 < len(lines):
                return with_expansion(lines[i + 1], i + 1)
    for i, line in enumerate(lines):
        if len(line) > 200 or _NOT_A_TITLE.search(line):
            continue
        title = _parse_title(line)
        if title and title.acronym and title.words:
            return title.raw
        if _acronym_alone(line, max_words=3) and i + 1 < len(lines) and _EXPANSION_LINE.match(lines[i + 1]):
            return with_expansion(line, i)
    return None
