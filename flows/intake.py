"""The intake flow: the step list of flows/steps, run and observed by Prefect.

Cheap steps run inline in the flow; the heavy ones (extract, themes, duplicates, report) are
tasks, so Prefect shows their runs, times and failures. The run context is handed to each task
as it is (no cache policy: nothing is hashed or persisted); tasks called directly run in the flow's
thread, where the run's ledger was opened.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.steps import STEPS, RunConfig, RunResult, Step, open_run, run_step
from models.settings import Settings

_TASKS = {
    step.name: task(run_step, name=step.task, cache_policy=NO_CACHE, retries=step.retries,
                    retry_delay_seconds=[1, 5][:step.retries] or None)
    for step in STEPS if step.task
}


def _run(step: Step, run) -> None:
    if step.name in _TASKS:
        _TASKS[step.name](run, step)
    else:
        run_step(run, step)


@flow(name="kipp-intake", log_prints=False)
def intake_flow(
    inbox: str, roster: str, out: str, edition: str, settle_seconds: float | None = None, prior: str | None = None
) -> RunResult:
    """Screen everything new in the inbox once and rewrite the reports."""
    settings = Settings.from_env()
    if settle_seconds is not None:
        settings = replace(settings, settle_seconds=settle_seconds)
    config = RunConfig(Path(inbox), Path(roster), Path(out), edition, settings, Path(prior) if prior else None)
    with open_run(config) as run:
        for step in STEPS:
            _run(step, run)
        result = run.result()
    get_run_logger().info("%d files seen, %d extracted", result.files_seen, result.files_extracted)
    return result
