"""OCR of scanned PDF pages with Tesseract (Indonesian), rendered by poppler's pdftoppm.

A page is the unit of work (`ocr_page`): rendered alone and read by one single-threaded Tesseract.
In an extraction pool (extractors.sandbox) the worker that finds a scan does not read its pages
itself: `ocr_pdf` raises OcrDeferred with the plan (how many pages, which language, the sha256 of
the bytes), the pool hands the pages to its workers as page jobs (`ocr_page_job`) and, with every
page read, has a worker finish the document with those pages (`precomputed`), through the same
code that reads a scan in one piece.

pdftoppm and tesseract are children of the extraction worker and die with it: the kernel kills
them when their parent dies (PR_SET_PDEATHSIG), and the worker's pool kills the worker's process
group when it replaces it. Their pages go to a temporary folder under the pool's own folder,
which the pool removes with the worker.
"""

from __future__ import annotations

import csv
import ctypes
import functools
import hashlib
import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from models.errors import ExtractionError
from models.records import Reason

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


@dataclass(frozen=True, slots=True)
class OcrPage:
    """One page read by Tesseract: its text, and the sum and count of its words' confidences."""

    text: str
    confidence_sum: float
    words: int


@dataclass(frozen=True, slots=True)
class OcrPlan:
    """A scan whose pages are to be read as page jobs: pages 1..pages, in `language`, of the bytes
    whose sha256 is `sha256` (every page job reads the file again and refuses other bytes)."""

    pages: int
    language: str
    sha256: str


class OcrDeferred(Exception):
    """Raised by ocr_pdf while `deferred()` is on: the caller (a pool worker) hands back the plan."""

    def __init__(self, plan: OcrPlan):
        super().__init__(f"OCR of {plan.pages} pages deferred")
        self.plan = plan


_DEFER = object()
# None: read the pages here; _DEFER: raise OcrDeferred; an OcrResult: the pages, read already.
_plan: ContextVar[object] = ContextVar("kipp_ocr_plan", default=None)


@contextmanager
def deferred() -> Iterator[None]:
    """While on, a scan's OCR is not done here but raised as OcrDeferred(plan)."""
    token = _plan.set(_DEFER)
    try:
        yield
    finally:
        _plan.reset(token)


@contextmanager
def precomputed(result: OcrResult) -> Iterator[None]:
    """While on, ocr_pdf returns `result` (the pages the page jobs read) for a scan of as many pages."""
    token = _plan.set(result)
    try:
        yield
    finally:
        _plan.reset(token)


def ocr_pdf(data: bytes, max_pages: int, seconds: float) -> OcrResult:
    """OCR the first max_pages pages of a PDF's bytes; raises subprocess.TimeoutExpired past `seconds`.

    pdftoppm reads the bytes on its standard input: the very bytes that were hashed, not the path.
    Under `deferred()` it raises OcrDeferred instead; under `precomputed(result)` it returns result.
    """
    plan = _plan.get()
    if isinstance(plan, OcrResult) and len(plan.pages) == max_pages:
        return plan
    language = "ind" if "ind" in _languages() else "eng"
    if plan is _DEFER and max_pages > 0:
        raise OcrDeferred(OcrPlan(max_pages, language, hashlib.sha256(data).hexdigest()))
    return combine([ocr_page(data, n, language, seconds) for n in range(1, max_pages + 1)], language)


def combine(pages: list[OcrPage], language: str) -> OcrResult:
    """The pages in order, with the mean confidence of all their words."""
    words = sum(p.words for p in pages)
    mean = sum(p.confidence_sum for p in pages) / words if words else 0.0
    return OcrResult([p.text for p in pages], round(mean, 1), language)


def ocr_page(data: bytes, page: int, language: str, seconds: float) -> OcrPage:
    """Render page `page` (from 1) of a PDF's bytes and read it with one single-threaded Tesseract."""
    with tempfile.TemporaryDirectory(prefix="kipp-ocr-") as tmp:
        prefix = os.path.join(tmp, "p")
        subprocess.run(
            ["pdftoppm", "-r", str(DPI), "-gray", "-png", "-f", str(page), "-l", str(page), "-singlefile", "-",
             prefix],
            input=data, check=True, capture_output=True, timeout=seconds, preexec_fn=_child_setup(),
        )
        image = Path(prefix + ".png")
        if not image.is_file():  # poppler made nothing of the page
            return OcrPage("", 0.0, 0)
        out = subprocess.run(
            ["tesseract", str(image), "stdout", "-l", language, "--psm", "3", "tsv"],
            check=True, capture_output=True, text=True, timeout=seconds, preexec_fn=_child_setup(),
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},  # parallel by pages over the pool, never by threads
        )
    text, confs = _parse_tsv(out.stdout)
    return OcrPage(text, sum(confs), len(confs))


def ocr_page_job(path: Path, root: Path | None, plan: OcrPlan, page: int, seconds: float, memory_mb: int,
                 max_chars: int) -> OcrPage:
    """A pool's page job: read the file again (the bytes of the plan's sha256, else
    CHANGED_SINCE_SCAN) and OCR one page. Failures are ExtractionErrors with the reasons a scan read
    in one piece gets; at most `max_chars` characters of the page are kept."""
    from extractors.source import read_source

    data = read_source(path, plan.sha256, max_bytes=memory_mb * (1 << 20) // 4, root=root)
    try:
        result = ocr_page(data, page, plan.language, seconds)
    except subprocess.TimeoutExpired as e:
        raise ExtractionError(Reason.TIMEOUT, f"OCR melebihi batas waktu {seconds:g} detik") from e
    except subprocess.CalledProcessError as e:
        raise ExtractionError(
            Reason.CORRUPT_PDF, f"halaman PDF tidak dapat dirender untuk OCR ({(e.stderr or b'')[-200:]!r})"
        ) from e
    if len(result.text) > max_chars:
        result = OcrPage(result.text[:max_chars], result.confidence_sum, result.words)
    return result


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
