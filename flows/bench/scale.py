"""`kipp bench scale`: editions of growing size through the real `kipp run`, against raw extraction.

    kipp bench scale --participants 323,3000            # Kota Malang, then a national-size edition
    kipp bench scale --participants 300 --cache /tmp/e  # the editions are written once per folder

Per size: the edition is generated once (flows/corpora/scale.py; reused from --cache afterwards),
then `kipp run` runs as a user starts it (a subprocess, with whatever Prefect set-up `kipp run` uses:
the bench prints which) three times: cold (a fresh output folder), a rerun with nothing new, and an
empty inbox (the fixed cost). Each run's wall time, CPU time (kipp and its workers), the load average
as it started, its own step times (the ledger's `last_run`,
written by flows/steps.open_run) and the peak memory of its process tree (the sum of the tree's RSS,
polled from /proc every 0.2 s; and the largest single process, from wait4) are recorded. In the same
call, the raw baseline: pypdf and python-docx over the same files in a plain loop in two processes,
no kipp (wall and CPU). Tesseract is hidden (PATH is a folder of links to every other program on it), so no OCR.
Writes scale.json and scale.md in --cache. The machine's other load shows in the figures: read them as
one measurement, not a constant.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from flows.corpora.scale import edition

DEFAULT_CACHE = Path(".kipp/bench-scale")
# The targets (2 cores, no OCR).
TARGET_COLD_MALANG = 12.0  # s, a 323-participant edition
TARGET_RATIO, TARGET_SLACK = 1.5, 10.0  # national: run <= 1.5 x raw parallel extraction + 10 s
TARGET_PEAK_MB = 2048.0
TARGET_NOOP_NATIONAL = 5.0  # s


# -- hiding Tesseract --------------------------------------------------------------------------


def path_without(program: str, folder: Path) -> str:
    """A PATH of one folder holding a link to every program on the current PATH except `program`."""
    folder.mkdir(parents=True, exist_ok=True)
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        if not directory or not os.path.isdir(directory):
            continue
        for entry in os.scandir(directory):
            link = folder / entry.name
            if entry.name != program and not os.path.lexists(link):
                link.symlink_to(entry.path)
    return str(folder)


# -- one `kipp run` ----------------------------------------------------------------------------


def _tree_rss_kb(root: int) -> int:
    """The summed resident memory of `root` and all its descendants, from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                stat = fh.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        pid = int(name)
        parents[pid] = int(stat[1])
        rss[pid] = int(stat[21]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
    total, todo = 0, [root]
    children: dict[int, list[int]] = {}
    for pid, ppid in parents.items():
        children.setdefault(ppid, []).append(pid)
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total


def kipp_run(inbox: Path, roster: Path, out: Path, env: dict[str, str]) -> dict:
    """One `kipp run` as a subprocess: wall seconds, exit code, peak tree RSS, the run's own step times."""
    cmd = [sys.executable, "-m", "flows.cli", "run", "--inbox", str(inbox), "--roster", str(roster),
           "--out", str(out), "--edition", "2021"]
    load = os.getloadavg()[0]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    peak = [0]
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss_kb(proc.pid))
            done.wait(0.2)

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    done.set()
    watcher.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    meta = _ledger_meta(out / "ledger.sqlite")
    last = json.loads(meta.get("last_run", "{}") or "{}")
    return {
        "wall_s": round(wall, 2),
        # CPU of kipp and the workers it waited for (not the Prefect server): what the machine's other
        # load does not inflate the way it inflates wall times.
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "load": round(load, 1),  # the 1-minute load average as the run started (2 cores: above 2 is contention)
        "exit": proc.returncode,
        "peak_tree_rss_mb": round(peak[0] / 1024, 1),
        "peak_process_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "steps_s": last.get("seconds", {}),
        "in_flow_s": last.get("total"),  # from the roster check to the reports written, inside the flow
        "prefect": meta.get("last_run_prefect", "?"),
        "output_tail": output.decode("utf-8", "replace").strip().splitlines()[-3:],
    }


def _ledger_meta(path: Path) -> dict[str, str]:
    from models.ledger import check_ledger
    from models.settings import Settings

    return check_ledger(path, Settings(database_url=None))  # the run's SQLite file (see run_bench)


# -- the raw baseline --------------------------------------------------------------------------


def _raw_one(path: str) -> int:
    """Characters pypdf or python-docx read from one file; 0 for anything they refuse."""
    try:
        if path.lower().endswith(".pdf"):
            from pypdf import PdfReader

            return sum(len(page.extract_text() or "") for page in PdfReader(path).pages)
        if path.lower().endswith(".docx"):
            from docx import Document

            return sum(len(p.text) for p in Document(path).paragraphs)
    except Exception:  # noqa: BLE001 - a broken file reads as nothing, as it would in a plain loop
        return 0
    return 0


def raw_extraction(inbox: Path, workers: int = 2) -> dict:
    files = sorted(str(p) for p in inbox.rglob("*") if p.is_file() and p.suffix.lower() in (".pdf", ".docx"))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        chars = sum(pool.map(_raw_one, files, chunksize=8))
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the pool's processes, reaped at its shutdown
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"seconds": round(seconds, 2), "cpu_s": round(cpu, 2), "files": len(files), "chars": chars,
            "workers": workers}


# -- the whole bench ---------------------------------------------------------------------------


def bench_size(participants: int, seed: int, cache: Path, env: dict[str, str], workers: int) -> dict:
    folder = cache / f"p{participants}-s{seed}"
    started = time.perf_counter()
    inbox, roster, files = edition(folder, participants, seed)
    generated = round(time.perf_counter() - started, 1)
    out = folder / "out"
    shutil.rmtree(out, ignore_errors=True)
    result = {"participants": participants, "seed": seed, "files": files, "edition_folder": str(folder),
              "generate_or_load_s": generated}
    result["cold"] = kipp_run(inbox, roster, out, env)
    result["noop"] = kipp_run(inbox, roster, out, env)
    empty = folder / "empty-inbox"
    empty.mkdir(exist_ok=True)
    empty_out = folder / "out-empty"
    shutil.rmtree(empty_out, ignore_errors=True)
    result["empty"] = kipp_run(empty, roster, empty_out, env)
    result["raw"] = raw_extraction(inbox, workers)
    cold, raw = result["cold"]["wall_s"], result["raw"]["seconds"]
    result["processing_s"] = round(cold - result["empty"]["wall_s"], 2)
    result["targets"] = {
        "cold_vs_raw": {"limit_s": round(TARGET_RATIO * raw + TARGET_SLACK, 1), "ok": cold <= TARGET_RATIO * raw + TARGET_SLACK},
        "processing_vs_raw": {"limit_s": round(TARGET_RATIO * raw, 1), "ok": result["processing_s"] <= TARGET_RATIO * raw},
        "peak_memory": {"limit_mb": TARGET_PEAK_MB,
                        "ok": max(r["peak_tree_rss_mb"] for r in (result["cold"], result["noop"])) <= TARGET_PEAK_MB},
    }
    if participants <= 400:
        result["targets"]["cold"] = {"limit_s": TARGET_COLD_MALANG, "ok": cold <= TARGET_COLD_MALANG}
    else:
        noop = result["noop"]
        result["targets"]["noop"] = {"limit_s": TARGET_NOOP_NATIONAL, "ok": noop["wall_s"] <= TARGET_NOOP_NATIONAL,
                                     "in_flow_ok": (noop["in_flow_s"] or 1e9) <= TARGET_NOOP_NATIONAL}
    return result


STEP_COLUMNS = ("scan", "extract", "decide", "themes", "duplicates", "report")


def markdown(results: list[dict], hidden: str) -> str:
    modes = sorted({r[k]["prefect"] for r in results for k in ("cold", "noop", "empty")})
    lines = [
        f"Prefect: {', '.join(modes)}. OCR: {hidden}. Raw: pypdf/python-docx, plain loop, "
        f"{results[0]['raw']['workers'] if results else 2} processes.",
        "",
        "| participants | files | run | load | wall s | CPU s | in flow s | " + " | ".join(STEP_COLUMNS)
        + " | peak tree MB | raw extraction s (CPU s) | exit |",
        "|---:|---:|---|---:|---:|---:|---:|" + "---:|" * len(STEP_COLUMNS) + "---:|---:|---:|",
    ]
    for r in results:
        for kind in ("cold", "noop", "empty"):
            run = r[kind]
            steps = " | ".join(f"{run['steps_s'].get(s, 0):.1f}" for s in STEP_COLUMNS)
            lines.append(f"| {r['participants']} | {r['files']} | {kind} | {run['load']:.1f} | {run['wall_s']:.1f} | "
                         f"{run['cpu_s']:.1f} | {(run['in_flow_s'] or 0):.1f} | {steps} | {run['peak_tree_rss_mb']:.0f} | "
                         f"{r['raw']['seconds']:.1f} ({r['raw']['cpu_s']:.1f}) | {run['exit']} |")
    lines.append("")
    for r in results:
        checks = ", ".join(f"{name} {'ok' if t['ok'] else 'MISSED'} (limit {t.get('limit_s', t.get('limit_mb'))})"
                           for name, t in r["targets"].items())
        lines.append(f"- {r['participants']} participants: processing (cold − empty) {r['processing_s']:.1f} s; {checks}")
    return "\n".join(lines) + "\n"


def run_bench(participants: list[int], seed: int = 2021, cache: Path = DEFAULT_CACHE, workers: int = 2) -> list[dict]:
    cache = Path(cache).resolve()
    cache.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.setdefault("KIPP_WORKERS", str(workers))
    # Each size runs three editions into three output folders, each with a ledger of its own: the SQLite
    # file of that folder (one PostgreSQL database holds one edition).
    env.pop("KIPP_DATABASE_URL", None)
    with tempfile.TemporaryDirectory(prefix="kipp-bench-path-") as tmp:
        env["PATH"] = path_without("tesseract", Path(tmp))
        hidden = "tesseract hidden (PATH = links to every other program on PATH)"
        results = [bench_size(n, seed, cache, env, workers) for n in participants]
    (cache / "scale.json").write_text(json.dumps({"hidden": hidden, "results": results}, indent=1), encoding="utf-8")
    (cache / "scale.md").write_text(markdown(results, hidden), encoding="utf-8")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kipp bench scale", description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", default="323,3000", help="sizes, comma-separated")
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="where editions and results are kept")
    parser.add_argument("--workers", type=int, default=2, help="KIPP_WORKERS and the raw baseline's processes")
    args = parser.parse_args(argv)
    try:
        sizes = [int(s) for s in args.participants.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--participants {args.participants!r}: sizes are whole numbers, e.g. 323,3000")
    if not sizes or min(sizes) <= 0:
        parser.error("--participants: at least one size above zero")
    results = run_bench(sizes, args.seed, args.cache, args.workers)
    hidden = "tesseract hidden"
    print(markdown(results, hidden), end="")
    print(f"written: {Path(args.cache) / 'scale.json'}, {Path(args.cache) / 'scale.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
