"""One hierarchy for the errors that kipp-intake raises itself, and the exit codes they end in.

Every operational error reaches the user as one line naming the file and the reason, and the
command exits with the code of its class (README, *Exit codes*); never a traceback.
"""

from __future__ import annotations

from enum import IntEnum

from models.language import Words
from models.records import Reason


class ExitCode(IntEnum):
    """What `kipp` exits with; scripts and schedulers may rely on these."""

    OK = 0
    FAILED = 1  # an unexpected failure of kipp itself; one line, the trace kept for a developer
    USAGE = 2  # a wrong option or argument (click's own code)
    BAD_INPUT = 3  # the inbox, roster, earlier editions, edition, taxonomy, participant id or theme
    OUTPUT = 4  # the output folder: not a folder, not writable, full, overlapping the inbox, or held by another writer
    LEDGER = 5  # the ledger cannot be read (corrupt, truncated, or from a newer kipp)
    FILES_FAILED = 6  # the reports were written, but kipp failed on some files (internal_error)
    INTERRUPTED = 130  # Ctrl-C


class KippError(Exception):
    """Base class of every error raised by kipp-intake."""

    exit_code: ExitCode = ExitCode.FAILED


class InputError(KippError):
    """Something the user gave cannot be used; the message names it and says why."""

    exit_code = ExitCode.BAD_INPUT


class RosterError(InputError):
    """The roster file cannot be used; the message names the file and the lines."""


class OutputError(KippError):
    """The output folder cannot be written; the previous reports stay as they were."""

    exit_code = ExitCode.OUTPUT


class LedgerError(KippError):
    """The ledger cannot be read; the message says what to do."""

    exit_code = ExitCode.LEDGER


class ExtractionError(KippError):
    """A file could not be read; `reason` is the code published for it."""

    def __init__(self, reason: Reason, message: str):
        super().__init__(message)
        self.reason = reason


def os_reason(e: OSError) -> str:
    """Why a file or folder could not be written, in the words an admin reads (the system's own after them)."""
    import errno

    reasons = {
        errno.ENOSPC: Words("disk penuh", "the disk is full"),
        errno.EDQUOT: Words("kuota disk habis", "the disk quota is used up"),
        errno.EROFS: Words("sistem berkas hanya-baca (read-only)", "a read-only file system"),
        errno.EACCES: Words("tidak ada izin menulis", "no permission to write"),
        errno.EPERM: Words("tidak ada izin menulis", "no permission to write"),
        errno.ENOTDIR: Words("sebagian jalurnya adalah berkas, bukan folder", "part of the path is a file, not a folder"),
        errno.EEXIST: Words("sudah ada sebagai berkas", "already exists as a file"),
        errno.EISDIR: Words("adalah folder", "is a folder"),
        errno.ENOENT: Words("tidak ada", "does not exist"),
    }
    reason = reasons.get(e.errno or 0)
    detail = e.strerror or str(e)
    return f"{reason.text()} ({detail})" if reason else detail
