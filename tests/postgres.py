"""A throwaway PostgreSQL cluster on loopback, for the tests that put the ledger on PostgreSQL.

One cluster per test session (per xdist worker), one fresh database per test. It runs Debian's
PostgreSQL binaries (`.ci/run` installs the `postgresql` package) as the `postgres` user when the
suite runs as root (PostgreSQL refuses root), with password authentication on 127.0.0.1 only, so a
wrong password is refused as a real server refuses it. The postmaster dies with the test process
(setpriv --pdeathsig) even after `kill -9`, and its folder goes at the end of the session, whatever failed.
Missing binaries skip these tests, unless KIPP_REQUIRE_POSTGRES=1 (CI), which fails them.

The scale-out test starts its PostgreSQL otherwise: through `kipp cluster postgres`'s own role
functions (running_postgres below), since how the product starts one is what it tests.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from flows import cluster

USER = "kipp"
PASSWORD = "rahasia-uji"
REQUIRED = os.environ.get("KIPP_REQUIRE_POSTGRES") == "1"
_BINARIES = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))


@dataclass(frozen=True, slots=True)
class Cluster:
    port: int
    _names: Iterator[int]

    def url(self, database: str, password: str = PASSWORD) -> str:
        return f"postgresql://{USER}:{password}@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A new empty database; its URL."""
        import psycopg

        name = f"ledger_{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(folder: Path) -> tuple[subprocess.Popen, Cluster]:
    bin_dir = _BINARIES[-1].parent
    # setpriv execs the program itself: as `postgres` when the suite runs as root, and for the
    # postmaster with SIGQUIT (immediate shutdown, its children too) when the test process dies.
    as_postgres = ["--reuid=postgres", "--regid=postgres", "--clear-groups"] if os.geteuid() == 0 else []
    if as_postgres:
        owner = pwd.getpwnam("postgres")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    (folder / "pw").write_text(PASSWORD)
    # ICU's root collation sorts "a" before "B": a query that forgets the ledger's byte order would
    # show here, where SQLite compares bytes.
    subprocess.run(["setpriv", *as_postgres, "--", bin_dir / "initdb", "-D", folder / "data", "-U", USER,
                    f"--pwfile={folder / 'pw'}", "--auth=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8",
                    "--locale-provider=icu", "--icu-locale=und", "--no-sync", "--no-instructions"],
                   check=True, capture_output=True)
    port = _free_port()
    with (folder / "postgres.log").open("wb") as log:
        proc = subprocess.Popen(
            ["setpriv", *as_postgres, "--pdeathsig=QUIT", "--", bin_dir / "postgres", "-D", folder / "data",
             "-p", str(port), "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={folder}",
             "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
            stdout=log, stderr=subprocess.STDOUT)
    pg = Cluster(port, itertools.count())
    _wait_ready(proc, pg, folder / "postgres.log")
    return proc, pg


def _wait_ready(proc: subprocess.Popen, pg: Cluster, log: Path) -> None:
    import psycopg

    deadline = time.monotonic() + 60
    while True:
        try:
            psycopg.connect(pg.url("postgres"), connect_timeout=2).close()
            return
        except psycopg.OperationalError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL did not start: {log.read_text(errors='replace')[-2000:]}") from None
            time.sleep(0.1)


@pytest.fixture(scope="session")
def postgres() -> Iterator[Cluster]:
    """The session's cluster (started on first use)."""
    if not _BINARIES:
        message = "PostgreSQL is not installed (CI installs the postgresql package)"
        if REQUIRED:
            pytest.fail(f"{message}, and KIPP_REQUIRE_POSTGRES=1")
        pytest.skip(message)
    folder = Path(tempfile.mkdtemp(prefix="kipp-pg-"))
    proc = None
    try:
        proc, pg = _start(folder)
        yield pg
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGINT)  # fast shutdown: the sessions a test left open are ended
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres: Cluster) -> str:
    """The URL of a fresh database of its own for one test."""
    return postgres.create_database()


# -- the cluster's own PostgreSQL, started as `kipp cluster postgres start` starts it ------------------


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
