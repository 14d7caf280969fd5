"""Broken and hostile files: every one ends in its expected state, the run survives, nothing leaks."""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import time
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from extractors.limits import Limits
from extractors.ocr_extractor import ocr_available
from extractors.sandbox import SandboxPool
from flows.corpora.hostile import (
    billion_laughs,
    document_xml,
    docx_parts,
    external_entity,
    write_cyclic_pdf,
    write_docx_parts,
    write_raw_docx,
    write_scanned_pdf,
    write_zip_bomb,
)
from flows.steps import RunConfig, run_once
from flows.steps.report import note_path
from models.records import FileStatus, Reason
from models.settings import Settings
from tests.conftest import BODY, ROSTER_CSV, cover, make_docx, make_pdf

SECRET = "RAHASIA-DI-LUAR-KOTAK-MASUK-93f1"
# Lines of a scanned proposal's body: with its cover, enough words to count as a document.
SCANNED_BODY = ["Latar belakang: antrean pasien panjang", "Inovasi: pendaftaran daring dan pesan",
                "singkat untuk jadwal pemeriksaan", "Hasil: waktu tunggu turun setengahnya"]

# path in the inbox -> (status, reason)
EXPECTED: dict[str, tuple[FileStatus, Reason | None]] = {
    "SMPN 5 inovasi.pdf": (FileStatus.ACCEPTED, None),
    "SMPN 5 kinerja.docx": (FileStatus.ACCEPTED, None),
    "kosong.pdf": (FileStatus.QUARANTINED, Reason.EMPTY_FILE),
    "SMPN 15 terpotong.pdf": (FileStatus.QUARANTINED, Reason.CORRUPT_PDF),
    "SMPN 15 terkunci.pdf": (FileStatus.QUARANTINED, Reason.ENCRYPTED_PDF),
    "halaman login.pdf": (FileStatus.QUARANTINED, Reason.UNSUPPORTED_FORMAT),
    "proposal lama.doc": (FileStatus.QUARANTINED, Reason.UNSUPPORTED_FORMAT),
    "proposal.odt": (FileStatus.QUARANTINED, Reason.UNSUPPORTED_FORMAT),
    "proposal.rtf": (FileStatus.QUARANTINED, Reason.UNSUPPORTED_FORMAT),
    "foto sampul.jpg": (FileStatus.QUARANTINED, Reason.UNSUPPORTED_FORMAT),
    "bom.docx": (FileStatus.QUARANTINED, Reason.ZIP_BOMB),
    "bom bagian.docx": (FileStatus.QUARANTINED, Reason.ZIP_BOMB),
    "tawa.docx": (FileStatus.QUARANTINED, Reason.XML_ENTITIES),
    "xxe.docx": (FileStatus.QUARANTINED, Reason.XML_ENTITIES),
    "rusak.docx": (FileStatus.QUARANTINED, Reason.CORRUPT_DOCX),
    "xxe utf16.docx": (FileStatus.QUARANTINED, Reason.XML_ENTITIES),  # the DTD in UTF-16: no ASCII bytes to find
    "xxe main.docx": (FileStatus.QUARANTINED, Reason.XML_ENTITIES),  # in word/main.dat, the relations' main part
    "ganda.docx": (FileStatus.QUARANTINED, Reason.CORRUPT_DOCX),  # two word/document.xml entries
    "arsip.pdf": (FileStatus.QUARANTINED, Reason.UNSUPPORTED_FORMAT),  # a ZIP whose first entry starts with %PDF
    "seribu halaman.pdf": (FileStatus.QUARANTINED, Reason.TOO_MANY_PAGES),
    "siklus.pdf": (FileStatus.QUARANTINED, Reason.CORRUPT_PDF),  # a page tree that contains itself
    "Kinerja SDN Sawojajar 1.docx": (FileStatus.ACCEPTED, None),  # a PDF behind a .docx name
    "unduhan.pdf.crdownload": (FileStatus.IGNORED, Reason.PARTIAL_DOWNLOAD),
    "proposal.pdf.part": (FileStatus.IGNORED, Reason.PARTIAL_DOWNLOAD),
    "~$proposal.docx": (FileStatus.IGNORED, Reason.SYSTEM_FILE),
    ".DS_Store": (FileStatus.IGNORED, Reason.SYSTEM_FILE),
    "Thumbs.db": (FileStatus.IGNORED, Reason.SYSTEM_FILE),
    "desktop.ini": (FileStatus.IGNORED, Reason.SYSTEM_FILE),
    ".tersembunyi.pdf": (FileStatus.IGNORED, Reason.HIDDEN_FILE),
    "tautan.pdf": (FileStatus.IGNORED, Reason.SYMLINK),
}

# Small limits keep the test fast; the 2 GB bomb and the default limits are in `kipp bench safety`.
LIMITS = Limits(docx_total_mb=20, docx_part_mb=2, pdf_pages=50)


def build_hostile_inbox(inbox: Path, outside: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    make_pdf(inbox / "SMPN 5 inovasi.pdf", [cover("PROPOSAL INOVASI", "SMP NEGERI 5 MALANG"), BODY])
    make_docx(inbox / "SMPN 5 kinerja.docx", ["PROPOSAL KINERJA PENYELENGGARAAN PELAYANAN PUBLIK", "SMPN 5", BODY])
    (inbox / "kosong.pdf").write_bytes(b"")
    good = make_pdf(outside / "full.pdf", [cover("PROPOSAL INOVASI", "SMP NEGERI 15 MALANG"), BODY, BODY])
    (inbox / "SMPN 15 terpotong.pdf").write_bytes(good.read_bytes()[:400])
    writer = PdfWriter()
    writer.append(PdfReader(good))
    writer.encrypt(user_password="rahasia", algorithm="AES-128")
    with (inbox / "SMPN 15 terkunci.pdf").open("wb") as fh:
        writer.write(fh)
    (inbox / "halaman login.pdf").write_bytes(b"<!DOCTYPE html><html><body>Sesi habis</body></html>")
    (inbox / "proposal lama.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000)
    with zipfile.ZipFile(inbox / "proposal.odt", "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        zf.writestr("content.xml", "<office:document-content/>")
    (inbox / "proposal.rtf").write_bytes(b"{\\rtf1\\ansi PROPOSAL INOVASI}")
    (inbox / "foto sampul.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\0" * 100)
    write_zip_bomb(inbox / "bom.docx", inflated_mb=30)  # over LIMITS.docx_total_mb by its headers
    # A part that is not a bomb by its headers (incompressible, small ratio) but is over the part limit.
    letters = bytes(b"abcdefghij "[i % 11] for i in range(256))
    noise = random.Random(7).randbytes(3 << 20).translate(letters).decode("ascii")
    write_raw_docx(inbox / "bom bagian.docx", document_xml(noise))
    write_raw_docx(inbox / "tawa.docx", billion_laughs())
    (outside / "secret.txt").write_text(SECRET, encoding="utf-8")
    write_raw_docx(inbox / "xxe.docx", external_entity(outside / "secret.txt"))
    utf16 = external_entity(outside / "secret.txt").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    write_docx_parts(inbox / "xxe utf16.docx", docx_parts(utf16.encode("utf-16")))
    write_docx_parts(inbox / "xxe main.docx", docx_parts(external_entity(outside / "secret.txt"), main="word/main.dat"))
    write_docx_parts(inbox / "ganda.docx", docx_parts(document_xml("SMPN 5")) + [("word/document.xml", document_xml("x"))])
    write_docx_parts(inbox / "arsip.pdf", [("proposal.pdf", b"%PDF-1.7\n" + b"0" * 100)], stored=True)
    (inbox / "rusak.docx").write_bytes(b"PK\x03\x04" + os.urandom(300))
    make_pdf(inbox / "seribu halaman.pdf", ["halaman"] * 51)
    write_cyclic_pdf(inbox / "siklus.pdf")
    shutil.copy(make_pdf(outside / "sdn.pdf", [cover("PROPOSAL KINERJA PENYELENGGARAAN PELAYANAN PUBLIK",
                                                     "SD NEGERI SAWOJAJAR 1"), BODY]),
                inbox / "Kinerja SDN Sawojajar 1.docx")
    for name in ("unduhan.pdf.crdownload", "proposal.pdf.part", "~$proposal.docx", ".DS_Store", "Thumbs.db",
                 "desktop.ini", ".tersembunyi.pdf"):
        (inbox / name).write_bytes(b"sebagian")
    (inbox / "tautan.pdf").symlink_to(outside / "secret.txt")


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory):
    """One run over the hostile inbox, read by several tests (none of them writes)."""
    tmp_path = tmp_path_factory.mktemp("hostile")
    inbox, outside, roster_file = tmp_path / "inbox", tmp_path / "outside", tmp_path / "roster.csv"
    inbox.mkdir()
    outside.mkdir()
    roster_file.write_text(ROSTER_CSV, encoding="utf-8")
    build_hostile_inbox(inbox, outside)
    config = RunConfig(inbox, roster_file, tmp_path / "reports", "2021",
                       Settings(workers=2, settle_seconds=0, limits=LIMITS))
    return config, run_once(config)


def test_every_hostile_file_ends_in_its_expected_state(hostile_run) -> None:
    _, result = hostile_run
    got = {o.path: (o.status, o.reason) for o in result.screening.documents}
    assert got == EXPECTED


def output_contents(out: Path) -> Iterator[tuple[str, bytes]]:
    """Every byte kipp wrote under `out`, with the ledger read through SQLite and its compressed
    texts inflated: a byte search of ledger.sqlite alone cannot see text stored compressed."""
    for path in sorted(out.rglob("*")):
        if path.is_file() and "prefect" not in path.parts:
            yield str(path), path.read_bytes()
    with closing(sqlite3.connect(out / "ledger.sqlite")) as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for row in db.execute(f'SELECT * FROM "{table}"'):
                for value in row:
                    if isinstance(value, bytes):
                        try:
                            value = zlib.decompress(value)
                        except zlib.error:
                            pass
                        yield f"ledger {table}", value
                    elif isinstance(value, str):
                        yield f"ledger {table}", value.encode("utf-8")


def test_no_byte_from_outside_the_inbox_reaches_any_output(hostile_run) -> None:
    config, _ = hostile_run
    seen = 0
    for where, content in output_contents(config.out):
        seen += 1
        assert SECRET.encode() not in content, where
    assert seen > 20


def test_the_leak_check_sees_text_stored_compressed_in_the_ledger(tmp_path: Path) -> None:
    from models.ledger import Ledger
    from models.records import Extraction

    with Ledger(tmp_path / "ledger.sqlite") as ledger:
        ledger.save_extraction("a" * 64, Extraction("docx", f"isi {SECRET} " * 50, 1, "sampul"))
    assert SECRET.encode() not in (tmp_path / "ledger.sqlite").read_bytes()  # compressed: a byte search misses it
    assert any(SECRET.encode() in content for _, content in output_contents(tmp_path))


def test_quarantined_files_are_copied_with_a_note_and_the_inbox_keeps_them(hostile_run) -> None:
    config, result = hostile_run
    quarantined = [o for o in result.screening.documents if o.status is FileStatus.QUARANTINED]
    for o in quarantined:
        copy = config.out / "karantina" / o.path
        assert copy.read_bytes() == (config.inbox / o.path).read_bytes()
        note = note_path(config.out, o.path).read_text(encoding="utf-8")
        assert f"alasan: {o.reason}" in note
    html = (config.out / "completeness.html").read_text(encoding="utf-8")
    assert "SMPN 15 terkunci.pdf" in html  # listed under SMP Negeri 15, so an admin can ask again
    doc = json.loads((config.out / "screening.json").read_text(encoding="utf-8"))
    locked = next(d for d in doc["documents"] if d["path"] == "SMPN 15 terkunci.pdf")
    assert locked["participant_id"] == "smp-15"


def test_wrong_extension_is_read_as_what_it_is_and_noted(hostile_run) -> None:
    _, result = hostile_run
    o = {o.path: o for o in result.screening.documents}["Kinerja SDN Sawojajar 1.docx"]
    assert (o.format, o.participant_id, o.doc_type) == ("pdf", "sd-sawojajar-1", "kinerja")
    assert "extension_mismatch:docx" in o.detail


@pytest.fixture(scope="module")
def slow_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A PDF of 60 pages of 1,500 text operators each: about 5 s of pypdf's work. Its bytes are
    written directly (0.1 s, where drawing the same with reportlab took 1.5 s)."""
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"}
    for page in range(60):
        ops = "".join(f"BT /F1 10 Tf {10 + (i % 7) * 70} {10 + (i % 100) * 8} Td (kata{i} p{page}) Tj ET\n"
                      for i in range(1500)).encode()
        objects[4 + 2 * page] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(ops), ops)
        objects[5 + 2 * page] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                                 b"/Resources << /Font << /F1 3 0 R >> >> >>" % (4 + 2 * page))
    kids = b" ".join(b"%d 0 R" % (5 + 2 * page) for page in range(60))
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count 60 >>" % kids
    out, offsets = bytearray(b"%PDF-1.4\n"), {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj %s endobj\n" % (number, objects[number])
    xref, size = len(out), max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size + b"".join(b"%010d 00000 n \n" % offsets[n] for n in range(1, size))
    out += b"trailer << /Root 1 0 R /Size %d >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    path = tmp_path_factory.mktemp("slow") / "lambat.pdf"
    path.write_bytes(bytes(out))
    return path


def test_a_file_over_the_time_limit_is_quarantined_and_the_run_goes_on(tmp_path: Path, slow_pdf: Path) -> None:
    # A text layer (20 characters or more): read in milliseconds, where OCR would take a second of the limit.
    quick = make_pdf(tmp_path / "cepat.pdf", ["PROPOSAL INOVASI PELAYANAN PUBLIK"])
    with SandboxPool(1, Limits(seconds=1.0)) as pool:
        results = dict(pool.run({"slow": slow_pdf, "quick": quick}))
        assert pool.restarts == 1
    assert results["slow"][0] is Reason.TIMEOUT
    assert "PROPOSAL INOVASI" in results["quick"].text


def test_a_worker_that_crashes_is_replaced_and_the_run_goes_on(tmp_path: Path, slow_pdf: Path) -> None:
    import signal
    import threading

    quick = make_pdf(tmp_path / "cepat.pdf", ["PROPOSAL INOVASI PELAYANAN PUBLIK"])  # a text layer: no OCR
    with SandboxPool(1, Limits(seconds=60)) as pool:

        def crash_the_busy_worker() -> None:  # what a segfault in a C parser looks like from outside
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                busy = [w for w in list(pool._workers) if w.job and w.job[0] == "slow"]
                if busy:
                    time.sleep(0.5)
                    os.kill(busy[0].process.pid, signal.SIGSEGV)
                    return
                time.sleep(0.05)

        killer = threading.Thread(target=crash_the_busy_worker)
        killer.start()
        results = dict(pool.run({"slow": slow_pdf, "quick": quick}))
        killer.join()
    assert results["slow"] == (Reason.EXTRACTION_CRASHED, "proses pembaca berhenti karena sinyal 11")
    assert "PROPOSAL INOVASI" in results["quick"].text


@pytest.mark.skipif(
    not ocr_available() and not os.environ.get("KIPP_REQUIRE_OCR"), reason="Tesseract is not installed (CI installs it)"
)
def test_scanned_pdf_is_read_with_ocr_and_identified(tmp_path: Path, roster_file: Path) -> None:
    inbox = tmp_path / "inbox"
    write_scanned_pdf(inbox / "Scan_20210203_0012.pdf",
                      ["PROPOSAL INOVASI PELAYANAN PUBLIK", "SI CANTIK", "UPT PUSKESMAS KENDALKEREP",
                       "DINAS KESEHATAN", "PEMERINTAH KOTA MALANG", *SCANNED_BODY])
    result = run_once(RunConfig(inbox, roster_file, tmp_path / "out", "2021", Settings(workers=1, settle_seconds=0)))
    o = result.screening.documents[0]
    assert (o.status, o.participant_id, o.doc_type) == (FileStatus.ACCEPTED, "pkm-kendalkerep", "inovasi")
    assert "ocr:ind" in o.detail
    assert o.ocr_confidence is not None and o.ocr_confidence > 70


def test_scan_without_tesseract_still_counts_and_says_how_to_enable_ocr(
    tmp_path: Path, roster_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))  # no tesseract, no pdftoppm on this PATH
    inbox = tmp_path / "inbox"
    write_scanned_pdf(inbox / "SMPN 5 Proposal Inovasi.pdf", ["PROPOSAL INOVASI", "SMP NEGERI 5"])
    config = RunConfig(inbox, roster_file, tmp_path / "out", "2021",
                       Settings(workers=1, settle_seconds=0, isolate=False))
    o = run_once(config).screening.documents[0]
    assert (o.status, o.participant_id, o.doc_type) == (FileStatus.ACCEPTED, "smp-05", "inovasi")
    assert "no_text_layer" in o.detail and "tesseract-ocr-ind" in o.detail
