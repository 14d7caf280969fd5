"""`kipp bench latency`: from a 10-page PDF landing in the inbox to the report showing it."""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from flows.corpora.demo import generate_inbox, malang_roster, write_roster
from flows.steps.context import OutputPaths

PARAGRAPH = (
    "Inovasi ini mempercepat pelayanan kepada masyarakat dengan pendaftaran daring, antrean "
    "terjadwal dan pengingat melalui pesan singkat, sehingga waktu tunggu turun dari sembilan puluh "
    "menit menjadi dua puluh menit dan keluhan warga berkurang setiap bulan."
)


def ten_page_pdf(path: Path, unit: str, title: str) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(path), pagesize=A4)
    for page in range(10):
        y = 780
        lines = [title, unit, "PEMERINTAH KOTA MALANG"] if page == 0 else [f"BAB {page}"]
        lines += [PARAGRAPH[i : i + 90] for i in range(0, len(PARAGRAPH), 90)] * 8
        for line in lines:
            canvas.drawString(50, y, line)
            y -= 16
        canvas.showPage()
    canvas.save()
    return path


def _report_paths(out: Path) -> set[str]:
    try:
        return {d["path"] for d in json.loads((OutputPaths(out).screening).read_text(encoding="utf-8"))["documents"]}
    except (FileNotFoundError, json.JSONDecodeError, KeyError):
        return set()


def main(drops: int = 10, polling: bool = False) -> str:
    with tempfile.TemporaryDirectory(prefix="kipp-latency-") as tmp:
        root = Path(tmp)
        rows = malang_roster("demo", 2021)
        write_roster(root / "roster.csv", rows)
        generate_inbox(root / "inbox", rows, 2021)
        staging = root / "staging"
        staging.mkdir()
        cmd = [sys.executable, "-m", "flows.cli", "watch", "--inbox", str(root / "inbox"),
               "--roster", str(root / "roster.csv"), "--out", str(root / "out")]
        if polling:
            cmd += ["--polling", "--interval", "1"]
        started = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})
        while not (line := proc.stdout.readline()).startswith("Mengawasi"):
            if not line:
                raise RuntimeError("watcher did not start")
        ready = time.monotonic() - started
        latencies = []
        units = [r for r in rows if r.category == "smp"]
        try:
            for i in range(drops):
                unit = units[i % len(units)]
                name = f"terlambat/{unit.name} revisi {i}.pdf"
                pdf = ten_page_pdf(staging / f"{i}.pdf", unit.name.upper(), "PROPOSAL INOVASI PELAYANAN PUBLIK")
                (root / "inbox" / "terlambat").mkdir(exist_ok=True)
                t0 = time.monotonic()
                os.rename(pdf, root / "inbox" / name)  # lands whole, as a finished upload or a copy does
                while name not in _report_paths(root / "out"):
                    if time.monotonic() - t0 > 60:
                        raise RuntimeError(f"{name} not reported after 60 s")
                    time.sleep(0.02)
                latencies.append(time.monotonic() - t0)
                time.sleep(0.5)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.communicate(timeout=60)
    q = statistics.quantiles(latencies, n=10)
    return (
        f"watcher ({'polling 1 s' if polling else 'inotify'}) ready after {ready:.1f} s (initial batch of the demo inbox)\n"
        f"{drops} drops of a 10-page PDF: median {statistics.median(latencies):.2f} s, p90 {q[-1]:.2f} s, "
        f"min {min(latencies):.2f} s, max {max(latencies):.2f} s\n"
        f"all: {' '.join(f'{x:.2f}' for x in latencies)}"
    )


if __name__ == "__main__":
    print(main())
