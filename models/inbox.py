"""What is in the inbox: every entry, each with a state, and files opened only as what was checked.

The inbox is hostile ground: any name, any kind of entry, any permission, and entries that change
between two looks. Nothing here follows a link, opens anything but a regular file, or lets one odd
entry stop the scan; every entry found ends as an `InboxItem`, with a reason when it is never read.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from models.language import say
from models.records import InboxItem, Reason

SYSTEM_FILES = frozenset({".ds_store", "thumbs.db", "desktop.ini", "icon\r"})
PARTIAL_SUFFIXES = (".crdownload", ".part", ".partial", ".tmp", ".download", ".opdownload")
# A path longer than this cannot be opened by name by the extractors, nor copied by name (Linux PATH_MAX).
PATH_MAX = 4096
MAX_DEPTH = 64  # folders nested deeper than this are not entered: one open descriptor per level
_OPEN_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_OPEN_DIR = os.O_RDONLY | os.O_NOFOLLOW | os.O_DIRECTORY | os.O_CLOEXEC
_OPEN_ROOT = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC  # the folder the user named may itself be a link
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def storable(name: str) -> str:
    """A name as kipp stores it: undecodable bytes (surrogate escapes from the file system) as `\\xff`.

    The result is valid UTF-8, so the ledger, JSON and CSV can hold it; everything else is kept.
    """
    if not any("\udc80" <= ch <= "\udcff" for ch in name):
        return name
    return "".join(f"\\x{ord(ch) - 0xDC00:02x}" if "\udc80" <= ch <= "\udcff" else ch for ch in name)


def printable(text: str) -> str:
    """Text safe to print on a terminal or to write as one line of a file.

    Control characters (ANSI escapes, newlines, carriage returns), invisible format characters
    (bidirectional overrides), line separators and undecodable bytes become visible escapes, so a
    file name can neither drive the admin's terminal nor forge a line in a note.
    """
    out = []
    for ch in text:
        if "\udc80" <= ch <= "\udcff":
            out.append(f"\\x{ord(ch) - 0xDC00:02x}")
        elif ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp"):
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(ch)
    return "".join(out)


def ignore_reason(relpath: str) -> Reason | None:
    """Why a file is never read, or None for a file to read."""
    parts = relpath.split("/")
    name = parts[-1]
    lowered = name.lower()
    if lowered in SYSTEM_FILES or lowered.startswith("~$"):
        return Reason.SYSTEM_FILE  # ~$ is a Word lock file next to an open document
    if lowered.endswith(PARTIAL_SUFFIXES):
        return Reason.PARTIAL_DOWNLOAD
    if any(part.startswith(".") for part in parts):
        return Reason.HIDDEN_FILE
    return None


def _reason_for_error(e: OSError) -> Reason | None:
    """The state of an entry that could not be looked at or opened; None when it is simply gone."""
    if e.errno in (errno.ENOENT, errno.ENOTDIR):
        return None  # removed (or its folder replaced) between two looks: it was never received
    if e.errno == errno.ENAMETOOLONG:
        return Reason.BAD_FILE_NAME
    if e.errno == errno.ELOOP:
        return Reason.SYMLINK  # swapped for a link after the scan: O_NOFOLLOW refused it
    if e.errno in (errno.ENXIO, errno.ENODEV, errno.EOPNOTSUPP):
        return Reason.SPECIAL_FILE  # a socket, or a device without a driver
    return Reason.UNREADABLE  # EACCES, EPERM, EIO: it is there and cannot be read


def _kind(mode: int) -> Reason | None:
    if stat.S_ISLNK(mode):
        return Reason.SYMLINK  # may point anywhere on the machine; never followed
    if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        return Reason.SPECIAL_FILE  # FIFO, socket, device: opening one may block forever
    return None


def _item(rel: str, st: os.stat_result | None, reason: Reason | None) -> InboxItem:
    path = storable(rel)
    if reason in (None, Reason.UNREADABLE, Reason.BAD_FILE_NAME) and (never := ignore_reason(path)):
        reason = never  # a hidden or system entry stays ignored, whatever else is odd about it
    elif reason is None and (path != rel or len(os.fsencode(rel)) >= PATH_MAX):
        reason = Reason.BAD_FILE_NAME
    if st is None:
        return InboxItem(path, 0, 0, reason)
    return InboxItem(path, st.st_size, st.st_mtime_ns, reason, st.st_ino, st.st_ctime_ns)


def _unreadable(inbox: Path, e: OSError) -> str:
    return say(f"{printable(str(inbox))}: kotak masuk tidak dapat dibaca ({e.strerror})",
               f"{printable(str(inbox))}: the inbox cannot be read ({e.strerror})")


def scan_inbox(inbox: Path) -> list[InboxItem]:
    """Every entry under the inbox, sorted by path; the inbox itself is only read.

    Folders are entered through descriptors opened relative to their parent (O_NOFOLLOW), so a
    path of any length is listed and no link is ever followed. A folder that cannot be listed is
    one entry itself (`unreadable`); links, FIFOs, sockets and devices are entries with their reason.
    """
    items: list[InboxItem] = []
    try:
        fd = os.open(inbox, _OPEN_ROOT)
    except OSError as e:
        from models.errors import InputError

        raise InputError(_unreadable(inbox, e)) from e
    try:
        _scan_dir(fd, "", 0, items)
    except OSError as e:  # the inbox itself cannot be listed: nothing in it can be told apart
        from models.errors import InputError

        raise InputError(_unreadable(inbox, e)) from e
    finally:
        os.close(fd)
    return sorted(items, key=lambda item: item.path)


def _scan_dir(fd: int, prefix: str, depth: int, items: list[InboxItem]) -> None:
    with os.scandir(fd) as entries:
        listed = sorted(entries, key=lambda e: e.name)
    for entry in listed:
        rel = prefix + entry.name
        if rel == ".gitkeep":
            continue
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError as e:
            if (reason := _reason_for_error(e)) is not None:
                items.append(_item(rel, None, reason))
            continue
        if (reason := _kind(st.st_mode)) is not None:
            items.append(_item(rel, st, reason))
        elif stat.S_ISREG(st.st_mode):
            items.append(_item(rel, st, None))
        elif depth >= MAX_DEPTH:
            items.append(_item(rel, st, Reason.BAD_FILE_NAME))  # nested too deep to be a proposal's folder
        else:
            try:
                sub = os.open(entry.name, _OPEN_DIR, dir_fd=fd)
            except OSError as e:
                if (reason := _reason_for_error(e)) is not None:
                    items.append(_item(rel, st, reason))
                continue
            try:
                _scan_dir(sub, rel + "/", depth + 1, items)
            except OSError as e:  # listing refused (no read permission on the folder)
                if (reason := _reason_for_error(e)) is not None:
                    items.append(_item(rel, st, reason))
            finally:
                os.close(sub)


@contextmanager
def open_regular(inbox: Path, rel: str) -> Iterator[tuple[int, os.stat_result]]:
    """A descriptor of the regular file at `rel` and its fstat, opened without following any link.

    Each folder on the way is opened relative to the last with O_NOFOLLOW, so a folder swapped for
    a link after the scan is refused too; O_NONBLOCK keeps a FIFO from blocking the open. `rel` is
    the stored path: a name stored with `\\xff` escapes is found again by listing its folder.
    Raises OSError (ELOOP for a link, ENOENT when gone) or NotRegularFile.
    """
    parts = rel.split("/")
    fd = os.open(inbox, _OPEN_ROOT)
    try:
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            name = _real_name(fd, part)
            nxt = os.open(name, _OPEN_FILE if last else _OPEN_DIR, dir_fd=fd)
            os.close(fd)
            fd = nxt
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFile(rel)
        yield fd, st
    finally:
        os.close(fd)


class NotRegularFile(OSError):
    """The entry at a path is no longer a regular file (a FIFO, socket, device or folder)."""


def _real_name(dir_fd: int, part: str) -> str:
    if "\\x" not in part:
        return part
    try:
        os.stat(part, dir_fd=dir_fd, follow_symlinks=False)
        return part
    except FileNotFoundError:
        pass
    with os.scandir(dir_fd) as entries:
        for entry in entries:
            if storable(entry.name) == part:
                return entry.name
    return part


def hash_fd(fd: int, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    while block := os.read(fd, chunk):
        digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class Hashed:
    """What a file held when it was hashed, from the descriptor it was read through."""

    item: InboxItem  # with size, mtime, inode and ctime of what was read, or the reason it was not
    sha256: str | None


def hash_item(inbox: Path, item: InboxItem) -> Hashed | None:
    """Open, check and hash one file from one descriptor; None when it is gone.

    A file that turned into a link, a FIFO or a socket since the scan, or that cannot be opened,
    gets its reason instead of a hash; one that changed while it was read is `still_writing`.
    """
    try:
        with open_regular(inbox, item.path) as (fd, st):
            sha = hash_fd(fd)
            after = os.fstat(fd)
    except NotRegularFile:
        return Hashed(replace(item, ignore_reason=Reason.SPECIAL_FILE), None)
    except OSError as e:
        reason = _reason_for_error(e)
        return None if reason is None else Hashed(replace(item, ignore_reason=reason), None)
    if (after.st_size, after.st_mtime_ns) != (st.st_size, st.st_mtime_ns):
        return Hashed(replace(item, ignore_reason=Reason.STILL_WRITING), None)
    return Hashed(replace(item, size=st.st_size, mtime_ns=st.st_mtime_ns, inode=st.st_ino, ctime_ns=st.st_ctime_ns), sha)


def settle(inbox: Path, items: list[InboxItem], recent: float = 5.0, wait: float = 1.0) -> list[InboxItem]:
    """Look again at files changed in the last `recent` seconds; those still changing wait.

    A file still being copied or uploaded grows between two looks. It is marked still_writing
    (recorded, not read) and read by a later run once it holds still.
    """
    now_ns = time.time_ns()
    fresh = [i for i in items if i.ignore_reason is None and now_ns - i.mtime_ns < recent * 1e9]
    if not fresh:
        return items
    time.sleep(wait)
    moving: set[str] = set()
    for item in fresh:
        try:
            st = (inbox / item.path).lstat()
        except OSError:
            moving.add(item.path)
            continue
        if (st.st_size, st.st_mtime_ns) != (item.size, item.mtime_ns):
            moving.add(item.path)
    return [replace(i, ignore_reason=Reason.STILL_WRITING) if i.path in moving else i for i in items]
