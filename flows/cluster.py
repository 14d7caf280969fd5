"""kipp on several machines: one function per role, each a `kipp cluster` command (README, Scale-out).

    postgres   PostgreSQL for Prefect's server on this machine (or any PostgreSQL you point the server at)
    server     a Prefect server on that database, detached, as flows/server.py runs the local one
    deploy     two process work pools and their deployments: kipp-control runs the intake runs
               (kipp-intake-cluster/kipp), kipp-extract runs their batches (kipp-extract-batch/kipp)
    worker     a Prefect process worker of one pool, in the foreground (one per machine and pool; systemd)
    run        one intake run of an edition on the cluster, waited for

The pools are apart so that the run that waits on the batches never sits in a slot a batch needs, and a
worker killed while it reads a batch never takes the waiting run with it. Every machine needs the inbox,
the output folder and this checkout at the same paths (a shared mount); the ledger is opened as `kipp run`
opens it (`KIPP_DATABASE_URL` moves it to PostgreSQL when the ledger supports it).

Nothing here imports Prefect at module level: `kipp cluster postgres` and `server` must not pay for it.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from flows import server
from models.errors import KippError
from models.language import say

REPO = Path(__file__).resolve().parents[1]
CONTROL_POOL = "kipp-control"
EXTRACT_POOL = "kipp-extract"
INTAKE_DEPLOYMENT = "kipp-intake-cluster/kipp"
DATABASE = "prefect"
POSTGRES_STATE = "postgres.json"
PG_START_SECONDS = 60
# A cluster worker's Prefect settings, unless set: a heartbeat every 5 s lets a run see a dead worker in
# ~20 s (flows/batches.py), and a worker that looks for runs every 2 s starts a batch without a 10 s wait.
WORKER_DEFAULTS = {"PREFECT_WORKER_HEARTBEAT_SECONDS": "5", "PREFECT_WORKER_QUERY_SECONDS": "2"}


class ClusterError(KippError):
    """A role of the cluster cannot be started, or the cluster is not set up."""


def cluster_home(env: dict[str, str] | None = None) -> Path:
    """`KIPP_CLUSTER_HOME`, else `cluster` beside the local server's home: the cluster server's home, its
    log, and the record of a PostgreSQL kipp started."""
    env = os.environ if env is None else env
    if env.get("KIPP_CLUSTER_HOME", "").strip():
        return Path(env["KIPP_CLUSTER_HOME"].strip()).expanduser().resolve()
    return server.server_home(env).parent / "cluster"


# -- PostgreSQL ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Postgres:
    data: str
    port: int
    url: str  # as PREFECT_API_DATABASE_CONNECTION_URL takes it


def postgres_bin() -> Path | None:
    """The folder of initdb and pg_ctl: `KIPP_POSTGRES_BIN`, else Debian's newest, else the PATH's."""
    if os.environ.get("KIPP_POSTGRES_BIN", "").strip():
        return Path(os.environ["KIPP_POSTGRES_BIN"].strip())
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    if debian:
        return debian[-1].parent
    found = shutil.which("pg_ctl")
    return Path(found).parent if found else None


def _as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, its tools run as the `postgres` user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def default_postgres_data() -> Path:
    """As root, a folder the `postgres` user can reach (root's home is closed to it); else the cluster home's."""
    return Path("/var/lib/postgresql/kipp-prefect") if os.geteuid() == 0 else cluster_home() / "postgres"


def start_postgres(data: Path, port: int | None = None) -> Postgres:
    """PostgreSQL on 127.0.0.1 with its data in `data` (made on first use, trust on loopback only), and a
    database `prefect`; the one already running there is reused."""
    binary = postgres_bin()
    if binary is None or not (binary / "initdb").exists():
        raise ClusterError(say("PostgreSQL tidak terpasang (initdb tidak ditemukan); pasang paket postgresql, atau "
                               "setel KIPP_POSTGRES_BIN",
                               "PostgreSQL is not installed (no initdb); install the postgresql package, or set "
                               "KIPP_POSTGRES_BIN"))
    data = data.resolve()
    if not (data / "PG_VERSION").exists():
        data.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(data, "postgres", "postgres")
        _pg([str(binary / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
             "--locale=C.UTF-8"], data)
    running = _postmaster_port(data)
    if running is None:
        port = port or server._free_port(None)
        _pg([str(binary / "pg_ctl"), "-D", str(data), "-l", str(data / "server.log"), "-w", "-t", str(PG_START_SECONDS),
             "-o", f"-c listen_addresses=127.0.0.1 -p {port} -k {data}", "start"], data)
        running = port
    _pg([str(binary / "psql"), "-h", "127.0.0.1", "-p", str(running), "-U", "postgres", "-q", "-c",
         f"CREATE DATABASE {DATABASE}"], data, exists_ok=True)
    info = Postgres(str(data), running, f"postgresql+asyncpg://postgres@127.0.0.1:{running}/{DATABASE}")
    home = cluster_home()
    home.mkdir(parents=True, exist_ok=True)
    (home / POSTGRES_STATE).write_text(json.dumps(asdict(info), indent=2) + "\n", encoding="utf-8")
    return info


def stop_postgres(data: Path) -> bool:
    """Stop the PostgreSQL of `data` (fast shutdown: sessions are ended); False when none ran there."""
    binary = postgres_bin()
    if binary is None or _postmaster_port(data.resolve()) is None:
        return False
    _pg([str(binary / "pg_ctl"), "-D", str(data.resolve()), "-m", "fast", "-w", "stop"], data)
    return True


def recorded_postgres() -> Postgres | None:
    """The PostgreSQL `kipp cluster postgres start` started last, when it still runs."""
    try:
        info = Postgres(**json.loads((cluster_home() / POSTGRES_STATE).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None
    return info if _postmaster_port(Path(info.data)) == info.port else None


def _postmaster_port(data: Path) -> int | None:
    """The port of the PostgreSQL running on `data`, from its postmaster.pid (line 4), when its pid lives."""
    try:
        lines = (data / "postmaster.pid").read_text().splitlines()
        os.kill(int(lines[0]), 0)
        return int(lines[3])
    except (OSError, ValueError, IndexError):
        return None


def _pg(command: list[str], data: Path, exists_ok: bool = False) -> None:
    done = subprocess.run(_as_postgres(command), capture_output=True, text=True, cwd="/", check=False)
    if done.returncode != 0 and not (exists_ok and "already exists" in done.stderr):
        detail = (done.stderr.strip() or done.stdout.strip()).splitlines()[-1:] or [""]
        raise ClusterError(say(f"PostgreSQL di {data}: {Path(command[0]).name} gagal: {detail[0]}",
                               f"PostgreSQL in {data}: {Path(command[0]).name} failed: {detail[0]}"))


# -- the Prefect server ---------------------------------------------------------------------------------------


def start_server(database: str, host: str = "127.0.0.1", port: int | None = None,
                 home: Path | None = None) -> server.ServerInfo:
    """A Prefect server on `database` (postgresql+asyncpg://...), detached as flows/server.py runs the local
    one (a session of its own, its log in `home`), reused while it answers; `kipp cluster server stop` ends it."""
    home = (home or cluster_home() / "server").resolve()
    with server._locked(home, server.STARTUP_TIMEOUT + server.STOP_TIMEOUT + 10):
        info = server.running(home)
        if info is not None:
            return info
        server._stop_unlocked(home)  # a stale record, or a server that stopped answering
        port = port or server._free_port(None)
        local = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        env = server._server_env(home)
        env["PREFECT_API_DATABASE_CONNECTION_URL"] = database
        log_path = home / server.LOG_NAME
        command = [sys.executable, "-m", "uvicorn", "--factory", "prefect.server.api.server:create_app",
                   "--host", host, "--port", str(port), "--log-level", "error", "--lifespan", "on"]
        with open(log_path, "ab") as log_file:
            proc = subprocess.Popen(command, env=env, cwd=home, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=log_file, start_new_session=True)
        server._CHILDREN[proc.pid] = proc
        url = f"http://{local}:{port}/api"
        deadline = time.monotonic() + server.STARTUP_TIMEOUT
        while not server.healthy(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                server._end_group(proc.pid, server.STOP_TIMEOUT)
                raise ClusterError(say(f"server Prefect klaster tidak dapat dimulai: {server._last_line(log_path)} "
                                       f"({log_path})",
                                       f"the cluster's Prefect server cannot be started: {server._last_line(log_path)} "
                                       f"({log_path})"))
            time.sleep(0.2)
        public = url if local == host else f"http://{socket.getfqdn()}:{port}/api"
        info = server.ServerInfo(pid=proc.pid, port=port, url=public, home=str(home), started=time.time(),
                                 prefect=server._prefect_version())
        (home / server.STATE_NAME).write_text(json.dumps(asdict(info), indent=2) + "\n", encoding="utf-8")
        return info


def stop_server(home: Path | None = None) -> server.ServerInfo | None:
    return server.stop_server((home or cluster_home() / "server").resolve())


def api_url() -> str:
    """PREFECT_API_URL, else the cluster server this machine runs; one line when there is neither."""
    url = os.environ.get("PREFECT_API_URL", "").strip()
    if not url:
        info = server.running((cluster_home() / "server").resolve())
        if info is None:
            raise ClusterError(say("setel PREFECT_API_URL ke server Prefect klaster (`kipp cluster server start` "
                                   "mencetaknya)",
                                   "set PREFECT_API_URL to the cluster's Prefect server (`kipp cluster server start` "
                                   "prints it)"))
        url = info.url
    server.require_reachable(url)
    return url


def use_cluster() -> str:
    """Point this process's Prefect at the cluster's server, before Prefect is imported."""
    from flows.prefect_env import configure_prefect

    url = api_url()
    os.environ["PREFECT_API_URL"] = url
    configure_prefect(cluster_home())
    return url


# -- pools and deployments ------------------------------------------------------------------------------------


def deploy(batch_size: int, repo: Path = REPO) -> list[str]:
    """The two process pools (made when missing) and the two deployments, from this checkout (`repo`): every
    worker runs the flows from that path, with it first on PYTHONPATH."""
    from prefect import flow
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectAlreadyExists
    from prefect.workers.process import ProcessWorker

    from flows.batches import BATCH_DEPLOYMENT, DEPLOYMENT_NAME

    with get_client(sync_client=True) as client:
        for pool in (CONTROL_POOL, EXTRACT_POOL):
            try:
                client.create_work_pool(WorkPoolCreate(name=pool, type="process",
                                                       base_job_template=ProcessWorker.get_default_base_job_template()))
            except ObjectAlreadyExists:
                pass
    env = {"PYTHONPATH": str(repo)}
    made = []
    for entrypoint, pool, parameters, full_name in (
        ("flows/batches.py:extract_batch_flow", EXTRACT_POOL, {}, BATCH_DEPLOYMENT),
        ("flows/intake.py:cluster_flow", CONTROL_POOL, {"batch_size": batch_size}, INTAKE_DEPLOYMENT),
    ):
        source = flow.from_source(source=str(repo), entrypoint=entrypoint)
        source.to_deployment(DEPLOYMENT_NAME, parameters=parameters, job_variables={"env": env},
                             work_pool_name=pool).apply(work_pool_name=pool)
        made.append(f"{full_name} → {pool}")
    return made


# -- workers -------------------------------------------------------------------------------------------------------


def worker_command(pool: str, name: str, limit: int = 1) -> list[str]:
    """`prefect worker start` for one pool: one run at a time (a batch already keeps the machine's cores busy
    through KIPP_WORKERS extraction processes)."""
    return [sys.executable, "-m", "prefect", "worker", "start", "--pool", pool, "--type", "process", "--name", name,
            "--limit", str(limit)]


def worker_env() -> dict[str, str]:
    env = dict(os.environ)
    for key, value in WORKER_DEFAULTS.items():
        env.setdefault(key, value)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    return env


def default_worker_name(pool: str) -> str:
    return f"{pool}-{socket.gethostname().split('.')[0] or 'kipp'}-{os.getpid()}"


def run_worker(pool: str, name: str, limit: int = 1) -> None:
    """Become the worker (exec): signals reach Prefect's worker directly."""
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, worker_command(pool, name, limit), worker_env())


# -- a run -----------------------------------------------------------------------------------------------------------


def run_intake(inbox: Path, roster: Path, out: Path, edition: str, prior: Path | None, panel: dict,
               batch_size: int | None) -> dict:
    """One run of the intake deployment for an edition, waited for (paths made absolute: the run happens on
    another machine with the same mounts); returns screening.json's summary. A run that did not complete is
    one line with its state and message."""
    from prefect.deployments import run_deployment

    parameters = {"inbox": str(inbox.resolve()), "roster": str(roster.resolve()), "out": str(out.resolve()),
                  "edition": edition, "prior": str(prior.resolve()) if prior else None,
                  **{key: str(Path(value).resolve()) if isinstance(value, str) else value
                     for key, value in panel.items()}}
    if batch_size is not None:
        parameters["batch_size"] = batch_size
    flow_run = run_deployment(INTAKE_DEPLOYMENT, parameters=parameters, timeout=None, poll_interval=2,
                              as_subflow=False)
    state = flow_run.state
    if state is None or not state.is_completed():
        name, message = (state.name, state.message or "") if state else ("?", "")
        raise ClusterError(say(f"putaran {flow_run.name} di klaster berakhir {name}: {message}",
                               f"the cluster run {flow_run.name} ended {name}: {message}"))
    from flows.steps.context import OutputPaths

    return json.loads(OutputPaths(out).screening.read_text(encoding="utf-8"))["summary"]
