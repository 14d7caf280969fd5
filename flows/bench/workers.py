"""`kipp bench workers`: the cluster's throughput with 1 and 2 extract workers on this machine (issue 13).

Starts what the README's Scale-out section starts (PostgreSQL, a Prefect server on it, the pools and
deployments, a control worker) and, for each worker count, that many extract workers (KIPP_WORKERS=1
each: one reader process per worker, so workers are the unit that scales), then times one `kipp cluster
run` over a fresh output folder of the same inbox: scanned proposals of several pages (OCR) and text
proposals. Reported per count: the run's wall time, the extraction's span (first batch started to last
batch ended, from the server), OCR pages per second and documents per second over that span, and the
CPU seconds of the batches' processes. Everything it starts it stops. JSON (--json) and a table.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from flows import cluster
from flows.corpora.mixed import write_mixed_inbox


@dataclass(frozen=True, slots=True)
class Row:
    workers: int
    documents: int
    ocr_pages: int
    batches: int
    run_seconds: float  # `kipp cluster run`, end to end
    extract_seconds: float  # first batch started to last batch ended
    batch_cpu_seconds: float  # user+sys of the batches' processes and their readers and OCR tools

    @property
    def pages_per_second(self) -> float:
        return self.ocr_pages / self.extract_seconds

    @property
    def documents_per_second(self) -> float:
        return self.documents / self.extract_seconds


def _kipp(env: dict[str, str], *args: str, log: Path | None = None) -> subprocess.Popen:
    with open(log, "wb") if log else nullcontext(subprocess.DEVNULL) as out:  # the child keeps its own copy
        return subprocess.Popen([sys.executable, "-m", "flows.cli", "--lang", "en", "cluster", *args],
                                cwd=cluster.REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def _stop(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(proc.pid, sig)
                proc.wait(10)
                break
            except ProcessLookupError:
                break
            except subprocess.TimeoutExpired:
                continue


def _group_cpu(pgid: int) -> float:
    """CPU seconds of a worker's process group so far, its reaped children included (cutime, cstime)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            total += sum(int(f) for f in fields[11:15])
    return total / tick


def _extract_span(api: str) -> tuple[float, int]:
    import httpx

    runs = httpx.post(f"{api}/flow_runs/filter", json={"flow_runs": {"name": {"like_": "batch-"}}}, timeout=30).json()
    starts = [datetime.fromisoformat(r["start_time"]) for r in runs if r["start_time"]]
    ends = [datetime.fromisoformat(r["end_time"]) for r in runs if r["end_time"]]
    return (max(ends) - min(starts)).total_seconds(), len(runs)


def _delete_batch_runs(api: str) -> None:
    import httpx

    for run in httpx.post(f"{api}/flow_runs/filter", json={}, timeout=30).json():
        httpx.delete(f"{api}/flow_runs/{run['id']}", timeout=30)


def measure(root: Path, counts: list[int], participants: int, scans: int, pages: int, batch_size: int) -> list[Row]:
    mixed = write_mixed_inbox(root / "edition", participants=participants, scans=scans, scan_pages=pages)
    documents = sum(1 for p in mixed.inbox.rglob("*") if p.is_file())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "KIPP_")) or k == "KIPP_DATABASE_URL"}
    env.update({"KIPP_CLUSTER_HOME": str(root / "cluster"), "PREFECT_HOME": str(root / "prefect"),
                "KIPP_WORKERS": "1", "KIPP_SETTLE_SECONDS": "0", "PYTHONPATH": str(cluster.REPO)})
    os.environ["KIPP_CLUSTER_HOME"] = env["KIPP_CLUSTER_HOME"]
    data = Path(tempfile.mkdtemp(prefix="kipp-pg-")) / "data"
    data.parent.chmod(0o711)
    rows, started = [], []
    try:
        postgres = cluster.start_postgres(data)
        info = cluster.start_server(postgres.url, home=root / "cluster" / "server")
        env["PREFECT_API_URL"] = info.url
        if _kipp(env, "deploy", "--batch-size", str(batch_size)).wait(300) != 0:
            raise SystemExit("kipp cluster deploy failed")
        started.append(_kipp(env, "worker", "--pool", "kipp-control", "--name", "control", log=root / "control.log"))
        for count in counts:
            _delete_batch_runs(info.url)
            extract = [_kipp(env, "worker", "--pool", "kipp-extract", "--name", f"extract-{n}",
                             log=root / f"extract-{count}-{n}.log") for n in range(1, count + 1)]
            time.sleep(5)  # the workers register before the run sends its first batch
            start = time.perf_counter()
            run = _kipp(env, "run", "--inbox", str(mixed.inbox), "--roster", str(mixed.roster),
                        "--out", str(root / f"out-{count}"), log=root / f"run-{count}.log")
            cpu = 0.0
            while run.poll() is None:  # a batch's process is reaped by its worker: sample its group meanwhile
                cpu = max(cpu, sum(_group_cpu(w.pid) for w in extract))
                time.sleep(0.5)
            seconds = time.perf_counter() - start
            if run.returncode != 0:
                raise SystemExit(f"kipp cluster run failed: {(root / f'run-{count}.log').read_text()[-2000:]}")
            span, batches = _extract_span(info.url)
            rows.append(Row(count, documents, mixed.scan_pages, batches, round(seconds, 1), round(span, 1),
                            round(cpu, 1)))
            _stop(extract)
    finally:
        _stop(started)
        cluster.stop_server(root / "cluster" / "server")
        cluster.stop_postgres(data)
        shutil.rmtree(data.parent, ignore_errors=True)
    return rows


def table(rows: list[Row]) -> str:
    lines = ["workers  docs  OCR pages  batches  run s  extract s  pages/s  docs/s  batch CPU s",
             "-------  ----  ---------  -------  -----  ---------  -------  ------  -----------"]
    for r in rows:
        lines.append(f"{r.workers:>7}  {r.documents:>4}  {r.ocr_pages:>9}  {r.batches:>7}  {r.run_seconds:>5.1f}  "
                     f"{r.extract_seconds:>9.1f}  {r.pages_per_second:>7.2f}  {r.documents_per_second:>6.2f}  "
                     f"{r.batch_cpu_seconds:>11.1f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kipp bench workers", description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="1,2", help="extract worker counts, comma-separated")
    parser.add_argument("--participants", type=int, default=20)
    parser.add_argument("--scans", type=int, default=8)
    parser.add_argument("--pages", type=int, default=5, help="pages per scan")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--dir", type=Path, default=None, help="working folder (kept); default: a temporary one")
    parser.add_argument("--json", type=Path, default=None, help="write the rows here as JSON")
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.workers.split(",")]
    with tempfile.TemporaryDirectory(prefix="kipp-bench-workers-") as scratch:
        root = (args.dir or Path(scratch)).resolve()
        root.mkdir(parents=True, exist_ok=True)
        load = os.getloadavg()
        rows = measure(root, counts, args.participants, args.scans, args.pages, args.batch_size)
    print(table(rows))
    print(f"load average before: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; {os.cpu_count()} cores")
    if args.json:
        args.json.write_text(json.dumps({"load": load, "rows": [asdict(r) | {"pages_per_second": r.pages_per_second,
                                          "documents_per_second": r.documents_per_second} for r in rows]}, indent=2)
                             + "\n", encoding="utf-8")
    return 0
