"""Read an inbox file once, from one descriptor: what is checked and hashed is what is parsed.

The path is opened without following a symbolic link and without waiting on a FIFO; the
descriptor must be a regular file; its bytes are read once, hashed, and parsed from memory. A
file swapped or rewritten since the scan hashed it is not read as the content the scan recorded.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from models.errors import ExtractionError
from models.records import Reason

OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC | getattr(os, "O_NOCTTY", 0)
_MB = 1 << 20


def read_source(
    path: Path, expected_sha256: str | None = None, max_bytes: int | None = None, root: Path | None = None
) -> bytes:
    """The bytes of a regular file, read from one descriptor.

    With `root`, `path` is the stored path relative to that inbox and every folder on the way is
    opened without following a link too (models.inbox.open_regular, which also finds a name stored
    with `\\xff` escapes). With `expected_sha256` (what the scan recorded), a file that is no longer
    that content (changed, swapped for a link or a FIFO, removed) raises
    ExtractionError(CHANGED_SINCE_SCAN): it is read again on the next run, never cached under the
    recorded hash.
    """
    from models.inbox import NotRegularFile, open_regular

    changed = expected_sha256 is not None
    opener = open_regular(root, path.as_posix()) if root is not None else _open_path(path)
    try:
        with opener as (fd, st):
            data, sha = _read(fd, st, changed, max_bytes)
    except NotRegularFile as e:
        if changed:
            raise ExtractionError(
                Reason.CHANGED_SINCE_SCAN, "berkas diganti sejak dipindai: kini bukan berkas biasa (FIFO, soket, perangkat)"
            ) from e
        raise ExtractionError(Reason.SPECIAL_FILE, Reason.SPECIAL_FILE.label) from e
    except OSError as e:
        raise _open_error(e, changed) from e
    if changed and sha != expected_sha256:
        raise ExtractionError(
            Reason.CHANGED_SINCE_SCAN,
            f"isi berkas berubah sejak dipindai (sha256 {expected_sha256[:12]}… kini {sha[:12]}…); "
            "dibaca lagi pada putaran berikutnya",
        )
    return data


@contextmanager
def _open_path(path: Path) -> Iterator[tuple[int, os.stat_result]]:
    from models.inbox import NotRegularFile

    fd = os.open(path, OPEN_FLAGS)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFile(str(path))
        yield fd, st
    finally:
        os.close(fd)


def _read(fd: int, st: os.stat_result, changed: bool, max_bytes: int | None) -> tuple[bytes, str]:
    if max_bytes is not None and st.st_size > max_bytes:
        raise ExtractionError(
            Reason.RESOURCE_LIMIT,
            f"berkas {st.st_size // _MB} MB melebihi {max_bytes // _MB} MB yang dapat dibaca dengan batas memori ini",
        )
    os.set_blocking(fd, True)
    with io.FileIO(fd, "rb", closefd=False) as fh:
        data = fh.readall()  # one buffer, sized from fstat: the file is held once, not twice
    if max_bytes is not None and len(data) > max_bytes:  # grew after fstat
        raise ExtractionError(Reason.CHANGED_SINCE_SCAN if changed else Reason.RESOURCE_LIMIT,
                              "berkas bertambah besar saat dibaca")
    return data, hashlib.sha256(data).hexdigest()


def _open_error(e: OSError, changed: bool) -> ExtractionError:
    if e.errno == errno.ELOOP:
        if changed:
            return ExtractionError(Reason.CHANGED_SINCE_SCAN, "berkas diganti sejak dipindai: kini tautan simbolik; tidak diikuti")
        return ExtractionError(Reason.SYMLINK, Reason.SYMLINK.label)
    if e.errno in (errno.ENOENT, errno.ENOTDIR):
        return ExtractionError(Reason.CHANGED_SINCE_SCAN, "berkas hilang atau dipindahkan sejak dipindai")
    if e.errno in (errno.EACCES, errno.EPERM):
        return ExtractionError(Reason.UNREADABLE, Reason.UNREADABLE.label)
    if e.errno == errno.ENAMETOOLONG:
        return ExtractionError(Reason.BAD_FILE_NAME, Reason.BAD_FILE_NAME.label)
    if e.errno == errno.ENXIO:  # a socket
        return ExtractionError(Reason.CHANGED_SINCE_SCAN if changed else Reason.SPECIAL_FILE, Reason.SPECIAL_FILE.label)
    return ExtractionError(Reason.UNREADABLE, f"berkas tidak dapat dibuka ({errno.errorcode.get(e.errno, e.errno)})")
