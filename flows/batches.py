"""Extraction spread over workers: the files of a run, cut into batches that any worker of a work pool may read.

The cluster's intake run (flows/intake.py, `cluster_flow`) cuts the files it has to read into batches and
starts each as a flow run of the `kipp-extract-batch/kipp` deployment (`run_deployment(..., timeout=0)`);
whichever worker of the extract pool is free takes it, reads its files in its own sandboxed processes
(extract_many, OCR included) and saves each result to the ledger as it is read. The run waits until every
batch is done; decisions, themes, duplicates, hand-off and reports are its own steps after that.

A batch whose worker died (SIGKILL, a machine gone) never finishes by itself: its flow run stays Running
on the server. The run sees it two ways, on its own clock (no clock of another machine is trusted):

- fast: a batch labels its flow run with its worker's name (`kipp.worker`), and every worker sends the
  server a heartbeat (PREFECT_WORKER_HEARTBEAT_SECONDS; `kipp cluster worker` sets 5 s). A worker whose
  heartbeat has not changed for BEATS intervals is dead, and so are its batches. A batch a worker took
  but that never started under its name within CLAIM_SECONDS is lost too (the worker died in between).
- slow, whatever the worker says: a running batch that saved nothing for longer than a file may take
  (the extraction time limit plus a worker's start and a margin) is lost; a worker restarted under the
  same name, whose old batch died with it, is caught here.

A lost batch is marked Crashed on the server, and what it had not saved is sent again as a new batch
(once); after that, or when no worker of the pool is alive, the run reads it itself. Nothing is counted
twice: the ledger keeps one result per sha256, a batch skips what another saved meanwhile, and a batch
taken for lost while it still runs only saves again what it would have saved.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from prefect import flow

from flows.steps.context import OutputPaths
from flows.steps.extract import Job, Progress, Spread, save_extractions
from models.errors import KippError
from models.language import say
from models.ledger import Ledger, open_ledger
from models.settings import Limits, Settings

BATCH_FLOW = "kipp-extract-batch"
DEPLOYMENT_NAME = "kipp"  # the cluster's deployments: kipp-extract-batch/kipp and kipp-intake-cluster/kipp
BATCH_DEPLOYMENT = f"{BATCH_FLOW}/{DEPLOYMENT_NAME}"
WORKER_LABEL = "kipp.worker"
BATCH_SIZE = 25  # files per batch: a batch costs a worker ~5-10 s to start, so it should hold a minute of work
BEATS = 4  # heartbeat intervals without a new heartbeat after which a worker is dead
CLAIM_SECONDS = 120.0  # from taken by a worker (Pending) to running under its name; a busy machine needs ~20 s
STALL_MARGIN = 120.0  # a running batch may save nothing for its file time limit plus this (a worker's start, a slow disk)
ATTEMPTS = 2  # sends of one batch's files; then the run reads what is left itself
POLL_SECONDS = 2.0
_RUNNING = ("PENDING", "RUNNING")
_ENDED = ("COMPLETED", "FAILED", "CRASHED", "CANCELLED", "CANCELLING")


@dataclass(frozen=True, slots=True)
class SpreadOptions:
    batch_size: int = BATCH_SIZE
    deployment: str = BATCH_DEPLOYMENT
    poll_seconds: float = POLL_SECONDS
    claim_seconds: float = CLAIM_SECONDS
    beats: int = BEATS
    attempts: int = ATTEMPTS
    stall_seconds: float | None = None  # None: the file time limit plus STALL_MARGIN

    def stall(self, limits: Limits) -> float:
        return self.stall_seconds if self.stall_seconds is not None else limits.seconds + STALL_MARGIN


def cut(shas: Sequence[str], size: int) -> list[tuple[str, ...]]:
    """Batches of at most `size`, dealt out in turn: the files of one folder (one sender's scans, say) tend
    to be alike, so dealing them out evens the batches' work."""
    count = max(1, math.ceil(len(shas) / size))
    return [tuple(shas[i::count]) for i in range(count) if shas[i::count]]


class Heartbeats:
    """When each worker of the pool last showed a new heartbeat, on this process's clock: the server's
    timestamps are only compared with themselves, so no clock of another machine is trusted."""

    def __init__(self, beats: int, now: float) -> None:
        self._beats = beats
        self._seen: dict[str, tuple[Any, float, float]] = {}  # name -> (its last heartbeat, seen to change at, interval)
        self._any_alive_at = now

    def update(self, workers: Iterable[tuple[str, Any, float | None]], now: float) -> None:
        """workers: (name, last heartbeat time, heartbeat interval in seconds) as the server lists them."""
        for name, last, interval in workers:
            old = self._seen.get(name)
            if old is None or old[0] != last:
                self._seen[name] = (last, now, float(interval or 30))
        if any(self.alive(name, now) for name in self._seen):
            self._any_alive_at = now

    def alive(self, name: str, now: float) -> bool:
        seen = self._seen.get(name)
        return seen is not None and now - seen[1] <= self._beats * seen[2]

    def none_alive_for(self, now: float) -> float:
        """Seconds since some worker of the pool was last alive (0 while one is)."""
        return now - self._any_alive_at


class Fate(StrEnum):
    WAITING = "waiting"
    DONE = "done"
    LOST = "lost"


@dataclass(slots=True)
class Batch:
    """One send of some files, as this run last saw its flow run."""

    number: int
    shas: tuple[str, ...]
    attempt: int
    run_id: Any  # the flow run's UUID
    seen_at: float  # when this run sent it (this process's clock)
    state: str = "SCHEDULED"  # its flow run's state type, as last read
    state_since: float = 0.0
    worker: str | None = None
    saved: int = 0
    saved_at: float = 0.0

    def observe(self, state: str | None, worker: str | None, left: set[str], now: float) -> None:
        """Take in what the server says of its flow run (None: the run is gone) and what the ledger holds."""
        state = state or "CANCELLED"
        if state != self.state:
            self.state, self.state_since = state, now
        self.worker = worker or self.worker
        saved = sum(1 for sha in self.shas if sha not in left)
        if saved != self.saved:
            self.saved, self.saved_at = saved, now

    def fate(self, now: float, beats: Heartbeats, options: SpreadOptions, stall: float) -> tuple[Fate, str]:
        """Done, still on its way, or lost (with why, for the log)."""
        if self.state == "COMPLETED":
            return Fate.DONE, ""
        if self.state in _ENDED:
            return Fate.LOST, f"its flow run ended {self.state}"
        if self.state in _RUNNING:
            if self.worker is not None and not beats.alive(self.worker, now):
                return Fate.LOST, f"worker {self.worker} sent no heartbeat for {options.beats} intervals"
            if self.worker is None and now - self.state_since > options.claim_seconds:
                return Fate.LOST, f"taken by a worker but not started within {options.claim_seconds:.0f} s"
            if now - max(self.saved_at, self.state_since) > stall:
                return Fate.LOST, f"nothing saved for {stall:.0f} s"
            return Fate.WAITING, ""
        if beats.none_alive_for(now) > options.claim_seconds:
            return Fate.LOST, f"no worker of the pool alive for {options.claim_seconds:.0f} s"
        return Fate.WAITING, ""


@dataclass(slots=True)
class _Spreader:
    """One run's batches: sent, watched, and sent again or read here when lost."""

    out: Path
    options: SpreadOptions
    log: Any  # a logger
    ledger: Ledger
    jobs: Mapping[str, Job]
    settings: Settings
    limits_key: str | None
    progress: Progress
    client: Any  # Prefect's sync client
    pool: str = ""
    outstanding: dict[Any, Batch] = field(default_factory=dict)

    def run(self) -> None:
        from prefect.exceptions import ObjectNotFound

        try:
            self.pool = self.client.read_deployment_by_name(self.options.deployment).work_pool_name
        except ObjectNotFound:
            raise KippError(say(f"deployment {self.options.deployment} tidak ada di server Prefect; jalankan "
                                "`kipp cluster deploy` dulu",
                                f"the deployment {self.options.deployment} is not on the Prefect server; run "
                                "`kipp cluster deploy` first")) from None
        shas = list(self.jobs)
        for number, batch in enumerate(cut(shas, self.options.batch_size), start=1):
            self._send(number, batch, attempt=1)
        self.log.info("%d files in %d batches on the work pool %s", len(shas), len(self.outstanding), self.pool)
        beats, stall = Heartbeats(self.options.beats, time.monotonic()), self.options.stall(self.settings.limits)
        while self.outstanding:
            time.sleep(self.options.poll_seconds)
            now = time.monotonic()
            left = self.ledger.missing_extractions(shas, self.limits_key)
            runs = self._runs()
            beats.update(((w.name, w.last_heartbeat_time, w.heartbeat_interval_seconds)
                          for w in self.client.read_workers_for_work_pool(self.pool)), now)
            for run_id, batch in list(self.outstanding.items()):
                run = runs.get(run_id)
                batch.observe(run.state_type.value if run and run.state_type else None,
                              run.labels.get(WORKER_LABEL) if run else None, left, now)
                fate, why = batch.fate(now, beats, self.options, stall)
                if fate is not Fate.WAITING:
                    del self.outstanding[run_id]
                if fate is Fate.LOST:
                    self._lost(batch, why, [sha for sha in batch.shas if sha in left], beats, now)
            self.progress(len(shas) - len(left), len(shas))

    def _send(self, number: int, shas: Sequence[str], attempt: int) -> None:
        from prefect.deployments import run_deployment

        root = self.jobs[shas[0]][2]
        parameters = {"out": str(self.out), "root": str(root),
                      "files": [[str(self.jobs[sha][0]), sha] for sha in shas],
                      "limits": asdict(self.settings.limits), "keyed": self.limits_key is not None}
        run = run_deployment(self.options.deployment, parameters=parameters, timeout=0,
                             flow_run_name=f"batch-{number:03d}-send-{attempt}")
        now = time.monotonic()
        self.outstanding[run.id] = Batch(number, tuple(shas), attempt, run.id, now, state_since=now, saved_at=now)

    def _runs(self) -> dict[Any, Any]:
        from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

        found = self.client.read_flow_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=list(self.outstanding))))
        return {run.id: run for run in found}

    def _lost(self, batch: Batch, why: str, remaining: list[str], beats: Heartbeats, now: float) -> None:
        from prefect.states import Crashed

        if batch.state not in _ENDED:
            self.client.set_flow_run_state(batch.run_id, Crashed(message=f"kipp: lost, {why}"), force=True)
        self.log.warning("batch %d (send %d): lost, %s; %d of its %d files left", batch.number, batch.attempt, why,
                         len(remaining), len(batch.shas))
        if not remaining:
            return
        if batch.attempt < self.options.attempts and beats.none_alive_for(now) <= self.options.claim_seconds:
            self._send(batch.number, remaining, batch.attempt + 1)
        else:
            self.log.warning("batch %d: its %d files are read by this run itself", batch.number, len(remaining))
            save_extractions(self.ledger, {sha: self.jobs[sha] for sha in remaining}, self.settings, self.limits_key)


def spread_over(out: Path, options: SpreadOptions, log: Any) -> Spread:
    """The extract step's Spread (flows/steps/extract.py) for a run writing to `out`: batches of
    `options.batch_size` files on the workers of `options.deployment`'s pool."""

    def spread(ledger: Ledger, jobs: Mapping[str, Job], settings: Settings, limits_key: str | None,
               progress: Progress) -> None:
        from prefect.client.orchestration import get_client

        with get_client(sync_client=True) as client:
            _Spreader(out, options, log, ledger, jobs, settings, limits_key, progress, client).run()

    return spread


def _label_worker() -> None:
    """Put the worker's name on this flow run, for the run that waits on it (see the module's docstring)."""
    from prefect.client.orchestration import get_client
    from prefect.runtime import flow_run

    name = os.environ.get("PREFECT__WORKER_NAME")
    if name and flow_run.id:
        with get_client(sync_client=True) as client:
            client.update_flow_run_labels(flow_run.id, {WORKER_LABEL: name})


@flow(name=BATCH_FLOW, log_prints=False)
def extract_batch_flow(out: str, root: str, files: list[list[str]], limits: dict, keyed: bool) -> int:
    """Read a batch of files (path under `root`, sha256) and save each result to the ledger of `out` as it is
    read, under the run's limits; what another batch saved meanwhile is skipped. Returns how many it read."""
    _label_worker()
    settings = replace(Settings.from_env(), limits=Limits(**limits))
    key = settings.limits.key() if keyed else None
    with open_ledger(OutputPaths(Path(out)).ledger, settings) as ledger:  # as open_run opens it
        pending = ledger.missing_extractions((sha for _, sha in files), key)
        jobs = {sha: (Path(path), sha, Path(root)) for path, sha in files if sha in pending}
        save_extractions(ledger, jobs, settings, key)
    return len(jobs)
