"""`kipp themes train`: rebuild the model on purpose, calibrate and measure it, and keep it as a new version."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from models.themes.evaluation import (
    HeldOutProposal,
    calibrate,
    choose_threshold,
    cross_fitted,
    merge,
    out_of_fold,
    score,
    scores_of,
)
from models.themes.features import LabelledText
from models.themes.model import ThemeClassifier
from models.themes.samples import _fingerprint, seed_samples
from models.themes.taxonomy import DEFAULT_THEME_IDS, Taxonomy, ThemeError
from models.themes.versions import keep


def train(taxonomy: Taxonomy, model_path: Path, samples: Sequence[LabelledText] | None = None,
          folds: int = 5, calibration: Mapping[str, Sequence[HeldOutProposal]] | None = None, *,
          corrections: Sequence[LabelledText] = (), save: bool = True) -> ThemeClassifier:
    """A model of `samples` (default: the seed) plus admins' `corrections`, calibrated; kept when `save`.

    Cross-validation gives every sample an out-of-fold score; the `calibration` sets (the caller's, by
    name: generated long and terse proposals, for the default themes only) are scored by the model,
    which never learns from them. The confidence (calibration.ConfidenceModel) is fitted on the mix of
    all of them, and the needs-review threshold chosen from the mix's cross-fitted confidences
    (evaluation.choose_threshold); the metrics give each set's figures, cross-fitted too. With too few
    samples to cross-validate (a new taxonomy), the defaults stay and the metrics say so.
    A saved model becomes a new version (models/themes/versions.py); the one it replaces stays.
    """
    base = list(seed_samples(taxonomy) if samples is None else samples)
    corrections = list(corrections)
    rows = base + corrections
    clf = ThemeClassifier.train(taxonomy, rows)
    clf.base_fingerprint = _fingerprint(taxonomy, base, clf.features.stem)
    clf.corrected = len(corrections)
    try:
        oof = out_of_fold(taxonomy, rows, folds=folds) if rows else None
    except ThemeError:
        oof = None
    if oof is None:
        clf.metrics = {"cv_skipped": "fewer than two labelled samples of some theme"}
    else:
        sets = [oof]
        if calibration and set(DEFAULT_THEME_IDS) <= set(taxonomy.ids):
            sets += [scores_of(clf, list(proposals), name) for name, proposals in calibration.items()]
        measured = cross_fitted(sets)
        clf.confidence = calibrate(merge(sets))
        clf.threshold = choose_threshold([c for conf in measured for c in conf],
                                         [w for s in sets for w in s.wrong()])
        clf.metrics = {"temperature": clf.confidence.temperature, "review_threshold": clf.threshold,
                       "calibrated_on": [s.method for s in sets]}
        for s, conf in zip(sets, measured):
            ev = score(s, taxonomy, conf, clf.threshold)
            clf.metrics[s.method] = {"n": ev.n_samples, "accuracy": round(ev.accuracy, 4),
                                     "macro_f1": round(ev.macro_f1, 4), "ece": round(ev.calibration_error, 4),
                                     "review_recall": _r(ev.review_recall),
                                     "review_precision": _r(ev.review_precision),
                                     "flagged_share": round(ev.n_flagged / ev.n_samples, 4)}
    if save:
        keep(clf, model_path)
    return clf


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
