"""No process outlives its run: after `kill -9` of kipp, nothing it started stays, and its stdout closes."""

from __future__ import annotations

import fcntl
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest

from flows.lifecycle import (
    SCRATCH_PREFIX,
    ScratchDir,
    alembic_version,
    remove_stale_scratch,
    save_template,
    seed_database,
)
from tests.conftest import BODY, cover, make_pdf

REPO = Path(__file__).resolve().parents[2]
SERVER_MARK = "prefect.server.api.server:create_app"
FORK_SERVER_MARK = "multiprocessing.forkserver"


def _processes_of(home: Path) -> dict[int, str]:
    """Every live process whose environment names this run's Prefect home (what kipp starts inherits it)."""
    marker = f"PREFECT_HOME={home}".encode()
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if state != "Z":  # a zombie has ended; only its parent's wait is missing
            found[int(entry.name)] = cmdline
    return found


def _flow_running(home: Path) -> dict[int, str] | None:
    """kipp's processes once the flow runs: the server is up and extraction workers read the inbox
    (forks of the fork server, with its command line: the server and at least one worker)."""
    found = _processes_of(home)
    commands = list(found.values())
    if any(SERVER_MARK in c for c in commands) and sum(FORK_SERVER_MARK in c for c in commands) >= 2:
        return found
    return None


def _wait_for(predicate, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    return predicate()


def _kipp(command: str, inbox: Path, roster: Path, out: Path, tmp: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(TMPDIR=str(tmp), KIPP_WORKERS="2", PYTHONUNBUFFERED="1")
    return subprocess.Popen(
        [sys.executable, "-m", "flows.cli", command, "--inbox", str(inbox), "--roster", str(roster), "--out", str(out)],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )


def _inbox(folder: Path, count: int) -> Path:
    units = ["SMP NEGERI 5 MALANG", "SD NEGERI SAWOJAJAR 1", "KELURAHAN BUNULREJO", "UPT PUSKESMAS KENDALKEREP"]
    for i in range(count):
        make_pdf(folder / f"kiriman_{i:02d}.pdf", [cover("PROPOSAL INOVASI", units[i % 4]), f"{BODY} nomor {i}"] * 3)
    return folder


def _assert_nothing_outlives(proc: subprocess.Popen, home: Path, tmp: Path, started: dict[int, str]) -> None:
    eof = threading.Event()

    def read_to_eof() -> None:  # `kipp run | tail`: the reader ends only when every writer of the pipe is gone
        proc.stdout.read()
        eof.set()

    proc.kill()
    proc.wait(10)
    threading.Thread(target=read_to_eof, daemon=True).start()
    try:
        assert eof.wait(15), f"kipp's stdout still open 15 s after kill -9; held by {_processes_of(home)}"
        left = _wait_for(lambda: not _processes_of(home), 15)
        assert left, f"still alive 15 s after kill -9 of kipp: {_processes_of(home)}"
        assert _wait_for(lambda: not list(tmp.glob(SCRATCH_PREFIX + "*")), 5), list(tmp.iterdir())
    finally:
        for pid in _processes_of(home):  # never leave one behind, even when the test fails
            os.kill(pid, signal.SIGKILL)
    assert any(SERVER_MARK in cmd for cmd in started.values()), started  # the server really was there


@pytest.mark.slow
def test_kill_9_of_kipp_run_while_the_flow_runs_leaves_no_process_and_closes_its_stdout(
    tmp_path: Path, roster_file: Path
) -> None:
    inbox, out, tmp = _inbox(tmp_path / "inbox", 30), tmp_path / "out", tmp_path / "tmp"
    tmp.mkdir()
    home = (out / ".kipp" / "prefect").resolve()
    proc = _kipp("run", inbox, roster_file, out, tmp)
    try:
        started = _wait_for(lambda: _flow_running(home), 180)
        assert started and proc.poll() is None, f"the run never reached its flow: {started}, exit {proc.poll()}"
    except BaseException:
        proc.kill()
        raise
    _assert_nothing_outlives(proc, home, tmp, started)


@pytest.mark.slow
def test_kill_9_of_kipp_watch_once_ready_leaves_no_process_and_closes_its_stdout(
    tmp_path: Path, roster_file: Path
) -> None:
    inbox, out, tmp = _inbox(tmp_path / "inbox", 4), tmp_path / "out", tmp_path / "tmp"
    tmp.mkdir()
    home = (out / ".kipp" / "prefect").resolve()
    proc = _kipp("watch", inbox, roster_file, out, tmp)
    try:
        lines = []
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            line = proc.stdout.readline().decode()
            lines.append(line)
            if not line or line.startswith("Mengawasi"):
                break
        assert lines[-1].startswith("Mengawasi"), "".join(lines)
    except BaseException:
        proc.kill()
        raise
    _assert_nothing_outlives(proc, home, tmp, _processes_of(home))


# -- the pieces, without Prefect ------------------------------------------------------------------


def test_a_scratch_folder_is_removed_only_once_its_run_is_gone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)  # tempfile caches the folder it chose
    live = ScratchDir()
    dead = tmp_path / f"{SCRATCH_PREFIX}dead"
    dead.mkdir()
    (dead / "owner.lock").touch()  # a run killed with kill -9 let its lock go
    (dead / "prefect.db").write_bytes(b"x" * 1000)
    assert live.path.parent == tmp_path.resolve()
    assert remove_stale_scratch(tmp_path) == [dead]
    assert live.path.is_dir() and not dead.exists()
    with open(live.path / "owner.lock") as fh:  # the live one is still locked
        with pytest.raises(BlockingIOError):
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    live.remove()
    assert not live.path.exists()


def _prefect_like_db(path: Path, version: str) -> Path:
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE alembic_version (version_num TEXT)")
        conn.execute("INSERT INTO alembic_version VALUES (?)", (version,))
        conn.execute("CREATE TABLE flow_run (id TEXT)")
        conn.commit()
    return path


def test_the_template_database_is_replaced_whole_and_only_when_its_migration_changes(tmp_path: Path) -> None:
    template = tmp_path / "home" / "prefect-schema.db"
    template.parent.mkdir()
    source = _prefect_like_db(tmp_path / "run.db", "aaa111")
    assert save_template(source, template)
    assert alembic_version(template) == "aaa111"
    assert not save_template(source, template)  # same migration: left as it is
    assert sorted(p.name for p in template.parent.iterdir()) == ["prefect-schema.db"]  # no -wal, no temporary file
    copy = tmp_path / "next-run.db"
    assert seed_database(template, copy) and alembic_version(copy) == "aaa111"


def test_a_damaged_template_is_not_used_and_a_full_disk_leaves_the_old_one(tmp_path: Path) -> None:
    template = tmp_path / "prefect-schema.db"
    template.write_bytes(b"SQLite format 3\0" + b"\xff" * 100)  # cut short by a full disk in an older kipp
    assert not seed_database(template, tmp_path / "run.db")
    assert not (tmp_path / "run.db").exists()
    # A template that cannot be written (here: its folder is gone) costs the next run its migrations, nothing else.
    source = _prefect_like_db(tmp_path / "source.db", "bbb222")
    assert not save_template(source, tmp_path / "missing" / "prefect-schema.db")
