"""`kipp bench rerun`: `kipp run` cold, first rerun and a rerun with nothing new (and, for the local server, a rerun
with nothing new while the server is stopped), with the local Prefect
server (the default) and with Prefect's embedded server per command (KIPP_PREFECT=ephemeral, kipp's
behaviour before the local server), plus the steps alone (run_once, no Prefect) on the same folder.

Every figure is the wall time of a `kipp` process of its own, as a user starts it. "cold" starts with no
server running in the benchmark's own server home (and a new output folder); the server's first start
migrates its database, as a user's first run does.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
STEPS_ALONE = """
import sys
from pathlib import Path
from flows.steps import RunConfig, run_once
from models.settings import Settings
inbox, roster, out = map(Path, sys.argv[1:4])
run_once(RunConfig(inbox, roster, out, "2021", Settings.from_env()))
"""


def _edition(root: Path, size: str) -> tuple[Path, Path]:
    from flows.corpora.demo import generate_inbox, malang_roster, write_roster

    inbox, roster = root / "inbox", root / "roster.csv"
    if not inbox.exists():
        rows = malang_roster(size, 2021)
        write_roster(roster, rows)
        generate_inbox(inbox, rows, 2021)
    return inbox, roster


def _timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if proc.returncode not in (0, 6):  # 6: reports written, some files failed (the demo has hostile files)
        raise RuntimeError(f"{' '.join(command[2:4])} exited {proc.returncode}: {proc.stdout[-500:]}{proc.stderr[-1500:]}")
    return seconds


def _mode(mode: str, root: Path, inbox: Path, roster: Path, repeat: int) -> dict:
    from flows.server import stop_server

    out, home = root / f"out-{mode}", root / "server-home"
    stop_server(home)
    subprocess.run(["rm", "-rf", str(out), str(home)], check=True)  # cold: a first run, with no server and no database
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_") and k != "KIPP_PREFECT"}
    env.update(KIPP_SERVER_HOME=str(home), KIPP_PREFECT=mode, PYTHONUNBUFFERED="1")
    run = [sys.executable, "-m", "flows.cli", "run", "--inbox", str(inbox), "--roster", str(roster), "--out", str(out)]
    try:
        figures = {"cold": _timed(run, env), "rerun": _timed(run, env)}
        noop = [_timed(run, env) for _ in range(repeat)]
        figures["noop_median"], figures["noop_min"], figures["noop_all"] = statistics.median(noop), min(noop), noop
        steps = [_timed([sys.executable, "-c", STEPS_ALONE, str(inbox), str(roster), str(out)], env) for _ in range(repeat)]
        figures["steps_alone_noop_median"] = statistics.median(steps)
        if mode == "server":  # the server stopped (a reboot, `kipp server stop`), its database kept: start + no-op
            stop_server(home)
            figures["restart_noop"] = _timed(run, env)
    finally:
        stop_server(home)
    return figures


def main(size: str = "full", repeat: int = 3, modes: tuple[str, ...] = ("ephemeral", "server"),
         directory: Path | None = None) -> str:
    with tempfile.TemporaryDirectory(prefix="kipp-rerun-") as tmp:
        root = Path(directory or tmp).resolve()
        root.mkdir(parents=True, exist_ok=True)
        inbox, roster = _edition(root / "edition", size)
        files = sum(1 for p in inbox.rglob("*") if p.is_file())
        results = {mode: _mode(mode, root, inbox, roster, repeat) for mode in modes}
        load = os.getloadavg()
        doc = {"size": size, "files": files, "repeat": repeat, "cores": os.cpu_count(), "loadavg": load,
               "results": results}
        (root / "bench-rerun.json").write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
        lines = [(f"kipp bench rerun --size {size}: {files} files, {os.cpu_count()} cores, load average at the end "
                  f"{load[0]:.1f} (a shared machine: figures are noisy)"),
                 (f"{'Prefect':<11}{'cold':>8}{'rerun':>8}{'no-op (median of ' + str(repeat) + ')':>24}{'no-op min':>11}"
                  f"{'steps alone, no-op':>20}")]
        for mode, r in results.items():
            name = "local server" if mode == "server" else "embedded"
            lines.append(f"{name:<11}{r['cold']:>7.1f}s{r['rerun']:>7.1f}s{r['noop_median']:>23.1f}s"
                         f"{r['noop_min']:>10.1f}s{r['steps_alone_noop_median']:>19.1f}s")
        if "restart_noop" in results.get("server", {}):
            lines.append(f"no-op with the local server stopped (started again on its kept database): "
                         f"{results['server']['restart_noop']:.1f}s")
        lines.append(f"JSON: {root / 'bench-rerun.json'}" if directory else "")
        return "\n".join(line for line in lines if line)
