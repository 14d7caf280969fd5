"""The cluster (flows/cluster.py, flows/batches.py), end to end: PostgreSQL, a Prefect server on it, the two work
pools with a control worker and two extract workers on this machine, one run of the intake deployment over a
mixed inbox of ~190 files (proposals, scans read by OCR, hostile files), and one extract worker killed with
SIGKILL (its whole process group) in the middle of a batch. The run must finish with the screening.json of the
embedded run of the same inbox, and nothing the test started may be left running.

The cluster's ledger is on PostgreSQL (a database `ledger` beside Prefect's, KIPP_DATABASE_URL in every role's
environment), as it must be when the workers are on several machines; the embedded run's is the SQLite file,
so the two screenings agree across both backends too.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from contextlib import nullcontext
from pathlib import Path

import httpx
import pytest

from flows.batches import WORKER_LABEL
from flows.corpora.mixed import write_mixed_inbox
from flows.steps.context import OutputPaths
from models.ledger import open_ledger
from models.settings import Settings
from tests.postgres import require_postgres, running_postgres

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
MARK = "KIPP_TEST_CLUSTER"
KILLED, SURVIVOR = "extract-1", "extract-2"
# run_once, the embedded run without Prefect, of (inbox, roster, out), with two reader processes.
EMBEDDED = """
import sys
from dataclasses import replace
from pathlib import Path
from flows.steps import RunConfig, run_once
from models.settings import Settings
if __name__ == "__main__":
    inbox, roster, out = map(Path, sys.argv[1:])
    run_once(RunConfig(inbox, roster, out, "2021", replace(Settings.from_env(), workers=2)))
"""


def _env(tmp: Path) -> dict[str, str]:
    """The roles' environment: none of the developer's Prefect or kipp settings but the ledger's, one reader
    process per worker (two workers share two cores), and a mark that finds every process they start."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "KIPP_")) or k == "KIPP_DATABASE_URL"}
    env.update({MARK: str(tmp), "KIPP_CLUSTER_HOME": str(tmp / "cluster"), "PREFECT_HOME": str(tmp / "prefect"),
                "KIPP_WORKERS": "1", "KIPP_SETTLE_SECONDS": "0", "PYTHONPATH": str(REPO)})
    return env


def _kipp(env: dict[str, str], *args: str, background: bool = False, log: Path | None = None):
    command = [sys.executable, "-m", "flows.cli", "--lang", "en", "cluster", *args]
    if background:  # a session of its own: its whole process group can be killed
        with open(log, "wb") if log else nullcontext(subprocess.DEVNULL) as out:  # the child keeps its own copy
            return subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True)
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=240, check=False)


def _marked(tmp: Path, mark: str = MARK) -> dict[int, str]:
    """Live processes whose environment holds `mark`=tmp (or the given KEY=value), with their command."""
    needle = (f"{mark}={tmp}" if "=" not in mark else mark).encode()
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            if (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                continue
            found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[:120]
        except OSError:
            continue
    return found


def _wait(predicate, timeout: float, step: float = 0.3):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return None


def _batches(api: str) -> list[dict]:
    response = httpx.post(f"{api}/flow_runs/filter", json={"flow_runs": {"name": {"like_": "batch-"}}}, timeout=10)
    return response.json()


def _saved(env: dict[str, str], out: Path, shas: set[str]) -> set[str]:
    """Which of `shas` the run's ledger holds, read through the ledger as the run opens it."""
    with open_ledger(OutputPaths(out).ledger, Settings(database_url=env["KIPP_DATABASE_URL"])) as ledger:
        return shas - ledger.missing_extractions(shas)


def _ledger_database(postgres) -> str:
    """A database `ledger` on the cluster's PostgreSQL; its URL as KIPP_DATABASE_URL takes it."""
    import psycopg

    with psycopg.connect(f"postgresql://postgres@127.0.0.1:{postgres.port}/postgres", autocommit=True) as conn:
        conn.execute("CREATE DATABASE ledger")
    return f"postgresql://postgres@127.0.0.1:{postgres.port}/ledger"


def _screening(out: Path) -> dict:
    document = json.loads(OutputPaths(out).screening.read_text(encoding="utf-8"))
    document.pop("generated_at")
    return document


def _mid_batch(api: str, env: dict[str, str], out: Path) -> dict | None:
    """A batch the doomed worker is reading, with some of its files saved and a few still to read."""
    for run in _batches(api):
        if run["state_type"] == "RUNNING" and run["labels"].get(WORKER_LABEL) == KILLED:
            shas = {sha for _, sha in run["parameters"]["files"]}
            if 0 < len(_saved(env, out, shas)) < len(shas) - 2:
                return run
    return None


def _stop(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(wait)
                break
            except subprocess.TimeoutExpired:
                continue


def test_a_worker_killed_mid_batch_loses_nothing_and_the_cluster_screens_as_the_embedded_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from extractors.ocr_extractor import ocr_available

    require_postgres()
    if os.environ.get("KIPP_REQUIRE_OCR") == "1":
        assert ocr_available(), "KIPP_REQUIRE_OCR=1 but Tesseract is missing"
    tmp = tmp_path.resolve()
    monkeypatch.setenv("KIPP_CLUSTER_HOME", str(tmp / "cluster"))
    mixed = write_mixed_inbox(tmp / "edition", participants=80, scans=12, scan_pages=1)
    files = sum(1 for p in mixed.inbox.rglob("*") if p.is_file())
    assert 180 <= files <= 210
    env, out = _env(tmp), tmp / "cluster-out"
    started: list[subprocess.Popen] = []  # every process group the test starts, stopped whatever happens
    try:
        with running_postgres() as postgres:
            env["KIPP_DATABASE_URL"] = _ledger_database(postgres)
            try:
                _check_cluster(tmp, env, postgres.url, mixed, files, out, started)
            finally:
                _stop(started)
                _kipp(env, "server", "stop")
    finally:
        _stop(started)
    assert _wait(lambda: not _marked(tmp), 15), f"left running: {_marked(tmp)}"


def _check_cluster(tmp: Path, env: dict[str, str], database: str, mixed, files: int, out: Path,
                   started: list[subprocess.Popen]) -> None:
    server = _kipp(env, "server", "start", "--database", database, background=True, log=tmp / "server-start.log")
    started.append(server)
    # The embedded run of the same inbox (its ledger the default one), meanwhile, in a process of its own.
    embedded = subprocess.Popen([sys.executable, "-c", EMBEDDED, str(mixed.inbox), str(mixed.roster),
                                 str(tmp / "embedded")], cwd=REPO, start_new_session=True,
                                env={k: v for k, v in env.items() if k != "KIPP_DATABASE_URL"})
    started.append(embedded)
    assert server.wait(180) == 0, (tmp / "server-start.log").read_text()
    api = (tmp / "server-start.log").read_text().split("PREFECT_API_URL=")[1].split()[0]
    env["PREFECT_API_URL"] = api
    deployed = _kipp(env, "deploy", "--batch-size", "32")
    assert deployed.returncode == 0, deployed.stderr
    workers = {name: _kipp(env, "worker", "--pool", pool, "--name", name, background=True, log=tmp / f"{name}.log")
               for pool, name in (("kipp-control", "control"), ("kipp-extract", KILLED), ("kipp-extract", SURVIVOR))}
    started += workers.values()
    run = _kipp(env, "run", "--inbox", str(mixed.inbox), "--roster", str(mixed.roster), "--out", str(out),
                background=True, log=tmp / "run.log")
    started.append(run)

    doomed = _wait(lambda: _mid_batch(api, env, out), 150)
    assert doomed, f"{KILLED} never read a batch: {(tmp / f'{KILLED}.log').read_text()[-2000:]}"
    os.killpg(workers[KILLED].pid, signal.SIGKILL)  # the worker, its flow run and what they started
    workers[KILLED].wait(10)
    # Its batch's process, that one's readers and their OCR tools die with it (PR_SET_PDEATHSIG).
    orphans = f"PREFECT__WORKER_NAME={KILLED}"
    assert _wait(lambda: not _marked(tmp, orphans), 15), _marked(tmp, orphans)

    assert run.wait(240) == 0, (tmp / "run.log").read_text()[-3000:]
    assert "Done in" in (tmp / "run.log").read_text()
    assert embedded.wait(240) == 0

    # The same screening as the embedded run: every file once, each with the same outcome.
    assert _screening(out) == _screening(tmp / "embedded")
    assert not OutputPaths(out).ledger.exists()  # the cluster's ledger was PostgreSQL's, no SQLite file
    documents = json.loads(OutputPaths(out).screening.read_text(encoding="utf-8"))["documents"]
    assert len(documents) == len({d["path"] for d in documents}) == files
    # The killed batch was marked Crashed by the run, and what it had not saved was read again, by the other.
    runs = {r["id"]: r for r in _batches(api)}
    killed = runs[doomed["id"]]
    assert killed["state_type"] == "CRASHED" and killed["state"]["message"].startswith("kipp: lost")
    number = doomed["name"].split("-send-")[0]
    again = [r for r in runs.values() if r["name"] == f"{number}-send-2"]
    assert again and again[0]["state_type"] == "COMPLETED"
    assert again[0]["labels"].get(WORKER_LABEL) == SURVIVOR
    assert {r["state_type"] for r in runs.values() if r["id"] != doomed["id"]} == {"COMPLETED"}
