"""The kipp command end to end, through Prefect's embedded API."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from flows.cli import main
from tests.conftest import BODY, cover, make_pdf


@pytest.mark.slow
def test_kipp_run_screens_the_inbox_through_the_prefect_flow(tmp_path: Path, roster_file: Path) -> None:
    inbox = tmp_path / "inbox"
    make_pdf(inbox / "SMPN 5 inovasi.pdf", [cover("PROPOSAL INOVASI", "SMP NEGERI 5 MALANG"), BODY])
    make_pdf(inbox / "SMPN 5 kinerja.pdf", [cover("PROPOSAL KINERJA PENYELENGGARAAN PELAYANAN PUBLIK", "SMPN 5"), BODY])
    (inbox / "rusak.pdf").write_bytes(b"%PDF-1.7\n garbage")
    out = tmp_path / "reports"
    result = CliRunner().invoke(
        main, ["run", "--inbox", str(inbox), "--roster", str(roster_file), "--out", str(out)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "3 berkas di kotak masuk, 3 baru dibaca" in result.output
    assert "rusak.pdf: corrupt_pdf" in result.output
    assert "Traceback" not in result.output
    doc = json.loads((out / "screening.json").read_text(encoding="utf-8"))
    assert {p["id"]: p["status"] for p in doc["participants"]}["smp-05"] == "complete"
    # Prefect's state stays in kipp's own home, never in the user's ~/.prefect.
    assert Path(os.environ["PREFECT_HOME"]) != Path.home() / ".prefect"


def test_bad_roster_is_one_clear_line_before_prefect_starts(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name,category\nx,SD Negeri 1,school\n", encoding="utf-8")
    (tmp_path / "inbox").mkdir()
    result = CliRunner().invoke(main, ["run", "--inbox", str(tmp_path / "inbox"), "--roster", str(roster),
                                       "--out", str(tmp_path / "out")])
    assert result.exit_code == 3  # ExitCode.BAD_INPUT
    assert "line 2: x: unknown category 'school'" in result.stderr
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
