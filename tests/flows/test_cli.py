"""The kipp command end to end, through Prefect's embedded API."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from flows.cli import main
from flows.lifecycle import TEMPLATE_NAME, alembic_version
from tests.conftest import BODY, cover, make_pdf

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_kipp_run_screens_the_inbox_through_the_prefect_flow(tmp_path: Path, roster_file: Path) -> None:
    inbox = tmp_path / "inbox"
    make_pdf(inbox / "SMPN 5 inovasi.pdf", [cover("PROPOSAL INOVASI", "SMP NEGERI 5 MALANG"), BODY])
    make_pdf(inbox / "SMPN 5 kinerja.pdf", [cover("PROPOSAL KINERJA PENYELENGGARAAN PELAYANAN PUBLIK", "SMPN 5"), BODY])
    (inbox / "rusak.pdf").write_bytes(b"%PDF-1.7\n garbage")
    out, home, tmp = tmp_path / "reports", tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    tmp.mkdir()
    # A process of its own, as a user runs it: Prefect reads where its home is once, at import.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(HOME=str(home), TMPDIR=str(tmp), KIPP_WORKERS="1")
    result = subprocess.run(
        [sys.executable, "-m", "flows.cli", "run", "--inbox", str(inbox), "--roster", str(roster_file),
         "--out", str(out)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 berkas di kotak masuk, 3 baru dibaca" in result.stdout
    assert "rusak.pdf: corrupt_pdf" in result.stdout
    assert result.stderr == ""
    doc = json.loads((out / "screening.json").read_text(encoding="utf-8"))
    assert {p["id"]: p["status"] for p in doc["participants"]}["smp-05"] == "complete"
    # Prefect's state stays in kipp's own home, never in the user's ~/.prefect: the migrated database
    # kept for the next run is there, and the run's scratch copy in the temporary folder is gone.
    template = out / ".kipp" / "prefect" / TEMPLATE_NAME
    assert alembic_version(template) is not None
    assert not (home / ".prefect").exists()
    assert not list(tmp.glob("kipp-prefect-*"))


@pytest.mark.slow
def test_kipp_lang_en_reaches_the_reports_written_inside_the_prefect_flow(tmp_path: Path, roster_file: Path) -> None:
    """The language is set once by the CLI and read where the flow's report task renders the workbooks."""
    from openpyxl import load_workbook

    inbox = tmp_path / "inbox"
    make_pdf(inbox / "SMPN 5 inovasi.pdf", [cover("PROPOSAL INOVASI", "SMP NEGERI 5 MALANG"), BODY])
    out, home = tmp_path / "reports", tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "KIPP_"))}
    env.update(HOME=str(home), KIPP_WORKERS="1", KIPP_LANG="en", KIPP_PREFECT="ephemeral")
    result = subprocess.run(
        [sys.executable, "-m", "flows.cli", "run", "--inbox", str(inbox), "--roster", str(roster_file), "--out", str(out)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[1].startswith("1 files in the inbox, 1 newly read")  # after "folder keluaran baru"
    assert "First run in this folder." in result.stdout
    assert load_workbook(out / "completeness.xlsx").sheetnames == ["Completeness", "Unusable files", "Summary"]
    assert (out / "pengingat.csv").read_text(encoding="utf-8-sig").startswith("category,id,name,status,missing,")


def test_bad_roster_is_one_clear_line_before_prefect_starts(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name,category\nx,SD Negeri 1,school\n", encoding="utf-8")
    (tmp_path / "inbox").mkdir()
    result = CliRunner().invoke(main, ["run", "--inbox", str(tmp_path / "inbox"), "--roster", str(roster),
                                       "--out", str(tmp_path / "out")])
    assert result.exit_code == 3  # ExitCode.BAD_INPUT
    assert "baris 2: x: kategori 'school' tidak dikenal" in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "out" / ".kipp").exists()


@pytest.mark.slow
def test_kipp_demo_writes_an_inbox_and_its_reports_from_nothing(tmp_path: Path) -> None:
    directory = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", "--dir", str(directory)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Demo: 40 peserta" in result.output
    assert (directory / "reports" / "completeness.html").is_file()
    doc = json.loads((directory / "reports" / "screening.json").read_text(encoding="utf-8"))
    assert len(doc["participants"]) == 40
    statuses = {p["status"] for p in doc["participants"]}
    assert "complete" in statuses and statuses != {"complete"}  # the demo has missing documents


# -- version, help, language ----------------------------------------------------------------------


def test_kipp_version_is_the_installed_package_version() -> None:
    from importlib.metadata import version

    result = CliRunner().invoke(main, ["--version"], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout == f"kipp {version('kipp-intake')}\n"


def test_help_lists_developer_commands_under_their_own_heading_and_they_still_run() -> None:
    result = CliRunner().invoke(main, ["--help"], catch_exceptions=False)
    assert result.exit_code == 0
    user, developer = result.stdout.split("Perintah pengembang:")
    listed = {line.split()[0] for line in developer.splitlines() if line.startswith("  ")}
    assert listed == {"bench", "evaluate"}
    users = {line.split()[0] for line in user.split("Perintah:")[1].splitlines() if line.startswith("  ")}
    assert {"run", "demo", "watch", "reminders", "themes", "duplicates", "retry"} <= users
    assert not users & listed
    assert result.stdout.startswith("Pemakaian: ") and "\nOpsi:\n" in result.stdout and "--lang [id|en]" in result.stdout
    # Every command line of the docs keeps working.
    for args in (["bench", "--help"], ["evaluate", "--help"], ["bench", "latency", "--help"]):
        assert CliRunner().invoke(main, args, catch_exceptions=False).exit_code == 0


@pytest.mark.parametrize("command", [[], ["run"], ["reminders"], ["themes"], ["themes", "correct"], ["retry"]])
def test_help_pages_are_in_indonesian(command: list[str]) -> None:
    page = CliRunner().invoke(main, [*command, "--help"], catch_exceptions=False).stdout
    assert "Pemakaian:" in page and "Tampilkan bantuan ini lalu keluar." in page
    for english in ("Usage:", "Options:", "Commands:", "Show this message", "Example:"):
        assert english not in page, (command, english)


def test_a_bad_kipp_lang_is_refused_by_name() -> None:
    result = CliRunner().invoke(main, ["reminders", "--help"], env={"KIPP_LANG": "fr"})
    assert result.exit_code == 2 and "--lang" in result.stderr and "'fr'" in result.stderr


# -- the run summary and its progress display -----------------------------------------------------


def test_the_progress_display_shows_files_read_of_the_total_on_a_terminal_only() -> None:
    import io

    from rich.console import Console

    from flows.cli import _progress
    from flows.steps.extract import extract_progress

    screen = io.StringIO()
    with _progress(Console(file=screen, force_terminal=True, width=100)):
        report = extract_progress.get()
        report(0, 5)
        report(3, 5)
        report(5, 5)
    assert "Membaca berkas" in screen.getvalue() and "3/5" in screen.getvalue()
    assert extract_progress.get() is None  # gone with the display
    with _progress(None):  # a pipe or a captured stdout: nothing but the plain lines
        assert extract_progress.get() is None


def test_extraction_tells_its_progress_file_by_file(tmp_path: Path) -> None:
    from flows.steps.extract import extract_contents, extract_progress
    from models.ledger import Ledger
    from models.settings import Settings

    inbox = tmp_path / "inbox"
    make_pdf(inbox / "a.pdf", [BODY])
    make_pdf(inbox / "b.pdf", [BODY + " b"])
    hashes = {"a.pdf": "1" * 64, "b.pdf": "2" * 64}  # not the files' own: each is refused, and counted
    told: list[tuple[int, int]] = []
    token = extract_progress.set(lambda done, total: told.append((done, total)))
    try:
        with Ledger(tmp_path / "ledger.sqlite") as ledger:
            n = extract_contents(ledger, inbox, hashes, Settings(workers=1, isolate=False), None)
    finally:
        extract_progress.reset(token)
    assert n == 2 and told == [(0, 2), (1, 2), (2, 2)]


def _screening_doc(statuses: dict[str, str], files: dict[str, tuple[str, str]]) -> dict:
    return {"participants": [{"id": pid, "status": s} for pid, s in statuses.items()],
            "documents": [{"path": p, "sha256": sha, "status": st} for p, (sha, st) in files.items()]}


def test_the_summary_says_what_changed_since_the_last_run(tmp_path: Path) -> None:
    from flows.cli import _before, _changes
    from models.language import use_language
    from models.records import (
        Category,
        FileStatus,
        Outcome,
        Participant,
        ParticipantResult,
        ParticipantStatus,
        Reason,
    )
    from models.screening import Screening

    assert _before(tmp_path) is None
    assert _changes(None, Screening((), ())) == "Putaran pertama di folder ini."
    (tmp_path / "screening.json").write_text(json.dumps(_screening_doc(
        {"a": "missing_kinerja", "b": "complete", "c": "missing_both"},
        {"a-inovasi.pdf": ("1" * 64, "accepted"), "b.pdf": ("2" * 64, "accepted"), "old.pdf": ("3" * 64, "quarantined")},
    )), encoding="utf-8")
    before = _before(tmp_path)
    people = {pid: Participant(pid, f"SD Negeri {pid.upper()}", Category.SD) for pid in "abc"}
    screening = Screening(
        (Outcome("a-inovasi.pdf", "1" * 64, 1, FileStatus.ACCEPTED, None),
         Outcome("a-kinerja.pdf", "4" * 64, 1, FileStatus.ACCEPTED, None),
         Outcome("b.pdf", "5" * 64, 1, FileStatus.QUARANTINED, Reason.CORRUPT_PDF),  # replaced by a broken one
         Outcome("old.pdf", "3" * 64, 1, FileStatus.QUARANTINED, Reason.CORRUPT_PDF),
         Outcome("Thumbs.db", None, 1, FileStatus.IGNORED, Reason.SYSTEM_FILE)),
        (ParticipantResult(people["a"], ParticipantStatus.COMPLETE, "a-inovasi.pdf", "a-kinerja.pdf"),
         ParticipantResult(people["b"], ParticipantStatus.MISSING_BOTH, None, None),
         ParticipantResult(people["c"], ParticipantStatus.MISSING_BOTH, None, None)),
    )
    assert _changes(before, screening) == (
        "Sejak putaran sebelumnya: 2 berkas baru atau berubah; 1 peserta baru lengkap (SD Negeri A); "
        "1 peserta tidak lagi lengkap (SD Negeri B); 1 berkas baru dikarantina.")
    with use_language("en"):
        assert _changes(before, screening).startswith("Since the last run: 2 new or changed files; 1 participants newly")
    same = _before(tmp_path)
    unchanged = Screening((Outcome("a-inovasi.pdf", "1" * 64, 1, FileStatus.ACCEPTED, None),
                           Outcome("b.pdf", "2" * 64, 1, FileStatus.ACCEPTED, None)),
                          (ParticipantResult(people["b"], ParticipantStatus.COMPLETE, "x", "y"),))
    assert _changes(same, unchanged) == "Sejak putaran sebelumnya: tidak ada perubahan."


# -- kipp reminders -------------------------------------------------------------------------------


def test_kipp_reminders_without_a_run_is_one_line_naming_the_folder(tmp_path: Path) -> None:
    out = tmp_path / "laporan"
    out.mkdir()
    result = CliRunner().invoke(main, ["reminders", "--out", str(out)])
    assert result.exit_code == 3
    lines = result.stderr.strip().splitlines()
    assert lines == [(f"kipp: {out}: belum ada screening.json di folder ini (salah ketik --out?); jalankan kipp run "
                      "dengan --out ini dulu")]
    assert list(out.iterdir()) == []  # nothing written, not even the lock


def test_kipp_reminders_on_a_file_or_a_broken_screening_is_one_line(tmp_path: Path) -> None:
    a_file = tmp_path / "berkas.txt"
    a_file.write_text("x", encoding="utf-8")
    result = CliRunner().invoke(main, ["reminders", "--out", str(a_file)])
    assert result.exit_code == 4 and result.stderr.strip() == (
        f"kipp: {a_file}: adalah berkas, bukan folder; --out harus folder keluaran kipp run")
    out = tmp_path / "out"
    out.mkdir()
    (out / "screening.json").write_text('{"documents": [', encoding="utf-8")
    result = CliRunner().invoke(main, ["reminders", "--out", str(out)])
    assert result.exit_code == 3
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith(f"kipp: {out / 'screening.json'}: tidak terbaca (JSONDecodeError")


def test_kipp_reminders_writes_the_reminders_with_the_roster_contacts(tmp_path: Path) -> None:
    from flows.steps import RunConfig, run_once
    from models.settings import Settings
    from tests.conftest import ROSTER_CSV

    inbox = tmp_path / "inbox"
    make_pdf(inbox / "SMPN 5 inovasi.pdf", [cover("PROPOSAL INOVASI", "SMP NEGERI 5 MALANG"), BODY])
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER_CSV, encoding="utf-8")
    out = tmp_path / "out"
    run_once(RunConfig(inbox, roster, out, "2021", Settings(workers=1, settle_seconds=0, isolate=False)))
    assert "wa.me" not in (out / "pengingat.csv").read_text(encoding="utf-8-sig")  # no contact column yet
    with_contacts = tmp_path / "roster-kontak.csv"
    with_contacts.write_text(ROSTER_CSV.replace("id,name,category,parent_id", "id,name,category,parent_id,contact")
                             .replace("smp-05,SMP Negeri 5 Malang,smp,pd-disdikbud",
                                      "smp-05,SMP Negeri 5 Malang,smp,pd-disdikbud,+62 812-1111-2222")
                             .replace("smp-15,SMP Negeri 15 Malang,smp,pd-disdikbud",
                                      "smp-15,SMP Negeri 15 Malang,smp,pd-disdikbud,Pak Budi"), encoding="utf-8")
    result = CliRunner().invoke(main, ["reminders", "--out", str(out), "--roster", str(with_contacts)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("16 peserta belum lengkap; 1 dengan tautan e-mail atau WhatsApp\n")
    assert "kontak tidak dikenali (bukan e-mail atau nomor telepon): smp-15 (Pak Budi)" in result.stdout
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO((out / "pengingat.csv").read_text(encoding="utf-8-sig")))}
    assert rows["smp-05"]["tautan_whatsapp"].startswith("https://wa.me/6281211112222?text=Yth.%20Bapak%2FIbu")
    assert "Proposal Kinerja Penyelenggaraan Pelayanan Publik: belum kami terima" in rows["smp-05"]["pesan"]
    # Only the reminder files were written again; nothing else in the folder changed.
    assert {line.strip().rsplit("/", 1)[1] for line in result.stdout.splitlines()[2:]} == {
        "pengingat.xlsx", "pengingat.csv", "pengingat.html"}
    missing = CliRunner().invoke(main, ["reminders", "--out", str(out), "--roster", str(tmp_path / "tidak-ada.csv")])
    assert missing.exit_code == 3 and "tidak-ada.csv" in missing.stderr


def test_the_run_summary_in_english_with_lang_en(tmp_path: Path, roster_file: Path, capsys) -> None:
    from flows.cli import _print_summary
    from models.language import use_language
    from flows.steps import RunConfig, run_once
    from models.settings import Settings

    inbox = tmp_path / "inbox"
    make_pdf(inbox / "SMPN 5 inovasi.pdf", [cover("PROPOSAL INOVASI", "SMP NEGERI 5 MALANG"), BODY])
    (inbox / "rusak.pdf").write_bytes(b"%PDF-1.7\n garbage")
    result = run_once(RunConfig(inbox, roster_file, tmp_path / "out", "2021",
                                Settings(workers=1, settle_seconds=0, isolate=False)))
    with use_language("en"):
        _print_summary(result, 1.0, None)
    english = capsys.readouterr().out
    assert english.startswith("2 files in the inbox, 2 newly read (1.0 s): accepted 1, quarantined 1\n")
    assert "  Junior high school" in english and "participants: innovation proposal missing" not in english
    assert "performance proposal missing 1" in english
    assert "1 files quarantined (reasons in the reports):\n  rusak.pdf: corrupt_pdf (broken or truncated PDF)" in english
    assert "First run in this folder." in english and f"Reports in {tmp_path / 'out'}/ (17 files):" in english
    _print_summary(result, 1.0, None)
    indonesian = capsys.readouterr().out
    assert indonesian.startswith("2 berkas di kotak masuk, 2 baru dibaca (1.0 s): diterima 1, dikarantina 1\n")
    assert f"  {tmp_path / 'out' / 'completeness.xlsx'}  (kelengkapan, untuk Excel)" in indonesian
