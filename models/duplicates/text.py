"""Texts as hashed words and shingles, an inverted index of shingles, and the passages two texts share."""

from __future__ import annotations

import bisect
import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np

from models.duplicates.flags import DuplicateSettings, Passage

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
