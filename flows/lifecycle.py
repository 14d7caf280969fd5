"""Prefect's embedded API server as a child that cannot outlive kipp, on a database a full output disk cannot break.

Left to itself, Prefect starts its ephemeral API (uvicorn, about 220 MB) on the first client call,
as a plain subprocess sharing kipp's stdout and stderr: after a `kill -9` of kipp it lived on and
kept `kipp run | tail` waiting. Its SQLite database sat in the output folder, where a full disk left
it half-migrated and broke every later run. So kipp starts the server itself, before the flow, and
registers it as Prefect's default ephemeral server (as Prefect's own `prefect_test_harness` does):

- The server runs in a session of its own with stdin and stdout on /dev/null and stderr in a log
  file: a pipe reader of kipp sees EOF when kipp ends, and Ctrl-C reaches kipp only (a watcher
  finishes the batch in hand on a server that is still there).
- A thread inside the server watches its parent pid; when kipp is gone, even after SIGKILL, the
  server removes the run's scratch folder and exits at once. (`PR_SET_PDEATHSIG` would fire when
  the *thread* that started the child ends, not the process, and SIGKILL leaves no time to clean.)
- The database lives in that scratch folder in the system's temporary folder, never on the output
  disk. It starts as a copy of a migrated template kept in PREFECT_HOME (`prefect-schema.db`): a
  fresh database (or an in-memory one) pays Prefect's 110 migrations on every run, 18 s on a busy
  2-core machine against 0.7 s to check a migrated copy. The template is only ever replaced whole
  (written aside, then renamed); one the server cannot start from is dropped and rebuilt.
- A run killed before it could clean up leaves a scratch folder whose lock nobody holds; the next
  run removes it.

Nothing here imports Prefect at module level: the server process imports this module too.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import closing
from pathlib import Path

log = logging.getLogger(__name__)

SCRATCH_PREFIX = "kipp-prefect-"
TEMPLATE_NAME = "prefect-schema.db"
LEGACY_DB = ("prefect.db", "prefect.db-wal", "prefect.db-shm")  # the database kipp kept in its home before
PARENT_POLL_SECONDS = 0.2
MAX_LAUNCHES = 2  # uvicorn exits 3 on a busy port and on a failed start-up alike; Prefect retries forever


class ScratchDir:
    """A folder in the system's temporary folder for one run, locked while the run lives."""

    def __init__(self) -> None:
        self.path = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX)).resolve()
        self._lock = os.open(self.path / "owner.lock", os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
        fcntl.flock(self._lock, fcntl.LOCK_EX)

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None


def remove_stale_scratch(root: Path | None = None, min_age: float = 60.0) -> list[Path]:
    """Remove scratch folders of runs that died without cleaning up (their lock is free); returns them."""
    root = Path(root or tempfile.gettempdir())
    removed = []
    for folder in root.glob(SCRATCH_PREFIX + "*"):
        lock = folder / "owner.lock"
        try:
            if not lock.exists():  # a folder being created this instant, or one left half-made long ago
                if time.time() - folder.stat().st_mtime < min_age:
                    continue
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
                continue
            fd = os.open(lock, os.O_RDWR | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # a live run holds it
        finally:
            os.close(fd)  # also lets the lock go again when it was free
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def alembic_version(db: Path) -> str | None:
    """The migration a Prefect database is at, or None when it is missing or not one."""
    if not db.is_file():
        return None
    try:
        with closing(sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)) as conn:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def seed_database(template: Path, target: Path) -> bool:
    """Start `target` as a copy of the template; False when there is no usable template."""
    if alembic_version(template) is None:
        return False
    try:
        shutil.copyfile(template, target)
    except OSError:
        target.unlink(missing_ok=True)
        return False
    return True


def save_template(source: Path, template: Path) -> bool:
    """Keep a migrated copy of `source` as the template, replacing it whole; False when it cannot be written.

    A full or read-only output disk only costs the next run its migrations.
    """
    version = alembic_version(source)
    if version is None or alembic_version(template) == version:
        return False
    aside = template.with_name(f".{template.name}.{os.getpid()}.tmp")
    try:
        aside.unlink(missing_ok=True)
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(aside)) as dst:
            src.backup(dst)  # a consistent snapshot while the server keeps writing
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        with open(aside, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(aside, template)
        return True
    except (sqlite3.Error, OSError) as e:
        log.debug("Prefect template database not saved to %s: %s", template, e)
        return False
    finally:
        aside.unlink(missing_ok=True)


def _last_line(path: Path) -> str:
    """The server's last word in its log (the exception of a failed start-up), for a one-line message."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return ""
    return lines[-1][:300] if lines else ""


def start_embedded_api(state_dir: Path):
    """Start Prefect's embedded API for this process, supervised; None when a Prefect server is configured.

    Call after `configure_prefect(state_dir)` and before the flow.
    """
    if os.environ.get("PREFECT_API_URL"):
        return None
    own_home = (state_dir / "prefect").resolve()
    home = Path(os.environ.get("PREFECT_HOME") or own_home).resolve()
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_ALLOW_EPHEMERAL_MODE

    if PREFECT_API_URL.value() or not PREFECT_SERVER_ALLOW_EPHEMERAL_MODE.value():
        return None  # a server from a profile, or none allowed: Prefect says so itself
    current = SubprocessASGIServer._instances.get(None)
    if current is not None and current.running:
        return current  # started already in this process (a second command in one test session)
    SubprocessASGIServer._instances.pop(None, None)
    server_class = _server_class(SubprocessASGIServer)
    server = server_class()
    manage_database = not os.environ.get("PREFECT_API_DATABASE_CONNECTION_URL")  # a user's own database stays theirs
    server.prepare(home, manage_database)
    if manage_database and home == own_home:  # the database kipp kept in its home before is never used again
        for name in LEGACY_DB:
            (home / name).unlink(missing_ok=True)
    server.start_supervised()
    return server


_SERVER_CLASS = None


def _server_class(base):
    """The subclass of Prefect's SubprocessASGIServer, made once Prefect is imported."""
    global _SERVER_CLASS
    if _SERVER_CLASS is None:
        _SERVER_CLASS = type("SupervisedServer", (_SupervisedMixin, base), {})
    return _SERVER_CLASS


class _SupervisedMixin:
    """Prefect's SubprocessASGIServer, launched through `_guarded_server` on a scratch database."""

    def prepare(self, home: Path, manage_database: bool) -> None:
        remove_stale_scratch()
        self.scratch = ScratchDir()  # before anything that can fail: stop() removes it
        self.template = home / TEMPLATE_NAME
        self.database = self.scratch.path / "prefect.db" if manage_database else None
        self.seeded = False
        self.launches = 0
        self.log_path = self.scratch.path / "server.log"
        if self.database is not None:
            self.seeded = seed_database(self.template, self.database)

    def start_supervised(self) -> None:
        try:
            try:
                self.start()
            except Exception:
                if not self.seeded:
                    raise
                # A template this Prefect cannot start from (half-migrated, damaged): rebuild it.
                self.template.unlink(missing_ok=True)
                self._discard_database()
                self.seeded, self.launches, self.port = False, 0, None
                self.start()
        except Exception as e:
            from models.errors import KippError
            from models.language import say

            detail = _last_line(self.log_path)
            self.stop()
            raise KippError(
                say("API Prefect lokal tidak dapat dimulai", "Prefect's local API cannot be started")
                + (f": {detail}" if detail else f" ({type(e).__name__}: {e})")
            ) from e
        if self.database is not None:
            save_template(self.database, self.template)

    def _discard_database(self) -> None:
        if self.server_process is not None and self.server_process.poll() is None:
            self.server_process.kill()
            self.server_process.wait()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.database}{suffix}").unlink(missing_ok=True)

    def _run_uvicorn_command(self) -> subprocess.Popen:
        # The command and environment of Prefect 3.7's own SubprocessASGIServer, launched through the guard.
        import prefect
        from prefect.settings import get_current_settings

        self.launches += 1
        if self.launches > MAX_LAUNCHES:
            raise RuntimeError(f"the server exited during start-up {MAX_LAUNCHES} times")
        server_env = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
        if self.database is not None:
            server_env["PREFECT_API_DATABASE_CONNECTION_URL"] = f"sqlite+aiosqlite:///{self.database}"
            # Block types are not used by kipp; registering them costs every run seconds, and Prefect's
            # memo of having done so is keyed on the database path, new for every run.
            server_env["PREFECT_SERVER_REGISTER_BLOCKS_ON_START"] = "false"
            server_env["PREFECT_SERVER_MEMOIZE_BLOCK_AUTO_REGISTRATION"] = "false"
        uvicorn_args = [
            "--app-dir", str(prefect.__module_path__.parent),
            "--factory", "prefect.server.api.server:create_app",
            "--host", "127.0.0.1", "--port", str(self.port),
            "--log-level", "error", "--lifespan", "on",
        ]
        root = str(Path(__file__).resolve().parents[1])
        # This very kipp's code, not another install's: the same folder the running kipp imports from.
        guard = (f"import sys; sys.path.insert(0, {root!r}); "
                 "from flows.lifecycle import _guarded_server; _guarded_server()")
        with open(self.log_path, "ab") as log_file:
            return subprocess.Popen(
                [sys.executable, "-c", guard, str(os.getpid()), str(self.scratch.path), *uvicorn_args],
                env={**os.environ, **get_current_settings().to_environment_variables(exclude_unset=True), **server_env},
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log_file,
                start_new_session=True,
            )

    def stop(self) -> None:
        super().stop()
        scratch = getattr(self, "scratch", None)
        if scratch is not None:
            scratch.remove()


def _guarded_server() -> None:
    """The server process: uvicorn, plus a thread that ends it and its scratch folder when kipp is gone.

    argv: parent pid, scratch folder, then uvicorn's own arguments.
    """
    import runpy

    parent, scratch, *uvicorn_args = sys.argv[1:]
    parent_pid = int(parent)

    def orphaned() -> None:
        shutil.rmtree(scratch, ignore_errors=True)
        os._exit(0)

    def watch_parent() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_POLL_SECONDS)
        orphaned()

    if os.getppid() != parent_pid:  # kipp died before we got here
        orphaned()
    threading.Thread(target=watch_parent, name="kipp-parent-watch", daemon=True).start()
    sys.argv = ["uvicorn", *uvicorn_args]
    runpy.run_module("uvicorn", run_name="__main__", alter_sys=True)
