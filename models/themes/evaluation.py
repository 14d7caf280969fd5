"""How well the classifier does: cross-validation on labelled samples, scores on held-out proposals."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from models.records import Category
from models.themes.calibration import SIGNALS, ConfidenceModel, _softmax, fit_confidence
from models.themes.features import LabelledText, ThemeInput
from models.themes.model import ThemeClassifier
from models.themes.samples import _check_samples, seed_samples
from models.themes.taxonomy import Taxonomy, ThemeError


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
    reliability: tuple[tuple[float, int, float, float], ...] = ()  # per bin: lower edge, count, mean confidence, accuracy
    temperature: float = 1.0

    def to_json(self) -> dict:
        return {"method": self.method, "folds": self.folds, "n_samples": self.n_samples,
                "accuracy": round(self.accuracy, 4), "macro_f1": round(self.macro_f1, 4),
                "review_threshold": self.review_threshold, "n_flagged": self.n_flagged, "n_wrong": self.n_wrong,
                "review_precision": self.review_precision, "review_recall": self.review_recall,
                "mean_confidence": round(self.mean_confidence, 4),
                "calibration_error": round(self.calibration_error, 4),
                "per_theme": {s.theme: {"precision": round(s.precision, 4), "recall": round(s.recall, 4),
                                        "f1": round(s.f1, 4), "support": s.support} for s in self.per_theme},
                "labels": list(self.labels), "confusion": [list(r) for r in self.confusion],
                "temperature": self.temperature, "confusion_pairs": [list(p) for p in self.confusion_pairs()],
                "reliability": [{"from": lo, "n": n, "mean_confidence": round(c, 4), "accuracy": round(a, 4)}
                                for lo, n, c, a in self.reliability]}

    def confusion_pairs(self) -> list[tuple[str, str, int]]:
        """(true theme, predicted theme, count) of every mistake made, most frequent first."""
        pairs = [(self.labels[i], self.labels[j], v) for i, row in enumerate(self.confusion)
                 for j, v in enumerate(row) if i != j and v]
        return sorted(pairs, key=lambda p: (-p[2], p[0], p[1]))


def _score(method: str, folds: int, labels: Sequence[str], truth: Sequence[str], predicted: Sequence[str],
           confidence: Sequence[float], threshold: float, temperature: float = 1.0) -> ThemeEvaluation:
    from sklearn.metrics import (
        accuracy_score,
        confusion_matrix,
        precision_recall_fscore_support,
    )

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
        sum(confidence) / len(confidence) if confidence else 0.0, _calibration_error(confidence, wrong),
        _reliability(confidence, wrong), temperature)


def _reliability(confidence: Sequence[float], wrong: Sequence[bool], bins: int = 10):
    """Per confidence bin (lower edge): how many, their mean confidence, and how many of them were right."""
    binned: dict[int, list[tuple[float, bool]]] = defaultdict(list)
    for c, w in zip(confidence, wrong, strict=True):
        binned[min(int(c * bins), bins - 1)].append((c, not w))
    return tuple((b / bins, len(v), sum(c for c, _ in v) / len(v), sum(ok for _, ok in v) / len(v))
                 for b, v in sorted(binned.items()))


def _calibration_error(confidence: Sequence[float], wrong: Sequence[bool], bins: int = 10) -> float:
    """Expected calibration error: per confidence bin, |mean confidence - accuracy|, weighted by its share."""
    binned: dict[int, list[tuple[float, bool]]] = defaultdict(list)
    for c, w in zip(confidence, wrong, strict=True):
        binned[min(int(c * bins), bins - 1)].append((c, not w))
    n = len(confidence)
    return sum(abs(sum(c for c, _ in b) - sum(ok for _, ok in b)) / n for b in binned.values()) if n else 0.0


@dataclass(frozen=True, slots=True)
class OutOfFold:
    """Each sample's class scores from a model that did not see it (stratified k-fold, or a held-out set:
    folds 0), with what its confidence is computed from (calibration.signals)."""

    folds: int
    classes: tuple[str, ...]
    truth: tuple[str, ...]
    logits: object  # numpy array, rows: samples, columns: `classes`
    lexicon: object = None  # numpy array like `logits`: the themes' own words found (calibration.lexicon_scores)
    lengths: tuple[int, ...] = ()
    method: str = "cross-validation"

    def wrong(self) -> list[bool]:
        return [self.classes[i] != t for i, t in zip(self.logits.argmax(axis=1), self.truth)]


def out_of_fold(taxonomy: Taxonomy, samples: Sequence[LabelledText], folds: int = 5, *, stem: bool = False,
                seed: int = 0) -> OutOfFold:
    """Stratified k-fold: each sample scored by the model of the other folds (the lexicon is always in training)."""
    import numpy as np
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
    logits = lexicon = None
    lengths = [0] * len(samples)
    classes: tuple[str, ...] = ()
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train_idx, test_idx in splitter.split(truth, truth):
        clf = ThemeClassifier.train(taxonomy, [samples[i] for i in train_idx], stem=stem)
        classes = tuple(str(c) for c in clf.model.classes_)  # every theme: the lexicon gives each a class
        if logits is None:
            logits, lexicon = np.zeros((len(samples), len(classes))), np.zeros((len(samples), len(classes)))
        test = [ThemeInput(str(i), samples[i].category, "", samples[i].text) for i in test_idx]
        logits[test_idx], lexicon[test_idx], fold_lengths = clf.signals(test)
        for i, n in zip(test_idx, fold_lengths):
            lengths[i] = n
    return OutOfFold(folds, classes, tuple(truth), logits, lexicon, tuple(lengths))


def scores_of(classifier: ThemeClassifier, proposals: Sequence[HeldOutProposal], method: str) -> OutOfFold:
    """A held-out set scored by `classifier` (which did not learn from it)."""
    inputs = [ThemeInput(f"H{i:04d}", Category(p.category), p.title, p.text) for i, p in enumerate(proposals)]
    logits, lexicon, lengths = classifier.signals(inputs)
    return OutOfFold(0, tuple(str(c) for c in classifier.model.classes_), tuple(p.theme for p in proposals),
                     logits, lexicon, tuple(lengths), method)


def merge(sets: Sequence[OutOfFold]) -> OutOfFold:
    """One set of several scored sets (same classes): what calibration is fitted on, a mix of text kinds."""
    import numpy as np

    return OutOfFold(0, sets[0].classes, tuple(t for s in sets for t in s.truth),
                     np.vstack([s.logits for s in sets]), np.vstack([s.lexicon for s in sets]),
                     tuple(n for s in sets for n in s.lengths), "mix")


def take(oof: OutOfFold, rows) -> OutOfFold:
    """The rows `rows` of a scored set."""
    return OutOfFold(oof.folds, oof.classes, tuple(oof.truth[i] for i in rows), oof.logits[rows],
                     oof.lexicon[rows], tuple(oof.lengths[i] for i in rows), oof.method)


def fit_temperature(oof: OutOfFold) -> float:
    """The temperature that minimises the log-loss of the out-of-fold scores (bounded to 0.05..5)."""
    import numpy as np
    from scipy.optimize import minimize_scalar

    index = {c: i for i, c in enumerate(oof.classes)}
    y = np.array([index[t] for t in oof.truth])
    rows = np.arange(len(y))

    def loss(t: float) -> float:
        return float(-np.log(_softmax(oof.logits / t)[rows, y] + 1e-12).mean())

    return round(float(minimize_scalar(loss, bounds=(0.05, 5.0), method="bounded").x), 3)


def temperature_only(temperature: float) -> ConfidenceModel:
    """The top probability under `temperature` as the confidence: sigmoid(log-odds(p)) = p."""
    return ConfidenceModel(temperature, (1.0,) + (0.0,) * (len(SIGNALS) - 1), 0.0)


def calibrate(oof: OutOfFold) -> ConfidenceModel:
    """The temperature, then the confidence model on its signals, both fitted on `oof` (a mix: merge)."""
    index = {c: i for i, c in enumerate(oof.classes)}
    return fit_confidence(oof.logits, [index[t] for t in oof.truth], oof.lexicon, oof.lengths, fit_temperature(oof))


class Calibrator(Protocol):
    """What turns a prediction's signals into confidences (ConfidenceModel, or another one measured against it)."""

    def confidence(self, logits, lexicon, lengths): ...


def confidences(model: Calibrator, oof: OutOfFold) -> list[float]:
    return [float(c) for c in model.confidence(oof.logits, oof.lexicon, oof.lengths)]


def cross_fitted(sets: Sequence[OutOfFold], fit: Callable[[OutOfFold], Calibrator] = calibrate,
                 folds: int = 5, seed: int = 0) -> list[list[float]]:
    """Each set's confidences from a calibration fitted on the other folds of the mix (stratified by set):
    the honest figures of a calibration fitted on these very sets."""
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    mix = merge(sets)
    kinds = [k for k, s in enumerate(sets) for _ in s.truth]
    out = np.zeros(len(kinds))
    for train_idx, test_idx in StratifiedKFold(folds, shuffle=True, random_state=seed).split(kinds, kinds):
        out[test_idx] = confidences(fit(take(mix, train_idx)), take(mix, test_idx))
    bounds = np.cumsum([0] + [len(s.truth) for s in sets])
    return [[float(c) for c in out[a:b]] for a, b in zip(bounds[:-1], bounds[1:])]


# What the needs-review flag must do, measured out of fold: catch at least this share of wrong themes
# while flagging at most this share of proposals.
REVIEW_RECALL_GOAL = 2 / 3
REVIEW_SHARE_LIMIT = 1 / 5


def choose_threshold(confidence: Sequence[float], wrong: Sequence[bool]) -> float:
    """The lowest threshold (in steps of 0.05) whose flag catches REVIEW_RECALL_GOAL of the wrong themes
    while flagging at most REVIEW_SHARE_LIMIT of the proposals; else the highest within that limit."""
    n, n_wrong = len(confidence), sum(wrong)
    best = 0.05
    for step in range(1, 20):
        t = step / 20
        flagged = [c < t for c in confidence]
        if sum(flagged) > REVIEW_SHARE_LIMIT * n:
            break
        best = t
        if n_wrong and sum(f and w for f, w in zip(flagged, wrong)) >= REVIEW_RECALL_GOAL * n_wrong:
            return t
    return best


def review_curve(confidence: Sequence[float], wrong: Sequence[bool]) -> list[tuple[float, float, float | None]]:
    """(threshold, share of proposals flagged, share of wrong themes flagged) for thresholds 0.05..0.95."""
    n, n_wrong = len(confidence), sum(wrong)
    out = []
    for step in range(1, 20):
        flagged = [c < step / 20 for c in confidence]
        caught = sum(f and w for f, w in zip(flagged, wrong))
        out.append((step / 20, sum(flagged) / n if n else 0.0, caught / n_wrong if n_wrong else None))
    return out


def score(oof: OutOfFold, taxonomy: Taxonomy, confidence: Sequence[float], threshold: float,
          temperature: float = 1.0) -> ThemeEvaluation:
    """The figures of a scored set with these confidences (one per row)."""
    predicted = [oof.classes[i] for i in oof.logits.argmax(axis=1)]
    return _score(oof.method, oof.folds, taxonomy.ids, oof.truth, predicted, list(confidence), threshold, temperature)


def evaluate(taxonomy: Taxonomy, samples: Sequence[LabelledText], folds: int = 5, *,
             threshold: float | None = None, stem: bool = False, seed: int = 0) -> ThemeEvaluation:
    """Stratified k-fold cross-validation of the classifier on labelled samples (the lexicon is always in training).

    The confidence is calibrated on the out-of-fold scores and measured cross-fitted on them; without
    `threshold` the review threshold is chosen from them, as `kipp themes train` does on its mix.
    """
    oof = out_of_fold(taxonomy, samples, folds, stem=stem, seed=seed)
    [conf] = cross_fitted([oof])
    if threshold is None:
        threshold = choose_threshold(conf, oof.wrong())
    return score(oof, taxonomy, conf, threshold, fit_temperature(oof))


class HeldOutProposal(Protocol):
    """A proposal with a known theme, written apart from the seed set (flows/corpora/themes.py writes them)."""

    theme: str
    category: str
    title: str
    text: str


def evaluate_held_out(taxonomy: Taxonomy, proposals: Sequence[HeldOutProposal], *,
                      classifier: ThemeClassifier | None = None, stem: bool = False,
                      method: str = "held-out") -> ThemeEvaluation:
    """Train on the seed (unless `classifier` is given), score on `proposals` written by another generator.

    The caller builds them (`kipp themes evaluate` with flows.corpora.themes.build_held_out; `method`
    "held-out (terse)" names its stress test of short texts), so the domain needs nothing from flows/.
    """
    proposals = list(proposals)
    missing = sorted({p.theme for p in proposals if p.theme not in taxonomy})
    if missing:
        raise ThemeError(f"the held-out proposals use themes missing from the taxonomy: {', '.join(missing)}")
    clf = classifier or ThemeClassifier.train(taxonomy, seed_samples(taxonomy), stem=stem)
    inputs = [ThemeInput(f"H{i:04d}", Category(p.category), p.title, p.text) for i, p in enumerate(proposals)]
    assignments = clf.predict(inputs)
    return _score(method, 0, taxonomy.ids, [p.theme for p in proposals], [a.theme for a in assignments],
                  [a.theme_confidence for a in assignments], clf.threshold, clf.temperature)


def format_evaluation(ev: ThemeEvaluation) -> str:
    """A plain-text report: headline figures, per-theme scores and the confusion table."""
    how = f"{ev.folds}-fold cross-validation" if ev.method == "cross-validation" else f"{ev.method} proposals"
    lines = [f"Theme classifier, {how}: {ev.n_samples} samples",
             f"  accuracy {ev.accuracy:.3f}   macro-F1 {ev.macro_f1:.3f}"]
    rp = "n/a" if ev.review_precision is None else f"{ev.review_precision:.2f}"
    rr = "n/a" if ev.review_recall is None else f"{ev.review_recall:.2f}"
    lines.append(f"  needs review (confidence < {ev.review_threshold:.2f}): {ev.n_flagged} flagged, "
                 f"{ev.n_wrong} wrong, {ev.n_flagged_wrong} both; precision {rp}, recall {rr}")
    lines.append(f"  calibration (temperature {ev.temperature:.3f}): mean confidence {ev.mean_confidence:.3f} "
                 f"against accuracy {ev.accuracy:.3f}, expected calibration error (ECE) {ev.calibration_error:.3f}")
    lines.append("  reliability: " + "; ".join(f"{lo:.1f}-{lo + 0.1:.1f}: {n} at {c:.2f}, {a:.0%} right"
                                                for lo, n, c, a in ev.reliability))
    width = max(len(t) for t in ev.labels)
    lines += ["", f"  {'#':>2}  {'theme':<{width}}  precision  recall     F1  support"]
    for i, s in enumerate(ev.per_theme, 1):
        lines.append(f"  {i:>2}  {s.theme:<{width}}  {s.precision:9.2f}  {s.recall:6.2f}  {s.f1:5.2f}  {s.support:7d}")
    pairs = ev.confusion_pairs()
    if pairs:
        lines += ["", "  Most confused (true -> predicted: count): "
                  + ", ".join(f"{t} -> {q}: {n}" for t, q, n in pairs[:8])]
    lines += ["", "  Confusion (rows: true theme, columns: predicted, numbered as above)",
              f"  {'':>2}  " + "".join(f"{j:>4}" for j in range(1, len(ev.labels) + 1))]
    for i, row in enumerate(ev.confusion, 1):
        lines.append(f"  {i:>2}  " + "".join(f"{v:>4}" if v else f"{'.':>4}" for v in row))
    return "\n".join(lines)
