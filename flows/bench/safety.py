"""`kipp bench safety`: peak memory against a 2 GB zip bomb, and what isolation costs."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from flows.corpora.demo import generate_inbox, malang_roster, write_roster
from flows.corpora.hostile import write_zip_bomb


def _child_run(inbox: Path, roster: Path, out: Path, isolate: bool, workers: int = 2) -> dict:
    """One run in a fresh process, so that its peak memory is its own."""
    code = (
        "import json, resource, sys, time\n"
        "from pathlib import Path\n"
        "from flows.steps import RunConfig, run_once\n"
        "from models.settings import Settings\n"
        "t = time.perf_counter()\n"
        f"r = run_once(RunConfig(Path({str(inbox)!r}), Path({str(roster)!r}), Path({str(out)!r}), 'bench',"
        f" Settings(settle_seconds=0, isolate={isolate}, workers={workers})))\n"
        "from extractors.sandbox import stop_fork_server\n"
        "stop_fork_server()  # the workers are the fork server's children: counted once it is waited for\n"
        "own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "states = {}\n"
        "for o in r.screening.documents: states[o.path] = [o.status.value, o.reason]\n"
        "print(json.dumps({'seconds': time.perf_counter() - t, 'files': r.files_extracted, 'stages': r.seconds,"
        " 'parent_mb': own, 'worker_mb': kids, 'states': states}))\n"
    )
    out_text = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return json.loads(out_text.strip().splitlines()[-1])


def main(size: str = "demo", bomb_mb: int = 2048) -> str:
    lines = []
    with tempfile.TemporaryDirectory(prefix="kipp-bench-") as tmp:
        root = Path(tmp)
        rows = malang_roster(size, 2021)
        write_roster(root / "roster.csv", rows)
        generate_inbox(root / "inbox", rows, 2021)
        n = sum(1 for p in (root / "inbox").rglob("*") if p.is_file())
        # In-process reading uses one core, so isolation is compared on one worker as well as on two.
        for isolate, workers in ((False, 1), (True, 1), (True, 2)):
            r = _child_run(root / "inbox", root / "roster.csv", root / f"out-{isolate}-{workers}", isolate, workers)
            stages = ", ".join(f"{k} {v:.2f}" for k, v in r["stages"].items())
            lines.append(
                f"{size} inbox, {n} files, isolation {'on ' if isolate else 'off'}, {workers} worker(s): "
                f"{r['seconds']:.2f} s, {n / r['seconds']:.1f} files/s, extraction alone "
                f"{n / r['stages']['extract']:.1f} files/s; parent peak {r['parent_mb']:.0f} MB, "
                f"largest worker peak {r['worker_mb']:.0f} MB [{stages}]"
            )
        started = time.perf_counter()
        write_zip_bomb(root / "inbox" / "bom 2GB.docx", bomb_mb)
        lines.append(f"built a DOCX inflating to {bomb_mb} MB in {time.perf_counter() - started:.1f} s "
                     f"({(root / 'inbox' / 'bom 2GB.docx').stat().st_size / 1e6:.1f} MB on disk)")
        r = _child_run(root / "inbox", root / "roster.csv", root / "out-True-2", True)
        state = r["states"]["bom 2GB.docx"]
        lines.append(
            f"run meeting the bomb: {r['seconds']:.2f} s, bomb -> {state[0]}/{state[1]}, "
            f"parent peak {r['parent_mb']:.0f} MB, largest worker peak {r['worker_mb']:.0f} MB"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(main(*(sys.argv[1:2] or ["demo"])))
