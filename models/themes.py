"""Theme of each Inovasi proposal: taxonomy, Indonesian text features, a linear classifier, corrections.

The probabilities are multinomial logistic regression's own (trained on log-loss); `kipp themes evaluate`
prints their expected calibration error (ECE). They are under-confident: ECE 0.09 on the realistic
held-out set, 0.17 on the terse one. Measured alternatives: CalibratedClassifierCV (sigmoid or isotonic,
3 folds) was worse on the realistic set (ECE 0.19 and 0.16); temperature scaling fitted out-of-fold on
the seed (T 0.28) brought the realistic set to 0.004 but made terse proposals over-confident (ECE 0.13)
and the needs-review flag then caught 0 of 49 wrong terse themes at 0.40 (16 at 0.70, against 24 now).
The review flag matters most on exactly those proposals, so the raw probabilities stay.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import pickle
import random
import re
import warnings
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

from models.errors import InputError

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_TAXONOMY_PATH = DATA_DIR / "themes.json"
SEED_PATH = DATA_DIR / "theme_seed.csv"

# Below this top probability a theme is marked perlu_ditinjau. Chosen from a sweep on the held-out proposals
# (evaluate_held_out, full and terse): 0.40 flags few full proposals and about half the wrong terse ones.
REVIEW_THRESHOLD = 0.40
# The themes of the default taxonomy, which the held-out generator writes proposals for.
DEFAULT_THEME_IDS = ("kesehatan", "pendidikan", "administrasi_kependudukan", "pendapatan_daerah",
                     "perlindungan_anak_keluarga", "kesejahteraan_sosial", "lingkungan_hidup", "ekonomi_umkm",
                     "tata_kelola_perencanaan", "perizinan_investasi", "infrastruktur_transportasi",
                     "ketertiban_kebencanaan")

_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")


# --------------------------------------------------------------------------------------------- errors

class ThemeError(InputError):
    """A theme input (taxonomy, corrections, samples) cannot be used; the message says which and why."""


class TaxonomyError(ThemeError):
    """The taxonomy file is missing, not JSON, or has bad or duplicate theme ids."""


class CorrectionsError(ThemeError):
    """The corrections CSV cannot be used; the message names the file and the line numbers."""


class ThemeModelError(ThemeError):
    """The saved theme model cannot be used; the caller should retrain it."""


class IncompatibleModelError(ThemeModelError):
    """The saved model was written with another FORMAT_VERSION or another scikit-learn version."""


class ModelTaxonomyMismatchError(ThemeModelError):
    """The saved model was trained for another taxonomy (its hash differs)."""


class CorruptModelError(ThemeModelError):
    """The saved model file is truncated or not a theme model."""


# ------------------------------------------------------------------------------------------- taxonomy

@dataclass(frozen=True, slots=True)
class Theme:
    id: str
    label: str
    description: str
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Taxonomy:
    themes: tuple[Theme, ...]
    name: str = ""
    source: Path | None = None
    _by_id: dict[str, Theme] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_id.update((t.id, t) for t in self.themes)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.themes)

    def __contains__(self, theme_id: object) -> bool:
        return theme_id in self._by_id

    def get(self, theme_id: str) -> Theme:
        return self._by_id[theme_id]

    def label(self, theme_id: str) -> str:
        return self._by_id[theme_id].label

    @property
    def hash(self) -> str:
        """Content hash: a saved model is only reused for the very same themes, labels and lexicons."""
        canon = json.dumps([[t.id, t.label, t.description, list(t.keywords)] for t in self.themes],
                           ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canon.encode("utf-8")).hexdigest()[:16]

    def resolve(self, value: str) -> str | None:
        """Theme id for an id or a label typed by an admin, in any case; None when unknown."""
        key = value.strip().casefold()
        for t in self.themes:
            if key in (t.id.casefold(), t.label.casefold()):
                return t.id
        return None


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """The default KIPP taxonomy, or a user's replacement (e.g. the SDGs) in the same JSON shape."""
    path = Path(path) if path is not None else DEFAULT_TAXONOMY_PATH
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise TaxonomyError(f"{path}: taxonomy file not found") from e
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise TaxonomyError(f"{path}: not a readable JSON taxonomy: {e}") from e
    entries = raw.get("themes") if isinstance(raw, dict) else raw
    if not isinstance(entries, list) or not entries:
        raise TaxonomyError(f"{path}: expected a non-empty list under \"themes\"")
    themes: list[Theme] = []
    problems: list[str] = []
    for i, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            problems.append(f"theme #{i}: not an object")
            continue
        tid, label = entry.get("id"), entry.get("label")
        description, keywords = entry.get("description", ""), entry.get("keywords", [])
        if not isinstance(tid, str) or not _ID_RE.match(tid):
            problems.append(f"theme #{i}: id {tid!r} must be lowercase letters, digits and underscores")
            continue
        if any(t.id == tid for t in themes):
            problems.append(f"theme #{i}: duplicate id {tid!r}")
            continue
        if not isinstance(label, str) or not label.strip():
            problems.append(f"theme {tid!r}: missing label")
            continue
        if not isinstance(description, str):
            problems.append(f"theme {tid!r}: description must be text")
            continue
        if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
            problems.append(f"theme {tid!r}: keywords must be a list of strings")
            continue
        themes.append(Theme(tid, label.strip(), description.strip(), tuple(k.strip() for k in keywords if k.strip())))
    if problems:
        raise TaxonomyError(f"{path}: " + "; ".join(problems))
    if len(themes) < 2:
        raise TaxonomyError(f"{path}: a taxonomy needs at least two themes")
    name = raw.get("name", "") if isinstance(raw, dict) else ""
    return Taxonomy(tuple(themes), str(name), path)


# ---------------------------------------------------------------------------------------------- records

@dataclass(frozen=True, slots=True)
class ThemeInput:
    participant_id: str
    category: str
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class LabelledText:
    text: str
    theme: str
    category: str | None = None


@dataclass(frozen=True, slots=True)
class ThemeAssignment:
    participant_id: str
    theme: str
    theme_label: str
    theme_confidence: float
    theme_runner_up: str | None
    theme_source: str  # "model" | "correction"
    needs_review: bool


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
    tokens = [t for t in _TOKEN_RE.findall(text.lower()) if len(t) > 1 and t not in STOP_WORDS]
    if stem:
        tokens = [s for s in (_stem(t) for t in tokens) if s and s not in STOP_WORDS]
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


# ---------------------------------------------------------------------------------------------- samples

def _read_seed_rows(path: Path = SEED_PATH) -> list[LabelledText]:
    with path.open(newline="", encoding="utf-8") as fh:
        return [LabelledText(r["text"], r["theme"], r.get("category") or None) for r in csv.DictReader(fh)]


def lexicon_samples(taxonomy: Taxonomy) -> list[LabelledText]:
    """Training rows from each theme's label, description and keywords: the cold start of a custom taxonomy."""
    out: list[LabelledText] = []
    for theme in taxonomy.themes:
        out.append(LabelledText(f"{theme.label}. {theme.description}", theme.id))
        for sentence in re.split(r"[:;.]\s+", theme.description):
            if len(sentence.split()) >= 3:
                out.append(LabelledText(sentence, theme.id))
        keywords = list(theme.keywords)
        rng = random.Random(theme.id)  # stable across runs, so the model fingerprint is too
        for _ in range(2):
            rng.shuffle(keywords)
            out.extend(LabelledText(", ".join(keywords[i:i + 3]), theme.id) for i in range(0, len(keywords), 3))
    return out


def seed_samples(taxonomy: Taxonomy) -> list[LabelledText]:
    """The committed seed rows whose theme the taxonomy has; [] for a taxonomy with other ids."""
    return [s for s in _read_seed_rows() if s.theme in taxonomy]


def _check_samples(taxonomy: Taxonomy, samples: Sequence[LabelledText]) -> None:
    unknown = sorted({s.theme for s in samples if s.theme not in taxonomy})
    if unknown:
        raise ThemeError(f"training samples use themes missing from the taxonomy: {', '.join(unknown)}")


def _fingerprint(taxonomy: Taxonomy, samples: Sequence[LabelledText], stem: bool) -> str:
    """The same for the same samples in any order: `kipp themes train` and a run list them differently."""
    h = hashlib.sha256(f"{taxonomy.hash}|{stem}".encode())
    for line in sorted(f"\x1e{s.theme}\x1f{s.category or ''}\x1f{s.text}" for s in samples):
        h.update(line.encode("utf-8"))
    return h.hexdigest()[:16]


# ------------------------------------------------------------------------------------------- classifier

# Weight of the participant category features: a weak prior, since schools and kelurahan innovate in every
# theme, but enough to break a tie between two themes.
CATEGORY_WEIGHT = 0.1
# Character n-grams catch affixed forms (diimunisasi, sampahnya) the word features miss; half weight.
CHAR_WEIGHT = 0.5
# Inverse regularisation: the seed rows are short and clean, so a weak penalty keeps probabilities informative.
C = 20.0


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


class ThemeClassifier:
    """Train, predict, save and load the theme model, in the shape of paperless-ngx's DocumentClassifier."""

    # History (bump on any change to the pickled payload or the features, so old files trigger a retrain):
    # v1: pickle of (FORMAT_VERSION, payload dict); word 1-2 gram + char 3-5 gram TF-IDF with head (title and
    #     opening paragraphs) and body vectorised apart, category one-hot, multinomial LogisticRegression.
    FORMAT_VERSION = 1

    def __init__(self, taxonomy: Taxonomy, features: _Features, model, *, threshold: float, fingerprint: str,
                 n_samples: int, trained_at: str, metrics: dict | None = None):
        self.taxonomy = taxonomy
        self.features = features
        self.model = model
        self.threshold = threshold
        self.fingerprint = fingerprint
        self.n_samples = n_samples
        self.trained_at = trained_at
        self.metrics = metrics or {}

    @classmethod
    def train(cls, taxonomy: Taxonomy, samples: Iterable[LabelledText], *, threshold: float = REVIEW_THRESHOLD,
              stem: bool = False, metrics: dict | None = None) -> ThemeClassifier:
        """Fit on the lexicon of every theme plus `samples`; themes without samples still get a class."""
        from sklearn.linear_model import LogisticRegression
        from threadpoolctl import threadpool_limits

        samples = list(samples)
        _check_samples(taxonomy, samples)
        rows = lexicon_samples(taxonomy) + samples
        texts, categories = [r.text for r in rows], [r.category for r in rows]
        features = _Features(stem).fit(texts, categories)
        x = features.transform(texts, categories)
        model = LogisticRegression(C=C, max_iter=3000)
        # One BLAS thread: the matrices are small, and threads fighting over 2 busy cores made a fit 10x slower.
        with threadpool_limits(1):
            model.fit(x, [r.theme for r in rows])
        return cls(taxonomy, features, model, threshold=threshold, fingerprint=_fingerprint(taxonomy, samples, stem),
                   n_samples=len(rows), trained_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                   metrics=metrics)

    def probabilities(self, inputs: Sequence[ThemeInput]):
        """Rows of class probabilities, columns in `self.model.classes_` order."""
        from threadpoolctl import threadpool_limits

        docs = [compose_document(i.title, i.text) for i in inputs]
        with threadpool_limits(1):
            return self.model.predict_proba(self.features.transform(docs, [i.category for i in inputs]))

    def predict(self, inputs: Sequence[ThemeInput]) -> list[ThemeAssignment]:
        inputs = list(inputs)
        if not inputs:
            return []
        classes = [str(c) for c in self.model.classes_]  # plain str, not numpy.str_, for JSON and equality
        out = []
        for inp, probs in zip(inputs, self.probabilities(inputs)):
            order = probs.argsort()[::-1]
            top = classes[order[0]]
            runner = classes[order[1]] if len(order) > 1 else None
            conf = float(probs[order[0]])
            out.append(ThemeAssignment(inp.participant_id, top, self.taxonomy.label(top), conf, runner, "model",
                                       conf < self.threshold))
        return out

    # -- persistence

    def sidecar(self) -> dict:
        return {"format_version": self.FORMAT_VERSION, "taxonomy_hash": self.taxonomy.hash,
                "taxonomy_ids": list(self.taxonomy.ids), "trained_at": self.trained_at,
                "n_samples": self.n_samples, "fingerprint": self.fingerprint, "threshold": self.threshold,
                "stem": self.features.stem, "metrics": self.metrics}

    def save(self, path: Path) -> None:
        """Pickle the model and write `<path>.json` beside it; written to a temporary file then renamed."""
        import sklearn

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"taxonomy_hash": self.taxonomy.hash, "features": self.features, "model": self.model,
                   "threshold": self.threshold, "fingerprint": self.fingerprint, "n_samples": self.n_samples,
                   "trained_at": self.trained_at, "metrics": self.metrics, "sklearn": sklearn.__version__}
        tmp = path.with_name(path.name + ".part")
        with tmp.open("wb") as fh:
            pickle.dump(self.FORMAT_VERSION, fh)  # first, so load can refuse other versions before the rest
            pickle.dump(payload, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
        sidecar = dict(self.sidecar(), sklearn=sklearn.__version__)
        sidecar_path(path).write_text(json.dumps(sidecar, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path, taxonomy: Taxonomy) -> ThemeClassifier | None:
        """The saved model, None when there is none yet; ThemeModelError subclasses mean: retrain."""
        from sklearn.exceptions import InconsistentVersionWarning

        path = Path(path)
        if not path.exists():
            return None
        try:
            with path.open("rb") as fh, warnings.catch_warnings():
                warnings.simplefilter("error", InconsistentVersionWarning)
                version = pickle.load(fh)
                if version != cls.FORMAT_VERSION:
                    raise IncompatibleModelError(
                        f"{path}: model format {version!r}, this version reads {cls.FORMAT_VERSION}")
                payload = pickle.load(fh)
        except InconsistentVersionWarning as e:
            raise IncompatibleModelError(f"{path}: written by another scikit-learn version: {e}") from e
        except ThemeModelError:
            raise
        except Exception as e:  # unpickling can fail in many ways; all of them mean "retrain"
            raise CorruptModelError(f"{path}: not a readable theme model: {e}") from e
        if not isinstance(payload, dict) or not {"features", "model", "taxonomy_hash"} <= payload.keys():
            raise CorruptModelError(f"{path}: not a theme model")
        if payload["taxonomy_hash"] != taxonomy.hash:
            raise ModelTaxonomyMismatchError(
                f"{path}: trained for taxonomy {payload['taxonomy_hash']}, current is {taxonomy.hash}")
        return cls(taxonomy, payload["features"], payload["model"], threshold=payload["threshold"],
                   fingerprint=payload["fingerprint"], n_samples=payload["n_samples"],
                   trained_at=payload["trained_at"], metrics=payload.get("metrics"))


def sidecar_path(model_path: Path) -> Path:
    return Path(model_path).with_name(Path(model_path).name + ".json")


# ------------------------------------------------------------------------------------------ corrections

def load_corrections(path: Path, taxonomy: Taxonomy) -> dict[str, str]:
    """participant_id -> theme id from an admin's CSV `participant_id,theme`; every bad line is reported."""
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            lines = list(csv.reader(fh))
    except FileNotFoundError as e:
        raise CorrectionsError(f"{path}: corrections file not found") from e
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise CorrectionsError(f"{path}: cannot read corrections: {e}") from e
    if not lines:
        return {}
    header = [h.strip().lower() for h in lines[0]]
    if "participant_id" not in header or "theme" not in header:
        raise CorrectionsError(f"{path}: line 1: expected a header with columns participant_id,theme, "
                               f"found {','.join(lines[0])!r}")
    pid_col, theme_col = header.index("participant_id"), header.index("theme")
    result: dict[str, str] = {}
    first_line: dict[str, int] = {}
    problems: list[str] = []
    for lineno, row in enumerate(lines[1:], 2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(pid_col, theme_col):
            problems.append(f"line {lineno}: expected participant_id,theme, found {','.join(row)!r}")
            continue
        pid, value = row[pid_col].strip(), row[theme_col].strip()
        if not pid:
            problems.append(f"line {lineno}: empty participant_id")
            continue
        theme = taxonomy.resolve(value) if value else None
        if theme is None:
            problems.append(f"line {lineno}: unknown theme {value!r} (known: {', '.join(taxonomy.ids)})")
            continue
        if pid in result and result[pid] != theme:
            problems.append(f"line {lineno}: {pid} corrected to {theme} but to {result[pid]} "
                            f"on line {first_line[pid]}")
            continue
        result[pid] = theme
        first_line.setdefault(pid, lineno)
    if problems:
        raise CorrectionsError(f"{path}: " + "; ".join(problems))
    return result


def check_input(inp: ThemeInput) -> None:
    """Run the text steps of one proposal alone, so that a proposal they fail on can be set aside
    instead of stopping the classification of every other."""
    for part in split_document(compose_document(inp.title, inp.text)):
        preprocess(part)
    inp.participant_id.encode("utf-8"), inp.category.encode("utf-8")


def correction_samples(inputs: Iterable[ThemeInput], corrections: Mapping[str, str]) -> list[LabelledText]:
    """A corrected participant's proposal, labelled with the corrected theme, as training data."""
    return [LabelledText(compose_document(i.title, i.text), corrections[i.participant_id], i.category)
            for i in inputs if i.participant_id in corrections]


# ------------------------------------------------------------------------------------------------ classify

def classify(inputs: Iterable[ThemeInput], taxonomy: Taxonomy, model_path: Path | None,
             corrections: Mapping[str, str], extra_samples: Iterable[LabelledText] = ()) -> list[ThemeAssignment]:
    """Theme of every input: the correction when an admin gave one, otherwise the model's prediction.

    The saved model is reused when it was trained on exactly the current samples (seed + extra + corrected
    proposals); otherwise it is retrained (a few seconds) and saved again.
    """
    inputs = list(inputs)
    unknown = sorted({t for t in corrections.values() if t not in taxonomy})
    if unknown:
        raise ThemeError(f"corrections use themes missing from the taxonomy: {', '.join(unknown)}")
    samples = seed_samples(taxonomy) + list(extra_samples) + correction_samples(inputs, corrections)
    clf = get_classifier(taxonomy, samples, model_path)
    assignments = clf.predict(inputs)
    out = []
    for a in assignments:
        theme = corrections.get(a.participant_id)
        if theme is None:
            out.append(a)
            continue
        runner = a.theme if a.theme != theme else a.theme_runner_up
        out.append(ThemeAssignment(a.participant_id, theme, taxonomy.label(theme), 1.0, runner, "correction", False))
    return out


def get_classifier(taxonomy: Taxonomy, samples: Sequence[LabelledText], model_path: Path | None) -> ThemeClassifier:
    """The saved model when it matches these samples, else a freshly trained one (saved when a path is given)."""
    clf = None
    if model_path is not None:
        try:
            clf = ThemeClassifier.load(model_path, taxonomy)
        except ThemeModelError as e:
            log.warning("retraining the theme model: %s", e)
    if clf is not None and clf.fingerprint == _fingerprint(taxonomy, samples, clf.features.stem):
        return clf
    clf = ThemeClassifier.train(taxonomy, samples)
    if model_path is not None:
        clf.save(model_path)
    return clf


def train(taxonomy: Taxonomy, model_path: Path, samples: Sequence[LabelledText] | None = None,
          folds: int = 5) -> ThemeClassifier:
    """Rebuild the model from `samples` (default: the seed), record its cross-validated metrics, save it."""
    samples = list(seed_samples(taxonomy) if samples is None else samples)
    metrics: dict = {}
    if samples:
        ev = evaluate(taxonomy, samples, folds=folds)
        metrics = {"cv_folds": ev.folds, "cv_accuracy": round(ev.accuracy, 4), "cv_macro_f1": round(ev.macro_f1, 4)}
    clf = ThemeClassifier.train(taxonomy, samples)
    if set(DEFAULT_THEME_IDS) <= set(taxonomy.ids):
        held = evaluate_held_out(taxonomy, classifier=clf)
        metrics.update(held_out_accuracy=round(held.accuracy, 4), held_out_macro_f1=round(held.macro_f1, 4),
                       held_out_review_precision=held.review_precision, held_out_review_recall=held.review_recall)
    clf.metrics = metrics
    clf.save(model_path)
    return clf


# ---------------------------------------------------------------------------------------------- evaluation

@dataclass(frozen=True, slots=True)
class ThemeScore:
    theme: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True, slots=True)
class ThemeEvaluation:
    method: str  # "cross-validation" | "held-out" | "held-out (terse)"
    folds: int  # 0 for held-out
    n_samples: int
    labels: tuple[str, ...]
    accuracy: float
    macro_f1: float
    per_theme: tuple[ThemeScore, ...]
    confusion: tuple[tuple[int, ...], ...]  # rows: true theme, columns: predicted, both in `labels` order
    review_threshold: float
    n_flagged: int
    n_wrong: int
    n_flagged_wrong: int
    review_precision: float | None  # flagged & wrong / flagged
    review_recall: float | None  # flagged & wrong / wrong
    mean_confidence: float  # of the top theme; compare with accuracy
    calibration_error: float  # expected calibration error of the top theme's probability, 10 equal bins

    def to_json(self) -> dict:
        return {"method": self.method, "folds": self.folds, "n_samples": self.n_samples,
                "accuracy": round(self.accuracy, 4), "macro_f1": round(self.macro_f1, 4),
                "review_threshold": self.review_threshold, "n_flagged": self.n_flagged, "n_wrong": self.n_wrong,
                "review_precision": self.review_precision, "review_recall": self.review_recall,
                "mean_confidence": round(self.mean_confidence, 4),
                "calibration_error": round(self.calibration_error, 4),
                "per_theme": {s.theme: {"precision": round(s.precision, 4), "recall": round(s.recall, 4),
                                        "f1": round(s.f1, 4), "support": s.support} for s in self.per_theme},
                "labels": list(self.labels), "confusion": [list(r) for r in self.confusion]}


def _score(method: str, folds: int, labels: Sequence[str], truth: Sequence[str], predicted: Sequence[str],
           confidence: Sequence[float], threshold: float) -> ThemeEvaluation:
    from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

    labels = [t for t in labels if t in set(truth) | set(predicted)]
    p, r, f, s = precision_recall_fscore_support(truth, predicted, labels=labels, zero_division=0)
    present = [i for i, t in enumerate(labels) if t in set(truth)]
    macro_f1 = float(sum(f[i] for i in present) / len(present)) if present else 0.0
    cm = confusion_matrix(truth, predicted, labels=labels)
    wrong = [t != q for t, q in zip(truth, predicted)]
    flagged = [c < threshold for c in confidence]
    n_fw = sum(w and fl for w, fl in zip(wrong, flagged))
    n_flagged, n_wrong = sum(flagged), sum(wrong)
    return ThemeEvaluation(
        method, folds, len(truth), tuple(labels), float(accuracy_score(truth, predicted)), macro_f1,
        tuple(ThemeScore(t, float(p[i]), float(r[i]), float(f[i]), int(s[i])) for i, t in enumerate(labels)),
        tuple(tuple(int(v) for v in row) for row in cm), threshold, n_flagged, n_wrong, n_fw,
        n_fw / n_flagged if n_flagged else None, n_fw / n_wrong if n_wrong else None,
        sum(confidence) / len(confidence) if confidence else 0.0, _calibration_error(confidence, wrong))


def _calibration_error(confidence: Sequence[float], wrong: Sequence[bool], bins: int = 10) -> float:
    """Expected calibration error: per confidence bin, |mean confidence - accuracy|, weighted by its share."""
    binned: dict[int, list[tuple[float, bool]]] = defaultdict(list)
    for c, w in zip(confidence, wrong, strict=True):
        binned[min(int(c * bins), bins - 1)].append((c, not w))
    n = len(confidence)
    return sum(abs(sum(c for c, _ in b) - sum(ok for _, ok in b)) / n for b in binned.values()) if n else 0.0


def evaluate(taxonomy: Taxonomy, samples: Sequence[LabelledText], folds: int = 5, *,
             threshold: float = REVIEW_THRESHOLD, stem: bool = False, seed: int = 0) -> ThemeEvaluation:
    """Stratified k-fold cross-validation of the classifier on labelled samples (the lexicon is always in training)."""
    from sklearn.model_selection import StratifiedKFold

    samples = list(samples)
    _check_samples(taxonomy, samples)
    counts: dict[str, int] = {}
    for s in samples:
        counts[s.theme] = counts.get(s.theme, 0) + 1
    # StratifiedKFold warns (an error under pytest) when a theme has fewer samples than folds.
    folds = min(folds, min(counts.values(), default=0))
    if folds < 2:
        raise ThemeError("cross-validation needs at least two labelled samples of every theme")
    truth = [s.theme for s in samples]
    predicted: list[str] = [""] * len(samples)
    confidence: list[float] = [0.0] * len(samples)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train_idx, test_idx in splitter.split(truth, truth):
        clf = ThemeClassifier.train(taxonomy, [samples[i] for i in train_idx], threshold=threshold, stem=stem)
        test = [ThemeInput(str(i), samples[i].category or "", "", samples[i].text) for i in test_idx]
        for i, a in zip(test_idx, clf.predict(test)):
            predicted[i], confidence[i] = a.theme, a.theme_confidence
    return _score("cross-validation", folds, taxonomy.ids, truth, predicted, confidence, threshold)


def evaluate_held_out(taxonomy: Taxonomy, n_per_theme: int = 20, seed: int = 7, *,
                      classifier: ThemeClassifier | None = None, stem: bool = False,
                      hard: bool = False) -> ThemeEvaluation:
    """Train on the seed, score on proposals from the separate generator in flows/theme_corpus.py.

    `hard=True` scores terse proposals instead (acronym titles, mostly boilerplate): a stress test.
    """
    from flows.theme_corpus import build_held_out

    proposals = build_held_out(n_per_theme=n_per_theme, seed=seed, hard=hard)
    missing = sorted({p.theme for p in proposals if p.theme not in taxonomy})
    if missing:
        raise ThemeError(f"the held-out proposals use themes missing from the taxonomy: {', '.join(missing)}")
    clf = classifier or ThemeClassifier.train(taxonomy, seed_samples(taxonomy), stem=stem)
    inputs = [ThemeInput(f"H{i:04d}", p.category, p.title, p.text) for i, p in enumerate(proposals)]
    assignments = clf.predict(inputs)
    method = "held-out (terse)" if hard else "held-out"
    return _score(method, 0, taxonomy.ids, [p.theme for p in proposals], [a.theme for a in assignments],
                  [a.theme_confidence for a in assignments], clf.threshold)


def format_evaluation(ev: ThemeEvaluation) -> str:
    """A plain-text report: headline figures, per-theme scores and the confusion table."""
    how = f"{ev.folds}-fold cross-validation" if ev.method == "cross-validation" else f"{ev.method} proposals"
    lines = [f"Theme classifier, {how}: {ev.n_samples} samples",
             f"  accuracy {ev.accuracy:.3f}   macro-F1 {ev.macro_f1:.3f}"]
    rp = "n/a" if ev.review_precision is None else f"{ev.review_precision:.2f}"
    rr = "n/a" if ev.review_recall is None else f"{ev.review_recall:.2f}"
    lines.append(f"  needs review (confidence < {ev.review_threshold:.2f}): {ev.n_flagged} flagged, "
                 f"{ev.n_wrong} wrong, {ev.n_flagged_wrong} both; precision {rp}, recall {rr}")
    lines.append(f"  calibration: mean confidence {ev.mean_confidence:.3f} against accuracy {ev.accuracy:.3f}, "
                 f"expected calibration error {ev.calibration_error:.3f}")
    width = max(len(t) for t in ev.labels)
    lines += ["", f"  {'#':>2}  {'theme':<{width}}  precision  recall     F1  support"]
    for i, s in enumerate(ev.per_theme, 1):
        lines.append(f"  {i:>2}  {s.theme:<{width}}  {s.precision:9.2f}  {s.recall:6.2f}  {s.f1:5.2f}  {s.support:7d}")
    lines += ["", "  Confusion (rows: true theme, columns: predicted, numbered as above)",
              f"  {'':>2}  " + "".join(f"{j:>4}" for j in range(1, len(ev.labels) + 1))]
    for i, row in enumerate(ev.confusion, 1):
        lines.append(f"  {i:>2}  " + "".join(f"{v:>4}" if v else f"{'.':>4}" for v in row))
    return "\n".join(lines)
