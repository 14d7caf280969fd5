"""The theme classifier: train, predict, save and load; `classify` for a run.

The theme is the top class of a multinomial logistic regression. Its confidence is the probability that
this theme is right, from the ConfidenceModel of models/themes/calibration.py: signals of the prediction
(the top probability under a temperature, the margin to the runner-up, the length, whether the themes'
own words agree) fitted out of fold on a mix of short and long texts by `kipp themes train`; the
needs-review threshold is chosen from the same out-of-fold confidences (evaluation.choose_threshold).
CONFIDENCE and REVIEW_THRESHOLD below are what that gives on the default seed and generated sets
(`kipp bench themes` prints them), used when a run has to train a model itself. What it was measured
against (the temperature alone, CalibratedClassifierCV sigmoid and isotonic, a temperature per length)
and the figures: flows/bench/themes.py and the README's Themes section.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import pickle
import warnings
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from models.language import say
from models.records import ThemeAssignment, ThemeSource
from models.sources import source_digest
from models.themes.calibration import ConfidenceModel, lexicon_scores
from models.themes.features import (
    BODY_CHARS,
    LabelledText,
    ThemeInput,
    _Features,
    boilerplate_words,
    compose_document,
)
from models.themes.samples import (
    _check_samples,
    _fingerprint,
    lexicon_samples,
    reference_samples,
    seed_samples,
)
from models.themes.taxonomy import (
    CorruptModelError,
    IncompatibleModelError,
    ModelTaxonomyMismatchError,
    Taxonomy,
    ThemeError,
    ThemeModelError,
)
from models.themes.versions import keep, sidecar_path

log = logging.getLogger(__name__)

# The confidence of the default seed's model, fitted out of fold on the seed's cross-validation and the
# generated long and terse proposals (module docstring; `kipp bench themes` prints it).
CONFIDENCE = ConfidenceModel(0.493, (1.3907, -1.1284, -0.1809, 0.5506, -0.71, -0.0331), 1.2774)

# Below this confidence a theme is marked perlu_ditinjau: what choose_threshold picks from the same
# out-of-fold confidences (kipp themes train prints it as review_threshold).
REVIEW_THRESHOLD = 0.75

# The seed has as many samples of every theme, yet the fitted intercepts differ by up to 0.9 (the
# lexicon and vocabulary rows differ per theme; tata_kelola_perencanaan's was the highest): on a
# proposal of little theme evidence the intercept decided, and tata_kelola_perencanaan took it. Every
# theme gets the mean intercept instead, a uniform prior. The themes' own words (keywords and official
# vocabulary, without the learned boilerplate) are added to the scores at LEXICON_WEIGHT per log-count.
# Accuracy cv / long / terse, all with the learned boilerplate (kipp bench themes sets; 0.979 / 1.000 /
# 0.804 before any of it): neither 0.988 / 0.992 / 0.817; uniform prior 0.985 / 0.983 / 0.846; lexicon
# 0.75 0.988 / 0.992 / 0.825; both, lexicon 0.5 / 0.75 / 1.0: terse 0.858 / 0.871 / 0.867 (ECE 0.035 /
# 0.031 / 0.035), cv 0.983 / 0.983 / 0.985, long 0.992. On the full demo both cost 2 themes against the
# boilerplate alone (27 wrong of 282 against 25; 23 before), see the README's Themes section.
LEXICON_WEIGHT = 0.75

# Inverse regularisation: the seed rows are short and clean, so a weak penalty keeps probabilities informative.
C = 20.0



class ThemeClassifier:
    """Train, predict, save and load the theme model, in the shape of paperless-ngx's DocumentClassifier."""

    # History (bump on any change to the pickled payload or the features, so old files trigger a retrain):
    # v1: pickle of (FORMAT_VERSION, payload dict); word 1-2 gram + char 3-5 gram TF-IDF with head (title and
    #     opening paragraphs) and body vectorised apart, category one-hot, multinomial LogisticRegression.
    # v2: the payload adds temperature (probabilities are softmax(logits / temperature)), base_fingerprint
    #     (the samples without admins' corrections: what a run checks) and version (kipp themes rollback).
    # v3: the confidence is a ConfidenceModel (calibration.py) in place of the temperature alone.
    # v4: the features carry the boilerplate words learned from the samples (features.boilerplate_words);
    #     scores: a uniform prior (the mean intercept) plus the themes' own words (LEXICON_WEIGHT).
    FORMAT_VERSION = 4

    def __init__(self, taxonomy: Taxonomy, features: _Features, model, *, threshold: float, fingerprint: str,
                 n_samples: int, trained_at: str, metrics: dict | None = None,
                 confidence: ConfidenceModel = CONFIDENCE, base_fingerprint: str | None = None,
                 version: int | None = None, corrected: int = 0):
        self.taxonomy = taxonomy
        self.features = features
        self.model = model
        self.threshold = threshold
        self.fingerprint = fingerprint
        self.n_samples = n_samples
        self.trained_at = trained_at
        self.metrics = metrics or {}
        self.confidence = confidence
        # The fingerprint of the samples other than admins' corrections: a run reuses the model while it
        # matches the seed in use, whatever corrections were made since (they only win for their participant).
        self.base_fingerprint = base_fingerprint or fingerprint
        self.version = version
        self.corrected = corrected  # how many admins' corrections it learned from

    @classmethod
    def train(cls, taxonomy: Taxonomy, samples: Iterable[LabelledText], *, threshold: float = REVIEW_THRESHOLD,
              stem: bool = False, metrics: dict | None = None,
              confidence: ConfidenceModel = CONFIDENCE) -> ThemeClassifier:
        """Fit on the lexicon of every theme plus `samples`; themes without samples still get a class."""
        from sklearn.linear_model import LogisticRegression
        from threadpoolctl import threadpool_limits

        samples = list(samples)
        _check_samples(taxonomy, samples)
        rows = lexicon_samples(taxonomy) + reference_samples(taxonomy) + samples
        texts, categories = [r.text for r in rows], [r.category for r in rows]
        # the boilerplate is learned from the labelled samples alone: the lexicon rows are one theme's each
        features = _Features(stem, boilerplate_words(samples, stem)).fit(texts, categories)
        x = features.transform(texts, categories)
        model = LogisticRegression(C=C, max_iter=3000)
        # One BLAS thread: the matrices are small, and threads fighting over 2 busy cores made a fit 10x slower.
        with threadpool_limits(1):
            model.fit(x, [r.theme for r in rows])
        return cls(taxonomy, features, model, threshold=threshold, fingerprint=_fingerprint(taxonomy, samples, stem),
                   n_samples=len(rows), trained_at=datetime.now(UTC).isoformat(timespec="seconds"),
                   metrics=metrics, confidence=confidence)

    @property
    def temperature(self) -> float:
        return self.confidence.temperature

    def signals(self, inputs: Sequence[ThemeInput]):
        """(scores, lexicon scores, lengths) of `inputs`: the theme is the top score, its confidence is
        computed from all three. A score is the model's logit plus LEXICON_WEIGHT x log(1 + the theme's
        own terms found), so the official vocabulary and the keywords count as evidence of their own."""
        import numpy as np

        docs = [compose_document(i.title, i.text) for i in inputs]
        classes = [str(c) for c in self.model.classes_]
        lexicon = lexicon_scores(self.taxonomy, classes, docs, self.features.boilerplate)
        return (self.logits(inputs) + LEXICON_WEIGHT * np.log1p(lexicon), lexicon,
                [min(len(d), BODY_CHARS) for d in docs])

    def logits(self, inputs: Sequence[ThemeInput]):
        """Rows of class scores before the softmax (what the temperature divides), every theme with the
        same intercept, the mean one: a uniform prior (see LEXICON_WEIGHT)."""
        import numpy as np
        from threadpoolctl import threadpool_limits

        docs = [compose_document(i.title, i.text) for i in inputs]
        with threadpool_limits(1):
            z = self.model.decision_function(self.features.transform(docs, [i.category for i in inputs]))
        if z.ndim == 1:  # two classes: one score
            return np.column_stack([np.zeros_like(z), z])
        return z - (self.model.intercept_ - self.model.intercept_.mean())

    def predict(self, inputs: Sequence[ThemeInput]) -> list[ThemeAssignment]:
        inputs = list(inputs)
        if not inputs:
            return []
        classes = [str(c) for c in self.model.classes_]  # plain str, not numpy.str_, for JSON and equality
        logits, lexicon, lengths = self.signals(inputs)
        out = []
        for inp, scores, conf in zip(inputs, logits, self.confidence.confidence(logits, lexicon, lengths)):
            order = scores.argsort()[::-1]
            top = classes[order[0]]
            runner = classes[order[1]] if len(order) > 1 else None
            conf = float(conf)
            out.append(ThemeAssignment(inp.participant_id, top, self.taxonomy.label(top), conf, runner, ThemeSource.MODEL,
                                       conf < self.threshold))
        return out

    # -- persistence

    def sidecar(self) -> dict:
        return {"format_version": self.FORMAT_VERSION, "taxonomy_hash": self.taxonomy.hash,
                "taxonomy_ids": list(self.taxonomy.ids), "trained_at": self.trained_at,
                "n_samples": self.n_samples, "fingerprint": self.fingerprint, "threshold": self.threshold,
                "stem": self.features.stem, "metrics": self.metrics, "confidence": self.confidence.to_json(),
                "base_fingerprint": self.base_fingerprint, "version": self.version, "corrected": self.corrected}

    def save(self, path: Path) -> None:
        """Pickle the model and write `<path>.json` beside it; written to a temporary file then renamed."""
        import sklearn

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"taxonomy_hash": self.taxonomy.hash, "features": self.features, "model": self.model,
                   "threshold": self.threshold, "fingerprint": self.fingerprint, "n_samples": self.n_samples,
                   "trained_at": self.trained_at, "metrics": self.metrics, "sklearn": sklearn.__version__,
                   "confidence": self.confidence, "base_fingerprint": self.base_fingerprint,
                   "version": self.version, "corrected": self.corrected}
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
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as e:
            raise CorruptModelError(f"{path}: not a readable theme model: {e}") from e
        digest = hashlib.sha256(data).hexdigest()
        payload = _LOADED.get(digest)
        try:
            if payload is None:
                with io.BytesIO(data) as fh, warnings.catch_warnings():
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
        _LOADED[digest] = payload
        while len(_LOADED) > _TRAINED_KEPT:
            del _LOADED[next(iter(_LOADED))]
        if payload["taxonomy_hash"] != taxonomy.hash:
            raise ModelTaxonomyMismatchError(
                f"{path}: trained for taxonomy {payload['taxonomy_hash']}, current is {taxonomy.hash}")
        return cls(taxonomy, payload["features"], payload["model"], threshold=payload["threshold"],
                   fingerprint=payload["fingerprint"], n_samples=payload["n_samples"],
                   trained_at=payload["trained_at"], metrics=payload.get("metrics"),
                   confidence=payload["confidence"], base_fingerprint=payload["base_fingerprint"],
                   version=payload.get("version"), corrected=payload.get("corrected", 0))


# ------------------------------------------------------------------------------------------------ classify

def classify(inputs: Iterable[ThemeInput], taxonomy: Taxonomy, model_path: Path | None,
             corrections: Mapping[str, str], extra_samples: Iterable[LabelledText] = (),
             cache: dict | None = None, digests: Mapping[str, str] | None = None) -> list[ThemeAssignment]:
    """Theme of every input: the correction when an admin gave one, otherwise the model's prediction.

    A correction is local: it wins for its participant and changes no one else's theme or flag, since
    the saved model is reused as it is (corrections become training data only at `kipp themes train`).
    The model is trained here only when there is none that can be used: none yet, another format,
    scikit-learn or taxonomy, or another seed (seed + `extra_samples`) than it was trained on.

    `cache` (a run's, kept in the ledger): the model's predictions of the last run, keyed by the model
    in use (model_key) and each input's digest; updated in place. A run with nothing new neither loads
    the model nor classifies anything; only inputs that changed are classified. The cache holds the
    model's predictions, never the corrections: those are applied afresh on every call.
    """
    inputs = list(inputs)
    unknown = sorted({t for t in corrections.values() if t not in taxonomy})
    if unknown:
        raise ThemeError(say(f"koreksi memakai tema yang tidak ada di taksonomi: {', '.join(unknown)}",
                             f"corrections use themes missing from the taxonomy: {', '.join(unknown)}"))
    extra_samples = list(extra_samples)
    if cache is None or model_path is None:
        clf = get_classifier(taxonomy, seed_samples(taxonomy) + extra_samples, model_path)
        return _corrected(clf.predict(inputs), taxonomy, corrections)
    digests = {i.participant_id: (digests or {}).get(i.participant_id) or input_digest(i) for i in inputs}
    key = model_key(taxonomy, model_path, extra_samples)
    kept = cache.get("themes", {}) if key is not None and cache.get("model") == key else {}
    missing = [i for i in inputs if (kept.get(i.participant_id) or [None])[0] != digests[i.participant_id]]
    predicted = {}
    if missing:
        clf = get_classifier(taxonomy, seed_samples(taxonomy) + extra_samples, model_path)
        after = model_key(taxonomy, model_path, extra_samples)
        if after != key:  # the model was (re)trained or replaced meanwhile: nothing kept is its
            kept, missing = {}, inputs
        key = after
        predicted = {a.participant_id: a for a in clf.predict(missing)}
    assignments = [predicted[i.participant_id] if i.participant_id in predicted
                   else _assignment(i.participant_id, kept[i.participant_id][1], taxonomy) for i in inputs]
    cache.clear()
    if key is not None:
        cache["model"], cache["code"] = key, _code_digest()
        cache["themes"] = {a.participant_id: [digests[a.participant_id],
                                              [a.theme, a.theme_confidence, a.theme_runner_up, a.needs_review]]
                           for a in assignments}
    return _corrected(assignments, taxonomy, corrections)


def _corrected(assignments: Iterable[ThemeAssignment], taxonomy: Taxonomy,
               corrections: Mapping[str, str]) -> list[ThemeAssignment]:
    out = []
    for a in assignments:
        theme = corrections.get(a.participant_id)
        if theme is None:
            out.append(a)
            continue
        runner = a.theme if a.theme != theme else a.theme_runner_up
        out.append(ThemeAssignment(a.participant_id, theme, taxonomy.label(theme), 1.0, runner, ThemeSource.CORRECTION, False))
    return out


def _assignment(participant_id: str, kept: list, taxonomy: Taxonomy) -> ThemeAssignment:
    theme, confidence, runner, review = kept
    return ThemeAssignment(participant_id, theme, taxonomy.label(theme), confidence, runner, ThemeSource.MODEL, review)


def checked_before(cache: Mapping) -> dict[str, str]:
    """participant id -> input digest of every input the cache holds: each passed check_input with
    this code (an input with that digest passes again)."""
    if cache.get("code") != _code_digest() or not isinstance(cache.get("themes"), dict):
        return {}
    return {pid: entry[0] for pid, entry in cache["themes"].items() if isinstance(entry, list) and entry}


def input_digest(inp: ThemeInput) -> str:
    """Everything of one input the model reads."""
    h = hashlib.sha256()
    for part in (inp.participant_id, inp.category.value if inp.category else "", inp.title or "", inp.text or ""):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()[:32]


def model_key(taxonomy: Taxonomy, model_path: Path, extra_samples: Sequence[LabelledText] = ()) -> str | None:
    """What decides the predictions `get_classifier` gives for this path: the saved model's bytes, the
    taxonomy, the seed it is checked against, scikit-learn's version and this code's own; None when
    no model is saved there (the run trains and keeps one first)."""
    from importlib.metadata import (
        version,  # not `import sklearn`: seconds that a run with nothing new saves
    )

    try:
        data = Path(model_path).read_bytes()
    except OSError:
        return None
    h = hashlib.sha256(data)
    h.update(f"|{ThemeClassifier.FORMAT_VERSION}|{version('scikit-learn')}|{taxonomy.hash}|"
             f"{_fingerprint(taxonomy, seed_samples(taxonomy) + list(extra_samples), False)}|{_code_digest()}".encode())
    return h.hexdigest()[:32]


@lru_cache(maxsize=1)
def _code_digest() -> str:
    """The source of the features and of prediction: an upgraded kipp predicts anew."""
    return source_digest(Path(__file__).parent / name
                         for name in ("model.py", "features.py", "samples.py", "calibration.py"))[:16]


# Models trained in this process, by fingerprint (taxonomy, samples, stemming): a run into another
# output folder in the same process (every test, `kipp evaluate`, a benchmark) reuses the training
# instead of repeating it (seconds on a busy machine). Training is deterministic: same themes.
_TRAINED: dict[str, ThemeClassifier] = {}
_TRAINED_KEPT = 4  # a model is a few MB
# Saved models read in this process, by the file's sha256: the same model copied into a new output
# folder (from the user's cache, see flows/steps/themes.py) is unpickled once, not twice per run (~0.1 s
# each). Each load still makes its own ThemeClassifier, checked against the taxonomy as before.
_LOADED: dict[str, dict] = {}


def get_classifier(taxonomy: Taxonomy, samples: Sequence[LabelledText], model_path: Path | None) -> ThemeClassifier:
    """The saved model when it was trained on these samples (plus any admins' corrections at a
    deliberate `kipp themes train`), else one trained on them in this process or a freshly trained one
    (kept as a new version when a path is given)."""
    clf = None
    if model_path is not None:
        try:
            clf = ThemeClassifier.load(model_path, taxonomy)
        except ThemeModelError as e:
            log.warning("retraining the theme model: %s", e)
    if clf is not None and clf.base_fingerprint == _fingerprint(taxonomy, samples, clf.features.stem):
        return clf
    if clf is not None:
        log.warning("retraining the theme model: %s was trained on another seed set", model_path)
    fingerprint = _fingerprint(taxonomy, samples, False)
    clf = _TRAINED.get(fingerprint)
    if clf is None:
        clf = ThemeClassifier.train(taxonomy, samples)
        while len(_TRAINED) >= _TRAINED_KEPT:
            del _TRAINED[next(iter(_TRAINED))]
        _TRAINED[fingerprint] = clf
    if model_path is not None:
        keep(clf, model_path)
    return clf
