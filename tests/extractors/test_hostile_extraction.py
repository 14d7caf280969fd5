"""Hostile inboxes, the extraction side (issue 10, items 3, 4, 6, 7 and 10): each test rebuilds the case."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from extractors import extract
from extractors.limits import Limits
from extractors.ocr_extractor import ocr_available
from extractors.sandbox import SandboxPool, extract_one, remove_stale_pool_dirs
from flows.corpora.hostile import (
    document_xml,
    docx_parts,
    write_docx_parts,
    write_nested_forms_pdf,
)
from flows.steps import RunConfig, open_run, run_once
from flows.steps.decide import decide
from flows.steps.extract import extract as extract_step
from flows.steps.scan import scan
from models.errors import ExtractionError, InputError
from models.ledger import Ledger
from models.records import FileStatus, Reason
from models.settings import Settings
from tests.conftest import BODY, cover, make_docx, make_pdf

ROOT = Path(__file__).resolve().parents[2]
needs_ocr = pytest.mark.skipif(
    not ocr_available() and not os.environ.get("KIPP_REQUIRE_OCR"), reason="Tesseract is not installed (CI installs it)"
)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- item 3: a file is read once, from what was checked ------------------------------------------


def test_a_file_swapped_for_a_link_after_the_scan_is_never_read_through_it(tmp_path: Path) -> None:
    secret = tmp_path / "outside" / "passwd"
    secret.parent.mkdir()
    secret.write_text("root:x:0:0:RAHASIA-LUAR:/root:/bin/bash\n", encoding="utf-8")
    surat = make_pdf(tmp_path / "inbox" / "surat.pdf", ["PROPOSAL INOVASI"])
    recorded = _sha(surat)
    surat.unlink()
    surat.symlink_to(secret)  # swapped after the scan hashed it
    reason, detail = extract_one(surat, Limits(), recorded)
    assert reason is Reason.CHANGED_SINCE_SCAN and "tautan simbolik" in detail
    with pytest.raises(ExtractionError) as e:  # without a recorded hash: still never followed
        extract(surat)
    assert e.value.reason is Reason.SYMLINK


def test_a_file_rewritten_after_the_scan_is_not_read_as_the_recorded_content(tmp_path: Path) -> None:
    # Pages of 20 characters or more: a text layer, read without OCR.
    path = make_pdf(tmp_path / "a.pdf", ["PROPOSAL INOVASI PELAYANAN PUBLIK", "versi lama proposal ini"])
    recorded = _sha(path)
    make_pdf(path, ["PROPOSAL INOVASI PELAYANAN PUBLIK", "versi baru proposal ini"])
    assert extract_one(path, Limits(), recorded)[0] is Reason.CHANGED_SINCE_SCAN
    assert "baru" in extract_one(path, Limits(), _sha(path)).text


def test_a_fifo_in_place_of_a_file_is_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "kiriman.pdf"
    os.mkfifo(fifo)
    start = time.monotonic()
    assert extract_one(fifo, Limits(), "0" * 64)[0] is Reason.CHANGED_SINCE_SCAN
    assert extract_one(fifo, Limits())[0] is Reason.SPECIAL_FILE
    assert time.monotonic() - start < 5


def test_a_file_swapped_between_scan_and_extraction_is_quarantined_and_read_again_next_run(
    tmp_path: Path, roster_file: Path
) -> None:
    inbox, outside = tmp_path / "inbox", tmp_path / "outside"
    outside.mkdir()
    surat = make_pdf(inbox / "SMPN 5 inovasi.pdf", [cover("PROPOSAL INOVASI", "SMP NEGERI 5 MALANG"), BODY])
    (outside / "passwd").write_text("RAHASIA-LUAR-KOTAK-MASUK", encoding="utf-8")
    config = RunConfig(inbox, roster_file, tmp_path / "out", "2021", Settings(workers=1, settle_seconds=0))
    with open_run(config) as run:
        scan(run)
        ledger, hashes = run.ledger, run.hashes
        original = surat.read_bytes()
        surat.unlink()
        surat.symlink_to(outside / "passwd")  # after the scan, before the worker opens it
        extract_step(run)
        assert run.files_extracted == 1
        decide(run)
        o = run.screening.documents[0]
        assert (o.status, o.reason) == (FileStatus.QUARANTINED, Reason.CHANGED_SINCE_SCAN)
        stored = ledger.extractions(hashes.values(), with_text=True)[hashes[o.path]]
        assert stored.extraction is None and "RAHASIA" not in (stored.error_detail or "")
        surat.unlink()
        surat.write_bytes(original)  # the participant's file is back: the next run reads it
        assert ledger.missing_extractions(hashes.values(), config.settings.limits.key()) == set(hashes.values())
    result = run_once(config)
    assert (result.files_extracted, result.screening.documents[0].status) == (1, FileStatus.ACCEPTED)


def test_a_file_larger_than_a_worker_can_hold_is_resource_limit_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "besar.pdf"
    path.write_bytes(b"%PDF-1.4\n" + b"0" * (2 << 20))
    with pytest.raises(ExtractionError) as e:
        extract(path, Limits(memory_mb=4))  # a quarter of 4 MB may be read
    assert e.value.reason is Reason.RESOURCE_LIMIT and "melebihi 1 MB" in str(e.value)
    with pytest.raises(ExtractionError) as e:
        extract(path, Limits(memory_mb=16))  # read, then refused for what it is
    assert e.value.reason is Reason.CORRUPT_PDF


# -- item 4: no process outlives its run -------------------------------------------------------


def _processes_marked(mark: str) -> list[tuple[int, str]]:
    """(pid, command) of every live process whose environment contains `mark`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if mark.encode() not in (entry / "environ").read_bytes():
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        if state != "Z":
            found.append((int(entry.name), command))
    return found


def _ocr_tools(mark: str) -> list[tuple[int, str]]:
    return [(pid, cmd) for pid, cmd in _processes_marked(mark) if cmd.startswith(("pdftoppm", "tesseract"))]


def _gone(mark: str, seconds: float = 2) -> list[tuple[int, str]]:
    deadline = time.monotonic() + seconds
    while (left := _processes_marked(mark)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def _watch_ocr(pool: SandboxPool, seen: list, stop: threading.Event) -> threading.Thread:
    def watch() -> None:
        while not stop.is_set():
            seen.extend(_ocr_tools(f"TMPDIR={pool.dir}/w"))
            time.sleep(0.05)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def _heavy_scan(path: Path, pages: int = 3) -> Path:
    """A scan of 24-inch pages: pdftoppm takes about 7 s a page at 200 dpi and tesseract 20 s, so a
    tool left behind by a killed worker would still be running when the test looks."""
    from PIL import Image, ImageDraw, ImageFont
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    side = 24 * 72
    canvas = Canvas(str(path), pagesize=(side, side), invariant=1)
    font = ImageFont.load_default(size=40)
    for _ in range(pages):
        image = Image.new("L", (2400, 2400), 255)
        draw = ImageDraw.Draw(image)
        for y in range(0, 2400, 60):
            draw.text((50, y), "PROPOSAL INOVASI SMP NEGERI 5 MALANG " * 3, fill=0, font=font)
        canvas.drawImage(ImageReader(image), 0, 0, width=side, height=side)
        canvas.showPage()
    canvas.save()
    return path


@pytest.mark.slow
@needs_ocr
def test_ocr_tools_and_their_pages_go_with_a_worker_killed_at_its_deadline(tmp_path: Path) -> None:
    scan = _heavy_scan(tmp_path / "pindaian.pdf")
    seen: list = []
    stop = threading.Event()
    with SandboxPool(1, Limits(seconds=4, ocr_pages=12)) as pool:
        watcher = _watch_ocr(pool, seen, stop)
        results = dict(pool.run({"scan": scan}))
        stop.set()
        watcher.join()
        assert results["scan"][0] is Reason.TIMEOUT
        assert seen, "no OCR tool ran: the test did not exercise the kill"
        assert _gone(f"TMPDIR={pool.dir}/w") == []
        assert list(pool.dir.iterdir()) == []  # the killed worker's folder (its rendered pages) is gone
    assert not pool.dir.exists()


@pytest.mark.slow
@needs_ocr
def test_ocr_tools_die_when_their_worker_is_killed(tmp_path: Path) -> None:
    scan = _heavy_scan(tmp_path / "pindaian.pdf")
    with SandboxPool(1, Limits(seconds=120, ocr_pages=12)) as pool:
        mark = f"TMPDIR={pool.dir}/w"

        def kill_worker_mid_ocr() -> None:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not (seen := _ocr_tools(mark)):
                time.sleep(0.05)
            assert seen  # (in the killer thread: the run below then fails its own way)
            busy = [w for w in list(pool._workers) if w.job]
            os.kill(busy[0].process.pid, signal.SIGKILL)  # the worker alone, not its group

        killer = threading.Thread(target=kill_worker_mid_ocr)
        killer.start()
        results = dict(pool.run({"scan": scan}))
        killer.join()
        assert results["scan"][0] is Reason.RESOURCE_LIMIT  # SIGKILL reads as the OOM killer's
        assert _gone(mark) == []
        assert list(pool.dir.iterdir()) == []


_KILLED_PARENT = """
import sys
from pathlib import Path
from extractors.limits import Limits
from extractors.sandbox import SandboxPool
with SandboxPool(1, Limits(seconds=300, ocr_pages=12)) as pool:
    print(pool.dir, flush=True)
    list(pool.run({"scan": Path(sys.argv[1])}))
"""


@pytest.mark.slow
@needs_ocr
def test_workers_and_ocr_tools_die_with_a_killed_main_process_and_the_next_pool_removes_its_folder(
    tmp_path: Path,
) -> None:
    scan = _heavy_scan(tmp_path / "pindaian.pdf")
    mark = f"KIPP_TEST_RUN={tmp_path}"
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "KIPP_TEST_RUN": str(tmp_path), "TMPDIR": str(tmp), "PYTHONPATH": str(ROOT)}
    main = subprocess.Popen([sys.executable, "-c", _KILLED_PARENT, str(scan)], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    try:
        pool_dir = Path(main.stdout.readline().strip())
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (seen := _ocr_tools(mark)):
            time.sleep(0.05)
        assert seen, "no OCR tool started"
    finally:
        main.kill()  # SIGKILL: no finally, no atexit in the main process
        main.wait()
    assert _gone(mark) == []  # workers and OCR tools alike
    assert pool_dir.is_dir() and pool_dir.parent == tmp  # what only the next pool can clean
    assert remove_stale_pool_dirs(tmp) == [pool_dir]
    assert not pool_dir.exists()


def test_workers_started_from_a_passing_thread_outlive_that_thread(tmp_path: Path) -> None:
    # The kernel's parent-death signal follows the thread that started a process; a watcher's
    # batches run in passing threads, and a kept pool must not lose its workers when one ends.
    pdf = make_pdf(tmp_path / "a.pdf", [cover("PROPOSAL INOVASI", "SMP NEGERI 5 MALANG")])
    with SandboxPool(1, Limits()) as pool:
        first: dict = {}
        thread = threading.Thread(target=lambda: first.update(pool.run({"a": pdf})))
        thread.start()
        thread.join()
        time.sleep(0.5)
        second = dict(pool.run({"b": pdf}))
        assert "SMP NEGERI 5" in first["a"].text and first["a"].text == second["b"].text
        assert pool.restarts == 0  # the worker that served the thread served the second run


# -- item 6: bounded text ------------------------------------------------------------------------


def test_nested_forms_are_cut_at_the_character_cap_in_the_worker_and_noted(tmp_path: Path) -> None:
    pdf = write_nested_forms_pdf(tmp_path / "bersarang.pdf", levels=3, fanout=10, repeat=400)  # 2 million chars
    assert pdf.stat().st_size < 5_000
    limits = Limits(max_chars=50_000)
    start = time.monotonic()
    with SandboxPool(1, limits) as pool:
        result = dict(pool.run({"pdf": pdf}))["pdf"]
    assert 49_000 < len(result.text) <= 50_000  # the cut, less the spaces normalising trims
    assert "text_truncated:50000" in result.notes
    assert time.monotonic() - start < 30  # stops at the cap; the whole page takes about 2 s more per million


def test_the_default_cap_is_far_above_a_real_proposal_and_a_normal_file_is_not_cut(tmp_path: Path) -> None:
    assert Limits().max_chars == 2_000_000
    ex = extract(make_pdf(tmp_path / "a.pdf", [cover("PROPOSAL INOVASI", "SMP NEGERI 5"), BODY * 40]))
    assert not any(n.startswith("text_truncated") for n in ex.notes)


def test_a_docx_over_the_cap_is_cut_and_noted(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "panjang.docx", ["PROPOSAL INOVASI"] + [BODY] * 200)
    ex = extract(path, Limits(max_chars=5_000))
    assert len(ex.text) == 5_000 and "text_truncated:5000" in ex.notes


def test_the_main_process_refuses_a_result_larger_than_its_ceiling_and_goes_on(tmp_path: Path) -> None:
    big = make_pdf(tmp_path / "besar.pdf", [BODY * 20] * 3)
    small = make_pdf(tmp_path / "kecil.pdf", ["PROPOSAL INOVASI PELAYANAN PUBLIK"])  # a text layer: no OCR
    with SandboxPool(1, Limits()) as pool:
        pool.max_message = 2_000  # what a worker that ignored the cap would meet
        results = dict(pool.run({"big": big, "small": small}))
    reason, detail = results["big"]
    assert reason is Reason.RESOURCE_LIMIT and "melebihi" in detail  # not extraction_crashed
    assert results["small"].text.startswith("PROPOSAL INOVASI")


def test_a_result_too_big_to_send_goes_back_as_resource_limit_not_as_a_crash() -> None:
    import multiprocessing
    import pickle

    from extractors.sandbox import max_message_bytes, result_payload
    from models.records import Extraction

    limits = Limits(max_chars=1_000)
    huge = Extraction("pdf", "kata " * 1_000_000, 1, "sampul")  # what an uncapped extractor would return
    parent, child = multiprocessing.Pipe()
    child.send_bytes(result_payload("k", huge, limits))
    key, (reason, _detail) = pickle.loads(parent.recv_bytes(max_message_bytes(limits)))
    assert (key, reason) == ("k", Reason.RESOURCE_LIMIT)
    small = Extraction("pdf", "kata " * 100, 1, "sampul")
    child.send_bytes(result_payload("k", small, limits))
    assert pickle.loads(parent.recv_bytes(max_message_bytes(limits))) == ("k", small)


def test_a_capped_document_is_stored_capped_in_the_ledger(tmp_path: Path, roster_file: Path) -> None:
    inbox = tmp_path / "inbox"
    write_nested_forms_pdf(inbox / "SMPN 5 inovasi.pdf", levels=3, fanout=10, repeat=100)
    config = RunConfig(inbox, roster_file, tmp_path / "out", "2021",
                       Settings(workers=1, settle_seconds=0, limits=Limits(max_chars=20_000)))
    o = run_once(config).screening.documents[0]
    assert 19_000 < o.chars <= 20_000 and "text_truncated:20000" in o.detail
    assert config.ledger_path.stat().st_size < 1_000_000


# -- item 7: transient failures are retried, never in a loop ---------------------------------------


def _slowish_pdf(path: Path) -> Path:
    from reportlab.pdfgen.canvas import Canvas

    path.parent.mkdir(parents=True, exist_ok=True)
    canvas = Canvas(str(path), invariant=1)
    for page in range(4):  # about half a second of pypdf's work
        for i in range(1500):
            canvas.drawString(10 + (i % 7) * 70, 10 + (i % 100) * 8, f"kata{i} p{page}")
        canvas.showPage()
    canvas.save()
    return path


def _settings(seconds: float) -> Settings:
    return Settings(workers=1, settle_seconds=0, limits=Limits(seconds=seconds))


@pytest.mark.slow
def test_a_timeout_is_read_again_when_the_limit_changes_and_only_then(tmp_path: Path, roster_file: Path) -> None:
    inbox = tmp_path / "inbox"
    _slowish_pdf(inbox / "lambat.pdf")
    short = RunConfig(inbox, roster_file, tmp_path / "out", "2021", _settings(0.2))
    first = run_once(short)
    o = first.screening.documents[0]
    assert (o.reason, o.detail) == (Reason.TIMEOUT, "membaca berkas melebihi batas waktu 0.2 detik")
    assert run_once(short).files_extracted == 0  # same limits: no retry, no loop
    raised = RunConfig(inbox, roster_file, tmp_path / "out", "2021", _settings(120))
    again = run_once(raised)
    assert again.files_extracted == 1
    assert again.screening.documents[0].reason is not Reason.TIMEOUT
    assert run_once(raised).files_extracted == 0


def test_a_transient_failure_under_unrecorded_limits_is_read_again_once(tmp_path: Path) -> None:
    with Ledger(tmp_path / "ledger.sqlite") as ledger:
        ledger.save_extraction("a" * 64, (Reason.TIMEOUT, "membaca berkas melebihi batas waktu 2 detik"))  # an old ledger
        ledger.save_extraction("b" * 64, (Reason.CORRUPT_PDF, "PDF rusak"))
        key = Limits().key()
        assert ledger.missing_extractions(["a" * 64, "b" * 64], key) == {"a" * 64}
        ledger.save_extraction("a" * 64, (Reason.TIMEOUT, "membaca berkas melebihi batas waktu 120 detik"), key)
        assert ledger.missing_extractions(["a" * 64, "b" * 64], key) == set()


@pytest.mark.slow
def test_kipp_retry_marks_failures_once_and_the_next_run_reads_them(tmp_path: Path, roster_file: Path) -> None:
    from flows.cli import main

    inbox = tmp_path / "inbox"
    _slowish_pdf(inbox / "lambat.pdf")
    (inbox / "rusak.pdf").write_bytes(b"%PDF-1.4\n1 0 obj <<")
    config = RunConfig(inbox, roster_file, tmp_path / "out", "2021", _settings(0.2))
    run_once(config)
    runner = CliRunner()
    result = runner.invoke(main, ["retry", "--out", str(config.out)], catch_exceptions=False)
    assert result.exit_code == 0 and result.output.startswith("1 isi berkas")
    assert run_once(config).files_extracted == 1  # the timeout, not the corrupt PDF
    assert run_once(config).files_extracted == 0  # marked once, read once
    result = runner.invoke(main, ["retry", "--out", str(config.out), "--reason", "corrupt_pdf"], catch_exceptions=False)
    assert result.output.startswith("1 isi berkas")
    assert run_once(config).files_extracted == 1


@pytest.mark.parametrize("args", [["--reason", "unidentified"], ["--reason", "bogus"], ["--out", "{tmp}/kosong"]])
def test_kipp_retry_refuses_bad_input_with_an_input_error(tmp_path: Path, args: list[str]) -> None:
    from flows.cli import main

    (tmp_path / "kosong").mkdir()
    args = [a.format(tmp=tmp_path) for a in args]
    if "--out" not in args:
        args += ["--out", str(tmp_path / "kosong")]
    result = CliRunner().invoke(main, ["retry", *args])
    assert result.exit_code == InputError.exit_code  # 3, one line through the error boundary
    assert "Traceback" not in result.output
    assert not (tmp_path / "kosong" / "ledger.sqlite").exists()  # nothing created


# -- item 10: the DOCX guard sees every encoding and part -----------------------------------------


def _entity_document(encoding: str = "UTF-8") -> str:
    return document_xml("&x;", prolog='<!DOCTYPE d [<!ENTITY x "RAHASIA">]>').replace(
        'encoding="UTF-8"', f'encoding="{encoding}"'
    )


def _read(path: Path) -> Reason | str:
    try:
        return extract(path).text
    except ExtractionError as e:
        return e.reason


def test_a_utf16_part_with_a_dtd_is_refused(tmp_path: Path) -> None:
    body = _entity_document("UTF-16").encode("utf-16")  # with its BOM, as Word would write UTF-16
    assert b"<!DOCTYPE" not in body and b"<!ENTITY" not in body
    assert _read(write_docx_parts(tmp_path / "a.docx", docx_parts(body))) is Reason.XML_ENTITIES
    no_bom = _entity_document("UTF-16").encode("utf-16-be")
    assert _read(write_docx_parts(tmp_path / "b.docx", docx_parts(no_bom))) is Reason.XML_ENTITIES


def test_a_clean_utf16_docx_is_still_read(tmp_path: Path) -> None:
    body = document_xml("PROPOSAL INOVASI SMP NEGERI 5").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    assert "PROPOSAL INOVASI" in _read(write_docx_parts(tmp_path / "a.docx", docx_parts(body.encode("utf-16"))))


@pytest.mark.parametrize("encoding", ["UTF-7", "UTF-32", "IBM037"])
def test_a_part_in_an_encoding_a_docx_may_not_use_is_refused(tmp_path: Path, encoding: str) -> None:
    body = _entity_document(encoding).encode(encoding.lower().replace("ibm", "cp"))
    assert _read(write_docx_parts(tmp_path / "a.docx", docx_parts(body))) is Reason.CORRUPT_DOCX


def test_a_dtd_in_a_main_part_with_another_name_is_refused(tmp_path: Path) -> None:
    parts = docx_parts(_entity_document(), main="word/main.dat")
    path = write_docx_parts(tmp_path / "a.docx", parts)
    assert _read(path) is Reason.XML_ENTITIES
    clean = write_docx_parts(tmp_path / "b.docx", docx_parts(document_xml("PROPOSAL INOVASI"), main="word/main.dat"))
    assert "PROPOSAL INOVASI" in _read(clean)  # python-docx follows the relations: the guard must too


def test_a_docx_with_two_main_parts_is_corrupt(tmp_path: Path) -> None:
    parts = docx_parts(document_xml("PROPOSAL INOVASI SMP NEGERI 5")) + [
        ("word/document.xml", document_xml("PROPOSAL KINERJA SMP NEGERI 15"))
    ]
    path = write_docx_parts(tmp_path / "a.docx", parts)
    assert len(zipfile.ZipFile(path).infolist()) == 4
    assert _read(path) is Reason.CORRUPT_DOCX


def test_a_zip_named_pdf_whose_first_entry_starts_with_pdf_is_unsupported(tmp_path: Path) -> None:
    path = write_docx_parts(tmp_path / "proposal.pdf", [("proposal.pdf", b"%PDF-1.7\n" + b"0" * 100)], stored=True)
    assert b"%PDF-" in path.read_bytes()[:1024]
    assert _read(path) is Reason.UNSUPPORTED_FORMAT


def test_a_docx_whose_first_stored_entry_holds_pdf_magic_is_read_as_docx(tmp_path: Path) -> None:
    source = make_docx(tmp_path / "asli.docx", ["PROPOSAL INOVASI", "SMP NEGERI 5"])
    with zipfile.ZipFile(source) as zf:
        parts = [(i.filename, zf.read(i)) for i in zf.infolist()]
    parts.insert(0, ("customXml/item1.bin", b"%PDF-1.7 lampiran"))
    path = write_docx_parts(tmp_path / "a.docx", parts, stored=True)
    assert b"%PDF-1.7" in path.read_bytes()[:1024]
    ex = extract(path)
    assert ex.format == "docx" and "SMP NEGERI 5" in ex.text



def test_results_read_before_the_step_fails_are_in_the_ledger(tmp_path: Path) -> None:
    # Results are saved several to a transaction; a step that fails midway (here its progress
    # callback) still leaves every result it was given in the ledger, for the next run to skip.
    from flows.steps.extract import save_extractions

    inbox = tmp_path / "inbox"
    jobs = {}
    for n in range(5):
        pdf = make_pdf(inbox / f"p{n}.pdf", [cover("PROPOSAL INOVASI", f"SMP NEGERI {n + 1} MALANG")])
        sha = hashlib.sha256(pdf.read_bytes()).hexdigest()
        jobs[sha] = (Path(pdf.name), sha, inbox)

    def progress(done: int, total: int) -> None:
        if done == 3:
            raise KeyboardInterrupt

    with Ledger(tmp_path / "ledger.sqlite") as ledger:
        with pytest.raises(KeyboardInterrupt):
            save_extractions(ledger, jobs, Settings(workers=1, isolate=False), None, progress)
        stored = ledger.extractions(jobs)
    assert len(stored) == 3 and all(s.extraction.pages == 1 for s in stored.values())
