"""The themes step: the theme of every participant's Inovasi proposal; an admin's correction wins."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import replace

from flows.steps.context import Run
from flows.steps.guard import set_aside, step_failed
from models import (
    themes as classifier,  # looked up at call time, so tests can inject a fault there
)
from models.ledger import Ledger, StoredExtraction
from models.records import Category
from models.themes import ThemeError, ThemeInput


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
    try:
        assigned = classifier.classify(inputs, taxonomy, run.paths.theme_model, run.ledger.theme_corrections(),
                                       cache=cache, digests=digests)
    except ThemeError:
        raise  # the taxonomy or the corrections are wrong: the user's to fix, said in one line
    except Exception as exc:  # noqa: BLE001
        run.screening = step_failed(screening, "themes", exc)
        return
    kept = json.dumps(cache, separators=(",", ":"))
    if kept != run.ledger.meta(THEME_CACHE):  # a run with nothing new writes nothing
        run.ledger.set_meta(THEME_CACHE, kept)
    assigned_by = {a.participant_id: a for a in assigned}
    participants = tuple(replace(r, theme=assigned_by.get(r.participant.id)) for r in screening.participants)
    run.screening = replace(screening, participants=participants)
