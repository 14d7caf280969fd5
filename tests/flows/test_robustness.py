"""No file can stop a run (issue 18, point 2) and a blank document never counts (point 3).

The main test builds one inbox in which every reason code occurs on a file named after a
registered participant, plus a file still being written, and checks that the run writes every
report and lists each file under its participant. A reason code without a case here fails it.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import threading
import time
from html import escape
from pathlib import Path

import pytest

from extractors.limits import Limits
from flows.corpora.hostile import (
    billion_laughs,
    write_raw_docx,
    write_scanned_pdf,
    write_zip_bomb,
)
from flows.reporting import REPORT_FILES, spreadsheet_cell
from flows.steps import RunConfig, run_once
from models.ledger import Ledger, sha256_file
from models.records import FileStatus, Reason
from models.settings import Settings
from tests.conftest import BODY, ROSTER_CSV, cover, make_docx, make_pdf

LIMITS = Limits(docx_total_mb=20, docx_part_mb=2, pdf_pages=50)
INOVASI, KINERJA = "PROPOSAL INOVASI PELAYANAN PUBLIK", "PROPOSAL KINERJA PENYELENGGARAAN PELAYANAN PUBLIK"
# Codes a root test process cannot produce (root reads any file): covered by test_unreadable_* below.
NEEDS_AN_UNPRIVILEGED_USER = {Reason.UNREADABLE}
# A file swapped between the scan and its reading: covered by tests/extractors/test_hostile_extraction.py
# (test_a_file_swapped_between_scan_and_extraction_is_quarantined_and_read_again_next_run).
NEEDS_A_SWAP_MID_RUN = {Reason.CHANGED_SINCE_SCAN}
# The tests of one small inbox each read it in this process: worker processes (and the half second of
# imports each costs) are the every-code run's and tests/extractors/test_hostile*.py's subject.
IN_PROCESS = Settings(workers=1, settle_seconds=0, isolate=False)


def _pdf(path: Path, title: str, unit: str) -> Path:
    return make_pdf(path, [cover(title, unit), BODY])


def _cached_failure(reason: Reason, detail: str):
    """A failure an earlier run recorded for this content (a worker that timed out, ran out of
    memory or died): the ledger's state, set before the run, as a crash would have left it."""
    def seed(inbox: Path, path: str, ledger: Ledger) -> None:
        ledger.save_extraction(sha256_file(inbox / path), (reason, detail))
    return seed


# reason -> (path in the inbox, participant the name says, how to build it)
def _cases(inbox: Path, outside: Path) -> dict[Reason, tuple[str, str | None]]:
    cases: dict[Reason, tuple[str, str | None]] = {}

    def case(reason: Reason, path: str, participant: str | None) -> Path:
        cases[reason] = (path, participant)
        (inbox / path).parent.mkdir(parents=True, exist_ok=True)
        return inbox / path

    # The files that count: SMPN 5 complete, SD Sawojajar 1 and 2 with history.
    _pdf(inbox / "SMPN 5 Proposal Inovasi.pdf", INOVASI, "SMP NEGERI 5 MALANG")
    _pdf(inbox / "SMPN 5 Proposal Kinerja.pdf", KINERJA, "SMP NEGERI 5 MALANG")
    _pdf(inbox / "Inovasi SDN Sawojajar 1.pdf", INOVASI, "SD NEGERI SAWOJAJAR 1")
    shutil.copy(inbox / "Inovasi SDN Sawojajar 1.pdf", case(Reason.IDENTICAL_COPY,
                "Inovasi SDN Sawojajar 1 (1).pdf", "sd-sawojajar-1"))
    old = _pdf(case(Reason.NEWER_VERSION, "Kinerja SDN Sawojajar 2 lama.pdf", "sd-sawojajar-2"), KINERJA,
               "SD NEGERI SAWOJAJAR 2")
    os.utime(old, ns=(time.time_ns() - 86_400 * 10**9,) * 2)
    make_pdf(inbox / "Kinerja SDN Sawojajar 2 revisi.pdf", [cover(KINERJA, "SD NEGERI SAWOJAJAR 2"), BODY, BODY])

    case(Reason.SYSTEM_FILE, "~$Proposal Inovasi SMPN 15.docx", "smp-15").write_bytes(b"kunci")
    case(Reason.PARTIAL_DOWNLOAD, "Proposal Kinerja SMPN 15.pdf.crdownload", "smp-15").write_bytes(b"%PDF-1.7")
    case(Reason.HIDDEN_FILE, ".Proposal Inovasi Kel Bunulrejo.pdf", "kel-bunulrejo").write_bytes(b"%PDF-1.7")
    (outside / "rahasia.pdf").write_bytes(b"%PDF-1.7 rahasia")
    case(Reason.SYMLINK, "Proposal Inovasi Kel Balearjosari.pdf", "kel-balearjosari").symlink_to(outside / "rahasia.pdf")
    os.mkfifo(case(Reason.SPECIAL_FILE, "Proposal Kinerja Kel Balearjosari.pdf", "kel-balearjosari"))
    case(Reason.EMPTY_FILE, "Proposal Kinerja Kel Kedungkandang.pdf", "kel-kedungkandang").write_bytes(b"")
    bad_name = "Proposal Inovasi SMPN 15 \udcff.pdf"  # the byte 0xff: not UTF-8
    cases[Reason.BAD_FILE_NAME] = (bad_name, "smp-15")
    with open(os.fsencode(inbox / bad_name), "wb") as fh:
        fh.write(_pdf(outside / "smpn15.pdf", INOVASI, "SMP NEGERI 15 MALANG").read_bytes())
    case(Reason.UNSUPPORTED_FORMAT, "Proposal Kinerja SMPN 15.doc", "smp-15").write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000)
    full = _pdf(outside / "dinkes.pdf", KINERJA, "DINAS KESEHATAN")
    case(Reason.CORRUPT_PDF, "Proposal Kinerja Dinkes.pdf", "pd-dinkes").write_bytes(full.read_bytes()[:400])
    case(Reason.CORRUPT_DOCX, "Proposal Inovasi Dinkes.docx", "pd-dinkes").write_bytes(b"PK\x03\x04" + os.urandom(300))
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(_pdf(outside / "disdikbud.pdf", INOVASI, "DINAS PENDIDIKAN DAN KEBUDAYAAN")))
    writer.encrypt(user_password="rahasia", algorithm="AES-128")
    with case(Reason.ENCRYPTED_PDF, "Proposal Inovasi Disdikbud.pdf", "pd-disdikbud").open("wb") as fh:
        writer.write(fh)
    make_pdf(case(Reason.TOO_MANY_PAGES, "Proposal Kinerja Disdikbud lampiran lengkap.pdf", "pd-disdikbud"),
             [cover(KINERJA, "DINAS PENDIDIKAN DAN KEBUDAYAAN")] + [BODY] * 51)
    write_zip_bomb(case(Reason.ZIP_BOMB, "Proposal Inovasi Dispendukcapil.docx", "pd-capil"), inflated_mb=30)
    write_raw_docx(case(Reason.XML_ENTITIES, "Proposal Kinerja Dispendukcapil.docx", "pd-capil"), billion_laughs())
    for reason, path, pid, unit in (
        (Reason.TIMEOUT, "Proposal Inovasi Kec Kedungkandang.pdf", "kec-kedungkandang", "KECAMATAN KEDUNGKANDANG"),
        (Reason.RESOURCE_LIMIT, "Proposal Kinerja Kec Kedungkandang.pdf", "kec-kedungkandang", "KECAMATAN KEDUNGKANDANG"),
        (Reason.EXTRACTION_CRASHED, "Proposal Inovasi Kec Blimbing.pdf", "kec-blimbing", "KECAMATAN BLIMBING"),
        (Reason.EXTRACTION_ERROR, "Proposal Inovasi PKM Rampal Celaket.pdf", "pkm-rampal", "UPT PUSKESMAS RAMPAL CELAKET"),
    ):
        make_pdf(case(reason, path, pid), [cover(INOVASI, unit), BODY, reason.value])  # content of its own
    make_docx(case(Reason.NO_TEXT, "Proposal Kinerja Kec Blimbing.docx", "kec-blimbing"), [""])
    # Named after a participant, but no registered one: SD Sawojajar has no number 9.
    _pdf(case(Reason.UNIDENTIFIED, "Proposal Inovasi SDN Sawojajar 9.pdf", None), INOVASI, "SD NEGERI SAWOJAJAR 9")
    _pdf(case(Reason.AMBIGUOUS_PARTICIPANT, "Kedungkandang inovasi.pdf", None), INOVASI, "KOTA MALANG")
    _pdf(case(Reason.CONFLICTING_PARTICIPANT, "SMPN 15 Proposal Inovasi.pdf", None), INOVASI, "SMP NEGERI 5 MALANG")
    make_pdf(case(Reason.UNKNOWN_DOC_TYPE, "PKM Kendalkerep lampiran.pdf", "pkm-kendalkerep"),
             ["LAMPIRAN\nUPT PUSKESMAS KENDALKEREP", BODY])
    _pdf(case(Reason.INTERNAL_ERROR, "Proposal Kinerja PKM Kendalkerep.pdf", "pkm-kendalkerep"), KINERJA,
         "UPT PUSKESMAS KENDALKEREP")
    _pdf(case(Reason.REMOVED_FROM_INBOX, "Proposal Kinerja PKM Kedungkandang.pdf", "pkm-kedungkandang"), KINERJA,
         "UPT PUSKESMAS KEDUNGKANDANG")
    cases[Reason.STILL_WRITING] = ("Proposal Inovasi Kel Arjosari.pdf", "kel-arjosari")
    return cases


SEEDS = {
    Reason.TIMEOUT: "membaca berkas melebihi batas waktu 120 detik",
    Reason.RESOURCE_LIMIT: "proses pembaca dihentikan (memori, batas 1024 MB)",
    Reason.EXTRACTION_CRASHED: "proses pembaca berhenti karena sinyal 11",
    Reason.EXTRACTION_ERROR: "RuntimeError: parser\nTraceback ...",
}


def _keep_writing(path: Path, seconds: float, done: threading.Event) -> threading.Thread:
    """A file still arriving: it grows for `seconds` (an upload over a slow line), or until `done`.
    Returns once the file exists, so that a scan started next finds it whatever the thread's timing."""
    data = _pdf(path.parent.parent / "outside" / "arjosari.pdf", INOVASI, "KELURAHAN ARJOSARI").read_bytes()
    begun = threading.Event()

    def write() -> None:
        with path.open("wb") as fh:
            end = time.monotonic() + seconds
            for i in range(0, len(data), 64):
                fh.write(data[i:i + 64])
                fh.flush()
                begun.set()
                if time.monotonic() > end or done.wait(seconds / max(1, len(data) // 64)):
                    break

    thread = threading.Thread(target=write)
    thread.start()
    assert begun.wait(30), "the writer never started"
    return thread


@pytest.fixture(scope="module")
def every_code(tmp_path_factory: pytest.TempPathFactory):
    """One inbox with every reason code, run once and read by several tests (none of them writes)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield _every_code(tmp_path_factory.mktemp("every-code"), monkeypatch)


def _every_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import models.screening as screening_module

    roster_file = tmp_path / "roster.csv"
    roster_file.write_text(ROSTER_CSV, encoding="utf-8")
    inbox, outside = tmp_path / "inbox", tmp_path / "outside"
    inbox.mkdir()
    outside.mkdir()
    cases = _cases(inbox, outside)
    # A second look half a second after the scan (not the default second, spent asleep): the file still
    # arriving grows by 64 bytes every 0.12 s (about 2 KB over 4 s, _keep_writing), four times meanwhile.
    config = RunConfig(inbox, roster_file, tmp_path / "reports", "2021",
                       Settings(workers=2, settle_seconds=0.5, limits=LIMITS))
    # The file that kipp itself fails on: a fault injected where a bug would sit, in deciding its type.
    failing = cases[Reason.INTERNAL_ERROR][0]
    real = screening_module.detect_doc_type

    def detect_or_fail(path: str, cover_text: str):
        if path == failing:
            raise RuntimeError("galat yang disengaja untuk uji")
        return real(path, cover_text)

    monkeypatch.setattr(screening_module, "detect_doc_type", detect_or_fail)
    # A first run sees the file that is later removed, and records the failures a crash would leave.
    gone = cases[Reason.REMOVED_FROM_INBOX][0]
    first = RunConfig(inbox, roster_file, config.out, "2021", Settings(workers=2, settle_seconds=0, limits=LIMITS))
    run_once(first)
    (inbox / gone).unlink()
    with Ledger(config.ledger_path) as ledger:
        for reason, detail in SEEDS.items():
            # under the limits of the run: a transient failure under other limits is read again
            ledger.save_extraction(sha256_file(inbox / cases[reason][0]), (reason, detail), LIMITS.key())
    # Written to until the run is over (at most 4 s): the test waits for the run, not for the upload.
    done = threading.Event()
    writer = _keep_writing(inbox / cases[Reason.STILL_WRITING][0], 4.0, done)
    try:
        result = run_once(config)
    finally:
        done.set()
        writer.join()
    return cases, config, result


def test_every_reason_code_on_a_named_participant_is_reported_and_the_run_goes_on(every_code) -> None:
    cases, config, result = every_code
    assert set(cases) | NEEDS_AN_UNPRIVILEGED_USER | NEEDS_A_SWAP_MID_RUN == set(Reason), "every reason code needs a case here"
    by_path = {o.path: o for o in result.screening.documents}
    found = {reason: _outcome(by_path, path) for reason, (path, _) in cases.items()}
    for reason, (path, participant) in cases.items():
        o = found[reason]
        assert o is not None, f"{reason}: {path!r} missing from the screening"
        assert (o.status, o.reason) == (reason.state, reason), path
        if o.status is FileStatus.QUARANTINED and participant:
            assert o.participant_id == participant, path  # listed under its participant
    # Every report was written, and every file is in it.
    for name in REPORT_FILES.values():
        assert (config.out / name).stat().st_size > 0, name
    doc = json.loads((config.out / "screening.json").read_text(encoding="utf-8"))
    assert {d["path"] for d in doc["documents"]} == set(by_path)
    assert doc["summary"]["internal_errors"] == 1 and result.internal_errors == 1
    html = (config.out / "completeness.html").read_text(encoding="utf-8")
    for reason, (_, participant) in cases.items():
        if reason.state is FileStatus.QUARANTINED and participant:
            row = next(line for line in html.splitlines() if f"<small>{participant}</small>" in line)
            assert escape(found[reason].path) in row, (reason, row[:300])
    assert "laporan ini belum lengkap" in html  # the admin is told kipp failed on a file
    people = {p["id"]: p["status"] for p in doc["participants"]}
    assert people["smp-05"] == "complete"
    assert people["pkm-kendalkerep"] == "missing_both"  # its Kinerja is the file kipp failed on


def _outcome(by_path: dict, path: str):
    """The outcome of an inbox path; a name that is not UTF-8 is shown with its bytes escaped."""
    shown = path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return by_path.get(path) or by_path.get(shown)


def test_the_trace_of_an_internal_error_is_kept_for_a_developer(every_code) -> None:
    cases, config, result = every_code
    o = next(o for o in result.screening.documents if o.reason is Reason.INTERNAL_ERROR)
    assert o.detail.startswith(Reason.INTERNAL_ERROR.label)
    assert "RuntimeError: galat yang disengaja untuk uji" in o.detail
    with Ledger(config.ledger_path) as ledger:
        row = next(r for r in ledger.outcome_rows() if r["path"] == o.path)
    assert row["reason"] == "internal_error"  # the ledger records it as decided


def test_a_proposal_the_theme_step_fails_on_is_set_aside_and_the_others_get_themes(
    tmp_path: Path, roster_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import models.themes as themes_module

    inbox = tmp_path / "inbox"
    _pdf(inbox / "SMPN 5 Proposal Inovasi.pdf", INOVASI, "SMP NEGERI 5 MALANG")
    _pdf(inbox / "SMPN 15 Proposal Inovasi.pdf", INOVASI, "SMP NEGERI 15 MALANG")
    real = themes_module.check_input

    def check_or_fail(inp) -> None:
        if inp.participant_id == "smp-15":
            raise ValueError("galat yang disengaja untuk uji")
        real(inp)

    monkeypatch.setattr(themes_module, "check_input", check_or_fail)
    result = run_once(RunConfig(inbox, roster_file, tmp_path / "out", "2021", IN_PROCESS))
    docs = {o.path: o for o in result.screening.documents}
    assert docs["SMPN 15 Proposal Inovasi.pdf"].reason is Reason.INTERNAL_ERROR
    assert docs["SMPN 5 Proposal Inovasi.pdf"].status is FileStatus.ACCEPTED
    people = {r.participant.id: r for r in result.screening.participants}
    assert people["smp-05"].theme is not None and people["smp-15"].theme is None
    assert result.internal_errors == 1


def test_a_document_the_comparison_fails_on_is_set_aside_and_the_others_are_compared(
    tmp_path: Path, roster_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import models.duplicates.compare as duplicates_module  # where find_duplicates looks _words up

    inbox = tmp_path / "inbox"
    copied = BODY + "\nInovasi SI ANTRI memindahkan pendaftaran ke aplikasi daring." * 8
    make_pdf(inbox / "SMPN 5 Proposal Inovasi.pdf", [cover(INOVASI, "SMP NEGERI 5 MALANG"), copied])
    make_pdf(inbox / "SMPN 15 Proposal Inovasi.pdf", [cover(INOVASI, "SMP NEGERI 15 MALANG"), copied])
    make_pdf(inbox / "Kel Bunulrejo Proposal Inovasi.pdf", [cover(INOVASI, "KELURAHAN BUNULREJO"), copied, "GALAT-UJI"])
    real = duplicates_module._words

    def words_or_fail(text: str, *args, **kwargs):
        if "GALAT-UJI" in text:
            raise MemoryError("galat yang disengaja untuk uji")
        return real(text, *args, **kwargs)

    monkeypatch.setattr(duplicates_module, "_words", words_or_fail)
    result = run_once(RunConfig(inbox, roster_file, tmp_path / "out", "2021", IN_PROCESS))
    docs = {o.path: o for o in result.screening.documents}
    assert docs["Kel Bunulrejo Proposal Inovasi.pdf"].reason is Reason.INTERNAL_ERROR
    pairs = {frozenset((f.a, f.b)) for f in result.screening.duplicates}
    assert frozenset(("SMPN 5 Proposal Inovasi.pdf", "SMPN 15 Proposal Inovasi.pdf")) in pairs
    assert not result.screening.errors


def test_a_file_the_reports_cannot_show_is_set_aside_and_every_report_is_written(
    tmp_path: Path, roster_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import flows.reporting.pages as reporting

    inbox = tmp_path / "inbox"
    _pdf(inbox / "SMPN 5 Proposal Inovasi.pdf", INOVASI, "SMP NEGERI 5 MALANG")
    make_pdf(inbox / "SMPN 5 lampiran.pdf", ["LAMPIRAN\nSMP NEGERI 5", BODY])  # quarantined: no type
    real = reporting._detail_cell

    def detail_or_fail(o):
        if o.reason is Reason.UNKNOWN_DOC_TYPE:
            raise KeyError("label")  # what a missing label did to every report before
        return real(o)

    monkeypatch.setattr(reporting, "_detail_cell", detail_or_fail)
    out = tmp_path / "out"
    result = run_once(RunConfig(inbox, roster_file, out, "2021", IN_PROCESS))
    assert all((out / name).exists() for name in REPORT_FILES.values())
    docs = {o.path: o for o in result.screening.documents}
    assert docs["SMPN 5 lampiran.pdf"].reason is Reason.INTERNAL_ERROR
    assert docs["SMPN 5 Proposal Inovasi.pdf"].status is FileStatus.ACCEPTED
    assert result.internal_errors == 1


def test_a_step_that_fails_as_a_whole_leaves_the_reports_and_says_so(
    tmp_path: Path, roster_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import models.themes as themes_module

    def broken(*args, **kwargs):
        raise RuntimeError("model rusak")

    monkeypatch.setattr(themes_module, "classify", broken)
    inbox = tmp_path / "inbox"
    _pdf(inbox / "SMPN 5 Proposal Inovasi.pdf", INOVASI, "SMP NEGERI 5 MALANG")
    out = tmp_path / "out"
    result = run_once(RunConfig(inbox, roster_file, out, "2021", IN_PROCESS))
    assert [e.step for e in result.screening.errors] == ["themes"]
    assert result.screening.documents[0].status is FileStatus.ACCEPTED  # a step's failure is no file's fault
    doc = json.loads((out / "screening.json").read_text(encoding="utf-8"))
    assert doc["errors"][0]["step"] == "themes" and "model rusak" in doc["errors"][0]["detail"]
    assert "langkah <b>themes</b> gagal" in (out / "completeness.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_kipp_run_writes_the_reports_then_exits_6_when_it_failed_on_a_file(
    tmp_path: Path, roster_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    import models.screening as screening_module
    from flows.cli import main

    inbox, out = tmp_path / "inbox", tmp_path / "out"
    _pdf(inbox / "SMPN 5 Proposal Inovasi.pdf", INOVASI, "SMP NEGERI 5 MALANG")
    _pdf(inbox / "SMPN 15 Proposal Kinerja.pdf", KINERJA, "SMP NEGERI 15 MALANG")
    real = screening_module.detect_doc_type

    def detect_or_fail(path: str, cover_text: str):
        if path.startswith("SMPN 15"):
            raise RuntimeError("galat yang disengaja untuk uji")
        return real(path, cover_text)

    monkeypatch.setattr(screening_module, "detect_doc_type", detect_or_fail)
    result = CliRunner().invoke(main, ["run", "--inbox", str(inbox), "--roster", str(roster_file), "--out", str(out)])
    assert result.exit_code == 6, result.output
    assert "gagal pada 1 berkas (internal_error" in result.output
    assert "Traceback" not in result.output
    doc = json.loads((out / "screening.json").read_text(encoding="utf-8"))
    states = {d["path"]: d["reason"] for d in doc["documents"]}
    assert states == {"SMPN 5 Proposal Inovasi.pdf": None, "SMPN 15 Proposal Kinerja.pdf": "internal_error"}


# -- a blank document never counts (point 3) ---------------------------------------------


def _run(tmp_path: Path, roster_file: Path) -> dict:
    config = RunConfig(tmp_path / "inbox", roster_file, tmp_path / "out", "2021", IN_PROCESS)
    return {o.path: o for o in run_once(config).screening.documents}


def test_blank_documents_are_no_text_and_never_make_a_participant_complete(tmp_path: Path, roster_file: Path) -> None:
    inbox = tmp_path / "inbox"
    _pdf(inbox / "SMPN 5 Proposal Inovasi.pdf", INOVASI, "SMP NEGERI 5 MALANG")
    make_docx(inbox / "SMPN 5 Proposal Kinerja.docx", [""])  # an empty DOCX
    make_pdf(inbox / "SMPN 15 Proposal Kinerja.pdf", [""])  # a blank page: no text layer, OCR finds nothing
    make_pdf(inbox / "SMPN 15 Proposal Inovasi.pdf", ["PROPOSAL INOVASI\nSMP NEGERI 15", "1\n2\n3 . . . . 4"])
    docs = _run(tmp_path, roster_file)
    for path in ("SMPN 5 Proposal Kinerja.docx", "SMPN 15 Proposal Kinerja.pdf", "SMPN 15 Proposal Inovasi.pdf"):
        assert (docs[path].status, docs[path].reason) == (FileStatus.QUARANTINED, Reason.NO_TEXT), path
        assert docs[path].detail.startswith("dokumen kosong atau tidak terbaca")
    assert docs["SMPN 5 Proposal Kinerja.docx"].participant_id == "smp-05"  # whose it is still shows
    doc = json.loads((tmp_path / "out" / "screening.json").read_text(encoding="utf-8"))
    people = {p["id"]: p["status"] for p in doc["participants"]}
    assert people["smp-05"] == "missing_kinerja" and people["smp-15"] == "missing_both"


def test_a_blank_newer_file_never_supersedes_the_readable_proposal(tmp_path: Path, roster_file: Path) -> None:
    inbox = tmp_path / "inbox"
    readable = _pdf(inbox / "SMPN 5 Proposal Inovasi.pdf", INOVASI, "SMP NEGERI 5 MALANG")
    os.utime(readable, ns=(time.time_ns() - 3600 * 10**9,) * 2)
    make_docx(inbox / "SMPN 5 Proposal Inovasi revisi.docx", ["PROPOSAL INOVASI", "SMP NEGERI 5"])
    docs = _run(tmp_path, roster_file)
    assert docs["SMPN 5 Proposal Inovasi.pdf"].status is FileStatus.ACCEPTED
    assert docs["SMPN 5 Proposal Inovasi revisi.docx"].reason is Reason.NO_TEXT


@pytest.mark.skipif(shutil.which("tesseract") is None and not os.environ.get("KIPP_REQUIRE_OCR"),
                    reason="Tesseract is not installed (CI installs it)")
def test_a_blank_scan_read_by_ocr_is_no_text(tmp_path: Path, roster_file: Path) -> None:
    write_scanned_pdf(tmp_path / "inbox" / "SMPN 5 Proposal Inovasi.pdf", [])  # a white page
    o = _run(tmp_path, roster_file)["SMPN 5 Proposal Inovasi.pdf"]
    assert (o.status, o.reason, o.participant_id) == (FileStatus.QUARANTINED, Reason.NO_TEXT, "smp-05")
    assert "ocr:ind" in o.detail


def test_a_scan_without_ocr_counts_but_its_participant_is_marked_for_review(
    tmp_path: Path, roster_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))  # no tesseract, no pdftoppm on this PATH
    inbox = tmp_path / "inbox"
    write_scanned_pdf(inbox / "SMPN 5 Proposal Inovasi.pdf", ["PROPOSAL INOVASI", "SMP NEGERI 5"])
    _pdf(inbox / "SMPN 5 Proposal Kinerja.pdf", KINERJA, "SMP NEGERI 5 MALANG")
    # An unidentified scan keeps the hint that installing OCR may identify it (issue 10, item 12).
    write_scanned_pdf(inbox / "Scan_20210203_0012.pdf", ["PROPOSAL INOVASI", "SMP NEGERI 15"])
    docs = _run(tmp_path, roster_file)
    assert docs["SMPN 5 Proposal Inovasi.pdf"].status is FileStatus.ACCEPTED
    unknown = docs["Scan_20210203_0012.pdf"]
    assert unknown.reason is Reason.UNIDENTIFIED and "tesseract-ocr-ind" in unknown.detail
    out = tmp_path / "out"
    doc = json.loads((out / "screening.json").read_text(encoding="utf-8"))
    smp5 = {p["id"]: p for p in doc["participants"]}["smp-05"]
    assert smp5["status"] == "complete" and smp5["needs_review"] is True
    assert "tanpa OCR" in smp5["review"][0]
    assert doc["summary"]["needs_review"] == 1
    html = (out / "completeness.html").read_text(encoding="utf-8")
    assert "Perlu diperiksa (1)" in html and "perlu diperiksa</span>" in html
    rows = list(csv.DictReader(io.StringIO((out / "completeness.csv").read_text(encoding="utf-8-sig"))))
    assert "tanpa OCR" in next(r for r in rows if r["id"] == "smp-05")["perlu_diperiksa"]


# -- spreadsheet formulas never run (point 6) --------------------------------------------


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_that_a_spreadsheet_would_run_is_neutralised(start: str) -> None:
    assert spreadsheet_cell(f'{start}HYPERLINK("http://x","Klik")') == f'\'{start}HYPERLINK("http://x","Klik")'
    assert spreadsheet_cell(f"SMPN 5 {start}1") == f"SMPN 5 {start}1"  # only a leading one matters
    assert spreadsheet_cell(-1.5) == -1.5  # numbers stay numbers


def test_no_csv_the_project_writes_holds_a_formula(tmp_path: Path, roster_file: Path) -> None:
    inbox = tmp_path / "inbox"
    hostile = ['=HYPERLINK("x","Klik") SMPN 5 inovasi.pdf', "+SMPN 15 kinerja.pdf", "@SUM(A1) Kel Bunulrejo.pdf",
               "-1+1 SMPN 5.pdf"]
    for name in hostile:
        (inbox / name).parent.mkdir(parents=True, exist_ok=True)
        (inbox / name).write_bytes(b"")  # empty: quarantined, listed in documents.csv
    _pdf(inbox / "SMPN 5 Proposal Inovasi.pdf", INOVASI, "SMP NEGERI 5 MALANG")
    _run(tmp_path, roster_file)
    for name in ("documents.csv", "completeness.csv"):
        rows = list(csv.reader(io.StringIO((tmp_path / "out" / name).read_text(encoding="utf-8-sig"))))
        cells = [c for row in rows for c in row]
        assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))], name
    documents = (tmp_path / "out" / "documents.csv").read_text(encoding="utf-8-sig")
    assert '\'=HYPERLINK(""x"",""Klik"") SMPN 5 inovasi.pdf' in documents
