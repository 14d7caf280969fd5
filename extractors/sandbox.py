"""Extraction in worker processes with a time and a memory limit, replaced when one dies.

One hostile file can hang a parser (a PDF whose object graph loops), exhaust memory (a bomb) or
crash a C extension. Each worker is a separate process with an address-space limit; the parent
gives it one file at a time, kills it when the file takes longer than the time limit, and starts
a new worker in its place. The file gets a reason code; the run goes on.
"""

from __future__ import annotations

import multiprocessing
import os
import time
import traceback
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path

from extractors.limits import Limits
from models.errors import ExtractionError, KippError
from models.records import Extraction, Reason

Result = Extraction | tuple[Reason, str]
STARTUP_GRACE = 60.0  # a cold spawn imports pypdf and python-docx; a loaded machine is slow


def extract_one(path: Path, limits: Limits) -> Result:
    """Extract a file; a failure comes back as (reason, message), never as an exception."""
    from extractors import extract

    try:
        return extract(path, limits)
    except ExtractionError as e:
        return (e.reason, str(e))
    except MemoryError:
        return (Reason.RESOURCE_LIMIT, f"membaca berkas melampaui batas memori {limits.memory_mb} MB")
    except RecursionError:
        return (Reason.CORRUPT_PDF, "struktur berkas bersarang terlalu dalam")
    except Exception as e:  # a bug or a library failing on odd input: keep the trace for a developer
        return (Reason.EXTRACTION_ERROR, f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=5)}")


def _worker_main(conn: Connection, limits: Limits) -> None:
    import resource
    import signal

    # Ctrl-C reaches the whole process group; the parent decides when workers stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    limit = limits.memory_mb * (1 << 20)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    # Preload the libraries so that the time limit measures reading, not importing.
    import docx  # noqa: F401
    import pypdf  # noqa: F401

    conn.send(("ready", None))
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        key, path = job
        conn.send((key, extract_one(Path(path), limits)))


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    ready: bool = False
    job: tuple[str, Path] | None = None
    deadline: float = 0.0
    started: float = field(default_factory=time.monotonic)


class SandboxPool:
    """A fixed number of extraction workers; use as a context manager."""

    def __init__(self, workers: int, limits: Limits | None = None):
        self.size = max(1, workers)
        self.limits = limits or Limits()
        # spawn, not fork: the caller runs Prefect's threads, and forking a threaded process can hang.
        self._ctx = multiprocessing.get_context("spawn")
        self._workers: list[_Worker] = []
        self.restarts = 0
        self._failed_starts = 0

    def __enter__(self) -> SandboxPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(target=_worker_main, args=(child, self.limits), daemon=True)
        process.start()
        child.close()
        return _Worker(process, parent)

    def _replace(self, worker: _Worker) -> None:
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(timeout=5)
        worker.conn.close()
        self._workers.remove(worker)
        self.restarts += 1

    def _failed_start(self) -> None:
        self._failed_starts += 1
        if self._failed_starts >= 3:
            raise KippError(
                f"extraction workers do not start (memory limit {self.limits.memory_mb} MB too low? "
                "raise KIPP_EXTRACT_MEMORY_MB)"
            )

    def close(self) -> None:
        for worker in self._workers:
            try:
                worker.conn.send(None)
            except (BrokenPipeError, OSError):
                pass
        for worker in self._workers:
            worker.process.join(timeout=2)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.conn.close()
        self._workers.clear()

    def run(self, jobs: dict[str, Path]) -> Iterator[tuple[str, Result]]:
        """Yield (key, result) for every job, in completion order."""
        queue = deque(jobs.items())
        while queue or any(w.job for w in self._workers):
            while len(self._workers) < min(self.size, len(queue) + sum(1 for w in self._workers if w.job)):
                self._workers.append(self._start())
            for worker in self._workers:
                if worker.ready and worker.job is None and queue:
                    worker.job = queue.popleft()
                    worker.deadline = time.monotonic() + self.limits.seconds
                    worker.conn.send((worker.job[0], str(worker.job[1])))
            now = time.monotonic()
            deadlines = [w.deadline for w in self._workers if w.job] + [
                w.started + STARTUP_GRACE for w in self._workers if not w.ready
            ]
            timeout = max(0.0, min(deadlines) - now) if deadlines else None
            waitables = [w.conn for w in self._workers] + [w.process.sentinel for w in self._workers]
            ready = set(wait(waitables, timeout=timeout))
            for worker in list(self._workers):
                yield from self._collect(worker, ready)

    def _collect(self, worker: _Worker, ready: set) -> Iterator[tuple[str, Result]]:
        now = time.monotonic()
        if worker.conn in ready:
            try:
                key, result = worker.conn.recv()
            except (EOFError, OSError):
                key, result = None, None
            if key == "ready":
                worker.ready = True
                return
            if key is not None and worker.job and key == worker.job[0]:
                worker.job = None
                yield key, result
                return
        if worker.process.sentinel in ready or not worker.process.is_alive():
            job = worker.job
            worker.process.join(timeout=5)  # reap it, so that its exit code is known
            code = worker.process.exitcode
            if not worker.ready:
                self._failed_start()
            self._replace(worker)
            if job:
                yield job[0], _death_result(code, self.limits)
            return
        if worker.job and now >= worker.deadline:
            job = worker.job
            self._replace(worker)
            yield job[0], (Reason.TIMEOUT, f"membaca berkas melebihi batas waktu {self.limits.seconds:g} detik")
        elif not worker.ready and now >= worker.started + STARTUP_GRACE:
            self._replace(worker)
            self._failed_start()


def _death_result(exitcode: int | None, limits: Limits) -> tuple[Reason, str]:
    if exitcode is not None and exitcode < 0:
        signal_no = -exitcode
        if signal_no == 9:  # the kernel's OOM killer, or memory exhaustion inside a C library
            return (Reason.RESOURCE_LIMIT, f"proses pembaca dihentikan (memori, batas {limits.memory_mb} MB)")
        return (Reason.EXTRACTION_CRASHED, f"proses pembaca berhenti karena sinyal {signal_no}")
    return (Reason.EXTRACTION_CRASHED, f"proses pembaca berhenti dengan kode {exitcode}")


_kept: SandboxPool | None = None


def keep_workers(workers: int, limits: Limits) -> SandboxPool:
    """Keep one pool alive between runs in this process (a watcher runs many small batches,
    and starting a worker costs a second of imports)."""
    global _kept
    if _kept is None or _kept.size != workers or _kept.limits != limits:
        if _kept is not None:
            _kept.close()
        _kept = SandboxPool(workers, limits)
    return _kept


def release_workers() -> None:
    global _kept
    if _kept is not None:
        _kept.close()
        _kept = None


def extract_many(
    jobs: dict[str, Path], workers: int | None = None, limits: Limits | None = None, isolate: bool = True
) -> Iterator[tuple[str, Result]]:
    """Yield (key, result) for every job; isolate=False reads in this process (no limits)."""
    limits = limits or Limits.from_env()
    if not isolate:
        for key, path in jobs.items():
            yield key, extract_one(path, limits)
        return
    workers = workers or os.cpu_count() or 1
    if _kept is not None and _kept.limits == limits:
        yield from _kept.run(jobs)
        return
    with SandboxPool(min(workers, max(1, len(jobs))), limits) as pool:
        yield from pool.run(jobs)
