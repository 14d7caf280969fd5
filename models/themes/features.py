"""Indonesian text features of a proposal: the inputs, preprocessing, head and body, the vectoriser."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from models.records import Category


@dataclass(frozen=True, slots=True)
class ThemeInput:
    participant_id: str
    category: Category | None  # a weak prior; None when unknown
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class LabelledText:
    text: str
    theme: str
    category: Category | None = None


# --------------------------------------------------------------------------------------- preprocessing

# General Indonesian function words plus the boilerplate every KIPP proposal shares (inovasi, pelayanan,
# masyarakat, Kota Malang...): they say nothing about the theme and would only add noise.
STOP_WORDS = frozenset("""
ada adalah adanya agar akan akhir akhirnya aku anda antar antara apa apabila atas atau bagai bagaimana bagi bahkan
bahwa baik banyak baru bawah beberapa begitu belum benar berbagai berikut berupa besar bila bisa boleh bukan cara
cukup dalam dan dapat dari daripada demi dengan di dia dilakukan diri dua hal hanya harus hingga ia ialah ini itu
jadi jika juga kami kamu karena ke kepada ketika kita lagi lain lainnya lalu lama lebih maka mampu mana masih masing
melalui melakukan memiliki menjadi mereka merupakan meski mulai namun nya oleh pada para per perlu pula saat saja
salah sama sampai sangat satu saya se sebagai sebagaimana sebelum sedang sehingga sejak sekitar selain selalu selama
seluruh semua sendiri seperti serta sesuai setelah setiap suatu sudah supaya tak tanpa telah tentang terhadap
terkait tersebut tetapi tidak tiga untuk waktu yaitu yakni yang
inovasi pelayanan layanan publik masyarakat kota malang pemerintah pemkot program kegiatan tahun bulan hari
kompetisi proposal kipp ringkasan latar belakang tujuan manfaat hasil pelaksanaan keberlanjutan kolaborasi
meningkatkan peningkatan diharapkan dilaksanakan dikembangkan pengembangan upaya secara dapat lebih
kepuasan kualitas optimal efektif efisien cepat mudah baik
""".split())

# Generic e-government words: nearly every proposal has an application, a system or a website, whatever
# its theme, and on terse proposals they pulled others to tata_kelola_perencanaan. Alone they must not decide
# a theme, so they are not theme features at all (measured in the README's Themes section).
GENERIC_WORDS = frozenset("""
aplikasi sistem informasi online daring digital digitalisasi elektronik website web situs laman portal android
smartphone ponsel internet teknologi berbasis platform inovatif terintegrasi integrasi
""".split())

# What preprocess drops: STOP_WORDS and, unless a measurement turns it off, GENERIC_WORDS.
_DROPPED = STOP_WORDS | GENERIC_WORDS

_TOKEN_RE = re.compile(r"[a-z]+")


@lru_cache(maxsize=1)
def _stemmer():
    # Only used when measuring; PySastrawi is not a project dependency.
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory
    return StemmerFactory().create_stemmer()


@lru_cache(maxsize=50_000)
def _stem(token: str) -> str:
    return _stemmer().stem(token)


def preprocess(text: str, stem: bool = False, boilerplate: frozenset[str] = frozenset()) -> str:
    """Lowercase word tokens without digits, stop words and `boilerplate` (boilerplate_words), optionally stemmed."""
    tokens = [t for t in _TOKEN_RE.findall(text.lower())
              if len(t) > 1 and t not in _DROPPED and t not in boilerplate]
    if stem:
        tokens = [s for s in (_stem(t) for t in tokens) if s and s not in _DROPPED and s not in boilerplate]
    return " ".join(tokens)


# A word is proposal boilerplate when the labelled samples of nearly every theme use it, about equally,
# whoever proposes: found under at least BOILERPLATE_THEMES of the themes, spread over them (entropy of
# its rate per theme, 1.0 = even) at least BOILERPLATE_SPREAD, and over the participant categories as
# much. The seed spreads both the proposal boilerplate and the proposers over every theme on purpose;
# the second condition keeps the proposers' own words (siswa, guru, puskesmas, kelurahan), which are
# weak evidence of a theme in real proposals: without it the full demo's school proposals lost them
# and 32 of its 282 themes were wrong, not 27 (the first condition alone: 108 words; terse 0.875).
# On the default seed: 61 words (warga, data, anggaran, survei, sambat, dievaluasi, pimpinan, dasbor,
# sekolah...), which the themes' own lexicons (tata_kelola_perencanaan: anggaran, SAMBAT, dasbor, satu
# data) had made evidence for one theme. Measured with model.LEXICON_WEIGHT's figures.
BOILERPLATE_THEMES = 10 / 12
BOILERPLATE_SPREAD = 0.8
# Fewer samples than this for some theme (a new taxonomy with a few corrections): nothing is learned.
BOILERPLATE_MIN_SAMPLES = 10


def _spread(counts: Counter, totals: Counter) -> float:
    """Entropy of a word's rate in each group (its count over the group's size), 1.0 when even."""
    rates = [counts[g] / totals[g] for g in totals if counts[g]]
    total = sum(rates)
    return -sum(r / total * math.log(r / total) for r in rates) / math.log(len(totals)) if len(totals) > 1 else 1.0


def boilerplate_words(samples: Sequence[LabelledText], stem: bool = False) -> frozenset[str]:
    """The words of `samples` that say nothing of a theme since every theme's samples use them alike."""
    per_theme = Counter(s.theme for s in samples)
    per_category = Counter(s.category for s in samples if s.category)
    if len(per_theme) < 3 or min(per_theme.values()) < BOILERPLATE_MIN_SAMPLES:
        return frozenset()
    themes: dict[str, Counter] = defaultdict(Counter)
    categories: dict[str, Counter] = defaultdict(Counter)
    for s in samples:
        for word in set(preprocess(s.text, stem).split()):
            themes[word][s.theme] += 1
            if s.category:
                categories[word][s.category] += 1
    return frozenset(w for w, found in themes.items()
                     if len(found) >= BOILERPLATE_THEMES * len(per_theme)
                     and _spread(found, per_theme) >= BOILERPLATE_SPREAD
                     and (not categories[w] or _spread(categories[w], per_category) >= BOILERPLATE_SPREAD))


LEAD_CHARS = 700
BODY_CHARS = 30_000
# The rest of a proposal is mostly boilerplate every proposal shares (aplikasi, SK, anggaran, survei
# kepuasan); it counts, but less than the title and the opening paragraphs where the innovation is named.
BODY_WEIGHT = 0.5


def compose_document(title: str, text: str) -> str:
    """A proposal as one text, its title on the first line: the form of inputs and of corrected samples."""
    return f"{title.strip()}\n{text}" if title.strip() else text


def split_document(document: str) -> tuple[str, str]:
    """(head, body): the first line (the title) twice and the opening paragraphs up to LEAD_CHARS; the rest."""
    paragraphs = [p.strip() for p in document[:BODY_CHARS].split("\n") if p.strip()]
    if not paragraphs:
        return "", ""
    lead = [paragraphs[0]] * 2
    rest = paragraphs[1:]
    while rest and sum(map(len, lead[1:])) < LEAD_CHARS:
        lead.append(rest.pop(0))
    return "\n".join(lead), "\n".join(rest)


# Weight of the participant category features: a weak prior, since schools and kelurahan innovate in every
# theme, but enough to break a tie between two themes.
CATEGORY_WEIGHT = 0.1
# Character n-grams catch affixed forms (diimunisasi, sampahnya) the word features miss; half weight.
CHAR_WEIGHT = 0.5


class _Features:
    """Word 1-2 grams, character 3-5 grams within words, and a light one-hot of the participant category;
    without the `boilerplate` words learned from the training samples (boilerplate_words)."""

    def __init__(self, stem: bool, boilerplate: frozenset[str] = frozenset()):
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.stem = stem
        self.boilerplate = boilerplate
        self.words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1, token_pattern=r"\S+",
                                     lowercase=False)
        self.chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2,
                                     lowercase=False, max_features=60_000)
        self.categories: tuple[str, ...] = ()

    def _category_matrix(self, categories: Sequence[str | None]):
        from scipy import sparse

        index = {c: i for i, c in enumerate(self.categories)}
        rows, cols = [], []
        for r, c in enumerate(categories):
            if c in index:
                rows.append(r)
                cols.append(index[c])
        data = [CATEGORY_WEIGHT] * len(rows)
        return sparse.csr_matrix((data, (rows, cols)), shape=(len(categories), max(len(self.categories), 1)))

    def fit(self, texts: Sequence[str], categories: Sequence[str | None]) -> _Features:
        docs = [preprocess(t, self.stem, self.boilerplate) for t in texts]
        self.words.fit(docs)
        self.chars.fit(docs)
        self.categories = tuple(sorted({c for c in categories if c}))
        return self

    def _text_matrix(self, texts: Sequence[str]):
        from scipy import sparse

        docs = [preprocess(t, self.stem, self.boilerplate) for t in texts]
        return sparse.hstack([self.words.transform(docs), CHAR_WEIGHT * self.chars.transform(docs)]).tocsr()

    def transform(self, texts: Sequence[str], categories: Sequence[str | None]):
        """Head and body are vectorised apart and the body added at BODY_WEIGHT: long bodies cannot drown the head."""
        from scipy import sparse

        heads, bodies = zip(*(split_document(t) for t in texts)) if texts else ((), ())
        x = self._text_matrix(heads) + BODY_WEIGHT * self._text_matrix(bodies)
        return sparse.hstack([x, self._category_matrix(categories)]).tocsr()


def check_input(inp: ThemeInput) -> None:
    """Run the text steps of one proposal alone, so that a proposal they fail on can be set aside
    instead of stopping the classification of every other."""
    for part in split_document(compose_document(inp.title, inp.text)):
        preprocess(part)
    inp.participant_id.encode("utf-8"), inp.category.encode("utf-8")
