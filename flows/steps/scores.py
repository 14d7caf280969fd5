"""The scores step: the judges' scores the ledger holds (`kipp scores import`) and their ranking, put in
the screening so that every run's reports keep them (ranking.html, ranking.xlsx, screening.json)."""

from __future__ import annotations

from dataclasses import replace

from flows.scores import load_scoring, participants_of
from flows.steps.context import Run
from flows.steps.guard import step_failed


def scores(run: Run) -> None:
    try:
        scoring = load_scoring(run.ledger, participants_of(run.screening))
    except Exception as exc:  # noqa: BLE001 - one step never stops the run
        run.screening = step_failed(run.screening, "scores", exc)
        return
    run.screening = replace(run.screening, scoring=scoring)
