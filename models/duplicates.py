"""Copied proposals: the same file, the same text in another format, edited copies, earlier editions, same names."""

from __future__ import annotations

import bisect
import hashlib
import logging
import math
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from models.records import Labelled

import numpy as np

log = logging.getLogger(__name__)

PRIOR_PREFIX = "prior/"
# Bumped whenever the same documents may give other flags, so that flags cached by an earlier
# version (flows/dedupe.py keys its cache on it) are computed again.
# 2: title flags need the whole innovation name to agree (issue 18, point 8).
FLAGS_VERSION = 2


class DuplicateKind(Labelled):
    EXACT = ("exact", "berkas identik", "identical files")  # the same bytes
    # the same text in another file: a PDF and a DOCX of one proposal
    CROSS_FORMAT = ("cross_format", "teks sama, format lain", "same text, another format")
    NEAR = ("near", "salinan yang disunting", "edited copy")  # an edited copy between participants
    # the text of a proposal from an earlier edition
    PRIOR_EDITION = ("prior_edition", "sama dengan edisi sebelumnya", "same as an earlier edition")
    TITLE = ("title", "nama inovasi sama", "same innovation name")  # the same innovation name


class Severity(Labelled):
    HIGH = ("high", "tinggi", "high")
    MEDIUM = ("medium", "sedang", "medium")
    LOW = ("low", "rendah", "low")
    INFO = ("info", "info", "info")  # one participant's own files, e.g. its PDF and DOCX of one proposal


class Decision(Labelled):
    """An admin's verdict on a flag; flags never block, the verdict is only shown."""

    CONFIRMED = ("confirmed", "dikonfirmasi", "confirmed")
    DISMISSED = ("dismissed", "ditolak", "dismissed")


_SEVERITY_RANK = {Severity.HIGH: 0, Severity.MEDIUM: 1, Severity.LOW: 2, Severity.INFO: 3}
_KIND_RANK = {kind: rank for rank, kind in enumerate(DuplicateKind)}


@dataclass(frozen=True, slots=True)
class DocText:
    """One document's text, as the intake read it."""

    path: str  # inbox-relative, or "prior/<path>" for an earlier edition
    sha256: str
    text: str  # full extracted text, already NFKC-normalised
    participant_id: str | None
    doc_type: str | None  # "inovasi" | "kinerja" | None
    title: str | None = None  # the innovation's name if known; otherwise read from the text's first lines
    edition: str | None = None  # set for earlier editions' documents, e.g. "2020"
    format: str | None = None  # "pdf" | "docx"


@dataclass(frozen=True, slots=True)
class Passage:
    """Matching text of the two documents, side by side."""

    a: str
    b: str
    words: int  # length of the match in a, in words
    similarity: float  # 0-1, character-level (rapidfuzz ratio) of a and b

    def to_json(self) -> dict:
        return {"a": self.a, "b": self.b, "words": self.words, "similarity": round(self.similarity, 3)}


@dataclass(frozen=True, slots=True)
class DuplicateFlag:
    """Two documents that judges should see together; a flag never blocks a document."""

    a: str  # a current document (of two, the one whose path sorts first)
    b: str  # the other current document, or the earlier edition's as "prior/<path>"
    kind: DuplicateKind
    score: float  # 0-1; for near: share of the smaller document's own text found in the other
    evidence: tuple[Passage, ...]  # longest first
    severity: Severity
    edition: str | None = None  # of b, for an earlier edition's document
    a_sha256: str | None = None
    b_sha256: str | None = None
    a_participant: str | None = None
    b_participant: str | None = None
    decision: Decision | None = None

    @property
    def key(self) -> str:
        return decision_key(self)

    def to_json(self) -> dict:
        return {
            "a": self.a,
            "b": self.b,
            "kind": self.kind.value,
            "score": round(self.score, 4),
            "evidence": [p.to_json() for p in self.evidence],
            "severity": self.severity.value,
            "edition": self.edition,
            "decision": self.decision.value if self.decision else None,
            "a_participant": self.a_participant,
            "b_participant": self.b_participant,
            "a_sha256": self.a_sha256,
            "b_sha256": self.b_sha256,
            "key": self.key,
        }


@dataclass(frozen=True, slots=True)
class DuplicateSettings:
    shingle_words: int = 5  # a shingle is this many consecutive words
    mask_names: bool = True  # every run of capitalised words counts as one and the same word
    # A shingle in more than this many distinct texts is template (regulations, standard tables,
    # a shared school format) and is ignored; a copy ring rarely has more members than this.
    max_df: int = 10
    # In a small corpus the cap is this share of the texts instead (never below 2), so that a
    # passage shared by 4 of 6 documents counts as template too.
    max_df_share: float = 0.25
    # Measured with `python -m flows.bench_duplicates --eval`: planted copies (names changed, 20-40%
    # of sentences edited) score 0.46 and up, unrelated and merely templated pairs 0.08 at most.
    near_threshold: float = 0.25
    near_high: float = 0.5  # near flags at or above this are high severity, below it medium
    min_shared: int = 20  # fewer shared shingles than this are a coincidence, whatever the share
    # Two files in different formats whose shingles (all of them) overlap this much hold one text.
    same_text_similarity: float = 0.9
    min_text_chars: int = 200  # shorter texts (an unreadable scan) are compared by bytes only
    # Two innovation names are compared word by word (same_innovation_name) when the rapidfuzz
    # token_sort_ratio of their spelt-out names reaches this; it only picks the candidates.
    title_threshold: float = 80.0
    evidence_passages: int = 3
    evidence_chars: int = 400
    evidence_min_words: int = 8
    workers: int = 1  # threads for rapidfuzz's title comparison


def decision_key(flag: DuplicateFlag) -> str:
    """A key for an admin's decision that survives reruns: the kind and the two contents.

    Content hashes, not paths, so renaming a file keeps its decision and a new version of a file
    (a new sha256) is looked at again. Paths stand in only when a hash is unknown.
    """
    x, y = sorted((flag.a_sha256 or flag.a, flag.b_sha256 or flag.b))
    return f"{flag.kind.value}:{x}:{y}"


def apply_decisions(flags: Iterable[DuplicateFlag], decisions: Mapping[str, str]) -> list[DuplicateFlag]:
    """The flags with the stored decisions (key -> "confirmed" | "dismissed") carried on them."""
    out = []
    for flag in flags:
        value = decisions.get(decision_key(flag))
        if value is None:
            out.append(flag)
            continue
        try:
            decision = Decision(value)
        except ValueError:
            raise ValueError(f"{decision_key(flag)}: unknown decision {value!r}") from None
        out.append(replace(flag, decision=decision))
    return out


# -- words and shingles -----------------------------------------------------------------------

# Words are runs of ASCII letters and digits after lower-casing: Indonesian needs no more, and
# bullets, dashes and quotes from either format then fall away as separators.
_WORD_BYTE = np.zeros(256, dtype=bool)
_WORD_BYTE[list(b"abcdefghijklmnopqrstuvwxyz0123456789")] = True
# A word broken across lines by a PDF ("pela-\nyanan") is one word again; so is one with a soft
# hyphen. Matched on the UTF-8 bytes, where a regex that starts at the hyphen is fast.
_HYPHEN_BREAK = re.compile(rb"\xc2\xad(?:[ \t]*\r?\n[ \t\r\n]*)?|-[ \t]*\r?\n[ \t\r\n]*")
_POW = np.concatenate([np.ones(1, dtype=np.uint64), np.cumprod(np.full(63, 0x100000001B3, dtype=np.uint64))])
_MIX = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5, 0xFF51AFD7ED558CCD,
     0xD6E8FEB86659FD93, 0xA0761D6478BD642F, 0xE7037ED1A0B428DB],
    dtype=np.uint64,
)


def _splitmix(x: np.ndarray) -> np.ndarray:
    x = x ^ (x >> np.uint64(30))
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x


@dataclass(frozen=True, slots=True)
class _Words:
    text: str
    key: bytes  # digest of the letters and digits run together: equal for one text in any layout
    chars: int  # letters and digits in the text
    hashes: np.ndarray  # uint64, one per word (one per name, when names are masked)
    starts: np.ndarray  # byte offsets of each word in the text encoded as UTF-8
    ends: np.ndarray


_LOWER = np.arange(256, dtype=np.uint8)
_LOWER[65:91] += 32
_UPPER_BYTE = np.zeros(256, dtype=bool)
_UPPER_BYTE[65:91] = True
_DIGIT_BYTE = np.zeros(256, dtype=bool)
_DIGIT_BYTE[48:58] = True
_NAME = np.uint64(0x6E616D65)  # the one token every proper name becomes
_NAME_WORDS = 6  # "Dinas Kependudukan" ... "SD Negeri Sawojajar 1": a unit's name is rarely longer


def _words(text: str, mask_names: bool = True) -> _Words:
    """Hash every word with numpy: no vocabulary, so the same in every process and run.

    With mask_names, a run of capitalised words (and the numbers inside it) becomes one token:
    "SD Negeri Sawojajar 1" and "Kelurahan Bunulrejo" read alike, so a copy with the unit's
    name changed still shares the words around the name.
    """
    data = text.encode("utf-8")
    raw = np.frombuffer(data, dtype=np.uint8)
    origin = None
    spans = np.array([m.span() for m in _HYPHEN_BREAK.finditer(data)], dtype=np.int64).reshape(-1, 2)
    if len(spans):
        begin, end = spans[:, 0], spans[:, 1]
        word = _WORD_BYTE[_LOWER[raw]]
        inside = (begin > 0) & (end < len(raw))
        inside[inside] &= word[begin[inside] - 1] & word[end[inside]]
        if inside.any():
            edge = np.zeros(len(raw) + 1, dtype=np.int32)
            np.add.at(edge, begin[inside], 1)
            np.add.at(edge, end[inside], -1)
            origin = np.flatnonzero(np.cumsum(edge[:-1]) == 0)  # where each remaining byte was in the text
            raw = raw[origin]
    at = np.flatnonzero(_WORD_BYTE[_LOWER[raw]])
    letters = _LOWER[raw[at]]
    key = hashlib.blake2b(letters.tobytes(), digest_size=16).digest()
    if not len(at):
        empty = np.zeros(0, dtype=np.int64)
        return _Words(text, key, 0, np.zeros(0, dtype=np.uint64), empty, empty)
    first = np.ones(len(at), dtype=bool)
    np.not_equal(at[1:], at[:-1] + 1, out=first[1:])
    word_at = np.flatnonzero(first)
    lengths = np.diff(np.append(word_at, len(at)))
    rel = np.arange(len(at)) - np.repeat(word_at, lengths)
    sums = np.add.reduceat(letters.astype(np.uint64) * _POW[np.minimum(rel, 63)], word_at)
    hashes = _splitmix(sums + lengths.astype(np.uint64))
    starts = at[word_at]
    last = at[np.append(word_at[1:] - 1, len(at) - 1)]
    if mask_names:
        initial = raw[starts]
        capital = _UPPER_BYTE[initial]
        name = capital.copy()
        name[1:] |= _DIGIT_BYTE[initial[1:]] & capital[:-1]
        # A longer run is a heading or a paragraph in capitals, not a name: keep its words.
        run = np.cumsum(name & ~np.concatenate(([False], name[:-1]))) - 1
        run_length = np.bincount(run[name])
        name[name] = run_length[run[name]] <= _NAME_WORDS
        keep_word = np.ones(len(name), dtype=bool)
        keep_word[1:] = ~(name[1:] & name[:-1])
        hashes = np.where(name, _NAME, hashes)[keep_word]
        kept = np.flatnonzero(keep_word)
        last = last[np.append(kept[1:] - 1, len(keep_word) - 1)]
        starts = starts[kept]
    if origin is not None:
        starts, last = origin[starts], origin[last]
    return _Words(text, key, len(at), hashes, starts, last + 1)


def _shingles(word_hashes: np.ndarray, k: int) -> np.ndarray:
    """One uint64 per run of k consecutive words."""
    n = len(word_hashes) - k + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64)
    out = word_hashes[:n] * _MIX[0]
    for j in range(1, k):
        out += word_hashes[j : j + n] * _MIX[j % len(_MIX)]
    return _splitmix(out)


# -- the shingle index ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Index:
    """Shared shingle counts of every pair of texts that share any shingle below the template cap.

    Each text's shingles are packed as (hash << bits | text number) and sorted once, so
    equal shingles sit together with their texts in order. A run longer than the cap is template
    and is dropped before pairs are made, which keeps pair generation linear in practice: most
    shingles occur once, and no shingle yields more than cap*(cap-1)/2 pairs.
    """

    bits: int
    common: np.ndarray  # sorted truncated hashes of template shingles
    sizes: np.ndarray  # per text: its distinct non-template shingles
    pair_a: np.ndarray
    pair_b: np.ndarray
    shared: np.ndarray

    def truncate(self, shingles: np.ndarray) -> np.ndarray:
        return (shingles << np.uint64(self.bits)) >> np.uint64(self.bits)

    def is_common(self, shingles: np.ndarray) -> np.ndarray:
        t = self.truncate(shingles)
        at = np.searchsorted(self.common, t)
        at[at == len(self.common)] = 0
        return self.common[at] == t if len(self.common) else np.zeros(len(t), dtype=bool)


def _bits_for(n_texts: int) -> int:
    return max(1, (n_texts - 1).bit_length())


def _pack(shingles: np.ndarray, text: int, bits: int) -> np.ndarray:
    return (shingles << np.uint64(bits)) | np.uint64(text)


def _build_index(
    parts: list[np.ndarray], n: int, bits: int, cap: int, skip: np.ndarray, template_shingles: np.ndarray
) -> _Index:
    """parts are the texts' packed shingles (see _pack); the list is emptied to free memory early.

    skip marks texts (earlier editions) whose pairs with each other are not wanted.
    """
    shift = np.uint64(bits)
    packed = np.concatenate([np.zeros(0, dtype=np.uint64), *parts])
    parts.clear()
    packed.sort()
    if len(packed):  # a shingle repeated within one text counts once
        again = np.zeros(len(packed), dtype=bool)
        np.equal(packed[1:], packed[:-1], out=again[1:])
        if again.any():
            packed = packed[~again]
        del again
    group = packed >> shift
    texts = (packed & np.uint64((1 << bits) - 1)).astype(np.int32)
    del packed
    if not len(group):
        empty = np.zeros(0, dtype=np.int64)
        return _Index(bits, np.zeros(0, dtype=np.uint64), np.zeros(n, dtype=np.int64), empty, empty, empty)
    first = np.ones(len(group), dtype=bool)
    np.not_equal(group[1:], group[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    del first
    heads = group[starts]
    total = len(group)
    del group
    counts = np.diff(np.append(starts, total)).astype(np.int32)
    common_group = counts > cap
    if len(template_shingles):
        template = np.unique((template_shingles << shift) >> shift)
        common_group |= np.isin(heads, template, assume_unique=True)
    common = heads[common_group]
    own = ~np.repeat(common_group, counts)
    sizes = np.bincount(texts[own], minlength=n)
    del own

    codes = []
    for size in range(2, cap + 1):
        at = starts[(counts == size) & ~common_group]
        if not len(at):
            continue
        block = texts[at[:, None] + np.arange(size)].astype(np.int64)
        for i in range(size - 1):
            for j in range(i + 1, size):
                codes.append(block[:, i] * n + block[:, j])
    if codes:
        code = np.concatenate(codes)
        code.sort()
        first = np.ones(len(code), dtype=bool)
        np.not_equal(code[1:], code[:-1], out=first[1:])
        at = np.flatnonzero(first)
        shared = np.diff(np.append(at, len(code)))
        code = code[at]
    else:
        code = shared = np.zeros(0, dtype=np.int64)
    pair_a, pair_b = code // n, code % n
    wanted = ~(skip[pair_a] & skip[pair_b])
    return _Index(bits, common, sizes, pair_a[wanted], pair_b[wanted], shared[wanted])


# -- evidence ---------------------------------------------------------------------------------


def _span_text(words: _Words, first: int, last: int) -> str:
    """The original text of words first..last (inclusive), on one line."""
    start, end = int(words.starts[first]), int(words.ends[last])
    piece = words.text.encode("utf-8")[start:end]
    return " ".join(_HYPHEN_BREAK.sub(b"", piece).decode("utf-8", "replace").split())


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"


def _matching_passages(
    a: _Words, b: _Words, k: int, common: _Index | None, settings: DuplicateSettings
) -> tuple[Passage, ...]:
    """Runs of shared shingles in both texts, longest first; template shingles do not count.

    A run survives a few changed words (a unit's name) when both texts skip about as many.
    """
    from rapidfuzz import fuzz

    ha, hb = _shingles(a.hashes, k), _shingles(b.hashes, k)
    if not len(ha) or not len(hb):
        return ()
    usable = ~common.is_common(ha) if common is not None else np.ones(len(ha), dtype=bool)
    where_b: dict[int, list[int]] = defaultdict(list)
    for j, h in enumerate(hb.tolist()):
        where_b[h].append(j)
    gap = k + 4
    runs: list[list[int]] = []  # [first_a, last_a, first_b, last_b]
    for i, (h, ok) in enumerate(zip(ha.tolist(), usable.tolist(), strict=True)):
        if not ok or (places := where_b.get(h)) is None:
            continue
        if runs:
            # A phrase that recurs in b: take the place that continues the current run.
            run = runs[-1]
            di = i - run[1]
            at = bisect.bisect_right(places, run[3])
            if at < len(places):
                dj = places[at] - run[3]
                if 0 < di <= gap and dj <= gap + 3 and abs(di - dj) <= 3:
                    run[1], run[3] = i, places[at]
                    continue
        runs.append([i, i, places[0], places[0]])
    runs = [r for r in runs if r[1] - r[0] + k >= settings.evidence_min_words]
    runs.sort(key=lambda r: (-(r[1] - r[0]), r[0]))
    out = []
    for first_a, last_a, first_b, last_b in runs[: settings.evidence_passages]:
        text_a = _span_text(a, first_a, last_a + k - 1)
        text_b = _span_text(b, first_b, last_b + k - 1)
        similarity = fuzz.ratio(text_a[:3000], text_b[:3000]) / 100
        out.append(
            Passage(
                _clip(text_a, settings.evidence_chars),
                _clip(text_b, settings.evidence_chars),
                last_a - first_a + k,
                similarity,
            )
        )
    return tuple(out)


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


# -- the run ----------------------------------------------------------------------------------

_PAGE_NUMBER = re.compile(
    r"^(?:halaman|hal\.?|page)?\s*[-–]?\s*\d+\s*(?:(?:dari|of|/)\s*\d+)?\s*[-–]?$", re.IGNORECASE
)


def _without_page_furniture(text: str) -> str:
    """The text without page numbers and running headers, which only one of two formats has."""
    lines = text.split("\n")
    seen = Counter(line.strip() for line in lines)
    return "\n".join(
        line for line in lines
        if not _PAGE_NUMBER.match(line.strip()) and not (seen[line.strip()] >= 3 and len(line.split()) <= 12)
    )


@dataclass(frozen=True, slots=True)
class _Doc:
    doc: DocText
    path: str
    prior: bool

    @property
    def participant(self) -> str | None:
        return self.doc.participant_id


def _same_participant(x: _Doc, y: _Doc) -> bool:
    return x.participant is not None and x.participant == y.participant


def _ordered(x: _Doc, y: _Doc) -> tuple[_Doc, _Doc]:
    """The current document first; two current documents by path."""
    if x.prior != y.prior:
        return (y, x) if x.prior else (x, y)
    return (x, y) if x.path <= y.path else (y, x)


def _flag(
    x: _Doc, y: _Doc, kind: DuplicateKind, score: float, evidence: tuple[Passage, ...], severity: Severity
) -> DuplicateFlag:
    a, b = _ordered(x, y)
    return DuplicateFlag(
        a.path, b.path, kind, float(score), evidence, severity,
        edition=b.doc.edition if b.prior else None,
        a_sha256=a.doc.sha256, b_sha256=b.doc.sha256,
        a_participant=a.participant, b_participant=b.participant,
    )


def _prior_severity(x: _Doc, y: _Doc) -> Severity:
    """An old innovation entered again is serious; a Kinerja text reused from last year less so."""
    current = y if x.prior else x
    return Severity.MEDIUM if current.doc.doc_type == "kinerja" else Severity.HIGH


def _cap(n_texts: int, settings: DuplicateSettings) -> int:
    return max(2, min(settings.max_df, math.ceil(settings.max_df_share * n_texts)))


def find_duplicates(
    current: Sequence[DocText],
    prior: Sequence[DocText] = (),
    *,
    settings: DuplicateSettings = DuplicateSettings(),
    templates: Sequence[str] = (),
) -> list[DuplicateFlag]:
    """Every pair of documents judges should see together, most severe first.

    1. Texts equal once case, spacing, punctuation and line-end hyphens are folded away form one
       group: the same bytes are `exact`, other files `cross_format`.
    2. Each distinct text becomes a set of 5-word shingles (names masked, see _words). A shingle
       found in more than a few texts is template (regulations, standard tables, a school format)
       and is dropped; the rest are counted per pair of texts through one sort (see _Index).
    3. A pair whose shared shingles cover near_threshold of the smaller text's own shingles is
       `near`, or `prior_edition` against an earlier edition; two files in different formats
       that are almost the same text in full are `cross_format`.
    4. Innovations whose whole names agree (acronym and spelt-out name; an acronym alone never
       does) are `title`, when nothing else is.

    `prior` is the archive of earlier editions: compared with the current documents (and used to
    recognise template text), never with each other. `templates` are texts known to be template
    (the official proposal format): their passages never count as copying. One participant's
    files are not compared with each other (resubmissions are screening's business), except to
    find one text in two formats.
    """
    started = time.perf_counter()
    docs = [_Doc(d, d.path, False) for d in current]
    docs += [_Doc(d, d.path if d.path.startswith(PRIOR_PREFIX) else PRIOR_PREFIX + d.path, True) for d in prior]
    docs.sort(key=lambda d: (d.prior, d.path))  # the same flags whatever order the documents came in
    seen: set[str] = set()
    for d in docs:
        if d.path in seen:
            raise ValueError(f"{d.path}: given twice")
        seen.add(d.path)
    k = settings.shingle_words

    # 1. The same text, whatever the layout: one group per text (per file for near-empty texts).
    groups: dict[bytes | str, list[int]] = {}
    packed: list[np.ndarray] = []
    bits = _bits_for(len(docs))
    for i, d in enumerate(docs):
        words = _words(d.doc.text, settings.mask_names)
        readable = words.chars >= settings.min_text_chars
        key: bytes | str = words.key if readable else "sha:" + d.doc.sha256
        if key not in groups:
            if readable:
                packed.append(_pack(_shingles(words.hashes, k), len(groups), bits))
            groups[key] = []
        groups[key].append(i)
    members = list(groups.values())
    tokenised = time.perf_counter()

    # 2. Shingles shared between texts, template shingles dropped.
    template_shingles = np.concatenate(
        [np.zeros(0, dtype=np.uint64)] + [_shingles(_words(t, settings.mask_names).hashes, k) for t in templates]
    )
    all_prior = np.array([all(docs[i].prior for i in m) for m in members], dtype=bool)
    cap = _cap(len(members), settings)
    index = _build_index(packed, len(members), bits, cap, all_prior, template_shingles)
    indexed = time.perf_counter()

    cache: dict[int, _Words] = {}

    def words_of(i: int) -> _Words:
        if i not in cache:
            cache[i] = _words(docs[i].doc.text, settings.mask_names)
        return cache[i]

    def text_likeness(i: int, j: int) -> float:
        """Jaccard of all shingles, template and names included: near 1.0 for one text in two layouts
        (page numbers and running headers differ)."""
        x, y = (np.unique(_shingles(_words(_without_page_furniture(docs[n].doc.text), False).hashes, k))
                for n in (i, j))
        both = len(np.intersect1d(x, y, assume_unique=True))
        return both / max(1, len(x) + len(y) - both)

    def evidence(i: int, j: int, skip_common: bool) -> tuple[Passage, ...]:
        x, y = _ordered(docs[i], docs[j])
        ix, iy = (i, j) if x is docs[i] else (j, i)
        found = _matching_passages(words_of(ix), words_of(iy), k, index if skip_common else None, settings)
        if not found and skip_common:
            found = _matching_passages(words_of(ix), words_of(iy), k, None, settings)
        return found

    flags: list[DuplicateFlag] = []
    flagged: set[tuple[int, int]] = set()

    def add(i: int, j: int, kind: DuplicateKind, score: float, severity: Severity, skip_common: bool) -> None:
        flags.append(_flag(docs[i], docs[j], kind, score, evidence(i, j, skip_common), severity))
        flagged.add((min(i, j), max(i, j)))

    # 3. Within one group: the same bytes, or the same text in another file.
    for member in members:
        for p, i in enumerate(member):
            for j in member[p + 1 :]:
                x, y = docs[i], docs[j]
                if x.prior and y.prior:
                    continue
                if x.prior or y.prior:
                    add(i, j, DuplicateKind.PRIOR_EDITION, 1.0, _prior_severity(x, y), False)
                    continue
                same = _same_participant(x, y)
                if x.doc.sha256 == y.doc.sha256:
                    if same and x.doc.doc_type == y.doc.doc_type:
                        continue  # an identical copy of one's own file: screening reports it
                    add(i, j, DuplicateKind.EXACT, 1.0, Severity.INFO if same else Severity.HIGH, False)
                else:
                    add(i, j, DuplicateKind.CROSS_FORMAT, 1.0, Severity.INFO if same else Severity.HIGH, False)

    # 4. Between groups: edited copies and earlier editions.
    if len(index.shared):
        sa, sb = index.sizes[index.pair_a], index.sizes[index.pair_b]
        smaller = np.maximum(np.minimum(sa, sb), 1)
        score = index.shared / smaller
        hit = (index.shared >= settings.min_shared) & (score >= settings.near_threshold)
        pairs = zip(index.pair_a[hit].tolist(), index.pair_b[hit].tolist(), score[hit].tolist(), strict=True)
        for ga, gb, s in pairs:
            s = min(s, 1.0)
            for i in members[ga]:
                for j in members[gb]:
                    x, y = docs[i], docs[j]
                    if x.prior and y.prior:
                        continue
                    if x.prior or y.prior:
                        add(i, j, DuplicateKind.PRIOR_EDITION, s, _prior_severity(x, y), True)
                        continue
                    # One text in two files (a PDF with page numbers and its DOCX) rather than a copy.
                    unknown = x.doc.format is None or y.doc.format is None
                    likeness = text_likeness(i, j) if unknown or x.doc.format != y.doc.format else 0.0
                    same_text = likeness >= settings.same_text_similarity
                    if _same_participant(x, y):
                        if same_text:
                            add(i, j, DuplicateKind.CROSS_FORMAT, likeness, Severity.INFO, False)
                        continue  # one participant's own versions: resubmissions, handled elsewhere
                    if same_text:
                        add(i, j, DuplicateKind.CROSS_FORMAT, likeness, Severity.HIGH, False)
                    else:
                        severity = Severity.HIGH if s >= settings.near_high else Severity.MEDIUM
                        add(i, j, DuplicateKind.NEAR, s, severity, True)
    compared = time.perf_counter()

    # 5. The same innovation name, where nothing stronger was found.
    flags += _title_flags(docs, flagged, settings)
    flags.sort(key=lambda f: (_SEVERITY_RANK[f.severity], _KIND_RANK[f.kind], -round(f.score, 6), f.a, f.b))
    log.info(
        "duplicates: %d documents, %d texts, template cap %d, %d candidate pairs, %d flags "
        "(words %.1fs, index %.1fs, pairs %.1fs, titles %.1fs)",
        len(docs), len(members), cap, len(index.shared), len(flags),
        tokenised - started, indexed - tokenised, compared - indexed, time.perf_counter() - compared,
    )
    return flags


def _title_flags(
    docs: Sequence[_Doc], flagged: set[tuple[int, int]], settings: DuplicateSettings
) -> list[DuplicateFlag]:
    """Innovations whose whole names agree (see same_innovation_name).

    Candidates are the pairs whose spelt-out names (words sorted) are within title_threshold of
    each other by rapidfuzz's cdist, in blocks of rows so memory stays linear: quadratic, but names
    are short, and 4,500 of them take about a second. Each candidate is then checked word by word.
    """
    from rapidfuzz import fuzz, process

    who: list[int] = []
    titles: list[_Title] = []
    for i, d in enumerate(docs):
        if d.doc.doc_type not in (None, "inovasi"):
            continue  # a Kinerja proposal names no innovation
        raw = d.doc.title or derive_title(d.doc.text)
        title = _parse_title(raw) if raw else None
        if title and title.words and not title.generic:
            who.append(i)
            titles.append(title)
    names = [" ".join(t.words) for t in titles]
    scores: dict[tuple[int, int], float] = {}
    block = 1024
    for start in range(0, len(names), block):
        matrix = process.cdist(
            names[start : start + block], names, scorer=fuzz.token_sort_ratio,
            score_cutoff=settings.title_threshold, dtype=np.uint8, workers=settings.workers,
        )
        rows, cols = np.nonzero(matrix)
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            s = start + r
            if s < c and same_innovation_name(titles[s], titles[c]):
                scores[(s, c)] = matrix[r, c] / 100
    flags = []
    for (s, t), score in scores.items():
        i, j = who[s], who[t]
        x, y = docs[i], docs[j]
        if (x.prior and y.prior) or (min(i, j), max(i, j)) in flagged:
            continue
        if not (x.prior or y.prior) and _same_participant(x, y):
            continue
        first, second = (titles[s], titles[t]) if _ordered(x, y)[0] is x else (titles[t], titles[s])
        passage = Passage(first.raw, second.raw, len(first.raw.split()), fuzz.ratio(first.raw, second.raw) / 100)
        flags.append(_flag(x, y, DuplicateKind.TITLE, score, (passage,), Severity.LOW))
    return flags
