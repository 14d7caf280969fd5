"""How well the classifier does: cross-validation on labelled samples, scores on held-out proposals."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from models.records import Category
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
    """Each sample's class scores from a model that did not see it (stratified k-fold)."""

    folds: int
    classes: tuple[str, ...]
    truth: tuple[str, ...]
    logits: object  # numpy array, rows: samples, columns: `classes`


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
    logits = None
    classes: tuple[str, ...] = ()
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train_idx, test_idx in splitter.split(truth, truth):
        clf = ThemeClassifier.train(taxonomy, [samples[i] for i in train_idx], stem=stem)
        classes = tuple(str(c) for c in clf.model.classes_)  # every theme: the lexicon gives each a class
        if logits is None:
            logits = np.zeros((len(samples), len(classes)))
        test = [ThemeInput(str(i), samples[i].category, "", samples[i].text) for i in test_idx]
        logits[test_idx] = clf.logits(test)
    return OutOfFold(folds, classes, tuple(truth), logits)


def fit_temperature(oof: OutOfFold) -> float:
    """The temperature that minimises the log-loss of the out-of-fold scores (bounded to 0.05..5)."""
    import numpy as np
    from scipy.optimize import minimize_scalar

    from models.themes.model import _softmax

    index = {c: i for i, c in enumerate(oof.classes)}
    y = np.array([index[t] for t in oof.truth])
    rows = np.arange(len(y))

    def loss(t: float) -> float:
        return float(-np.log(_softmax(oof.logits / t)[rows, y] + 1e-12).mean())

    return round(float(minimize_scalar(loss, bounds=(0.05, 5.0), method="bounded").x), 3)


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


def score_out_of_fold(taxonomy: Taxonomy, oof: OutOfFold, *, temperature: float,
                      threshold: float) -> ThemeEvaluation:
    from models.themes.model import _softmax

    probs = _softmax(oof.logits / temperature)
    predicted = [oof.classes[i] for i in probs.argmax(axis=1)]
    return _score("cross-validation", oof.folds, taxonomy.ids, oof.truth, predicted,
                  [float(p) for p in probs.max(axis=1)], threshold, temperature)


def confidence_and_wrong(oof: OutOfFold, temperature: float) -> tuple[list[float], list[bool]]:
    """The top theme's probability of each out-of-fold sample under `temperature`, and whether it is wrong."""
    from models.themes.model import _softmax

    probs = _softmax(oof.logits / temperature)
    predicted = [oof.classes[i] for i in probs.argmax(axis=1)]
    return [float(p) for p in probs.max(axis=1)], [p != t for p, t in zip(predicted, oof.truth)]


def evaluate(taxonomy: Taxonomy, samples: Sequence[LabelledText], folds: int = 5, *,
             threshold: float | None = None, stem: bool = False, seed: int = 0,
             temperature: float | None = None) -> ThemeEvaluation:
    """Stratified k-fold cross-validation of the classifier on labelled samples (the lexicon is always in training).

    Without `temperature` it is fitted on the out-of-fold scores, and without `threshold` the review
    threshold is chosen from them, as `kipp themes train` does (one scalar each, fitted on the very scores
    it is then measured on: the held-out sets are the honest check).
    """
    oof = out_of_fold(taxonomy, samples, folds, stem=stem, seed=seed)
    if temperature is None:
        temperature = fit_temperature(oof)
    if threshold is None:
        threshold = choose_threshold(*confidence_and_wrong(oof, temperature))
    return score_out_of_fold(taxonomy, oof, temperature=temperature, threshold=threshold)


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
