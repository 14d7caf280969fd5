"""`kipp themes train`: rebuild the model, measure it, save it with its metrics."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from models.themes.evaluation import HeldOutProposal, evaluate, evaluate_held_out
from models.themes.features import LabelledText
from models.themes.model import ThemeClassifier
from models.themes.samples import seed_samples
from models.themes.taxonomy import DEFAULT_THEME_IDS, Taxonomy


def train(taxonomy: Taxonomy, model_path: Path, samples: Sequence[LabelledText] | None = None,
          folds: int = 5, held_out: Sequence[HeldOutProposal] = ()) -> ThemeClassifier:
    """Rebuild the model from `samples` (default: the seed), record its cross-validated metrics, save it.

    `held_out` proposals (the caller's, see evaluate_held_out) add held-out metrics for the default themes.
    """
    samples = list(seed_samples(taxonomy) if samples is None else samples)
    metrics: dict = {}
    if samples:
        ev = evaluate(taxonomy, samples, folds=folds)
        metrics = {"cv_folds": ev.folds, "cv_accuracy": round(ev.accuracy, 4), "cv_macro_f1": round(ev.macro_f1, 4)}
    clf = ThemeClassifier.train(taxonomy, samples)
    if held_out and set(DEFAULT_THEME_IDS) <= set(taxonomy.ids):
        held = evaluate_held_out(taxonomy, held_out, classifier=clf)
        metrics.update(held_out_accuracy=round(held.accuracy, 4), held_out_macro_f1=round(held.macro_f1, 4),
                       held_out_review_precision=held.review_precision, held_out_review_recall=held.review_recall)
    clf.metrics = metrics
    clf.save(model_path)
    return clf
