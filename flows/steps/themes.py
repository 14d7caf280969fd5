"""The themes step: the theme of every participant's Inovasi proposal; an admin's correction wins."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path

from flows.steps.context import Run
from flows.steps.guard import set_aside, step_failed
from models import (
    themes as classifier,  # looked up at call time, so tests can inject a fault there
)
from models.ledger import Ledger, StoredExtraction
from models.records import Category
from models.sources import source_digest
from models.themes import Taxonomy, ThemeError, ThemeInput, ThemeModelError

log = logging.getLogger(__name__)


def theme_input(participant_id: str, category: Category | None, stored: StoredExtraction | None) -> ThemeInput | None:
    """What the classifier reads of one proposal: the one shape a run and `kipp themes train|evaluate`
    build, so that a model trained from the command line is the one the next run reuses."""
    if stored is None or stored.extraction is None:
        return None
    return ThemeInput(participant_id, category, stored.extraction.cover, stored.extraction.text)


def correction_inputs(ledger: Ledger, corrections: Iterable[str], categories: Mapping[str, str]) -> list[ThemeInput]:
    """Each named participant's accepted Inovasi proposal, as a run reads it (the corrected ones for
    training; every participant of the last run for what a new model would change)."""
    shas = {pid: ledger.accepted_sha(pid, "inovasi") for pid in corrections}
    texts = ledger.extractions({sha for sha in shas.values() if sha}, with_text=True)
    inputs = (theme_input(pid, _category(categories.get(pid)), texts.get(sha) if sha else None) for pid, sha in shas.items())
    return [i for i in inputs if i is not None]


# The ledger's meta key of the model's predictions of the last run (models.themes.classify's cache):
# a run with nothing new neither loads the model nor classifies again. Lost with a rebuilt ledger: then
# the next run classifies every proposal once more.
THEME_CACHE = "theme_cache"


def _load_cache(ledger: Ledger) -> dict:
    try:
        cache = json.loads(ledger.meta(THEME_CACHE) or "{}")
    except ValueError:
        return {}
    return cache if isinstance(cache, dict) and isinstance(cache.get("themes", {}), dict) else {}


def _category(value: str | None) -> Category | None:
    """A category as the last screening.json wrote it; None when missing or not one of ours."""
    try:
        return Category(value) if value else None
    except ValueError:
        return None


def themes(run: Run) -> None:
    """A proposal the text steps fail on is set aside as internal_error; a classifier that fails as a
    whole leaves every theme empty and the run goes on."""
    screening = run.screening
    taxonomy = classifier.load_taxonomy(run.settings.taxonomy)
    by_path = {o.path: o for o in screening.documents}
    run.accepted_texts()  # one read of the accepted texts, for this step and the duplicates step
    texts = run.texts({by_path[r.inovasi].sha256 for r in screening.participants if r.inovasi} - {None})
    cache = _load_cache(run.ledger)
    checked = classifier.checked_before(cache)
    inputs, failed, digests = [], {}, {}
    for r in screening.participants:
        if not r.inovasi:
            continue
        sha = by_path[r.inovasi].sha256
        inp = theme_input(r.participant.id, r.participant.category, texts.get(sha) if sha else None)
        if inp is None:
            continue
        digests[inp.participant_id] = digest = classifier.input_digest(inp)
        try:
            if checked.get(inp.participant_id) != digest:  # an input that passed before passes again
                classifier.check_input(inp)
        except Exception as exc:  # noqa: BLE001 - one proposal never stops the others
            failed[r.inovasi] = exc
            continue
        inputs.append(inp)
    if failed:
        screening = set_aside(screening, failed)
    model = run.paths.theme_model
    trained_before = _file_digest(model)
    if inputs and trained_before is None:  # a new output folder: a model trained elsewhere on the same seed
        trained_before = _from_shared_cache(taxonomy, model)
    try:
        assigned = classifier.classify(inputs, taxonomy, model, run.ledger.theme_corrections(),
                                       cache=cache, digests=digests)
    except ThemeError:
        raise  # the taxonomy or the corrections are wrong: the user's to fix, said in one line
    except Exception as exc:  # noqa: BLE001
        run.screening = step_failed(screening, "themes", exc)
        return
    if _file_digest(model) not in (None, trained_before):  # this run trained it, from the seed alone
        _to_shared_cache(taxonomy, model)
    kept = json.dumps(cache, separators=(",", ":"))
    if kept != run.ledger.meta(THEME_CACHE):  # a run with nothing new writes nothing
        run.ledger.set_meta(THEME_CACHE, kept)
    assigned_by = {a.participant_id: a for a in assigned}
    participants = tuple(replace(r, theme=assigned_by.get(r.participant.id)) for r in screening.participants)
    run.screening = replace(screening, participants=participants)


# -- the model a run trains, shared between output folders ---------------------------------------------
#
# A run trains the theme model only where there is none (a new output folder), from the seed alone
# (admins' corrections are training data only at `kipp themes train`): the same model in every folder,
# 1.4 s of CPU and the better part of a cold run's theme step. So a model a run trained is kept in the
# user's cache folder too, under a key of everything it was made from (the seed's fingerprint, which
# holds the taxonomy, the samples, the vocabulary and the dropped words; the model format; scikit-learn,
# numpy, scipy and Python; the source of models/themes), and a new output folder starts from it, as
# version 1. It is checked on the way in as any saved model is (format, scikit-learn, taxonomy), and
# must be what a run trains: the seed's fingerprint, no corrections, the default confidence model and
# threshold. A model of `kipp themes train` (fitted confidence, corrections) never goes there.

THEME_CACHE_KEPT = 8  # models (~2 MB each) in the cache folder; the oldest beyond are removed


def shared_cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """`$XDG_CACHE_HOME/kipp/theme-models`, else `~/.cache/kipp/theme-models`."""
    env = os.environ if env is None else env
    base = env.get("XDG_CACHE_HOME", "").strip() or str(Path(env.get("HOME") or Path.home()) / ".cache")
    return Path(base).expanduser() / "kipp" / "theme-models"


def shared_model_key(taxonomy: Taxonomy) -> str:
    """What a model a run trains is made from (see above); another value of any part, another key."""
    from importlib.metadata import version  # not the imports themselves: seconds a cache hit saves

    seed = classifier._fingerprint(taxonomy, classifier.seed_samples(taxonomy), False)
    parts = [seed, str(classifier.ThemeClassifier.FORMAT_VERSION), sys.version.split()[0],
             *(version(name) for name in ("scikit-learn", "numpy", "scipy"))]
    code = sorted(Path(classifier.__file__).parent.glob("*.py"))
    return source_digest(code, *parts)[:32]


def _is_run_trained(clf, taxonomy: Taxonomy) -> bool:
    seed = classifier._fingerprint(taxonomy, classifier.seed_samples(taxonomy), False)
    return (clf.fingerprint == clf.base_fingerprint == seed and not clf.corrected and not clf.features.stem
            and clf.confidence == classifier.CONFIDENCE and clf.threshold == classifier.REVIEW_THRESHOLD)


def _from_shared_cache(taxonomy: Taxonomy, model: Path) -> str | None:
    """Put the cached model for this seed in use in `model` (as its version 1); its digest, or None."""
    try:
        cached = shared_cache_dir() / f"{shared_model_key(taxonomy)}.pickle"
        clf = classifier.ThemeClassifier.load(cached, taxonomy)
    except (ThemeModelError, OSError) as e:  # damaged, or of another scikit-learn after all: trained again, and replaced
        log.debug("theme model cache not used: %s", e)
        return None
    if clf is None or not _is_run_trained(clf, taxonomy):
        return None
    try:
        classifier.keep(clf, model)
    except OSError:
        return None  # the output folder's problem shows where the run writes it
    return _file_digest(model)


def _to_shared_cache(taxonomy: Taxonomy, model: Path) -> None:
    """Keep the model this run trained in the cache folder; a cache that cannot be written is no error."""
    try:
        clf = classifier.ThemeClassifier.load(model, taxonomy)
        if clf is None or not _is_run_trained(clf, taxonomy):
            return
        folder = shared_cache_dir()
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        target = folder / f"{shared_model_key(taxonomy)}.pickle"
        part = folder / f".{target.name}.{os.getpid()}.part"
        part.write_bytes(model.read_bytes())
        part.replace(target)  # whole or not at all, whoever else writes it meanwhile
        for old in sorted(folder.glob("*.pickle"), key=lambda p: p.stat().st_mtime)[:-THEME_CACHE_KEPT]:
            old.unlink(missing_ok=True)
    except (OSError, ThemeModelError) as e:
        log.debug("theme model cache not written: %s", e)


def _file_digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
