"""`kipp watch`: screen new inbox files within seconds, in batches, until stopped.

Events come from watchdog (inotify), or from polling where inotify does not work (network
shares). A batch starts once every file that changed has held still for `stable` seconds, and
runs the intake flow: the flow itself reads only what the ledger has not seen, so a batch
after a crash, a missed event or a periodic rescan costs little and changes nothing twice.
"""

from __future__ import annotations

import contextvars
import logging
import queue
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flows.lock import OutputLock
from models.inbox import ignore_reason

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class WatchOptions:
    polling: bool = False  # poll the folder instead of inotify (network shares)
    poll_interval: float = 2.0
    stable: float = 0.5  # a changed file must hold still this long before its batch starts
    max_wait: float = 10.0  # a file that keeps changing is screened anyway (it becomes still_writing)
    rescan: float = 300.0  # a full pass now and then catches anything an event missed


class _Events:
    """Paths that changed, fed by watchdog's thread, drained by the watch loop."""

    def __init__(self) -> None:
        self.queue: queue.Queue[str] = queue.Queue()

    def dispatch(self, event) -> None:  # watchdog's handler interface
        if event.is_directory and event.event_type not in ("moved", "created"):
            return
        for path in (event.src_path, getattr(event, "dest_path", "") or ""):
            if path:
                self.queue.put(str(path))


def _start_observer(inbox: Path, events: _Events, options: WatchOptions):
    from watchdog.observers import Observer
    from watchdog.observers.polling import PollingObserver

    if not options.polling:
        observer = Observer()
        try:
            observer.schedule(events, str(inbox), recursive=True)
            observer.start()
            return observer, "inotify"
        except OSError as e:  # inotify watch limit, or a file system without inotify
            log.warning("inotify unavailable for %s (%s); polling every %.0f s", inbox, e, options.poll_interval)
    observer = PollingObserver(timeout=options.poll_interval)
    observer.schedule(events, str(inbox), recursive=True)
    observer.start()
    return observer, "polling"


def watch(
    inbox: Path,
    out: Path,
    run_batch: Callable[[], object],
    options: WatchOptions = WatchOptions(),
    stop: threading.Event | None = None,
    on_ready: Callable[[str], None] | None = None,
    lock: OutputLock | None = None,
) -> int:
    """Run batches until `stop` is set or SIGINT/SIGTERM arrives; returns the number of batches.

    A signal never cuts a batch in half: it is noticed between batches, so the batch in hand
    finishes (its ledger writes are transactions, its reports atomic renames). `lock` is the
    caller's when it took the output folder's lock already; otherwise watch takes it.
    """
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
    run_batch = _off_main_thread(run_batch)
    batches = 0
    with lock or OutputLock(out, "watch"):
        events = _Events()
        observer, mode = _start_observer(inbox, events, options)
        try:
            run_batch()  # catch up with what arrived while nobody watched
            batches += 1
            if on_ready:
                on_ready(mode)
            batches += _loop(inbox, events, run_batch, options, stop)
        finally:
            observer.stop()
            observer.join(timeout=5)
    return batches


def _off_main_thread(run_batch: Callable[[], object]) -> Callable[[], None]:
    """Run each batch in a thread of its own, in the caller's context (the language of --lang).

    Prefect's flow engine replaces the SIGTERM handler of the main thread with one that aborts
    the flow; in another thread it cannot, so a signal only sets `stop` and the batch finishes.
    A new thread starts with empty context variables; the batch gets a copy of the caller's.
    """

    def run() -> None:
        failure: list[BaseException] = []
        context = contextvars.copy_context()

        def target() -> None:
            try:
                context.run(run_batch)
            except BaseException as e:  # handed to the watch loop's thread below
                failure.append(e)

        thread = threading.Thread(target=target, name="kipp-batch")
        thread.start()
        thread.join()
        if failure:
            raise failure[0]

    return run


def _loop(inbox: Path, events: _Events, run_batch, options: WatchOptions, stop: threading.Event) -> int:
    pending: dict[str, tuple[tuple[int, int] | None, float, float]] = {}  # path -> (stat, since, first)
    last_full = time.monotonic()
    batches = 0
    while not stop.is_set():
        try:
            path = events.queue.get(timeout=0.1)
            _note(inbox, path, pending)
            while True:  # drain a burst in one go
                _note(inbox, events.queue.get_nowait(), pending)
        except queue.Empty:
            pass
        now = time.monotonic()
        due = now - last_full > options.rescan
        if pending and _all_still(inbox, pending, options, now):
            due = True
        if due and not stop.is_set():
            pending.clear()
            run_batch()
            batches += 1
            last_full = time.monotonic()
    return batches


def _note(inbox: Path, path: str, pending: dict) -> None:
    try:
        rel = Path(path).resolve().relative_to(inbox.resolve()).as_posix()
    except ValueError:
        return
    if rel == "." or ignore_reason(rel) is not None:
        return  # a lock file or a partial download: its final rename brings an event of its own
    now = time.monotonic()
    first = pending.get(rel, (None, now, now))[2]
    pending[rel] = (_stat(inbox / rel), now, first)


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


def _all_still(inbox: Path, pending: dict, options: WatchOptions, now: float) -> bool:
    """True when every changed file has kept its size and mtime for `stable` seconds."""
    for rel, (seen, since, first) in list(pending.items()):
        current = _stat(inbox / rel)
        if current != seen:
            pending[rel] = (current, now, first)
            if now - first < options.max_wait:
                return False
        elif now - since < options.stable and now - first < options.max_wait:
            return False
    return True
