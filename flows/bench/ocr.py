"""`kipp bench ocr`: OCR pages per second against the number of extraction workers (issue 17).

Generates scanned proposals (pages of Indonesian text drawn into images with Pillow, put into PDFs
by reportlab with no text layer, as a scanner makes them) and reads them through the sandboxed pool,
as `kipp run` does, with 1 and 2 workers, in two ways:

- `pages`: a scan's pages spread over the workers as page jobs (what kipp does);
- `whole`: one scan per worker, its pages in sequence (what kipp did before).

Two sets: one long scan (where `whole` leaves all but one worker idle), and three scans on two
workers (one worker finishes alone). The pool is started and its workers made ready before the clock
starts (a run pays that second once, whatever it reads). CPU seconds are the workers' own and their
finished tools' (/proc/<pid>/stat utime, stime, cutime, cstime, before and after), which other load
on the machine changes far less than the wall time; the busiest worker's CPU seconds are the wall
time the same work would take with a core for each worker, so `pages/s, a core each` (pages over
that) is what the spreading gains where the wall time is blurred by other work on a shared machine. Memory is sampled every 20 ms from /proc: the
largest single Tesseract and pdftoppm, and the pool's whole (workers and their tools) at its peak.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from extractors.ocr_extractor import ocr_available
from extractors.sandbox import SandboxPool
from models.records import Extraction
from models.settings import Limits

_WORDS = (
    "pelayanan publik inovasi masyarakat puskesmas kelurahan pendaftaran daring antrean pasien warga "
    "program layanan kesehatan pendidikan sekolah dinas pemerintah kota malang data sistem informasi "
    "aplikasi petugas kader posyandu balita lansia kegiatan tahun anggaran hasil dampak manfaat waktu "
    "tunggu kepuasan survei laporan evaluasi replikasi keberlanjutan kolaborasi mitra swasta desa"
).split()


def page_lines(seed: int, lines: int = 30) -> list[str]:
    """Lines of a proposal's body: words of the domain, 6-10 a line, numbered sections now and then."""
    rng = random.Random(seed)
    out = []
    for i in range(lines):
        words = [rng.choice(_WORDS) for _ in range(rng.randint(6, 10))]
        line = " ".join(words).capitalize()
        out.append(f"{i // 6 + 1}.{i % 6 + 1} {line}" if i % 6 == 0 else line)
    return out


def write_scan(path: Path, pages: list[list[str]]) -> Path:
    """A PDF of page images (A4 at 150 dpi, text at about 12 pt) with no text layer."""
    from PIL import Image, ImageDraw, ImageFont
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    path.parent.mkdir(parents=True, exist_ok=True)
    font = ImageFont.load_default(size=26)
    canvas = Canvas(str(path), pagesize=A4, invariant=1)
    for lines in pages:
        image = Image.new("L", (1240, 1754), 255)
        draw = ImageDraw.Draw(image)
        for n, line in enumerate(lines):
            draw.text((110, 140 + 48 * n), line, fill=0, font=font)
        canvas.drawImage(ImageReader(image), 0, 0, width=A4[0], height=A4[1])
        canvas.showPage()
    canvas.save()
    return path


class _MemorySampler:
    """Peak RSS (MB) of the processes whose environment holds `mark`, sampled every 20 ms."""

    def __init__(self, mark: str, workers: list[int]):
        self.mark = mark.encode()
        self.workers = {str(pid) for pid in workers}  # a worker's own environ predates the mark it sets
        self.peak: dict[str, float] = {"tesseract": 0.0, "pdftoppm": 0.0, "pool": 0.0}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> _MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        page = os.sysconf("SC_PAGE_SIZE") / (1 << 20)
        while not self._stop.is_set():
            total = 0.0
            for entry in Path("/proc").iterdir():
                if not entry.name.isdigit():
                    continue
                try:
                    if entry.name not in self.workers and self.mark not in (entry / "environ").read_bytes():
                        continue
                    rss = int((entry / "statm").read_text().split()[1]) * page
                    name = (entry / "comm").read_text().strip()
                except (OSError, ValueError, IndexError):
                    continue
                total += rss
                if name in self.peak:
                    self.peak[name] = max(self.peak[name], rss)
            self.peak["pool"] = max(self.peak["pool"], total)
            self._stop.wait(0.02)


@dataclass
class Row:
    name: str
    docs: int
    pages: int
    workers: int
    mode: str
    seconds: float
    cpu: float
    tesseract_mb: float
    pdftoppm_mb: float
    pool_mb: float
    busy: list[int]  # pages read per worker (mode `pages`)
    worker_cpu: list[float]  # CPU seconds per worker, its tools included
    ok: bool

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds


def _cpu(pids: list[int]) -> list[float]:
    """CPU seconds of each of these processes with the children it has waited for."""
    tick = os.sysconf("SC_CLK_TCK")
    out = []
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        out.append(sum(int(f) for f in fields[11:15]) / tick)  # utime stime cutime cstime
    return out


def measure(name: str, files: list[Path], pages: int, workers: int, split: bool, warm: Path) -> Row:
    """Read `files` once through a ready pool of `workers`; the wall time, CPU and memory peaks."""
    with SandboxPool(workers, Limits(), split_ocr=split) as pool:
        list(pool.run({f"warm{i}": warm for i in range(workers)}))  # start every worker before the clock
        pids = [w.process.pid for w in pool._workers]
        with _MemorySampler(f"TMPDIR={pool.dir}/w", pids) as memory:
            cpu = _cpu(pids)
            started = time.perf_counter()
            results = dict(pool.run({str(f): f for f in files}))
            seconds = time.perf_counter() - started
            cpu = [after - before for before, after in zip(cpu, _cpu(pids), strict=True)]
        if pool.restarts or len(pool._workers) != workers:
            raise RuntimeError(f"a worker was replaced during the measurement ({pool.restarts} restarts)")
        ok = all(isinstance(r, Extraction) and "ocr:ind" in r.notes for r in results.values())
        busy = sorted(pool.pages_read.values(), reverse=True)
    return Row(name, len(files), pages, workers, "pages" if split else "whole", seconds, sum(cpu),
               memory.peak["tesseract"], memory.peak["pdftoppm"], memory.peak["pool"], busy,
               sorted(cpu, reverse=True), ok)


def table(rows: list[Row]) -> str:
    head = ("| set | workers | OCR | pages | wall s | pages/s | CPU s per worker | pages/s, a core each "
            "| CPU s/page | peak MB: tesseract / pdftoppm / pool | pages per worker |\n"
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    lines = [head]
    for r in rows:
        lines.append(
            f"| {r.name} | {r.workers} | {r.mode} | {r.pages} | {r.seconds:.1f} | {r.pages_per_second:.2f} "
            f"| {' + '.join(f'{c:.1f}' for c in r.worker_cpu)} | {r.pages / max(r.worker_cpu):.2f} "
            f"| {r.cpu / r.pages:.2f} | {r.tesseract_mb:.0f} / {r.pdftoppm_mb:.0f} / {r.pool_mb:.0f} "
            f"| {'+'.join(map(str, r.busy)) or '-'}{'' if r.ok else ' (NOT READ)'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kipp bench ocr", description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="1,2", help="worker counts, comma-separated (1,2)")
    parser.add_argument("--long", type=int, default=8, help="pages of the one long scan (8)")
    parser.add_argument("--scans", type=int, default=3, help="scans in the second set (3)")
    parser.add_argument("--pages", type=int, default=4, help="pages of each scan in the second set (4)")
    args = parser.parse_args(argv)
    if not ocr_available():
        print("tesseract/pdftoppm tidak terpasang: apt-get install tesseract-ocr tesseract-ocr-ind poppler-utils")
        return 3
    workers = [int(w) for w in args.workers.split(",") if w.strip()]
    with tempfile.TemporaryDirectory(prefix="kipp-bench-ocr-") as tmp:
        root = Path(tmp)
        seed = iter(range(10_000))
        sets = {
            f"1 scan x {args.long} p": ([write_scan(root / "long.pdf",
                                                    [page_lines(next(seed)) for _ in range(args.long)])], args.long),
            f"{args.scans} scans x {args.pages} p": ([
                write_scan(root / f"scan{i}.pdf", [page_lines(next(seed)) for _ in range(args.pages)])
                for i in range(args.scans)
            ], args.scans * args.pages),
        }
        warm = root / "warm.pdf"
        from reportlab.pdfgen.canvas import Canvas

        canvas = Canvas(str(warm))
        canvas.drawString(72, 720, "PROPOSAL INOVASI PELAYANAN PUBLIK")  # a text layer: read in milliseconds
        canvas.save()
        rows = []
        for name, (files, pages) in sets.items():
            for n in workers:
                for split in (False, True):
                    rows.append(measure(name, files, pages, n, split, warm))
    load = os.getloadavg()[0]
    print(f"kipp bench ocr: {os.cpu_count()} cores (load average {load:.1f} at the end: wall times count other "
          "work too), DPI 200, Tesseract 'ind', OMP_THREAD_LIMIT=1 per worker")
    print(table(rows))
    return 0 if all(r.ok for r in rows) else 1
