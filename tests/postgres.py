"""A PostgreSQL of a test's own, on loopback, started and stopped by flows/cluster.py's role functions.

Skips the test when PostgreSQL or the means to run it (as root: the `postgres` user and runuser) are
missing, unless KIPP_REQUIRE_POSTGRES=1 (CI installs the postgresql package), where that is a failure.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from flows import cluster


def missing_postgres() -> str | None:
    """Why PostgreSQL cannot run here, or None."""
    binary = cluster.postgres_bin()
    if binary is None or not (binary / "initdb").exists():
        return "PostgreSQL is not installed (CI installs the postgresql package)"
    if os.geteuid() == 0:
        import pwd

        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root without a postgres user to run PostgreSQL as"
        if shutil.which("runuser") is None:
            return "running as root without runuser"
    return None


def require_postgres() -> None:
    reason = missing_postgres()
    if reason is not None:
        if os.environ.get("KIPP_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"KIPP_REQUIRE_POSTGRES=1 but {reason}")
        pytest.skip(reason)


@contextmanager
def running_postgres() -> Iterator[cluster.Postgres]:
    """A fresh PostgreSQL with a database `prefect`; stopped and its data removed afterwards, and checked gone.
    Its data lives in the system's temporary folder, which the `postgres` user can reach (pytest's own
    folders are root's alone)."""
    require_postgres()
    data = Path(tempfile.mkdtemp(prefix="kipp-pg-")) / "data"
    data.parent.chmod(0o711)  # the postgres user may pass through, not list
    try:
        info = cluster.start_postgres(data)
        yield info
    finally:
        cluster.stop_postgres(data)
        leftover = _postgres_pids(data)
        shutil.rmtree(data.parent, ignore_errors=True)
        assert not leftover, f"PostgreSQL processes left on {data}: {leftover}"


def _postgres_pids(data: Path) -> list[int]:
    """Live processes whose command line names `data` (the postmaster; its children end with it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if str(data).encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found
