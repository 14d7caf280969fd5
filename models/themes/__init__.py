"""Theme of each Inovasi proposal, split by job:

- taxonomy.py: the themes (models/data/themes.json or KIPP_TAXONOMY) and the errors of this package;
- features.py: the inputs, Indonesian preprocessing, title and body, the TF-IDF features;
- samples.py: the seed set, each theme's lexicon, admins' corrections as training samples;
- model.py: the classifier (train, predict, save, load) and `classify`, what a run calls;
- evaluation.py: cross-validation and held-out scores (the held-out proposals come from the caller);
- training.py: `train`, a model rebuilt on purpose, calibrated, with its metrics (`kipp themes train`);
- versions.py: the versions of the model kept in an output folder, what a new one would change, rollback.

Every name is importable from `models.themes`; callers look `classify` and `check_input` up here at
call time, so a test may replace them on this package.
"""

from __future__ import annotations

from models.records import ThemeAssignment
from models.themes.evaluation import (
    HeldOutProposal,
    OutOfFold,
    ThemeEvaluation,
    ThemeScore,
    _calibration_error,
    _score,
    choose_threshold,
    confidence_and_wrong,
    evaluate,
    evaluate_held_out,
    fit_temperature,
    format_evaluation,
    out_of_fold,
    score_out_of_fold,
)
from models.themes.features import (
    BODY_CHARS,
    BODY_WEIGHT,
    CATEGORY_WEIGHT,
    CHAR_WEIGHT,
    LEAD_CHARS,
    STOP_WORDS,
    LabelledText,
    ThemeInput,
    _Features,
    check_input,
    compose_document,
    preprocess,
    split_document,
)
from models.themes.model import (
    REVIEW_THRESHOLD,
    TEMPERATURE,
    C,
    ThemeClassifier,
    checked_before,
    classify,
    get_classifier,
    input_digest,
    model_key,
    sidecar_path,
)
from models.themes.samples import (
    SEED_PATH,
    _check_samples,
    _fingerprint,
    correction_samples,
    lexicon_samples,
    load_corrections,
    seed_samples,
)
from models.themes.taxonomy import (
    DATA_DIR,
    DEFAULT_TAXONOMY_PATH,
    DEFAULT_THEME_IDS,
    CorrectionsError,
    CorruptModelError,
    IncompatibleModelError,
    ModelTaxonomyMismatchError,
    Taxonomy,
    TaxonomyError,
    Theme,
    ThemeError,
    ThemeModelError,
    load_taxonomy,
)
from models.themes.training import train
from models.themes.versions import (
    ModelVersion,
    ThemeChange,
    activate,
    active_version,
    changes,
    keep,
    list_versions,
    version_path,
    versions_dir,
)

__all__ = [
    "BODY_CHARS",
    "BODY_WEIGHT",
    "CATEGORY_WEIGHT",
    "CHAR_WEIGHT",
    "DATA_DIR",
    "DEFAULT_TAXONOMY_PATH",
    "DEFAULT_THEME_IDS",
    "LEAD_CHARS",
    "REVIEW_THRESHOLD",
    "SEED_PATH",
    "STOP_WORDS",
    "TEMPERATURE",
    "C",
    "CorrectionsError",
    "CorruptModelError",
    "HeldOutProposal",
    "IncompatibleModelError",
    "LabelledText",
    "ModelTaxonomyMismatchError",
    "ModelVersion",
    "OutOfFold",
    "Taxonomy",
    "TaxonomyError",
    "Theme",
    "ThemeAssignment",
    "ThemeChange",
    "ThemeClassifier",
    "ThemeError",
    "ThemeEvaluation",
    "ThemeInput",
    "ThemeModelError",
    "ThemeScore",
    "_Features",
    "_calibration_error",
    "_check_samples",
    "_fingerprint",
    "_score",
    "activate",
    "active_version",
    "changes",
    "check_input",
    "choose_threshold",
    "checked_before",
    "classify",
    "compose_document",
    "confidence_and_wrong",
    "correction_samples",
    "evaluate",
    "evaluate_held_out",
    "fit_temperature",
    "format_evaluation",
    "get_classifier",
    "input_digest",
    "model_key",
    "keep",
    "lexicon_samples",
    "list_versions",
    "load_corrections",
    "load_taxonomy",
    "out_of_fold",
    "preprocess",
    "score_out_of_fold",
    "seed_samples",
    "sidecar_path",
    "split_document",
    "train",
    "version_path",
    "versions_dir",
]
