"""A local Prefect server that the first `kipp run` starts in the background and every later kipp command reuses.

Prefect's embedded (ephemeral) server costs every invocation 10-17 s to start on 2 busy cores; a
server that keeps running costs a rerun one HTTP request. So, unless the user points kipp at a
Prefect server of their own (PREFECT_API_URL) or asks for the old behaviour (KIPP_PREFECT=ephemeral):

- One server per user, in a directory of the user's (`$KIPP_SERVER_HOME`, else
  `$XDG_STATE_HOME/kipp/prefect-server`, else `~/.local/state/kipp/prefect-server`), not one per
  output folder: every output folder and edition uses the same server (each run is a flow run of its
  own, concurrent runs included), one ~220 MB process instead of one per folder, one place a Prefect
  UI shows every run, and `kipp server status|stop` need no --out. Its database is not on the
  output disk, where a full disk or a network share breaks SQLite (see flows/lifecycle.py).
- The home holds `server.json` (pid, port, URL, start time, Prefect version), `server.log` (the
  server's stderr: Prefect's noise stays there), `prefect.db` and `server.lock`.
- The server runs detached: a session and process group of its own, stdin and stdout on /dev/null,
  stderr in the log. Ctrl-C of kipp never reaches it; `kipp run | tail` ends with kipp.
- Reuse costs a GET of /api/health (short timeout) and a look at the recorded pid. A server that
  died, was killed, hangs (no answer for 15 s, under the lock), is of another Prefect version, or
  whose port now answers for another process is replaced: a new one is started (one line says so) under the lock, so that two kipp
  commands started together (two output folders, say) start one server, not two.
- The port is the one recorded before when it is free (a URL bookmarked in a UI stays valid), else
  one the system hands out; a port taken meanwhile costs one more try.

Nothing here imports Prefect: the health check and the start must not pay for its import.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from models.errors import InputError, KippError
from models.language import say

STATE_NAME = "server.json"
LOG_NAME = "server.log"
LOCK_NAME = "server.lock"
LOG_KEEP = 1_000_000  # bytes of server.log before it is set aside as server.log.1
DB_NAME = "prefect.db"
MARK = "KIPP_PREFECT_SERVER"  # in the server's environment: how kipp knows a pid is its server and not a reused pid
HEALTH_TIMEOUT = 0.5  # seconds for one GET /api/health; a live server on this machine answers in milliseconds
HUNG_AFTER = 15.0  # seconds a live server of kipp's may leave its health check unanswered before it is replaced
STARTUP_TIMEOUT = 120.0  # the first start migrates a new database: ~20 s on 2 busy cores
STOP_TIMEOUT = 10.0
LAUNCHES = 3  # a port taken between choosing it and binding it costs one more launch
MODES = ("server", "ephemeral")

_CHILDREN: dict[int, subprocess.Popen] = {}  # servers this very process started: reaped when stopped
_URL_SET: str | None = None  # the PREFECT_API_URL kipp itself put in the environment (not the user's)


class ServerError(KippError):
    """The local Prefect server cannot be started, or a configured one does not answer."""


@dataclass(frozen=True)
class ServerInfo:
    pid: int
    port: int
    url: str  # the API's URL, as PREFECT_API_URL takes it
    home: str
    started: float  # time.time() when it answered first
    prefect: str  # Prefect's version that started it

    @property
    def uptime(self) -> float:
        return max(0.0, time.time() - self.started)


def prefect_mode(env: dict[str, str] | None = None) -> str:
    """KIPP_PREFECT: `server` (the default, a background server reused by every command) or `ephemeral`
    (Prefect's embedded server started and stopped by each command, as before)."""
    env = os.environ if env is None else env
    value = env.get("KIPP_PREFECT", "").strip().lower() or "server"
    if value not in MODES:
        raise InputError(say(f"KIPP_PREFECT={env['KIPP_PREFECT']!r}: harus server atau ephemeral (lihat README, Settings)",
                             f"KIPP_PREFECT={env['KIPP_PREFECT']!r}: must be server or ephemeral (see README, Settings)"))
    return value


def server_home(env: dict[str, str] | None = None) -> Path:
    """The local server's directory (see the module's docstring)."""
    env = os.environ if env is None else env
    if env.get("KIPP_SERVER_HOME", "").strip():
        return Path(env["KIPP_SERVER_HOME"].strip()).expanduser().resolve()
    state = env.get("XDG_STATE_HOME", "").strip() or str(Path(env.get("HOME") or Path.home()) / ".local" / "state")
    return (Path(state).expanduser() / "kipp" / "prefect-server").resolve()


# -- looking -------------------------------------------------------------------------------------------


def healthy(url: str, timeout: float = HEALTH_TIMEOUT) -> bool:
    """True when a Prefect API answers its health check at `url` (…/api) within `timeout` seconds."""
    import httpx

    try:
        response = httpx.get(url.rstrip("/") + "/health", timeout=timeout)
    except (httpx.HTTPError, OSError):
        return False
    return response.status_code == 200 and response.text.strip() == "true"


def read_state(home: Path) -> ServerInfo | None:
    """What server.json says, or None when it is missing or not one kipp wrote."""
    try:
        data = json.loads((home / STATE_NAME).read_text(encoding="utf-8"))
        return ServerInfo(**{k: data[k] for k in ServerInfo.__dataclass_fields__})
    except (OSError, ValueError, KeyError, TypeError):
        return None


def is_ours(pid: int, home: Path) -> bool:
    """True when `pid` is alive and is the server kipp started for `home` (not a pid the system reused)."""
    _reap()
    if not Path("/proc/self").is_dir():  # no /proc (not Linux): alive is all that can be told
        try:
            os.kill(pid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    if stat.rsplit(")", 1)[1].split()[0] == "Z":
        return False
    return f"{MARK}={home}".encode() in environ


def running(home: Path) -> ServerInfo | None:
    """The server recorded in `home`, when it is kipp's, alive and answering; else None."""
    info = read_state(home)
    if info is None or not is_ours(info.pid, home) or not healthy(info.url):
        return None
    return info


def group_members(pgid: int) -> list[int]:
    """Live processes of process group `pgid` (zombies excluded: they have ended)."""
    if not Path("/proc/self").is_dir():
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return []
        return [pgid]
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


# -- starting and stopping ---------------------------------------------------------------------------------


@contextmanager
def _locked(home: Path, timeout: float):
    """The home's lock, held while a server is looked at, started or stopped."""
    home.mkdir(parents=True, exist_ok=True)
    fd = os.open(home / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise ServerError(say(f"server Prefect lokal di {home} sedang dimulai atau dihentikan oleh proses "
                                          f"lain lebih dari {timeout:.0f} detik",
                                          f"the local Prefect server in {home} has been starting or stopping in "
                                          f"another process for more than {timeout:.0f} s")) from None
                time.sleep(0.1)
        yield
    finally:
        os.close(fd)


def ensure_server(home: Path, seed: Path | None = None, announce=None,
                  startup_timeout: float = STARTUP_TIMEOUT) -> ServerInfo:
    """The running local server of `home`, started when there is none that answers.

    seed: a migrated Prefect database (the embedded server's template) to start a new database from.
    announce: called with one line when a server is started.
    """
    info = running(home)
    if info is not None and info.prefect == _prefect_version():
        return info
    with _locked(home, startup_timeout + STOP_TIMEOUT + 10):
        info = running(home)  # another command may have started it while this one waited
        if info is not None and info.prefect == _prefect_version():
            return info
        previous = read_state(home)
        if previous is not None and previous.prefect == _prefect_version() and is_ours(previous.pid, home):
            # Alive but slow to answer (a busy machine, another run's big write): given time before it is
            # taken for hung, since replacing it would break the runs that use it now.
            deadline = time.monotonic() + HUNG_AFTER
            while time.monotonic() < deadline and is_ours(previous.pid, home):
                if healthy(previous.url, timeout=2.0):
                    return previous
                time.sleep(0.5)
        _stop_unlocked(home)  # a hung server, one of another Prefect, or a stale record
        info = _start(home, seed, previous.port if previous else None, startup_timeout)
    if announce is not None:
        announce(say(f"kipp: server Prefect lokal dimulai di {info.url} (pid {info.pid}); dipakai lagi oleh perintah "
                     "berikutnya, `kipp server stop` untuk menghentikannya",
                     f"kipp: local Prefect server started at {info.url} (pid {info.pid}); later commands reuse it, "
                     "`kipp server stop` ends it"))
    return info


def stop_server(home: Path, timeout: float = STOP_TIMEOUT) -> ServerInfo | None:
    """Stop the local server of `home` and every process of its group; returns what was stopped."""
    if not home.is_dir():
        return None
    with _locked(home, STARTUP_TIMEOUT + timeout + 10):
        return _stop_unlocked(home, timeout)


def _stop_unlocked(home: Path, timeout: float = STOP_TIMEOUT) -> ServerInfo | None:
    info = read_state(home)
    (home / STATE_NAME).unlink(missing_ok=True)
    if info is None or not is_ours(info.pid, home):
        return None
    _end_group(info.pid, timeout)
    return info


def _end_group(pgid: int, timeout: float) -> None:
    """SIGTERM to the group (uvicorn shuts down cleanly), SIGKILL to whatever is left after `timeout`."""
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(pgid, sig)
        except (ProcessLookupError, PermissionError):
            pass
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            _reap()
            if not group_members(pgid):
                return
            time.sleep(0.05)


def _reap() -> None:
    for pid, proc in list(_CHILDREN.items()):
        if proc.poll() is not None:
            del _CHILDREN[pid]


def _prefect_version() -> str:
    from importlib.metadata import version

    return version("prefect")


def _free_port(preferred: int | None) -> int:
    """`preferred` when nothing listens there, else a port the system hands out."""
    for port in ([preferred] if preferred else []) + [0]:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds: a port in TIME_WAIT is free
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise ServerError(say("tidak ada port bebas di 127.0.0.1", "no free port on 127.0.0.1"))


def _server_env(home: Path) -> dict[str, str]:
    """The server's environment: the user's, without their Prefect settings (which are for their own
    servers), and with kipp's: its home and database here, quiet, no analytics, no UI."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update({
        MARK: str(home),
        "PREFECT_HOME": str(home),
        "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{home / DB_NAME}",
        "PREFECT_MEMO_STORE_PATH": str(home / "memo_store.toml"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "PREFECT_SERVER_LOGGING_LEVEL": "WARNING",
        # Block types are not used by kipp; registering them costs a start seconds.
        "PREFECT_SERVER_REGISTER_BLOCKS_ON_START": "false",
        "PREFECT__SERVER_FINAL": "1",
    })
    return env


def _start(home: Path, seed: Path | None, preferred_port: int | None, timeout: float) -> ServerInfo:
    """Start a server for `home` and wait until it answers; call with the lock held."""
    from flows.lifecycle import alembic_version, seed_database

    database = home / DB_NAME
    if alembic_version(database) is None and seed is not None:
        seed_database(seed, database)  # a migrated copy: the first start skips Prefect's 110 migrations
    log_path = home / LOG_NAME
    port, deadline, detail = preferred_port, time.monotonic() + timeout, ""
    for launch in range(LAUNCHES):
        port = _free_port(port if launch == 0 else None)
        url = f"http://127.0.0.1:{port}/api"
        proc = _popen(home, port, log_path)
        while True:
            if healthy(url):
                info = ServerInfo(pid=proc.pid, port=port, url=url, home=str(home), started=time.time(),
                                  prefect=_prefect_version())
                aside = home / f".{STATE_NAME}.{os.getpid()}.tmp"
                aside.write_text(json.dumps(asdict(info), indent=2) + "\n", encoding="utf-8")
                os.replace(aside, home / STATE_NAME)
                return info
            if proc.poll() is not None:  # exited: a port taken meanwhile, or a failed start-up
                _CHILDREN.pop(proc.pid, None)
                detail = _last_line(log_path)
                break
            if time.monotonic() > deadline:
                _end_group(proc.pid, STOP_TIMEOUT)
                raise ServerError(say(
                    f"server Prefect lokal tidak menjawab di {url} dalam {timeout:.0f} detik; lihat {log_path}",
                    f"the local Prefect server did not answer at {url} within {timeout:.0f} s; see {log_path}"))
            time.sleep(0.1)
        if "address already in use" in detail.lower():
            continue
        if launch == 0 and database.exists():
            # A database this Prefect cannot start from (half-migrated, damaged): kept aside, a new one made.
            # The runs' history is Prefect's view only; kipp's record is the ledger.
            for suffix in ("", "-wal", "-shm", "-journal"):
                if Path(f"{database}{suffix}").exists():
                    os.replace(f"{database}{suffix}", f"{database}.broken{suffix}")
            continue
        break
    raise ServerError(say("server Prefect lokal tidak dapat dimulai", "the local Prefect server cannot be started")
                      + (f": {detail}" if detail else "") + f" ({log_path})")


def _popen(home: Path, port: int, log_path: Path) -> subprocess.Popen:
    import importlib.util

    prefect_dir = Path(importlib.util.find_spec("prefect").origin).parent
    command = [
        sys.executable, "-m", "uvicorn",
        "--app-dir", str(prefect_dir.parent),
        "--factory", "prefect.server.api.server:create_app",
        "--host", "127.0.0.1", "--port", str(port),
        "--log-level", "error", "--lifespan", "on",
    ]
    if log_path.is_file() and log_path.stat().st_size > LOG_KEEP:  # one older log kept, never a growing one
        os.replace(log_path, log_path.with_name(LOG_NAME + ".1"))
    with open(log_path, "ab") as log_file:
        log_file.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M:%S')} kipp starts the server on port {port}\n".encode())
        log_file.flush()
        proc = subprocess.Popen(command, env=_server_env(home), cwd=home, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=log_file, start_new_session=True)
    _CHILDREN[proc.pid] = proc
    return proc


def _last_line(path: Path) -> str:
    try:
        lines = [line for line in path.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    except OSError:
        return ""
    return lines[-1].strip()[:300] if lines else ""


# -- what the commands call -------------------------------------------------------------------------------


def use_prefect_server(state_dir: Path, announce=None) -> str | None:
    """Point this process's Prefect at a server: the user's (PREFECT_API_URL), else the local one, started
    when needed; None in ephemeral mode (the caller starts the embedded server). Call before Prefect is
    imported (it reads PREFECT_API_URL once); a second call in one process refreshes Prefect's settings."""
    global _URL_SET
    url = os.environ.get("PREFECT_API_URL", "").strip()
    if url and url != _URL_SET:
        require_reachable(url)  # the user's own server: theirs to run, and to start when it does not answer
        return url
    if prefect_mode() == "ephemeral":
        if url:  # set by an earlier command of this process
            os.environ.pop("PREFECT_API_URL", None)
            _URL_SET = None
            _refresh_prefect()
        return None
    home = server_home()
    try:
        info = ensure_server(home, seed=state_dir / "prefect" / "prefect-schema.db", announce=announce)
    except OSError as e:
        raise ServerError(say(f"{home}: folder server Prefect lokal tidak dapat dipakai ({e.strerror or e}); setel "
                              "KIPP_SERVER_HOME ke folder lain, atau KIPP_PREFECT=ephemeral",
                              f"{home}: the local Prefect server's home cannot be used ({e.strerror or e}); set "
                              "KIPP_SERVER_HOME to another folder, or KIPP_PREFECT=ephemeral")) from e
    if info.url != url:
        os.environ["PREFECT_API_URL"] = info.url
        _URL_SET = info.url
        _refresh_prefect()
    return info.url


def _refresh_prefect() -> None:
    """Prefect read its settings at import: let it read them again when it is already imported."""
    context = sys.modules.get("prefect.context")
    if context is not None:
        context.refresh_global_settings_context()


def require_reachable(url: str) -> None:
    """One line when the Prefect server a command needs does not answer."""
    if not healthy(url, timeout=2.0):
        raise ServerError(say(f"server Prefect di {url} (PREFECT_API_URL) tidak menjawab; jalankan server itu, "
                              "atau hapus PREFECT_API_URL agar kipp memakai server lokalnya",
                              f"the Prefect server at {url} (PREFECT_API_URL) does not answer; start it, or unset "
                              "PREFECT_API_URL for kipp's local server"))


def check_serve() -> None:
    """`kipp serve` needs a server that keeps running and schedules runs: Prefect's embedded one does neither."""
    if not os.environ.get("PREFECT_API_URL", "").strip() and prefect_mode() == "ephemeral":
        raise ServerError(say("kipp serve perlu server Prefect yang terus berjalan: hapus KIPP_PREFECT=ephemeral "
                              "(kipp memulai server lokalnya) atau setel PREFECT_API_URL ke server Anda",
                              "kipp serve needs a Prefect server that keeps running: unset KIPP_PREFECT=ephemeral "
                              "(kipp starts its local server) or set PREFECT_API_URL to yours"))


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    parts = [f"{days} d"] if days else []
    parts += [f"{hours} h"] if hours or days else []
    return " ".join(parts + [f"{minutes} m", f"{secs} s"])


def status_lines() -> list[str]:
    """What `kipp server status` says."""
    lines = []
    url = os.environ.get("PREFECT_API_URL", "").strip()
    if url and url != _URL_SET:
        answers = say("menjawab", "answering") if healthy(url, 2.0) else say("TIDAK menjawab", "NOT answering")
        lines.append(say(f"PREFECT_API_URL={url} disetel: kipp memakai server itu ({answers}), bukan server lokalnya",
                         f"PREFECT_API_URL={url} is set: kipp uses that server ({answers}), not its local one"))
    elif prefect_mode() == "ephemeral":
        lines.append(say("KIPP_PREFECT=ephemeral: setiap perintah memakai server Prefect bawaannya sendiri",
                         "KIPP_PREFECT=ephemeral: every command uses Prefect's embedded server of its own"))
    home = server_home()
    info = running(home)
    if info is None:
        stale = read_state(home)
        lines.append(say(f"server Prefect lokal: tidak berjalan (folder {home}); kipp run memulainya",
                         f"local Prefect server: not running (home {home}); kipp run starts it")
                     + (say(f"; catatan lama pid {stale.pid} sudah mati", f"; the record of pid {stale.pid} is stale")
                        if stale else ""))
        return lines
    lines += [
        say("server Prefect lokal: berjalan", "local Prefect server: running"),
        f"  URL: {info.url}",
        f"  pid: {info.pid}",
        say(f"  folder: {home}", f"  home: {home}"),
        say(f"  lama berjalan: {_duration(info.uptime)}", f"  uptime: {_duration(info.uptime)}"),
        f"  log: {home / LOG_NAME}",
        f"  Prefect {info.prefect}",
    ]
    return lines
