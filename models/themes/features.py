"""Indonesian text features of a proposal: the inputs, preprocessing, head and body, the vectoriser."""

from __future__ import annotations

import re
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


def preprocess(text: str, stem: bool = False) -> str:
    """Lowercase word tokens without digits and stop words, optionally stemmed."""
    tokens = [t for t in _TOKEN_RE.findall(text.lower()) if len(t) > 1 and t not in _DROPPED]
    if stem:
        tokens = [s for s in (_stem(t) for t in tokens) if s and s not in _DROPPED]
    return " ".join(tokens)


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
    """Word 1-2 grams, character 3-5 grams within words, and a light one-hot of the participant category."""

    def __init__(self, stem: bool):
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.stem = stem
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
        docs = [preprocess(t, self.stem) for t in texts]
        self.words.fit(docs)
        self.chars.fit(docs)
        self.categories = tuple(sorted({c for c in categories if c}))
        return self

    def _text_matrix(self, texts: Sequence[str]):
        from scipy import sparse

        docs = [preprocess(t, self.stem) for t in texts]
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
