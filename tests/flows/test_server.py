"""The local Prefect server (flows/server.py): started once in the background, reused, replaced when it died,
stopped with nothing left behind. Each test has a server home of its own in tmp_path and stops what it started."""

from __future__ import annotations

import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from flows import server
from flows.cli import main
from models.errors import InputError
from tests.conftest import BODY, cover, make_pdf

REPO = Path(__file__).resolve().parents[2]


def _marked(home: Path) -> list[int]:
    """Live processes that carry the server mark of `home` in their environment."""
    mark = f"{server.MARK}={home}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if mark not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            if (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                continue
        except OSError:
            continue
        found.append(int(entry.name))
    return found


@pytest.fixture
def home(tmp_path: Path):
    """A server home of the test's own; whatever server ran there is stopped, and checked gone, afterwards."""
    path = (tmp_path / "server-home").resolve()
    yield path
    server.stop_server(path) if path.is_dir() else None
    for pid in _marked(path):  # never leave one behind, even when the test failed half-way
        os.killpg(pid, signal.SIGKILL)
    assert not _marked(path)


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "KIPP_"))}
    env.update(KIPP_SERVER_HOME=str(home), KIPP_WORKERS="1", **extra)
    return env


def _kipp(env: dict[str, str], *args: str, background: bool = False):
    command = [sys.executable, "-m", "flows.cli", *args]
    if background:
        return subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False)


def _run_args(inbox: Path, roster: Path, out: Path) -> list[str]:
    return ["run", "--inbox", str(inbox), "--roster", str(roster), "--out", str(out)]


# -- without a server ------------------------------------------------------------------------------------


def test_kipp_prefect_takes_server_or_ephemeral_and_names_itself_otherwise() -> None:
    assert server.prefect_mode({}) == "server"
    assert server.prefect_mode({"KIPP_PREFECT": " Ephemeral "}) == "ephemeral"
    with pytest.raises(InputError, match="KIPP_PREFECT='embedded'"):
        server.prefect_mode({"KIPP_PREFECT": "embedded"})


def test_the_server_home_is_the_users_unless_kipp_server_home_says_otherwise(tmp_path: Path) -> None:
    assert server.server_home({"HOME": str(tmp_path)}) == tmp_path / ".local" / "state" / "kipp" / "prefect-server"
    assert server.server_home({"HOME": "/x", "XDG_STATE_HOME": str(tmp_path)}) == tmp_path / "kipp" / "prefect-server"
    assert server.server_home({"HOME": "/x", "KIPP_SERVER_HOME": str(tmp_path / "h")}) == tmp_path / "h"


def test_a_stale_record_never_stops_a_process_that_is_not_the_server(home: Path) -> None:
    """The pid in server.json may have been reused by another process: kipp leaves that one alone."""
    other = subprocess.Popen(["sleep", "60"])
    try:
        home.mkdir(parents=True)
        record = {"pid": other.pid, "port": 1, "url": "http://127.0.0.1:1/api", "home": str(home), "started": 0,
                  "prefect": "3"}
        (home / server.STATE_NAME).write_text(json.dumps(record), encoding="utf-8")
        assert server.read_state(home).pid == other.pid
        assert not server.is_ours(other.pid, home)
        assert server.running(home) is None
        assert server.stop_server(home) is None
        assert other.poll() is None  # still running
        assert not (home / server.STATE_NAME).exists()  # the stale record is gone
    finally:
        other.kill()
        other.wait()


def test_stop_ends_the_servers_whole_process_group_even_a_member_that_ignores_sigterm(home: Path) -> None:
    """A stand-in for the server (its mark in its environment, a session of its own) with a child that
    ignores SIGTERM: stop sends SIGTERM, then SIGKILL to what is left, and nothing of the group remains."""
    home.mkdir(parents=True)
    ready = home / "ignoring"
    stubborn = (f"import signal, time, pathlib; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                f"pathlib.Path({str(ready)!r}).touch(); time.sleep(60)")
    fake = subprocess.Popen(["sh", "-c", f'{sys.executable} -c "{stubborn}" & sleep 60'], start_new_session=True,
                            env={**os.environ, server.MARK: str(home)})
    try:
        assert _wait(lambda: len(_marked(home)) == 3 and ready.exists(), 10), _marked(home)  # sh, python, sleep
        record = {"pid": fake.pid, "port": 1, "url": "http://127.0.0.1:1/api", "home": str(home), "started": 0,
                  "prefect": "3"}
        (home / server.STATE_NAME).write_text(json.dumps(record), encoding="utf-8")
        start = time.monotonic()
        stopped = server.stop_server(home, timeout=0.5)
        assert stopped is not None and stopped.pid == fake.pid
        assert 0.5 <= time.monotonic() - start < 5  # SIGTERM did not end the stubborn one: SIGKILL did
        fake.wait(5)
        assert not _marked(home) and not server.group_members(fake.pid)
    finally:
        for pid in _marked(home):
            os.kill(pid, signal.SIGKILL)


def test_health_is_false_fast_for_a_closed_port_and_for_a_server_that_is_not_prefect() -> None:
    class NotPrefect(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<html>hello</html>"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), NotPrefect)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        port = httpd.server_address[1]
        start = time.monotonic()
        assert not server.healthy(f"http://127.0.0.1:{port}/api")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            closed = s.getsockname()[1]
        assert not server.healthy(f"http://127.0.0.1:{closed}/api")
        assert time.monotonic() - start < 2 * server.HEALTH_TIMEOUT + 0.5
        # The port recorded before is taken by that other server: a free one is chosen instead.
        assert server._free_port(port) not in (port, 0)
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_server_that_does_not_answer_in_time_is_one_clear_line_and_leaves_no_process(home: Path) -> None:
    home.mkdir(parents=True)
    (home / server.LOG_NAME).write_bytes(b"old\n" * (server.LOG_KEEP // 4 + 1))  # a log grown past its size
    with pytest.raises(server.ServerError, match=r"did not answer at http://127\.0\.0\.1:\d+/api within 0 s; see "), \
            _english():
        server._start(home, None, None, timeout=0.2)
    assert not _marked(home)
    assert not (home / server.STATE_NAME).exists()
    # The grown log was set aside whole; the new one starts with this launch.
    assert (home / (server.LOG_NAME + ".1")).stat().st_size > server.LOG_KEEP
    assert "kipp starts the server on port" in (home / server.LOG_NAME).read_text(encoding="utf-8")
    assert (home / server.LOG_NAME).stat().st_size < 10_000


def test_kipp_serve_with_the_embedded_server_stops_with_one_line_saying_what_to_start(
    tmp_path: Path, roster_file: Path
) -> None:
    (tmp_path / "inbox").mkdir()
    result = CliRunner().invoke(main, ["serve", "--inbox", str(tmp_path / "inbox"), "--roster", str(roster_file),
                                       "--out", str(tmp_path / "out")], env={"KIPP_PREFECT": "ephemeral"})
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        ("kipp: kipp serve perlu server Prefect yang terus berjalan: hapus KIPP_PREFECT=ephemeral (kipp memulai server "
         "lokalnya) atau setel PREFECT_API_URL ke server Anda")]


def test_a_users_prefect_api_url_that_does_not_answer_is_one_line_and_no_server_is_started(
    tmp_path: Path, roster_file: Path, home: Path
) -> None:
    make_pdf(tmp_path / "inbox" / "a.pdf", [cover("PROPOSAL INOVASI", "SMP NEGERI 5 MALANG"), BODY])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    url = f"http://127.0.0.1:{closed}/api"
    result = CliRunner().invoke(main, _run_args(tmp_path / "inbox", roster_file, tmp_path / "out"),
                                env={"PREFECT_API_URL": url, "KIPP_PREFECT": "server", "KIPP_SERVER_HOME": str(home)})
    assert result.exit_code == 1, result.output
    assert f"server Prefect di {url} (PREFECT_API_URL) tidak menjawab" in result.output
    assert not (home / server.STATE_NAME).exists() and not _marked(home)


def test_kipp_server_status_and_stop_when_nothing_runs(home: Path) -> None:
    env = {"KIPP_SERVER_HOME": str(home), "KIPP_PREFECT": "server", "PREFECT_API_URL": ""}
    status = CliRunner().invoke(main, ["--lang", "en", "server", "status"], env=env)
    assert status.exit_code == 0
    assert status.output == f"local Prefect server: not running (home {home}); kipp run starts it\n"
    stop = CliRunner().invoke(main, ["--lang", "en", "server", "stop"], env=env)
    assert stop.output == f"the local Prefect server is not running ({home})\n"


class _english:
    def __enter__(self):
        from models.language import use_language

        self._cm = use_language("en")
        return self._cm.__enter__()

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)


# -- with a real server ----------------------------------------------------------------------------------


def _flow_runs(url: str) -> list[dict]:
    import httpx

    response = httpx.post(f"{url}/flow_runs/filter", json={"limit": 50}, timeout=10)
    response.raise_for_status()
    return response.json()


@pytest.mark.slow
def test_one_server_serves_two_output_folders_at_once_survives_its_death_and_stops_with_nothing_left(
    tmp_path: Path, roster_file: Path, home: Path
) -> None:
    """Slow (a real Prefect server, started twice, and four kipp runs: about a minute on 2 cores). Two runs
    on two output folders started together with no server start exactly one; each run is a flow run that
    server shows; a server killed with -9 whose port something else took meanwhile is replaced, in one
    line, on another port; `kipp server stop` leaves no process."""
    inbox = tmp_path / "inbox"
    make_pdf(inbox / "SMPN 5 inovasi.pdf", [cover("PROPOSAL INOVASI", "SMP NEGERI 5 MALANG"), BODY])
    env = _env(home)
    first = [_kipp(env, *_run_args(inbox, roster_file, tmp_path / name), background=True) for name in ("a", "b")]
    outputs = [proc.communicate(timeout=300) + (proc.returncode,) for proc in first]
    for stdout, stderr, code in outputs:
        assert code == 0, stdout + stderr
        assert stderr == ""
        assert "1 berkas di kotak masuk, 1 baru dibaca" in stdout
    started = [line for stdout, _, _ in outputs for line in stdout.splitlines() if "server Prefect lokal dimulai" in line]
    assert len(started) == 1, started  # the second run waited for the first one's server and used it
    info = server.read_state(home)
    assert _marked(home) == [info.pid]
    runs = _flow_runs(info.url)
    assert sorted((r["name"] is not None, r["state_type"]) for r in runs) == [(True, "COMPLETED")] * 2
    assert {r["parameters"]["out"] for r in runs} == {str(tmp_path / "a"), str(tmp_path / "b")}

    status = _kipp(env, "--lang", "en", "server", "status")
    assert f"  URL: {info.url}\n  pid: {info.pid}\n  home: {home}\n  uptime: " in status.stdout

    # The server dies, and a process that is not a Prefect server listens on the port it had (here the
    # record is pointed at the squatter's port: the old port itself lingers in the kernel for a while).
    os.killpg(info.pid, signal.SIGKILL)
    assert _wait(lambda: not _marked(home), 10)
    squatter = socket.socket()
    squatter.bind(("127.0.0.1", 0))
    squatter.listen()
    record = json.loads((home / server.STATE_NAME).read_text(encoding="utf-8"))
    (home / server.STATE_NAME).write_text(json.dumps({**record, "port": squatter.getsockname()[1]}), encoding="utf-8")
    info = server.read_state(home)
    try:
        again = _kipp(env, *_run_args(inbox, roster_file, tmp_path / "a"))
    finally:
        squatter.close()
    assert again.returncode == 0, again.stdout + again.stderr
    assert [line for line in again.stdout.splitlines() if "server Prefect lokal" in line] == [
        line for line in again.stdout.splitlines() if line.startswith("kipp: server Prefect lokal dimulai di http://")]
    assert len([line for line in again.stdout.splitlines() if "server Prefect lokal" in line]) == 1
    new = server.read_state(home)
    assert new.pid != info.pid and new.port != info.port
    assert _marked(home) == [new.pid]

    # A rerun with the server up starts nothing and says nothing about it.
    rerun = _kipp(env, *_run_args(inbox, roster_file, tmp_path / "a"))
    assert rerun.returncode == 0 and "server Prefect" not in rerun.stdout, rerun.stdout + rerun.stderr
    assert server.read_state(home).pid == new.pid

    stop = _kipp(env, "--lang", "en", "server", "stop")
    assert stop.stdout == f"local Prefect server stopped (pid {new.pid}, {new.url})\n"
    assert not _marked(home)
    assert not server.healthy(new.url)


def _wait(predicate, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_a_server_home_that_cannot_be_made_is_one_line_naming_it_and_the_way_out(tmp_path: Path, roster_file: Path) -> None:
    make_pdf(tmp_path / "inbox" / "a.pdf", [cover("PROPOSAL INOVASI", "SMP NEGERI 5 MALANG"), BODY])
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    home = tmp_path / "a-file" / "server"
    result = CliRunner().invoke(main, ["--lang", "en", *_run_args(tmp_path / "inbox", roster_file, tmp_path / "out")],
                                env={"KIPP_PREFECT": "server", "KIPP_SERVER_HOME": str(home), "PREFECT_API_URL": ""})
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        f"kipp: {home}: the local Prefect server's home cannot be used (Not a directory); set KIPP_SERVER_HOME to "
        "another folder, or KIPP_PREFECT=ephemeral")


def test_a_flow_run_kipp_starts_sends_no_heartbeat_unless_the_user_set_its_frequency(monkeypatch) -> None:
    """The heartbeat thread made every run wait up to 1 s at its end (flows/prefect_env.py)."""
    from prefect.settings import get_current_settings

    from flows.prefect_env import HEARTBEAT_VARIABLES, flow_run_settings

    for name in HEARTBEAT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    before = get_current_settings()
    assert before.flows.heartbeat_frequency is not None  # Prefect's default: 180 s
    with flow_run_settings():
        inside = get_current_settings()
        assert inside.flows.heartbeat_frequency is None
        assert inside.api.url == before.api.url and inside.flows.default_retries == before.flows.default_retries
    assert get_current_settings().flows.heartbeat_frequency == before.flows.heartbeat_frequency
    monkeypatch.setenv("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", "45")
    with flow_run_settings():
        assert get_current_settings().flows.heartbeat_frequency == before.flows.heartbeat_frequency


def test_the_drain_progress_of_prefects_workers_is_quiet_and_their_other_warnings_are_not(tmp_path: Path) -> None:
    import logging

    from flows.prefect_env import configure_prefect

    before = set(os.environ)
    try:
        configure_prefect(tmp_path / "state")
    finally:
        for key in set(os.environ) - before:  # what it added to the environment goes with the test
            os.environ.pop(key)
    for name in ("EventsWorker", "APILogWorker"):
        logger = logging.getLogger(name)
        assert not logger.filter(logger.makeRecord(name, logging.WARNING, __file__, 1,
                                                   "Still processing items: 6 items remaining...", (), None))
        assert logger.filter(logger.makeRecord(name, logging.WARNING, __file__, 1,
                                               "Service %r queue is full (%d items), dropping item", ("x", 3), None))


def test_the_modules_of_a_run_are_frozen_out_of_the_collector_once_and_the_collector_stays_on() -> None:
    """gc.freeze after the imports: 0.4-0.8 s of collections less in a run with nothing new."""
    import gc

    import flows.prefect_env as prefect_env

    frozen = prefect_env._FROZEN
    try:
        prefect_env._FROZEN = False
        gc.unfreeze()
        with prefect_env.imports_frozen():
            assert not gc.isenabled()
            made = [[] for _ in range(1000)]  # noqa: F841  (objects the "imports" made, alive afterwards)
        assert gc.isenabled() and gc.get_freeze_count() >= 1000
        count = gc.get_freeze_count()
        with prefect_env.imports_frozen():  # the second command of a process: nothing frozen again
            assert gc.isenabled()
            later = [[] for _ in range(1000)]  # noqa: F841
        assert gc.get_freeze_count() == count
    finally:
        gc.unfreeze()  # the test session's objects stay collectable
        prefect_env._FROZEN = frozen
