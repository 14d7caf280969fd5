"""Where reports go: the output folder checked before a run, and every file replaced atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from models.errors import OutputError, os_reason
from models.language import say


def write_atomic(path: Path, data: str | bytes, encoding: str = "utf-8") -> None:
    """Write, then rename: a reader sees the old report or the new one, never half of one.

    A failure (a full disk, a read-only folder) leaves the previous report as it was and raises
    OutputError naming the file.
    """
    if isinstance(data, str):
        data = data.encode(encoding)
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; reports are for everyone who may read the folder
        os.replace(tmp, path)
    except BaseException as e:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        if isinstance(e, OSError):
            raise OutputError(say(f"{path}: laporan tidak dapat ditulis: {os_reason(e)}; laporan sebelumnya tetap utuh",
                                  f"{path}: the report cannot be written: {os_reason(e)}; the earlier reports stay "
                                  "whole")) from e
        raise


# Virtual file systems of the kernel: writing reports there fails or makes no sense.
_VIRTUAL_FS = {"proc", "sysfs", "devtmpfs", "devpts", "cgroup", "cgroup2", "debugfs", "tracefs", "securityfs",
               "configfs", "pstore", "bpf", "efivarfs", "binfmt_misc", "fusectl", "mqueue", "hugetlbfs", "autofs"}
MIN_FREE_MB = 10  # the ledger, the reports and Prefect's own database need room to grow


def check_output_folder(out: Path, min_free_mb: int = MIN_FREE_MB) -> None:
    """Refuse an output folder kipp cannot write, before anything is written; create it when new.

    One OutputError naming the folder and the reason: a file, a kernel file system (/proc, /sys),
    read-only, no permission, or a disk with less than `min_free_mb` free.
    """
    if out.exists() and not out.is_dir():
        raise OutputError(say(f"{out}: adalah berkas, bukan folder; --out harus sebuah folder",
                              f"{out}: is a file, not a folder; --out must be a folder"))
    mount, fstype = _mount_of(out)
    if fstype in _VIRTUAL_FS:
        raise OutputError(say(f"{out}: berada di {mount} ({fstype}), sistem berkas semu milik kernel, bukan disk; "
                              "pilih folder lain untuk --out",
                              f"{out}: lies in {mount} ({fstype}), a virtual file system of the kernel, not a disk; "
                              "choose another folder for --out"))
    try:
        out.mkdir(parents=True, exist_ok=True)
        stat = os.statvfs(out)
        free = stat.f_bavail * stat.f_frsize
        if free < min_free_mb * 2**20:
            raise OutputError(say(f"{out}: disk hampir penuh (sisa {free / 2**20:.1f} MB, perlu paling sedikit "
                                  f"{min_free_mb} MB); kosongkan ruang disk lalu ulangi; laporan sebelumnya tetap utuh",
                                  f"{out}: the disk is almost full ({free / 2**20:.1f} MB left, at least "
                                  f"{min_free_mb} MB needed); free some disk space and try again; the earlier "
                                  "reports stay whole"))
        fd, probe = tempfile.mkstemp(dir=out, prefix=".kipp-probe-")
        try:
            os.write(fd, b"kipp")
        finally:
            os.close(fd)
            os.unlink(probe)
    except OSError as e:
        raise OutputError(say(f"{out}: folder keluaran tidak dapat ditulis: {os_reason(e)}",
                              f"{out}: the output folder cannot be written: {os_reason(e)}")) from e


def _mount_of(path: Path) -> tuple[str, str]:
    """The mount point holding `path` (or the nearest folder above it that exists) and its file system type."""
    target = path.absolute()
    while not target.exists() and target != target.parent:
        target = target.parent
    target = target.resolve()
    best, fstype = "/", ""
    try:
        with open("/proc/self/mounts", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                fields = line.split()
                if len(fields) < 3:
                    continue
                point = fields[1].replace("\\040", " ")
                if (target == Path(point) or Path(point) in target.parents) and len(point) >= len(best):
                    best, fstype = point, fields[2]
    except OSError:
        pass  # not Linux: the probe write below still refuses what cannot be written
    return best, fstype
