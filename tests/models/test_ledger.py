"""The ledger's behaviour, the same on both backends: every test runs on a SQLite file and (marked slow)
on a PostgreSQL database of its own (tests/postgres.py), opened through open_ledger as kipp opens it."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from models.errors import LedgerError
from models.inbox import scan_inbox
from models.ledger import EXTRACTOR_VERSION, Ledger, check_ledger, ledger_exists, open_ledger
from models.records import (
    DocType,
    Extraction,
    FileStatus,
    Identification,
    InputFormat,
    JudgeAssignment,
    Outcome,
    Reason,
    Withdrawal,
)
from models.settings import Settings

Opener = Callable[[], Ledger]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.slow)])
def settings(request: pytest.FixtureRequest) -> Settings:
    """The settings a command reads: no KIPP_DATABASE_URL, or one naming a fresh database."""
    return Settings(database_url=request.getfixturevalue("postgres_url") if request.param == "postgres" else None)


@pytest.fixture
def reopen(tmp_path: Path, settings: Settings) -> Opener:
    """Opens the test's ledger again, as the next command would."""
    return lambda: open_ledger(tmp_path / "out" / "ledger.sqlite", settings)


@pytest.fixture
def ledger(reopen: Opener) -> Iterator[Ledger]:
    with reopen() as opened:
        yield opened


def _inbox(root: Path, files: dict[str, bytes]) -> Path:
    inbox = root / "inbox"
    for name, data in files.items():
        (inbox / name).parent.mkdir(parents=True, exist_ok=True)
        (inbox / name).write_bytes(data)
    return inbox


def test_the_backend_is_the_one_the_settings_name(ledger: Ledger, settings: Settings, tmp_path: Path) -> None:
    file = tmp_path / "out" / "ledger.sqlite"
    assert file.is_file() is (settings.database_url is None)
    assert ledger_exists(file, settings)
    if settings.database_url:
        assert isinstance(ledger.path, str) and "rahasia" not in ledger.path and ledger.path.startswith("postgresql://")


def test_sync_inbox_hashes_new_files_keeps_unchanged_ones_and_marks_gone_ones(ledger: Ledger, tmp_path: Path) -> None:
    inbox = _inbox(tmp_path, {"a.pdf": b"one", "sub/b.pdf": b"two"})
    kept, hashes = ledger.sync_inbox(inbox, scan_inbox(inbox))
    assert [i.path for i in kept] == ["a.pdf", "sub/b.pdf"] and len(set(hashes.values())) == 2
    first = hashes["a.pdf"]
    (inbox / "sub/b.pdf").unlink()
    (inbox / "a.pdf").write_bytes(b"ONE")  # same size, new content
    stat = (inbox / "a.pdf").stat()
    os.utime(inbox / "a.pdf", ns=(stat.st_atime_ns, stat.st_mtime_ns - 10**9))
    kept, hashes = ledger.sync_inbox(inbox, scan_inbox(inbox))
    assert [i.path for i in kept] == ["a.pdf"] and hashes["a.pdf"] != first
    assert [(p, s) for p, s, _ in ledger.removed_paths()] == [("sub/b.pdf", ledger.removed_paths()[0][1])]
    rows = {r["path"]: r for r in ledger.outcome_rows()}
    assert rows["a.pdf"]["present"] == 1 and rows["sub/b.pdf"]["present"] == 0
    assert rows["a.pdf"]["mtime_ns"] == (inbox / "a.pdf").stat().st_mtime_ns  # nanoseconds: 64-bit integers
    assert rows["a.pdf"]["first_seen"] <= rows["a.pdf"]["last_seen"]


def test_extractions_round_trip_and_the_cache_says_what_to_read_again(ledger: Ledger) -> None:
    text = "Inovasi pelayanan publik — antrean daring ✓ " * 200
    done = Extraction(InputFormat.PDF, text, 3, "PROPOSAL INOVASI", ("ocr_used",), 87.654321)
    ledger.save_extraction("a" * 64, done, "limits-1")
    ledger.save_extraction("b" * 64, (Reason.TIMEOUT, "120 s"), "limits-1")
    ledger.save_extraction("c" * 64, (Reason.CORRUPT_PDF, "xref"), "limits-1")
    stored = ledger.extractions(["a" * 64, "b" * 64, "c" * 64, "d" * 64], with_text=True)
    assert stored["a" * 64].extraction == done and stored["a" * 64].chars == len(text)
    assert stored["b" * 64].error_reason is Reason.TIMEOUT and stored["b" * 64].error_detail == "120 s"
    assert "d" * 64 not in stored
    assert ledger.extractions(["a" * 64])["a" * 64].extraction.text == ""  # the text only when asked for
    everything = ["a" * 64, "b" * 64, "c" * 64, "d" * 64]
    assert ledger.missing_extractions(everything, "limits-1") == {"d" * 64}
    assert ledger.missing_extractions(everything, "limits-2") == {"b" * 64, "d" * 64}  # transient, other limits
    assert ledger.mark_for_retry([Reason.CORRUPT_PDF, Reason.TIMEOUT]) == 2
    assert ledger.missing_extractions(everything, "limits-1") == {"b" * 64, "c" * 64, "d" * 64}
    ledger.save_extraction("c" * 64, (Reason.CORRUPT_PDF, "xref again"), "limits-1")  # read again: mark gone
    assert ledger.missing_extractions(everything, "limits-1") == {"b" * 64, "d" * 64}
    assert ledger.extractions(["c" * 64])["c" * 64].error_detail == "xref again"


def test_results_are_saved_several_to_a_transaction_and_an_interrupted_run_keeps_what_it_read(
    ledger: Ledger, reopen: Opener
) -> None:
    shas = [f"{n:064x}" for n in range(7)]

    def results() -> Iterator[tuple[str, Extraction | tuple[Reason, str]]]:
        for n, sha in enumerate(shas):
            yield sha, (Extraction(InputFormat.PDF, f"teks {n}", 1, "sampul") if n % 2 else (Reason.TIMEOUT, "120 s"))
        raise KeyboardInterrupt  # Ctrl-C while the pool waits for the next file

    saving = ledger.save_extractions(results(), "limits-1", seconds=3600, rows=3)
    with reopen() as other:  # what another command sees as the results come
        seen = [len(other.extractions(shas)) for _ in zip(shas, saving, strict=False)]
        assert seen == [0, 0, 3, 3, 3, 6, 6]  # a transaction per three results, the rest held
        with pytest.raises(KeyboardInterrupt):
            next(saving)
        stored = other.extractions(shas, with_text=True)
    assert len(stored) == 7  # the held one was saved on the way out
    assert stored[shas[5]].extraction.text == "teks 5" and stored[shas[6]].error_reason is Reason.TIMEOUT
    assert ledger.missing_extractions(shas, "limits-1") == set()


def test_identifications_are_kept_per_fingerprint_and_another_fingerprint_drops_them(ledger: Ledger) -> None:
    found = {("a.pdf", "k1"): Identification("smp-05", 93.5, "cover"),
             ("b.pdf", "k2"): Identification(None, 61.25, None, Reason.AMBIGUOUS_PARTICIPANT, ("smp-05", "smp-15"))}
    ledger.save_identifications("fp1", found)
    ledger.save_identifications("fp1", {("a.pdf", "k1"): Identification("smp-15", 99.0, "path")})
    assert ledger.identifications("fp1") == {**found, ("a.pdf", "k1"): Identification("smp-15", 99.0, "path")}
    ledger.save_identifications("fp2", {})
    assert ledger.identifications("fp1") == {} and ledger.identifications("fp2") == {}


def test_decisions_are_recorded_and_read_in_byte_order(ledger: Ledger, tmp_path: Path) -> None:
    """Paths sort as SQLite compares them, byte by byte ("B" before "a"), whatever the server's collation."""
    inbox = _inbox(tmp_path, {"a.pdf": b"1", "B.pdf": b"2", "Z/c.docx": b"3", "é.pdf": b"4"})
    _, hashes = ledger.sync_inbox(inbox, scan_inbox(inbox))
    outcomes = [Outcome("a.pdf", hashes["a.pdf"], 1, FileStatus.ACCEPTED, None, "smp-05", DocType.INOVASI,
                        match_score=0.1 + 0.2),
                Outcome("B.pdf", hashes["B.pdf"], 1, FileStatus.ACCEPTED, None, "smp-05", DocType.KINERJA),
                Outcome("Z/c.docx", hashes["Z/c.docx"], 1, FileStatus.QUARANTINED, Reason.UNIDENTIFIED,
                        detail="tidak dikenali"),
                Outcome("é.pdf", hashes["é.pdf"], 1, FileStatus.SUPERSEDED, None, "smp-05", DocType.INOVASI,
                        copy_of="a.pdf")]
    ledger.record_outcomes(outcomes)
    assert [r["path"] for r in ledger.outcome_rows()] == ["B.pdf", "Z/c.docx", "a.pdf", "é.pdf"]
    assert [row[0] for row in ledger.accepted_documents()] == ["B.pdf", "a.pdf"]
    rows = {r["path"]: r for r in ledger.outcome_rows()}
    assert rows["a.pdf"]["match_score"] == 0.1 + 0.2  # double precision, not 4-byte floats
    assert (rows["Z/c.docx"]["status"], rows["Z/c.docx"]["reason"]) == ("quarantined", "unidentified")
    assert rows["é.pdf"]["copy_of"] == "a.pdf"
    assert ledger.accepted_sha("smp-05", "inovasi") == hashes["a.pdf"] and ledger.accepted_sha("smp-15", "inovasi") is None


def test_admins_decisions_are_replaced_whole_by_the_latest(ledger: Ledger) -> None:
    ledger.save_duplicate_decision("k1", "confirmed", "sama persis", by="Bu Sari")
    ledger.save_duplicate_decision("k1", "dismissed")
    ledger.save_theme_corrections({"smp-05": "pendidikan", "pkm-rampal": "kesehatan"}, "koreksi.csv", by="Pak Adi")
    ledger.save_theme_corrections({"smp-05": "tata-kelola"}, "cli")
    assert ledger.duplicate_decisions() == {"k1": "dismissed"}
    verdict = ledger.duplicate_decision_records()["k1"]
    assert (verdict.value, verdict.decided_by, verdict.note) == ("dismissed", None, None)
    assert ledger.theme_corrections() == {"pkm-rampal": "kesehatan", "smp-05": "tata-kelola"}
    records = ledger.theme_correction_records()
    assert (records["pkm-rampal"].decided_by, records["pkm-rampal"].note) == ("Pak Adi", "koreksi.csv")
    assert (records["smp-05"].decided_by, records["smp-05"].note) == (None, "cli")
    ledger.set_meta("edition", "2021")
    ledger.set_meta("edition", "2022")
    assert ledger.meta("edition") == "2022" and ledger.meta("missing") is None


def test_a_handoff_is_frozen_taken_back_and_handed_again(ledger: Ledger) -> None:
    ledger.record_handoff([JudgeAssignment("j1", "smp-05", True), JudgeAssignment("j2", "smp-05", False)], [],
                          "2026-12-01T08:00:00+00:00", '{"judges": 2}')
    ledger.record_handoff([], [Withdrawal("j2", "smp-05", "konflik")], "2026-12-02T08:00:00+00:00", '{"judges": 2}')
    assert ledger.frozen_assignments() == {("j1", "smp-05"): "2026-12-01T08:00:00+00:00"}
    assert ledger.withdrawals() == [("j2", "smp-05", "2026-12-02T08:00:00+00:00", "konflik")]
    ledger.record_handoff([JudgeAssignment("j2", "smp-05", True)], [], "2026-12-03T08:00:00+00:00", '{"judges": 3}')
    assert ledger.frozen_assignments() == {("j1", "smp-05"): "2026-12-01T08:00:00+00:00",
                                           ("j2", "smp-05"): "2026-12-03T08:00:00+00:00"}
    assert ledger.withdrawals() == [] and ledger.meta("panel") == '{"judges": 3}'


def test_a_newer_sheet_of_a_judge_supersedes_the_older_which_is_kept(ledger: Ledger) -> None:
    ledger.record_score_sheets([("a.xlsx", "a" * 64, "j1", "pkt", [("p1", "x", 60), ("p2", "x", 70)])])
    ledger.record_score_sheets([("b.xlsx", "b" * 64, "j1", "pkt", [("p1", "x", 90)]),
                                ("c.xlsx", "c" * 64, "j2", "pkt", [("p1", "x", 75)])])
    assert ledger.current_scores() == [("j1", "p1", "x", 90), ("j2", "p1", "x", 75)]
    sheets = {s["source"]: s for s in ledger.score_sheet_records()}
    assert sheets["a.xlsx"]["superseded_at"] is not None and sheets["a.xlsx"]["proposals"] == 2
    assert sheets["b.xlsx"]["superseded_at"] is None and sheets["c.xlsx"]["proposals"] == 1
    assert ledger.score_sheet("a" * 64)[:2] == ("a.xlsx", "j1") and ledger.score_sheet("d" * 64) is None


def test_a_failed_transaction_leaves_nothing_behind(ledger: Ledger) -> None:
    with pytest.raises(RuntimeError), ledger.transaction():
        ledger.set_meta("edition", "2021")
        raise RuntimeError("stop")
    assert ledger.meta("edition") is None
    ledger.set_meta("edition", "2022")  # the connection is usable after the rollback
    assert ledger.meta("edition") == "2022"


def test_what_is_written_is_there_for_the_next_command(ledger: Ledger, reopen: Opener) -> None:
    ledger.set_meta("edition", "2021")
    ledger.save_extraction("a" * 64, Extraction(InputFormat.DOCX, "teks", 1, "sampul"))
    with reopen() as again:
        assert again.meta("edition") == "2021" and again.meta("schema_version") == "2"
        assert again.extractions(["a" * 64], with_text=True)["a" * 64].extraction.text == "teks"
        assert again.missing_extractions(["a" * 64]) == set()


def test_a_ledger_missing_a_later_column_is_brought_up_to_date(ledger: Ledger, reopen: Opener) -> None:
    ledger.db.execute("ALTER TABLE files DROP COLUMN inode")
    ledger.db.execute("ALTER TABLE extractions DROP COLUMN retry")
    ledger.close()
    with reopen() as again:
        assert {"inode", "ctime_ns"} <= again.db.columns("files") and "retry" in again.db.columns("extractions")
        again.save_extraction("a" * 64, (Reason.TIMEOUT, "x"), "l")
        assert again.mark_for_retry([Reason.TIMEOUT]) == 1


def test_a_ledger_written_by_a_newer_kipp_is_refused_in_one_line(ledger: Ledger, reopen: Opener,
                                                                 settings: Settings, tmp_path: Path) -> None:
    ledger.set_meta("schema_version", "99")
    with pytest.raises(LedgerError) as opening:
        reopen()
    with pytest.raises(LedgerError) as checking:
        check_ledger(tmp_path / "out" / "ledger.sqlite", settings)
    for e in (opening, checking):
        assert "skema 99" in str(e.value) and str(ledger.path) in str(e.value) and "\n" not in str(e.value)
    assert ("KIPP_DATABASE_URL" in str(opening.value)) is (settings.database_url is not None)


def test_check_ledger_reads_the_meta_and_nothing_before_the_first_run(settings: Settings, tmp_path: Path,
                                                                     reopen: Opener) -> None:
    path = tmp_path / "out" / "ledger.sqlite"
    assert check_ledger(path, settings) == {} and not ledger_exists(path, settings)
    with reopen() as ledger:
        ledger.set_meta("edition", "2021")
    assert check_ledger(path, settings) == {"schema_version": "2", "edition": "2021"}
    assert EXTRACTOR_VERSION == 2  # the cache's version is in the code, not in the meta
