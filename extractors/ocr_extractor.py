"""OCR of scanned PDF pages with Tesseract (Indonesian), rendered by poppler's pdftoppm.

pdftoppm and tesseract are children of the extraction worker and die with it: the kernel kills
them when their parent dies (PR_SET_PDEATHSIG), and the worker's pool kills the worker's process
group when it replaces it. Their pages go to a temporary folder under the pool's own folder,
which the pool removes with the worker.
"""

from __future__ import annotations

import csv
import ctypes
import functools
import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ENABLE_HINT = (
    "tidak ada lapisan teks (pindaian); pasang OCR agar dapat dibaca: "
    "apt-get install tesseract-ocr tesseract-ocr-ind poppler-utils"
)
DPI = 200  # enough for 10-12 pt body text; 300 doubles the time for little gain on clean scans


@dataclass(frozen=True, slots=True)
class OcrResult:
    pages: list[str]
    confidence: float  # mean word confidence, 0-100
    language: str


PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


def die_with_parent(parent_pid: int | None = None) -> None:
    """Ask the kernel to SIGKILL this process when the thread that started it ends (Linux).

    With `parent_pid`, a parent that died before the request was made ends this process at once.
    """
    if _libc is not None:
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(1)


def _child_setup():
    return functools.partial(die_with_parent, os.getpid())


def ocr_available() -> bool:
    return bool(shutil.which("tesseract") and shutil.which("pdftoppm"))


def _languages() -> set[str]:
    out = subprocess.run(
        ["tesseract", "--list-langs"], check=False, capture_output=True, text=True, timeout=30,
        preexec_fn=_child_setup(),
    )
    return {line.strip() for line in out.stdout.splitlines()[1:] if line.strip()}


def ocr_pdf(data: bytes, max_pages: int, seconds: float) -> OcrResult:
    """OCR the first max_pages pages of a PDF's bytes; raises subprocess.TimeoutExpired past `seconds`.

    pdftoppm reads the bytes on its standard input: the very bytes that were hashed, not the path.
    """
    language = "ind" if "ind" in _languages() else "eng"
    with tempfile.TemporaryDirectory(prefix="kipp-ocr-") as tmp:
        prefix = os.path.join(tmp, "p")
        subprocess.run(
            ["pdftoppm", "-r", str(DPI), "-gray", "-png", "-f", "1", "-l", str(max_pages), "-", prefix],
            input=data, check=True, capture_output=True, timeout=seconds, preexec_fn=_child_setup(),
        )
        pages: list[str] = []
        confidences: list[float] = []
        for image in sorted(Path(tmp).glob("p*.png")):
            out = subprocess.run(
                ["tesseract", str(image), "stdout", "-l", language, "--psm", "3", "tsv"],
                check=True, capture_output=True, text=True, timeout=seconds, preexec_fn=_child_setup(),
                env={**os.environ, "OMP_THREAD_LIMIT": "1"},  # our pool already uses every core
            )
            text, confs = _parse_tsv(out.stdout)
            pages.append(text)
            confidences.extend(confs)
    mean = sum(confidences) / len(confidences) if confidences else 0.0
    return OcrResult(pages, round(mean, 1), language)


def _parse_tsv(tsv: str) -> tuple[str, list[float]]:
    """Tesseract's TSV as lines of text, and the confidence of every word."""
    lines: dict[tuple[str, str, str], list[str]] = {}
    confs: list[float] = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        word = (row.get("text") or "").strip()
        conf = float(row.get("conf") or -1)
        if not word or conf < 0:
            continue
        confs.append(conf)
        lines.setdefault((row["block_num"], row["par_num"], row["line_num"]), []).append(word)
    return "\n".join(" ".join(words) for words in lines.values()), confs
