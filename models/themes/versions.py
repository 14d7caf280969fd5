"""Model versions of an output folder: every model that was ever in use is kept, numbered, so that an
admin can return to one (`kipp themes rollback`) after a deliberate `kipp themes train`.

The model a run uses is `<state>/theme_model.pickle` (and its `.json` sidecar); its versions are
`<state>/theme-models/NNNN.pickle` beside it. A retrain never happens behind an admin's back: a run
trains only when there is no usable model (first run, another scikit-learn, another taxonomy or seed);
corrections become training data only at `kipp themes train`.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from models.records import ThemeAssignment
from models.themes.features import ThemeInput


class _Model(Protocol):
    """What this module needs of a ThemeClassifier (model.py imports this module, not the other way)."""

    version: int | None

    def save(self, path: Path) -> None: ...

    def predict(self, inputs: Sequence[ThemeInput]) -> list[ThemeAssignment]: ...


# Models are a few MB each; the oldest beyond this are removed (never the one in use).
VERSIONS_KEPT = 10


def sidecar_path(model_path: Path) -> Path:
    """The JSON beside a saved model: its format, taxonomy, samples, metrics and version."""
    return Path(model_path).with_name(Path(model_path).name + ".json")


def versions_dir(model_path: Path) -> Path:
    return Path(model_path).parent / "theme-models"


def version_path(model_path: Path, number: int) -> Path:
    """Where version `number` is kept (load it with ThemeClassifier.load, which checks it)."""
    return versions_dir(model_path) / f"{number:04d}.pickle"


@dataclass(frozen=True, slots=True)
class ModelVersion:
    number: int
    path: Path
    sidecar: dict
    active: bool


def list_versions(model_path: Path) -> list[ModelVersion]:
    """The kept versions, oldest first; `active` marks the one in use."""
    active = active_version(model_path)
    out = []
    folder = versions_dir(model_path)
    for path in sorted(folder.glob("[0-9][0-9][0-9][0-9].pickle")) if folder.is_dir() else ():
        try:
            sidecar = json.loads(sidecar_path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            sidecar = {}
        number = int(path.stem)
        out.append(ModelVersion(number, path, sidecar, number == active))
    return out


def active_version(model_path: Path) -> int | None:
    """The version number of the model in use, None when there is none or it predates versions."""
    try:
        value = json.loads(sidecar_path(model_path).read_text(encoding="utf-8")).get("version")
    except (OSError, ValueError, AttributeError):
        return None
    return value if isinstance(value, int) else None


def keep(clf: _Model, model_path: Path) -> int:
    """Save `clf` as a new version and put it in use; the version it replaces stays to return to."""
    model_path = Path(model_path)
    kept = list_versions(model_path)
    number = max((v.number for v in kept), default=0) + 1
    clf.version = number
    clf.save(version_path(model_path, number))
    _activate_file(version_path(model_path, number), model_path)
    for old in kept[:max(0, len(kept) + 1 - VERSIONS_KEPT)]:
        if not old.active:
            old.path.unlink(missing_ok=True)
            sidecar_path(old.path).unlink(missing_ok=True)
    return number


def _activate_file(source: Path, model_path: Path) -> None:
    """Copy a version in place of the model in use, the pickle first (a sidecar never outlives its pickle)."""
    for src, dst in ((source, model_path), (sidecar_path(source), sidecar_path(model_path))):
        tmp = dst.with_name(dst.name + ".part")
        shutil.copyfile(src, tmp)
        tmp.replace(dst)


def activate(model_path: Path, number: int) -> None:
    _activate_file(version_path(model_path, number), model_path)


@dataclass(frozen=True, slots=True)
class ThemeChange:
    participant_id: str
    before: ThemeAssignment | None  # None: no model before
    after: ThemeAssignment


def changes(before: _Model | None, after: _Model, inputs: Sequence[ThemeInput],
            corrections: Mapping[str, str]) -> list[ThemeChange]:
    """Participants whose theme or review flag would differ under `after`; a corrected one never does."""
    inputs = [i for i in inputs if i.participant_id not in corrections]
    new = after.predict(inputs)
    old = before.predict(inputs) if before is not None else [None] * len(new)
    return [ThemeChange(a.participant_id, b, a) for b, a in zip(old, new)
            if b is None or (b.theme, b.needs_review) != (a.theme, a.needs_review)]
