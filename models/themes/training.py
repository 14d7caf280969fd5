"""`kipp themes train`: rebuild the model on purpose, calibrate and measure it, and keep it as a new version."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from models.themes.evaluation import (
    HeldOutProposal,
    choose_threshold,
    confidence_and_wrong,
    evaluate_held_out,
    fit_temperature,
    out_of_fold,
    score_out_of_fold,
)
from models.themes.features import LabelledText
from models.themes.model import REVIEW_THRESHOLD, TEMPERATURE, ThemeClassifier
from models.themes.samples import _fingerprint, seed_samples
from models.themes.taxonomy import DEFAULT_THEME_IDS, Taxonomy, ThemeError
from models.themes.versions import keep


def train(taxonomy: Taxonomy, model_path: Path, samples: Sequence[LabelledText] | None = None,
          folds: int = 5, held_out: Sequence[HeldOutProposal] = (), *,
          corrections: Sequence[LabelledText] = (), save: bool = True) -> ThemeClassifier:
    """A model of `samples` (default: the seed) plus admins' `corrections`, measured; kept when `save`.

    Cross-validation gives every sample an out-of-fold score: the temperature is fitted on them and the
    needs-review threshold chosen from them (models.themes.evaluation.choose_threshold). With too few
    samples to cross-validate (a new taxonomy), the defaults stay and the metrics say so.
    `held_out` proposals (the caller's, see evaluate_held_out) add held-out metrics for the default themes.
    A saved model becomes a new version (models/themes/versions.py); the one it replaces stays.
    """
    base = list(seed_samples(taxonomy) if samples is None else samples)
    corrections = list(corrections)
    rows = base + corrections
    metrics: dict = {}
    temperature, threshold = TEMPERATURE, REVIEW_THRESHOLD
    try:
        oof = out_of_fold(taxonomy, rows, folds=folds) if rows else None
    except ThemeError:
        oof = None
    if oof is not None:
        temperature = fit_temperature(oof)
        threshold = choose_threshold(*confidence_and_wrong(oof, temperature))
        ev = score_out_of_fold(taxonomy, oof, temperature=temperature, threshold=threshold)
        metrics = {"cv_folds": ev.folds, "cv_accuracy": round(ev.accuracy, 4), "cv_macro_f1": round(ev.macro_f1, 4),
                   "cv_calibration_error": round(ev.calibration_error, 4), "temperature": temperature,
                   "review_threshold": threshold, "cv_review_precision": _r(ev.review_precision),
                   "cv_review_recall": _r(ev.review_recall), "cv_flagged_share": round(ev.n_flagged / ev.n_samples, 4)}
    else:
        metrics = {"cv_skipped": "fewer than two labelled samples of some theme"}
    clf = ThemeClassifier.train(taxonomy, rows, threshold=threshold, temperature=temperature)
    clf.base_fingerprint = _fingerprint(taxonomy, base, clf.features.stem)
    clf.corrected = len(corrections)
    if held_out and set(DEFAULT_THEME_IDS) <= set(taxonomy.ids):
        held = evaluate_held_out(taxonomy, held_out, classifier=clf)
        metrics.update(held_out_accuracy=round(held.accuracy, 4), held_out_macro_f1=round(held.macro_f1, 4),
                       held_out_calibration_error=round(held.calibration_error, 4),
                       held_out_review_precision=_r(held.review_precision),
                       held_out_review_recall=_r(held.review_recall))
    clf.metrics = metrics
    if save:
        keep(clf, model_path)
    return clf


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
