"""The intake run as one ordered list of steps, each a plain function of one `Run`:

    scan → extract → decide → themes → duplicates → judges → handoff → scores → report

`run_once` iterates the list without Prefect (tests, benchmarks, `kipp evaluate`); the Prefect flow
in flows/intake.py runs the same list, the heavy steps as tasks. A new step is one more module
here and one more entry in STEPS.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from flows.steps.context import OutputPaths, Run, RunConfig, RunResult
from flows.steps import decide, duplicates, extract, handoff, judges, report, scan, scores, themes  # one module per step
from flows.steps.check import check_inputs
from models.ledger import open_ledger

LAST_RUN = "last_run"  # the ledger's meta key of the last run's step times

__all__ = ["LAST_RUN", "STEPS", "OutputPaths", "Run", "RunConfig", "RunResult", "Step", "open_run", "run_once", "run_step"]


@dataclass(frozen=True, slots=True)
class Step:
    name: str
    run: Callable[[Run], None]
    task: str | None = None  # the Prefect task's name; None: cheap, run inline in the flow
    retries: int = 0


STEPS: tuple[Step, ...] = (
    Step("scan", scan.scan),
    Step("extract", extract.extract, task="extract-new-files"),
    Step("decide", decide.decide),
    Step("themes", themes.themes, task="classify-themes"),
    Step("duplicates", duplicates.duplicates, task="flag-duplicates"),
    Step("judges", judges.judges, task="assign-judges"),
    Step("handoff", handoff.handoff, task="write-packets"),  # `kipp handoff` only: freeze, then the packets
    Step("scores", scores.scores),  # the judges' scores back (kipp scores import) and their ranking
    Step("report", report.report, task="write-reports", retries=2),  # a report write may meet a passing disk problem
)


@contextmanager
def open_run(config: RunConfig) -> Iterator[Run]:
    """Check the inputs, parse the roster and open the ledger, once for the whole run. A run that ends
    normally leaves in the ledger when it ended and its step times (meta `last_run`: `at`, each step's
    seconds and the whole): for admins, since a rerun that finds nothing new rewrites no report, and for
    `kipp bench scale`, which runs `kipp run` as a user does and cannot see its RunResult."""
    start = time.perf_counter()
    inputs = check_inputs(config)
    with open_ledger(config.paths.ledger, config.settings) as ledger:
        run = Run(config, ledger, inputs.roster, inputs.panel)
        run.seconds["check"] = time.perf_counter() - start
        yield run
        ledger.set_meta(LAST_RUN, json.dumps({"at": datetime.now(UTC).isoformat(timespec="seconds"),
                                              "seconds": {k: round(v, 3) for k, v in run.seconds.items()},
                                              "total": round(time.perf_counter() - start, 3)}))


def run_step(run: Run, step: Step) -> None:
    start = time.perf_counter()
    step.run(run)
    run.seconds[step.name] = time.perf_counter() - start


def run_once(config: RunConfig) -> RunResult:
    """One whole intake run without Prefect: the steps of STEPS, in order."""
    with open_run(config) as run:
        for step in STEPS:
            run_step(run, step)
        return run.result()
