"""One writer per output folder (and per ledger database): a lock that a second watcher or run meets
with a clear message."""

from __future__ import annotations

import fcntl
import os
import socket
from pathlib import Path
from typing import TYPE_CHECKING

from models.errors import OutputError, os_reason
from models.language import say
from models.settings import Settings

if TYPE_CHECKING:
    from models.ledger_postgres import WriterLock


class OutputLock:
    """An exclusive flock on <out>/.kipp/writer.lock; the kernel drops it when the holder dies.

    With the ledger on PostgreSQL (settings.database_url), also that database's writer lock
    (models.ledger_postgres.WriterLock): watchers on two machines, whose flocks on a network share
    cannot be trusted to see each other, still cannot both write one edition.
    """

    def __init__(self, out: Path, purpose: str, settings: Settings | None = None):
        from flows.steps.context import OutputPaths

        self.path = OutputPaths(out).lock
        self.purpose = purpose
        self.database_url = (settings or Settings.from_env()).database_url
        self._fd: int | None = None
        self._database_lock: WriterLock | None = None

    def acquire(self) -> OutputLock:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            raise OutputError(say(f"{self.path.parent.parent}: folder keluaran tidak dapat dipakai: {os_reason(e)}",
                                  f"{self.path.parent.parent}: the output folder cannot be used: {os_reason(e)}")) from e
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or say("proses lain", "another process")
            os.close(fd)
            raise OutputError(say(
                f"{self.path.parent.parent}: sedang diproses oleh {holder}; hanya satu kipp run atau watch "
                "yang boleh menulis satu folder keluaran pada satu waktu",
                f"{self.path.parent.parent}: already being processed by {holder}; "
                "only one kipp run or watch may write an output folder at a time",
            )) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"kipp {self.purpose} (pid {os.getpid()})\n".encode(), 0)
        self._fd = fd
        if self.database_url:
            try:
                self._lock_database(self.database_url)
            except BaseException:
                self.release()
                raise
        return self

    def _lock_database(self, url: str) -> None:
        from models.ledger_postgres import WriterLock, shown

        lock = WriterLock(url, f"kipp {self.purpose} (pid {os.getpid()}, {socket.gethostname()})")
        holder = lock.acquire()
        if holder is not None:
            out = self.path.parent.parent
            raise OutputError(say(
                f"{out}: ledger {shown(url)} sedang diproses oleh {holder}; hanya satu kipp run atau watch yang "
                "boleh menulis satu ledger (satu edisi) pada satu waktu",
                f"{out}: the ledger {shown(url)} is already being processed by {holder}; only one kipp run or "
                "watch may write a ledger (an edition) at a time",
            ))
        self._database_lock = lock

    def release(self) -> None:
        if self._database_lock is not None:
            self._database_lock.release()
            self._database_lock = None
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> OutputLock:
        return self if self._fd is not None else self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
