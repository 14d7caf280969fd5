"""The intake flow: the step list of flows/steps, run and observed by Prefect.

Cheap steps run inline in the flow; the heavy ones (extract, themes, duplicates, report) are
tasks, so Prefect shows their runs, times and failures. The run context is handed to each task
as it is (no cache policy: nothing is hashed or persisted); tasks called directly run in the flow's
thread, where the run's ledger was opened. It is handed `quote`d: Prefect otherwise walks every
parameter twice per task (looking for upstream futures and states to resolve and to record as task
inputs), and the context holds every inbox item, outcome and text: 5 s of a 323-participant run went
to that walk, growing with the edition; the context never holds a future, so nothing is lost.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from flows.batches import BATCH_SIZE, SpreadOptions, spread_over
from flows.lock import OutputLock
from flows.steps import STEPS, RunConfig, RunResult, Step, open_run, run_step
from flows.steps.context import PanelFiles
from flows.steps.extract import spread_extraction
from models.settings import Settings

_TASKS = {
    step.name: task(run_step, name=step.task, cache_policy=NO_CACHE, retries=step.retries,
                    retry_delay_seconds=[1, 5][:step.retries] or None)
    for step in STEPS if step.task
}


def _run(step: Step, run) -> None:
    if step.name in _TASKS:
        _TASKS[step.name](quote(run), step)
    else:
        run_step(run, step)


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None


def _prefect_mode() -> str:
    """Where this flow run is recorded: a Prefect server's API, or the embedded ephemeral one."""
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value() or "ephemeral"


class Returned:
    """A run's RunResult as the flow returns it: an object Prefect does not look into. Prefect walks a
    flow's return value (dataclasses and collections, every field) for futures and states to resolve,
    and the RunResult holds the whole screening: ~2 s of a no-op rerun at 3,000 participants went to
    that walk. It never holds a future. The CLI takes `.result`; the flow run's state stays in memory."""

    __slots__ = ("result",)

    def __init__(self, result: RunResult) -> None:
        self.result = result

    def __repr__(self) -> str:
        return f"Returned({self.result.files_seen} files seen, {self.result.files_extracted} extracted)"


def _steps(config: RunConfig) -> Returned:
    with open_run(config) as run:
        run.ledger.set_meta("last_run_prefect", _prefect_mode())
        for step in STEPS:
            _run(step, run)
        result = run.result()
    get_run_logger().info("%d files seen, %d extracted", result.files_seen, result.files_extracted)
    return Returned(result)


def _config(inbox: str, roster: str, out: str, edition: str, settle_seconds: float | None, prior: str | None,
            judges: str | None, conflicts: str | None, criteria: str | None, per_proposal: int | None,
            handoff: bool) -> RunConfig:
    settings = Settings.from_env()
    if settle_seconds is not None:
        settings = replace(settings, settle_seconds=settle_seconds)
    panel = PanelFiles(_path(judges), _path(conflicts), _path(criteria), per_proposal)
    return RunConfig(Path(inbox), Path(roster), Path(out), edition, settings, _path(prior), panel, handoff)


@flow(name="kipp-intake", log_prints=False)
def intake_flow(
    inbox: str, roster: str, out: str, edition: str, settle_seconds: float | None = None, prior: str | None = None,
    judges: str | None = None, conflicts: str | None = None, criteria: str | None = None,
    per_proposal: int | None = None,
) -> Returned:
    """Screen everything new in the inbox once and rewrite the reports; with a panel of judges, a
    preview of who judges what."""
    return _steps(_config(inbox, roster, out, edition, settle_seconds, prior, judges, conflicts, criteria,
                          per_proposal, handoff=False))


@flow(name="kipp-handoff", log_prints=False)
def handoff_flow(
    inbox: str, roster: str, out: str, edition: str, settle_seconds: float | None = None, prior: str | None = None,
    judges: str | None = None, conflicts: str | None = None, criteria: str | None = None,
    per_proposal: int | None = None,
) -> Returned:
    """The intake run, then the hand-off: freeze the assignment and write one packet per judge."""
    return _steps(_config(inbox, roster, out, edition, settle_seconds, prior, judges, conflicts, criteria,
                          per_proposal, handoff=True))


@flow(name="kipp-intake-cluster", log_prints=False)
def cluster_flow(
    inbox: str, roster: str, out: str, edition: str, batch_size: int = BATCH_SIZE, settle_seconds: float | None = None,
    prior: str | None = None, judges: str | None = None, conflicts: str | None = None, criteria: str | None = None,
    per_proposal: int | None = None,
) -> None:
    """The intake run as the cluster's deployment (flows/cluster.py): the files to read are cut into batches of
    `batch_size` that the extract pool's workers read (flows/batches.py); the rest runs here, as in kipp run.
    It takes the output folder's writer lock itself, since no kipp command around it holds it."""
    config = _config(inbox, roster, out, edition, settle_seconds, prior, judges, conflicts, criteria, per_proposal,
                     handoff=False)
    with OutputLock(config.out, "cluster run"):
        token = spread_extraction.set(spread_over(config.out, SpreadOptions(batch_size=batch_size), get_run_logger()))
        try:
            _steps(config)
        finally:
            spread_extraction.reset(token)
