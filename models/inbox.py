"""What is in the inbox: every file, with the ones never to be read marked as such."""

from __future__ import annotations

import os
import stat
import time
from dataclasses import replace
from pathlib import Path

from models.records import InboxItem, Reason

SYSTEM_FILES = frozenset({".ds_store", "thumbs.db", "desktop.ini", "icon\r"})
PARTIAL_SUFFIXES = (".crdownload", ".part", ".partial", ".tmp", ".download", ".opdownload")


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


def scan_inbox(inbox: Path) -> list[InboxItem]:
    """Every regular file under the inbox, sorted by path; the inbox itself is only read."""
    items: list[InboxItem] = []
    for root, dirs, files in os.walk(inbox, followlinks=False):
        dirs.sort()
        for name in sorted(files):
            full = Path(root) / name
            try:
                st = full.lstat()
            except FileNotFoundError:
                continue  # removed between listing and looking: it was never received
            rel = full.relative_to(inbox).as_posix()
            if rel == ".gitkeep":
                continue
            # A link may point anywhere on the machine; no byte outside the inbox is ever read.
            reason = Reason.SYMLINK if stat.S_ISLNK(st.st_mode) else ignore_reason(rel)
            items.append(InboxItem(rel, st.st_size, st.st_mtime_ns, reason))
    return sorted(items, key=lambda item: item.path)


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
        except FileNotFoundError:
            moving.add(item.path)
            continue
        if (st.st_size, st.st_mtime_ns) != (item.size, item.mtime_ns):
            moving.add(item.path)
    return [replace(i, ignore_reason=Reason.STILL_WRITING) if i.path in moving else i for i in items]
