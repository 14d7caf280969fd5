"""Extraction in worker processes with a time and a memory limit, replaced when one dies.

One hostile file can hang a parser (a PDF whose object graph loops), exhaust memory (a bomb) or
crash a C extension. Each worker is a separate process with an address-space limit; the parent
gives it one file at a time, kills it when the file takes longer than the time limit, and starts
a new worker in its place. The file gets a reason code; the run goes on.

Nothing outlives its run. A worker leads its own process group (pdftoppm and tesseract join it)
and asks the kernel to kill it when its parent dies (PR_SET_PDEATHSIG; workers are started from
one long-lived thread, since the kernel ties that signal to the starting thread); the OCR tools
ask the same of the worker. A worker replaced at its deadline is killed with its whole group, and
its temporary folder (under the pool's own `kipp-pool-<pid>-*`) goes with it; a pool left behind
by a killed process is removed by the next pool.

Nothing unbounded comes back: a worker keeps at most `Limits.max_chars` characters of a document,
and the parent refuses any message longer than those characters can take (max_message_bytes), so
one file never costs the main process more than that.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import re
import shutil
import signal
import tempfile
import threading
import time
import traceback
from collections import deque
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path

from models.errors import ExtractionError, KippError
from models.language import say
from models.records import Extraction, Reason
from models.settings import Limits

Result = Extraction | tuple[Reason, str]
# A path; or a path and the sha256 the scan recorded for it; or those and the inbox the path is
# relative to (then read through models.inbox.open_regular: no link followed in any folder).
Job = Path | tuple[Path, str | None] | tuple[Path, str | None, Path | None]
STARTUP_GRACE = 60.0  # a cold spawn imports pypdf and python-docx; a loaded machine is slow
POOL_PREFIX = "kipp-pool-"
_POOL_DIR = re.compile(rf"{POOL_PREFIX}(\d+)-")


def max_message_bytes(limits: Limits) -> int:
    """The largest result the parent accepts: the kept characters at 4 UTF-8 bytes each, a cover,
    and 1 MB for the rest (pages, notes, a trace)."""
    from extractors import COVER_CHARS

    return 4 * (limits.max_chars + COVER_CHARS) + (1 << 20)


def extract_one(path: Path, limits: Limits, expected_sha256: str | None = None, root: Path | None = None) -> Result:
    """Extract a file; a failure comes back as (reason, message), never as an exception."""
    from extractors import extract

    try:
        return extract(path, limits, expected_sha256, root)
    except ExtractionError as e:
        return (e.reason, str(e))
    except MemoryError:
        return (Reason.RESOURCE_LIMIT, f"membaca berkas melampaui batas memori {limits.memory_mb} MB")
    except RecursionError:
        return (Reason.CORRUPT_PDF, "struktur berkas bersarang terlalu dalam")
    except Exception as e:  # a bug or a library failing on odd input: keep the trace for a developer
        return (Reason.EXTRACTION_ERROR, f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=5)}")


def _worker_main(conn: Connection, limits: Limits, parent_pid: int, pool_dir: str) -> None:
    import resource

    from extractors.ocr_extractor import die_with_parent

    die_with_parent(parent_pid)
    os.setpgid(0, 0)  # the OCR tools join this group; the pool kills the group with the worker
    # The parent decides when workers stop (a Ctrl-C sent to a whole group must not end one mid-file).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    workdir = Path(pool_dir) / f"w{os.getpid()}"
    workdir.mkdir(mode=0o700, exist_ok=True)
    tempfile.tempdir = str(workdir)
    os.environ["TMPDIR"] = str(workdir)  # the OCR tools' own temporary files, and a mark to find them by

    limit = limits.memory_mb * (1 << 20)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    # Preload the libraries so that the time limit measures reading, not importing.
    import docx  # noqa: F401
    import pypdf  # noqa: F401

    import extractors  # noqa: F401

    conn.send(("ready", None))
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        key, path, expected, root = job
        result = extract_one(Path(path), limits, expected, Path(root) if root else None)
        try:
            payload = result_payload(key, result, limits)
        except MemoryError:  # no room left to pickle it: the text goes, the reason stays
            result = None
            payload = pickle.dumps((key, _too_big(limits)))
        conn.send_bytes(payload)


def result_payload(key: str, result: Result, limits: Limits) -> bytes:
    """The message for one result; one larger than the parent accepts becomes resource_limit, so a
    result too big to send is never misfiled as a crash."""
    payload = pickle.dumps((key, result), protocol=pickle.HIGHEST_PROTOCOL)
    if len(payload) > max_message_bytes(limits):
        payload = pickle.dumps((key, _too_big(limits)))
    return payload


def _too_big(limits: Limits) -> tuple[Reason, str]:
    return (Reason.RESOURCE_LIMIT, f"hasil pembacaan terlalu besar untuk dikirim (batas memori {limits.memory_mb} MB)")


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    ready: bool = False
    job: tuple[str, Path, str | None] | None = None
    deadline: float = 0.0
    started: float = field(default_factory=time.monotonic)


# The kernel sends PR_SET_PDEATHSIG when the *thread* that started a process ends; workers are
# started from this one thread, which lives as long as the process, never from a passing task thread.
_spawner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kipp-spawner")
_spawn_lock = threading.Lock()


def remove_stale_pool_dirs(root: Path | None = None) -> list[Path]:
    """Remove the temporary folders of pools whose process is gone (killed with SIGKILL, say)."""
    root = Path(root or tempfile.gettempdir())
    removed = []
    for path in root.glob(f"{POOL_PREFIX}*"):
        m = _POOL_DIR.match(path.name)
        if not m or not path.is_dir() or path.is_symlink():
            continue
        try:
            os.kill(int(m.group(1)), 0)
            continue  # its process is alive
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


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
        self.max_message = max_message_bytes(self.limits)
        remove_stale_pool_dirs()
        self.dir = Path(tempfile.mkdtemp(prefix=f"{POOL_PREFIX}{os.getpid()}-"))

    def __enter__(self) -> SandboxPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(
            target=_worker_main, args=(child, self.limits, os.getpid(), str(self.dir)), daemon=True
        )
        with _spawn_lock:
            _spawner.submit(process.start).result()
        child.close()
        return _Worker(process, parent)

    def _kill(self, worker: _Worker) -> None:
        """Kill a worker with its process group (its OCR tools) and remove its temporary folder."""
        pid = worker.process.pid
        # A worker that ended by itself after its last job has no tools left, and its pid may be anyone's now.
        if pid is not None and worker.process.exitcode != 0:
            try:
                os.killpg(pid, signal.SIGKILL)  # the worker leads its own group once it has started
            except (ProcessLookupError, PermissionError):
                pass
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(timeout=5)
        worker.conn.close()
        if pid is not None:
            shutil.rmtree(self.dir / f"w{pid}", ignore_errors=True)

    def _replace(self, worker: _Worker) -> None:
        self._kill(worker)
        self._workers.remove(worker)
        self.restarts += 1

    def _failed_start(self) -> None:
        self._failed_starts += 1
        if self._failed_starts >= 3:
            raise KippError(say(
                f"proses pembaca berkas tidak dapat dimulai (batas memori {self.limits.memory_mb} MB terlalu "
                "kecil? naikkan KIPP_EXTRACT_MEMORY_MB)",
                f"extraction workers do not start (memory limit {self.limits.memory_mb} MB too low? "
                "raise KIPP_EXTRACT_MEMORY_MB)",
            ))

    def close(self) -> None:
        for worker in self._workers:
            try:
                worker.conn.send(None)
            except (BrokenPipeError, OSError):
                pass
        for worker in self._workers:
            worker.process.join(timeout=2)
            self._kill(worker)
        self._workers.clear()
        shutil.rmtree(self.dir, ignore_errors=True)

    def run(self, jobs: Mapping[str, Job]) -> Iterator[tuple[str, Result]]:
        """Yield (key, result) for every job, in completion order."""
        if not self.dir.is_dir():  # a kept pool outlives a cleaner of /tmp
            self.dir.mkdir(mode=0o700, parents=True)
        queue = deque((key, *_job(job)) for key, job in jobs.items())
        while queue or any(w.job for w in self._workers):
            while len(self._workers) < min(self.size, len(queue) + sum(1 for w in self._workers if w.job)):
                self._workers.append(self._start())
            lost = False
            for worker in list(self._workers):
                if worker.ready and worker.job is None and queue:
                    job = queue.popleft()
                    try:
                        worker.conn.send((job[0], str(job[1]), job[2], str(job[3]) if job[3] else None))
                    except OSError:  # it died idle (killed from outside): the job waits for another
                        queue.appendleft(job)
                        self._replace(worker)
                        lost = True
                        continue
                    worker.job = job
                    worker.deadline = time.monotonic() + self.limits.seconds
            if lost:
                continue  # start its replacement before waiting
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
                key, result = pickle.loads(worker.conn.recv_bytes(self.max_message))
            except OSError as e:
                if "bad message length" not in str(e) or not worker.job:
                    key, result = None, None
                else:  # more than any kept text can take: refused unread, the worker replaced
                    job = worker.job
                    self._replace(worker)
                    yield job[0], (
                        Reason.RESOURCE_LIMIT,
                        f"hasil pembacaan melebihi {self.max_message >> 20} MB yang diterima; tidak dipakai",
                    )
                    return
            except EOFError:
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


def _extract_job(job: Job, limits: Limits) -> Result:
    path, expected, root = _job(job)
    return extract_one(path, limits, expected, root)


def _job(job: Job) -> tuple[Path, str | None, Path | None]:
    if isinstance(job, Path):
        return job, None, None
    return Path(job[0]), job[1], (Path(job[2]) if len(job) > 2 and job[2] else None)


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
    jobs: Mapping[str, Job], workers: int | None = None, limits: Limits | None = None, isolate: bool = True
) -> Iterator[tuple[str, Result]]:
    """Yield (key, result) for every job; isolate=False reads in this process (no limits but the
    characters kept)."""
    limits = limits or Limits.from_env()
    if not isolate:
        for key, job in jobs.items():
            yield key, _extract_job(job, limits)
        return
    workers = workers or os.cpu_count() or 1
    if _kept is not None and _kept.limits == limits:
        yield from _kept.run(jobs)
        return
    with SandboxPool(min(workers, max(1, len(jobs))), limits) as pool:
        yield from pool.run(jobs)
