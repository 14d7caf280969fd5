"""Extraction in worker processes with a time and a memory limit, replaced when one dies.

One hostile file can hang a parser (a PDF whose object graph loops), exhaust memory (a bomb) or
crash a C extension. Each worker is a separate process with an address-space limit; the parent
gives it one file at a time, kills it when the file takes longer than the time limit, and starts
a new worker in its place. The file gets a reason code; the run goes on.

Workers are forked from a fork server (multiprocessing's "forkserver"): a clean process, started
once per main process, that has imported pypdf, python-docx and the extractors. A worker then
costs a fork instead of a fresh interpreter importing them again (0.4 s of CPU each; a watcher, the
UI and the test suite start many pools), and the main process's threads (Prefect's) never reach a
fork. A worker takes the main process's environment as it is when the worker starts, as a spawned
one would.

Nothing outlives its run. A worker leads its own process group (pdftoppm and tesseract join it)
and asks the kernel to kill it when its parent, the fork server, dies (PR_SET_PDEATHSIG); the fork
server ends when the main process does (its end of a pipe closes), so a killed main process takes
the server and then every worker with it. The OCR tools ask the same of the worker. A worker
replaced at its deadline is killed with its whole group, and its temporary folder (under the
pool's own `kipp-pool-<pid>-*`) goes with it; a pool, or the fork server's socket folder, left
behind by a killed process is removed by the next pool.

Nothing unbounded comes back: a worker keeps at most `Limits.max_chars` characters of a document,
and the parent refuses any message longer than those characters can take (max_message_bytes), so
one file never costs the main process more than that.

A scan's pages are spread over the workers. The worker that finds a PDF without a text layer hands
back an OCR plan instead of reading it (extractors.ocr_extractor.OcrDeferred); its pages go to the
front of the queue as page jobs, one page each, for whichever workers are free (each runs one
single-threaded Tesseract, OMP_THREAD_LIMIT=1); once every page is read, a worker finishes the
document from those pages, in order, through the same code as a scan read in one piece. A file's
time limit is the work done on it: the seconds of all its jobs added up (what one worker reading
it alone would take), so its pages racing on two workers spend the limit twice as fast, and it is
the same whichever worker, and however long it waited in the queue. A page job that crashes, runs
out of memory or passes the file's limit ends the file with that reason, and every worker still
busy with it is killed and replaced.
"""

from __future__ import annotations

import atexit
import functools
import multiprocessing
import os
import pickle
import re
import shutil
import signal
import tempfile
import time
import traceback
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, NamedTuple

from extractors.ocr_extractor import OcrDeferred, OcrPage, OcrPlan, combine
from models.errors import ExtractionError, KippError
from models.language import say
from models.records import Extraction, Reason
from models.settings import Limits

Result = Extraction | tuple[Reason, str]
# A path; or a path and the sha256 the scan recorded for it; or those and the inbox the path is
# relative to (then read through models.inbox.open_regular: no link followed in any folder).
Job = Path | tuple[Path, str | None] | tuple[Path, str | None, Path | None]
# Told (OCR pages read, OCR pages found) as scans are found and their pages read.
OcrProgress = Callable[[int, int], None]
STARTUP_GRACE = 60.0  # the first worker starts the fork server, which imports pypdf and python-docx; a loaded machine is slow
# What the fork server imports once, so that no worker imports it again and the time limit measures reading.
PRELOAD = ["docx", "pypdf", "extractors", "extractors.sandbox"]
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

    return _guarded(lambda: extract(path, limits, expected_sha256, root), limits)


def _guarded(work: Callable[[], Any], limits: Limits) -> Any:
    """work(); an OCR deferred comes back as its plan, a failure as (reason, message)."""
    try:
        return work()
    except OcrDeferred as e:
        return e.plan
    except ExtractionError as e:
        return (e.reason, str(e))
    except MemoryError:
        return (Reason.RESOURCE_LIMIT, f"membaca berkas melampaui batas memori {limits.memory_mb} MB")
    except RecursionError:
        return (Reason.CORRUPT_PDF, "struktur berkas bersarang terlalu dalam")
    except Exception as e:  # a bug or a library failing on odd input: keep the trace for a developer
        return (Reason.EXTRACTION_ERROR, f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=5)}")


FILE, WHOLE, PAGE, FINISH = "file", "whole", "page", "finish"


def _work(kind: str, path: Path, expected: str | None, root: Path | None, arg: Any, limits: Limits) -> Any:
    """One job in a worker: a file (a scan comes back as its OcrPlan), a file with a scan's pages
    read here one after another (WHOLE, as before pages were spread), one page of a scan (arg: the
    plan and the page number), or a scan finished from its pages (arg: the plan and the OcrResult)."""
    from extractors import extract
    from extractors.ocr_extractor import deferred, ocr_page_job, precomputed

    if kind == WHOLE:
        return extract_one(path, limits, expected, root)
    if kind == FILE:
        with deferred():
            return extract_one(path, limits, expected, root)
    plan, what = arg
    if kind == PAGE:
        return _guarded(lambda: ocr_page_job(path, root, plan, what, limits.seconds, limits.memory_mb,
                                             limits.max_chars), limits)
    with precomputed(what):
        return _guarded(lambda: extract(path, limits, plan.sha256, root), limits)


def _let_the_fork_server_go() -> None:
    """Close this worker's copy of the fork server's "alive" pipe. multiprocessing hands every child the
    main process's end of that pipe (so that a child could use the server too), and the server ends only
    when every copy is closed: a worker busy on a hanging file would keep the server, and so itself,
    alive after the main process was killed. A worker starts no processes through multiprocessing."""
    from multiprocessing import forkserver

    server = forkserver._forkserver
    if server._forkserver_alive_fd is not None:
        os.close(server._forkserver_alive_fd)
        server._forkserver_alive_fd = None


def _worker_main(conn: Connection, limits: Limits, main_pid: int, pool_dir: str, env: dict[str, str]) -> None:
    import resource

    from extractors.ocr_extractor import die_with_parent

    die_with_parent()  # with the fork server, which ends with the main process
    _let_the_fork_server_go()
    try:
        os.kill(main_pid, 0)
    except ProcessLookupError:  # the main process died before that request was made
        os._exit(1)
    # The main process's environment now (PATH, say), not the fork server's from when it started.
    os.environ.clear()
    os.environ.update(env)
    os.setpgid(0, 0)  # the OCR tools join this group; the pool kills the group with the worker
    # The parent decides when workers stop (a Ctrl-C sent to a whole group must not end one mid-file).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    workdir = Path(pool_dir) / f"w{os.getpid()}"
    workdir.mkdir(mode=0o700, exist_ok=True)
    tempfile.tempdir = str(workdir)
    os.environ["TMPDIR"] = str(workdir)  # the OCR tools' own temporary files, and a mark to find them by
    os.environ["OMP_THREAD_LIMIT"] = "1"  # one core per worker: Tesseract's threads would fight the pool's

    limit = limits.memory_mb * (1 << 20)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    conn.send(("ready", None))
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        kind, key, path, expected, root, arg = job
        result = _work(kind, Path(path), expected, Path(root) if root else None, arg, limits)
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


class _Task(NamedTuple):
    key: str  # the file's key in run()'s jobs
    kind: str  # FILE, PAGE or FINISH
    arg: Any = None  # PAGE: (plan, page number); FINISH: (plan, OcrResult)


@dataclass
class _Doc:
    """A file of a run, from its first job to its result."""

    path: Path
    expected: str | None
    root: Path | None
    used: float = 0.0  # seconds its finished jobs took
    plan: OcrPlan | None = None
    pages: dict[int, OcrPage] = field(default_factory=dict)
    done: bool = False


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    ready: bool = False
    job: _Task | None = None
    job_started: float = 0.0
    started: float = field(default_factory=time.monotonic)


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


SOCKET_PATH_MAX = 107  # bytes in an AF_UNIX socket path (sun_path less its NUL)


def _fork_server_dir() -> None:
    """Give multiprocessing, before it starts the fork server, a temporary folder of ours for the
    server's socket. Its own would be `pymp-*` in TMPDIR: left behind when this process is killed, and
    a long TMPDIR makes the socket's path too long for AF_UNIX, so no worker could start at all. Ours
    is a `kipp-pool-<pid>-*` folder, which the next pool removes once this process is gone, in the
    first of TMPDIR, /tmp and /dev/shm whose paths fit."""
    config = multiprocessing.process.current_process()._config
    if config.get("tempdir"):
        return
    for base in dict.fromkeys((tempfile.gettempdir(), "/tmp", "/dev/shm")):
        # <base>/kipp-pool-<pid>-fs-XXXXXXXX/listener-XXXXXXXX, a pid of up to 7 digits
        if len(os.fsencode(base)) + len(POOL_PREFIX) + 45 > SOCKET_PATH_MAX:
            continue
        try:
            path = tempfile.mkdtemp(prefix=f"{POOL_PREFIX}{os.getpid()}-fs-", dir=base)
        except OSError:
            continue
        config["tempdir"] = path
        multiprocessing.util.Finalize(None, shutil.rmtree, args=(path, True), exitpriority=-100)
        return


@functools.cache
def _wait_for_the_fork_server_at_exit() -> None:
    """A process that started the fork server waits for it when it exits normally, so that nothing it
    started outlives it even briefly, and the workers' CPU and peak memory count in its own
    RUSAGE_CHILDREN, where whoever ran it (kipp bench scale, a shell's `time`) finds them. atexit runs
    this before multiprocessing's own finalizers, which then remove the socket's folder."""
    atexit.register(stop_fork_server)


def stop_fork_server() -> None:
    """End this process's fork server now and wait for it, instead of when this process ends. Its
    workers are its children, not ours: once it is waited for, their peak memory counts in this
    process's RUSAGE_CHILDREN (kipp bench safety). The next pool starts a new one."""
    from multiprocessing import forkserver

    forkserver._forkserver._stop()


class SandboxPool:
    """A fixed number of extraction workers; use as a context manager."""

    def __init__(self, workers: int, limits: Limits | None = None, split_ocr: bool = True):
        self.size = max(1, workers)
        self.limits = limits or Limits()
        self.split_ocr = split_ocr  # False: a scan's pages in its own worker, in sequence (kipp bench ocr's "before")
        self.pages_read: Counter[int] = Counter()  # OCR pages read per worker pid
        # Not a fork of this process: the caller runs Prefect's threads, and forking a threaded process can hang.
        _fork_server_dir()
        _wait_for_the_fork_server_at_exit()
        self._ctx = multiprocessing.get_context("forkserver")
        self._ctx.set_forkserver_preload(PRELOAD)
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
            target=_worker_main, args=(child, self.limits, os.getpid(), str(self.dir), dict(os.environ)), daemon=True
        )
        process.start()
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

    def run(self, jobs: Mapping[str, Job], ocr_progress: OcrProgress | None = None) -> Iterator[tuple[str, Result]]:
        """Yield (key, result) for every job, in completion order; tell `ocr_progress` (pages
        read, pages found) as scans are found and their pages read."""
        if not self.dir.is_dir():  # a kept pool outlives a cleaner of /tmp
            self.dir.mkdir(mode=0o700, parents=True)
        docs = {key: _Doc(*_job(job)) for key, job in jobs.items()}
        queue = deque(_Task(key, FILE if self.split_ocr else WHOLE) for key in docs)
        ocr = _OcrCount(ocr_progress)
        while queue or any(w.job for w in self._workers):
            while len(self._workers) < min(self.size, len(queue) + sum(1 for w in self._workers if w.job)):
                self._workers.append(self._start())
            if self._hand_out(queue, docs):
                continue  # one died idle: start its replacement before waiting
            now = time.monotonic()
            deadlines = [self._deadline(key, docs[key]) for key in {w.job.key for w in self._workers if w.job}] + [
                w.started + STARTUP_GRACE for w in self._workers if not w.ready
            ]
            timeout = max(0.0, min(deadlines) - now) if deadlines else None
            waitables = [w.conn for w in self._workers] + [w.process.sentinel for w in self._workers]
            ready = set(wait(waitables, timeout=timeout))
            results: list[tuple[str, Result]] = []
            for worker in list(self._workers):
                if worker not in self._workers:  # killed with a file that another of its jobs ended
                    continue
                for task, outcome in self._collect(worker, ready, docs):
                    results.extend(self._settle(task, outcome, docs, queue, ocr))
            now = time.monotonic()
            for key in {w.job.key for w in self._workers if w.job}:
                if now >= self._deadline(key, docs[key]):
                    results.extend(self._end(key, docs, queue, ocr, (
                        Reason.TIMEOUT, f"membaca berkas melebihi batas waktu {self.limits.seconds:g} detik")))
            # Free workers get their next job before the caller sees these results: they read while
            # it saves them, instead of waiting for it.
            if results:
                self._hand_out(queue, docs)
            yield from results

    def _hand_out(self, queue: deque[_Task], docs: dict[str, _Doc]) -> bool:
        """Give each idle worker the next job; True when one turned out dead."""
        for worker in list(self._workers):
            if not (worker.ready and worker.job is None and queue):
                continue
            task = queue.popleft()
            doc = docs[task.key]
            try:
                worker.conn.send((task.kind, task.key, str(doc.path), doc.expected,
                                  str(doc.root) if doc.root else None, task.arg))
            except OSError:  # it died idle (killed from outside): the job waits for another
                queue.appendleft(task)
                self._replace(worker)
                return True
            worker.job = task
            worker.job_started = time.monotonic()
        return False

    def _deadline(self, key: str, doc: _Doc) -> float:
        """When the seconds of a file's jobs, the finished and the running, reach the time limit."""
        running = [w.job_started for w in self._workers if w.job and w.job.key == key]
        return (self.limits.seconds - doc.used + sum(running)) / len(running)

    def _settle(self, task: _Task, outcome: Any, docs: dict[str, _Doc], queue: deque[_Task],
                ocr: _OcrCount) -> Iterator[tuple[str, Result]]:
        """What a job's outcome means for its file: a result, page jobs, or one page more."""
        doc = docs[task.key]
        if doc.done:
            return
        if isinstance(outcome, OcrPlan) and task.kind == FILE:
            doc.plan = outcome
            queue.extendleft(_Task(task.key, PAGE, (outcome, n)) for n in range(outcome.pages, 0, -1))
            ocr.found(outcome.pages)
        elif isinstance(outcome, OcrPage) and task.kind == PAGE and doc.plan is not None:
            doc.pages[task.arg[1]] = outcome
            ocr.read(1)
            if len(doc.pages) == doc.plan.pages:
                pages = _bounded([doc.pages[n] for n in range(1, doc.plan.pages + 1)], self.limits.max_chars)
                queue.appendleft(_Task(task.key, FINISH, (doc.plan, combine(pages, doc.plan.language))))
        elif isinstance(outcome, Extraction) or _is_failure(outcome):
            yield from self._end(task.key, docs, queue, ocr, outcome)
        else:  # never sent by a worker of ours
            yield from self._end(task.key, docs, queue, ocr, (
                Reason.EXTRACTION_ERROR, f"pesan tak terduga dari proses pembaca: {type(outcome).__name__}"))

    def _end(self, key: str, docs: dict[str, _Doc], queue: deque[_Task], ocr: _OcrCount,
             result: Result) -> Iterator[tuple[str, Result]]:
        """A file's result: its jobs still waiting are dropped and those still running killed."""
        doc = docs[key]
        doc.done = True
        if doc.plan is not None:  # only a scan has jobs of its own waiting (its pages, its finish)
            ocr.found(-(doc.plan.pages - len(doc.pages)))  # pages never to be read leave the total
            kept = [t for t in queue if t.key != key]
            queue.clear()
            queue.extend(kept)
        for worker in list(self._workers):
            if worker.job and worker.job.key == key:
                self._replace(worker)
        yield key, result

    def _collect(self, worker: _Worker, ready: set, docs: dict[str, _Doc]) -> list[tuple[_Task, Any]]:
        """What a worker has to say: [(its job, the job's outcome)], or nothing."""
        now = time.monotonic()
        if worker.conn in ready:
            try:
                key, result = pickle.loads(worker.conn.recv_bytes(self.max_message))
            except OSError as e:
                if "bad message length" not in str(e) or not worker.job:
                    key, result = None, None
                else:  # more than any kept text can take: refused unread, the worker replaced
                    task = worker.job
                    self._replace(worker)
                    return [(task, (
                        Reason.RESOURCE_LIMIT,
                        f"hasil pembacaan melebihi {self.max_message >> 20} MB yang diterima; tidak dipakai",
                    ))]
            except EOFError:
                key, result = None, None
            if key == "ready":
                worker.ready = True
                return []
            if key is not None and worker.job and key == worker.job.key:
                task, worker.job = worker.job, None
                docs[task.key].used += now - worker.job_started
                if task.kind == PAGE and isinstance(result, OcrPage):
                    self.pages_read[worker.process.pid] += 1
                return [(task, result)]
        if worker.process.sentinel in ready or not worker.process.is_alive():
            task = worker.job
            worker.process.join(timeout=5)  # reap it, so that its exit code is known
            code = worker.process.exitcode
            if not worker.ready:
                self._failed_start()
            self._replace(worker)
            return [(task, _death_result(code, self.limits))] if task else []
        if not worker.ready and now >= worker.started + STARTUP_GRACE:
            self._replace(worker)
            self._failed_start()
        return []


class _OcrCount:
    """OCR pages read of pages found, told to a callback as they change."""

    def __init__(self, tell: OcrProgress | None):
        self.tell = tell
        self.done = self.total = 0

    def found(self, pages: int) -> None:
        self._add(0, pages)

    def read(self, pages: int) -> None:
        self._add(pages, 0)

    def _add(self, done: int, total: int) -> None:
        if not (done or total):
            return
        self.done += done
        self.total += total
        if self.tell is not None:
            self.tell(self.done, self.total)


def _is_failure(outcome: Any) -> bool:
    return isinstance(outcome, tuple) and len(outcome) == 2 and isinstance(outcome[0], Reason)


def _bounded(pages: list[OcrPage], max_chars: int) -> list[OcrPage]:
    """At most twice the kept characters go back to a worker to finish a scan (the text is cut at
    max_chars there, after normalising); a page is at most max_chars already."""
    left, kept = 2 * max_chars, []
    for page in pages:
        kept.append(OcrPage(page.text[: max(0, left)], page.confidence_sum, page.words))
        left -= len(page.text)
    return kept


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
    jobs: Mapping[str, Job], workers: int | None = None, limits: Limits | None = None, isolate: bool = True,
    ocr_progress: OcrProgress | None = None,
) -> Iterator[tuple[str, Result]]:
    """Yield (key, result) for every job; isolate=False reads in this process (no limits but the
    characters kept, a scan's pages one after another). `ocr_progress` is told (OCR pages read,
    OCR pages found) as a pool reads scans."""
    limits = limits or Limits.from_env()
    if not isolate:
        for key, job in jobs.items():
            yield key, _extract_job(job, limits)
        return
    workers = workers or os.cpu_count() or 1
    if _kept is not None and _kept.limits == limits:
        yield from _kept.run(jobs, ocr_progress)
        return
    # Workers start as jobs wait for them, so a pool of `workers` costs no more than the files need;
    # one scan of many pages keeps them all busy.
    with SandboxPool(workers, limits) as pool:
        yield from pool.run(jobs, ocr_progress)
