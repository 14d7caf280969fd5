"""OCR spread over the extraction pool by pages (issue 17) and its progress on the terminal (issue 12).

OCR costs about a second a page here: the fast tests read two pages in all; the limits of page jobs
(time, crash) are tested on heavy pages and marked slow.
"""

from __future__ import annotations

import hashlib
import io
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from extractors import extract
from extractors.ocr_extractor import OcrPlan, OcrResult, deferred, ocr_available, precomputed
from extractors.sandbox import PAGE, SandboxPool, _work, extract_one, keep_workers, release_workers
from flows.bench.ocr import write_scan
from models.ledger import Ledger
from models.records import Reason
from models.settings import Limits, Settings
from tests.conftest import make_pdf
from tests.extractors.test_hostile_extraction import _gone, _heavy_scan, _ocr_tools

needs_ocr = pytest.mark.skipif(
    not ocr_available() and not os.environ.get("KIPP_REQUIRE_OCR"), reason="Tesseract is not installed (CI installs it)"
)


@needs_ocr
def test_a_worker_hands_back_a_scan_as_a_plan_and_finishes_it_from_pages_read_elsewhere(tmp_path: Path) -> None:
    # No page is read here: the plan, then the document made from given pages, as a pool's jobs do.
    scan = write_scan(tmp_path / "pindaian.pdf", [["PROPOSAL INOVASI"], ["satu"], ["dua"]])
    limits = Limits(ocr_pages=2)
    with deferred():
        plan = extract_one(scan, limits)
    assert plan == OcrPlan(2, "ind", hashlib.sha256(scan.read_bytes()).hexdigest())
    pages = OcrResult(["PROPOSAL  INOVASI\nSMP NEGERI 5", "Latar belakang"], 88.0, "ind")
    with precomputed(pages):
        ex = extract(scan, limits, plan.sha256)
    assert ex.text == "PROPOSAL INOVASI\nSMP NEGERI 5\n\f\nLatar belakang"  # in order, normalised, as one read
    assert ex.cover == "PROPOSAL INOVASI\nSMP NEGERI 5" and ex.pages == 3 and ex.ocr_confidence == 88.0
    assert ex.notes == ("no_text_layer", "ocr:ind", "ocr_pages:2/3")


def test_a_page_job_reads_only_the_bytes_its_plan_was_made_from(tmp_path: Path) -> None:
    scan = make_pdf(tmp_path / "pindaian.pdf", [""])
    plan = OcrPlan(1, "ind", "0" * 64)  # the bytes the worker that found the scan read: not these
    reason, detail = _work(PAGE, scan, None, None, (plan, 1), Limits())
    assert reason is Reason.CHANGED_SINCE_SCAN and "berubah sejak dipindai" in detail


@needs_ocr
def test_a_scans_pages_are_read_by_both_workers_and_joined_in_order(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    scan = write_scan(inbox / "pindaian.pdf", [["HALAMAN SATU", "PROPOSAL INOVASI PELAYANAN PUBLIK"],
                                               ["HALAMAN DUA", "LATAR BELAKANG MASALAH"]])
    sha = hashlib.sha256(scan.read_bytes()).hexdigest()
    text_pdf = make_pdf(tmp_path / "teks.pdf", ["PROPOSAL INOVASI PELAYANAN PUBLIK"])
    settings = Settings(workers=2)
    pool = keep_workers(2, settings.limits)  # the kept pool of kipp watch; extract_contents uses it
    try:
        list(pool.run({"a": text_pdf, "b": text_pdf}))  # both workers ready and idle: page 1 and 2 go one each
        from flows.steps.extract import extract_contents, extract_progress, ocr_progress

        files: list[tuple[int, int]] = []
        pages: list[tuple[int, int]] = []
        tokens = (extract_progress.set(lambda d, t: files.append((d, t))),
                  ocr_progress.set(lambda d, t: pages.append((d, t))))
        try:
            with Ledger(tmp_path / "ledger.sqlite") as ledger:
                assert extract_contents(ledger, inbox, {"pindaian.pdf": sha}, settings, None) == 1
                stored = ledger.extractions([sha], with_text=True)[sha].extraction
        finally:
            extract_progress.reset(tokens[0])
            ocr_progress.reset(tokens[1])
        assert sorted(pool.pages_read.values()) == [1, 1] and pool.restarts == 0
    finally:
        release_workers()
    assert stored.text.index("HALAMAN SATU") < stored.text.index("\f") < stored.text.index("HALAMAN DUA")
    assert "ocr:ind" in stored.notes and stored.ocr_confidence is not None and stored.ocr_confidence > 70
    assert files == [(0, 1), (1, 1)] and pages == [(0, 2), (1, 2), (2, 2)]


def test_the_progress_line_shows_ocr_pages_while_scans_are_read() -> None:
    from rich.console import Console

    from flows.cli import _progress
    from flows.steps.extract import extract_progress, ocr_progress

    screen = io.StringIO()
    with _progress(Console(file=screen, force_terminal=True, width=120)):
        extract_progress.get()(1, 3)
        ocr_progress.get()(4, 10)
        during = screen.getvalue()
        ocr_progress.get()(10, 10)
        extract_progress.get()(3, 3)
    assert "Membaca berkas (OCR)" in during and "1/3 · OCR 4/10 hlm" in during
    assert "OCR 10/10 hlm" in screen.getvalue()
    assert ocr_progress.get() is None and extract_progress.get() is None  # gone with the display


def _ready_pool(limits: Limits, tmp_path: Path) -> SandboxPool:
    pool = SandboxPool(2, limits)
    text_pdf = make_pdf(tmp_path / "teks.pdf", ["PROPOSAL INOVASI PELAYANAN PUBLIK"])
    list(pool.run({"a": text_pdf, "b": text_pdf}))  # both workers ready, so both take a page at once
    return pool


@pytest.mark.slow
@needs_ocr
def test_a_scans_time_limit_counts_the_seconds_of_all_its_pages_and_ends_every_worker_on_it(tmp_path: Path) -> None:
    """Slow: heavy pages (about 7 s each to render) on two workers, past a 6 s limit."""
    scan = _heavy_scan(tmp_path / "pindaian.pdf")
    with _ready_pool(Limits(seconds=6, ocr_pages=12), tmp_path) as pool:
        mark = f"TMPDIR={pool.dir}/w"
        started = time.monotonic()
        results = dict(pool.run({"scan": scan}))
        elapsed = time.monotonic() - started
        assert results["scan"] == (Reason.TIMEOUT, "membaca berkas melebihi batas waktu 6 detik")
        assert elapsed < 6  # two pages at once spend the 6 s in about 3
        assert pool.restarts == 2  # both workers were on it
        assert _gone(mark) == []
        assert list(pool.dir.iterdir()) == []


@pytest.mark.slow
@needs_ocr
def test_a_page_whose_worker_dies_ends_its_scan_and_the_worker_on_its_other_page(tmp_path: Path) -> None:
    """Slow: heavy pages, so that both workers are still on them when one is killed."""
    scan = _heavy_scan(tmp_path / "pindaian.pdf")
    with _ready_pool(Limits(seconds=120, ocr_pages=12), tmp_path) as pool:
        mark = f"TMPDIR={pool.dir}/w"

        def kill_one_mid_page() -> None:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                busy = [w for w in list(pool._workers) if w.job and w.job.kind == PAGE]
                if len(busy) == 2 and len(_ocr_tools(mark)) >= 2:
                    os.kill(busy[0].process.pid, signal.SIGKILL)  # the worker alone, not its tools
                    return
                time.sleep(0.05)

        killer = threading.Thread(target=kill_one_mid_page)
        killer.start()
        results = dict(pool.run({"scan": scan}))
        killer.join()
        assert results["scan"][0] is Reason.RESOURCE_LIMIT  # SIGKILL reads as the OOM killer's
        assert pool.restarts == 2 and pool.pages_read == {}
        assert _gone(mark) == []
        assert list(pool.dir.iterdir()) == []
