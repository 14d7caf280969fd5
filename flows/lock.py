"""One writer per output folder: a lock that a second watcher or run meets with a clear message."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from models.errors import OutputError, os_reason
from models.language import say


class OutputLock:
    """An exclusive flock on <out>/.kipp/writer.lock; the kernel drops it when the holder dies."""

    def __init__(self, out: Path, purpose: str):
        from flows.steps.context import OutputPaths

        self.path = OutputPaths(out).lock
        self.purpose = purpose
        self._fd: int | None = None

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
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> OutputLock:
        return self if self._fd is not None else self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
